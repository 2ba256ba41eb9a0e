// GitHub Actions end to end: the built CLI in real git repositories holding real-world workflows
// in .github/workflows/, recognised by content. An AI agent's commit that widens a job's token
// (write-all, a removed permissions block) must be reported and blamed on it, under the
// repository default the config states; moving that default to `restricted` is itself a
// weakening of acldrift's config; and the pre-commit check stops a staged pull_request_target.

import {describe, it} from 'vitest'
import {identities, runCli} from '../helpers/repo.js'
import {checkJson, commitAs, commitFiles, type Finding, repoFactory} from './helpers.js'

const CI = '.github/workflows/ci.yml'
const RELEASE = '.github/workflows/release.yml'
const CONFIG = 'acldrift.config.yaml'

const ci = (permissions: string) => `name: CI
on:
  push:
    branches: [main]
  pull_request:
${permissions}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
          cache: npm
      - run: npm ci
      - run: npm test
`

const release = (jobPermissions: string) => `name: Release
on:
  push:
    tags: ['v*']
jobs:
  publish:
    runs-on: ubuntu-latest
${jobPermissions}    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
          registry-url: https://registry.npmjs.org
      - run: npm ci && npm publish --access public
        env:
          NODE_AUTH_TOKEN: \${{ secrets.NPM_TOKEN }}
`

const READ_BLOCK = 'permissions:\n  contents: read'
const JOB_READ_BLOCK = '    permissions:\n      contents: read\n'

const approvedFiles = () => ({[CI]: ci(READ_BLOCK), [RELEASE]: release(JOB_READ_BLOCK)})

interface Commit {
  sha: string
  subject: string
  actor: {type: string; agent?: string}
  pending?: boolean
}

const brief = (f: Finding) =>
  `${f.change} ${f.severity} ${f.rule} ${f.file}:${f.line ?? '-'} ${JSON.stringify(f.witness)}`
const scopes = (findings: Finding[]) =>
  findings.map((f) => `${String(f.witness?.scope)}: ${String(f.witness?.level)}`)

describe.concurrent('github-actions end to end', () => {
  const newRepo = repoFactory()

  it("an agent's contents: read → write-all is reported scope by scope and blamed on the agent", async ({
    expect,
  }) => {
    const r = await newRepo()
    const approved = await commitFiles(r, approvedFiles(), 'Add CI and release workflows')
    const agentSha = await commitAs(r, identities.claudeCode, 'Fix 403 when CI pushes the coverage badge', {
      [CI]: ci('permissions: write-all'),
    })
    const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(code, stderr).toBe(1)
    const findings = report.findings.filter((f) => f.kind === 'github-actions')
    expect(findings.length, findings.map(brief).join('\n')).toBe(19)
    expect(findings.every((f) => f.change === 'widening' && f.rule === 'scope-widened' && f.line === 6)).toBe(
      true,
    )
    expect(scopes(findings)).toEqual(
      expect.arrayContaining([
        'contents: write',
        'id-token: write',
        'actions: write',
        'models: read',
        'copilot-requests: write',
      ]),
    )
    const contents = findings.find((f) => f.witness?.scope === 'contents')!
    expect(contents).toMatchObject({
      file: CI,
      severity: 'high',
      pointer: '/permissions',
      witness: {workflow: CI, job: 'test', scope: 'contents', level: 'write'},
    })
    expect(contents.message).toContain('job test of .github/workflows/ci.yml now gets contents: write')
    for (const f of findings)
      expect(f.commit as Commit).toMatchObject({
        sha: agentSha,
        subject: 'Fix 403 when CI pushes the coverage badge',
        actor: {type: 'agent', agent: expect.stringMatching(/claude/i)},
      })
  })

  it('a removed permissions block falls to the permissive default unless the config says restricted', async ({
    expect,
  }) => {
    // No config: the default is assumed permissive (the unsafe case).
    const r = await newRepo()
    const approved = await commitFiles(r, approvedFiles(), 'Add CI and release workflows')
    const agentSha = await commitAs(r, identities.claudeCode, 'Simplify the release workflow', {
      [RELEASE]: release(''),
    })
    const permissive = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(permissive.code, permissive.stderr).toBe(1)
    const found = permissive.report.findings
    // Every scope but id-token (none by default): contents read → write and 17 from none.
    expect(found.length, found.map(brief).join('\n')).toBe(18)
    expect(found.every((f) => f.rule === 'default-permissions' && f.file === RELEASE)).toBe(true)
    expect(scopes(found)).not.toContain('id-token: write')
    const contents = found.find((f) => f.witness?.scope === 'contents')!
    // The job's first key: there is no permissions entry left to point at.
    expect(contents).toMatchObject({severity: 'high', line: 7, pointer: '/jobs/publish'})
    expect(contents.message).toContain('the repository default (permissive)')
    expect((contents.commit as Commit).sha).toBe(agentSha)

    // The same change where the repository's setting is restricted (and the config says so).
    const s = await newRepo()
    const restrictedBase = await commitFiles(
      s,
      {...approvedFiles(), [CONFIG]: 'version: 1\ngithubActions:\n  defaultPermissions: restricted\n'},
      'Add CI and release workflows',
    )
    await commitAs(s, identities.claudeCode, 'Simplify the release workflow', {[RELEASE]: release('')})
    const restricted = await checkJson(s.dir, ['--ref', 'HEAD', '--baseline', restrictedBase])
    expect(restricted.report.findings.map(brief)).toEqual([
      `widening low default-permissions ${RELEASE}:7 ${JSON.stringify({
        workflow: RELEASE,
        job: 'publish',
        scope: 'packages',
        level: 'read',
      })}`,
    ])
    expect((restricted.report.findings[0]!.commit as Commit).actor.type).toBe('agent')
    // Any widening by an agent fails without an approval.
    expect(restricted.code).toBe(1)
  })

  it('moving githubActions.defaultPermissions to restricted is a config-weakened widening', async ({
    expect,
  }) => {
    for (const before of ['version: 1\n', 'version: 1\ngithubActions:\n  defaultPermissions: permissive\n']) {
      const r = await newRepo()
      const approved = await commitFiles(
        r,
        {...approvedFiles(), [CONFIG]: before},
        'Add workflows and config',
      )
      const sha = await commitAs(r, identities.claudeCode, 'Match the organisation setting', {
        [CONFIG]: 'version: 1\ngithubActions:\n  defaultPermissions: restricted\n',
      })
      const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
      expect(code).toBe(1)
      const weakened = report.findings.filter((f) => f.rule === 'config-weakened')
      expect(weakened, before).toHaveLength(1)
      expect(weakened[0]).toMatchObject({
        kind: 'acldrift',
        file: CONFIG,
        change: 'widening',
        severity: 'high',
        line: 3,
        pointer: '/githubActions/defaultPermissions',
        witness: {setting: 'githubActions.defaultPermissions', before: 'permissive', after: 'restricted'},
      })
      expect((weakened[0]!.commit as Commit).sha).toBe(sha)
    }
  })

  it('the pre-commit check stops a staged pull_request_target on a job with write access', async ({
    expect,
  }) => {
    const r = await newRepo()
    const labeler = (event: string) => `name: Labeler
on:
  ${event}:
    types: [opened, synchronize]
jobs:
  label:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
    steps:
      - uses: actions/labeler@v5
`
    const LABELER = '.github/workflows/labeler.yml'
    await commitFiles(r, {...approvedFiles(), [LABELER]: labeler('pull_request')}, 'Add workflows')
    await r.write(LABELER, labeler('pull_request_target'))
    await r.stage(LABELER)
    const {code, report} = await checkJson(r.dir, ['--staged'])
    expect(code).toBe(1)
    expect(report.findings.map(brief)).toEqual([
      `widening critical privileged-trigger ${LABELER}:4 ${JSON.stringify({
        workflow: LABELER,
        job: 'label',
        trigger: 'pull_request_target',
        scope: 'pull-requests',
        level: 'write',
      })}`,
    ])
    expect((report.findings[0]!.commit as Commit).pending).toBe(true)
  })

  it('a scope acldrift does not know is a possible widening with a note; a bad level fails closed; reformatting reports nothing', async ({
    expect,
  }) => {
    const r = await newRepo()
    await commitFiles(r, approvedFiles(), 'Add CI and release workflows')
    await r.write(CI, ci('permissions: {contents: "read"}  # same token, flow style'))
    const clean = await checkJson(r.dir)
    expect(clean.code, clean.report.findings.map(brief).join('\n')).toBe(0)
    expect(clean.report.findings).toEqual([])

    // GitHub adds scopes: one acldrift's list does not name is read, not rejected (exit 3).
    await r.write(CI, ci('permissions:\n  contents: read\n  pull_requests: write'))
    expect((await runCli(['validate'], {cwd: r.dir})).code).toBe(0)
    const unknown = await checkJson(r.dir)
    expect(unknown.report.findings.map(brief)).toEqual([
      `possible-widening medium unknown-scope ${CI}:8 ${JSON.stringify({workflow: CI, job: 'test', scope: 'pull_requests', level: 'write'})}`,
    ])
    expect(unknown.report.notes).toContainEqual(
      expect.stringContaining('permission scope "pull_requests" is not in acldrift\'s list'),
    )
    expect(unknown.report.notes.join('\n')).toContain('(did you mean "pull-requests"?)')

    // A level GitHub does not accept is a broken file: it fails closed, naming file:line.
    await r.write(CI, ci('permissions:\n  contents: wirte'))
    const broken = await runCli(['validate'], {cwd: r.dir})
    expect(broken.code).toBe(3)
    expect(broken.stdout).toContain(`${CI}:7:13 /permissions/contents must be one of "read", "write", "none"`)
    const check = await checkJson(r.dir)
    expect(check.code).toBe(3)
    expect(check.report.errors.map((e) => `${e.file}:${e.line}`)).toContain(`${CI}:7`)
  })

  it('a job renamed, then widened: the rename is no change, the widening is reported and blamed on its commit', async ({
    expect,
  }) => {
    const r = await newRepo()
    const approved = await commitFiles(r, approvedFiles(), 'Add CI and release workflows')
    const renamed = ci(READ_BLOCK).replace('  test:\n', '  unit-tests:\n')
    const renameSha = await commitAs(r, identities.human, 'Rename the test job', {[CI]: renamed})
    const rename = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(rename.code, rename.report.findings.map(brief).join('\n')).toBe(0)
    expect(rename.report.findings).toEqual([])

    const widened = renamed.replace('  contents: read', '  contents: write')
    const agentSha = await commitAs(r, identities.claudeCode, 'Let CI push the coverage badge', {
      [CI]: widened,
    })
    const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(code, stderr).toBe(1)
    expect(report.findings.map(brief)).toEqual([
      `widening high scope-widened ${CI}:7 ${JSON.stringify({workflow: CI, job: 'unit-tests', scope: 'contents', level: 'write'})}`,
    ])
    expect(report.findings[0]!.message).toContain('Job test (the job it replaces) had read')
    expect(report.findings[0]!.commit as Commit).toMatchObject({
      sha: agentSha,
      subject: 'Let CI push the coverage badge',
      actor: {type: 'agent', agent: expect.stringMatching(/claude/i)},
    })
    expect((report.findings[0]!.commit as Commit).sha).not.toBe(renameSha)
  })
})
