// structuralDiff over documents whose keys are hostile: `__proto__`, `constructor` and
// `prototype` are data (the parsers make them own keys), so the diff must report them as keys
// and never touch a prototype, in its records or after the JSON round trip.

import {describe, expect, it} from 'vitest'
import {structuralDiff} from '../../src/kernel/findings.js'

const json = (text: string): unknown => JSON.parse(text)

describe('structuralDiff and prototype pollution', () => {
  it('reports __proto__, constructor and prototype keys as data, and pollutes nothing', () => {
    const before = json(
      '{"Condition": {"__proto__": {"polluted": "a"}, "constructor": {"prototype": {"polluted": 1}}}}',
    )
    const after = json(
      '{"Condition": {"__proto__": {"polluted": "b"}, "prototype": {"polluted": 2}}, "__proto__": {"polluted": 3}}',
    )
    const diff = structuralDiff(before, after)
    expect(diff).toEqual([
      {kind: 'E', path: ['Condition', '__proto__', 'polluted'], lhs: 'a', rhs: 'b'},
      {kind: 'D', path: ['Condition', 'constructor'], lhs: {prototype: {polluted: 1}}},
      {kind: 'N', path: ['Condition', 'prototype'], rhs: {polluted: 2}},
      {kind: 'N', path: ['__proto__'], rhs: {polluted: 3}},
    ])
    // The N record of a top-level __proto__ carries it as an own key after the JSON round trip.
    const last = diff.at(-1) as {path: string[]; rhs: object}
    expect(Object.getPrototypeOf(last)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted')
  })

  it('a document that is only a __proto__ key differs from an empty one', () => {
    expect(structuralDiff({}, json('{"__proto__": {"Statement": []}}'))).toEqual([
      {kind: 'N', path: ['__proto__'], rhs: {Statement: []}},
    ])
    expect(({} as Record<string, unknown>).Statement).toBeUndefined()
  })
})
