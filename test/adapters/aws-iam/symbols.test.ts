// Opaque symbols (issue 14 item 3, issue 15 item 8): a template's unresolved value, written with
// the kernel's `symbol()` as container formats write it, in hand-built documents. The same symbol
// on both sides is the same unknown value; a change is decided where its answer holds for every
// value, and is a possible widening naming the symbol where it depends on it. A template's value
// is substituted before AWS reads the policy, so it may be any text, `*` included. Each definite
// witness is confirmed by the brute force for several values of the symbols (`*` among them).

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compareIamFile} from '../../../src/adapters/aws-iam/compare.js'
import {symbol} from '../../../src/kernel/symbols.js'
import type {Finding} from '../../../src/kernel/types.js'
import {allows, confirmsForEveryValue, instantiate, requestOf, SELF, witnessTemplates} from './brute-force.js'
import {parsed, policy} from './documents.js'

const BUCKET = symbol('var.bucket')

const allow = (
  action: string | string[],
  resource: string | string[],
  extra: Record<string, unknown> = {},
) => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...extra,
})

function compare(baseline: unknown, target: unknown): Finding[] {
  const findings = compareIamFile('policy.json', parsed(baseline), parsed(target)).findings
  for (const f of findings)
    if (f.change !== 'possible-widening') {
      const [more, less] = f.change === 'widening' ? [target, baseline] : [baseline, target]
      expect(confirmsForEveryValue(more, less, f.witness!), `${f.change} ${JSON.stringify(f.witness)}`).toBe(
        true,
      )
    }
  return findings
}

const changes = (findings: Finding[]) => findings.map((f) => `${f.change} ${f.rule}`).sort()

describe('aws-iam: template symbols', () => {
  it('the same symbol on both sides is the same value: reformatting and reordering are no change', () => {
    const read = allow('s3:GetObject', `arn:aws:s3:::${BUCKET}/*`)
    const list = allow('s3:ListBucket', `arn:aws:s3:::${BUCKET}`)
    expect(compare(policy(read, list), policy(list, {...read, Action: ['s3:GetObject']}))).toEqual([])
  })

  it('new access on the same symbol is a definite widening, its witness naming the symbol', () => {
    const findings = compare(
      policy(allow('s3:GetObject', `arn:aws:s3:::${BUCKET}/*`)),
      policy(allow(['s3:GetObject', 's3:DeleteObject'], `arn:aws:s3:::${BUCKET}/*`)),
    )
    expect(findings.map((f) => f.change)).toEqual(['widening'])
    expect(findings[0]!.witness).toMatchObject({action: 's3:DeleteObject'})
    expect(String(findings[0]!.witness!.resource)).toMatch(/^arn:aws:s3:::\$\{var\.bucket\}\/.+/)
  })

  it('an object action added beside the bucket and its objects: the witness is an object of the symbol bucket', () => {
    // The shape of a Terraform policy (test/e2e/terraform.test.ts): the request the engine finds
    // may be the bucket itself, which s3:DeleteObject never takes (its ARN format is
    // arn:${Partition}:s3:::${BucketName}/${ObjectName}); the witness is an object ARN that the
    // statement's `${var.bucket}/*` matches, the symbol kept as the reference text.
    const statement = (actions: string[]) =>
      allow(actions, [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`])
    const findings = compare(
      policy(statement(['s3:GetObject', 's3:ListBucket'])),
      policy(statement(['s3:GetObject', 's3:ListBucket', 's3:DeleteObject'])),
    )
    expect(findings.map((f) => f.change)).toEqual(['widening'])
    expect(findings[0]!.witness).toMatchObject({action: 's3:DeleteObject'})
    expect(String(findings[0]!.witness!.resource)).toMatch(/^arn:aws:s3:::\$\{var\.bucket\}\/.+/)
  })

  it('a symbol replaced by a literal depends on the value: a possible widening naming the symbol', () => {
    const findings = compare(
      policy(allow('s3:GetObject', `arn:aws:s3:::${BUCKET}/*`)),
      policy(allow('s3:GetObject', 'arn:aws:s3:::acme-reports/*')),
    )
    const widenings = findings.filter((f) => f.change !== 'narrowing')
    expect(widenings.length).toBeGreaterThan(0)
    for (const f of widenings) {
      expect(f.change).toBe('possible-widening')
      expect(f.reason).toContain('${var.bucket}')
    }
  })

  it('a literal replaced by a new symbol depends on the value too (its value may be `*`)', () => {
    const findings = compare(
      policy(allow('s3:GetObject', 'arn:aws:s3:::acme-reports/*')),
      policy(allow('s3:GetObject', `arn:aws:s3:::${BUCKET}/*`)),
    )
    const widenings = findings.filter((f) => f.change !== 'narrowing')
    expect(widenings.map((f) => f.change)).toEqual(['possible-widening'])
    expect(widenings[0]!.reason).toContain('${var.bucket}')
  })

  it('a widening for every value is definite even where a symbol is involved', () => {
    // Whatever the bucket is, every bucket's objects are now readable (and a value of `*` aside,
    // some other bucket's): the witness names another bucket.
    const findings = compare(
      policy(allow('s3:GetObject', `arn:aws:s3:::${BUCKET}/*`)),
      policy(allow('s3:GetObject', `arn:aws:s3:::${BUCKET}/*`), allow('s3:PutObject', 'arn:aws:s3:::*')),
    )
    expect(changes(findings)).toEqual(['widening new-grant'])
  })

  it('a leading symbol on both sides is one value: `${X}/reports/*` to `${X}/*` widens for every value of X', () => {
    // Whatever the ARN is, `${X}/` followed by anything but `reports/` is new: a definite widening
    // (confirmed by the brute force for several values of X, `*` among them).
    const arn = symbol('DataBucket.Arn')
    const findings = compare(
      policy(allow('s3:GetObject', `${arn}/reports/*`)),
      policy(allow('s3:GetObject', `${arn}/*`)),
    )
    expect(changes(findings)).toEqual(['widening wildcard-resource'])
    expect(String(findings[0]!.witness!.resource)).toMatch(/^\$\{DataBucket\.Arn\}\//)
  })

  it('a leading symbol replaced by a literal ARN of the same shape stays a possible widening naming the symbol', () => {
    // No change if the ARN is that bucket's, a widening otherwise: it depends on the value.
    const arn = symbol('DataBucket.Arn')
    const findings = compare(
      policy(allow('s3:GetObject', `${arn}/reports/*`)),
      policy(allow('s3:GetObject', 'arn:aws:s3:::acme-data/reports/*')),
    )
    const widenings = findings.filter((f) => f.change !== 'narrowing')
    expect(widenings.map((f) => f.change)).toEqual(['possible-widening'])
    expect(widenings[0]!.reason).toContain('${DataBucket.Arn}')
  })

  it('the witness of a possible widening to a leading symbol names the symbol, not an example ARN', () => {
    // The "witnesses show the symbol by name": `${Bucket.Arn}/example`, not
    // `arn:aws:s3:::example-bucket/example-object`, which is that bucket's only for some value.
    const findings = compare(
      policy(allow('s3:GetObject', 'arn:aws:s3:::acme-data/*')),
      policy(allow('s3:GetObject', `${symbol('Bucket.Arn')}/*`)),
    )
    const widenings = findings.filter((f) => f.change !== 'narrowing')
    expect(widenings.map((f) => f.change)).toEqual(['possible-widening'])
    expect(String(widenings[0]!.witness!.resource)).toMatch(/^\$\{Bucket\.Arn\}\/.+/)
  })

  it('the witness of a widening on a leading symbol names the symbol, not an example ARN', () => {
    const arn = symbol('Bucket.Arn')
    const findings = compare(
      policy(allow('s3:GetObject', `${arn}/*`)),
      policy(allow(['s3:GetObject', 's3:DeleteObject'], `${arn}/*`)),
    )
    expect(changes(findings)).toEqual(['widening new-grant'])
    expect(findings[0]!.witness).toMatchObject({action: 's3:DeleteObject'})
    expect(String(findings[0]!.witness!.resource)).toMatch(/^\$\{Bucket\.Arn\}\/.+/)
  })

  it('a symbol in Action or Effect is a possible widening (literal in practice, unknown here)', () => {
    const base = policy(allow('s3:GetObject', 'arn:aws:s3:::acme-reports/*'))
    const action = compare(
      base,
      policy(allow(['s3:GetObject', symbol('local.extra_action')], 'arn:aws:s3:::acme-reports/*')),
    )
    expect(action.map((f) => f.change)).toEqual(['possible-widening'])
    const effect = compare(
      policy(allow('s3:*', 'arn:aws:s3:::acme-reports/*'), {
        Effect: 'Deny',
        Action: 's3:DeleteObject',
        Resource: '*',
      }),
      policy(allow('s3:*', 'arn:aws:s3:::acme-reports/*'), {
        Effect: symbol('var.delete_effect'),
        Action: 's3:DeleteObject',
        Resource: '*',
      }),
    )
    expect(effect.length).toBeGreaterThan(0)
    for (const f of effect.filter((x) => x.change !== 'narrowing')) expect(f.change).toBe('possible-widening')
  })
})

describe('aws-iam: policy variables are symbols too', () => {
  const own = (deny: boolean) =>
    policy(allow('s3:*', 'arn:aws:s3:::acme-home/*'), {
      Effect: 'Deny',
      Action: 's3:DeleteObject',
      Resource: deny
        ? 'arn:aws:s3:::acme-home/${aws:username}/*'
        : 'arn:aws:s3:::acme-home/${aws:username}/audit/*',
    })

  it('the same variable on both sides is the same value: a Deny narrowed under it is a definite widening', () => {
    const findings = compare(own(true), own(false))
    expect(changes(findings)).toEqual(['widening deny-removed'])
    const witness = findings[0]!.witness!
    // The user deletes under their own name, outside audit/: the witness gives the variable a value.
    const user = (witness.context as Record<string, string>)['aws:username']
    expect(typeof user).toBe('string')
    expect(String(witness.resource)).toContain(`acme-home/${user}/`)
  })
})

describe('aws-iam: a symbol shared by both sides, against brute force for many of its values', () => {
  // Resources around one symbol (an ARN, as `!GetAtt Bucket.Arn` gives) and literals its values
  // may equal or overlap. Each value is put in on both sides, and the brute force decides every
  // request of a universe made from the patterns: a definite widening's witness must be a
  // difference for every value, and where nothing is reported (no widening, definite or
  // possible) no value may make one.
  const ARN = symbol('Bucket.Arn')
  const PATTERNS = [
    `${ARN}/*`,
    `${ARN}/reports/*`,
    `${ARN}/reports/x`,
    `${ARN}/x`,
    `${ARN}*`,
    `${ARN}`,
    'arn:aws:s3:::a/*',
    'arn:aws:s3:::a/reports/*',
    'arn:aws:s3:::*',
    '*',
  ]
  const VALUES = [
    'arn:aws:s3:::a',
    'arn:aws:s3:::a/reports',
    'arn:aws:s3:::b',
    'arn:aws:s3:::*',
    '*',
    'a*',
    'reports',
    '',
  ]
  const FILLS = ['', 'x', 'reports/x', 'q/reports/z']
  const statementArb = fc.record({
    Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
    Action: fc.constant('s3:GetObject'),
    Resource: fc.uniqueArray(fc.constantFrom(...PATTERNS), {minLength: 1, maxLength: 2}),
  })
  const policyArb = fc
    .array(statementArb, {minLength: 1, maxLength: 3})
    .map((statements) => policy(...statements))
  const requests = (value: string) =>
    PATTERNS.flatMap((p) => FILLS.map((fill) => instantiate(p, {'Bucket.Arn': value}).replaceAll('*', fill)))

  it('every definite widening holds for every value, and no change is no change for every value', () => {
    fc.assert(
      fc.property(policyArb, policyArb, (baseline, target) => {
        const findings = compareIamFile('policy.json', parsed(baseline), parsed(target)).findings
        const shown = JSON.stringify({baseline, target, findings})
          .replaceAll('\uE000', '${')
          .replaceAll('\uE001', '}')
        for (const f of findings.filter((x) => x.change === 'widening')) {
          const witness = witnessTemplates(f.witness!, ['Bucket.Arn'])
          for (const value of VALUES) {
            const request = requestOf(instantiate(witness, {'Bucket.Arn': value}))
            const differs =
              allows(instantiate(target, {'Bucket.Arn': value}), request) &&
              !allows(instantiate(baseline, {'Bucket.Arn': value}), request)
            expect(differs, `${value}: ${shown}`).toBe(true)
          }
        }
        if (findings.some((x) => x.change === 'widening' || x.change === 'possible-widening')) return
        for (const value of VALUES)
          for (const resource of requests(value)) {
            const request = {principal: SELF, action: 's3:GetObject', resource, context: {}}
            const differs =
              allows(instantiate(target, {'Bucket.Arn': value}), request) &&
              !allows(instantiate(baseline, {'Bucket.Arn': value}), request)
            expect(differs, `${value} ${resource}: ${shown}`).toBe(false)
          }
      }),
      {seed: 14, numRuns: 60},
    )
  }, 120_000)
})
