// Comparisons whose patterns hold symbols: values the policy text does not give (see glob.ts,
// symbolChar). The same symbol on both sides is the same unknown value, and a change is decided
// for every value it may take:
//
// - the search (search.ts) reads each symbol as a generic value, which gives witnesses that name
//   the symbol (`arn:aws:s3:::${var.bucket}/x`);
// - `decideForAll` then asks of such a witness, with every pattern of both sides, whether it is a
//   difference for every value of the symbols (definite), for some (possible), or for none;
// - `differenceForSomeValue` finds what the generic reading misses: a difference that only some
//   values make, such as a value equal to another pattern's literal text. It searches with every
//   symbol relaxed to "any value" on the side where that can only add differences, and keeps each
//   request of that search for which some value the request itself suggests is a difference.

import {BoundedMap} from '../kernel/bounded.js'
import {type AnyLeaf, type Cell, type GlobLeaf, leafHolds, type SetLeaf, type ValueLeaf} from './domains.js'
import {and, evaluate, FALSE, type Formula, formulaKey, leaf, not, or} from './formula.js'
import {
  type Glob,
  globMatches,
  isPlainSymbol,
  isPlainValue,
  isSymbolChar,
  isTemplateSymbol,
  mayMatch,
  mustMatch,
  relaxedGlob,
  substituteSymbols,
  symbolNamesIn,
} from './glob.js'
import {type DifferenceCell, type Dimension, difference, type Rule, type Truncation} from './search.js'
import {Undecidable} from './undecidable.js'

/** Kleene's three truth values: for every value of the symbols, for some, for none. */
type Truth = 'yes' | 'maybe' | 'no'

const isSymbolicGlob = (g: Glob) => g.symbolic === true || g.leadingSymbol === true
const hasSymbolChar = (value: unknown) => typeof value === 'string' && [...value].some(isSymbolChar)

/** Whether a rule's patterns hold a symbol. */
export function ruleHasSymbols(rule: Rule): boolean {
  let found = false
  const visit = (f: Formula<AnyLeaf>): void => {
    if (found) return
    if (f.op === 'leaf') {
      if (f.leaf.type === 'glob' && isSymbolicGlob(f.leaf.glob)) found = true
      if (f.leaf.type === 'set') visit(f.leaf.inner as Formula<AnyLeaf>)
    } else if (f.op === 'not') visit(f.arg)
    else if (f.op === 'and' || f.op === 'or') f.args.forEach(visit)
  }
  for (const p of rule.predicates.values()) visit(p)
  return found
}

function leafForAll(l: AnyLeaf, value: unknown): Truth {
  if (l.type === 'glob' && (isSymbolicGlob(l.glob) || hasSymbolChar(value))) {
    if (typeof value !== 'string') return 'no'
    return mustMatch(l.glob, value) ? 'yes' : mayMatch(l.glob, value) ? 'maybe' : 'no'
  }
  if (l.type === 'set') {
    const members = Array.isArray(value) ? value : []
    const each = members.map((m) => formulaForAll(l.inner as Formula<AnyLeaf>, (x) => leafForAll(x, m)))
    return l.quantifier === 'all' ? allOf(each) : anyOf(each)
  }
  return leafHolds(l, value) ? 'yes' : 'no'
}

const allOf = (values: Truth[]): Truth =>
  values.includes('no') ? 'no' : values.includes('maybe') ? 'maybe' : 'yes'
const anyOf = (values: Truth[]): Truth =>
  values.includes('yes') ? 'yes' : values.includes('maybe') ? 'maybe' : 'no'
const negate = (t: Truth): Truth => (t === 'yes' ? 'no' : t === 'no' ? 'yes' : 'maybe')

function formulaForAll(f: Formula<AnyLeaf>, test: (l: AnyLeaf) => Truth): Truth {
  switch (f.op) {
    case 'true':
      return 'yes'
    case 'false':
      return 'no'
    case 'leaf':
      return test(f.leaf)
    case 'not':
      return negate(formulaForAll(f.arg, test))
    case 'and':
      return allOf(f.args.map((a) => formulaForAll(a, test)))
    case 'or':
      return anyOf(f.args.map((a) => formulaForAll(a, test)))
  }
}

/** Past this many unknown conditions in one request, their combinations are not enumerated. */
const MAX_OPAQUE = 10

/**
 * Whether the allowed side allows `request` and the other side does not, for every value of the
 * symbols (`definite`), for some (`possible`) or for none, with each unknown condition (an opaque
 * dimension) true or false. A dimension the request leaves out may hold any value.
 */
export function decideForAll(
  request: ReadonlyMap<string, unknown>,
  allowed: readonly Rule[],
  other: readonly Rule[],
  opaque: ReadonlySet<string>,
): 'definite' | 'possible' | 'none' {
  const unknowns = [...new Set([...allowed, ...other].flatMap((r) => [...r.predicates.keys()]))].filter((d) =>
    opaque.has(d),
  )
  if (unknowns.length > MAX_OPAQUE) return 'possible'
  const outcomes = new Set<Truth>()
  // Three-valued and/or read left to right, stopping at the first value that decides them (a
  // `no` for and, a `yes` for or): every test is a pure function of the request, so the answer is
  // the one every term gives. A policy of many statements mostly holds rules of other actions.
  for (let mask = 0; mask < 1 << unknowns.length; mask++) {
    const ruleTruth = (rule: Rule): Truth => {
      let truth: Truth = 'yes'
      for (const [dim, p] of rule.predicates) {
        const i = unknowns.indexOf(dim)
        const t: Truth =
          i !== -1
            ? evaluate(p, () => Boolean(mask & (1 << i)))
              ? 'yes'
              : 'no'
            : !request.has(dim)
              ? 'maybe'
              : formulaForAll(p, (l) => leafForAll(l, request.get(dim)))
        if (t === 'no') return 'no'
        if (t === 'maybe') truth = 'maybe'
      }
      return truth
    }
    const anyRule = (rules: readonly Rule[], effect: Rule['effect']): Truth => {
      let truth: Truth = 'no'
      for (const rule of rules) {
        if (rule.effect !== effect) continue
        const t = ruleTruth(rule)
        if (t === 'yes') return 'yes'
        if (t === 'maybe') truth = 'maybe'
      }
      return truth
    }
    const allows = (rules: readonly Rule[]): Truth => {
      const allow = anyRule(rules, 'allow')
      return allow === 'no' ? 'no' : allOf([allow, negate(anyRule(rules, 'deny'))])
    }
    const allowedAllows = allows(allowed)
    outcomes.add(allowedAllows === 'no' ? 'no' : allOf([allowedAllows, negate(allows(other))]))
  }
  if (outcomes.size === 1 && outcomes.has('yes')) return 'definite'
  if (outcomes.size === 1 && outcomes.has('no')) return 'none'
  return 'possible'
}

/** The names of the symbols a rule set or a request involves, for reasons and messages. */
export function symbolsInvolved(rules: readonly Rule[], request?: ReadonlyMap<string, unknown>): string[] {
  const names = new Set<string>()
  const visit = (f: Formula<AnyLeaf>): void => {
    if (f.op === 'leaf') {
      if (f.leaf.type === 'glob' && f.leaf.glob.source !== undefined) {
        const g = f.leaf.glob
        for (const t of g.tokens)
          if (t.t === 'lit' && isSymbolChar(t.c)) symbolNamesIn(t.c).forEach((n) => names.add(n))
      }
      if (f.leaf.type === 'set') visit(f.leaf.inner as Formula<AnyLeaf>)
    } else if (f.op === 'not') visit(f.arg)
    else if (f.op === 'and' || f.op === 'or') f.args.forEach(visit)
  }
  for (const rule of rules) for (const p of rule.predicates.values()) visit(p)
  for (const value of request?.values() ?? [])
    if (typeof value === 'string') symbolNamesIn(value).forEach((n) => names.add(n))
  return [...names].sort()
}

// --- some value: the relaxed search ------------------------------------------------------------

/**
 * A formula whose symbolic patterns are widened to "matches for some value" where the formula
 * counts in favour of a difference (`positive`), and narrowed to "matches for every value" —
 * read as never — where it counts against it. The result holds wherever the formula holds for
 * some value of the symbols (positive), or only where it holds for every value (negative).
 */
function relaxFormula(f: Formula<AnyLeaf>, positive: boolean): Formula<AnyLeaf> {
  return mapLeaves(
    f,
    (l, at, polarity) => {
      if (l.type === 'glob' && isSymbolicGlob(l.glob)) {
        if (!polarity) return FALSE
        const glob = relaxedGlob(l.glob)
        const relaxed: GlobLeaf = {key: `glob:${glob.key}`, type: 'glob', glob}
        return leaf(relaxed)
      }
      if (l.type === 'set' && ruleHasSymbols({index: 0, effect: 'allow', predicates: new Map([['', at]])})) {
        // Both quantifiers hold for more sets when their test holds for more values.
        const inner = relaxFormula(l.inner as Formula<AnyLeaf>, polarity) as Formula<ValueLeaf>
        const relaxed: SetLeaf = {...l, key: `set:${l.quantifier}(${formulaKey(inner)})`, inner}
        return leaf(relaxed)
      }
      return at
    },
    positive,
  )
}

/**
 * The formula with each leaf replaced by what `map` makes of it (given the leaf, the formula
 * that holds it, and whether it counts positively there: under an even number of `not`s).
 */
function mapLeaves(
  f: Formula<AnyLeaf>,
  map: (l: AnyLeaf, at: Formula<AnyLeaf>, positive: boolean) => Formula<AnyLeaf>,
  positive = true,
): Formula<AnyLeaf> {
  switch (f.op) {
    case 'true':
    case 'false':
      return f
    case 'leaf':
      return map(f.leaf, f, positive)
    case 'not':
      return not(mapLeaves(f.arg, map, !positive))
    case 'and':
      return and(...f.args.map((a) => mapLeaves(a, map, positive)))
    case 'or':
      return or(...f.args.map((a) => mapLeaves(a, map, positive)))
  }
}

/** A side's rules relaxed for the allowed side (`more`: allows at least as much for every value) or the other (less). */
function relaxSide<R extends Rule>(rules: readonly R[], more: boolean): R[] {
  return rules.map((rule) => {
    const positive = (rule.effect === 'allow') === more
    const predicates = new Map([...rule.predicates].map(([dim, p]) => [dim, relaxFormula(p, positive)]))
    return {...rule, predicates}
  })
}

/** Upper bound on the values tried for one request. */
const MAX_ASSIGNMENTS = 64

/**
 * The values of the symbols under which `glob` matches `value`, each as a map from symbol
 * character to its text: the symbol is the part of the value it lines up with. Wildcards are
 * read loosely (any run, any character): these are candidates, tried exactly afterwards.
 */
function bindings(glob: Glob, value: string, out: Array<Map<string, string>>): void {
  const chars = [...value]
  const tokens = glob.tokens
  let steps = 0
  const visit = (t: number, i: number, bound: Map<string, string>): void => {
    if (out.length >= MAX_ASSIGNMENTS || ++steps > 10_000) return
    if (t === tokens.length) {
      if (i === chars.length && bound.size > 0) out.push(new Map(bound))
      return
    }
    const token = tokens[t]!
    if (token.t === 'lit' && isSymbolChar(token.c)) {
      const known = bound.get(token.c)
      if (known !== undefined) {
        if (chars.slice(i, i + [...known].length).join('') === known)
          visit(t + 1, i + [...known].length, bound)
        return
      }
      for (let j = i; j <= chars.length; j++) {
        const value = chars.slice(i, j).join('')
        if (isPlainSymbol(token.c) && !isPlainValue(value)) continue
        bound.set(token.c, value)
        visit(t + 1, j, bound)
        bound.delete(token.c)
      }
    } else if (token.t === 'star') {
      for (let j = i; j <= chars.length; j++) visit(t + 1, j, bound)
    } else if (i < chars.length) {
      const c = chars[i]!
      if (token.t === 'one' || (token.t === 'lit' ? token.c === c : token.chars.includes(c)))
        visit(t + 1, i + 1, bound)
    }
  }
  visit(0, 0, new Map())
}

function* globsOf(rules: readonly Rule[]): Generator<[string, Glob]> {
  const visit = function* (dim: string, f: Formula<AnyLeaf>): Generator<[string, Glob]> {
    if (f.op === 'leaf') {
      if (f.leaf.type === 'glob' && f.leaf.glob.symbolic === true) yield [dim, f.leaf.glob]
      if (f.leaf.type === 'set') yield* visit(dim, f.leaf.inner as Formula<AnyLeaf>)
    } else if (f.op === 'not') yield* visit(dim, f.arg)
    else if (f.op === 'and' || f.op === 'or') for (const a of f.args) yield* visit(dim, a)
  }
  for (const rule of rules) for (const [dim, p] of rule.predicates) yield* visit(dim, p)
}

/**
 * Values of the symbols worth trying at one request: those its values line up with, and `*` for a
 * template's (not a plain one's: its value is never a wildcard).
 */
function assignments(
  rules: readonly Rule[],
  request: ReadonlyMap<string, unknown>,
): Array<Map<string, string>> {
  const found: Array<Map<string, string>> = []
  const symbols = new Set<string>()
  for (const [dim, glob] of globsOf(rules)) {
    for (const t of glob.tokens) if (t.t === 'lit' && isSymbolChar(t.c)) symbols.add(t.c)
    const value = request.get(dim)
    if (typeof value === 'string') bindings(glob, value, found)
    else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') bindings(glob, v, found)
  }
  for (const s of symbols) if (isTemplateSymbol(s) && !isPlainSymbol(s)) found.push(new Map([[s, '*']]))
  // Values found apart, for different symbols, combined.
  const combined = [...found]
  for (const a of found)
    for (const b of found) {
      if (combined.length >= MAX_ASSIGNMENTS) break
      if ([...b].every(([s, v]) => !a.has(s) || a.get(s) === v) && [...b.keys()].some((s) => !a.has(s)))
        combined.push(new Map([...a, ...b]))
    }
  const unique = new Map(combined.map((m) => [JSON.stringify([...m].sort()), m]))
  return [new Map(), ...unique.values()].slice(0, MAX_ASSIGNMENTS)
}

/** Whether a rule holds at a concrete request with the symbols given values (a missing dimension: as `missing` says). */
function holdsWith(
  rule: Rule,
  request: ReadonlyMap<string, unknown>,
  values: ReadonlyMap<string, string>,
  unknownValue: (dim: string) => boolean | undefined,
  missing: boolean,
): boolean {
  return [...rule.predicates].every(([dim, p]) => {
    const given = unknownValue(dim)
    if (given !== undefined) return evaluate(p, () => given)
    if (!request.has(dim)) return missing
    const value = request.get(dim)
    return evaluate(p, (l) => {
      if (l.type === 'glob' && l.glob.symbolic === true && values.size > 0)
        return typeof value === 'string' && globMatches(substituted(l.glob, values), value)
      return leafHolds(l, value)
    })
  })
}

const substitutions = new BoundedMap<string, Glob>(10_000)
function substituted(glob: Glob, values: ReadonlyMap<string, string>): Glob {
  return substitutions.remember(JSON.stringify([glob.key, ...values]), () => substituteSymbols(glob, values))
}

/** Displays a value assignment: `${X} = "v"`. */
function describeValues(values: ReadonlyMap<string, string>): string {
  return [...values]
    .map(([s, v]) => `\${${symbolNamesIn(s)[0] ?? '?'}} is ${JSON.stringify(v)}`)
    .join(' and ')
}

/**
 * Requests that the allowed side allows and the other does not for some value of the symbols,
 * beyond what `covered` says is already reported: each as a `possible` cell whose reason names
 * the value. Sound as far as the candidate values reach: a literal value is found where the
 * request's own text lines up with a symbol's pattern, and a template's value is also tried as `*`.
 */
export interface SomeValueCell {
  cell: DifferenceCell
  /** the values of the symbols found to make it a difference (empty: none found, or none needed) */
  values: Map<string, string>
}

export function differenceForSomeValue(
  dimensions: Dimension[],
  allowed: {rules: Rule[]},
  other: {rules: Rule[]},
  options: {
    limit: number
    covered: (cell: DifferenceCell) => boolean
    /** told when the search stops at `limit` cells */
    truncations?: Truncation[]
  },
): SomeValueCell[] {
  if (![...allowed.rules, ...other.rules].some(ruleHasSymbols)) return []
  const opaque = new Set(dimensions.filter((d) => d.opaque).map((d) => d.name))
  const all = [...allowed.rules, ...other.rules]
  const names = symbolsInvolved(all)
    .map((n) => `\${${n}}`)
    .join(', ')
  let cells: DifferenceCell[]
  try {
    const result = difference(
      dimensions,
      {rules: relaxSide(allowed.rules, true)},
      {rules: relaxSide(other.rules, false)},
      {limit: options.limit},
    )
    cells = result.cells
    if (result.truncated)
      options.truncations?.push({direction: 'widening', limit: options.limit, next: result.next})
  } catch (error) {
    if (!(error instanceof Undecidable)) throw error
    // Not searched: every allow rule of the allowed side may differ for some value.
    const each = allowed.rules.filter((r) => r.effect === 'allow')
    return each
      .map((rule): DifferenceCell => ({
        cells: new Map(),
        matched: {allowed: [rule], allowedDeny: [], other: [], otherDeny: []},
        status: 'possible',
        reason: `depends on the value of ${names}: ${error.reason}`,
      }))
      .filter((cell) => !options.covered(cell))
      .map((cell) => ({cell, values: new Map()}))
  }
  const out: SomeValueCell[] = []
  for (const cell of cells) {
    if (options.covered(cell)) continue
    const request = new Map([...cell.cells].map(([dim, c]: [string, Cell]) => [dim, c.value]))
    const unknowns = [...opaque].filter((d) => all.some((r) => r.predicates.has(d)))
    const masks = unknowns.length > MAX_OPAQUE ? 0 : 1 << unknowns.length
    let witnessed: Map<string, string> | undefined
    let responsible = cell.matched.allowed
    search: for (const values of assignments(all, request)) {
      for (let mask = 0; mask < masks; mask++) {
        const unknownValue = (dim: string) => {
          const i = unknowns.indexOf(dim)
          return i === -1 ? undefined : Boolean(mask & (1 << i))
        }
        // A dimension the search did not choose is given whatever value favours a difference.
        const allowing = (rules: readonly Rule[], favour: boolean) =>
          rules.filter((r) => r.effect === 'allow' && holdsWith(r, request, values, unknownValue, favour))
        const denied = (rules: readonly Rule[], favour: boolean) =>
          rules.some((r) => r.effect === 'deny' && holdsWith(r, request, values, unknownValue, !favour))
        const allows = (rules: readonly Rule[], favour: boolean) =>
          allowing(rules, favour).length > 0 && !denied(rules, favour)
        if (allows(allowed.rules, true) && !allows(other.rules, false)) {
          witnessed = values
          // What allows it under these values: the relaxed search may have named a rule that
          // matches only the relaxed reading of the request.
          responsible = allowing(allowed.rules, true)
          break search
        }
      }
    }
    const decided = {...cell, matched: {...cell.matched, allowed: responsible}}
    if (witnessed !== undefined && options.covered(decided)) continue
    if (masks === 0 || witnessed !== undefined) {
      const which =
        witnessed === undefined || witnessed.size === 0
          ? ''
          : ` (for instance if ${describeValues(witnessed)})`
      out.push({
        cell: {...decided, status: 'possible', reason: `depends on the value of ${names}${which}`},
        values: witnessed ?? new Map(),
      })
    }
  }
  return out
}

// --- values given to symbols ---------------------------------------------------------------

/** A value with the given symbols replaced by their text (strings, and lists of strings). */
export function substituteValue(value: unknown, values: ReadonlyMap<string, string>): unknown {
  if (values.size === 0) return value
  if (typeof value === 'string') return [...value].map((c) => values.get(c) ?? c).join('')
  if (Array.isArray(value)) return value.map((v) => substituteValue(v, values))
  return value
}

function substituteFormula(f: Formula<AnyLeaf>, values: ReadonlyMap<string, string>): Formula<AnyLeaf> {
  return mapLeaves(f, (l, at) => {
    if (l.type === 'glob' && l.glob.symbolic === true) {
      const glob = substituted(l.glob, values)
      return glob === l.glob ? at : leaf({key: `glob:${glob.key}`, type: 'glob', glob} as GlobLeaf)
    }
    if (l.type === 'set') {
      const inner = substituteFormula(l.inner as Formula<AnyLeaf>, values) as Formula<ValueLeaf>
      return inner === l.inner
        ? at
        : leaf({...l, key: `set:${l.quantifier}(${formulaKey(inner)})`, inner} as SetLeaf)
    }
    return at
  })
}

/**
 * Each rule's substitutions already made, by the values given: a witness is judged again for each
 * resource and value it tries, with the same rules and mostly the same values. A rule whose
 * patterns hold no symbol is its own substitution. Bounded per rule.
 */
const substitutedRules = new WeakMap<Rule, BoundedMap<string, Rule>>()

/** Rules with the given symbols replaced by their values in every pattern. */
export function substituteRules<R extends Rule>(
  rules: readonly R[],
  values: ReadonlyMap<string, string>,
): R[] {
  if (values.size === 0) return [...rules]
  const key = JSON.stringify([...values])
  return rules.map((rule) => {
    if (!ruleHasSymbolsRemembered(rule)) return rule
    let byValues = substitutedRules.get(rule)
    if (byValues === undefined) substitutedRules.set(rule, (byValues = new BoundedMap(64)))
    return byValues.remember(key, () => ({
      ...rule,
      predicates: new Map([...rule.predicates].map(([dim, p]) => [dim, substituteFormula(p, values)])),
    })) as R
  })
}

const hasSymbols = new WeakMap<Rule, boolean>()
function ruleHasSymbolsRemembered(rule: Rule): boolean {
  let has = hasSymbols.get(rule)
  if (has === undefined) hasSymbols.set(rule, (has = ruleHasSymbols(rule)))
  return has
}

/** Each rule's symbols, in the order its patterns name them. */
const symbolsOfRule = new WeakMap<Rule, string[]>()

/** The symbols (their characters) that a request's values or a rule set's patterns hold. */
export function symbolCharsOf(rules: readonly Rule[], request?: ReadonlyMap<string, unknown>): Set<string> {
  const out = new Set<string>()
  for (const rule of rules) {
    let chars = symbolsOfRule.get(rule)
    if (chars === undefined) {
      const own = new Set<string>()
      for (const [, glob] of globsOf([rule]))
        for (const t of glob.tokens) if (t.t === 'lit' && isSymbolChar(t.c)) own.add(t.c)
      symbolsOfRule.set(rule, (chars = [...own]))
    }
    for (const c of chars) out.add(c)
  }
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      for (const c of v) if (isSymbolChar(c)) out.add(c)
    } else if (Array.isArray(v)) v.forEach(visit)
  }
  for (const v of request?.values() ?? []) visit(v)
  return out
}
