// Issue 14: a Terraform module is evaluated once per content in a run, whichever source holds it.
// The pre-commit hook checked against an older baseline reads HEAD's module to see whether HEAD
// already allows a finding's witness, then blames what HEAD allows by reading HEAD's module again
// (and each version of it): each of those reads used to evaluate the module anew. runCheck
// in-process, in a real repository; the verdicts and the commits blamed are the same.
import {afterAll, beforeAll, expect, it} from 'vitest'
import {moduleEvaluations} from '../../../src/containers/terraform/extract.js'
import {runCheck} from '../../../src/core/check.js'
import {DEFAULT_CONFIG} from '../../../src/core/config.js'
import type {CheckOptions} from '../../../src/core/options.js'
import type {Finding} from '../../../src/kernel/types.js'
import {createRepo, type TestRepo} from '../../helpers/repo.js'

const MAIN = 'infra/iam/main.tf'
const POLICIES = 'infra/iam/policies.tf'

const main = (actions: string) => `resource "aws_iam_role" "reports" {
  name               = "reports"
  assume_role_policy = data.aws_iam_policy_document.reports_assume.json
}

data "aws_iam_policy_document" "reports" {
  statement {
    actions   = ${actions}
    resources = ["arn:aws:s3:::\${var.bucket}/*"]
  }
}

resource "aws_iam_role_policy" "reports" {
  name   = "reports"
  role   = aws_iam_role.reports.id
  policy = data.aws_iam_policy_document.reports.json
}

variable "bucket" {
  type = string
}
`

const policies = (principals: string) => `data "aws_iam_policy_document" "reports_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "${principals.split(' ')[0]}"
      identifiers = ["${principals.split(' ')[1]}"]
    }
  }
}
`

let repo: TestRepo
let widened: string

beforeAll(async () => {
  repo = await createRepo()
  await repo.write(MAIN, main('["s3:GetObject"]'))
  await repo.write(POLICIES, policies('Service lambda.amazonaws.com'))
  await repo.stage()
  await repo.commit('Reports role')
  await repo.git('tag', 'approved')
  // HEAD widens the role's policy; the index its trust, in the module's other file.
  await repo.write(MAIN, main('["s3:GetObject", "s3:DeleteObject"]'))
  await repo.stage(MAIN)
  widened = await repo.commit('Reports may be deleted')
  await repo.write(POLICIES, policies('AWS arn:aws:iam::444455556666:root'))
  await repo.stage(POLICIES)
})
afterAll(() => repo.cleanup())

it("evaluates each content of a module once: HEAD's module is not evaluated again for blame", async () => {
  moduleEvaluations.count = 0
  moduleEvaluations.contents.clear()
  const report = await runCheck({
    root: repo.dir,
    cwd: repo.dir,
    config: DEFAULT_CONFIG,
    target: {type: 'staged'},
    baseline: 'approved',
    env: {},
  } as CheckOptions)
  const commitOf = (document: string) =>
    report.findings.find((f: Finding) => f.change === 'widening' && f.document?.startsWith(document))?.commit
  expect(commitOf('aws_iam_role.reports/assume_role_policy')).toMatchObject({pending: true})
  expect(commitOf('aws_iam_role_policy.reports/policy')).toMatchObject({sha: widened})
  // The approved module, HEAD's and the index's; blame reads HEAD's and the approved one again.
  expect(moduleEvaluations.contents.size).toBe(3)
  expect(moduleEvaluations.count).toBe(moduleEvaluations.contents.size)
})
