// Odd repositories through the built CLI: shallow clones (attribution never guesses past the
// cut), no commits at all, a detached HEAD, merges and octopus merges, renames and copies,
// submodules, linked worktrees with their shared hooks, and paths with spaces, unicode and quotes.

import {mkdir, readdir, symlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {
  createRepo,
  identities,
  makeTempDir,
  projectRoot,
  runCli,
  runHermetic,
  type TestRepo,
} from '../helpers/repo.js'
import {
  checkJson,
  commitAs,
  commitFiles,
  expectConsistentSummary,
  expectValidReport,
  expectValidSnapshot,
  type Report,
  repoFactory,
} from './helpers.js'
import {policyText} from './policies.js'

const newRepo = repoFactory()

const POLICY = 'iam/reports.json'
const approved = policyText({
  Version: '2012-10-17',
  Statement: [{Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-reports/*'}],
})
/** A critical widening of `approved`: anyone may read the bucket. */
const opened = policyText({
  Version: '2012-10-17',
  Statement: [
    {Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-reports/*'},
  ],
})
/** Another widening: every S3 action on the bucket. */
const widened = policyText({
  Version: '2012-10-17',
  Statement: [{Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::acme-reports/*'}],
})

const git = async (cwd: string, ...args: string[]) => {
  const result = await runHermetic('git', args, {cwd})
  if (result.code !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
  return result.stdout.trim()
}

interface Attributed {
  sha: string
  subject: string
  actor: {type: string; agent?: string}
  merge?: {sha: string; subject: string}
}
const commitOf = (report: Report, file: string) =>
  report.findings.find((f) => f.file === file && f.change !== 'narrowing')?.commit as
    Attributed | null | undefined

async function auditJson(cwd: string, args: string[] = []): Promise<{code: number; report: Report}> {
  const result = await runCli(['audit', '--format', 'json', ...args], {cwd})
  expect(result.stderr).toBe('')
  const report: unknown = JSON.parse(result.stdout)
  expectValidReport(report)
  expectConsistentSummary(report)
  return {code: result.code, report}
}

describe.concurrent('shallow clones: attribution never guesses past the cut', () => {
  let origin: TestRepo
  let widening: string
  const clones: string[] = []
  beforeAll(async () => {
    origin = await createRepo()
    await commitFiles(origin, {[POLICY]: approved}, 'Approved reports bucket')
    const snapshot = await runCli(['snapshot', '--out', '.acldrift/baseline.json'], {cwd: origin.dir})
    expect(snapshot.code, snapshot.stderr).toBe(0)
    await origin.write('acldrift.config.yaml', 'version: 1\nbaseline: .acldrift/baseline.json\n')
    await origin.stage()
    await origin.commit('Baseline')
    widening = await commitAs(origin, identities.claudeCode, 'Let the dashboard read reports', {
      [POLICY]: opened,
    })
    await commitFiles(origin, {'README.md': '# infra\n'}, 'Readme')
  })
  afterAll(async () => {
    await origin.cleanup()
    for (const dir of clones) await runHermetic('rm', ['-rf', dir], {cwd: '/'})
  })

  async function clone(depth: number): Promise<string> {
    const parent = await makeTempDir('acldrift-shallow-')
    clones.push(parent)
    await git(parent, 'clone', '--quiet', '--depth', String(depth), `file://${origin.dir}`, 'clone')
    return join(parent, 'clone')
  }

  // Depth 1 sees only the last commit; depth 2 sees the widening commit but not its parent, so it
  // cannot tell it from an older one: both must say so. Depth 3 sees the commit before it.
  for (const depth of [1, 2]) {
    it(`depth ${depth}: no commit, and a note that says how far it saw`, async () => {
      const dir = await clone(depth)
      const boundary = (await git(dir, 'rev-parse', '--short=7', `HEAD~${depth - 1}`)).slice(0, 7)
      for (const {code, report} of [await auditJson(dir), await checkJson(dir, ['--ref', 'HEAD'])]) {
        expect(code).toBe(1)
        expect(report.findings.map((f) => f.rule)).toEqual(['public-principal'])
        expect(commitOf(report, POLICY)).toBeNull()
        // At depth 2 the cut is the agent's commit, which git shows adding every file: the snapshot
        // is neither called unapproved nor blamed on it, and a note says what could not be seen.
        if (depth === 2)
          expect(report.notes).toContainEqual(
            expect.stringMatching(/^\.acldrift\/baseline\.json: the history is shallow \(cut at \w+\)/),
          )
        expect(report.notes).toContainEqual(
          expect.stringMatching(
            new RegExp(
              `^${POLICY}: \\w+ not attributed: the history is shallow: attribution saw ${depth} commits? back to ${boundary}, where the clone was cut.*may be older`,
            ),
          ),
        )
      }
    })
  }

  it('depth 3: the widening commit and its agent, exactly', async () => {
    const {code, report} = await auditJson(await clone(3))
    expect(code).toBe(1)
    expect(commitOf(report, POLICY)).toMatchObject({
      sha: widening,
      actor: {type: 'agent', agent: 'Claude Code'},
    })
    expect(report.notes.join('\n')).not.toMatch(/shallow/)
  })
})

describe.concurrent('odd repository states', () => {
  it('no commit yet (unborn HEAD): check, check --staged, snapshot, validate work; audit explains', async () => {
    const r = await newRepo()
    await r.write(POLICY, opened)
    await r.stage()
    const worktree = await checkJson(r.dir)
    expect(worktree.code).toBe(1)
    expect(worktree.report.baseline.commit).toBeNull()
    expect(worktree.report.notes).toContain('the repository has no commit yet: every document is new')
    const staged = await checkJson(r.dir, ['--staged'])
    expect(staged.code).toBe(1)
    expect(staged.report.findings[0]!.commit).toMatchObject({sha: 'pending', pending: true})
    const snapshot = await runCli(['snapshot'], {cwd: r.dir})
    expect(snapshot.code, snapshot.stderr).toBe(0)
    const parsed = JSON.parse(snapshot.stdout) as {source: {commit: unknown}; documents: unknown[]}
    expectValidSnapshot(parsed)
    expect(parsed.source.commit).toBeNull()
    expect(parsed.documents).toHaveLength(1)
    expect((await runCli(['validate'], {cwd: r.dir})).code).toBe(0)
    const audit = await runCli(['audit'], {cwd: r.dir})
    expect(audit.code).toBe(2)
    expect(audit.stderr).toContain('the repository has no commit yet')
    expect(audit.stderr).not.toMatch(/^\s+at /m)
  })

  it('a detached HEAD: checks and attribution as on a branch', async () => {
    const r = await newRepo()
    const base = await commitFiles(r, {[POLICY]: approved}, 'Approved')
    const agent = await commitAs(r, identities.devin, 'Open the reports bucket', {[POLICY]: opened})
    await commitFiles(r, {[POLICY]: approved}, 'Revert')
    await r.git('checkout', '--quiet', '--detach', agent)
    const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
    expect(code).toBe(1)
    expect(commitOf(report, POLICY)).toMatchObject({sha: agent, actor: {type: 'agent'}})
    expect((await checkJson(r.dir)).code).toBe(0)
    expect((await checkJson(r.dir, ['--staged'])).code).toBe(0)
  })

  it('merges and octopus merges: the side commit that widened, and the merge that brought it', async () => {
    const r = await newRepo()
    const base = await commitFiles(r, {[POLICY]: approved, 'iam/other.json': approved}, 'Approved')
    await r.git('checkout', '--quiet', '-b', 'feature')
    const agent = await commitAs(r, identities.copilotAgent, 'Open reports', {[POLICY]: opened})
    await r.git('checkout', '--quiet', 'main')
    await commitFiles(r, {'README.md': 'main\n'}, 'Main moves on')
    await r.git('merge', '--quiet', '--no-ff', '-m', 'Merge feature', 'feature')
    const merge = await r.git('rev-parse', 'HEAD')
    // An octopus: three branches at once, one of them widening another file.
    const branches = ['o1', 'o2', 'o3']
    let octopusWidening = ''
    for (const [i, b] of branches.entries()) {
      await r.git('checkout', '--quiet', '-b', b, 'main')
      if (b === 'o2')
        octopusWidening = await commitAs(r, identities.aider, 'All S3 on other', {'iam/other.json': widened})
      else await commitFiles(r, {[`notes/${i}.md`]: b}, `Note ${b}`)
    }
    await r.git('checkout', '--quiet', 'main')
    await r.git('merge', '--quiet', '--no-ff', '-m', 'Octopus', ...branches)
    const octopus = await r.git('rev-parse', 'HEAD')
    expect((await r.git('rev-list', '--parents', '-n', '1', 'HEAD')).trim().split(' ')).toHaveLength(5)

    const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
    expect(code).toBe(1)
    expect(commitOf(report, POLICY)).toMatchObject({
      sha: agent,
      actor: {type: 'agent'},
      merge: {sha: merge.trim(), subject: 'Merge feature'},
    })
    const other = commitOf(report, 'iam/other.json')
    expect(other?.merge).toEqual({sha: octopus.trim(), subject: 'Octopus'})
    // The octopus's first parent is main: the widening came in through one of its other parents.
    expect(other?.sha).toBe(octopusWidening)
  })

  it('renames and copies: a move is no change; a copy widened as it was made is blamed on that commit, across a later move', async () => {
    const r = await newRepo()
    const base = await commitFiles(r, {'iam/a.json': approved}, 'Approved')
    await r.git('mv', 'iam/a.json', 'iam/renamed.json')
    await r.commit('Rename')
    const moved = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
    expect(moved.code).toBe(0)
    expect(moved.report.findings).toEqual([])
    expect(moved.report.notes).toContain(
      'iam/a.json moved to iam/renamed.json: compared with its baseline version',
    )
    const copy = await commitAs(r, identities.claudeCode, 'Copy the policy for the exporter', {
      'iam/copy.json': widened,
    })
    await r.git('mv', 'iam/copy.json', 'iam/exporter.json')
    await r.commit('Move the copy')
    const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
    expect(code).toBe(1)
    expect(report.findings.map((f) => f.file)).toEqual(['iam/exporter.json'])
    expect(commitOf(report, 'iam/exporter.json')).toMatchObject({sha: copy, actor: {type: 'agent'}})
  })

  it("submodules: the submodule's files are not read as the parent's; a gitlink is skipped with a note", async () => {
    const sub = await newRepo()
    await commitFiles(sub, {[POLICY]: opened}, 'Public policy in the submodule')
    const r = await newRepo()
    const base = await commitFiles(r, {[POLICY]: approved}, 'Approved')
    // A gitlink named like a policy: nothing to read in the parent, and said so.
    await git(
      r.dir,
      '-c',
      'protocol.file.allow=always',
      'submodule',
      'add',
      '--quiet',
      sub.dir,
      'iam/vendored.json',
    )
    await r.commit('Add the submodule')
    for (const args of [['--ref', 'HEAD', '--baseline', base], [], ['--staged']]) {
      const {code, report} = await checkJson(r.dir, args)
      expect(code, args.join(' ')).toBe(0)
      expect(report.findings).toEqual([])
      expect(report.errors).toEqual([])
    }
    const {report} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
    expect(report.notes).toContain('iam/vendored.json: not read (submodule)')
    // Inside the submodule, acldrift works on the submodule's own repository.
    const inside = await checkJson(join(r.dir, 'iam/vendored.json'), ['--ref', 'HEAD'])
    expect(inside.report.target.commit).toBe(await git(join(r.dir, 'iam/vendored.json'), 'rev-parse', 'HEAD'))
  })

  it('a linked worktree: check and --staged work, and the hooks installed in the main one block its commits', async () => {
    const r = await newRepo()
    const link = async (dir: string) => {
      await mkdir(join(dir, 'node_modules', '.bin'), {recursive: true})
      await symlink(join(projectRoot, 'bin', 'run.js'), join(dir, 'node_modules', '.bin', 'acldrift'))
    }
    await link(r.dir)
    await commitFiles(r, {[POLICY]: approved, '.gitignore': 'node_modules/\n'}, 'Approved')
    const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
    expect(init.code, init.stderr + init.stdout).toBe(0)
    await r.stage()
    await r.commit('Set up acldrift')
    const parent = await makeTempDir('acldrift-worktree-')
    const wt = join(parent, 'feature tree')
    try {
      await git(r.dir, 'worktree', 'add', '--quiet', '-b', 'feature', wt)
      await link(wt)
      expect((await checkJson(wt)).code).toBe(0)
      await writeFile(join(wt, POLICY), opened)
      await git(wt, 'add', POLICY)
      const staged = await checkJson(wt, ['--staged'])
      expect(staged.code).toBe(1)
      expect(staged.report.findings.map((f) => f.rule)).toEqual(['public-principal'])
      const commit = await runHermetic('git', ['commit', '-m', 'Open reports'], {cwd: wt})
      expect(commit.code, commit.stderr).not.toBe(0)
      expect(commit.stderr).toContain('commit blocked')
      // One set of hooks, in the common git directory; none in the worktree's own.
      const common = await git(wt, 'rev-parse', '--path-format=absolute', '--git-common-dir')
      expect(await readdir(join(common, 'hooks'))).toEqual(
        expect.arrayContaining(['pre-commit', 'commit-msg']),
      )
      const own = await git(wt, 'rev-parse', '--path-format=absolute', '--git-dir')
      expect(await readdir(own)).not.toContain('hooks')
    } finally {
      await runHermetic('rm', ['-rf', parent], {cwd: '/'})
    }
  })

  it('a repository path with spaces and unicode, and a file path with spaces, unicode and quotes', async () => {
    const outer = await newRepo()
    const dir = join(outer.dir, 'ä b ç', 'répo “x”')
    await mkdir(dir, {recursive: true})
    await git(dir, 'init', '--quiet', '--initial-branch=main')
    for (const [k, v] of [
      ['user.name', 'Alice Example'],
      ['user.email', 'alice@example.com'],
      ['commit.gpgsign', 'false'],
    ])
      await git(dir, 'config', k, v)
    const file = 'iam/team "ops" pölicy ü\t.json'
    await mkdir(join(dir, 'iam'))
    await writeFile(join(dir, file), approved)
    await git(dir, 'add', '--all')
    await git(dir, 'commit', '--quiet', '-m', 'Approved')
    await writeFile(join(dir, file), opened)
    await git(dir, 'add', '--all')
    const staged = await checkJson(dir, ['--staged'])
    expect(staged.code).toBe(1)
    expect(staged.report.findings.map((f) => f.file)).toEqual([file])
    await git(dir, 'commit', '--quiet', '-m', 'Open it')
    const sha = await git(dir, 'rev-parse', 'HEAD')
    const {code, report} = await checkJson(dir, ['--ref', 'HEAD', '--baseline', 'HEAD~1'])
    expect(code).toBe(1)
    expect(commitOf(report, file)).toMatchObject({sha, subject: 'Open it'})
    const pretty = await runCli(['check', '--ref', 'HEAD', '--baseline', 'HEAD~1'], {cwd: join(dir, 'iam')})
    // The pretty output escapes control characters (a tab here) so a path cannot rewrite the terminal.
    // Named relative to iam/, where it ran.
    expect(pretty.stdout).toContain(' team "ops" pölicy ü\\u0009.json:4')
  })
})
