// How every kind's fixture walker matches the findings of expected.json against the
// engine's: one-to-one, order-free, on change and rule plus whatever the fixture pins down.

import {isDeepStrictEqual} from 'node:util'
import {expect} from 'vitest'
import type {ChangeType, Finding, Severity} from '../../src/core/types.js'

export interface ExpectedFinding {
  change: ChangeType
  rule: string
  severity?: Severity
  /** the file the finding names (relative to the case); absent: not checked */
  file?: string
  /** a number, or null for "no target line"; absent: not checked */
  line?: number | null
  /** fields that must be equal; a field given as null must be absent; `context` is compared key by key */
  witness?: Record<string, unknown>
}

/** vitest's equality (the same as `toEqual`), as a predicate. */
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
  return Object.entries(expected).every(([field, value]) => {
    if (value === null) return actual?.[field] === undefined
    if (actual === null) return false
    if (field !== 'context') return isDeepEqual(actual[field], value)
    const context = (actual.context ?? {}) as Record<string, unknown>
    return Object.entries(value as Record<string, unknown>).every(([key, v]) => isDeepEqual(context[key], v))
  })
}

export function findingMatches(expected: ExpectedFinding, actual: Finding): boolean {
  return (
    expected.change === actual.change &&
    expected.rule === actual.rule &&
    (expected.severity === undefined || expected.severity === actual.severity) &&
    (expected.file === undefined || expected.file === actual.file) &&
    (expected.line === undefined || expected.line === actual.line) &&
    witnessMatches(expected.witness, actual.witness)
  )
}

/** A one-to-one pairing of expected and actual items (order-free), or undefined. */
export function pair<E, A>(
  expected: E[],
  actual: A[],
  matches: (e: E, a: A) => boolean,
): number[] | undefined {
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
export const summary = (f: Finding) => ({
  change: f.change,
  rule: f.rule,
  severity: f.severity,
  file: f.file,
  line: f.line,
  witness: f.witness,
})

export {isDeepStrictEqual}
