// Hostile and broken input through the built CLI in real repositories: every class fails closed
// (exit 3) naming the file, and the line where there is one, in every command that reads it
// (check of the working tree, the index and a revision, validate, audit), with no stack trace,
// in bounded time and memory. What looks hostile but is valid (a BOM, CRLF, keys
// named __proto__) is read as data. Nothing is ever written outside the repository.

import {mkdir, readdir, readFile, symlink, writeFile} from 'node:fs/promises'
import {join, relative} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createRepo, makeTempDir, runCli, type RunResult, type TestRepo} from '../helpers/repo.js'
import {checkJson, commitFiles, expectConsistentSummary, expectValidReport, type Report} from './helpers.js'
import {policyText, positionOf} from './policies.js'

// Every run gets a small heap: an alias bomb expanded, or the 50 MB file decoded to a string, would
// not fit (the file's bytes outside the heap are measured by the peak-RSS test below).
const SMALL_HEAP = {NODE_OPTIONS: '--max-old-space-size=64'}
/** Seconds any one run may take: the hostile files must cost no more than ordinary ones. */
const TIME_LIMIT_MS = 20_000

const CONFIG = `version: 1
documents:
  - glob: "iam/**/*.json"
    kind: aws-iam
  - glob: "k8s/**/*.yaml"
    kind: k8s-rbac
`

const okPolicy = policyText({
  Version: '2012-10-17',
  Statement: [{Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-reports/*'}],
})

const ROLE_HEAD = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader\n'

/** A policy whose NUL bytes start after a plausible beginning, as a binary blob renamed .json would. */
const binary = Buffer.concat([
  Buffer.from('{"Statement": ['),
  Buffer.from([0x00, 0xff, 0x10, 0x00, 0x89, 0x50]),
])

/** "Billion laughs": nine aliases of nine aliases … expands to 9^6 strings. */
const aliasBomb = `${ROLE_HEAD}a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
rules: [*e,*e,*e,*e,*e,*e,*e,*e,*e]
`

/** 300 anchors, each nesting the previous one: depth and expansion grow with every line. */
const deepAnchors = `${ROLE_HEAD}${Array.from({length: 300}, (_, i) => `a${i}: &a${i} [${i === 0 ? '"get"' : `*a${i - 1}`}]`).join('\n')}\nrules: *a299\n`

/** Just over 50 MB of statements: valid JSON, and a grant at the very end. */
function hugePolicy(): Buffer {
  const statement = '{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-reports/x"},'
  const body = statement.repeat(Math.ceil(50_000_000 / statement.length))
  return Buffer.from(
    `{"Version":"2012-10-17","Statement":[${body}{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
  )
}

/** A later duplicate key silently wins in JSON.parse: here it would turn a Deny into an Allow. */
const duplicateKey = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": "*",
      "Effect": "Allow"
    }
  ]
}
`

const duplicateYamlKey = `${ROLE_HEAD}rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get"]
    resources: ["secrets"]
`

/** `__proto__` where the policy's keys belong: an own key, never a prototype, so there is no Statement. */
const protoPolicy =
  '{"__proto__": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}\n'

interface HostileCase {
  file: string
  content: string | Buffer
  message: RegExp
  /** the line the error must name, where one is meaningful */
  line?: number
}

const malformedJson =
  '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",, "Action": "*"}\n'
const malformedYaml = `${ROLE_HEAD}rules:\n  - verbs: ["get"\n    resources: [secrets]]\n`

const CASES: HostileCase[] = [
  {file: 'iam/malformed.json', content: malformedJson, message: /expected/, line: 4},
  {file: 'k8s/malformed.yaml', content: malformedYaml, message: /./, line: 7},
  {file: 'k8s/alias-bomb.yaml', content: aliasBomb, message: /alias bomb/, line: 6},
  {file: 'k8s/deep-anchors.yaml', content: deepAnchors, message: /alias|nesting/},
  {
    file: 'iam/huge.json',
    content: hugePolicy(),
    message: /file too large: 5\d{7} bytes, the limit is 10485760 bytes/,
  },
  {file: 'iam/binary.json', content: binary, message: /binary file/, line: 1},
  {
    file: 'iam/deep.json',
    content: `{"Statement": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    message: /nesting deeper than 256 levels/,
    line: 1,
  },
  {
    file: 'k8s/deep.yaml',
    content: `${ROLE_HEAD}rules: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
    message: /nesting too deep/,
  },
  {
    file: 'iam/duplicate-key.json',
    content: duplicateKey,
    message: /duplicate key "Effect"/,
    line: positionOf(duplicateKey, '"Effect": "Allow"').line,
  },
  {file: 'k8s/duplicate-key.yaml', content: duplicateYamlKey, message: /duplicate|unique/i, line: 9},
  {
    file: 'iam/latin1.json',
    content: Buffer.from(
      '{\n  "Version": "2012-10-17",\n  "Statement": [{"Sid": "Caf\xe9", "Effect": "Allow"}]\n}\n',
      'latin1',
    ),
    message: /invalid UTF-8/,
    line: 3,
  },
  {
    file: 'iam/utf16.json',
    content: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(okPolicy, 'utf16le')]),
    message: /binary file|invalid UTF-8/,
  },
  {file: 'iam/proto.json', content: protoPolicy, message: /__proto__|Statement/},
  {file: 'iam/empty.json', content: '', message: /./},
]

/** The CLI failed closed without crashing: exit 3, no stack trace, in bounded time. */
function expectFailedClosed(result: RunResult & {ms: number}): void {
  expect(result.code, result.stderr + result.stdout.slice(0, 2000)).toBe(3)
  expect(result.stderr).not.toMatch(/^\s+at /m)
  expect(result.stderr).not.toMatch(/heap|out of memory|RangeError|TypeError|SyntaxError/i)
  expect(result.ms).toBeLessThan(TIME_LIMIT_MS)
}

async function timed(args: string[], cwd: string): Promise<RunResult & {ms: number}> {
  const start = Date.now()
  const result = await runCli(args, {cwd, env: SMALL_HEAP, timeoutMs: 3 * TIME_LIMIT_MS})
  return {...result, ms: Date.now() - start}
}

/** Every case is among the errors, naming its file (and line where one is meaningful). */
function expectEveryCase(errors: Array<{file: string; line?: number; message: string}>): void {
  for (const c of CASES) {
    const mine = errors.filter((e) => e.file === c.file)
    expect(mine.length, `${c.file} is not reported: ${JSON.stringify(errors)}`).toBeGreaterThan(0)
    expect(
      mine.some((e) => c.message.test(e.message)),
      `${c.file}: ${JSON.stringify(mine)}`,
    ).toBe(true)
    if (c.line !== undefined)
      expect(
        mine.map((e) => e.line),
        c.file,
      ).toContain(c.line)
  }
}

function reportOf(result: RunResult): Report {
  const report: unknown = JSON.parse(result.stdout)
  expectValidReport(report)
  expectConsistentSummary(report)
  return report
}

/**
 * One repository for the whole table: `base` holds valid files only, `hostile` adds every case.
 * HEAD is left at `base` with the hostile files staged and in the working tree, so that the
 * index, the working tree and a revision all hold them at once.
 */
describe.concurrent('hostile input fails closed naming the file, in every command', () => {
  let repo: TestRepo
  beforeAll(async () => {
    repo = await createRepo()
    await commitFiles(
      repo,
      {'acldrift.config.yaml': CONFIG, 'iam/ok.json': okPolicy, 'k8s/ok.yaml': `${ROLE_HEAD}rules: []\n`},
      'Valid configs',
    )
    await repo.git('tag', 'base')
    for (const c of CASES) await repo.write(c.file, c.content)
    await repo.stage()
    await repo.commit('Hostile configs')
    await repo.git('tag', 'hostile')
    await repo.git('reset', '--soft', 'base')
  }, 60_000)
  afterAll(() => repo.cleanup())

  it('check --staged (the index)', async () => {
    const result = await timed(['check', '--staged', '--format', 'json'], repo.dir)
    expectFailedClosed(result)
    expectEveryCase(reportOf(result).errors)
  })

  it('check (the working tree)', async () => {
    const result = await timed(['check', '--format', 'json'], repo.dir)
    expectFailedClosed(result)
    expectEveryCase(reportOf(result).errors)
  })

  it('check --ref (a revision, read through cat-file)', async () => {
    const result = await timed(
      ['check', '--ref', 'hostile', '--baseline', 'base', '--format', 'json'],
      repo.dir,
    )
    expectFailedClosed(result)
    expectEveryCase(reportOf(result).errors)
  })

  it('audit (a revision, with attribution and an audit log)', async () => {
    const log = join(repo.dir, 'audit.jsonl')
    const result = await timed(
      ['audit', '--ref', 'hostile', '--baseline', 'base', '--log', log, '--format', 'json'],
      repo.dir,
    )
    expectFailedClosed(result)
    expectEveryCase(reportOf(result).errors)
    const verify = await runCli(['audit', '--verify-log', '--log', log], {cwd: repo.dir})
    expect(verify.code, verify.stderr + verify.stdout).toBe(0)
    // Against itself, the broken files are broken on both sides: each problem is named once.
    const itself = await timed(
      ['audit', '--ref', 'hostile', '--baseline', 'hostile', '--format', 'json'],
      repo.dir,
    )
    expectFailedClosed(itself)
    const {errors} = reportOf(itself)
    expectEveryCase(errors)
    expect(new Set(errors.map((e) => JSON.stringify(e))).size).toBe(errors.length)
  })

  it('validate, and validate of the huge file by name', async () => {
    const all = await timed(['validate', '--format', 'json'], repo.dir)
    expectFailedClosed(all)
    expectEveryCase((JSON.parse(all.stdout) as {errors: Report['errors']}).errors)
    const named = await timed(['validate', 'iam/huge.json'], repo.dir)
    expectFailedClosed(named)
    expect(named.stdout + named.stderr).toMatch(/iam\/huge\.json:1:1 file too large/)
  })

  it('the 50 MB file costs no memory: it is rejected by its size, unread', async () => {
    // Peak RSS of the CLI, written at exit by a preloaded script (the heap limit alone would not
    // see a Buffer, which lives outside the heap).
    const probe = join(repo.dir, '.git', 'rss-probe.cjs')
    await writeFile(
      probe,
      "process.on('exit', () => require('fs').writeFileSync(process.env.RSS_FILE, String(process.resourceUsage().maxRSS)))\n",
    )
    // The same runs with the huge file excluded are the reference: the difference is its cost.
    const excluding = join(repo.dir, '.git', 'excluding-huge.yaml')
    await writeFile(excluding, `${CONFIG}exclude: [iam/huge.json]\n`)
    const peakKb = async (args: string[]) => {
      const out = join(repo.dir, '.git', `rss-${args.join('-').replace(/\W/g, '')}`)
      await runCli(args, {cwd: repo.dir, env: {NODE_OPTIONS: `--require ${probe}`, RSS_FILE: out}})
      return Number(await readFile(out, 'utf8'))
    }
    for (const args of [['check', '--ref', 'hostile', '--baseline', 'base'], ['check']]) {
      const [kb, reference] = [await peakKb(args), await peakKb([...args, '--config', excluding])]
      // Held whole it would cost more than its 50 MB (it did: 128 MB); streamed past, only the
      // pipe's chunks awaiting garbage collection show.
      expect(kb - reference, `${args.join(' ')}: ${kb} KB, ${reference} KB without it`).toBeLessThan(40_000)
    }
  })

  it('the pretty output names each file with its line, and nothing else fails', async () => {
    const result = await timed(['check', '--staged'], repo.dir)
    expectFailedClosed(result)
    for (const c of CASES) expect(result.stdout).toContain(`${c.file}:${c.line ?? ''}`)
    expect(result.stdout).toContain('0 documents')
  })
})

describe.concurrent('valid input that looks odd is read as data', () => {
  it('a BOM and CRLF line endings: parsed, with findings on the right line', async () => {
    const repo = await createRepo()
    try {
      await commitFiles(repo, {'iam/policy.json': okPolicy}, 'Approved')
      const widened = policyText({
        Version: '2012-10-17',
        Statement: [
          {Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-reports/*'},
          {Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-payroll/*'},
        ],
      })
      await repo.write('iam/policy.json', Buffer.from(`\ufeff${widened.replace(/\n/g, '\r\n')}`))
      const {code, report} = await checkJson(repo.dir)
      expect(code).toBe(1)
      expect(report.errors).toEqual([])
      expect(report.findings.map((f) => [f.rule, f.line])).toEqual([
        ['public-principal', positionOf(widened, '"Principal"').line - 2],
      ])
    } finally {
      await repo.cleanup()
    }
  })

  it('__proto__ and constructor condition keys are data: in the witness and the diff, and nothing is polluted', async () => {
    const repo = await createRepo()
    try {
      const statement = (condition: Record<string, string>) =>
        JSON.parse(
          `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-reports/*", "Condition": {"StringEquals": ${JSON.stringify(condition).replace('"proto"', '"__proto__"')}}}`,
        ) as unknown
      const policy = (condition: Record<string, string>) =>
        `{"Version": "2012-10-17", "Statement": [${JSON.stringify(statement(condition))}]}\n`
      // JSON.stringify writes an own __proto__ key as the data it is.
      await commitFiles(repo, {'iam/policy.json': policy({proto: 'a', constructor: 'b'})}, 'Approved')
      await repo.write('iam/policy.json', policy({proto: 'a'}))
      const {code, report, stdout} = await checkJson(repo.dir)
      expect(code).toBe(1)
      expect(report.errors).toEqual([])
      expect(report.findings.map((f) => f.rule)).toEqual(['condition-removed'])
      const [finding] = report.findings
      // The report is JSON: __proto__ comes back as an own key when parsed with JSON.parse.
      const context = finding!.witness!.context as Record<string, unknown>
      expect(Object.hasOwn(context, '__proto__')).toBe(true)
      expect(Object.getOwnPropertyDescriptor(context, '__proto__')?.value).toBe('a')
      expect(finding!.diff).toEqual([
        {kind: 'D', path: ['Condition', 'StringEquals', 'constructor'], lhs: 'b'},
      ])
      expect(stdout).toContain('"__proto__": "a"')
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    } finally {
      await repo.cleanup()
    }
  })
})

describe.concurrent('nothing is written outside the repository', () => {
  let outside: string
  beforeAll(async () => {
    outside = await makeTempDir('acldrift-outside-')
  })

  const widen = async (repo: TestRepo) => {
    await commitFiles(repo, {'iam/policy.json': okPolicy}, 'Approved')
    await repo.write(
      'iam/policy.json',
      policyText({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: 's3:*', Resource: '*'}]}),
    )
  }

  it("a config's `baseline: ../x` is refused by baseline update; --out given on the command line is honoured", async () => {
    const repo = await createRepo()
    try {
      const dir = join(outside, 'baseline-update')
      await mkdir(dir)
      await commitFiles(repo, {'iam/policy.json': okPolicy}, 'Approved')
      const file = join(dir, 'baseline.json')
      // The person running acldrift chose this path: it is written.
      const snapshot = await runCli(['snapshot', '--out', file], {cwd: repo.dir})
      expect(snapshot.code, snapshot.stderr).toBe(0)
      const before = await readFile(file, 'utf8')
      // The config comes from the repository: a path it chooses must stay inside.
      await repo.write('acldrift.config.yaml', `version: 1\nbaseline: ${relative(repo.dir, file)}\n`)
      const update = await runCli(['baseline', 'update'], {cwd: repo.dir})
      expect(update.code, update.stderr).toBe(3)
      expect(update.stderr).toMatch(/acldrift\.config\.yaml.*resolves outside the repository/)
      expect(await readFile(file, 'utf8')).toBe(before)
    } finally {
      await repo.cleanup()
    }
  })

  it('a .acldrift directory that is a symlink to elsewhere: approve and init refuse to write through it', async () => {
    const repo = await createRepo()
    try {
      const dir = join(outside, 'symlinked')
      await mkdir(dir)
      await widen(repo)
      await symlink(dir, join(repo.dir, '.acldrift'))
      const {report} = await checkJson(repo.dir)
      const id = report.findings.find((f) => f.change === 'widening')!.id
      const approve = await runCli(['approve', id, '--reason', 'needed', '--expires', '2099-12-31'], {
        cwd: repo.dir,
      })
      expect(approve.code, approve.stderr).toBe(3)
      expect(approve.stderr).toMatch(/\.acldrift\/approvals\.yaml.*resolves outside the repository/)
      const init = await runCli(['init'], {cwd: repo.dir})
      expect(init.code, init.stderr + init.stdout).toBe(3)
      expect(await readdir(dir)).toEqual([])
    } finally {
      await repo.cleanup()
    }
  })

  it('a config that is a symlink to /dev/zero, and a baseline that is /dev/zero: refused at once, not read', async () => {
    const repo = await createRepo()
    try {
      await widen(repo)
      await repo.symlink('/dev/zero', 'acldrift.config.yaml')
      const zero = await timed(['check'], repo.dir)
      expectFailedClosed(zero)
      expect(zero.stderr).toMatch(/acldrift\.config\.yaml:1:1 not a regular file/)
      await repo.remove('acldrift.config.yaml')
      await writeFile(join(repo.dir, 'acldrift.config.yaml'), 'version: 1\nbaseline: /dev/zero\n')
      const baseline = await timed(['check'], repo.dir)
      expectFailedClosed(baseline)
      expect(baseline.stderr).toMatch(/\/dev\/zero:1:1 not a regular file/)
    } finally {
      await repo.cleanup()
    }
  })
})

describe('a huge policy is compared in bounded time', () => {
  it('100,000 statements, one of them made public: found', async () => {
    const repo = await createRepo()
    try {
      // Compact, as generated policies are: 100k statements stay under the 10 MiB limit.
      const statements = Array.from({length: 100_000}, (_, i) => ({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::bucket-${i}/*`,
      }))
      const text = (extra: object[]) =>
        JSON.stringify({Version: '2012-10-17', Statement: [...statements, ...extra]})
      await commitFiles(repo, {'iam/generated.json': text([])}, 'Generated policy')
      await repo.write(
        'iam/generated.json',
        text([
          {Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket-7/*'},
        ]),
      )
      const {code, report, stderr} = await checkJson(repo.dir)
      expect(code, stderr).toBe(1)
      expect(report.findings.map((f) => `${f.change} ${f.severity} ${f.rule} ${f.pointer}`)).toEqual([
        'widening critical public-principal /Statement/100000',
      ])
      // About 8 s of CPU on a quiet machine (10,000 statements ran out of a 4 GB heap before the
      // engine searched only where the new statement can differ). Its speed is the bench's to
      // measure, not a wall-clock assertion's: on a busy machine it took over a minute.
    } finally {
      await repo.cleanup()
    }
  }, 120_000)
})
