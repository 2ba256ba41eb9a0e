// A finding no approval covers shows a request no approval grants (covers.ts witnessBeyond): the
// witness it gives is one the target allows, and neither the baseline nor any approved access
// does, as the evaluator semantic blame asks decides it.

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compareIamFile} from '../../../src/adapters/aws-iam/compare.js'
import {witnessBeyond} from '../../../src/adapters/aws-iam/covers.js'
import {allowsWitness} from '../../../src/adapters/aws-iam/evaluate.js'
import type {Finding, ParsedFile} from '../../../src/kernel/types.js'
import {propertyRuns} from '../property-runs.js'

const FILE = 'iam/app.json'
const ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket', 'iam:PassRole', 's3:*']
const RESOURCES = ['arn:aws:s3:::a/*', 'arn:aws:s3:::a/x', 'arn:aws:s3:::b/*', '*']

const policy = (statements: Array<{actions: string[]; resources: string[]}>) => ({
  Version: '2012-10-17',
  Statement: statements.map((s) => ({Effect: 'Allow', Action: s.actions, Resource: s.resources})),
})
const parsed = (value: unknown): ParsedFile => ({
  path: FILE,
  value,
  sourceMap: {locate: () => undefined},
  hash: '',
})
const widenings = (before: unknown, after: unknown): Finding[] =>
  compareIamFile(FILE, before === undefined ? undefined : parsed(before), parsed(after)).findings.filter(
    (f) => f.change === 'widening',
  )

describe('witnessBeyond', () => {
  it('Put approved, Get added besides: the witness is Get', () => {
    const base = policy([{actions: ['s3:ListBucket'], resources: ['arn:aws:s3:::a/*']}])
    const approvedState = policy([
      {actions: ['s3:ListBucket', 's3:PutObject'], resources: ['arn:aws:s3:::a/*']},
    ])
    const target = policy([
      {actions: ['s3:ListBucket', 's3:PutObject', 's3:GetObject'], resources: ['arn:aws:s3:::a/*']},
    ])
    const [approved] = widenings(base, approvedState)
    const [finding] = widenings(base, target)
    // The comparison's own choice is the approved, graver request.
    expect(finding!.witness?.action).toBe('s3:PutObject')
    const witness = witnessBeyond(finding!, FILE, parsed(base), parsed(target), [approved!.access])
    expect(witness?.action).toBe('s3:GetObject')
    // Nothing beyond the approved access: none is given.
    const [same] = widenings(base, approvedState)
    expect(
      witnessBeyond(same!, FILE, parsed(base), parsed(approvedState), [approved!.access]),
    ).toBeUndefined()
  })

  it('any witness it gives is allowed by the target and by neither the baseline nor an approved access', () => {
    const statement = fc.record({
      actions: fc.subarray(ACTIONS, {minLength: 1, maxLength: 3}),
      resources: fc.subarray(RESOURCES, {minLength: 1, maxLength: 2}),
    })
    let given = 0
    let movedOffApproved = 0
    fc.assert(
      fc.property(
        fc.array(statement, {maxLength: 2}),
        statement,
        statement,
        fc.boolean(),
        (baseStatements, approvedStatement, targetStatement, newFile) => {
          const base = newFile ? undefined : policy(baseStatements)
          const approvedFinding = widenings(
            base,
            policy([...(newFile ? [] : baseStatements), approvedStatement]),
          )
          const approved = approvedFinding.map((f) => f.access)
          const target = policy([...(newFile ? [] : baseStatements), targetStatement])
          for (const finding of widenings(base, target)) {
            const witness = witnessBeyond(
              finding,
              FILE,
              base === undefined ? undefined : parsed(base),
              parsed(target),
              approved,
            )
            if (witness === undefined) continue
            given++
            expect(allowsWitness(target, witness)).toBe(true)
            if (base !== undefined) expect(allowsWitness(base, witness)).toBe(false)
            for (const access of approvedFinding)
              expect(allowsWitness(policy([approvedStatement]), witness), JSON.stringify(access.access)).toBe(
                false,
              )
            if (approvedFinding.length > 0 && allowsWitness(policy([approvedStatement]), finding.witness!))
              movedOffApproved++
          }
        },
      ),
      propertyRuns(13, 80),
    )
    // Not vacuous: witnesses were given, some of them instead of an approved request.
    expect(given).toBeGreaterThan(10)
    expect(movedOffApproved).toBeGreaterThan(0)
  })
})
