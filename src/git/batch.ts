// Reads many objects through one `git cat-file --batch` process, parsing its output as it streams.

import {spawnGit, waitForGit} from './run.js'

/** One record of `cat-file --batch`; `type` is `missing` (or `ambiguous`) when git has no such object. */
export interface GitObject {
  id: string
  type: string
  /** the object's bytes; empty when `oversize` */
  content: Buffer
  /** the size git announced */
  size: number
  /** larger than the reader's limit: its bytes were skipped, never held in memory */
  oversize: boolean
}

const LF = 0x0a

/**
 * Incremental parser of `<oid> SP <type> SP <size> LF <content> LF` and `<name> SP missing LF` records.
 * Content is copied into a buffer of the announced size, so binary data and large blobs split
 * across any number of chunks come out byte-exact. Content larger than `maxBytes` is skipped as
 * it streams by: a hostile 50 MB blob costs no memory.
 */
export class BatchParser {
  private header: Buffer[] = []
  private body: {object: GitObject; filled: number} | undefined
  private expectNewline = false

  constructor(private readonly maxBytes = Infinity) {}

  push(chunk: Buffer): GitObject[] {
    const records: GitObject[] = []
    let offset = 0
    while (offset < chunk.length) {
      if (this.expectNewline) {
        if (chunk[offset] !== LF) throw new Error('cat-file --batch: missing newline after object content')
        this.expectNewline = false
        offset++
      } else if (this.body) {
        const {object} = this.body
        const n = Math.min(object.size - this.body.filled, chunk.length - offset)
        if (!object.oversize) chunk.copy(object.content, this.body.filled, offset, offset + n)
        this.body.filled += n
        offset += n
        if (this.body.filled === object.size) {
          records.push(object)
          this.body = undefined
          this.expectNewline = true
        }
      } else {
        const end = chunk.indexOf(LF, offset)
        if (end === -1) {
          this.header.push(chunk.subarray(offset))
          break
        }
        this.header.push(chunk.subarray(offset, end))
        offset = end + 1
        const header = Buffer.concat(this.header).toString('utf8')
        this.header = []
        const object = parseHeader(header, this.maxBytes)
        if (object.size === 0) {
          records.push(object)
          this.expectNewline = object.type !== 'missing' && object.type !== 'ambiguous'
        } else {
          this.body = {object, filled: 0}
        }
      }
    }
    return records
  }

  /** Throws if the output stopped in the middle of a record. */
  end(): void {
    if (this.body || this.expectNewline || this.header.length > 0) {
      throw new Error('cat-file --batch: output ended in the middle of a record')
    }
  }
}

function parseHeader(header: string, maxBytes: number): GitObject {
  const fields = header.split(' ')
  if (fields.length === 2)
    return {id: fields[0], type: fields[1], content: Buffer.alloc(0), size: 0, oversize: false}
  const size = Number(fields[2])
  if (fields.length !== 3 || !Number.isSafeInteger(size) || size < 0) {
    throw new Error(`cat-file --batch: unexpected header ${JSON.stringify(header)}`)
  }
  const oversize = size > maxBytes
  return {id: fields[0], type: fields[1], content: Buffer.allocUnsafe(oversize ? 0 : size), size, oversize}
}

interface BatchOptions {
  /** objects larger than this are not kept (see GitObject.oversize) */
  maxBytes?: number
}

/** Reads the given objects (full ids) in one process; results come back in request order. */
export async function catFileBatch(
  root: string,
  ids: readonly string[],
  options: BatchOptions = {},
): Promise<GitObject[]> {
  const args = ['cat-file', '--batch']
  const child = spawnGit(root, args)
  const parser = new BatchParser(options.maxBytes)
  const objects: GitObject[] = []
  // A throw inside a stream handler would crash the process: keep the error, drain the rest, throw after.
  let parseError: unknown
  child.stdout.on('data', (chunk: Buffer) => {
    if (parseError !== undefined) return
    try {
      objects.push(...parser.push(chunk))
    } catch (error) {
      parseError = error
    }
  })
  // Node buffers the writes, so git can stream its output back while the list is still being sent.
  child.stdin.end(ids.map((id) => `${id}\n`).join(''))
  await waitForGit(child, root, args)
  if (parseError !== undefined) throw parseError
  parser.end()
  if (objects.length !== ids.length) {
    throw new Error(`cat-file --batch: asked for ${ids.length} objects, got ${objects.length}`)
  }
  return objects
}
