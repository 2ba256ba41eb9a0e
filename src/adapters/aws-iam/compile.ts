// An IAM policy document compiled into rules of the access model: one rule per statement,
// with a predicate per request dimension (action, resource, principal, each context key,
// and one opaque dimension per condition the engine cannot interpret).

import {type AnyLeaf, type GlobLeaf, type OpaqueLeaf} from '../../engine/domains.js'
import {and, type Formula, leaf, not, or} from '../../engine/formula.js'
import {compileGlob, type GlobOptions} from '../../engine/glob.js'
import {type Rule} from '../../engine/search.js'
import {compileCondition, conditionValues, type Family, parseOperator} from './conditions.js'

export interface Statement {
  raw: Record<string, unknown>
  pointer: string
  sid: string | undefined
  effect: 'allow' | 'deny'
  /** whether the policy names principals (resource and trust policies) */
  hasPrincipal: boolean
}

export interface CompiledRule extends Rule {
  statement: Statement
}

/** The principal of a policy without a Principal element: the identity it is attached to. */
export const SELF = '(the identity this policy is attached to)'
/** The witness value for "any principal, including anonymous callers". */
export const ANYONE = '*'

/** Condition keys that are constraints on the principal in resource policies. */
const PRINCIPAL_KEYS = new Set(['aws:principalarn', 'aws:principalaccount'])

export function statementsOf(policy: unknown): Statement[] {
  const doc = policy as {Statement?: unknown}
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]
  const single = !Array.isArray(doc.Statement)
  return list.map((raw, i) => {
    const s = raw as Record<string, unknown>
    return {
      raw: s,
      pointer: single ? '/Statement' : `/Statement/${i}`,
      sid: typeof s.Sid === 'string' ? s.Sid : undefined,
      effect: s.Effect === 'Deny' ? 'deny' : 'allow',
      hasPrincipal: 'Principal' in s || 'NotPrincipal' in s,
    }
  })
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(String)

/** How each context key is used across both policies: decides its domain. */
interface KeyTraits {
  families: Set<Family>
  multiValued: boolean
}

export function keyTraits(statements: Statement[]): Map<string, KeyTraits> {
  const traits = new Map<string, KeyTraits>()
  for (const s of statements) {
    for (const [key, op] of conditionEntries(s)) {
      if (isPrincipalKey(s, key)) continue
      const t = traits.get(key) ?? {families: new Set(), multiValued: false}
      if (op.spec && op.spec.family !== 'null') t.families.add(op.spec.family)
      if (op.qualifier) t.multiValued = true
      traits.set(key, t)
    }
  }
  return traits
}

function* conditionEntries(s: Statement) {
  const condition = (s.raw.Condition ?? {}) as Record<string, Record<string, unknown>>
  for (const [opText, block] of Object.entries(condition)) {
    const op = parseOperator(opText)
    for (const [key, values] of Object.entries(block))
      yield [key.toLowerCase(), op, conditionValues(values)] as const
  }
}

const isPrincipalKey = (s: Statement, key: string) => s.hasPrincipal && PRINCIPAL_KEYS.has(key)

export const contextDimension = (key: string) => `context:${key}`

const resourceOptions: GlobOptions = {wildcards: true, arn: true, variables: true}

function globLeaf(text: string, options: GlobOptions): Formula<AnyLeaf> {
  const glob = compileGlob(text, options)
  const l: GlobLeaf = {key: `glob:${glob.key}`, type: 'glob', glob}
  return leaf(l)
}

const anyOf = (texts: string[], options: GlobOptions) => or(...texts.map((t) => globLeaf(t, options)))

/**
 * An AWS account as a principal: any principal ARN in that account (its fifth segment).
 * Account ids are unique across partitions, so `123456789012` and
 * `arn:aws:iam::123456789012:root` agree, and so does `aws:PrincipalAccount`.
 */
const accountGlob = (account: string) => `arn:*:*::${account}:*`
const accountOptions: GlobOptions = {wildcards: true, arn: true, segmentExact: true}
const accountPrincipal = (account: string) => globLeaf(accountGlob(account), accountOptions)

/** Readable example principals named by a policy (used as preferred witness values). */
export function principalSamples(statements: Statement[]): string[] {
  const samples = [ANYONE]
  for (const s of statements) {
    const element = s.raw.Principal ?? s.raw.NotPrincipal
    if (element === undefined || element === '*') continue
    for (const [type, values] of Object.entries(element as Record<string, unknown>)) {
      for (const v of asList(values)) {
        if (type !== 'AWS') samples.push(`${type}:${v}`)
        else if (/^\d{12}$/.test(v)) samples.push(`arn:aws:iam::${v}:root`)
        else if (v !== '*') samples.push(v)
      }
    }
  }
  return samples
}

/**
 * The principals a Principal element names. In `NotPrincipal` (`exact`), an account names
 * the account principal itself, not everyone in it: AWS's documented pattern lists the
 * session, the role and the account so that only they escape a Deny.
 */
function principalElement(element: unknown, exact = false): Formula<AnyLeaf> {
  if (element === '*') return globLeaf('*', {wildcards: true})
  const parts: Formula<AnyLeaf>[] = []
  for (const [type, values] of Object.entries(element as Record<string, unknown>)) {
    for (const v of asList(values)) {
      if (type === 'AWS') {
        const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(v)
        if (v === '*') parts.push(globLeaf('*', {wildcards: true}))
        else if (exact && /^\d{12}$/.test(v))
          parts.push(globLeaf(`arn:aws:iam::${v}:root`, {wildcards: false}))
        else if (exact && root) parts.push(globLeaf(v, {wildcards: false}))
        else if (/^\d{12}$/.test(v)) parts.push(accountPrincipal(v))
        else if (root) parts.push(accountPrincipal(root[1]!))
        // AWS rejects wildcards inside principal ARNs, so the text is literal.
        else parts.push(globLeaf(v, {wildcards: false}))
      } else {
        parts.push(globLeaf(`${type}:${v}`, {wildcards: false}))
      }
    }
  }
  return or(...parts)
}

/** `aws:PrincipalArn` / `aws:PrincipalAccount` leaves match principal strings of AWS principals. */
function principalCondition(
  key: string,
  value: string,
  op: {like: boolean; arn: boolean; caseInsensitive: boolean},
): GlobLeaf {
  const account = key === 'aws:principalaccount'
  const text = account ? accountGlob(value) : value
  // `…IgnoreCase` operators must match regardless of case: a case-sensitive leaf would
  // under-approximate what the statement allows and hide widenings. Only Arn* operators
  // (and the account pattern) compare segment by segment; String* ones compare plain text.
  const glob = compileGlob(text, {
    wildcards: op.like || account,
    arn: op.arn || account,
    segmentExact: true,
    caseInsensitive: op.caseInsensitive,
  })
  return {key: `glob:${glob.key}`, type: 'glob', glob}
}

const AWS_PRINCIPAL: GlobLeaf = (() => {
  const glob = compileGlob('arn:*', {wildcards: true})
  return {key: `glob:${glob.key}`, type: 'glob', glob}
})()

export interface CompileContext {
  traits: Map<string, KeyTraits>
  /** one opaque dimension per distinct uninterpretable condition, shared by both sides */
  opaque: Map<string, string>
}

export function compileStatement(s: Statement, index: number, ctx: CompileContext): CompiledRule {
  const predicates = new Map<string, Formula<AnyLeaf>>()
  const raw = s.raw
  if ('Action' in raw) predicates.set('action', anyOf(asList(raw.Action).map(lower), {wildcards: true}))
  if ('NotAction' in raw)
    predicates.set('action', not(anyOf(asList(raw.NotAction).map(lower), {wildcards: true})))
  if ('Resource' in raw) predicates.set('resource', anyOf(asList(raw.Resource), resourceOptions))
  if ('NotResource' in raw) predicates.set('resource', not(anyOf(asList(raw.NotResource), resourceOptions)))

  const principal: Formula<AnyLeaf>[] = []
  if ('Principal' in raw) principal.push(principalElement(raw.Principal))
  else if ('NotPrincipal' in raw) principal.push(not(principalElement(raw.NotPrincipal, true)))
  else principal.push(globLeaf(SELF, {wildcards: false}))

  const context = new Map<string, Formula<AnyLeaf>[]>()
  // Identical uninterpretable conditions share one unknown; any difference makes another.
  const opaque = (description: string, identity: string) => {
    const name = `opaque:${identity}`
    ctx.opaque.set(name, description)
    const l: OpaqueLeaf = {key: name, type: 'opaque', description}
    predicates.set(name, leaf(l))
  }
  for (const [key, op, values] of conditionEntries(s)) {
    const where = `${op.text} ${JSON.stringify({[key]: values.length === 1 ? values[0] : values})}`
    // Values are ORed: their order must not make two identical conditions distinct unknowns.
    const identity = JSON.stringify([op.text, key, [...values].sort()])
    if (isPrincipalKey(s, key)) {
      const arn = op.base.startsWith('Arn')
      const kind = {
        like: op.base.includes('Like') || arn,
        arn,
        caseInsensitive: op.base.endsWith('IgnoreCase'),
      }
      const compiled = op.qualifier
        ? {opaque: 'a set operator on a principal key'}
        : compileCondition(op, values, false, AWS_PRINCIPAL, (v) => principalCondition(key, v, kind))
      if ('opaque' in compiled) opaque(`${where}: ${compiled.opaque}`, identity)
      else principal.push(compiled.formula)
      continue
    }
    const traits = ctx.traits.get(key)!
    if (traits.families.size > 1) {
      opaque(`${where}: key compared as ${[...traits.families].join(' and ')}`, identity)
      continue
    }
    const compiled = compileCondition(op, values, traits.multiValued)
    if ('opaque' in compiled) opaque(`${where}: ${compiled.opaque}`, identity)
    else context.set(key, [...(context.get(key) ?? []), compiled.formula])
  }
  predicates.set('principal', and(...principal))
  for (const [key, formulas] of context) predicates.set(contextDimension(key), and(...formulas))
  return {index, effect: s.effect, predicates, statement: s}
}

const lower = (s: string) => s.toLowerCase()
