// The inventory (issue 12), through the built CLI in real repositories: globs assign kinds and
// never hide an access config; files in formats acldrift does not read are named as not read,
// with why, and do not fail the run; a file that was a document in the baseline and is no longer
// read fails closed naming it. Each scenario is one an agent would use to get a widening through.

import {chmod, rm, symlink} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {CommandError, identities, projectRoot, runCli} from '../helpers/repo.js'
import {checkJson, commitAs, commitFiles, repoFactory} from './helpers.js'

const newRepo = repoFactory()

const CONFIG = 'version: 1\ndocuments:\n  - glob: "iam/**/*.json"\n    kind: aws-iam\n'
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*'}],
})

// A ClusterRole and its binding in one file, as `kubectl apply -f` takes them
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#clusterrolebinding-example).
const CLUSTER_ADMIN = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ops-everything
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ops-everything
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: ops-everything
subjects:
  - kind: User
    name: mallory@example.com
    apiGroup: rbac.authorization.k8s.io
`

// Files of public infrastructure repositories that are not access configs acldrift reads: each
// must leave the run at exit 0 and be named in coverage as not read, with why.
const NOT_READ: Record<string, {content: string; as: string}> = {
  // A Helm chart's template (https://helm.sh/docs/chart_template_guide/getting_started/).
  'charts/app/templates/clusterrole.yaml': {
    as: 'helm-template',
    content: `{{- if .Values.rbac.create -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ include "app.fullname" . }}
  labels:
    {{- include "app.labels" . | nindent 4 }}
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "list", "watch"]
{{- end }}
`,
  },
  // An AWS CDK app's settings (https://docs.aws.amazon.com/cdk/v2/guide/cli.html): its access is in code.
  'cdk/cdk.json': {
    as: 'aws-cdk',
    content:
      '{\n  "app": "npx ts-node --prefer-ts-exts bin/app.ts",\n  "context": {"@aws-cdk/aws-iam:minimizePolicies": true}\n}\n',
  },
  // A kustomize JSON 6902 patch (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/).
  'deploy/overlays/prod/role-patch.yaml': {
    as: 'kustomize-patch',
    content: `- op: add
  path: /rules/-
  value:
    apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get"]
`,
  },
  'deploy/overlays/prod/kustomization.yaml': {
    as: 'kustomize',
    content: `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
patches:
  - path: role-patch.yaml
    target:
      kind: ClusterRole
      name: reader
`,
  },
}

// A CloudFormation template whose policy is a quoted JSON string under a short-form tag
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-sub.html):
// read by the CloudFormation container format, which the inventory picks up from the registry.
const CLOUDFORMATION = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  ReaderRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument: !Sub |
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
              "Resource": "arn:aws:s3:::reports/*"}]}
`

// An Azure Functions trigger (https://learn.microsoft.com/azure/azure-functions/functions-reference#function-code):
// its `bindings` are not GCP IAM bindings.
const AZURE_FUNCTION = JSON.stringify({
  bindings: [
    {authLevel: 'function', type: 'httpTrigger', direction: 'in', name: 'req', methods: ['get', 'post']},
    {type: 'http', direction: 'out', name: 'res'},
  ],
})

describe.concurrent('the inventory', () => {
  it('reads an access config no glob names: the hook blocks it, check attributes it to the agent', async () => {
    const r = await newRepo()
    await commitFiles(r, {'acldrift.config.yaml': CONFIG, 'iam/reports.json': POLICY}, 'Policies')
    await r.git('tag', 'approved')

    // The pre-commit hook, as `acldrift init` installs it in effect.
    await r.write(
      '.git/hooks/pre-commit',
      `#!/bin/sh\nexec "${process.execPath}" "${join(projectRoot, 'bin', 'run.js')}" check --staged\n`,
    )
    await chmod(join(r.dir, '.git', 'hooks', 'pre-commit'), 0o755)
    await r.write('k8s/ops.yml', CLUSTER_ADMIN)
    await r.stage('k8s/ops.yml')
    const blocked = await r
      .gitEnv({CLAUDECODE: '1'}, 'commit', '--quiet', '-m', identities.claudeCode.message('Fix ops access'))
      .catch((e: unknown) => e)
    expect(blocked).toBeInstanceOf(CommandError)
    expect((blocked as CommandError).result.stderr).toMatch(/WIDENING.*k8s\/ops\.yml/)

    // Committed with the hook bypassed, the audit still sees it and names the agent's commit.
    await rm(join(r.dir, '.git', 'hooks', 'pre-commit'))
    await r.git('reset', '--quiet')
    const sha = await commitAs(r, identities.claudeCode, 'Fix ops access', {'k8s/ops.yml': CLUSTER_ADMIN})
    const {code, report} = await checkJson(r.dir, ['--range', 'approved..HEAD'])
    expect(code).toBe(1)
    const finding = report.findings.find((f) => f.file === 'k8s/ops.yml' && f.change === 'widening')!
    expect(finding.commit).toMatchObject({sha, actor: {type: 'agent'}})
    expect(report.coverage?.read).toContainEqual({file: 'k8s/ops.yml', kind: 'k8s-rbac', by: 'content'})
    expect(report.coverage?.read).toContainEqual({file: 'iam/reports.json', kind: 'aws-iam', by: 'config'})
  })

  it('names templates and patches as not read, with why, reads container formats, and exits 0', async () => {
    const r = await newRepo()
    await commitFiles(r, {
      'iam/reports.json': POLICY,
      'functions/HttpTrigger/function.json': AZURE_FUNCTION,
      'infra/reader.yaml': CLOUDFORMATION,
      ...Object.fromEntries(Object.entries(NOT_READ).map(([path, {content}]) => [path, content])),
    })
    const validate = await runCli(['validate'], {cwd: r.dir})
    expect(validate.code, validate.stdout + validate.stderr).toBe(0)

    const coverage = await runCli(['coverage', '--format', 'json'], {cwd: r.dir})
    expect(coverage.code, coverage.stderr).toBe(0)
    const {coverage: inventory} = JSON.parse(coverage.stdout) as {coverage: Report['coverage']}
    for (const [file, {as}] of Object.entries(NOT_READ))
      expect(inventory!.notRead).toContainEqual({file, recognisedAs: as, why: expect.any(String)})
    expect(inventory!.read).toContainEqual({
      file: 'infra/reader.yaml',
      kind: 'aws-iam',
      format: 'cloudformation',
      by: 'content',
    })
    expect(inventory!.skipped).toContainEqual({
      file: 'functions/HttpTrigger/function.json',
      why: 'no kind or container format recognises its content',
    })

    // check says it too, in words, in the pretty report and the JSON one.
    await r.write('iam/reports.json', POLICY.replace('reports/*', '*'))
    const {code, report} = await checkJson(r.dir)
    expect(code).toBe(1)
    expect(report.coverage?.notRead.map((e) => e.file).sort()).toEqual(Object.keys(NOT_READ).sort())
    const pretty = await runCli(['check'], {cwd: r.dir})
    expect(pretty.stdout).toContain('Recognised as access config but not read, and why:')
    expect(pretty.stdout).toMatch(/charts\/app\/templates\/clusterrole\.yaml \(helm-template\): a template/)
  }, 120_000) // six runs of the CLI

  it('fails closed on a file that claims to be RBAC and does not parse, and lists excluded configs', async () => {
    const r = await newRepo()
    await commitFiles(r, {
      'acldrift.config.yaml': `${CONFIG}exclude: ["examples/**"]\n`,
      'examples/admin.yaml': CLUSTER_ADMIN,
    })
    const clean = await checkJson(r.dir)
    expect(clean.code).toBe(0)
    expect(clean.report.coverage?.notRead).toEqual([
      {file: 'examples/admin.yaml', recognisedAs: 'k8s-rbac', why: expect.stringContaining('excluded')},
    ])
    await r.write(
      'k8s/broken.yaml',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules: [\n',
    )
    const broken = await checkJson(r.dir)
    expect(broken.code).toBe(3)
    expect(broken.report.errors.map((e) => e.file)).toContain('k8s/broken.yaml')
  })

  it('fails closed when a policy of the baseline becomes a symlink or stops parsing', async () => {
    const r = await newRepo()
    await commitFiles(r, {'iam/reports.json': POLICY, 'policies/admin.json': POLICY})
    // A symlink: the deploy path is unchanged, the content it points to is never read.
    await rm(join(r.dir, 'iam/reports.json'))
    await symlink('/etc/hostname', join(r.dir, 'iam/reports.json'))
    // No longer JSON, and no longer recognisable by content: it was a policy, so it still is.
    await r.write('policies/admin.json', 'Version: 2012-10-17\nStatement: *\n')
    await r.stage()
    const {code, report} = await checkJson(r.dir, ['--staged'])
    expect(code).toBe(3)
    expect(report.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({file: 'iam/reports.json', message: expect.stringMatching(/symbolic link/)}),
        expect.objectContaining({file: 'policies/admin.json', message: expect.stringMatching(/aws-iam/)}),
      ]),
    )
  })
})

type Report = Awaited<ReturnType<typeof checkJson>>['report']
