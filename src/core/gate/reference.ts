// Which of acldrift's own files are protected, and what they are compared with: the reference
// commit. The target never vouches for itself, so the reference is a state the target cannot
// rewrite: HEAD for the working tree and the index, the baseline revision, or — for a baseline
// snapshot file — the last version of it that a listed approver committed.

import {isAbsolute, resolve} from 'node:path'
import {
  catFileBatch,
  firstParent,
  type History,
  isAncestor,
  readHistory,
  readPathHistory,
  readCommits,
  readPathsAt,
  readWorktreeFiles,
  resolveCommit,
  shallowBoundaries,
} from '../../git/index.js'
import {chainOf} from '../attribute/blame.js'
import {lookUpCommits} from '../commits.js'
import {readsPath} from '../classify.js'
import {type Config, CONFIG_FILE, DEFAULT_CONFIG} from '../config.js'
import {InvalidInputError} from '../../kernel/errors.js'
import {repoPath} from '../../kernel/files.js'
import {MAX_OWN_FILE_BYTES} from '../../kernel/parse.js'
import type {SourceSpec} from '../source.js'
import type {CommitInfo, Finding, InputProblem} from '../../kernel/types.js'
import {APPROVALS_FILE} from './approvals-file.js'
import {approverCommit} from './approvals.js'
import {configVersion, configVersionAt} from './config-changes.js'
import type {GateInput} from './input.js'
import {protectedFinding} from './protected.js'
import {ALLOWED_SIGNERS_FILE, signedCommits} from './signatures.js'

/** The protected files, relative to the repository root; undefined where there is none in it. */
interface ProtectedPaths {
  config: string | undefined
  approvals: string
  baseline: string | undefined
}

/** The config as named by `--config`, relative to the repository root; undefined outside it. */
export const configPath = ({root, cwd, config}: Pick<GateInput, 'root' | 'cwd' | 'config'>) =>
  config.file === undefined || config.file === CONFIG_FILE
    ? CONFIG_FILE
    : repoPath(root, resolve(cwd, config.file))

/**
 * The config (as named by `--config`, when inside the repository), the approvals file, and the
 * baseline snapshot file (a `--baseline FILE` is relative to the working directory, the
 * config's baseline to the repository root).
 */
export function protectedPaths(
  input: Pick<GateInput, 'root' | 'cwd' | 'config' | 'baseline'>,
): ProtectedPaths {
  const {root, cwd, config, baseline} = input
  const configFile = configPath(input)
  let baselineFile: string | undefined
  const named = baseline.flag ?? config.baseline
  if (baseline.snapshot && named !== undefined) {
    const from = baseline.flag !== undefined ? cwd : root
    baselineFile = repoPath(root, isAbsolute(named) ? named : resolve(from, named))
  }
  return {config: configFile, approvals: APPROVALS_FILE, baseline: baselineFile}
}

/** The reference commit, and the baseline snapshot file in the repository when no listed approver ever committed it. */
export interface Reference {
  sha: string | null
  /** the path of a baseline snapshot nobody approved: a `baseline-unapproved` finding (baseline-changes.ts) */
  unapproved?: string
}

/**
 * What the protected files are compared with. The working tree and the index: HEAD. A
 * revision baseline: that revision. A baseline snapshot file: the last version of it that a
 * listed approver committed (else the one that added it) — the file itself could have been
 * rewritten by anyone since. A snapshot in the repository that no listed approver committed was
 * never approved: that is reported (`unapproved`), unless no approver is listed and a person
 * (not an agent, not automation) added it — then there is nobody who could have approved it.
 */
export async function referenceCommit(
  input: Pick<GateInput, 'root' | 'config' | 'target' | 'baseline'>,
  paths: ProtectedPaths,
  history: () => Promise<History>,
  notes: string[],
): Promise<Reference> {
  const {baseline, target} = input
  if (target.spec.type !== 'ref') return {sha: target.commit}
  if (!baseline.snapshot) return {sha: baseline.commit}
  if (paths.baseline === undefined || target.commit === null) {
    if (baseline.commit !== null)
      notes.push(
        `acldrift's own files compared with the baseline snapshot's commit ${baseline.commit.slice(0, 7)}`,
      )
    // A snapshot outside the repository that names no commit (none yet, or `source.commit`
    // stripped) ties acldrift's own files to no state: they are compared with the target's
    // approved state (readGate: approvedState from the target), never left uncompared, which
    // would let the target's config set its own policy (failOn: never).
    else if (target.commit !== null) {
      notes.push(
        `the baseline snapshot names no commit: acldrift's own files are compared with the approved state of ${target.commit.slice(0, 7)}`,
      )
      return {sha: target.commit}
    }
    return {sha: baseline.commit}
  }
  const read = await history()
  const tip = read.order[0]
  if (tip === undefined) return {sha: baseline.commit}
  const approved = await approvedSnapshotVersion(input, paths.config, paths.baseline, read, tip)
  if (approved === undefined) return {sha: baseline.commit}
  if (approved.byApprover) return {sha: approved.sha}
  const type = approved.commit?.actor.type
  if (input.config.policy.approvers.length === 0 && (type === 'human' || type === 'unknown')) {
    notes.push(
      `${paths.baseline}: no approver is listed (policy.approvers); acldrift's own files are compared with the commit that added it`,
    )
    return {sha: approved.sha}
  }
  // A shallow clone shows the commit where it was cut as adding every file: who really committed
  // the snapshot lies past the cut, so it is neither blamed on that commit nor called unapproved.
  if ((await shallowBoundaries(input.root)).has(approved.sha)) {
    notes.push(
      `${paths.baseline}: the history is shallow (cut at ${approved.sha.slice(0, 7)}): whether a listed approver committed it could not be verified; fetch the whole history (fetch-depth: 0)`,
    )
    return {sha: approved.sha}
  }
  notes.push(
    `${paths.baseline}: no version was committed by a listed approver; acldrift's own files are compared with the commit that added it`,
  )
  return {sha: approved.sha, unapproved: paths.baseline}
}

/**
 * The commit a baseline snapshot file in the repository stands for, as git history says: the
 * commit its approved version (the last one a listed approver committed, else the one that
 * added it) was taken at, when that is an ancestor of the commit that wrote it; else the parent
 * of that commit. Never what the target's file declares: anyone can edit `source.commit`, and
 * semantic blame searches only the history after the baseline's commit, so an agent that set
 * it to its own commit would leave its widening without a commit or an actor. A snapshot
 * outside the repository, or one no commit has yet, keeps what it declares.
 */
export async function snapshotBase(
  input: Pick<GateInput, 'root' | 'cwd' | 'config' | 'baseline'>,
  head: string | null,
): Promise<string | null> {
  const declared = input.baseline.commit
  const paths = protectedPaths(input)
  if (paths.baseline === undefined || head === null) return declared
  const read = await readPathHistory(input.root, head, [paths.baseline])
  const tip = read.order[0]
  if (tip === undefined) return declared
  const approved = await approvedSnapshotVersion(input, paths.config, paths.baseline, read, tip)
  if (approved === undefined) return declared
  // The approved version is most often the very content the check read (same blob id): what it
  // declares is known then, and a snapshot of 20,000 files is not read and parsed again for it.
  const taken =
    approved.blob !== null && approved.blob === input.baseline.blob
      ? commitName(declared)
      : declaredCommit(
          (await readPathsAt(input.root, [{type: 'ref', commit: approved.sha}], [paths.baseline]))[0]!.get(
            paths.baseline,
          ),
        )
  if (taken !== null && (await isParent(input.root, taken, approved.sha))) return taken
  if (taken !== null && (await isAncestor(input.root, taken, approved.sha))) return taken
  return firstParent(input.root, approved.sha)
}

/**
 * Whether `parent` is a parent `commit` names and this clone has: an ancestor without a
 * merge-base (the snapshot `init` writes is committed right after the commit it was taken at).
 */
async function isParent(root: string, parent: string, commit: string): Promise<boolean> {
  const commits = await readCommits(root, [commit, parent])
  return commits.has(parent) && commits.get(commit)?.parents.includes(parent) === true
}

const commitName = (commit: unknown): string | null =>
  typeof commit === 'string' && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null

/** The `source.commit` a snapshot file's content declares; null where it names none or does not parse. */
function declaredCommit(content: Buffer | undefined): string | null {
  if (content === undefined) return null
  try {
    return commitName((JSON.parse(content.toString('utf8')) as {source?: {commit?: unknown}}).source?.commit)
  } catch {
    return null
  }
}

/**
 * The last version of the snapshot file on `tip`'s first-parent history that a listed approver
 * committed, else the commit that added it (and that commit); undefined when no commit there has it.
 */
async function approvedSnapshotVersion(
  input: Pick<GateInput, 'root' | 'config'>,
  configPath: string | undefined,
  path: string,
  read: History,
  tip: string,
): Promise<{sha: string; blob: string | null; byApprover: boolean; commit: CommitInfo | null} | undefined> {
  const states = chainOf(read, tip, path).states.filter((s) => s.touched)
  const touched = states.map((s) => s.sha)
  const blobOf = (sha: string) => states.find((s) => s.sha === sha)!.blob
  if (touched.length === 0) return undefined
  const commits = await lookUpCommits({root: input.root, actors: input.config.actors}, touched)
  for (const sha of touched) {
    const commit = commits.get(sha) ?? null
    const signed = input.config.policy.requireSignedApprovals
      ? await signedCommits(
          input.root,
          (await trustBefore(input.root, configPath, sha, read.commits.get(sha)?.parents[0])).signers ??
            Buffer.alloc(0),
          [commit],
        )
      : undefined
    if (approverCommit(commit, input.config.policy.approvers, signed).ok)
      return {sha, blob: blobOf(sha), byApprover: true, commit}
  }
  const added = touched.at(-1)!
  return {sha: added, blob: blobOf(added), byApprover: false, commit: commits.get(added) ?? null}
}

/**
 * The approved state at or before `start`: the newest commit on its first-parent chain after
 * which every change to acldrift's own files was made by a listed approver, as a human. A
 * reference that is the audited state itself (`baseline: HEAD`), or a baseline revision whose
 * config, approvals or snapshot an agent changed, would vouch for those changes; the approved
 * state does not, so they are judged as changes. Each commit's approvers are those of the config
 * before it (the config it added, for the commit that added it): nobody lists themselves.
 * Without any approver's commit, `start` stays the reference, and a note says so.
 */
export async function approvedState(
  input: Pick<GateInput, 'root' | 'config'>,
  configPath: string | undefined,
  protects: (path: string) => boolean,
  history: () => Promise<History>,
  start: string,
  notes: string[],
): Promise<string> {
  const read = await history()
  const touched: Array<{sha: string; parent: string | undefined}> = []
  let sha: string | undefined = start
  while (sha !== undefined) {
    const commit = read.commits.get(sha)
    if (commit === undefined) break
    if (commit.changes.some((c) => protects(c.path) || protects(c.oldPath)))
      touched.push({sha, parent: commit.parents[0]})
    sha = commit.parents[0]
  }
  if (touched.length === 0) return start
  const commits = await lookUpCommits(
    {root: input.root, actors: input.config.actors},
    touched.map((t) => t.sha),
  )
  for (const [i, {sha, parent}] of touched.entries()) {
    const judged = await byApprover(input, configPath, commits.get(sha) ?? null, sha, parent)
    if (judged.listed && judged.ok) {
      if (i > 0)
        notes.push(
          `acldrift's own files compared with the approved state ${sha.slice(0, 7)}: ${i} later change${i === 1 ? ' was' : 's were'} not made by a listed approver`,
        )
      return i === 0 ? start : sha
    }
  }
  notes.push(
    `acldrift's own files: no change to them was made by a listed approver; compared with ${start.slice(0, 7)}`,
  )
  return start
}

/**
 * A revision named as the baseline (`baseline: approved`, `--baseline v1.4.0`) is the state the
 * target is compared with: whatever it holds passes. A tag or a branch is moved by anyone who can
 * run git, an agent too, and the approved state of acldrift's own files (approvedState) says
 * nothing about the access it holds. So the commit it names must be a listed approver's, as a
 * human (signed when signed approvals are required), judged by the approvers of the config
 * before it, as approvedState judges each commit; else it is `baseline-unapproved`, attributed to
 * that commit. With no approver listed, only a commit by an agent or automation is reported, and
 * a note says that any other is not judged. A range (`--range A..B`) names the change to check, not an approved state: not judged here.
 */
export async function unapprovedRevision(
  input: Pick<GateInput, 'root' | 'cwd' | 'config' | 'target' | 'baseline' | 'range'>,
  configPath: string | undefined,
  notes: string[],
): Promise<Finding[]> {
  const {baseline, config, root} = input
  const named = baseline.flag ?? config.baseline
  if (input.target.spec.type !== 'ref' || baseline.snapshot || input.range || named === undefined) return []
  const sha = baseline.commit
  if (sha === null) return []
  const parent = (await firstParent(root, sha)) ?? undefined
  const commit = (await lookUpCommits({root, actors: config.actors}, [sha])).get(sha) ?? null
  if (commit === null) return []
  const who = await byApprover(input, configPath, commit, sha, parent)
  if (who.ok) return unapprovedChangesHeld(input, configPath, sha, parent, named)
  if (!who.listed && commit.actor.type !== 'agent' && commit.actor.type !== 'automation') {
    notes.push(
      `the baseline ${named} (${sha.slice(0, 7)}) is not judged: no approver is listed (policy.approvers), so nobody's commit is the approved state and whatever ${named} holds passes, whoever moved it; list approvers to have it judged`,
    )
    return []
  }
  const file = configPath ?? CONFIG_FILE
  const finding = protectedFinding({
    file,
    rule: 'baseline-unapproved',
    severity: 'high',
    message: `The baseline ${named} is ${who.why}: everything that commit holds passes, and no approver made it. Point ${named} at a commit a listed approver made, or approve this finding.`,
    witness: {baseline: named, commit: sha, approvedVersion: null},
    pointer: baseline.flag === undefined ? '/baseline' : null,
    line: null,
    before: null,
    after: sha,
  })
  finding.commit = commit
  return [finding]
}

/**
 * A revision baseline at an approver's commit still holds whatever came before it: a tag moved (by
 * anyone, an agent too) onto an approver's commit made after someone else's widening would make
 * that widening part of what passes, approved by nobody. The approved state (issue 13 item 2) is
 * the last commit whose changes to acldrift's own files (config, approvals, allowed signers) a
 * listed approver made; so every commit after it, up to the revision, that changed a file the
 * revision's config reads and that no listed approver made as a human — an AI agent's, automation's,
 * or a person's who is not listed — is unapproved access the baseline holds. Each is judged by the
 * approvers (and signing rule) of the approved state's config: a list changed after it was changed
 * by no approver, so it does not count. The revision is then `baseline-unapproved`, attributed to
 * the newest such commit. An approver who reviewed them approves their widenings (`acldrift check
 * --range APPROVED..REV`, `acldrift approve`) or this finding (`acldrift approve --ref REV`) in a
 * commit of their own.
 */
async function unapprovedChangesHeld(
  input: Pick<GateInput, 'root' | 'cwd' | 'config' | 'baseline'>,
  configPath: string | undefined,
  sha: string,
  parent: string | undefined,
  named: string,
): Promise<Finding[]> {
  const {root, config} = input
  const own = [configPath, APPROVALS_FILE, ALLOWED_SIGNERS_FILE].filter((p) => p !== undefined)
  const approved = await lastApproverCommit(input, configPath, own, sha)
  if (approved === sha) return []
  const reads = readsPath((await carriedConfig(input, sha)).config)
  const history = await readHistory(root, approved ?? null, sha)
  const changing = history.order.filter((c) =>
    history.commits.get(c)!.changes.some((change) => reads(change.path) || reads(change.oldPath)),
  )
  const commits = await lookUpCommits({root, actors: config.actors}, changing)
  // The approved state's trust; with no approver's change to acldrift's own files at all, the
  // trust that found the revision's own commit an approver's (the config before it).
  const trust =
    approved === undefined
      ? await trustBefore(root, configPath, sha, parent)
      : await trustBefore(root, configPath, approved, undefined)
  const judged = changing.map((c) => commits.get(c) ?? null)
  const signed =
    trust.requireSigned || config.policy.requireSignedApprovals
      ? await signedCommits(root, trust.signers ?? Buffer.alloc(0), judged)
      : undefined
  const unapproved = judged.flatMap((commit) => {
    if (commit === null) return []
    const who = approverCommit(commit, trust.approvers, signed)
    return who.ok ? [] : [{commit, why: who.why}]
  })
  const newest = unapproved[0]
  if (newest === undefined) return []
  const count = unapproved.length
  const since = approved === undefined ? 'no change to them was' : `the last, ${approved.slice(0, 7)}, was`
  const finding = protectedFinding({
    file: configPath ?? CONFIG_FILE,
    rule: 'baseline-unapproved',
    severity: 'high',
    message: `The baseline ${named} is ${sha.slice(0, 7)}, a listed approver's commit, but it holds ${count} change${count === 1 ? '' : 's'} to files acldrift reads that no listed approver made, after the approved state of acldrift's own files (${since} made by a listed approver), the newest in ${newest.why}: everything ${named} holds passes, and nobody approved them. Point ${named} at a commit before them, or approve their widenings (\`acldrift check --range ${approved?.slice(0, 7) ?? '<root>'}..${named}\`, \`acldrift approve\`) or this finding (\`acldrift approve --ref ${named}\`) in a commit of a listed approver.`,
    witness: {
      baseline: named,
      commit: sha,
      unapprovedCommit: newest.commit.sha,
      approvedState: approved ?? null,
    },
    pointer: input.baseline.flag === undefined ? '/baseline' : null,
    line: null,
    before: approved ?? null,
    after: sha,
  })
  finding.commit = newest.commit
  return [finding]
}

/**
 * Whether a listed approver made a commit, as a human (under policy.requireSignedApprovals, signed
 * with a key listed before it), judged by the approvers of the config before it; `listed`: it
 * listed any.
 */
async function byApprover(
  input: Pick<GateInput, 'root' | 'config'>,
  configPath: string | undefined,
  commit: CommitInfo | null,
  sha: string,
  parent: string | undefined,
): Promise<{ok: boolean; why: string; listed: boolean}> {
  const trust = await trustBefore(input.root, configPath, sha, parent)
  const signed =
    trust.requireSigned || input.config.policy.requireSignedApprovals
      ? await signedCommits(input.root, trust.signers ?? Buffer.alloc(0), [commit])
      : undefined
  return {...approverCommit(commit, trust.approvers, signed), listed: trust.approvers.length > 0}
}

/**
 * The config a revision baseline is read with: the approved one, never the target's. A target
 * whose config reads more files (an `exclude` dropped, a `documents:` glob added) would otherwise
 * read them on the baseline side too, and their access would pass as already there. For the
 * index and the working tree, HEAD's config (the hook trusts HEAD, as the gate does); for a
 * revision, the last version of the config a listed approver committed on the target's
 * first-parent history (a config change an approver made is approved, and brings no findings),
 * else (no approver listed, or none ever committed it) the baseline revision's own: what was in
 * force there. Not the defaults where it has a config: they read every file no `exclude` hides,
 * more than the baseline checked, so a file its exclude hid would pass as already there. Where
 * that state has no valid config, the defaults (carriedConfig): what acldrift read there.
 */
export async function readingConfig(
  input: Pick<GateInput, 'root' | 'cwd' | 'config' | 'target'>,
  baseline: string | null,
): Promise<Config> {
  const {config, target} = input
  const path = configPath(input)
  if (path === undefined || target.commit === null) return config
  const at =
    target.spec.type === 'ref' ? ((await approvedConfigCommit(input, path)) ?? baseline) : target.commit
  return at === null ? config : (await carriedConfig(input, at)).config
}

/**
 * The run's config for a revision checked without `--baseline` (`--ref`, `audit`): its `baseline:`
 * is the one the approved config names (the last version a listed approver committed on the
 * target's first-parent history), else the target's own (a change to it is judged by the gate,
 * config-weakened). Never the working tree's: an uncommitted `baseline:` naming an uncommitted
 * snapshot an agent took with its widening inside would be what the revision is compared with,
 * and nothing would be found. A config outside the repository (`--config`) is the one given.
 */
export async function referenceBaseline(
  input: Pick<GateInput, 'root' | 'cwd' | 'config'>,
  spec: SourceSpec,
): Promise<Config> {
  if (spec.type !== 'ref' || configPath(input) === undefined) return input.config
  const at = await approvedConfigAt(input, spec.rev)
  return {...input.config, baseline: (await carriedConfig(input, at)).config.baseline}
}

/**
 * The baseline snapshot file `baseline update` writes for `rev` (HEAD for the working tree): the
 * one the approved config names (referenceBaseline), with the commit that config was taken from;
 * undefined where that commit has no config (a repository whose config is not committed yet:
 * the working tree's is all there is) or the config is outside the repository. Never the working
 * tree's `baseline:` alone: an agent that names its own snapshot there would have the update
 * compare with it, accept its widening, and write it where a person's next commit approves it.
 */
export async function approvedBaselineFile(
  input: Pick<GateInput, 'root' | 'cwd' | 'config'>,
  rev: string,
): Promise<{named: string | undefined; at: string} | undefined> {
  const path = configPath(input)
  if (path === undefined) return undefined
  const at = await approvedConfigAt(input, rev)
  const version = await configVersionAt(input.root, path, at)
  if (version.status === 'absent') return undefined
  return {named: version.status === 'ok' ? version.config.baseline : undefined, at}
}

/** The commit whose config is the approved one for `rev` (approvedConfigCommit), else `rev`'s own. */
async function approvedConfigAt(
  input: Pick<GateInput, 'root' | 'cwd' | 'config'>,
  rev: string,
): Promise<string> {
  const commit = await resolveCommit(input.root, rev)
  const path = configPath(input)
  if (path === undefined) return commit
  return (await approvedConfigCommit({...input, target: {spec: {type: 'ref', rev}, commit}}, path)) ?? commit
}

/**
 * The config a revision carries: its own version of the config file, or the defaults where it has
 * none or one that does not validate (`problems`) — what acldrift reads at that commit, and what
 * attribution says it read there (configReaders). Never the working tree's, nor another
 * revision's: an `exclude` or a `documents:` glob written anywhere else would decide what is read
 * at that revision unjudged, while each version of the config is judged against the approved state
 * by the gate (config-weakened). A config outside the repository (`--config`) has no version at a
 * revision: it is the one given.
 */
export async function carriedConfig(
  input: Pick<GateInput, 'root' | 'cwd' | 'config'>,
  commit: string,
): Promise<{config: Config; problems?: InputProblem[]}> {
  const path = configPath(input)
  if (path === undefined) return {config: input.config}
  const version = await configVersionAt(input.root, path, commit)
  if (version.status === 'ok') return {config: version.config}
  return version.status === 'invalid'
    ? {config: DEFAULT_CONFIG, problems: version.problems}
    : {config: DEFAULT_CONFIG}
}

/**
 * The run's config with what the revision a run checks (`--ref`, `--range`, `audit`, `baseline
 * update --ref`) carries in its own config: what it reads (`documents`, `exclude`, the kinds'
 * settings) and who its actors are (`actors`: a team's own agent, listed there, stays an agent).
 * Both are judged by the gate against the approved state (config-weakened); the working tree's
 * are not, so they must not decide what the revision holds or who made it. The rest is the run's:
 * its policy gates only as the stricter with the target's (verdict.ts). A version that does not
 * validate is read with the defaults, and the gate fails the run on it (exit 3).
 */
export async function targetReading(
  input: Pick<GateInput, 'root' | 'cwd' | 'config'>,
  spec: SourceSpec,
): Promise<Config> {
  if (spec.type !== 'ref') return input.config
  const {config} = await carriedConfig(input, await resolveCommit(input.root, spec.rev))
  const {documents, exclude, settings, actors} = config
  return {...input.config, documents, exclude, settings, actors}
}

/**
 * The config a revision is read with where it is read alone (`snapshot --ref`, `coverage --ref`,
 * the snapshot `baseline update --ref` writes): the revision's own, or the defaults where it has
 * none, never the working tree's (carriedConfig). A snapshot records which files that config reads
 * (`files.config`), and the gate compares that with its commit's config
 * (baseline-config-mismatch): a snapshot of an old tag taken after a config change would read
 * other files than the tag's config did. A version that does not validate fails closed.
 */
export async function revisionConfig(
  input: Pick<GateInput, 'root' | 'cwd' | 'config'>,
  spec: SourceSpec,
): Promise<Config> {
  if (spec.type !== 'ref') return input.config
  const carried = await carriedConfig(input, await resolveCommit(input.root, spec.rev))
  if (carried.problems !== undefined) throw new InvalidInputError(carried.problems)
  return carried.config
}

/**
 * Which paths each version of the config reads (by blob id; null: no config, so the defaults),
 * for attribution: a file a commit's config started reading brings its access in with that
 * commit (attribute/blame.ts, onlyRead). A version that does not validate, or is too large to
 * read, read nothing at its commit (acldrift stopped there): it counts as the defaults.
 */
export async function configReaders(
  root: string,
  path: string,
  blobs: ReadonlyArray<string | null>,
): Promise<Map<string | null, (path: string) => boolean>> {
  const defaults = readsPath(DEFAULT_CONFIG)
  const readers = new Map<string | null, (path: string) => boolean>([[null, defaults]])
  const ids = blobs.filter((blob) => blob !== null)
  for (const object of await catFileBatch(root, ids, {maxBytes: MAX_OWN_FILE_BYTES})) {
    const version =
      object.type === 'blob' && !object.oversize
        ? await configVersion(path, new Map([[path, object.content]]))
        : undefined
    readers.set(object.id, version?.status === 'ok' ? readsPath(version.config) : defaults)
  }
  return readers
}

/** The last commit on the target's first-parent history that changed the config and that a listed approver made. */
const approvedConfigCommit = (input: Pick<GateInput, 'root' | 'config' | 'target'>, path: string) =>
  lastApproverCommit(input, path, [path], input.target.commit!)

/**
 * The last commit on `tip`'s first-parent history that changed one of `paths` and that a listed
 * approver made (judged by the config before it); undefined when there is none.
 */
async function lastApproverCommit(
  input: Pick<GateInput, 'root' | 'config'>,
  configPath: string | undefined,
  paths: readonly string[],
  tip: string,
): Promise<string | undefined> {
  const read = await readPathHistory(input.root, tip, paths)
  const touched: Array<{sha: string; parent: string | undefined}> = []
  for (let sha = read.order[0]; sha !== undefined;) {
    const commit = read.commits.get(sha)
    if (commit === undefined) break
    if (commit.changes.some((c) => paths.includes(c.path) || paths.includes(c.oldPath)))
      touched.push({sha, parent: commit.parents[0]})
    sha = commit.parents[0]
  }
  const commits = await lookUpCommits(
    {root: input.root, actors: input.config.actors},
    touched.map((t) => t.sha),
  )
  for (const {sha, parent} of touched)
    if ((await byApprover(input, configPath, commits.get(sha) ?? null, sha, parent)).ok) return sha
  return undefined
}

/**
 * Whose commits counted before a commit: the approvers its config listed (or, where it had
 * none, the config it added), whether that config required signed approvals, and the
 * allowed-signers file then.
 */
async function trustBefore(
  root: string,
  configPath: string | undefined,
  sha: string,
  parent: string | undefined,
): Promise<{approvers: readonly string[]; requireSigned: boolean; signers: Buffer | undefined}> {
  const none = {approvers: [], requireSigned: false, signers: undefined}
  if (configPath === undefined) return none
  for (const commit of parent === undefined ? [sha] : [parent, sha]) {
    const [side] = await readPathsAt(root, [{type: 'ref', commit}], [configPath, ALLOWED_SIGNERS_FILE])
    const version = await configVersion(configPath, side!)
    if (version.status === 'ok')
      return {
        approvers: version.config.policy.approvers,
        requireSigned: version.config.policy.requireSignedApprovals,
        signers: side!.get(ALLOWED_SIGNERS_FILE),
      }
    if (version.status === 'invalid') return none
  }
  return none
}

/**
 * The protected files' contents at the reference and in the target (a path absent from a side is
 * not there). `unlessSame`: paths left out of both sides when the index or a commit holds the
 * same blob as the reference (only the baseline snapshot: nothing but its changes is read).
 */
export async function readSides(
  root: string,
  spec: SourceSpec,
  reference: string | null,
  targetCommit: string | null,
  paths: string[],
  unlessSame: ReadonlySet<string> = new Set(),
): Promise<[Map<string, Buffer>, Map<string, Buffer>]> {
  if (spec.type === 'worktree') {
    const [[before], read] = await Promise.all([
      reference === null
        ? Promise.resolve([new Map<string, Buffer>()])
        : readPathsAt(root, [{type: 'ref', commit: reference}], paths),
      // Read whole, as readPathsAt reads the other sides: absent must never stand for "too large".
      readWorktreeFiles(root, paths, Infinity),
    ])
    return [before!, new Map(read.files.map((f) => [f.path, f.content]))]
  }
  const afterSide =
    spec.type === 'staged' ? {type: 'staged' as const} : {type: 'ref' as const, commit: targetCommit!}
  if (reference === null) return [new Map(), (await readPathsAt(root, [afterSide], paths))[0]!]
  const [before, after] = await readPathsAt(
    root,
    [{type: 'ref', commit: reference}, afterSide],
    paths,
    unlessSame,
  )
  return [before!, after!]
}
