// The config a baseline is read with (issue 13 item 2; the README's "What is read"): an agent
// that makes the target's config read more (an `exclude` dropped) must not get the newly read
// access accepted as already there, through `audit` or a human's `baseline update`, and the
// finding names the commit that changed the config. Real git identities and trailers; the agent
// commits without the hook (as `git commit --no-verify` would).

import {readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {PASS_ADMIN} from '../adapters/aws-iam/documents.js'
import {identities, makeTempDir, runCli, type TestRepo} from '../helpers/repo.js'
import {checkJson, commitAs, commitFiles, type Finding, repoFactory} from './helpers.js'
import {CONFIG, dump} from './gate-scenarios.js'

const newRepo = repoFactory()
const ALICE = 'alice@example.com'
const SLOW = 180_000
const agent = identities.claudeCode
const BASELINE = '.acldrift/baseline.json'

const config = (extra: string[] = []) =>
  ['version: 1', ...extra, 'policy:', '  failOn: widening', '  approvers:', `    - ${ALICE}`, ''].join('\n')
const excluding = config(['exclude:', '  - legacy/**'])
const ADMIN = `${JSON.stringify({Version: '2012-10-17', Statement: [PASS_ADMIN]}, null, 2)}\n`

const open = (findings: Finding[]) =>
  findings.filter((f) => f.change !== 'narrowing' && (f.approval as {valid?: boolean} | null)?.valid !== true)

/** Alice's config excluding `legacy/**`, with an admin policy there, tagged `base`. */
async function excludedAdmin(extra: Record<string, string> = {}): Promise<TestRepo> {
  const r = await newRepo()
  await commitFiles(r, {[CONFIG]: excluding, 'legacy/admin.json': ADMIN, ...extra}, 'Config and policies')
  await r.git('tag', 'base')
  return r
}

/** The agent drops the exclude and moves the admin policy into `iam/` in one commit. */
async function dropAndMove(r: TestRepo, kept: string[] = []): Promise<string> {
  await r.git('rm', '-q', 'legacy/admin.json')
  return commitAs(r, agent, 'Tidy up the legacy folder', {[CONFIG]: config(kept), 'iam/admin.json': ADMIN})
}

const SNAPSHOT_BASELINE = [`baseline: ${BASELINE}`]

/** `excludedAdmin`, then Alice's snapshot of it committed as the config's baseline. */
async function snapshotBaseline(): Promise<TestRepo> {
  const r = await excludedAdmin()
  const snap = await runCli(['snapshot', '--output', BASELINE], {cwd: r.dir})
  expect(snap.code, dump(snap)).toBe(0)
  await r.write(CONFIG, config([...SNAPSHOT_BASELINE, 'exclude:', '  - legacy/**']))
  await r.stage(CONFIG, BASELINE)
  await r.commit('Baseline snapshot')
  return r
}

async function auditJson(r: TestRepo, args: string[]): Promise<{code: number; findings: Finding[]}> {
  const raw = await runCli(['audit', ...args, '--format', 'json'], {cwd: r.dir})
  expect([0, 1], dump(raw)).toContain(raw.code)
  return {code: raw.code, findings: (JSON.parse(raw.stdout) as {findings: Finding[]}).findings}
}

const theAgents = {actor: {type: 'agent', agent: 'Claude Code'}}

describe('audit reads the approved side with the approved config', () => {
  it(
    "a revision baseline: the moved admin policy is a widening, the agent's",
    async () => {
      const r = await excludedAdmin()
      const sha = await dropAndMove(r)
      const {code, findings} = await auditJson(r, ['--baseline', 'base'])
      expect(code, JSON.stringify(findings)).toBe(1)
      const admin = open(findings).find((f) => f.file === 'iam/admin.json')
      expect(admin).toMatchObject({change: 'widening', kind: 'aws-iam', commit: {sha, ...theAgents}})
    },
    SLOW,
  )

  it(
    "a baseline snapshot in the repository, taken under the exclude: the moved admin policy is a widening, the agent's",
    async () => {
      const r = await snapshotBaseline()
      const sha = await dropAndMove(r, SNAPSHOT_BASELINE)
      const {code, findings} = await auditJson(r, [])
      expect(code, JSON.stringify(findings)).toBe(1)
      const admin = open(findings).find((f) => f.file === 'iam/admin.json')
      expect(admin).toMatchObject({change: 'widening', kind: 'aws-iam', commit: {sha, ...theAgents}})
    },
    SLOW,
  )
})

describe('a dropped exclude, without a rename, is blamed on the commit that dropped it', () => {
  it(
    "the agent drops the exclude: legacy/admin.json's access is a widening, the agent's",
    async () => {
      const r = await excludedAdmin()
      await commitFiles(r, {'README.md': 'x\n'}, 'Readme, by Alice')
      const sha = await commitAs(r, agent, 'Check the legacy folder too', {[CONFIG]: config()})
      await commitFiles(r, {'NOTES.md': 'y\n'}, 'Notes, by Alice')
      const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', 'base'])
      expect(code, JSON.stringify(report.findings)).toBe(1)
      const admin = open(report.findings).find((f) => f.file === 'legacy/admin.json')
      expect(admin).toMatchObject({change: 'widening', commit: {sha, ...theAgents}})
    },
    SLOW,
  )
})

describe("a human's baseline update does not absorb what the agent's config brought in", () => {
  it(
    'the agent dropped the exclude and moved the admin policy: the update is refused, the snapshot unchanged',
    async () => {
      const r = await snapshotBaseline()
      const before = await readFile(join(r.dir, BASELINE), 'utf8')
      await dropAndMove(r, SNAPSHOT_BASELINE)
      const update = await runCli(['baseline', 'update'], {cwd: r.dir})
      expect(update.code, dump(update)).toBe(1)
      expect(update.stdout + update.stderr).toContain('iam/admin.json')
      expect(await readFile(join(r.dir, BASELINE), 'utf8')).toBe(before)
    },
    SLOW,
  )
})

describe('snapshot --ref REV reads REV with its own config', () => {
  it(
    "a snapshot of an old tag taken after Alice dropped the exclude holds what the tag's config read, and is no mismatch",
    async () => {
      const r = await excludedAdmin()
      await commitFiles(r, {[CONFIG]: config()}, 'Check the legacy policies too')
      const outside = await makeTempDir('acldrift-outside-')
      try {
        const file = join(outside, 'base.json')
        const taken = await runCli(['snapshot', '--ref', 'base', '--output', file], {cwd: r.dir})
        expect(taken.code, dump(taken)).toBe(0)
        const snapshot = JSON.parse(await readFile(file, 'utf8')) as {documents: Array<{path: string}>}
        expect(snapshot.documents.map((d) => d.path)).not.toContain('legacy/admin.json')
        const {report} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', file])
        expect(report.findings.filter((f) => f.rule === 'baseline-config-mismatch')).toEqual([])
      } finally {
        await rm(outside, {recursive: true, force: true})
      }
    },
    SLOW,
  )
})

// `--ref REV` reads REV with REV's own config, never the working tree's: the agent's widening,
// committed, is hidden by an `exclude` it writes into the working tree's config and never commits.
const DEPLOY = 'iam/deploy.json'
const hidingDeploy = (extra: string[] = []) => config([...extra, 'exclude:', `  - ${DEPLOY}`])

/** Alice's config tagged `base`; the agent commits an admin policy; the working tree's config excludes it. */
async function hiddenInWorktree(extra: string[] = [], setUp?: (r: TestRepo) => Promise<void>) {
  const r = await newRepo()
  await commitFiles(r, {[CONFIG]: config(extra)}, 'Config')
  await setUp?.(r)
  await r.git('tag', 'base')
  const sha = await commitAs(r, agent, 'Deploy role', {[DEPLOY]: ADMIN})
  await r.write(CONFIG, hidingDeploy(extra))
  return {r, sha}
}

describe("--ref REV is read with REV's config, not the working tree's", () => {
  it(
    "check --ref HEAD: the admin policy the working tree's config excludes is a widening, the agent's",
    async () => {
      const {r, sha} = await hiddenInWorktree()
      const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', 'base'])
      expect(code, JSON.stringify(report.findings)).toBe(1)
      const deploy = open(report.findings).find((f) => f.file === DEPLOY)
      expect(deploy).toMatchObject({change: 'widening', kind: 'aws-iam', commit: {sha, ...theAgents}})
    },
    SLOW,
  )

  it(
    "audit --ref HEAD: the admin policy the working tree's config excludes is a widening, the agent's",
    async () => {
      const {r, sha} = await hiddenInWorktree()
      const {code, findings} = await auditJson(r, ['--ref', 'HEAD', '--baseline', 'base'])
      expect(code, JSON.stringify(findings)).toBe(1)
      const deploy = open(findings).find((f) => f.file === DEPLOY)
      expect(deploy).toMatchObject({change: 'widening', kind: 'aws-iam', commit: {sha, ...theAgents}})
    },
    SLOW,
  )

  it(
    "baseline update --ref HEAD: refused while the working tree's config excludes the agent's admin policy, the snapshot unchanged",
    async () => {
      const {r} = await hiddenInWorktree(SNAPSHOT_BASELINE, async (repo) => {
        const snap = await runCli(['snapshot', '--output', BASELINE], {cwd: repo.dir})
        expect(snap.code, dump(snap)).toBe(0)
        await repo.stage(BASELINE)
        await repo.commit('Baseline snapshot')
      })
      const before = await readFile(join(r.dir, BASELINE), 'utf8')
      const update = await runCli(['baseline', 'update', '--ref', 'HEAD'], {cwd: r.dir})
      expect(update.code, dump(update)).toBe(1)
      expect(update.stdout + update.stderr).toContain(DEPLOY)
      expect(await readFile(join(r.dir, BASELINE), 'utf8')).toBe(before)
    },
    SLOW,
  )
})

// A revision without any config is read with the defaults: what acldrift reads there. The
// target's config cannot make such a baseline read more: a file only its `documents:` glob reads
// was never checked, and its access is new, blamed on the commit that brought it into reading.
describe('a baseline revision without a config is read with the defaults', () => {
  it(
    "the agent's first config reads an unchecked admin policy and sets failOn: never: the policy is a widening, the agent's",
    async () => {
      const r = await newRepo()
      await commitFiles(r, {'policies/deploy.policy': ADMIN}, 'Policies, before acldrift')
      await r.git('tag', 'base')
      const agentConfig = [
        'version: 1',
        'documents:',
        "  - glob: 'policies/*.policy'",
        '    kind: aws-iam',
        'policy:',
        '  failOn: never',
        '',
      ].join('\n')
      const sha = await commitAs(r, agent, 'Configure acldrift', {[CONFIG]: agentConfig})
      const {code, findings} = await auditJson(r, ['--ref', 'HEAD', '--baseline', 'base'])
      expect(code, JSON.stringify(findings)).toBe(1)
      const deploy = open(findings).find((f) => f.file === 'policies/deploy.policy')
      expect(deploy).toMatchObject({change: 'widening', kind: 'aws-iam', commit: {sha, ...theAgents}})
      expect(open(findings).map((f) => f.rule)).toContain('config-weakened')
    },
    SLOW,
  )
})

/** A team's own coding agent, which only the config's `actors.agents` names. */
const BUILDER = {name: 'Builder', email: 'builder@agents.example.com', message: (subject: string) => subject}

describe("--ref REV classifies commits with REV's actors, not the working tree's", () => {
  it(
    "audit --ref HEAD: a team's own agent, dropped from the working tree's config, is still an agent, and its widening below failOn needs an approval",
    async () => {
      const actors = ['actors:', '  agents:', '    - name: Builder', `      emails: ['${BUILDER.email}']`]
      const team = (extra: string[] = []) =>
        ['version: 1', ...extra, 'policy:', '  failOn: critical', '  approvers:', `    - ${ALICE}`, ''].join(
          '\n',
        )
      const r = await newRepo()
      await commitFiles(r, {[CONFIG]: team(actors)}, 'Config')
      await r.git('tag', 'base')
      const read = {
        Version: '2012-10-17',
        Statement: [{Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*'}],
      }
      const sha = await commitAs(r, BUILDER, 'Read reports', {[DEPLOY]: JSON.stringify(read)})
      await r.write(CONFIG, team())
      const {code, findings} = await auditJson(r, ['--ref', 'HEAD', '--baseline', 'base'])
      expect(code, JSON.stringify(findings)).toBe(1)
      const deploy = open(findings).find((f) => f.file === DEPLOY)
      expect(deploy).toMatchObject({
        change: 'widening',
        commit: {sha, actor: {type: 'agent', agent: 'Builder'}},
      })
    },
    SLOW,
  )
})

// `--ref`/`audit` without `--baseline`: the baseline is the one the approved config names, never
// the working tree's `baseline:`. An agent that snapshots its own widening into an uncommitted
// file and names it there would have the audit compare with that snapshot, and find nothing.
describe("audit without --baseline: the baseline is the approved config's, not the working tree's", () => {
  it(
    "the agent names its own uncommitted snapshot in the working tree's config: the admin policy is still a widening, the agent's",
    async () => {
      const r = await newRepo()
      await commitFiles(r, {[CONFIG]: config(SNAPSHOT_BASELINE)}, 'Config')
      const snap = await runCli(['snapshot', '--output', BASELINE], {cwd: r.dir})
      expect(snap.code, dump(snap)).toBe(0)
      await r.stage(BASELINE)
      await r.commit('Baseline snapshot')
      const sha = await commitAs(r, agent, 'Deploy role', {[DEPLOY]: ADMIN})
      const own = await runCli(['snapshot', '--output', '.acldrift/agent.json'], {cwd: r.dir})
      expect(own.code, dump(own)).toBe(0)
      await r.write(CONFIG, config(['baseline: .acldrift/agent.json']))
      for (const args of [[], ['--ref', 'HEAD']]) {
        const {code, findings} = await auditJson(r, args)
        expect(code, JSON.stringify(findings)).toBe(1)
        const deploy = open(findings).find((f) => f.file === DEPLOY)
        expect(deploy).toMatchObject({change: 'widening', kind: 'aws-iam', commit: {sha, ...theAgents}})
      }
      const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD'])
      expect(code, JSON.stringify(report.findings)).toBe(1)
      expect(open(report.findings).find((f) => f.file === DEPLOY)).toMatchObject({change: 'widening'})
    },
    SLOW,
  )
})
