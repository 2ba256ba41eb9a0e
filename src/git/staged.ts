// The index: what the next commit will contain. This is what the pre-commit hook checks.

import {parseLsFilesStage, readEntries, splitNul, uniquePaths, type TreeEntry} from './entries.js'
import {headCommit} from './repo.js'
import {runGit} from './run.js'
import type {ReadResult} from './types.js'

async function indexEntries(root: string): Promise<TreeEntry[]> {
  return parseLsFilesStage(await runGit(root, ['ls-files', '--stage', '-z']))
}

/** Every path in the index, once each. */
export async function listStagedFiles(root: string): Promise<string[]> {
  return uniquePaths(await indexEntries(root))
}

/** Staged content of all index entries, or of `paths`; one ls-files and one cat-file process. */
export async function readStagedFiles(root: string, paths?: readonly string[]): Promise<ReadResult> {
  return readEntries(root, await indexEntries(root), paths)
}

/** Paths whose staged content differs from HEAD (added, modified or deleted); every staged path before the first commit. */
export async function stagedChangedPaths(root: string): Promise<string[]> {
  if ((await headCommit(root)) === null) return listStagedFiles(root)
  return splitNul(await runGit(root, ['diff', '--cached', '--name-only', '-z', '--no-renames']))
}
