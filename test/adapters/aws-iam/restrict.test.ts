// A comparison restricted to the statements that can take part in a difference (restrict.ts)
// against the whole comparison, over random edits of managed-policy-shaped documents: the same
// findings and notes, word for word, and every definite widening's witness confirmed by the
// brute-force evaluator (allowed by the target, not by the baseline).

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compareVersions} from '../../../src/adapters/aws-iam/compare.js'
import {allowsWitness} from '../../../src/adapters/aws-iam/evaluate.js'
import {statementsOf} from '../../../src/adapters/aws-iam/compile.js'
import {unrelatedStatements} from '../../../src/adapters/aws-iam/restrict.js'
import {accessText} from '../../../src/adapters/aws-iam/access.js'
import {confirmsForEveryValue} from './brute-force.js'
import {parsed} from './documents.js'
import {propertyRuns} from '../property-runs.js'

type Statement = Record<string, unknown>
interface Policy {
  Version: string
  Statement: Statement[]
}

const ACTIONS: Record<string, string[]> = {
  s3: ['s3:GetObject', 's3:PutObject', 's3:Get*', 's3:*', 'S3:deleteobject'],
  ec2: ['ec2:DescribeInstances', 'ec2:RunInstances', 'ec2:Describe*'],
  iam: ['iam:PassRole', 'iam:CreateUser', 'iam:*'],
  sqs: ['sqs:SendMessage', 'sqs:ReceiveMessage'],
}
const SERVICES = Object.keys(ACTIONS)
// Patterns that reach more than one service: nothing may then be left out.
const WIDE = ['*', 's3*:Get*', '*:PassRole', ' iam : PassRole']
const RESOURCES = ['*', 'arn:aws:s3:::a/*', 'arn:aws:iam::111111111111:role/r1', 'arn:aws:ec2:*:*:instance/*']

const statementArb = (sid: fc.Arbitrary<string | undefined>): fc.Arbitrary<Statement> =>
  fc
    .record({
      sid,
      deny: fc.nat(9),
      service: fc.constantFrom(...SERVICES),
      picks: fc.array(fc.nat(9), {minLength: 1, maxLength: 3}),
      wide: fc.nat(19),
      notAction: fc.nat(19),
      resources: fc.subarray(RESOURCES, {minLength: 1, maxLength: 2}),
      condition: fc.nat(9),
    })
    .map(({sid, deny, service, picks, wide, notAction, resources, condition}) => {
      const own = ACTIONS[service]!
      const actions = [...new Set(picks.map((i) => own[i % own.length]!))]
      if (wide === 0) actions.push(WIDE[picks[0]! % WIDE.length]!)
      return {
        ...(sid === undefined ? {} : {Sid: sid}),
        Effect: deny === 0 ? 'Deny' : 'Allow',
        [notAction === 0 ? 'NotAction' : 'Action']: actions.length === 1 ? actions[0]! : actions,
        Resource: resources.length === 1 ? resources[0]! : resources,
        ...(condition === 0 ? {Condition: {StringEquals: {'aws:ResourceTag/Team': 'a'}}} : {}),
      }
    })

const sidArb = fc.oneof(
  {weight: 8, arbitrary: fc.nat(40).map((n) => `S${n}`)},
  {weight: 1, arbitrary: fc.constant(undefined)},
)

const policyArb: fc.Arbitrary<Policy> = fc
  .array(statementArb(sidArb), {minLength: 2, maxLength: 14})
  .map((Statement) => ({Version: '2012-10-17', Statement}))

/** How AWS updates its managed policies, and a few edits that change more. */
type Edit =
  | {
      kind: 'add-action' | 'drop-action' | 'resource' | 'effect' | 'sid' | 'remove' | 'move'
      at: number
      n: number
    }
  | {kind: 'add'; statement: Statement}

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constantFrom(
      'add-action' as const,
      'add-action' as const,
      'drop-action' as const,
      'resource' as const,
      'effect' as const,
      'sid' as const,
      'remove' as const,
      'move' as const,
    ),
    at: fc.nat(20),
    n: fc.nat(20),
  }),
  fc.record({kind: fc.constant('add' as const), statement: statementArb(sidArb)}),
)

const asList = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(String)

function edit(policy: Policy, e: Edit): Policy {
  const statements = policy.Statement.map((s) => ({...s}))
  if (e.kind === 'add') return {...policy, Statement: [...statements, e.statement]}
  const at = e.at % statements.length
  const s = statements[at]!
  const field = 'Action' in s ? 'Action' : 'NotAction'
  const actions = asList(s[field])
  switch (e.kind) {
    case 'add-action': {
      const service = SERVICES[e.n % SERVICES.length]!
      const own = ACTIONS[service]!
      s[field] = [...new Set([...actions, own[e.n % own.length]!])]
      break
    }
    case 'drop-action':
      if (actions.length > 1) s[field] = actions.slice(0, -1)
      break
    case 'resource':
      s.Resource = RESOURCES[e.n % RESOURCES.length]
      break
    case 'effect':
      s.Effect = s.Effect === 'Allow' ? 'Deny' : 'Allow'
      break
    case 'sid':
      s.Sid =
        e.n % 3 === 0 ? String(statements[e.n % statements.length]!.Sid ?? 'S0') : `${String(s.Sid)}v${e.n}`
      break
    case 'remove':
      if (statements.length > 1) statements.splice(at, 1)
      break
    case 'move':
      statements.splice(e.n % statements.length, 0, ...statements.splice(at, 1))
      break
  }
  return {...policy, Statement: statements}
}

const compared = (baseline: Policy, target: Policy, restricted: boolean) =>
  compareVersions('policy.json', parsed(baseline), parsed(target), restricted)

/** How many statements the restricted comparison leaves out. */
const leftOut = (baseline: Policy, target: Policy) =>
  unrelatedStatements(statementsOf(baseline), statementsOf(target), [
    accessText(baseline)!,
    accessText(target)!,
  ]).size

/** Requests a witness may name: actions of each service (and one of none), resources, a tag. */
const witnessArb = fc.record(
  {
    action: fc.constantFrom(
      's3:GetObject',
      's3:DeleteObject',
      'ec2:DescribeInstances',
      'ec2:RunInstances',
      'iam:PassRole',
      'IAM:CreateUser',
      'sqs:SendMessage',
      'kms:Decrypt',
    ),
    resource: fc.constantFrom(
      'arn:aws:s3:::a/x',
      'arn:aws:iam::111111111111:role/r1',
      'arn:aws:ec2:us-east-1:1:instance/i',
      '*',
    ),
    context: fc.constantFrom({'aws:ResourceTag/Team': 'a'}, {'aws:ResourceTag/Team': 'b'}),
  },
  {requiredKeys: ['action', 'resource']},
)

describe('aws-iam: a comparison restricted to what changed (restrict.ts)', () => {
  it('finds what the whole comparison finds, word for word, with confirmed witnesses', () => {
    const runs = propertyRuns(1611, 60)
    let restrictedCases = 0
    fc.assert(
      fc.property(policyArb, fc.array(editArb, {minLength: 1, maxLength: 3}), (baseline, edits) => {
        const target = edits.reduce(edit, baseline)
        const restricted = compared(baseline, target, true)
        expect(JSON.stringify(restricted)).toBe(JSON.stringify(compared(baseline, target, false)))
        for (const f of restricted.findings)
          if (f.change === 'widening')
            expect(confirmsForEveryValue(target, baseline, f.witness as Record<string, unknown>)).toBe(true)
        if (leftOut(baseline, target) > 0) restrictedCases++
      }),
      runs,
    )
    // The property says something only where statements were left out.
    expect(restrictedCases).toBeGreaterThan(runs.numRuns / 4)
  }, 240_000)

  it("asks a version about a witness on the statements of the witness's service only, with the same answer", () => {
    fc.assert(
      fc.property(policyArb, witnessArb, (policy, witness) => {
        // The same statements beside a value with a policy variable's text: read whole (no service left out).
        const whole = {...policy, Comment: '${aws:username}'}
        expect(allowsWitness(policy, witness)).toBe(allowsWitness(whole, witness))
      }),
      propertyRuns(1612, 300),
    )
  })

  it('leaves out the unchanged statements of other services, and keeps Denies and what they reach', () => {
    const statement = (Sid: string, Action: string[], Effect = 'Allow') => ({
      Sid,
      Effect,
      Action,
      Resource: '*',
    })
    const baseline: Policy = {
      Version: '2012-10-17',
      Statement: [
        statement('A', ['s3:GetObject']),
        statement('B', ['ec2:DescribeInstances']),
        statement('C', ['s3:PutObject']),
        statement('D', ['iam:PassRole'], 'Deny'),
        statement('E', ['sqs:SendMessage']),
      ],
    }
    const target = edit(baseline, {kind: 'add-action', at: 0, n: 4})
    expect(target.Statement[0]!.Action).toEqual(['s3:GetObject', 'S3:deleteobject'])
    // B and E (other services), in each version; A changed, C shares its service, D denies.
    expect(leftOut(baseline, target)).toBe(4)
    expect(compared(baseline, target, true)).toEqual(compared(baseline, target, false))
    // A NotAction, a wildcard service or a changed Deny's service widens what must be kept.
    const notAction = {
      ...target,
      Statement: [...target.Statement, {Sid: 'N', Effect: 'Allow', NotAction: 'iam:*', Resource: '*'}],
    }
    expect(leftOut(baseline, notAction)).toBe(0)
    const wide = edit(baseline, {kind: 'add', statement: statement('W', ['*:Get*'])})
    expect(leftOut(baseline, wide)).toBe(0)
    const deny = edit(baseline, {kind: 'effect', at: 3, n: 0})
    expect(leftOut(baseline, deny)).toBe(8)
    // Policy variables are read across statements: nothing is left out.
    const named = {...statement('V', ['sqs:ReceiveMessage']), Resource: 'arn:aws:sqs:*:*:${aws:username}'}
    const withVariables = {...baseline, Statement: [...baseline.Statement, named]}
    expect(leftOut(withVariables, edit(withVariables, {kind: 'add-action', at: 0, n: 4}))).toBe(0)
  })
})
