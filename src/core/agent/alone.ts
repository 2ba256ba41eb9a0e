// The agent hook's own path for an edit of one access config that stands alone (an IAM policy,
// an ACL file, a workflow): the file's approved version (HEAD's, or the baseline snapshot's
// documents of it, read with the same config) is compared with the proposed content by its
// kind's adapter, and what widens is refused, without reading the other files, the history of
// acldrift's own files, or who made what. It gives what the full path (review.ts: `check
// --staged` with the edit in place of the file, then the findings in the file that no valid
// approval covers) gives, and is taken only where that follows from this one file:
//   - no container reads the file and it is no container's (a Terraform module, a kustomize
//     overlay, a CloudFormation template: their documents are written across files), and its
//     kind compares each file alone (k8s-rbac, gcp-iam and CODEOWNERS read the kind together;
//     branch protection consults CODEOWNERS);
//   - it is none of acldrift's protected files (the gate judges those: the config, `.acldrift/`,
//     the hook configurations are decided before this; `.gitattributes` and the baseline here);
//   - the config's own policy makes every unapproved widening fail (`agents: require-approval`,
//     `failOn` not `never`): the policy the gate settles on is never weaker than the config the
//     run is given (gate/verdict.ts), so it does too; and the working tree's config is HEAD's
//     (the same bytes), which the gate compares the index's protected files with;
//   - the baseline is a commit: HEAD (no `baseline:` in the config), or a revision (a release tag),
//     whose version of the file the full path reads with the config HEAD carries (gate/reference.ts
//     readingConfig), which is the working tree's (below), and whose moves across the revision
//     and the index it follows (the last condition); a revision on the staged path is not judged
//     by the gate (unapprovedRevision judges it where a revision is checked: CI); or a snapshot
//     file in the repository
//     (`acldrift init` writes `.acldrift/baseline.json`) that HEAD, the index and the working tree
//     hold the same (the full path reads the working tree's; the gate finds no change to it,
//     and for the index the reference of acldrift's own files is HEAD, whatever the snapshot's
//     `source.commit` says: gate/reference.ts), whose documents of the file validate, and that
//     recorded reading under this config (`files.config`: the documents, exclusions and kind
//     settings). The snapshot is read as the pre-commit hook reads it (openSnapshot): only the
//     file's documents are parsed and validated, found by its layout (kept under the git
//     directory with an HMAC, else found again by a scan of its bytes). A tampered document of
//     the file goes the full way, which fails closed; one of another file is no part of this
//     file's comparison and is not read (the full path, reading the snapshot whole, refuses
//     every edit over it; an edit of that file comes here and goes the full way). A snapshot
//     outside the repository (`baseline-config-mismatch`), a revision that names no commit, go
//     the full way;
//   - no approval can be about the file: the index's approvals file (the one the gate judges)
//     does not name it (an approval covers findings of its own file only: approvals.ts);
//   - both versions read without problems, and the edit removes no document (the full path
//     follows renames and links of a document that is gone); a file that has no baseline
//     document or gains one, only while no other baseline document can be gone (the full path
//     may take it for where that one moved): against a commit, the index changes no other access
//     config; against a snapshot, every file its documents were read from is in the index with
//     the blob it recorded, and none is a container's.
// Anywhere else it answers undefined, and the full path decides.

import {existsSync} from 'node:fs'
import {isAbsolute, join, posix, resolve} from 'node:path'
import {readEntries, selectEntries, type TreeEntry} from '../../git/entries.js'
import {readListedPaths} from '../../git/file-history.js'
import {namedTreeEntries} from '../../git/revision.js'
import {GitError} from '../../git/run.js'
import {resolveCommit} from '../../git/repo.js'
import {indexChanges, listStagedEntries, listStagedEntriesAt, stagedChangedPaths} from '../../git/staged.js'
import {SCANNED_CONTAINERS} from '../../containers/index.js'
import {matchesPathRules, rulePathspecs} from '../../kernel/candidates.js'
import {InvalidInputError, UsageError} from '../../kernel/errors.js'
import {readRegularIfExists, repoPath} from '../../kernel/files.js'
import {byGravity} from '../../kernel/findings.js'
import {gitBlobId} from '../../kernel/hash.js'
import type {Document, Finding, Kind, SourceFile} from '../../kernel/types.js'
import {comparedAlone, compareChanged} from '../compare.js'
import type {Config} from '../config.js'
import {CONFIG_FILE} from '../config-file.js'
import type {FileDocuments} from '../embedded.js'
import {APPROVALS_FILE} from '../gate/approvals-file.js'
import {ATTRIBUTES_FILE} from '../gate/attributes-file.js'
import {gating} from '../gate/verdict.js'
import {type OpenedSnapshot, openSnapshot} from '../snapshot.js'
import {assigner, type LoadedSource, listSourcePaths, readDocuments, readingDigest} from '../source.js'

const NOTHING: FileDocuments = {documents: [], problems: [], notes: []}

/** The paths of the container formats whose files read others (`dependents`), and as git pathspecs. */
const READERS = SCANNED_CONTAINERS.flatMap((format) =>
  format.dependents === undefined ? [] : format.candidates,
)
const READERS_PATHSPECS = rulePathspecs(READERS)

/** A file's documents that are compared each alone, by key; undefined when it holds anything else. */
function alone(read: FileDocuments): Map<string, Document> | undefined {
  if (read.problems.length > 0 || read.notRead !== undefined) return undefined
  if (read.documents.some((d) => d.origin !== undefined || !comparedAlone(d.kind))) return undefined
  return new Map(read.documents.map((d) => [d.path, d]))
}

/**
 * The index's approvals file, read whole (from the working tree when it holds the same blob);
 * null when the index has none; undefined when it is not a plain file there (the gate decides).
 */
async function indexedApprovals(
  root: string,
  entries: TreeEntry[],
  index: IndexEntries,
): Promise<string | null | undefined> {
  if (!index.has(APPROVALS_FILE)) return null
  const entry = plainEntry(index, APPROVALS_FILE)
  if (entry === undefined) return undefined
  const worktree = await readRegularIfExists(join(root, APPROVALS_FILE))
  const content =
    worktree !== undefined && gitBlobId(worktree) === entry.object
      ? worktree
      : (await readListedPaths(root, entries, [APPROVALS_FILE], new Map())).get(APPROVALS_FILE)
  return content?.toString('utf8')
}

/**
 * Whether an approvals file may have an entry whose `file` is `path`. Conservative: YAML writes
 * a string as itself unless it escapes it (a double-quoted `\`), doubles a quote in it (single
 * quotes) or folds it across lines at a space; a file that names the path in a comment counts.
 */
const mayName = (approvals: string, path: string) =>
  approvals.includes(path) || approvals.includes('\\') || /[\s']/.test(path)

/** The index's entries, by path (a path in conflict has one per stage). */
type IndexEntries = ReadonlyMap<string, readonly TreeEntry[]>

function byPath(entries: readonly TreeEntry[]): IndexEntries {
  const paths = new Map<string, TreeEntry[]>()
  for (const entry of entries) {
    const own = paths.get(entry.path)
    if (own === undefined) paths.set(entry.path, [entry])
    else own.push(entry)
  }
  return paths
}

/** A plain file's entry in the index at stage 0, alone of its path. */
function plainEntry(index: IndexEntries, path: string): TreeEntry | undefined {
  const own = index.get(path) ?? []
  const entry = own[0]
  return own.length === 1 && entry!.stage === 0 && ['100644', '100755'].includes(entry!.mode)
    ? entry
    : undefined
}

/**
 * The config's baseline as a snapshot file in the repository, named as the full path finds it
 * (check.ts snapshotFile: relative to the root, a snapshot when such a file exists) and as the
 * gate names it (gate/reference.ts protectedPaths); undefined for a revision or a file outside.
 */
function snapshotPath(root: string, named: string): string | undefined {
  const file = isAbsolute(named) ? named : resolve(root, named)
  return existsSync(file) ? repoPath(root, file) : undefined
}

/**
 * The commit of the config's revision baseline (a tag, a branch; undefined in the config: HEAD),
 * as the full path resolves it (check.ts stagedAgainstRevision); undefined where it names none,
 * which the full path reports.
 */
async function revisionBaseline(root: string, named: string | undefined): Promise<string | undefined> {
  if (named === undefined || named === 'HEAD') return 'HEAD'
  try {
    return await resolveCommit(root, named)
  } catch (error) {
    if (error instanceof UsageError || error instanceof GitError) return undefined
    throw error
  }
}

/** The baseline snapshot's documents, as the full path reads them: what it has of `path`, and whether another can be gone. */
interface SnapshotBaseline {
  documents: Map<string, Document>
  /** whether every document of another file is one the index (its whole entries) still holds as the snapshot read it */
  othersKept: (index: IndexEntries) => boolean
}

/**
 * The baseline documents of `path` in the snapshot file `snapshot` (committed as the blob
 * `committed`): undefined where the full path could decide otherwise (see the head of this
 * file). HEAD, the index and the working tree hold the same bytes when the three blob ids are
 * one, so only the working tree's are read (git reads none: a snapshot of 20,000 policies is
 * over the limit of files read from git). Only the documents of `path` are parsed and
 * validated, found by the snapshot's layout (openSnapshot: kept under the git directory with an
 * HMAC, or found again by a scan of these very bytes).
 */
async function snapshotBaseline(
  root: string,
  config: Config,
  snapshot: string,
  committed: string | undefined,
  index: IndexEntries,
  path: string,
): Promise<SnapshotBaseline | undefined> {
  if (committed === undefined || plainEntry(index, snapshot)?.object !== committed) return undefined
  const worktree = await readRegularIfExists(join(root, snapshot))
  if (worktree === undefined || gitBlobId(worktree) !== committed) return undefined
  let opened: OpenedSnapshot
  let read: LoadedSource
  try {
    opened = await openSnapshot(join(root, snapshot), root, {bytes: worktree, blob: committed})
    // (no layout: not the structure acldrift writes, and read whole; the full path decides)
    if (opened.files === undefined || opened.files.config !== readingDigest(config)) return undefined
    read = await opened.documentsOf(new Set([path]))
  } catch (error) {
    // Invalid or over acldrift's own limit: the full path fails closed naming why.
    if (error instanceof InvalidInputError || error instanceof UsageError) return undefined
    throw error
  }
  const documents = new Map<string, Document>()
  for (const [key, document] of read.documents) {
    if ((document.origin?.file ?? key) !== path) continue
    if (document.origin !== undefined) return undefined
    documents.set(key, document)
  }
  const {blobs} = opened.files
  const othersKept = (index: IndexEntries) =>
    !opened.fromContainers() &&
    opened.documentFiles.every((file) => file === path || plainEntry(index, file)?.object === blobs[file])
  return {documents, othersKept}
}

/**
 * The unapproved findings an edit of `proposed.path` (assigned `assigned` by `config`, the
 * working tree's) brings into the file, as the full path finds them, in its order; undefined
 * when this path cannot tell (see the head of this file). `readers`: the index's files whose
 * documents read the edited one.
 */
export async function reviewAlone(
  root: string,
  config: Config,
  assigned: Kind | 'detect',
  proposed: SourceFile,
  readers: () => Promise<ReadonlySet<string>>,
): Promise<Finding[] | undefined> {
  const {path} = proposed
  const {policy, settings} = config
  if (policy.agents !== 'require-approval' || policy.failOn === 'never') return undefined
  const snapshot = config.baseline === undefined ? undefined : snapshotPath(root, config.baseline)
  if (posix.basename(path) === ATTRIBUTES_FILE || path === snapshot) return undefined
  const after = alone(await readDocuments(proposed, assigned, false, undefined, settings))
  if (after === undefined) return undefined
  const revision = snapshot === undefined ? await revisionBaseline(root, config.baseline) : 'HEAD'
  if (revision === undefined) return undefined

  // Two git processes at once. The index's entries of the approvals file and the snapshot, and
  // of the files a container format reads others from (a path-limited ls-files: the whole index
  // is listed only where there are such files). HEAD's entries of the config and the snapshot,
  // and the baseline commit's of the file (HEAD's, or a revision's): their blob ids say whether
  // the working tree's config and snapshot are HEAD's; only the file itself is read from git, and
  // only when a commit is the baseline.
  const own = [APPROVALS_FILE, ...(snapshot ? [snapshot] : [])].map((file) => `:(literal)${file}`)
  const atHeadPaths = [CONFIG_FILE, ...(snapshot ? [snapshot] : [])]
  const [entries, trees] = await Promise.all([
    listStagedEntriesAt(root, [...own, ...(READERS_PATHSPECS ?? [])]),
    (revision === 'HEAD'
      ? namedTreeEntries(root, 'HEAD', [path, ...atHeadPaths]).then((all) => [all, all])
      : Promise.all([namedTreeEntries(root, 'HEAD', atHeadPaths), namedTreeEntries(root, revision, [path])])
    ).catch((error: unknown) => {
      if (error instanceof GitError) return undefined // no commit yet
      throw error
    }),
  ])
  if (trees === undefined) return undefined
  // No container file in the index: none reads the edited one (ContainerFormat.dependents).
  const containers = READERS_PATHSPECS === undefined || entries.some((e) => matchesPathRules(READERS, e.path))
  if (containers && (await readers()).size > 0) return undefined
  const atHead = selectEntries(trees[0], atHeadPaths)
  const atBase = selectEntries(trees[1], [path])
  if ([...atHead.skipped, ...atBase.skipped].some((s) => s.reason !== 'deleted')) return undefined
  const headBlob = (file: string) => atHead.toRead.find((entry) => entry.path === file)?.object
  const headConfig = headBlob(CONFIG_FILE)
  const index = byPath(entries)
  const [ownConfig, approvals] = await Promise.all([
    config.file === undefined ? undefined : readRegularIfExists(join(root, CONFIG_FILE)),
    indexedApprovals(root, entries, index),
  ])
  if ((headConfig === undefined) !== (ownConfig === undefined)) return undefined
  if (ownConfig !== undefined && gitBlobId(ownConfig) !== headConfig) return undefined
  if (approvals === undefined || (approvals !== null && mayName(approvals, path))) return undefined

  let before: Map<string, Document> | undefined
  let othersKept: () => Promise<boolean>
  if (snapshot === undefined) {
    const base = await readEntries(root, atBase.toRead, [path])
    if (base.skipped.some((s) => s.reason !== 'deleted')) return undefined // over the size limit
    const baseFile = base.files[0]
    before = alone(
      baseFile === undefined ? NOTHING : await readDocuments(baseFile, assigned, false, undefined, settings),
    )
    othersKept = async () => {
      const assign = assigner(config)
      const staged =
        revision === 'HEAD'
          ? await stagedChangedPaths(root)
          : (await indexChanges(root, revision)).map((change) => change.path)
      return !staged.some((other) => other !== path && assign(other) !== undefined)
    }
  } else {
    const read = await snapshotBaseline(root, config, snapshot, headBlob(snapshot), index, path)
    before = read?.documents
    othersKept = async () => read!.othersKept(byPath(await listStagedEntries(root)))
  }
  if (before === undefined || [...before.keys()].some((key) => !after.has(key))) return undefined
  // A file that had no document, or gains one, may be where the index moved another's (the full
  // path follows a move, and fails closed when the moved one is no longer read).
  if ((before.size === 0 || after.size > before.size) && !(await othersKept())) return undefined
  const context = {...settings, paths: () => listSourcePaths(root, {type: 'staged'})}
  const {findings} = await compareChanged(before, after, context)
  return gating(findings.sort(byGravity), 'widening', policy.agents)
}
