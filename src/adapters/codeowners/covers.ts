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
import {regions} from './compare.js'
import {compiled, type Rule} from './model.js'
import {PatternError} from './pattern.js'

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

export function impliedBy(approved: unknown, access: unknown): boolean {
  const a = claimOf(approved)
  const b = claimOf(access)
  if (a === undefined || b === undefined || a.what !== b.what) return false
  if (a.what === 'approver' && b.what === 'approver' && a.approver !== b.approver) return false
  return within(b.region, a.region)
}
