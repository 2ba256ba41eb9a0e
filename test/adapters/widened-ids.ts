// The id property every kind's property tests check: approvals name findings by id, so approving
// every finding of (baseline, target) must never let a wider target through. When the wider
// target allows a request that neither the target nor the baseline allows, some widening of
// (baseline, wider) must carry an id that (baseline, target) did not.

import {expect} from 'vitest'
import type {Finding} from '../../src/kernel/types.js'

export function expectNewId(approved: Finding[], wider: Finding[], context: string): void {
  const ids = new Set(approved.map((f) => f.id))
  const fresh = wider.filter((f) => f.change !== 'narrowing' && !ids.has(f.id))
  expect(
    fresh.length,
    `every widening of the wider target keeps an id of the approved comparison\n${context}\napproved ${JSON.stringify(approved.map((f) => [f.id, f.rule, f.pointer]))}\nwider ${JSON.stringify(wider.map((f) => [f.id, f.change, f.rule, f.pointer]))}`,
  ).toBeGreaterThan(0)
}
