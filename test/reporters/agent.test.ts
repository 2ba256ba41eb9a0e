// What the agent hook tells the agent: one change that removes a Deny yields many possible
// widenings (each request another policy may allow); the agent reads the first ones in full and
// one line for the rest, and every id stays approvable.
import {describe, expect, it} from 'vitest'
import {renderRefusal} from '../../src/reporters/agent.js'
import type {Finding} from '../../src/kernel/types.js'
import {sampleReport} from './sample-report.js'

const widening = sampleReport().findings.find((f) => f.change === 'widening')!
const denyRemoved = (line: number): Finding => ({
  ...widening,
  id: `deny-removed-${line}`,
  file: 'iam/bucket.json',
  line,
  change: 'possible-widening',
  severity: 'high',
  rule: 'deny-removed',
  message: `A Deny no longer applies (line ${line})`,
  reason: 'nothing in this policy allows it, but another policy attached to the same identity may',
})

describe('the agent hook: an edit blocked', () => {
  it('shows two possible widenings of one rule in one file in full, and one line for the rest', () => {
    const findings = [widening, ...[5, 9, 13, 17].map(denyRemoved)]
    const told = renderRefusal({type: 'widening', file: 'iam/bucket.json', findings, expires: '2026-12-31'})
    expect(told).toContain(widening.message)
    expect(told).toContain('A Deny no longer applies (line 5)')
    expect(told).toContain('A Deny no longer applies (line 9)')
    expect(told).not.toContain('A Deny no longer applies (line 13)')
    expect(told).toContain(
      '- and 2 more possible widening(s) of the same kind (deny-removed) at iam/bucket.json:13, iam/bucket.json:17',
    )
    for (const f of findings) expect(told).toContain(`acldrift approve ${f.id} --reason`)
  })

  it('shows every definite widening in full', () => {
    const definite = [5, 9, 13].map((line) => ({...denyRemoved(line), change: 'widening' as const}))
    const told = renderRefusal({
      type: 'widening',
      file: 'iam/bucket.json',
      findings: definite,
      expires: '2026-12-31',
    })
    for (const line of [5, 9, 13]) expect(told).toContain(`A Deny no longer applies (line ${line})`)
    expect(told).not.toContain('more possible widening')
  })
})
