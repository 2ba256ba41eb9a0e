import {describe, expect, it} from 'vitest'
import {renderJson} from '../../src/reporters/json.js'
import type {Report} from '../../src/kernel/types.js'
import {sampleReport} from './sample-report.js'

describe('json reporter', () => {
  it('round-trips the report', () => {
    const out = renderJson(sampleReport())
    expect(out.endsWith('}\n')).toBe(true)
    expect(JSON.parse(out)).toEqual(sampleReport())
  })

  it('writes keys in the contract order whatever order the report was built in', () => {
    const {notes, errors, findings, summary, target, baseline, tool, schemaVersion} = sampleReport()
    const shuffled: Report = {notes, errors, findings, summary, target, baseline, tool, schemaVersion}
    const parsed = JSON.parse(renderJson(shuffled))
    expect(Object.keys(parsed)).toEqual([
      'schemaVersion',
      'tool',
      'baseline',
      'target',
      'summary',
      'findings',
      'errors',
      'notes',
    ])
    expect(renderJson(shuffled)).toBe(renderJson(sampleReport()))
  })

  it('orders finding keys and keeps keys it does not know', () => {
    const report = sampleReport()
    const {id, ...rest} = report.findings[0]
    report.findings[0] = {...rest, id, gate: 'blocked'} as Report['findings'][0]
    const [finding] = JSON.parse(renderJson(report)).findings
    expect(Object.keys(finding).slice(0, 3)).toEqual(['id', 'kind', 'file'])
    expect(Object.keys(finding).at(-1)).toBe('gate')
  })
})
