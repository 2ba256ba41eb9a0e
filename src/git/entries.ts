// Index and tree listings, and reading their blobs through one cat-file process.

import {EnvironmentError} from '../kernel/errors.js'
import {MAX_FILE_BYTES} from '../kernel/parse.js'
import {catFileBatch} from './batch.js'
import type {ReadResult, SkippedFile, SkipReason} from './types.js'

/** One entry of the index (`ls-files -s`) or of a tree (`ls-tree -r`). */
export interface TreeEntry {
  path: string
  mode: string
  object: string
  /** Merge stage: 0 normally, 1–3 for an unmerged index entry; always 0 in a tree. */
  stage: number
}

/** Splits `-z` output into records; paths are UTF-8 (NUL never occurs inside a multi-byte character). */
export function splitNul(output: Buffer): string[] {
  const records = output.toString('utf8').split('\0')
  records.pop() // the empty string after the final NUL
  return records
}

/** `<mode> SP <object> SP <stage> TAB <path>` records of `git ls-files -s -z`. */
export function parseLsFilesStage(output: Buffer): TreeEntry[] {
  return splitNul(output).map((record) => {
    const tab = record.indexOf('\t')
    const [mode, object, stage] = record.slice(0, tab).split(' ')
    return {path: record.slice(tab + 1), mode, object, stage: Number(stage)}
  })
}

/** `<mode> SP <type> SP <object> TAB <path>` records of `git ls-tree -z`. */
export function parseLsTree(output: Buffer): TreeEntry[] {
  return splitNul(output).map((record) => {
    const tab = record.indexOf('\t')
    const [mode, , object] = record.slice(0, tab).split(' ')
    return {path: record.slice(tab + 1), mode, object, stage: 0}
  })
}

/** Each path once, in listing order (unmerged paths appear once per stage). */
export function uniquePaths(entries: readonly TreeEntry[]): string[] {
  return [...new Set(entries.map((entry) => entry.path))]
}

/**
 * Reads the regular files among `entries` (all of them, or those named in `paths`) with a single
 * cat-file process. Symlinks, submodules, conflicted paths and blobs over MAX_FILE_BYTES are
 * skipped with a reason.
 */
export async function readEntries(
  root: string,
  entries: readonly TreeEntry[],
  paths?: readonly string[],
): Promise<ReadResult> {
  const [result] = await readEntryLists(root, [selectEntries(entries, paths)])
  return result!
}

/**
 * Several selections read with one cat-file process (the pre-commit hook reads HEAD and the index
 * at once). Blobs over `maxBytes` are skipped as `too-large` without being held in memory.
 */
export async function readEntryLists(
  root: string,
  selections: readonly Selection[],
  maxBytes = MAX_FILE_BYTES,
): Promise<ReadResult[]> {
  const ids = [...new Set(selections.flatMap((s) => s.toRead.map((entry) => entry.object)))]
  const contents = new Map<string, Buffer>()
  const oversize = new Map<string, number>()
  for (const object of ids.length > 0 ? await catFileBatch(root, ids, {maxBytes}) : []) {
    if (object.type !== 'blob') {
      // A corrupt repository, or a partial clone that cannot fetch: never pass the file over silently.
      const path = selections.flatMap((s) => s.toRead).find((entry) => entry.object === object.id)?.path
      throw new EnvironmentError(`cannot read ${path}: git object ${object.id} is ${object.type}, not a blob`)
    }
    if (object.oversize) oversize.set(object.id, object.size)
    else contents.set(object.id, object.content)
  }
  return selections.map(({toRead, skipped}) => ({
    files: toRead
      .filter((entry) => contents.has(entry.object))
      .map((entry) => ({path: entry.path, content: contents.get(entry.object)!})),
    skipped: [
      ...skipped,
      ...toRead
        .filter((entry) => oversize.has(entry.object))
        .map((entry) => ({
          path: entry.path,
          reason: 'too-large' as const,
          size: oversize.get(entry.object)!,
        })),
    ],
  }))
}

interface Selection {
  toRead: TreeEntry[]
  skipped: SkippedFile[]
}

/** The entries to read (each path once), and those skipped with the reason. */
export function selectEntries(entries: readonly TreeEntry[], paths?: readonly string[]): Selection {
  const wanted = paths === undefined ? undefined : new Set(paths)
  const skipped: SkippedFile[] = []
  const toRead: TreeEntry[] = []
  const seen = new Set<string>()
  for (const entry of entries) {
    if ((wanted !== undefined && !wanted.has(entry.path)) || seen.has(entry.path)) continue
    seen.add(entry.path)
    const reason = skipReason(entry)
    if (reason === undefined) toRead.push(entry)
    else skipped.push({path: entry.path, reason})
  }
  for (const path of wanted ?? []) {
    if (!seen.has(path)) skipped.push({path, reason: 'deleted'})
  }
  return {toRead, skipped}
}

function skipReason(entry: TreeEntry): SkipReason | undefined {
  if (entry.stage !== 0) return 'unmerged'
  switch (entry.mode) {
    case '100644':
    case '100755':
      return undefined
    case '120000':
      return 'symlink'
    case '160000':
      return 'submodule'
    default:
      return 'not-a-regular-file'
  }
}
