// Pieces every adapter uses to build findings.

import {createHash} from 'node:crypto'
import deepDiff from 'deep-diff'
import type {Finding, InputProblem, Report, Severity} from './types.js'

/**
 * A finding's id names the access, not lines: kind, file, change, rule and a semantic key of
 * the statement, so reformatting, reordering or renaming a statement id keeps it.
 */
export function findingId(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16)
}

/** deep-diff records as plain JSON (its classes carry no data the report needs beyond these). */
export function structuralDiff(before: unknown, after: unknown): unknown[] {
  const changes = deepDiff.diff(before ?? {}, after ?? {}) ?? []
  return changes.map((c) => JSON.parse(JSON.stringify(c)) as unknown)
}

export const SEVERITY_RANK: Record<Severity, number> = {critical: 4, high: 3, medium: 2, low: 1}

/** A report's counts: findings by change, and the files that could not be read. */
export function summarize(documents: number, findings: Finding[], errors: InputProblem[]): Report['summary'] {
  const count = (change: Finding['change']) => findings.filter((f) => f.change === change).length
  return {
    documents,
    widening: count('widening'),
    narrowing: count('narrowing'),
    possibleWidening: count('possible-widening'),
    invalid: new Set(errors.map((e) => e.file)).size,
  }
}
