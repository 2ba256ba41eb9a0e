// The working tree: tracked paths and their content on disk.

import {constants} from 'node:fs'
import {lstat, open, realpath} from 'node:fs/promises'
import {basename, dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'
import {MAX_FILE_BYTES} from '../kernel/parse.js'
import type {SourceFile} from '../kernel/types.js'
import {splitNul} from './entries.js'
import {runGit} from './run.js'
import type {ReadResult, SkippedFile} from './types.js'

/** Paths in the index, relative to `root` with `/` separators (git's own form), once each. */
export async function listTrackedFiles(root: string): Promise<string[]> {
  // Unmerged paths are listed once per conflict stage.
  return [...new Set(splitNul(await runGit(root, ['ls-files', '-z'])))]
}

/**
 * The working tree's files as a check of the working tree reads them: the tracked files and the
 * untracked ones git does not ignore (a file an agent has written and not staged yet is checked).
 */
export async function listWorktreeFiles(root: string): Promise<string[]> {
  return [
    ...new Set(
      splitNul(await runGit(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])),
    ),
  ]
}

// Enough parallel reads to overlap I/O, few enough to stay far from the open-files limit.
const CONCURRENCY = 32

/**
 * Reads `paths` (relative to `root`) from disk. Nothing outside the work tree is ever read:
 * symlinks are not followed, and a path that leaves `root` (`../x`, or through a symlinked
 * directory) is skipped with a reason, as are missing files and files over `maxBytes`
 * (never read into memory).
 */
export async function readWorktreeFiles(
  root: string,
  paths: readonly string[],
  maxBytes = MAX_FILE_BYTES,
): Promise<ReadResult> {
  const realRoot = await realpath(root)
  const files: SourceFile[] = []
  const skipped: SkippedFile[] = []
  for (let start = 0; start < paths.length; start += CONCURRENCY) {
    const batch = paths.slice(start, start + CONCURRENCY)
    for (const result of await Promise.all(batch.map((path) => readWorktreeFile(realRoot, path, maxBytes)))) {
      if ('reason' in result) skipped.push(result)
      else files.push(result)
    }
  }
  return {files, skipped}
}

async function readWorktreeFile(
  realRoot: string,
  path: string,
  maxBytes: number,
): Promise<SourceFile | SkippedFile> {
  const absolute = resolve(realRoot, path)
  if (!isInside(realRoot, absolute)) return {path, reason: 'outside-repository'}

  let directory: string
  try {
    directory = await realpath(dirname(absolute))
  } catch (error) {
    if (isMissing(error)) return {path, reason: 'deleted'}
    throw error
  }
  if (!isInside(realRoot, directory)) return {path, reason: 'outside-repository'}

  const file = join(directory, basename(absolute))
  try {
    if ((await lstat(file)).isSymbolicLink()) return {path, reason: 'symlink'}
    // O_NOFOLLOW closes the gap between lstat and open where the file could become a symlink;
    // O_NONBLOCK keeps a fifo from blocking the open.
    const handle = await open(
      file,
      constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0),
    )
    try {
      const stats = await handle.stat()
      if (!stats.isFile()) return {path, reason: 'not-a-regular-file'}
      if (stats.size > maxBytes) return {path, reason: 'too-large', size: stats.size}
      return {path, content: await handle.readFile()}
    } finally {
      await handle.close()
    }
  } catch (error) {
    if (isMissing(error)) return {path, reason: 'deleted'}
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') return {path, reason: 'symlink'}
    throw error
  }
}

function isInside(root: string, absolute: string): boolean {
  const rel = relative(root, absolute)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}
