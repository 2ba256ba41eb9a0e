// Whether an approval of one CODEOWNERS access covers a finding about another (Adapter.covers).
// A widening's access (compare.ts, groupsAt) names a region of paths and what happens there:
// - owners removed: `{after: rule}` whose rule has no owners, or `{before: rule, unmatchedBy}`
//   where no rule of the file matches any more: the paths the rule's pattern matches and none of
//   the later patterns (nor those of `unmatchedBy`) match are left with no owner;
// - approver added: `{after: rule, approver}`: the approver may now approve that region.
// The later rule wins in CODEOWNERS ("the last matching pattern takes the most precedence"), so
// a region is the rule's pattern minus every later pattern. The finding is covered when it says
// the same thing (no owner, or the same approver) of a region inside the approved one: decided
// exactly with compare.ts's automata search (`regions`), over the two regions written as rules.
// Anything else — the whole file gone (`{file: 'none'}`), a possible widening, a skipped line,
// patterns too complex to compare — is covered only by itself (the caller asks sameAccess).

import {Undecidable} from '../../engine/undecidable.js'
import type {Document, Finding, Witness} from '../../kernel/types.js'
import {examplePaths, isSensitive, regions, sideOf} from './compare.js'
import {compiled, type Rule, rulesOf as rulesIn} from './model.js'
import {literalsFrom, type Nfa, PatternError, step} from './pattern.js'

/** A region of paths: a pattern, less every path a pattern of `minus` matches. */
interface Region {
  pattern: string
  minus: string[]
}

type Claim = {what: 'no owner'; region: Region} | {what: 'approver'; approver: string; region: Region}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')
const keysAre = (v: Record<string, unknown>, keys: string[]) =>
  Object.keys(v).length === keys.length && keys.every((k) => k in v)

/** A rule as ruleAccess records it: its pattern, owners and the patterns after it. */
function ruleOf(v: unknown): {pattern: string; owners: string[]; later: string[]} | undefined {
  if (!isRecord(v) || !keysAre(v, ['later', 'owners', 'pattern'])) return undefined
  const {pattern, owners, later} = v
  return typeof pattern === 'string' && strings(owners) && strings(later)
    ? {pattern, owners, later}
    : undefined
}

/** What a widening's access claims, or undefined for another shape. */
function claimOf(access: unknown): Claim | undefined {
  if (!isRecord(access)) return undefined
  if (keysAre(access, ['after'])) {
    const rule = ruleOf(access.after)
    if (rule === undefined || rule.owners.length > 0) return undefined
    return {what: 'no owner', region: {pattern: rule.pattern, minus: rule.later}}
  }
  if (keysAre(access, ['before', 'unmatchedBy'])) {
    const rule = ruleOf(access.before)
    if (rule === undefined || !strings(access.unmatchedBy)) return undefined
    return {what: 'no owner', region: {pattern: rule.pattern, minus: [...rule.later, ...access.unmatchedBy]}}
  }
  if (keysAre(access, ['after', 'approver'])) {
    const rule = ruleOf(access.after)
    const {approver} = access
    if (rule === undefined || typeof approver !== 'string' || !rule.owners.includes(approver))
      return undefined
    return {what: 'approver', approver, region: {pattern: rule.pattern, minus: rule.later}}
  }
  return undefined
}

/** A region as the rules of a file: its pattern owned by `@inside`, then each pattern it leaves out. */
function rulesOf(region: Region): Rule[] {
  const patterns = [region.pattern, ...region.minus]
  return patterns.map((pattern, index) => {
    const principals = [index === 0 ? '@inside' : '@outside']
    return {index, pattern, owners: principals, principals, compiled: compiled(pattern)}
  })
}

/** Whether every path of `narrow` is a path of `wide`: no path is inside the one and outside the other. */
function within(narrow: Region, wide: Region): boolean {
  try {
    return !regions(rulesOf(wide), rulesOf(narrow)).some((r) => r.lastA === 0 && r.lastB !== 0)
  } catch (error) {
    if (error instanceof Undecidable || error instanceof PatternError) return false
    throw error
  }
}

/** Whether two claims say the same thing (no owner, or the same approver), of any regions. */
const sameClaim = (a: Claim, b: Claim) =>
  a.what === b.what && (a.what !== 'approver' || b.what !== 'approver' || a.approver === b.approver)

export function impliedBy(approved: unknown, access: unknown): boolean {
  const a = claimOf(approved)
  const b = claimOf(access)
  if (a === undefined || b === undefined || !sameClaim(a, b)) return false
  return within(b.region, a.region)
}

/** The paths' automata explored past this many states: no witness (the comparison's stays). */
const MAX_WITNESS_STATES = 20_000

/**
 * A path of the finding's region that no approved region of the same claim (or of no owner, which
 * lets any review count) holds and where the baseline (the rules of the file GitHub read among
 * `baselineDocuments`) did not already say the same: no owner, or the approver's review already
 * counted (no owners, or the approver among them, evaluate.ts). Chosen as the comparison chooses
 * its witness: a real file of the target (`paths`, a sensitive one first), else a readable path
 * the patterns name, else the shortest such path, found breadth first over the product of every
 * pattern's automaton (the finding's, the approved regions', the baseline's): a state fixes which
 * patterns match the path read so far, so every path is judged by its state. `exists` says
 * whether it is a real file when the target's files are known. Undefined when there is none, when
 * the finding or no approval is of a shape covers.ts reads, or past MAX_WITNESS_STATES.
 */
export async function witnessBeyond(
  finding: Finding,
  baselineDocuments: Map<string, Document>,
  approved: readonly unknown[],
  paths?: () => Promise<readonly string[]>,
): Promise<Witness | undefined> {
  const claim = claimOf(finding.access)
  if (claim === undefined || finding.witness === null) return undefined
  const {doc} = sideOf(finding.file, baselineDocuments)
  let baseline: Rule[]
  try {
    baseline = doc === undefined ? [] : rulesIn(doc.value)
  } catch (error) {
    if (error instanceof PatternError || error instanceof TypeError) return undefined
    throw error
  }
  // A region approved to have no owner lets anyone's review count there: an approver's too.
  const same = approved
    .map(claimOf)
    .filter((a): a is Claim => a !== undefined && (a.what === 'no owner' || sameClaim(a, claim)))
  if (same.length === 0) return undefined
  const patterns = [
    ...new Set([
      ...[claim.region, ...same.map((a) => a.region)].flatMap((r) => [r.pattern, ...r.minus]),
      ...baseline.map((r) => r.pattern),
    ]),
  ]
  let nfas: Nfa[]
  try {
    nfas = patterns.map((p) => compiled(p).nfa)
  } catch (error) {
    if (error instanceof PatternError) return undefined
    throw error
  }
  /** Whether the paths `matches` (a pattern's verdict) stands for are beyond the baseline and the approvals. */
  const beyond = (matches: (pattern: string) => boolean) => {
    const holds = (region: Region) => matches(region.pattern) && !region.minus.some(matches)
    const owners = baseline.findLast((r) => matches(r.pattern))?.principals ?? []
    const baselineSays = owners.length === 0 || (claim.what === 'approver' && owners.includes(claim.approver))
    return holds(claim.region) && !same.some((a) => holds(a.region)) && !baselineSays
  }
  const fits = (path: string) => beyond((p) => compiled(p).regex.test(path))
  const witness = (path: string, exists: boolean | undefined): Witness => {
    const out: Witness = {...finding.witness, path}
    if (exists === undefined) delete out.exists
    else out.exists = exists
    return out
  }
  const real = paths === undefined ? undefined : [...(await paths())].sort()
  if (real !== undefined) {
    const found = firstFitting(real, fits)
    if (found !== undefined) return witness(found, true)
  }
  const readable = firstFitting(examplePaths(patterns), fits)
  const path = readable ?? shortestPath(patterns, nfas, beyond)
  return path === undefined ? undefined : witness(path, real === undefined ? undefined : real.includes(path))
}

/** The first path that fits, a sensitive one first. */
function firstFitting(paths: Iterable<string>, fits: (path: string) => boolean): string | undefined {
  let first: string | undefined
  for (const path of paths) {
    if (!fits(path)) continue
    if (isSensitive(path)) return path
    first ??= path
  }
  return first
}

/**
 * The shortest non-empty path (no empty segment) that `beyond` accepts, read breadth first over the
 * product of the patterns' automata; undefined when there is none or past MAX_WITNESS_STATES.
 */
function shortestPath(
  patterns: readonly string[],
  nfas: readonly Nfa[],
  beyond: (matches: (pattern: string) => boolean) => boolean,
): string | undefined {
  const idOf = new Map(patterns.map((p, i) => [p, i]))
  const used = new Set(patterns.flatMap((p) => [...compiled(p).literals]))
  const fresh = [...'xyzqjkwv0123456789_-'].find((c) => !used.has(c)) ?? '\u00a7'
  type State = {path: string; live: Array<[number, number[]]>}
  const validPath = (path: string) => path !== '' && !path.endsWith('/')
  const keyOf = (s: State) =>
    `${validPath(s.path) ? 1 : 0}|${s.live.map(([id, q]) => `${id}:${q.join('.')}`).join(';')}`
  const queue: State[] = [{path: '', live: nfas.map((nfa, id) => [id, nfa.start])}]
  const seen = new Set([keyOf(queue[0]!)])
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!
    // A path is not empty and has no empty segment (as compare.ts's regions).
    const valid = validPath(state.path)
    if (valid) {
      const matched = new Set(state.live.filter(([id, q]) => q.includes(nfas[id]!.accept)).map(([id]) => id))
      if (beyond((p) => matched.has(idOf.get(p)!))) return state.path
    }
    const alphabet = new Set([fresh, ...(valid ? ['/'] : [])])
    for (const [id, q] of state.live) literalsFrom(nfas[id]!, q, alphabet)
    for (const c of alphabet) {
      if (c === '/' && !valid) continue
      const live: Array<[number, number[]]> = []
      for (const [id, q] of state.live) {
        const moved = step(nfas[id]!, q, c)
        if (moved.length > 0) live.push([id, moved])
      }
      const next = {path: state.path + c, live}
      const key = keyOf(next)
      if (seen.has(key)) continue
      seen.add(key)
      if (seen.size > MAX_WITNESS_STATES) return undefined
      queue.push(next)
    }
  }
  return undefined
}
