// The audit log against someone who can write the log file but does not hold ACLDRIFT_LOG_KEY (an
// agent with the repository, a workflow step), through the built CLI. One repository, one keyed
// log of three audits; each attack edits a copy and must be caught:
// - rewriting a record (a widening taken out) and recomputing the whole hash chain → the MACs;
// - cutting the last records → the anchor (`--expect-head`, from the audit's report);
// - stripping the MACs, and verifying or appending without the key → refused.
// And `--log` into a directory that does not exist yet is created before the audit works.

import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {copyFile, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {beforeAll, describe, it} from 'vitest'
import {canonicalJson} from '../../src/kernel/hash.js'
import {runCli} from '../helpers/repo.js'
import {
  dump,
  expectValidReport,
  expectValidSarif,
  initialisedThenMadePublicByAgent,
  repoFactory,
  type Report,
} from './helpers.js'

const newRepo = repoFactory()
const KEY = 'c2VjcmV0LWZyb20tdGhlLWNpLXNlY3JldHMtc3RvcmU'
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

interface LogRecord {
  seq: number
  time: string
  prev: string
  entry: {summary: {widening: number}; findings: unknown[]; exitCode: number}
  hash: string
  mac?: string
}

/** The log with `edit` applied, then every hash and prev recomputed, as an attacker without the key can. */
function forged(lines: string[], edit: (records: LogRecord[]) => LogRecord[]): string {
  let prev = '0'.repeat(64)
  const out: string[] = []
  for (const record of edit(lines.map((line) => JSON.parse(line) as LogRecord))) {
    const hash = sha256(canonicalJson({seq: record.seq, time: record.time, prev, entry: record.entry}))
    const line =
      `{"seq":${record.seq},"time":${JSON.stringify(record.time)},"prev":"${prev}",` +
      `"entry":${canonicalJson(record.entry)},"hash":"${hash}"` +
      (record.mac === undefined ? '}' : `,"mac":"${record.mac}"}`)
    out.push(line)
    prev = sha256(line)
  }
  return out.map((line) => `${line}\n`).join('')
}

describe('the audit log, keyed and anchored', () => {
  let dir: string
  let log: string
  let lines: string[]
  let anchor: string
  const audit = (args: string[], env: Record<string, string | undefined> = {ACLDRIFT_LOG_KEY: KEY}) =>
    runCli(['audit', ...args], {cwd: dir, env})
  const verify = (file: string, ...args: string[]) => audit(['--verify-log', '--log', file, ...args])

  beforeAll(async () => {
    const r = await newRepo()
    dir = r.dir
    await initialisedThenMadePublicByAgent(r)
    // Into a directory that does not exist yet: created before the audit works.
    log = join(dir, 'audit-logs', 'nightly', 'audit.jsonl')
    for (let run = 1; run <= 3; run++) {
      const ran = await audit(['--log', log, '--report-dir', 'reports'])
      if (ran.code !== 1) throw new Error(dump(ran))
    }
    lines = (await readFile(log, 'utf8')).trimEnd().split('\n')
    const report = JSON.parse(
      await readFile(join(dir, 'reports', 'acldrift-report.json'), 'utf8'),
    ) as Report & {
      auditLog: {file: string; seq: number; hash: string}
    }
    anchor = `${report.auditLog.seq}:${report.auditLog.hash}`
  }, 120_000)

  it('each audit names its record (seq and hash) in its reports and on standard error; the log verifies with its key', async ({
    expect,
  }) => {
    expect(lines).toHaveLength(3)
    const last = JSON.parse(lines[2]!) as LogRecord
    expect(anchor).toBe(`3:${last.hash}`)
    expect(last.mac).toMatch(/^[0-9a-f]{64}$/)
    const sarif: unknown = JSON.parse(await readFile(join(dir, 'reports', 'acldrift-report.sarif'), 'utf8'))
    expectValidSarif(sarif)
    expect((sarif.runs[0] as {properties?: Record<string, unknown>}).properties?.acldriftAuditLog).toEqual({
      file: log,
      seq: 3,
      hash: last.hash,
    })
    const json = await audit(['--log', join(dir, 'other.jsonl'), '--format', 'json'])
    const report = JSON.parse(json.stdout) as Report
    expectValidReport(report)
    expect(json.stderr).toContain(`head 1:`)
    const ok = await verify(log, '--expect-head', anchor)
    expect(ok.code, dump(ok)).toBe(0)
    expect(ok.stdout).toContain('3 records, hash chain and MACs intact')
  })

  it.for([
    {
      attack: 'a widening taken out of record 2, the chain recomputed',
      edit: (records: LogRecord[]) =>
        records.map((r) =>
          r.seq === 2
            ? {
                ...r,
                entry: {...r.entry, summary: {...r.entry.summary, widening: 0}, findings: [], exitCode: 0},
              }
            : r,
        ),
      caught: /record 2's MAC does not match/,
    },
    {
      attack: 'the MACs stripped, the chain recomputed',
      edit: (records: LogRecord[]) => records.map(({mac: _mac, ...r}) => r),
      caught: /record 1 carries no MAC/,
    },
    {
      attack: 'the last record cut off (checked against the anchor)',
      edit: (records: LogRecord[]) => records.slice(0, -1),
      caught: /the log ends at record 2, but the anchor names record 3: the tail of the log was removed/,
    },
  ])('caught: $attack', async ({attack, edit, caught}, {expect}) => {
    const copy = join(dir, `forged-${attack.length}.jsonl`)
    await writeFile(copy, forged(lines, edit))
    const result = await verify(copy, '--expect-head', anchor)
    expect(result.code, dump(result)).toBe(3)
    expect(result.stdout).toMatch(caught)
    // Caught by the key or the anchor: the forged hash chain itself checks out, as a real attacker's would.
    expect(result.stdout).not.toMatch(
      /not match its content|does not follow|out of order|rewritten \(its hash/,
    )
  })

  it('without the key: verifying fails, appending is refused before the audit runs', async ({expect}) => {
    const copy = join(dir, 'copy.jsonl')
    await copyFile(log, copy)
    const unkeyed = await audit(['--verify-log', '--log', copy], {ACLDRIFT_LOG_KEY: undefined})
    expect(unkeyed.code, dump(unkeyed)).toBe(3)
    expect(unkeyed.stdout).toContain('ACLDRIFT_LOG_KEY is not set: the log cannot be authenticated')
    const out = join(dir, 'not-written.json')
    const append = await audit(['--log', copy, '--format', 'json', '--output', out], {
      ACLDRIFT_LOG_KEY: undefined,
    })
    expect(append.code, dump(append)).toBe(3)
    expect(append.stderr).toContain('ACLDRIFT_LOG_KEY is not set: not appending')
    expect(existsSync(out), 'refused before the work, not after').toBe(false)
    expect(await readFile(copy, 'utf8')).toBe(await readFile(log, 'utf8'))
    // A wrong key is no key.
    const wrong = await audit(['--verify-log', '--log', copy], {ACLDRIFT_LOG_KEY: `${KEY}-guessed`})
    expect(wrong.code, dump(wrong)).toBe(3)
    expect(wrong.stdout).toMatch(/record 1's MAC does not match/)
  })
})
