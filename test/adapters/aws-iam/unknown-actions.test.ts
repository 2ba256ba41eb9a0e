// Actions outside the AWS catalogue (issue 15 item 10): never only a note. Alone, an unknown
// action is a possible widening whose reason names it as the policy spells it; beside a widening
// of the same statement, it is part of that finding's access, so an approval of the finding
// records it and any change to it is new access.

import {describe, expect, it} from 'vitest'
import {compareIamFile} from '../../../src/adapters/aws-iam/compare.js'
import type {ParsedFile} from '../../../src/kernel/types.js'

const parsed = (value: unknown): ParsedFile => ({
  path: 'policy.json',
  value,
  hash: '0',
  sourceMap: {locate: () => ({line: 1, column: 1})},
})
const statement = (actions: string[], resource = 'arn:aws:s3:::invoices') => ({
  Version: '2012-10-17',
  Statement: [{Sid: 'Invoices', Effect: 'Allow', Action: actions, Resource: resource}],
})
const compare = (baseline: unknown, target: unknown) =>
  compareIamFile('policy.json', parsed(baseline), parsed(target))
const BASE = statement(['s3:ListBucket'])

describe('an action outside the catalogue', () => {
  it('alone: a possible widening naming it as written, not lower-cased', () => {
    const {findings, notes} = compare(BASE, statement(['s3:ListBucket', 's3:FrobnicateWidgets']))
    expect(findings.map((f) => [f.rule, f.change, f.reason])).toEqual([
      ['unknown-action', 'possible-widening', 's3:FrobnicateWidgets is not in the AWS action catalogue'],
    ])
    expect(findings[0]!.witness?.action).toBe('s3:FrobnicateWidgets')
    expect(notes).toEqual(['policy.json:1: s3:FrobnicateWidgets is not a known AWS action'])
  })

  it('beside a widening of the same statement: part of that finding, whose access records it', () => {
    const target = statement(['s3:ListBucket', 's3:GetObject', 's3:FrobnicateWidgets'], '*')
    const {findings} = compare(BASE, target)
    expect(findings.map((f) => [f.rule, f.change])).toEqual([['new-grant', 'widening']])
    expect(findings[0]!.access).toMatchObject({
      statement: {Action: expect.arrayContaining(['s3:FrobnicateWidgets']) as unknown},
    })
    // The same statement without it is other access: another id, so the approval does not carry over.
    const without = compare(BASE, statement(['s3:ListBucket', 's3:GetObject'], '*')).findings
    expect(without[0]!.id).not.toBe(findings[0]!.id)
  })
})
