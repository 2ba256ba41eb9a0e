// Files as they are in a commit.

import {parseLsTree, readEntries, uniquePaths, type TreeEntry} from './entries.js'
import {resolveCommit} from './repo.js'
import {runGit} from './run.js'
import type {ReadResult} from './types.js'

/** Above this many paths, the whole tree is listed rather than each path named on the command line. */
const NAMED_PATHS_LIMIT = 64

/** A revision to resolve (an unknown one is a usage error naming it), or a commit resolved already. */
export type Revision = string | {commit: string}

async function treeEntries(root: string, rev: Revision, paths?: readonly string[]): Promise<TreeEntry[]> {
  // ls-tree gets the resolved id, so an unknown `rev` fails as a usage error naming it.
  const commit = typeof rev === 'string' ? await resolveCommit(root, rev) : rev.commit
  // A few files (the agent hook's edited file at HEAD): listed by name, not with the whole tree.
  const named =
    paths !== undefined && paths.length > 0 && paths.length <= NAMED_PATHS_LIMIT
      ? ['--', ...paths.map((path) => `:(literal)${path}`)]
      : []
  return parseLsTree(await runGit(root, ['ls-tree', '-r', '-z', '--full-tree', commit, ...named]))
}

/** Every path in the tree of `rev`. */
export async function listRevisionFiles(root: string, rev: string): Promise<string[]> {
  return uniquePaths(await treeEntries(root, rev))
}

/** Content at `rev` of all its files, or of `paths`; a constant number of git processes. */
export async function readRevisionFiles(
  root: string,
  rev: Revision,
  paths?: readonly string[],
): Promise<ReadResult> {
  return readEntries(root, await treeEntries(root, rev, paths), paths)
}
