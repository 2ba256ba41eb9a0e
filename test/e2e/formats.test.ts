// The four report formats of `acldrift check` and --output, on one shared, read-only history.

import {mkdir, readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, it} from 'vitest'
import {createRepo, makeTempDir, runCli, type TestRepo} from '../helpers/repo.js'
import {
  ANSI,
  checkJson,
  commitFiles,
  expectConsistentSummary,
  expectValidReport,
  expectValidSarif,
  hasScript,
  runCliInTerminal,
} from './helpers.js'
import {
  bucketPolicy,
  narrowedRolePolicy,
  policyText,
  publicBucketPolicy,
  rolePolicy,
  trustPolicy,
} from './policies.js'

const BUCKET_FILE = 'iam/buckets/payroll-exports.json'
const ROLE_FILE = 'iam/roles/reporting-dashboard.json'
const ODD_FILE = 'iam/buckets/team|<img src=x onerror=alert(1)>.json'

const FINDING_FIELDS = [
  'id',
  'kind',
  'file',
  'line',
  'pointer',
  'change',
  'severity',
  'rule',
  'message',
  'witness',
  'before',
  'after',
  'diff',
  'commit',
  'approval',
]

let repo: TestRepo
let outDir: string

/** v1.0.0 approved; HEAD opens the bucket and narrows the role; tag `broken` has an unparseable policy. */
beforeAll(async () => {
  repo = await createRepo()
  outDir = await makeTempDir('acldrift-out-')
  await commitFiles(repo, {
    [BUCKET_FILE]: policyText(bucketPolicy),
    [ROLE_FILE]: policyText(rolePolicy),
    'iam/roles/reporting-dashboard-trust.json': policyText(trustPolicy),
  })
  await repo.git('tag', 'v1.0.0')
  await commitFiles(repo, {
    [ROLE_FILE]: '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": }\n',
  })
  await repo.git('tag', 'broken')
  await repo.git('reset', '--quiet', '--hard', 'v1.0.0')
  await commitFiles(repo, {[ODD_FILE]: policyText(publicBucketPolicy)})
  await repo.git('tag', 'odd-name')
  await repo.git('reset', '--quiet', '--hard', 'v1.0.0')
  await commitFiles(repo, {
    [BUCKET_FILE]: policyText(publicBucketPolicy),
    [ROLE_FILE]: policyText(narrowedRolePolicy),
  })
})
afterAll(async () => {
  await repo.cleanup()
  await rm(outDir, {recursive: true, force: true})
})

const RANGE = ['--range', 'v1.0.0..HEAD']

describe.concurrent('--format json', () => {
  it('follows schemas/report.schema.json', async ({expect}) => {
    const {code, report, stderr} = await checkJson(repo.dir, RANGE)
    expect(code).toBe(1)
    expect(stderr).toBe('')
    expect(report.schemaVersion).toBe(1)
    expect(report.baseline).toEqual({source: 'v1.0.0', commit: expect.stringMatching(/^[0-9a-f]{40}$/)})
    expect(report.target.commit).toMatch(/^[0-9a-f]{40}$/)
    // The possible widening: the bucket's TLS-only Deny is gone, so what a principal's own IAM
    // policies allow over plain HTTP is no longer denied (deny-removed).
    expect(report.summary).toEqual({documents: 3, widening: 2, narrowing: 1, possibleWidening: 1, invalid: 0})
    for (const finding of report.findings) {
      for (const field of FINDING_FIELDS) expect(Object.hasOwn(finding, field), field).toBe(true)
      expect(finding.id).toMatch(/^\S+$/)
      expect(finding.kind).toBe('aws-iam')
      // A statement, or (a Deny removed, with no successor) the Statement list where it stood.
      expect(finding.pointer).toMatch(/^\/Statement(\/\d+)?$/)
      expect(finding.line).toBeGreaterThan(0)
      expect(finding.witness).not.toBeNull()
      expect(Array.isArray(finding.diff)).toBe(true)
    }
    // Widenings first, then possible ones.
    expect(report.findings.map((f) => f.change)).toEqual([
      'widening',
      'widening',
      'possible-widening',
      'narrowing',
    ])
    expect(new Set(report.findings.map((f) => f.id)).size).toBe(4)
  })

  it('invalid input goes to errors with file, line and column', async ({expect}) => {
    const {code, report} = await checkJson(repo.dir, ['--range', 'v1.0.0..broken'])
    expect(code).toBe(3)
    expect(report.errors).toEqual([
      expect.objectContaining({file: ROLE_FILE, line: 4, column: expect.any(Number)}),
    ])
    expect(report.summary.invalid).toBe(1)
  })
})

interface SarifResult {
  ruleId: string
  level: string
  message: {text: string}
  locations: {physicalLocation: {artifactLocation: {uri: string}; region?: {startLine: number}}}[]
  partialFingerprints: Record<string, string>
}

describe.concurrent('--format sarif', () => {
  it('is valid SARIF 2.1.0 with one result per finding at its file:line', async ({expect}) => {
    const [sarif, json] = await Promise.all([
      runCli(['check', ...RANGE, '--format', 'sarif'], {cwd: repo.dir}),
      checkJson(repo.dir, RANGE),
    ])
    expect(sarif.code).toBe(1)
    const log = JSON.parse(sarif.stdout)
    expectValidSarif(log)
    expect(log.version).toBe('2.1.0')
    const [run] = log.runs
    expect(run!.tool.driver.name).toBe('acldrift')
    const results = run!.results as SarifResult[]
    const ruleIds = run!.tool.driver.rules.map((r) => r.id)
    const located = (r: SarifResult) => {
      const {artifactLocation, region} = r.locations[0]!.physicalLocation
      return `${r.ruleId} ${decodeURIComponent(artifactLocation.uri)}:${region?.startLine}`
    }
    expect(results.map(located).sort()).toEqual(
      // A finding without a line in the target (a deleted file) is shown at its baseline line.
      json.report.findings
        .map((f) => `${f.kind}/${f.rule} ${f.file}:${f.line ?? f.baselineLocation?.line}`)
        .sort(),
    )
    for (const result of results) {
      expect(ruleIds).toContain(result.ruleId)
      const finding = json.report.findings.find((f) => f.id === result.partialFingerprints['acldrift/v1'])
      expect(finding, 'partial fingerprint is the finding id').toBeDefined()
      expect(result.ruleId).toBe(`${finding!.kind}/${finding!.rule}`)
    }
    const pub = results.find((r) => r.ruleId === 'aws-iam/public-principal')!
    expect(pub.level).toBe('error')
    expect(pub.message.text).toContain('s3:')
  })

  it('escapes file names into URIs and stays valid', async ({expect}) => {
    const result = await runCli(['check', '--range', 'v1.0.0..odd-name', '--format', 'sarif'], {
      cwd: repo.dir,
    })
    expect(result.code).toBe(1)
    const log = JSON.parse(result.stdout)
    expectValidSarif(log)
    const uris = (log.runs[0]!.results as SarifResult[]).map(
      (r) => r.locations[0]!.physicalLocation.artifactLocation.uri,
    )
    expect(uris.length).toBeGreaterThan(0)
    for (const uri of uris) {
      expect(uri).not.toMatch(/[|<> ]/)
      expect(decodeURIComponent(uri)).toBe(ODD_FILE)
    }
  })

  it('reports invalid input as a failed execution naming file:line', async ({expect}) => {
    const result = await runCli(['check', '--range', 'v1.0.0..broken', '--format', 'sarif'], {cwd: repo.dir})
    expect(result.code).toBe(3)
    const log = JSON.parse(result.stdout)
    expectValidSarif(log)
    const invocation = log.runs[0]!.invocations[0]!
    expect(invocation.executionSuccessful).toBe(false)
    expect(invocation.toolExecutionNotifications.map((n) => n.message.text).join('\n')).toContain(
      `${ROLE_FILE}:4:`,
    )
  })
})

describe.concurrent('--format markdown', () => {
  it('has a verdict, a table row per finding with its location, and the witness', async ({expect}) => {
    const result = await runCli(['check', ...RANGE, '--format', 'markdown'], {cwd: repo.dir})
    expect(result.code).toBe(1)
    const md = result.stdout
    expect(md).toMatch(/^## acldrift fails \(\d+ blocking\): .*widening/)
    expect(md).toContain('| ID | Severity | Change | Rule | Location | Witness | Actor | Status |')
    expect(md).toMatch(
      new RegExp(
        `^\\| \`[0-9a-f]{16}\` \\| critical \\| WIDENING \\| public-principal \\| ${BUCKET_FILE}:5 \\| principal=\\\\\\*.* \\| blocking \\|$`,
        'm',
      ),
    )
    expect(md).toMatch(
      new RegExp(
        `^\\| \`[0-9a-f]{16}\` \\| low \\| narrowing \\| grant-removed \\| ${ROLE_FILE}:\\d+ \\| .* \\| informational \\|$`,
        'm',
      ),
    )
    expect(md).toContain('"principal": "*"')
    expect(md).not.toMatch(ANSI)
  })

  it('escapes text from the repository (a file name with | and HTML)', async ({expect}) => {
    const result = await runCli(['check', '--range', 'v1.0.0..odd-name', '--format', 'markdown'], {
      cwd: repo.dir,
    })
    expect(result.code).toBe(1)
    expect(result.stdout).not.toContain('<img')
    const rows = result.stdout.split('\n').filter((line) => /^\| `[0-9a-f]{16}` \| critical/.test(line))
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length - 2).toBe(8) // eight cells, none split by the name
  })
})

describe('--format markdown in a repository of its own', () => {
  it('names paths as the repository has them, and marks what fails by --fail-on', async ({expect}) => {
    const r = await createRepo()
    try {
      await commitFiles(r, {[BUCKET_FILE]: policyText(bucketPolicy), [ROLE_FILE]: policyText(rolePolicy)})
      await mkdir(join(r.dir, '.acldrift'))
      expect((await runCli(['snapshot', '--out', '.acldrift/baseline.json'], {cwd: r.dir})).code).toBe(0)
      await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
      const reports = join(outDir, 'own-repo')
      const flags = ['--baseline', join(r.dir, '.acldrift', 'baseline.json'), '--report-dir', reports]
      const result = await runCli(['check', ...flags, '--fail-on', 'never', '--format', 'markdown'], {
        cwd: r.dir,
      })
      expect(result.code, result.stderr).toBe(0)
      const md = result.stdout
      expect(md.split('\n')[0]).toMatch(/^## acldrift passes: \d+ widening/)
      expect(md).toContain('snapshot:.acldrift/baseline.json (')
      expect(md).not.toContain(r.dir)
      expect(md).toMatch(
        new RegExp(`^\\| \`[0-9a-f]{16}\` \\| critical \\| WIDENING \\| .* \\| informational \\|$`, 'm'),
      )
      expect(md).not.toMatch(/\| blocking \|$/m)
      // The report the action comments is the one printed.
      expect(await readFile(join(reports, 'acldrift-report.md'), 'utf8')).toBe(md)
    } finally {
      await r.cleanup()
    }
  })
})

describe.concurrent('--format pretty', () => {
  it('is readable without colour when piped, even with FORCE_COLOR and --no-color', async ({expect}) => {
    const [piped, forced] = await Promise.all([
      runCli(['check', ...RANGE], {cwd: repo.dir}),
      runCli(['check', ...RANGE, '--no-color'], {
        cwd: repo.dir,
        env: {FORCE_COLOR: '1', NO_COLOR: undefined},
      }),
    ])
    for (const result of [piped, forced]) {
      expect(result.code).toBe(1)
      expect(result.stdout).not.toMatch(ANSI)
      expect(result.stdout).toContain(`${BUCKET_FILE}:5`)
      expect(result.stdout).toMatch(/public-principal/)
      expect(result.stdout).toMatch(/principal:\s+\*/)
    }
  })

  it.skipIf(!hasScript)(
    'in a terminal: colour by default, none with NO_COLOR=1 or --no-color',
    async ({expect}) => {
      const [plain, noColorEnv, noColorFlag] = await Promise.all([
        runCliInTerminal(['check', ...RANGE], {cwd: repo.dir}),
        runCliInTerminal(['check', ...RANGE], {cwd: repo.dir, env: {NO_COLOR: '1'}}),
        runCliInTerminal(['check', ...RANGE, '--no-color'], {cwd: repo.dir, env: {FORCE_COLOR: '1'}}),
      ])
      expect(plain.code).toBe(1)
      expect(plain.stdout).toMatch(ANSI) // the control: a terminal does get colour
      for (const result of [noColorEnv, noColorFlag]) {
        expect(result.code).toBe(1)
        expect(result.stdout).toContain('public-principal')
        expect(result.stdout).not.toMatch(ANSI)
      }
    },
  )
})

describe.concurrent('--output FILE', () => {
  it('writes the report to the file and nothing to standard output', async ({expect}) => {
    const file = join(outDir, 'report.json')
    const result = await runCli(['check', ...RANGE, '--format', 'json', '--output', file], {cwd: repo.dir})
    expect(result).toMatchObject({code: 1, stdout: ''})
    const report = JSON.parse(await readFile(file, 'utf8'))
    expectValidReport(report)
    expectConsistentSummary(report)
    expect(report.summary.widening).toBe(2)
  })

  it('a relative FILE is relative to the working directory, and so are the paths in it; no colour', async ({
    expect,
  }) => {
    const result = await runCli(['check', ...RANGE, '--output', 'acldrift-report.txt'], {
      cwd: join(repo.dir, 'iam'),
      env: {FORCE_COLOR: '1', NO_COLOR: undefined},
    })
    expect(result).toMatchObject({code: 1, stdout: ''})
    const text = await readFile(join(repo.dir, 'iam', 'acldrift-report.txt'), 'utf8')
    // Pretty output names the file relative to the folder it ran in.
    expect(text).toContain(` ${BUCKET_FILE.replace(/^iam\//, '')}:5`)
    expect(text).toContain('public-principal')
    expect(text).not.toMatch(ANSI)
  })

  // The README's examples write to paths such as reports/acldrift.sarif; the directory may be new.
  it('into a directory that does not exist yet', async ({expect}) => {
    const file = join(outDir, 'new', 'reports', 'acldrift.json')
    const result = await runCli(['check', ...RANGE, '--format', 'json', '--output', file], {cwd: repo.dir})
    expect(result.stderr).toBe('')
    expect(result).toMatchObject({code: 1, stdout: ''})
    expectValidReport(JSON.parse(await readFile(file, 'utf8')))
  })

  it('sarif and markdown to files', async ({expect}) => {
    const sarifFile = join(outDir, 'acldrift.sarif')
    const mdFile = join(outDir, 'comment.md')
    const results = await Promise.all([
      runCli(['check', ...RANGE, '--format', 'sarif', '--output', sarifFile], {cwd: repo.dir}),
      runCli(['check', ...RANGE, '--format', 'markdown', '--output', mdFile], {cwd: repo.dir}),
    ])
    for (const result of results) expect(result).toMatchObject({code: 1, stdout: ''})
    expectValidSarif(JSON.parse(await readFile(sarifFile, 'utf8')))
    expect(await readFile(mdFile, 'utf8')).toMatch(/^## acldrift/)
  })
})
