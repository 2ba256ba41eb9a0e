// An IAM policy document compiled into rules of the access model: each statement becomes one rule
// (or a few, where it allows in more than one way), with a predicate per request dimension
// (action, resource, principal, whether the principal's own policies allow the request, each
// context key, and one opaque dimension per condition or reading the engine cannot interpret).
//
// Besides its statements, a document's `Version` decides how it is read: under 2012-10-17 AWS
// substitutes policy variables such as `${aws:username}`; under 2008-10-17, or without a Version,
// they are literal text (IAM User Guide, "IAM JSON policy elements: Version").

import {type AnyLeaf, type GlobLeaf, type OpaqueLeaf} from '../../engine/domains.js'
import {and, type Formula, leaf, not, or} from '../../engine/formula.js'
import {compileGlob, type GlobOptions, relaxedGlob} from '../../engine/glob.js'
import {type Rule} from '../../engine/search.js'
import {hasSymbol} from '../../kernel/symbols.js'
import {compileCondition, conditionValues, type Family, parseOperator} from './conditions.js'

export interface Statement {
  raw: Record<string, unknown>
  pointer: string
  sid: string | undefined
  /** `unknown`: the Effect is a template's unresolved value */
  effect: 'allow' | 'deny' | 'unknown'
  /** whether the policy names principals (resource and trust policies) */
  hasPrincipal: boolean
  /** whether AWS substitutes policy variables in it (its policy's Version is 2012-10-17) */
  variables: boolean
  /** a statement of a principal's permissions boundary (see principalPoliciesOf) */
  boundary?: true
}

export interface CompiledRule extends Rule {
  statement: Statement
}

/** The principal of a policy without a Principal element: the identity it is attached to. */
export const SELF = '(the identity this policy is attached to)'
/** The witness value for "any principal, including anonymous callers". */
export const ANYONE = '*'

/**
 * Whether the principal's own IAM policies allow the request: a resource policy that names an
 * account (`"AWS": "111122223333"` or its root ARN) delegates to that account's IAM policies, so
 * it allows a principal of the account only when those do. The dimension's value `allows` says
 * they do; any other value, that they do not (the principal may have no identity policy at all).
 */
export const IDENTITY = 'identity'
export const IDENTITY_ALLOWS = 'allows'

/** Condition keys that are constraints on the principal in resource policies. */
const PRINCIPAL_KEYS = new Set(['aws:principalarn', 'aws:principalaccount'])

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The two kinds of Organizations policy that are guardrails: they permit, never grant. */
export type GuardrailType = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY'

/**
 * A guardrail as a document of this kind: an Organizations policy (`describe-policy` output) is
 * `{"Guardrail": TYPE, "Content": POLICY}`, its policy under `Content`. It grants nothing: it is
 * the most that the principals (SCP) or the resources (RCP) of the accounts under it may be
 * allowed, so a request it permits and its baseline did not widens what every such account may do.
 */
export function guardrailOf(value: unknown): {type: GuardrailType; policy: unknown} | undefined {
  if (!isObject(value) || typeof value.Guardrail !== 'string') return undefined
  return {type: value.Guardrail as GuardrailType, policy: value.Content}
}

/**
 * One IAM user's or role's identity policies, as an account export gives them (the aws-cli
 * format composes them): `{"Principal": ARN, "Policies": [{Name, Document}], "PermissionsBoundary"?: {Name, Document}}`.
 * AWS allows the principal a request when some policy allows it and none denies it, and, where
 * it has a permissions boundary, when the boundary allows it too
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
 */
export function principalPoliciesOf(value: unknown): {principal: string} | undefined {
  if (!isObject(value) || typeof value.Principal !== 'string' || !Array.isArray(value.Policies))
    return undefined
  return {principal: value.Principal}
}

/**
 * The statements of a policy document (of a guardrail's policy, pointed at under `/Content`; of
 * each of a principal's policies and its boundary, under theirs).
 */
export function statementsOf(value: unknown): Statement[] {
  if (principalPoliciesOf(value) !== undefined) {
    const composed = value as {
      Policies: Array<{Document: unknown}>
      PermissionsBoundary?: {Document: unknown}
    }
    const boundary = composed.PermissionsBoundary
    return [
      ...composed.Policies.flatMap((p, i) => policyStatements(p.Document, `/Policies/${i}/Document`)),
      ...(boundary === undefined
        ? []
        : policyStatements(boundary.Document, '/PermissionsBoundary/Document').map((s) => ({
            ...s,
            boundary: true as const,
          }))),
    ]
  }
  const guardrail = guardrailOf(value)
  return policyStatements(guardrail ? guardrail.policy : value, guardrail ? '/Content' : '')
}

function policyStatements(policy: unknown, base: string): Statement[] {
  const doc = isObject(policy) ? policy : {}
  const variables = doc.Version === '2012-10-17'
  const single = !Array.isArray(doc.Statement)
  const list = single ? (doc.Statement === undefined ? [] : [doc.Statement]) : (doc.Statement as unknown[])
  return list.map((raw, i) => {
    const s = (isObject(raw) ? raw : {}) as Record<string, unknown>
    return {
      raw: s,
      pointer: `${base}/Statement${single ? '' : `/${i}`}`,
      sid: typeof s.Sid === 'string' ? s.Sid : undefined,
      effect: s.Effect === 'Deny' ? 'deny' : s.Effect === 'Allow' ? 'allow' : 'unknown',
      hasPrincipal: 'Principal' in s || 'NotPrincipal' in s,
      variables,
    }
  })
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(String)

/**
 * A statement as access: without its Sid (a name, not access), and with the values AWS reads as
 * lists written as lists, so that `"Action": "s3:GetObject"` and `["s3:GetObject"]` are one access.
 */
export function accessOf(statement: Statement): Record<string, unknown> {
  const access = {...statement.raw}
  delete access.Sid
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource'])
    if (key in access) access[key] = asList(access[key])
  for (const key of ['Principal', 'NotPrincipal']) {
    const principal = access[key]
    if (typeof principal === 'object' && principal !== null && !Array.isArray(principal))
      access[key] = mapValues(principal as Record<string, unknown>, asList)
  }
  const condition = access.Condition
  if (typeof condition === 'object' && condition !== null && !Array.isArray(condition))
    access.Condition = mapValues(condition as Record<string, unknown>, (block) =>
      typeof block === 'object' && block !== null && !Array.isArray(block)
        ? mapValues(block as Record<string, unknown>, asList)
        : block,
    )
  // Whether policy variables are read (the policy's Version) is part of what it grants.
  if (statement.variables) access['(policy variables)'] = true
  return access
}

/** The object's own entries with `f` applied (own keys such as `__proto__` stay data). */
const mapValues = (object: Record<string, unknown>, f: (value: unknown) => unknown) =>
  Object.fromEntries(Object.entries(object).map(([k, v]) => [k, f(v)]))

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
const accountPrincipal = (account: string) => globLeaf(accountGlob(account), {wildcards: true, arn: true})

/** An account id: twelve digits, or a template's value standing for one (`${AWS::AccountId}`). */
const ACCOUNT = '(\\d{12}|\uE000[^\uE001]*\uE001)'
const ACCOUNT_ID = new RegExp(`^${ACCOUNT}$`)
const ROOT_ARN = new RegExp(`^arn:[^:]+:iam::${ACCOUNT}:root$`)

/** The account a Principal entry delegates to (an account id or its root ARN), if it names one. */
function delegatedAccount(value: string): string | undefined {
  return ACCOUNT_ID.exec(value)?.[1] ?? ROOT_ARN.exec(value)?.[1]
}

/** Readable example principals named by a policy (used as preferred witness values). */
export function principalSamples(statements: Statement[]): string[] {
  const samples = [ANYONE]
  for (const s of statements) {
    if (!s.hasPrincipal) continue
    samples.push(...conditionPrincipals(s.raw.Condition))
    const element = s.raw.Principal ?? s.raw.NotPrincipal
    if (element === undefined || element === '*') continue
    for (const [type, values] of Object.entries(element as Record<string, unknown>)) {
      for (const v of asList(values)) {
        const account = delegatedAccount(v)
        if (type !== 'AWS') samples.push(`${type}:${v}`)
        // A principal of the account, as a request names it: a role.
        else if (account !== undefined) samples.push(`arn:aws:iam::${account}:role/example-role`, v)
        else if (v !== '*') samples.push(v)
      }
    }
  }
  return samples
}

/**
 * Principals a statement's conditions name: a role of each account in `aws:PrincipalAccount`, and
 * each `aws:PrincipalArn` without wildcards. Otherwise the witness of "a principal of account
 * 444455556666" is the pattern's bare example, not an ARN AWS could see (`…:444455556666:example`).
 */
function conditionPrincipals(condition: unknown): string[] {
  if (typeof condition !== 'object' || condition === null) return []
  const samples: string[] = []
  for (const block of Object.values(condition as Record<string, unknown>)) {
    if (typeof block !== 'object' || block === null) continue
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
      const name = key.toLowerCase()
      for (const v of asList(values))
        if (name === 'aws:principalaccount' && ACCOUNT_ID.test(v))
          samples.push(`arn:aws:iam::${v}:role/example-role`)
        else if (name === 'aws:principalarn' && /^arn:[^*?]+$/.test(v)) samples.push(v)
    }
  }
  return samples
}

/** A Principal element, split by how it grants: directly, or through the named accounts' own policies. */
interface PrincipalParts {
  direct: Formula<AnyLeaf>[]
  delegated: Formula<AnyLeaf>[]
}

/**
 * The principals a Principal element names. In `NotPrincipal` (`exact`), an account names
 * the account principal itself, not everyone in it: AWS's documented pattern lists the
 * session, the role and the account so that only they escape a Deny.
 */
function principalElement(element: unknown, exact: boolean): PrincipalParts {
  const parts: PrincipalParts = {direct: [], delegated: []}
  if (element === '*') {
    parts.direct.push(globLeaf('*', {wildcards: true}))
    return parts
  }
  for (const [type, values] of Object.entries(element as Record<string, unknown>)) {
    for (const v of asList(values)) {
      if (type !== 'AWS') {
        parts.direct.push(globLeaf(`${type}:${v}`, {wildcards: false}))
        continue
      }
      const account = delegatedAccount(v)
      if (v === '*') parts.direct.push(globLeaf('*', {wildcards: true}))
      else if (account !== undefined && exact)
        parts.direct.push(globLeaf(`arn:aws:iam::${account}:root`, {wildcards: false}))
      else if (account !== undefined) {
        parts.delegated.push(accountPrincipal(account))
        // A template's value may also be a whole principal ARN rather than an account id.
        if (hasSymbol(v) && ACCOUNT_ID.test(v)) parts.direct.push(globLeaf(v, {wildcards: false}))
      }
      // AWS rejects wildcards inside principal ARNs, so the text is literal.
      else parts.direct.push(globLeaf(v, {wildcards: false}))
    }
  }
  return parts
}

/** `aws:PrincipalArn` / `aws:PrincipalAccount` leaves match principal strings of AWS principals. */
function principalCondition(
  key: string,
  value: string,
  op: {like: boolean; arn: boolean; caseInsensitive: boolean},
  variables: boolean,
): GlobLeaf {
  const account = key === 'aws:principalaccount'
  const text = account ? accountGlob(value) : value
  // `…IgnoreCase` operators must match regardless of case: a case-sensitive leaf would
  // under-approximate what the statement allows and hide widenings. Only Arn* operators
  // (and the account pattern) compare segment by segment; String* ones compare plain text.
  const glob = compileGlob(text, {
    wildcards: op.like || account,
    arn: op.arn || account,
    caseInsensitive: op.caseInsensitive,
    variables,
  })
  return {key: `glob:${glob.key}`, type: 'glob', glob}
}

const AWS_PRINCIPAL: GlobLeaf = (() => {
  const glob = compileGlob('arn:*', {wildcards: true})
  return {key: `glob:${glob.key}`, type: 'glob', glob}
})()

export interface CompileContext {
  traits: Map<string, KeyTraits>
  /** one opaque dimension per distinct uninterpretable condition or reading, shared by both sides */
  opaque: Map<string, string>
}

/**
 * An action AWS's reading of which is not known: one with whitespace in it, as some AWS managed
 * policies write them (`"amplifybackend: *"`), or a template's unresolved value. Read as the
 * pattern without whitespace (a symbol as any action) under an unknown: "AWS reads it so".
 */
const uncertainAction = (action: string) => /\s/.test(action) || hasSymbol(action)

function actionPattern(action: string): Formula<AnyLeaf> {
  const text = action.replace(/\s+/g, '').toLowerCase()
  const glob = compileGlob(text, {wildcards: true})
  const l: GlobLeaf = {key: '', type: 'glob', glob: hasSymbol(text) ? relaxedGlob(glob) : glob}
  l.key = `glob:${l.glob.key}`
  return leaf(l)
}

/** Every way a statement allows (or denies): usually one. */
interface Variant {
  /** predicates that differ between the ways, by dimension */
  predicates: Map<string, Formula<AnyLeaf>>
  effect: 'allow' | 'deny'
}

/**
 * The rules of a statement. A statement is one rule unless it allows in several ways at once:
 * a Principal that names accounts (through their policies) and principals (directly); actions
 * AWS may or may not read as written; an Effect a template leaves open. Each way is a rule of
 * its own, and what may or may not hold is an opaque unknown shared by every rule that asks it.
 */
export function compileStatement(s: Statement, ctx: CompileContext): CompiledRule[] {
  const common = new Map<string, Formula<AnyLeaf>>()
  const raw = s.raw
  const opaque = (description: string, identity: string): Formula<AnyLeaf> => {
    const name = `opaque:${identity}`
    ctx.opaque.set(name, description)
    const l: OpaqueLeaf = {key: name, type: 'opaque', description}
    return leaf(l)
  }
  const resourceOptions: GlobOptions = {wildcards: true, arn: true, variables: s.variables}
  if ('Resource' in raw) common.set('resource', anyOf(asList(raw.Resource), resourceOptions))
  if ('NotResource' in raw) common.set('resource', not(anyOf(asList(raw.NotResource), resourceOptions)))

  const principal: Formula<AnyLeaf>[] = []
  let principals: PrincipalParts | undefined
  if ('Principal' in raw) principals = principalElement(raw.Principal, false)
  else if ('NotPrincipal' in raw) principal.push(not(or(...principalElement(raw.NotPrincipal, true).direct)))
  else principal.push(globLeaf(SELF, {wildcards: false}))

  const context = new Map<string, Formula<AnyLeaf>[]>()
  // Identical uninterpretable conditions share one unknown; any difference makes another.
  const opaqueCondition = (description: string, identity: string) =>
    common.set(`opaque:${identity}`, opaque(description, identity))
  for (const [key, op, values] of conditionEntries(s)) {
    const where = `${op.text} ${JSON.stringify({[key]: values.length === 1 ? values[0] : values})}`
    // Values are ORed: their order must not make two identical conditions distinct unknowns.
    const identity = JSON.stringify([op.text, key, [...values].sort(), s.variables])
    if (isPrincipalKey(s, key)) {
      const arn = op.base.startsWith('Arn')
      const kind = {
        like: op.base.includes('Like') || arn,
        arn,
        caseInsensitive: op.base.endsWith('IgnoreCase'),
      }
      const compiled = op.qualifier
        ? {opaque: 'a set operator on a principal key'}
        : compileCondition(op, values, false, s.variables, AWS_PRINCIPAL, (v) =>
            principalCondition(key, v, kind, s.variables),
          )
      if ('opaque' in compiled) opaqueCondition(`${where}: ${compiled.opaque}`, identity)
      else principal.push(compiled.formula)
      continue
    }
    const traits = ctx.traits.get(key)!
    if (traits.families.size > 1) {
      opaqueCondition(`${where}: key compared as ${[...traits.families].join(' and ')}`, identity)
      continue
    }
    const compiled = compileCondition(op, values, traits.multiValued, s.variables)
    if ('opaque' in compiled) opaqueCondition(`${where}: ${compiled.opaque}`, identity)
    else context.set(key, [...(context.get(key) ?? []), compiled.formula])
  }
  for (const [key, formulas] of context) common.set(contextDimension(key), and(...formulas))

  // The ways the statement applies: by its actions, its principals and its effect.
  let variants: Array<Map<string, Formula<AnyLeaf>>> = [new Map()]
  const split = (ways: Array<Map<string, Formula<AnyLeaf>>>) => {
    variants = variants.flatMap((v) => ways.map((w) => new Map([...v, ...w])))
  }
  const actionField = 'Action' in raw ? 'Action' : 'NotAction' in raw ? 'NotAction' : undefined
  if (actionField !== undefined) {
    const actions = asList(raw[actionField])
    const certain = anyOf(actions.filter((a) => !uncertainAction(a)).map(lower), {wildcards: true})
    const uncertain = actions.filter(uncertainAction)
    const unknown =
      uncertain.length === 0
        ? undefined
        : opaque(
            `how AWS reads ${uncertain.map((a) => JSON.stringify(a)).join(', ')} (whitespace in an action, or a template's value)`,
            JSON.stringify(['action', [...uncertain].sort()]),
          )
    const either = or(...uncertain.map(actionPattern))
    if (actionField === 'Action') {
      const ways = [new Map([['action', certain]])]
      if (unknown)
        ways.push(
          new Map([
            ['action', either],
            [opaqueKey(unknown), unknown],
          ]),
        )
      split(ways)
    } else {
      // Not any of the actions: of those AWS may read, either none matches, or AWS does not read them.
      const ways = [new Map([['action', not(or(certain, either))]])]
      if (unknown)
        ways.push(
          new Map([
            ['action', not(certain)],
            [opaqueKey(unknown), not(unknown)],
          ]),
        )
      split(ways)
    }
  }
  if (principals !== undefined) {
    const ways: Array<Map<string, Formula<AnyLeaf>>> = []
    if (principals.direct.length > 0) ways.push(new Map([['principal', or(...principals.direct)]]))
    if (principals.delegated.length > 0)
      ways.push(
        new Map([
          ['principal', or(...principals.delegated)],
          [IDENTITY, identityAllows],
        ]),
      )
    split(ways.length === 0 ? [new Map([['principal', or()]])] : ways)
  }
  const effects: Variant[] = []
  for (const predicates of variants) {
    const withPrincipal = new Map(predicates)
    const p = and(...(predicates.has('principal') ? [predicates.get('principal')!] : []), ...principal)
    withPrincipal.set('principal', p)
    if (s.effect !== 'unknown') effects.push({predicates: withPrincipal, effect: s.effect})
    else {
      const unknown = opaque(
        `whether the Effect ${JSON.stringify(raw.Effect)} is Allow (a template's value)`,
        JSON.stringify(['effect', raw.Effect]),
      )
      effects.push(
        {predicates: new Map([...withPrincipal, [opaqueKey(unknown), unknown]]), effect: 'allow'},
        {predicates: new Map([...withPrincipal, [opaqueKey(unknown), not(unknown)]]), effect: 'deny'},
      )
    }
  }
  return effects.map(({predicates, effect}) => ({
    index: 0,
    effect,
    predicates: new Map([...common, ...predicates]),
    statement: s,
  }))
}

const identityAllows: Formula<AnyLeaf> = globLeaf(IDENTITY_ALLOWS, {wildcards: false})

const opaqueKey = (f: Formula<AnyLeaf>) => (f.op === 'leaf' ? f.leaf.key : '')

/**
 * The rules of a side, numbered in document order. With a permissions boundary, a request is
 * allowed when an identity Allow and a boundary Allow both match and no Deny of either does: each
 * identity Allow becomes one rule per boundary Allow, their predicates joined, and the statement
 * responsible is the identity one.
 */
export function compileDocument(statements: Statement[], ctx: CompileContext): CompiledRule[] {
  const rules = statements.flatMap((s) => compileStatement(s, ctx))
  const boundary = rules.filter((r) => r.statement.boundary === true)
  const composed =
    boundary.length === 0 && !statements.some((s) => s.boundary === true)
      ? rules
      : [
          ...rules.filter((r) => r.effect === 'deny'),
          ...rules
            .filter((r) => r.effect === 'allow' && r.statement.boundary !== true)
            .flatMap((identity) =>
              boundary
                .filter((b) => b.effect === 'allow')
                .map((b) => ({...identity, predicates: joined(identity, b)})),
            ),
        ]
  return composed.map((rule, index) => ({...rule, index}))
}

/** Both rules' predicates: a dimension that both constrain must meet both. */
function joined(a: CompiledRule, b: CompiledRule): Map<string, Formula<AnyLeaf>> {
  const predicates = new Map(a.predicates)
  for (const [dim, p] of b.predicates)
    predicates.set(dim, predicates.has(dim) ? and(predicates.get(dim)!, p) : p)
  return predicates
}

const lower = (s: string) => s.toLowerCase()
