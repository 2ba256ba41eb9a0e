// How the fixture runner (fixtures.test.ts) reads a kind's case folders and their expected.json,
// and matches the findings of expected.json against the engine's: one-to-one, order-free, on
// change and rule plus whatever the fixture pins down.

import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {basename, join, relative} from 'node:path'
import {expect} from 'vitest'
import type {ChangeType, Finding, InputProblem, Severity} from '../../src/kernel/types.js'

export interface ExpectedFinding {
  change: ChangeType
  rule: string
  severity?: Severity
  /** the file the finding names (relative to the case); absent: not checked */
  file?: string
  /** the embedded document's name (a container's finding); null: none; absent: not checked */
  document?: string | null
  /** a number, or null for "no target line"; absent: not checked */
  line?: number | null
  /** the line of the baseline statement the finding names as `before` (baselineLocation); null: none; absent: not checked */
  baselineLine?: number | null
  /** where a rendered object is written (a chart's template); null: none; absent: not checked */
  renderedFrom?: {file: string; line: number} | null
  /** fields that must be equal; a field given as null must be absent; `context` is compared key by key */
  witness?: Record<string, unknown>
}

/** A case's expected.json, as the kinds' runner reads it. */
export interface ExpectedCase {
  description: string
  findings?: ExpectedFinding[]
  /** substrings, one per note, in any order; absent means no notes */
  notes?: string[]
  /** a case that fails closed: each entry is a problem of either side (message: a substring); nothing is compared */
  errors?: ExpectedProblem[]
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

function findingMatches(expected: ExpectedFinding, actual: Finding): boolean {
  return (
    expected.change === actual.change &&
    expected.rule === actual.rule &&
    (expected.severity === undefined || expected.severity === actual.severity) &&
    (expected.file === undefined || expected.file === actual.file) &&
    (expected.document === undefined || (expected.document ?? undefined) === actual.document) &&
    (expected.line === undefined || expected.line === actual.line) &&
    (expected.baselineLine === undefined ||
      expected.baselineLine === (actual.baselineLocation?.line ?? null)) &&
    (expected.renderedFrom === undefined ||
      isDeepEqual(actual.renderedFrom, expected.renderedFrom ?? undefined)) &&
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
const summary = (f: Finding) => ({
  change: f.change,
  rule: f.rule,
  severity: f.severity,
  file: f.file,
  ...(f.document === undefined ? {} : {document: f.document}),
  line: f.line,
  baselineLine: f.baselineLocation?.line ?? null,
  witness: f.witness,
})

/** The case folders of a fixture table (the folders directly under root), sorted by name. */
export function fixtureCases(root: string): string[] {
  return readdirSync(root, {withFileTypes: true})
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
}

/** Every file under `dir` (none when it does not exist), as paths relative to it, sorted. */
export function filesUnder(dir: string): string[] {
  const files: string[] = []
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, {withFileTypes: true})) {
      const path = join(d, entry.name)
      if (entry.isDirectory()) walk(path)
      else files.push(relative(dir, path))
    }
  }
  if (existsSync(dir)) walk(dir)
  return files.sort()
}

/** A case folder's expected.json, parsed; its description must be a non-empty string. */
export function readExpected<T extends {description: string}>(dir: string): T {
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as T
  expect(
    typeof expected.description === 'string' && expected.description.length > 0,
    `${basename(dir)} description`,
  ).toBe(true)
  return expected
}

/** The engine's findings pair one-to-one with expected.json's; if not, a diff of both lists. */
export function expectFindings(expected: ExpectedFinding[], findings: Finding[], context: string): void {
  if (pair(expected, findings, findingMatches) !== undefined) return
  // No exact pairing: show both lists (the engine's trimmed to the fields expected.json uses).
  expect(findings.map(summary), context).toEqual(expected)
  expect.unreachable(
    `${context}\nexpected ${JSON.stringify(expected)}\nactual ${JSON.stringify(findings.map(summary))}`,
  )
}

/** Each expected note is a substring of one note, one-to-one; if not, a diff of both lists. */
export function expectNotes(expected: string[], notes: string[], context: string): void {
  if (pair(expected, notes, (e, a) => a.includes(e)) === undefined)
    expect(notes, `${context}\n(each expected note is a substring of one note)`).toEqual(expected)
}

/** An expected input problem: its fields as given, its message as a fragment of the real one. */
export type ExpectedProblem = Partial<Omit<InputProblem, 'message'>> & {message: string}

/** Each expected problem is one of the problems the pipeline reported (a fixture that fails closed). */
export function expectProblems(expected: ExpectedProblem[], problems: InputProblem[], context: string): void {
  const matched = pair(expected, problems, (e, p) =>
    Object.entries(e).every(([field, value]) =>
      field === 'message' ? p.message.includes(String(value)) : p[field as keyof InputProblem] === value,
    ),
  )
  expect(matched, `${context}\nproblems: ${JSON.stringify(problems)}`).toBeDefined()
}
