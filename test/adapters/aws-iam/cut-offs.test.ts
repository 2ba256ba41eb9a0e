// The AWS engine's cut-offs never pass silently (issue 15): a comparison that stops at 2,000
// widening cells is a finding of its own (`comparison-truncated`, which no approval covers, with
// the first request past the cut as witness), and a question the engine cannot decide (too many
// value classes of a multi-valued key, a pattern combination past its state limit) is a
// possible widening, also where a removed Deny is what it cannot decide.

import {describe, expect, it} from 'vitest'
import {compareIamFile} from '../../../src/adapters/aws-iam/compare.js'
import {awsIam} from '../../../src/adapters/aws-iam/index.js'
import {RULES} from '../../../src/adapters/aws-iam/rules.js'
import {approvable, entryCovers} from '../../../src/core/gate/approvals.js'
import {compileGlob, globCells} from '../../../src/engine/glob.js'
import {Undecidable} from '../../../src/engine/undecidable.js'
import {entry} from '../../core/gate/samples.js'
import {PASS_ADMIN, parsed, policy, throughEndpoints} from './documents.js'

const compare = (baseline: unknown, target: unknown) =>
  compareIamFile('policy.json', parsed(baseline), parsed(target))

/** 2,500 new request classes (one per VPC and endpoint), past the 2,000 cut. */
const LIST = {Sid: 'List', Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*'}
const DATA = throughEndpoints('Data', 'data')

describe('a comparison cut short at 2,000 widening cells', () => {
  const {findings, notes} = compare(policy(LIST), policy(LIST, DATA, PASS_ADMIN))
  const cut = findings.find((f) => f.rule === 'comparison-truncated')

  it('is a finding of its own, no approval covers, that fails the run', () => {
    expect(notes).toContain('policy.json: more than 2000 widening cells; the first 2000 are reported')
    // The hidden PassRole is not listed: without the cut's own finding it would pass unseen.
    expect(findings.some((f) => f.witness?.action === 'iam:PassRole')).toBe(false)
    expect(cut).toMatchObject({
      kind: 'aws-iam',
      change: 'possible-widening',
      severity: 'high',
      pointer: '/Statement',
      access: {comparison: 'truncated', limit: 2000},
    })
    expect(cut!.message).toContain('No approval covers this finding')
    expect(cut!.message).toContain('split the policy into several files')
    expect(cut!.reason).toContain('stopped after 2000 differing request classes')
    expect(RULES['comparison-truncated'].approvable).toBe(false)
    expect(approvable(cut!)).toBe(false)
  })

  it('names the first request past the cut, a real-shaped one', () => {
    expect(cut!.witness).toMatchObject({action: expect.stringMatching(/^s3:/) as unknown})
    expect(String(cut!.witness!.resource)).toMatch(/^arn:aws:s3:::data\//)
    expect(JSON.stringify(cut!.witness!.context)).toMatch(/vpce-\d{2}/)
    expect(cut!.message).toContain(
      `The first request not listed: the identity this policy is attached to can call ${String(cut!.witness!.action)}`,
    )
  })

  it('is never covered, not even by an entry that records its very access', async () => {
    const exact = entry({
      id: cut!.id,
      file: 'policy.json',
      access: {change: 'possible-widening', rule: cut!.rule, witness: {}, whole: cut!.access},
    })
    expect(await entryCovers(exact, cut!)).toBe(false)
    // The listed widening is approvable as before.
    const listed = findings.find((f) => f.rule === 'new-grant')!
    const approval = entry({
      id: listed.id,
      file: 'policy.json',
      access: {change: 'widening', rule: listed.rule, witness: {}, whole: listed.access},
    })
    expect(await entryCovers(approval, listed)).toBe(true)
  })

  it('takes the severity of the most severe widening listed when that is above high', () => {
    const admin = {Sid: 'Admin', Effect: 'Allow', Action: '*', Resource: '*'}
    const worse = compare(policy(LIST), policy(admin, LIST, DATA)).findings
    expect(worse.find((f) => f.rule === 'admin-wildcard')?.severity).toBe('critical')
    expect(worse.find((f) => f.rule === 'comparison-truncated')?.severity).toBe('critical')
  })

  it('is absent when the difference fits under the cut', () => {
    const few = {...DATA, Condition: {StringEquals: {'aws:SourceVpce': ['vpce-1', 'vpce-2']}}}
    const small = compare(policy(LIST), policy(LIST, few, PASS_ADMIN))
    expect(small.findings.map((f) => f.rule)).not.toContain('comparison-truncated')
    expect(small.findings.some((f) => f.witness?.action === 'iam:PassRole')).toBe(true)
  })
})

describe('a question the engine cannot decide is a possible widening, never a silent pass', () => {
  // 12 tag keys: 13 value classes of a multi-valued key, past the 10 the engine combines.
  const TAGS = Array.from({length: 12}, (_, i) => `team-${i}`)
  const NO_TAGGING = {
    Sid: 'NoTeamTags',
    Effect: 'Deny',
    Action: 'ec2:CreateTags',
    Resource: '*',
    Condition: {'ForAnyValue:StringEquals': {'aws:TagKeys': TAGS}},
  }
  const QUEUE = {Sid: 'Queue', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*'}

  it('a removed Deny the engine cannot compare is a deny-removed possible widening', () => {
    const {findings} = compare(policy(QUEUE, NO_TAGGING), policy(QUEUE))
    expect(findings.map((f) => [f.rule, f.change, f.pointer])).toEqual([
      ['deny-removed', 'possible-widening', '/Statement'],
    ])
    expect(findings[0]!.reason).toContain('a multi-valued condition key has 13 distinct value classes')
    expect(findings[0]!.before).toEqual(NO_TAGGING)
  })

  it('a Deny kept word for word is not reported, however complex', () => {
    const {findings} = compare(policy(QUEUE, NO_TAGGING), policy(NO_TAGGING, QUEUE))
    expect(findings).toEqual([])
  })

  it('an Allow the engine cannot compare is a possible widening', () => {
    const {findings} = compare(policy(QUEUE), policy(QUEUE, {...NO_TAGGING, Effect: 'Allow'}))
    expect(findings.map((f) => [f.rule, f.change])).toEqual([['undecidable-condition', 'possible-widening']])
  })

  it('names no request in its witness, which semantic blame then does not ask of each version', () => {
    const allowed = compare(policy(QUEUE), policy(QUEUE, {...NO_TAGGING, Effect: 'Allow'})).findings
    const denyRemoved = compare(policy(QUEUE, NO_TAGGING), policy(QUEUE)).findings
    expect([...allowed, ...denyRemoved].map((f) => awsIam.namesRequest!(f.witness!))).toEqual([false, false])
    const granted = compare(
      policy(QUEUE),
      policy(QUEUE, {...NO_TAGGING, Effect: 'Allow', Condition: undefined}),
    )
    expect(granted.findings.map((f) => awsIam.namesRequest!(f.witness!))).toEqual([true])
  })

  it('the pattern-state cut-off throws Undecidable (the same path), never an answer', () => {
    // Reaching the 200,000 states takes about a minute; a lower cap shows the same exit.
    const letters = 'abcdefghij'
    const globs = [...letters].map((c, i) =>
      compileGlob(`*${c}*${letters[(i * 7 + 3) % 10]}*${letters[(i * 3 + 5) % 10]}*`, {wildcards: true}),
    )
    expect(() => globCells(globs, [], 1000)).toThrow(Undecidable)
    expect(() => globCells(globs, [], 1000)).toThrow(
      'pattern combination too complex to analyse exactly (10 patterns)',
    )
  })
})
