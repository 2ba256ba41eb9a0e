// What every kind's comparison cut short must be (src/kernel/truncation.ts): a possible widening
// of its own, with the cut's access, that no approval covers, not even an entry recording that
// very access, while the widenings listed before the cut stay approvable.

import {expect} from 'vitest'
import {approvable, entryCovers} from '../../src/core/gate/approvals.js'
import type {Finding} from '../../src/kernel/types.js'
import {entry} from '../core/gate/samples.js'

/** The comparison-truncated finding of `findings`, checked; `pointer` is where it must point. */
export async function expectCutShort(findings: Finding[], pointer: string): Promise<Finding> {
  const cut = findings.find((f) => f.rule === 'comparison-truncated')
  expect(cut, findings.map((f) => f.rule).join(', ')).toBeDefined()
  expect(cut).toMatchObject({
    change: 'possible-widening',
    pointer,
    access: {comparison: 'truncated', limit: 2000},
  })
  expect(cut!.reason).toContain('stopped after 2000 differing request classes')
  expect(cut!.message).toContain('No approval covers this finding')
  expect(approvable(cut!)).toBe(false)
  const recording = (f: Finding) =>
    entry({
      id: f.id,
      kind: f.kind,
      file: f.file,
      access: {
        change: f.change === 'possible-widening' ? 'possible-widening' : 'widening',
        rule: f.rule,
        witness: {},
        whole: f.access,
      },
    })
  expect(await entryCovers(recording(cut!), cut!)).toBe(false)
  const listed = findings.find((f) => f.change === 'widening')!
  expect(await entryCovers(recording(listed), listed)).toBe(true)
  return cut!
}
