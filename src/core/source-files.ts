// The files of one source (the working tree, the index, a commit) as container formats read them
// beside the file they extract from (a Terraform module's other files, a policy read with
// `file()`): listed once, each path read at most once, the files already read served as they are.

import type {SourceFiles} from '../containers/index.js'
import {
  listRevisionFiles,
  listStagedFiles,
  listTrackedFiles,
  readPathsAt,
  readWorktreeFiles,
} from '../git/index.js'
import type {SourceFile} from '../kernel/types.js'

/** Where a source's files are: the working tree, the index, or a commit. */
export type FilesAt = {type: 'worktree'} | {type: 'staged'} | {type: 'ref'; commit: string}

/** `known`: files already read; `listed`: the source's paths, when the caller has listed them already. */
export function sourceFiles(
  root: string,
  at: FilesAt,
  known: readonly SourceFile[] = [],
  listed?: string[],
): SourceFiles {
  const contents = new Map<string, Buffer | undefined>(known.map((file) => [file.path, file.content]))
  let listing: Promise<string[]> | undefined = listed && Promise.resolve(listed)
  return {
    paths: () =>
      (listing ??=
        at.type === 'worktree'
          ? listTrackedFiles(root)
          : at.type === 'staged'
            ? listStagedFiles(root)
            : listRevisionFiles(root, at.commit)),
    read: async (paths) => {
      const missing = [...new Set(paths)].filter((path) => !contents.has(path))
      if (missing.length > 0) {
        const found =
          at.type === 'worktree'
            ? new Map((await readWorktreeFiles(root, missing)).files.map((f) => [f.path, f.content]))
            : (await readPathsAt(root, [at], missing))[0]!
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

/** A source without files (the HEAD of a repository without commits). */
export const NO_FILES: SourceFiles = {paths: async () => [], read: async () => new Map()}
