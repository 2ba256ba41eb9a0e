// Statements are paired with their previous versions by identity and content, never by position
// (src/adapters/aws-iam/pair.ts): what a finding names as `before` and how its rule is chosen
// depend on it.

import {describe, expect, it} from 'vitest'
import {statementsOf} from '../../../src/adapters/aws-iam/compile.js'
import {pairStatements} from '../../../src/adapters/aws-iam/pair.js'

type Raw = Record<string, unknown>

const policy = (...statements: Raw[]) => statementsOf({Version: '2012-10-17', Statement: statements})

/** The pairing as target index → baseline index (-1: none). */
function pairing(baseline: Raw[], target: Raw[]): number[] {
  const before = policy(...baseline)
  const after = policy(...target)
  const pairs = pairStatements(before, after)
  return after.map((t) => {
    const b = pairs.get(t)
    return b === undefined ? -1 : before.indexOf(b)
  })
}

const ORDERS = 'arn:aws:dynamodb:eu-west-1:111122223333:table/Orders'
const CUSTOMERS = 'arn:aws:dynamodb:eu-west-1:111122223333:table/Customers'
const read = (resource: string): Raw => ({
  Effect: 'Allow',
  Action: ['dynamodb:GetItem', 'dynamodb:Query'],
  Resource: resource,
})
const monitoring: Raw = {
  Effect: 'Allow',
  Action: ['cloudwatch:PutMetricData', 'logs:DescribeLogGroups'],
  Resource: '*',
}
const inventory: Raw = {
  Effect: 'Allow',
  Action: ['ec2:DescribeInstances', 'ec2:DescribeVolumes'],
  Resource: '*',
}
const queue: Raw = {
  Effect: 'Allow',
  Action: 'sqs:SendMessage',
  Resource: 'arn:aws:sqs:eu-west-1:111122223333:orders',
}

describe('pairStatements', () => {
  it('pairs a reordered policy statement by statement', () => {
    expect(pairing([read(ORDERS), read(CUSTOMERS), queue], [queue, read(CUSTOMERS), read(ORDERS)])).toEqual([
      2, 1, 0,
    ])
  })

  it('pairs a reordered policy with one resource widened with that statement, not the first alike', () => {
    // Both baseline statements have the widened statement's actions; only one is its previous version.
    expect(
      pairing([read(ORDERS), read(CUSTOMERS), queue], [queue, read(`${CUSTOMERS}*`), read(ORDERS)]),
    ).toEqual([2, 1, 0])
    expect(pairing([read(ORDERS), read(CUSTOMERS)], [read(ORDERS), read('*')])).toEqual([0, 1])
  })

  it('pairs a statement whose actions grew with the one sharing the most actions, on the same resources', () => {
    const grown = {...monitoring, Action: [...(monitoring.Action as string[]), 'logs:PutLogEvents']}
    expect(pairing([inventory, monitoring], [inventory, grown])).toEqual([0, 1])
    // Both statements on "*" changed, and reordered: each with its own.
    const more = {...inventory, Action: [...(inventory.Action as string[]), 'ec2:DescribeImages']}
    expect(pairing([inventory, monitoring], [grown, more])).toEqual([1, 0])
    // Reordered too, and a wildcard for a listed action: the service still tells them apart.
    expect(pairing([inventory, monitoring], [{...inventory, Action: 'ec2:Describe*'}, monitoring])).toEqual([
      0, 1,
    ])
  })

  it('pairs by Sid first, whatever the content', () => {
    const a = {...read(ORDERS), Sid: 'Orders'}
    const b = {...read(CUSTOMERS), Sid: 'Customers'}
    expect(
      pairing(
        [a, b],
        [
          {...b, Resource: ORDERS},
          {...a, Resource: CUSTOMERS},
        ],
      ),
    ).toEqual([1, 0])
  })

  it('pairs a renamed Sid by content', () => {
    expect(pairing([{...queue, Sid: 'Send'}], [{...queue, Sid: 'SendOrders'}])).toEqual([0])
  })

  it('leaves a new statement unpaired', () => {
    // On "*" like the others, but of a service none of them has: a statement added.
    expect(pairing([inventory], [inventory, {...monitoring, Action: 'logs:PutLogEvents'}])).toEqual([0, -1])
    // Actions and resource both changed: nothing to say it is the same statement.
    expect(pairing([queue], [read('*')])).toEqual([-1])
  })

  it('pairs a statement changed in two elements with the one it shares the most with', () => {
    // Its actions and its resources changed: it still shares two actions with its previous version.
    const grown = {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem'],
      Resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/*',
    }
    expect(pairing([inventory, read(ORDERS), queue], [queue, grown, inventory])).toEqual([2, 1, 0])
    // Its resources and its condition: the actions are the same.
    const guarded = {...read(ORDERS), Condition: {StringEquals: {'aws:PrincipalOrgID': 'o-a1b2c3d4e5'}}}
    expect(pairing([guarded, queue], [queue, read('*')])).toEqual([1, 0])
    // Of two candidates, the one sharing more (two actions and the condition key against one action).
    const other = {Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: CUSTOMERS}
    expect(
      pairing(
        [other, guarded],
        [{...guarded, Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'], Resource: '*'}],
      ),
    ).toEqual([1])
    // Equal overlap: the nearest in position, one to one.
    const a = {...read(ORDERS), Action: 'dynamodb:GetItem'}
    const changed = {...read('*'), Action: ['dynamodb:GetItem', 'dynamodb:Scan']}
    expect(pairing([a, queue, a], [queue, changed, changed])).toEqual([1, 0, 2])
  })

  it('leaves statements that share nothing but "*" or a condition key unpaired', () => {
    const put = {
      Effect: 'Allow',
      Action: 'logs:PutLogEvents',
      Resource: 'arn:aws:logs:eu-west-1:111122223333:log-group:/app/orders:*',
    }
    expect(pairing([inventory, queue], [inventory, put])).toEqual([0, -1])
    // Both on "*", other services: a statement removed and one added, not one changed.
    expect(pairing([inventory], [{...monitoring, Action: 'logs:PutLogEvents'}])).toEqual([-1])
    const condition = {Bool: {'aws:SecureTransport': 'true'}}
    expect(pairing([{...queue, Condition: condition}], [{...put, Condition: condition}])).toEqual([-1])
  })

  it('pairs only statements of the same Effect and the same policy', () => {
    expect(pairing([{...queue, Sid: 'Q'}], [{...queue, Sid: 'Q', Effect: 'Deny'}])).toEqual([-1])
    const composed = (first: Raw[], second: Raw[]) =>
      statementsOf({
        Principal: 'arn:aws:iam::111122223333:user/app',
        Policies: [
          {PolicyName: 'one', Document: {Version: '2012-10-17', Statement: first}},
          {PolicyName: 'two', Document: {Version: '2012-10-17', Statement: second}},
        ],
      })
    // The statement moved from one attached policy to another: not a version of itself.
    const before = composed([{...queue, Sid: 'Q'}], [])
    const after = composed([], [{...queue, Sid: 'Q'}])
    expect([before.length, after.length]).toEqual([1, 1])
    expect(pairStatements(before, after).size).toBe(0)
    expect(pairStatements(before, composed([{...queue, Sid: 'Q'}], [])).size).toBe(1)
  })

  it('pairs any permutation of distinct statements without Sids exactly (property)', () => {
    let seed = 7
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const services = ['s3', 'ec2', 'sqs', 'logs', 'dynamodb']
    for (let run = 0; run < 50; run++) {
      const size = 2 + Math.floor(random() * 12)
      const statements: Raw[] = Array.from({length: size}, (_, i) => {
        const service = services[Math.floor(random() * services.length)]!
        return {
          Effect: random() < 0.2 ? 'Deny' : 'Allow',
          Action: [`${service}:Get${i}`, `${service}:List${Math.floor(random() * 3)}`],
          Resource: random() < 0.5 ? '*' : `arn:aws:${service}:::r${Math.floor(random() * 3)}`,
        }
      })
      const order = statements.map((_, i) => i).sort(() => random() - 0.5)
      expect(
        pairing(
          statements,
          order.map((i) => statements[i]!),
        ),
        `run ${run}`,
      ).toEqual(order)
      // Each statement also changed in two elements (an action added, its resource renamed): still
      // paired with its own previous version, the only one sharing its own action.
      const changed = order.map((i) => {
        const s = statements[i]!
        const action = s.Action as string[]
        return {
          ...s,
          Action: [...action, action[0]!.replace(':Get', ':Put')],
          Resource: `arn:aws:x:::moved${i}`,
        }
      })
      expect(pairing(statements, changed), `run ${run}, changed`).toEqual(order)
    }
  })
})
