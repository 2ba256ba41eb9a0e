// Snapshots: the documents of a source, normalised and hashed, written to a file that can
// serve as the approved baseline. Same input → byte-identical file, apart from createdAt.

import type {BigIntStats} from 'node:fs'
import {writeFileAtomic} from '../kernel/atomic.js'
import {InvalidInputError, UsageError} from '../kernel/errors.js'
import {readRegularFileWithStat} from '../kernel/files.js'
import {gitBlobId} from '../kernel/hash.js'
import {MAX_OWN_FILE_BYTES, parseFile} from '../kernel/parse.js'
import type {LoadedSource, SnapshotFiles} from './source.js'
import type {ActorType, Document, Kind, Origin, SourceMap} from '../kernel/types.js'
import {containerFor} from '../containers/index.js'
import {ADAPTERS} from '../adapters/index.js'
import {embed} from './embedded.js'
import {
  documentFile,
  keepLayout,
  keptLayout,
  scanLayout,
  type Skeleton,
  type SkeletonOf,
  type SnapshotLayout,
  textOf,
} from './snapshot-index.js'
import {keepBlob, keptBlob} from './snapshot-blob.js'
import {validateValue} from './validate.js'
import {toolVersion} from '../kernel/version.js'

export interface Snapshot {
  schemaVersion: 1
  tool: {name: 'acldrift'; version: string}
  createdAt: string
  source: {type: 'worktree' | 'staged' | 'ref'; ref: string | null; commit: string | null}
  /** who promoted this state to the baseline (`acldrift baseline update`) */
  updatedBy?: UpdatedBy
  /** the files read, with their blob ids: lets the hook read only what differs (check.ts) */
  files?: SnapshotFiles
  documents: Array<{path: string; kind: Kind; hash: string; value: unknown; origin?: Origin}>
}

export interface UpdatedBy {
  name: string
  email: string
  actor: {type: ActorType; agent?: string}
  /** the commit the promoted state belongs to (HEAD for the working tree) */
  commit: string | null
  /** the approvals (finding ids) that let its widenings in */
  approvals: string[]
}

export function buildSnapshot(source: LoadedSource, now: Date = new Date(), updatedBy?: UpdatedBy): Snapshot {
  if (source.type === 'snapshot') throw new Error('internal: a snapshot of a snapshot')
  const documents = [...source.documents.values()]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((d) => ({
      path: d.path,
      kind: d.kind,
      hash: d.hash,
      value: d.value,
      ...(d.origin ? {origin: d.origin} : {}),
    }))
  return {
    schemaVersion: 1,
    tool: {name: 'acldrift', version: toolVersion()},
    createdAt: now.toISOString(),
    source: {type: source.type, ref: source.ref, commit: source.commit},
    ...(updatedBy === undefined ? {} : {updatedBy}),
    ...(source.files === undefined ? {} : {files: source.files}),
    documents,
  }
}

export function serializeSnapshot(snapshot: Snapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`
}

/**
 * Writes a snapshot file (atomically). When it is the baseline of the repository at `baselineOf`,
 * its layout is kept for the hook (snapshot-index.ts), so that the first commit after `init` or
 * `baseline update` does not pay the scan of its bytes (the index keeps one layout: another
 * file written, by `--out`, would replace the baseline's).
 */
export async function writeSnapshot(file: string, snapshot: Snapshot, baselineOf?: string): Promise<void> {
  const text = serializeSnapshot(snapshot)
  await writeFileAtomic(file, text)
  if (baselineOf === undefined) return
  const content = Buffer.from(text)
  await foundLayout(baselineOf, gitBlobId(content), content)
}

/** Reads a snapshot file as a source: validated like any input, failing closed. */
export async function readSnapshot(path: string): Promise<LoadedSource> {
  // Read for its values only: without a source map, unless it must name where it is invalid.
  const {bytes} = await snapshotContent(path)
  return {...(await parseSnapshot(path, bytes, {positions: false})).source, blob: gitBlobId(bytes)}
}

/** A snapshot file's bytes, up to the limit of acldrift's own files. */
async function snapshotContent(path: string): Promise<{bytes: Buffer; stat: BigIntStats}> {
  try {
    return await readRegularFileWithStat(path, path, MAX_OWN_FILE_BYTES)
  } catch (error) {
    if (error instanceof InvalidInputError) throw error
    throw new UsageError(`cannot read baseline snapshot ${path}: ${(error as Error).message}`)
  }
}

/** A snapshot file, read: the snapshot, and its documents in the two ways they are compared. */
export interface ParsedSnapshot {
  snapshot: Snapshot
  /**
   * The documents as the baseline of a check: each standing for the file it was read from
   * (keyed by that file's path), compared with that file in the target. They have no lines:
   * the baseline statement is no longer in the policy file.
   */
  source: LoadedSource
  /**
   * The documents as held by the snapshot file itself (the snapshot container format): what the
   * gate compares when the baseline file changes, with lines in the snapshot file.
   */
  held: Map<string, Document>
  /** where each value is in the snapshot file (nothing is located when it was read without positions) */
  sourceMap: SourceMap
}

/** A snapshot's content, failing closed like readSnapshot: each document must be valid for its kind. */
export async function parseSnapshot(
  path: string,
  content: Buffer,
  options: {positions?: boolean} = {},
): Promise<ParsedSnapshot> {
  const parsed = parseFile({path, content}, 'json', {maxFileBytes: MAX_OWN_FILE_BYTES, ...options})
  const problems = await validateValue('snapshot', parsed)
  // A hand-edited snapshot is input like any other: each document must be valid for its kind.
  const read = problems.length > 0 ? undefined : await embed(parsed, containerFor('snapshot'))
  if (problems.length > 0 || read!.problems.length > 0) {
    // Read again with positions, so that the problems name their lines.
    if (options.positions === false) return parseSnapshot(path, content)
    throw new InvalidInputError(problems.length > 0 ? problems : read!.problems)
  }
  const snapshot = parsed.value as Snapshot
  const entries = new Map(snapshot.documents.map((d) => [d.path, d]))
  const noLines = {locate: () => undefined}
  const documents = new Map<string, Document>()
  for (const held of read!.documents) {
    const entry = entries.get(held.origin!.name)!
    documents.set(entry.path, {
      path: entry.path,
      kind: entry.kind,
      // Of the value, as read: the file's `hash` is a claim anyone can edit (compare.ts, sameDocument).
      hash: `value:${held.hash}`,
      value: entry.value,
      sourceMap: noLines,
      ...(entry.origin === undefined ? {} : {origin: entry.origin}),
    })
  }
  return {
    snapshot,
    source: {
      type: 'snapshot',
      ref: path,
      commit: snapshot.source.commit,
      documents,
      problems: [],
      notes: [],
      // What it recorded reading, with the digest of the config it was read under (the gate compares it).
      ...(snapshot.files === undefined ? {} : {files: snapshot.files}),
    },
    held: new Map(read!.documents.map((d) => [d.path, d])),
    sourceMap: parsed.sourceMap,
  }
}

/** A snapshot file opened for the hook: what it recorded, and its documents of some files only. */
export interface OpenedSnapshot {
  /** the git blob id of its bytes */
  blob: string
  /** the files it read, when it recorded them and every document's file is a path (parsed when first asked) */
  files: SnapshotFiles | undefined
  /** the files its documents were read from */
  documentFiles: string[]
  /** the skeleton of each document of a kind that has one (adapter.reachSkeleton), with its file */
  skeletons: Array<{file: string; key: string; kind: string; skeleton: unknown}>
  /** whether a document was read from inside a container (has an origin); parsed, not validated */
  fromContainers(): boolean
  /** the baseline documents of `files` only, validated as readSnapshot validates them all */
  documentsOf(files: ReadonlySet<string>): Promise<LoadedSource>
}

/**
 * Opens a snapshot without validating every document: the pre-commit hook compares a few files,
 * and parsing and validating thousands of documents it does not use would cost more than the
 * check. Its layout (snapshot-index.ts) says where each document is in its bytes: the documents
 * asked for are parsed, and validated as readSnapshot validates them all. A snapshot whose
 * structure is not what acldrift writes is read in full as readSnapshot reads it, failing closed
 * naming the problem. `root`: the repository whose git directory keeps layouts between runs;
 * `content`: the file's bytes, when the caller has read them, with their git blob id when it has
 * computed it (a snapshot of 20,000 policies is 17 MB to hash).
 */
export async function openSnapshot(
  path: string,
  root: string,
  content?: {bytes: Buffer; blob?: string},
): Promise<OpenedSnapshot> {
  const {bytes, blob} =
    content === undefined
      ? await snapshotRead(path, root)
      : {...content, blob: content.blob ?? gitBlobId(content.bytes)}
  const whole = async () => ({...(await parseSnapshot(path, bytes, {positions: false})).source, blob})
  const layout =
    (await keptLayout(root, blob, bytes, SKELETON_FORMAT)) ?? (await foundLayout(root, blob, bytes))
  if (layout === undefined) return wholly(await whole())
  const ranges = new Map(layout.members.map(([name, ...range]) => [name, range] as const))
  // (the record of every file's blob id, the files and the skeletons are thousands of entries at
  // 20,000 files: each is made when first asked, and a hook that knows what differs asks none)
  let files: SnapshotFiles | undefined | null = null
  let documentFiles: string[] | undefined
  let skeletons: OpenedSnapshot['skeletons'] | undefined
  // Everything but the documents and the record of every file's blob id (thousands of entries).
  const head = layout.members
    .filter(([name]) => name !== 'files')
    .map(([name, ...range]) => `${JSON.stringify(name)}:${textOf(bytes, range)}`)
  return {
    blob,
    get files() {
      if (files === null)
        files = ranges.has('files')
          ? (JSON.parse(textOf(bytes, ranges.get('files')!)) as SnapshotFiles)
          : undefined
      return files
    },
    get documentFiles() {
      return (documentFiles ??= [...new Set(layout.documents.map(([file]) => file))])
    },
    get skeletons() {
      return (skeletons ??= layout.documents.flatMap(([file], i) => {
        const [key, kind, skeleton] = layout.skeletons[i] ?? []
        return key === undefined ? [] : [{file, key, kind: kind!, skeleton}]
      }))
    },
    fromContainers: () =>
      layout.documents.some(([, ...range]) => hasOrigin(JSON.parse(textOf(bytes, range)))),
    async documentsOf(wanted) {
      const chosen = layout.documents.filter(([file]) => wanted.has(file))
      const documents = chosen.map(([, ...range]) => textOf(bytes, range))
      const subset = `{${[...head, `"documents":[${documents.join(',')}]`].join(',')}}`
      try {
        const parsed = await parseSnapshot(path, Buffer.from(subset), {positions: false})
        // Each document is of the file its layout says (the layout is a cache: trusted for nothing).
        if (parsed.snapshot.documents.every((d, i) => documentFile(d) === chosen[i]![0]))
          return {...parsed.source, blob}
      } catch (error) {
        // Read again in full, so that the problem names its line in the file itself.
        if (!(error instanceof InvalidInputError)) throw error
      }
      return whole()
    },
  }
}

/** A snapshot file's bytes and blob id: kept by its stat data when it was hashed before (snapshot-blob.ts). */
async function snapshotRead(path: string, root: string): Promise<{bytes: Buffer; blob: string}> {
  const {bytes, stat} = await snapshotContent(path)
  const kept = await keptBlob(root, path, stat)
  if (kept !== undefined) return {bytes, blob: kept}
  const blob = gitBlobId(bytes)
  await keepBlob(root, path, stat, blob)
  return {bytes, blob}
}

/**
 * The layout of a snapshot's bytes, found by a scan that parses each part of them (never the
 * whole: its memory would be the hook's peak), and kept for the next run; undefined when they do
 * not have the structure acldrift writes (a document naming no file, a malformed record of files).
 */
async function foundLayout(root: string, blob: string, content: Buffer): Promise<SnapshotLayout | undefined> {
  const layout = scanLayout(content, skeletonOf)
  const files = layout?.members.find(([name]) => name === 'files')
  if (
    layout === undefined ||
    (files !== undefined && !wellFormedFiles(JSON.parse(textOf(content, [files[1], files[2]]))))
  )
    return undefined
  await keepLayout(root, blob, layout, SKELETON_FORMAT)
  return layout
}

/**
 * The format of the skeletons a layout keeps (snapshot-index.ts): the kinds that have one, and the
 * version of what they keep. Raise the version when a kind's reachSkeleton keeps something else:
 * a layout kept in another format is found again, never read as this one.
 */
const SKELETON_FORMAT = `skeletons 2: ${ADAPTERS.filter((a) => a.reachSkeleton !== undefined)
  .map((a) => a.kind)
  .join(' ')}`

/** A snapshot document's skeleton, when its kind has one (adapter.reachSkeleton). */
const skeletonOf: SkeletonOf = (document) => {
  const {path, kind, value} = (document ?? {}) as {path?: unknown; kind?: unknown; value?: unknown}
  const adapter = ADAPTERS.find((a) => a.kind === kind)
  return typeof path === 'string' && adapter?.reachSkeleton !== undefined
    ? ([path, adapter.kind, adapter.reachSkeleton(value)] satisfies Skeleton)
    : null
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * `files` as the snapshot schema has it: checked here (when the layout is found, for those very
 * bytes), because documentsOf validates the documents it is asked for, not this record of
 * thousands of blob ids.
 */
function wellFormedFiles(files: unknown): files is SnapshotFiles {
  return (
    isRecord(files) &&
    Object.keys(files).length === 2 &&
    typeof files.config === 'string' &&
    /^[0-9a-f]{64}$/.test(files.config) &&
    isRecord(files.blobs) &&
    Object.values(files.blobs).every(
      (id) => typeof id === 'string' && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(id),
    )
  )
}

/** A snapshot already read in full, as an opened one that recorded no files. */
function wholly(source: LoadedSource): OpenedSnapshot {
  const fromContainers = () => [...source.documents.values()].some(hasOrigin)
  return {
    blob: source.blob!,
    files: undefined,
    documentFiles: [],
    skeletons: [],
    fromContainers,
    documentsOf: async () => source,
  }
}

const hasOrigin = (document: unknown) => isRecord(document) && document.origin !== undefined
