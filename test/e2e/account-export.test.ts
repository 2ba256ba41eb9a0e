// An account export (`aws iam get-account-authorization-details`, committed by a cron job)
// compared per principal, end to end: an agent adding a user to the admins group and removing a
// role's permissions boundary widens those principals, each finding named after the principal with
// a witness that names it, blamed on the agent; and dropping the admin policy from the export's
// Policies so that the group seems to grant nothing fails closed.
// Output shape: https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html

import {describe, expect, it} from 'vitest'
import {identities} from '../helpers/repo.js'
import {checkJson, commitAs, commitFiles, repoFactory} from './helpers.js'

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
})
