// Shared types of the pipeline: source → files → documents → access model → changes → report.

/**
 * A kind of access-control document, named after its adapter (`aws-iam`, `k8s-rbac` …). The kernel
 * sits below the adapters and cannot list them: the kinds are the registry's (`KINDS` in
 * src/adapters/index.ts), and the config schema's list is generated from it.
 */
export type Kind = string

/**
 * What some kinds need to know beyond their files, from acldrift.config.yaml: facts about the
 * platform that no file in the repository states. Each kind's section of the config as
 * written, under the kind's own key; the kind reads it with its defaults (`settings` in
 * src/adapters/adapter.ts).
 */
export type AdapterSettings = Readonly<Record<string, unknown>>

/** What an adapter's compare and allows are told besides the documents: the kinds' settings, and more. */
export interface AdapterContext extends AdapterSettings {
  /**
   * Every path of the target (tracked files, the index or a revision), read on first call: for
   * witnesses that name a real file (a CODEOWNERS path that lost its owners). Absent: unknown.
   */
  paths?: () => Promise<readonly string[]>
  /**
   * Which paths of the target have a code owner, read on first call (branch protection asks:
   * GitHub requires a code-owner review only of pull requests that change an owned file).
   * Absent: unknown, so some path is taken to have no owner.
   */
  codeOwnership?: () => Promise<CodeOwnership>
  /**
   * Told of each changed path before it is compared (a check's progress line names the file a
   * long comparison is on). Absent: nobody watches.
   */
  comparing?: (path: string) => void
}

/** What the repository's CODEOWNERS says of ownership, as code-owner review needs it. */
export interface CodeOwnership {
  /** the CODEOWNERS file GitHub reads; null when the repository has none */
  file: string | null
  /**
   * A path no rule gives an owner (a real file when there is one): a pull request that changes
   * only it needs no code-owner review. Null when every path has an owner.
   */
  unowned: string | null
}

/** Findings about acldrift's own files (config, approvals, baseline snapshot) and approvals. */
export const GATE_KIND = 'acldrift'
/** A finding's kind: a document kind, or acldrift's own. */
export type FindingKind = Kind | typeof GATE_KIND

export type Severity = 'critical' | 'high' | 'medium' | 'low'
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low']

export type ChangeType = 'widening' | 'narrowing' | 'possible-widening'

/** A position in a file, 1-based. */
export interface Position {
  line: number
  column: number
  /**
   * For a document a tool renders from other files (a kustomize overlay, a Helm chart): where this
   * part of it is written in those files (the base file that holds the object, the patch that
   * changed it, or the chart's template).
   */
  renderedFrom?: RenderedFrom
}

/** A place in one of the files a rendered document is made from. */
export interface RenderedFrom {
  file: string
  line: number
}

/** Maps JSON pointers of a parsed document to where they start in the file. */
export interface SourceMap {
  locate(pointer: string): Position | undefined
}

/** One file as read from a source (worktree, index, revision). Content is raw bytes. */
export interface SourceFile {
  path: string
  content: Buffer
}

/** A file parsed into a plain value plus its source map. */
export interface ParsedFile {
  path: string
  value: unknown
  sourceMap: SourceMap
  /** sha256 of the raw bytes, hex */
  hash: string
}

/**
 * Where a document embedded in another file lives: the container file (a CloudFormation
 * template, a Terraform file, a snapshot), the container format that extracted it, and its
 * stable name inside the container (`AppRole/Policies/ReadBucket`), which survives reordering
 * and line moves. The document's source map gives positions in the container file; its own
 * pointers are relative to `pointer`.
 */
export interface Origin {
  file: string
  format: string
  name: string
  /** where the document sits in the container's parsed value: findings' pointers start with it */
  pointer: string
}

/**
 * A parsed, schema-valid document of one kind. `path` is its key in a source: the file's path
 * for a document that is a file of its own, `file#name` for an embedded one (see `origin`).
 */
export interface Document extends ParsedFile {
  kind: Kind
  origin?: Origin
}

/** A problem with one input file; these fail closed (exit 3). */
export interface InputProblem {
  file: string
  line?: number
  column?: number
  pointer?: string
  message: string
}

export type ActorType = 'agent' | 'human' | 'automation' | 'unknown'

export interface Evidence {
  signal: string
  detail: string
  strength: 'strong' | 'high' | 'medium' | 'weak' | 'runtime'
}

export interface Actor {
  type: ActorType
  agent?: string
  confidence: number
  evidence: Evidence[]
}

export interface CommitInfo {
  /** the commit's id; `pending` for the commit being made (pre-commit mode) */
  sha: string
  author: {name: string; email: string; date: string}
  subject: string
  actor: Actor
  pending?: boolean
  /** the merge that brought the change in from a branch */
  merge?: {sha: string; subject: string}
}

/** A request that the target allows and the baseline does not (or the reverse, for narrowings). */
export type Witness = Record<string, unknown>

export interface Finding {
  id: string
  kind: FindingKind
  file: string
  /** the embedded document's name inside `file`, for a document held by a container file */
  document?: string
  line: number | null
  /**
   * For a document rendered from other files (an object of a kustomize overlay or a Helm chart):
   * the file and line where the part the finding is about is written (the base file that holds the
   * object, the patch that changed it, or the chart's template). `file`, `line` and `document` stay
   * the overlay or chart and the object's name.
   */
  renderedFrom?: RenderedFrom
  pointer: string | null
  change: ChangeType
  severity: Severity
  rule: string
  message: string
  witness: Witness | null
  before: unknown
  after: unknown
  diff: unknown[]
  /**
   * Where the baseline statement that is exceeded (or removed) lives, when there is one; for a
   * rendered object, `renderedFrom` as for the finding itself.
   */
  baselineLocation?: {
    file: string
    document?: string
    line: number | null
    renderedFrom?: RenderedFrom
    pointer: string | null
  } | null
  /** Why the engine could not decide, for possible-widening findings. */
  reason?: string
  /**
   * The access the finding is about, whole and in canonical form (keys sorted, lists as sorted
   * sets): the statement, Role or Binding with everything it grants. Its text names the finding
   * (the id), and an approval records it: the approval then covers only what its kind's adapter
   * says this access implies (Adapter.covers), never a wider access that happens to share an id.
   */
  access?: unknown
  commit: CommitInfo | null
  /**
   * Every commit of the range that added access of this finding still present at the target, oldest
   * first, each with a request it added (its own witness). `commit` is one of them. Present only for
   * findings attributed from history (audit, check --ref).
   */
  commits?: Contribution[]
  approval: Approval | null
}

/** A commit that added part of a finding's access, and a request it added that the target still allows. */
export interface Contribution {
  commit: CommitInfo
  witness: Witness
  /** the finding's message for this witness */
  message: string
}

/**
 * The approval that covers a finding, valid or not: an entry of the approvals file, or — for
 * changes to acldrift's own files — the commit itself when a listed approver made it.
 */
export interface Approval {
  source: 'approvals-file' | 'approver-commit'
  /** the approved finding id (approvals-file) */
  id?: string
  approver: string
  reason?: string
  ticket?: string
  /** last day it counts (approvals-file) */
  expires?: string
  created?: string
  valid: boolean
  status: 'valid' | 'expired' | 'self-approval' | 'unverified'
  /** one sentence: why it counts or why not */
  why: string
  /** the commit that added it (the pending one when not committed yet), or null when unknown */
  commit: CommitInfo | null
}

type TargetSource = 'staged' | 'worktree' | 'ref' | 'range' | 'export' | 'snapshot'

/**
 * The inventory of one source: every file looked at, and what became of it. Nothing is dropped
 * silently: a file is read (as documents of a kind), or not read with the reason why, or
 * skipped with the reason why.
 */
export interface Coverage {
  /**
   * `repository`: every file of the source was looked at; `changed-files`: the pre-commit hook's
   * fast path looked only at the paths the commit changes.
   */
  scope: 'repository' | 'changed-files'
  /** files read, one entry per kind (and container format) of the documents each holds */
  read: Array<{
    file: string
    kind: Kind
    /** the container format the documents were extracted from */
    format?: string
    /** `config`: a glob of the config assigned the kind; `content`: detected by content */
    by: 'config' | 'content'
    /**
     * A file with no documents of its own that container files read for theirs (a Terraform
     * module's other file, a chart's values file): those files. `kind`, `format` and `by` are theirs.
     */
    through?: string[]
  }>
  /** files recognised as access configs, or as a format that holds them, but not read */
  notRead: Array<{
    file: string
    /** the kind or format that recognised it */
    recognisedAs: string
    why: string
  }>
  /** files that are not access configs as far as any kind or format can tell, or could not be looked at */
  skipped: Array<{file: string; why: string}>
}

export interface Report {
  schemaVersion: 1
  tool: {name: 'acldrift'; version: string}
  baseline: {source: string; commit: string | null}
  target: {source: TargetSource; commit: string | null}
  summary: {documents: number; widening: number; narrowing: number; possibleWidening: number; invalid: number}
  findings: Finding[]
  errors: InputProblem[]
  /** Informational notes (unknown actions, truncated searches): never silent. */
  notes: string[]
  /** What the run read, what it recognised and did not read (and why), and what it skipped (and why). */
  coverage?: Coverage
  /** The policy the findings were judged by (the stricter of the config and the reference's). */
  policy?: {
    failOn: 'widening' | 'critical' | 'high' | 'medium' | 'never'
    agents: 'require-approval' | 'allow'
  }
  /** The audit log record this run appended (`audit --log`): the anchor to keep outside the log. */
  auditLog?: {file: string; seq: number; hash: string}
}
