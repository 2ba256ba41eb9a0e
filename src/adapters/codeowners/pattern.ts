// CODEOWNERS patterns as exact automata over paths.
//
// GitHub documents the syntax as "most of the rules of gitignore", minus `!` negation, `[ ]`
// ranges and `\#` escapes, and its matcher is not published. acldrift follows the documented
// examples and the behaviour of the widely used hmarr/codeowners matcher, which is tested against
// GitHub's: a pattern is split on `/`; a leading `/`, or a `/` in the middle, anchors it at the
// root; a pattern of one segment (trailing `/` aside) matches at any depth; a trailing `/`
// matches everything under a directory; `**` is any number of directories; `*` and `?` never
// cross `/`; a pattern that does not end in `/` also matches everything under the path it names,
// except that a last segment that is exactly `*` (`docs/*`) matches direct children only.
//
// Each pattern becomes an NFA over characters (for the exact search over all paths, in
// compare.ts) and an equivalent RegExp (for concrete paths). Both are built from the same pieces.

/**
 * A pattern acldrift does not read. `ambiguous`: GitHub may read it (its matcher is not published
 * and its documentation is silent), so its meaning is unknown and the file fails closed; else
 * GitHub documents the syntax as invalid or unsupported, and skips the line.
 */
export class PatternError extends Error {
  constructor(
    message: string,
    readonly ambiguous = false,
  ) {
    super(message)
  }
}

type CharClass = {t: 'lit'; c: string} | {t: 'noSlash'} | {t: 'any'}

interface Edge {
  cls: CharClass
  to: number
}

export interface Nfa {
  edges: Edge[][]
  eps: number[][]
  accept: number
  /** the epsilon closure of the start state */
  start: number[]
  /** states from which every continuation matches (an accepting loop on any character) */
  universal: Set<number>
}

export interface CompiledPattern {
  nfa: Nfa
  regex: RegExp
  /** characters the pattern names literally (the rest of the alphabet behaves alike) */
  literals: Set<string>
}

class Builder {
  edges: Edge[][] = [[]]
  eps: number[][] = [[]]
  current = 0
  source = ''
  literals = new Set<string>()

  private state(): number {
    this.edges.push([])
    this.eps.push([])
    return this.edges.length - 1
  }

  char(cls: CharClass): void {
    const next = this.state()
    this.edges[this.current]!.push({cls, to: next})
    this.current = next
    this.source += regexOf(cls)
    if (cls.t === 'lit') this.literals.add(cls.c)
  }

  /** `cls*` (loops on a fresh state, so that no loop is shared with what precedes it) */
  star(cls: CharClass): void {
    const loop = this.state()
    this.eps[this.current]!.push(loop)
    this.edges[loop]!.push({cls, to: loop})
    this.current = loop
    this.source += `${regexOf(cls)}*`
  }

  plus(cls: CharClass): void {
    this.char(cls)
    this.edges[this.current]!.push({cls, to: this.current})
    this.source += '*'
  }

  optional(inner: () => void): void {
    const from = this.current
    const before = this.source
    this.source = ''
    inner()
    const end = this.state()
    this.eps[from]!.push(end)
    this.eps[this.current]!.push(end)
    this.current = end
    this.source = `${before}(?:${this.source})?`
  }
}

function regexOf(cls: CharClass): string {
  if (cls.t === 'noSlash') return '[^/]'
  if (cls.t === 'any') return '[^]'
  return cls.c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')
}

const SLASH: CharClass = {t: 'lit', c: '/'}
const NO_SLASH: CharClass = {t: 'noSlash'}
const ANY: CharClass = {t: 'any'}

interface Unit {
  c: string
  escaped: boolean
}

/** The pattern's characters, escapes resolved (`\x` is a literal x). */
function unitsOf(pattern: string): Unit[] {
  const units: Unit[] = []
  const chars = [...pattern]
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== '\\') {
      units.push({c: chars[i]!, escaped: false})
      continue
    }
    const next = chars[++i]
    if (next === undefined) throw new PatternError('the pattern ends with a lone backslash')
    units.push({c: next, escaped: true})
  }
  return units
}

const isWild = (units: Unit[], text: string) =>
  units.length === text.length && units.every((u, i) => !u.escaped && u.c === text[i])

/** Compiles one pattern, or throws PatternError saying why GitHub would not read it as acldrift does. */
export function compilePattern(pattern: string): CompiledPattern {
  const units = unitsOf(pattern)
  const first = units[0]
  if (first === undefined) throw new PatternError('empty pattern')
  if (first.c === '!')
    throw new PatternError(
      '"!" negation is not supported in CODEOWNERS (GitHub does not read it as gitignore does)',
    )
  for (const u of units) {
    if (u.c === '#')
      throw u.escaped
        ? new PatternError('GitHub does not support escaping "#" in CODEOWNERS')
        : new PatternError(
            '"#" inside a pattern is ambiguous: GitHub may read the rest of the line as a comment',
            true,
          )
    if ((u.c === '[' || u.c === ']') && !u.escaped)
      throw new PatternError(
        '"[ ]" character ranges are not supported in CODEOWNERS (escape as \\[ to match a bracket)',
      )
  }
  for (let i = 0; i + 2 < units.length; i++) {
    if ([0, 1, 2].every((k) => units[i + k]!.c === '*' && !units[i + k]!.escaped))
      throw new PatternError('"***" is not a valid wildcard')
  }

  const segments: Unit[][] = [[]]
  for (const u of units) {
    if (u.c === '/' && !u.escaped) segments.push([])
    else segments.at(-1)!.push(u)
  }
  if (segments[0]!.length === 0) segments.shift()
  else if (segments.length === 1 || (segments.length === 2 && segments[1]!.length === 0)) {
    if (!isWild(segments[0]!, '**')) segments.unshift([...unitsOf('**')])
  }
  if (segments.length > 1 && segments.at(-1)!.length === 0) segments[segments.length - 1] = unitsOf('**')
  if (segments.some((s) => s.length === 0))
    throw pattern === '/'
      ? new PatternError('"/" alone matches no file')
      : new PatternError('an empty path segment ("//") is ambiguous', true)
  if (segments.some((s) => isWild(s, '.') || isWild(s, '..')))
    throw new PatternError('"." and ".." path segments are ambiguous', true)
  if (segments.length > 1 && isWild(segments[0]!, '**') && isWild(segments[1]!, '**'))
    throw new PatternError('a pattern made of "**" segments only is ambiguous (use "*" for every file)', true)

  const b = new Builder()
  const last = segments.length - 1
  let needSlash = false
  segments.forEach((segment, i) => {
    if (isWild(segment, '**')) {
      if (i === 0 && i === last) b.plus(ANY)
      else if (i === 0) {
        b.optional(() => {
          b.plus(ANY)
          b.char(SLASH)
        })
        needSlash = false
      } else if (i === last) {
        b.char(SLASH)
        b.star(ANY)
      } else {
        b.optional(() => {
          b.char(SLASH)
          b.plus(ANY)
        })
        needSlash = true
      }
      return
    }
    if (needSlash) b.char(SLASH)
    needSlash = true
    if (isWild(segment, '*')) {
      // A lone `*` segment is one whole name: `docs/*` matches docs/a.md, not docs/a/b.md.
      b.plus(NO_SLASH)
      return
    }
    for (const u of segment) {
      if (!u.escaped && u.c === '*') b.star(NO_SLASH)
      else if (!u.escaped && u.c === '?') b.char(NO_SLASH)
      else b.char({t: 'lit', c: u.c})
    }
    // A path names itself and everything under it.
    if (i === last)
      b.optional(() => {
        b.char(SLASH)
        b.star(ANY)
      })
  })
  b.literals.add('/')
  const nfa: Nfa = {edges: b.edges, eps: b.eps, accept: b.current, start: [], universal: new Set()}
  nfa.start = closure(nfa, [0])
  nfa.edges.forEach((edges, s) => {
    if (edges.some((e) => e.cls.t === 'any' && e.to === s) && closure(nfa, [s]).includes(nfa.accept))
      nfa.universal.add(s)
  })
  return {nfa, regex: new RegExp(`^${b.source}$`, 'u'), literals: b.literals}
}

/** States reachable without reading a character, sorted. */
function closure(nfa: Nfa, states: Iterable<number>): number[] {
  const out = new Set<number>()
  const stack = [...states]
  for (let s = stack.pop(); s !== undefined; s = stack.pop()) {
    if (out.has(s)) continue
    out.add(s)
    stack.push(...nfa.eps[s]!)
  }
  return [...out].sort((a, b) => a - b)
}

function accepts(cls: CharClass, c: string): boolean {
  return cls.t === 'any' || (cls.t === 'noSlash' ? c !== '/' : cls.c === c)
}

/** The states after reading `c` (empty: the pattern can no longer match). */
export function step(nfa: Nfa, states: readonly number[], c: string): number[] {
  const next: number[] = []
  for (const s of states) for (const e of nfa.edges[s]!) if (accepts(e.cls, c)) next.push(e.to)
  return next.length === 0 ? next : closure(nfa, next)
}

/** Literal characters on the edges leaving `states`. */
export function literalsFrom(nfa: Nfa, states: readonly number[], into: Set<string>): void {
  for (const s of states) for (const e of nfa.edges[s]!) if (e.cls.t === 'lit') into.add(e.cls.c)
}
