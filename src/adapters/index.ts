// The one place where kinds are registered. Each kind lives in its own folder, with its
// schema in schemas/<kind>.schema.json and its fixtures in fixtures/<kind>/ (a test checks
// that the three line up).

import type {Document, Finding, Kind, ParsedFile, Witness} from '../core/types.js'

export interface Comparison {
  findings: Finding[]
  notes: string[]
}

export interface Adapter {
  kind: Kind
  /** paths worth parsing when no config names the kind's files */
  candidate(path: string): boolean
  /** recognises a parsed value of this kind by its content */
  detect(value: unknown): boolean
  /** raw text that suggests this kind even when it does not parse: such files fail closed */
  looksLike(text: string): boolean
  /**
   * `file`: each file's access stands alone (an IAM policy). `kind`: files refer to each
   * other (a RoleBinding names a Role defined elsewhere), so every document of the kind is
   * read and compared together, even when only one changed.
   */
  scope: 'file' | 'kind'
  /**
   * Compares the kind's documents (by path) and reports what `changed` paths widen or
   * narrow. Loaded lazily: the comparison engine is heavy and the hook may not need it.
   */
  compare(
    baseline: Map<string, Document>,
    target: Map<string, Document>,
    changed: string[],
  ): Promise<Comparison>
  /**
   * Whether one version of a file allows a finding's witness (semantic blame asks this of
   * every version); `others` are the kind's other documents as they are in the target.
   */
  allows(value: unknown, witness: Witness, file: string, others: Map<string, unknown>): Promise<boolean>
}

/** For kinds of scope `file`: each changed path compared with its own baseline. */
export async function compareFileByFile(
  changed: string[],
  baseline: Map<string, Document>,
  target: Map<string, Document>,
  compareFile: (file: string, before: ParsedFile | undefined, after: ParsedFile | undefined) => Comparison,
): Promise<Comparison> {
  const out: Comparison = {findings: [], notes: []}
  for (const path of changed) {
    const result = compareFile(path, baseline.get(path), target.get(path))
    out.findings.push(...result.findings)
    out.notes.push(...result.notes)
  }
  return out
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const awsIam: Adapter = {
  kind: 'aws-iam',
  candidate: (path) => /\.json$/i.test(path),
  // Identity, resource (bucket, key, queue, topic) and trust policies all have a Statement.
  detect: (value) => isObject(value) && 'Statement' in value,
  looksLike: (text) => /"Statement"\s*:/.test(text),
  scope: 'file',
  compare: async (baseline, target, changed) =>
    compareFileByFile(changed, baseline, target, (await import('./aws-iam/compare.js')).compareIamFile),
  allows: async (value, witness) => (await import('./aws-iam/evaluate.js')).allowsWitness(value, witness),
}

export const ADAPTERS: readonly Adapter[] = [awsIam]

export function adapterFor(kind: Kind): Adapter {
  const adapter = ADAPTERS.find((a) => a.kind === kind)
  if (!adapter) throw new Error(`internal: no adapter for kind ${kind}`)
  return adapter
}
