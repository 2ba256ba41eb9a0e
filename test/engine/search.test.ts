// The cell search on its own, with no kind in between: the cells where one side allows and the
// other does not (deny wins on each side), possible cells and their reasons where a condition
// cannot be interpreted, the limit on cells, and what differenceOrPossible does when a question
// is undecidable. Then a property: over two string dimensions, the cells are exactly the
// request classes that differ, checked against every request of a small universe.

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {
  type AnyLeaf,
  type Domain,
  type GlobLeaf,
  opaqueDomain,
  stringDomain,
} from '../../src/engine/domains.js'
import {type Formula, leaf, not, or} from '../../src/engine/formula.js'
import {compileGlob, globMatches} from '../../src/engine/glob.js'
import {
  type DifferenceCell,
  type Dimension,
  difference,
  differenceOrPossible,
  type Rule,
  type Truncation,
} from '../../src/engine/search.js'
import {Undecidable} from '../../src/engine/undecidable.js'

/** The pattern each glob leaf was made from, by key. */
const patternOf = new Map<string, string>()
const glob = (pattern: string): GlobLeaf => {
  const g = compileGlob(pattern, {wildcards: true})
  patternOf.set(`glob:${g.key}`, pattern)
  return {key: `glob:${g.key}`, type: 'glob', glob: g}
}
const anyOf = (...patterns: string[]): Formula<AnyLeaf> => or(...patterns.map((p) => leaf(glob(p))))
const opaque = (name: string): Formula<AnyLeaf> =>
  leaf({key: `opaque:${name}`, type: 'opaque', description: name})

let ruleIndex = 0
const rule = (effect: Rule['effect'], predicates: Record<string, Formula<AnyLeaf>>): Rule => ({
  index: ruleIndex++,
  effect,
  predicates: new Map(Object.entries(predicates)),
})
const allow = (predicates: Record<string, Formula<AnyLeaf>>) => rule('allow', predicates)
const deny = (predicates: Record<string, Formula<AnyLeaf>>) => rule('deny', predicates)

const DIMS: Dimension[] = [
  {name: 'action', domain: stringDomain()},
  {name: 'resource', domain: stringDomain()},
]
const LIMIT = {limit: 100}

/** The cells' concrete requests, as `action resource` (a dimension no live rule constrains: `-`). */
const requests = (cells: DifferenceCell[]) =>
  cells.map(
    (c) => `${String(c.cells.get('action')?.value ?? '-')} ${String(c.cells.get('resource')?.value ?? '-')}`,
  )

describe('difference: the cells one side allows and the other does not', () => {
  it('finds what a wildcard adds, and names the rule that allows it', () => {
    const wide = allow({action: anyOf('read*'), resource: anyOf('docs/*')})
    const narrow = allow({action: anyOf('read'), resource: anyOf('docs/*')})
    const {cells, truncated} = difference(DIMS, {rules: [wide]}, {rules: [narrow]}, LIMIT)
    expect(truncated).toBe(false)
    expect(cells.length).toBeGreaterThan(0)
    for (const cell of cells) {
      const action = String(cell.cells.get('action')!.value)
      expect(globMatches(glob('read*').glob, action) && action !== 'read', action).toBe(true)
      expect(globMatches(glob('docs/*').glob, String(cell.cells.get('resource')!.value))).toBe(true)
      expect(cell.status).toBe('definite')
      expect(cell.matched.allowed).toEqual([wide])
      expect(cell.matched.other).toEqual([])
    }
    // The other way round there is nothing: `read` is within `read*`.
    expect(difference(DIMS, {rules: [narrow]}, {rules: [wide]}, LIMIT).cells).toEqual([])
  })

  it('lets a deny win on each side: what the allowed side denies is no difference, what the other denies is', () => {
    const all = allow({action: anyOf('*'), resource: anyOf('*')})
    const noDelete = deny({action: anyOf('delete')})
    expect(difference(DIMS, {rules: [all, noDelete]}, {rules: [all, noDelete]}, LIMIT).cells).toEqual([])
    // The baseline denied delete; the target does not: delete is the difference, and the deny is named.
    const cells = difference(DIMS, {rules: [all]}, {rules: [all, noDelete]}, LIMIT).cells
    expect(requests(cells).map((r) => r.split(' ')[0])).toEqual(['delete'])
    expect(cells[0]!.matched.otherDeny).toEqual([noDelete])
    // The target denies delete: it gains nothing over an empty baseline there.
    const gained = difference(DIMS, {rules: [all, noDelete]}, {rules: []}, LIMIT).cells
    expect(gained.length).toBeGreaterThan(0)
    expect(gained.every((c) => c.cells.get('action')!.value !== 'delete')).toBe(true)
  })

  it('reports nothing for identical rule sets, however large (an edit in a huge policy is found without a full search)', () => {
    const rules = Array.from({length: 2000}, (_, i) => allow({action: anyOf(`a${i}`), resource: anyOf('*')}))
    const edited = [...rules, allow({action: anyOf('b'), resource: anyOf('*')})]
    expect(difference(DIMS, {rules}, {rules: [...rules]}, LIMIT).cells).toEqual([])
    const cells = difference(DIMS, {rules: edited}, {rules}, LIMIT).cells
    expect(cells.map((c) => [c.cells.get('action')?.value, c.matched.allowed])).toEqual([
      ['b', [edited.at(-1)]],
    ])
  })

  it('stops at the limit, says it was cut short, and gives the first cell past the cut', () => {
    const many = allow({action: anyOf(...Array.from({length: 10}, (_, i) => `x${i}`))})
    const {cells, truncated, next} = difference(DIMS, {rules: [many]}, {rules: []}, {limit: 3})
    expect(cells).toHaveLength(3)
    expect(truncated).toBe(true)
    const all = difference(DIMS, {rules: [many]}, {rules: []}, {limit: 20})
    expect(all).toMatchObject({truncated: false})
    expect(all.next).toBeUndefined()
    expect(all.cells).toHaveLength(10)
    // The first cell not listed is the one the full search lists next.
    expect(next?.cells.get('action')?.value).toBe(all.cells[3]!.cells.get('action')?.value)
    // Exactly the limit: nothing was left out.
    expect(difference(DIMS, {rules: [many]}, {rules: []}, {limit: 10})).toMatchObject({truncated: false})
  })
})

describe('difference: possible cells and their reasons', () => {
  const dims: Dimension[] = [
    ...DIMS,
    {name: 'opaque:mfa', domain: opaqueDomain(), opaque: {description: 'an unknown MFA condition'}},
    {name: 'opaque:ip', domain: opaqueDomain(), opaque: {description: 'an unknown IP condition'}},
  ]
  const read = {action: anyOf('read'), resource: anyOf('docs/a')}

  it('is definite when the difference holds whatever the unknown conditions say', () => {
    const target = allow(read)
    const baseline = deny({...read, 'opaque:mfa': not(opaque('mfa'))})
    const [cell] = difference(dims, {rules: [target]}, {rules: [baseline]}, LIMIT).cells
    expect(cell?.status).toBe('definite')
  })

  it('is possible, naming each unknown condition, when the difference depends on them', () => {
    const target = allow(read)
    const guarded = allow({...read, 'opaque:mfa': opaque('mfa'), 'opaque:ip': opaque('ip')})
    const [cell] = difference(dims, {rules: [target]}, {rules: [guarded]}, LIMIT).cells
    expect(cell).toMatchObject({
      status: 'possible',
      reason: 'depends on an unknown MFA condition; an unknown IP condition',
    })
    // The same unknown condition on both sides is no difference at all.
    const same = allow({...read, 'opaque:mfa': opaque('mfa')})
    expect(difference(dims, {rules: [same]}, {rules: [same]}, LIMIT).cells).toEqual([])
  })

  it('gives up enumerating past ten unknown conditions in one cell, as a possible difference', () => {
    const names = Array.from({length: 11}, (_, i) => `c${i}`)
    const many: Dimension[] = [
      ...DIMS,
      ...names.map((n) => ({name: `opaque:${n}`, domain: opaqueDomain(), opaque: {description: n}})),
    ]
    const guarded = allow({...read, ...Object.fromEntries(names.map((n) => [`opaque:${n}`, opaque(n)]))})
    const [cell] = difference(many, {rules: [allow(read)]}, {rules: [guarded]}, LIMIT).cells
    expect(cell).toMatchObject({
      status: 'possible',
      reason: 'depends on 11 conditions acldrift cannot interpret',
    })
  })
})

describe('differenceOrPossible: never a silent "no difference"', () => {
  const dims: Dimension[] = [{name: 'action', domain: fragile('boom*')}]

  it('a widening search falls back to one rule at a time; a rule still undecidable is one possible cell', () => {
    const fine = allow({action: anyOf('read')})
    const hard = allow({action: anyOf('boom*')})
    const notes: string[] = []
    const cells = differenceOrPossible(dims, {rules: [fine, hard]}, {rules: []}, 'widening', {
      file: 'f',
      notes,
      limit: 10,
    })
    expect(cells.map((c) => [c.status, c.matched.allowed, c.reason])).toEqual([
      ['definite', [fine], undefined],
      ['possible', [hard], 'boom* is too complex'],
    ])
    expect(notes).toEqual([])
  })

  it('a narrowing search that cannot be decided gives up with a note', () => {
    const notes: string[] = []
    const cells = differenceOrPossible(
      dims,
      {rules: [allow({action: anyOf('boom*')})]},
      {rules: []},
      'narrowing',
      {
        file: 'f',
        notes,
        limit: 10,
      },
    )
    expect(cells).toEqual([])
    expect(notes).toEqual(['f: narrowings not computed: boom* is too complex'])
  })

  it('says so when the cells were cut at the limit', () => {
    const notes: string[] = []
    const many = allow({action: anyOf('a', 'b', 'c')})
    const cells = differenceOrPossible(DIMS, {rules: [many]}, {rules: []}, 'widening', {
      file: 'f',
      notes,
      limit: 2,
    })
    expect(cells).toHaveLength(2)
    expect(notes).toEqual(['f: more than 2 widening cells; the first 2 are reported'])
  })

  it('records each search cut short, with the first cell past the cut, for the adapter to report', () => {
    const truncations: Truncation[] = []
    const report = {file: 'f', notes: [], limit: 2, truncations}
    const many = allow({action: anyOf('a', 'b', 'c')})
    differenceOrPossible(DIMS, {rules: [many]}, {rules: []}, 'widening', report)
    expect(truncations.map((t) => [t.direction, t.limit, t.next?.cells.get('action')?.value])).toEqual([
      ['widening', 2, 'c'],
    ])
    // Also when the search fell back to one rule at a time (a rule cut short there is no silent pass).
    const fallback: Truncation[] = []
    const hard = allow({action: anyOf('boom*')})
    const dims: Dimension[] = [{name: 'action', domain: fragile('boom*')}]
    differenceOrPossible(dims, {rules: [many, hard]}, {rules: []}, 'widening', {
      ...report,
      truncations: fallback,
    })
    expect(fallback.map((t) => t.direction)).toEqual(['widening'])
  })
})

/** A domain that cannot split its values once it sees `trigger` among the leaves. */
function fragile(trigger: string): Domain {
  const inner = stringDomain()
  return {
    cells: (leaves) => {
      if (leaves.some((l) => l.key === glob(trigger).key)) throw new Undecidable(`${trigger} is too complex`)
      return inner.cells(leaves)
    },
  }
}

describe('difference against brute force over a small universe', () => {
  const ACTIONS = ['a', 'b', 'ab', 'ba', 'abc', 'x']
  const RESOURCES = ['r/1', 'r/2', 's/1', 'r']
  const ACTION_PATTERNS = ['a', 'b', 'a*', '*b', '?b', '*', 'ab?']
  const RESOURCE_PATTERNS = ['r/1', 'r/*', '*/1', 's/?', '*', 'r']
  const ruleArb = fc
    .record({
      effect: fc.constantFrom<Rule['effect']>('allow', 'allow', 'deny'),
      actions: fc.uniqueArray(fc.constantFrom(...ACTION_PATTERNS), {minLength: 1, maxLength: 2}),
      notAction: fc.boolean(),
      resources: fc.option(
        fc.uniqueArray(fc.constantFrom(...RESOURCE_PATTERNS), {minLength: 1, maxLength: 2}),
      ),
    })
    .map((r) => ({
      ...r,
      rule: rule(r.effect, {
        action: r.notAction ? not(anyOf(...r.actions)) : anyOf(...r.actions),
        ...(r.resources === null ? {} : {resource: anyOf(...r.resources)}),
      }),
    }))
  type Spec = typeof ruleArb extends fc.Arbitrary<infer T> ? T : never

  const matches = (patterns: string[], value: string) =>
    patterns.some((p) => globMatches(glob(p).glob, value))
  const allows = (specs: Spec[], action: string, resource: string) => {
    const holds = (s: Spec) =>
      matches(s.actions, action) !== s.notAction && (s.resources === null || matches(s.resources, resource))
    return (
      specs.some((s) => s.effect === 'allow' && holds(s)) &&
      !specs.some((s) => s.effect === 'deny' && holds(s))
    )
  }

  it('every cell is a real difference, and every difference of the universe lies in a cell', () => {
    let differences = 0
    fc.assert(
      fc.property(fc.array(ruleArb, {maxLength: 3}), fc.array(ruleArb, {maxLength: 3}), (a, o) => {
        const {cells} = difference(
          DIMS,
          {rules: a.map((s) => s.rule)},
          {rules: o.map((s) => s.rule)},
          {limit: 1000},
        )
        // A cell's `known` also holds results other callers' leaves had for its value (cells are
        // shared by every caller with the same patterns, and test files share their modules).
        const leavesOf = (cell: DifferenceCell, dim: string) =>
          [...(cell.cells.get(dim)?.known ?? new Map<string, boolean>())].filter(([key]) =>
            patternOf.has(key),
          )
        const inCell = (cell: DifferenceCell, action: string, resource: string) =>
          [...leavesOf(cell, 'action')].every(
            ([key, holds]) => matches([patternOf.get(key)!], action) === holds,
          ) &&
          [...leavesOf(cell, 'resource')].every(
            ([key, holds]) => matches([patternOf.get(key)!], resource) === holds,
          )
        for (const cell of cells) {
          const action = String(cell.cells.get('action')?.value ?? ACTIONS[0])
          const resource = String(cell.cells.get('resource')?.value ?? RESOURCES[0])
          expect(allows(a, action, resource) && !allows(o, action, resource), `${action} ${resource}`).toBe(
            true,
          )
        }
        for (const action of ACTIONS)
          for (const resource of RESOURCES) {
            if (!allows(a, action, resource) || allows(o, action, resource)) continue
            differences++
            expect(
              cells.some((c) => inCell(c, action, resource)),
              `${action} ${resource} in no cell`,
            ).toBe(true)
          }
      }),
      {seed: 5, numRuns: 300},
    )
    expect(differences).toBeGreaterThan(300)
  })
})
