// The gate played as an agent, end to end (issue 13; the README's "Approvals, policy and
// protected files"): an honest agent — Claude Code's identity and Co-Authored-By trailer —
// trying to get a widening accepted without a human approving it. One repository per scenario.
// Each ends with `check` or `audit` failing and reporting the change as the agent's.
//
// The agent commits without the hook (as `git commit --no-verify` would): what is checked here is
// what the audit and `check --range` see afterwards; except where an approval meets a narrower
// and then a wider version of what it approved, which goes through the pre-commit hook.

import {readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {PASS_ADMIN, throughEndpoints} from '../adapters/aws-iam/documents.js'
import {identities, makeTempDir, runCli, runHermetic, type TestRepo} from '../helpers/repo.js'
import {checkJson, commitAs, commitFiles, type Finding, repoFactory} from './helpers.js'
import {
  PARTNER,
  trust,
  CONFIG,
  APPROVALS,
  TRUST,
  audit,
  dump,
  git,
  initialisedWithTrust,
  setUpWithTrust,
} from './gate-scenarios.js'

const newRepo = repoFactory()
const ALICE = 'alice@example.com'
const SLOW = 180_000

const config = (extra: string[] = []) =>
  ['version: 1', ...extra, 'policy:', '  failOn: widening', '  approvers:', `    - ${ALICE}`, ''].join('\n')

const OTHER_ROOT = 'arn:aws:iam::333333333333:root'

const agent = identities.claudeCode
const CLAUDE_ENV = {CLAUDECODE: '1'}
const unapproved = (findings: Finding[]) =>
  findings.filter((f) => f.change !== 'narrowing' && (f.approval as {valid?: boolean} | null)?.valid !== true)

async function approvedRepo(files: Record<string, string>): Promise<TestRepo> {
  const r = await newRepo()
  await commitFiles(r, {[CONFIG]: config(), ...files}, 'Config and policies, by Alice')
  await r.git('tag', 'base')
  return r
}

describe('an approval covers the access it recorded, or one its engine finds narrower', () => {
  it('an approval of "partner role from 203.0.113.0/24" never covers another principal or 0.0.0.0/0', async () => {
    const r = await approvedRepo({'README.md': 'x\n'})
    await commitFiles(r, {[TRUST]: trust('203.0.113.0/24', PARTNER)}, 'Partner may assume the sync role')
    const first = await checkJson(r.dir, ['--range', 'base..HEAD'])
    expect(first.code).toBe(1)
    const [grant] = unapproved(first.report.findings)
    const approved = await runCli(
      ['approve', grant!.id, '--range', 'base..HEAD', '--reason', 'Partner sync', '--expires', '2099-12-31'],
      {cwd: r.dir},
    )
    expect(approved.code, approved.stderr).toBe(0)
    // The entry records the whole statement approved: its principal and its condition.
    const file = await readFile(join(r.dir, APPROVALS), 'utf8')
    expect(file).toContain('whole:')
    expect(file).toContain(PARTNER)
    expect(file).toContain('203.0.113.0/24')
    await r.stage(APPROVALS)
    await r.commit('Approve the partner trust')
    expect((await checkJson(r.dir, ['--range', 'base..HEAD'])).code).toBe(0)

    for (const [principal, cidr] of [
      [PARTNER, '0.0.0.0/0'],
      [OTHER_ROOT, '203.0.113.0/24'],
    ] as const) {
      await commitAs(r, agent, 'Widen the partner trust', {[TRUST]: trust(cidr, principal)})
      const {code, report} = await checkJson(r.dir, ['--range', 'base..HEAD'])
      expect(code).toBe(1)
      const open = unapproved(report.findings).filter((f) => f.kind === 'aws-iam')
      expect(open.length).toBeGreaterThan(0)
      expect(open[0]!.commit).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})
      expect(report.findings.map((f) => f.rule)).toContain('approval-stale')
    }
  }, 180_000)

  it(
    'through the hook: a narrower version of the approved statement passes, a wider one is blocked naming the new access',
    async () => {
      const r = await setUpWithTrust(newRepo)
      // The partner may also tag its sessions and set their source identity, from a second range.
      const statement = (actions: string[], cidrs: string[], principals: string[], extra = {}) =>
        `${JSON.stringify(
          {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'PartnerAssume',
                Effect: 'Allow',
                Principal: {AWS: principals},
                Action: actions,
                Condition: {IpAddress: {'aws:SourceIp': cidrs}, ...extra},
              },
            ],
          },
          null,
          2,
        )}\n`
      const ACTIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']
      const RANGES = ['203.0.113.0/24', '198.51.100.0/24']
      const commitByAgent = async (text: string, subject: string) => {
        await r.write(TRUST, text)
        await r.stage(TRUST)
        return git(r, CLAUDE_ENV, 'commit', '-m', agent.message(subject))
      }
      // The agent's widening, approved by Alice in a commit of her own before the agent commits it.
      await r.write(TRUST, statement(ACTIONS, RANGES, [PARTNER]))
      const pending = await checkJson(r.dir, [])
      const widenings = unapproved(pending.report.findings).filter((f) => f.kind === 'aws-iam')
      expect(widenings.length, JSON.stringify(pending.report.findings)).toBeGreaterThan(0)
      for (const f of widenings) {
        const approved = await runCli(
          ['approve', f.id, '--reason', 'Partner sync sessions', '--expires', '2099-12-31'],
          {cwd: r.dir},
        )
        expect(approved.code, dump(approved)).toBe(0)
      }
      await r.stage(APPROVALS)
      const approval = await git(r, {}, 'commit', '-m', 'Approve the partner sync sessions')
      expect(approval.code, dump(approval)).toBe(0)
      const widened = await commitByAgent(statement(ACTIONS, RANGES, [PARTNER]), 'Partner sync sessions')
      expect(widened.code, dump(widened)).toBe(0)

      // Narrower: an action fewer and a condition more (TLS only). No new approval needed.
      const narrower = statement(ACTIONS.slice(0, 2), RANGES, [PARTNER], {
        Bool: {'aws:SecureTransport': 'true'},
      })
      const narrowed = await commitByAgent(narrower, 'Partner sync: fewer permissions, TLS only')
      expect(narrowed.code, dump(narrowed)).toBe(0)

      // Wider than approved: from any address. Blocked, naming it.
      const wider = statement(ACTIONS.slice(0, 2), [...RANGES, '0.0.0.0/0'], [PARTNER], {
        Bool: {'aws:SecureTransport': 'true'},
      })
      const blocked = await commitByAgent(wider, 'Partner sync: second account')
      expect(blocked.code, dump(blocked)).not.toBe(0)
      expect(blocked.stderr).toContain('acldrift: commit blocked')
      // The engine was asked whether the approved statement implies it, and said no; the witness
      // is an address outside the approved ranges, and the widening is the agent's pending commit.
      expect(blocked.stderr, dump(blocked)).toContain('WIDENING  privilege-escalation')
      expect(blocked.stderr).toContain('aws:SourceIp:        0.0.0.0')
      expect(blocked.stderr).toMatch(/commit: pending .*\n\s+actor: +agent: Claude Code/)
    },
    SLOW,
  )

  it('an approval written before approvals recorded their access is read, and does not count', async () => {
    const r = await approvedRepo({[TRUST]: trust('203.0.113.0/24', PARTNER)})
    await commitAs(r, agent, 'Open the partner trust', {[TRUST]: trust('0.0.0.0/0', PARTNER)})
    const {report} = await checkJson(r.dir, ['--range', 'base..HEAD'])
    const [open] = unapproved(report.findings)
    // The previous format: the same entry without `whole`, committed by Alice.
    const old = [
      'version: 1',
      'approvals:',
      `  - id: ${open!.id}`,
      '    kind: aws-iam',
      `    file: ${TRUST}`,
      `    access: {change: ${open!.change}, rule: ${open!.rule}, witness: null}`,
      `    approver: ${ALICE}`,
      '    reason: Partner sync',
      "    expires: '2099-12-31'",
      "    created: '2026-01-01T00:00:00Z'",
      '',
    ].join('\n')
    await commitFiles(r, {[APPROVALS]: old}, 'Approve the partner trust (old format)')
    const after = await checkJson(r.dir, ['--range', 'base..HEAD'])
    expect(after.code).toBe(1)
    const judged = after.report.findings.find((f) => f.id === open!.id)!
    expect(judged.approval).toMatchObject({valid: false, status: 'unverified'})
    expect((judged.approval as {why: string}).why).toContain('approve the finding again')
  })
})

describe('the audit judges against the approved state', () => {
  it("an agent's `baseline: HEAD` in the config does not make the audit pass", async () => {
    const r = await approvedRepo({[TRUST]: trust('203.0.113.0/24', PARTNER)})
    await commitFiles(r, {[CONFIG]: config(['baseline: base'])}, 'Audit against the base tag, by Alice')
    await r.git('tag', '-f', 'base')
    await commitAs(r, agent, 'Open the partner trust', {
      [TRUST]: trust('0.0.0.0/0', OTHER_ROOT),
      [CONFIG]: config(['baseline: HEAD']),
    })
    const audit = await runCli(['audit', '--format', 'json'], {cwd: r.dir, env: CLAUDE_ENV})
    expect(audit.code, audit.stderr).toBe(1)
    const report = JSON.parse(audit.stdout) as {findings: Finding[]}
    const moved = unapproved(report.findings).find((f) => f.kind === 'acldrift' && f.file === CONFIG)
    expect(moved, JSON.stringify(report.findings.map((f) => f.rule))).toBeDefined()
    expect(moved!.commit).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})
  })
})

describe('evidence wins over disguise', () => {
  it('an agent authoring as dependabot[bot], with its trailer, is the agent: its widening needs approval', async () => {
    const r = await newRepo()
    await commitFiles(
      r,
      {
        [CONFIG]: config().replace('failOn: widening', 'failOn: critical\n  agents: require-approval'),
        [TRUST]: trust('203.0.113.0/24', PARTNER),
      },
      'Config and policies, by Alice',
    )
    await r.git('tag', 'base')
    // Dependabot's name, email and sign-off, and Claude Code's own trailer.
    const disguised = {
      ...identities.dependabot,
      message: (subject: string) => agent.message(identities.dependabot.message(subject)),
    }
    await commitAs(r, disguised, 'Bump partner trust', {[TRUST]: trust('198.51.100.0/24', PARTNER)})
    const {code, report} = await checkJson(r.dir, ['--range', 'base..HEAD'])
    const [grant] = unapproved(report.findings).filter((f) => f.kind === 'aws-iam')
    expect(grant?.severity).not.toBe('critical')
    expect(grant!.commit).toMatchObject({
      author: {email: identities.dependabot.email},
      actor: {type: 'agent', agent: 'Claude Code'},
    })
    expect(code).toBe(1)
  }, 120_000)
})

describe('a comparison cut short is no way around the gate', () => {
  // A bucket's objects from 50 VPCs through 50 endpoints (2,500 new request classes, past the
  // 2,000 the AWS engine lists), and behind them an iam:PassRole on the admin role that the first
  // 2,000 never reach.
  const POLICY = 'iam/policies/data-pipeline.json'
  // An identity policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
  const identityPolicy = (...statements: object[]) =>
    `${JSON.stringify({Version: '2012-10-17', Statement: [{Sid: 'List', Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*'}, ...statements]}, null, 2)}\n`
  const DATA = throughEndpoints('Pipeline', 'pipeline')

  it(
    'every listed finding approved with --all-from: the next commit is still blocked, naming the truncation',
    async () => {
      const r = await newRepo()
      await commitFiles(r, {[POLICY]: identityPolicy()}, 'Pipeline policy')
      const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
      expect(init.code, dump(init)).toBe(0)
      await r.stage()
      const setUp = await git(r, {}, 'commit', '-m', 'Set up acldrift')
      expect(setUp.code, dump(setUp)).toBe(0)

      // The agent's change, blocked by the hook, then committed without it.
      await r.write(POLICY, identityPolicy(DATA, PASS_ADMIN))
      await r.stage(POLICY)
      const message = agent.message('Let the pipeline write its buckets')
      const blocked = await git(r, CLAUDE_ENV, 'commit', '-m', message)
      expect(blocked.code, dump(blocked)).not.toBe(0)
      expect(blocked.stdout + blocked.stderr).toContain('comparison-truncated')
      const forced = await git(r, CLAUDE_ENV, 'commit', '--no-verify', '-m', message)
      expect(forced.code, dump(forced)).toBe(0)
      const before = await checkJson(r.dir, [])
      expect(before.report.findings.some((f) => f.witness?.action === 'iam:PassRole')).toBe(false)
      const cut = before.report.findings.find((f) => f.rule === 'comparison-truncated')!
      expect(cut).toMatchObject({change: 'possible-widening', severity: 'high', file: POLICY})
      expect(cut.commit).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})

      // history says so too, for the agent's commit: the cut's note and its finding.
      const history = await runCli(['history', POLICY, '--format', 'json'], {cwd: r.dir})
      expect([0, 1], dump(history)).toContain(history.code)
      const timeline = JSON.parse(history.stdout) as {notes: string[]; findings: Finding[]}
      const sha = (await r.git('rev-parse', 'HEAD')).trim()
      expect(timeline.notes).toContain(
        `${sha.slice(0, 12)}: ${POLICY}: more than 2000 widening cells; the first 2000 are reported`,
      )
      expect(timeline.findings.find((f) => f.rule === 'comparison-truncated')?.commit).toMatchObject({sha})

      // The human approves every listed finding of the commit: the truncation is left out, and said.
      const approve = (...args: string[]) =>
        runCli(['approve', ...args, '--reason', 'Pipeline writes', '--expires', '2099-12-31'], {cwd: r.dir})
      const all = await approve('--all-from', 'HEAD')
      expect(all.code, dump(all)).toBe(0)
      expect(all.stdout + all.stderr).toContain(
        `${cut.id} (comparison-truncated in ${POLICY}) was not approved`,
      )
      const approvals = await readFile(join(r.dir, APPROVALS), 'utf8')
      expect(approvals).not.toContain(cut.id)
      // Named by id, it is refused outright.
      const byId = await approve(cut.id)
      expect(byId.code, dump(byId)).toBe(2)
      expect(byId.stderr).toContain('cannot be approved: no approval covers it')

      // The approval commit goes through the hook: blocked, by the truncation alone.
      await r.stage(APPROVALS)
      const next = await git(r, {}, 'commit', '-m', 'Approve the pipeline writes')
      expect(next.code, dump(next)).not.toBe(0)
      expect(next.stdout + next.stderr).toContain('comparison-truncated')
      const after = await checkJson(r.dir, ['--staged'])
      expect(after.code).toBe(1)
      expect(unapproved(after.report.findings).map((f) => f.rule)).toEqual(['comparison-truncated'])
    },
    SLOW,
  )
})

describe("an agent's first config does not set its own policy", () => {
  const DEPLOY = 'iam/ci/deploy.json'
  const deploy = (action: string, resource: string) =>
    `${JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: action, Resource: resource}]}, null, 2)}\n`
  const agentConfig = (exclude: string[] = []) =>
    ['version: 1', ...exclude, 'policy:', '  failOn: never', '  approvers:', `    - ${ALICE}`, ''].join('\n')
  const setting = (f: Finding) => f.witness as {setting?: string; uncovered?: string}

  it(
    'in the audit: failOn: never, itself as approver with its own approval, then an exclude over a widening — judged by the defaults until a person commits the config',
    async () => {
      const r = await newRepo()
      const base = await commitFiles(
        r,
        {[TRUST]: trust('203.0.113.0/24'), [DEPLOY]: deploy('s3:GetObject', 'arn:aws:s3:::artifacts/*')},
        'Partner trust and deploy policy, by Alice',
      )
      // The approved state, kept outside the repository (as a scheduled audit keeps it).
      const outside = await makeTempDir('acldrift-outside-')
      try {
        const snapshot = join(outside, 'baseline.json')
        const taken = await runCli(['snapshot', '--out', snapshot], {cwd: r.dir})
        expect(taken.code, dump(taken)).toBe(0)
        const against = ['--baseline', snapshot]

        // The agent widens the trust, writes the first config, and approves its own widening.
        await r.write(TRUST, trust('0.0.0.0/0', OTHER_ROOT))
        await r.write(CONFIG, agentConfig())
        const pending = await checkJson(r.dir, against, CLAUDE_ENV)
        const [grant] = pending.report.findings.filter((f) => f.kind === 'aws-iam' && f.file === TRUST)
        expect(grant, dump(pending)).toBeDefined()
        const approve = ['approve', grant!.id, ...against, '--reason', 'Partner', '--expires', '2099-12-31']
        // (`approve` refuses under CLAUDECODE=1: the agent runs it without)
        const approved = await runCli(approve, {cwd: r.dir})
        expect(approved.code, dump(approved)).toBe(0)
        await r.stage()
        const commit = await git(
          r,
          CLAUDE_ENV,
          'commit',
          '--no-verify',
          '-m',
          agent.message('Partner access'),
        )
        expect(commit.code, dump(commit)).toBe(0)

        const audit = await checkJson(r.dir, ['--ref', 'HEAD', ...against])
        expect(audit.code, dump(audit)).toBe(1)
        const own = audit.report.findings.filter((f) => f.kind === 'acldrift' && f.file === CONFIG)
        expect(own.map((f) => `${f.rule} ${setting(f).setting}`).sort(), dump(audit)).toEqual([
          'approver-added policy.approvers',
          'config-weakened policy.failOn',
        ])
        for (const f of own) {
          expect(f.commit).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})
          expect((f.approval as {valid?: boolean} | null)?.valid, JSON.stringify(f)).not.toBe(true)
        }
        const judged = audit.report.findings.find((f) => f.kind === 'aws-iam' && f.file === TRUST)
        expect(judged!.approval, dump(audit)).toMatchObject({valid: false, status: 'self-approval'})
        expect(audit.report.notes.join('\n')).toContain(`${CONFIG} is new and it was written in commit`)

        // Then an exclude over the deploy policy, which it widens: the file is still seen.
        const excluded = agentConfig(['exclude:', "  - 'iam/ci/**'"])
        await commitAs(r, agent, 'Deploy anything', {[DEPLOY]: deploy('s3:*', '*'), [CONFIG]: excluded})
        const bySnapshot = await runCli(['check', '--ref', 'HEAD', ...against], {cwd: r.dir})
        expect(bySnapshot.code, dump(bySnapshot)).toBe(3)
        expect(dump(bySnapshot)).toContain(`${DEPLOY}:1:1 was an aws-iam document in the baseline`)
        // The revision `base` has no config: it is read with the defaults, as the snapshot taken there.
        const byRevision = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
        expect(byRevision.code, dump(byRevision)).toBe(3)
        expect(dump(byRevision)).toContain(`was an aws-iam document in the baseline and is no longer read`)
        const hidden = byRevision.report.findings.find((f) => f.kind === 'acldrift' && setting(f).uncovered)
        expect(hidden, dump(byRevision)).toMatchObject({
          rule: 'config-weakened',
          witness: {uncovered: DEPLOY},
        })
        expect(hidden!.commit).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})

        // Alice commits the config herself: now it is hers, and applies as written.
        await commitFiles(r, {[CONFIG]: `# Reviewed by Alice\n${excluded}`}, 'acldrift config, reviewed')
        const confirmed = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
        expect(confirmed.code, dump(confirmed)).toBe(0)
        expect(confirmed.report.notes.join('\n')).toContain('its policy and approvers apply as written')
      } finally {
        await rm(outside, {recursive: true, force: true})
      }
    },
    SLOW,
  )

  it(
    'through the hook: the agent commits the config `init` wrote, with failOn: never — blocked; Alice commits it as written — passes',
    async () => {
      const r = await initialisedWithTrust(newRepo)
      const written = await readFile(join(r.dir, CONFIG), 'utf8')
      await r.write(CONFIG, written.replace('failOn: widening', 'failOn: never'))
      await r.stage()
      const byAgent = await git(r, CLAUDE_ENV, 'commit', '-m', agent.message('Set up acldrift'))
      expect(byAgent.code, dump(byAgent)).not.toBe(0)
      expect(byAgent.stderr).toContain('acldrift: commit blocked')
      expect(byAgent.stderr, dump(byAgent)).toContain('WIDENING  config-weakened')
      expect(byAgent.stderr).toMatch(/commit: pending .*\n\s+actor: +agent: Claude Code/)
      await r.write(CONFIG, written)
      await r.stage()
      const byAlice = await git(r, {}, 'commit', '-m', 'Set up acldrift')
      expect(byAlice.code, dump(byAlice)).toBe(0)
    },
    SLOW,
  )
})

describe('a baseline nobody approved', () => {
  it(
    "an agent's own snapshot and config, in a repository no approver ever committed them to, are reported as the agent's",
    async () => {
      const r = await newRepo()
      await commitFiles(r, {[TRUST]: trust('203.0.113.0/24')}, 'Partner trust, by Alice')
      // The agent widens the trust, then writes the config and a snapshot that already accepts it.
      const BASELINE = '.acldrift/baseline.json'
      await r.write(TRUST, trust('0.0.0.0/0', OTHER_ROOT))
      await r.write(CONFIG, config([`baseline: ${BASELINE}`]))
      const taken = await runCli(['snapshot', '--output', BASELINE], {cwd: r.dir, env: CLAUDE_ENV})
      expect(taken.code, dump(taken)).toBe(0)
      await r.stage()
      const commit = await git(r, CLAUDE_ENV, 'commit', '-m', agent.message('Baseline the partner access'))
      expect(commit.code, dump(commit)).toBe(0)

      const audit = await checkJson(r.dir, ['--ref', 'HEAD'])
      expect(audit.code, dump(audit)).toBe(1)
      const unapprovedBaseline = audit.report.findings.find((f) => f.rule === 'baseline-unapproved')
      expect(unapprovedBaseline, dump(audit)).toMatchObject({
        kind: 'acldrift',
        file: BASELINE,
        severity: 'high',
      })
      expect(unapprovedBaseline!.commit).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})

      // Alice takes the snapshot again and commits it: the baseline is hers now.
      const retaken = await runCli(['snapshot', '--output', BASELINE], {cwd: r.dir})
      expect(retaken.code, dump(retaken)).toBe(0)
      await r.stage(BASELINE)
      await r.commit('Baseline, reviewed by Alice')
      const approved = await checkJson(r.dir, ['--ref', 'HEAD'])
      expect(
        approved.report.findings.filter((f) => f.rule === 'baseline-unapproved'),
        dump(approved),
      ).toEqual([])
      expect(approved.code, dump(approved)).toBe(0)
    },
    SLOW,
  )
})

describe('a snapshot kept outside the repository is compared with the config it was read under', () => {
  const ADMIN = `${JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: '*', Resource: '*'}]}, null, 2)}\n`
  it(
    "a snapshot read under the agent's uncommitted config (no exclude over legacy/) does not let a rename carry never-checked admin access in",
    async () => {
      const r = await approvedRepo({'legacy/admin.json': ADMIN, [TRUST]: trust('203.0.113.0/24')})
      await commitFiles(
        r,
        {[CONFIG]: config(['exclude:', "  - 'legacy/**'"])},
        'Legacy is not deployed, by Alice',
      )
      const outside = await makeTempDir('acldrift-outside-')
      try {
        // Alice's snapshot, under the committed config.
        const honest = join(outside, 'alice.json')
        const byAlice = await runCli(['snapshot', '--output', honest], {cwd: r.dir})
        expect(byAlice.code, dump(byAlice)).toBe(0)
        // The agent drops the exclude in the working tree only, takes a snapshot, and restores the config.
        const committed = await readFile(join(r.dir, CONFIG), 'utf8')
        await r.write(CONFIG, config())
        const taken = join(outside, 'taken.json')
        const byAgent = await runCli(['snapshot', '--output', taken], {cwd: r.dir, env: CLAUDE_ENV})
        expect(byAgent.code, dump(byAgent)).toBe(0)
        await r.write(CONFIG, committed)
        // Then it moves the never-checked admin policy where policies are read.
        expect((await git(r, {}, 'mv', 'legacy/admin.json', 'iam/admin.json')).code).toBe(0)
        const moved = await git(
          r,
          CLAUDE_ENV,
          'commit',
          '--no-verify',
          '-m',
          agent.message('Tidy up policies'),
        )
        expect(moved.code, dump(moved)).toBe(0)

        const audit = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', taken])
        expect(audit.code, dump(audit)).toBe(1)
        const mismatch = audit.report.findings.find((f) => f.rule === 'baseline-config-mismatch')
        expect(mismatch, dump(audit)).toMatchObject({
          kind: 'acldrift',
          file: taken,
          severity: 'high',
          commit: null,
        })
        expect(mismatch!.approval).toBeNull()

        // Against Alice's snapshot, the admin access is a widening, the agent's: the snapshot never
        // read legacy/admin.json, so the rename brought it in (it named no commit before).
        const honestAudit = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', honest])
        expect(honestAudit.code, dump(honestAudit)).toBe(1)
        expect(honestAudit.report.findings.filter((f) => f.rule === 'baseline-config-mismatch')).toEqual([])
        const admin = unapproved(honestAudit.report.findings).find((f) => f.file === 'iam/admin.json')
        expect(admin, dump(honestAudit)).toMatchObject({
          rule: 'admin-wildcard',
          severity: 'critical',
          commit: {actor: {type: 'agent', agent: 'Claude Code'}},
        })

        // The agent strips the digest from its snapshot: what it was read under cannot be
        // compared, and `audit` reports that instead of trusting the snapshot.
        const stripped = JSON.parse(await readFile(taken, 'utf8')) as {files?: unknown}
        delete stripped.files
        await writeFile(taken, JSON.stringify(stripped))
        const unverified = await runCli(['audit', '--baseline', taken, '--format', 'json'], {cwd: r.dir})
        expect(unverified.code, dump(unverified)).toBe(1)
        const findings = (JSON.parse(unverified.stdout) as {findings: Finding[]}).findings
        expect(
          findings.find((f) => f.rule === 'baseline-config-mismatch'),
          dump(unverified),
        ).toMatchObject({
          kind: 'acldrift',
          file: taken,
          severity: 'high',
          commit: null,
          witness: {readWith: null},
        })
      } finally {
        await rm(outside, {recursive: true, force: true})
      }
    },
    SLOW,
  )
})

/** The agent widens the trust to any account and commits it, with its trailer and environment, without the hook. */
async function agentOpensTrust(r: TestRepo): Promise<void> {
  await r.write(TRUST, trust('0.0.0.0/0', OTHER_ROOT))
  await r.stage(TRUST)
  const widened = await git(
    r,
    CLAUDE_ENV,
    'commit',
    '--no-verify',
    '-m',
    agent.message('Open the partner trust'),
  )
  expect(widened.code, dump(widened)).toBe(0)
}

describe('a revision baseline nobody approved', () => {
  it(
    "a `baseline:` tag the agent moved to its own commit is baseline-unapproved, the agent's; at Alice's commit it passes",
    async () => {
      const r = await approvedRepo({[TRUST]: trust('203.0.113.0/24')})
      await commitFiles(
        r,
        {[CONFIG]: config(['baseline: approved'])},
        'Audit against the approved tag, by Alice',
      )
      await r.git('tag', 'approved')
      const byAlice = (await r.git('rev-parse', 'HEAD')).trim()
      expect((await audit(r)).code).toBe(0)

      // The agent widens the trust, commits it, and moves the tag to its own commit.
      await agentOpensTrust(r)
      await r.git('tag', '-f', 'approved')
      const moved = await audit(r)
      expect(moved.code, dump(moved.raw)).toBe(1)
      const unapprovedTag = moved.findings.find((f) => f.rule === 'baseline-unapproved')
      expect(unapprovedTag, dump(moved.raw)).toMatchObject({kind: 'acldrift', file: CONFIG, severity: 'high'})
      expect(unapprovedTag!.commit).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})

      // Alice puts the tag back on her own commit: the tag passes, and the widening is the agent's.
      await r.git('tag', '-f', 'approved', byAlice)
      const back = await audit(r)
      expect(
        back.findings.filter((f) => f.rule === 'baseline-unapproved'),
        dump(back.raw),
      ).toEqual([])
      const grant = unapproved(back.findings).find((f) => f.file === TRUST)
      expect(grant!.commit, dump(back.raw)).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})
      expect(back.code).toBe(1)
    },
    SLOW,
  )
})

describe('a revision baseline with no approver listed', () => {
  it(
    "a `baseline:` tag the agent created on its own commit is baseline-unapproved, the agent's, in check --ref and audit",
    async () => {
      const r = await newRepo()
      const alone = ['version: 1', 'baseline: approved', 'policy:', '  failOn: widening', ''].join('\n')
      await commitFiles(r, {[CONFIG]: alone, [TRUST]: trust('203.0.113.0/24')}, 'Config and trust, by Alice')
      await r.git('tag', 'approved')
      expect((await audit(r)).code).toBe(0)
      await r.git('tag', '-d', 'approved')

      // The agent widens the trust, commits it, and creates the tag on its own commit.
      await agentOpensTrust(r)
      const tagged = await git(r, CLAUDE_ENV, 'tag', 'approved')
      expect(tagged.code, dump(tagged)).toBe(0)
      const sha = (await r.git('rev-parse', 'HEAD')).trim()
      const checked = await audit(r)
      const audited = await runCli(['audit', '--format', 'json'], {cwd: r.dir, env: CLAUDE_ENV})
      for (const {code, findings, raw} of [
        checked,
        {
          code: audited.code,
          findings: (JSON.parse(audited.stdout) as {findings: Finding[]}).findings,
          raw: audited,
        },
      ]) {
        expect(code, dump(raw)).toBe(1)
        const tag = findings.find((f) => f.rule === 'baseline-unapproved')
        expect(tag, dump(raw)).toMatchObject({kind: 'acldrift', file: CONFIG, severity: 'high'})
        expect(tag!.commit).toMatchObject({sha, actor: {type: 'agent', agent: 'Claude Code'}})
      }
    },
    SLOW,
  )
})

describe("an agent's first config in a shallow clone", () => {
  it(
    'blame stops at the cut: the config is judged by the defaults, with a note, never taken as written',
    async () => {
      const r = await newRepo()
      await commitFiles(r, {[TRUST]: trust('203.0.113.0/24')}, 'Partner trust, by Alice')
      await r.git('tag', 'base')
      const outside = await makeTempDir('acldrift-shallow-')
      try {
        const snapshot = join(outside, 'baseline.json')
        const taken = await runCli(['snapshot', '--output', snapshot], {cwd: r.dir})
        expect(taken.code, dump(taken)).toBe(0)
        await commitAs(r, agent, 'Partner access', {
          [TRUST]: trust('0.0.0.0/0', OTHER_ROOT),
          [CONFIG]: config().replace('failOn: widening', 'failOn: never'),
        })
        await commitFiles(r, {'README.md': '# infra\n'}, 'Readme, by Alice')
        // The tip alone, and the snapshot's commit: nothing between them.
        const run = (cwd: string, ...args: string[]) => runHermetic('git', args, {cwd})
        expect(
          (await run(outside, 'clone', '--quiet', '--depth', '1', `file://${r.dir}`, 'clone')).code,
        ).toBe(0)
        const clone = join(outside, 'clone')
        expect((await run(clone, 'fetch', '--quiet', '--depth', '1', 'origin', 'tag', 'base')).code).toBe(0)

        const audit = await checkJson(clone, ['--ref', 'HEAD', '--baseline', snapshot])
        expect(audit.code, dump(audit)).toBe(1)
        const weakened = audit.report.findings.find((f) => f.rule === 'config-weakened' && f.file === CONFIG)
        expect(weakened, dump(audit)).toMatchObject({witness: {setting: 'policy.failOn', after: 'never'}})
        expect(audit.report.notes, dump(audit)).toContainEqual(
          expect.stringMatching(
            new RegExp(`^${CONFIG} is new and who wrote it cannot be established: the history is shallow`),
          ),
        )
        expect(audit.report.findings.some((f) => f.file === TRUST && f.change !== 'narrowing')).toBe(true)
      } finally {
        await rm(outside, {recursive: true, force: true})
      }
    },
    SLOW,
  )
})

describe("a revision baseline is read with the approved config, never the target's", () => {
  const ADMIN = `${JSON.stringify({Version: '2012-10-17', Statement: [PASS_ADMIN]}, null, 2)}\n`
  const excluding = config(['exclude:', '  - legacy/**'])
  const excludedAdmin = async () => {
    const r = await newRepo()
    await commitFiles(r, {[CONFIG]: excluding, 'legacy/admin.json': ADMIN}, 'Config and policies, by Alice')
    await r.git('tag', 'base')
    return r
  }
  // `git mv legacy/admin.json iam/admin.json`, staged
  const moveAdmin = async (r: TestRepo) => {
    await r.write('iam/admin.json', ADMIN)
    await r.git('rm', '-q', 'legacy/admin.json')
    await r.stage('iam/admin.json')
  }

  it(
    "the agent drops an exclude and moves the excluded admin policy in one commit: a widening, the agent's",
    async () => {
      const r = await excludedAdmin()
      await moveAdmin(r)
      await r.write(CONFIG, config())
      await r.stage(CONFIG)
      const moved = await git(r, CLAUDE_ENV, 'commit', '-m', agent.message('Tidy up the legacy folder'))
      expect(moved.code, dump(moved)).toBe(0)
      const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', 'base'])
      expect(code, JSON.stringify(report.findings)).toBe(1)
      const admin = unapproved(report.findings).find((f) => f.file === 'iam/admin.json')
      expect(admin).toMatchObject({change: 'widening', kind: 'aws-iam'})
      expect(admin!.commit).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})
    },
    SLOW,
  )

  it(
    "the same change staged through the pre-commit hook: HEAD is read with HEAD's config, and the hook blocks",
    async () => {
      const r = await newRepo()
      const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
      expect(init.code, dump(init)).toBe(0)
      await r.write(CONFIG, excluding)
      await r.write('legacy/admin.json', ADMIN)
      await r.stage()
      const setUp = await git(r, {}, 'commit', '-m', 'Set up acldrift')
      expect(setUp.code, dump(setUp)).toBe(0)
      await moveAdmin(r)
      await r.write(CONFIG, config())
      await r.stage(CONFIG)
      const staged = await checkJson(r.dir, ['--staged'])
      expect(staged.code, JSON.stringify(staged.report.findings)).toBe(1)
      expect(staged.report.findings.find((f) => f.file === 'iam/admin.json')).toMatchObject({
        change: 'widening',
      })
      const blocked = await git(r, CLAUDE_ENV, 'commit', '-m', agent.message('Tidy up the legacy folder'))
      expect(blocked.code, dump(blocked)).not.toBe(0)
      expect(blocked.stdout + blocked.stderr).toContain('iam/admin.json')
    },
    SLOW,
  )

  it(
    "Alice, a listed approver, drops the exclude in her own commit: the file's access is the approved state's from then on",
    async () => {
      const r = await excludedAdmin()
      await commitFiles(r, {[CONFIG]: config()}, 'Check the legacy policies too')
      await moveAdmin(r)
      await commitAs(r, agent, 'Move the admin policy', {'README.md': 'x\n'})
      const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', 'base'])
      expect(
        report.findings.filter((f) => f.file === 'iam/admin.json' || f.file === 'legacy/admin.json'),
      ).toEqual([])
      expect(code, JSON.stringify(report.findings)).toBe(0)
    },
    SLOW,
  )
})
