// The hooks' fast paths (issue 16). With a baseline snapshot (item 1): the snapshot records the
// git blob id of each file it read, and `check --staged` reads only the files whose index blob
// differs from it, plus every file the commit changes. The recorded ids are the snapshot's, so an
// agent can edit them: these scenarios are what it would try, through real hooks, Claude Code's
// identity and trailer. An edited id must never let a changed file go uncompared.
// prepare-commit-msg (item 3) reads nothing when the environment shows no agent; commit-msg
// reuses a passing pre-commit verdict only for the same content and a message that changes
// nothing about who makes the commit.

import {readFile, rm, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  type EnvOverrides,
  identities,
  projectRoot,
  runCli,
  runHermetic,
  type TestRepo,
} from '../helpers/repo.js'
import {type Report, repoFactory} from './helpers.js'
import {
  agentOpensTrustBlocked,
  commitAsAgent,
  CONFIG,
  dump,
  git,
  trust,
  initialisedWithTrust,
  setUpWithTrust,
  TRUST,
} from './gate-scenarios.js'

const newRepo = repoFactory()
const SLOW = 180_000
const BASELINE = '.acldrift/baseline.json'
const CLAUDE_ENV = {CLAUDECODE: '1'}
const agent = identities.claudeCode
const WIDE = trust('0.0.0.0/0')
/** An S3 read policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_s3_rw-bucket.html). */
const READER = `${JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [{Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*'}],
  },
  null,
  2,
)}\n`

/** The hook bundle (hook/acldrift.js), as the hooks init installs run it. */
const bundleHook = (r: TestRepo, args: string[], env: EnvOverrides = {}) =>
  runHermetic(process.execPath, [join(projectRoot, 'hook', 'acldrift.js'), ...args], {cwd: r.dir, env})

const stagedReport = async (r: TestRepo): Promise<Report> => {
  const run = await runCli(['check', '--staged', '--format', 'json'], {cwd: r.dir})
  expect([0, 1], dump(run)).toContain(run.code)
  return JSON.parse(run.stdout) as Report
}

/** The snapshot with the blob id it records for `path` replaced by the id of `content`. */
async function forgeBlobId(r: TestRepo, path: string, content: string): Promise<void> {
  await r.write('forged.tmp', content)
  const id = (await r.git('hash-object', 'forged.tmp')).trim()
  await r.remove('forged.tmp')
  const snapshot = JSON.parse(await readFile(join(r.dir, BASELINE), 'utf8')) as {
    files: {blobs: Record<string, string>}
  }
  expect(snapshot.files.blobs[path]).toMatch(/^[0-9a-f]{40}$/)
  snapshot.files.blobs[path] = id
  await r.write(BASELINE, `${JSON.stringify(snapshot, null, 2)}\n`)
}

describe('the hook with a baseline snapshot reads only what differs from it', () => {
  it(
    'compares the files a commit changes and those that differ from the snapshot, whatever its recorded blob ids say',
    async () => {
      const r = await setUpWithTrust(newRepo)

      // An unrelated new policy: the only file read, and the trust is not.
      await r.write('iam/roles/reader.json', READER)
      await r.stage('iam/roles/reader.json')
      const quick = await stagedReport(r)
      expect(quick.coverage?.scope).toBe('changed-files')
      expect(quick.coverage?.read.map((e) => e.file)).toEqual(['iam/roles/reader.json'])
      // init's globs that match no file of the index are warned about, as a full read does; one
      // that a staged file now matches is not (found under its folder in the index's order).
      const unmatched = (report: Report) =>
        report.notes.filter((n) => n.includes('matches no file in the index'))
      expect(unmatched(quick).join('\n')).toContain('".github/workflows/*.{yml,yaml}"')
      expect(unmatched(quick).join('\n')).toContain('"docs/CODEOWNERS"')
      await r.write('docs/CODEOWNERS-old', '* @old\n')
      await r.write('docs/CODEOWNERS', '* @platform\n')
      await r.stage('docs/CODEOWNERS-old', 'docs/CODEOWNERS')
      const owners = unmatched(await stagedReport(r))
      expect(owners).toHaveLength(unmatched(quick).length - 1)
      expect(owners.join('\n')).not.toContain('"docs/CODEOWNERS"')
      await r.git('reset', '-q', '--hard')

      // One commit: the trust widened, its recorded blob id set to the widened content's.
      await forgeBlobId(r, TRUST, WIDE)
      await r.write(TRUST, WIDE)
      await r.stage(TRUST, BASELINE)
      const together = await commitAsAgent(r, 'Open the partner trust')
      expect(together.code, dump(together)).not.toBe(0)
      expect(together.stderr).toContain('acldrift: commit blocked')
      expect(together.stdout + together.stderr).toContain(TRUST)
      await r.git('reset', '-q', '--hard')

      // Two commits: the forged id first (without the hook, so that HEAD holds it), then the widening.
      await forgeBlobId(r, TRUST, WIDE)
      await r.stage(BASELINE)
      const forged = await commitAsAgent(r, 'Tidy the baseline', '--no-verify')
      expect(forged.code, dump(forged)).toBe(0)
      await agentOpensTrustBlocked(r)
      await r.git('reset', '-q', '--hard', 'HEAD~1')

      // A widening already in HEAD (committed without the hook) still differs from the snapshot:
      // the next commit through the hook, of another file, compares it and is blocked.
      await r.write(TRUST, WIDE)
      await r.stage(TRUST)
      const bypassed = await commitAsAgent(r, 'Open the partner trust', '--no-verify')
      expect(bypassed.code, dump(bypassed)).toBe(0)
      await r.write('iam/roles/reader.json', READER)
      await r.stage('iam/roles/reader.json')
      const next = await git(r, {}, 'commit', '-m', 'Reports reader')
      expect(next.code, dump(next)).not.toBe(0)
      expect(next.stdout + next.stderr).toContain(TRUST)
      const report = await stagedReport(r)
      expect(report.coverage?.read.map((e) => e.file).sort()).toEqual([
        'iam/roles/partner-trust.json',
        'iam/roles/reader.json',
      ])
    },
    SLOW,
  )

  it(
    'reads every file when the config reads files differently from when the snapshot was taken',
    async () => {
      const r = await setUpWithTrust(newRepo)
      await r.write('iam/roles/reader.json', READER)
      const config = await readFile(join(r.dir, 'acldrift.config.yaml'), 'utf8')
      await r.write(
        'acldrift.config.yaml',
        config.replace("# exclude:\n#   - 'iam/examples/**'", "exclude:\n  - 'iam/examples/**'"),
      )
      await r.stage()
      const report = await stagedReport(r)
      expect(report.coverage?.scope).toBe('repository')
      expect(report.coverage?.read.map((e) => e.file).sort()).toEqual([
        'iam/roles/partner-trust.json',
        'iam/roles/reader.json',
      ])
    },
    SLOW,
  )
})

describe('the hook asks git once about the index and HEAD', () => {
  it(
    'blocks a widening with 6 git processes, and still sees the config weakened and .gitattributes deleted in the index',
    async () => {
      const r = await setUpWithTrust(newRepo)
      // A filter on every .json but those under iam/ (https://git-scm.com/docs/gitattributes#_filter)
      await r.write('.gitattributes', '*.json filter=crypt\n')
      await r.write('iam/.gitattributes', '*.json -filter\n')
      await r.stage('.gitattributes', 'iam/.gitattributes')
      expect((await git(r, {}, 'commit', '--no-verify', '-m', 'Attributes')).code).toBe(0)
      const trace = join(r.dir, '.git', 'trace.txt')
      await r.write(TRUST, WIDE)
      await r.stage(TRUST)
      const blocked = await runCli(['check', '--staged', '--quiet'], {cwd: r.dir, env: {GIT_TRACE: trace}})
      expect(blocked.code, dump(blocked)).toBe(1)
      // rev-parse (root and HEAD), ls-files, diff --cached, cat-file --batch (which also says that
      // there are no ai notes), the snapshot's history, git var (the pending commit's identity):
      // 14 before they were shared, 7 while the notes had a git of their own
      const started = (await readFile(trace, 'utf8')).match(/built-in: git /g) ?? []
      expect(started.length).toBeLessThanOrEqual(6)

      // HEAD's side of acldrift's own files comes from the index's changes: a staged weakening of
      // the config, and a deleted .gitattributes, are HEAD against the index, not the index twice.
      const config = await readFile(join(r.dir, CONFIG), 'utf8')
      await r.write(CONFIG, config.replace('failOn: widening', 'failOn: never'))
      await r.git('rm', '-q', '--cached', 'iam/.gitattributes')
      await r.stage(CONFIG)
      const report = await stagedReport(r)
      const weakened = report.findings.filter((f) => f.rule === 'config-weakened').map((f) => f.file)
      expect(weakened).toContain(CONFIG)
      expect(weakened.some((file) => file.endsWith('.gitattributes'))).toBe(true)
    },
    SLOW,
  )
})

describe('the hook with a revision as baseline reads only what differs from it', () => {
  it('compares the paths git says differ between the revision and the index, commits since it included', async () => {
    const r = await newRepo()
    await r.write('acldrift.config.yaml', "version: 1\nbaseline: 'approved'\n")
    await r.write(TRUST, trust('203.0.113.0/24'))
    await r.stage()
    await r.commit('Partner trust')
    await r.git('tag', 'approved')
    // Widened after the tag, committed without the hook; then an unrelated policy staged.
    await r.write(TRUST, WIDE)
    await r.stage(TRUST)
    await r.commit('Open the partner trust')
    await r.write('iam/roles/reader.json', READER)
    await r.stage('iam/roles/reader.json')
    const report = await stagedReport(r)
    expect(report.baseline.source).toBe('approved')
    expect(report.coverage?.scope).toBe('changed-files')
    expect(report.coverage?.read.map((e) => e.file).sort()).toEqual([TRUST, 'iam/roles/reader.json'])
    expect(report.findings.filter((f) => f.change === 'widening').map((f) => f.file)).toContain(TRUST)
  })
})

describe("commit-msg and pre-commit's remembered pass", () => {
  it(
    'is not reused when the message names an agent, nor when the index changed after pre-commit',
    async () => {
      const r = await initialisedWithTrust(newRepo)
      // Only critical widenings fail, but an agent's fails below that without an approval.
      const config = await readFile(join(r.dir, 'acldrift.config.yaml'), 'utf8')
      await r.write('acldrift.config.yaml', config.replace('failOn: widening', 'failOn: critical'))
      await r.stage()
      const setUp = await git(r, {}, 'commit', '-m', 'Set up acldrift')
      expect(setUp.code, dump(setUp)).toBe(0)
      const entry = join(r.dir, '.git/acldrift/pre-commit-verdict.json')

      // Made from a plain shell, with Claude's trailer in the message: pre-commit sees no agent and
      // passes (and remembers it); commit-msg reads the trailer and blocks.
      await r.write('iam/roles/reader.json', READER)
      await r.stage('iam/roles/reader.json')
      const trailer = await git(r, {}, 'commit', '-m', agent.message('Reports reader'))
      expect(trailer.code, dump(trailer)).not.toBe(0)
      expect(trailer.stderr).toContain('acldrift: commit blocked')
      expect(await readFile(entry, 'utf8')).toContain('"key"')
      // The same commit with a plain message passes both hooks.
      const plain = await git(r, {}, 'commit', '-m', 'Reports reader')
      expect(plain.code, dump(plain)).toBe(0)

      // pre-commit passes an unrelated change; then, before commit-msg, the index changes (another
      // hook stages more): commit-msg checks the new content and blocks the critical widening.
      await r.write('README.md', 'Partner access\n')
      await r.stage('README.md')
      const before = await runCli(['check', '--staged', '--quiet'], {cwd: r.dir})
      expect(before.code, dump(before)).toBe(0)
      await r.write('MSG', 'Partner access\n')
      // Reused: rev-parse (the top directory and HEAD at once), write-tree, git var (4 before the
      // lookup was one run, when the top directory and HEAD each had a rev-parse).
      const trace = join(r.dir, '.git', 'trace.txt')
      const reused = await runCli(['hook', 'commit-msg', 'MSG'], {cwd: r.dir, env: {GIT_TRACE: trace}})
      expect(reused.code, dump(reused)).toBe(0)
      expect((await readFile(trace, 'utf8')).match(/built-in: git /g)).toHaveLength(3)
      // The hook bundle decides it before loading its body: the same 3 processes, and no body's
      // code cache written for commit-msg.
      const cache = join(r.dir, '.git/acldrift/hook-code-cache.hook-commit-msg')
      await rm(cache, {force: true})
      const bundled = await bundleHook(r, ['hook', 'commit-msg', 'MSG'], {GIT_TRACE: trace})
      expect(bundled.code, dump(bundled)).toBe(0)
      expect((await readFile(trace, 'utf8')).match(/built-in: git /g)).toHaveLength(6)
      await expect(stat(cache)).rejects.toThrow()
      await r.write(TRUST, trust('0.0.0.0/0', '*'))
      await r.stage(TRUST)
      for (const after of [
        await runCli(['hook', 'commit-msg', 'MSG'], {cwd: r.dir}),
        await bundleHook(r, ['hook', 'commit-msg', 'MSG']),
      ]) {
        expect(after.code, dump(after)).toBe(1)
        expect(after.stderr).toContain('acldrift: commit blocked')
        expect(after.stdout + after.stderr).toContain(TRUST)
      }
      // So does a message naming an agent, with the index pre-commit passed.
      await r.git('reset', '-q', 'HEAD', '--', TRUST)
      expect((await bundleHook(r, ['check', '--staged', '--quiet'])).code).toBe(0)
      await rm(cache)
      await r.write('MSG', agent.message('Partner access'))
      const named = await bundleHook(r, ['hook', 'commit-msg', 'MSG'])
      expect(named.code, dump(named)).toBe(0)
      await expect(stat(cache)).resolves.toBeDefined()
    },
    SLOW,
  )
})

describe('prepare-commit-msg', () => {
  it('reads nothing when the environment shows no agent, and stamps when it does', async () => {
    const r = await newRepo()
    // A config that does not parse: reading it would be reported.
    await r.write('acldrift.config.yaml', 'policy: [\n')
    await r.write('MSG', 'Fix the dashboard\n')
    const quiet = await runCli(['hook', 'prepare-commit-msg', 'MSG', 'message'], {
      cwd: r.dir,
      env: {CLAUDECODE: undefined},
    })
    expect(quiet).toMatchObject({code: 0, stderr: ''})
    const agentRun = await runCli(['hook', 'prepare-commit-msg', 'MSG', 'message'], {
      cwd: r.dir,
      env: CLAUDE_ENV,
    })
    expect(agentRun.code, dump(agentRun)).toBe(0)
    expect(agentRun.stderr).toContain('could not stamp the message')
    await r.write('acldrift.config.yaml', 'version: 1\n')
    const stamped = await runCli(['hook', 'prepare-commit-msg', 'MSG', 'message'], {
      cwd: r.dir,
      env: CLAUDE_ENV,
    })
    expect(stamped.code, dump(stamped)).toBe(0)
    expect(await readFile(join(r.dir, 'MSG'), 'utf8')).toMatch(/^Assisted-by: Claude Code\b/m)
  })

  it('in the hook bundle, returns before loading its body when the environment shows no agent', async () => {
    const r = await newRepo()
    await r.write('acldrift.config.yaml', 'version: 1\n')
    await r.write('MSG', 'Fix the dashboard\n')
    const cache = join(r.dir, '.git/acldrift/hook-code-cache.hook-prepare-commit-msg')
    const quiet = await bundleHook(r, ['hook', 'prepare-commit-msg', 'MSG', 'message'], {
      CLAUDECODE: undefined,
    })
    expect(quiet).toMatchObject({code: 0, stderr: ''})
    expect(await readFile(join(r.dir, 'MSG'), 'utf8')).toBe('Fix the dashboard\n')
    await expect(stat(cache)).rejects.toThrow()
    const stamped = await bundleHook(r, ['hook', 'prepare-commit-msg', 'MSG', 'message'], CLAUDE_ENV)
    expect(stamped.code, dump(stamped)).toBe(0)
    expect(await readFile(join(r.dir, 'MSG'), 'utf8')).toMatch(/^Assisted-by: Claude Code\b/m)
    await expect(stat(cache)).resolves.toBeDefined()
  })
})
