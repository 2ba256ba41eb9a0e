// The verdict: what fails a run, and the policy it is judged by.
import {describe, expect, it} from 'vitest'
import {commitApproval, judgeApproval, utcDay} from '../../../src/core/gate/approvals.js'
import {failOnWeakened, gating, stricter} from '../../../src/core/gate/verdict.js'
import type {Actor} from '../../../src/kernel/types.js'
import {APPROVERS, claude, commit, entry, finding, human, record, TODAY} from './samples.js'

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
