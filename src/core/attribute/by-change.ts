// Blame by change for kinds whose files are read together (gcp-iam, k8s-rbac, CODEOWNERS): a
// possible widening's access may come from any file of the kind (a RoleBinding whose Role another
// file stopped defining, a custom role, a CODEOWNERS that shadows another), so the commits that
// may have brought it are those that changed any file of the kind, as the kind reads it.

import {matchesPathRules} from '../../kernel/candidates.js'
import {InvalidInputError} from '../../kernel/errors.js'
import {canonicalJson} from '../../kernel/hash.js'
import {MAX_FILE_BYTES} from '../../kernel/parse.js'
import type {Kind, SourceFile} from '../../kernel/types.js'
import {adapterFor} from '../../adapters/index.js'
import {isAbsent} from '../../git/history.js'
import {blobIdsAt, catFileBatch, type History, type ReadResult} from '../../git/index.js'
import {parseAs} from '../source.js'
import {changedSince, walkOfAll} from './blame.js'

/** A file's value as plain JSON or YAML (or the kind's own format); undefined where it does not parse. */
export async function parsedAs(file: SourceFile, kind: Kind | undefined): Promise<unknown> {
  try {
    return (await parseAs(file, kind)).value
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    return undefined
  }
}

/**
 * What `kind` reads of one version of a file, as canonical JSON: undefined where the version is
 * not of the kind (it does not parse, or its content is not the kind's), as the inventory decides.
 */
async function readByKind(kind: Kind, file: SourceFile): Promise<string | undefined> {
  const adapter = adapterFor(kind)
  const value = await parsedAs(file, kind)
  if (value === undefined || (adapter.parse === undefined && !adapter.detect(value))) return undefined
  return canonicalJson(value)
}

/** Whether the kind may read `path` (its candidates): files of other names never change its comparison. */
export const mayHold = (kind: Kind, path: string) => matchesPathRules(adapterFor(kind).candidates, path)

/**
 * Every path of the kind that some commit of the range changed (under either name of a rename),
 * sorted, and a path for each of their blobs: a file the range never changes changes nothing.
 */
export function kindPaths(history: History, kind: Kind): {paths: string[]; blobs: Map<string, string>} {
  const paths = new Set<string>()
  const blobs = new Map<string, string>()
  for (const commit of history.commits.values())
    for (const change of commit.changes)
      for (const [path, blob] of [
        [change.oldPath, change.oldBlob],
        [change.path, change.newBlob],
      ] as const)
        if (mayHold(kind, path)) {
          paths.add(path)
          if (!isAbsent(blob) && !blobs.has(blob)) blobs.set(blob, path)
        }
  return {paths: [...paths].sort(), blobs}
}

/**
 * The commits of the first-parent chain from `head` that changed what `kind` reads of any of its
 * files since it last was as before the range (see changedSince): the candidates for a possible
 * widening of the kind whose access cannot be asked of each version. Undefined when no file of
 * the kind changed in the range, or a shallow clone cut the chain first.
 */
export async function kindChangedSince(
  root: string,
  history: History,
  head: string,
  kind: Kind,
): Promise<string[] | undefined> {
  const {paths: set, blobs} = kindPaths(history, kind)
  if (set.length === 0) return undefined
  const atTarget = await blobIdsAt(root, head, set)
  for (const [path, blob] of atTarget) if (!blobs.has(blob)) blobs.set(blob, path)
  const read = new Map<string, string | undefined>()
  const objects = await catFileBatch(root, [...blobs.keys()], {maxBytes: MAX_FILE_BYTES})
  for (const object of objects)
    if (object.type === 'blob' && !object.oversize)
      read.set(object.id, await readByKind(kind, {path: blobs.get(object.id)!, content: object.content}))
  // No file and a file not of the kind read the same (nothing); a version too large to read is
  // unlike every other: it may hold anything.
  const valueOf = (blob: string | null, i: number) =>
    blob === null ? undefined : read.has(blob) ? read.get(blob) : `unread ${i} ${blob}`
  const same = (a: string | null, b: string | null) => {
    if (a === b) return true
    if (a === null || b === null) return false
    const [left, right] = [JSON.parse(a), JSON.parse(b)] as Array<Array<string | null>>
    return left.every((blob, i) => valueOf(blob, i) === valueOf(right[i] ?? null, i))
  }
  return changedSince(history, head, set[0]!, same, walkOfAll(set, atTarget))
}

/**
 * Whether the index differs from HEAD (`staged`: readStagedChanges) in what `kind` reads of the
 * paths `wanted` picks: only then can the commit being made have brought a possible widening
 * whose access cannot be asked of each version.
 */
export async function stagedDiffers(
  staged: {paths: string[]; head: ReadResult; staged: ReadResult},
  kind: Kind,
  wanted: (path: string) => boolean,
): Promise<boolean> {
  const sides = [staged.head, staged.staged]
  for (const path of staged.paths.filter(wanted)) {
    // Skipped (too large, unmerged): it may differ in anything.
    if (sides.some((side) => side.skipped.some((s) => s.path === path && s.reason !== 'deleted'))) return true
    const [before, after] = await Promise.all(
      sides.map((side) => {
        const file = side.files.find((f) => f.path === path)
        return file && readByKind(kind, file)
      }),
    )
    if (before !== after) return true
  }
  return false
}
