// The aws-iam fixture table: one `it` per folder of fixtures/aws-iam/ (see its README).
// Each case compares baseline.json with target.json and checks the findings against
// expected.json exactly (count, change and rule; severity, line and witness fields where
// given), then re-checks every witness with the independent brute-force evaluator.

import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {compareIamFile} from '../../../src/adapters/aws-iam/compare.js'
import {parseFile} from '../../../src/kernel/parse.js'
import type {ParsedFile} from '../../../src/kernel/types.js'
import {type ContextValue, type Request, allows, SELF} from './brute-force.js'
import {
  type ExpectedFinding,
  expectFindings,
  expectNotes,
  fixtureCases,
  itHasCases,
  readExpected,
} from '../expected-findings.js'

const ROOT = fileURLToPath(new URL('../../../fixtures/aws-iam/', import.meta.url))

interface Expected {
  description: string
  findings: ExpectedFinding[]
  /** substrings, one per note, in any order; absent means no notes */
  notes?: string[]
}

interface Case {
  name: string
  dir: string
  baseline: ParsedFile | undefined
  target: ParsedFile | undefined
  expected: Expected
}

function load(name: string): Case {
  const dir = join(ROOT, name)
  const read = (file: string): ParsedFile | undefined => {
    const path = join(dir, file)
    if (!existsSync(path)) return undefined
    return parseFile({path: `fixtures/aws-iam/${name}/${file}`, content: readFileSync(path)})
  }
  const expected = readExpected<Expected>(dir)
  return {name, dir, baseline: read('baseline.json'), target: read('target.json'), expected}
}

const cases = fixtureCases(ROOT)

/** A witness as a concrete request: no principal is the attached identity; no resource, any resource. */
function requestOf(witness: Record<string, unknown>): Request {
  return {
    principal: typeof witness.principal === 'string' ? witness.principal : SELF,
    action: String(witness.action),
    resource: typeof witness.resource === 'string' ? witness.resource : 'arn:aws:acldrift:::unconstrained',
    context: {...((witness.context ?? {}) as Record<string, ContextValue>)},
  }
}

describe('aws-iam fixtures', () => {
  itHasCases(
    ROOT,
    cases,
    35,
    (dir) => existsSync(join(dir, 'baseline.json')) || existsSync(join(dir, 'target.json')),
    {findingsArray: true},
  )

  for (const name of cases) {
    it(name, () => {
      const c = load(name)
      const {findings, notes} = compareIamFile(`fixtures/aws-iam/${name}/policy.json`, c.baseline, c.target)
      const context = `${name}: ${c.expected.description}`

      expectFindings(c.expected.findings, findings, context)
      expectNotes(c.expected.notes ?? [], notes, context)

      for (const f of findings) {
        expect(f.message.length, `${name}: message`).toBeGreaterThan(0)
        if (f.change === 'possible-widening') {
          expect(f.reason, `${name}: possible-widening without a reason`).toBeTruthy()
          continue
        }
        // Definite changes: the witness must really be allowed by one side only.
        expect(f.witness, `${name}: ${f.change} without a witness`).not.toBeNull()
        const request = requestOf(f.witness!)
        const [allowedBy, notBy] = f.change === 'widening' ? [c.target, c.baseline] : [c.baseline, c.target]
        const ok = allows(allowedBy?.value, request) && !allows(notBy?.value, request)
        expect(
          ok,
          `${name}: ${f.change} witness ${JSON.stringify(f.witness)} is not allowed by exactly one side`,
        ).toBe(true)
      }
    })
  }
})
