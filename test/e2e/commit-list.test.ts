// `audit` lists every commit of the range that added access a finding still has (README "Every
// commit that widened it"), for kinds whose files refer to each other (Kubernetes RBAC, GCP IAM)
// and for documents written across the files of a Terraform module: the whole kind (or module) is
// compared at each commit that touched one of its files. A commit whose access was taken back
// later is not listed.

import {describe, type ExpectStatic, it} from 'vitest'
import {identities, runCli, type TestRepo} from '../helpers/repo.js'
import {
  checkJson,
  commitAs,
  commitFiles,
  expectValidReport,
  type Finding,
  type Report,
  repoFactory,
} from './helpers.js'

const newRepo = repoFactory()

/** The config-reader Role of namespace shop, with these verbs on configmaps. */
const configReader = (verbs: string[]) =>
  `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: config-reader\n  namespace: shop\nrules:\n  - apiGroups: [""]\n    resources: ["configmaps"]\n    verbs: [${verbs.map((v) => `"${v}"`).join(', ')}]\n`

/** The RoleBinding of config-reader to these users. */
const configReaders = (users: string[]) =>
  `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: config-readers\n  namespace: shop\nsubjects:\n${users
    .map((u) => `  - kind: User\n    name: ${u}\n    apiGroup: rbac.authorization.k8s.io\n`)
    .join('')}roleRef:\n  kind: Role\n  name: config-reader\n  apiGroup: rbac.authorization.k8s.io\n`

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
    const r = await newRepo()
    const base = await commitFiles(
      r,
      {[ROLE]: configReader(['get']), [BINDING]: configReaders(['alice@example.com'])},
      'Config readers',
    )
    const listVerb = await commitAs(r, identities.claudeCode, 'Let config readers list', {
      [ROLE]: configReader(['get', 'list']),
    })
    const deleted = await commitAs(r, identities.human, 'And delete', {
      [ROLE]: configReader(['get', 'list', 'delete']),
    })
    await commitAs(r, identities.human, 'No delete after all', {[ROLE]: configReader(['get', 'list'])})
    const vendor = await commitAs(r, identities.human, 'The vendor reads config too', {
      [BINDING]: configReaders(['alice@example.com', 'vendor@example.com']),
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

// A widening made by deleting a file is listed too: a file of Deny statements shortened by one
// commit and deleted by another (each lets the principal do more), and a .github/CODEOWNERS whose
// deletion hands the repository over to the root CODEOWNERS (GitHub reads the first file of its
// three locations that exists). And each CODEOWNERS commit's witness is a file of the repository
// at that commit, as the finding's own witness is a file of the target.
describe.concurrent('every commit that widened it, deletions and CODEOWNERS', () => {
  it('aws-iam: a Deny file shortened by one commit and deleted by another lists both, each with the request it unblocked', async ({
    expect,
  }) => {
    const APP = 'iam/app.json'
    const GUARD = 'iam/guard.json'
    const policy = (statements: unknown[]) =>
      `${JSON.stringify({Version: '2012-10-17', Statement: statements}, null, 2)}\n`
    const guard = (actions: string[]) => policy([{Effect: 'Deny', Action: actions, Resource: '*'}])
    const r = await newRepo()
    const base = await commitFiles(
      r,
      {
        [APP]: policy([{Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::acme-data/*'}]),
        [GUARD]: guard(['s3:DeleteBucket', 's3:PutBucketPolicy']),
      },
      'Data role and its guardrail',
    )
    const shortened = await commitAs(r, identities.claudeCode, 'Bucket policies are managed by the app', {
      [GUARD]: guard(['s3:DeleteBucket']),
    })
    await r.git('rm', '--quiet', GUARD)
    const deleted = await r.commit('Drop the guardrail', identities.human)

    const report = await auditSince(expect, r, base)
    const found = report.findings.filter((f) => f.file === GUARD && f.change !== 'narrowing')
    expect(found.length, describeAll(report)).toBe(1)
    expect(
      (found[0]!.commits ?? []).map((c) => [c.commit.sha, c.witness.action]),
      describeAll(report),
    ).toEqual([
      [shortened, 's3:PutBucketPolicy'],
      [deleted, 's3:DeleteBucket'],
    ])
  })

  it('codeowners: a commit in .github/CODEOWNERS and the deletion that hands the repository to the root file are both listed', async ({
    expect,
  }) => {
    const r = await newRepo()
    const base = await commitFiles(
      r,
      {
        '.github/CODEOWNERS': '* @acme/backend\n/infra/ @acme/platform\n',
        CODEOWNERS: '* @acme/backend @acme/contractors\n/infra/ @acme/platform\n',
        'src/app.ts': 'export const app = 1\n',
        'infra/main.tf': 'resource "aws_vpc" "main" {}\n',
        'README.md': '# Payments\n',
      },
      'Code owners',
    )
    const src = await commitAs(r, identities.claudeCode, 'Contractors review backend fixes', {
      '.github/CODEOWNERS':
        '* @acme/backend\n/src/ @acme/backend @acme/contractors\n/infra/ @acme/platform\n',
    })
    await r.git('rm', '--quiet', '.github/CODEOWNERS')
    const handed = await r.commit('One CODEOWNERS is enough', identities.human)

    const report = await auditSince(expect, r, base)
    const contractors = widenings(report).filter((f) => f.witness?.approver === '@acme/contractors')
    expect(contractors.length, describeAll(report)).toBeGreaterThan(0)
    expect(new Set(contractors.flatMap(listed)), describeAll(report)).toEqual(new Set([src, handed]))
    const [bySrc] = contractors.flatMap((f) => (f.commits ?? []).filter((c) => c.commit.sha === src))
    expect(String(bySrc?.witness.path), describeAll(report)).toMatch(/^src\//)
    const [byHanded] = contractors.flatMap((f) => (f.commits ?? []).filter((c) => c.commit.sha === handed))
    expect(String(byHanded?.witness.path), describeAll(report)).not.toMatch(/^(src|infra)\//)
  })

  it("codeowners: each commit's witness is a file of the repository at that commit", async ({expect}) => {
    const GITHUB = '.github/CODEOWNERS'
    const r = await newRepo()
    const base = await commitFiles(
      r,
      {
        [GITHUB]: '/src/ @acme/backend\n/docs/ @acme/docs\n',
        'src/app.ts': 'export const app = 1\n',
        'docs/guide.md': '# Guide\n',
      },
      'Code owners',
    )
    // The contractors reach src/ first, then docs/ too: one finding, two commits.
    const first = await commitAs(r, identities.claudeCode, 'Let contractors review backend fixes', {
      [GITHUB]: '/src/ @acme/backend @acme/contractors\n/docs/ @acme/docs\n',
    })
    const second = await commitAs(r, identities.claudeCode, 'Simplify code owners', {
      [GITHUB]: '* @acme/backend @acme/docs @acme/contractors\n',
    })

    const report = await auditSince(expect, r, base)
    const finding = widenings(report).find((f) => f.witness?.approver === '@acme/contractors')
    expect(listed(finding!), describeAll(report)).toEqual([first, second])
    for (const c of finding!.commits ?? []) {
      expect(c.witness.exists, JSON.stringify(c)).toBe(true)
      // `git cat-file -e` fails unless the commit's tree has the path.
      await r.git('cat-file', '-e', `${c.commit.sha}:${String(c.witness.path)}`)
      expect(c.message).toContain(`changes to ${String(c.witness.path)}`)
    }
  })
})

// Kinds inside a container: RBAC objects a kustomize overlay renders (with the kubectl on PATH)
// are read with the kind's other files at each commit, the overlay rendered from its files as that
// commit left them; a CloudFormation template's policy is a document of its own, whose removal
// from the template is a deletion like a file's.
describe.concurrent('every commit that widened it, inside containers', () => {
  it('kustomize: the rendered Role widened by one commit, its rendered binding by another; a verb added and taken back is not listed', async ({
    expect,
  }) => {
    const DIR = 'deploy/prod'
    const r = await newRepo()
    const base = await commitFiles(
      r,
      {
        // The overlay renders its files into the prod namespace, renamed
        // (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/namespace/).
        [`${DIR}/kustomization.yaml`]:
          'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: prod\nnamePrefix: prod-\nresources:\n  - role.yaml\n  - binding.yaml\n',
        [`${DIR}/role.yaml`]: configReader(['get']),
        [`${DIR}/binding.yaml`]: configReaders(['alice@example.com']),
      },
      'Config readers',
    )
    const listVerb = await commitAs(r, identities.claudeCode, 'Let config readers list', {
      [`${DIR}/role.yaml`]: configReader(['get', 'list']),
    })
    const deleted = await commitAs(r, identities.human, 'And delete', {
      [`${DIR}/role.yaml`]: configReader(['get', 'list', 'delete']),
    })
    await commitAs(r, identities.human, 'No delete after all', {
      [`${DIR}/role.yaml`]: configReader(['get', 'list']),
    })
    const vendor = await commitAs(r, identities.human, 'The vendor reads config too', {
      [`${DIR}/binding.yaml`]: configReaders(['alice@example.com', 'vendor@example.com']),
    })

    const report = await auditSince(expect, r, base)
    const rendered = widenings(report).filter((f) => f.document !== undefined)
    expect(rendered.length, describeAll(report)).toBeGreaterThan(0)
    for (const f of rendered) expect(f.file, describeAll(report)).toBe(`${DIR}/kustomization.yaml`)
    expect(new Set(rendered.flatMap(listed)), describeAll(report)).toEqual(new Set([listVerb, vendor]))
    expect(
      rendered.some((f) => listed(f).join() === [listVerb, vendor].join()),
      describeAll(report),
    ).toBe(true)
    expect(rendered.flatMap(listed)).not.toContain(deleted)
    const byCommit = (sha: string) =>
      rendered.flatMap((f) => (f.commits ?? []).filter((c) => c.commit.sha === sha))
    expect(byCommit(listVerb)[0]?.witness, describeAll(report)).toMatchObject({verb: 'list'})
    expect(JSON.stringify(byCommit(vendor)[0]?.witness)).toContain('vendor@example.com')
  })

  it('cloudformation: a Deny policy of a template shortened by one commit and taken out of it by another lists both', async ({
    expect,
  }) => {
    const TEMPLATE = 'stack/template.yaml'
    const template = (deny: string[] | null) =>
      [
        "AWSTemplateFormatVersion: '2010-09-09'",
        'Resources:',
        '  AppRole:',
        '    Type: AWS::IAM::Role',
        '    Properties:',
        '      AssumeRolePolicyDocument:',
        "        Version: '2012-10-17'",
        '        Statement:',
        '          - Effect: Allow',
        '            Principal: {Service: lambda.amazonaws.com}',
        '            Action: sts:AssumeRole',
        ...(deny === null
          ? []
          : [
              '  Guardrail:',
              '    Type: AWS::IAM::ManagedPolicy',
              '    Properties:',
              '      Roles: [!Ref AppRole]',
              '      PolicyDocument:',
              "        Version: '2012-10-17'",
              '        Statement:',
              '          - Effect: Deny',
              `            Action: [${deny.join(', ')}]`,
              "            Resource: '*'",
            ]),
        '',
      ].join('\n')
    const r = await newRepo()
    const base = await commitFiles(
      r,
      {[TEMPLATE]: template(['s3:DeleteBucket', 's3:PutBucketPolicy'])},
      'App stack',
    )
    const shortened = await commitAs(r, identities.claudeCode, 'Bucket policies are managed by the app', {
      [TEMPLATE]: template(['s3:DeleteBucket']),
    })
    const removed = await commitAs(r, identities.human, 'Drop the guardrail', {[TEMPLATE]: template(null)})

    const report = await auditSince(expect, r, base)
    const found = report.findings.filter((f) => f.file === TEMPLATE && f.change !== 'narrowing')
    expect(found.length, describeAll(report)).toBe(1)
    expect(
      (found[0]!.commits ?? []).map((c) => [c.commit.sha, c.witness.action]),
      describeAll(report),
    ).toEqual([
      [shortened, 's3:PutBucketPolicy'],
      [removed, 's3:DeleteBucket'],
    ])
  })
})

describe('every commit that widened it, in check --staged', () => {
  it('against an older baseline, what HEAD already has lists its commits; what the index adds is the pending commit alone', async ({
    expect,
  }) => {
    const POLICY = 'iam/reports.json'
    const policy = (actions: string[]) =>
      `${JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: actions, Resource: 'arn:aws:s3:::acme-reports/*'}]}, null, 2)}\n`
    const OTHER = 'iam/other.json'
    const r = await newRepo()
    const base = await commitFiles(
      r,
      {[POLICY]: policy(['s3:GetObject']), [OTHER]: policy(['s3:GetObject'])},
      'Reports',
    )
    const put = await commitAs(r, identities.claudeCode, 'Write reports', {
      [POLICY]: policy(['s3:GetObject', 's3:PutObject']),
    })
    const tagging = await commitAs(r, identities.human, 'Read tags', {
      [POLICY]: policy(['s3:GetObject', 's3:PutObject', 's3:GetObjectTagging']),
    })
    await r.write(OTHER, policy(['s3:GetObject', 's3:DeleteObject']))
    await r.stage(OTHER)
    const {code, report, stderr} = await checkJson(r.dir, ['--staged', '--baseline', base])
    expect(code, stderr).toBe(1)
    const committed = report.findings.find((f) => f.file === POLICY)
    expect(
      committed?.commits?.map((c) => [c.commit.sha, c.witness.action]),
      describeAll(report),
    ).toEqual([
      [put, 's3:PutObject'],
      [tagging, 's3:GetObjectTagging'],
    ])
    const pending = report.findings.find((f) => f.file === OTHER)
    expect((pending?.commit as {pending?: boolean} | null)?.pending, describeAll(report)).toBe(true)
    expect(pending?.commits, describeAll(report)).toBeUndefined()
  })
})
