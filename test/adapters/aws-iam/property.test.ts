// Property tests: the comparison engine against the brute-force evaluator over a small
// finite universe of requests. The rule under test is "sound before precise": a request
// the target allows and the baseline does not must never go unreported.

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compareIamFile} from '../../../src/adapters/aws-iam/compare.js'
import {awsIam} from '../../../src/adapters/aws-iam/index.js'
import {symbol} from '../../../src/kernel/symbols.js'
import type {Finding, ParsedFile} from '../../../src/kernel/types.js'
import {
  type ContextValue,
  type Request,
  ANYONE,
  SELF,
  allows,
  confirmsForEveryValue,
  instantiate,
  templateNames,
  decideStatements,
  readingOf,
  type StatementJson,
  statementApplies,
  statementMatchesRequestParts,
  statementsOf,
} from './brute-force.js'
import {propertyRuns, perFamily} from '../property-runs.js'
import {expectNewId} from '../widened-ids.js'

// --- the universe ------------------------------------------------------------------------

const ACTIONS = [
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:ListBucket',
  'iam:PassRole',
  'ec2:DescribeInstances',
]
const ACTION_PATTERNS = [
  ...ACTIONS,
  's3:*',
  's3:Get*',
  's3:?etObject',
  's3:*Object',
  '*',
  'S3:getobject',
  'IAM:*',
  'ec2:Describe*',
  'iam:Pass*',
  '*:*',
]

const RESOURCES = [
  'arn:aws:s3:::a/x',
  'arn:aws:s3:::a/y',
  'arn:aws:s3:::b/x',
  'arn:aws:s3:::a',
  'arn:aws:s3:::a/dev',
  // The text a 2008-10-17 policy names literally.
  'arn:aws:s3:::a/${aws:username}',
  'arn:aws:iam::111111111111:role/r1',
  'arn:aws:logs:us-east-1:111111111111:log-group:g:*',
  '*',
]
const RESOURCE_PATTERNS = [
  'arn:aws:s3:::a/x',
  'arn:aws:s3:::a/y',
  'arn:aws:s3:::b/x',
  'arn:aws:s3:::a',
  'arn:aws:s3:::a/*',
  'arn:aws:s3:::a*',
  'arn:aws:s3:::*',
  'arn:aws:s3:::?/x',
  'arn:*:s3:::b/*',
  'arn:aws:s?:*::a/x',
  'arn:aws:iam::*:role/*',
  'arn:aws:iam::111111111111:*',
  // Short forms (the missing segments are `*`) and a `*` that ends a segment (it stays in it).
  'arn:aws:logs:*',
  'arn:aws:logs:us-east-1:*',
  'arn:aws:*:us-east-1:111111111111:*',
  'arn:aws:logs:*:log-group:*',
  // Policy variables (read under Version 2012-10-17 only).
  'arn:aws:s3:::a/${aws:username}',
  'arn:aws:s3:::${aws:username}/*',
  // Templates' unresolved values (src/kernel/symbols.ts), substituted before AWS reads the policy.
  `arn:aws:s3:::${symbol('var.bucket')}/*`,
  `${symbol('Bucket.Arn')}/x`,
  "arn:aws:s3:::a/${aws:username, 'y'}",
  '*',
]

const ACCOUNT_1 = '111111111111'
const ACCOUNT_2 = '222222222222'
const ROLE_1 = `arn:aws:iam::${ACCOUNT_1}:role/r1`
const ROLE_2 = `arn:aws:iam::${ACCOUNT_2}:role/r2`
const PRINCIPALS = [
  SELF,
  ANYONE,
  `arn:aws:iam::${ACCOUNT_1}:root`,
  ROLE_1,
  `arn:aws:iam::${ACCOUNT_2}:root`,
  ROLE_2,
  'Service:s3.amazonaws.com',
  'Federated:cognito-identity.amazonaws.com',
]
const PRINCIPAL_ELEMENTS: unknown[] = [
  '*',
  {AWS: '*'},
  {AWS: ACCOUNT_1},
  {AWS: `arn:aws:iam::${ACCOUNT_2}:root`},
  {AWS: ROLE_1},
  {AWS: [ROLE_2, ACCOUNT_1]},
  {Service: 's3.amazonaws.com'},
  {Federated: 'cognito-identity.amazonaws.com', AWS: ROLE_2},
]

/** Values each context key takes in the universe (undefined: missing from the request). */
const CONTEXT_UNIVERSE: Record<string, ContextValue[]> = {
  'aws:sourceip': [undefined, '10.0.0.1', '10.0.1.5', '192.168.1.1', '8.8.8.8'],
  'aws:securetransport': [undefined, 'true', 'false'],
  's3:max-keys': [undefined, 5, 10, 30, 50, 100],
  'aws:principaltag/team': [undefined, 'dev', 'Dev', 'ops', 'dx'],
  'aws:tagkeys': [undefined, ['a'], ['b'], ['cc'], ['a', 'b'], ['a', 'cc'], ['b', 'cc'], ['a', 'b', 'cc']],
  'aws:currenttime': [
    undefined,
    '2023-06-01T00:00:00Z',
    '2024-01-01T00:00:00Z',
    '2024-06-01T00:00:00Z',
    '2025-01-01T00:00:00Z',
  ],
  'aws:sourcearn': [undefined, 'arn:aws:s3:::a', 'arn:aws:s3:::b', 'arn:aws:sns:us-east-1:111111111111:t'],
  // In identity policies (no Principal element) these describe the attached identity: context.
  'aws:principalaccount': [undefined, ACCOUNT_1, ACCOUNT_2],
  'aws:principalarn': [undefined, ROLE_1, ROLE_2],
  // The value policy variables `${aws:username}` read.
  'aws:username': [undefined, 'x', 'y', 'dev'],
}
const PRINCIPAL_KEYS = new Set(['aws:principalarn', 'aws:principalaccount'])

/** Condition values as written in JSON: AWS compares their text, so `true` and `"true"` agree. */
type Condition = [operator: string, key: string, values: Array<string | number | boolean>]

const ifExists = (ops: string[]) => ops.flatMap((o) => [o, `${o}IfExists`])
const conditionChoices = (keys: string[], operators: string[], values: Array<string | number | boolean>) =>
  fc.tuple(
    fc.constantFrom(...operators),
    fc.constantFrom(...keys),
    fc.uniqueArray(fc.constantFrom(...values), {minLength: 1, maxLength: 2}),
  )

const contextCondition: fc.Arbitrary<Condition> = fc.oneof(
  conditionChoices(['aws:SourceIp', 'aws:sourceip'], ifExists(['IpAddress', 'NotIpAddress']), [
    '10.0.0.0/24',
    '10.0.0.0/16',
    '192.168.1.1/32',
    '8.8.8.8',
  ]),
  conditionChoices(['aws:SecureTransport', 'AWS:securetransport'], ifExists(['Bool']), [
    'true',
    'false',
    true,
  ]),
  conditionChoices(
    ['s3:max-keys'],
    ifExists([
      'NumericEquals',
      'NumericNotEquals',
      'NumericLessThan',
      'NumericLessThanEquals',
      'NumericGreaterThan',
      'NumericGreaterThanEquals',
    ]),
    ['10', '50', 10],
  ),
  conditionChoices(
    ['aws:PrincipalTag/team'],
    ifExists([
      'StringEquals',
      'StringNotEquals',
      'StringEqualsIgnoreCase',
      'StringNotEqualsIgnoreCase',
      'StringLike',
      'StringNotLike',
    ]),
    ['dev', 'ops', 'd*', '?ps', '${aws:username}', 'd${aws:username}'],
  ),
  conditionChoices(
    ['aws:TagKeys'],
    [
      'ForAllValues:StringEquals',
      'ForAnyValue:StringEquals',
      'ForAllValues:StringLike',
      'ForAnyValue:StringLike',
      'ForAllValues:StringNotEquals',
      'ForAnyValue:StringNotEquals',
      'ForAnyValue:StringEqualsIfExists',
    ],
    ['a', 'b', 'c*'],
  ),
  conditionChoices(
    ['aws:SourceArn'],
    ['ArnLike', 'ArnNotLike', 'ArnEqualsIfExists', 'StringLike'],
    ['arn:aws:s3:::*', 'arn:aws:*:*:111111111111:*', 'arn:aws:s3:::a'],
  ),
  conditionChoices(
    ['aws:CurrentTime'],
    ifExists(['DateGreaterThan', 'DateLessThan', 'DateEquals', 'DateNotEquals']),
    ['2024-01-01T00:00:00Z', '1717200000'],
  ),
  conditionChoices(['aws:SourceIp', 'aws:TagKeys', 's3:max-keys'], ['Null'], ['true', 'false', true]),
  // The same key compared as two types: the engine cannot model it and must say "possible".
  {
    weight: 1,
    arbitrary: fc.oneof(
      conditionChoices(['aws:SourceIp'], ['StringLike', 'StringNotEquals'], ['10.*', '8.8.8.8']),
      conditionChoices(['s3:max-keys'], ['StringEquals', 'StringNotLike'], ['10', '5*']),
    ),
  },
)

/** Conditions on the caller, for statements that name principals. */
const principalCondition: fc.Arbitrary<Condition> = fc.oneof(
  conditionChoices(['aws:PrincipalAccount'], ['StringEquals', 'StringNotEquals'], [ACCOUNT_1, ACCOUNT_2]),
  conditionChoices(
    ['aws:PrincipalArn'],
    [
      'ArnLike',
      'ArnNotLike',
      'ArnEquals',
      'StringEquals',
      'StringEqualsIgnoreCase',
      'StringNotEqualsIgnoreCase',
      'StringLike',
    ],
    [`arn:aws:iam::*:role/*`, ROLE_1, ROLE_1.toUpperCase(), `arn:aws:iam::${ACCOUNT_2}:*`],
  ),
  conditionChoices(['aws:PrincipalArn'], ['Null'], ['true', 'false']),
)

type ConditionJson = Record<string, Record<string, unknown>>
function conditionObject(conditions: Condition[]): ConditionJson | undefined {
  if (conditions.length === 0) return undefined
  const out: ConditionJson = {}
  for (const [op, key, values] of conditions)
    (out[op] ??= {})[key] = values.length === 1 ? values[0]! : values
  return out
}

const weighted = <T>(...choices: Array<[number, T]>) =>
  fc.oneof(...choices.map(([weight, value]) => ({weight, arbitrary: fc.constant(value)})))

const oneOrMany = <T>(values: T[]): T | T[] => (values.length === 1 ? values[0]! : values)

const statementArb: fc.Arbitrary<StatementJson> = fc
  .record({
    sid: fc.option(fc.constantFrom('A', 'B', 'C'), {nil: undefined}),
    effect: weighted<'Allow' | 'Deny'>([3, 'Allow'], [1, 'Deny']),
    actionField: weighted([4, 'Action'], [1, 'NotAction']),
    actions: fc.uniqueArray(fc.constantFrom(...ACTION_PATTERNS), {minLength: 1, maxLength: 2}),
    resourceField: weighted([4, 'Resource'], [1, 'NotResource']),
    resources: fc.uniqueArray(fc.constantFrom(...RESOURCE_PATTERNS), {minLength: 1, maxLength: 2}),
    principalField: weighted<'none' | 'Principal' | 'NotPrincipal'>(
      [3, 'none'],
      [3, 'Principal'],
      [1, 'NotPrincipal'],
    ),
    principal: fc.constantFrom(...PRINCIPAL_ELEMENTS),
    conditions: fc.array(contextCondition, {maxLength: 2}),
    principalConditions: fc.option(principalCondition, {freq: 2, nil: undefined}),
  })
  .map((r) => {
    const s: StatementJson = {}
    if (r.sid !== undefined) s.Sid = r.sid
    s.Effect = r.effect
    if (r.principalField !== 'none') s[r.principalField] = r.principal
    s[r.actionField] = oneOrMany(r.actions)
    s[r.resourceField] = oneOrMany(r.resources)
    const condition = conditionObject([
      ...r.conditions,
      ...(r.principalConditions === undefined ? [] : [r.principalConditions]),
    ])
    if (condition) s.Condition = condition
    return s
  })

type Policy = {Version?: string; Statement: StatementJson[]}
const policy = (statements: StatementJson[], version: string | undefined = '2012-10-17'): Policy =>
  version === undefined ? {Statement: statements} : {Version: version, Statement: statements}
/** Policy variables are read under 2012-10-17 only: the older version and none read them as text. */
const versionArb = weighted<string | undefined>([4, '2012-10-17'], [1, '2008-10-17'], [1, undefined])
const policyArb = fc
  .tuple(fc.array(statementArb, {minLength: 1, maxLength: 3}), versionArb)
  .map(([statements, version]) => policy(statements, version))

/** A small edit of a policy: the realistic case of a change under review. */
type Mutation = {kind: number; at: number; statement: StatementJson; other: StatementJson}
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.integer({min: 0, max: 10}),
  at: fc.nat(),
  statement: statementArb,
  other: statementArb,
})

function mutate(p: Policy, m: Mutation): Policy {
  const statements = p.Statement.map((s) => structuredClone(s))
  const i = m.at % statements.length
  const s = statements[i]!
  const field = (names: string[]) => names.find((n) => n in s)!
  switch (m.kind) {
    case 0:
      statements.push(m.statement)
      break
    case 1:
      if (statements.length > 1) statements.splice(i, 1)
      else statements[0] = m.statement
      break
    case 2:
      s.Effect = s.Effect === 'Allow' ? 'Deny' : 'Allow'
      break
    case 3: {
      // Another action list (keeping Action vs NotAction).
      const from = field(['Action', 'NotAction'])
      s[from] = m.other.Action ?? m.other.NotAction
      break
    }
    case 4: {
      const from = field(['Resource', 'NotResource'])
      s[from] = m.other.Resource ?? m.other.NotResource
      break
    }
    case 5:
      // Drop one condition block, or take the other statement's conditions.
      if (s.Condition !== undefined) {
        const ops = Object.keys(s.Condition as object)
        delete (s.Condition as Record<string, unknown>)[ops[m.at % ops.length]!]
        if (Object.keys(s.Condition as object).length === 0) delete s.Condition
      } else if (m.other.Condition !== undefined) {
        s.Condition = m.other.Condition
      }
      break
    case 6:
      // Change the principal (or add/remove one): principal keys change meaning with it.
      for (const k of ['Principal', 'NotPrincipal']) delete s[k]
      for (const k of ['Principal', 'NotPrincipal']) if (k in m.other) s[k] = m.other[k]
      break
    case 7: {
      // Action ↔ NotAction.
      const from = field(['Action', 'NotAction'])
      const value = s[from]
      delete s[from]
      s[from === 'Action' ? 'NotAction' : 'Action'] = value
      break
    }
    case 8: {
      // Widen or narrow one action pattern by a wildcard.
      const from = field(['Action', 'NotAction'])
      const actions = [s[from]].flat() as string[]
      const j = m.at % actions.length
      actions[j] = actions[j]!.includes('*')
        ? actions[j]!.replace(/\*.*$/, 'Object')
        : actions[j]!.replace(/[^:]*$/, '*')
      s[from] = oneOrMany(actions)
      break
    }
    case 9:
      statements.splice(i, 0, m.statement)
      break
    case 10:
      // Another Version: policy variables read, or read as text.
      return policy(statements, [undefined, '2008-10-17', '2012-10-17'][m.at % 3])
  }
  return policy(statements, p.Version)
}

// --- brute force over the universe ----------------------------------------------------------

function contextKeysOf(statements: StatementJson[], variables: boolean): string[] {
  const keys = new Set<string>()
  if (variables && statements.some((s) => JSON.stringify(s).includes('${aws:username')))
    keys.add('aws:username')
  for (const s of statements) {
    const hasPrincipal = 'Principal' in s || 'NotPrincipal' in s
    for (const block of Object.values((s.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const key of Object.keys(block)) {
        const k = key.toLowerCase()
        if (hasPrincipal && PRINCIPAL_KEYS.has(k)) continue
        if (!(k in CONTEXT_UNIVERSE)) throw new Error(`no universe for context key ${key}`)
        keys.add(k)
      }
    }
  }
  return [...keys]
}

function* contexts(keys: string[]): Generator<Record<string, ContextValue>> {
  if (keys.length === 0) {
    yield {}
    return
  }
  const [first, ...rest] = keys
  for (const tail of contexts(rest)) {
    for (const value of CONTEXT_UNIVERSE[first!]!)
      yield value === undefined ? tail : {...tail, [first!]: value}
  }
}

/**
 * Requests of the universe that `allowed` allows and `other` does not, each with the index
 * of the first `allowed` statement that allows it (the statement the engine holds responsible).
 */
function* bruteDifferences(
  allowed: Policy | undefined,
  other: Policy | undefined,
): Generator<{request: Request; responsible: number}> {
  const a = allowed ? statementsOf(allowed) : []
  const o = other ? statementsOf(other) : []
  const [ra, ro] = [readingOf(allowed ?? {}), readingOf(other ?? {})]
  const variables = ra.variables || ro.variables
  const allowsHere = (live: StatementJson[]) => a.some((s) => s.Effect === 'Allow' && live.includes(s))
  for (const request of requests([...a, ...o], variables, allowsHere)) {
    if (decideStatements(a, request, ra) === 'allow' && decideStatements(o, request, ro) !== 'allow') {
      const responsible = a.findIndex((s) => s.Effect === 'Allow' && statementApplies(s, request, ra))
      yield {request, responsible}
    }
  }
}

/** Whether a statement names an account as a principal (its principals' own policies then count). */
const namesAccount = (statements: StatementJson[]) =>
  statements.some((s) =>
    /"AWS":(\[[^\]]*)?"(\d{12}|arn:aws:iam::\d{12}:root)"/.test(JSON.stringify(s.Principal ?? {})),
  )

/**
 * A statement as read to tell whether it may apply to a request with some principal, action and
 * resource, whatever its context: a resource with a policy variable depends on the context, so
 * it may (read as any resource).
 */
function partsReading(s: StatementJson, variables: boolean): StatementJson {
  const resourceReadsContext = variables && /\$\{/.test(JSON.stringify([s.Resource, s.NotResource]))
  const shown = resourceReadsContext ? {...s, Resource: '*', NotResource: undefined} : s
  if (shown.NotResource === undefined) delete shown.NotResource
  return shown
}

/**
 * Every request of the universe the statements can tell apart: for each principal, action and
 * resource, the contexts that the statements which may apply to it read (the others cannot change
 * the decision, and enumerating every key's values for every request would not end), where
 * `wanted` says they may make the request one the caller looks for. Each statement's reading, and
 * the context keys of each set of statements that may apply, are worked out once per call.
 */
function* requests(
  statements: StatementJson[],
  variables: boolean,
  wanted: (live: StatementJson[]) => boolean,
): Generator<Request> {
  const identities = namesAccount(statements) ? [true, false] : [true]
  const readings = statements.map((s) => partsReading(s, variables))
  const keysOfLive = new Map<string, string[]>()
  for (const principal of PRINCIPALS)
    for (const identityAllows of identities)
      for (const action of ACTIONS)
        for (const resource of RESOURCES) {
          const parts: Request = {principal, action, resource, context: {}, identityAllows}
          const applies = readings.map((s) => statementMatchesRequestParts(s, parts))
          const live = statements.filter((_, i) => applies[i])
          if (!wanted(live)) continue
          const liveKey = applies.map((a) => (a ? '1' : '0')).join('')
          let keys = keysOfLive.get(liveKey)
          if (keys === undefined) keysOfLive.set(liveKey, (keys = contextKeysOf(live, variables)))
          for (const context of contexts(keys)) yield {...parts, context}
        }
}

/**
 * Requests of the universe that a baseline Deny stopped, that no target Deny stops and no
 * target Allow allows (another policy may allow them), each with the index of the first such
 * baseline Deny (the statement the engine's possible widening names).
 */
function* denyNoLongerInForce(
  baseline: Policy | undefined,
  target: Policy | undefined,
): Generator<{request: Request; deny: number}> {
  const b = baseline ? statementsOf(baseline) : []
  const t = target ? statementsOf(target) : []
  const [rb, rt] = [readingOf(baseline ?? {}), readingOf(target ?? {})]
  if (!b.some((s) => s.Effect === 'Deny')) return
  const deniesHere = (live: StatementJson[]) => b.some((s) => s.Effect === 'Deny' && live.includes(s))
  for (const request of requests([...b, ...t], rb.variables || rt.variables, deniesHere)) {
    const deny = b.findIndex((s) => s.Effect === 'Deny' && statementApplies(s, request, rb))
    if (deny === -1) continue
    if (t.some((s) => statementApplies(s, request, rt))) continue
    yield {request, deny}
  }
}

// --- the engine ---------------------------------------------------------------------------

const parsed = (value: unknown): ParsedFile => ({
  path: 'policy.json',
  value,
  hash: '0',
  sourceMap: {locate: () => ({line: 1, column: 1})},
})

/** A one-statement policy is sometimes written with `Statement` as an object, as AWS allows. */
const asWritten = (p: Policy) =>
  p.Statement.length === 1 && JSON.stringify(p).length % 2 === 1 ? {...p, Statement: p.Statement[0]} : p

// The properties below run on the same generated pairs (same seed): each comparison is
// computed once and shared (the engine is deterministic).
const comparisons = new Map<string, ReturnType<typeof compareIamFile>>()

function compare(baseline: Policy | undefined, target: Policy | undefined) {
  const key = JSON.stringify([baseline, target])
  let result = comparisons.get(key)
  if (result === undefined) {
    result = compareIamFile(
      'policy.json',
      baseline && parsed(asWritten(baseline)),
      target && parsed(asWritten(target)),
    )
    comparisons.set(key, result)
  }
  return result
}

const show = (x: unknown) => JSON.stringify(x)

/** Whether some context key is compared as two types (the engine then treats its conditions as unknowns). */
function mixesTypes(...policies: Array<Policy | undefined>): boolean {
  const families = new Map<string, Set<string>>()
  for (const s of policies.flatMap((p) => (p ? statementsOf(p) : []))) {
    for (const [op, block] of Object.entries((s.Condition ?? {}) as ConditionJson)) {
      const base = op.replace(/^For(All|Any)Values?:/, '').replace(/IfExists$/, '')
      const family = /^(String|Arn|Bool|Binary)/.test(base)
        ? 'string'
        : /^Numeric/.test(base)
          ? 'number'
          : /^Date/.test(base)
            ? 'date'
            : /Ip/.test(base)
              ? 'ip'
              : undefined
      if (family === undefined) continue
      for (const key of Object.keys(block)) {
        const k = key.toLowerCase()
        if (!families.has(k)) families.set(k, new Set())
        families.get(k)!.add(family)
      }
    }
  }
  return [...families.values()].some((f) => f.size > 1)
}

const statementIndex = (pointer: string) => Number(pointer.split('/')[2] ?? 0)

/**
 * Every widening in the universe must be reported, and by the statement responsible for it:
 * the engine groups findings by the first target statement that allows the witness, so each
 * such statement found by brute force must have its own finding (this catches a missed
 * widening hidden behind another, reported one). Where conditions are unknowns to the
 * engine, it may hold an earlier statement responsible (one whose unknown condition fails).
 * Likewise every request a baseline Deny stopped and nothing in the target decides any more
 * is reported, as a possible widening naming that Deny.
 */
/**
 * The values the templates' symbols of a pair take in the universe (each symbol the same value on
 * both sides): any text, `*` included, which AWS then reads as a wildcard.
 */
const TEMPLATE_VALUES = ['a', '*', 'arn:aws:s3:::a', 'unrelated']
function* instances(baseline: Policy | undefined, target: Policy | undefined) {
  const names = templateNames([baseline, target])
  if (names.length === 0) yield [baseline, target] as const
  else
    for (const value of TEMPLATE_VALUES) {
      const values = Object.fromEntries(names.map((n) => [n, value]))
      yield [instantiate(baseline, values), instantiate(target, values)] as const
    }
}

function checkSoundness(baseline: Policy | undefined, target: Policy | undefined) {
  const {findings} = compare(baseline, target)
  const missed = new Map<number, Request>()
  // A widening for some value of the symbols must be reported (definite or possible).
  for (const [b, t] of instances(baseline, target))
    for (const {request, responsible} of bruteDifferences(t, b))
      if (!missed.has(responsible)) missed.set(responsible, request)
  const widenings = findings.filter((f) => f.change === 'widening' || f.change === 'possible-widening')
  const reported = widenings.flatMap((f) => (f.pointer === null ? [] : [statementIndex(f.pointer)]))
  const exact = !mixesTypes(baseline, target)
  for (const [responsible, request] of missed) {
    expect(
      exact ? reported.includes(responsible) : reported.some((i) => i <= responsible),
      `widening by /Statement/${responsible} missed: ${show(request)}\nbaseline ${show(baseline)}\ntarget ${show(target)}`,
    ).toBe(true)
  }
  const denies = new Map<number, Request>()
  for (const [b, t] of instances(baseline, target))
    for (const {request, deny} of denyNoLongerInForce(b, t)) if (!denies.has(deny)) denies.set(deny, request)
  const denyReported = findings
    .filter((f) => f.rule === 'deny-removed' && f.baselineLocation?.pointer)
    .map((f) => statementIndex(f.baselineLocation!.pointer!))
  for (const [deny, request] of denies) {
    expect(
      exact ? denyReported.includes(deny) : denyReported.some((i) => i <= deny),
      `Deny /Statement/${deny} no longer in force, not reported: ${show(request)}\nbaseline ${show(baseline)}\ntarget ${show(target)}`,
    ).toBe(true)
  }
}

function checkWitnesses(baseline: Policy | undefined, target: Policy | undefined) {
  const {findings} = compare(baseline, target)
  for (const f of findings) {
    // A Deny no longer in force is possible only because another policy must allow it: its
    // witness says so (otherPolicyAllows), and is checked as such unless something else is unknown.
    const denyOnly =
      f.rule === 'deny-removed' &&
      f.witness?.otherPolicyAllows === true &&
      !f.reason?.includes(';') &&
      !mixesTypes(baseline, target)
    if (f.change === 'possible-widening' && !denyOnly) continue
    const [more, less] = f.change === 'narrowing' ? [baseline, target] : [target, baseline]
    const ok = confirmsForEveryValue(more, less, f.witness!)
    expect(
      ok,
      `${f.change} witness wrong: ${show(f.witness)}\nbaseline ${show(baseline)}\ntarget ${show(target)}`,
    ).toBe(true)
  }
}

/** Statement pointers of definite widenings of compare(b, t) / narrowings, by responsible statement. */
const widenedBy = (findings: Finding[]) =>
  findings
    .filter((f) => f.change === 'widening')
    .map((f) => f.pointer)
    .sort()
const narrowedBy = (findings: Finding[]) =>
  findings
    .filter((f) => f.change === 'narrowing')
    .map((f) => f.baselineLocation?.pointer ?? null)
    .sort()

function checkSymmetry(a: Policy, b: Policy) {
  const forward = compare(a, b)
  const backward = compare(b, a)
  // An undecidable narrowing search is reported as a note, not as findings.
  if ([...forward.notes, ...backward.notes].some((n) => n.includes('not computed') || n.includes('cells;')))
    return
  // Policy variables read: the search reads a variable as a generic value, and a widening found
  // that way may be laid at an earlier statement that holds only for that value (its soundness
  // is checked above; which statement a symbolic difference names is not yet symmetric).
  if ([a, b].some((p) => p.Version === '2012-10-17' && JSON.stringify(p).includes('${'))) return
  expect(narrowedBy(forward.findings), `baseline ${show(a)}\ntarget ${show(b)}`).toEqual(
    widenedBy(backward.findings),
  )
}

// --- equivalent rewrites --------------------------------------------------------------------

type Rewrite = {
  order: number[]
  sids: Array<string | undefined>
  split: boolean
  caseFlips: number
  respell: boolean
}
const rewriteArb = (n: number): fc.Arbitrary<Rewrite> =>
  fc.record({
    order: fc.shuffledSubarray([...Array(n).keys()], {minLength: n, maxLength: n}),
    sids: fc.array(fc.option(fc.constantFrom('X', 'Y', 'Renamed'), {nil: undefined}), {
      minLength: n,
      maxLength: n,
    }),
    split: fc.boolean(),
    caseFlips: fc.nat(),
    respell: fc.boolean(),
  })

const flipCase = (text: string, seed: number) =>
  [...text].map((c, i) => ((seed >> (i % 16)) & 1 ? c.toUpperCase() : c.toLowerCase())).join('')

const reversed = (v: unknown) => (Array.isArray(v) ? [...v].reverse() : v)

/** The same principal written another way: account id ↔ root ARN, `"*"` ↔ `{"AWS": "*"}`, lists reversed. */
function respellPrincipal(element: unknown): unknown {
  if (element === '*') return {AWS: '*'}
  const out: Record<string, unknown> = {}
  for (const [type, values] of Object.entries(element as Record<string, unknown>)) {
    const respelled = [values].flat().map((v) => {
      const root = /^arn:aws:iam::(\d{12}):root$/.exec(String(v))
      return /^\d{12}$/.test(String(v)) ? `arn:aws:iam::${String(v)}:root` : root ? root[1] : v
    })
    out[type] = oneOrMany(respelled.reverse())
  }
  return out
}

/** Equivalent spellings: condition keys in another case, value lists reversed, principals respelled. */
function respell(s: StatementJson, seed: number): void {
  for (const field of ['Action', 'NotAction', 'Resource', 'NotResource'])
    if (field in s) s[field] = reversed(s[field])
  for (const field of ['Principal', 'NotPrincipal']) if (field in s) s[field] = respellPrincipal(s[field])
  if (s.Condition === undefined) return
  const condition: ConditionJson = {}
  for (const [op, block] of Object.entries(s.Condition as ConditionJson)) {
    // (two spellings of one key in a block are two conditions: keep them apart)
    const spellings = Object.keys(block).map((key) => key.toLowerCase())
    const respelled = (key: string) =>
      spellings.filter((k) => k === key.toLowerCase()).length > 1 ? key : flipCase(key, seed)
    condition[op] = Object.fromEntries(
      Object.entries(block).map(([key, values]) => [respelled(key), reversed(values)]),
    )
  }
  s.Condition = condition
}

function rewrite(p: Policy, r: Rewrite): Policy {
  const out: StatementJson[] = []
  for (const [n, i] of r.order.entries()) {
    const s = structuredClone(p.Statement[i]!)
    delete s.Sid
    if (r.sids[n] !== undefined) s.Sid = `${r.sids[n]}${n}`
    for (const field of ['Action', 'NotAction']) {
      if (field in s) s[field] = oneOrMany([s[field]].flat().map((a) => flipCase(String(a), r.caseFlips + n)))
    }
    if (r.respell) respell(s, r.caseFlips + n)
    const actions = s.Action
    if (r.split && Array.isArray(actions) && actions.length > 1) {
      for (const a of actions)
        out.push({...structuredClone(s), Action: a, ...(s.Sid ? {Sid: `${String(s.Sid)}${String(a)}`} : {})})
    } else out.push(s)
  }
  return policy(out, p.Version)
}

// --- the properties --------------------------------------------------------------------------

// The pair properties run once per family (random pairs, small edits): 16 each, 32 in all. The
// universe (policy versions and variables, account principals whose own policies may or may not
// allow, short ARNs) makes a run costly, and a few runs (many context keys) cost most: 120 runs took
// about 95 s of CPU, 32 take about 45 s. At 32 the properties still fail on the unsound engines
// tried by hand: a negated condition operator (StringNotEquals, NotIpAddress…) read as failing on a
// missing key (widenings missed, by the 5th pair), and covers() comparing the approved and found
// accesses the wrong way round (on the 1st run). The covers() properties draw policies whose Allow a
// Deny cuts and edits that loosen the Deny or retype a condition, and fail on covers() dropping the
// Denies that cut a statement (on the 5th run) and counting a possible widening as covered (on the
// 12th). Explore further with PROPERTY_RUNS (e.g. 1500).
const RUNS = propertyRuns(42, 32)
const SLOW = 300_000
const PAIR_RUNS = perFamily(RUNS)
const pairArb = fc.tuple(policyArb, policyArb)
const mutatedArb = fc
  .tuple(policyArb, fc.array(mutationArb, {minLength: 1, maxLength: 2}))
  .map(([p, ms]) => [p, ms.reduce(mutate, p)] as const)

const FAMILIES = [
  ['random pairs', pairArb],
  ['small edits', mutatedArb],
] as const

describe.each(FAMILIES)('aws-iam comparison against brute force (%s)', (_, pairs) => {
  it(
    'soundness: every widening in the universe is reported, in both directions',
    () => {
      fc.assert(
        fc.property(pairs, ([b, t]) => {
          checkSoundness(b, t)
          checkSoundness(t, b)
        }),
        PAIR_RUNS,
      )
    },
    SLOW,
  )

  it(
    'witness validity: widening and narrowing witnesses are allowed by one side only',
    () => {
      fc.assert(
        fc.property(pairs, ([b, t]) => {
          checkWitnesses(b, t)
          checkWitnesses(t, b)
        }),
        PAIR_RUNS,
      )
    },
    SLOW,
  )

  it(
    'narrowing symmetry: compare(b, t) narrows iff compare(t, b) widens',
    () => {
      fc.assert(
        fc.property(pairs, ([b, t]) => checkSymmetry(b, t)),
        PAIR_RUNS,
      )
    },
    SLOW,
  )
})

describe('aws-iam comparison against brute force', () => {
  it(
    'soundness and witnesses: new and deleted files',
    () => {
      fc.assert(
        fc.property(policyArb, (p) => {
          checkSoundness(undefined, p)
          checkSoundness(p, undefined)
          checkWitnesses(undefined, p)
          checkWitnesses(p, undefined)
        }),
        {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 3)},
      )
    },
    SLOW,
  )

  it(
    'no false alarm on equivalent rewrites',
    () => {
      fc.assert(
        fc.property(
          policyArb.chain((p) => fc.tuple(fc.constant(p), rewriteArb(p.Statement.length))),
          ([p, r]) => {
            const q = rewrite(p, r)
            for (const [a, b] of [
              [p, p],
              [p, q],
              [q, p],
            ] as const) {
              const {findings} = compare(a, b)
              expect(findings, `baseline ${show(a)}\ntarget ${show(b)}`).toEqual([])
            }
          },
        ),
        RUNS,
      )
    },
    SLOW,
  )
})

/** Whether `wider` allows a request of the universe that neither `target` nor `baseline` allows. */
function allowsMore(baseline: Policy | undefined, target: Policy, wider: Policy): boolean {
  for (const {request} of bruteDifferences(wider, target)) if (!allows(baseline, request)) return true
  return false
}

/** A value of each context key that widens a condition listing it (an IpAddress range, a pattern). */
const WIDER_VALUE: Record<string, string> = {
  'aws:sourceip': '0.0.0.0/0',
  'aws:securetransport': 'false',
  's3:max-keys': '100',
  'aws:principaltag/team': '*',
  'aws:tagkeys': '*',
  'aws:sourcearn': 'arn:aws:*',
  'aws:currenttime': '2030-01-01T00:00:00Z',
  'aws:principalaccount': ACCOUNT_2,
  'aws:principalarn': 'arn:aws:iam::*:*',
}

/**
 * One statement of a policy widened in one nested place, as an agent would stretch an approved
 * statement: a condition key dropped or given another value, the principal or the actions or
 * resources extended; or a Deny that cut an Allow removed.
 */
type Stretch = {kind: number; at: number; pick: number; principal: unknown; pattern: number}
const stretchArb: fc.Arbitrary<Stretch> = fc.record({
  kind: fc.integer({min: 0, max: 5}),
  at: fc.nat(),
  pick: fc.nat(),
  principal: fc.constantFrom<unknown>('*', {AWS: '*'}, {AWS: ACCOUNT_2}, {AWS: [ROLE_1, ROLE_2]}),
  pattern: fc.nat(),
})

function stretch(p: Policy, x: Stretch): Policy {
  const statements = p.Statement.map((s) => structuredClone(s))
  const s = statements[x.at % statements.length]!
  const blocks = Object.values((s.Condition ?? {}) as ConditionJson)
  const block = blocks[x.pick % Math.max(blocks.length, 1)]
  const keys = block ? Object.keys(block) : []
  const key = keys[x.pick % Math.max(keys.length, 1)]
  const add = (field: string, values: string[]) => {
    if (field in s) s[field] = [...[s[field]].flat(), values[x.pattern % values.length]!]
  }
  switch (x.kind) {
    case 0: {
      const denies = statements.filter((d) => d.Effect === 'Deny')
      if (denies.length > 0) statements.splice(statements.indexOf(denies[x.pick % denies.length]!), 1)
      break
    }
    case 1:
      if (block && key !== undefined) delete block[key]
      break
    case 2:
      if (block && key !== undefined)
        block[key] = [...[block[key]].flat(), WIDER_VALUE[key.toLowerCase()] ?? '*']
      break
    case 3:
      if ('Principal' in s) s.Principal = x.principal
      break
    case 4:
      add('Action', ACTION_PATTERNS)
      break
    case 5:
      add('Resource', RESOURCE_PATTERNS)
      break
  }
  return policy(statements)
}

describe('aws-iam finding ids', () => {
  const idsOf = (b: Policy | undefined, t: Policy) => compare(b, t).findings.map((f) => f.id)

  it('an approval of "partner role from 203.0.113.0/24" does not cover "another account from 0.0.0.0/0"', () => {
    const trust = (principal: string, cidr: string) =>
      policy([
        allow({
          Principal: {AWS: principal},
          Action: 'sts:AssumeRole',
          Condition: {IpAddress: {'aws:SourceIp': cidr}},
        }),
      ])
    const approved = idsOf(undefined, trust(ROLE_2, '203.0.113.0/24'))
    for (const wider of [
      trust(ROLE_2, '0.0.0.0/0'),
      trust(`arn:aws:iam::${ACCOUNT_1}:root`, '203.0.113.0/24'),
    ])
      for (const id of idsOf(undefined, wider)) expect(approved).not.toContain(id)
  })

  it('a Deny removed from under an approved Allow gives the Allow a new id', () => {
    const guarded = policy([
      allow({Action: 's3:*', Resource: 'arn:aws:s3:::a/*'}),
      {Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*'},
    ])
    const open = policy([allow({Action: 's3:*', Resource: 'arn:aws:s3:::a/*'})])
    expect(idsOf(undefined, open).filter((id) => idsOf(undefined, guarded).includes(id))).toEqual([])
    // A Deny that shares no action with it leaves it alone.
    const unrelated = policy([...open.Statement, {Effect: 'Deny', Action: 'iam:PassRole', Resource: '*'}])
    expect(idsOf(undefined, unrelated)).toEqual(idsOf(undefined, open))
  })

  const stretched = fc.oneof(
    mutatedArb,
    pairArb,
    policyArb.map((p) => [undefined, p] as const),
  )
  it(
    'a widened statement never keeps its id: the approvals of (baseline, target) never cover a wider target',
    async () => {
      await fc.assert(
        fc.asyncProperty(stretched, stretchArb, async ([b, t], x) => {
          const wider = stretch(t, x)
          fc.pre(allowsMore(b, t, wider))
          const context = `baseline ${show(b)}\ntarget ${show(t)}\nwider ${show(wider)}`
          await expectNewId(compare(b, t).findings, compare(b, wider).findings, context)
        }),
        {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 2)},
      )
    },
    SLOW,
  )
})

/**
 * The policy an access stands for, as the brute-force evaluator reads it: the statement and the
 * Denies that cut it, under the Version its policy was read with (compare.ts marks a statement
 * whose policy reads policy variables).
 */
function accessPolicy(access: unknown): Policy {
  const {statement, cutBy = []} = access as {statement: StatementJson; cutBy?: StatementJson[]}
  const statements = [statement, ...cutBy]
  const variables = statements.some((s) => s['(policy variables)'] === true)
  const plain = statements.map((s) =>
    Object.fromEntries(Object.entries(s).filter(([k]) => k !== '(policy variables)')),
  )
  return policy(plain as StatementJson[], variables ? '2012-10-17' : '2008-10-17')
}

const widenings = (p: Policy) => compare(undefined, p).findings.filter((f) => f.change !== 'narrowing')

/** One statement narrowed as an agent would after an approval: an action, a resource or a principal fewer, a condition more. */
type Narrowing = {kind: number; pick: number}
const narrowingArb: fc.Arbitrary<Narrowing> = fc.record({kind: fc.integer({min: 0, max: 3}), pick: fc.nat()})
function narrow(p: Policy, x: Narrowing): Policy {
  const statements = p.Statement.map((s) => structuredClone(s))
  const s = statements[x.pick % statements.length]!
  const drop = (field: string) => {
    const values = [s[field]].flat() as unknown[]
    if (field in s && values.length > 1) s[field] = values.filter((_, i) => i !== x.pick % values.length)
  }
  switch (x.kind) {
    case 0:
      drop('Action')
      break
    case 1:
      drop('Resource')
      break
    case 2:
      s.Condition = {...((s.Condition ?? {}) as ConditionJson), Bool: {'aws:SecureTransport': 'true'}}
      break
    case 3:
      if (s.Principal === '*' || JSON.stringify(s.Principal) === '{"AWS":"*"}') s.Principal = {AWS: ROLE_1}
      break
  }
  return policy(statements, p.Version)
}

/**
 * Conditions on a key that an edit may compare as another type (an IP range as a string, a number
 * as a string): acldrift cannot decide between them (a possible widening), though some requests
 * pass the new one and not the old (10.0.1.5; 30).
 */
const RETYPED: Array<{key: string; was: [string, string | number]; now: [string, string]}> = [
  {key: 'aws:SourceIp', was: ['IpAddress', '10.0.0.0/24'], now: ['StringLike', '10.*']},
  {key: 's3:max-keys', was: ['NumericLessThan', 20], now: ['StringNotLike', '5*']},
]

/**
 * A policy whose Allow a Deny cuts: the Deny names one action on the Allow's resources (and
 * principal), perhaps under a condition. An approval of it is one of the Allow with that Deny.
 * The Allow is often under a condition of RETYPED.
 */
const cutPolicyArb: fc.Arbitrary<Policy> = fc
  .record({
    allow: statementArb,
    action: fc.constantFrom(...ACTIONS),
    condition: fc.option(contextCondition, {freq: 2, nil: undefined}),
    typed: fc.option(fc.constantFrom(...RETYPED), {freq: 4, nil: undefined}),
    version: versionArb,
  })
  .map(({allow, action, condition, typed, version}) => {
    const deny: StatementJson = {Effect: 'Deny'}
    for (const k of ['Principal', 'NotPrincipal', 'Resource', 'NotResource'])
      if (k in allow) deny[k] = allow[k]
    deny.Action = action
    const c = conditionObject(condition === undefined ? [] : [condition])
    if (c) deny.Condition = c
    const granted: StatementJson = {...allow, Effect: 'Allow'}
    if (typed) {
      const conditions = structuredClone((granted.Condition ?? {}) as ConditionJson)
      const [op, value] = typed.was
      conditions[op] = {...conditions[op], [typed.key]: value}
      granted.Condition = conditions
    }
    return policy([granted, deny], version)
  })

/**
 * The edits at covers()'s edges: a Deny that cut an Allow dropped, put under a condition or
 * moved to another action (the Allow then grants more, though unchanged), or an Allow's
 * condition of RETYPED compared as the other type (a possible widening).
 */
type Loosening = {kind: number; pick: number; condition: Condition}
const looseningArb: fc.Arbitrary<Loosening> = fc.record({
  kind: weighted([1, 0], [1, 1], [1, 2], [3, 3]),
  pick: fc.nat(),
  condition: contextCondition,
})
function loosen(p: Policy, x: Loosening): Policy {
  const statements = p.Statement.map((s) => structuredClone(s))
  const of = (effect: string) => statements.filter((s) => s.Effect === effect)
  const [denies, allows] = [of('Deny'), of('Allow')]
  const deny = denies[x.pick % Math.max(1, denies.length)]
  const allowed = allows[x.pick % Math.max(1, allows.length)]
  if (x.kind === 0 && deny) statements.splice(statements.indexOf(deny), 1)
  if (x.kind === 1 && deny)
    deny.Condition = {...((deny.Condition ?? {}) as ConditionJson), ...conditionObject([x.condition])}
  if (x.kind === 2 && deny)
    for (const k of ['Action', 'NotAction']) if (k in deny) deny[k] = ACTIONS[x.pick % ACTIONS.length]
  const conditions = allowed?.Condition as ConditionJson | undefined
  if (x.kind === 3 && conditions)
    for (const {key, was, now} of RETYPED) {
      const block = conditions[was[0]]
      if (block?.[key] === undefined) continue
      delete block[key]
      if (Object.keys(block).length === 0) delete conditions[was[0]]
      conditions[now[0]] = {...conditions[now[0]], [key]: now[1]}
    }
  return policy(statements, p.Version)
}

describe('aws-iam approvals cover what the engine finds implied, and nothing wider', () => {
  const allowArb = statementArb.map((s) => ({...s, Effect: 'Allow'}))

  it('covers the same statement narrowed (an action fewer, a condition added), not widened', async () => {
    const approved = allow({
      Principal: {AWS: ROLE_2},
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: 'arn:aws:s3:::a/*',
      Condition: {IpAddress: {'aws:SourceIp': '203.0.113.0/24'}},
    })
    const [a] = widenings(policy([approved]))
    const covers = async (s: StatementJson) => awsIam.covers(a!.access, widenings(policy([s]))[0]!.access)
    expect(await covers({...approved, Action: 's3:GetObject'})).toBe(true)
    // A key under a value acldrift cannot know, yet inside a/* whatever it is: decided, covered.
    expect(await covers({...approved, Resource: 'arn:aws:s3:::a/${aws:userid}/*'})).toBe(true)
    expect(
      await covers({
        ...approved,
        Condition: {...(approved.Condition as ConditionJson), Bool: {'aws:SecureTransport': 'true'}},
      }),
    ).toBe(true)
    for (const wider of [
      {...approved, Action: 's3:*'},
      {...approved, Principal: {AWS: [ROLE_2, ROLE_1]}},
      {...approved, Condition: {IpAddress: {'aws:SourceIp': '0.0.0.0/0'}}},
      {...approved, Condition: undefined},
      // A bucket named by a value acldrift cannot know: possibly wider, never covered.
      {...approved, Action: 's3:GetObject', Resource: 'arn:aws:s3:::${aws:userid}/*'},
    ])
      expect(await covers(wider), show(wider)).toBe(false)
  })

  it(
    'never covers a statement widened: the oracle finds a request it grants that the approved one does not',
    async () => {
      await fc.assert(
        fc.asyncProperty(allowArb, stretchArb, async (statement, x) => {
          const approved = policy([statement])
          const wider = stretch(approved, {...x, at: 0})
          // The oracle: the widened statement grants a request the approved one does not.
          fc.pre(!bruteDifferences(wider, approved).next().done)
          for (const f of widenings(wider))
            for (const a of widenings(approved))
              expect(
                await awsIam.covers(a.access, f.access),
                `${show(a.access)}\ncovers ${show(f.access)}`,
              ).toBe(false)
        }),
        {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 2)},
      )
    },
    SLOW,
  )

  it(
    'covers only what grants nothing more: the oracle finds no request the covered access grants that the approved one does not',
    async () => {
      let covered = 0
      await fc.assert(
        fc.asyncProperty(
          fc.oneof({weight: 1, arbitrary: policyArb}, {weight: 3, arbitrary: cutPolicyArb}),
          fc.oneof(
            {weight: 1, arbitrary: narrowingArb.map((x) => (p: Policy) => narrow(p, x))},
            {weight: 1, arbitrary: mutationArb.map((m) => (p: Policy) => mutate(p, m))},
            {weight: 3, arbitrary: looseningArb.map((x) => (p: Policy) => loosen(p, x))},
          ),
          async (approved, edit) => {
            const edited = edit(approved)
            for (const f of widenings(edited))
              for (const a of widenings(approved)) {
                if (!(await awsIam.covers(a.access, f.access))) continue
                covered++
                const more = bruteDifferences(accessPolicy(f.access), accessPolicy(a.access)).next()
                expect(
                  more.done,
                  `${show(a.access)}\ncovers ${show(f.access)}\nyet it grants ${show(more.value?.request)}`,
                ).toBe(true)
              }
          },
        ),
        {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 2)},
      )
      // Not vacuous: narrowed statements are covered.
      expect(covered).toBeGreaterThan(0)
    },
    SLOW,
  )
})

// --- regressions: shrunk counterexamples the properties found ---------------------------------

const allow = (s: StatementJson): StatementJson => ({Effect: 'Allow', ...s})
const changes = (b: Policy | undefined, t: Policy | undefined) => compare(b, t).findings.map((f) => f.change)

describe('aws-iam regressions found by the properties', () => {
  it('StringEqualsIgnoreCase on aws:PrincipalArn matches in any case (a widening was missed)', () => {
    const baseline = policy([allow({Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::a/x'})])
    const target = policy([
      allow({
        Principal: '*',
        NotAction: 's3:GetObject',
        Resource: 'arn:aws:s3:::a/x',
        Condition: {StringEqualsIgnoreCase: {'aws:PrincipalArn': 'ARN:AWS:IAM::111111111111:ROLE/R1'}},
      }),
      allow({Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::a/x'}),
    ])
    checkSoundness(baseline, target)
    const finding = compare(baseline, target).findings.find((f) => f.pointer === '/Statement/0')
    expect(finding?.change).toBe('widening')
    expect(finding?.witness?.principal).toBe(ROLE_1)
  })

  it('shows date witnesses as ISO 8601, not epoch milliseconds (AWS reads numbers as seconds)', () => {
    const target = policy([
      allow({
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::a/x',
        Condition: {DateEquals: {'aws:CurrentTime': '2024-01-01T00:00:00Z'}},
      }),
    ])
    const [finding] = compare(undefined, target).findings
    expect(finding?.witness?.context).toEqual({'aws:CurrentTime': '2024-01-01T00:00:00.000Z'})
    checkWitnesses(undefined, target)
  })

  it('does not tell two spellings of one uninterpretable condition apart by the order of its values', () => {
    const statement = (values: string[]) =>
      allow({
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::a/x',
        Condition: {NumericEquals: {'s3:max-keys': '10'}, StringEquals: {'s3:max-keys': values}},
      })
    expect(changes(policy([statement(['5*', '10'])]), policy([statement(['10', '5*'])]))).toEqual([])
  })

  it('keeps an account principal to its account segment (a trailing `*` must not cross colons there)', () => {
    // Statement 0 allows nobody: a principal of account 111… is not of account 222….
    const target = policy([
      allow({
        Principal: {AWS: ACCOUNT_1},
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::a/x',
        Condition: {StringEquals: {'aws:PrincipalAccount': ACCOUNT_2}},
      }),
      allow({Action: 's3:GetObject', Resource: 'arn:aws:s3:::a/x'}),
    ])
    expect(compare(undefined, target).findings.map((f) => f.pointer)).toEqual(['/Statement/1'])
    checkWitnesses(undefined, target)
  })

  it('matches ArnLike conditions segment by segment (a widening was missed)', () => {
    // As a Resource, `arn:aws:sns:*:*:y` would also match `…:111111111111:x:y` (its `*` ends a
    // segment); as an ArnLike value it does not, so the target grants more.
    const withSource = (arn: string) =>
      policy([allow({Action: 's3:GetObject', Resource: '*', Condition: {ArnLike: {'aws:SourceArn': arn}}})])
    const baseline = withSource('arn:aws:sns:*:*:y')
    const target = withSource(`arn:aws:sns:*:${ACCOUNT_1}:x:y`)
    expect(changes(baseline, target)).toContain('widening')
    checkWitnesses(baseline, target)
  })
})

// --- per-principal composition (an account export) ------------------------------------------

/**
 * One principal's identity policies as an account export composes them (compile.ts
 * principalPoliciesOf): one or two policies and, sometimes, a permissions boundary. The brute
 * force decides them as the IAM User Guide says: any Deny denies, some policy must allow, and the
 * boundary too where there is one.
 */
const APP = `arn:aws:iam::${ACCOUNT_1}:role/app`
type Composed = {
  Principal: string
  Policies: Array<{Name: string; Document: Policy}>
  PermissionsBoundary?: {Name: string; Document: Policy}
}
/** An identity policy: no Principal element (the generated ones sometimes have one). */
const identityArb = policyArb.map((p) => ({
  ...p,
  Statement: p.Statement.map(({Principal: _p, NotPrincipal: _n, ...s}) => s),
}))
const composedArb: fc.Arbitrary<Composed> = fc
  .tuple(fc.array(identityArb, {minLength: 1, maxLength: 2}), fc.option(identityArb, {nil: undefined}))
  .map(([policies, boundary]) => ({
    Principal: APP,
    Policies: policies.map((Document, i) => ({Name: `inline/p${i}`, Document})),
    ...(boundary === undefined
      ? {}
      : {PermissionsBoundary: {Name: 'arn:aws:iam::111111111111:policy/b', Document: boundary}}),
  }))
/** The edits an export shows: a boundary removed or replaced, a policy attached or detached. */
const composedEditArb = fc
  .tuple(composedArb, fc.integer({min: 0, max: 3}), identityArb)
  .map(([c, kind, other]): [Composed, Composed] => {
    if (kind === 0) return [c, {Principal: c.Principal, Policies: c.Policies}]
    if (kind === 1)
      return [c, {...c, PermissionsBoundary: {Name: 'arn:aws:iam::111111111111:policy/b', Document: other}}]
    if (kind === 2) return [c, {...c, Policies: [...c.Policies, {Name: 'group/g/p', Document: other}]}]
    return [
      c,
      {
        ...c,
        Policies:
          c.Policies.slice(1).length > 0 ? c.Policies.slice(1) : [{Name: 'inline/q', Document: other}],
      },
    ]
  })

const documentsOf = (c: Composed) => [
  ...c.Policies.map((p) => p.Document),
  ...(c.PermissionsBoundary ? [c.PermissionsBoundary.Document] : []),
]

/** Requests of the universe the principal makes that `more` allows and `less` does not. */
function* composedDifferences(more: Composed, less: Composed): Generator<Request> {
  const keys = composedKeys(more, less)
  for (const action of ACTIONS)
    for (const resource of RESOURCES)
      for (const context of contexts(keys)) {
        const request: Request = {principal: APP, action, resource, context}
        if (allows(more, request) && !allows(less, request)) yield request
      }
}

/** The context keys the pair's statements read: few enough that the universe is enumerated whole. */
const composedKeys = (...cs: Composed[]) => {
  const documents = cs.flatMap(documentsOf)
  return contextKeysOf(
    documents.flatMap(statementsOf),
    documents.some((d) => readingOf(d).variables),
  )
}

function checkComposed(baseline: Composed, target: Composed) {
  fc.pre(composedKeys(baseline, target).length <= 2)
  fc.pre(
    templateNames([baseline, target]).length === 0 &&
      !mixesTypes(...documentsOf(baseline), ...documentsOf(target)),
  )
  const {findings} = compareIamFile('aws/account.json#role/app', parsed(baseline), parsed(target))
  const missed = composedDifferences(target, baseline).next()
  if (!missed.done)
    expect(
      findings.some((f) => f.change !== 'narrowing'),
      `widening missed: ${show(missed.value)}\nbaseline ${show(baseline)}\ntarget ${show(target)}`,
    ).toBe(true)
  for (const f of findings) {
    if (f.change === 'possible-widening') continue
    expect(f.witness?.principal, show(f)).toBe(APP)
    const [more, less] = f.change === 'narrowing' ? [baseline, target] : [target, baseline]
    expect(
      confirmsForEveryValue(more, less, f.witness!),
      `${f.change} witness wrong: ${show(f.witness)}\nbaseline ${show(baseline)}\ntarget ${show(target)}`,
    ).toBe(true)
  }
}

describe('aws-iam per-principal composition against brute force', () => {
  it(
    'a boundary removed or replaced, a policy attached or detached: no widening missed, every witness confirmed',
    () => {
      fc.assert(
        fc.property(fc.oneof(composedEditArb, fc.tuple(composedArb, composedArb)), ([b, t]) => {
          checkComposed(b, t)
          checkComposed(t, b)
        }),
        {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 4)},
      )
    },
    SLOW,
  )
})
