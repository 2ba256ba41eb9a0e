// The value domains on their own: each partitions its value space into cells on which every leaf
// is constant, with a concrete value per cell that really has the results the cell claims, and
// no combination of results that a value can have is left out (checked against many values).

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {
  type AnyLeaf,
  type Cell,
  formatIp,
  type GlobLeaf,
  type IpLeaf,
  ipDomain,
  leafHolds,
  type NumberLeaf,
  numberDomain,
  opaqueDomain,
  PRESENT,
  type SetLeaf,
  setDomain,
  stringDomain,
  test,
} from '../../src/engine/domains.js'
import {leaf, or} from '../../src/engine/formula.js'
import {compileGlob} from '../../src/engine/glob.js'
import {Undecidable} from '../../src/engine/undecidable.js'

const glob = (pattern: string): GlobLeaf => {
  const g = compileGlob(pattern, {wildcards: true})
  return {key: `glob:${g.key}`, type: 'glob', glob: g}
}
const number = (cmp: NumberLeaf['cmp'], value: number): NumberLeaf => ({
  key: `n${cmp}${value}`,
  type: 'number',
  cmp,
  value,
})
const ip = (v6: boolean, lo: bigint, hi: bigint): IpLeaf => ({
  key: `ip:${v6}:${lo}-${hi}`,
  type: 'ip',
  v6,
  lo,
  hi,
})

/** The results of every leaf for a value, as a string. */
const signature = (leaves: AnyLeaf[], value: unknown) =>
  leaves.map((l) => (leafHolds(l, value) ? 1 : 0)).join('')

/**
 * Each cell's value has the results the cell claims; every value's results are some cell's. Cells
 * are shared by every caller with the same patterns (test files share their modules), and `test`
 * remembers in a cell the results of other callers' leaves for its value: those are not these
 * leaves' claims.
 */
function expectPartition(cells: Cell[], leaves: AnyLeaf[], values: unknown[]): void {
  for (const cell of cells)
    for (const [key, claimed] of cell.known) {
      const l = leaves.find((candidate) => candidate.key === key)
      if (l !== undefined) expect(leafHolds(l, cell.value), `${key} on ${String(cell.value)}`).toBe(claimed)
    }
  const realised = new Set(cells.map((c) => signature(leaves, c.value)))
  for (const value of values)
    expect(realised, `${String(value)} is in no cell`).toContain(signature(leaves, value))
}

describe('stringDomain', () => {
  it('cells cover every combination of glob results, with a value that has it', () => {
    const PATTERNS = ['a*', '*b', 'ab', '?', '*', 'a?c']
    const STRINGS = ['', 'a', 'b', 'ab', 'abc', 'ba', 'aXc', 'zzz']
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom(...PATTERNS), {minLength: 1, maxLength: 4}), (patterns) => {
        const leaves = patterns.map(glob)
        expectPartition(stringDomain().cells(leaves), leaves, STRINGS)
      }),
      {seed: 3, numRuns: 100},
    )
  })

  it('adds the absent value when presence is tested, and prefers the samples it is given as values', () => {
    const leaves = [PRESENT, glob('prod-*')]
    const cells = stringDomain(['prod-eu']).cells(leaves)
    expect(cells[0]!.value).toBeUndefined()
    expect(cells.map((c) => c.value)).toContain('prod-eu')
    expectPartition(cells, leaves, [undefined, 'prod-eu', 'dev', ''])
  })
})

describe('numberDomain', () => {
  it('cells cover every side of every constant: below, at, between and above', () => {
    const CMPS: NumberLeaf['cmp'][] = ['<', '<=', '=', '>', '>=']
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...CMPS), fc.integer({min: -3, max: 3})), {
          minLength: 1,
          maxLength: 4,
        }),
        (specs) => {
          const leaves = specs.map(([cmp, value]) => number(cmp, value))
          const values = [-10, -3.5, -3, -2.5, -1, 0, 0.5, 1, 2, 3, 3.5, 10]
          expectPartition(numberDomain().cells(leaves), leaves, values)
        },
      ),
      {seed: 3, numRuns: 100},
    )
  })
})

describe('ipDomain', () => {
  it('cells cover inside and outside every range, in IPv4 and IPv6', () => {
    const v4 = (a: number, b: number, c: number, d: number) =>
      BigInt(((a << 24) >>> 0) + (b << 16) + (c << 8) + d)
    const leaves = [
      ip(false, v4(10, 0, 0, 0), v4(10, 255, 255, 255)),
      ip(false, v4(10, 0, 1, 0), v4(10, 0, 1, 255)),
      ip(false, v4(255, 255, 255, 255), v4(255, 255, 255, 255)),
      ip(true, 0n, (1n << 64n) - 1n),
    ]
    const values = [
      {v6: false, n: v4(10, 0, 1, 7)},
      {v6: false, n: v4(10, 9, 9, 9)},
      {v6: false, n: v4(11, 0, 0, 0)},
      {v6: false, n: v4(255, 255, 255, 255)},
      {v6: true, n: 5n},
      {v6: true, n: 1n << 100n},
    ]
    expectPartition(ipDomain().cells(leaves), leaves, values)
    expect(formatIp(false, v4(203, 0, 113, 9))).toBe('203.0.113.9')
    expect(formatIp(true, 1n)).toBe('0:0:0:0:0:0:0:1')
  })
})

describe('setDomain', () => {
  const element = (...patterns: string[]) => or(...patterns.map((p) => leaf(glob(p))))
  const all = (inner: ReturnType<typeof element>): SetLeaf => ({
    key: 'all',
    type: 'set',
    quantifier: 'all',
    inner,
  })
  const any = (inner: ReturnType<typeof element>): SetLeaf => ({
    key: 'any',
    type: 'set',
    quantifier: 'any',
    inner,
  })

  it('cells are the subsets of the element cells, the empty set being an absent key', () => {
    const leaves = [all(element('a*')), any(element('b'))]
    const cells = setDomain(stringDomain()).cells(leaves)
    expect(cells[0]!.value).toBeUndefined()
    const values = [undefined, ['a1'], ['b'], ['a1', 'b'], ['c'], ['a1', 'c'], ['b', 'c'], ['a1', 'b', 'c']]
    expectPartition(cells, leaves, values)
  })

  it('gives up, as undecidable, past ten distinct element classes', () => {
    const leaves = [any(element(...Array.from({length: 11}, (_, i) => `v${i}`)))]
    expect(() => setDomain(stringDomain()).cells(leaves)).toThrow(Undecidable)
  })
})

describe('opaqueDomain and test', () => {
  it('an unknown condition is true in one cell and false in the other', () => {
    const unknown: AnyLeaf = {key: 'opaque:x', type: 'opaque', description: 'x'}
    const cells = opaqueDomain().cells([unknown])
    expect(cells.map((c) => leafHolds(unknown, c.value))).toEqual([true, false])
  })

  it('test remembers each leaf result in the cell', () => {
    const cell: Cell = {value: 'abc', known: new Map()}
    expect(test(cell, glob('a*'))).toBe(true)
    expect(cell.known.get(glob('a*').key)).toBe(true)
    // A result already known is not recomputed (even if it were stale).
    cell.known.set(glob('z').key, true)
    expect(test(cell, glob('z'))).toBe(true)
  })
})
