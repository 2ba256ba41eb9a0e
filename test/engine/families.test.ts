// Families of rules on one dimension: the literal prefixes of each rule's predicate are worked out
// once per predicate, however often a search asks (it asks at every step, for every live rule).

import {describe, expect, it} from 'vitest'
import type {AnyLeaf, GlobLeaf} from '../../src/engine/domains.js'
import {families, familyCounts} from '../../src/engine/families.js'
import {type Formula, leaf, or} from '../../src/engine/formula.js'
import {compileGlob} from '../../src/engine/glob.js'

const glob = (pattern: string): GlobLeaf => {
  const g = compileGlob(pattern, {wildcards: true})
  return {key: `glob:${g.key}`, type: 'glob', glob: g}
}
const anyOf = (...patterns: string[]): Formula<AnyLeaf> => or(...patterns.map((p) => leaf(glob(p))))

describe('families', () => {
  const services = ['s3', 'ec2', 'iam', 'kms', 'sqs', 'sns', 'rds', 'ecs', 'eks', 'ssm']
  // Each service's own rule, then the other side's rule of the same service (its prefix extends the first's).
  const rulesOf = () =>
    services.flatMap((service, i) => [
      {side: 'a', rule: {predicates: new Map([['action', anyOf(`${service}:Get*`, `${service}:List*`)]])}},
      {side: 'o', rule: {predicates: new Map([['action', anyOf(`${service}:Get${i}`)]])}},
    ])
  type Live = ReturnType<typeof rulesOf>[number]
  const own = (l: Live) => l.side === 'a'
  const shape = (rules: Live[], parts: Array<{live: Live[]}>) =>
    parts.map((part) => part.live.map((l) => rules.indexOf(l)))

  it('splits rules of different services apart, each family with its own rules', () => {
    const rules = rulesOf()
    expect(shape(rules, families(rules, 'action', own))).toEqual(services.map((_, i) => [2 * i, 2 * i + 1]))
  })

  it("works out each predicate's prefixes once, whatever the number of searches that ask", () => {
    const rules = rulesOf()
    const before = familyCounts.prefixes
    const first = shape(rules, families(rules, 'action', own))
    // One per predicate (each rule has its own formula), and none on the next asks.
    expect(familyCounts.prefixes - before).toBe(rules.length)
    for (let i = 0; i < 5; i++) expect(shape(rules, families(rules, 'action', own))).toEqual(first)
    expect(familyCounts.prefixes - before).toBe(rules.length)
  })
})
