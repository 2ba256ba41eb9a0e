// The index: what the next commit will contain. This is what the pre-commit hook checks.

import {
  parseLsFilesStage,
  readEntries,
  readEntryLists,
  selectEntries,
  splitNul,
  uniquePaths,
  type TreeEntry,
} from './entries.js'
import {headCommit} from './repo.js'
import {runGit} from './run.js'
import {inOneRun, once, readsNoIndex} from './scope.js'
import type {ReadResult} from './types.js'

const STAGED_KEY = (root: string) => `ls-files\0${root}`

/** The index's entries: the path, mode, blob id and merge stage of each. */
export async function listStagedEntries(root: string): Promise<TreeEntry[]> {
  // (one listing per run, shared by every reader: the fast path, the gate's protected files and
  // .gitattributes; a copy, so that no reader changes another's)
  const entries = await once(STAGED_KEY(root), async () =>
    parseLsFilesStage(await runGit(root, ['ls-files', '--stage', '-z'])),
  )
  return [...entries]
}

/**
 * The index's entries at `pathspecs` (`ls-files --stage -- PATHSPECS`): a few paths and patterns
 * without listing the whole index.
 */
export async function listStagedEntriesAt(root: string, pathspecs: readonly string[]): Promise<TreeEntry[]> {
  if (pathspecs.length === 0) return []
  // Their magic as written, whatever the environment says of every pathspec (GIT_LITERAL_PATHSPECS
  // would take `:(glob)**/*.tf` for a file of that name, and list nothing).
  const env = Object.fromEntries(
    ['GIT_LITERAL_PATHSPECS', 'GIT_GLOB_PATHSPECS', 'GIT_NOGLOB_PATHSPECS', 'GIT_ICASE_PATHSPECS'].map(
      (name) => [name, undefined],
    ),
  )
  return parseLsFilesStage(await runGit(root, ['ls-files', '--stage', '-z', '--', ...pathspecs], {env}))
}

/** Every path in the index, once each. */
export async function listStagedFiles(root: string): Promise<string[]> {
  return uniquePaths(await listStagedEntries(root))
}

/**
 * Staged content of all index entries, or of `paths`; one ls-files (none when the caller has
 * the `entries` already) and one cat-file process.
 */
export async function readStagedFiles(
  root: string,
  paths?: readonly string[],
  entries?: readonly TreeEntry[],
): Promise<ReadResult> {
  return readEntries(root, entries ?? (await listStagedEntries(root)), paths)
}

/**
 * The id of the tree the pending commit would record (`git write-tree`): the whole index in one
 * id. Fails on an index with unmerged paths, which has no such tree.
 */
export function indexTree(root: string): Promise<string> {
  // (asked once per run: the kept snapshot match and the remembered verdict both key on it)
  return once(`write-tree\0${root}`, async () => (await runGit(root, ['write-tree'])).toString('utf8').trim())
}

/** One path the index changes against a commit, as `git diff --cached --raw` records it. */
export interface IndexChange {
  path: string
  /** the commit's entry (stage 0); undefined when the index adds the path */
  before?: TreeEntry
  /** the index's entry; undefined when the index deletes the path. Stage 1 marks an unmerged path. */
  after?: TreeEntry
  /** git's status letter: A, D, M, T or U (unmerged: the commit's side is not given) */
  status: string
}

/**
 * What the index changes against `base` (a commit; HEAD when not given): one `diff --cached
 * --raw` (both blob ids and modes of every changed path), asked once per run.
 */
export function indexChanges(root: string, base?: string): Promise<IndexChange[]> {
  return once(`diff-cached\0${root}\0${base ?? ''}`, async () => {
    const records = splitNul(
      await runGit(root, [
        'diff',
        '--cached',
        '--raw',
        '-z',
        '--no-renames',
        '--no-abbrev',
        // (a submodule's new commit is a change whatever diff.ignoreSubmodules says)
        '--ignore-submodules=none',
        ...(base === undefined ? [] : [base, '--']),
      ]),
    )
    const changes: IndexChange[] = []
    for (let i = 0; i + 1 < records.length; i += 2) {
      // `:<old mode> <new mode> <old id> <new id> <status>` then the path
      const [oldMode, newMode, oldId, newId, status] = records[i]!.slice(1).split(' ')
      const path = records[i + 1]!
      changes.push({
        path,
        status: status!,
        ...(oldMode !== '000000' && {before: {path, mode: oldMode!, object: oldId!, stage: 0}}),
        // An unmerged path has no single staged blob: mark it so that it is reported, not read.
        ...((status === 'U' || newMode !== '000000') && {
          after: {path, mode: newMode!, object: newId!, stage: status === 'U' ? 1 : 0},
        }),
      })
    }
    return changes
  })
}

/**
 * Paths whose staged content differs from HEAD (added, modified or deleted); every staged path
 * before the first commit. `head`: the HEAD commit, when the caller has resolved it.
 */
export async function stagedChangedPaths(root: string, head?: string | null): Promise<string[]> {
  if ((head === undefined ? await headCommit(root) : head) === null) return listStagedFiles(root)
  return (await indexChanges(root)).map((change) => change.path)
}

/**
 * The entries HEAD (the commit `head`) has for `paths`, known without listing its tree: HEAD
 * holds the index's entry for every path the index does not change, and `git diff --cached`
 * gives HEAD's side of the others. Undefined when that cannot be known: outside one run (no
 * shared answers), for another commit, or for an unmerged path or an intent-to-add entry (git
 * lists it in the index with the empty blob and leaves it out of the diff); and in a run that
 * reads no index (the check of a revision: one ls-tree costs less than the two).
 */
export async function headEntriesFromIndex(
  root: string,
  head: string,
  paths: readonly string[],
): Promise<TreeEntry[] | undefined> {
  if (!inOneRun() || readsNoIndex() || (await headCommit(root)) !== head) return undefined
  const [entries, changes] = await Promise.all([listStagedEntries(root), indexChanges(root)])
  const changed = new Map(changes.map((change) => [change.path, change]))
  const inIndex = new Map(entries.map((entry) => [entry.path, entry]))
  const found: TreeEntry[] = []
  for (const path of new Set(paths)) {
    const change = changed.get(path)
    if (change?.status === 'U') return undefined
    const entry = change === undefined ? inIndex.get(path) : change.before
    if (entry === undefined) continue
    if (entry.stage !== 0 || (change === undefined && EMPTY_BLOBS.has(entry.object))) return undefined
    found.push(entry)
  }
  return found
}

/** The empty blob's id (SHA-1 and SHA-256 repositories): what an intent-to-add entry records. */
const EMPTY_BLOBS = new Set([
  'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391',
  '473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813',
])

/** Whether `object` is the empty blob (what an intent-to-add entry records, as does an empty file). */
export const isEmptyBlob = (object: string): boolean => EMPTY_BLOBS.has(object)

/**
 * What the pending commit changes (against `base`, a commit, when given; else HEAD), read as
 * cheaply as git allows: the index's changes (indexChanges) and one cat-file for the blobs of
 * both sides. Paths that the index adds are absent from `head`; paths it deletes, from `staged`.
 * `headEntries`: the base side's entries of the changed paths (with the index's other entries,
 * the base's whole listing).
 */
export async function readStagedChanges(
  root: string,
  base?: string,
): Promise<{paths: string[]; head: ReadResult; staged: ReadResult; headEntries: TreeEntry[]}> {
  const changes = await indexChanges(root, base)
  const head = changes.flatMap((change) => (change.before === undefined ? [] : [change.before]))
  const staged = changes.flatMap((change) => (change.after === undefined ? [] : [change.after]))
  const [headRead, stagedRead] = await readEntryLists(root, [selectEntries(head), selectEntries(staged)])
  return {
    paths: changes.map((change) => change.path),
    head: headRead!,
    staged: stagedRead!,
    headEntries: head,
  }
}
