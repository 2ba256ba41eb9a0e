// Property: a policy compared inside a template gives the same verdicts and witnesses as the same
// policy compared as a raw document. Random pairs of policies are written into templates in the
// shapes the format reads (a role's inline policy, a managed policy, a bucket policy; YAML short
// forms or JSON long forms; literals written as equivalent intrinsic functions), and both
// comparisons must agree finding for finding (change, rule, severity, witness).

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {readDocuments} from '../../../src/core/source.js'
import type {Document} from '../../../src/kernel/types.js'
import {propertyRuns} from '../../adapters/property-runs.js'
import {compare, raw, verdicts} from '../raw-policy.js'

const ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:*', 's3:Get*', 'iam:PassRole', '*']
const RESOURCES = [
  'arn:aws:s3:::a/x',
  'arn:aws:s3:::a/*',
  'arn:aws:s3:::b/*',
  'arn:aws:iam::111111111111:role/r',
  '*',
]
const PRINCIPALS = [
  '*',
  {AWS: '111111111111'},
  {AWS: 'arn:aws:iam::222222222222:role/r'},
  {Service: 'lambda.amazonaws.com'},
]
const CIDRS = ['10.0.0.0/8', '10.0.0.0/16', '192.0.2.0/24']

type Statement = Record<string, unknown>
type Shape = 'role' | 'managed' | 'bucket'

const statement = (shape: Shape): fc.Arbitrary<Statement> =>
  fc
    .record({
      Effect: fc.constantFrom('Allow', 'Deny'),
      Action: fc.subarray(ACTIONS, {minLength: 1, maxLength: 2}),
      Resource: fc.subarray(RESOURCES, {minLength: 1, maxLength: 2}),
      Principal: fc.constantFrom(...PRINCIPALS),
      cidr: fc.option(fc.constantFrom(...CIDRS), {nil: undefined}),
    })
    .map(({Principal, cidr, ...rest}) => ({
      ...rest,
      ...(shape === 'bucket' ? {Principal} : {}),
      ...(cidr === undefined ? {} : {Condition: {IpAddress: {'aws:SourceIp': cidr}}}),
    }))

const policy = (shape: Shape) =>
  fc
    .array(statement(shape), {minLength: 1, maxLength: 3})
    .map((Statement) => ({Version: '2012-10-17', Statement}))

/** A literal written as an intrinsic function that gives it back (the format must see through it). */
function disguise(value: string, how: number): unknown {
  if (how === 1) return {'Fn::Sub': value.replaceAll('${', '${!')}
  if (how === 2) return {'Fn::Join': ['', [value.slice(0, 3), value.slice(3)]]}
  if (how === 3) return {'Fn::Select': [1, ['unused', value]]}
  return value
}

function embed(shape: Shape, document: {Statement: Statement[]}, how: number): Record<string, unknown> {
  const written = {
    ...document,
    Statement: document.Statement.map((s) => ({
      ...s,
      Resource: (s.Resource as string[]).map((r) => disguise(r, how)),
    })),
  }
  const resource =
    shape === 'role'
      ? {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: TRUST,
            Policies: [{PolicyName: 'p', PolicyDocument: written}],
          },
        }
      : shape === 'managed'
        ? {Type: 'AWS::IAM::ManagedPolicy', Properties: {PolicyDocument: written}}
        : {Type: 'AWS::S3::BucketPolicy', Properties: {Bucket: 'a', PolicyDocument: written}}
  return {AWSTemplateFormatVersion: '2010-09-09', Resources: {Bucket: {Type: 'AWS::S3::Bucket'}, R: resource}}
}
const TRUST = {
  Statement: [{Effect: 'Allow', Principal: {Service: 'ec2.amazonaws.com'}, Action: 'sts:AssumeRole'}],
}
const NAME: Record<Shape, string> = {
  role: 'R/Policies/p',
  managed: 'R/PolicyDocument',
  bucket: 'R/PolicyDocument',
}

/** A template as YAML with the short forms (JSON is YAML, written here in flow style with tags). */
function yaml(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(yaml).join(', ')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
    if (entries.length === 1 && /^(Fn::|Ref$)/.test(entries[0]![0])) {
      const [key, inner] = entries[0]!
      return `!${key.replace('Fn::', '')} ${yaml(inner)}`
    }
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${yaml(v)}`).join(', ')}}`
  }
  return JSON.stringify(value)
}

async function embedded(
  shape: Shape,
  document: {Statement: Statement[]},
  how: number,
  asYaml: boolean,
): Promise<Document> {
  const template = embed(shape, document, how)
  const path = asYaml ? 'template.yaml' : 'template.json'
  const content = asYaml ? yaml(template) : JSON.stringify(template, null, 2)
  const {documents, problems} = await readDocuments({path, content: Buffer.from(content)}, 'detect')
  expect(problems).toEqual([])
  return documents.find((d) => d.origin?.name === NAME[shape])!
}

describe('a policy inside a template', () => {
  it('is compared as the same policy as a raw document: the same verdicts, witnesses and access (so approvals)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom<Shape>('role', 'managed', 'bucket')
          .chain((shape) =>
            fc.tuple(
              fc.constant(shape),
              policy(shape),
              policy(shape),
              fc.integer({min: 0, max: 3}),
              fc.boolean(),
            ),
          ),
        async ([shape, before, after, how, asYaml]) => {
          const expected = verdicts(await compare(raw(before), raw(after), 'policy.json'))
          const [b, t] = await Promise.all([
            embedded(shape, before, how, asYaml),
            embedded(shape, after, (how + 1) % 4, !asYaml),
          ])
          expect(b.value).toEqual(before)
          expect(verdicts(await compare(b, t, b.path))).toEqual(expected)
        },
      ),
      propertyRuns(14, 60),
    )
  })
})
