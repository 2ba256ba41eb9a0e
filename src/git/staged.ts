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
import type {ReadResult} from './types.js'

/** The index's entries: the path, mode, blob id and merge stage of each. */
export async function listStagedEntries(root: string): Promise<TreeEntry[]> {
  return parseLsFilesStage(await runGit(root, ['ls-files', '--stage', '-z']))
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
export async function indexTree(root: string): Promise<string> {
  return (await runGit(root, ['write-tree'])).toString('utf8').trim()
}

/**
 * Paths whose staged content differs from HEAD (added, modified or deleted); every staged path
 * before the first commit. `head`: the HEAD commit, when the caller has resolved it.
 */
export async function stagedChangedPaths(root: string, head?: string | null): Promise<string[]> {
  if ((head === undefined ? await headCommit(root) : head) === null) return listStagedFiles(root)
  return splitNul(await runGit(root, ['diff', '--cached', '--name-only', '-z', '--no-renames']))
}

/**
 * What the pending commit changes (against `base`, a commit, when given; else HEAD), read as
 * cheaply as git allows: one `diff --cached --raw` (both blob ids and modes of every changed
 * path) and one cat-file for the blobs of both sides. Paths that the index adds are absent from
 * `head`; paths it deletes, from `staged`. `headEntries`: the base side's entries of the changed
 * paths (with the index's other entries, the base's whole listing).
 */
export async function readStagedChanges(
  root: string,
  base?: string,
): Promise<{paths: string[]; head: ReadResult; staged: ReadResult; headEntries: TreeEntry[]}> {
  const records = splitNul(
    await runGit(root, [
      'diff',
      '--cached',
      '--raw',
      '-z',
      '--no-renames',
      '--no-abbrev',
      ...(base === undefined ? [] : [base, '--']),
    ]),
  )
  const head: TreeEntry[] = []
  const staged: TreeEntry[] = []
  const paths: string[] = []
  for (let i = 0; i + 1 < records.length; i += 2) {
    // `:<old mode> <new mode> <old id> <new id> <status>` then the path
    const [oldMode, newMode, oldId, newId, status] = records[i]!.slice(1).split(' ')
    const path = records[i + 1]!
    paths.push(path)
    if (oldMode !== '000000') head.push({path, mode: oldMode!, object: oldId!, stage: 0})
    // An unmerged path has no single staged blob: mark it so that it is reported, not read.
    if (status === 'U') staged.push({path, mode: newMode!, object: newId!, stage: 1})
    else if (newMode !== '000000') staged.push({path, mode: newMode!, object: newId!, stage: 0})
  }
  const [headRead, stagedRead] = await readEntryLists(root, [selectEntries(head), selectEntries(staged)])
  return {paths, head: headRead!, staged: stagedRead!, headEntries: head}
}
