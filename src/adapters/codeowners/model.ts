// The access model of CODEOWNERS: which file GitHub reads, and who may approve a change to a path.
//
// GitHub reads one file: the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS that exists
// ("GitHub will search for them in that order and use the first one it finds"). In it, the last
// rule whose pattern matches a path decides the path's owners; a rule without owners, or no rule,
// leaves the path without owners: no code-owner review is required, anyone's approval counts.
// Owners are principals compared by name: users and teams case-insensitively (as GitHub treats
// them), emails by their exact local part. A team's members are not known offline.

import {isLocation, LOCATIONS} from './locations.js'
import {type CompiledPattern, compilePattern} from './pattern.js'

/** The witness value for a path that needs no code-owner review. */
export const NO_OWNER = 'no owner'

const USER = /^@[A-Za-z0-9][A-Za-z0-9_-]*$/
const TEAM = /^@[A-Za-z0-9][A-Za-z0-9_-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/

/** Why an owner is not one GitHub accepts (undefined: it is valid). */
export function invalidOwner(owner: string): string | undefined {
  if (USER.test(owner) || TEAM.test(owner) || EMAIL.test(owner)) return undefined
  return `invalid owner "${owner}": expected @user, @org/team or an email address`
}

export const isTeam = (owner: string) => TEAM.test(owner)

/** The principal an owner names: the key owners are compared by. */
export function principal(owner: string): string {
  if (owner.startsWith('@')) return owner.toLowerCase()
  const at = owner.lastIndexOf('@')
  return owner.slice(0, at) + owner.slice(at).toLowerCase()
}

export interface Rule {
  index: number
  pattern: string
  owners: string[]
  /** owners as principals, deduplicated */
  principals: string[]
  compiled: CompiledPattern
}

const compiledCache = new Map<string, CompiledPattern>()

/** Compiled once per pattern text (patterns repeat across versions and sides). Throws PatternError. */
export function compiled(pattern: string): CompiledPattern {
  let c = compiledCache.get(pattern)
  if (c === undefined) {
    c = compilePattern(pattern)
    if (compiledCache.size > 10_000) compiledCache.clear()
    compiledCache.set(pattern, c)
  }
  return c
}

/** The rules of a parsed file; throws (TypeError, PatternError) on a value that is not one. */
export function rulesOf(value: unknown): Rule[] {
  const rules = (value as {rules: unknown}).rules
  if (!Array.isArray(rules)) throw new TypeError('not a CODEOWNERS value')
  return rules.map((r: {pattern: unknown; owners: unknown}, index) => {
    if (typeof r.pattern !== 'string' || !Array.isArray(r.owners)) throw new TypeError('not a rule')
    const owners = r.owners.map(String)
    return {
      index,
      pattern: r.pattern,
      owners,
      principals: [...new Set(owners.map(principal))],
      compiled: compiled(r.pattern),
    }
  })
}

/**
 * The literal text every path a pattern matches starts with: for anchored patterns (a leading `/`
 * or a `/` in the middle), up to the first wildcard or escape. Empty for patterns that match at
 * any depth.
 */
function literalPrefix(pattern: string): string {
  const body = pattern.startsWith('/') ? pattern.slice(1) : pattern
  if (!pattern.startsWith('/') && !body.replace(/\/$/, '').includes('/')) return ''
  const end = body.search(/[*?\\]/)
  return end === -1 ? body : body.slice(0, end)
}

interface RuleIndex {
  /** rules that may match any path */
  anywhere: Rule[]
  /** anchored rules by their literal prefix */
  byPrefix: Map<string, Rule[]>
}

const indexes = new WeakMap<readonly Rule[], RuleIndex>()

function indexOf(rules: readonly Rule[]): RuleIndex {
  let index = indexes.get(rules)
  if (index === undefined) {
    index = {anywhere: [], byPrefix: new Map()}
    for (const rule of rules) {
      const prefix = literalPrefix(rule.pattern)
      if (prefix === '') index.anywhere.push(rule)
      else index.byPrefix.set(prefix, [...(index.byPrefix.get(prefix) ?? []), rule])
    }
    indexes.set(rules, index)
  }
  return index
}

/** The rule that decides a path's owners: the last one that matches it. */
export function decidingRule(rules: readonly Rule[], path: string): Rule | undefined {
  const {anywhere, byPrefix} = indexOf(rules)
  let best: Rule | undefined
  const consider = (candidates: readonly Rule[]) => {
    for (let i = candidates.length - 1; i >= 0; i--) {
      const rule = candidates[i]!
      if (best !== undefined && rule.index <= best.index) return
      if (rule.compiled.regex.test(path)) {
        best = rule
        return
      }
    }
  }
  consider(anywhere)
  for (let k = 1; k <= path.length; k++) {
    const candidates = byPrefix.get(path.slice(0, k))
    if (candidates !== undefined) consider(candidates)
  }
  return best
}

/**
 * The file GitHub reads among `paths` (documents of the kind). A file outside the three
 * locations (a config may name one) is read on its own: it is its own effective file.
 */
export function effectiveFile(file: string, present: (path: string) => boolean): string | undefined {
  if (!isLocation(file)) return present(file) ? file : undefined
  return LOCATIONS.find(present)
}
