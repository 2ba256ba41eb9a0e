// Snapshots: the documents of a source, normalised and hashed, written to a file that can
// serve as the approved baseline. Same input → byte-identical file, apart from createdAt.

import {InvalidInputError, UsageError} from '../kernel/errors.js'
import {readRegularFile} from '../kernel/files.js'
import {parseFile} from '../kernel/parse.js'
import type {LoadedSource} from './source.js'
import type {ActorType, Document, Kind, SourceMap} from '../kernel/types.js'
import {validateValue} from './validate.js'
import {toolVersion} from '../kernel/version.js'

export interface Snapshot {
  schemaVersion: 1
  tool: {name: 'acldrift'; version: string}
  createdAt: string
  source: {type: 'worktree' | 'staged' | 'ref'; ref: string | null; commit: string | null}
  /** who promoted this state to the baseline (`acldrift baseline update`) */
  updatedBy?: UpdatedBy
  documents: Array<{path: string; kind: Kind; hash: string; value: unknown}>
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
    .map((d) => ({path: d.path, kind: d.kind, hash: d.hash, value: d.value}))
  return {
    schemaVersion: 1,
    tool: {name: 'acldrift', version: toolVersion()},
    createdAt: now.toISOString(),
    source: {type: source.type, ref: source.ref, commit: source.commit},
    ...(updatedBy === undefined ? {} : {updatedBy}),
    documents,
  }
}

export function serializeSnapshot(snapshot: Snapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`
}

/** Reads a snapshot file as a source: validated like any input, failing closed. */
export async function readSnapshot(path: string): Promise<LoadedSource> {
  let content: Buffer
  try {
    content = await readRegularFile(path)
  } catch (error) {
    if (error instanceof InvalidInputError) throw error
    throw new UsageError(`cannot read baseline snapshot ${path}: ${(error as Error).message}`)
  }
  return (await parseSnapshot(path, content)).source
}

/** A snapshot's content as a source (and where each of its parts is), failing closed like readSnapshot. */
export async function parseSnapshot(
  path: string,
  content: Buffer,
): Promise<{source: LoadedSource; snapshot: Snapshot; sourceMap: SourceMap}> {
  const parsed = parseFile({path, content}, 'json')
  const problems = await validateValue('snapshot', parsed)
  if (problems.length > 0) throw new InvalidInputError(problems)
  const snapshot = parsed.value as Snapshot
  const documents = new Map<string, Document>()
  // A baseline statement has no line in the policy file any more: findings show none.
  const sourceMap = {locate: () => undefined}
  for (const [i, d] of snapshot.documents.entries()) {
    // A hand-edited snapshot is input like any other: each document must be valid for its kind.
    const inner = await validateValue(d.kind, {path: d.path, value: d.value, hash: d.hash, sourceMap})
    const base = `/documents/${i}/value`
    problems.push(
      ...inner.map((p) => ({
        ...p,
        file: path,
        pointer: base + (p.pointer ?? ''),
        line: parsed.sourceMap.locate(base + (p.pointer ?? ''))?.line,
      })),
    )
    documents.set(d.path, {path: d.path, kind: d.kind, hash: d.hash, value: d.value, sourceMap})
  }
  if (problems.length > 0) throw new InvalidInputError(problems)
  return {
    source: {type: 'snapshot', ref: path, commit: snapshot.source.commit, documents, problems: [], notes: []},
    snapshot,
    sourceMap: parsed.sourceMap,
  }
}
