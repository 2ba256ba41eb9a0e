// The files of one source (the working tree, the index, a commit) as container formats read them
// beside the file they extract from (a Terraform module's other files, a policy read with
// `file()`): listed once, each path read at most once, the files already read served as they are.
// The index and a commit are read by their listing's blob ids, with one cat-file per read, and
// sources given the same `blobs` read each blob once between them.

import type {SourceFiles} from '../containers/index.js'
import type {TreeEntry} from '../git/entries.js'
import {listSideEntries, readListedPaths} from '../git/file-history.js'
import {inOneRun, readsNoIndex} from '../git/scope.js'
import {headEntriesFromIndex, listStagedFiles, stagedChangedPaths} from '../git/staged.js'
import {listTrackedFiles, readWorktreeFiles} from '../git/worktree.js'
import type {SourceFile} from '../kernel/types.js'

/** Where a source's files are: the working tree, the index, or a commit. */
export type FilesAt = {type: 'worktree'} | {type: 'staged'} | {type: 'ref'; commit: string}

/** Blob contents by id, for sources that share them (see sourceFiles). */
export type Blobs = Map<string, Promise<Buffer>>

/** A side's entries, listed at most once, when first asked for. */
export type Listing = () => Promise<readonly TreeEntry[]>

/** The listing of `list`, made on the first call and kept. */
export function listOnce(list: () => Promise<readonly TreeEntry[]>): Listing {
  let entries: Promise<readonly TreeEntry[]> | undefined
  return () => (entries ??= list())
}

/**
 * `known`: files already read; `listed`: the source's entries (of the index or the commit), when
 * the caller has them or knows them without listing; `blobs`: blobs shared with other sources of
 * the same repository.
 */
export function sourceFiles(
  root: string,
  at: FilesAt,
  known: readonly SourceFile[] = [],
  listed?: Listing,
  blobs: Blobs = new Map(),
): SourceFiles {
  const contents = new Map<string, Buffer | undefined>(known.map((file) => [file.path, file.content]))
  const listEntries =
    listed ?? (at.type === 'worktree' ? undefined : listOnce(() => listSideEntries(root, at)))
  let listing: Promise<readonly string[]> | undefined
  return {
    paths: () =>
      (listing ??=
        at.type === 'worktree'
          ? listTrackedFiles(root)
          : listEntries!().then((all) => [...new Set(all.map((entry) => entry.path))])),
    read: async (paths) => {
      const missing = [...new Set(paths)].filter((path) => !contents.has(path))
      if (missing.length > 0) {
        const found =
          at.type === 'worktree'
            ? new Map((await readWorktreeFiles(root, missing)).files.map((f) => [f.path, f.content]))
            : await readListedPaths(root, await listEntries!(), missing, blobs)
        for (const path of missing) contents.set(path, found.get(path))
      }
      const out = new Map<string, Buffer>()
      for (const path of paths) {
        const content = contents.get(path)
        if (content !== undefined) out.set(path, content)
      }
      return out
    },
  }
}

/**
 * The files of commit `head`, listed, when it is HEAD in a run that reads the index (the
 * pre-commit hook), from the index's listing and its differences from HEAD, which such a run has
 * already asked git for (git/staged.ts, headEntriesFromIndex): no listing of HEAD's whole tree.
 * Listed by ls-tree where they cannot tell.
 */
export function headFiles(root: string, head: string): SourceFiles {
  const at = {type: 'ref', commit: head} as const
  const listing = listOnce(async () => {
    if (!inOneRun() || readsNoIndex()) return listSideEntries(root, at)
    const [inIndex, changed] = await Promise.all([listStagedFiles(root), stagedChangedPaths(root, head)])
    const known = await headEntriesFromIndex(root, head, [...inIndex, ...changed])
    if (known === undefined) return listSideEntries(root, at)
    return known.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  })
  return sourceFiles(root, at, [], listing)
}

/** A source without files (the HEAD of a repository without commits). */
export const NO_FILES: SourceFiles = {paths: async () => [], read: async () => new Map()}
