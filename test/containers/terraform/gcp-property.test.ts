// Property: a GCP allow policy compared inside Terraform gives the same verdicts, witnesses and
// access as the same policy compared as a raw gcp-iam document, so gcp-iam's approvals
// properties (an approved binding never covers a wider one, test/adapters/gcp-iam) hold for the
// policies Terraform writes. Random pairs of policies are written as a google_project_iam_policy
// whose policy_data is jsonencode() of an HCL object, heredoc JSON, or a google_iam_policy data
// source (bindings and conditions as blocks), and a policy of one binding also as a
// google_project_iam_binding; each side in another shape.
// https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/google_project_iam

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {readDocuments} from '../../../src/core/source.js'
import type {Document} from '../../../src/kernel/types.js'
import {propertyRuns} from '../../adapters/property-runs.js'
import {compare, raw, verdicts} from '../raw-policy.js'
import {hcl} from './hcl.js'

const ROLES = [
  'roles/viewer',
  'roles/editor',
  'roles/owner',
  'roles/storage.objectViewer',
  'roles/iam.serviceAccountUser',
]
const MEMBERS = [
  'user:alice@example.com',
  'group:devs@example.com',
  'serviceAccount:ci@p.iam.gserviceaccount.com',
  'domain:example.com',
  'allAuthenticatedUsers',
  'allUsers',
]
const CONDITIONS = [
  'request.time < timestamp("2030-01-01T00:00:00Z")',
  'resource.name.startsWith("projects/_/buckets/a")',
]

interface Binding {
  role: string
  members: string[]
  condition?: {title: string; expression: string}
}
interface Policy {
  bindings: Binding[]
}

const bindingArb: fc.Arbitrary<Binding> = fc
  .record({
    role: fc.constantFrom(...ROLES),
    members: fc.uniqueArray(fc.constantFrom(...MEMBERS), {minLength: 1, maxLength: 3}),
    expression: fc.option(fc.constantFrom(...CONDITIONS), {nil: undefined}),
  })
  .map(({expression, ...rest}) => ({
    ...rest,
    ...(expression === undefined ? {} : {condition: {title: 't', expression}}),
  }))
const policyArb = fc.array(bindingArb, {minLength: 1, maxLength: 3}).map((bindings): Policy => ({bindings}))

/** jsonencode(), heredoc, the google_iam_policy data source, google_project_iam_binding (0…3). */
const SHAPES = 4
const ADDRESS = 'google_project_iam_policy.p on project my-project'

/** The policy as a Terraform file of `shape`; a binding resource only for a policy of one binding. */
function written(document: Policy, shape: number): {content: string; name: string} {
  if (shape === 3 && document.bindings.length === 1) {
    const [{role, members, condition}] = document.bindings as [Binding]
    const block =
      condition === undefined
        ? ''
        : `  condition {\n    title      = "${condition.title}"\n    expression = ${JSON.stringify(condition.expression)}\n  }\n`
    return {
      content: `resource "google_project_iam_binding" "p" {\n  project = "my-project"\n  role    = "${role}"\n  members = ${hcl(members)}\n${block}}\n`,
      name: 'google_project_iam_binding.p on project my-project',
    }
  }
  const resource = (data: string) =>
    `resource "google_project_iam_policy" "p" {\n  project     = "my-project"\n  policy_data = ${data}\n}\n`
  if (shape % 3 === 0) return {content: resource(`jsonencode(${hcl(document)})`), name: ADDRESS}
  if (shape % 3 === 1)
    return {content: resource(`<<-EOT\n${JSON.stringify(document, null, 2)}\nEOT`), name: ADDRESS}
  const blocks = document.bindings.map(({role, members, condition}) => {
    const lines = [`    role    = "${role}"`, `    members = ${hcl(members)}`]
    if (condition !== undefined)
      lines.push(
        `    condition {\n      title      = "${condition.title}"\n      expression = ${JSON.stringify(condition.expression)}\n    }`,
      )
    return `  binding {\n${lines.join('\n')}\n  }`
  })
  const data = `data "google_iam_policy" "p" {\n${blocks.join('\n')}\n}\n`
  return {content: `${data}\n${resource('data.google_iam_policy.p.policy_data')}`, name: ADDRESS}
}

async function embedded(document: Policy, shape: number): Promise<Document> {
  const {content, name} = written(document, shape)
  const {documents, problems, notes} = await readDocuments(
    {path: 'main.tf', content: Buffer.from(content)},
    'detect',
  )
  expect(problems).toEqual([])
  expect(notes).toEqual([])
  const found = documents.filter((d) => d.origin?.name === name)
  expect(found, content).toHaveLength(1)
  expect(found[0]!.kind).toBe('gcp-iam')
  return found[0]!
}

describe('a GCP allow policy inside Terraform', () => {
  it('is compared as the same policy as a raw document: the same verdicts, witnesses and access (so approvals)', async () => {
    let compared = 0
    await fc.assert(
      fc.asyncProperty(
        policyArb,
        policyArb,
        fc.integer({min: 0, max: SHAPES - 1}),
        async (before, after, shape) => {
          const [b, t] = await Promise.all([embedded(before, shape), embedded(after, (shape + 1) % SHAPES)])
          // A GCP witness and access name the policy by its key: both comparisons key it the same.
          const expected = verdicts(await compare(raw(before, 'gcp-iam'), raw(after, 'gcp-iam'), b.path))
          expect(verdicts(await compare(b, t, b.path))).toEqual(expected)
          if (expected.length > 0) compared++
        },
      ),
      propertyRuns(14, 40),
    )
    // Not vacuous: most pairs differ.
    expect(compared).toBeGreaterThan(0)
  })
})
