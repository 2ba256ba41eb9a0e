// The audit log: a hash-chained JSONL file that `acldrift audit --log FILE` appends one record to
// per run, so that tampering with past results is detectable (`acldrift audit --verify-log FILE`).
//
// One record per line, written exactly as
//   {"seq":N,"time":"ISO","prev":"<hex>","entry":{…},"hash":"<hex>"[,"mac":"<hex>"]}
// - seq:   1-based position in the log;
// - time:  when the record was appended (ISO 8601, UTC);
// - prev:  sha256 of the previous line's exact bytes (without its "\n"), or 64 zeros for record 1;
// - entry: the caller's data (tool version, baseline, target, summary, findings, exit code …),
//          as canonical JSON;
// - hash:  sha256 of canonicalJson({seq, time, prev, entry}).
// - mac:   HMAC-SHA256 of hash under ACLDRIFT_LOG_KEY (key.ts), when the log is written with a key.
// `hash` makes an edited record detectable, `prev` a removed, inserted or reordered one; but whoever
// can write the file can recompute both, which only `mac` prevents: a log is either keyed (every
// record has a mac) or not, and a keyed log is neither appended to nor verified without its key.
// Removing the last records at a line boundary is not detectable from the file alone: that needs
// an anchor kept elsewhere, the head (last seq and hash) that each audit prints and puts in its
// reports, given back as `--expect-head SEQ:HASH`.

import {createReadStream} from 'node:fs'
import {mkdir, open, stat, type FileHandle} from 'node:fs/promises'
import {dirname} from 'node:path'
import {canonicalJson, sha256} from '../../kernel/hash.js'
import {AcldriftError, EnvironmentError, EXIT} from '../../kernel/errors.js'
import {recordMac, type LogKey} from './key.js'
import {errorCode, withFileLock, type LockOptions} from './lock.js'

export interface AuditRecord {
  seq: number
  time: string
  prev: string
  entry: Record<string, unknown>
  hash: string
  /** HMAC of `hash` under the log's key; absent in a log written without a key. */
  mac?: string
}

/** The last record of a log, as an anchor kept elsewhere to detect a trimmed tail. */
export interface LogHead {
  seq: number
  hash: string
}

interface LogProblem {
  /** 1-based line number in the log file. */
  line: number
  message: string
}

interface VerifyResult {
  ok: boolean
  /** Complete lines that are audit records (whether or not they check out). */
  records: number
  problems: LogProblem[]
  /** Whether every record's MAC was checked against the key. */
  authenticated: boolean
  /** The last record, when there is one. */
  head?: LogHead
}

type AppendOptions = LockOptions & {key?: LogKey}

interface VerifyOptions {
  key?: LogKey
  /** An anchor from an earlier audit: the log must still hold that record, unchanged. */
  expectHead?: LogHead
}

/** `prev` of the first record. */
export const GENESIS_PREV = '0'.repeat(64)

/** Longest line acldrift writes or reads back; a longer one is not a record. */
const MAX_LINE_BYTES = 64 * 1024 * 1024

const NEWLINE = 0x0a
const CHUNK_BYTES = 64 * 1024
const HEX_SHA256 = /^[0-9a-f]{64}$/
const RECORD_FIELDS = ['entry', 'hash', 'mac', 'prev', 'seq', 'time']

/** The audit log cannot be trusted (torn or corrupt tail): acldrift fails closed. */
export class AuditLogError extends AcldriftError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`audit log ${file}: ${message}`, EXIT.invalidInput)
  }
}

/** sha256 (hex) of the canonical JSON of a record's content. */
function recordHash(record: Pick<AuditRecord, 'seq' | 'time' | 'prev' | 'entry'>): string {
  const {seq, time, prev, entry} = record
  return sha256(canonicalJson({seq, time, prev, entry}))
}

/** The line (without "\n") acldrift writes for a record; any other spelling is reported as rewritten. */
function serializeRecord(record: AuditRecord): string {
  return (
    `{"seq":${record.seq},"time":${JSON.stringify(record.time)},"prev":${JSON.stringify(record.prev)},` +
    `"entry":${canonicalJson(record.entry)},"hash":${JSON.stringify(record.hash)}` +
    (record.mac === undefined ? '}' : `,"mac":${JSON.stringify(record.mac)}}`)
  )
}

/**
 * Appends one record for `entry` to the log at `file` (created if missing; its directory must
 * exist) and returns it. Safe with concurrent appenders in other processes: under an exclusive
 * lock (`<file>.lock`, see lock.ts) it reads the last line back from the end of the file, chains
 * to it, appends one full line with a single write, and fsyncs before releasing the lock.
 *
 * A log whose last line is incomplete (no trailing newline, e.g. from a writer killed by a power
 * loss) or whose last record does not check out is refused with an AuditLogError (exit 3):
 * chaining onto it would either hide the damage or vouch for bytes nobody verified, and an
 * incomplete line cannot be told apart from a deliberately cut log. The operator decides, after
 * `verifyLog`, whether to cut the incomplete bytes (the error gives the offset) or restore the log.
 * A failed write is undone (truncated back) so that acldrift itself never leaves a torn line.
 *
 * File system errors (missing directory, permissions, disk full) become EnvironmentError.
 */
export async function appendRecord(
  file: string,
  entry: Record<string, unknown>,
  now: Date = new Date(),
  options: AppendOptions = {},
): Promise<AuditRecord> {
  const data = normalizeEntry(entry)
  const time = now.toISOString()
  try {
    return await withFileLock(`${file}.lock`, options, async () => {
      const handle = await open(file, 'a+')
      try {
        const size = (await handle.stat()).size
        const last = await readLastRecord(handle, size, file)
        refuseUnkeyedMix(file, last?.record, options.key)
        const content = {
          seq: last ? last.record.seq + 1 : 1,
          time,
          prev: last ? sha256(last.bytes) : GENESIS_PREV,
        }
        const hash = recordHash({...content, entry: data})
        const record: AuditRecord = {
          ...content,
          entry: data,
          hash,
          ...(options.key === undefined ? {} : {mac: recordMac(options.key, hash)}),
        }
        const line = Buffer.from(`${serializeRecord(record)}\n`)
        if (line.length > MAX_LINE_BYTES) {
          throw new RangeError(`audit log entry is larger than ${MAX_LINE_BYTES} bytes`)
        }
        await appendLine(handle, line, size)
        if (size === 0) await syncDirectory(dirname(file)) // make the new file itself durable
        return record
      } finally {
        await handle.close()
      }
    })
  } catch (error) {
    throw environmentError(error, file, 'append')
  }
}

/**
 * What `appendRecord` will need, checked before an audit does its work, so that the audit does not
 * fail after it: the log's directory (created if missing), a tail that can be chained to, and the
 * key the log is written with. Throws EnvironmentError or AuditLogError.
 */
export async function prepareAppend(file: string, key: LogKey | undefined): Promise<void> {
  try {
    await mkdir(dirname(file), {recursive: true})
    let handle: FileHandle
    try {
      handle = await open(file, 'r')
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return // a new log
      throw error
    }
    try {
      const last = await readLastRecord(handle, (await handle.stat()).size, file)
      refuseUnkeyedMix(file, last?.record, key)
    } finally {
      await handle.close()
    }
  } catch (error) {
    throw environmentError(error, file, 'append')
  }
}

/**
 * A log is keyed from its first record or never: a keyed log gets no record without a MAC (it would
 * be one an attacker could forge), an unkeyed one gets no MAC it could not vouch for before it.
 */
function refuseUnkeyedMix(file: string, last: AuditRecord | undefined, key: LogKey | undefined): void {
  if (last === undefined) return
  if (last.mac !== undefined && key === undefined)
    throw new AuditLogError(
      file,
      'its records carry a MAC (it is written with ACLDRIFT_LOG_KEY), and ACLDRIFT_LOG_KEY is not set: ' +
        'not appending a record nobody could authenticate',
    )
  if (last.mac === undefined && key !== undefined)
    throw new AuditLogError(
      file,
      'its records carry no MAC (it was written without ACLDRIFT_LOG_KEY): start a new log file for ' +
        'authenticated records, and keep this one as it is',
    )
  if (key !== undefined && last.mac !== recordMac(key, last.hash))
    throw new AuditLogError(
      file,
      `the MAC of its last record (${last.seq}) does not match: the record was rewritten, or ACLDRIFT_LOG_KEY ` +
        `is not the key the log is written with. Check it with \`acldrift audit --verify-log --log ${file}\`.`,
    )
}

/**
 * Checks the whole log, streaming it line by line. Reports every line that is not a record, every
 * record whose hash does not match its content, every break in the chain (seq gap, out-of-order
 * record, prev not matching the line before), a first record that is not record 1 with a zero
 * prev, and an incomplete last line. Each line is checked against the line before it; when that
 * line is already reported, a prev mismatch is its consequence and is not reported again.
 *
 * Safe while others append: it checks the log as it was at one moment between two appends (see
 * settledSize); records appended meanwhile are left for the next run.
 */
export async function verifyLog(file: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const {key, expectHead} = options
  const problems: LogProblem[] = []
  let records = 0
  let lineNumber = 0
  let previous: {hash: string; seq: number | undefined; reported: boolean} | undefined
  let head: LogHead | undefined
  let anchored: AuditRecord | undefined
  let unkeyedReported = false

  const checkLine = (bytes: Buffer | undefined) => {
    lineNumber += 1
    const line = lineNumber
    const reportedBefore = problems.length
    const report = (message: string) => problems.push({line, message: `line ${line}: ${message}`})
    const result = bytes === undefined ? tooLong() : parseRecordLine(bytes)
    if (result.kind === 'invalid') {
      report(`not an audit record: ${result.message}`)
    } else {
      records += 1
      if (result.kind === 'modified') report(result.message)
      const broken = chainProblem(result.record, previous, line)
      if (broken !== undefined) report(broken)
      const unauthentic = macProblem(result.record, key)
      // Without the key, say once that the log cannot be authenticated, not once per record.
      if (unauthentic !== undefined && !(key === undefined && unkeyedReported)) {
        report(unauthentic)
        unkeyedReported ||= key === undefined
      }
      head = {seq: result.record.seq, hash: result.record.hash}
      if (result.record.seq === expectHead?.seq) anchored = result.record
    }
    previous = {
      hash: bytes === undefined ? '' : sha256(bytes),
      seq: result.seq,
      reported: problems.length > reportedBefore,
    }
  }

  try {
    const size = await settledSize(file)
    const trailingBytes = size === 0 ? 0 : await forEachLine(file, size, checkLine)
    if (trailingBytes > 0) {
      const line = lineNumber + 1
      problems.push({
        line,
        message:
          `line ${line}: truncated last line (${trailingBytes} bytes without a trailing newline): ` +
          'a write was interrupted or the file was cut',
      })
    }
    if (expectHead !== undefined) {
      const message = anchorProblem(expectHead, anchored, head)
      if (message !== undefined) problems.push({line: lineNumber + 1, message})
    }
  } catch (error) {
    throw environmentError(error, file, 'read')
  }
  return {
    ok: problems.length === 0,
    records,
    problems,
    authenticated: key !== undefined,
    ...(head ? {head} : {}),
  }
}

/** A record's MAC against the key: missing, wrong, or present while the verifier has no key. */
function macProblem(record: AuditRecord, key: LogKey | undefined): string | undefined {
  if (key === undefined)
    return record.mac === undefined
      ? undefined
      : `record ${record.seq} carries a MAC, and ACLDRIFT_LOG_KEY is not set: the log cannot be authenticated without its key`
  if (record.mac === undefined)
    return `record ${record.seq} carries no MAC: it was written without the key, or its MAC was removed`
  if (record.mac !== recordMac(key, record.hash))
    return `record ${record.seq}'s MAC does not match: the record was rewritten, or ACLDRIFT_LOG_KEY is not the log's key`
  return undefined
}

/** The anchor (an earlier head) against the log: its record must still be there, unchanged. */
function anchorProblem(anchor: LogHead, anchored: AuditRecord | undefined, head: LogHead | undefined) {
  if (anchored === undefined) {
    const end = head === undefined ? 'the log is empty' : `the log ends at record ${head.seq}`
    return `${end}, but the anchor names record ${anchor.seq}: the tail of the log was removed`
  }
  if (anchored.hash !== anchor.hash)
    return `record ${anchor.seq} is not the anchored one (hash ${anchored.hash.slice(0, 12)}…, anchor ${anchor.hash.slice(0, 12)}…): the log was rewritten`
  return undefined
}

/** `SEQ:HASH`, as `--expect-head` takes it; undefined when it is not that. */
export function parseLogHead(text: string): LogHead | undefined {
  const match = /^([1-9]\d{0,15}):([0-9a-f]{64})$/.exec(text.trim())
  return match ? {seq: Number(match[1]), hash: match[2]!} : undefined
}

/**
 * Calls `onLine` with each complete line in the first `size` bytes of `file`, without its "\n"
 * (undefined for a line longer than MAX_LINE_BYTES, which is not kept in memory), and returns how
 * many bytes follow the last newline.
 */
async function forEachLine(
  file: string,
  size: number,
  onLine: (bytes: Buffer | undefined) => void,
): Promise<number> {
  let pending: Buffer[] = []
  let pendingBytes = 0
  let overlong = false
  const keep = (bytes: Buffer) => {
    if (overlong || pendingBytes + bytes.length > MAX_LINE_BYTES) {
      overlong = true
      pending = []
    } else if (bytes.length > 0) {
      pending.push(bytes)
    }
    pendingBytes += bytes.length
  }
  const stream = createReadStream(file, {highWaterMark: CHUNK_BYTES, end: size - 1})
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      keep(chunk.subarray(start, end))
      onLine(overlong ? undefined : Buffer.concat(pending, pendingBytes))
      pending = []
      pendingBytes = 0
      overlong = false
      start = end + 1
    }
    keep(chunk.subarray(start))
  }
  return pendingBytes
}

/**
 * The log's size at a moment when no appender is mid-write, so that a line being appended right
 * now is not mistaken for a torn one: read under the append lock, held only for the stat. A
 * verifier that cannot take the lock (read-only directory or file system) reads the size as is.
 */
async function settledSize(file: string): Promise<number> {
  const sizeNow = async () => (await stat(file)).size
  try {
    return await withFileLock(`${file}.lock`, {lockTimeoutMs: 2_000}, sizeNow)
  } catch (error) {
    if (error instanceof EnvironmentError || ['EACCES', 'EPERM', 'EROFS'].includes(errorCode(error) ?? '')) {
      return sizeNow()
    }
    throw error
  }
}

type LineResult =
  | {kind: 'record'; record: AuditRecord; seq: number}
  | {kind: 'modified'; record: AuditRecord; seq: number; message: string}
  | {kind: 'invalid'; seq: number | undefined; message: string}

const utf8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true})

/** Parses one line (without "\n") and checks the record against its own hash. */
function parseRecordLine(bytes: Buffer): LineResult {
  const invalid = (message: string, seq?: number): LineResult => ({kind: 'invalid', seq, message})
  if (bytes.length === 0) return invalid('the line is empty')
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return invalid('not UTF-8 text')
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return invalid(`not JSON (${(error as Error).message})`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('not a JSON object')
  const record = value as Record<string, unknown>
  const seq =
    Number.isSafeInteger(record.seq) && (record.seq as number) > 0 ? (record.seq as number) : undefined
  const shape = shapeProblem(record, seq)
  if (shape !== undefined) return invalid(shape, seq)
  const checked = record as unknown as AuditRecord
  if (recordHash(checked) !== checked.hash) {
    return {
      kind: 'modified',
      record: checked,
      seq: checked.seq,
      message: `record ${seq} was modified (hash does not match its content)`,
    }
  }
  if (serializeRecord(checked) !== text) {
    return {
      kind: 'modified',
      record: checked,
      seq: checked.seq,
      message: `record ${seq} was rewritten (its hash matches, but the line is not spelled as acldrift writes it)`,
    }
  }
  return {kind: 'record', record: checked, seq: checked.seq}
}

function shapeProblem(record: Record<string, unknown>, seq: number | undefined): string | undefined {
  const extra = Object.keys(record).filter((key) => !RECORD_FIELDS.includes(key))
  if (extra.length > 0)
    return `unexpected field ${JSON.stringify(extra[0])} (fields outside the hash are not allowed)`
  if (seq === undefined) return '"seq" is missing or not a positive integer'
  if (typeof record.time !== 'string' || Number.isNaN(Date.parse(record.time)))
    return '"time" is missing or not a date'
  if (typeof record.prev !== 'string' || !HEX_SHA256.test(record.prev))
    return '"prev" is missing or not a sha256 in hex'
  if (typeof record.entry !== 'object' || record.entry === null || Array.isArray(record.entry)) {
    return '"entry" is missing or not an object'
  }
  if (typeof record.hash !== 'string' || !HEX_SHA256.test(record.hash))
    return '"hash" is missing or not a sha256 in hex'
  if (record.mac !== undefined && (typeof record.mac !== 'string' || !HEX_SHA256.test(record.mac)))
    return '"mac" is not an HMAC-SHA256 in hex'
  return undefined
}

const tooLong = (): LineResult => ({
  kind: 'invalid',
  seq: undefined,
  message: `longer than ${MAX_LINE_BYTES} bytes`,
})

/** What is wrong with where `record` sits, given the line before it (undefined for line 1). */
function chainProblem(
  record: AuditRecord,
  previous: {hash: string; seq: number | undefined; reported: boolean} | undefined,
  line: number,
): string | undefined {
  const {seq} = record
  if (previous === undefined) {
    if (seq !== 1) return `the log starts at record ${seq}: ${range(1, seq - 1)} removed`
    if (record.prev !== GENESIS_PREV)
      return 'record 1 does not start a log (its prev is not 64 zeros): records before it were removed'
    return undefined
  }
  if (previous.seq === undefined) return undefined // the line before is reported; nothing to compare with
  const expected = previous.seq + 1
  if (seq > expected)
    return `record ${seq} does not follow record ${previous.seq} (${range(expected, seq - 1)} removed or reordered)`
  if (seq < expected)
    return `record ${seq} is out of order (it follows record ${previous.seq}): records were reordered or duplicated`
  if (!previous.reported && record.prev !== previous.hash) {
    return (
      `record ${seq} does not follow line ${line - 1} (its prev hash does not match that line): ` +
      `record ${previous.seq} was replaced or the log was spliced`
    )
  }
  return undefined
}

const range = (from: number, to: number) =>
  from === to ? `record ${from} was` : `records ${from} to ${to} were`

/**
 * The last record of the log and its exact bytes, read backwards from the end in chunks (the log
 * may be large). Throws AuditLogError if the tail cannot be trusted.
 */
async function readLastRecord(
  handle: FileHandle,
  size: number,
  file: string,
): Promise<{record: AuditRecord; bytes: Buffer} | undefined> {
  if (size === 0) return undefined
  const lastByte = Buffer.alloc(1)
  await handle.read(lastByte, 0, 1, size - 1)
  if (lastByte[0] !== NEWLINE) {
    const start = await lineStart(handle, size)
    throw new AuditLogError(
      file,
      `the last line is incomplete (bytes ${start} to ${size} have no trailing newline: a write was ` +
        'interrupted or the file was cut). Not appending to a log whose tail cannot be trusted: check it with ' +
        `\`acldrift audit --verify-log ${file}\`; if only an interrupted write is at fault, cut the file ` +
        `back to ${start} bytes (\`truncate -s ${start} ${file}\`) and run again.`,
    )
  }
  const end = size - 1
  const start = await lineStart(handle, end)
  if (end - start > MAX_LINE_BYTES)
    throw new AuditLogError(file, `the last line is longer than ${MAX_LINE_BYTES} bytes`)
  const bytes = Buffer.alloc(end - start)
  await readExactly(handle, bytes, start)
  const result = parseRecordLine(bytes)
  if (result.kind !== 'record') {
    throw new AuditLogError(
      file,
      `the last line is not a valid record (${result.message}); not appending to it. ` +
        `Check the log with \`acldrift audit --verify-log ${file}\`.`,
    )
  }
  return {record: result.record, bytes}
}

/** Offset of the first byte after the last newline before `end` (0 if there is none). */
async function lineStart(handle: FileHandle, end: number): Promise<number> {
  const chunk = Buffer.alloc(CHUNK_BYTES)
  for (let to = end; to > 0;) {
    const from = Math.max(0, to - CHUNK_BYTES)
    const piece = chunk.subarray(0, to - from)
    await readExactly(handle, piece, from)
    const newline = piece.lastIndexOf(NEWLINE)
    if (newline !== -1) return from + newline + 1
    to = from
  }
  return 0
}

async function readExactly(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  for (let done = 0; done < buffer.length;) {
    const {bytesRead} = await handle.read(buffer, done, buffer.length - done, position + done)
    if (bytesRead === 0) throw new Error('the audit log shrank while it was locked (edited by hand?)')
    done += bytesRead
  }
}

/** Appends `line` (one write; more only if the kernel writes part of it). A failed write is undone. */
async function appendLine(handle: FileHandle, line: Buffer, sizeBefore: number): Promise<void> {
  try {
    for (let written = 0; written < line.length;) {
      const {bytesWritten} = await handle.write(line, written, line.length - written)
      written += bytesWritten
    }
    await handle.sync()
  } catch (error) {
    // Never leave a partial line behind: we hold the lock, so nobody appended after us.
    await handle.truncate(sizeBefore).catch(() => undefined)
    throw error
  }
}

/** fsync a directory so that a newly created entry in it survives a crash (not possible everywhere). */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Windows and some file systems cannot fsync a directory; the record itself is synced.
  }
}

/** The entry as the JSON data that will be written (toJSON applied, undefined members dropped). */
function normalizeEntry(entry: Record<string, unknown>): Record<string, unknown> {
  const data: unknown = JSON.parse(JSON.stringify(entry) ?? 'null')
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new TypeError('an audit log entry must be a JSON object')
  }
  return data as Record<string, unknown>
}

/** File system errors as EnvironmentError with a message a person can act on; others unchanged. */
function environmentError(error: unknown, file: string, doing: 'append' | 'read'): unknown {
  if (error instanceof AcldriftError) return error
  const code = errorCode(error)
  if (code === undefined) return error
  const context = doing === 'append' ? `cannot append to audit log ${file}` : `cannot read audit log ${file}`
  // Lock files are an implementation detail: name the directory they are created in.
  const errorPath = (error as {path?: string}).path ?? file
  const path = errorPath.startsWith(`${file}.lock`)
    ? `the directory ${dirname(file)} (for ${file}.lock)`
    : errorPath
  const reasons: Record<string, string> = {
    ENOENT: doing === 'append' ? `the directory ${dirname(file)} does not exist` : 'it does not exist',
    ENOTDIR: `a part of ${path} is not a directory`,
    EISDIR: `${path} is a directory`,
    EACCES: `permission denied on ${path}`,
    EPERM: `permission denied on ${path}`,
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
  }
  return new EnvironmentError(`${context}: ${reasons[code] ?? (error as Error).message}`)
}
