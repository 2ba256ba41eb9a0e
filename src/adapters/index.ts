// The one place where kinds are registered. Each kind lives in its own folder, with its
// schema in schemas/<kind>.schema.json and its fixtures in fixtures/<kind>/ (a test checks
// that the three line up).

import type {Finding, Kind, ParsedFile, Witness} from '../core/types.js'

export interface Adapter {
  kind: Kind
  /** paths worth parsing when no config names the kind's files */
  candidate(path: string): boolean
  /** recognises a parsed value of this kind by its content */
  detect(value: unknown): boolean
  /** raw text that suggests this kind even when it does not parse: such files fail closed */
  looksLike(text: string): boolean
  /** loaded lazily: the comparison engine is heavy and the hook may not need it */
  compare(
    file: string,
    baseline: ParsedFile | undefined,
    target: ParsedFile | undefined,
  ): Promise<{findings: Finding[]; notes: string[]}>
  /** whether one version of a document allows a finding's witness (semantic blame asks this) */
  allows(value: unknown, witness: Witness): Promise<boolean>
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const awsIam: Adapter = {
  kind: 'aws-iam',
  candidate: (path) => /\.json$/i.test(path),
  // Identity, resource (bucket, key, queue, topic) and trust policies all have a Statement.
  detect: (value) => isObject(value) && 'Statement' in value,
  looksLike: (text) => /"Statement"\s*:/.test(text),
  compare: async (file, baseline, target) =>
    (await import('./aws-iam/compare.js')).compareIamFile(file, baseline, target),
  allows: async (value, witness) => (await import('./aws-iam/evaluate.js')).allowsWitness(value, witness),
}

export const ADAPTERS: readonly Adapter[] = [awsIam]

export function adapterFor(kind: Kind): Adapter {
  const adapter = ADAPTERS.find((a) => a.kind === kind)
  if (!adapter) throw new Error(`internal: no adapter for kind ${kind}`)
  return adapter
}
