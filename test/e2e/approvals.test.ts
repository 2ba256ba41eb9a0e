// Approvals, policy, protected files and `baseline update`, end to end (the README's "Approvals,
// policy and protected files").
//
// Each scenario is a real repository whose config lists Alice (the repository's default human
// identity) as the only approver. A widening must fail unless Alice approved it in a commit of
// her own made as a human; an approval written or committed by an AI agent, or by someone not
// listed, does not count and is itself reported; changes to acldrift's own files that widen
// what passes are findings, attributed like any other.

import {readFile, chmod} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {CommandError, identities, projectRoot, runCli, type TestRepo} from '../helpers/repo.js'
import {brief, checkJson, commitFiles, expectValidSnapshot, type Finding, repoFactory} from './helpers.js'
import {
  BUCKET,
  bucketPolicy,
  narrowedRolePolicy,
  policyText,
  publicBucketPolicy,
  rolePolicy,
} from './policies.js'

const BUCKET_FILE = 'iam/buckets/payroll-exports.json'
const ROLE_FILE = 'iam/roles/reporting-dashboard.json'
const APPROVALS = '.acldrift/approvals.yaml'
const CONFIG = 'acldrift.config.yaml'
const BASELINE = '.acldrift/baseline.json'

const ALICE = 'alice@example.com'
const bob = {name: 'Bob Builder', email: 'bob@example.com'}
const bobEnv = {
  GIT_AUTHOR_NAME: bob.name,
  GIT_AUTHOR_EMAIL: bob.email,
  GIT_COMMITTER_NAME: bob.name,
  GIT_COMMITTER_EMAIL: bob.email,
}

const newRepo = repoFactory()

function config(policy: string[] = ['failOn: widening'], extra: string[] = []): string {
  return [
    'version: 1',
    ...extra,
    'policy:',
    ...policy.map((line) => `  ${line}`),
    '  approvers:',
    `    - ${ALICE}`,
    '',
  ].join('\n')
}

/** The bucket's Allow opened to everyone, the TLS-only Deny kept: one critical widening. */
const openBucket = {
  ...bucketPolicy,
  Statement: [{...bucketPolicy.Statement[0], Principal: '*'}, bucketPolicy.Statement[1]],
}

/** The role may also write one exports object: a low-severity new grant. */
const roleWritesSummary = {
  ...rolePolicy,
  Statement: [
    ...rolePolicy.Statement,
    {
      Sid: 'WriteSummary',
      Effect: 'Allow',
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${BUCKET}/summary.csv`,
    },
  ],
}

/** The approved state, committed by Alice and tagged `base`. */
async function approvedRepo(extraFiles: Record<string, string> = {}): Promise<TestRepo> {
  const r = await newRepo()
  await commitFiles(
    r,
    {
      [CONFIG]: config(),
      [BUCKET_FILE]: policyText(bucketPolicy),
      [ROLE_FILE]: policyText(rolePolicy),
      ...extraFiles,
    },
    'Payroll exports bucket, reporting role, acldrift config',
  )
  await r.git('tag', 'base')
  return r
}

/** Commits `files` with Bob's identity (a human who is not an approver). */
async function commitAsBob(r: TestRepo, files: Record<string, string>, subject: string): Promise<string> {
  for (const [path, content] of Object.entries(files)) await r.write(path, content)
  await r.stage(...Object.keys(files))
  return r.commit(subject, bob)
}

/** Commits what is staged the way Claude Code does (the human's identity, its co-author trailer). */
async function commitAsClaude(r: TestRepo, subject: string): Promise<string> {
  return r.commit(identities.claudeCode.message(subject), identities.claudeCode)
}

const widening = (findings: Finding[]) =>
  findings.filter((f) => f.change === 'widening' && f.kind !== 'acldrift' && f.rule !== 'baseline-widened')
const ofRule = (findings: Finding[], rule: string) => findings.filter((f) => f.rule === rule)

interface Approval {
  source: string
  valid: boolean
  status: string
  approver: string
  why: string
  expires?: string
  commit: {sha: string; author: {email: string}; actor: {type: string; agent?: string}} | null
}
const approvalOf = (f: Finding) => f.approval as Approval | null

async function approve(r: TestRepo, id: string, args: string[] = [], env?: Record<string, string>) {
  return runCli(
    ['approve', id, '--reason', 'The CDN must read the exports', '--expires', '2099-12-31', ...args],
    {
      cwd: r.dir,
      env,
    },
  )
}

describe('approvals', () => {
  it("fails a human's widening, and passes it once a listed approver commits an approval", async () => {
    const r = await approvedRepo()
    await commitAsBob(r, {[BUCKET_FILE]: policyText(openBucket)}, 'Open the bucket for the CDN')

    const before = await checkJson(r.dir, ['--range', 'base..HEAD'])
    expect(before.code).toBe(1)
    const [open] = widening(before.report.findings).filter((f) => f.rule === 'public-principal')
    expect(open).toMatchObject({approval: null, commit: {author: {email: bob.email}}})

    const approved = await approve(r, open!.id.slice(0, 10), ['--range', 'base..HEAD', '--ticket', 'SEC-42'])
    expect(approved.code, approved.stderr).toBe(0)
    expect(approved.stdout).toContain(`recorded approval of ${open!.id}`)
    const file = await readFile(join(r.dir, APPROVALS), 'utf8')
    expect(file).toContain(`id: ${open!.id}`)
    expect(file).toContain(`approver: ${ALICE}`)
    expect(file).toContain('ticket: SEC-42')
    expect(file).toContain('rule: public-principal')
    expect(file).toContain('expires: 2099-12-31')

    // Written but not committed: the range does not contain it yet.
    expect((await checkJson(r.dir, ['--range', 'base..HEAD'])).code).toBe(1)
    await r.stage(APPROVALS)
    await r.commit('Approve public reads of the exports for the CDN')

    const after = await checkJson(r.dir, ['--range', 'base..HEAD'])
    const remaining = after.report.findings.filter(
      (f) => f.change !== 'narrowing' && approvalOf(f)?.valid !== true,
    )
    expect(brief(remaining)).toEqual([])
    expect(after.code, after.stdout).toBe(0)
    const covered = after.report.findings.find((f) => f.id === open!.id)!
    expect(approvalOf(covered)).toMatchObject({
      source: 'approvals-file',
      valid: true,
      status: 'valid',
      approver: ALICE,
      expires: '2099-12-31',
      commit: {author: {email: ALICE}, actor: {type: 'human'}},
    })
    // The approval itself is reported, approved by the approver's own commit.
    expect(ofRule(after.report.findings, 'approval-added')).toHaveLength(1)
    // Reporters say so.
    const pretty = await runCli(['check', '--range', 'base..HEAD'], {cwd: r.dir})
    expect(pretty.stdout).toContain(
      `approval: approved by ${ALICE} until 2099-12-31: The CDN must read the exports (SEC-42)`,
    )
    const markdown = await runCli(['check', '--range', 'base..HEAD', '--format', 'markdown'], {cwd: r.dir})
    expect(markdown.stdout).toContain(`- Approval: approved by ${ALICE} until 2099-12-31`)
    const sarif = JSON.parse(
      (await runCli(['check', '--range', 'base..HEAD', '--format', 'sarif'], {cwd: r.dir})).stdout,
    )
    const result = sarif.runs[0].results.find((x: {partialFingerprints: Record<string, string>}) =>
      Object.values(x.partialFingerprints).includes(open!.id),
    )
    expect(result.suppressions).toEqual([expect.objectContaining({kind: 'external', status: 'accepted'})])
  })

  it('reports an approval committed under an AI agent as self-approval, and it does not count', async () => {
    const r = await approvedRepo()
    await commitAsBob(r, {[BUCKET_FILE]: policyText(openBucket)}, 'Open the bucket for the CDN')
    const [open] = widening((await checkJson(r.dir, ['--range', 'base..HEAD'])).report.findings)
    expect((await approve(r, open!.id, ['--range', 'base..HEAD'])).code).toBe(0)
    await r.stage(APPROVALS)
    await commitAsClaude(r, 'Approve the CDN access')

    const {code, report} = await checkJson(r.dir, ['--range', 'base..HEAD'])
    expect(code).toBe(1)
    const [self] = ofRule(report.findings, 'self-approval')
    expect(self).toMatchObject({
      kind: 'acldrift',
      file: APPROVALS,
      change: 'widening',
      severity: 'high',
      commit: {actor: {type: 'agent', agent: 'Claude Code'}},
    })
    expect(self!.line).toBeGreaterThan(1)
    expect(approvalOf(report.findings.find((f) => f.id === open!.id)!)).toMatchObject({
      valid: false,
      status: 'self-approval',
    })
    expect(ofRule(report.findings, 'approval-added')).toEqual([])
  })

  it('reports an approval written and committed by someone who is not a listed approver as self-approval', async () => {
    const r = await approvedRepo()
    await commitAsBob(r, {[BUCKET_FILE]: policyText(openBucket)}, 'Open the bucket for the CDN')
    const [open] = widening((await checkJson(r.dir, ['--range', 'base..HEAD'])).report.findings)
    const written = await approve(r, open!.id, ['--range', 'base..HEAD'], bobEnv)
    expect(written.code).toBe(0)
    expect(written.stdout).toContain(`${bob.email} is not listed in policy.approvers`)
    await r.stage(APPROVALS)
    await r.commit('Approve my own change', bob)

    const {code, report} = await checkJson(r.dir, ['--range', 'base..HEAD'])
    expect(code).toBe(1)
    const [self] = ofRule(report.findings, 'self-approval')
    expect(self!.message).toContain(`${bob.email}, who is not a listed approver`)
    expect(self!.commit).toMatchObject({author: {email: bob.email}})
    expect(approvalOf(report.findings.find((f) => f.id === open!.id)!)?.valid).toBe(false)
  })

  it('does not count an approval staged with the widening: under CLAUDECODE=1, nor by the approver; committed on its own it counts', async () => {
    const r = await approvedRepo()
    await r.write(BUCKET_FILE, policyText(openBucket))
    const pending = await checkJson(r.dir)
    const [open] = widening(pending.report.findings)
    // `approve` refuses to run from the agent's session …
    const refused = await approve(r, open!.id, [], {CLAUDECODE: '1'})
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('AI agent (Claude Code')
    // … but the file can be written anyway; it must not count when the agent commits it.
    expect((await approve(r, open!.id)).code).toBe(0)
    await r.stage(BUCKET_FILE, APPROVALS)

    const staged = await checkJson(r.dir, ['--staged'], {CLAUDECODE: '1'})
    expect(staged.code).toBe(1)
    const [self] = ofRule(staged.report.findings, 'self-approval')
    expect(self).toMatchObject({commit: {sha: 'pending', actor: {type: 'agent', agent: 'Claude Code'}}})
    expect(approvalOf(staged.report.findings.find((f) => f.id === open!.id)!)?.status).toBe('self-approval')

    // The same index, committed by Alice herself: her approval does not count either, since it
    // arrives in the commit that makes the access (as a squash merge of the agent's branch would).
    const byAlice = await checkJson(r.dir, ['--staged'])
    expect(byAlice.code, byAlice.stdout).toBe(1)
    const together = approvalOf(byAlice.report.findings.find((f) => f.id === open!.id)!)
    expect(together).toMatchObject({valid: false, status: 'self-approval'})
    expect(together?.why).toContain('same commit as the access it approves')

    // Through a plain git pre-commit hook: the agent's commit is blocked; Alice commits her
    // approval on its own, then the widening, and both go through.
    const hook = join(r.dir, '.git', 'hooks', 'pre-commit')
    await r.write(
      '.git/hooks/pre-commit',
      `#!/bin/sh\nexec "${process.execPath}" "${join(projectRoot, 'bin', 'run.js')}" check --staged\n`,
    )
    await chmod(hook, 0o755)
    const blocked = await r
      .gitEnv({CLAUDECODE: '1'}, 'commit', '--quiet', '-m', 'Open the bucket')
      .catch((e) => e)
    expect(blocked).toBeInstanceOf(CommandError)
    // git sends a hook's output to standard error.
    expect((blocked as CommandError).result.stderr).toContain('self-approval')
    await r.git('reset', '--quiet', '--', BUCKET_FILE)
    await r.commit('Approve public reads for the CDN')
    await r.stage(BUCKET_FILE)
    await r.commit('Open the bucket for the CDN, approved')
    expect((await r.git('log', '--format=%s', '-1')).trim()).toBe('Open the bucket for the CDN, approved')
  })

  it('reports expired and stale approvals, and an expired one does not count', async () => {
    const r = await approvedRepo()
    await commitAsBob(r, {[BUCKET_FILE]: policyText(openBucket)}, 'Open the bucket for the CDN')
    const [open] = widening((await checkJson(r.dir, ['--range', 'base..HEAD'])).report.findings)
    // An entry records the whole access it approves (`whole`); the second's access is no finding's.
    const whole = JSON.stringify((open as {access?: unknown}).access ?? null)
    const entry = (id: string, expires: string, approved = whole) =>
      [
        `  - id: ${id}`,
        '    kind: aws-iam',
        `    file: ${BUCKET_FILE}`,
        `    access: {change: widening, rule: public-principal, witness: null, whole: ${approved}}`,
        `    approver: ${ALICE}`,
        '    reason: CDN',
        `    expires: ${expires}`,
        "    created: '2020-01-01T00:00:00Z'",
      ].join('\n')
    await commitFiles(
      r,
      {
        [APPROVALS]: [
          'version: 1',
          'approvals:',
          entry(open!.id, '2021-06-30'),
          entry('00000000000000ff', '2099-01-01', '{"Effect": "Allow", "Action": "sqs:SendMessage"}'),
          '',
        ].join('\n'),
      },
      'Approvals',
    )

    const {code, report} = await checkJson(r.dir, ['--range', 'base..HEAD'])
    expect(code).toBe(1)
    expect(approvalOf(report.findings.find((f) => f.id === open!.id)!)).toMatchObject({
      valid: false,
      status: 'expired',
    })
    const [expired] = ofRule(report.findings, 'approval-expired')
    expect(expired).toMatchObject({change: 'narrowing', file: APPROVALS, pointer: '/approvals/0'})
    expect(expired!.message).toContain('expired on 2021-06-30')
    const [stale] = ofRule(report.findings, 'approval-stale')
    expect(stale).toMatchObject({
      change: 'narrowing',
      pointer: '/approvals/1',
      witness: {approval: '00000000000000ff'},
    })
  })

  it("fails an agent's low-severity widening under --fail-on critical unless a listed approver approved it", async () => {
    const r = await approvedRepo()
    await r.write(ROLE_FILE, policyText(roleWritesSummary))
    await r.stage(ROLE_FILE)
    await commitAsClaude(r, 'Let the dashboard write its summary')

    const agent = await checkJson(r.dir, ['--range', 'base..HEAD', '--fail-on', 'critical'])
    const [grant] = widening(agent.report.findings)
    expect(grant).toMatchObject({severity: 'low', commit: {actor: {type: 'agent'}}})
    expect(agent.code).toBe(1)

    // The same change by a human passes under --fail-on critical …
    const human = await approvedRepo()
    await commitAsBob(
      human,
      {[ROLE_FILE]: policyText(roleWritesSummary)},
      'Let the dashboard write its summary',
    )
    expect((await checkJson(human.dir, ['--range', 'base..HEAD', '--fail-on', 'critical'])).code).toBe(0)
    // … and so does the agent's, under `agents: allow`.
    const allowed = await approvedRepo({[CONFIG]: config(['failOn: widening', 'agents: allow'])})
    await allowed.write(ROLE_FILE, policyText(roleWritesSummary))
    await allowed.stage(ROLE_FILE)
    await commitAsClaude(allowed, 'Let the dashboard write its summary')
    expect((await checkJson(allowed.dir, ['--range', 'base..HEAD', '--fail-on', 'critical'])).code).toBe(0)

    expect((await approve(r, grant!.id, ['--range', 'base..HEAD'])).code).toBe(0)
    await r.stage(APPROVALS)
    await r.commit('Approve the summary write')
    const approved = await checkJson(r.dir, ['--range', 'base..HEAD', '--fail-on', 'critical'])
    expect(approved.code, approved.stdout).toBe(0)
  })

  it('refuses unknown ids, past dates and narrowings', async () => {
    const r = await approvedRepo()
    await r.write(ROLE_FILE, policyText(narrowedRolePolicy))
    const {report} = await checkJson(r.dir)
    const [narrowing] = report.findings.filter((f) => f.change === 'narrowing')
    const cases: Array<[string[], string]> = [
      [
        ['approve', 'ffffffffffffffff', '--reason', 'x', '--expires', '2099-01-01'],
        'no finding has id ffffffffffffffff',
      ],
      [['approve', narrowing!.id, '--reason', 'x', '--expires', '2099-01-01'], 'narrowings need no approval'],
      [['approve', narrowing!.id, '--reason', 'x', '--expires', '2020-01-01'], 'is in the past'],
      [['approve', narrowing!.id, '--reason', 'x', '--expires', '2099-02-30'], 'must be a date'],
      [['approve', narrowing!.id, '--expires', '2099-01-01'], '--reason is required'],
    ]
    for (const [args, message] of cases) {
      const result = await runCli(args, {cwd: r.dir})
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toContain(message)
    }
  })
})

describe('protected files', () => {
  it('reports a lowered failOn as a widening attributed to its commit, and keeps the stricter policy', async () => {
    const r = await approvedRepo()
    await commitAsBob(r, {[CONFIG]: config(['failOn: never'])}, 'Quieter checks')
    await commitAsBob(r, {[BUCKET_FILE]: policyText(openBucket)}, 'Open the bucket')

    const {code, report} = await checkJson(r.dir, ['--range', 'base..HEAD'])
    expect(code).toBe(1)
    const [weakened] = ofRule(report.findings, 'config-weakened')
    expect(weakened).toMatchObject({
      kind: 'acldrift',
      file: CONFIG,
      change: 'widening',
      pointer: '/policy/failOn',
      witness: {setting: 'policy.failOn', before: 'widening', after: 'never'},
      commit: {subject: 'Quieter checks', author: {email: bob.email}},
      approval: null,
    })
    expect(weakened!.line).toBe(3)
    expect(report.policy).toEqual({failOn: 'widening', agents: 'require-approval'})

    // The same change by the listed approver is reported, approved by her commit, and applies.
    const a = await approvedRepo()
    await commitFiles(a, {[CONFIG]: config(['failOn: never'])}, 'Quieter checks')
    await commitAsBob(a, {[BUCKET_FILE]: policyText(openBucket)}, 'Open the bucket')
    const byApprover = await checkJson(a.dir, ['--range', 'base..HEAD'])
    expect(approvalOf(ofRule(byApprover.report.findings, 'config-weakened')[0]!)).toMatchObject({
      source: 'approver-commit',
      valid: true,
    })
    expect(byApprover.report.policy?.failOn).toBe('never')
    expect(byApprover.code).toBe(0)
  })

  // A glob that no longer matches a policy file hides nothing (globs assign kinds; every file is
  // still read by content), so narrowing `documents:` is no weakening: the test config-changes
  // unit test covers the glob whose kind changes.
  it("reports an agent's `agents: allow` and a new approver", async () => {
    const r = await approvedRepo()
    const weaker = [
      'version: 1',
      'documents:',
      "  - {glob: 'iam/roles/**', kind: aws-iam}",
      'policy:',
      '  failOn: widening',
      '  agents: allow',
      '  approvers:',
      `    - ${ALICE}`,
      '    - claude@example.com',
      '',
    ].join('\n')
    await r.write(CONFIG, weaker)
    await r.stage(CONFIG)
    await commitAsClaude(r, 'Tidy the acldrift config')

    const {code, report} = await checkJson(r.dir, ['--range', 'base..HEAD'])
    expect(code).toBe(1)
    const protectedOnes = report.findings.filter((f) => f.kind === 'acldrift')
    expect(protectedOnes.map((f) => [f.rule, f.witness])).toEqual(
      expect.arrayContaining([
        ['config-weakened', {setting: 'policy.agents', before: 'require-approval', after: 'allow'}],
        ['approver-added', {setting: 'policy.approvers', approver: 'claude@example.com'}],
      ]),
    )
    for (const f of protectedOnes)
      expect(f.commit).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})
    expect(report.policy?.agents).toBe('require-approval')
  })

  it('reports a removed approval as a narrowing attributed to whoever removed it; it does not block', async () => {
    const r = await approvedRepo()
    await commitAsBob(r, {[BUCKET_FILE]: policyText(openBucket)}, 'Open the bucket')
    const [open] = widening((await checkJson(r.dir, ['--range', 'base..HEAD'])).report.findings)
    expect((await approve(r, open!.id, ['--range', 'base..HEAD'])).code).toBe(0)
    await r.stage(APPROVALS)
    const approvedAt = await r.commit('Approve the CDN access')
    await commitAsBob(r, {[APPROVALS]: 'version: 1\napprovals: []\n'}, 'Clean up approvals')

    const {code, report} = await checkJson(r.dir, ['--range', `${approvedAt}..HEAD`])
    expect(code).toBe(0)
    expect(ofRule(report.findings, 'approval-removed')).toEqual([
      expect.objectContaining({
        kind: 'acldrift',
        file: APPROVALS,
        change: 'narrowing',
        witness: expect.objectContaining({approval: open!.id, approver: ALICE}),
        commit: expect.objectContaining({subject: 'Clean up approvals'}),
      }),
    ])
  })
})

describe('baseline update', () => {
  async function snapshotRepo(): Promise<TestRepo> {
    const r = await approvedRepo({[CONFIG]: config(['failOn: widening'], [`baseline: ${BASELINE}`])})
    const taken = await runCli(['snapshot', '--out', BASELINE], {cwd: r.dir})
    expect(taken.code, taken.stderr).toBe(0)
    await r.stage(BASELINE)
    await r.commit('First baseline')
    return r
  }

  const readBaseline = async (r: TestRepo) => JSON.parse(await readFile(join(r.dir, BASELINE), 'utf8'))

  it('promotes narrowings and records who updated it, from which commit', async () => {
    const r = await snapshotRepo()
    await commitFiles(
      r,
      {[ROLE_FILE]: policyText(narrowedRolePolicy)},
      'Drop DeleteObject from the dashboard',
    )
    const head = (await r.git('rev-parse', 'HEAD')).trim()
    const result = await runCli(['baseline', 'update'], {cwd: r.dir})
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toContain(`updated ${BASELINE}`)
    const snapshot = await readBaseline(r)
    expectValidSnapshot(snapshot)
    expect(snapshot.updatedBy).toEqual({
      name: 'Alice Example',
      email: ALICE,
      actor: {type: 'human'},
      commit: head,
      approvals: [],
    })
    expect(snapshot.source.commit).toBe(head)
    // Promoted: the narrowed role is the baseline now.
    expect((await checkJson(r.dir)).report.findings).toEqual([])
  })

  it('refuses unapproved widenings and writes nothing, then promotes them once approved', async () => {
    const r = await snapshotRepo()
    await commitAsBob(r, {[BUCKET_FILE]: policyText(openBucket)}, 'Open the bucket')
    const before = await readFile(join(r.dir, BASELINE), 'utf8')
    const refused = await runCli(['baseline', 'update'], {cwd: r.dir})
    expect(refused.code, refused.stderr).toBe(1)
    expect(refused.stdout, refused.stderr).toContain('refused')
    const [open] = widening((await checkJson(r.dir)).report.findings)
    expect(refused.stdout).toContain(open!.id)
    expect(await readFile(join(r.dir, BASELINE), 'utf8')).toBe(before)

    expect((await approve(r, open!.id)).code).toBe(0)
    await r.stage(APPROVALS)
    await r.commit('Approve the CDN access')
    const promoted = await runCli(['baseline', 'update'], {cwd: r.dir})
    expect(promoted.code, promoted.stdout + promoted.stderr).toBe(0)
    expect((await readBaseline(r)).updatedBy.approvals).toContain(open!.id)
  })

  it("reports an agent's edit of the baseline snapshot that lets new access in", async () => {
    const r = await snapshotRepo()
    // The agent opens the bucket and rewrites the baseline to match, with `acldrift snapshot`.
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    expect((await runCli(['snapshot', '--out', BASELINE], {cwd: r.dir})).code).toBe(0)
    await r.stage(BUCKET_FILE, BASELINE)
    await commitAsClaude(r, 'Fix AccessDenied for the CDN')

    const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD'])
    expect(code).toBe(1)
    expect(widening(report.findings)).toEqual([])
    const tampered = ofRule(report.findings, 'baseline-widened')
    expect(tampered.length).toBeGreaterThan(0)
    expect(tampered[0]).toMatchObject({
      kind: 'aws-iam',
      file: BASELINE,
      change: 'widening',
      severity: 'critical',
      commit: {actor: {type: 'agent', agent: 'Claude Code'}},
    })
    expect(tampered[0]!.message).toContain(BUCKET_FILE)
    expect(tampered[0]!.line).toBeGreaterThan(1)
  })
})
