// The aws-iam fixture table: one `it` per folder of fixtures/aws-iam/ (see its README).
// Each case compares baseline.json with target.json and checks the findings against
// expected.json exactly (count, change and rule; severity, line and witness fields where
// given), then re-checks every witness with the independent brute-force evaluator.

import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {compareIamFile} from '../../../src/adapters/aws-iam/compare.js'
import {parseFile} from '../../../src/core/parse.js'
import type {ParsedFile} from '../../../src/core/types.js'
import {type ContextValue, type Request, allows, SELF} from './brute-force.js'
import {type ExpectedFinding, findingMatches, pair, summary} from '../expected-findings.js'

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
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected
  return {name, dir, baseline: read('baseline.json'), target: read('target.json'), expected}
}

const cases = readdirSync(ROOT, {withFileTypes: true})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()

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
  it('has at least 35 cases, each with expected.json and at least one side', () => {
    expect(cases.length).toBeGreaterThanOrEqual(35)
    for (const name of cases) {
      const dir = join(ROOT, name)
      expect(existsSync(join(dir, 'expected.json')), `${name}/expected.json`).toBe(true)
      expect(existsSync(join(dir, 'baseline.json')) || existsSync(join(dir, 'target.json')), name).toBe(true)
      const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected
      expect(
        typeof expected.description === 'string' && expected.description.length > 0,
        `${name} description`,
      ).toBe(true)
      expect(Array.isArray(expected.findings), `${name} findings`).toBe(true)
    }
  })

  for (const name of cases) {
    it(name, () => {
      const c = load(name)
      const {findings, notes} = compareIamFile(`fixtures/aws-iam/${name}/policy.json`, c.baseline, c.target)
      const context = `${name}: ${c.expected.description}`

      if (pair(c.expected.findings, findings, findingMatches) === undefined) {
        // No exact pairing: show both lists (the engine's trimmed to the fields expected.json uses).
        expect(findings.map(summary), context).toEqual(c.expected.findings)
        expect.unreachable(
          `${context}\nexpected ${JSON.stringify(c.expected.findings)}\nactual ${JSON.stringify(findings.map(summary))}`,
        )
      }

      const expectedNotes = c.expected.notes ?? []
      if (pair(expectedNotes, notes, (e, a) => a.includes(e)) === undefined) {
        expect(notes, `${context}\n(each expected note is a substring of one note)`).toEqual(expectedNotes)
      }

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
