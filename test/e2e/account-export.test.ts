// An account export (`aws iam get-account-authorization-details`, committed by a cron job)
// compared per principal, end to end: an agent adding a user to the admins group and removing a
// role's permissions boundary widens those principals, each finding named after the principal with
// a witness that names it, blamed on the agent; and dropping the admin policy from the export's
// Policies so that the group seems to grant nothing fails closed.
// The export saved without an extension (`… > aws/account-export`, as a cron line writes it) is
// found by its content through history: the audit names each agent's commit, its actor and the
// principal in the witness; `history` lists them; the repository's other files of such names (a
// licence, a script, a binary over the size limit) are passed over without failing the run.
// Output shape: https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html

import {describe, expect, it} from 'vitest'
import {identities, runCli} from '../helpers/repo.js'
import {
  checkJson,
  commitAs,
  commitFiles,
  dump,
  expectValidReport,
  repoFactory,
  type Report,
} from './helpers.js'

const newRepo = repoFactory()

const ACCOUNT = '111122223333'
const FILE = 'aws/account.json'
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess'
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/AppBoundary`
const policy = (...Statement: object[]) => ({Version: '2012-10-17', Statement})
const managed = (name: string, arn: string, document: object) => ({
  PolicyName: name,
  PolicyId: `ANPA${name.toUpperCase().padEnd(16, 'X').slice(0, 16)}`,
  Arn: arn,
  Path: '/',
  DefaultVersionId: 'v1',
  AttachmentCount: 1,
  PermissionsBoundaryUsageCount: 0,
  IsAttachable: true,
  PolicyVersionList: [{Document: document, VersionId: 'v1', IsDefaultVersion: true}],
})

/** What the export prints for one user (ann), two groups and one role (app). */
function exportOf({annGroups = ['readers'], boundary = true, adminInPolicies = true} = {}): string {
  const output = {
    UserDetailList: [
      {
        Path: '/',
        UserName: 'ann',
        UserId: 'AIDAEXAMPLEANN000001',
        Arn: `arn:aws:iam::${ACCOUNT}:user/ann`,
        UserPolicyList: [],
        GroupList: annGroups,
        AttachedManagedPolicies: [],
      },
    ],
    GroupDetailList: [
      {
        GroupName: 'readers',
        Arn: `arn:aws:iam::${ACCOUNT}:group/readers`,
        GroupPolicyList: [
          {
            PolicyName: 'ReadReports',
            PolicyDocument: policy({
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: 'arn:aws:s3:::reports/*',
            }),
          },
        ],
        AttachedManagedPolicies: [],
      },
      {
        GroupName: 'admins',
        Arn: `arn:aws:iam::${ACCOUNT}:group/admins`,
        GroupPolicyList: [],
        AttachedManagedPolicies: [{PolicyName: 'AdministratorAccess', PolicyArn: ADMIN}],
      },
    ],
    RoleDetailList: [
      {
        RoleName: 'app',
        Arn: `arn:aws:iam::${ACCOUNT}:role/app`,
        AssumeRolePolicyDocument: policy({
          Effect: 'Allow',
          Principal: {Service: 'ecs-tasks.amazonaws.com'},
          Action: 'sts:AssumeRole',
        }),
        RolePolicyList: [
          {
            PolicyName: 'AppData',
            PolicyDocument: policy({Effect: 'Allow', Action: 'dynamodb:*', Resource: '*'}),
          },
        ],
        AttachedManagedPolicies: [],
        ...(boundary
          ? {PermissionsBoundary: {PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: BOUNDARY}}
          : {}),
      },
    ],
    Policies: [
      managed(
        'AppBoundary',
        BOUNDARY,
        policy({Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: '*'}),
      ),
      ...(adminInPolicies
        ? [managed('AdministratorAccess', ADMIN, policy({Effect: 'Allow', Action: '*', Resource: '*'}))]
        : []),
    ],
  }
  return `${JSON.stringify(output, null, 4)}\n`
}

describe('an account export, per principal', () => {
  it('a group membership added and a boundary removed widen those principals, named in findings and witnesses; a dropped managed policy fails closed', async () => {
    const r = await newRepo()
    const base = await commitFiles(r, {[FILE]: exportOf()}, 'IAM export')
    const agent = await commitAs(r, identities.claudeCode, 'Give ann admin and free the app role', {
      [FILE]: exportOf({annGroups: ['readers', 'admins'], boundary: false}),
    })

    const {report, code} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
    expect(code).toBe(1)
    const ann = report.findings.filter((f) => f.document === 'user/ann')
    expect(ann).toEqual([
      expect.objectContaining({
        change: 'widening',
        rule: 'admin-wildcard',
        severity: 'critical',
        file: FILE,
        witness: expect.objectContaining({principal: `arn:aws:iam::${ACCOUNT}:user/ann`}),
        commit: expect.objectContaining({sha: agent, actor: expect.objectContaining({type: 'agent'})}),
      }),
    ])
    // Without its boundary, app may do every DynamoDB action its inline policy names, not only reads.
    const app = report.findings.filter((f) => f.document === 'role/app')
    expect(app).toEqual([
      expect.objectContaining({
        change: 'widening',
        witness: expect.objectContaining({
          principal: `arn:aws:iam::${ACCOUNT}:role/app`,
          action: expect.stringMatching(/^dynamodb:/),
        }),
        commit: expect.objectContaining({sha: agent}),
      }),
    ])
    expect(['dynamodb:GetItem', 'dynamodb:Query']).not.toContain(app[0]!.witness!.action)
    expect(report.findings.filter((f) => f.document === 'role/app/trust')).toEqual([])

    // The admin policy's content dropped from the export: what the group grants is unknown.
    await r.write(FILE, exportOf({annGroups: ['readers', 'admins'], adminInPolicies: false}))
    await r.stage(FILE)
    const dropped = await checkJson(r.dir, ['--staged'], {CLAUDECODE: '1'})
    expect(dropped.code).toBe(3)
    expect(dropped.report.errors).toEqual([
      expect.objectContaining({
        file: FILE,
        message: expect.stringContaining(`${ADMIN} is attached but not in`),
      }),
    ])
  })

  it('saved without an extension: audit names every agent commit and the principal, history lists them, other such files are passed over', async () => {
    const r = await newRepo()
    const EXPORT = 'aws/account-export'
    const refresh = [
      '#!/bin/sh',
      '# cron: 0 3 * * * cd /srv/iam && ./scripts/refresh-iam && git commit -qam "IAM export" aws/',
      'aws iam get-account-authorization-details --output json > aws/account-export',
      '',
    ].join('\n')
    const base = await commitFiles(
      r,
      {
        [EXPORT]: exportOf(),
        LICENSE: 'MIT License\n\nCopyright (c) 2026 Example\n',
        'scripts/refresh-iam': refresh,
        // Over the size limit, named like a data file: not opened, and said so.
        'bin/tool': '\u0000'.repeat(10 * 1024 * 1024 + 1),
      },
      'IAM export',
    )
    const group = await commitAs(r, identities.claudeCode, 'Give ann admin', {
      [EXPORT]: exportOf({annGroups: ['readers', 'admins']}),
    })
    const boundary = await commitAs(r, identities.copilotAgent, 'Free the app role', {
      [EXPORT]: exportOf({annGroups: ['readers', 'admins'], boundary: false}),
    })

    const audit = await runCli(['audit', '--baseline', base, '--format', 'json'], {cwd: r.dir})
    expect(audit.code, dump(audit)).toBe(1)
    const report = JSON.parse(audit.stdout) as Report
    expectValidReport(report)
    expect(report.errors).toEqual([])
    const byDocument = new Map(report.findings.map((f) => [f.document, f]))
    expect(byDocument.get('user/ann')).toMatchObject({
      file: EXPORT,
      rule: 'admin-wildcard',
      witness: {principal: `arn:aws:iam::${ACCOUNT}:user/ann`},
      commit: {sha: group, actor: {type: 'agent', agent: 'Claude Code'}},
    })
    expect(byDocument.get('role/app')).toMatchObject({
      file: EXPORT,
      change: 'widening',
      witness: {principal: `arn:aws:iam::${ACCOUNT}:role/app`, action: expect.stringMatching(/^dynamodb:/)},
      commit: {sha: boundary, actor: {type: 'agent'}},
    })
    // Coverage says what was read by content, and what was not opened; the licence and the script are not listed.
    expect(report.coverage?.read).toEqual([{file: EXPORT, kind: 'aws-iam', format: 'aws-cli', by: 'content'}])
    expect(report.coverage?.skipped).toEqual([{file: 'bin/tool', why: expect.stringContaining('not opened')}])

    const history = await runCli(['history', EXPORT, '--format', 'json'], {cwd: r.dir})
    expect(history.code, dump(history)).toBe(0)
    const timeline = (JSON.parse(history.stdout) as Report).findings
    const widenedBy = (document: string) =>
      timeline
        .filter((f) => f.document === document && f.change === 'widening')
        .map((f) => (f.commit as {sha: string}).sha)
    // Oldest first: the export's first commit gave each principal its access.
    expect(widenedBy('user/ann')).toEqual([base, group])
    expect(widenedBy('role/app')).toEqual([base, boundary])
  })
})
