// IAM Conditions are CEL expressions. This module parses them and turns them into what the
// engine understands: a disjunction of terms, each a conjunction of per-dimension predicates.
//
// Understood exactly: `request.time` compared with `timestamp("RFC 3339")`; `resource.name`,
// `resource.type`, `resource.service`, `request.host`, `request.path` compared with string
// literals (`==`, `!=`) or tested with `startsWith`, `endsWith`, `contains`; `&&`, `||`, `!`,
// parentheses, `true`, `false`. Anything else (`resource.matchTag(…)`, `request.time.getHours(…)`,
// `api.getAttribute(…)`, `in`, regular expressions …) is an *unknown*: an opaque dimension keyed by
// its canonical text, so that the same text on both sides is the same unknown (no change) and a
// different text is a different one (possible widening, with the expression quoted).

import {type AnyLeaf, type GlobLeaf, type NumberLeaf, type OpaqueLeaf} from '../../engine/domains.js'
import {and, type Formula, leaf, not} from '../../engine/formula.js'
import {compileGlob} from '../../engine/glob.js'

/** Request attributes compared as strings. */
export const STRING_ATTRIBUTES = [
  'resource.name',
  'resource.type',
  'resource.service',
  'request.host',
  'request.path',
] as const
/** Request attributes compared as instants (epoch milliseconds). */
export const TIME_ATTRIBUTES = ['request.time'] as const

export const conditionDimension = (attribute: string) => `condition:${attribute}`
const opaqueDimension = (text: string) => `opaque:${text}`

/** One conjunction: a predicate per dimension (condition attributes and unknowns). */
type Term = Map<string, Formula<AnyLeaf>>

export interface CompiledCondition {
  /** the condition holds iff some term holds; `[new Map()]` is "always" */
  terms: Term[]
  /** the unknowns it uses: dimension name → description */
  opaque: Map<string, string>
}

/** Past this many terms, the condition is one unknown as a whole (a guard on the cross product). */
const MAX_TERMS = 64

// --- syntax ---------------------------------------------------------------------------

type Node =
  | {t: 'lit'; value: string | number | boolean | null; text: string}
  | {t: 'ident'; name: string}
  | {t: 'select'; operand: Node; field: string}
  | {t: 'call'; target: Node | null; name: string; args: Node[]}
  | {t: 'index'; operand: Node; index: Node}
  | {t: 'list'; items: Node[]}
  | {t: 'map'; entries: Array<[Node, Node]>}
  | {t: 'unary'; op: '!' | '-'; arg: Node}
  | {t: 'binary'; op: string; left: Node; right: Node}
  | {t: 'cond'; test: Node; then: Node; else: Node}

type Token =
  | {k: 'str'; v: string; text: string}
  | {k: 'num'; v: number; text: string}
  | {k: 'id'; v: string}
  | {k: 'op'; v: string}

class CelSyntaxError extends Error {}

const OPERATORS = [
  '&&',
  '||',
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '!',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '.',
  ',',
  ':',
  '?',
  '+',
  '-',
  '*',
  '/',
  '%',
]

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
      continue
    }
    if (c === '"' || c === "'") {
      if (text.startsWith(c.repeat(3), i)) throw new CelSyntaxError('triple-quoted strings are not supported')
      let value = ''
      let j = i + 1
      for (;;) {
        const d = text[j]
        if (d === undefined || d === '\n') throw new CelSyntaxError('unterminated string')
        if (d === c) break
        if (d === '\\') {
          const e = text[j + 1]
          const simple: Record<string, string> = {
            '\\': '\\',
            '"': '"',
            "'": "'",
            n: '\n',
            t: '\t',
            r: '\r',
            '`': '`',
            '?': '?',
          }
          if (e !== undefined && e in simple) {
            value += simple[e]
            j += 2
            continue
          }
          const unicode = /^u([0-9a-fA-F]{4})/.exec(text.slice(j + 1))
          if (unicode) {
            value += String.fromCharCode(parseInt(unicode[1]!, 16))
            j += 6
            continue
          }
          throw new CelSyntaxError('unsupported escape sequence')
        }
        value += d
        j++
      }
      tokens.push({k: 'str', v: value, text: JSON.stringify(value)})
      i = j + 1
      continue
    }
    const number = /^(\d+\.\d+([eE][+-]?\d+)?|\d+[eE][+-]?\d+|0x[0-9a-fA-F]+|\d+)u?/.exec(text.slice(i))
    if (number) {
      const raw = number[0].replace(/u$/, '')
      tokens.push({k: 'num', v: Number(raw), text: number[0]})
      i += number[0].length
      continue
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))
    if (ident) {
      // r"…" / b"…" literals (raw, bytes) are not supported: the whole condition becomes an unknown.
      if (/^[rRbB]$/.test(ident[0]) && (text[i + 1] === '"' || text[i + 1] === "'"))
        throw new CelSyntaxError('raw and bytes literals are not supported')
      tokens.push({k: 'id', v: ident[0]})
      i += ident[0].length
      continue
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i))
    if (op === undefined) throw new CelSyntaxError(`unexpected character ${JSON.stringify(c)}`)
    tokens.push({k: 'op', v: op})
    i += op.length
  }
  return tokens
}

/** Deepest nesting of parentheses and operators parsed (real conditions stay far below). */
const MAX_DEPTH = 64
const MAX_TOKENS = 2000

class Parser {
  private at = 0
  private depth = 0
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.expr()
    if (this.at !== this.tokens.length) throw new CelSyntaxError('unexpected text after the expression')
    return node
  }

  private peek(): Token | undefined {
    return this.tokens[this.at]
  }

  private isOp(v: string): boolean {
    const t = this.peek()
    return t?.k === 'op' && t.v === v
  }

  private expect(v: string): void {
    if (!this.isOp(v)) throw new CelSyntaxError(`expected ${v}`)
    this.at++
  }

  private expr(): Node {
    // Input is untrusted: deep nesting must not exhaust the stack (the condition then stays an unknown).
    if (++this.depth > MAX_DEPTH) throw new CelSyntaxError('nested too deeply')
    try {
      return this.conditional()
    } finally {
      this.depth--
    }
  }

  private conditional(): Node {
    const test = this.or()
    if (!this.isOp('?')) return test
    this.at++
    const then = this.or()
    this.expect(':')
    return {t: 'cond', test, then, else: this.expr()}
  }

  private or(): Node {
    let left = this.and()
    while (this.isOp('||')) {
      this.at++
      left = {t: 'binary', op: '||', left, right: this.and()}
    }
    return left
  }

  private and(): Node {
    let left = this.relation()
    while (this.isOp('&&')) {
      this.at++
      left = {t: 'binary', op: '&&', left, right: this.relation()}
    }
    return left
  }

  private relation(): Node {
    let left = this.addition()
    for (;;) {
      const t = this.peek()
      const op =
        t?.k === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)
          ? t.v
          : t?.k === 'id' && t.v === 'in'
            ? 'in'
            : undefined
      if (op === undefined) return left
      this.at++
      left = {t: 'binary', op, left, right: this.addition()}
    }
  }

  private addition(): Node {
    let left = this.multiplication()
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.tokens[this.at++] as {v: string}).v
      left = {t: 'binary', op, left, right: this.multiplication()}
    }
    return left
  }

  private multiplication(): Node {
    let left = this.unary()
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = (this.tokens[this.at++] as {v: string}).v
      left = {t: 'binary', op, left, right: this.unary()}
    }
    return left
  }

  private unary(): Node {
    if (this.isOp('!') || this.isOp('-')) {
      const op = (this.tokens[this.at++] as {v: string}).v as '!' | '-'
      if (++this.depth > MAX_DEPTH) throw new CelSyntaxError('nested too deeply')
      try {
        return {t: 'unary', op, arg: this.unary()}
      } finally {
        this.depth--
      }
    }
    return this.member()
  }

  private member(): Node {
    let node = this.primary()
    for (;;) {
      if (this.isOp('.')) {
        this.at++
        const t = this.peek()
        if (t?.k !== 'id') throw new CelSyntaxError('expected a field name after "."')
        this.at++
        if (this.isOp('(')) node = {t: 'call', target: node, name: t.v, args: this.args(')')}
        else node = {t: 'select', operand: node, field: t.v}
      } else if (this.isOp('[')) {
        this.at++
        const index = this.expr()
        this.expect(']')
        node = {t: 'index', operand: node, index}
      } else return node
    }
  }

  private args(close: string): Node[] {
    this.at++
    const args: Node[] = []
    if (this.isOp(close)) {
      this.at++
      return args
    }
    for (;;) {
      args.push(this.expr())
      if (this.isOp(',')) {
        this.at++
        if (this.isOp(close)) break
        continue
      }
      break
    }
    this.expect(close)
    return args
  }

  private primary(): Node {
    const t = this.peek()
    if (t === undefined) throw new CelSyntaxError('unexpected end of expression')
    if (t.k === 'str' || t.k === 'num') {
      this.at++
      return {t: 'lit', value: t.v, text: t.text}
    }
    if (t.k === 'id') {
      this.at++
      if (t.v === 'true' || t.v === 'false') return {t: 'lit', value: t.v === 'true', text: t.v}
      if (t.v === 'null') return {t: 'lit', value: null, text: 'null'}
      if (this.isOp('(')) return {t: 'call', target: null, name: t.v, args: this.args(')')}
      return {t: 'ident', name: t.v}
    }
    if (t.v === '(') {
      this.at++
      const inner = this.expr()
      this.expect(')')
      return inner
    }
    if (t.v === '[') return {t: 'list', items: this.args(']')}
    if (t.v === '{') {
      this.at++
      const entries: Array<[Node, Node]> = []
      while (!this.isOp('}')) {
        const key = this.expr()
        this.expect(':')
        entries.push([key, this.expr()])
        if (this.isOp(',')) this.at++
        else break
      }
      this.expect('}')
      return {t: 'map', entries}
    }
    if (t.v === '.' && this.tokens[this.at + 1]?.k === 'id') {
      this.at++
      return this.primary()
    }
    throw new CelSyntaxError(`unexpected ${t.v}`)
  }
}

/** Canonical text of a node: equal texts mean the same expression (whitespace, quotes, parentheses aside). */
function print(node: Node): string {
  switch (node.t) {
    case 'lit':
      return node.text
    case 'ident':
      return node.name
    case 'select':
      return `${print(node.operand)}.${node.field}`
    case 'call':
      return `${node.target ? `${print(node.target)}.` : ''}${node.name}(${node.args.map(print).join(', ')})`
    case 'index':
      return `${print(node.operand)}[${print(node.index)}]`
    case 'list':
      return `[${node.items.map(print).join(', ')}]`
    case 'map':
      return `{${node.entries.map(([k, v]) => `${print(k)}: ${print(v)}`).join(', ')}}`
    case 'unary':
      return `${node.op}${wrap(node.arg)}`
    case 'binary':
      return `${wrap(node.left)} ${node.op} ${wrap(node.right)}`
    case 'cond':
      return `${wrap(node.test)} ? ${wrap(node.then)} : ${wrap(node.else)}`
  }
}

const wrap = (node: Node) => (node.t === 'binary' || node.t === 'cond' ? `(${print(node)})` : print(node))

// --- meaning --------------------------------------------------------------------------

/** A dotted attribute path (`resource.name`), or undefined. */
function attributePath(node: Node): string | undefined {
  if (node.t === 'ident') return node.name
  if (node.t === 'select') {
    const operand = attributePath(node.operand)
    return operand === undefined ? undefined : `${operand}.${node.field}`
  }
  return undefined
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/** `timestamp("…")` as epoch milliseconds, or undefined. */
function timestampValue(node: Node): number | undefined {
  if (node.t !== 'call' || node.target !== null || node.name !== 'timestamp' || node.args.length !== 1)
    return undefined
  const arg = node.args[0]!
  if (arg.t !== 'lit' || typeof arg.value !== 'string' || !RFC3339.test(arg.value)) return undefined
  const ms = Date.parse(arg.value)
  return Number.isFinite(ms) ? ms : undefined
}

const stringLiteral = (node: Node): string | undefined =>
  node.t === 'lit' && typeof node.value === 'string' ? node.value : undefined

/** Glob text matching exactly `text` (its `*`, `?` and `$` escaped), with `prefix`/`suffix` wildcards around it. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?$]/g, (c) => `\${${c}}`)
}

export function globLeafOf(pattern: string): GlobLeaf {
  const glob = compileGlob(pattern, {wildcards: true, variables: true})
  return {key: `glob:${glob.key}`, type: 'glob', glob}
}

const FLIP: Record<string, string> = {'<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!='}

/** An atomic test the engine understands: a predicate on one condition dimension. */
function interpretAtom(node: Node): {dimension: string; formula: Formula<AnyLeaf>} | undefined {
  if (node.t === 'binary' && node.op in FLIP) {
    let attribute = attributePath(node.left)
    let other = node.right
    let op = node.op
    if (attribute === undefined || !isKnownAttribute(attribute)) {
      attribute = attributePath(node.right)
      other = node.left
      op = FLIP[node.op]!
    }
    if (attribute === undefined) return undefined
    if ((TIME_ATTRIBUTES as readonly string[]).includes(attribute)) {
      const ms = timestampValue(other)
      if (ms === undefined) return undefined
      const cmp = (op === '!=' ? '=' : op === '==' ? '=' : op) as NumberLeaf['cmp']
      const l: NumberLeaf = {key: `num:${cmp}${ms}`, type: 'number', cmp, value: ms}
      return {dimension: conditionDimension(attribute), formula: op === '!=' ? not(leaf(l)) : leaf(l)}
    }
    if ((STRING_ATTRIBUTES as readonly string[]).includes(attribute)) {
      const value = stringLiteral(other)
      if (value === undefined || (op !== '==' && op !== '!=')) return undefined
      const l = leaf(globLeafOf(escapeGlob(value)))
      return {dimension: conditionDimension(attribute), formula: op === '!=' ? not(l) : l}
    }
    return undefined
  }
  if (node.t === 'call' && node.target !== null && node.args.length === 1) {
    const attribute = attributePath(node.target)
    const value = stringLiteral(node.args[0]!)
    if (attribute === undefined || value === undefined) return undefined
    if (!(STRING_ATTRIBUTES as readonly string[]).includes(attribute)) return undefined
    const text = escapeGlob(value)
    const pattern =
      node.name === 'startsWith'
        ? `${text}*`
        : node.name === 'endsWith'
          ? `*${text}`
          : node.name === 'contains'
            ? `*${text}*`
            : undefined
    if (pattern === undefined) return undefined
    return {dimension: conditionDimension(attribute), formula: leaf(globLeafOf(pattern))}
  }
  return undefined
}

const isKnownAttribute = (a: string) =>
  (STRING_ATTRIBUTES as readonly string[]).includes(a) || (TIME_ATTRIBUTES as readonly string[]).includes(a)

class TooBig extends Error {}

/** Disjunctive normal form of `node` (negated when `negate`), over the dimensions' predicates. */
function dnf(node: Node, negate: boolean, opaque: Map<string, string>): Term[] {
  if (node.t === 'lit' && typeof node.value === 'boolean') return node.value !== negate ? [new Map()] : []
  if (node.t === 'unary' && node.op === '!') return dnf(node.arg, !negate, opaque)
  if (node.t === 'binary' && (node.op === '&&' || node.op === '||')) {
    // De Morgan: a negated conjunction is a disjunction of negations, and the reverse.
    const conjunction = (node.op === '&&') !== negate
    const left = dnf(node.left, negate, opaque)
    const right = dnf(node.right, negate, opaque)
    if (!conjunction) return check([...left, ...right])
    const out: Term[] = []
    for (const a of left) {
      for (const b of right) {
        const term: Term = new Map(a)
        for (const [dim, f] of b) term.set(dim, term.has(dim) ? and(term.get(dim)!, f) : f)
        out.push(term)
      }
    }
    return check(out)
  }
  const atom = interpretAtom(node)
  if (atom) return [new Map([[atom.dimension, negate ? not(atom.formula) : atom.formula]])]
  const text = print(node)
  const name = opaqueDimension(text)
  opaque.set(name, `CEL condition \`${shown(text)}\``)
  const l: OpaqueLeaf = {key: name, type: 'opaque', description: `CEL condition \`${shown(text)}\``}
  return [new Map([[name, negate ? not(leaf(l)) : leaf(l)]])]
}

function check(terms: Term[]): Term[] {
  // Terms that are false outright (a `false` literal in a conjunction) are dropped; other
  // unsatisfiable terms are kept, which is harmless: no cell satisfies them.
  const kept = terms.filter((t) => ![...t.values()].some((f) => f.op === 'false'))
  if (kept.length > MAX_TERMS) throw new TooBig()
  return kept
}

/** The meaning of a binding's condition expression, as terms over the engine's dimensions. */
export function compileCondition(expression: string): CompiledCondition {
  const opaque = new Map<string, string>()
  let root: Node
  try {
    const tokens = tokenize(expression)
    // Long chains (`a || b || …`) nest as deeply as they are long: bound them too.
    if (tokens.length > MAX_TOKENS) throw new CelSyntaxError(`longer than ${MAX_TOKENS} tokens`)
    root = new Parser(tokens).parse()
  } catch (error) {
    if (!(error instanceof CelSyntaxError)) throw error
    return whole(expression.trim(), `CEL condition \`${shown(expression.trim())}\` (${error.message})`)
  }
  try {
    return {terms: dnf(root, false, opaque), opaque}
  } catch (error) {
    if (!(error instanceof TooBig)) throw error
    const text = print(root)
    return whole(text, `CEL condition \`${shown(text)}\` (too many combinations to analyse)`)
  }
}

/** Expressions are quoted in reasons; very long ones are cut (their identity is still the whole text). */
const shown = (text: string) => (text.length > 200 ? `${text.slice(0, 199)}…` : text)

function whole(text: string, description: string): CompiledCondition {
  const name = opaqueDimension(text)
  const l: OpaqueLeaf = {key: name, type: 'opaque', description}
  return {terms: [new Map([[name, leaf(l)]])], opaque: new Map([[name, description]])}
}
