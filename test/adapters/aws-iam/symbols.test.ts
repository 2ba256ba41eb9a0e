// Opaque symbols (issue 14 item 3, issue 15 item 8): a template's unresolved value, written with
// the kernel's `symbol()` as container formats write it, in hand-built documents. The same symbol
// on both sides is the same unknown value; a change is decided where its answer holds for every
// value, and is a possible widening naming the symbol where it depends on it. A template's value
// is substituted before AWS reads the policy, so it may be any text, `*` included. Each definite
// witness is confirmed by the brute force for several values of the symbols (`*` among them).

import {describe, expect, it} from 'vitest'
import {compareIamFile} from '../../../src/adapters/aws-iam/compare.js'
import {symbol} from '../../../src/kernel/symbols.js'
import type {Finding} from '../../../src/kernel/types.js'
import {confirmsForEveryValue} from './brute-force.js'
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
