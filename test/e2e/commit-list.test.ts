// `audit` lists every commit of the range that added access a finding still has (README "Every
// commit that widened it"), for kinds whose files refer to each other (Kubernetes RBAC, GCP IAM)
// and for documents written across the files of a Terraform module: the whole kind (or module) is
// compared at each commit that touched one of its files. A commit whose access was taken back
// later is not listed.

import {describe, type ExpectStatic, it} from 'vitest'
import {identities, runCli, type TestRepo} from '../helpers/repo.js'
import {commitAs, commitFiles, expectValidReport, type Finding, type Report, repoFactory} from './helpers.js'

const newRepo = repoFactory()

/** `audit --ref HEAD --baseline BASE --format json`, which must gate. */
async function auditSince(expect: ExpectStatic, r: TestRepo, base: string): Promise<Report> {
  const audit = await runCli(['audit', '--ref', 'HEAD', '--baseline', base, '--format', 'json'], {cwd: r.dir})
  expect(audit.code, audit.stderr).toBe(1)
  const report: unknown = JSON.parse(audit.stdout)
  expectValidReport(report)
  return report
}

/** The commits a finding lists, oldest first. */
const listed = (f: Finding) => (f.commits ?? []).map((c) => c.commit.sha)
const widenings = (report: Report) => report.findings.filter((f) => f.change === 'widening')
const describeAll = (report: Report) =>
  JSON.stringify(
    report.findings.map((f) => [f.file, f.document, f.rule, f.pointer, f.witness, listed(f)]),
    null,
    1,
  )

describe.concurrent('every commit that widened it, for kinds read together and Terraform modules', () => {
  it("k8s-rbac: a Role widened by one commit, its binding's subjects by another; a verb added and taken back is not listed", async ({
    expect,
  }) => {
    const ROLE = 'deploy/rbac/role.yaml'
    const BINDING = 'deploy/rbac/binding.yaml'
    const role = (verbs: string[]) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: config-reader\n  namespace: shop\nrules:\n  - apiGroups: [""]\n    resources: ["configmaps"]\n    verbs: [${verbs.map((v) => `"${v}"`).join(', ')}]\n`
    const binding = (users: string[]) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: config-readers\n  namespace: shop\nsubjects:\n${users
        .map((u) => `  - kind: User\n    name: ${u}\n    apiGroup: rbac.authorization.k8s.io\n`)
        .join('')}roleRef:\n  kind: Role\n  name: config-reader\n  apiGroup: rbac.authorization.k8s.io\n`
    const r = await newRepo()
    const base = await commitFiles(
      r,
      {[ROLE]: role(['get']), [BINDING]: binding(['alice@example.com'])},
      'Config readers',
    )
    const listVerb = await commitAs(r, identities.claudeCode, 'Let config readers list', {
      [ROLE]: role(['get', 'list']),
    })
    const deleted = await commitAs(r, identities.human, 'And delete', {
      [ROLE]: role(['get', 'list', 'delete']),
    })
    await commitAs(r, identities.human, 'No delete after all', {[ROLE]: role(['get', 'list'])})
    const vendor = await commitAs(r, identities.human, 'The vendor reads config too', {
      [BINDING]: binding(['alice@example.com', 'vendor@example.com']),
    })

    const report = await auditSince(expect, r, base)
    const found = widenings(report)
    expect(found.length, describeAll(report)).toBeGreaterThan(0)
    // Every commit whose added access the target still has is listed, oldest first, under the
    // findings whose rule or binding grants it; the delete, taken back, under none.
    expect(new Set(found.flatMap(listed)), describeAll(report)).toEqual(new Set([listVerb, vendor]))
    expect(
      found.some((f) => listed(f).join() === [listVerb, vendor].join()),
      describeAll(report),
    ).toBe(true)
    expect(found.flatMap(listed)).not.toContain(deleted)
    for (const f of found) {
      expect(listed(f)).toContain((f.commit as {sha: string}).sha)
      for (const c of f.commits ?? []) expect(c.message.length).toBeGreaterThan(0)
    }
    const [roleWitness] = found.flatMap((f) => (f.commits ?? []).filter((c) => c.commit.sha === listVerb))
    expect(roleWitness?.witness).toMatchObject({verb: 'list'})
    const [vendorWitness] = found.flatMap((f) => (f.commits ?? []).filter((c) => c.commit.sha === vendor))
    expect(JSON.stringify(vendorWitness?.witness)).toContain('vendor@example.com')
  })

  it('gcp-iam: a custom role given a permission by one commit, a member bound to it by another', async ({
    expect,
  }) => {
    const POLICY = 'gcp/project-policy.json'
    const ROLES = 'gcp/roles/deployer.yaml'
    const policy = (members: string[]) =>
      `${JSON.stringify(
        {
          bindings: [
            {role: 'roles/viewer', members: ['group:eng@example.com']},
            {role: 'projects/shop/roles/deployer', members},
          ],
          etag: 'BwYRbC9d3fF=',
          version: 3,
        },
        null,
        2,
      )}\n`
    const role = (permissions: string[]) =>
      `name: projects/shop/roles/deployer\ntitle: Deployer\nincludedPermissions:\n${permissions
        .map((p) => `  - ${p}\n`)
        .join('')}stage: GA\n`
    const ci = 'serviceAccount:ci@shop.iam.gserviceaccount.com'
    const r = await newRepo()
    const base = await commitFiles(
      r,
      {[POLICY]: policy([ci]), [ROLES]: role(['run.services.update'])},
      'Project policy',
    )
    const permission = await commitAs(r, identities.claudeCode, 'Deployers read secrets', {
      [ROLES]: role(['run.services.update', 'secretmanager.versions.access']),
    })
    const member = await commitAs(r, identities.human, 'Bob deploys too', {
      [POLICY]: policy([ci, 'user:bob@example.com']),
    })

    const report = await auditSince(expect, r, base)
    const found = widenings(report)
    expect(new Set(found.flatMap(listed)), describeAll(report)).toEqual(new Set([permission, member]))
    expect(
      found.some((f) => listed(f).join() === [permission, member].join()),
      describeAll(report),
    ).toBe(true)
  })

  it('terraform: a policy written across two files of a module, widened by a commit in each', async ({
    expect,
  }) => {
    const main = `resource "aws_iam_role" "reports" {
  name               = "reports"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{Effect = "Allow", Principal = {Service = "lambda.amazonaws.com"}, Action = "sts:AssumeRole"}]
  })
}

resource "aws_iam_role_policy" "reports" {
  name   = "reports"
  role   = aws_iam_role.reports.id
  policy = data.aws_iam_policy_document.reports.json
}
`
    const policies = (actions: string[]) => `data "aws_iam_policy_document" "reports" {
  statement {
    sid       = "Reports"
    actions   = concat(local.extra_actions, [${actions.map((a) => `"${a}"`).join(', ')}])
    resources = ["arn:aws:s3:::acme-reports/*"]
  }
}
`
    const locals = (extra: string[]) => `locals {
  extra_actions = [${extra.map((a) => `"${a}"`).join(', ')}]
}
`
    const r = await newRepo()
    const base = await commitFiles(
      r,
      {
        'infra/main.tf': main,
        'infra/policies.tf': policies(['s3:GetObject']),
        'infra/locals.tf': locals([]),
      },
      'Reports role',
    )
    const put = await commitAs(r, identities.claudeCode, 'Reports are written by the role', {
      'infra/locals.tf': locals(['s3:PutObject']),
    })
    const deleted = await commitAs(r, identities.human, 'And cleaned up', {
      'infra/policies.tf': policies(['s3:GetObject', 's3:DeleteObject']),
    })
    await commitAs(r, identities.human, 'No cleanup after all', {
      'infra/policies.tf': policies(['s3:GetObject']),
    })
    const tagging = await commitAs(r, identities.human, 'Tags are read', {
      'infra/policies.tf': policies(['s3:GetObject', 's3:GetObjectTagging']),
    })

    const report = await auditSince(expect, r, base)
    const finding = widenings(report).find((f) => f.file === 'infra/main.tf')
    expect(finding, describeAll(report)).toBeDefined()
    expect(
      (finding!.commits ?? []).map((c) => [c.commit.sha, c.witness.action]),
      describeAll(report),
    ).toEqual([
      [put, 's3:PutObject'],
      [tagging, 's3:GetObjectTagging'],
    ])
    expect(listed(finding!)).not.toContain(deleted)
  })
})
