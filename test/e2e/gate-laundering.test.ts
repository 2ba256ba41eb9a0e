// Laundering an agent's widening through a human (issue 13, item 3; the README's "Approvals,
// policy and protected files"), end to end: a repository set up by `acldrift init --hook git`,
// real hooks, Claude Code's own identity and trailer (the honest agent), and the human's
// routine command after it (or a `git replace` of the agent's commit). One repository per
// scenario; each ends with the human's hook blocking, the human's command refusing, or the
// audit naming the agent. Also: where blame starts (git history, not the snapshot's claim), and
// the severity of a possible widening under failOn.

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {identities, runCli, type TestRepo} from '../helpers/repo.js'
import {type Finding, repoFactory} from './helpers.js'
import {audit, dump, git, trust, APPROVALS, TRUST, setUpWithTrust} from './gate-scenarios.js'

const newRepo = repoFactory()
const SLOW = 180_000
const BASELINE = '.acldrift/baseline.json'
const CLAUDE_ENV = {CLAUDECODE: '1'}
const agent = identities.claudeCode

/**
 * Alice's repository: the partner trust, then `acldrift init --hook git` (config, baseline
 * snapshot, hooks; Alice the first approver), committed by her through the hook and tagged `base`.
 * `policy` rewrites the config's policy lines.
 */
async function setUp(policy?: string): Promise<TestRepo> {
  const r = await setUpWithTrust(newRepo, policy)
  await r.git('tag', 'base')
  return r
}

const isAgents = (f: Finding) =>
  (f.commit as {actor?: {type?: string; agent?: string}} | null)?.actor?.type === 'agent'

describe('laundering through a human', () => {
  it(
    "an agent's approval on a branch does not count once a human squash-merges it",
    async () => {
      const r = await setUp()
      await r.git('checkout', '-q', '-b', 'agent/partner-sync')
      // The agent widens the trust and writes the approval in Alice's name (her git identity,
      // the file `acldrift approve` would write), committed on its branch without the hook.
      await r.write(TRUST, trust('0.0.0.0/0'))
      const check = await runCli(['check', '--format', 'json'], {cwd: r.dir, env: CLAUDE_ENV})
      const widening = (JSON.parse(check.stdout) as {findings: Finding[]}).findings.find(
        (f) => f.kind === 'aws-iam' && f.change === 'widening',
      )!
      const written = await runCli(
        ['approve', widening.id, '--reason', 'Partner sync from anywhere', '--expires', '2099-12-31'],
        {cwd: r.dir},
      )
      expect(written.code, dump(written)).toBe(0)
      await r.stage(TRUST, APPROVALS)
      const branch = await git(
        r,
        CLAUDE_ENV,
        'commit',
        '--no-verify',
        '-m',
        agent.message('Let the partner sync from its new range'),
      )
      expect(branch.code, dump(branch)).toBe(0)

      // Alice squash-merges the branch, with her own message: one human commit carries both.
      await r.git('checkout', '-q', 'main')
      await r.git('merge', '--squash', 'agent/partner-sync')
      const squash = await git(r, {}, 'commit', '-m', 'Partner sync (#12)')
      expect(squash.code, dump(squash)).not.toBe(0)
      expect(squash.stderr).toContain('acldrift: commit blocked')
      expect(squash.stderr).toContain('self-approval')
      expect(squash.stderr).toContain('same commit as the access it approves')

      // Committed anyway: the audit reports the widening as unapproved and the approval as not counting.
      expect((await git(r, {}, 'commit', '--no-verify', '-m', 'Partner sync (#12)')).code).toBe(0)
      const {code, findings} = await audit(r)
      expect(code).toBe(1)
      const open = findings.find((f) => f.id === widening.id)!
      expect(open.approval).toMatchObject({valid: false, status: 'self-approval'})
      const carried = findings.find((f) => f.rule === 'self-approval')!
      expect(carried.message).toContain('squash merge')
    },
    SLOW,
  )

  it(
    "a human's routine `baseline update` refuses to absorb an agent's baseline tampering",
    async () => {
      const r = await setUp()
      // The agent widens the trust, regenerates the snapshot to match, and commits both.
      await r.write(TRUST, trust('0.0.0.0/0'))
      const snapshot = await runCli(['snapshot', '--output', BASELINE], {cwd: r.dir, env: CLAUDE_ENV})
      expect(snapshot.code, dump(snapshot)).toBe(0)
      await r.stage(TRUST, BASELINE)
      const agentCommit = await git(
        r,
        CLAUDE_ENV,
        'commit',
        '--no-verify',
        '-m',
        agent.message('Refresh the baseline'),
      )
      expect(agentCommit.code, dump(agentCommit)).toBe(0)

      // Alice, later, refreshes the baseline as she always does: refused, naming the agent's change.
      const update = await runCli(['baseline', 'update'], {cwd: r.dir})
      expect(update.code, dump(update)).toBe(1)
      expect(update.stdout).toContain('baseline-widened')
      expect(update.stdout).toContain('Claude Code')
      expect(await r.git('status', '--porcelain')).toBe('')
    },
    SLOW,
  )

  it(
    "a human's `rebase --autosquash` of the agent's fixup! commit keeps the change the agent's",
    async () => {
      // Agents' widenings need approval whatever their severity; a human's only at critical.
      const r = await setUp('  failOn: critical\n  agents: require-approval\n')
      await r.write('src/app.ts', 'export const app = 1\n')
      await r.stage()
      expect((await git(r, {}, 'commit', '-m', 'App')).code).toBe(0)
      const target = (await r.git('rev-parse', 'HEAD')).trim()
      await r.write(TRUST, trust('198.51.100.0/24'))
      await r.stage(TRUST)
      const fixup = await git(r, CLAUDE_ENV, 'commit', '--no-verify', '-m', agent.message('fixup! App'))
      expect(fixup.code, dump(fixup)).toBe(0)
      const before = await audit(r)
      expect(before.code).toBe(1)
      expect(before.findings.filter((f) => f.kind === 'aws-iam').every(isAgents)).toBe(true)

      // Alice tidies the history before pushing: the fixup is folded into her commit, its message dropped.
      const rebase = await git(
        r,
        {GIT_SEQUENCE_EDITOR: 'true'},
        'rebase',
        '-i',
        '--autosquash',
        `${target}~1`,
      )
      expect(rebase.code, dump(rebase)).toBe(0)
      expect(await r.git('log', '--format=%an <%ae>%n%B', '-1')).not.toContain('Claude')
      const after = await audit(r)
      expect(after.code, dump(after.raw)).toBe(1)
      const moved = after.findings.filter((f) => f.kind === 'aws-iam')
      expect(moved.length).toBeGreaterThan(0)
      for (const f of moved) expect(f.commit).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})
    },
    SLOW,
  )

  it(
    "a `git replace` of the agent's commit by a clean copy does not make the change a human's",
    async () => {
      const r = await setUp('  failOn: critical\n  agents: require-approval\n')
      await r.write(TRUST, trust('198.51.100.0/24'))
      await r.stage(TRUST)
      const made = await git(r, CLAUDE_ENV, 'commit', '--no-verify', '-m', agent.message('Partner range'))
      expect(made.code, dump(made)).toBe(0)
      // The same tree and parent under a message without the agent's trailer, put in its place.
      const [tree, parent] = (await r.git('log', '-1', '--format=%T %P')).trim().split(' ')
      const clean = (await r.git('commit-tree', tree!, '-p', parent!, '-m', 'Partner range')).trim()
      await r.git('replace', 'HEAD', clean)
      expect(await r.git('log', '-1', '--format=%B')).not.toContain('Claude')
      const {code, findings} = await audit(r)
      expect(code).toBe(1)
      const moved = findings.filter((f) => f.kind === 'aws-iam' && f.change === 'widening')
      expect(moved.length).toBeGreaterThan(0)
      for (const f of moved) expect(f.commit).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})
    },
    SLOW,
  )
})

describe('attribution from git history', () => {
  it(
    "an agent that moves the snapshot's source.commit past its widening is still named, and the move is reported",
    async () => {
      const r = await setUp()
      const approvedVersion = (await r.git('rev-parse', 'HEAD')).trim()
      await r.write(TRUST, trust('0.0.0.0/0'))
      await r.stage(TRUST)
      const widen = await git(r, CLAUDE_ENV, 'commit', '--no-verify', '-m', agent.message('Open the trust'))
      expect(widen.code, dump(widen)).toBe(0)
      const widening = (await r.git('rev-parse', 'HEAD')).trim()

      // The snapshot now claims to be of the agent's own commit: history after it holds no widening.
      const snapshot = JSON.parse(await readFile(join(r.dir, BASELINE), 'utf8')) as {source: {commit: string}}
      snapshot.source.commit = widening
      await r.write(BASELINE, `${JSON.stringify(snapshot, null, 2)}\n`)
      await r.stage(BASELINE)
      const hooked = await git(r, CLAUDE_ENV, 'commit', '-m', agent.message('Tidy the baseline'))
      expect(hooked.code, dump(hooked)).not.toBe(0)
      expect(hooked.stderr).toContain('baseline-moved')
      expect((await git(r, CLAUDE_ENV, 'commit', '--no-verify', '-m', agent.message('Tidy'))).code).toBe(0)

      const {code, findings, raw} = await audit(r)
      expect(code).toBe(1)
      const open = findings.find((f) => f.kind === 'aws-iam' && f.change === 'widening')!
      expect(open.commit, dump(raw)).toMatchObject({
        sha: widening,
        actor: {type: 'agent', agent: 'Claude Code'},
      })
      const moved = findings.find((f) => f.rule === 'baseline-moved')!
      expect(moved).toMatchObject({severity: 'medium', file: BASELINE, approval: null})
      expect(moved.commit).toMatchObject({actor: {type: 'agent'}})
      expect(JSON.parse(raw.stdout).notes.join('\n')).toContain(
        `its history says ${(await r.git('rev-parse', `${approvedVersion}~1`)).trim().slice(0, 7)}`,
      )
    },
    SLOW,
  )
})

describe('an undecidable condition does not lower severity', () => {
  it(
    'failOn: high blocks iam:PassRole on every role under a condition operator acldrift cannot read, as it does under StringEquals',
    async () => {
      const r = await setUp('  failOn: high\n')
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html:
      // StringContains is no IAM operator, so what it matches cannot be decided.
      const deploy = (operator: string) =>
        `${JSON.stringify(
          {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'PassAnyRole',
                Effect: 'Allow',
                Action: 'iam:PassRole',
                Resource: '*',
                Condition: {[operator]: {'aws:ResourceAccount': '111122223333'}},
              },
            ],
          },
          null,
          2,
        )}\n`
      const POLICY = 'iam/policies/deploy.json'
      for (const operator of ['StringEquals', 'StringContains']) {
        await r.write(POLICY, deploy(operator))
        await r.stage(POLICY)
        const commit = await git(r, {}, 'commit', '-m', 'Let the deployer pass roles')
        expect(commit.code, `${operator}\n${dump(commit)}`).not.toBe(0)
        expect(commit.stderr).toContain('iam:PassRole')
      }
      const check = await runCli(['check', '--staged', '--format', 'json'], {cwd: r.dir})
      const [possible] = (JSON.parse(check.stdout) as {findings: Finding[]}).findings
      expect(possible).toMatchObject({
        change: 'possible-widening',
        rule: 'privilege-escalation',
        severity: 'high',
      })
    },
    SLOW,
  )
})
