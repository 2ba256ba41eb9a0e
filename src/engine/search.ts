// The comparison engine, shared by every kind whose access model is "allow and deny rules
// over a request made of dimensions". It enumerates, dimension by dimension, the cells of
// the request space on which every rule of both sides is constant, and keeps the cells
// where the target allows and the baseline does not. Exact by construction: each domain's
// cells cover its whole value space.

import {type Domain, type Cell, type AnyLeaf, type GlobLeaf, test} from './domains.js'
import {evaluate, formulaKey, leavesOf, type Formula} from './formula.js'
import {families, globBound} from './families.js'
import {type Glob, globsIntersect} from './glob.js'
import {Undecidable} from './undecidable.js'

export interface Dimension {
  name: string
  domain: Domain
  /** opaque dimensions stand for conditions the engine cannot interpret */
  opaque?: {description: string}
  /**
   * The cells need only keep each rule's list of patterns constant (matching one of them or
   * none), not each pattern: a rule of 45 resource patterns, or of 1,500 actions, is two cells
   * and not one per pattern and per combination of patterns. For dimensions whose domain picks,
   * within a cell, the value a witness should name (the most sensitive action), and whose
   * findings name no value the patterns would tell apart.
   */
  grouped?: boolean
}

export interface Rule {
  /** index in its policy, in document order */
  index: number
  effect: 'allow' | 'deny'
  /** predicate per dimension name; a missing dimension is unconstrained */
  predicates: Map<string, Formula<AnyLeaf>>
}

interface Side {
  rules: Rule[]
}

export interface DifferenceCell {
  /** the chosen cell of every dimension that some live rule constrains */
  cells: Map<string, Cell>
  /** rules of each side whose predicates hold in this cell (ignoring opaque dimensions) */
  matched: {allowed: Rule[]; allowedDeny: Rule[]; other: Rule[]; otherDeny: Rule[]}
  status: 'definite' | 'possible'
  reason?: string
}

interface SearchOptions {
  /** stop after this many cells (a guard against pathological inputs) */
  limit: number
}

/** A search that stopped at its limit: what lies past the cut was not listed. */
export interface Truncation {
  direction: 'widening' | 'narrowing'
  limit: number
  /** the first cell past the cut (a request the listed cells do not show), when the search reached one */
  next: DifferenceCell | undefined
}

/** Where a search says what it could not do: notes for people, truncations for the adapter to report. */
export interface SearchReport {
  file: string
  notes: string[]
  limit: number
  /** filled with every search that stopped at `limit` (an adapter makes a finding of each widening one) */
  truncations?: Truncation[]
}

/** Past this many independent unknown conditions in one cell, their combinations are not enumerated. */
const MAX_OPAQUE = 10

/**
 * Each predicate's key, worked out once: a comparison searches three times (widenings, Denies no
 * longer in force, narrowings) over the same rules, and a formula's key is a function of it.
 */
const formulaKeys = new WeakMap<Formula<AnyLeaf>, string>()
function cachedKey(f: Formula<AnyLeaf>): string {
  let k = formulaKeys.get(f)
  if (k === undefined) formulaKeys.set(f, (k = formulaKey(f)))
  return k
}

/**
 * Cells of the request space allowed by `allowed` and not by `other` (explicit deny wins
 * on each side). Call it with the sides swapped to find narrowings.
 */
export function difference(
  dimensions: Dimension[],
  allowed: Side,
  other: Side,
  options: SearchOptions,
): {cells: DifferenceCell[]; truncated: boolean; next?: DifferenceCell} {
  const ordered = [...dimensions.filter((d) => !d.opaque), ...dimensions.filter((d) => d.opaque)]
  const firstOpaque = ordered.findIndex((d) => d.opaque)
  const opaqueStart = firstOpaque === -1 ? ordered.length : firstOpaque
  const results: DifferenceCell[] = []
  // One cell more than asked: the first past the cut, which shows what the cut leaves out.
  const cap = options.limit + 1
  let truncated = false
  const memo = new Map<string, Array<Omit<DifferenceCell, 'cells'> & {cells: Array<[string, Cell]>}>>()

  const tag = (side: 'a' | 'o', rules: Rule[]) => rules.map((r) => ({side, rule: r}))
  type Live = Array<{side: 'a' | 'o'; rule: Rule}>
  const common = commonAllows(allowed, other, cachedKey)
  // Where no allow rule of its own holds, the allowed side allows nothing the other does not.
  const own = (l: {side: 'a' | 'o'; rule: Rule}) =>
    l.side === 'a' && l.rule.effect === 'allow' && !common.has(l.rule)

  // Two live sets whose remaining predicates are the same decide every remaining cell alike.
  const sameRemaining = (live: Live, from: number): boolean => {
    const keys = {a: new Set<string>(), o: new Set<string>()}
    for (const {side, rule} of live) {
      const parts: string[] = [rule.effect]
      for (let d = from; d < ordered.length; d++) {
        const p = rule.predicates.get(ordered[d]!.name)
        if (p !== undefined) parts.push(`${ordered[d]!.name}=${cachedKey(p)}`)
      }
      keys[side].add(parts.join('|'))
    }
    return keys.a.size === keys.o.size && [...keys.a].every((k) => keys.o.has(k))
  }

  const visit = (
    d: number,
    live: Live,
  ): Array<Omit<DifferenceCell, 'cells'> & {cells: Array<[string, Cell]>}> => {
    if (!live.some(own)) return []
    if (sameRemaining(live, d)) return []
    if (d === opaqueStart) {
      const leafResult = decide(live)
      return leafResult ? [{...leafResult, cells: []}] : []
    }
    const memoKey = `${d}#${live.map((l) => `${l.side}${l.rule.index}`).join(',')}`
    const cached = memo.get(memoKey)
    if (cached) return cached

    const dimension = ordered[d]!
    const out: Array<Omit<DifferenceCell, 'cells'> & {cells: Array<[string, Cell]>}> = []
    if (!live.some((l) => l.rule.predicates.has(dimension.name))) {
      out.push(...visit(d + 1, live))
    } else {
      // Each family of rules on its own (see families): its cells are worked out over its own
      // leaves and the shared rules', and only those where one of its rules holds are kept.
      for (const part of families(live, dimension.name, own)) {
        const constrained = part.live.filter((l) => l.rule.predicates.has(dimension.name))
        const {leaves, outside} = relevantLeaves(part.live.filter(own), constrained, dimension.name)
        const groups = dimension.grouped ? globGroups(constrained, dimension.name, outside) : undefined
        for (const cell of dimension.domain.cells(leaves, groups)) {
          // An `outside` leaf is false in every cell where an own allow rule can hold (and where
          // none does, the own rules' bounding globs say so exactly): it need not be matched.
          const next = part.live.filter((l) => {
            const p = l.rule.predicates.get(dimension.name)
            return p === undefined || evaluate(p, (leaf) => !outside.has(leaf.key) && test(cell, leaf))
          })
          if (part.members !== undefined && !next.some((l) => part.members!.has(l))) continue
          for (const sub of visit(d + 1, next)) {
            out.push({...sub, cells: [[dimension.name, cell], ...sub.cells]})
            if (out.length >= cap) {
              truncated = true
              break
            }
          }
          if (truncated) break
        }
        if (truncated) break
      }
    }
    memo.set(memoKey, out)
    return out
  }

  // All non-opaque dimensions are fixed: the live rules are exactly those that match.
  // Unknown conditions are enumerated; a difference under every assignment is definite,
  // under some of them only possible.
  const decide = (live: Live): Omit<DifferenceCell, 'cells'> | undefined => {
    const opaque = ordered
      .slice(opaqueStart)
      .filter((dim) => live.some((l) => l.rule.predicates.has(dim.name)))
    const rulesOf = (side: 'a' | 'o', effect: 'allow' | 'deny') =>
      live.filter((l) => l.side === side && l.rule.effect === effect).map((l) => l.rule)
    const matched = {
      allowed: rulesOf('a', 'allow'),
      allowedDeny: rulesOf('a', 'deny'),
      other: rulesOf('o', 'allow'),
      otherDeny: rulesOf('o', 'deny'),
    }
    if (opaque.length > MAX_OPAQUE) {
      return {
        matched,
        status: 'possible',
        reason: `depends on ${opaque.length} conditions acldrift cannot interpret`,
      }
    }
    let differing = 0
    for (let mask = 0; mask < 1 << opaque.length; mask++) {
      const holds = (rule: Rule) =>
        opaque.every((dim, i) => {
          const p = rule.predicates.get(dim.name)
          return p === undefined || evaluate(p, () => Boolean(mask & (1 << i)))
        })
      const allows = (allow: Rule[], deny: Rule[]) => allow.some(holds) && !deny.some(holds)
      if (allows(matched.allowed, matched.allowedDeny) && !allows(matched.other, matched.otherDeny))
        differing++
    }
    if (differing === 0) return undefined
    if (differing === 1 << opaque.length) return {matched, status: 'definite'}
    return {
      matched,
      status: 'possible',
      reason: `depends on ${[...new Set(opaque.map((dim) => dim.opaque!.description))].join('; ')}`,
    }
  }

  const found = visit(0, [...tag('a', allowed.rules), ...tag('o', other.rules)])
  const cell = (f: (typeof found)[number]): DifferenceCell => ({...f, cells: new Map(f.cells)})
  for (const f of found.slice(0, options.limit)) results.push(cell(f))
  const next = found[options.limit]
  truncated ||= next !== undefined
  return {cells: results, truncated, ...(next === undefined ? {} : {next: cell(next)})}
}

/**
 * The allow rules of the allowed side that the other side has too, word for word, when both
 * sides deny the same. Such a rule allows nothing the other side does not (what it allows, the
 * other side allows too, unless a deny they share removes it from both): a difference needs
 * one of the allowed side's own allow rules. A policy of 100k statements with one edit has one.
 */
function commonAllows(allowed: Side, other: Side, formulaKeyOf: (f: Formula<AnyLeaf>) => string): Set<Rule> {
  const ruleKey = (rule: Rule) =>
    [rule.effect, ...[...rule.predicates].map(([name, p]) => `${name}=${formulaKeyOf(p)}`).sort()].join('|')
  const denies = (side: Side) =>
    side.rules
      .filter((r) => r.effect === 'deny')
      .map(ruleKey)
      .sort()
      .join('\n')
  if (denies(allowed) !== denies(other)) return new Set()
  const keys = new Set(other.rules.filter((r) => r.effect === 'allow').map(ruleKey))
  return new Set(allowed.rules.filter((r) => r.effect === 'allow' && keys.has(ruleKey(r))))
}

const isGlobLeaf = (f: Formula<AnyLeaf>): f is {op: 'leaf'; leaf: GlobLeaf} =>
  f.op === 'leaf' && f.leaf.type === 'glob'

/**
 * The glob leaves of the rules' predicates on one dimension, grouped by the disjunctions they
 * stand in (a statement's list of patterns), without the `outside` ones (false wherever they
 * matter): each predicate is a function of its groups, so cells on which every group is
 * constant keep every predicate constant. Groups with the same patterns are given once.
 */
export function globGroups(
  rules: ReadonlyArray<{rule: Rule}>,
  name: string,
  outside: ReadonlySet<string> = new Set(),
): GlobLeaf[][] {
  const groups = new Map<string, GlobLeaf[]>()
  const add = (leaves: GlobLeaf[]) => {
    const kept = leaves.filter((l) => !outside.has(l.key))
    const key = kept.map((l) => l.key).join('\n')
    if (kept.length > 0 && !groups.has(key)) groups.set(key, kept)
  }
  const visit = (f: Formula<AnyLeaf>): void => {
    switch (f.op) {
      case 'leaf':
        if (isGlobLeaf(f)) add([f.leaf])
        return
      case 'not':
        return visit(f.arg)
      case 'and':
        return f.args.forEach(visit)
      case 'or':
        add(f.args.filter(isGlobLeaf).map((a) => a.leaf))
        for (const a of f.args) if (!isGlobLeaf(a)) visit(a)
        return
      default:
        return
    }
  }
  for (const {rule} of rules) visit(rule.predicates.get(name)!)
  return [...groups.values()]
}

const MAX_INTERSECTION_TESTS = 1_000_000

/**
 * The leaves that can split a cell where a difference may lie. A difference needs one of the
 * allowed side's own allow rules (`own`) to hold; when each of those is bounded on this dimension
 * by glob leaves, a glob of any rule that shares no string with them is false wherever it matters.
 */
function relevantLeaves(
  own: Array<{rule: Rule}>,
  constrained: Array<{rule: Rule}>,
  name: string,
): {leaves: AnyLeaf[]; outside: Set<string>} {
  const all = new Map<string, AnyLeaf>()
  for (const l of constrained) leavesOf(l.rule.predicates.get(name)!, all)
  const bounds: Glob[] = []
  for (const l of own) {
    const predicate = l.rule.predicates.get(name)
    const bound = predicate === undefined ? null : globBound(predicate)
    if (bound === null) return {leaves: [...all.values()], outside: new Set()}
    bounds.push(...bound)
  }
  // Pairwise tests pay off when few own rules face many others (one edit in a huge policy);
  // for a rewrite, where they would cost as much as the cells themselves, they are skipped.
  if (bounds.length * all.size > MAX_INTERSECTION_TESTS)
    return {leaves: [...all.values()], outside: new Set()}
  const leaves: AnyLeaf[] = []
  const outside = new Set<string>()
  // A leaf that is itself a bound (every leaf, when the other side has none) needs no test.
  const bounded = new Set(bounds.map((b) => b.key))
  for (const leaf of all.values()) {
    if (
      leaf.type !== 'glob' ||
      bounded.has(leaf.glob.key) ||
      bounds.some((b) => globsIntersect(b, leaf.glob))
    )
      leaves.push(leaf)
    else outside.add(leaf.key)
  }
  return {leaves, outside}
}

/**
 * `difference` that reports what it can when part of the question cannot be decided: a
 * narrowing search gives up with a note; a widening search is repeated for each allow rule
 * (with the allowed side's denies), and a rule that still cannot be decided becomes one
 * `possible` cell carrying the reason. Never a silent "no difference": a search cut short at
 * `limit` cells says so in a note and in `report.truncations`.
 */
export function differenceOrPossible(
  dimensions: Dimension[],
  allowed: Side,
  other: Side,
  direction: 'widening' | 'narrowing',
  report: SearchReport,
): DifferenceCell[] {
  const {file, notes, limit} = report
  let cut = false
  const search = (side: Side): DifferenceCell[] => {
    const result = difference(dimensions, side, other, {limit})
    if (result.truncated) {
      if (!cut) notes.push(`${file}: more than ${limit} ${direction} cells; the first ${limit} are reported`)
      cut = true
      report.truncations?.push({direction, limit, next: result.next})
    }
    return result.cells
  }
  try {
    return search(allowed)
  } catch (error) {
    if (!(error instanceof Undecidable)) throw error
    if (direction === 'narrowing') {
      notes.push(`${file}: narrowings not computed: ${error.reason}`)
      return []
    }
    const cells: DifferenceCell[] = []
    const denies = allowed.rules.filter((r) => r.effect === 'deny')
    for (const rule of allowed.rules.filter((r) => r.effect === 'allow')) {
      try {
        cells.push(...search({rules: [rule, ...denies]}))
      } catch (inner) {
        if (!(inner instanceof Undecidable)) throw inner
        const matched = {allowed: [rule], allowedDeny: [], other: [], otherDeny: []}
        cells.push({cells: new Map(), matched, status: 'possible', reason: inner.reason})
      }
    }
    return cells
  }
}

export {Undecidable}
