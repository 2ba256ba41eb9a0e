// The property every kind's property tests check: approving every finding of (baseline, target)
// must never let a wider target through. When the wider target allows a request that neither
// the target nor the baseline allows, some widening of (baseline, wider) must carry an id that
// (baseline, target) did not, and — what the gate decides with — an access that no approval of
// (baseline, target) covers, as the gate matches them (entryCovers: the kind's Adapter.covers).

import {expect} from 'vitest'
import {entryFor} from '../../src/core/gate/approvals-file.js'
import {entryCovers} from '../../src/core/gate/approvals.js'
import type {Finding} from '../../src/kernel/types.js'

const FIELDS = {approver: 'bob@example.com', reason: 'needed', expires: '2099-12-31', created: '2026-01-01'}

/**
 * The widening of `approved` whose approval covers `finding`, as the gate matches them
 * (entryCovers: the same place and change, any rule unless the kind's rules share an access,
 * and an access its kind's adapter finds implied), or undefined.
 */
export async function approvalCovering(approved: Finding[], finding: Finding): Promise<Finding | undefined> {
  for (const a of approved)
    if (a.change !== 'narrowing' && (await entryCovers(entryFor(a, FIELDS), finding))) return a
  return undefined
}

export async function expectNewId(approved: Finding[], wider: Finding[], context: string): Promise<void> {
  const ids = new Set(approved.map((f) => f.id))
  const detail = `\n${context}\napproved ${JSON.stringify(approved.map((f) => [f.id, f.rule, f.pointer]))}\nwider ${JSON.stringify(wider.map((f) => [f.id, f.change, f.rule, f.pointer]))}`
  const fresh = wider.filter((f) => f.change !== 'narrowing' && !ids.has(f.id))
  expect(
    fresh.length,
    `every widening of the wider target keeps an id of the approved comparison${detail}`,
  ).toBeGreaterThan(0)
  const entries = approved.filter((f) => f.change !== 'narrowing').map((f) => entryFor(f, FIELDS))
  const uncovered: Finding[] = []
  for (const f of wider) {
    if (f.change === 'narrowing') continue
    let covered = false
    for (const e of entries) covered ||= await entryCovers(e, f)
    if (!covered) uncovered.push(f)
  }
  expect(
    uncovered.length,
    `the approvals of the approved comparison cover every widening of the wider target${detail}`,
  ).toBeGreaterThan(0)
}
