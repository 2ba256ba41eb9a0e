// An independent, deliberately simple evaluator of IAM policies on one concrete request,
// written from AWS's documented evaluation logic. It shares no code with the engine (no
// globs, no domains, no formulas): the property tests compare the two.
//
// Semantics: an explicit Deny wins; otherwise an Allow is needed. In a statement, every
// present element must match: Action/NotAction (case-insensitive), Resource/NotResource
// (case-sensitive; in ARNs a wildcard in the first five `:`-separated segments stays in
// its segment), Principal/NotPrincipal (a statement without one applies to the identity
// the policy is attached to), and Condition (operators and keys ANDed, values ORed).

import type {Oracle} from '../oracle.js'

/** The identity a policy without a Principal element is attached to (as the engine names it). */
export const SELF = '(the identity this policy is attached to)'
/** Any principal, including anonymous callers. */
export const ANYONE = '*'

export type ContextValue = string | string[] | number | undefined

export interface Request {
  principal: string
  action: string
  resource: string
  context: Record<string, ContextValue>
}

type Json = unknown
export type StatementJson = Record<string, Json>

const list = (v: Json): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => String(x))

// --- wildcards -------------------------------------------------------------------------

const escapeRe = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')

export interface WildcardOptions {
  ignoreCase?: boolean
  /** a pattern starting with `arn:` keeps its wildcards inside each of the first five segments */
  arnAware?: boolean
  /**
   * With `arnAware`: whether a `*` that ends one of those segments may still cross colons.
   * AWS documents this for the Resource element; ArnLike conditions compare "each of the
   * six colon-delimited components separately", so there it may not.
   */
  trailingStarCrosses?: boolean
}

/** `*` any run of characters, `?` exactly one; `:`-segments of ARNs as the options say. */
export function wildcardRegExp(pattern: string, options: WildcardOptions = {}): RegExp {
  const arn = options.arnAware === true && pattern.startsWith('arn:')
  const chars = [...pattern]
  let colons = 0
  let source = ''
  chars.forEach((c, i) => {
    const inSegment = arn && colons < 5
    if (c === '*') {
      const rest = chars.slice(i).join('').replace(/^\*+/, '')
      const endsSegment = rest === '' || rest.startsWith(':')
      source += inSegment && !(options.trailingStarCrosses && endsSegment) ? '[^:]*' : '[\\s\\S]*'
    } else if (c === '?') source += inSegment ? '[^:]' : '[\\s\\S]'
    else {
      if (c === ':') colons++
      source += escapeRe(c)
    }
  })
  return new RegExp(`^${source}$`, options.ignoreCase ? 'iu' : 'u')
}

const compiled = new Map<string, RegExp>()
function wildcardMatch(pattern: string, value: string, options: WildcardOptions = {}): boolean {
  const key = JSON.stringify([pattern, options.ignoreCase, options.arnAware, options.trailingStarCrosses])
  let re = compiled.get(key)
  if (re === undefined) compiled.set(key, (re = wildcardRegExp(pattern, options)))
  return re.test(value)
}

/** The Resource element: ARN segments, except that a `*` ending a segment may cross colons. */
const RESOURCE: WildcardOptions = {arnAware: true, trailingStarCrosses: true}

// --- principals ------------------------------------------------------------------------

/** The account of a principal ARN (`arn:partition:service:region:ACCOUNT:…`), if any. */
function accountOf(principal: string): string | undefined {
  const parts = principal.split(':')
  return parts[0] === 'arn' && parts.length >= 6 ? parts[4] : undefined
}

/**
 * In Principal, an account names every principal of that account. In NotPrincipal it names
 * the account principal only (AWS's documented NotPrincipal pattern lists the session, the
 * role and the account for that reason).
 */
function principalValueMatches(
  type: string,
  value: string,
  principal: string,
  notPrincipal: boolean,
): boolean {
  if (type !== 'AWS') return principal === `${type}:${value}`
  if (value === '*') return true
  const account = /^\d{12}$/.test(value) ? value : /^arn:[^:]+:iam::(\d{12}):root$/.exec(value)?.[1]
  if (account !== undefined && notPrincipal)
    return principal === (value === account ? `arn:aws:iam::${account}:root` : value)
  if (account !== undefined) return accountOf(principal) === account
  return principal === value
}

function principalMatches(element: Json, principal: string, notPrincipal = false): boolean {
  if (element === '*') return true
  for (const [type, values] of Object.entries(element as Record<string, Json>)) {
    if (list(values).some((v) => principalValueMatches(type, v, principal, notPrincipal))) return true
  }
  return false
}

// --- conditions ------------------------------------------------------------------------

function contextValue(request: Request, key: string, statementHasPrincipal: boolean): ContextValue {
  const lower = key.toLowerCase()
  // In resource policies these keys describe the caller, whose identity the request names.
  if (statementHasPrincipal && (lower === 'aws:principalarn' || lower === 'aws:principalaccount')) {
    if (!request.principal.startsWith('arn:')) return undefined
    return lower === 'aws:principalarn' ? request.principal : accountOf(request.principal)
  }
  for (const [k, v] of Object.entries(request.context)) if (k.toLowerCase() === lower) return v
  return undefined
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.')
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined
  return parts.reduce((n, p) => n * 256 + Number(p), 0)
}

function inCidr(ip: string, cidr: string): boolean {
  const [address, bitsText] = cidr.split('/')
  const a = ipv4(ip)
  const base = ipv4(address!)
  const bits = bitsText === undefined ? 32 : Number(bitsText)
  if (a === undefined || base === undefined) return false
  const size = 2 ** (32 - bits)
  return Math.floor(a / size) === Math.floor(base / size)
}

/** ISO 8601 or epoch seconds (AWS accepts both, in policies and in requests), as milliseconds. */
const toDate = (v: string | number): number =>
  /^\d+(\.\d+)?$/.test(String(v)) ? Number(v) * 1000 : Date.parse(String(v))
const toNumber = (v: string | number): number =>
  typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v)

/** Whether one request value satisfies one condition value under a base operator (un-negated form). */
function valueMatches(base: string, policyValue: string, requestValue: string | number): boolean {
  const s = String(requestValue)
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
    case 'BinaryEquals':
      return s === policyValue
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return s.toLowerCase() === policyValue.toLowerCase()
    case 'StringLike':
    case 'StringNotLike':
      return wildcardMatch(policyValue, s)
    case 'ArnEquals':
    case 'ArnLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return wildcardMatch(policyValue, s, {arnAware: true})
    case 'Bool':
      return s.toLowerCase() === policyValue.toLowerCase()
    case 'IpAddress':
    case 'NotIpAddress':
      return inCidr(s, policyValue)
  }
  const numeric = /^Numeric(.*)$/.exec(base)
  const date = /^Date(.*)$/.exec(base)
  const comparison = numeric?.[1] ?? date?.[1]
  if (comparison !== undefined) {
    const parse = numeric ? toNumber : toDate
    const a = parse(requestValue)
    const b = parse(policyValue)
    if (Number.isNaN(a) || Number.isNaN(b)) return false
    switch (comparison) {
      case 'Equals':
      case 'NotEquals':
        return a === b
      case 'LessThan':
        return a < b
      case 'LessThanEquals':
        return a <= b
      case 'GreaterThan':
        return a > b
      case 'GreaterThanEquals':
        return a >= b
    }
  }
  throw new Error(`brute force: unsupported operator ${base}`)
}

const NEGATED = new Set([
  'StringNotEquals',
  'StringNotEqualsIgnoreCase',
  'StringNotLike',
  'ArnNotEquals',
  'ArnNotLike',
  'NumericNotEquals',
  'DateNotEquals',
  'NotIpAddress',
])

/** One operator on one key. */
function conditionHolds(operator: string, policyValues: string[], value: ContextValue): boolean {
  const [, qualifier, rest] = /^(?:(ForAllValues|ForAnyValue):)?(.*)$/.exec(operator)!
  const ifExists = rest!.endsWith('IfExists') && rest !== 'Null'
  const base = ifExists ? rest!.slice(0, -'IfExists'.length) : rest!
  const values: Array<string | number> = value === undefined ? [] : Array.isArray(value) ? value : [value]
  const missing = values.length === 0

  if (base === 'Null') {
    // "true": the key must be absent; "false": present. Several values: any of them.
    return policyValues.some((v) => (v.toLowerCase() === 'true') === missing)
  }
  const negated = NEGATED.has(base)
  // For one request value: some policy value matches (negated: none does).
  const one = (v: string | number) => {
    const any = policyValues.some((p) => valueMatches(base, p, v))
    return negated ? !any : any
  }
  if (qualifier === 'ForAllValues') return values.every(one)
  if (qualifier === 'ForAnyValue') return (missing && ifExists) || values.some(one)
  if (missing) return negated || ifExists
  if (values.length !== 1) throw new Error('brute force: a plain operator on a multi-valued value')
  return one(values[0]!)
}

export function conditionsHold(statement: StatementJson, request: Request): boolean {
  const condition = (statement.Condition ?? {}) as Record<string, Record<string, Json>>
  const hasPrincipal = 'Principal' in statement || 'NotPrincipal' in statement
  for (const [operator, block] of Object.entries(condition)) {
    for (const [key, raw] of Object.entries(block)) {
      if (!conditionHolds(operator, list(raw), contextValue(request, key, hasPrincipal))) return false
    }
  }
  return true
}

// --- statements and policies -------------------------------------------------------------

/** Whether the statement's action, resource and principal elements match (conditions aside). */
export function statementMatchesRequestParts(statement: StatementJson, request: Request): boolean {
  const action = request.action
  if (
    'Action' in statement &&
    !list(statement.Action).some((p) => wildcardMatch(p, action, {ignoreCase: true}))
  )
    return false
  if (
    'NotAction' in statement &&
    list(statement.NotAction).some((p) => wildcardMatch(p, action, {ignoreCase: true}))
  )
    return false
  const resource = request.resource
  if ('Resource' in statement && !list(statement.Resource).some((p) => wildcardMatch(p, resource, RESOURCE)))
    return false
  if (
    'NotResource' in statement &&
    list(statement.NotResource).some((p) => wildcardMatch(p, resource, RESOURCE))
  )
    return false
  if ('Principal' in statement) {
    if (!principalMatches(statement.Principal, request.principal)) return false
  } else if ('NotPrincipal' in statement) {
    if (principalMatches(statement.NotPrincipal, request.principal, true)) return false
  } else if (request.principal !== SELF) {
    return false
  }
  return true
}

export const statementApplies = (statement: StatementJson, request: Request): boolean =>
  statementMatchesRequestParts(statement, request) && conditionsHold(statement, request)

export function statementsOf(policy: Json): StatementJson[] {
  const s = (policy as {Statement?: Json}).Statement
  return (Array.isArray(s) ? s : s === undefined ? [] : [s]) as StatementJson[]
}

export type Decision = 'allow' | 'deny' | 'implicit-deny'

/** Deny wins, then Allow, else the implicit deny. */
export function decideStatements(statements: StatementJson[], request: Request): Decision {
  const applying = statements.filter((s) => statementApplies(s, request))
  if (applying.some((s) => s.Effect === 'Deny')) return 'deny'
  return applying.some((s) => s.Effect === 'Allow') ? 'allow' : 'implicit-deny'
}

export const decide = (policy: Json | undefined, request: Request): Decision =>
  policy === undefined ? 'implicit-deny' : decideStatements(statementsOf(policy), request)

export const allows = (policy: Json | undefined, request: Request): boolean =>
  decide(policy, request) === 'allow'

/** A witness as a request: no principal means the attached identity; no resource, any resource. */
export function requestOf(witness: Record<string, unknown>): Request {
  return {
    principal: typeof witness.principal === 'string' ? witness.principal : SELF,
    action: String(witness.action),
    resource: typeof witness.resource === 'string' ? witness.resource : 'arn:aws:acldrift:::unconstrained',
    context: {...((witness.context ?? {}) as Record<string, ContextValue>)},
  }
}

/** Fixture cases: one policy file per side, `baseline.json` and `target.json`. */
export const oracle: Oracle = {
  fixtureFile: (ext) => (ext === 'json' ? 'policy.json' : undefined),
  confirms: (f, {baseline, target}) => {
    const request = requestOf(f.witness!)
    const [more, less] = f.change === 'widening' ? [target, baseline] : [baseline, target]
    return allows(more.get(f.file)?.value, request) && !allows(less.get(f.file)?.value, request)
  },
}
