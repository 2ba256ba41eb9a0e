// The hash-chained audit log, on real files in temp dirs. The multi-process tests run
// test/core/audit-log/append-child.mjs, which loads the compiled module: build first
// (`npm run build`, or `npm test`).

import {spawn} from 'node:child_process'
import {createHash, createHmac} from 'node:crypto'
import {existsSync, readdirSync, statSync} from 'node:fs'
import {chmod, copyFile, mkdir, mkdtemp, readFile, rm, truncate, utimes, writeFile} from 'node:fs/promises'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {
  appendRecord,
  AuditLogError,
  GENESIS_PREV,
  parseLogHead,
  prepareAppend,
  verifyLog,
  type AuditRecord,
} from '../../../src/core/audit-log/log.js'
import {logKey} from '../../../src/core/audit-log/key.js'
import {canonicalJson} from '../../../src/kernel/hash.js'
import {EnvironmentError} from '../../../src/kernel/errors.js'

const projectRoot = fileURLToPath(new URL('../../..', import.meta.url))
const compiledModule = join(projectRoot, 'dist', 'core', 'audit-log', 'log.js')
const childScript = fileURLToPath(new URL('append-child.mjs', import.meta.url))

let root: string
let caseNumber = 0
/** A fresh directory for one test. */
async function scratch(): Promise<string> {
  const dir = join(root, `case-${++caseNumber}`)
  await mkdir(dir)
  return dir
}

/** A log of 50 records, built once; tests tamper with copies of it. */
let fifty: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'acldrift-audit-log-'))
  fifty = join(root, 'fifty.jsonl')
  for (let i = 1; i <= 50; i++) {
    await appendRecord(fifty, entryFor(i), new Date(Date.UTC(2026, 0, 1, 0, 0, i)))
  }
})

afterAll(() => rm(root, {recursive: true, force: true}))

function entryFor(i: number): Record<string, unknown> {
  return {
    tool: {name: 'acldrift', version: '0.1.0'},
    baseline: {source: 'acldrift.baseline.json', commit: null},
    target: {source: 'ref', commit: 'a'.repeat(40)},
    summary: {documents: 3, widening: i % 3, narrowing: 0, possibleWidening: 0, invalid: 0},
    findings: [
      {
        id: `f${i}`,
        rule: 'wildcard-action',
        severity: 'high',
        file: 'iam/app.json',
        commit: 'b'.repeat(40),
        actor: 'agent',
      },
    ],
    exitCode: i % 3 === 0 ? 0 : 1,
  }
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')

async function readLines(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8')
  return text.split('\n').slice(0, -1)
}

async function writeLines(file: string, lines: string[]): Promise<void> {
  await writeFile(file, lines.map((line) => `${line}\n`).join(''))
}

/** A copy of the 50-record log with `edit` applied to its lines. */
async function tampered(edit: (lines: string[]) => string[]): Promise<string> {
  const file = join(await scratch(), 'log.jsonl')
  await writeLines(file, edit(await readLines(fifty)))
  return file
}

/**
 * An independent check of the chain over the complete lines of `text`: seq 1..n, each prev the
 * sha256 of the line before, each hash the sha256 of the sorted-key JSON of the rest.
 */
function chainIsIntact(text: string): boolean {
  const lines = text.split('\n').slice(0, -1)
  let prev = GENESIS_PREV
  return lines.every((line, index) => {
    const {hash, ...content} = JSON.parse(line) as AuditRecord
    const intact =
      content.seq === index + 1 && content.prev === prev && hash === sha256(canonicalJson(content))
    prev = sha256(line)
    return intact
  })
}

describe('record format', () => {
  it('canonical JSON sorts keys recursively and has no spaces', () => {
    expect(canonicalJson({b: 1, a: [{d: 'x y', c: null}], é: true, A: 1.5})).toBe(
      '{"A":1.5,"a":[{"c":null,"d":"x y"}],"b":1,"é":true}',
    )
  })

  it('writes one line per record: seq, time, prev of the previous line, hash of the canonical content', async () => {
    const file = join(await scratch(), 'log.jsonl')
    const first = await appendRecord(file, {z: 1, a: {y: 2, x: undefined}}, new Date('2026-02-03T04:05:06Z'))
    const second = await appendRecord(file, {n: 2})
    const text = await readFile(file, 'utf8')
    const [line1, line2] = text.split('\n')
    expect(text.endsWith('\n')).toBe(true)
    expect(line1).toBe(
      `{"seq":1,"time":"2026-02-03T04:05:06.000Z","prev":"${GENESIS_PREV}","entry":{"a":{"y":2},"z":1},"hash":"${first.hash}"}`,
    )
    expect(first.hash).toBe(
      sha256(
        `{"entry":{"a":{"y":2},"z":1},"prev":"${GENESIS_PREV}","seq":1,"time":"2026-02-03T04:05:06.000Z"}`,
      ),
    )
    expect(second).toMatchObject({seq: 2, prev: sha256(line1), entry: {n: 2}})
    expect(JSON.parse(line2)).toEqual(second)
  })
})

describe('verifyLog', () => {
  it('accepts a chain of 50 appends', async () => {
    expect(await verifyLog(fifty)).toMatchObject({ok: true, records: 50, problems: []})
    expect(chainIsIntact(await readFile(fifty, 'utf8'))).toBe(true)
  })

  it('accepts an empty log', async () => {
    const file = join(await scratch(), 'empty.jsonl')
    await writeFile(file, '')
    expect(await verifyLog(file)).toMatchObject({ok: true, records: 0, problems: []})
  })

  it('detects an edited field of a past record, at its line', async () => {
    const file = await tampered((lines) =>
      lines.map((line, i) => (i === 9 ? line.replace('"exitCode":1', '"exitCode":0') : line)),
    )
    expect(await verifyLog(file)).toMatchObject({
      ok: false,
      records: 50,
      problems: [{line: 10, message: 'line 10: record 10 was modified (hash does not match its content)'}],
    })
  })

  it('detects an edited record whose hash was recomputed, at the next line', async () => {
    const file = await tampered((lines) => {
      const record = JSON.parse(lines[9]) as AuditRecord
      record.entry.exitCode = 0
      record.hash = sha256(
        canonicalJson({seq: record.seq, time: record.time, prev: record.prev, entry: record.entry}),
      )
      return lines.map((line, i) => (i === 9 ? JSON.stringify(record) : line))
    })
    const result = await verifyLog(file)
    expect(result.problems).toEqual([
      {
        line: 11,
        message:
          'line 11: record 11 does not follow line 10 (its prev hash does not match that line): ' +
          'record 10 was replaced or the log was spliced',
      },
    ])
  })

  it('detects a deleted middle line', async () => {
    const file = await tampered((lines) => lines.filter((_, i) => i !== 24))
    expect((await verifyLog(file)).problems).toEqual([
      {
        line: 25,
        message: 'line 25: record 26 does not follow record 24 (record 25 was removed or reordered)',
      },
    ])
  })

  it('detects two swapped lines', async () => {
    const file = await tampered((lines) => [...lines.slice(0, 9), lines[10], lines[9], ...lines.slice(11)])
    expect((await verifyLog(file)).problems).toEqual([
      {line: 10, message: 'line 10: record 11 does not follow record 9 (record 10 was removed or reordered)'},
      {
        line: 11,
        message:
          'line 11: record 10 is out of order (it follows record 11): records were reordered or duplicated',
      },
      {
        line: 12,
        message: 'line 12: record 12 does not follow record 10 (record 11 was removed or reordered)',
      },
    ])
  })

  it('detects a deleted first line', async () => {
    const file = await tampered((lines) => lines.slice(1))
    expect((await verifyLog(file)).problems).toEqual([
      {line: 1, message: 'line 1: the log starts at record 2: record 1 was removed'},
    ])
  })

  it('detects a truncated last line, and append refuses to chain onto it', async () => {
    const file = join(await scratch(), 'log.jsonl')
    await copyFile(fifty, file)
    const size = statSync(file).size
    const lastLineStart = size - (await readLines(file))[49].length - 1
    await truncate(file, size - 10)
    expect(await verifyLog(file)).toMatchObject({
      ok: false,
      records: 49,
      problems: [
        {
          line: 50,
          message: `line 50: truncated last line (${size - 10 - lastLineStart} bytes without a trailing newline): a write was interrupted or the file was cut`,
        },
      ],
    })
    const refused = appendRecord(file, {n: 51})
    await expect(refused).rejects.toThrow(AuditLogError)
    await expect(refused).rejects.toThrow(
      `the last line is incomplete (bytes ${lastLineStart} to ${size - 10}`,
    )
    await expect(refused).rejects.toThrow(`truncate -s ${lastLineStart} ${file}`)
    expect(statSync(file).size).toBe(size - 10) // untouched

    // Following the error's advice restores a log that can be appended to.
    await truncate(file, lastLineStart)
    expect(await appendRecord(file, {n: 50})).toMatchObject({seq: 50})
    expect(await verifyLog(file)).toMatchObject({ok: true, records: 50, problems: []})
  })

  it('reports a line that is not JSON, without blaming the next record for it', async () => {
    const file = await tampered((lines) => lines.map((line, i) => (i === 4 ? 'garbage' : line)))
    const result = await verifyLog(file)
    expect(result.records).toBe(49)
    expect(result.problems).toHaveLength(1)
    expect(result.problems[0].line).toBe(5)
    expect(result.problems[0].message).toMatch(/^line 5: not an audit record: not JSON \(/)
  })

  it('reports fields outside the hash and records that are reformatted', async () => {
    const file = await tampered((lines) =>
      lines.map((line, i) => {
        if (i === 49) return line.replace('{"seq":50,', '{"seq":50,"note":"added",')
        if (i === 48) return JSON.stringify(JSON.parse(line), null, 1).replaceAll('\n', '')
        return line
      }),
    )
    expect((await verifyLog(file)).problems).toEqual([
      {
        line: 49,
        message:
          'line 49: record 49 was rewritten (its hash matches, but the line is not spelled as acldrift writes it)',
      },
      {
        line: 50,
        message:
          'line 50: not an audit record: unexpected field "note" (fields outside the hash are not allowed)',
      },
    ])
    await expect(appendRecord(file, {n: 51})).rejects.toThrow(
      /the last line is not a valid record \(unexpected field/,
    )
  })

  it('cannot tell from the file alone that whole records were cut from the end; the anchor of an earlier head can', async () => {
    const file = await tampered((lines) => lines.slice(0, 40))
    const head = (await verifyLog(fifty)).head!
    expect(head).toMatchObject({seq: 50})
    expect(await verifyLog(file)).toMatchObject({ok: true, records: 40, problems: [], head: {seq: 40}})
    expect(await verifyLog(file, {expectHead: head})).toMatchObject({
      ok: false,
      problems: [
        {
          line: 41,
          message: expect.stringContaining('the log ends at record 40, but the anchor names record 50'),
        },
      ],
    })
    // A later head is fine (records appended since); a different record under the anchor's number is not.
    expect(
      await verifyLog(fifty, {expectHead: {seq: 40, hash: JSON.parse((await readLines(fifty))[39]!).hash}}),
    ).toMatchObject({ok: true})
    expect(await verifyLog(fifty, {expectHead: {seq: 40, hash: 'f'.repeat(64)}})).toMatchObject({
      ok: false,
      problems: [{message: expect.stringContaining('record 40 is not the anchored one')}],
    })
    expect(parseLogHead(`50:${head.hash}`)).toEqual(head)
    for (const text of ['50', `0:${head.hash}`, `50:${head.hash.slice(1)}`, `x:${head.hash}`])
      expect(parseLogHead(text)).toBeUndefined()
  })
})

describe('a keyed log (ACLDRIFT_LOG_KEY)', () => {
  const key = logKey('k'.repeat(32))!
  it('every record carries the HMAC of its hash, which only the key verifies', async () => {
    const file = join(await scratch(), 'keyed.jsonl')
    for (let i = 1; i <= 3; i++) await appendRecord(file, entryFor(i), new Date(), {key})
    const [first] = await readLines(file)
    const record = JSON.parse(first!) as AuditRecord
    expect(record.mac).toBe(createHmac('sha256', 'k'.repeat(32)).update(record.hash).digest('hex'))
    expect(await verifyLog(file, {key})).toMatchObject({ok: true, records: 3, authenticated: true})
    expect(await verifyLog(file, {key: logKey('j'.repeat(32))})).toMatchObject({
      ok: false,
      problems: {length: 3},
    })
    // Without the key: said once, and not a pass.
    expect(await verifyLog(file)).toMatchObject({ok: false, authenticated: false, problems: {length: 1}})
  })

  it('is keyed from its first record or never: mixing is refused before and at the append', async () => {
    const dir = await scratch()
    const [keyed, plain] = [join(dir, 'keyed.jsonl'), join(dir, 'plain.jsonl')]
    await appendRecord(keyed, {n: 1}, new Date(), {key})
    await appendRecord(plain, {n: 1})
    await expect(prepareAppend(keyed, undefined)).rejects.toThrow('ACLDRIFT_LOG_KEY is not set')
    await expect(appendRecord(keyed, {n: 2})).rejects.toThrow(AuditLogError)
    await expect(prepareAppend(plain, key)).rejects.toThrow('start a new log file')
    await expect(appendRecord(plain, {n: 2}, new Date(), {key})).rejects.toThrow(AuditLogError)
    await expect(prepareAppend(keyed, logKey('j'.repeat(32)))).rejects.toThrow(
      'MAC of its last record (1) does not match',
    )
    // A missing directory is made up front.
    await prepareAppend(join(dir, 'a', 'b', 'log.jsonl'), key)
    expect(existsSync(join(dir, 'a', 'b'))).toBe(true)
  })

  it('a key too short to be secret is refused; unset or empty is no key', () => {
    expect(() => logKey('short')).toThrow(EnvironmentError)
    expect(logKey(undefined)).toBeUndefined()
    expect(logKey('')).toBeUndefined()
  })
})

describe('appendRecord with other appenders', () => {
  it('verifies a log while another process appends to it, never seeing a line half written', async () => {
    requireBuild()
    const file = join(await scratch(), 'log.jsonl')
    // Long enough a burst that the reader surely looks in while it is under way, even on a busy machine.
    const child = startChild([file, '600', 'writer'])
    await child.started
    let running = true
    void child.exited.then(() => (running = false))
    const seen: number[] = []
    while (running) {
      const result = await verifyLog(file)
      expect(result.problems).toEqual([])
      seen.push(result.records)
    }
    expect((await child.exited).code).toBe(0)
    expect(
      seen.some((records) => records > 0 && records < 600),
      `saw ${seen.join(', ')}`,
    ).toBe(true)
    expect(await verifyLog(file)).toMatchObject({ok: true, records: 600, problems: []})
  })

  it('serializes concurrent appends from one process', async () => {
    const file = join(await scratch(), 'log.jsonl')
    const records = await Promise.all(Array.from({length: 20}, (_, i) => appendRecord(file, {i})))
    expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({length: 20}, (_, i) => i + 1))
    expect(await verifyLog(file)).toMatchObject({ok: true, records: 20, problems: []})
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('keeps every record of two processes appending 100 records each at once', async () => {
    requireBuild()
    const file = join(await scratch(), 'log.jsonl')
    const results = await Promise.all(['a', 'b'].map((writer) => runChild([file, '100', writer])))
    for (const result of results) expect(result).toEqual({code: 0, signal: null, stderr: ''})
    expect(await verifyLog(file)).toMatchObject({ok: true, records: 200, problems: []})
    const entries = (await readLines(file)).map((line) => (JSON.parse(line) as AuditRecord).entry)
    for (const writer of ['a', 'b']) {
      expect(entries.filter((e) => e.writer === writer).map((e) => e.i)).toEqual(
        Array.from({length: 100}, (_, i) => i + 1),
      )
    }
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('recovers a lock left by a dead process', async () => {
    const file = join(await scratch(), 'log.jsonl')
    await appendRecord(file, {n: 1})
    const dead = await deadPid()
    await writeFile(
      `${file}.lock`,
      JSON.stringify({pid: dead, hostname: hostname(), threadId: 0, token: 'x', time: ''}),
    )
    const started = Date.now()
    await appendRecord(file, {n: 2}, new Date(), {lockTimeoutMs: 5_000})
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(existsSync(`${file}.lock`)).toBe(false)
    expect(await verifyLog(file)).toMatchObject({ok: true, records: 2})
  })

  it('sweeps private lock files left by writers killed while taking the lock', async () => {
    const dir = await scratch()
    const file = join(dir, 'log.jsonl')
    const old = join(dir, 'log.jsonl.lock.0123456789abcdef')
    const recent = join(dir, 'log.jsonl.lock.fedcba9876543210')
    await writeFile(old, '{}')
    await writeFile(recent, '{}')
    const aMinuteAgo = new Date(Date.now() - 60_000)
    await utimes(old, aMinuteAgo, aMinuteAgo)
    await appendRecord(file, {n: 1})
    expect(existsSync(old)).toBe(false)
    expect(existsSync(recent)).toBe(true) // may belong to a writer taking the lock right now
  })

  it('waits for a live holder, names it on timeout, and breaks its lock once it is older than the stale limit', async () => {
    const file = join(await scratch(), 'log.jsonl')
    const lock = `${file}.lock`
    const live = process.ppid
    await writeFile(
      lock,
      JSON.stringify({pid: live, hostname: hostname(), threadId: 0, token: 'x', time: 'T'}),
    )
    const waited = appendRecord(file, {n: 1}, new Date(), {lockTimeoutMs: 300})
    await expect(waited).rejects.toThrow(EnvironmentError)
    await expect(waited).rejects.toThrow(`${lock} is held by pid ${live} on ${hostname()} since T`)
    expect(existsSync(file) ? (await readFile(file, 'utf8')).length : 0).toBe(0)

    const aMinuteAgo = new Date(Date.now() - 60_000)
    await utimes(lock, aMinuteAgo, aMinuteAgo)
    await appendRecord(file, {n: 1}, new Date(), {lockTimeoutMs: 2_000, staleLockMs: 30_000})
    expect(await verifyLog(file)).toMatchObject({ok: true, records: 1})
  })

  it('after a writer is killed with SIGKILL mid-burst, the log is valid or torn at its last line only', async () => {
    requireBuild()
    const file = join(await scratch(), 'log.jsonl')
    for (let round = 1; round <= 4; round++) {
      const child = startChild([file, '0', `killed-${round}`])
      await child.started
      await sleep(5 + Math.random() * 60)
      child.process.kill('SIGKILL')
      await child.exited

      const bytes = await readFile(file)
      const result = await verifyLog(file)
      const lines = bytes.toString('utf8').split('\n')
      if (bytes.at(-1) === 0x0a) {
        expect(result).toMatchObject({ok: true, records: lines.length - 1, problems: []})
      } else {
        expect(result.problems).toHaveLength(1)
        expect(result.problems[0]).toMatchObject({
          line: lines.length,
          message: expect.stringMatching(/truncated last line/),
        })
        await expect(appendRecord(file, {round})).rejects.toThrow(AuditLogError)
        await truncate(file, bytes.lastIndexOf(0x0a) + 1)
      }
      // Whatever verifyLog accepts is a chain that is really intact.
      expect(chainIsIntact(await readFile(file, 'utf8'))).toBe(true)
      // The killed writer may have left its lock; the next append recovers it (its pid is dead).
      await appendRecord(file, {round}, new Date(), {lockTimeoutMs: 5_000})
      expect((await verifyLog(file)).ok).toBe(true)
    }
  })
})

describe('file system errors', () => {
  it('are environment errors naming what is wrong', async () => {
    const dir = await scratch()
    await expect(appendRecord(join(dir, 'missing', 'log.jsonl'), {})).rejects.toThrow(
      new EnvironmentError(
        `cannot append to audit log ${join(dir, 'missing', 'log.jsonl')}: the directory ${join(dir, 'missing')} does not exist`,
      ),
    )
    await expect(verifyLog(join(dir, 'nope.jsonl'))).rejects.toThrow(
      new EnvironmentError(`cannot read audit log ${join(dir, 'nope.jsonl')}: it does not exist`),
    )
    expect(readdirSync(dir)).toEqual([]) // nothing created on the way
    await expect(appendRecord(dir, {})).rejects.toThrow(EnvironmentError)
    await expect(verifyLog(dir)).rejects.toThrow(/is a directory/)
  })

  it.skipIf(process.getuid?.() === 0)('reports permission denied', async () => {
    const dir = await scratch()
    await chmod(dir, 0o500)
    try {
      await expect(appendRecord(join(dir, 'log.jsonl'), {})).rejects.toThrow(/permission denied/)
    } finally {
      await chmod(dir, 0o700)
    }
  })
})

// --- child processes -------------------------------------------------------------------------

function requireBuild(): void {
  const sources = ['log.ts', 'lock.ts'].map((name) => join(projectRoot, 'src', 'core', 'audit-log', name))
  const fresh =
    existsSync(compiledModule) &&
    sources.every((source) => statSync(source).mtimeMs <= statSync(compiledModule).mtimeMs)
  if (!fresh) throw new Error(`${compiledModule} is missing or older than its source: run \`npm run build\``)
}

interface Child {
  process: ReturnType<typeof spawn>
  started: Promise<void>
  exited: Promise<{code: number | null; signal: NodeJS.Signals | null; stderr: string}>
}

function startChild(args: string[]): Child {
  const child = spawn(process.execPath, [childScript, compiledModule, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => resolve())
    child.on('exit', () => reject(new Error(`child exited before its first append: ${stderr}`)))
  })
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null; stderr: string}>(
    (resolve) => child.on('exit', (code, signal) => resolve({code, signal, stderr})),
  )
  started.catch(() => undefined) // a child that is only awaited on exit need not be awaited on start
  return {process: child, started, exited}
}

const runChild = (args: string[]) => startChild(args).exited

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'])
  await new Promise((resolve) => child.on('exit', resolve))
  return child.pid as number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
