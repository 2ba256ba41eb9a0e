// Families of rules on one dimension, by the literal prefixes of their patterns: rules of two
// families never hold on the same value. The search takes a rewrite of many statements family by
// family (search.ts), and a question about one value ("which baseline statement allows this
// action?") reads only the rules of the value's family (familyIndex), so that comparing two
// policies in which every statement changed stays near-linear (issue 16.6).

import type {AnyLeaf} from './domains.js'
import type {Formula} from './formula.js'
import {type Glob, isSymbolChar} from './glob.js'

interface HasPredicates {
  predicates: Map<string, Formula<AnyLeaf>>
}

/**
 * Glob leaves of `formula`, one of which is true whenever the formula is, whatever the other
 * leaves say (so also under the search's `outside` shortcut); null when there are none such.
 */
export function globBound(formula: Formula<AnyLeaf>): Glob[] | null {
  let bound = bounds.get(formula)
  if (bound === undefined) bounds.set(formula, (bound = boundOf(formula)))
  return bound
}

/**
 * What globBound and prefixesOf found, by formula: both are functions of the formula alone, and
 * formulas are never changed once built. A search asks them of every live rule at every step, so
 * each predicate is worked out once (per run: a predicate lives as long as the rules that hold it).
 */
const bounds = new WeakMap<Formula<AnyLeaf>, Glob[] | null>()
const prefixesByPredicate = new WeakMap<Formula<AnyLeaf>, {prefixes: string[] | undefined}>()

/** How many predicates' prefixes were worked out (a debug stat, for tests). */
export const familyCounts = {prefixes: 0}

function boundOf(formula: Formula<AnyLeaf>): Glob[] | null {
  switch (formula.op) {
    case 'false':
      return []
    case 'leaf':
      return formula.leaf.type === 'glob' ? [formula.leaf.glob] : null
    case 'and': {
      const bounded = formula.args.map(globBound).filter((b): b is Glob[] => b !== null)
      return bounded.length === 0 ? null : bounded.reduce((a, b) => (b.length < a.length ? b : a))
    }
    case 'or': {
      const all = formula.args.map(globBound)
      return all.some((b) => b === null) ? null : (all.flat() as Glob[])
    }
    default:
      return null
  }
}

/**
 * The literal characters every string a glob matches starts with: up to its first wildcard,
 * character class (a case-insensitive letter) or symbol (an unresolved value, any text).
 */
function literalPrefix(glob: Glob): string {
  let out = ''
  for (const t of glob.tokens) {
    if (t.t !== 'lit' || isSymbolChar(t.c)) break
    out += t.c
  }
  return out
}

/**
 * The prefixes of the rule's bounding globs on the dimension: whenever the rule holds there, the
 * value starts with one of them. Undefined when the rule is not so bounded (no predicate, a
 * negation, a non-glob test, or a pattern like `*` with no literal start).
 */
function prefixesOf(rule: HasPredicates, name: string): string[] | undefined {
  const predicate = rule.predicates.get(name)
  if (predicate === undefined) return undefined
  let known = prefixesByPredicate.get(predicate)
  if (known === undefined) {
    familyCounts.prefixes++
    const prefixes = globBound(predicate)?.map(literalPrefix)
    known = {prefixes: prefixes === undefined || prefixes.includes('') ? undefined : prefixes}
    prefixesByPredicate.set(predicate, known)
  }
  return known.prefixes
}

/** Below this many live rules a dimension is searched whole: splitting would gain nothing. */
const MIN_SPLIT = 2

/**
 * The live rules split into families on one dimension, so that a rewrite of many statements is
 * searched family by family rather than every pattern against every other.
 *
 * Every string a glob matches starts with the glob's literal prefix, so two rules whose prefixes
 * are never prefixes of one another hold on no value together: linked by comparable prefixes, the
 * rules fall into families of which at most one holds on any value. The rules with no such bound
 * (prefixesOf) are shared: they join every family. A family's cells where none of its own rules
 * holds are left out by the search (`members`): a value there is another family's, or one that
 * only shared rules hold on, where no difference can lie as long as no shared rule is one of the
 * allowed side's own allow rules (`own`: a difference needs one). Where one is, or there is a
 * single family, the dimension is searched whole. Each kept cell's live rules are then exactly
 * those of the whole search, since no other family's rule holds there. Families without an own
 * rule are left out: no difference lies in them.
 */
export function families<L extends {rule: HasPredicates}>(
  live: L[],
  name: string,
  own: (l: L) => boolean,
): Array<{live: L[]; members?: Set<L>}> {
  const whole = [{live}]
  if (live.length < MIN_SPLIT) return whole
  const shared = new Set<L>()
  const prefixed: Array<{prefix: string; l: L}> = []
  for (const l of live) {
    const prefixes = prefixesOf(l.rule, name)
    if (prefixes === undefined) shared.add(l)
    else for (const prefix of prefixes) prefixed.push({prefix, l})
  }
  if ([...shared].some(own)) return whole
  // Sorted, a prefix comes before its extensions, and the stack holds the prefixes of the current one.
  prefixed.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0))
  const parent = new Map<L, L>(prefixed.map(({l}) => [l, l]))
  const root = (l: L): L => {
    let r = l
    while (parent.get(r) !== r) r = parent.get(r)!
    parent.set(l, r)
    return r
  }
  const stack: string[] = []
  const stackRules: L[] = []
  for (const {prefix, l} of prefixed) {
    while (stack.length > 0 && !prefix.startsWith(stack.at(-1)!)) {
      stack.pop()
      stackRules.pop()
    }
    if (stackRules.length > 0) parent.set(root(l), root(stackRules.at(-1)!))
    stack.push(prefix)
    stackRules.push(l)
  }
  const groups = new Map<L, {members: Set<L>; mine: boolean}>()
  for (const l of live) {
    if (shared.has(l)) continue
    const r = root(l)
    const group = groups.get(r)
    if (group === undefined) groups.set(r, {members: new Set([l]), mine: own(l)})
    else {
      group.members.add(l)
      group.mine ||= own(l)
    }
  }
  if (groups.size < 2) return whole
  // Each family's rules with the shared ones, in the order of `live` (the first allowing rule is
  // the one a finding names).
  const parts = new Map(
    [...groups].filter(([, g]) => g.mine).map(([r, g]) => [r, {live: [] as L[], members: g.members}]),
  )
  for (const l of live) {
    if (shared.has(l)) for (const part of parts.values()) part.live.push(l)
    else parts.get(root(l))?.live.push(l)
  }
  return [...parts.values()]
}

/**
 * The rules that may hold on a value of one dimension, in their order: those whose bounding
 * globs' prefixes start the value, and those with no such bound. A superset of the rules that
 * hold on it, found by the value's own prefixes rather than by testing every rule: the value is
 * cut only at the lengths some prefix has, not at every length.
 */
export function familyIndex<R extends HasPredicates>(
  rules: readonly R[],
  name: string,
): (value: unknown) => readonly R[] {
  const everywhere: number[] = []
  const byPrefix = new Map<string, number[]>()
  rules.forEach((rule, i) => {
    const prefixes = prefixesOf(rule, name)
    if (prefixes === undefined) everywhere.push(i)
    else
      for (const prefix of new Set(prefixes)) {
        const list = byPrefix.get(prefix)
        if (list === undefined) byPrefix.set(prefix, [i])
        else list.push(i)
      }
  })
  const lengths = [...new Set([...byPrefix.keys()].map((prefix) => prefix.length))].sort((a, b) => a - b)
  const answered = new Map<string, readonly R[]>()
  return (value) => {
    if (typeof value !== 'string') return rules
    let answer = answered.get(value)
    if (answer === undefined) {
      const found = new Set(everywhere)
      for (const length of lengths) {
        if (length > value.length) break
        for (const i of byPrefix.get(value.slice(0, length)) ?? []) found.add(i)
      }
      answer = [...found].sort((a, b) => a - b).map((i) => rules[i]!)
      answered.set(value, answer)
    }
    return answer
  }
}
