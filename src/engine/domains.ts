// Value domains of request dimensions. Each domain partitions its (usually infinite) value
// space into cells on which every given leaf test is constant, with a concrete value per
// cell. Checking one value per cell is then the same as checking every value: exact.

import {BoundedMap} from '../kernel/bounded.js'
import {and, evaluate, type Formula, type Leaf} from './formula.js'
import {type Glob, globMatches, unionCells} from './glob.js'
import {Undecidable} from './undecidable.js'

export type GlobLeaf = Leaf & {type: 'glob'; glob: Glob}
/** the context key is present in the request */
type PresentLeaf = Leaf & {type: 'present'}
export type NumberLeaf = Leaf & {type: 'number'; cmp: '<' | '<=' | '=' | '>' | '>='; value: number}
export type IpLeaf = Leaf & {type: 'ip'; v6: boolean; lo: bigint; hi: bigint}
export type ValueLeaf = GlobLeaf | PresentLeaf | NumberLeaf | IpLeaf
/** ForAllValues / ForAnyValue over a multi-valued key */
export type SetLeaf = Leaf & {type: 'set'; quantifier: 'all' | 'any'; inner: Formula<ValueLeaf>}
/** a condition the engine cannot interpret: an independent unknown */
export type OpaqueLeaf = Leaf & {type: 'opaque'; description: string}
export type AnyLeaf = ValueLeaf | SetLeaf | OpaqueLeaf

export interface Cell {
  /** a concrete value of this cell; undefined means "absent from the request" */
  value: unknown
  /** results of the leaves the cell was computed for, so tests need not re-match */
  known: Map<string, boolean>
  /** set when the only values in this cell are outside a known catalogue (e.g. future AWS actions) */
  outsideCatalogue?: string
  /** other values with the same results for every leaf (a witness may prefer one of them) */
  alternatives?: unknown[]
}

/** Whether a leaf holds for a cell's value (computed once, then remembered). */
export function test(cell: Cell, l: AnyLeaf): boolean {
  let result = cell.known.get(l.key)
  if (result === undefined) {
    result = leafHolds(l, cell.value)
    cell.known.set(l.key, result)
  }
  return result
}

/** Whether a leaf holds for one concrete value of its dimension (undefined = absent). */
export function leafHolds(l: AnyLeaf, value: unknown): boolean {
  switch (l.type) {
    case 'present':
      return value !== undefined
    case 'glob':
      return typeof value === 'string' && globMatches(l.glob, value)
    case 'number':
      return typeof value === 'number' && compareNumber(l, value)
    case 'ip':
      return isIp(value) && value.v6 === l.v6 && value.n >= l.lo && value.n <= l.hi
    case 'set': {
      const members = Array.isArray(value) ? value : []
      const holds = (m: unknown) => evaluate(l.inner, (x) => leafHolds(x, m))
      return l.quantifier === 'all' ? members.every(holds) : members.some(holds)
    }
    case 'opaque':
      return value === true
  }
}

export interface IpValue {
  v6: boolean
  n: bigint
}

function isIp(value: unknown): value is IpValue {
  return typeof value === 'object' && value !== null && 'n' in value && typeof value.n === 'bigint'
}

const cell = (value: unknown, known: Map<string, boolean> = new Map()): Cell => ({value, known})

export interface Domain {
  /**
   * Cells on each of which every leaf holds throughout or nowhere. With `groups` (glob leaves
   * read as their disjunction: each rule's list of patterns), it is each group that does, and a
   * glob leaf's own result may differ within a cell (see Dimension.grouped); domains whose cells
   * are few whatever the leaves may ignore it.
   */
  cells(leaves: AnyLeaf[], groups?: GlobLeaf[][]): Cell[]
}

export const PRESENT: PresentLeaf = {key: 'present', type: 'present'}

function mismatch(leaf: AnyLeaf, domain: string): never {
  throw new Error(`internal: ${leaf.type} leaf in ${domain} domain`)
}

/** Adds the "absent" cell in front of the value cells when presence is tested. */
function withPresence(leaves: AnyLeaf[], valueCells: (leaves: AnyLeaf[]) => Cell[]): Cell[] {
  const valueLeaves = leaves.filter((l) => l.type !== 'present')
  const present = valueCells(valueLeaves)
  return valueLeaves.length === leaves.length ? present : [cell(undefined), ...present]
}

/** Strings matched by globs (resources, principals, string/ARN/Bool condition values). */
export function stringDomain(extraSamples: string[] = []): Domain {
  return {
    cells: (leaves, groups) =>
      withPresence(leaves, (valueLeaves) => {
        const parts = groups ?? valueLeaves.map((l) => [l.type === 'glob' ? l : mismatch(l, 'string')])
        const key = JSON.stringify([extraSamples, parts.map((part) => part.map((l) => l.glob.key))])
        // A leaf alone in its group has its result known in each cell; one of several has not.
        return remembered.remember(key, () =>
          unionCells(
            parts.map((part) => part.map((l) => l.glob)),
            extraSamples,
          ).map((c) =>
            cell(
              c.example,
              new Map(parts.flatMap((part, i) => (part.length === 1 ? [[part[0]!.key, c.matches[i]!]] : []))),
            ),
          ),
        )
      }),
  }
}

// The search asks again for the same patterns (one family's, under each cell of the dimensions
// before; and the AWS engine's second search, with symbols, over the same policies): a glob's key
// fixes what it matches and a cell's `known` holds only results for its own value, so the cells
// worked out once are handed out again, to every string domain with the same samples. Bounded,
// for long runs.
const remembered = new BoundedMap<string, Cell[]>(2000)

/** Numbers (Numeric*) and instants (Date*, as epoch milliseconds). */
export function numberDomain(): Domain {
  return {
    cells: (leaves) =>
      withPresence(leaves, (valueLeaves) => {
        const constants = [
          ...new Set(valueLeaves.map((l) => (l.type === 'number' ? l.value : mismatch(l, 'number')))),
        ].sort((a, b) => a - b)
        const candidates =
          constants.length === 0
            ? [0]
            : [
                constants[0]! - 1,
                ...constants.flatMap((c, i) =>
                  i + 1 < constants.length ? [c, (c + constants[i + 1]!) / 2] : [c],
                ),
                constants.at(-1)! + 1,
              ]
        return candidates.map((n) => cell(n))
      }),
  }
}

function compareNumber(leaf: NumberLeaf, n: number): boolean {
  switch (leaf.cmp) {
    case '<':
      return n < leaf.value
    case '<=':
      return n <= leaf.value
    case '=':
      return n === leaf.value
    case '>':
      return n > leaf.value
    case '>=':
      return n >= leaf.value
  }
}

const V4_MAX = (1n << 32n) - 1n
const V6_MAX = (1n << 128n) - 1n

/** IPv4 and IPv6 addresses tested against CIDR ranges. */
export function ipDomain(): Domain {
  return {
    cells: (leaves) =>
      withPresence(leaves, (valueLeaves) => {
        const ranges = valueLeaves.map((l) => (l.type === 'ip' ? l : mismatch(l, 'ip')))
        const candidates: IpValue[] = [
          {v6: false, n: 0n},
          {v6: true, n: 0n},
        ]
        for (const r of ranges) {
          candidates.push({v6: r.v6, n: r.lo})
          if (r.hi < (r.v6 ? V6_MAX : V4_MAX)) candidates.push({v6: r.v6, n: r.hi + 1n})
        }
        const seen = new Set<string>()
        return candidates
          .filter((c) => !seen.has(`${c.v6}:${c.n}`) && seen.add(`${c.v6}:${c.n}`))
          .map((c) => cell(c))
      }),
  }
}

export function formatIp(v6: boolean, n: bigint): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => ((n >> s) & 255n).toString()).join('.')
  const groups: string[] = []
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16))
  return groups.join(':')
}

/** Above this many distinct single values, the subsets of a multi-valued key are not enumerated. */
const MAX_SET_ELEMENT_CELLS = 10

/**
 * Multi-valued keys (ForAllValues / ForAnyValue): a request carries a set of values, and
 * what matters is which cells of the single-value domain the set touches. Every subset of
 * those cells is a cell here; the empty set is the same as an absent key.
 */
export function setDomain(element: Domain): Domain {
  return {
    cells: (leaves) => {
      const inner = new Map<string, AnyLeaf>()
      for (const l of leaves) {
        if (l.type !== 'set') mismatch(l, 'set')
        collectLeaves(l.inner, inner)
      }
      const elementCells = element.cells([...inner.values()]).filter((c) => c.value !== undefined)
      if (elementCells.length > MAX_SET_ELEMENT_CELLS) {
        throw new Undecidable(
          `a multi-valued condition key has ${elementCells.length} distinct value classes (limit ${MAX_SET_ELEMENT_CELLS})`,
        )
      }
      const cells: Cell[] = []
      for (let mask = 0; mask < 1 << elementCells.length; mask++) {
        const members = elementCells.filter((_, i) => mask & (1 << i))
        cells.push(cell(members.length === 0 ? undefined : members.map((m) => m.value)))
      }
      return cells
    },
  }
}

function collectLeaves(formula: Formula<ValueLeaf>, out: Map<string, AnyLeaf>): void {
  if (formula.op === 'leaf') out.set(formula.leaf.key, formula.leaf)
  else if (formula.op === 'not') collectLeaves(formula.arg, out)
  else if (formula.op === 'and' || formula.op === 'or') for (const a of formula.args) collectLeaves(a, out)
}

/** A condition that cannot be interpreted: true or false, independently of everything else. */
export function opaqueDomain(): Domain {
  return {
    cells: () => [cell(true), cell(false)],
  }
}

export const presentAnd = (f: Formula<AnyLeaf>): Formula<AnyLeaf> => and({op: 'leaf', leaf: PRESENT}, f)
