// An IAM policy's access as text (issue 16.5): attribution asks and compares the versions of a
// file once per text, so two values with the same text must grant exactly the same. Only the
// statements' Sids are left out; everything else, a Sid-named condition key or a Sid holding a
// template's value included, keeps two texts apart.

import {describe, expect, it} from 'vitest'
import {accessText} from '../../../src/adapters/aws-iam/access.js'
import {compareIamFile} from '../../../src/adapters/aws-iam/compare.js'
import {symbol} from '../../../src/kernel/symbols.js'
import {parsed, policy} from './documents.js'

/** A policy with a Deny, a NotAction, policy variables, a principal and a condition the engine cannot read. */
const rich = (sid: (name: string) => string) =>
  policy(
    {
      Sid: sid('Read'),
      Effect: 'Allow',
      Principal: {AWS: 'arn:aws:iam::111122223333:root'},
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::bucket/${aws:username}/*', 'arn:aws:s3:::bucket'],
      Condition: {StringLikeIfExists: {'aws:PrincipalTag/team': 'data-*'}, Bogus: {'aws:Unknown': 'x'}},
    },
    {Sid: sid('NoDelete'), Effect: 'Deny', Principal: '*', NotAction: 's3:Get*', Resource: '*'},
  )

describe('accessText', () => {
  it('is the same for versions that differ only in their statements’ Sids, and they compare as the same', () => {
    const [before, after] = [rich((n) => n), rich((n) => `${n}V2`)]
    expect(accessText(before)).toBe(accessText(after))
    expect(compareIamFile('policy.json', parsed(before), parsed(after)).findings).toEqual([])
    // A statement without a Sid is the same access as with one.
    const unnamed = rich(() => 'x')
    for (const s of unnamed.Statement) delete (s as {Sid?: string}).Sid
    expect(accessText(unnamed)).toBe(accessText(before))
  })

  it('a Sid-only change is compared without a search, and still names the actions AWS does not know', () => {
    const named = (sid: string) =>
      policy({Sid: sid, Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjekt'], Resource: '*'})
    const result = compareIamFile('policy.json', parsed(named('Old')), parsed(named('New')))
    expect(result.findings).toEqual([])
    expect(result.notes).toEqual(['policy.json:1: s3:GetObjekt is not a known AWS action'])
    // The same access is no shortcut past a real change: an added action is still found.
    const wider = policy({
      Sid: 'New',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: '*',
    })
    const found = compareIamFile('policy.json', parsed(named('Old')), parsed(wider)).findings
    expect(found.some((f) => f.change === 'widening')).toBe(true)
  })

  it('tells apart what else differs: an action, a condition key named Sid, a Sid holding a template’s value', () => {
    const one = (extra: Record<string, unknown>) =>
      accessText(policy({Sid: 'A', Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...extra}))
    expect(one({Action: 's3:PutObject'})).not.toBe(one({}))
    expect(one({Condition: {StringEquals: {Sid: 'a'}}})).not.toBe(
      one({Condition: {StringEquals: {Sid: 'b'}}}),
    )
    expect(one({Sid: symbol('Name')})).not.toBe(one({Sid: 'Other'}))
    // Another key order is another text (the engine is not asked to prove it the same).
    expect(accessText({Statement: [], Version: '2012-10-17'})).not.toBe(accessText(policy()))
  })

  it("leaves out the Sids of an account export's policies and boundary, not its policies' names", () => {
    const exported = (sid: string, name: string) => ({
      Principal: 'arn:aws:iam::111122223333:role/app',
      Policies: [{Name: name, Document: policy({Sid: sid, Effect: 'Allow', Action: 's3:*', Resource: '*'})}],
      PermissionsBoundary: {
        Name: 'b',
        Document: policy({Sid: sid, Effect: 'Allow', Action: '*', Resource: '*'}),
      },
    })
    expect(accessText(exported('One', 'p'))).toBe(accessText(exported('Two', 'p')))
    expect(accessText(exported('One', 'p'))).not.toBe(accessText(exported('One', 'q')))
  })

  it('has no text for a value JSON cannot write as it is (YAML .inf and .nan)', () => {
    const limit = (value: number) =>
      policy({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: {NumericLessThan: {'s3:max-keys': value}},
      })
    expect(accessText(limit(Infinity))).toBeUndefined()
    expect(accessText(limit(Number.NaN))).toBeUndefined()
    expect(accessText(limit(10))).toBeDefined()
  })
})
