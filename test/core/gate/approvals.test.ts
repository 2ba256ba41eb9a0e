// Judging approvals, as a pure function: which approvals count, which findings they cover, and
// which findings about approvals are made.
import {describe, expect, it} from 'vitest'
import {
  applyApprovals,
  approverCommit,
  commitApproval,
  judgeApproval,
} from '../../../src/core/gate/approvals.js'
import type {ApprovalEntry} from '../../../src/core/gate/approvals-file.js'
import {gating} from '../../../src/core/gate/verdict.js'
import type {Finding} from '../../../src/kernel/types.js'
import {
  APPROVERS,
  claude,
  commit,
  entry,
  finding,
  human,
  record,
  STATEMENT,
  TODAY,
  unknown,
} from './samples.js'

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
  it('fills the approval of the finding it names and makes no finding of a used, valid approval', async () => {
    const f = finding()
    const {findings} = await applyApprovals(
      [f],
      [record(entry(), commit('alice@acme.example', human))],
      APPROVERS,
      TODAY,
      '.acldrift/approvals.yaml',
    )
    expect(findings).toEqual([])
    expect(f.approval).toMatchObject({valid: true, id: f.id})
  })

  it('does not count an approval added by the commit that makes the access, and reports it (a squash merge)', async () => {
    const squash = commit('alice@acme.example', human, 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00')
    for (const made of [squash, {...squash, sha: 'pending', pending: true}]) {
      const f = finding({commit: made})
      const {findings} = await applyApprovals([f], [record(entry(), made)], APPROVERS, TODAY, 'a.yaml')
      expect(f.approval).toMatchObject({valid: false, status: 'self-approval'})
      expect(f.approval?.why).toContain('same commit as the access it approves')
      expect(findings).toMatchObject([{rule: 'self-approval', change: 'widening', commit: made}])
      expect(gating([f, ...findings], 'critical', 'require-approval')).toContain(f)
    }
    // The same approval in a commit of its own counts.
    const f = finding()
    await applyApprovals([f], [record(entry(), squash)], APPROVERS, TODAY, 'a.yaml')
    expect(f.approval?.valid).toBe(true)
  })

  it('matches on the id and the kind, not on lines', async () => {
    const f = finding({line: 40, pointer: '/Statement/3'})
    await applyApprovals(
      [f],
      [record(entry({kind: 'gcp-iam'}), commit('alice@acme.example', human))],
      APPROVERS,
      TODAY,
      'a.yaml',
    )
    expect(f.approval).toBeNull()
    await applyApprovals(
      [f],
      [record(entry(), commit('alice@acme.example', human))],
      APPROVERS,
      TODAY,
      'a.yaml',
    )
    expect(f.approval?.valid).toBe(true)
  })

  it('reports a self-approval as a high widening attributed to the adding commit, and it does not count', async () => {
    const f = finding()
    const agentCommit = commit('alice@acme.example', claude)
    const {findings} = await applyApprovals(
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

  it('reports expired and stale approvals as informational findings', async () => {
    const expired = record(entry({expires: '2026-01-01'}), commit('alice@acme.example', human), 0)
    const other = {statement: {...STATEMENT.statement, Resource: ['arn:aws:s3:::other/*']}}
    const stale = record(
      entry({id: '0000000000000001', access: {...entry().access, whole: other}}),
      commit('alice@acme.example', human),
      1,
    )
    const f = finding()
    const {findings} = await applyApprovals([f], [expired, stale], APPROVERS, TODAY, 'a.yaml')
    expect(findings.map((x) => [x.rule, x.change])).toEqual([
      ['approval-expired', 'narrowing'],
      ['approval-stale', 'narrowing'],
    ])
    expect(f.approval?.status).toBe('expired')
    expect(gating([f, ...findings], 'critical', 'allow')).toEqual([f])
  })

  it('covers only the access it recorded, whatever id it names', async () => {
    const alice = commit('alice@acme.example', human)
    // The statement approved, then stretched: more actions, a wider condition, a condition dropped.
    const approved = {
      statement: {...STATEMENT.statement, Condition: {IpAddress: {'aws:SourceIp': ['203.0.113.0/24']}}},
    }
    for (const wider of [
      {statement: {...approved.statement, Action: ['s3:*']}},
      {statement: {...approved.statement, Condition: {IpAddress: {'aws:SourceIp': ['0.0.0.0/0']}}}},
      STATEMENT,
    ]) {
      const f = finding({access: wider})
      const {findings} = await applyApprovals(
        [f],
        [record(entry({access: {...entry().access, whole: approved}}), alice)],
        APPROVERS,
        TODAY,
        'a.yaml',
      )
      expect(f.approval).toBeNull()
      expect(findings.map((x) => x.rule)).toEqual(['approval-stale'])
    }
    // The same access in another key and list order is the same access.
    const f = finding({
      access: {
        statement: {
          Resource: ['arn:aws:s3:::b/*'],
          Principal: '*',
          Effect: 'Allow',
          Action: ['s3:GetObject'],
        },
      },
    })
    await applyApprovals([f], [record(entry({id: '0000000000000002'}), alice)], APPROVERS, TODAY, 'a.yaml')
    expect(f.approval?.valid).toBe(true)
  })

  it('covers a narrower version of the access it recorded, as the engine of its kind decides it', async () => {
    const alice = commit('alice@acme.example', human)
    // Anyone narrowed to one account, and a condition added: the approval of the wider statement covers it.
    const narrower = {
      statement: {
        ...STATEMENT.statement,
        Principal: {AWS: ['arn:aws:iam::222222222222:root']},
        Condition: {Bool: {'aws:SecureTransport': ['true']}},
      },
    }
    const f = finding({id: '0000000000000003', access: narrower})
    const {findings} = await applyApprovals([f], [record(entry(), alice)], APPROVERS, TODAY, 'a.yaml')
    expect(f.approval).toMatchObject({valid: true, id: entry().id})
    expect(findings).toEqual([])
  })

  it('covers by access, whatever rule the approved state was classified under — except where rules share one access', async () => {
    const alice = commit('alice@acme.example', human)
    const apply = async (f: Finding, e: ApprovalEntry) =>
      (await applyApprovals([f], [record(e, alice)], APPROVERS, TODAY, 'a.yaml')).findings.map((x) => x.rule)
    // The public statement approved as public-principal; the same statement narrowed, classified otherwise.
    const narrower = {
      statement: {...STATEMENT.statement, Principal: {AWS: ['arn:aws:iam::222222222222:root']}},
    }
    const f = finding({rule: 'new-principal', access: narrower})
    expect(await apply(f, entry())).toEqual([])
    expect(f.approval).toMatchObject({valid: true})
    // Never a finding no approval covers, whatever access it names.
    const cut = finding({rule: 'comparison-truncated', access: STATEMENT})
    expect(await apply(cut, entry())).toEqual(['approval-stale'])
    expect(cut.approval).toBeNull()
    // acldrift's own findings: the rule says what the access is about.
    const own = {kind: 'acldrift' as const, access: {setting: 'failOn'}}
    const weakened = finding({...own, rule: 'config-weakened'})
    expect(
      await apply(
        weakened,
        entry({...own, access: {...entry().access, rule: 'approver-added', whole: own.access}}),
      ),
    ).toEqual(['approval-stale'])
    // Branch protection: every setting's finding carries the whole protection.
    const protection = {
      branch: 'main',
      protection: {
        enforce_admins: false,
        required_pull_request_reviews: {required_approving_review_count: 1},
      },
    }
    const place = {kind: 'branch-protection' as const, file: 'protection.json'}
    const reviews = entry({
      ...place,
      access: {change: 'widening', rule: 'reviews-reduced', witness: {}, whole: protection},
    })
    const admins = finding({...place, rule: 'admins-exempt', access: protection})
    expect(await apply(admins, reviews)).toEqual(['approval-stale'])
    const stricter = {
      branch: 'main',
      protection: {
        ...protection.protection,
        required_pull_request_reviews: {required_approving_review_count: 2},
      },
    }
    const fewer = finding({...place, rule: 'reviews-reduced', access: stricter})
    expect(await apply(fewer, reviews)).toEqual([])
    expect(fewer.approval).toMatchObject({valid: true})
  })

  it('reads an entry that does not record its access, and never counts it: approve again', async () => {
    const old = {...entry().access}
    delete old.whole
    const f = finding()
    const {findings} = await applyApprovals(
      [f],
      [record(entry({access: old}), commit('alice@acme.example', human))],
      APPROVERS,
      TODAY,
      'a.yaml',
    )
    expect(f.approval).toMatchObject({valid: false, status: 'unverified'})
    expect(f.approval?.why).toContain('approve the finding again')
    expect(findings.map((x) => x.rule)).toEqual(['approval-unverified'])
    expect(gating([f, ...findings], 'critical', 'allow')).toEqual([f])
  })

  it('does not call an approval stale where the comparison could not have used it', async () => {
    const stale = record(entry({id: '0000000000000001'}), commit('alice@acme.example', human))
    expect((await applyApprovals([], [stale], APPROVERS, TODAY, 'a.yaml', () => false)).findings).toEqual([])
  })

  it('keeps a valid approval over an invalid one for the same access, and an approver commit over both', async () => {
    const f = finding()
    const bad = record(entry(), commit('bob@acme.example', human), 0)
    const good = record(entry(), commit('alice@acme.example', human), 1)
    await applyApprovals([f], [bad, good], APPROVERS, TODAY, 'a.yaml')
    expect(f.approval?.valid).toBe(true)
    const own = finding({
      kind: 'acldrift',
      rule: 'config-weakened',
      commit: commit('alice@acme.example', human),
    })
    own.approval = commitApproval(own, APPROVERS)
    await applyApprovals(
      [own],
      [record(entry({kind: 'acldrift'}), commit('bob@acme.example', human))],
      APPROVERS,
      TODAY,
      'a.yaml',
    )
    expect(own.approval).toMatchObject({source: 'approver-commit', valid: true})
  })

  it('never lets a finding about an approval be approved', async () => {
    const f = finding({rule: 'self-approval', kind: 'acldrift'})
    const {findings} = await applyApprovals(
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

describe('signed approvals (policy.requireSignedApprovals)', () => {
  const alice = commit('alice@acme.example', human)
  it('counts an approver commit only when it is verified signed by its author', () => {
    expect(approverCommit(alice, APPROVERS, new Map([[alice.sha, 'alice@acme.example']])).ok).toBe(true)
    expect(approverCommit(alice, APPROVERS, new Map()).why).toContain('not signed with a key listed')
    expect(approverCommit(alice, APPROVERS, new Map([[alice.sha, 'carol@acme.example']])).why).toContain(
      "signed by carol@acme.example's key",
    )
    const pending = {...alice, sha: 'pending', pending: true}
    expect(approverCommit(pending, APPROVERS, new Map()).why).toContain('will not be signed')
    // Without the policy, the identity alone counts, as before.
    expect(approverCommit(alice, APPROVERS).ok).toBe(true)
  })

  it('lets a signed approval arrive with its access; an unsigned one never counts', async () => {
    const f = finding({commit: alice})
    await applyApprovals(
      [f],
      [record(entry(), alice)],
      APPROVERS,
      TODAY,
      'a.yaml',
      undefined,
      new Map([[alice.sha, 'alice@acme.example']]),
    )
    expect(f.approval?.valid).toBe(true)
    const g = finding()
    await applyApprovals([g], [record(entry(), alice)], APPROVERS, TODAY, 'a.yaml', undefined, new Map())
    expect(g.approval).toMatchObject({valid: false, status: 'self-approval'})
    expect(commitApproval(finding({commit: alice}), APPROVERS, new Map())).toBeNull()
  })
})
