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
import type {ChangeType, Finding, ParsedFile, Severity} from '../../../src/core/types.js'
import {type ContextValue, type Request, allows, SELF} from './brute-force.js'

const ROOT = fileURLToPath(new URL('../../../fixtures/aws-iam/', import.meta.url))

interface ExpectedFinding {
  change: ChangeType
  rule: string
  severity?: Severity
  /** a number, or null for "no target line" (e.g. grant-removed); absent: not checked */
  line?: number | null
  /** fields that must be equal; `context` is compared key by key */
  witness?: Record<string, unknown>
}

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

const isDeepEqual = (a: unknown, b: unknown): boolean => {
  try {
    expect(a).toEqual(b)
    return true
  } catch {
    return false
  }
}

function witnessMatches(expected: Record<string, unknown> | undefined, actual: Finding['witness']): boolean {
  if (expected === undefined) return true
  if (actual === null) return false
  return Object.entries(expected).every(([field, value]) => {
    if (field !== 'context') return isDeepEqual(actual[field], value)
    const context = (actual.context ?? {}) as Record<string, unknown>
    return Object.entries(value as Record<string, unknown>).every(([key, v]) => isDeepEqual(context[key], v))
  })
}

function findingMatches(expected: ExpectedFinding, actual: Finding): boolean {
  return (
    expected.change === actual.change &&
    expected.rule === actual.rule &&
    (expected.severity === undefined || expected.severity === actual.severity) &&
    (expected.line === undefined || expected.line === actual.line) &&
    witnessMatches(expected.witness, actual.witness)
  )
}

/** A one-to-one pairing of expected and actual items (order-free), or undefined. */
function pair<E, A>(expected: E[], actual: A[], matches: (e: E, a: A) => boolean): number[] | undefined {
  if (expected.length !== actual.length) return undefined
  const used = new Set<number>()
  const chosen: number[] = []
  const search = (i: number): boolean => {
    if (i === expected.length) return true
    for (let j = 0; j < actual.length; j++) {
      if (used.has(j) || !matches(expected[i]!, actual[j]!)) continue
      used.add(j)
      chosen.push(j)
      if (search(i + 1)) return true
      used.delete(j)
      chosen.pop()
    }
    return false
  }
  return search(0) ? chosen : undefined
}

/** What the engine said, in the shape of expected.json (for a readable diff on failure). */
const summary = (f: Finding) => ({
  change: f.change,
  rule: f.rule,
  severity: f.severity,
  line: f.line,
  witness: f.witness,
})

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
