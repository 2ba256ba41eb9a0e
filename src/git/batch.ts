// Reads many objects through one `git cat-file --batch` process, parsing its output as it streams.

import {spawnGit, waitForGit} from './run.js'
import {inWholeProcessRun} from './scope.js'

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

  private records = 0

  /** `maxBytes`: one limit, or each record's limit by its index in the output. */
  constructor(private readonly maxBytes: number | ((index: number) => number) = Infinity) {}

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
        const limit = typeof this.maxBytes === 'number' ? this.maxBytes : this.maxBytes(this.records)
        this.records++
        const object = parseHeader(header, limit)
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

/** Full object ids only: anything else (a newline above all) would shift every later record of the shared process. */
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/

/**
 * Reads the given objects (full ids); results come back in request order. One `cat-file --batch`
 * process per repository serves every read of a run: the hook reads the config, the approvals,
 * the snapshot, the staged blobs and the baseline in several stages, each once paid a git start-up.
 */
export async function catFileBatch(
  root: string,
  ids: readonly string[],
  options: BatchOptions = {},
): Promise<GitObject[]> {
  const bad = ids.find((id) => !OBJECT_ID.test(id))
  if (bad !== undefined) throw new Error(`cat-file --batch: not a full object id: ${JSON.stringify(bad)}`)
  return sharedRead(root, ids, options.maxBytes ?? Infinity)
}

/** A full ref name of the characters refs are made of here: no space or newline, which would shift the shared process's records. */
const REF_NAME = /^refs\/[\w.-]+(?:\/[\w.-]+)*$/

/**
 * Whether the ref `name` (in full: `refs/notes/ai`) names an object, asked of the run's shared
 * `cat-file --batch` process instead of a git started for the question. (cat-file resolves the
 * name as rev-parse does: a full name is looked up as itself before any other spelling, so a ref
 * that exists is never reported missing.)
 */
export async function refExists(root: string, name: string): Promise<boolean> {
  if (!REF_NAME.test(name)) throw new Error(`cat-file --batch: not a full ref name: ${JSON.stringify(name)}`)
  const [object] = await sharedRead(root, [name], 0)
  return object!.type !== 'missing'
}

/** Reads `names` through the shared process of this repository and environment. */
async function sharedRead(root: string, names: readonly string[], maxBytes: number): Promise<GitObject[]> {
  if (names.length === 0) return []
  // git reads its repository from GIT_* variables too (GIT_DIR, GIT_OBJECT_DIRECTORY, …): a process
  // started under others does not serve this read.
  const key = [
    root,
    process.env.ACLDRIFT_GIT,
    process.env.PATH,
    ...Object.entries(process.env)
      .filter(([name]) => name.startsWith('GIT_'))
      .map(([name, value]) => `${name}=${value}`),
  ].join('\0')
  let reader = readers.get(key)
  if (reader === undefined || reader.closed) {
    reader = new BatchReader(root, key)
    readers.set(key, reader)
  }
  return reader.read(names, maxBytes)
}

const readers = new Map<string, BatchReader>()
/**
 * An idle reader closes after this long: a run's stages are milliseconds apart, a test file's
 * repositories are not. In a run that is the whole process's (a CLI command) it stays open to the
 * end, however long a stage takes (an audit compares for seconds between two reads), as it never
 * holds the process.
 */
const IDLE_MS = 1000
const ARGS = ['cat-file', '--batch'] as const

interface Request {
  /** index of its first record in the process's output */
  first: number
  count: number
  maxBytes: number
  objects: GitObject[]
  resolve(objects: GitObject[]): void
  reject(error: unknown): void
}

/**
 * A `cat-file --batch` process answering requests in order. While idle it keeps no reference on the
 * event loop (a CLI exits without waiting for it; git then sees the end of its input and exits), and
 * after IDLE_MS it is closed.
 */
class BatchReader {
  closed = false
  private readonly child
  private readonly parser: BatchParser
  private readonly queue: Request[] = []
  private sent = 0
  private idle: NodeJS.Timeout | undefined

  constructor(
    root: string,
    private readonly key: string,
  ) {
    this.child = spawnGit(root, ARGS)
    this.parser = new BatchParser((index) => this.queue.find((r) => index < r.first + r.count)?.maxBytes ?? 0)
    this.child.stdout.on('data', (chunk: Buffer) => {
      if (this.closed) return
      try {
        for (const object of this.parser.push(chunk)) this.deliver(object)
      } catch (error) {
        // A throw inside a stream handler would crash the process: fail the requests instead.
        this.fail(error)
      }
    })
    waitForGit(this.child, root, ARGS).then(
      () => this.fail(new Error('cat-file --batch: git exited before answering')),
      (error: unknown) => this.fail(error),
    )
  }

  read(ids: readonly string[], maxBytes: number): Promise<GitObject[]> {
    clearTimeout(this.idle)
    this.setReferenced(true)
    return new Promise((resolve, reject) => {
      this.queue.push({first: this.sent, count: ids.length, maxBytes, objects: [], resolve, reject})
      this.sent += ids.length
      this.child.stdin.write(ids.map((id) => `${id}\n`).join(''))
    })
  }

  private deliver(object: GitObject): void {
    const request = this.queue[0]
    if (request === undefined) throw new Error('cat-file --batch: output nobody asked for')
    request.objects.push(object)
    if (request.objects.length < request.count) return
    this.queue.shift()
    request.resolve(request.objects)
    if (this.queue.length === 0) {
      this.setReferenced(false)
      if (!inWholeProcessRun()) this.idle = setTimeout(() => this.close(), IDLE_MS).unref()
    }
  }

  private fail(error: unknown): void {
    if (this.closed && this.queue.length === 0) return
    this.close()
    for (const request of this.queue.splice(0)) request.reject(error)
  }

  private close(): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.idle)
    if (readers.get(this.key) === this) readers.delete(this.key)
    this.child.stdin.end()
    this.setReferenced(false)
  }

  private setReferenced(on: boolean): void {
    // The pipes are sockets: each holds the event loop on its own, like the child.
    const handles = [this.child.stdin, this.child.stdout, this.child.stderr] as unknown as {
      ref(): void
      unref(): void
    }[]
    for (const handle of [this.child, ...handles])
      if (on) handle.ref()
      else handle.unref()
  }
}
