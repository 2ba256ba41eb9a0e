// Families of rules on one dimension: the literal prefixes of each rule's predicate are worked out
// once per predicate, however often a search asks (it asks at every step, for every live rule).

import {describe, expect, it} from 'vitest'
import {type AnyLeaf, type GlobLeaf, leafHolds} from '../../src/engine/domains.js'
import {families, familyCounts, familyIndex} from '../../src/engine/families.js'
import {evaluate, type Formula, leaf, not, or} from '../../src/engine/formula.js'
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

describe('familyIndex', () => {
  // Prefixes of many lengths, nested (`s3:get` in `s3:getobject…`), a rule with no literal start
  // (`*…`) and a negation (no bound: every value's), and values shorter than some prefixes.
  const patterns = [
    ['s3:getobject'],
    ['s3:get*', 'ec2:describe*'],
    ['s3:*'],
    ['s3:getobjectacl'],
    ['*object'],
    ['iam:passrole', 'iam:pass*'],
    ['s3:getobject?ersion'],
    ['e*'],
  ]
  const rules = [
    ...patterns.map((list) => ({predicates: new Map([['action', anyOf(...list)]])})),
    {predicates: new Map([['action', not(anyOf('s3:*'))]])},
    {predicates: new Map<string, Formula<AnyLeaf>>()},
  ]
  const values = [
    's3:getobject',
    's3:getobjectversion',
    's3:getobjectacl',
    's3:g',
    's',
    '',
    'ec2:describevpcs',
  ]
  const holds = (rule: (typeof rules)[number], value: string) => {
    const p = rule.predicates.get('action')
    return p === undefined || evaluate(p, (l) => leafHolds(l, value))
  }

  it('gives, in order, every rule that holds on a value, and never one of another family', () => {
    const index = familyIndex(rules, 'action')
    for (const value of values) {
      const found = index(value)
      expect(found).toEqual(rules.filter((r) => found.includes(r)))
      for (const rule of rules) if (holds(rule, value)) expect(found).toContain(rule)
    }
    // A rule whose prefix no value starts with is left out: s3:getobjectacl for s3:getobject.
    expect(index('s3:getobject')).not.toContain(rules[3])
    expect(index('s3:g')).toEqual([rules[2], rules[4], rules[8], rules[9]])
    // Not a string: every rule.
    expect(index(undefined)).toEqual(rules)
  })
})
