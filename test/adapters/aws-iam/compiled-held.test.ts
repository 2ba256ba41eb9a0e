// How much of its compiled policies the IAM evaluator keeps (issue 16, the managed-policy audit's
// memory). A compiled statement is several times its parsed value, and an audit keeps both trees'
// documents for the whole run: were each value's compiled policy kept as long as the value, every
// document that blame or the commit list asked about would stay compiled. Measured on the heap,
// after collecting garbage, with the values themselves still held.

import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'
import {describe, expect, it} from 'vitest'
import {allowsWitness} from '../../../src/adapters/aws-iam/evaluate.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heapMiB = () => {
  gc()
  return process.memoryUsage().heapUsed / 2 ** 20
}

const SERVICES = ['s3', 'ec2', 'iam', 'kms', 'sqs', 'sns', 'logs', 'lambda']
const VERBS = ['Get', 'List', 'Put', 'Delete', 'Describe']

/** A policy of `size` statements, shaped like AWS's managed policies (patterns repeat across statements). */
const policy = (p: number, size: number) => ({
  Version: '2012-10-17',
  Statement: Array.from({length: size}, (_, i) => {
    const service = SERVICES[(p + i) % SERVICES.length]!
    return {
      Sid: `S${p}x${i}`,
      Effect: 'Allow',
      Action: [`${service}:${VERBS[i % 5]}Thing`, `${service}:${VERBS[(i + 2) % 5]}*`],
      Resource: `arn:aws:${service}:*:*:team-${i % 7}/*`,
    }
  }),
})

describe('compiled IAM policies', () => {
  it('are kept for the policies asked last, not for every value still held', () => {
    // 40,000 statements, all kept compiled: ~40 MiB on the heap (20 with the bound).
    const values = Array.from({length: 80}, (_, p) => policy(p, 500))
    const before = heapMiB()
    for (const value of values)
      expect(allowsWitness(value, {action: 'sts:AssumeRole', resource: 'arn:aws:s3:*:*:team-0/x'})).toBe(
        false,
      )
    expect(heapMiB() - before).toBeLessThan(30)
    // A policy compiled long ago is compiled again when asked, with the same answers.
    const request = (team: number) => ({action: 's3:GetThing', resource: `arn:aws:s3:*:*:team-${team}/x`})
    expect(allowsWitness(values[0], request(0))).toBe(true)
    expect(allowsWitness(values[0], request(9))).toBe(false)
    expect(values).toHaveLength(80)
  }, 120_000)
})
