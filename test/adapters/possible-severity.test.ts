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

describe('aws-iam: an undecidable condition keeps the severity of the grant', () => {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html: a policy
  // variable in a condition value is compared with the request's own value, which acldrift cannot know.
  const policy = (statement: Record<string, unknown>) => ({Version: '2012-10-17', Statement: [statement]})
  const file = 'iam/deploy.json'
  const baseline = policy({Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::builds/*'})
  const grant = (Action: string, Resource: string, Condition: Record<string, unknown>) =>
    policy({Effect: 'Allow', Action, Resource, Condition})
  const byVariable = {StringEquals: {'aws:ResourceAccount': '${aws:PrincipalAccount}'}}
  const byLiteral = {StringEquals: {'aws:ResourceAccount': '111122223333'}}
  const cases: Array<[string, string, string, string]> = [
    ['iam:PassRole on every role', 'iam:PassRole', '*', 'high'],
    ['every action on every resource', '*', '*', 'critical'],
  ]

  for (const [what, action, resource, severity] of cases)
    it(`${what}: ${severity} with a literal account, ${severity} under \${aws:PrincipalAccount}`, () => {
      const decided = compareIamFile(
        file,
        parsed(file, baseline),
        parsed(file, grant(action, resource, byLiteral)),
      )
      const undecided = compareIamFile(
        file,
        parsed(file, baseline),
        parsed(file, grant(action, resource, byVariable)),
      )
      const [[, rule]] = widenings(decided.findings) as [[string, string, string]]
      expect(widenings(decided.findings)).toEqual([['widening', rule, severity]])
      // The rule and severity of what it would be if the condition held.
      expect(widenings(undecided.findings)).toEqual([['possible-widening', rule, severity]])
    })

  it('a narrow grant under an undecidable condition stays at least medium', () => {
    const target = grant('s3:PutObject', 'arn:aws:s3:::builds/*', {
      StringEquals: {'aws:userid': '${aws:username}'},
    })
    const {findings} = compareIamFile(file, parsed(file, baseline), parsed(file, target))
    expect(widenings(findings)).toEqual([['possible-widening', 'undecidable-condition', 'medium']])
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
