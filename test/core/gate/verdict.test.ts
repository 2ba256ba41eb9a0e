// The verdict: what fails a run, and the policy it is judged by.
import {describe, expect, it} from 'vitest'
import {commitApproval, judgeApproval, utcDay} from '../../../src/core/gate/approvals.js'
import {failOnWeakened, gatePolicy, gating, stricter, verdictCode} from '../../../src/core/gate/verdict.js'
import type {Actor, Finding, Report} from '../../../src/kernel/types.js'
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

describe('gatePolicy', () => {
  const strict = {failOn: 'widening', agents: 'require-approval'} as const
  const lax = {failOn: 'critical', agents: 'allow'} as const
  const weakening = (setting: string, valid: boolean | null) =>
    finding({
      kind: 'acldrift',
      rule: 'config-weakened',
      witness: {setting, before: 'widening', after: 'critical'},
      approval:
        valid === null
          ? null
          : {
              source: 'approver-commit',
              approver: 'alice@acme.example',
              valid,
              status: 'valid',
              why: 'x',
              commit: null,
            },
    })

  it('is the stricter of the given and the target config when nothing weakened the policy', () => {
    expect(gatePolicy(lax, lax, strict, [])).toEqual(lax)
    expect(gatePolicy(lax, {failOn: 'high', agents: 'allow'}, strict, [])).toEqual({
      failOn: 'high',
      agents: 'allow',
    })
  })

  it("keeps the reference's policy while a weakening of failOn or agents is not validly approved", () => {
    expect(gatePolicy(lax, lax, strict, [weakening('policy.failOn', null)])).toEqual(strict)
    expect(gatePolicy(lax, lax, strict, [weakening('policy.agents', false)])).toEqual(strict)
    expect(gatePolicy(lax, lax, strict, [weakening('policy.failOn', true)])).toEqual(lax)
  })

  it('is not moved by weakenings of other settings', () => {
    expect(
      gatePolicy(lax, lax, strict, [weakening('baseline', null), weakening('actors.agents', null)]),
    ).toEqual(lax)
  })
})

describe('verdictCode', () => {
  const report = (findings: Finding[], errors: Report['errors'] = [], policy?: Report['policy']): Report => ({
    schemaVersion: 1,
    tool: {name: 'acldrift', version: '0.0.0'},
    baseline: {source: 'HEAD', commit: null},
    target: {source: 'worktree', commit: null},
    summary: {
      documents: 1,
      widening: findings.length,
      narrowing: 0,
      possibleWidening: 0,
      invalid: errors.length,
    },
    findings,
    errors,
    notes: [],
    ...(policy === undefined ? {} : {policy}),
  })

  it('fails closed on invalid input before anything else', () => {
    expect(verdictCode(report([], [{file: 'iam/a.json', line: 3, message: 'bad'}]))).toBe(3)
    expect(verdictCode(report([finding()], [{file: 'iam/a.json', message: 'bad'}]))).toBe(3)
  })

  it("gates by the report's policy, or by --fail-on when given", () => {
    const medium = finding({severity: 'medium'})
    expect(verdictCode(report([]))).toBe(0)
    expect(verdictCode(report([medium]))).toBe(1)
    expect(verdictCode(report([medium], [], {failOn: 'high', agents: 'allow'}))).toBe(0)
    expect(verdictCode(report([medium], [], {failOn: 'high', agents: 'allow'}), 'medium')).toBe(1)
    expect(verdictCode(report([finding({severity: 'critical'})]), 'never')).toBe(0)
  })
})
