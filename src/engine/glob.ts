// Exact reasoning over glob patterns (`*`, `?`) on an infinite universe of strings.
//
// A glob is compiled to a token list; matching is an NFA simulation over token positions.
// `globCells` explores the product of several globs' automata to list every combination of
// "matches / does not match" that some string realises, with an example string for each.
// That is what lets the engine say "this resource is allowed by the target and by no
// baseline pattern" exactly, wildcards included, without enumerating strings.

import {BoundedMap} from '../kernel/bounded.js'
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
  /** whether the text holds a symbol (an unresolved value): see symbolChar */
  symbolic?: boolean
  /** the text and options it was compiled from (a symbol's value is put in there by substituteSymbols) */
  source?: {text: string; options: GlobOptions}
  /**
   * With `arn`, a symbol before the text says it is an ARN (`${BucketArn}/*`): whether AWS reads
   * it segment by segment depends on the symbol's value.
   */
  leadingSymbol?: boolean
}

// --- symbols ------------------------------------------------------------------------------
//
// A symbol is a value the policy text does not give: a policy variable (`${aws:username}`), which
// AWS substitutes per request, or a template's unresolved value (src/kernel/symbols.ts: `!Ref
// Bucket`, `${var.bucket}`), substituted before AWS sees the policy. Inside the engine each is
// one private character (Supplementary Private Use Area-A, which no policy text holds), so that
// a glob and a request value can carry it. Matching it as a character reads the symbol as a
// *generic* value: one that equals no literal of any pattern, holds no `:` and is longer than
// one character (`*` matches it, `?` and literals do not, the same symbol matches itself). That
// is one real value of the symbol, so what holds for it holds for some value; what holds for
// every value is asked with `mustMatch`, what holds for no value with `mayMatch`. A plain
// symbol's values (see PLAIN_TEMPLATE_VALUES) hold no `:`, so a `*` within an ARN segment takes
// in every one of them, and none of them can move the segments that follow.

const SYMBOL_BASE = 0xf0000
const SYMBOL_LIMIT = 0xffffd
// A plain symbol stands for a value known to be a plain word: non-empty, without `:`, `*` or `?`.
// It has a range of its own (Supplementary Private Use Area-B), so that a matcher can tell it by
// its character alone, whenever it was made.
const PLAIN_SYMBOL_BASE = 0x100000
const PLAIN_SYMBOL_LIMIT = 0x10fffd
const symbolNames = new Map<string, string>()
const templateSymbols = new Set<string>()
const symbolChars = new Map<string, string>()
let nextSymbol = SYMBOL_BASE
let nextPlainSymbol = PLAIN_SYMBOL_BASE

// CloudFormation's pseudo parameters ("Get AWS values using pseudo parameters",
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html)
// whose values are plain words: an account id (123456789012), a partition (aws, aws-cn,
// aws-us-gov), a Region (us-west-2), a URL suffix (amazonaws.com, amazonaws.com.cn) and a stack
// name (teststack; letters, digits and hyphens). None is empty or holds `:`, `*` or `?`, so one
// never moves an ARN's segments nor acts as a wildcard. AWS::StackId is an ARN (it holds `:`),
// AWS::NotificationARNs a list of ARNs and AWS::NoValue no value: those stay general symbols.
// Each value has an example from that page, for readable witnesses.
const PLAIN_TEMPLATE_VALUES: ReadonlyMap<string, string> = new Map([
  ['AWS::AccountId', '111122223333'],
  ['AWS::Partition', 'aws'],
  ['AWS::Region', 'us-east-1'],
  ['AWS::URLSuffix', 'amazonaws.com'],
  ['AWS::StackName', 'teststack'],
])
const plainExamples = new Map<string, string>()

/**
 * The character standing for the symbol `id` (`variable:aws:username`, `template:var.bucket`);
 * `name` is how people see it, as `${name}`; `plainExample` (a plain symbol's) a value it may take.
 */
function symbolChar(id: string, name: string, plainExample?: string): string {
  let c = symbolChars.get(id)
  if (c === undefined) {
    const plain = plainExample !== undefined
    const code = plain ? nextPlainSymbol++ : nextSymbol++
    if (code > (plain ? PLAIN_SYMBOL_LIMIT : SYMBOL_LIMIT))
      throw new Undecidable('too many distinct symbols in one run')
    c = String.fromCodePoint(code)
    symbolNames.set(c, name)
    symbolChars.set(id, c)
    if (id.startsWith('template:')) templateSymbols.add(c)
    if (plain) plainExamples.set(c, plainExample)
  }
  return c
}

export function isSymbolChar(c: string): boolean {
  const code = c.codePointAt(0)!
  return (code >= SYMBOL_BASE && code <= SYMBOL_LIMIT) || isPlainSymbol(c)
}

/** Whether a symbol's value is a plain word: non-empty, no `:`, `*` or `?` (see PLAIN_TEMPLATE_VALUES). */
export function isPlainSymbol(c: string): boolean {
  const code = c.codePointAt(0)!
  return code >= PLAIN_SYMBOL_BASE && code <= PLAIN_SYMBOL_LIMIT
}

/** Whether a text may be a plain symbol's value. */
export const isPlainValue = (value: string): boolean => value !== '' && !/[:*?]/.test(value)

/** A plain symbol's example value (`aws` for `${AWS::Partition}`). */
export const plainExample = (c: string): string | undefined => plainExamples.get(c)

/** Whether a symbol stands for a template's value (else for a policy variable). */
export const isTemplateSymbol = (c: string): boolean => templateSymbols.has(c)

/** The symbols a value holds, by the names people see. */
export function symbolNamesIn(s: string): string[] {
  return [...new Set([...s].filter(isSymbolChar).map((c) => symbolNames.get(c)!))]
}

/** Turns the private characters of symbols back into `${name}` for display. */
export function displayString(s: string): string {
  let out = ''
  for (const c of s) out += isSymbolChar(c) ? `\${${symbolNames.get(c)}}` : c
  return out
}

/** A policy variable's character: its key is case-insensitive, its default value (`, 'shared'`) is not. */
export function variableChar(text: string): string {
  const comma = text.indexOf(',')
  const key = (comma === -1 ? text : text.slice(0, comma)).trim().toLowerCase()
  const fallback = comma === -1 ? '' : text.slice(comma).replace(/^,\s*/, ', ')
  return symbolChar(`variable:${key}${fallback}`, text.trim())
}

/** A template symbol's character (its name is case-sensitive, as templates' names are). */
export const templateChar = (name: string): string =>
  symbolChar(`template:${name}`, name, PLAIN_TEMPLATE_VALUES.get(name))

/** The kernel's spelling of a template symbol (src/kernel/symbols.ts): its name between these. */
const TEMPLATE_OPEN = '\uE000'
const TEMPLATE_CLOSE = '\uE001'

export interface GlobOptions {
  /** AWS-style: `*` and `?` are wildcards; otherwise the text is literal */
  wildcards: boolean
  /**
   * ARN matching (IAM's Resource element, the Arn* condition operators, account principals): the
   * text is read segment by segment. Each of the first five `:`-separated segments is matched on
   * its own (wildcards there never cross `:`); the resource part after the fifth colon may hold
   * colons. An ARN cut short by a `*` that ends its last segment (`arn:aws:logs:eu-west-1:*`)
   * has its missing segments read as `*`. See compileUncached for the sources.
   */
  arn?: boolean
  caseInsensitive?: boolean
  /** `${…}` policy variables are recognised (IAM policy version 2012-10-17: resources, condition values) */
  variables?: boolean
}

// Both sides of a comparison repeat most patterns (a 100k-statement policy with one edit holds
// 200k of them): each is compiled once. Globs are never mutated. Bounded, so long runs stay small.
const compiled = new BoundedMap<string, Glob>(1 << 18)

export function compileGlob(text: string, options: GlobOptions): Glob {
  const cacheKey = `${options.wildcards ? 'w' : ''}${options.arn ? 'a' : ''}${options.caseInsensitive ? 'i' : ''}${options.variables ? 'v' : ''}:${text}`
  return compiled.remember(cacheKey, () => compileUncached(text, options))
}

/**
 * The text's characters, each template symbol and (with `variables`) each policy variable as the
 * one character that stands for it; AWS's escapes `${*}`, `${?}`, `${$}` as the literal character,
 * marked so that it is never read as a wildcard.
 */
function readCharacters(text: string, variables: boolean): Array<{c: string; literal?: true}> {
  const chars = [...text]
  const out: Array<{c: string; literal?: true}> = []
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (c === TEMPLATE_OPEN) {
      const end = chars.indexOf(TEMPLATE_CLOSE, i + 1)
      if (end !== -1) {
        out.push({c: templateChar(chars.slice(i + 1, end).join(''))})
        i = end
        continue
      }
    }
    if (variables && c === '$' && chars[i + 1] === '{') {
      const end = chars.indexOf('}', i + 2)
      if (end !== -1) {
        const name = chars.slice(i + 2, end).join('')
        i = end
        if (name === '*' || name === '?' || name === '$') out.push({c: name, literal: true})
        else out.push({c: variableChar(name)})
        continue
      }
    }
    out.push({c})
  }
  return out
}

function compileUncached(text: string, options: GlobOptions): Glob {
  return {
    ...compileCharacters(readCharacters(text, options.variables === true), options),
    source: {text, options},
  }
}

/**
 * The glob with some of its symbols given values: a policy variable's value is literal text (AWS
 * substitutes the request's value as it is), a template symbol's is policy text, whose `*` and
 * `?` AWS then reads as wildcards.
 */
export function substituteSymbols(glob: Glob, values: ReadonlyMap<string, string>): Glob {
  if (!glob.symbolic || glob.source === undefined) return glob
  const {text, options} = glob.source
  const chars = readCharacters(text, options.variables === true).flatMap((char) => {
    const value = values.get(char.c)
    if (value === undefined) return [char]
    return [...value].map((c) => (isTemplateSymbol(char.c) ? {c} : {c, literal: true as const}))
  })
  return compileCharacters(chars, options)
}

function compileCharacters(chars: Array<{c: string; literal?: true}>, options: GlobOptions): Glob {
  const tokens: Token[] = []
  const text = chars.map((c) => c.c).join('')
  const leadingSymbol = options.arn === true && chars.length > 0 && isSymbolChar(chars[0]!.c)
  // IAM User Guide, "IAM JSON policy elements: Resource"
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html):
  // wildcards may be used "within the individual segments of an ARN (the parts separated by
  // colons)", and "if the * wildcard is the last character of a resource ARN segment, it can
  // expand to match beyond the colon boundaries". "Amazon Resource Names (ARNs)"
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html): an ARN is
  // arn:partition:service:region:account-id:resource, and only the resource part may itself
  // hold colons. AWS's own evaluation (Access Analyzer's CheckNoNewAccess labels, and the
  // segment-by-segment matchers of public IAM simulators) reads the two together: a `*` inside
  // the region or account segment matches within that segment only
  // (`arn:aws:lambda:*:function:prod-*:*` has the account "function" and matches no function of
  // any account), and a pattern that stops early at a `*` (`arn:aws:logs:eu-west-1:*`,
  // `arn:aws:ec2:*`) matches whatever the missing segments hold: they are read as `*`.
  // The condition operators say the same of ArnLike: "each of the six colon-delimited
  // components of the ARN is checked separately".
  const segmentAware = options.arn === true && text.startsWith('arn:')
  let colons = 0
  for (let i = 0; i < chars.length; i++) {
    const {c, literal} = chars[i]!
    const noColon = segmentAware && colons < 5
    if (options.wildcards && !literal && c === '*') {
      // `**` means the same as `*`; keeping one keeps the automaton small.
      const last = tokens.at(-1)
      if (!(last?.t === 'star' && last.noColon === noColon)) tokens.push({t: 'star', noColon})
    } else if (options.wildcards && !literal && c === '?') tokens.push({t: 'one', noColon})
    else {
      if (c === ':') colons++
      const lower = c.toLowerCase()
      const upper = c.toUpperCase()
      if (options.caseInsensitive && lower !== upper) tokens.push({t: 'class', chars: lower + upper})
      else tokens.push({t: 'lit', c})
    }
  }
  if (segmentAware && colons < 5 && tokens.at(-1)?.t === 'star') {
    // The short form: the missing segments are `*` (the last one, the resource part, crosses colons).
    for (; colons < 5; colons++) tokens.push({t: 'lit', c: ':'}, {t: 'star', noColon: colons < 4})
  }
  const key = `${options.caseInsensitive ? 'i' : 's'}${segmentAware ? 'a' : leadingSymbol ? 'l' : 'p'}:${tokens.map(tokenKey).join('')}`
  return {
    key,
    tokens,
    samples: sampleStrings(tokens, segmentAware),
    symbolic: tokens.some((t) => t.t === 'lit' && isSymbolChar(t.c)),
    leadingSymbol,
  }
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
        ? '111122223333'.slice(Math.min(Math.max(0, length), 11))
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
      return !(token.noColon && c === ':') && !isSymbolChar(c)
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

const SYMBOL_CLASS = '\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}'
/** The symbols whose values may hold `:` (all but the plain ones). */
const GENERAL_SYMBOL_CLASS = '\\u{F0000}-\\u{FFFFD}'
/**
 * The generic RegExps by glob key: it fixes the tokens, all a generic RegExp depends on, and the
 * same pattern comes back as a new object again and again (a relaxed glob, a witness's request
 * read as a glob). Bounded, for a long audit. A `must` RegExp also reads `leadingSymbol`: by object.
 */
const genericRegExps = new BoundedMap<string, RegExp>(20_000)
const mustRegExps = new WeakMap<Glob, RegExp>()

/**
 * The token list as a RegExp (faster than the NFA for one string). `must`: a symbol of the
 * string is matched only by the same symbol or by a `*` that crosses colons, since its value may
 * hold colons (a plain symbol's never does: any `*` takes it in, no `?` does); and a glob that starts with a symbol reads every `*` as if it might be in an ARN
 * segment, since the value may make it an ARN.
 */
function regExpOf(glob: Glob, must: boolean): RegExp {
  let re = must ? mustRegExps.get(glob) : genericRegExps.get(glob.key)
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
            return t.noColon || (must && glob.leadingSymbol) ? `[^:${SYMBOL_CLASS}]` : `[^${SYMBOL_CLASS}]`
          case 'star':
            if (must && (t.noColon || glob.leadingSymbol)) return `[^:${GENERAL_SYMBOL_CLASS}]*`
            return t.noColon ? '[^:]*' : '[^]*'
        }
      })
      .join('')
    re = new RegExp(`^${source}$`, 'u')
    if (must) mustRegExps.set(glob, re)
    else genericRegExps.set(glob.key, re)
  }
  return re
}

/** Matching one concrete string (its symbols read as generic values: see symbolChar). */
export function globMatches(glob: Glob, s: string): boolean {
  return regExpOf(glob, false).test(s)
}

/**
 * Whether the glob matches the string for every value of the symbols both may hold: the pattern
 * and the request are the same text where they share a symbol, and a `*` that may cross colons
 * takes in whatever a symbol of the request stands for. (A value that holds wildcards reads as a
 * pattern that matches its own text.) False means "not for every value", not "for none".
 */
export function mustMatch(glob: Glob, s: string): boolean {
  if (!glob.symbolic && ![...s].some(isSymbolChar)) return globMatches(glob, s)
  return regExpOf(glob, true).test(s)
}

/**
 * Whether the glob may match the string for some value of the symbols (an over-approximation:
 * false means "for no value"). Each symbol, in the pattern and in the string, is read as any
 * run of characters (a plain one: of at least one character, no `:`), and, when a symbol may hold
 * colons, every `*` of the pattern as crossing them, since such a value moves the segments that
 * follow it.
 */
export function mayMatch(glob: Glob, s: string): boolean {
  const chars = [...s]
  if (!glob.symbolic && !chars.some(isSymbolChar)) return globMatches(glob, s)
  if (!charactersSuffice(glob.tokens, chars)) return false
  const crossing = holdsGeneralSymbol(glob.tokens) || chars.some(isGeneralSymbol)
  const relaxed = relaxedTokens(glob.tokens, crossing)
  const request: Token[] = chars.flatMap((c) => (isSymbolChar(c) ? symbolAsTokens(c) : [{t: 'lit', c}]))
  const asGlob = (tokens: Token[]): Glob => ({
    key: `relaxed:${tokens.map(tokenKey).join('')}`,
    tokens,
    samples: [],
    symbolic: false,
    leadingSymbol: false,
  })
  return globsIntersect(asGlob(relaxed), asGlob(request))
}

/**
 * A condition every match meets, whatever the symbols' values: each literal character of the
 * pattern is matched by the same character of the string, one each (a wildcard never stands for
 * a literal). A symbol's value brings the same characters to the pattern (those that are not
 * wildcards) and to the string, so a symbol both hold as often cancels out, and only one the
 * string holds more often can bring what the pattern asks for beyond the string's own
 * characters (a plain one: any character but `:`). `${X}/reports/*` thus matches `${X}/x` for
 * no value of X: the pattern needs an `r` and an `s` the string has not, whatever X is.
 */
function charactersSuffice(tokens: Token[], chars: string[]): boolean {
  const need = new Map<string, number>()
  const extra = new Map<string, number>()
  const add = (map: Map<string, number>, c: string, n: number) => map.set(c, (map.get(c) ?? 0) + n)
  for (const t of tokens)
    if (t.t === 'lit') add(isSymbolChar(t.c) ? extra : need, t.c, isSymbolChar(t.c) ? -1 : 1)
  for (const c of chars) add(isSymbolChar(c) ? extra : need, c, isSymbolChar(c) ? 1 : -1)
  const suppliers = [...extra].filter(([, n]) => n > 0).map(([c]) => c)
  return [...need].every(
    ([c, n]) => n <= 0 || suppliers.some((symbol) => !isPlainSymbol(symbol) || isPlainValue(c)),
  )
}

const isGeneralSymbol = (c: string) => isSymbolChar(c) && !isPlainSymbol(c)
const holdsGeneralSymbol = (tokens: Token[]) => tokens.some((t) => t.t === 'lit' && isGeneralSymbol(t.c))

/** A symbol as the values it may take: any run, or a plain symbol's non-empty run without `:`. */
function symbolAsTokens(c: string): Token[] {
  return isPlainSymbol(c)
    ? [
        {t: 'one', noColon: true},
        {t: 'star', noColon: true},
      ]
    : [{t: 'star', noColon: false}]
}

/** The tokens with each symbol as the values it may take, and (`crossing`) every wildcard free to cross colons. */
function relaxedTokens(tokens: Token[], crossing: boolean): Token[] {
  return tokens.flatMap((t): Token[] => {
    if (t.t === 'lit' && isSymbolChar(t.c)) return symbolAsTokens(t.c)
    if (crossing && (t.t === 'star' || t.t === 'one')) return [{...t, noColon: false}]
    return [t]
  })
}

/**
 * The glob with each symbol read as "any value": a `*` that crosses colons, every other wildcard
 * crossing too (a plain symbol: a non-empty run without `:`, the wildcards as they are, unless
 * another symbol may hold colons). It matches every string the glob matches for some value of
 * its symbols.
 */
export function relaxedGlob(glob: Glob): Glob {
  if (!glob.symbolic && !glob.leadingSymbol) return glob
  const tokens = relaxedTokens(glob.tokens, glob.leadingSymbol === true || holdsGeneralSymbol(glob.tokens))
  return {
    key: `relaxed:${tokens.map(tokenKey).join('')}`,
    tokens,
    samples: glob.samples.map((s) =>
      [...s].map((c) => (isSymbolChar(c) ? (plainExamples.get(c) ?? '') : c)).join(''),
    ),
    symbolic: false,
    leadingSymbol: false,
  }
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
  /** matches[i]: whether the example matches globs[i] (with unionCells, the group groups[i]) */
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
export function globCells(
  globs: Glob[],
  extraSamples: string[] = [],
  /** the cap on explored states (tests lower it to reach the cut-off quickly) */
  maxStates = MAX_PRODUCT_STATES,
): GlobCell[] {
  return unionCells(
    globs.map((g) => [g]),
    extraSamples,
    maxStates,
  )
}

/**
 * globCells over groups of globs, each read as their union: a string matches a group when it
 * matches one of its globs. A rule that lists 45 resource patterns asks only whether a resource
 * is one of them, and the combinations of its patterns (up to 2^45 of them, each a cell when the
 * patterns are leaves of their own) are not told apart: the cells are those of the rules, not of
 * their patterns.
 */
export function unionCells(
  groups: Glob[][],
  extraSamples: string[] = [],
  maxStates = MAX_PRODUCT_STATES,
): GlobCell[] {
  const cells = new Map<string, GlobCell>()
  const record = (example: string, matches: boolean[]) => {
    const key = signature(matches)
    if (!cells.has(key)) cells.set(key, {matches, example})
  }
  const matchesOf = (s: string) => groups.map((group) => group.some((g) => globMatches(g, s)))
  for (const sample of [...extraSamples, ...groups.flatMap((group) => group.flatMap((g) => g.samples))])
    record(sample, matchesOf(sample))
  // One group (a family of one rule, the search's usual question in a rewrite): it matches some
  // string and, unless it holds `*`, misses some; the walk below would find the empty string
  // first. Where the samples and the empty string show both, nothing is left to find.
  if (groups.length === 1) {
    const universal = groups[0]!.some(isUniversal)
    if (!cells.has('0') && !universal) record('', matchesOf(''))
    if (cells.has('1') && (cells.has('0') || universal)) return [...cells.values()]
  }
  for (const [example, matches] of walked(groups, maxStates)) record(example, matches)
  return [...cells.values()]
}

/**
 * The walks already made, by their groups' keys and state cap: a walk depends on nothing else (a
 * glob's key fixes its tokens), and the searches ask again for the same groups with other samples
 * (each string domain's, the witness's). Each holds the walk's first example of every signature,
 * in the walk's order (what `record` keeps of it), or why it was given up. Bounded, for long runs.
 */
const walks = new BoundedMap<string, Array<[string, boolean[]]> | Undecidable>(2000)

function walked(groups: Glob[][], maxStates: number): Array<[string, boolean[]]> {
  const key = JSON.stringify([maxStates, groups.map((group) => group.map((g) => g.key))])
  const found = walks.remember(key, () => {
    const firsts: Array<[string, boolean[]]> = []
    try {
      exploreProduct(groups, (example, matches) => firsts.push([example, matches]), maxStates)
      return firsts
    } catch (error) {
      if (!(error instanceof Undecidable)) throw error
      return error
    }
  })
  if (found instanceof Undecidable) throw found
  return found
}

/** Whether a glob matches every string: a lone `*` that crosses colons. */
export const isUniversal = (glob: Glob) =>
  glob.tokens.length === 1 && glob.tokens[0]!.t === 'star' && !glob.tokens[0]!.noColon

function signature(matches: boolean[]): string {
  return matches.map((m) => (m ? '1' : '0')).join('')
}

/**
 * The remaining tokens of the globs, each a number: a glob at one position and another at a
 * position whose remaining tokens are the same match the same continuations, so a group's state
 * is the set of its remaining suffixes, not of its globs' positions. A suffix of stars only, the
 * first of which crosses colons, matches every continuation: a group that reaches one matches
 * whatever follows, and its other suffixes no longer count.
 */
class Suffixes {
  private readonly ids = new Map<string, number>()
  /** per suffix, a glob and position it stands for */
  readonly at: Array<[Token[], number]> = []
  readonly universal: boolean[] = []
  private readonly steps: Array<Map<string, number[]>> = []

  /** The ids of each position of `tokens`. */
  of(tokens: Token[]): number[] {
    const out = Array<number>(tokens.length + 1)
    let key = ''
    for (let p = tokens.length; p >= 0; p--) {
      if (p < tokens.length) key = tokenKey(tokens[p]!) + key
      let id = this.ids.get(key)
      if (id === undefined) {
        id = this.at.length
        this.ids.set(key, id)
        this.at.push([tokens, p])
        const rest = tokens.slice(p)
        // Its first star crosses colons: a step is read from the suffix's first token alone, so
        // one whose crossing star comes later (`\S*` then `*`, as a relaxed symbol gives) would
        // stand for a set that no longer takes `:`.
        this.universal.push(
          rest.length > 0 && rest.every((t) => t.t === 'star') && rest[0]!.t === 'star' && !rest[0]!.noColon,
        )
        this.steps.push(new Map())
      }
      out[p] = id
    }
    return out
  }

  /** The suffixes after reading `c` from suffix `id` (closed under skipping stars). */
  step(id: number, c: string, idsOf: (tokens: Token[]) => number[]): number[] {
    let next = this.steps[id]!.get(c)
    if (next === undefined) {
      const [tokens, p] = this.at[id]!
      const positions = idsOf(tokens)
      next = step(tokens, [p], c).map((q) => positions[q]!)
      this.steps[id]!.set(c, next)
    }
    return next
  }
}

/**
 * The product states explored since the count was last reset, over every walk: what a
 * comparison's pattern reasoning cost, whatever the machine (tests bound it where a wall clock
 * would be flaky).
 */
export const productEffort = {states: 0}

/** Breadth-first walk of the product automaton; reports each signature once, with its first example. */
function exploreProduct(
  groups: Glob[][],
  record: (example: string, matches: boolean[]) => void,
  maxStates: number,
): void {
  const used = new Set<string>([':'])
  for (const group of groups)
    for (const g of group)
      for (const t of g.tokens)
        for (const c of t.t === 'lit' ? t.c : t.t === 'class' ? t.chars : '') used.add(c)
  const fresh = [...FRESH_CANDIDATES].find((c) => !used.has(c)) ?? '\u00a7'

  const suffixes = new Suffixes()
  const positionIds = new Map<Token[], number[]>()
  const idsOf = (tokens: Token[]) => {
    let ids = positionIds.get(tokens)
    if (ids === undefined) positionIds.set(tokens, (ids = suffixes.of(tokens)))
    return ids
  }
  const end = idsOf([])[0]!
  /** A group's suffixes, sorted, or only the universal one and the end when it holds one. */
  const normal = (ids: Iterable<number>): number[] => {
    const set = [...new Set(ids)]
    const universal = set.find((id) => suffixes.universal[id])
    return universal === undefined ? set.sort((a, b) => a - b) : [universal, end].sort((a, b) => a - b)
  }

  // A group's set of suffixes, numbered: product states share them, and what a set does (its
  // step on each character, whether it accepts, which characters it names) is worked out once.
  const setIds = new Map<string, number>()
  const sets: Array<{ids: number[]; accepts: boolean; names: string[]; steps: Map<string, number>}> = []
  const intern = (ids: number[]): number => {
    const key = ids.join(',')
    let n = setIds.get(key)
    if (n === undefined) {
      n = sets.length
      setIds.set(key, n)
      const names: string[] = []
      for (const id of ids) {
        const [tokens, p] = suffixes.at[id]!
        const token = tokens[p]
        if (token?.t === 'lit') names.push(token.c)
        else if (token?.t === 'class') names.push(...token.chars)
      }
      sets.push({ids, accepts: ids.includes(end), names, steps: new Map()})
    }
    return n
  }
  /** The set after reading `c`, or -1 when no suffix takes it. */
  const stepSet = (n: number, c: string): number => {
    const set = sets[n]!
    let next = set.steps.get(c)
    if (next === undefined) {
      const ids = set.ids.flatMap((id) => suffixes.step(id, c, idsOf))
      next = ids.length === 0 ? -1 : intern(normal(ids))
      set.steps.set(c, next)
    }
    return next
  }

  // A state lists, for each group still alive, its set of suffixes.
  type State = {live: Array<[number, number]>; path: string}
  const start: State = {
    live: groups.map((group, i) => {
      const ids = group.flatMap((g) => closure(g.tokens, [0]).map((p) => idsOf(g.tokens)[p]!))
      return [i, intern(normal(ids))] as [number, number]
    }),
    path: '',
  }
  const seen = new Set<string>()
  const stateKey = (live: Array<[number, number]>) => {
    let key = ''
    for (const [i, n] of live) key += `${i}:${n};`
    return key
  }
  // The signatures met so far: a state's is read from its live sets (a bit per group while they
  // fit a number), and only a new one is reported, with the matches spelled out.
  const reported = new Set<number | string>()
  const queue: State[] = [start]
  seen.add(stateKey(start.live))
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!
    let signature: number | string = groups.length <= 30 ? 0 : ''
    for (const [i, n] of state.live)
      if (sets[n]!.accepts)
        signature = typeof signature === 'number' ? signature | (1 << i) : `${signature}${i},`
    if (!reported.has(signature)) {
      reported.add(signature)
      const matches = groups.map(() => false)
      for (const [i, n] of state.live) matches[i] = sets[n]!.accepts
      record(state.path, matches)
    }

    // Characters that no live glob names explicitly all behave like `fresh`.
    const alphabet = new Set<string>([':', fresh])
    for (const [, n] of state.live) for (const c of sets[n]!.names) alphabet.add(c)
    for (const c of alphabet) {
      const live: Array<[number, number]> = []
      for (const [i, n] of state.live) {
        const next = stepSet(n, c)
        if (next >= 0) live.push([i, next])
      }
      const key = stateKey(live)
      if (seen.has(key)) continue
      seen.add(key)
      productEffort.states++
      if (seen.size > maxStates) {
        const patterns = groups.reduce((n, group) => n + group.length, 0)
        throw new Undecidable(`pattern combination too complex to analyse exactly (${patterns} patterns)`)
      }
      queue.push({live, path: state.path + c})
    }
  }
}
