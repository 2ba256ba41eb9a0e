// The Framework's variables (`${self:custom.bucket}`, `${opt:stage, 'dev'}`, `${aws:accountId}`),
// resolved as far as the file decides them: `self:` references within the file are followed;
// a variable with a fallback the file gives is read as its fallback, and a note says so; what
// only the deployment knows (`opt:`, `env:`, `ssm:`, `file(…)` …) stays a symbol; the account
// and region are the same symbols as CloudFormation's pseudo parameters. `${aws:username}` and
// the other IAM policy variables are left for IAM.
// https://www.serverless.com/framework/docs/guides/variables

import {symbol} from '../../kernel/symbols.js'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Deepest chain of `self:` references followed (a reference to itself is an unknown). */
const MAX_DEPTH = 10

type Part = string | {expression: Part[]}

/** `a${x, ${y}}b` as its literal pieces and (nested) variable expressions. */
function parseParts(text: string): Part[] {
  const stack: Part[][] = [[]]
  let literal = ''
  const flush = () => {
    if (literal !== '') stack.at(-1)!.push(literal)
    literal = ''
  }
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      flush()
      stack.push([])
      i++
    } else if (text[i] === '}' && stack.length > 1) {
      flush()
      const expression = stack.pop()!
      stack.at(-1)!.push({expression})
    } else literal += text[i]
  }
  // An unclosed `${`: its text is literal.
  while (stack.length > 1) {
    const open = stack.pop()!
    literal = `\${${open.map((p) => (typeof p === 'string' ? p : '')).join('')}${literal}`
  }
  flush()
  return stack[0]!
}

/** Splits `a, 'b, c', d` at the commas outside quotes and parentheses. */
function splitTopLevel(text: string): string[] {
  const out: string[] = []
  let depth = 0
  let quote: string | undefined
  let current = ''
  for (const c of text) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined
    } else if (c === "'" || c === '"') quote = c
    else if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === ',' && depth === 0) {
      out.push(current.trim())
      current = ''
      continue
    }
    current += c
  }
  out.push(current.trim())
  return out
}

const UNKNOWN = Symbol('unknown')

export class VariableResolver {
  /** variables read as their fallbacks: the text → the value read */
  readonly assumed = new Map<string, unknown>()

  constructor(private readonly root: unknown) {}

  /** A copy of `value` with every variable in its strings resolved. */
  resolve(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.resolveText(value, depth)
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, depth))
    if (isObject(value)) {
      const out: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(value))
        Object.defineProperty(out, key, {
          value: this.resolve(item, depth),
          writable: true,
          enumerable: true,
          configurable: true,
        })
      return out
    }
    return value
  }

  private resolveText(text: string, depth: number): unknown {
    if (!text.includes('${')) return text
    const parts = parseParts(text)
    // A string that is one variable takes the variable's value, whatever its type.
    if (parts.length === 1 && typeof parts[0] !== 'string')
      return this.expression(parts[0]!.expression, depth)
    return parts
      .map((part) => (typeof part === 'string' ? part : this.asText(this.expression(part.expression, depth))))
      .join('')
  }

  private asText(value: unknown): string {
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : symbol(JSON.stringify(value) ?? 'undefined')
  }

  /** One `${…}`: its references in order, the first the file decides winning. */
  private expression(parts: Part[], depth: number): unknown {
    const text = parts
      .map((part) => (typeof part === 'string' ? part : this.asText(this.expression(part.expression, depth))))
      .join('')
    const [primary, ...fallbacks] = splitTopLevel(text)
    // An IAM policy variable, such as `${aws:username}`, is IAM's to substitute.
    if (fallbacks.length === 0 && /^aws:/.test(primary!) && !/^aws:(accountId|region)$/.test(primary!))
      return `\${${primary}}`
    // `sls:stage` is the stage option, else the provider's stage, else dev.
    const references = [primary!, ...fallbacks].flatMap((r) =>
      r === 'sls:stage' ? ['opt:stage', 'self:provider.stage', "'dev'"] : [r],
    )
    for (const [index, reference] of references.entries()) {
      const value = this.reference(reference, depth)
      if (value === UNKNOWN) continue
      if (index > 0) this.assumed.set(`\${${text}}`, value)
      return value
    }
    return symbol(primary!)
  }

  private reference(reference: string, depth: number): unknown {
    const quoted = /^(['"])(.*)\1$/s.exec(reference)
    if (quoted) return quoted[2]
    if (/^-?\d+(\.\d+)?$/.test(reference)) return Number(reference)
    if (reference === 'aws:accountId') return symbol('AWS::AccountId')
    if (reference === 'aws:region') return symbol('AWS::Region')
    const self = /^self:(.*)$/.exec(reference)
    if (self === null || depth >= MAX_DEPTH) return UNKNOWN
    let value: unknown = this.root
    for (const key of self[1]!.split('.').filter(Boolean)) {
      if (!isObject(value) || !Object.hasOwn(value, key)) return UNKNOWN
      value = value[key]
    }
    return this.resolve(value, depth + 1)
  }
}
