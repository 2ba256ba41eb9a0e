// An independent, deliberately simple evaluator of IAM policies on one concrete request,
// written from AWS's documented evaluation logic. It shares no code with the engine (no
// globs, no domains, no formulas): the property tests compare the two.
//
// Semantics: an explicit Deny wins; otherwise an Allow is needed. In a statement, every
// present element must match: Action/NotAction (case-insensitive), Resource/NotResource
// (case-sensitive; in ARNs a wildcard in the first five `:`-separated segments stays in its
// segment, and a pattern cut short by a `*` has its missing segments read as `*`),
// Principal/NotPrincipal (a statement without one applies to the identity the policy is
// attached to; an account named in Principal lets in its principals whose own IAM policies
// allow the request), and Condition (operators and keys ANDed, values ORed). Under Version
// 2012-10-17, `${key}` in resources and condition values is the request's value for the key
// (`${key, 'default'}` where it is missing; without a default a missing key matches nothing);
// otherwise it is literal text. A template's value (src/kernel/symbols.ts) is put into the
// policy's text before anything else (`instantiate`): a `*` in it is a wildcard.

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
  /** whether the principal's own IAM policies allow the request (absent: they do) */
  identityAllows?: boolean
  /** whether another policy attached to the principal allows it (a Deny no longer in force) */
  otherAllows?: boolean
}

/** How a policy's statements are read: whether variables are substituted. */
interface Reading {
  variables: boolean
}

const DEFAULT_READING: Reading = {variables: false}

type Json = unknown
export type StatementJson = Record<string, Json>

const list = (v: Json): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => String(x))

// --- wildcards -------------------------------------------------------------------------

const escapeRe = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')

export interface WildcardOptions {
  ignoreCase?: boolean
  /**
   * A pattern starting with `arn:` is read segment by segment: wildcards in the first five
   * segments stay in their segment; a pattern that stops early with a `*` (`arn:aws:logs:*`) has
   * its missing segments read as `*`.
   */
  arnAware?: boolean
}

/** A pattern's characters; a literal one is never a wildcard (an escape, or a variable's value). */
type PatternChar = {c: string; literal?: boolean}
/** A pattern as read for a request: its text where nothing was put in (no character is literal). */
type Expanded = string | PatternChar[]

const textOf = (pattern: Expanded) =>
  typeof pattern === 'string' ? pattern : pattern.map((x) => x.c).join('')

/** `*` any run of characters, `?` exactly one; `:`-segments of ARNs as the options say. */
export function wildcardRegExp(pattern: string | PatternChar[], options: WildcardOptions = {}): RegExp {
  let chars: PatternChar[] = typeof pattern === 'string' ? [...pattern].map((c) => ({c})) : pattern
  const text = chars.map((x) => x.c).join('')
  const arn = options.arnAware === true && text.startsWith('arn:')
  const colonsIn = chars.filter((x) => x.c === ':').length
  const last = chars.at(-1)
  if (arn && colonsIn < 5 && last?.c === '*' && !last.literal)
    chars = [...chars, ...[...':*'.repeat(5 - colonsIn)].map((c) => ({c}))]
  let colons = 0
  let source = ''
  for (const {c, literal} of chars) {
    const inSegment = arn && colons < 5
    if (c === '*' && !literal) source += inSegment ? '[^:]*' : '[\\s\\S]*'
    else if (c === '?' && !literal) source += inSegment ? '[^:]' : '[\\s\\S]'
    else {
      if (c === ':') colons++
      source += escapeRe(c)
    }
  }
  return new RegExp(`^${source}$`, options.ignoreCase ? 'iu' : 'u')
}

// The oracle runs millions of matches: each pattern's expression is compiled once. A pattern
// given as text is found by its text; one with literal characters (a variable's value) by a key
// that spells each character with whether it is literal.
const compiled = new Map<string, RegExp>()
function wildcardMatch(pattern: Expanded, value: string, options: WildcardOptions = {}): boolean {
  const spelled =
    typeof pattern === 'string'
      ? `T${pattern}`
      : `C${pattern.map((x) => `${x.literal ? 'L' : 'P'}${x.c}`).join('')}`
  const key = `${options.ignoreCase ? 'i' : '-'}${options.arnAware ? 'a' : '-'}${spelled}`
  let re = compiled.get(key)
  if (re === undefined) compiled.set(key, (re = wildcardRegExp(pattern, options)))
  return re.test(value)
}

/**
 * A resource or condition value's pattern for one request: under Version 2012-10-17 each
 * `${key}` becomes the request's value for the key (literal text), `${*}`, `${?}`, `${$}` the
 * character itself; null where a key is missing and has no default (the pattern matches nothing).
 * Without a variable to put in, the pattern is its text (spelt character by character, unchanged).
 */
function expand(text: string, request: Request, reading: Reading): Expanded | null {
  if (!reading.variables || !text.includes('${')) return text
  const out: PatternChar[] = []
  const chars = [...text]
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === '$' && chars[i + 1] === '{') {
      const end = chars.indexOf('}', i + 2)
      if (end !== -1) {
        const inner = chars.slice(i + 2, end).join('')
        i = end
        if (inner === '*' || inner === '?' || inner === '$') {
          out.push({c: inner, literal: true})
          continue
        }
        const [key, ...rest] = inner.split(',')
        const fallback =
          rest.length === 0
            ? undefined
            : rest
                .join(',')
                .trim()
                .replace(/^'(.*)'$/, '$1')
        const value = contextOf(request, key!.trim())
        const text = typeof value === 'string' ? value : fallback
        if (text === undefined) return null
        out.push(...[...text].map((c) => ({c, literal: true})))
        continue
      }
    }
    out.push({c: chars[i]!})
  }
  return out
}

function contextOf(request: Request, key: string): ContextValue {
  const lower = key.toLowerCase()
  for (const [k, v] of Object.entries(request.context)) if (k.toLowerCase() === lower) return v
  return undefined
}

const matchesExpanded = (
  pattern: string,
  value: string,
  request: Request,
  reading: Reading,
  options: WildcardOptions,
) => {
  const expanded = expand(pattern, request, reading)
  return expanded !== null && wildcardMatch(expanded, value, options)
}

/** The Resource element: ARN segments. */
const RESOURCE: WildcardOptions = {arnAware: true}

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
  request: Request,
  notPrincipal: boolean,
): boolean {
  const principal = request.principal
  if (type !== 'AWS') return principal === `${type}:${value}`
  if (value === '*') return true
  const account = /^\d{12}$/.test(value) ? value : /^arn:[^:]+:iam::(\d{12}):root$/.exec(value)?.[1]
  if (account !== undefined && notPrincipal)
    return principal === (value === account ? `arn:aws:iam::${account}:root` : value)
  // The account's principals, where their own policies allow it (the account delegates to IAM).
  if (account !== undefined) return accountOf(principal) === account && request.identityAllows !== false
  return principal === value
}

function principalMatches(element: Json, request: Request, notPrincipal = false): boolean {
  if (element === '*') return true
  for (const [type, values] of Object.entries(element as Record<string, Json>)) {
    if (list(values).some((v) => principalValueMatches(type, v, request, notPrincipal))) return true
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

/**
 * ISO 8601 or epoch seconds (AWS accepts both, in policies and in requests), as milliseconds; a
 * date or time without a zone is UTC, whatever the machine's time zone.
 */
function toDate(v: string | number): number {
  const text = String(v).trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Date.parse(`${text}T00:00:00Z`)
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) return Date.parse(`${text}Z`)
  return Date.parse(text)
}
const toNumber = (v: string | number): number =>
  typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v)

/**
 * Whether one request value satisfies one condition value under a base operator (un-negated
 * form); the condition value as expanded for the request (null: a missing variable, no match).
 */
function valueMatches(base: string, expanded: Expanded | null, requestValue: string | number): boolean {
  if (expanded === null) return false
  const policyValue = textOf(expanded)
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
      return wildcardMatch(expanded, s)
    case 'ArnEquals':
    case 'ArnLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return wildcardMatch(expanded, s, {arnAware: true})
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

/** One operator on one key; the policy values as read for this request (variables expanded). */
function conditionHolds(
  operator: string,
  policyValues: Array<Expanded | null>,
  value: ContextValue,
): boolean {
  const [, qualifier, rest] = /^(?:(ForAllValues|ForAnyValue):)?(.*)$/.exec(operator)!
  const ifExists = rest!.endsWith('IfExists') && rest !== 'Null'
  const base = ifExists ? rest!.slice(0, -'IfExists'.length) : rest!
  const values: Array<string | number> = value === undefined ? [] : Array.isArray(value) ? value : [value]
  const missing = values.length === 0

  if (base === 'Null') {
    // "true": the key must be absent; "false": present. Several values: any of them.
    return policyValues.some((v) => (v !== null && textOf(v).toLowerCase() === 'true') === missing)
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

export function conditionsHold(
  statement: StatementJson,
  request: Request,
  reading: Reading = DEFAULT_READING,
): boolean {
  const condition = (statement.Condition ?? {}) as Record<string, Record<string, Json>>
  const hasPrincipal = 'Principal' in statement || 'NotPrincipal' in statement
  for (const [operator, block] of Object.entries(condition)) {
    for (const [key, raw] of Object.entries(block)) {
      const values = list(raw).map((v) => expand(v, request, reading))
      if (!conditionHolds(operator, values, contextValue(request, key, hasPrincipal))) return false
    }
  }
  return true
}

// --- statements and policies -------------------------------------------------------------

/** Whether the statement's action, resource and principal elements match (conditions aside). */
export function statementMatchesRequestParts(
  statement: StatementJson,
  request: Request,
  reading: Reading = DEFAULT_READING,
): boolean {
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
  const resourceMatches = (p: string) => matchesExpanded(p, resource, request, reading, RESOURCE)
  if ('Resource' in statement && !list(statement.Resource).some(resourceMatches)) return false
  if ('NotResource' in statement && list(statement.NotResource).some(resourceMatches)) return false
  if ('Principal' in statement) {
    if (!principalMatches(statement.Principal, request)) return false
  } else if ('NotPrincipal' in statement) {
    if (principalMatches(statement.NotPrincipal, request, true)) return false
  } else if (request.principal !== SELF) {
    return false
  }
  return true
}

export const statementApplies = (
  statement: StatementJson,
  request: Request,
  reading: Reading = DEFAULT_READING,
): boolean =>
  statementMatchesRequestParts(statement, request, reading) && conditionsHold(statement, request, reading)

export function statementsOf(policy: Json): StatementJson[] {
  const s = (policy as {Statement?: Json}).Statement
  return (Array.isArray(s) ? s : s === undefined ? [] : [s]) as StatementJson[]
}

/** How a policy document is read: its Version says whether variables are substituted. */
export const readingOf = (policy: Json): Reading => ({
  variables: (policy as {Version?: unknown}).Version === '2012-10-17',
})

export type Decision = 'allow' | 'deny' | 'implicit-deny'

/** Deny wins, then Allow, else the implicit deny. */
export function decideStatements(
  statements: StatementJson[],
  request: Request,
  reading: Reading = DEFAULT_READING,
): Decision {
  const applying = statements.filter((s) => statementApplies(s, request, reading))
  if (applying.some((s) => s.Effect === 'Deny')) return 'deny'
  return applying.some((s) => s.Effect === 'Allow') ? 'allow' : 'implicit-deny'
}

/**
 * A policy's decision. A guardrail (an SCP or RCP, `{"Guardrail": TYPE, "Content": POLICY}`)
 * decides as its policy does: what it allows it permits.
 */
export function decide(value: Json | undefined, request: Request): Decision {
  if (value === undefined) return 'implicit-deny'
  const composed = value as {
    Principal?: string
    Policies?: Array<{Document: Json}>
    PermissionsBoundary?: {Document: Json}
  }
  if (typeof composed.Principal === 'string' && Array.isArray(composed.Policies))
    return decidePrincipal(
      composed as Required<Pick<typeof composed, 'Principal' | 'Policies'>> & typeof composed,
      request,
    )
  const guardrail = (value as {Guardrail?: unknown}).Guardrail !== undefined
  const policy = guardrail ? (value as {Content: Json}).Content : value
  return decideStatements(statementsOf(policy), request, readingOf(policy))
}

/**
 * A principal's composed policies (an account export), as the IAM User Guide's evaluation logic
 * reads them: any Deny of any of its policies or its boundary denies; otherwise some policy must
 * allow, and the boundary, where there is one, too. Its policies are its own: the request names it.
 */
function decidePrincipal(
  composed: {Principal: string; Policies: Array<{Document: Json}>; PermissionsBoundary?: {Document: Json}},
  request: Request,
): Decision {
  const own = {...request, principal: request.principal === composed.Principal ? SELF : request.principal}
  const identity = composed.Policies.map((p) => decide(p.Document, own))
  const boundary = composed.PermissionsBoundary && decide(composed.PermissionsBoundary.Document, own)
  if (identity.includes('deny') || boundary === 'deny') return 'deny'
  return identity.includes('allow') && (boundary === undefined || boundary === 'allow')
    ? 'allow'
    : 'implicit-deny'
}

export function allows(policy: Json | undefined, request: Request): boolean {
  const decision = decide(policy, request)
  return decision === 'allow' || (request.otherAllows === true && decision !== 'deny')
}

/** A template's unresolved value, as src/kernel/symbols.ts writes it in a string: its name between these. */
const TEMPLATE = /\uE000([^\uE001]*)\uE001/g

/** The names of the templates' values a document holds. */
export function templateNames(value: Json): string[] {
  return [...new Set([...JSON.stringify(value ?? null).matchAll(TEMPLATE)].map((m) => m[1]!))]
}

/** A document (or a witness) with each template value put in as text: what AWS would receive. */
export function instantiate<T>(value: T, values: Record<string, string>): T {
  if (value === undefined) return value
  const text = JSON.stringify(value).replace(TEMPLATE, (whole, name: string) =>
    name in values ? JSON.stringify(values[name]).slice(1, -1) : whole,
  )
  return JSON.parse(text) as T
}

/** A witness's values that name a template's value (`${Bucket}`) back in the kernel's form. */
export function witnessTemplates(witness: Record<string, unknown>, names: string[]): Record<string, unknown> {
  const text = JSON.stringify(witness).replace(/\$\{([^}]*)\}/g, (whole, name: string) =>
    names.includes(name) ? `\uE000${name}\uE001` : whole,
  )
  return JSON.parse(text) as Record<string, unknown>
}

/** A witness as a request: no principal means the attached identity; no resource, any resource. */
export function requestOf(witness: Record<string, unknown>): Request {
  return {
    principal: typeof witness.principal === 'string' ? witness.principal : SELF,
    action: String(witness.action),
    resource: typeof witness.resource === 'string' ? witness.resource : 'arn:aws:acldrift:::unconstrained',
    context: {...((witness.context ?? {}) as Record<string, ContextValue>)},
    ...(typeof witness.identityPolicyAllows === 'boolean'
      ? {identityAllows: witness.identityPolicyAllows}
      : {}),
    ...(witness.otherPolicyAllows === true ? {otherAllows: true} : {}),
  }
}

/** Values a fixture's template symbols are tried with: a definite witness holds for every value. */
const TEMPLATE_VALUES = ['value-1', 'arn:aws:s3:::value-2', '*']

/** Whether `more` allows the witness and `less` does not, for each tried value of the templates' values. */
export function confirmsForEveryValue(
  more: Json | undefined,
  less: Json | undefined,
  witness: Record<string, unknown>,
): boolean {
  const names = templateNames([more, less])
  const symbolic = witnessTemplates(witness, names)
  const assignments =
    names.length === 0 ? [{}] : TEMPLATE_VALUES.map((v) => Object.fromEntries(names.map((n) => [n, v])))
  return assignments.every((values) => {
    const request = requestOf(instantiate(symbolic, values))
    return allows(instantiate(more, values), request) && !allows(instantiate(less, values), request)
  })
}

/** Fixture cases: one policy file per side, `baseline.json` and `target.json`. */
export const oracle: Oracle = {
  fixtureFile: (ext) => (ext === 'json' ? 'policy.json' : undefined),
  confirms: (f, {baseline, target}) => {
    const [more, less] = f.change === 'widening' ? [target, baseline] : [baseline, target]
    return confirmsForEveryValue(more.get(f.file)?.value, less.get(f.file)?.value, f.witness!)
  },
}
