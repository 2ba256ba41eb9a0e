// The glob layer against brute force: every string up to a small length is matched with an
// independent RegExp, and every combination of matches those strings realise must be among
// the cells `globCells` lists (each cell's example must realise what the cell claims).

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {
  compileGlob,
  globCells,
  unionCells,
  globMatches,
  globsIntersect,
  type GlobOptions,
  mayMatch,
  mustMatch,
  templateChar,
  variableChar,
} from '../../src/engine/glob.js'
import {wildcardRegExp} from '../adapters/aws-iam/brute-force.js'

function* strings(alphabet: string[], maxLength: number, prefix = ''): Generator<string> {
  yield prefix
  if (maxLength === 0) return
  for (const c of alphabet) yield* strings(alphabet, maxLength - 1, prefix + c)
}

const signature = (patterns: RegExp[], s: string) => patterns.map((re) => (re.test(s) ? '1' : '0')).join('')

interface Case {
  /** pattern characters, before the prefix is added */
  alphabet: string[]
  /** characters of the enumerated strings: the patterns' letters plus one they never name */
  stringAlphabet: string[]
  prefix: string
  maxLength: number
  /** some patterns without the prefix (so ARN and plain patterns meet) */
  mixed?: boolean
  /** some patterns case-insensitive, some not (StringEquals and StringEqualsIgnoreCase on one key) */
  mixedCase?: boolean
  /** longest pattern, prefix aside (default 4) */
  patternLength?: number
  options: GlobOptions
}

const CASES: Record<string, Case> = {
  plain: {
    alphabet: ['a', 'b', ':', '*', '?'],
    stringAlphabet: ['a', 'b', ':', 'c'],
    prefix: '',
    maxLength: 4,
    options: {wildcards: true},
  },
  'case-insensitive': {
    alphabet: ['a', 'B', '*', '?'],
    stringAlphabet: ['a', 'A', 'b', 'B', 'c'],
    prefix: '',
    maxLength: 4,
    options: {wildcards: true, caseInsensitive: true},
  },
  'some case-insensitive': {
    alphabet: ['a', 'B', '*', '?'],
    stringAlphabet: ['a', 'A', 'b', 'B', 'c'],
    prefix: '',
    maxLength: 4,
    mixedCase: true,
    options: {wildcards: true},
  },
  // ARNs: wildcards in the first five segments stay in their segment.
  arn: {
    alphabet: ['a', ':', ':', ':', '*', '?'],
    stringAlphabet: ['a', ':', 'c'],
    prefix: 'arn:',
    maxLength: 7,
    patternLength: 7,
    options: {wildcards: true, arn: true},
  },
  // Segment-aware ARN patterns next to plain ones such as `*`, which do cross `:`.
  'arn and plain': {
    alphabet: ['a', ':', ':', ':', '*', '?'],
    stringAlphabet: ['a', ':', 'c'],
    prefix: 'arn:',
    maxLength: 7,
    patternLength: 7,
    mixed: true,
    options: {wildcards: true, arn: true},
  },
  literal: {
    alphabet: ['a', '*', '?'],
    stringAlphabet: ['a', '*', '?', 'c'],
    prefix: '',
    maxLength: 3,
    options: {wildcards: false},
  },
}

const UNIVERSES = new Map(
  Object.values(CASES).map((c) => [c, [...strings(c.stringAlphabet, c.maxLength, c.prefix)]]),
)

describe('globCells against brute-force enumeration', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`finds every realisable combination (${name})`, () => {
      const patternArb = fc
        .tuple(
          fc.boolean(),
          fc.boolean(),
          fc.array(fc.constantFrom(...c.alphabet), {maxLength: c.patternLength ?? 4}),
        )
        .map(([plain, ignoreCase, cs]) => ({
          text: (c.mixed && plain ? '' : c.prefix) + cs.join(''),
          options: c.mixedCase ? {...c.options, caseInsensitive: ignoreCase} : c.options,
        }))
      fc.assert(
        fc.property(fc.array(patternArb, {minLength: 1, maxLength: 3}), (specs) => {
          const patterns = specs.map((p) => `${p.options.caseInsensitive ? '(i)' : ''}${p.text}`)
          const globs = specs.map((p) => compileGlob(p.text, p.options))
          const regexps = specs.map(({text, options}) =>
            options.wildcards
              ? wildcardRegExp(text, {ignoreCase: options.caseInsensitive, arnAware: options.arn})
              : new RegExp(`^${text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}$`),
          )
          const cells = globCells(globs)
          const found = new Set<string>()
          for (const cell of cells) {
            const sig = signature(regexps, cell.example)
            expect(
              cell.matches.map((m) => (m ? '1' : '0')).join(''),
              `example ${JSON.stringify(cell.example)}`,
            ).toBe(sig)
            expect(found.has(sig), `duplicate cell ${sig}`).toBe(false)
            found.add(sig)
          }
          // Plain checks in the loop (expect() per string would dominate the run time).
          const meet = new Set<string>()
          for (const s of UNIVERSES.get(c)!) {
            const sig = signature(regexps, s)
            for (let i = 0; i < sig.length; i++)
              for (let j = 0; j < sig.length; j++) if (sig[i] === '1' && sig[j] === '1') meet.add(`${i},${j}`)
            if (!found.has(sig))
              expect.fail(`${JSON.stringify(s)} realises ${sig} over ${JSON.stringify(patterns)}`)
            globs.forEach((g, i) => {
              if (globMatches(g, s) !== (sig[i] === '1'))
                expect.fail(`globMatches(${patterns[i]}, ${s}) disagrees`)
            })
          }
          // globsIntersect never says "disjoint" of two patterns that some string matches both of.
          globs.forEach((a, i) =>
            globs.forEach((b, j) => {
              if (meet.has(`${i},${j}`) && !globsIntersect(a, b))
                expect.fail(`${patterns[i]} and ${patterns[j]} meet, globsIntersect says not`)
            }),
          )
        }),
        {seed: 42, numRuns: 300},
      )
    })
  }
})

describe('unionCells against brute-force enumeration', () => {
  // A group matches a string when one of its globs does (a statement's list of patterns): every
  // combination of groups some string realises is a cell, each example realises its cell, and
  // the cells are those of the groups, never one per pattern.
  for (const [name, c] of Object.entries(CASES)) {
    it(`finds every realisable combination of groups (${name})`, () => {
      const patternArb = fc
        .array(fc.constantFrom(...c.alphabet), {maxLength: c.patternLength ?? 4})
        .map((cs) => c.prefix + cs.join(''))
      const groupsArb = fc.array(fc.array(patternArb, {minLength: 1, maxLength: 4}), {
        minLength: 1,
        maxLength: 3,
      })
      fc.assert(
        fc.property(groupsArb, (texts) => {
          const groups = texts.map((group) => group.map((t) => compileGlob(t, c.options)))
          const regexps = texts.map((group) =>
            group.map((t) =>
              c.options.wildcards
                ? wildcardRegExp(t, {ignoreCase: c.options.caseInsensitive, arnAware: c.options.arn})
                : new RegExp(`^${t.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}$`),
            ),
          )
          const groupSignature = (s: string) =>
            regexps.map((group) => (group.some((re) => re.test(s)) ? '1' : '0')).join('')
          const found = new Set<string>()
          for (const cell of unionCells(groups)) {
            const sig = groupSignature(cell.example)
            expect(cell.matches.map((m) => (m ? '1' : '0')).join(''), JSON.stringify(cell.example)).toBe(sig)
            expect(found.has(sig), `duplicate cell ${sig}`).toBe(false)
            found.add(sig)
          }
          for (const s of UNIVERSES.get(c)!)
            if (!found.has(groupSignature(s)))
              expect.fail(`${JSON.stringify(s)} realises ${groupSignature(s)} over ${JSON.stringify(texts)}`)
        }),
        {seed: 7, numRuns: 200},
      )
    })
  }
})

describe('glob details', () => {
  const resource: GlobOptions = {wildcards: true, arn: true, variables: true}

  it('keeps wildcards in the first five ARN segments inside their segment', () => {
    const m = (pattern: string, s: string) => globMatches(compileGlob(pattern, resource), s)
    expect(m('arn:*:s3:::b/x', 'arn:aws:s3:::b/x')).toBe(true)
    expect(m('arn:a*s:s3:::b/x', 'arn:a:x:s:s3:::b/x')).toBe(false)
    expect(m('arn:aws:?3:::b', 'arn:aws::3:::b')).toBe(false)
    // A `*` that ends a segment stays in it too (the Lambda example: the account is "function").
    expect(m('arn:*:s3:::b/x', 'arn:aws:x:s3:::b/x')).toBe(false)
    expect(m('arn:aws:s3:*:b', 'arn:aws:s3::::b')).toBe(false)
    expect(
      m('arn:aws:lambda:*:function:prod-*:*', 'arn:aws:lambda:us-east-1:111122223333:function:prod-fn:live'),
    ).toBe(false)
    // A pattern cut short by a `*` has its missing segments read as `*`.
    expect(m('arn:aws:logs:eu-west-1:*', 'arn:aws:logs:eu-west-1:111122223333:log-group:/a:*')).toBe(true)
    expect(m('arn:aws:ec2:*', 'arn:aws:ec2:us-east-1:111122223333:instance/i-1')).toBe(true)
    expect(m('arn:aws:ec2:*', 'arn:aws:s3:::b')).toBe(false)
    expect(m('arn:aws:logs:eu-*', 'arn:aws:logs:us-east-1:1:x')).toBe(false)
    // An empty resource part (as some AWS managed policies write it) matches only itself.
    expect(m('arn:aws:organizations::*:', 'arn:aws:organizations::111122223333:')).toBe(true)
    expect(m('arn:aws:organizations::*:', 'arn:aws:organizations::111122223333:account/o-1/1')).toBe(false)
    // The resource part (after the fifth colon) is free.
    expect(m('arn:aws:s3:::*', 'arn:aws:s3:::a:b:c')).toBe(true)
    expect(m('arn:aws:s3:::a?b', 'arn:aws:s3:::a:b')).toBe(true)
    // Not an ARN pattern: `*` crosses colons.
    expect(m('*', 'arn:aws:s3:::a')).toBe(true)
    expect(m('*:s3:::a', 'arn:aws:s3:::a')).toBe(true)
  })

  it('finds "matches the resource part only" cells across segment-aware patterns', () => {
    const globs = ['arn:aws:s3:::*', 'arn:*:s3:::*', '*'].map((p) => compileGlob(p, resource))
    const sigs = globCells(globs).map((c) => c.matches.map(Number).join(''))
    expect(sigs.sort()).toEqual(['001', '011', '111'])
  })

  it('does not let `?` match a policy variable, which may stand for several characters', () => {
    const variable = compileGlob('a/${aws:username}', resource)
    const one = compileGlob('a/?', resource)
    const star = compileGlob('a/*', resource)
    const value = `a/${variableChar('aws:username')}`
    expect(variableChar('AWS:UserName')).toBe(variableChar('aws:username'))
    expect(globMatches(variable, value)).toBe(true)
    expect(globMatches(one, value)).toBe(false)
    expect(globMatches(star, value)).toBe(true)
    // So "the variable pattern without `a/?`" is a realisable cell: a widening from `a/?` to it is found.
    const cells = globCells([variable, one])
    expect(cells.some((c) => c.matches[0] && !c.matches[1])).toBe(true)
    expect(cells.some((c) => !c.matches[0] && c.matches[1])).toBe(true)
  })

  it('reads `${*}`, `${?}` and `${$}` as literal characters', () => {
    const g = compileGlob('a${*}b${?}${$}', resource)
    expect(globMatches(g, 'a*b?$')).toBe(true)
    expect(globMatches(g, 'axb?$')).toBe(false)
  })
})

describe('plain symbols (CloudFormation pseudo parameters whose values are plain words)', () => {
  const arn = (text: string) => compileGlob(text, {wildcards: true, arn: true})
  const partition = templateChar('AWS::Partition')
  const stackId = templateChar('AWS::StackId')

  it('a `*` inside an ARN segment takes in every value of a plain symbol, none of a general one', () => {
    expect(mustMatch(arn('arn:*:s3:::b/x'), `arn:${partition}:s3:::b/x`)).toBe(true)
    expect(mustMatch(arn('arn:*:s3:::b/x'), `arn:${stackId}:s3:::b/x`)).toBe(false)
  })

  it('a plain value never moves the segments that follow it, nor is empty', () => {
    // The same symbol in the pattern and the request: a different resource path is no match for any value.
    expect(
      mayMatch(arn(`arn:${partition}:s3:::b/exports/orders/*`), `arn:${partition}:s3:::b/exports/x`),
    ).toBe(false)
    // A general value may move them, but brings the same characters to both: `orders/` is still missing.
    expect(mayMatch(arn(`arn:${stackId}:s3:::b/exports/orders/*`), `arn:${stackId}:s3:::b/exports/x`)).toBe(
      false,
    )
    expect(mayMatch(arn(`arn:${partition}:s3:::b/x`), 'arn:aws-cn:s3:::b/x')).toBe(true)
    expect(mayMatch(arn(`arn:${partition}:s3:::b/x`), 'arn::s3:::b/x')).toBe(false)
    expect(mayMatch(arn(`arn:${partition}:s3:::b/x`), 'arn:a:b:s3:::b/x')).toBe(false)
  })
})

describe('symbols against brute force: `mayMatch` and `mustMatch` for every value', () => {
  // A pattern and a request holding the same template symbol (its value any text, wildcards and
  // colons included, the same on both) or a plain one (a word). Each is instantiated with values
  // that overlap the other literals (`r`, `/r`, an ARN, `*`): `mayMatch` false must mean "no value
  // matches", `mustMatch` true "every value matches", under the independent matcher.
  const X = templateChar('Data.Arn')
  const P = templateChar('AWS::Region')
  const X_VALUES = [
    '',
    'a',
    'r',
    '/r',
    'a/r/',
    '*',
    '?',
    'a*',
    '*r*',
    ':',
    'arn:aws:s3:::a',
    'arn:aws:s3:::*',
  ]
  const P_VALUES = ['a', 'r', 'us-east-1']
  const piece = (wildcards: boolean) =>
    fc.constantFrom(...[X, P, 'a', 'r', '/', ':', 'arn:aws:s3:::', ...(wildcards ? ['*', '?', '*'] : [])])
  const text = (wildcards: boolean) => fc.array(piece(wildcards), {maxLength: 6}).map((p) => p.join(''))

  it('no value matches where mayMatch says so; every value matches where mustMatch says so', () => {
    fc.assert(
      fc.property(text(true), text(false), fc.boolean(), (pattern, request, arn) => {
        const glob = compileGlob(pattern, {wildcards: true, arn})
        const matches = X_VALUES.flatMap((x) =>
          P_VALUES.map((p) => {
            const put = (s: string) => s.replaceAll(X, x).replaceAll(P, p)
            return wildcardRegExp(put(pattern), {arnAware: arn}).test(put(request))
          }),
        )
        const shown = JSON.stringify({pattern, request, arn}).replaceAll(X, '${X}').replaceAll(P, '${P}')
        if (matches.some(Boolean)) expect(mayMatch(glob, request), shown).toBe(true)
        if (mustMatch(glob, request)) expect(matches.every(Boolean), shown).toBe(true)
      }),
      {seed: 14, numRuns: 3000},
    )
  })

  it('the same symbol leading both sides cancels out: `${X}/reports/*` matches `${X}/x` for no value', () => {
    const glob = compileGlob(`${X}/reports/*`, {wildcards: true, arn: true})
    expect(mayMatch(glob, `${X}/x`)).toBe(false)
    expect(mayMatch(glob, `${X}/reports/x`)).toBe(true)
    // Another symbol in the request may bring the characters the pattern asks for.
    expect(mayMatch(glob, `${X}/${templateChar('Key')}`)).toBe(true)
    // A plain symbol brings any character but `:`.
    expect(mayMatch(compileGlob(`${X}:*`, {wildcards: true, arn: true}), `${X}${P}`)).toBe(false)
  })
})
