// A condition acldrift cannot decide never lowers a finding's severity (issue 13, item 6): a
// possible widening carries the severity the widening would have if the condition held. For
// each kind whose conditions can be undecidable, the same grant with a condition it decides and
// with one it cannot decide gets the same severity.

import {describe, expect, it} from 'vitest'
import {compareIamFile} from '../../src/adapters/aws-iam/compare.js'
import {compareGcp} from '../../src/adapters/gcp-iam/compare.js'
import {parseFile} from '../../src/kernel/parse.js'
import type {Document, Finding} from '../../src/kernel/types.js'

const parsed = (path: string, value: unknown) =>
  parseFile({path, content: Buffer.from(JSON.stringify(value, null, 2))})

const widenings = (findings: Finding[]) =>
  findings.filter((f) => f.change !== 'narrowing').map((f) => [f.change, f.rule, f.severity])

describe('aws-iam: an undecidable condition keeps the rule and severity of the grant', () => {
  // `StringContains` is no IAM condition operator
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
  // what it matches cannot be known, where `StringEquals` is decided.
  const policy = (statement: Record<string, unknown>) => ({Version: '2012-10-17', Statement: [statement]})
  const file = 'iam/deploy.json'
  const baseline = policy({Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::builds/*'})
  const grant = (Action: string, Resource: string, operator: string) =>
    policy({
      Effect: 'Allow',
      Action,
      Resource,
      Condition: {[operator]: {'aws:ResourceAccount': '111122223333'}},
    })
  const cases: Array<[string, string, string, string]> = [
    ['iam:PassRole on every role', 'iam:PassRole', '*', 'high'],
    ['every action on every resource', '*', '*', 'critical'],
  ]

  for (const [what, action, resource, severity] of cases)
    it(`${what}: ${severity} under StringEquals, ${severity} under an operator acldrift cannot read`, () => {
      const compare = (operator: string) =>
        widenings(
          compareIamFile(file, parsed(file, baseline), parsed(file, grant(action, resource, operator)))
            .findings,
        )
      const [[, rule]] = compare('StringEquals') as [[string, string, string]]
      expect(compare('StringEquals')).toEqual([['widening', rule, severity]])
      // The rule and severity of what it would be if the condition held.
      expect(compare('StringContains')).toEqual([['possible-widening', rule, severity]])
    })
})

describe('gcp-iam: an uninterpretable condition keeps the severity of the binding', () => {
  // https://cloud.google.com/iam/docs/conditions-overview: resource.matchTag depends on the tags
  // bound to each resource, which a policy file does not say.
  const file = 'gcp/project-policy.json'
  const doc = (bindings: unknown[]): Map<string, Document> =>
    new Map([[file, {...parsed(file, {bindings, etag: 'BwYRbC9d3fF=', version: 3}), kind: 'gcp-iam'}]])
  const viewer = {role: 'roles/viewer', members: ['group:eng@example.com']}
  const tagged = {expression: 'resource.matchTag("482736150943/env", "production")', title: 'prod'}
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['roles/owner to a user', {role: 'roles/owner', members: ['user:mallory@example.com']}, 'high'],
    ['a role to allUsers', {role: 'roles/storage.objectViewer', members: ['allUsers']}, 'critical'],
  ]
  for (const [what, binding, severity] of cases)
    it(`${what}: ${severity} without a condition, ${severity} under resource.matchTag`, () => {
      const plain = compareGcp(doc([viewer]), doc([viewer, binding]), [file])
      const conditioned = compareGcp(doc([viewer]), doc([viewer, {...binding, condition: tagged}]), [file])
      expect(widenings(plain.findings)[0]).toEqual(['widening', expect.any(String), severity])
      expect(widenings(conditioned.findings)).toEqual([
        ['possible-widening', 'undecidable-condition', severity],
      ])
    })
})
