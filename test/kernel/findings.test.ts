// The finding contract: a draft completed the one way (line, diff, baseline location, change,
// severity, and an id from the canonical access), the witness order and the sentence templates.
// Also structuralDiff and canonicalAccess over documents whose keys are hostile: `__proto__`,
// `constructor` and `prototype` are data (the parsers make them own keys), so they must stay
// keys and never touch a prototype, in the diff's records or after the JSON round trip.

import deepDiff from 'deep-diff'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {
  canonicalAccess,
  completeFinding,
  type FindingDraft,
  moreTelling,
  mostTelling,
  sentence,
  sidesOf,
  structuralDiff,
} from '../../src/kernel/findings.js'
import {parseFile} from '../../src/kernel/parse.js'
import {declareRules} from '../../src/kernel/rules.js'
import type {Severity} from '../../src/kernel/types.js'

const json = (text: string): unknown => JSON.parse(text)

describe('structuralDiff and prototype pollution', () => {
  it('reports __proto__, constructor and prototype keys as data, and pollutes nothing', () => {
    const before = json(
      '{"Condition": {"__proto__": {"polluted": "a"}, "constructor": {"prototype": {"polluted": 1}}}}',
    )
    const after = json(
      '{"Condition": {"__proto__": {"polluted": "b"}, "prototype": {"polluted": 2}}, "__proto__": {"polluted": 3}}',
    )
    const diff = structuralDiff(before, after)
    expect(diff).toEqual([
      {kind: 'E', path: ['Condition', '__proto__', 'polluted'], lhs: 'a', rhs: 'b'},
      {kind: 'D', path: ['Condition', 'constructor'], lhs: {prototype: {polluted: 1}}},
      {kind: 'N', path: ['Condition', 'prototype'], rhs: {polluted: 2}},
      {kind: 'N', path: ['__proto__'], rhs: {polluted: 3}},
    ])
    // The N record of a top-level __proto__ carries it as an own key after the JSON round trip.
    const last = diff.at(-1) as {path: string[]; rhs: object}
    expect(Object.getPrototypeOf(last)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted')
  })

  it('a document that is only a __proto__ key differs from an empty one', () => {
    expect(structuralDiff({}, json('{"__proto__": {"Statement": []}}'))).toEqual([
      {kind: 'N', path: ['__proto__'], rhs: {Statement: []}},
    ])
    expect(({} as Record<string, unknown>).Statement).toBeUndefined()
  })
})

// explain's diff aligns lists as sets (issue 15, item 10): a few changed items give a few records.
describe('structuralDiff aligns lists as sets', () => {
  const statement = (sid: string | undefined, actions: string[], resource = 'arn:aws:s3:::b/*') => ({
    ...(sid === undefined ? {} : {Sid: sid}),
    Effect: 'Allow',
    Action: actions,
    Resource: resource,
  })
  const many = Array.from({length: 60}, (_, i) => `xray:Get${i}`)

  it('gives one record per added, removed or changed item, whatever their positions', () => {
    const before = {
      Version: '2012-10-17',
      Statement: [statement('A', many), statement('B', ['s3:GetObject'])],
    }
    const after = {
      Version: '2012-10-17',
      Statement: [
        statement('Z', ['sqs:SendMessage']),
        statement('B', ['s3:GetObject'], '*'),
        statement('A', ['xray:PutTraceSegments', ...many.slice(1)]),
      ],
    }
    expect(structuralDiff(before, after)).toEqual([
      {kind: 'A', path: ['Statement'], index: 0, item: {kind: 'N', rhs: statement('Z', ['sqs:SendMessage'])}},
      {kind: 'E', path: ['Statement', 1, 'Resource'], lhs: 'arn:aws:s3:::b/*', rhs: '*'},
      {kind: 'A', path: ['Statement', 2, 'Action'], index: 0, item: {kind: 'D', lhs: 'xray:Get0'}},
      {
        kind: 'A',
        path: ['Statement', 2, 'Action'],
        index: 0,
        item: {kind: 'N', rhs: 'xray:PutTraceSegments'},
      },
    ])
  })

  it('finds no difference in a reordering, and pairs statements without Sid by content', () => {
    const before = {Statement: [statement(undefined, ['a:X', 'a:Y']), statement(undefined, many)]}
    const reordered = {
      Statement: [statement(undefined, [...many].reverse()), statement(undefined, ['a:Y', 'a:X'])],
    }
    expect(structuralDiff(before, reordered)).toEqual([])
    const widened = {Statement: [statement(undefined, many), statement(undefined, ['a:X', 'a:Y', 'a:Z'])]}
    expect(structuralDiff(before, widened)).toEqual([
      {kind: 'A', path: ['Statement', 1, 'Action'], index: 2, item: {kind: 'N', rhs: 'a:Z'}},
    ])
  })

  it('reads a value and a list holding it as one set (AWS reads "Action": "s3:GetObject" as a list)', () => {
    expect(structuralDiff({Action: 's3:GetObject'}, {Action: ['s3:GetObject']})).toEqual([])
    expect(structuralDiff({Action: 's3:GetObject'}, {Action: ['s3:PutObject', 's3:GetObject']})).toEqual([
      {kind: 'A', path: ['Action'], index: 0, item: {kind: 'N', rhs: 's3:PutObject'}},
    ])
    expect(structuralDiff({Principal: {AWS: 'arn:aws:iam::1:root'}}, {Principal: '*'})).toEqual([
      {kind: 'E', path: ['Principal'], lhs: {AWS: 'arn:aws:iam::1:root'}, rhs: '*'},
    ])
  })
  // deep-diff stays the engine: where no list is involved, the records are deep-diff's own.
  it("gives deep-diff's own records for values without lists", () => {
    const keys = fc.constantFrom('Sid', 'Effect', 'Condition', '0', 'x')
    const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      value: fc.oneof(
        {depthSize: 'small'},
        fc.constantFrom('a', 'b', 1, null, true),
        fc.dictionary(keys, tie('value'), {maxKeys: 4}),
      ),
    })).value
    // Documents: a missing one reads as {} (structuralDiff's `?? {}`), so both sides are objects.
    const listFree = fc.dictionary(keys, value, {maxKeys: 4})
    fc.assert(
      fc.property(listFree, listFree, (before, after) => {
        expect(structuralDiff(before, after)).toEqual(
          JSON.parse(JSON.stringify(deepDiff.diff(before, after) ?? [])),
        )
      }),
    )
  })
})

describe('canonicalAccess', () => {
  const jsonValue = fc.jsonValue({maxDepth: 4})

  it('is the same for any key order and list order, and for repeated list items', () => {
    const shuffle = (value: unknown, seed: number): unknown => {
      if (Array.isArray(value)) {
        const items = value.map((v) => shuffle(v, seed + 1))
        return seed % 2 === 0 ? [...items].reverse() : [...items, ...items.slice(0, 1)]
      }
      if (typeof value === 'object' && value !== null) {
        const entries = Object.entries(value).map(([k, v]) => [k, shuffle(v, seed + 1)] as const)
        return Object.fromEntries(seed % 2 === 0 ? entries.reverse() : entries)
      }
      return value
    }
    fc.assert(
      fc.property(jsonValue, fc.nat(), (value, seed) => {
        expect(canonicalAccess(shuffle(value, seed))).toBe(canonicalAccess(value))
      }),
    )
  })

  it('differs for values that differ anywhere, however deep (nested keys are not dropped)', () => {
    const statement = {
      Effect: 'Allow',
      Principal: {AWS: 'arn:aws:iam::111122223333:root'},
      Action: 's3:GetObject',
    }
    const wider = {...statement, Principal: {AWS: '*'}}
    const conditioned = {...statement, Condition: {IpAddress: {'aws:SourceIp': '203.0.113.0/24'}}}
    const open = {...statement, Condition: {IpAddress: {'aws:SourceIp': '0.0.0.0/0'}}}
    const texts = [statement, wider, conditioned, open].map(canonicalAccess)
    expect(new Set(texts).size).toBe(4)
    fc.assert(
      fc.property(jsonValue, jsonValue, (a, b) => {
        if (canonicalAccess(a) === canonicalAccess(b))
          expect(canonicalAccess({x: [a]})).toBe(canonicalAccess({x: [b]}))
        else expect(canonicalAccess({x: {y: a}})).not.toBe(canonicalAccess({x: {y: b}}))
      }),
    )
  })

  it('keeps a __proto__ key as data', () => {
    expect(canonicalAccess(json('{"b": 1, "__proto__": {"x": 1}}'))).toBe('{"__proto__":{"x":1},"b":1}')
    expect(canonicalAccess(json('{"__proto__": {"x": 1}}'))).not.toBe(canonicalAccess({}))
  })
})

describe('completeFinding', () => {
  const RULES = declareRules({
    'grant-added': {change: 'widening', severity: ['low', 'high'], title: 'New access', description: 'd'},
    'grant-removed': {change: 'narrowing', severity: 'low', title: 'Access removed', description: 'd'},
    undecided: {
      change: 'possible-widening',
      severity: 'medium',
      title: 'Possible new access',
      description: 'd',
    },
    'block-removed': {change: 'both', severity: ['high', 'low'], title: 'Block removed', description: 'd'},
  })
  const TEXT = '{\n  "Statement": [\n    {\n      "Effect": "Allow"\n    }\n  ]\n}\n'
  const before = parseFile({path: 'p.json', content: Buffer.from(TEXT)})
  const after = parseFile({path: 'p.json', content: Buffer.from(`\n\n${TEXT}`)})
  const draft = (
    fields: Partial<FindingDraft<keyof typeof RULES>> = {},
  ): FindingDraft<keyof typeof RULES> => ({
    rule: 'grant-added',
    at: {file: 'p.json', pointer: '/Statement/0'},
    baseline: {file: 'p.json', pointer: '/Statement/0/Effect'},
    message: 'New access: x.',
    witness: {action: 'x'},
    before: {Effect: 'Deny'},
    after: {Effect: 'Allow'},
    access: {Effect: 'Allow', Action: ['b', 'a']},
    ...fields,
  })
  const complete = (d: FindingDraft<keyof typeof RULES>, sides = sidesOf('p.json', before, after)) =>
    completeFinding('aws-iam', RULES, sides, d)

  it('fills in line, diff, baseline location, change, the usual severity and the empty commit and approval', () => {
    expect(complete(draft())).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      kind: 'aws-iam',
      file: 'p.json',
      line: 5,
      pointer: '/Statement/0',
      change: 'widening',
      severity: 'low',
      rule: 'grant-added',
      message: 'New access: x.',
      witness: {action: 'x'},
      access: {Action: ['a', 'b'], Effect: 'Allow'},
      before: {Effect: 'Deny'},
      after: {Effect: 'Allow'},
      diff: [{kind: 'E', path: ['Effect'], lhs: 'Deny', rhs: 'Allow'}],
      baselineLocation: {file: 'p.json', line: 4, pointer: '/Statement/0/Effect'},
      commit: null,
      approval: null,
    })
  })

  it('locates a pointer the source map lacks at its nearest located ancestor, and no pointer nowhere', () => {
    expect(complete(draft({at: {file: 'p.json', pointer: '/Statement/0/Action/3'}})).line).toBe(5)
    expect(complete(draft({at: {file: 'p.json', pointer: null}})).line).toBeNull()
    // The target has no such document (deleted): no line, but the baseline is still placed.
    const gone = complete(draft({rule: 'grant-removed'}), sidesOf('p.json', before, undefined))
    expect([gone.line, gone.baselineLocation?.line, gone.change]).toEqual([null, 4, 'narrowing'])
  })

  it('makes a widening rule with a reason a possible widening; a possible-widening rule always is', () => {
    const possible = complete(draft({reason: 'an unknown operator', severity: 'high'}))
    expect([possible.change, possible.reason, possible.severity]).toEqual([
      'possible-widening',
      'an unknown operator',
      'high',
    ])
    expect(complete(draft({rule: 'undecided'})).change).toBe('possible-widening')
    expect(complete(draft()).reason).toBeUndefined()
    // A rule that names a cause reports either way, as each draft says.
    expect(complete(draft({rule: 'block-removed'})).change).toBe('widening')
    expect(complete(draft({rule: 'block-removed', narrowing: true})).change).toBe('narrowing')
    expect(complete(draft({rule: 'grant-removed', narrowing: false})).change).toBe('narrowing')
  })

  it('names an embedded document by its container file and its name, and places it in the container', () => {
    const origin = {
      file: 'template.yaml',
      format: 'cloudformation',
      name: 'AppRole/Policies/Read',
      pointer: '/Resources/AppRole/Properties/Policies/0/PolicyDocument',
    }
    const key = 'template.yaml#AppRole/Policies/Read'
    const sides = {
      baseline: new Map([[key, {...before, origin}]]),
      target: new Map([[key, {...after, origin}]]),
    }
    const embedded = complete(
      draft({at: {file: key, pointer: '/Statement/0'}, baseline: {file: key, pointer: ''}}),
      sides,
    )
    // Pointers run from the container's root: where the document sits, then inside it.
    expect(embedded).toMatchObject({
      file: 'template.yaml',
      document: 'AppRole/Policies/Read',
      line: 5,
      pointer: '/Resources/AppRole/Properties/Policies/0/PolicyDocument/Statement/0',
      baselineLocation: {
        file: 'template.yaml',
        document: 'AppRole/Policies/Read',
        line: 1,
        pointer: '/Resources/AppRole/Properties/Policies/0/PolicyDocument',
      },
    })
    // Another embedded document of the same container is another access.
    const other = {...origin, name: 'AppRole/Policies/Write'}
    const otherSides = {baseline: new Map(), target: new Map([[key, {...after, origin: other}]])}
    expect(complete(draft({at: {file: key, pointer: null}}), otherSides).id).not.toBe(embedded.id)
  })

  it('ids name the canonical access: not lines, layout or order; but every part of the access', () => {
    const id = complete(draft()).id
    expect(complete(draft({at: {file: 'p.json', pointer: '/Statement/7'}, message: 'other'})).id).toBe(id)
    expect(complete(draft({access: {Action: ['a', 'b'], Effect: 'Allow'}})).id).toBe(id)
    expect(complete(draft({access: {Effect: 'Allow', Action: ['a', 'b', 'c']}})).id).not.toBe(id)
    expect(complete(draft({access: {Effect: 'Allow', Action: ['a', 'b'], Condition: {}}})).id).not.toBe(id)
    expect(complete(draft({reason: 'r'})).id).not.toBe(id)
    expect(completeFinding('gcp-iam', RULES, sidesOf('p.json', before, after), draft()).id).not.toBe(id)
    expect(complete(draft(), sidesOf('q.json', before, after)).file).toBe('p.json')
  })
})

describe('mostTelling', () => {
  const rank = (possible: boolean, severity: Severity, weight = 0) => ({possible, severity, weight})

  it('prefers definite to possible, then severity, then the kind weight, then the first', () => {
    const candidates = [
      {name: 'possible critical', ...rank(true, 'critical', 9)},
      {name: 'low heavy', ...rank(false, 'low', 9)},
      {name: 'high light', ...rank(false, 'high', 1)},
      {name: 'high heavy', ...rank(false, 'high', 2)},
      {name: 'high heavy again', ...rank(false, 'high', 2)},
    ]
    expect(mostTelling(candidates, (c) => c).name).toBe('high heavy')
    expect(mostTelling(candidates.slice(0, 2), (c) => c).name).toBe('low heavy')
    expect(mostTelling(candidates.slice(0, 1), (c) => c).name).toBe('possible critical')
    expect(moreTelling(rank(false, 'low'), rank(true, 'critical'))).toBe(true)
    expect(moreTelling(rank(false, 'high', 1), rank(false, 'high', 1))).toBe(false)
  })
})

describe('sentence', () => {
  it('says widenings, narrowings and possible widenings the same way for every kind', () => {
    expect(sentence.widening('Public access', 'anyone can read x')).toBe(
      'Public access: anyone can read x, which the baseline did not allow.',
    )
    expect(sentence.widening('New access', 'u can read x', 'by grant "g"')).toBe(
      'New access: u can read x, which the baseline did not allow (by grant "g").',
    )
    expect(sentence.plain('Access removed', 'u can no longer read x', 'grant "g" is gone')).toBe(
      'Access removed: u can no longer read x (grant "g" is gone).',
    )
    expect(
      sentence.possible('Possible new access', 'u can read x', 'an unknown operator', 'binding b is new'),
    ).toBe(
      'Possible new access: perhaps u can read x (binding b is new); acldrift cannot decide it (an unknown operator). Review it by hand.',
    )
    expect(sentence.possible('Possible new access', undefined, 'too complex')).toBe(
      'Possible new access: acldrift cannot decide it (too complex). Review it by hand.',
    )
    expect(sentence.possible('Possible new access', undefined, 'too complex', 'by grant "g"')).toBe(
      'Possible new access (by grant "g"): acldrift cannot decide it (too complex). Review it by hand.',
    )
    expect(sentence.of('narrowing', 'T', 'w')).toBe('T: w.')
    expect(sentence.of('possible-widening', 'T', 'w', {reason: 'r'})).toBe(
      'T: perhaps w; acldrift cannot decide it (r). Review it by hand.',
    )
  })
})
