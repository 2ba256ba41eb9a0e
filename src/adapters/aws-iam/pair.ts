// Which baseline statement each target statement is a version of: by identity and content, never
// by position (statement order has no meaning in IAM: a policy's statements are a set). A
// finding names what changed by comparing its statement with its previous version (classify.ts),
// and shows both as `before` and `after`.
//
// Statements are paired one to one, within the same policy of the file (a composed export holds
// several) and the same Effect, in passes, each over the statements still unpaired:
//   1. the same Sid (the author's name for the statement);
//   2. the same access (a statement moved, or its Sid renamed);
//   3. the same access but for the actions, sharing the most actions, then the most services:
//      actions added or removed;
//   4. the same access but for the resources, sharing the most resources: resources changed;
//   5. the same access but for the principals; 6. but for the condition;
//   7. changed in several elements (its actions and its resources, say): the statement sharing the
//      most actions, resources, principals and condition keys, then the most services.
// Ties go to the statements nearest in position. In passes 2 and 4 to 6 the statements left in a
// group of the same key are paired in their order even when they share no value
// (`arn:…:table/Orders` → `*` is still the one statement with those actions). In pass 7 a pair
// must share an action, a service, or a resource or principal other than `*`: statements that
// share only `*` (which unrelated statements share) or a condition key are one removed and one
// added, and a statement added has no previous version.

import {canonicalAccess} from '../../kernel/findings.js'
import {accessOf, type Statement} from './compile.js'

interface Pass {
  /** the elements that may differ (the key leaves out their values, not which of them is given) */
  free: string[]
  /**
   * the values scored by how many are shared (fine, and weak), then by a coarser measure (coarse);
   * a pair must share a fine or coarse value, a weak one alone does not pair
   */
  values?: (s: Statement) => Values
  /** pair, in their order, the statements left in a group of the same key that share nothing */
  leftovers: boolean
}

interface Values {
  fine: string[]
  coarse: string[]
  weak?: string[]
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

/** Actions as AWS reads them (case and whitespace aside), and their services. */
const actions = (s: Statement) => {
  const fine = [...list(s.raw.Action), ...list(s.raw.NotAction)].map((a) =>
    String(a).replace(/\s+/g, '').toLowerCase(),
  )
  return {fine, coarse: fine.map((a) => a.slice(0, Math.max(0, a.indexOf(':'))) || a)}
}
const valuesOf = (fields: string[]) => (s: Statement) => ({
  fine: fields.flatMap((f) => list(s.raw[f]).map(canonicalAccess)),
  coarse: [],
})

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Each principal named other than `*` (anyone), as `type name` (`AWS arn:…`). */
const principals = (s: Statement) =>
  ['Principal', 'NotPrincipal'].flatMap((field) => {
    const value = s.raw[field]
    const named = isObject(value)
      ? Object.entries(value).flatMap(([type, names]) => list(names).map((name) => [type, name]))
      : list(value).map((name) => ['', name])
    return named.flatMap(([type, name]) => (name === '*' ? [] : [`${String(type)} ${canonicalAccess(name)}`]))
  })

/**
 * What a statement names, each value marked with its element: its actions, its resources other
 * than `*` and its principals other than `*` (fine: `*` is shared by unrelated statements), its
 * condition keys (weak; case-insensitive, as AWS reads them), and its actions' services (coarse).
 */
function overlap(s: Statement): Values {
  const own = actions(s)
  const resources = [...list(s.raw.Resource), ...list(s.raw.NotResource)].filter((r) => r !== '*')
  const blocks = isObject(s.raw.Condition) ? Object.values(s.raw.Condition).filter(isObject) : []
  return {
    fine: [
      ...own.fine.map((a) => `action ${a}`),
      ...resources.map((r) => `resource ${canonicalAccess(r)}`),
      ...principals(s).map((p) => `principal ${p}`),
    ],
    coarse: own.coarse,
    weak: blocks.flatMap((block) => Object.keys(block).map((key) => key.toLowerCase())),
  }
}

const PASSES: Pass[] = [
  {free: [], leftovers: true},
  {free: ['Action', 'NotAction'], values: actions, leftovers: false},
  {free: ['Resource', 'NotResource'], values: valuesOf(['Resource', 'NotResource']), leftovers: true},
  {free: ['Principal', 'NotPrincipal'], values: valuesOf(['Principal', 'NotPrincipal']), leftovers: true},
  {free: ['Condition'], leftovers: true},
  {free: ['*'], values: overlap, leftovers: false},
]

/**
 * A value that more baseline statements of a group than this share tells none of them apart: it
 * is not scored (a 1,000-statement policy of one service on `*` would otherwise score a million pairs).
 */
const TELLING = 64

/** The policy a statement belongs to in its file (and whether it is a permissions boundary's), and its Effect. */
const scopeOf = (s: Statement) =>
  `${s.pointer.slice(0, s.pointer.lastIndexOf('/Statement'))}${s.boundary ? ' (boundary)' : ''}\n${s.effect}`

/**
 * A statement's scope and access, each element's canonical text computed once (every pass keys
 * every statement): the key of a pass is canonicalAccess(accessOf(s)) with the free elements'
 * values left out.
 */
interface Keyed {
  scope: string
  elements: Array<[field: string, text: string]>
}

function keyedOf(s: Statement): Keyed {
  const access = accessOf(s)
  return {
    scope: scopeOf(s),
    elements: Object.keys(access)
      .sort()
      .flatMap((field) =>
        access[field] === undefined
          ? []
          : [[field, `${JSON.stringify(field)}:${canonicalAccess(access[field])}`]],
      ),
  }
}

function keyOf({scope, elements}: Keyed, free: string[]): string {
  if (free.includes('*')) return scope
  const text = elements.map(([field, text]) =>
    free.includes(field) ? `${JSON.stringify(field)}:"(may differ)"` : text,
  )
  return `${scope}\n{${text.join(',')}}`
}

/** The list `lists` holds for `key`, held from now on (a new, empty one at first). */
function listed<K, V>(lists: Map<K, V[]>, key: K): V[] {
  let list = lists.get(key)
  if (list === undefined) lists.set(key, (list = []))
  return list
}

/** For each target statement that has one, the baseline statement it is a version of. */
export function pairStatements(
  baseline: readonly Statement[],
  target: readonly Statement[],
): Map<Statement, Statement> {
  const paired = new Map<Statement, Statement>()
  const taken = new Set<Statement>()
  const pair = (t: Statement, b: Statement) => {
    paired.set(t, b)
    taken.add(b)
  }
  const position = new Map<Statement, number>()
  for (const side of [baseline, target]) for (const [i, s] of side.entries()) position.set(s, i)
  const keys = new Map<Statement, Keyed>()
  const keyed = (s: Statement) => {
    let k = keys.get(s)
    if (k === undefined) keys.set(s, (k = keyedOf(s)))
    return k
  }

  // The same Sid first, in order where a Sid repeats.
  const bySid = new Map<string, Statement[]>()
  const sidKey = (s: Statement) => `${scopeOf(s)}\n${s.sid}`
  for (const b of baseline) if (b.sid !== undefined) listed(bySid, sidKey(b)).push(b)
  for (const t of target) {
    const b = t.sid === undefined ? undefined : bySid.get(sidKey(t))?.shift()
    if (b !== undefined) pair(t, b)
  }

  for (const pass of PASSES) {
    const groups = new Map<string, {before: Statement[]; after: Statement[]}>()
    const group = (s: Statement) => {
      const key = keyOf(keyed(s), pass.free)
      let g = groups.get(key)
      if (g === undefined) groups.set(key, (g = {before: [], after: []}))
      return g
    }
    for (const b of baseline) if (!taken.has(b)) group(b).before.push(b)
    for (const t of target) if (!paired.has(t)) group(t).after.push(t)
    for (const {before, after} of groups.values()) {
      if (before.length === 0 || after.length === 0) continue
      if (pass.values !== undefined)
        for (const {b, t} of byScore(before, after, pass.values, position)) {
          if (!taken.has(b) && !paired.has(t)) pair(t, b)
        }
      if (!pass.leftovers) continue
      const restBefore = before.filter((b) => !taken.has(b))
      for (const [i, t] of after.filter((s) => !paired.has(s)).entries()) {
        if (i >= restBefore.length) break
        pair(t, restBefore[i]!)
      }
    }
  }
  return paired
}

/**
 * The pairs of a group that share a fine or coarse value, the most shared (fine and weak) first,
 * then the most coarse ones, then the nearest in position.
 */
function byScore(
  before: Statement[],
  after: Statement[],
  values: NonNullable<Pass['values']>,
  position: Map<Statement, number>,
): Array<{b: Statement; t: Statement}> {
  // Shared values counted through an index of the baseline side's, not pair by pair. A score is
  // [fine and weak, coarse, fine and coarse] shared.
  const fields = [
    ['fine', [0, 2]],
    ['coarse', [1, 2]],
    ['weak', [0]],
  ] as const
  const indexes = new Map<string, Map<string, Statement[]>>(fields.map(([field]) => [field, new Map()]))
  for (const b of before) {
    const own = values(b)
    for (const [field] of fields)
      for (const v of new Set(own[field] ?? [])) listed(indexes.get(field)!, v).push(b)
  }
  const candidates: Array<{b: Statement; t: Statement; score: number[]}> = []
  for (const t of after) {
    const scores = new Map<Statement, number[]>()
    const own = values(t)
    for (const [field, counts] of fields)
      for (const v of new Set(own[field] ?? [])) {
        const sharing = indexes.get(field)!.get(v) ?? []
        if (sharing.length > TELLING) continue
        for (const b of sharing) {
          const score = scores.get(b) ?? [0, 0, 0]
          for (const at of counts) score[at]!++
          scores.set(b, score)
        }
      }
    for (const [b, score] of scores) if (score[2]! > 0) candidates.push({b, t, score})
  }
  const distance = (c: {b: Statement; t: Statement}) => Math.abs(position.get(c.b)! - position.get(c.t)!)
  return candidates.sort(
    (x, y) =>
      y.score[0]! - x.score[0]! ||
      y.score[1]! - x.score[1]! ||
      distance(x) - distance(y) ||
      position.get(x.t)! - position.get(y.t)!,
  )
}
