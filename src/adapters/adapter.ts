// What an adapter is: one per kind, in its own folder (see index.ts for the registry).

import type {
  AdapterContext,
  CodeOwnership,
  Document,
  Finding,
  InputProblem,
  Kind,
  ParsedFile,
  Severity,
  SourceFile,
  SourceMap,
  Witness,
} from '../kernel/types.js'
import type {PathRule} from '../kernel/candidates.js'
import {canonicalAccess} from '../kernel/findings.js'
import type {Rules} from '../kernel/rules.js'

export interface Comparison {
  findings: Finding[]
  notes: string[]
}

export interface Adapter {
  kind: Kind
  /** the rules its findings can carry (its rules.ts): change, severity, title and what each means */
  rules: Rules
  /** paths worth parsing when no config names the kind's files, as data (kernel/candidates.ts) */
  candidates: readonly PathRule[]
  /**
   * Globs of the only places the platform itself reads this kind's files (GitHub reads
   * workflows only in .github/workflows/): `init` always lists them, so that such a file added
   * later is checked even where none exists yet.
   */
  locations?: readonly string[]
  /** recognises a parsed value of this kind by its content */
  detect(value: unknown): boolean
  /** raw text that suggests this kind even when it does not parse: such files fail closed */
  looksLike(text: string): boolean
  /**
   * For kinds whose files are neither JSON nor YAML (CODEOWNERS): reads the raw file into a
   * plain value with a source map, or throws InvalidInputError naming file and line. Such
   * kinds are recognised by path (`candidates`), not by content.
   */
  parse?(file: SourceFile): Promise<ParsedFile>
  /**
   * For kinds with a format of their own: the file name that is this kind's wherever the file
   * sits, for files named on the command line (`acldrift validate backup/CODEOWNERS`); files of
   * the repository are recognised by `candidates`.
   */
  fileName?: string
  /**
   * For the kind that says who owns files (CODEOWNERS): which paths its target documents give an
   * owner, asked by other kinds' comparisons through `AdapterContext.codeOwnership`.
   */
  codeOwnership?(documents: Map<string, Document>, paths: readonly string[]): Promise<CodeOwnership>
  /**
   * Kinds whose target documents this kind's comparison consults besides its own (branch
   * protection reads CODEOWNERS): the pre-commit check then reads them even when unchanged.
   */
  consults?: readonly Kind[]
  /**
   * What the kind's JSON Schema cannot say (a group that contains itself, a role that is not
   * defined): asked once the schema passed, each problem naming file and line. A file with
   * problems fails closed like one that breaks the schema.
   */
  validate?(file: ParsedFile): Promise<InputProblem[]>
  /**
   * `file`: each file's access stands alone (an IAM policy). `kind`: files refer to each
   * other (a RoleBinding names a Role defined elsewhere), so every document of the kind is
   * read and compared together, even when only one changed.
   */
  scope: 'file' | 'kind'
  /**
   * For a kind compared together (`kind` scope): what `reach` reads of a document's value, as
   * JSON (a snapshot's layout keeps it per document, snapshot-index.ts), so that the hook finds
   * which unchanged documents a change reaches without parsing them all. Absent: no reach.
   */
  reachSkeleton?(value: unknown): unknown
  /**
   * The keys of the documents the comparison of `baseline` with `target` needs, undefined for
   * all of them: a document that is the same value on both sides did not change, and may stand
   * as its reachSkeleton.
   */
  reach?(baseline: Map<string, Document>, target: Map<string, Document>): Promise<Set<string> | undefined>
  /**
   * Whether the witness is allowed where the file does not exist (semantic blame asks this of
   * the versions before it was added or after it was deleted). Absent: no, as for access that
   * files grant. Branch protection: yes, a deleted export leaves the branch unprotected;
   * CODEOWNERS: as the other files (`others`) decide, since GitHub then reads the next one.
   */
  absentAllows?(witness: Witness, file: string, others: Map<string, unknown>): Promise<boolean>
  /**
   * Compares the kind's documents (by path) and reports what `changed` paths widen or
   * narrow. Loaded lazily: the comparison engine is heavy and the hook may not need it.
   */
  compare(
    baseline: Map<string, Document>,
    target: Map<string, Document>,
    changed: string[],
    context: AdapterContext,
  ): Promise<Comparison>
  /**
   * Whether one version of a file allows a finding's witness (semantic blame asks this of
   * every version); `others` are the kind's other documents as they are in the target.
   */
  allows(
    value: unknown,
    witness: Witness,
    file: string,
    others: Map<string, unknown>,
    context: AdapterContext,
  ): Promise<boolean>
  /**
   * For kinds whose documents hold parts no evaluation reads (an IAM statement's Sid): a
   * document's value as text without them, so that two values with the same text allow the same
   * requests and their comparison finds nothing. Attribution asks `allows` once per text and
   * compares only the versions of a file whose text changed. Absent (or undefined for a value):
   * every value stands alone.
   */
  accessText?(value: unknown): Promise<string | undefined>
  /**
   * Whether a witness names a request that the versions of a file can be asked about (`allows`).
   * Absent: every witness does. A possible widening the kind's engine could not decide may have
   * none; semantic blame then names the commits that changed the document instead.
   */
  namesRequest?(witness: Witness): boolean
  /** the finding's message for another witness (history shows the request that was asked about) */
  describe(finding: Finding, witness: Witness): Promise<string>
  /**
   * Whether an approval of access `approved` covers a finding about `access` (both the
   * findings' canonical access, of the same file and change, and of any rule unless
   * rulesShareAccess): only when `access` allows
   * nothing `approved` does not, as the kind's own engine decides it (never by comparing ids).
   * The approval must never stretch to a wider access; when the kind cannot tell (a possible
   * widening, a symbol, a condition it cannot read), the answer is no, and the narrower finding
   * needs its own approval. Asked per finding and approval: kinds answer the same access
   * (sameAccess) without loading their engine.
   */
  covers(approved: unknown, access: unknown): boolean | Promise<boolean>
  /**
   * For a widening no approval covers while approvals of the same document count: a request its
   * access grants that neither the baseline document (`key` in the comparison) nor any of the
   * `approved` accesses (the recorded access of the document's valid approvals, or of the kind's:
   * approvalsReachAcrossFiles) grants, so that the finding shows, and
   * blame follows, what nobody approved rather than what was. Undefined when the kind finds none:
   * the finding keeps the comparison's witness. Absent: the kind keeps it always. `sides` holds
   * the kind's documents on each side (what a document names in others: GCP custom roles);
   * `context` is the comparison's (the target's paths: a CODEOWNERS witness names a real file).
   */
  witnessBeyond?(
    finding: Finding,
    key: string,
    baseline: Document | undefined,
    target: Document,
    approved: readonly unknown[],
    sides: {baseline: Map<string, Document>; target: Map<string, Document>},
    context: AdapterContext,
  ): Promise<Witness | undefined>
  /**
   * For kinds whose finding names the parts of each side that decide its witness (CODEOWNERS: the
   * rules that decide the path, in `before`, `after`, the locations and the message): the finding
   * as it reads for another witness of the same access (witnessBeyond's), or undefined when it
   * cannot tell. Absent, or undefined: `describe` gives the message, and the rest stays.
   */
  restate?(
    finding: Finding,
    witness: Witness,
    sides: {baseline: Map<string, Document>; target: Map<string, Document>},
  ): Promise<Finding | undefined>
  /**
   * Whether an approved access grants requests that findings of the kind's other files are about
   * (an RBAC binding approved in one file gives its subject what a Role widened in another file
   * grants): witnessBeyond is then given the approvals of every file of the kind, not only those
   * of the finding's document, so that its witness lies outside all of them.
   */
  approvalsReachAcrossFiles?: true
  /**
   * Whether findings of different rules carry one access (branch protection: a finding per
   * setting, each with the branch's whole protection). An approval then covers findings of its
   * own rule only: approving one setting's finding must not approve the others'. Absent: each
   * finding's access is its own, and an approval covers a finding of any rule whose access its
   * access implies (the same statement classified otherwise against another baseline).
   */
  rulesShareAccess?: true
  /** the kind's own settings in acldrift.config.yaml, if it has any */
  settings?: KindSettings<unknown>
}

/**
 * A kind's own settings: facts about the platform that no file in the repository states (the
 * token permissions GitHub gives a workflow job without a permissions block). They live in
 * acldrift.config.yaml under `key`, and compare and allows find them in their context under
 * the same key. Changing them can weaken checking, so the kind says which changes do: the
 * gate reports each as config-weakened, like a lowered failOn.
 */
export interface KindSettings<T> {
  /** the config's top-level key (`githubActions`), and the key in the adapters' context */
  key: string
  /** the settings from the config's section (valid for the config schema), with defaults where absent */
  read(section: unknown): T
  /** the changes that weaken checking */
  weakenings: ReadonlyArray<SettingChange<T>>
}

/**
 * One row of the table of config changes that weaken checking: a setting, which moves of its
 * value weaken, how severe that is, and the sentence that says so.
 */
export interface SettingChange<S, V = unknown> {
  /** its dotted name in the config (`githubActions.defaultPermissions`), from which its JSON pointer follows */
  setting: string
  severity: Severity
  value(settings: S): V
  weakened(old: V, now: V): boolean
  /** the finding's message; `file` is the config file */
  message(file: string, old: V, now: V): string
  /**
   * Whether a later version of the config still has the change (semantic blame asks each
   * version). Default: the version's value is weakened from the old one.
   */
  persists?(version: V, old: V, now: V): boolean
}

/** A row with its value's type checked, stored as a row of the table. */
export const settingChange = <S, V>(row: SettingChange<S, V>): SettingChange<S> => row

/**
 * `covers` by identity: the approved access covers exactly itself. Sound for every kind, since
 * the access is whole (a statement, Role or Binding with all it grants) and canonical (key and
 * list order do not count), so any widening, however deep, is another access. What it gives up
 * is precision: an approval of wider access does not cover a later, narrower version of it.
 */
export function sameAccess(approved: unknown, access: unknown): boolean {
  return canonicalAccess(approved) === canonicalAccess(access)
}

/** The source map of a value read from no file: it has no lines to name. */
export const NO_LINES: SourceMap = {locate: () => undefined}

/** Approved access written as a file of its kind, to compare with (the kinds' covers.ts). */
export const approvedAccessFile = (value: unknown): ParsedFile => ({
  path: '(approved access)',
  value,
  sourceMap: NO_LINES,
  hash: '',
})

/**
 * In another comparison of the same document, the finding that stands where `finding` does (the
 * same change at the same place) with a witness: witnessBeyond's second look at a finding.
 */
export const findingLike = (findings: readonly Finding[], finding: Finding): Finding | undefined =>
  findings.find((f) => f.change === finding.change && f.pointer === finding.pointer && f.witness !== null)

/** For kinds of scope `file`: each changed path compared with its own baseline, the context told of each. */
export async function compareFileByFile(
  changed: string[],
  baseline: Map<string, Document>,
  target: Map<string, Document>,
  context: Pick<AdapterContext, 'comparing'>,
  compareFile: (file: string, before: ParsedFile | undefined, after: ParsedFile | undefined) => Comparison,
): Promise<Comparison> {
  const out: Comparison = {findings: [], notes: []}
  for (const path of changed) {
    context.comparing?.(path)
    const result = compareFile(path, baseline.get(path), target.get(path))
    out.findings.push(...result.findings)
    out.notes.push(...result.notes)
  }
  return out
}
