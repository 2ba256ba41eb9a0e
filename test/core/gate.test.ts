// The gate, as a pure function: which approvals count, which findings they cover, which
// findings about approvals are made, and what fails a run.
import {describe, expect, it} from 'vitest'
import type {ApprovalEntry} from '../../src/core/approvals.js'
import {sameEntry, withEntry} from '../../src/core/approvals.js'
import {
  applyApprovals,
  type ApprovalRecord,
  approverCommit,
  commitApproval,
  failOnWeakened,
  gating,
  judgeApproval,
  stricter,
  utcDay,
} from '../../src/core/gate.js'
import type {Actor, CommitInfo, Finding} from '../../src/kernel/types.js'

const APPROVERS = ['alice@acme.example']
const TODAY = '2026-06-01'

const human: Actor = {
  type: 'human',
  confidence: 0.9,
  evidence: [{signal: 'listed-human', detail: 'author email: alice@acme.example', strength: 'high'}],
}
const claude: Actor = {
  type: 'agent',
  agent: 'Claude Code',
  confidence: 0.95,
  evidence: [
    {signal: 'coauthor-claude', detail: 'Co-Authored-By: Claude <noreply@anthropic.com>', strength: 'strong'},
  ],
}
const unknown: Actor = {type: 'unknown', confidence: 0, evidence: []}

function commit(email: string, actor: Actor, sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'): CommitInfo {
  return {
    sha,
    author: {name: email.split('@')[0]!, email, date: '2026-05-01T10:00:00+00:00'},
    subject: 'x',
    actor,
  }
}

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: '3f9c2ab41d0e7c55',
    kind: 'aws-iam',
    file: 'iam/bucket.json',
    line: 4,
    pointer: '/Statement/0',
    change: 'widening',
    severity: 'critical',
    rule: 'public-principal',
    message: 'Public access.',
    witness: {principal: '*', action: 's3:GetObject', resource: 'arn:aws:s3:::b/x'},
    before: null,
    after: null,
    diff: [],
    commit: commit('bob@acme.example', unknown),
    approval: null,
    ...overrides,
  }
}

function entry(overrides: Partial<ApprovalEntry> = {}): ApprovalEntry {
  return {
    id: '3f9c2ab41d0e7c55',
    kind: 'aws-iam',
    file: 'iam/bucket.json',
    access: {change: 'widening', rule: 'public-principal', witness: {principal: '*'}},
    approver: 'alice@acme.example',
    reason: 'The CDN reads the public assets',
    expires: '2026-12-31',
    created: '2026-05-01T10:00:00Z',
    ...overrides,
  }
}

function record(e: ApprovalEntry, addedBy: CommitInfo | null, index = 0): ApprovalRecord {
  return {
    entry: e,
    index,
    line: 5 + index * 10,
    addedBy,
    ...(addedBy === null ? {unknownWhy: 'shallow'} : {}),
  }
}

describe('approverCommit', () => {
  it('accepts a listed approver classified human, case-insensitively', () => {
    expect(approverCommit(commit('Alice@Acme.Example', human), APPROVERS).ok).toBe(true)
  })

  it('refuses an agent, even under a listed approver identity', () => {
    const result = approverCommit(commit('alice@acme.example', claude), APPROVERS)
    expect(result.ok).toBe(false)
    expect(result.why).toContain('AI agent (Claude Code;')
  })

  it('refuses a person who is not listed, and an unknown actor', () => {
    expect(approverCommit(commit('bob@acme.example', human), APPROVERS).why).toContain(
      'not a listed approver',
    )
    expect(approverCommit(commit('alice@acme.example', unknown), APPROVERS).why).toContain('not human')
    expect(approverCommit(null, APPROVERS).ok).toBe(false)
  })

  it('names the pending commit as such', () => {
    const pending = {...commit('alice@acme.example', claude), sha: 'pending', pending: true}
    expect(approverCommit(pending, APPROVERS).why).toContain('the pending commit')
  })
})

describe('judgeApproval', () => {
  it('is valid when the approver named added it as a human, before it expires', () => {
    const approval = judgeApproval(record(entry(), commit('alice@acme.example', human)), APPROVERS, TODAY)
    expect(approval).toMatchObject({
      valid: true,
      status: 'valid',
      source: 'approvals-file',
      approver: 'alice@acme.example',
    })
  })

  it('counts on the day of expiry and not the day after', () => {
    const r = record(entry({expires: TODAY}), commit('alice@acme.example', human))
    expect(judgeApproval(r, APPROVERS, TODAY).valid).toBe(true)
    expect(judgeApproval(r, APPROVERS, '2026-06-02')).toMatchObject({valid: false, status: 'expired'})
  })

  it('is a self-approval when an agent added it', () => {
    const approval = judgeApproval(record(entry(), commit('alice@acme.example', claude)), APPROVERS, TODAY)
    expect(approval).toMatchObject({valid: false, status: 'self-approval'})
    expect(approval.why).toContain('Claude Code')
  })

  it("is a self-approval when someone not listed added it, or added it in an approver's name", () => {
    expect(judgeApproval(record(entry(), commit('bob@acme.example', human)), APPROVERS, TODAY).status).toBe(
      'self-approval',
    )
    const forged = judgeApproval(
      record(entry({approver: 'carol@acme.example'}), commit('alice@acme.example', human)),
      [...APPROVERS, 'carol@acme.example'],
      TODAY,
    )
    expect(forged).toMatchObject({valid: false, status: 'self-approval'})
    expect(forged.why).toContain('names carol@acme.example as approver but was added by alice@acme.example')
  })

  it('is unverified when the adding commit is unknown', () => {
    expect(judgeApproval(record(entry(), null), APPROVERS, TODAY)).toMatchObject({
      valid: false,
      status: 'unverified',
    })
  })

  it('prefers self-approval to expiry: the worse problem is named', () => {
    const r = record(entry({expires: '2020-01-01'}), commit('alice@acme.example', claude))
    expect(judgeApproval(r, APPROVERS, TODAY).status).toBe('self-approval')
  })
})

describe('applyApprovals', () => {
  it('fills the approval of the finding it names and makes no finding of a used, valid approval', () => {
    const f = finding()
    const {findings} = applyApprovals(
      [f],
      [record(entry(), commit('alice@acme.example', human))],
      APPROVERS,
      TODAY,
      '.acldrift/approvals.yaml',
    )
    expect(findings).toEqual([])
    expect(f.approval).toMatchObject({valid: true, id: f.id})
  })

  it('matches on the id and the kind, not on lines', () => {
    const f = finding({line: 40, pointer: '/Statement/3'})
    applyApprovals(
      [f],
      [record(entry({kind: 'gcp-iam'}), commit('alice@acme.example', human))],
      APPROVERS,
      TODAY,
      'a.yaml',
    )
    expect(f.approval).toBeNull()
    applyApprovals([f], [record(entry(), commit('alice@acme.example', human))], APPROVERS, TODAY, 'a.yaml')
    expect(f.approval?.valid).toBe(true)
  })

  it('reports a self-approval as a high widening attributed to the adding commit, and it does not count', () => {
    const f = finding()
    const agentCommit = commit('alice@acme.example', claude)
    const {findings} = applyApprovals(
      [f],
      [record(entry(), agentCommit)],
      APPROVERS,
      TODAY,
      '.acldrift/approvals.yaml',
    )
    expect(f.approval).toMatchObject({valid: false, status: 'self-approval'})
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      kind: 'acldrift',
      rule: 'self-approval',
      change: 'widening',
      severity: 'high',
      file: '.acldrift/approvals.yaml',
      line: 5,
      pointer: '/approvals/0',
      commit: agentCommit,
    })
    expect(gating([f, ...findings], 'widening', 'require-approval')).toHaveLength(2)
  })

  it('reports expired and stale approvals as informational findings', () => {
    const expired = record(entry({expires: '2026-01-01'}), commit('alice@acme.example', human), 0)
    const stale = record(entry({id: '0000000000000001'}), commit('alice@acme.example', human), 1)
    const f = finding()
    const {findings} = applyApprovals([f], [expired, stale], APPROVERS, TODAY, 'a.yaml')
    expect(findings.map((x) => [x.rule, x.change])).toEqual([
      ['approval-expired', 'narrowing'],
      ['approval-stale', 'narrowing'],
    ])
    expect(f.approval?.status).toBe('expired')
    expect(gating([f, ...findings], 'critical', 'allow')).toEqual([f])
  })

  it('does not call an approval stale where the comparison could not have used it', () => {
    const stale = record(entry({id: '0000000000000001'}), commit('alice@acme.example', human))
    expect(applyApprovals([], [stale], APPROVERS, TODAY, 'a.yaml', () => false).findings).toEqual([])
  })

  it('keeps a valid approval over an invalid one for the same access, and an approver commit over both', () => {
    const f = finding()
    const bad = record(entry(), commit('bob@acme.example', human), 0)
    const good = record(entry(), commit('alice@acme.example', human), 1)
    applyApprovals([f], [bad, good], APPROVERS, TODAY, 'a.yaml')
    expect(f.approval?.valid).toBe(true)
    const own = finding({
      kind: 'acldrift',
      rule: 'config-weakened',
      commit: commit('alice@acme.example', human),
    })
    own.approval = commitApproval(own, APPROVERS)
    applyApprovals(
      [own],
      [record(entry({kind: 'acldrift'}), commit('bob@acme.example', human))],
      APPROVERS,
      TODAY,
      'a.yaml',
    )
    expect(own.approval).toMatchObject({source: 'approver-commit', valid: true})
  })

  it('never lets a finding about an approval be approved', () => {
    const f = finding({rule: 'self-approval', kind: 'acldrift'})
    const {findings} = applyApprovals(
      [f],
      [record(entry({kind: 'acldrift'}), commit('alice@acme.example', human))],
      APPROVERS,
      TODAY,
      'a.yaml',
    )
    expect(f.approval).toBeNull()
    expect(findings.map((x) => x.rule)).toEqual(['approval-stale'])
  })
})

describe('gating', () => {
  const low = (actor: Actor) =>
    finding({severity: 'low', rule: 'new-grant', commit: commit('alice@acme.example', actor)})

  it('fails widenings at or above the threshold, and possible widenings (fail closed), not narrowings', () => {
    const findings = [
      finding({severity: 'critical'}),
      finding({severity: 'medium', change: 'possible-widening'}),
      finding({severity: 'low', change: 'narrowing'}),
    ]
    expect(gating(findings, 'widening', 'allow')).toHaveLength(2)
    expect(gating(findings, 'critical', 'allow')).toHaveLength(1)
    expect(gating(findings, 'never', 'require-approval')).toHaveLength(0)
  })

  it("fails an agent's widening below the threshold under require-approval, unless validly approved", () => {
    expect(gating([low(claude)], 'critical', 'require-approval')).toHaveLength(1)
    expect(gating([low(claude)], 'critical', 'allow')).toHaveLength(0)
    expect(gating([low(human)], 'critical', 'require-approval')).toHaveLength(0)
    const approved = low(claude)
    approved.approval = judgeApproval(record(entry(), commit('alice@acme.example', human)), APPROVERS, TODAY)
    expect(gating([approved], 'critical', 'require-approval')).toHaveLength(0)
    approved.approval = judgeApproval(record(entry(), commit('alice@acme.example', claude)), APPROVERS, TODAY)
    expect(gating([approved], 'critical', 'require-approval')).toHaveLength(1)
  })
})

describe('policy', () => {
  it('orders failOn by how much fails', () => {
    expect(failOnWeakened('widening', 'never')).toBe(true)
    expect(failOnWeakened('widening', 'critical')).toBe(true)
    expect(failOnWeakened('high', 'medium')).toBe(false)
    expect(failOnWeakened('medium', 'medium')).toBe(false)
  })

  it('takes the stricter of two policies', () => {
    expect(
      stricter({failOn: 'never', agents: 'allow'}, {failOn: 'high', agents: 'require-approval'}),
    ).toEqual({
      failOn: 'high',
      agents: 'require-approval',
    })
    expect(stricter({failOn: 'widening', agents: 'allow'}, {failOn: 'critical', agents: 'allow'})).toEqual({
      failOn: 'widening',
      agents: 'allow',
    })
  })

  it("approves changes to acldrift's own files by the commit of a listed approver only", () => {
    expect(commitApproval(finding({commit: commit('alice@acme.example', human)}), APPROVERS)?.valid).toBe(
      true,
    )
    expect(commitApproval(finding({commit: commit('alice@acme.example', claude)}), APPROVERS)).toBeNull()
    expect(commitApproval(finding({commit: commit('bob@acme.example', human)}), APPROVERS)).toBeNull()
  })

  it('reads days in UTC', () => {
    expect(utcDay(new Date('2026-06-01T23:30:00-05:00'))).toBe('2026-06-02')
  })
})

describe('the approvals file', () => {
  it('adds an entry, keeping comments, and replaces one with the same id', () => {
    const first = withEntry('# ours\nversion: 1\napprovals: []\n', entry())
    expect(first.replaced).toBe(false)
    expect(first.text).toContain('# ours')
    const renewed = withEntry(first.text, entry({expires: '2027-01-31'}))
    expect(renewed.replaced).toBe(true)
    expect(renewed.text.match(/id: 3f9c2ab41d0e7c55/g)).toHaveLength(1)
    expect(renewed.text).toContain('expires: 2027-01-31')
  })

  it('treats any edit of an entry as a new approval', () => {
    expect(sameEntry(entry(), {...entry()})).toBe(true)
    expect(sameEntry(entry(), entry({reason: 'other'}))).toBe(false)
    expect(sameEntry(entry(), entry({expires: '2027-01-01'}))).toBe(false)
  })
})
