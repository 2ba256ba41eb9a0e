// The history of a few files (acldrift's own: config, approvals, baseline snapshot), for the
// gate: one path-limited `git log`, whose parents are rewritten to the commits that touch
// those paths, so semantic blame walks only the versions that matter.

import {readEntryLists, selectEntries, splitNul, type TreeEntry, uniquePaths} from './entries.js'
import {type History, parseHistory} from './history.js'
import {headCommit} from './repo.js'
import {commitTree, namedTreeEntries} from './revision.js'
import {runGit} from './run.js'
import {inOneRun} from './scope.js'
import {headEntriesFromIndex, indexChanges, listStagedEntries} from './staged.js'

/**
 * Commits reachable from `to` that change any of `paths` (or of the paths that `globs` match,
 * such as files since deleted), each with its raw changes to them; `order[0]` is the newest
 * (the files are as in `to` there), and parents are rewritten to the nearest ancestors that
 * change them.
 */
export async function readPathHistory(
  root: string,
  to: string,
  paths: readonly string[],
  globs: readonly string[] = [],
): Promise<History> {
  if (paths.length === 0 && globs.length === 0) return {commits: new Map(), order: []}
  const output = await runGit(root, [
    'log',
    '--raw',
    '-z',
    '--no-abbrev',
    '--no-renames',
    '--parents',
    // Children before parents: the first commit listed is the tip, the newest version of the files.
    '--topo-order',
    '--diff-merges=first-parent',
    '--format=%x1e%H%x00%P',
    '--end-of-options',
    to,
    '--',
    ...paths.map((path) => `:(literal)${path}`),
    ...globs.map((glob) => `:(glob)${glob}`),
  ])
  return parseHistory(output)
}

export type FileSide = {type: 'ref'; commit: string} | {type: 'staged'}

/**
 * The content of a few paths on several sides (commits, the index) with one listing per side
 * and one cat-file for all: path → content, absent paths left out. `unlessSame`: paths wanted
 * only where the sides differ, left out of every side when each holds the very same blob (a
 * baseline snapshot of 20,000 files is 17 MB that an unchanged version need not be read for).
 */
export async function readPathsAt(
  root: string,
  sides: readonly FileSide[],
  paths: readonly string[],
  unlessSame: ReadonlySet<string> = new Set(),
): Promise<Array<Map<string, Buffer>>> {
  if (paths.length === 0) return sides.map(() => new Map())
  const listings = await Promise.all(sides.map((side) => entriesOf(root, side, paths)))
  const same = sameOnEverySide(listings, unlessSame)
  const read = paths.filter((path) => !same.has(path))
  // acldrift's own files are read whole: absent must never stand for "too large to read".
  const reads = await readEntryLists(
    root,
    listings.map((entries) => selectEntries(entries, read)),
    Infinity,
  )
  return reads.map((read) => new Map(read.files.map((f) => [f.path, f.content])))
}

/** Those of `paths` that every one of several listings holds once, merged, as the same blob. */
function sameOnEverySide(listings: readonly TreeEntry[][], paths: ReadonlySet<string>): Set<string> {
  const same = new Set<string>()
  if (listings.length < 2) return same
  for (const path of paths) {
    const entries = listings.map((entries) => entries.filter((entry) => entry.path === path))
    const [first] = entries[0]!
    if (
      first !== undefined &&
      entries.every(
        (each) =>
          each.length === 1 &&
          each[0]!.stage === 0 &&
          each[0]!.mode === first.mode &&
          each[0]!.object === first.object,
      )
    )
      same.add(path)
  }
  return same
}

/** Every entry of a side: the index's (`ls-files --stage`), or the tree's of `commit` (a full id). */
export async function listSideEntries(root: string, side: FileSide): Promise<readonly TreeEntry[]> {
  return side.type === 'staged' ? listStagedEntries(root) : commitTree(root, side.commit)
}

/**
 * The content of `paths` by a side's listing (listSideEntries), read whole as readPathsAt reads
 * them: path → content, paths the listing does not hold as a regular file left out. Blobs are
 * taken from `blobs` when there, and the others read with one cat-file and added to it: an id
 * names the same bytes on every side, so the sides of one check share it (HEAD and the index
 * hold the same blob for every file a commit leaves alone).
 */
export async function readListedPaths(
  root: string,
  entries: readonly TreeEntry[],
  paths: readonly string[],
  blobs: Map<string, Promise<Buffer>>,
): Promise<Map<string, Buffer>> {
  const {toRead} = selectEntries(entries, paths)
  const fetch = toRead.filter((entry) => !blobs.has(entry.object))
  if (fetch.length > 0) {
    const reading = readEntryLists(root, [{toRead: fetch, skipped: []}], Infinity).then(
      ([read]) => new Map(read!.files.map((f) => [f.path, f.content])),
    )
    for (const entry of fetch)
      blobs.set(
        entry.object,
        reading.then((byPath) => byPath.get(entry.path)!),
      )
  }
  return new Map(await Promise.all(toRead.map(async (e) => [e.path, await blobs.get(e.object)!] as const)))
}

/**
 * A side's entries for `paths` (a path the side does not hold is left out): the index's from its
 * listing, and HEAD's from the index and its changes when this run has them (headEntriesFromIndex).
 */
async function entriesOf(root: string, side: FileSide, paths: readonly string[]): Promise<TreeEntry[]> {
  const wanted = new Set(paths)
  if (side.type === 'staged') return (await listStagedEntries(root)).filter((entry) => wanted.has(entry.path))
  const known = await headEntriesFromIndex(root, side.commit, paths)
  if (known !== undefined) return known
  return namedTreeEntries(root, side.commit, paths)
}

/** The blob id of each of `paths` in `commit` (a path it does not hold is left out). */
export async function blobIdsAt(
  root: string,
  commit: string,
  paths: readonly string[],
): Promise<Map<string, string>> {
  if (paths.length === 0) return new Map()
  const entries = await entriesOf(root, {type: 'ref', commit}, paths)
  return new Map(entries.map((entry) => [entry.path, entry.object]))
}

/**
 * The paths named `name` in any folder on a side: a commit, the index, or the working tree
 * (tracked, and untracked not ignored). The index and the working tree are filtered by git with
 * a pathspec; ls-tree takes no wildcard, so a commit's whole listing is filtered here.
 */
export async function listPathsNamed(
  root: string,
  side: FileSide | {type: 'worktree'},
  name: string,
): Promise<string[]> {
  const inFolder = `/${name}`
  const named = (path: string) => path === name || path.endsWith(inFolder)
  if (side.type === 'ref') return uniquePaths(await commitTree(root, side.commit)).filter(named)
  // Unmerged paths are listed once per conflict stage.
  if (side.type === 'staged')
    return [...new Set((await listStagedEntries(root)).map((entry) => entry.path))].filter(named)
  const pathspec = `:(glob)**/${name}`
  const others = ['--cached', '--others', '--exclude-standard']
  return [...new Set(splitNul(await runGit(root, ['ls-files', '-z', ...others, '--', pathspec])))].filter(
    named,
  )
}

/**
 * The paths named `name` in any folder of commit `from` that a side no longer holds: one
 * path-limited diff (a commit's whole tree is not listed).
 */
export async function deletedPathsNamed(
  root: string,
  from: string,
  side: FileSide | {type: 'worktree'},
  name: string,
): Promise<string[]> {
  const inFolder = `/${name}`
  const named = (path: string) => path === name || path.endsWith(inFolder)
  // The index against HEAD: the changes this run listed already.
  if (side.type === 'staged' && inOneRun() && from === (await headCommit(root)))
    return (await indexChanges(root))
      .filter((change) => change.status === 'D' && named(change.path))
      .map((change) => change.path)
  const options = ['-r', '-z', '--name-only', '--no-renames', '--diff-filter=D']
  const compare =
    side.type === 'ref'
      ? ['diff-tree', ...options, from, side.commit]
      : ['diff-index', ...options, ...(side.type === 'staged' ? ['--cached'] : []), from]
  return splitNul(await runGit(root, [...compare, '--', `:(glob)**/${name}`])).filter(named)
}
