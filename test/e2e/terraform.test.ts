// A Terraform repository with a real-shaped history, through the built CLI with acldrift's own git
// hooks: a policy moved from jsonencode() into a policy document data source is no change; an AI
// agent's commit that widens the app role's policy is blocked by the hook at the .tf line, and once
// committed anyway (--no-verify) the audit names the file:line, the document and the agent's commit,
// not a later edit; a second agent widens the role's trust policy in the module's other file
// (policies.tf), and the audit blames that commit although the finding sits on the role in main.tf.

import {readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {identities, makeTempDir, runCli, type TestRepo, type ToolIdentity} from '../helpers/repo.js'
import {
  commitFiles,
  dump,
  expectValidReport,
  type Finding,
  git,
  lineOf,
  repoFactory,
  type Report,
} from './helpers.js'

const newRepo = repoFactory()
const SLOW = 180_000
const MAIN = 'infra/iam/main.tf'
const POLICIES = 'infra/iam/policies.tf'
const VARIABLES = 'infra/iam/variables.tf'

/** The widenings of a report; a finding inside a container names its document. */
const widenings = (report: Report) =>
  report.findings.filter((f) => f.change === 'widening') as Array<Finding & {document?: string}>

const variables = (description: string) => `variable "reports_bucket" {
  description = "${description}"
  type        = string
}
`

/** The role and its policy as first written: the policy inline, with jsonencode(). */
const mainInline = `resource "aws_iam_role" "reports" {
  name               = "reports"
  assume_role_policy = data.aws_iam_policy_document.reports_assume.json
}

resource "aws_iam_role_policy" "reports" {
  name = "reports"
  role = aws_iam_role.reports.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadReports"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:ListBucket"]
        Resource = ["arn:aws:s3:::\${var.reports_bucket}", "arn:aws:s3:::\${var.reports_bucket}/*"]
      },
    ]
  })
}
`

/** The same policy moved into a policy document data source; `actions` are the statement's. */
const mainWithDataSource = (actions: string) => `resource "aws_iam_role" "reports" {
  name               = "reports"
  assume_role_policy = data.aws_iam_policy_document.reports_assume.json
}

data "aws_iam_policy_document" "reports" {
  statement {
    sid     = "ReadReports"
    actions = ${actions}
    resources = [
      "arn:aws:s3:::\${var.reports_bucket}",
      "arn:aws:s3:::\${var.reports_bucket}/*",
    ]
  }
}

resource "aws_iam_role_policy" "reports" {
  name   = "reports"
  role   = aws_iam_role.reports.id
  policy = data.aws_iam_policy_document.reports.json
}
`

const policies = (principals: string) => `# Trust policies of the module's roles.

data "aws_iam_policy_document" "reports_assume" {
  statement {
    actions = ["sts:AssumeRole"]
${principals}  }
}
`
const lambdaPrincipal = `    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
`
const partnerPrincipal = `    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::444455556666:root"]
    }
`

const network = `resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
`

/** A commit made as `who`, skipping the hook (which blocks every commit while a widening is unapproved). */
async function commitSkippingHook(
  r: TestRepo,
  who: ToolIdentity,
  subject: string,
  files: Record<string, string>,
) {
  for (const [path, content] of Object.entries(files)) await r.write(path, content)
  await r.stage(...Object.keys(files))
  const env = {
    GIT_AUTHOR_NAME: who.name,
    GIT_AUTHOR_EMAIL: who.email,
    GIT_COMMITTER_NAME: who.committerName ?? who.name,
    GIT_COMMITTER_EMAIL: who.committerEmail ?? who.email,
  }
  await r.gitEnv(env, 'commit', '--quiet', '--no-verify', '-m', who.message(subject))
  return (await r.git('rev-parse', 'HEAD')).trim()
}

async function audit(r: TestRepo): Promise<Report> {
  const result = await runCli(['audit', '--format', 'json'], {cwd: r.dir})
  expect(result.code, dump(result)).toBe(1)
  return JSON.parse(result.stdout) as Report
}

describe('a Terraform repository guarded by acldrift', () => {
  it(
    'a policy moved into a data source is no change; an agent widening the role is blocked at the .tf line and attributed by the audit, also when the widening is in another file of the module',
    async () => {
      const r = await newRepo()
      await commitFiles(
        r,
        {
          [MAIN]: mainInline,
          [POLICIES]: policies(lambdaPrincipal),
          [VARIABLES]: variables('The bucket the reports are written to'),
          'infra/network/main.tf': network,
        },
        'Reports role',
      )
      const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
      expect(init.code, dump(init)).toBe(0)
      await r.stage()
      expect((await git(r, {}, 'commit', '-m', 'Set up acldrift')).code).toBe(0)

      // A person moves the policy from jsonencode() into a data source: the hook lets it through.
      const read = '["s3:GetObject", "s3:ListBucket"]'
      await r.write(MAIN, mainWithDataSource(read))
      await r.stage(MAIN)
      const moved = await git(r, {}, 'commit', '-m', 'Policy as a data source')
      expect(moved.code, dump(moved)).toBe(0)
      expect(moved.stdout + moved.stderr).not.toMatch(/WIDENING/) // the quiet hook says nothing when it passes

      // The agent lets the role delete reports: blocked at the data source's line, naming itself.
      const widened = mainWithDataSource('["s3:GetObject", "s3:ListBucket", "s3:DeleteObject"]')
      await r.write(MAIN, widened)
      await r.stage(MAIN)
      const message = identities.claudeCode.message('Let the reports job clean up')
      const blocked = await git(r, {CLAUDECODE: '1'}, 'commit', '-m', message)
      expect(blocked.code, dump(blocked)).not.toBe(0)
      expect(blocked.stderr).toContain('acldrift: commit blocked')
      const document = 'aws_iam_role_policy.reports/policy on role ${aws_iam_role.reports.id}'
      expect(blocked.stderr).toContain(`${MAIN}:${lineOf(widened, 'statement {')} (${document})`)
      expect(blocked.stderr).toContain('s3:DeleteObject')
      expect(blocked.stderr).toContain('actor:  agent: Claude Code')

      // It commits anyway, skipping the hook; a person then edits a variable's description.
      const skipped = await git(r, {CLAUDECODE: '1'}, 'commit', '--no-verify', '-m', message)
      expect(skipped.code, dump(skipped)).toBe(0)
      const agentCommit = (await r.git('rev-parse', 'HEAD')).trim()
      await commitSkippingHook(r, identities.human, 'Describe the bucket', {
        [VARIABLES]: variables('Where the reports go'),
      })

      const first = widenings(await audit(r))
      expect(first).toHaveLength(1)
      expect(first[0]).toMatchObject({
        kind: 'aws-iam',
        file: MAIN,
        document,
        line: lineOf(widened, 'statement {'),
        witness: {
          action: 's3:DeleteObject',
          resource: expect.stringMatching(/^arn:aws:s3:::\$\{var\.reports_bucket\}\//),
        },
      })
      expect(first[0]!.commit).toMatchObject({sha: agentCommit, actor: {type: 'agent', agent: 'Claude Code'}})

      // Another agent lets a partner account assume the role, in policies.tf only: the role's
      // trust policy (main.tf) widens; the hook reads main.tf though only policies.tf is staged.
      await r.write(POLICIES, policies(lambdaPrincipal + partnerPrincipal))
      await r.stage(POLICIES)
      const trust = await git(r, {}, 'commit', '-m', 'Partner access')
      expect(trust.code, dump(trust)).not.toBe(0)
      expect(trust.stderr).toContain(`${MAIN}:3 (aws_iam_role.reports/assume_role_policy)`)
      const copilotCommit = await commitSkippingHook(
        r,
        identities.copilotAgent,
        'Let the partner read our reports',
        {
          [POLICIES]: policies(lambdaPrincipal + partnerPrincipal),
        },
      )
      await commitSkippingHook(r, identities.human, 'Widen the VPC', {
        'infra/network/main.tf': network.replace('10.0.0.0/16', '10.1.0.0/16'),
      })

      const second = widenings(await audit(r))
      expect(second.map((f) => f.document).sort()).toEqual([
        'aws_iam_role.reports/assume_role_policy',
        document,
      ])
      const trustFinding = second.find((f) => f.document === 'aws_iam_role.reports/assume_role_policy')!
      expect(trustFinding).toMatchObject({
        file: MAIN,
        line: 3,
        // The account root delegates to the account's own IAM policies (README, "Account
        // principals delegate"): the witness is a role of the partner account that its policies
        // allow to assume ours, as the root user itself cannot call AssumeRole.
        witness: {
          action: 'sts:AssumeRole',
          principal: expect.stringMatching(/^arn:aws:iam::444455556666:role\//),
          identityPolicyAllows: true,
        },
      })
      expect(trustFinding.commit).toMatchObject({sha: copilotCommit, actor: {type: 'agent'}})
      // The first widening is still the first agent's.
      expect(second.find((f) => f.document === document)!.commit).toMatchObject({sha: agentCommit})
    },
    SLOW,
  )
})

describe('coverage of the files a Terraform module reads', () => {
  it(
    "a module's file with no documents of its own, read for another file's, is listed as read through that file, not skipped",
    async () => {
      const r = await newRepo()
      const iam = 'modules/team-7/iam.tf'
      const trust = 'modules/team-7/policies.tf'
      await commitFiles(
        r,
        {
          [iam]: mainInline.replaceAll('reports', 'team7'),
          [trust]: policies(lambdaPrincipal).replaceAll('reports', 'team7'),
        },
        'Team 7 role',
      )
      // Only the file of trust policies changes, and stays the same access (a comment).
      await r.write(
        trust,
        policies(lambdaPrincipal).replaceAll('reports', 'team7').replace('# Trust', '# The trust'),
      )
      await r.stage(trust)
      for (const args of [
        ['check', '--staged', '--format', 'json'],
        ['check', '--format', 'json'],
      ]) {
        const result = await runCli(args, {cwd: r.dir})
        expect(result.code, dump(result)).toBe(0)
        const report = JSON.parse(result.stdout) as Report & {
          coverage: {read: unknown[]; skipped: Array<{file: string}>}
        }
        expectValidReport(report)
        expect(report.coverage.read).toContainEqual({
          file: trust,
          kind: 'aws-iam',
          format: 'terraform',
          by: 'content',
          through: [iam],
        })
        expect(report.coverage.skipped.map((s) => s.file)).not.toContain(trust)
      }
      // The human report says by which file.
      const text = await runCli(['check', '--staged'], {cwd: r.dir})
      expect(text.stdout + text.stderr).toContain(`${trust} (read through ${iam})`)
    },
    SLOW,
  )
})

describe('a staged .tf file against an older baseline', () => {
  it(
    "HEAD's module is read from the index and its changes, never from a listing of HEAD's whole tree; what HEAD already widened is its commit's",
    async () => {
      const r = await newRepo()
      const files = {
        [MAIN]: mainWithDataSource('["s3:GetObject"]'),
        [POLICIES]: policies(lambdaPrincipal),
        [VARIABLES]: variables('Reports'),
      }
      await commitFiles(r, files, 'Reports role')
      await r.git('tag', 'approved')
      await commitFiles(r, {'README.md': '# Infrastructure\n'}, 'Readme')
      const trust = 'aws_iam_role.reports/assume_role_policy'
      const policy = 'aws_iam_role_policy.reports/policy on role ${aws_iam_role.reports.id}'
      const check = async (trace?: string) => {
        const env = trace === undefined ? {} : {GIT_TRACE: trace}
        const args = ['check', '--staged', '--baseline', 'approved', '--format', 'json']
        const result = await runCli(args, {cwd: r.dir, env})
        expect(result.code, dump(result)).toBe(1)
        return widenings(JSON.parse(result.stdout) as Report)
      }
      // A partner account let in by the staged change, in the module's other file: the pending commit's.
      await r.write(POLICIES, policies(lambdaPrincipal + partnerPrincipal))
      await r.stage(POLICIES)
      const trace = join(r.dir, '.git', 'trace.txt')
      const pending = await check(trace)
      expect(pending.map((f) => [f.document, f.commit])).toEqual([
        [trust, expect.objectContaining({sha: 'pending', pending: true})],
      ])
      // git was asked for HEAD's entries through the index's listing and its diff from HEAD.
      expect(await readFile(trace, 'utf8')).not.toMatch(/built-in: git ls-tree -r/)
      // HEAD widens the policy, the index the trust: each finding is its own commit's.
      await r.git('reset', '-q', 'HEAD', '--', POLICIES)
      const widened = await commitFiles(
        r,
        {[MAIN]: mainWithDataSource('["s3:GetObject", "s3:DeleteObject"]')},
        'Reports may be deleted',
      )
      await r.stage(POLICIES)
      const both = await check()
      expect(both.find((f) => f.document === trust)!.commit).toMatchObject({pending: true})
      expect(both.find((f) => f.document === policy)!.commit).toMatchObject({sha: widened})
    },
    SLOW,
  )
})

describe('the Terraform grammar', () => {
  it('is loaded only when a .tf file is read: a commit without .tf changes never loads it', async () => {
    // A preload that makes reading any WebAssembly file fail (the parser's runtime and grammar):
    // the hook passes without them when only a policy file is staged, and fails when a .tf file
    // is (so the preload is in effect). Reads, not imports: `check` runs from the hook bundle's
    // body, which holds web-tree-sitter's code itself, and reads its .wasm files only to parse.
    const hooks = await makeTempDir()
    onTestFinished(() => rm(hooks, {recursive: true, force: true}))
    await writeFile(
      join(hooks, 'register.mjs'),
      `import fs from 'node:fs'
import {syncBuiltinESMExports} from 'node:module'
const guarded = (read) =>
  function (path, ...rest) {
    if (String(path).endsWith('.wasm')) throw new Error('a WebAssembly file was read')
    return read.call(this, path, ...rest)
  }
fs.readFile = guarded(fs.readFile)
fs.readFileSync = guarded(fs.readFileSync)
fs.promises.readFile = guarded(fs.promises.readFile)
syncBuiltinESMExports()
`,
    )
    const forbid = {NODE_OPTIONS: `--import=${join(hooks, 'register.mjs')}`}
    const r = await newRepo()
    const policy = (action: string) =>
      JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: action, Resource: '*'}]})
    await commitFiles(r, {
      [MAIN]: mainInline,
      [VARIABLES]: variables('Reports'),
      'iam/ops.json': policy('s3:GetObject'),
    })

    await r.write('iam/ops.json', policy('s3:*'))
    await r.stage('iam/ops.json')
    const withoutTf = await runCli(['check', '--staged', '--format', 'json'], {cwd: r.dir, env: forbid})
    expect(withoutTf.code, dump(withoutTf)).toBe(1)
    expect(widenings(JSON.parse(withoutTf.stdout) as Report).map((f) => f.file)).toEqual(['iam/ops.json'])

    await r.write(MAIN, mainInline.replace('"s3:ListBucket"', '"s3:ListBucket", "s3:PutObject"'))
    await r.stage(MAIN)
    const withTf = await runCli(['check', '--staged', '--format', 'json'], {cwd: r.dir, env: forbid})
    expect(withTf.stderr).toContain('a WebAssembly file was read')
    const allowed = await runCli(['check', '--staged', '--format', 'json'], {cwd: r.dir})
    expect(allowed.code, dump(allowed)).toBe(1)
    expect(
      widenings(JSON.parse(allowed.stdout) as Report)
        .map((f) => f.file)
        .sort(),
    ).toEqual(['iam/ops.json', MAIN])
  })
})
