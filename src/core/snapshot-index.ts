// Where each part of a baseline snapshot file is, by byte offsets: its top-level members and each
// of its documents, with the file that document was read from. The pre-commit hook compares a few
// changed files with their baseline documents; a snapshot of 20,000 files is some 17 MB of JSON,
// and parsing all of it on every commit costs more than the check and most of its memory. With
// the layout, the hook parses only the documents of the files it compares. For a kind whose files
// refer to each other (k8s RBAC, GCP IAM, CODEOWNERS), the layout also keeps each document's skeleton, what the kind's
// reach reads of it (adapter.reachSkeleton): the hook finds from the skeletons which unchanged
// documents a change can reach, and parses only those.
//
// The layout of a snapshot is found once (a scan of its bytes, each part of them parsed)
// and kept under the git directory (.git/acldrift/snapshot-index.json, written atomically), keyed
// by the snapshot's git blob id: the hook hashes the bytes it reads, so a snapshot edited since is
// another id, a miss. What it trusts: nothing in that file by itself. Offsets planted there could
// point a changed file at another document (or at an object nested in one); so the entry carries
// an HMAC under the repository's key (cache-key.ts), and one that does not verify is a miss, as is
// any entry whose offsets do not fit the bytes read. Forging one takes reading that key.
//
// The entry also carries the format of its skeletons (which kinds have one, and what each keeps),
// given by the build that reads it: a layout kept by a build whose kinds kept other skeletons, or
// none (one kept before a kind had a reach holds no skeleton of that kind's unchanged documents,
// which would hide them from the reach), is a miss, and the layout is found again.

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {dotGitDir} from '../git/dot-git.js'
import {writeFileAtomic} from '../kernel/atomic.js'
import {toolVersion} from '../kernel/version.js'
import {ensureKey, keyFile, macOf, macVerifies, readKey} from './cache-key.js'

const INDEX_FILE = join('acldrift', 'snapshot-index.json')

/** A byte range [start, end) of the snapshot file. */
type Range = [start: number, end: number]

export interface SnapshotLayout {
  /** each top-level member but `documents`: its name and its value's range */
  members: Array<[name: string, ...Range]>
  /** each document, in order: the file it was read from and its range */
  documents: Array<[file: string, ...Range]>
  /** each document's skeleton (SkeletonOf), in the same order */
  skeletons: Array<Skeleton | null>
}

/** A document's key, kind, and what the reach of its kind reads of its value (JSON). */
export type Skeleton = [key: string, kind: string, skeleton: unknown]

/** The skeleton of a snapshot document (as parsed), null when its kind needs none. */
export type SkeletonOf = (document: unknown) => Skeleton | null

/** The text of a range of the snapshot file. */
export const textOf = (content: Buffer, [start, end]: Range) => content.toString('utf8', start, end)

const [QUOTE, BACKSLASH, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, COMMA, COLON] = [
  0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a,
]
const isSpace = (byte: number | undefined) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09

function skipSpace(content: Buffer, at: number): number {
  while (isSpace(content[at])) at++
  return at
}

/** The end of the string starting (at its quote) at `at`, past its closing quote. */
function skipString(content: Buffer, at: number): number {
  // UTF-8 continuation bytes are ≥ 0x80: never a quote or a backslash.
  for (let i = at + 1; i < content.length; i++) {
    const byte = content[i]
    if (byte === BACKSLASH) i++
    else if (byte === QUOTE) return i + 1
  }
  throw new SyntaxError('unterminated string')
}

/** The end of the JSON value starting at `at` (valid JSON: the caller has parsed it). */
function skipValue(content: Buffer, at: number): number {
  const first = content[at]
  if (first === QUOTE) return skipString(content, at)
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let i = at
    while (
      i < content.length &&
      ![COMMA, CLOSE_BRACE, CLOSE_BRACKET].includes(content[i]!) &&
      !isSpace(content[i])
    )
      i++
    return i
  }
  let depth = 0
  for (let i = at; i < content.length; i++) {
    const byte = content[i]
    if (byte === QUOTE) i = skipString(content, i) - 1
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++
    else if ((byte === CLOSE_BRACE || byte === CLOSE_BRACKET) && --depth === 0) return i + 1
  }
  throw new SyntaxError('unterminated value')
}

/** The items of the array or members of the object at `at`, each as `each` is given them; the end. */
function eachItem(content: Buffer, at: number, each: (start: number) => number): number {
  const close = content[at] === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET
  let i = skipSpace(content, at + 1)
  if (content[i] === close) return i + 1
  for (;;) {
    i = skipSpace(content, each(i))
    if (content[i] === close) return i + 1
    if (content[i] !== COMMA) throw new SyntaxError(`unexpected byte at ${i}`)
    i = skipSpace(content, i + 1)
  }
}

/**
 * The layout of a snapshot file's bytes, each member and document parsed (JSON's grammar is
 * compositional: with the structure between them checked here, the bytes are valid JSON when
 * each part is), without ever holding the whole parse. Undefined when they are not JSON, are not
 * an object with one `documents` list, give a name twice (JSON.parse would keep the last), or
 * hold a document that names no file.
 */
export function scanLayout(content: Buffer, skeletonOf: SkeletonOf): SnapshotLayout | undefined {
  const members: SnapshotLayout['members'] = []
  const ranges: Range[] = []
  let lists = 0
  try {
    const open = skipSpace(content, 0)
    if (content[open] !== OPEN_BRACE) return undefined
    const end = eachItem(content, open, (keyStart) => {
      if (content[keyStart] !== QUOTE) throw new SyntaxError(`expected a name at ${keyStart}`)
      const keyEnd = skipString(content, keyStart)
      const name = JSON.parse(content.toString('utf8', keyStart, keyEnd)) as string
      const colon = skipSpace(content, keyEnd)
      if (content[colon] !== COLON) throw new SyntaxError(`expected ':' at ${colon}`)
      const start = skipSpace(content, colon + 1)
      if (name === 'documents' && ++lists === 1) {
        if (content[start] !== OPEN_BRACKET) throw new SyntaxError('documents is no list')
        return eachItem(content, start, (item) => {
          const itemEnd = skipValue(content, item)
          ranges.push([item, itemEnd])
          return itemEnd
        })
      }
      const valueEnd = skipValue(content, start)
      JSON.parse(textOf(content, [start, valueEnd]))
      members.push([name, start, valueEnd])
      return valueEnd
    })
    if (skipSpace(content, end) !== content.length) return undefined
    const names = members.map(([name]) => name)
    if (lists !== 1 || new Set(names).size !== names.length) return undefined
    const documents: SnapshotLayout['documents'] = []
    const skeletons: SnapshotLayout['skeletons'] = []
    for (const range of ranges) {
      const document = JSON.parse(textOf(content, range)) as unknown
      const file = documentFile(document)
      if (file === undefined) return undefined
      documents.push([file, ...range])
      skeletons.push(skeletonOf(document))
    }
    return {members, documents, skeletons}
  } catch {
    return undefined
  }
}

/** The file a snapshot document was read from: its container's file, else its own path. */
export function documentFile(document: unknown): string | undefined {
  const {path, origin} = (document ?? {}) as {path?: unknown; origin?: {file?: unknown}}
  const file = origin?.file ?? path
  return typeof file === 'string' ? file : undefined
}

/** The index file of the repository at `root`, with its key (undefined: no git directory to keep one in). */
async function indexOf(root: string): Promise<{path: string; keyPath: string} | undefined> {
  const dir = await dotGitDir(root)
  return dir === undefined ? undefined : {path: join(dir, INDEX_FILE), keyPath: keyFile(dir)}
}

const macText = (blob: string, format: string, layout: string) =>
  `snapshot-index\u0000${toolVersion()}\u0000${blob}\u0000${format}\u0000${layout}`

/**
 * The kept layout of the snapshot whose bytes are `content` (git blob id `blob`), when the entry
 * is for those bytes and of skeletons in `format`, its HMAC verifies under the repository's key,
 * and its ranges fit them.
 */
export async function keptLayout(
  root: string,
  blob: string,
  content: Buffer,
  format: string,
): Promise<SnapshotLayout | undefined> {
  const index = await indexOf(root)
  if (index === undefined) return undefined
  const [text, key] = await Promise.all([
    readFile(index.path, 'utf8').catch(() => undefined),
    readKey(index.keyPath),
  ])
  if (text === undefined || key === undefined) return undefined
  try {
    const entry = JSON.parse(text) as {blob?: unknown; format?: unknown; layout?: unknown; mac?: unknown}
    if (entry.blob !== blob || entry.format !== format || typeof entry.layout !== 'string') return undefined
    if (!macVerifies(key, macText(blob, format, entry.layout), entry.mac)) return undefined
    const layout = JSON.parse(entry.layout) as SnapshotLayout
    const fits = ([, start, end]: [string, ...Range]) =>
      Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= content.length
    return layout.members.every(fits) &&
      layout.documents.every(fits) &&
      Array.isArray(layout.skeletons) &&
      layout.skeletons.length === layout.documents.length
      ? layout
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Keeps the layout (its skeletons in `format`) of the snapshot with git blob id `blob`, replacing
 * any other; a git directory that cannot be written only costs the next run a scan.
 */
export async function keepLayout(
  root: string,
  blob: string,
  layout: SnapshotLayout,
  format: string,
): Promise<void> {
  await (async () => {
    const index = await indexOf(root)
    if (index === undefined) return
    const key = (await readKey(index.keyPath)) ?? (await ensureKey(index.keyPath))
    const text = JSON.stringify(layout)
    await writeFileAtomic(
      index.path,
      `${JSON.stringify({blob, format, layout: text, mac: macOf(key, macText(blob, format, text))})}\n`,
    )
  })().catch(() => undefined)
}
