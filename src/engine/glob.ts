// Exact reasoning over glob patterns (`*`, `?`) on an infinite universe of strings.
//
// A glob is compiled to a token list; matching is an NFA simulation over token positions.
// `globCells` explores the product of several globs' automata to list every combination of
// "matches / does not match" that some string realises, with an example string for each.
// That is what lets the engine say "this resource is allowed by the target and by no
// baseline pattern" exactly, wildcards included, without enumerating strings.

import {Undecidable} from './undecidable.js'

type Token =
  | {t: 'lit'; c: string}
  /** `?`: exactly one character; in ARN segments it does not cross `:` */
  | {t: 'one'; noColon: boolean}
  /** `*`: any run of characters; in ARN segments it does not cross `:` */
  | {t: 'star'; noColon: boolean}
  /** one character out of a set (case-insensitive literals) */
  | {t: 'class'; chars: string}

export interface Glob {
  /** canonical text, unique per meaning: used to deduplicate leaves */
  key: string
  tokens: Token[]
  /** readable strings that match this glob, tried first when an example is needed */
  samples: string[]
}

/**
 * Characters standing for policy variables such as `${aws:username}`. Only `*` matches them
 * (a variable's value is at least one character, so `?` alone would be an unsound match),
 * and the same variable in another pattern matches it literally. U+E000 and U+E001 are not
 * among them: they delimit the kernel's symbols (values a template leaves unresolved), which
 * are in the same range, so that `?` does not match them either.
 */
const VARIABLE_BASE = 0xe002
const variableNames: string[] = []

export function variableChar(name: string): string {
  let index = variableNames.indexOf(name)
  if (index === -1) {
    index = variableNames.length
    variableNames.push(name)
  }
  return String.fromCharCode(VARIABLE_BASE + index)
}

function isVariableChar(c: string): boolean {
  const code = c.charCodeAt(0)
  return code >= 0xe000 && code < 0xf000
}

/** Turns the private characters of policy variables back into `${name}` for display. */
export function displayString(s: string): string {
  let out = ''
  for (const c of s) {
    const name = isVariableChar(c) ? variableNames[c.charCodeAt(0) - VARIABLE_BASE] : undefined
    out += name === undefined ? c : `\${${name}}`
  }
  return out
}

export interface GlobOptions {
  /** AWS-style: `*` and `?` are wildcards; otherwise the text is literal */
  wildcards: boolean
  /** ARN matching: wildcards in the first five `:`-separated segments do not cross `:` */
  arn?: boolean
  /**
   * With `arn`: each of the first five segments is compared on its own, even where a `*` ends
   * a segment. The Resource element lets such a `*` cross colons (AWS docs); ArnLike and
   * friends check "each of the six colon-delimited components separately", and an account
   * principal is exactly the account segment, so they must not.
   */
  segmentExact?: boolean
  caseInsensitive?: boolean
  /** `${…}` policy variables are recognised (resources, condition values) */
  variables?: boolean
}

// Both sides of a comparison repeat most patterns (a 100k-statement policy with one edit holds
// 200k of them): each is compiled once. Globs are never mutated. Bounded, so long runs stay small.
const compiled = new Map<string, Glob>()
const COMPILED_LIMIT = 1 << 18

export function compileGlob(text: string, options: GlobOptions): Glob {
  const cacheKey = `${options.wildcards ? 'w' : ''}${options.arn ? 'a' : ''}${options.segmentExact ? 'e' : ''}${options.caseInsensitive ? 'i' : ''}${options.variables ? 'v' : ''}:${text}`
  let glob = compiled.get(cacheKey)
  if (glob === undefined) {
    if (compiled.size >= COMPILED_LIMIT) compiled.clear()
    compiled.set(cacheKey, (glob = compileUncached(text, options)))
  }
  return glob
}

function compileUncached(text: string, options: GlobOptions): Glob {
  const tokens: Token[] = []
  let colons = 0
  const segmentAware = options.arn === true && text.startsWith('arn:')
  // Code points, not UTF-16 units: the same unit of "one character" as matching uses.
  const chars = [...text]
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    const noColon = segmentAware && colons < 5
    if (options.variables && c === '$' && chars[i + 1] === '{') {
      const end = chars.indexOf('}', i + 2)
      if (end !== -1) {
        const name = chars.slice(i + 2, end).join('')
        i = end
        // `${*}`, `${?}` and `${$}` are AWS's escapes for the literal characters.
        if (name === '*' || name === '?' || name === '$') tokens.push({t: 'lit', c: name})
        else tokens.push({t: 'lit', c: variableChar(name)})
        continue
      }
    }
    if (options.wildcards && c === '*') {
      // AWS: "if the * wildcard is the last character of a resource ARN segment, it can
      // expand to match beyond the colon boundaries".
      let next = i + 1
      while (chars[next] === '*') next++
      const lastInSegment = next >= chars.length || chars[next] === ':'
      const starNoColon = noColon && (options.segmentExact === true || !lastInSegment)
      // `**` means the same as `*`; keeping one keeps the automaton small.
      const last = tokens.at(-1)
      if (!(last?.t === 'star' && last.noColon === starNoColon))
        tokens.push({t: 'star', noColon: starNoColon})
    } else if (options.wildcards && c === '?') tokens.push({t: 'one', noColon})
    else {
      if (c === ':') colons++
      const lower = c.toLowerCase()
      const upper = c.toUpperCase()
      if (options.caseInsensitive && lower !== upper) tokens.push({t: 'class', chars: lower + upper})
      else tokens.push({t: 'lit', c})
    }
  }
  const key = `${options.caseInsensitive ? 'i' : 's'}${segmentAware ? 'a' : 'p'}:${tokens.map(tokenKey).join('')}`
  return {key, tokens, samples: sampleStrings(tokens, segmentAware)}
}

/** A glob that matches exactly one string. */
export function literalGlob(text: string): Glob {
  return compileGlob(text, {wildcards: false})
}

function tokenKey(token: Token): string {
  switch (token.t) {
    case 'lit':
      return token.c === '\\' || token.c === '*' || token.c === '?' || token.c === '['
        ? `\\${token.c}`
        : token.c
    case 'one':
      return token.noColon ? '\\1' : '?'
    case 'star':
      return token.noColon ? '\\S' : '*'
    case 'class':
      return `[${token.chars}]`
  }
}

/** What a `*` in each ARN segment reads best as: partition, service, region, account. */
const ARN_SEGMENT_FILL = ['arn', 'aws', 'iam', 'us-east-1', '0']

/** Readable instances of a glob: wildcards filled with `example`, nothing, and so on. */
function sampleStrings(tokens: Token[], arn: boolean): string[] {
  const fill = (star: (segment: number, segmentLength: number) => string, one: string) => {
    let segment = 0
    let segmentLength = 0
    let out = ''
    for (const t of tokens) {
      if (t.t === 'lit' && t.c === ':') {
        segment++
        segmentLength = -1
      }
      const piece =
        t.t === 'lit'
          ? t.c
          : t.t === 'class'
            ? t.chars[0]!
            : t.t === 'one'
              ? one
              : star(segment, segmentLength)
      segmentLength += [...piece].length
      out += piece
    }
    return out
  }
  const hasWildcard = tokens.some((t) => t.t === 'star' || t.t === 'one')
  if (!hasWildcard) return [fill(() => '', '')]
  const samples = [fill(() => 'example', 'x'), fill(() => '', 'x'), fill(() => 'x', 'x')]
  if (arn) {
    // An account id has twelve digits: pad a wildcard in that segment with zeros.
    const arnFill = (segment: number, length: number) =>
      segment === 4
        ? '0'.repeat(Math.max(1, 12 - length))
        : segment < 4
          ? ARN_SEGMENT_FILL[segment]!
          : 'example'
    samples.unshift(fill(arnFill, '0'))
  }
  return samples
}

function tokenAccepts(token: Token, c: string): boolean {
  switch (token.t) {
    case 'lit':
      return token.c === c
    case 'class':
      return token.chars.includes(c)
    case 'one':
      return !(token.noColon && c === ':') && !isVariableChar(c)
    case 'star':
      return !(token.noColon && c === ':')
  }
}

/** Positions reachable without consuming input: a star may match the empty string. */
function closure(tokens: Token[], positions: number[]): number[] {
  const out = new Set<number>()
  for (let p of positions) {
    out.add(p)
    while (p < tokens.length && tokens[p]!.t === 'star') out.add(++p)
  }
  return [...out].sort((a, b) => a - b)
}

function step(tokens: Token[], positions: number[], c: string): number[] {
  const next: number[] = []
  for (const p of positions) {
    const token = tokens[p]
    if (token === undefined || !tokenAccepts(token, c)) continue
    next.push(token.t === 'star' ? p : p + 1)
  }
  return next.length === 0 ? next : closure(tokens, next)
}

const VARIABLE_CLASS = '\\uE000-\\uEFFF'
const compiledRegExps = new WeakMap<Glob, RegExp>()

/** Matching one concrete string: a RegExp equivalent to the token list (faster than the NFA). */
export function globMatches(glob: Glob, s: string): boolean {
  let re = compiledRegExps.get(glob)
  if (re === undefined) {
    const escape = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')
    const escapeInClass = (c: string) => c.replace(/[\\\]^-]/g, '\\$&')
    const source = glob.tokens
      .map((t) => {
        switch (t.t) {
          case 'lit':
            return escape(t.c)
          case 'class':
            return `[${[...t.chars].map(escapeInClass).join('')}]`
          case 'one':
            return t.noColon ? `[^:${VARIABLE_CLASS}]` : `[^${VARIABLE_CLASS}]`
          case 'star':
            return t.noColon ? '[^:]*' : '[^]*'
        }
      })
      .join('')
    re = new RegExp(`^${source}$`, 'u')
    compiledRegExps.set(glob, re)
  }
  return re.test(s)
}

/**
 * Whether some string matches both globs. Literal prefixes and suffixes that disagree settle
 * most pairs at once (two resource ARNs of different buckets); the product automaton the rest.
 */
export function globsIntersect(a: Glob, b: Glob): boolean {
  if (a.key === b.key) return true
  const [pa, pb] = [literalEnd(a.tokens), literalEnd(b.tokens)]
  if (!pa.startsWith(pb) && !pb.startsWith(pa)) return false
  const [sa, sb] = [literalEnd([...a.tokens].reverse()), literalEnd([...b.tokens].reverse())]
  if (!sa.startsWith(sb) && !sb.startsWith(sa)) return false
  if (a.samples.some((s) => globMatches(b, s)) || b.samples.some((s) => globMatches(a, s))) return true
  try {
    return globCells([a, b]).some((cell) => cell.matches[0] && cell.matches[1])
  } catch (error) {
    if (error instanceof Undecidable) return true // unknown: assume they may meet
    throw error
  }
}

/** The literal characters at the start of a token list (read reversed, at its end). */
function literalEnd(tokens: Token[]): string {
  let out = ''
  for (const t of tokens) {
    if (t.t !== 'lit') break
    out += t.c
  }
  return out
}

interface GlobCell {
  /** matches[i]: whether the example matches globs[i] */
  matches: boolean[]
  example: string
}

const FRESH_CANDIDATES = 'xyzqjkwvXYZQJKWV0123456789_-~'
/** Upper bound on explored product states: past it the question is declared undecidable. */
const MAX_PRODUCT_STATES = 200_000

/**
 * Every realisable combination of matches over `globs` (including "matches none"), each
 * with an example. Readable examples (from the globs' samples and `extraSamples`) are
 * preferred; the product automaton supplies the rest, so no combination is ever missed.
 */
export function globCells(globs: Glob[], extraSamples: string[] = []): GlobCell[] {
  const cells = new Map<string, GlobCell>()
  const record = (example: string, matches: boolean[]) => {
    const key = signature(matches)
    if (!cells.has(key)) cells.set(key, {matches, example})
  }
  for (const sample of [...extraSamples, ...globs.flatMap((g) => g.samples)]) {
    record(
      sample,
      globs.map((g) => globMatches(g, sample)),
    )
  }
  exploreProduct(globs, record)
  return [...cells.values()]
}

function signature(matches: boolean[]): string {
  return matches.map((m) => (m ? '1' : '0')).join('')
}

/** Breadth-first walk of the product automaton; reports each accepting signature once. */
function exploreProduct(globs: Glob[], record: (example: string, matches: boolean[]) => void): void {
  const used = new Set<string>([':'])
  for (const g of globs)
    for (const t of g.tokens)
      for (const c of t.t === 'lit' ? t.c : t.t === 'class' ? t.chars : '') used.add(c)
  const fresh = [...FRESH_CANDIDATES].find((c) => !used.has(c)) ?? '\u00a7'

  // A state lists, for each glob still alive, its set of positions.
  type State = {live: Array<[number, number[]]>; path: string}
  const start: State = {
    live: globs.map((g, i) => [i, closure(g.tokens, [0])] as [number, number[]]),
    path: '',
  }
  const seen = new Set<string>()
  const stateKey = (s: State) => s.live.map(([i, ps]) => `${i}:${ps.join(',')}`).join(';')
  const queue: State[] = [start]
  seen.add(stateKey(start))
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!
    const matches = globs.map(() => false)
    for (const [i, ps] of state.live) matches[i] = ps.includes(globs[i]!.tokens.length)
    record(state.path, matches)

    // Characters that no live glob names explicitly all behave like `fresh`.
    const alphabet = new Set<string>([':', fresh])
    for (const [i, ps] of state.live) {
      for (const p of ps) {
        const token = globs[i]!.tokens[p]
        if (token?.t === 'lit') alphabet.add(token.c)
        else if (token?.t === 'class') for (const c of token.chars) alphabet.add(c)
      }
    }
    for (const c of alphabet) {
      const live: Array<[number, number[]]> = []
      for (const [i, ps] of state.live) {
        const next = step(globs[i]!.tokens, ps, c)
        if (next.length > 0) live.push([i, next])
      }
      const next: State = {live, path: state.path + c}
      const key = stateKey(next)
      if (seen.has(key)) continue
      seen.add(key)
      if (seen.size > MAX_PRODUCT_STATES) {
        throw new Undecidable(`pattern combination too complex to analyse exactly (${globs.length} patterns)`)
      }
      queue.push(next)
    }
  }
}
