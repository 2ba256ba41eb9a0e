// Findings name the commit that introduced them and its actor (the README's "Who made the
// change"), end to end.
//
// Each scenario is a real repository: an approved first commit (the baseline), then commits made
// the way a person, an AI agent or a bot makes them (identities and messages shaped as each tool
// marks its commits). `check --ref HEAD --baseline <first commit>` must name, for EVERY widening,
// the commit after which its witness is allowed and stays allowed (semantic blame) and that
// commit's actor.

import {mkdir} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {describe, type ExpectStatic, it} from 'vitest'
import {identities, runCli, type TestRepo, type ToolIdentity} from '../helpers/repo.js'
import {
  checkJson,
  commitAs,
  commitFiles,
  expectValidReport,
  type Finding,
  type Report,
  repoFactory,
} from './helpers.js'
import {
  ACCOUNT,
  BUCKET,
  bucketPolicy,
  narrowedRolePolicy,
  policyText,
  publicBucketPolicy,
  REPORTING_ROLE,
  rolePolicy,
  BUCKET_FILE,
  ROLE_FILE,
} from './policies.js'
import type {CommitInfo} from '../../src/kernel/types.js'

const newRepo = repoFactory()

// ── Policies used by the scenarios (beyond the shared ones in policies.ts) ────────────────────

const bucketResources = [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`]
const AUDITOR_ROLE = `arn:aws:iam::${ACCOUNT}:role/security-auditor`

/** The bucket's Allow opened to everyone; the TLS-only Deny kept (two statements, for reordering). */
const publicReadKeepingDeny = {
  ...bucketPolicy,
  Statement: [{...bucketPolicy.Statement[0], Principal: '*'}, bucketPolicy.Statement[1]],
}

/**
 * publicReadKeepingDeny as another person would write it: tab indentation, keys in another order,
 * statements and array items reversed, new Sids. The same access exactly.
 */
const publicReadReformatted = {
  Statement: [
    {
      Condition: {Bool: {'aws:SecureTransport': 'false'}},
      Resource: [...bucketResources].reverse(),
      Action: 's3:*',
      Principal: '*',
      Effect: 'Deny',
      Sid: 'TlsOnly',
    },
    {
      Resource: [...bucketResources].reverse(),
      Action: ['s3:ListBucket', 's3:GetObject'],
      Principal: '*',
      Effect: 'Allow',
      Sid: 'DashboardReads',
    },
  ],
  Id: 'payroll-exports-bucket-policy',
  Version: '2012-10-17',
}

/** The bucket policy with a third, unrelated statement: the security auditor reads the bucket's settings. */
function auditedBucket(readPrincipal: unknown, auditorActions: string[]) {
  return {
    Version: '2012-10-17',
    Id: 'payroll-exports-bucket-policy',
    Statement: [
      {...bucketPolicy.Statement[0], Principal: readPrincipal},
      {
        Sid: 'AuditorReadsBucketSettings',
        Effect: 'Allow',
        Principal: {AWS: AUDITOR_ROLE},
        Action: auditorActions,
        Resource: `arn:aws:s3:::${BUCKET}`,
      },
      bucketPolicy.Statement[1],
    ],
  }
}

/** The reporting role may also write the exports: a widening that opens nothing to the public. */
const roleWritesExports = {
  ...rolePolicy,
  Statement: [
    ...rolePolicy.Statement,
    {Sid: 'WriteExports', Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/*`},
  ],
}

// ── Helpers ───────────────────────────────────────────────────────────────────────────────────

/** The approved state, committed by the repository's human: returns the baseline commit. */
async function approve(r: TestRepo, extra: Record<string, string> = {}): Promise<string> {
  return commitFiles(
    r,
    {[BUCKET_FILE]: policyText(bucketPolicy), [ROLE_FILE]: policyText(rolePolicy), ...extra},
    'Add payroll exports bucket and reporting dashboard role',
  )
}

/** `check --ref HEAD --baseline BASE --format json`, which must gate (exit 1). */
async function checkSince(expect: ExpectStatic, r: TestRepo, base: string): Promise<Report> {
  const result = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
  expect(result.code, result.stderr).toBe(1)
  return result.report
}

interface Expected {
  sha: string
  type: 'agent' | 'human' | 'automation' | 'unknown'
  /** the agent or bot named; undefined: none may be named */
  agent?: string
  /** signals that must be among the evidence */
  signals?: string[]
  subject?: string
  /** the merge commit that brought the change in; undefined: there is none */
  merge?: string
  file?: string
}

const label = (f: Finding, report: Report) =>
  `${f.change} ${f.rule} ${f.file} ${JSON.stringify(f.witness)}\nnotes: ${report.notes.join('\n')}`

/** The finding names the expected commit and actor (soft: every finding is reported). */
function expectCommit(expect: ExpectStatic, report: Report, f: Finding, e: Expected): void {
  const what = label(f, report)
  const commit = f.commit as CommitInfo | null
  expect.soft(commit, what).not.toBeNull()
  if (commit === null) return
  expect.soft(commit.sha, what).toBe(e.sha)
  expect.soft(commit.pending, what).toBeUndefined()
  expect.soft(commit.actor.type, what).toBe(e.type)
  expect.soft(commit.actor.agent, what).toBe(e.agent)
  if (e.signals !== undefined)
    expect
      .soft(
        commit.actor.evidence.map((x) => x.signal),
        what,
      )
      .toEqual(expect.arrayContaining(e.signals))
  if (e.type === 'unknown') {
    expect.soft(commit.actor.evidence, what).toEqual([])
    expect.soft(commit.actor.confidence, what).toBe(0)
  } else {
    expect.soft(commit.actor.evidence.length, what).toBeGreaterThan(0)
    expect.soft(commit.actor.confidence, what).toBeGreaterThan(0)
  }
  if (e.subject !== undefined) expect.soft(commit.subject, what).toBe(e.subject)
  expect.soft(commit.merge?.sha, what).toBe(e.merge)
  if (e.file !== undefined) expect.soft(f.file, what).toBe(e.file)
}

/** Every widening (and possible widening) of the report is blamed as expected; there is at least one. */
function expectWideningsBlamed(expect: ExpectStatic, report: Report, e: Expected): void {
  const widenings = report.findings.filter((f) => f.change !== 'narrowing')
  expect(widenings.length, JSON.stringify(report.findings, null, 2)).toBeGreaterThan(0)
  for (const f of widenings) expectCommit(expect, report, f, e)
}

// ── Scenarios ─────────────────────────────────────────────────────────────────────────────────

describe.concurrent('attribution', () => {
  it('a widening made by Claude Code names that commit and the agent; a human narrowing names its own commit', async ({
    expect,
  }) => {
    const r = await newRepo()
    await commitFiles(r, {[BUCKET_FILE]: policyText(bucketPolicy), [ROLE_FILE]: policyText(rolePolicy)})
    await r.git('tag', 'approved')
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await r.stage(BUCKET_FILE)
    const agentSha = await r.commit(
      identities.claudeCode.message('Fix AccessDenied for the reporting dashboard'),
      identities.claudeCode,
    )
    // An unrelated later edit of the same file does not move the blame.
    await r.write(BUCKET_FILE, JSON.stringify(publicBucketPolicy, null, 4))
    await r.stage(BUCKET_FILE)
    await r.commit('Reformat the bucket policy')
    const humanSha = await commitFiles(r, {[ROLE_FILE]: policyText(narrowedRolePolicy)}, 'Drop DeleteObject')

    const {report} = await checkJson(r.dir, ['--range', 'approved..HEAD'])
    const pub = report.findings.find((f) => f.rule === 'public-principal')!
    const commit = pub.commit as CommitInfo
    expect(commit).toMatchObject({
      sha: agentSha,
      subject: 'Fix AccessDenied for the reporting dashboard',
      actor: {type: 'agent', agent: expect.stringMatching(/claude/i)},
    })
    expect(commit.actor.evidence.length).toBeGreaterThan(0)

    const narrowing = report.findings.find((f) => f.change === 'narrowing' && f.file === ROLE_FILE)!
    expect((narrowing.commit as CommitInfo).sha).toBe(humanSha)
    expect((narrowing.commit as CommitInfo).actor.type).not.toBe('agent')
  })

  it('1a. a person without any marker is unknown, never human', async ({expect}) => {
    const r = await newRepo()
    const base = await approve(r)
    const sha = await commitAs(r, identities.human, 'Open the exports bucket', {
      [BUCKET_FILE]: policyText(publicBucketPolicy),
    })
    const report = await checkSince(expect, r, base)
    expectWideningsBlamed(expect, report, {sha, type: 'unknown', subject: 'Open the exports bucket'})
    const commit = report.findings[0]!.commit as CommitInfo
    expect(commit.author).toMatchObject({name: 'Alice Example', email: 'alice@example.com'})
    expect(commit.author.date).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  // One commit after the approved state, made the way each actor makes them: every widening
  // it makes names that commit, and the actor with its evidence.
  const openBucket = {[BUCKET_FILE]: policyText(publicBucketPolicy)}
  const writeExports = {[ROLE_FILE]: policyText(roleWritesExports)}
  const listedHuman =
    'version: 1\nactors:\n  humans:\n    - name: Alice Example\n      emails: [alice@example.com]\n'
  const cursorTrailer: ToolIdentity = {
    ...identities.human,
    message: (s) => `${s}\n\nCo-authored-by: Cursor <cursoragent@cursor.com>\n`,
  }
  const cursorMadeWith: ToolIdentity = {...identities.human, message: (s) => `${s}\n\nMade-with: Cursor\n`}
  const aider: ToolIdentity = {...identities.human, committerName: 'Alice (aider)', message: (s) => s}
  const ONE_COMMIT: Array<{
    name: string
    who: ToolIdentity
    subject: string
    files: Record<string, string>
    config?: string
    expected: Omit<Expected, 'sha'>
  }> = [
    {
      name: '1b. a person listed under actors.humans in acldrift.config.yaml is human',
      who: identities.human,
      subject: 'Open the exports bucket',
      files: openBucket,
      config: listedHuman,
      expected: {type: 'human', signals: ['listed-human']},
    },
    {
      name: '1c. a listed human does not outweigh an agent marker in the same commit',
      who: identities.claudeCode,
      subject: 'Open the exports bucket',
      files: openBucket,
      config: listedHuman,
      expected: {type: 'agent', agent: 'Claude Code'},
    },
    {
      name: '2. Claude Code: human author, Co-Authored-By noreply@anthropic.com and the footer',
      who: identities.claudeCode,
      subject: 'Fix AccessDenied for the reporting dashboard',
      files: openBucket,
      expected: {
        type: 'agent',
        agent: 'Claude Code',
        signals: ['claude-code-coauthor', 'claude-code-footer'],
        subject: 'Fix AccessDenied for the reporting dashboard',
      },
    },
    {
      name: '3. GitHub Copilot coding agent: copilot-swe-agent[bot] author and Agent-Logs-Url',
      who: identities.copilotAgent,
      subject: 'Grant the dashboard write access',
      files: writeExports,
      expected: {
        type: 'agent',
        agent: 'GitHub Copilot coding agent',
        signals: ['copilot-agent-author', 'copilot-agent-logs-url'],
      },
    },
    {
      name: '4a. Cursor: Co-authored-by Cursor <cursoragent@cursor.com>',
      who: cursorTrailer,
      subject: 'Open the exports bucket',
      files: openBucket,
      expected: {type: 'agent', agent: 'Cursor', signals: ['cursor-coauthor']},
    },
    {
      name: '4b. Cursor: Made-with: Cursor',
      who: cursorMadeWith,
      subject: 'Open the exports bucket',
      files: openBucket,
      expected: {type: 'agent', agent: 'Cursor', signals: ['cursor-made-with']},
    },
    {
      name: '5. Aider: committer name "Alice (aider)", no trailer',
      who: aider,
      subject: 'Open the exports bucket',
      files: openBucket,
      expected: {type: 'agent', agent: 'Aider', signals: ['aider-committer-name']},
    },
    {
      name: '6. Devin: Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>',
      who: identities.devin,
      subject: 'Open the exports bucket',
      files: openBucket,
      expected: {type: 'agent', agent: 'Devin', signals: ['devin-bot-author']},
    },
    {
      name: '7. dependabot is automation, not an agent',
      who: identities.dependabot,
      subject: 'Bump the exports writer policy',
      files: writeExports,
      expected: {type: 'automation', agent: 'Dependabot', signals: ['dependabot-author']},
    },
  ]

  for (const scenario of ONE_COMMIT) {
    it(scenario.name, async ({expect}) => {
      const r = await newRepo()
      const base = await approve(
        r,
        scenario.config === undefined ? {} : {'acldrift.config.yaml': scenario.config},
      )
      const sha = await commitAs(r, scenario.who, scenario.subject, scenario.files)
      const report = await checkSince(expect, r, base)
      expectWideningsBlamed(expect, report, {sha, ...scenario.expected})
    })
  }

  it('8. a GitHub-style squash merge with Co-authored-by Claude after the --------- line', async ({
    expect,
  }) => {
    const r = await newRepo()
    const base = await approve(r)
    await r.git('checkout', '--quiet', '-b', 'claude/fix-access-denied')
    await commitFiles(
      r,
      {[BUCKET_FILE]: policyText(publicReadKeepingDeny)},
      'Let the dashboard read the exports',
    )
    await commitFiles(r, {[BUCKET_FILE]: policyText(publicBucketPolicy)}, 'Drop the TLS-only deny')
    await r.git('checkout', '--quiet', 'main')
    await r.git('merge', '--squash', '--quiet', 'claude/fix-access-denied')
    const message = [
      'Fix AccessDenied for the reporting dashboard (#42)',
      '',
      '* Let the dashboard read the exports',
      '',
      '* Drop the TLS-only deny',
      '',
      '---------',
      '',
      'Co-authored-by: Claude <noreply@anthropic.com>',
      '',
    ].join('\n')
    const sha = await r.commit(message, {
      ...identities.human,
      committerName: 'GitHub',
      committerEmail: 'noreply@github.com',
    })
    expect((await r.git('rev-list', '--parents', '-n', '1', 'HEAD')).trim().split(' ')).toHaveLength(2)
    const report = await checkSince(expect, r, base)
    expectWideningsBlamed(expect, report, {
      sha,
      type: 'agent',
      agent: 'Claude Code',
      signals: ['claude-code-coauthor'],
      subject: 'Fix AccessDenied for the reporting dashboard (#42)',
    })
  })

  it('9. an agent widens, then a human reformats the whole file: the agent is still blamed', async ({
    expect,
  }) => {
    const r = await newRepo()
    const base = await approve(r)
    const agentSha = await commitAs(r, identities.claudeCode, 'Let the dashboard read the exports', {
      [BUCKET_FILE]: policyText(publicReadKeepingDeny),
    })
    const reformatted = `${JSON.stringify(publicReadReformatted, null, '\t')}\n`
    const humanSha = await commitAs(r, identities.human, 'Reformat the bucket policy', {
      [BUCKET_FILE]: reformatted,
    })
    expect(await r.git('diff', '--stat', agentSha, humanSha)).toMatch(/payroll-exports\.json/)

    const report = await checkSince(expect, r, base)
    expectWideningsBlamed(expect, report, {
      sha: agentSha,
      type: 'agent',
      agent: 'Claude Code',
      subject: 'Let the dashboard read the exports',
      file: BUCKET_FILE,
    })
    // The reformat is no change at all; only the baseline itself, an agent's commit, is reported.
    const sinceAgent = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', agentSha])
    expect(sinceAgent.report.findings.map((f) => f.rule)).toEqual(['baseline-unapproved'])
  })

  it('10. an agent widens, then a human moves the file (git mv) and edits an unrelated statement', async ({
    expect,
  }) => {
    const r = await newRepo()
    const moved = 'iam/s3/payroll-exports-bucket.json'
    const auditor = ['s3:GetBucketPolicy', 's3:GetBucketAcl']
    const base = await commitFiles(
      r,
      {
        [BUCKET_FILE]: policyText(auditedBucket({AWS: REPORTING_ROLE}, auditor)),
        [ROLE_FILE]: policyText(rolePolicy),
      },
      'Add the payroll exports bucket',
    )
    const cursor: ToolIdentity = {...identities.human, message: (s) => `${s}\n\nMade-with: Cursor\n`}
    const agentSha = await commitAs(r, cursor, 'Let the dashboard read the exports', {
      [BUCKET_FILE]: policyText(auditedBucket('*', auditor)),
    })
    await mkdir(join(r.dir, dirname(moved)), {recursive: true})
    await r.git('mv', BUCKET_FILE, moved)
    await r.write(moved, policyText(auditedBucket('*', ['s3:GetBucketPolicy'])))
    await r.stage(moved)
    const moveSha = await r.commit('Move the bucket policies under iam/s3; auditors no longer read ACLs')
    // git sees the move as a rename.
    expect(await r.git('show', '--name-status', '-M', '--format=', moveSha)).toMatch(/^R\d+\t/)

    const report = await checkSince(expect, r, base)
    const pub = report.findings.find((f) => f.rule === 'public-principal')
    expect(pub, JSON.stringify(report.findings, null, 2)).toBeDefined()
    expect(pub!.file).toBe(moved)
    expect((pub!.commit as CommitInfo | null)?.sha).toBe(agentSha)
    // The move grants nothing: every widening is the agent's, at the new path …
    expectWideningsBlamed(expect, report, {sha: agentSha, type: 'agent', agent: 'Cursor', file: moved})
    // … and the only narrowing is the human's edit of the auditor statement, at the new path.
    const narrowings = report.findings.filter((f) => f.change === 'narrowing')
    expect.soft(narrowings.length, JSON.stringify(narrowings, null, 2)).toBeGreaterThan(0)
    for (const f of narrowings) {
      expectCommit(expect, report, f, {sha: moveSha, type: 'unknown', file: moved})
      expect.soft(f.witness?.action, label(f, report)).toMatch(/^s3:GetBucketAcl$/i)
    }
  })

  it('10b. moving a policy file (git mv) grants and removes nothing', async ({expect}) => {
    const r = await newRepo()
    const base = await approve(r)
    await mkdir(join(r.dir, 'iam/s3'), {recursive: true})
    await r.git('mv', BUCKET_FILE, 'iam/s3/payroll-exports.json')
    await r.commit('Move the bucket policies under iam/s3')
    const result = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
    expect(result.report.findings.map((f) => `${f.change} ${f.rule} ${f.file}`)).toEqual([])
    expect(result.code).toBe(0)
  })

  it('10c. a file moved away and a new file written at its old path: each widening names its own commit', async ({
    expect,
  }) => {
    const r = await newRepo()
    const legacy = 'iam/buckets/payroll-exports-legacy.json'
    const base = await approve(r)
    // Claude Code opens the bucket; a person keeps that policy aside as the legacy one …
    const claudeSha = await commitAs(r, identities.claudeCode, 'Open the exports bucket', {
      [BUCKET_FILE]: policyText(publicBucketPolicy),
    })
    await r.git('mv', BUCKET_FILE, legacy)
    await r.commit('Keep the old bucket policy as legacy')
    // … and Devin writes a new policy at the old path, public too.
    const devinSha = await commitAs(r, identities.devin, 'Write the new exports bucket policy', {
      [BUCKET_FILE]: policyText(publicReadKeepingDeny),
    })

    const report = await checkSince(expect, r, base)
    const at = (file: string) => report.findings.filter((f) => f.change !== 'narrowing' && f.file === file)
    expect(at(BUCKET_FILE).length, JSON.stringify(report.findings, null, 2)).toBeGreaterThan(0)
    expect(at(legacy).length, JSON.stringify(report.findings, null, 2)).toBeGreaterThan(0)
    // The old path stopped existing when it was moved: the new file's access is Devin's.
    for (const f of at(BUCKET_FILE))
      expectCommit(expect, report, f, {sha: devinSha, type: 'agent', agent: 'Devin'})
    for (const f of at(legacy))
      expectCommit(expect, report, f, {sha: claudeSha, type: 'agent', agent: 'Claude Code'})
  })

  it('11. a widening made on a branch by an agent and merged by a human with --no-ff', async ({expect}) => {
    const r = await newRepo()
    const base = await approve(r)
    await r.git('checkout', '--quiet', '-b', 'feature/dashboard-access')
    const agentSha = await commitAs(r, identities.claudeCode, 'Let the dashboard read the exports', {
      [BUCKET_FILE]: policyText(publicBucketPolicy),
    })
    await r.git('checkout', '--quiet', 'main')
    // Main moves on meanwhile: a human narrows the role.
    const narrowSha = await commitFiles(r, {[ROLE_FILE]: policyText(narrowedRolePolicy)}, 'Drop DeleteObject')
    await r.git(
      'merge',
      '--no-ff',
      '--quiet',
      '-m',
      "Merge branch 'feature/dashboard-access'",
      'feature/dashboard-access',
    )
    const mergeSha = (await r.git('rev-parse', 'HEAD')).trim()

    const report = await checkSince(expect, r, base)
    expectWideningsBlamed(expect, report, {
      sha: agentSha,
      type: 'agent',
      agent: 'Claude Code',
      subject: 'Let the dashboard read the exports',
      merge: mergeSha,
    })
    const pub = report.findings.find((f) => f.rule === 'public-principal')!
    expect((pub.commit as CommitInfo).merge).toEqual({
      sha: mergeSha,
      subject: "Merge branch 'feature/dashboard-access'",
    })
    const narrowings = report.findings.filter((f) => f.change === 'narrowing')
    expect(narrowings.length).toBeGreaterThan(0)
    for (const f of narrowings) expectCommit(expect, report, f, {sha: narrowSha, type: 'unknown'})
  })

  it('11b. a merge that itself opens access (its own resolution) is blamed on the merge commit', async ({
    expect,
  }) => {
    const r = await newRepo()
    const base = await approve(r)
    await r.git('checkout', '--quiet', '-b', 'feature/cache')
    const branchSha = await commitFiles(r, {[ROLE_FILE]: policyText(narrowedRolePolicy)}, 'Drop DeleteObject')
    await r.git('checkout', '--quiet', 'main')
    await r.git('merge', '--no-ff', '--no-commit', '--quiet', 'feature/cache')
    // The one who merges also edits the bucket policy in the merge commit.
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await r.stage(BUCKET_FILE)
    const mergeSha = await r.commit(
      identities.claudeCode.message("Merge branch 'feature/cache'"),
      identities.claudeCode,
    )
    expect((await r.git('rev-list', '--parents', '-n', '1', 'HEAD')).trim().split(' ')).toHaveLength(3)

    const report = await checkSince(expect, r, base)
    expectWideningsBlamed(expect, report, {sha: mergeSha, type: 'agent', agent: 'Claude Code'})
    const narrowings = report.findings.filter((f) => f.change === 'narrowing')
    expect(narrowings.length).toBeGreaterThan(0)
    for (const f of narrowings)
      expectCommit(expect, report, f, {sha: branchSha, type: 'unknown', merge: mergeSha})
  })

  // Anything can be written into an email: only the anchored `<id>+<login>[bot]@` form of a
  // known account counts, never the bare noreply suffix or another account id.
  it.for([
    [
      '12. a forged x@users.noreply.github.com author named like a bot is unknown',
      'x@users.noreply.github.com',
    ],
    [
      '12b. a bot address with another account id (12345+dependabot[bot]@…) is unknown',
      '12345+dependabot[bot]@users.noreply.github.com',
    ],
  ] as const)('%s', async ([, email], {expect}) => {
    const r = await newRepo()
    const base = await approve(r)
    const forged: ToolIdentity = {name: 'dependabot[bot]', email, message: (s) => s}
    const sha = await commitAs(r, forged, 'Bump the exports writer policy', {
      [ROLE_FILE]: policyText(roleWritesExports),
    })
    const report = await checkSince(expect, r, base)
    expectWideningsBlamed(expect, report, {sha, type: 'unknown'})
  })

  // A condition acldrift cannot decide (13 value classes of a multi-valued key, past the 10 the
  // engine combines) gives a possible widening with no request to ask of each version: it is
  // blamed on the commit that changed the policy, never "predates the range". Condition operators:
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
  it('14. possible widenings an agent made (an undecidable condition, an undecidable Deny removed): audit names its commit', async ({
    expect,
  }) => {
    const teamTags = {
      'ForAnyValue:StringEquals': {'aws:TagKeys': Array.from({length: 12}, (_, i) => `team-${i}`)},
    }
    const queue = {
      Sid: 'SendJobs',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`,
    }
    const tagging = (effect: 'Allow' | 'Deny') => ({
      Sid: `${effect}TeamTags`,
      Effect: effect,
      Action: 'ec2:CreateTags',
      Resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`,
      Condition: teamTags,
    })
    const doc = (...statements: object[]) => policyText({Version: '2012-10-17', Statement: statements})
    const [TAGGING, GUARD, SHARED] = ['iam/tagging.json', 'iam/guard.json', 'iam/shared.json']
    const r = await newRepo()
    const base = await commitFiles(r, {
      [TAGGING]: doc(queue),
      [GUARD]: doc(queue, tagging('Deny')),
      [SHARED]: doc(queue),
    })
    await commitFiles(r, {'README.md': '# jobs\n'}, 'Describe the jobs queue')
    // A human first grants tagging unconditionally in the shared policy, then the agent conditions it:
    // either commit may have brought what cannot be decided, so neither is named alone.
    const human = await commitAs(r, identities.human, 'Let the jobs role tag instances', {
      [SHARED]: doc(queue, {...tagging('Allow'), Condition: undefined}),
    })
    const agent = await commitAs(r, identities.claudeCode, 'Let teams tag their instances', {
      [TAGGING]: doc(queue, tagging('Allow')),
      [GUARD]: doc(queue),
      [SHARED]: doc(queue, tagging('Allow')),
    })
    // Reformatting a policy later changes no access: the agent is still blamed.
    await commitFiles(
      r,
      {[TAGGING]: JSON.stringify(JSON.parse(doc(queue, tagging('Allow'))), null, 4)},
      'Reformat',
    )

    const audit = await runCli(['audit', '--ref', 'HEAD', '--baseline', base, '--format', 'json'], {
      cwd: r.dir,
    })
    expect(audit.code, audit.stderr).toBe(1)
    const report: unknown = JSON.parse(audit.stdout)
    expectValidReport(report)
    const possible = (file: string) =>
      report.findings.filter((f) => f.file === file && f.change === 'possible-widening')
    expect(possible(TAGGING).map((f) => [f.rule, f.witness])).toEqual([['undecidable-condition', {}]])
    expect(possible(GUARD).map((f) => f.rule)).toEqual(['deny-removed'])
    for (const f of [...possible(TAGGING), ...possible(GUARD)])
      expectCommit(expect, report, f, {sha: agent, type: 'agent', agent: 'Claude Code'})
    const [shared] = possible(SHARED)
    expect(shared?.commit, label(shared!, report)).toBeNull()
    expect(report.notes.find((n) => n.includes(shared!.id))).toContain(
      `it came in with one of ${agent.slice(0, 7)}, ${human.slice(0, 7)}`,
    )
  })

  it('13. widened, reverted, widened again: the widening that stays is blamed', async ({expect}) => {
    const r = await newRepo()
    const base = await approve(r)
    await commitAs(r, identities.claudeCode, 'Open the exports bucket', {
      [BUCKET_FILE]: policyText(publicBucketPolicy),
    })
    await r.git('revert', '--no-edit', 'HEAD')
    const again = await commitAs(r, identities.copilotAgent, 'Open the exports bucket again', {
      [BUCKET_FILE]: policyText(publicBucketPolicy),
    })
    const report = await checkSince(expect, r, base)
    expectWideningsBlamed(expect, report, {sha: again, type: 'agent', agent: 'GitHub Copilot coding agent'})
  })
  // A statement widened by several commits was widened by each: audit lists every commit of the
  // range whose added access the target still has, each with a request it added, under the
  // finding; a commit whose access was removed again is not listed (issue 15, item 10).
  it('15. audit lists every commit that widened a statement and whose access is still there', async ({
    expect,
  }) => {
    const FILE = 'iam/app.json'
    const objects = `arn:aws:s3:::${BUCKET}/*`
    const doc = (actions: string[], queue = false) =>
      policyText({
        Version: '2012-10-17',
        Statement: [
          {Sid: 'Objects', Effect: 'Allow', Action: actions, Resource: objects},
          ...(queue
            ? [
                {
                  Sid: 'Jobs',
                  Effect: 'Allow',
                  Action: 'sqs:SendMessage',
                  Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`,
                },
              ]
            : []),
        ],
      })
    const r = await newRepo()
    // Alice is a listed person: her commits are human (no evidence would be unknown).
    const humans =
      'version: 1\nactors:\n  humans:\n    - name: Alice Example\n      emails: [alice@example.com]\n'
    const base = await commitFiles(
      r,
      {[FILE]: doc(['s3:GetObjectTagging']), 'acldrift.config.yaml': humans},
      'The app reads object tags',
    )
    const read = await commitAs(r, identities.human, 'read', {
      [FILE]: doc(['s3:GetObjectTagging', 's3:GetObject']),
    })
    const deleted = await commitAs(r, identities.human, 'delete', {
      [FILE]: doc(['s3:GetObjectTagging', 's3:GetObject', 's3:DeleteObject']),
    })
    await commitAs(r, identities.human, 'no delete after all', {
      [FILE]: doc(['s3:GetObjectTagging', 's3:GetObject']),
    })
    const queue = await commitAs(r, identities.human, 'queue', {
      [FILE]: doc(['s3:GetObjectTagging', 's3:GetObject'], true),
    })
    const write = await commitAs(r, identities.claudeCode, 'write', {
      [FILE]: doc(['s3:GetObjectTagging', 's3:GetObject', 's3:PutObject'], true),
    })

    const audit = await runCli(['audit', '--ref', 'HEAD', '--baseline', base, '--format', 'json'], {
      cwd: r.dir,
    })
    expect(audit.code, audit.stderr).toBe(1)
    const report: unknown = JSON.parse(audit.stdout)
    expectValidReport(report)
    const widenings = report.findings.filter((f) => f.file === FILE && f.change === 'widening')
    const objectsFinding = widenings.find((f) => f.pointer === '/Statement/0')!
    const queueFinding = widenings.find((f) => f.pointer === '/Statement/1')!
    const listed = (f: Finding) =>
      (f.commits ?? []).map((c) => [
        c.commit.sha,
        c.commit.actor.type,
        c.commit.actor.agent,
        c.witness.action,
      ])
    // Oldest first, each with the access it added; "delete" (removed again) and "queue" (another
    // statement) are not listed under the objects statement.
    expect(listed(objectsFinding), label(objectsFinding, report)).toEqual([
      [read, 'human', undefined, 's3:GetObject'],
      [write, 'agent', 'Claude Code', 's3:PutObject'],
    ])
    expect(listed(objectsFinding).map(([sha]) => sha)).not.toContain(deleted)
    // The primary commit is one of them.
    expect([read, write]).toContain((objectsFinding.commit as CommitInfo).sha)
    expect(listed(queueFinding)).toEqual([[queue, 'human', undefined, 'sqs:SendMessage']])

    // Text and SARIF name both commits too.
    const text = await runCli(['audit', '--ref', 'HEAD', '--baseline', base], {cwd: r.dir})
    for (const sha of [read, write]) expect(text.stdout).toContain(sha.slice(0, 7))
    expect(text.stdout).not.toContain(deleted.slice(0, 7))
    const sarif = await runCli(['audit', '--ref', 'HEAD', '--baseline', base, '--format', 'sarif'], {
      cwd: r.dir,
    })
    const results = (
      JSON.parse(sarif.stdout) as {runs: Array<{results: Array<{properties: {commits?: unknown[]}}>}>}
    ).runs[0]!.results
    expect(results.map((result) => result.properties.commits?.length).sort()).toEqual([1, 2])
  })
  // The comparison names one request per statement and commit; a commit whose named request was
  // taken back later, while another request it added stayed, still widened what the target has.
  it('16. audit lists a commit whose named action was removed later but another it added stayed', async ({
    expect,
  }) => {
    const FILE = 'iam/app.json'
    const doc = (actions: string[]) =>
      policyText({
        Version: '2012-10-17',
        Statement: [{Sid: 'Objects', Effect: 'Allow', Action: actions, Resource: `arn:aws:s3:::${BUCKET}/*`}],
      })
    const r = await newRepo()
    const base = await commitFiles(r, {[FILE]: doc(['s3:GetObjectTagging'])}, 'The app reads object tags')
    const both = await commitAs(r, identities.claudeCode, 'read and delete', {
      [FILE]: doc(['s3:GetObjectTagging', 's3:GetObject', 's3:DeleteObject']),
    })
    await commitAs(r, identities.human, 'no delete after all', {
      [FILE]: doc(['s3:GetObjectTagging', 's3:GetObject']),
    })
    const write = await commitAs(r, identities.human, 'write', {
      [FILE]: doc(['s3:GetObjectTagging', 's3:GetObject', 's3:PutObject']),
    })
    // The first commit's change alone is named by its riskiest request: the delete, taken back since.
    const alone = await runCli(['check', '--ref', both, '--baseline', base, '--format', 'json'], {cwd: r.dir})
    expect(JSON.parse(alone.stdout).findings[0].witness.action).toBe('s3:DeleteObject')

    const audit = await runCli(['audit', '--ref', 'HEAD', '--baseline', base, '--format', 'json'], {
      cwd: r.dir,
    })
    const report: unknown = JSON.parse(audit.stdout)
    expectValidReport(report)
    const finding = report.findings.find((f) => f.file === FILE && f.change === 'widening')!
    expect(
      (finding.commits ?? []).map((c) => [c.commit.sha, c.witness.action]),
      label(finding, report),
    ).toEqual([
      [both, 's3:GetObject'],
      [write, 's3:PutObject'],
    ])
  })
})

// Kinds whose files are read together: a possible widening's access may come from any file of the
// kind, so blame by change takes the commits that changed any of them (as the kind reads them).
describe.concurrent('attribution of possible widenings in kinds read together', () => {
  /** `audit --ref HEAD --baseline BASE --format json`, which must gate. */
  async function auditSince(expect: ExpectStatic, r: TestRepo, base: string): Promise<Report> {
    const audit = await runCli(['audit', '--ref', 'HEAD', '--baseline', base, '--format', 'json'], {
      cwd: r.dir,
    })
    expect(audit.code, audit.stderr).toBe(1)
    const report: unknown = JSON.parse(audit.stdout)
    expectValidReport(report)
    return report
  }
  /** `check --staged --baseline BASE` with an unrelated file staged, then with `changed` staged. */
  async function stagedSince(r: TestRepo, base: string, changed?: Record<string, string>): Promise<Report> {
    await r.write('NOTES.md', `# notes ${Math.random()}\n`)
    await r.stage('NOTES.md')
    if (changed !== undefined) {
      for (const [path, content] of Object.entries(changed)) await r.write(path, content)
      await r.stage(...Object.keys(changed))
    }
    return (await checkJson(r.dir, ['--staged', '--baseline', base])).report
  }
  const possible = (report: Report, file: string) =>
    report.findings.filter((f) => f.file === file && f.change === 'possible-widening')
  /** The possible widenings of `file` are `rules`, each blamed on the agent's commit `sha`. */
  function expectAgents(expect: ExpectStatic, report: Report, file: string, rules: string[], sha: string) {
    expect(possible(report, file).map((f) => f.rule)).toEqual(rules)
    for (const f of possible(report, file))
      expectCommit(expect, report, f, {sha, type: 'agent', agent: 'Claude Code'})
  }

  // resource.matchTag depends on the tags bound to each resource, which no policy file states, so
  // acldrift cannot decide it (https://cloud.google.com/iam/docs/tags-access-control). The owner
  // binding under a tag the baseline had already allows the witness: only a change dates it.
  it('gcp-iam: an agent puts an owner binding under another condition acldrift cannot decide; a human reformats; audit and a later pre-commit check name the agent', async ({
    expect,
  }) => {
    const POLICY = 'gcp/project-policy.json'
    const ROLES = 'gcp/roles/deployer.yaml'
    const policy = (env: string, indent?: number) =>
      `${JSON.stringify(
        {
          bindings: [
            {role: 'roles/viewer', members: ['group:eng@example.com']},
            {
              role: 'roles/owner',
              members: ['user:mallory@example.com'],
              condition: {title: 'tagged', expression: `resource.matchTag("482736150943/env", "${env}")`},
            },
            {
              role: 'projects/shop/roles/deployer',
              members: ['serviceAccount:ci@shop.iam.gserviceaccount.com'],
            },
          ],
          etag: 'BwYRbC9d3fF=',
          version: 3,
        },
        null,
        indent,
      )}\n`
    const role = `name: projects/shop/roles/deployer\ntitle: Deployer\nincludedPermissions:\n  - run.services.update\nstage: GA\n`
    const r = await newRepo()
    const base = await commitFiles(r, {[POLICY]: policy('dev'), [ROLES]: role}, 'Project policy')
    const agent = await commitAs(r, identities.claudeCode, 'Scope the owner grant to production', {
      [POLICY]: policy('production'),
    })
    await commitAs(r, identities.human, 'Reformat the policy', {[POLICY]: policy('production', 4)})

    const rules = ['undecidable-condition']
    expectAgents(expect, await auditSince(expect, r, base), POLICY, rules, agent)
    // HEAD already had it: the commit being made (an unrelated file) is not its author.
    expectAgents(expect, await stagedSince(r, base), POLICY, rules, agent)
    // A staged change to the kind's files makes the commit being made the one it came with.
    const touched = await stagedSince(r, base, {[ROLES]: role.replace('Deployer', 'Deployer (CI)')})
    expect(possible(touched, POLICY).length).toBe(1)
    for (const f of possible(touched, POLICY)) expect((f.commit as CommitInfo | null)?.pending).toBe(true)
  })

  // A RoleBinding whose ClusterRole another file no longer defines grants what no one can tell
  // (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding):
  // the binding's own file never changed, the change lies in the roles file.
  it('k8s-rbac: an agent renames the role a binding in another file refers to; a human reformats both; audit and a later pre-commit check name the agent', async ({
    expect,
  }) => {
    const ROLES = 'deploy/rbac/roles.yaml'
    const BINDING = 'deploy/rbac/vendor-binding.yaml'
    const roles = (name: string) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ${name}\nrules:\n  - apiGroups: [""]\n    resources: ["configmaps"]\n    verbs: ["get"]\n`
    const binding = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: vendor
  namespace: shop
subjects:
  - kind: User
    name: vendor@example.com
    apiGroup: rbac.authorization.k8s.io
roleRef:
  kind: ClusterRole
  name: vendor-reader
  apiGroup: rbac.authorization.k8s.io
`
    const r = await newRepo()
    const base = await commitFiles(r, {[ROLES]: roles('vendor-reader'), [BINDING]: binding}, 'Vendor access')
    const agent = await commitAs(r, identities.claudeCode, 'Rename the vendor role', {
      [ROLES]: roles('vendor-config-reader'),
    })
    await commitAs(r, identities.human, 'Reformat RBAC manifests', {
      [ROLES]: `# Reviewed by platform\n---\n${roles('vendor-config-reader').replaceAll('"', "'")}`,
      [BINDING]: `# Reviewed by platform\n---\n${binding.replace(/name: (\S+)/g, 'name: "$1"')}`,
    })

    expectAgents(expect, await auditSince(expect, r, base), BINDING, ['unknown-role'], agent)
    expectAgents(expect, await stagedSince(r, base), BINDING, ['unknown-role'], agent)

    // Had a human changed the roles file in the range too, either commit may have brought it: none is named.
    const both = await newRepo()
    const start = await commitFiles(
      both,
      {[ROLES]: roles('vendor-reader'), [BINDING]: binding},
      'Vendor access',
    )
    const human = await commitAs(both, identities.human, 'Label the vendor role', {
      [ROLES]: roles('vendor-reader').replace('metadata:\n', 'metadata:\n  labels: {team: vendors}\n'),
    })
    const renamed = await commitAs(both, identities.claudeCode, 'Rename the vendor role', {
      [ROLES]: roles('vendor-config-reader'),
    })
    const report = await auditSince(expect, both, start)
    const [found] = possible(report, BINDING)
    expect(found?.commit, label(found!, report)).toBeNull()
    expect(report.notes.find((n) => n.includes(found!.id))).toContain(
      `it came in with one of ${renamed.slice(0, 7)}, ${human.slice(0, 7)} (the commits that changed files of its kind)`,
    )
  })

  it('aws-iam: an undecidable condition HEAD already had is not given to the commit being made', async ({
    expect,
  }) => {
    const TAGGING = 'iam/tagging.json'
    const doc = (condition?: object) =>
      policyText({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TeamTags',
            Effect: 'Allow',
            Action: 'ec2:CreateTags',
            Resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/*`,
            ...(condition ? {Condition: condition} : {}),
          },
        ],
      })
    const teamTags = {
      'ForAnyValue:StringEquals': {'aws:TagKeys': Array.from({length: 12}, (_, i) => `team-${i}`)},
    }
    const r = await newRepo()
    const base = await commitFiles(r, {[TAGGING]: doc({StringEquals: {'aws:RequestedRegion': 'us-east-1'}})})
    const agent = await commitAs(r, identities.claudeCode, 'Let teams tag their instances', {
      [TAGGING]: doc(teamTags),
    })
    expectAgents(expect, await stagedSince(r, base), TAGGING, ['undecidable-condition'], agent)
  })

  // GitHub skips a CODEOWNERS line with invalid syntax and reads the rest
  // (https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners#codeowners-syntax):
  // the possible widening names no request to ask of each version, so the change dates it.
  it('codeowners: an agent adds a line GitHub skips; a human edits another file; audit and a later pre-commit check name the agent', async ({
    expect,
  }) => {
    const OWNERS = '.github/CODEOWNERS'
    const owners = (extra = '') => `* @acme/eng\n/infra/ @acme/platform\n${extra}`
    const r = await newRepo()
    const base = await commitFiles(r, {[OWNERS]: owners(), 'docs/notes.md': '# Notes\n'}, 'Code owners')
    const agent = await commitAs(r, identities.claudeCode, 'Let docs own the infra README', {
      [OWNERS]: owners('!/infra/README.md @acme/docs\n'),
    })
    await commitAs(r, identities.human, 'Notes', {'docs/notes.md': '# Notes\n\nMore.\n'})

    expectAgents(expect, await auditSince(expect, r, base), OWNERS, ['line-skipped'], agent)
    expectAgents(expect, await stagedSince(r, base), OWNERS, ['line-skipped'], agent)
  })
})
