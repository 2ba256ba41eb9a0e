// Findings about documents held by container files are placed back in their container.

import {describe, expect, it} from 'vitest'
import {findingKey, placeFindings} from '../../src/core/embedded.js'
import type {Document, Finding} from '../../src/kernel/types.js'

const noLines = {locate: () => undefined}
const embedded = (file: string, name: string, pointer: string): Document => ({
  path: `${file}#${name}`,
  kind: 'aws-iam',
  value: {},
  hash: '0'.repeat(64),
  sourceMap: noLines,
  origin: {file, format: 'aws-cli', name, pointer},
})
const plain: Document = {
  path: 'iam/a.json',
  kind: 'aws-iam',
  value: {},
  hash: '1'.repeat(64),
  sourceMap: noLines,
}

const finding = (file: string, pointer: string | null, baselineFile?: string): Finding => ({
  id: '0123456789abcdef',
  kind: 'aws-iam',
  file,
  line: 3,
  pointer,
  change: 'widening',
  severity: 'high',
  rule: 'new-grant',
  message: 'm',
  witness: {},
  before: null,
  after: null,
  diff: [],
  baselineLocation:
    baselineFile === undefined ? null : {file: baselineFile, line: 2, pointer: '/Statement/0'},
  commit: null,
  approval: null,
})

describe('placeFindings', () => {
  it('names the container file, the document, and the pointer from where the document sits', () => {
    const target = new Map([['t.json#role/app/P', embedded('t.json', 'role/app/P', '/PolicyDocument')]])
    const baseline = new Map([
      ['old.json#PolicyVersion', embedded('old.json', 'PolicyVersion', '/PolicyVersion/Document')],
    ])
    const findings = [
      finding('t.json#role/app/P', '/Statement/1', 'old.json#PolicyVersion'),
      finding('iam/a.json', '/Statement/0'),
    ]
    placeFindings(findings, target, baseline, new Map([[plain.path, plain]]))
    expect(findings[0]).toMatchObject({
      file: 't.json',
      document: 'role/app/P',
      pointer: '/PolicyDocument/Statement/1',
      line: 3,
      baselineLocation: {
        file: 'old.json',
        document: 'PolicyVersion',
        pointer: '/PolicyVersion/Document/Statement/0',
      },
    })
    expect(findingKey(findings[0]!)).toBe('t.json#role/app/P')
    // A document that is a file of its own is left as it is.
    expect(findings[1]).toMatchObject({file: 'iam/a.json', pointer: '/Statement/0'})
    expect(findings[1]).not.toHaveProperty('document')
    expect(findingKey(findings[1]!)).toBe('iam/a.json')
  })

  it('places a finding about a document that only the baseline holds (a deleted one)', () => {
    const baseline = new Map([['t.json#role/app/P', embedded('t.json', 'role/app/P', '/PolicyDocument')]])
    const findings = [finding('t.json#role/app/P', null)]
    placeFindings(findings, new Map(), baseline)
    expect(findings[0]).toMatchObject({file: 't.json', document: 'role/app/P', pointer: null})
  })
})
