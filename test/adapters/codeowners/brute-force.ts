// An independent, naive evaluator of CODEOWNERS, for the fixture and property tests. It shares no
// code with src/adapters/codeowners/: patterns are matched segment by segment with recursion (the
// adapter builds automata), owners are compared as lower-cased names, and the file GitHub reads is
// looked up in its documented order.
//
// The matching rules, from GitHub's documentation and examples:
// - a leading "/" or a "/" in the middle anchors the pattern at the root; one segment alone (a
//   trailing "/" aside) matches at any depth;
// - a trailing "/" matches what is under the directory; "**" matches any number of directories
//   (at least one name when it ends the pattern); "*" and "?" match within one name;
// - a pattern names a path and everything under it, except that a last segment of exactly "*"
//   names direct children only ("docs/*" does not own docs/a/b.md).

import type {Document} from '../../../src/kernel/types.js'
import type {Oracle} from '../oracle.js'

export interface RuleJson {
  pattern: string
  owners: string[]
}

type Part = {lit: string} | {star: true} | {one: true}
type Segment = {globstar: true} | {lone: true} | {parts: Part[]}

function segmentsOf(pattern: string): Segment[] {
  // Split on unescaped slashes, keeping escapes inside names.
  const raw: Array<Array<{c: string; escaped: boolean}>> = [[]]
  for (let i = 0; i < pattern.length; i++) {
    let c = pattern[i]!
    let escaped = false
    if (c === '\\') {
      c = pattern[++i]!
      escaped = true
    }
    if (c === '/' && !escaped) raw.push([])
    else raw[raw.length - 1]!.push({c, escaped})
  }
  const text = (s: Array<{c: string; escaped: boolean}>) =>
    s.map((u) => (u.escaped ? `\\${u.c}` : u.c)).join('')
  let names = raw.map(text)
  const anchored = names[0] === ''
  const directory = names.length > 1 && names[names.length - 1] === ''
  if (anchored) names = names.slice(1)
  if (directory) names = names.slice(0, -1)
  if (!anchored && names.length === 1 && names[0] !== '**') names = ['**', ...names]
  if (directory) names.push('**')
  return names.map((name): Segment => {
    if (name === '**') return {globstar: true}
    if (name === '*') return {lone: true}
    const parts: Part[] = []
    for (let i = 0; i < name.length; i++) {
      const c = name[i]!
      if (c === '\\') parts.push({lit: name[++i]!})
      else if (c === '*') parts.push({star: true})
      else if (c === '?') parts.push({one: true})
      else parts.push({lit: c})
    }
    return {parts}
  })
}

function nameMatches(parts: Part[], name: string): boolean {
  const go = (p: number, n: number): boolean => {
    if (p === parts.length) return n === name.length
    const part = parts[p]!
    if ('star' in part) {
      for (let k = n; k <= name.length; k++) if (go(p + 1, k)) return true
      return false
    }
    if (n >= name.length) return false
    if ('one' in part) return go(p + 1, n + 1)
    return part.lit === name[n] && go(p + 1, n + 1)
  }
  return go(0, 0)
}

/** Whether `segments` match exactly the names `path` (a "**" at the end takes at least one). */
function listMatches(segments: Segment[], path: string[]): boolean {
  const go = (s: number, n: number): boolean => {
    if (s === segments.length) return n === path.length
    const seg = segments[s]!
    if ('globstar' in seg) {
      const least = s === segments.length - 1 ? 1 : 0
      for (let k = n + least; k <= path.length; k++) if (go(s + 1, k)) return true
      return false
    }
    if (n >= path.length) return false
    if ('lone' in seg) return go(s + 1, n + 1)
    return nameMatches(seg.parts, path[n]!) && go(s + 1, n + 1)
  }
  return go(0, 0)
}

export function patternMatches(pattern: string, path: string): boolean {
  const segments = segmentsOf(pattern)
  const names = path.split('/')
  const last = segments[segments.length - 1]!
  if ('globstar' in last || 'lone' in last) return listMatches(segments, names)
  // The path itself, or any directory above it.
  for (let k = 1; k <= names.length; k++) if (listMatches(segments, names.slice(0, k))) return true
  return false
}

/** The owners GitHub would request for `path`, as lower-cased names (empty: none). */
export function ownersOf(rules: readonly RuleJson[], path: string): string[] {
  let deciding: RuleJson | undefined
  for (const rule of rules) if (patternMatches(rule.pattern, path)) deciding = rule
  return [...new Set((deciding?.owners ?? []).map(normal))].sort()
}

/** The index of the rule that decides `path` (-1: none). */
export function decidingIndex(rules: readonly RuleJson[], path: string): number {
  let index = -1
  rules.forEach((rule, i) => {
    if (patternMatches(rule.pattern, path)) index = i
  })
  return index
}

/** Users and teams are case-insensitive; an email's local part is kept as written. */
export function normal(owner: string): string {
  if (owner.startsWith('@')) return owner.toLowerCase()
  const [local, domain] = owner.split('@')
  return `${local}@${domain!.toLowerCase()}`
}

/** The rules GitHub reads: the first file found, in its documented order. */
export function effectiveRules(files: ReadonlyMap<string, RuleJson[]>): RuleJson[] {
  for (const location of ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'])
    if (files.has(location)) return files.get(location)!
  return []
}

/** Whether `approver`'s review counts for `path` (no owners: anyone's does). */
export function accepted(rules: readonly RuleJson[], path: string, approver: string): boolean {
  const owners = ownersOf(rules, path)
  return owners.length === 0 || owners.includes(normal(approver))
}

/** A widening at `path`: a new accepted approver, or owners lost altogether. */
export function widens(before: readonly RuleJson[], after: readonly RuleJson[], path: string): boolean {
  const [b, a] = [ownersOf(before, path), ownersOf(after, path)]
  if (b.length === 0) return false
  return a.length === 0 || a.some((x) => !b.includes(x))
}

/** Whether a finding's witness holds: allowed by `more` and not by `less`. */
export function witnessDiffers(
  more: readonly RuleJson[],
  less: readonly RuleJson[],
  witness: Record<string, unknown>,
): boolean {
  const path = String(witness.path)
  if (witness.owner === 'no owner')
    return ownersOf(more, path).length === 0 && ownersOf(less, path).length > 0
  const approver = String(witness.approver)
  return accepted(more, path, approver) && !accepted(less, path, approver)
}

/** The rules GitHub reads on one side of a case. */
const rulesOfSide = (docs: Map<string, Document>) =>
  effectiveRules(new Map([...docs].map(([p, d]) => [p, (d.value as {rules: RuleJson[]}).rules])))

/**
 * Fixture cases: small repositories per side (`baseline/`, `target/`), the CODEOWNERS files at
 * their real paths; the target's other files in paths.txt.
 */
export const oracle: Oracle = {
  fixtureFile: () => undefined,
  confirms: async (f, {baseline, target}, context) => {
    const [more, less] = f.change === 'widening' ? [target, baseline] : [baseline, target]
    // A witness said to exist names a real file of the repository.
    const real = f.witness!.exists !== true || (await context.paths!()).includes(String(f.witness!.path))
    return real && witnessDiffers(rulesOfSide(more), rulesOfSide(less), f.witness!)
  },
}
