// Property: a policy compared inside Terraform gives the same verdicts and witnesses as the same
// policy compared as a raw document. Random pairs of policies are written in the shapes the
// formats read — jsonencode() of an HCL object (a role's inline policy), heredoc JSON (a managed
// policy), an aws_iam_policy_document data source (a bucket policy, with principals and
// conditions as blocks), and the policy string of a `terraform show -json` plan — each side in
// a different shape, and both comparisons must agree finding for finding (change, rule,
// severity, witness).

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {readDocuments} from '../../../src/core/source.js'
import type {Document} from '../../../src/kernel/types.js'
import {propertyRuns} from '../../adapters/property-runs.js'
import {compare, raw, verdicts} from '../raw-policy.js'
import {hcl} from './hcl.js'

const ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:*', 's3:Get*', 'iam:PassRole', '*']
const RESOURCES = [
  'arn:aws:s3:::a/x',
  'arn:aws:s3:::a/*',
  'arn:aws:s3:::b/*',
  'arn:aws:iam::111111111111:role/r',
  '*',
]
const PRINCIPALS: Array<string | Record<string, string>> = [
  '*',
  {AWS: '111111111111'},
  {AWS: 'arn:aws:iam::222222222222:role/r'},
  {Service: 'lambda.amazonaws.com'},
]
const CIDRS = ['10.0.0.0/8', '10.0.0.0/16', '192.0.2.0/24']

interface Statement {
  Effect: 'Allow' | 'Deny'
  Action: string[]
  Resource: string[]
  Principal?: string | Record<string, string>
  Condition?: {IpAddress: {'aws:SourceIp': string}}
}
interface Policy {
  Version: string
  Statement: Statement[]
}
/** Where the policy is written: jsonencode(), heredoc, data source, plan (0…3). */
type Shape = number
const SHAPES = 4
/** Resource policies (with principals) for the data source and plan shapes' bucket policies. */
type Kind = 'identity' | 'resource'

const statement = (kind: Kind): fc.Arbitrary<Statement> =>
  fc
    .record({
      Effect: fc.constantFrom<Statement['Effect']>('Allow', 'Deny'),
      Action: fc.subarray(ACTIONS, {minLength: 1, maxLength: 2}),
      Resource: fc.subarray(RESOURCES, {minLength: 1, maxLength: 2}),
      Principal: fc.constantFrom(...PRINCIPALS),
      cidr: fc.option(fc.constantFrom(...CIDRS), {nil: undefined}),
    })
    .map(({Principal, cidr, ...rest}) => ({
      ...rest,
      ...(kind === 'resource' ? {Principal} : {}),
      ...(cidr === undefined ? {} : {Condition: {IpAddress: {'aws:SourceIp': cidr}}}),
    }))

const policy = (kind: Kind) =>
  fc
    .array(statement(kind), {minLength: 1, maxLength: 3})
    .map((Statement): Policy => ({Version: '2012-10-17', Statement}))

/** The statements as an aws_iam_policy_document's blocks. */
function dataSource(document: Policy): string {
  const blocks = document.Statement.map((s) => {
    const lines = [
      `    effect    = "${s.Effect}"`,
      `    actions   = ${hcl(s.Action)}`,
      `    resources = ${hcl(s.Resource)}`,
    ]
    if (s.Principal !== undefined) {
      const [type, id] = typeof s.Principal === 'string' ? ['*', '*'] : Object.entries(s.Principal)[0]!
      lines.push(`    principals {\n      type        = "${type}"\n      identifiers = ["${id}"]\n    }`)
    }
    if (s.Condition !== undefined)
      lines.push(
        `    condition {\n      test     = "IpAddress"\n      variable = "aws:SourceIp"\n      values   = ["${s.Condition.IpAddress['aws:SourceIp']}"]\n    }`,
      )
    return `  statement {\n${lines.join('\n')}\n  }`
  })
  return `data "aws_iam_policy_document" "p" {\n${blocks.join('\n\n')}\n}\n`
}

const NAME = {identity: 'aws_iam_policy.p/policy', resource: 'aws_s3_bucket_policy.p/policy on bucket a'}

/** The policy in a file of the shape `shape`; identity policies as aws_iam_policy, resource policies as aws_s3_bucket_policy. */
function written(kind: Kind, document: Policy, shape: Shape): {path: string; content: string} {
  const type = kind === 'identity' ? 'aws_iam_policy' : 'aws_s3_bucket_policy'
  const target = kind === 'identity' ? '  name = "p"\n' : '  bucket = "a"\n'
  if (shape === 3) {
    const resource = {
      address: `${type}.p`,
      mode: 'managed',
      type,
      name: 'p',
      provider_name: 'registry.terraform.io/hashicorp/aws',
      schema_version: 0,
      values: {...(kind === 'identity' ? {name: 'p'} : {bucket: 'a'}), policy: JSON.stringify(document)},
      sensitive_values: {},
    }
    const plan = {
      format_version: '1.2',
      terraform_version: '1.9.8',
      planned_values: {root_module: {resources: [resource]}},
      resource_changes: [
        {
          address: resource.address,
          mode: 'managed',
          type,
          name: 'p',
          provider_name: resource.provider_name,
          change: {actions: ['create'], before: null, after: resource.values},
        },
      ],
    }
    return {path: 'plan.json', content: JSON.stringify(plan, null, 2)}
  }
  const policyArgument =
    shape === 0
      ? `jsonencode(${hcl(document)})`
      : shape === 1
        ? `<<-EOT\n${JSON.stringify(document, null, 2)}\nEOT`
        : 'data.aws_iam_policy_document.p.json'
  const resource = `resource "${type}" "p" {\n${target}  policy = ${policyArgument}\n}\n`
  return {path: 'main.tf', content: shape === 2 ? `${dataSource(document)}\n${resource}` : resource}
}

async function embedded(kind: Kind, document: Policy, shape: Shape): Promise<Document> {
  const {path, content} = written(kind, document, shape)
  const {documents, problems, notes} = await readDocuments({path, content: Buffer.from(content)}, 'detect')
  expect(problems).toEqual([])
  expect(notes).toEqual([])
  const found = documents.filter((d) => d.origin?.name === NAME[kind])
  expect(found, content).toHaveLength(1)
  return found[0]!
}

describe('a policy inside Terraform', () => {
  it('is compared as the same policy as a raw document: the same verdicts, witnesses and access (so approvals)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom<Kind>('identity', 'resource')
          .chain((kind) =>
            fc.tuple(fc.constant(kind), policy(kind), policy(kind), fc.integer({min: 0, max: SHAPES - 1})),
          ),
        async ([kind, before, after, shape]) => {
          const expected = verdicts(await compare(raw(before), raw(after), 'policy.json'))
          const [b, t] = await Promise.all([
            embedded(kind, before, shape),
            embedded(kind, after, (shape + 1) % SHAPES),
          ])
          // jsonencode(), heredoc and plan give the document as written; the data source as
          // the provider renders it (the same access).
          if (shape !== 2) expect(b.value).toEqual(before)
          expect(verdicts(await compare(b, t, b.path))).toEqual(expected)
        },
      ),
      propertyRuns(14, 40),
    )
  })
})
