// Files as they are in a commit.

import {parseLsTree, readEntries, uniquePaths, type TreeEntry} from './entries.js'
import {resolveCommit} from './repo.js'
import {runGit} from './run.js'
import {asked, once} from './scope.js'
import type {ReadResult} from './types.js'

/** Above this many paths, the whole tree is listed rather than each path named on the command line. */
const NAMED_PATHS_LIMIT = 64

/** A revision to resolve (an unknown one is a usage error naming it), or a commit resolved already. */
export type Revision = string | {commit: string}

async function treeEntries(
  root: string,
  rev: Revision,
  paths?: readonly string[],
): Promise<readonly TreeEntry[]> {
  // ls-tree gets the resolved id, so an unknown `rev` fails as a usage error naming it.
  const commit = typeof rev === 'string' ? await resolveCommit(root, rev) : rev.commit
  // A few files (the agent hook's edited file at HEAD): listed by name, not with the whole tree.
  return paths !== undefined && paths.length > 0 && paths.length <= NAMED_PATHS_LIMIT
    ? namedTreeEntries(root, commit, paths)
    : commitTree(root, commit)
}

const treeKey = (root: string, commit: string) => `ls-tree\0${root}\0${commit}`

/**
 * Every entry of the tree of `commit` (a full id): one `ls-tree -r`, asked once per run (a commit's
 * tree never changes; the baseline's and the target's are each listed by the sources, the gate
 * and attribution).
 */
export function commitTree(root: string, commit: string): Promise<readonly TreeEntry[]> {
  return once(treeKey(root, commit), async () =>
    parseLsTree(await runGit(root, ['ls-tree', '-r', '-z', '--full-tree', commit])),
  )
}

/**
 * Starts listing the whole tree of `commit` (a full id), for a run that will list it anyway (a
 * revision whose documents it reads): the few paths asked of it before then (the config the
 * revision carries) are taken from that listing (namedTreeEntries), with no ls-tree of their own.
 * A failure is left to the one who asks for the listing.
 */
export function listTreeAhead(root: string, commit: string): void {
  commitTree(root, commit).catch(() => undefined)
}

/**
 * The entries of `commit`'s tree at `paths` (a folder's: every entry under it), as
 * `ls-tree -r COMMIT -- PATHS` lists them: from the whole tree when this run has listed it, else
 * with that ls-tree (a few paths are not worth a whole tree's listing).
 */
export async function namedTreeEntries(
  root: string,
  commit: string,
  paths: readonly string[],
): Promise<TreeEntry[]> {
  const whole = asked<readonly TreeEntry[]>(treeKey(root, commit))
  if (whole === undefined) {
    const pathspec = paths.map((path) => `:(literal)${path}`)
    return parseLsTree(await runGit(root, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', ...pathspec]))
  }
  const named = new Set(paths)
  const under = paths.map((path) => `${path}/`)
  return (await whole).filter(
    (entry) => named.has(entry.path) || under.some((prefix) => entry.path.startsWith(prefix)),
  )
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
