// The exit codes of the CLI contract (README): 0 nothing gates, 1 widening per --fail-on,
// 2 usage error, 3 invalid input (fails closed, naming file:line:col), 4 environment.

import {rm} from 'node:fs/promises'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createRepo, makeTempDir, runCli, type TestRepo} from '../helpers/repo.js'
import {brief, checkJson, commitFiles, repoFactory} from './helpers.js'
import {
  bucketPolicy,
  endpointBucketPolicy,
  endpointConditionRemoved,
  narrowedRolePolicy,
  policyText,
  positionOf,
  publicBucketPolicy,
  rolePolicy,
  trustPolicy,
} from './policies.js'

const BUCKET_FILE = 'iam/buckets/payroll-exports.json'
const REPORTS_FILE = 'iam/buckets/reports.json'
const ROLE_FILE = 'iam/roles/reporting-dashboard.json'
const TRUST_FILE = 'iam/roles/reporting-dashboard-trust.json'

const approved = {
  [BUCKET_FILE]: policyText(bucketPolicy),
  [REPORTS_FILE]: policyText(endpointBucketPolicy),
  [ROLE_FILE]: policyText(rolePolicy),
  [TRUST_FILE]: policyText(trustPolicy),
}

/**
 * One read-only history shared by the table below (tags): v1.0.0 approved; `medium` removes the VPC
 * endpoint condition (a medium widening only); `narrowed` drops DeleteObject from the role; `public`
 * opens the payroll bucket (critical).
 */
describe.concurrent('exit codes over a shared history', () => {
  let shared: TestRepo
  beforeAll(async () => {
    shared = await createRepo()
    await commitFiles(shared, approved, 'Approved state')
    await shared.git('tag', 'v1.0.0')
    await commitFiles(
      shared,
      {[REPORTS_FILE]: policyText(endpointConditionRemoved)},
      'Drop endpoint condition',
    )
    await shared.git('tag', 'medium')
    await commitFiles(shared, {[ROLE_FILE]: policyText(narrowedRolePolicy)}, 'Drop DeleteObject')
    await shared.git('tag', 'narrowed')
    await commitFiles(shared, {[BUCKET_FILE]: policyText(publicBucketPolicy)}, 'Fix AccessDenied')
    await shared.git('tag', 'public')
  })
  afterAll(() => shared.cleanup())

  const gates: [name: string, args: string[], code: number][] = [
    ['no change', [], 0],
    ['only narrowings', ['--range', 'medium..narrowed'], 0],
    ['a medium widening, --fail-on medium', ['--range', 'v1.0.0..medium', '--fail-on', 'medium'], 1],
    ['a medium widening, --fail-on high', ['--range', 'v1.0.0..medium', '--fail-on', 'high'], 0],
    ['a medium widening, --fail-on critical', ['--range', 'v1.0.0..medium', '--fail-on', 'critical'], 0],
    ['a critical widening, --fail-on critical', ['--range', 'narrowed..public', '--fail-on', 'critical'], 1],
    ['a critical widening, --fail-on never', ['--range', 'narrowed..public', '--fail-on', 'never'], 0],
  ]
  for (const [name, args, code] of gates) {
    it(`${code}: ${name} (check ${args.join(' ')})`, async ({expect}) => {
      const result = await checkJson(shared.dir, args)
      expect(result.code, `${result.stderr}\n${brief(result.report.findings).join('\n')}`).toBe(code)
      expect(result.stderr).toBe('')
    })
  }

  it('1: a medium widening, exactly one condition-removed finding', async ({expect}) => {
    const {code, report} = await checkJson(shared.dir, ['--range', 'v1.0.0..medium'])
    expect(code).toBe(1)
    expect(brief(report.findings)).toEqual([`widening medium condition-removed ${REPORTS_FILE}:4`])
    expect(report.findings[0]!.witness).toMatchObject({
      action: 's3:GetObject',
      resource: expect.stringMatching(/^arn:aws:s3:::acme-reports\//),
    })
  })

  const usage: [name: string, args: string[]][] = [
    ['an unknown flag', ['--bogus']],
    ['an unknown --ref revision', ['--ref', 'no-such-branch']],
    ['an unknown --baseline revision', ['--baseline', 'no-such-tag']],
    ['an unknown revision in --range', ['--range', 'v1.0.0..no-such-branch']],
    ['--range without ..', ['--range', 'v1.0.0']],
    ['--range of neither side', ['--range', '..']],
    ['--range with four dots', ['--range', 'v1.0.0....HEAD']],
    ['--staged with --ref', ['--staged', '--ref', 'HEAD']],
    ['an unknown --format', ['--format', 'xml']],
  ]
  for (const [name, args] of usage) {
    it(`2: ${name} (check ${args.join(' ')})`, async ({expect}) => {
      const result = await runCli(['check', ...args], {cwd: shared.dir})
      expect(result.code, result.stderr + result.stdout).toBe(2)
      expect(result.stderr).not.toBe('')
      expect(result.stderr).not.toMatch(/\n\s+at /) // a message, not a stack trace
      const unknown = args.find((arg) => arg.includes('no-such'))
      if (unknown !== undefined) expect(result.stderr).toContain(unknown.replace(/^.*\.\./, ''))
    })
  }

  it('4: git missing (ACLDRIFT_GIT names a file that does not exist)', async ({expect}) => {
    for (const command of [['check'], ['snapshot'], ['validate']]) {
      const result = await runCli(command, {cwd: shared.dir, env: {ACLDRIFT_GIT: '/nonexistent/bin/git'}})
      expect(result.code, `${command[0]}: ${result.stderr}`).toBe(4)
      expect(result.stderr).toMatch(/git/)
      expect(result.stdout).toBe('')
    }
  })
})

describe.concurrent('exit codes that need their own repository', () => {
  const newRepo = repoFactory()

  it('4: not a git repository (check, snapshot, validate without paths)', async () => {
    const dir = await makeTempDir('acldrift-not-a-repo-')
    try {
      for (const command of [['check', '--staged'], ['snapshot'], ['validate']]) {
        const result = await runCli(command, {cwd: dir, env: {GIT_CEILING_DIRECTORIES: dir}})
        expect(result.code, `${command.join(' ')}: ${result.stderr}`).toBe(4)
        expect(result.stderr).toMatch(/not .*git|repository/i)
      }
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })

  it('config policy.failOn gates; --fail-on overrides it', async () => {
    const r = await newRepo()
    await commitFiles(r, approved)
    await r.write(REPORTS_FILE, policyText(endpointConditionRemoved))
    await r.write('acldrift.config.yaml', 'version: 1\npolicy:\n  failOn: critical\n')
    expect((await checkJson(r.dir)).code).toBe(0)
    expect((await checkJson(r.dir, ['--fail-on', 'widening'])).code).toBe(1)
    await r.write('acldrift.config.yaml', 'version: 1\npolicy:\n  failOn: never\n')
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    expect((await checkJson(r.dir)).code).toBe(0)
    expect((await checkJson(r.dir, ['--fail-on', 'critical'])).code).toBe(1)
  })

  it('3: invalid JSON in a tracked policy; the output names file:line:col', async () => {
    const r = await newRepo()
    await commitFiles(r, approved)
    // A missing comma after "Action": the parser stops at "Resource".
    const broken = policyText(rolePolicy).replace('"s3:DeleteObject"\n      ],', '"s3:DeleteObject"\n      ]')
    await r.write(ROLE_FILE, broken)
    const at = positionOf(broken, '"Resource": "arn:aws:s3:::acme-dashboard-cache/*"')

    const pretty = await runCli(['check'], {cwd: r.dir})
    expect(pretty.code).toBe(3)
    expect(pretty.stdout + pretty.stderr).toContain(`${ROLE_FILE}:${at.line}:${at.column}`)

    const {code, report} = await checkJson(r.dir)
    expect(code).toBe(3)
    expect(report.errors).toEqual([
      expect.objectContaining({
        file: ROLE_FILE,
        line: at.line,
        column: at.column,
        message: expect.any(String),
      }),
    ])
    expect(report.summary.invalid).toBe(1)
  })

  it('3: a file that fails to parse is not reported as access removed', async () => {
    const r = await newRepo()
    await commitFiles(r, approved)
    await r.write(ROLE_FILE, policyText(rolePolicy).replace('"Effect": "Allow",', '"Effect": "Allow"'))
    const {code, report} = await checkJson(r.dir)
    expect(code).toBe(3)
    // The file's access is unknown, not gone: "can no longer call …" would be false.
    expect(brief(report.findings.filter((f) => f.file === ROLE_FILE))).toEqual([])
  })

  it('3: a schema-invalid policy (both Action and NotAction), naming file:line:col and the pointer', async () => {
    const r = await newRepo()
    await commitFiles(r, approved)
    const invalid = structuredClone(rolePolicy) as {Statement: Record<string, unknown>[]}
    invalid.Statement[1]!.NotAction = 's3:DeleteBucket'
    const text = policyText(invalid)
    await r.write(ROLE_FILE, text)

    const pretty = await runCli(['check'], {cwd: r.dir})
    expect(pretty.code).toBe(3)
    expect(pretty.stdout + pretty.stderr).toMatch(
      new RegExp(`${ROLE_FILE}:\\d+:\\d+ /Statement/1\\S* .*(Action|NotAction)`),
    )
    await r.stage(ROLE_FILE)
    const staged = await checkJson(r.dir, ['--staged'])
    expect(staged.code).toBe(3)
    expect(staged.report.errors.length).toBeGreaterThan(0)
    for (const error of staged.report.errors) {
      expect(error).toMatchObject({file: ROLE_FILE, pointer: expect.stringMatching(/^\/Statement\/1/)})
      expect(error.line).toBeGreaterThanOrEqual(positionOf(text, '"Sid": "ManageDashboardCache"').line - 1)
    }
  })

  // Every command reads the config; the first case runs all three, the others check only.
  const badConfigs: [name: string, content: string, where: RegExp][] = [
    [
      'YAML that does not parse',
      'version: 1\ndocuments: [\n  {glob: "iam/**"\n',
      /acldrift\.config\.yaml:\d+:\d+/,
    ],
    ['an unknown version', 'version: 2\n', /acldrift\.config\.yaml:1:\d+ \/version/],
    [
      'an unknown failOn',
      'version: 1\npolicy:\n  failOn: sometimes\n',
      /acldrift\.config\.yaml:3:\d+ \/policy\/failOn/,
    ],
    [
      'an unknown kind',
      "version: 1\ndocuments:\n  - glob: '**/*.json'\n    kind: azure-rbac\n",
      /\/documents\/0\/kind/,
    ],
    ['an unknown key', 'version: 1\nbaselines: v1\n', /acldrift\.config\.yaml:2:\d+/],
  ]
  for (const [name, content, where] of badConfigs) {
    it(`3: an invalid acldrift.config.yaml: ${name}`, async () => {
      const r = await newRepo()
      await commitFiles(r, approved)
      await r.write('acldrift.config.yaml', content)
      const commands = name === badConfigs[0]![0] ? [['check'], ['snapshot'], ['validate']] : [['check']]
      for (const command of commands) {
        const result = await runCli(command, {cwd: r.dir})
        expect(result.code, `${command[0]}: ${result.stderr}`).toBe(3)
        expect(result.stderr + result.stdout).toMatch(where)
      }
    })
  }

  it('3: a baseline snapshot that was edited into an invalid policy', async () => {
    const r = await newRepo()
    await commitFiles(r, approved)
    const snapshot = await runCli(['snapshot'], {cwd: r.dir})
    expect(snapshot.code).toBe(0)
    await r.write('baseline.json', snapshot.stdout.replace('"Effect": "Deny"', '"Effect": "Permit"'))
    const result = await runCli(['check', '--baseline', 'baseline.json'], {cwd: r.dir})
    expect(result.code).toBe(3)
    expect(result.stderr + result.stdout).toMatch(
      /baseline\.json:\d+:\d+ \/documents\/\d+\/value\/Statement\/1\/Effect/,
    )
  })
})
