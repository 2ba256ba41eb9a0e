// IAM condition operators as constraints on the request context.
//
// Each operator becomes a formula over leaves of one context key's domain. The semantics
// follow AWS's evaluation logic: several values of one key are ORed (negated operators:
// none may match), several keys and operators are ANDed; a missing key fails a positive
// operator and satisfies a negated one; `…IfExists` makes a missing key pass;
// ForAnyValue / ForAllValues quantify over a multi-valued key (empty = missing).

import {
  type AnyLeaf,
  type IpLeaf,
  type NumberLeaf,
  type SetLeaf,
  type ValueLeaf,
  PRESENT,
} from '../../engine/domains.js'
import {and, FALSE, type Formula, leaf, not, or} from '../../engine/formula.js'
import {compileGlob} from '../../engine/glob.js'
import {hasSymbol} from '../../kernel/symbols.js'

export type Family = 'string' | 'number' | 'date' | 'ip'

interface OperatorSpec {
  family: Family | 'null'
  negated: boolean
  /**
   * builds the leaf for one condition value (`variables`: the policy's Version substitutes
   * policy variables); undefined when the value cannot be interpreted
   */
  leaf?: (value: string, variables: boolean) => ValueLeaf | undefined
}

/** A string operator's value: a glob, whose policy variables and template values are symbols. */
const stringLeaf =
  (wildcards: boolean, caseInsensitive = false, arn = false) =>
  (value: string, variables: boolean): ValueLeaf | undefined => {
    const glob = compileGlob(value, {wildcards, caseInsensitive, arn, variables})
    return {key: `glob:${glob.key}`, type: 'glob', glob}
  }

/** A value that depends on the request (a policy variable) or on a template: not a number or a date here. */
const symbolic = (value: string, variables: boolean) =>
  hasSymbol(value) || (variables && value.includes('${'))

const numberLeaf =
  (cmp: NumberLeaf['cmp'], parse: (v: string) => number) =>
  (value: string, variables: boolean): NumberLeaf | undefined => {
    const n = symbolic(value, variables) ? NaN : parse(value)
    return Number.isFinite(n) ? {key: `num:${cmp}${n}`, type: 'number', cmp, value: n} : undefined
  }

const parseNumber = (v: string) => (v.trim() === '' ? NaN : Number(v))

/**
 * AWS accepts ISO 8601 dates and epoch seconds, and reads a date or time without a zone as UTC
 * (IAM User Guide, "IAM JSON policy elements: Condition operators", date condition operators:
 * "W3C implementations of the ISO 8601 date formats"; AWS compares them in UTC). JavaScript's
 * Date.parse reads a date-time without a zone in the machine's local time: here it never does.
 */
export function parseDate(v: string): number {
  const text = v.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    text,
  )
  if (iso === null) return NaN
  const [, date, time, zone] = iso
  const offset =
    zone === undefined || zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
  return Date.parse(`${date}T${time ?? '00:00:00'}${offset}`)
}

const OPERATORS: Record<string, OperatorSpec> = {
  StringEquals: {family: 'string', negated: false, leaf: stringLeaf(false)},
  StringNotEquals: {family: 'string', negated: true, leaf: stringLeaf(false)},
  StringEqualsIgnoreCase: {family: 'string', negated: false, leaf: stringLeaf(false, true)},
  StringNotEqualsIgnoreCase: {family: 'string', negated: true, leaf: stringLeaf(false, true)},
  StringLike: {family: 'string', negated: false, leaf: stringLeaf(true)},
  StringNotLike: {family: 'string', negated: true, leaf: stringLeaf(true)},
  ArnEquals: {family: 'string', negated: false, leaf: stringLeaf(true, false, true)},
  ArnLike: {family: 'string', negated: false, leaf: stringLeaf(true, false, true)},
  ArnNotEquals: {family: 'string', negated: true, leaf: stringLeaf(true, false, true)},
  ArnNotLike: {family: 'string', negated: true, leaf: stringLeaf(true, false, true)},
  Bool: {family: 'string', negated: false, leaf: stringLeaf(false, true)},
  BinaryEquals: {family: 'string', negated: false, leaf: stringLeaf(false)},
  NumericEquals: {family: 'number', negated: false, leaf: numberLeaf('=', parseNumber)},
  NumericNotEquals: {family: 'number', negated: true, leaf: numberLeaf('=', parseNumber)},
  NumericLessThan: {family: 'number', negated: false, leaf: numberLeaf('<', parseNumber)},
  NumericLessThanEquals: {family: 'number', negated: false, leaf: numberLeaf('<=', parseNumber)},
  NumericGreaterThan: {family: 'number', negated: false, leaf: numberLeaf('>', parseNumber)},
  NumericGreaterThanEquals: {family: 'number', negated: false, leaf: numberLeaf('>=', parseNumber)},
  DateEquals: {family: 'date', negated: false, leaf: numberLeaf('=', parseDate)},
  DateNotEquals: {family: 'date', negated: true, leaf: numberLeaf('=', parseDate)},
  DateLessThan: {family: 'date', negated: false, leaf: numberLeaf('<', parseDate)},
  DateLessThanEquals: {family: 'date', negated: false, leaf: numberLeaf('<=', parseDate)},
  DateGreaterThan: {family: 'date', negated: false, leaf: numberLeaf('>', parseDate)},
  DateGreaterThanEquals: {family: 'date', negated: false, leaf: numberLeaf('>=', parseDate)},
  IpAddress: {family: 'ip', negated: false, leaf: ipLeaf},
  NotIpAddress: {family: 'ip', negated: true, leaf: ipLeaf},
  Null: {family: 'null', negated: false},
}

interface ParsedOperator {
  text: string
  qualifier: 'ForAllValues' | 'ForAnyValue' | undefined
  base: string
  ifExists: boolean
  spec: OperatorSpec | undefined
}

export function parseOperator(text: string): ParsedOperator {
  const match = /^(?:(ForAllValues|ForAnyValue):)?(.*?)(IfExists)?$/.exec(text)!
  const base = match[2]!
  const ifExists = match[3] !== undefined && base !== 'Null'
  return {
    text,
    qualifier: match[1] as ParsedOperator['qualifier'],
    base,
    ifExists,
    spec: Object.hasOwn(OPERATORS, base) ? OPERATORS[base] : undefined,
  }
}

/** Condition values as strings: AWS compares their text (`true`, `10`). */
export function conditionValues(raw: unknown): string[] {
  return (Array.isArray(raw) ? raw : [raw]).map((v) => String(v))
}

type Compiled = {formula: Formula<AnyLeaf>} | {opaque: string}

/**
 * One (operator, key) pair as a formula over the key's domain. `present` is the leaf that
 * says the key is in the request (for principal keys: "the principal is an AWS principal").
 */
export function compileCondition(
  op: ParsedOperator,
  values: string[],
  multiValued: boolean,
  variables: boolean,
  present: ValueLeaf = PRESENT,
  valueLeaf?: (value: string) => ValueLeaf | undefined,
): Compiled {
  const spec = op.spec
  if (spec === undefined) return {opaque: 'an unknown condition operator'}
  if (spec.family === 'null') {
    const wantsAbsent = values.map((v) => v.toLowerCase() === 'true')
    const absent = multiValued ? emptySet() : not(leaf(present))
    return {formula: or(...wantsAbsent.map((a) => (a ? absent : not(absent))))}
  }
  const leaves: ValueLeaf[] = []
  for (const value of values) {
    const l = valueLeaf ? valueLeaf(value) : spec.leaf!(value, variables)
    if (l === undefined)
      return {
        opaque: `value "${value}" (a policy variable or a template's value, or not a valid ${spec.family})`,
      }
    leaves.push(l)
  }
  const anyMatches = or(...leaves.map((l) => leaf<AnyLeaf>(l)))
  const single = spec.negated ? not(anyMatches) : anyMatches
  if (op.qualifier !== undefined) {
    if (!multiValued) throw new Error('internal: qualified operator on a single-valued key')
    const quantified = setLeaf(op.qualifier === 'ForAllValues' ? 'all' : 'any', single as Formula<ValueLeaf>)
    return {formula: op.ifExists ? or(quantified, emptySet()) : quantified}
  }
  // A plain operator on a key used as multi-valued elsewhere: AWS's result depends on how
  // many values the request carries, which the engine does not model.
  if (multiValued) return {opaque: 'a plain operator on a multi-valued key'}
  const presentLeaf = leaf<AnyLeaf>(present)
  if (spec.negated || op.ifExists) return {formula: or(not(presentLeaf), and(presentLeaf, single))}
  return {formula: and(presentLeaf, single)}
}

function setLeaf(quantifier: 'all' | 'any', inner: Formula<ValueLeaf>): Formula<AnyLeaf> {
  const l: SetLeaf = {key: `set:${quantifier}(${innerKey(inner)})`, type: 'set', quantifier, inner}
  return leaf(l)
}

/** The key is absent, or carries no values: "every value satisfies false". */
const emptySet = () => setLeaf('all', FALSE)

function innerKey(f: Formula<ValueLeaf>): string {
  switch (f.op) {
    case 'true':
    case 'false':
      return f.op
    case 'leaf':
      return f.leaf.key
    case 'not':
      return `!(${innerKey(f.arg)})`
    default:
      return `${f.op}(${f.args.map(innerKey).join(',')})`
  }
}

// --- IP ranges -----------------------------------------------------------------------

function ipLeaf(value: string, variables: boolean): IpLeaf | undefined {
  const range = symbolic(value, variables) ? undefined : parseCidr(value)
  return range && {key: `ip:${range.v6 ? 6 : 4}:${range.lo}-${range.hi}`, type: 'ip', ...range}
}

export function parseCidr(text: string): {v6: boolean; lo: bigint; hi: bigint} | undefined {
  const [address, prefixText] = text.trim().split('/')
  const v6 = address!.includes(':')
  const bits = v6 ? 128 : 32
  const n = v6 ? parseV6(address!) : parseV4(address!)
  if (n === undefined) return undefined
  const prefix = prefixText === undefined ? bits : Number(prefixText)
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined
  const hostBits = BigInt(bits - prefix)
  const lo = (n >> hostBits) << hostBits
  return {v6, lo, hi: lo + (1n << hostBits) - 1n}
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.')
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined
  return parts.reduce((n, p) => (n << 8n) + BigInt(p), 0n)
}

function parseV6(text: string): bigint | undefined {
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const groups = (s: string) => (s === '' ? [] : s.split(':'))
  const head = groups(halves[0]!)
  const tail = halves.length === 2 ? groups(halves[1]!) : []
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined
  return all.reduce((n, g) => (n << 16n) + BigInt(parseInt(g, 16)), 0n)
}
