// The pattern reasoning of one comparison stays bounded on real-shaped big policies (issue 16.6).
// The fuzz test, seeded with the AmazonSageMakerFullAccess-shaped fixture, once compared it with
// nothing (its other side invalid) for 222 s against a 5 s case limit: each witness was made
// real-shaped by combining the resource patterns one by one (12 infix patterns such as
// `arn:aws:s3:::*SageMaker*`: up to 2^12 combinations, walked to the 200,000-state cut for each of
// sagemaker:AddTags's 62 resource types). The cost is counted in product states, not timed: a
// count does not depend on the machine's load.

import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {catalogueEffort} from '../../../src/adapters/aws-iam/catalogue.js'
import {compareIamFile} from '../../../src/adapters/aws-iam/compare.js'
import {productEffort} from '../../../src/engine/glob.js'
import {parsed, policy} from './documents.js'

const fixture = (path: string): unknown =>
  JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../../fixtures/aws-iam/${path}`, import.meta.url)), 'utf8'),
  )

const SMALL = fixture('two-statements-widened/baseline.json')
const BIG = [
  'sagemaker-object-patterns-split/target.json',
  'sagemaker-object-pattern-added/baseline.json',
  'datazone-object-patterns-split/target.json',
  'support-role-routes-split/target.json',
]

/**
 * Product states one whole comparison of these policies may explore: a twentieth of the state cut
 * of a single walk (MAX_PRODUCT_STATES, 200,000). Before the witnesses compared a statement's
 * patterns as one union, the SageMaker policy compared with nothing reached that cut over and over.
 */
const STATES = 10_000

const statesOf = (baseline: unknown, target: unknown) => {
  productEffort.states = 0
  const {findings} = compareIamFile(
    'policy.json',
    baseline === undefined ? undefined : parsed(baseline),
    target === undefined ? undefined : parsed(target),
  )
  return {states: productEffort.states, findings}
}

describe.each(BIG)('%s', (path) => {
  const big = fixture(path)

  it('removed (or invalid in the target): every statement a narrowing, with a real-shaped witness', () => {
    const {states, findings} = statesOf(big, undefined)
    expect(states).toBeLessThan(STATES)
    expect(findings.length).toBeGreaterThan(0)
    for (const finding of findings) expect(finding.change).toBe('narrowing')
    // A resource the search found as a pattern's sample is shown as an ARN of its action's type.
    expect(findings.filter((f) => /^arn:aws:/.test(String(f.witness?.resource))).length).toBeGreaterThan(0)
  })

  it('new, or in place of a small policy, and the reverse', () => {
    for (const [baseline, target] of [
      [undefined, big],
      [SMALL, big],
      [big, SMALL],
    ]) {
      const {states, findings} = statesOf(baseline, target)
      expect(states).toBeLessThan(STATES)
      expect(findings.length).toBeGreaterThan(0)
    }
  })
})

// The fuzz test's slowest aws-iam pair (issue 15.10): the SageMaker-shaped policy against a
// statement of every action on a bucket's objects took 2.7-3.0 s of CPU (7,065 states), 6.9 s on a
// busy machine, past the fuzz test's 5 s case limit. Most of it was `*` matched against the whole
// catalogue, action by action (22,000 of them), for every set of live rules the search asked about.
describe('every action (`Action: "*"`) beside a big policy', () => {
  const EVERY_ACTION = policy({
    Sid: 'ReportsAccess',
    Effect: 'Allow',
    Action: '*',
    Resource: 'arn:aws:s3:::reports/*',
  })
  /** Catalogue actions one comparison's action cells may go through: fewer than `*` matches once. */
  const ACTIONS = 20_000

  it.each(BIG)('%s: the catalogue is not gone through action by action', (path) => {
    const big = fixture(path)
    for (const [baseline, target] of [
      [big, EVERY_ACTION],
      [EVERY_ACTION, big],
    ]) {
      catalogueEffort.actions = 0
      const {states, findings} = statesOf(baseline, target)
      expect(catalogueEffort.actions).toBeLessThan(ACTIONS)
      expect(states).toBeLessThan(STATES)
      expect(findings.length).toBeGreaterThan(0)
    }
  })
})
