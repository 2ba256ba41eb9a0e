// Semantic comparison end to end: reordering statements, renaming Sids, reformatting, and splitting
// a statement into equivalent ones is no change; finding ids name the access, not the lines.

import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/repo.js'
import {brief, checkJson, commitFiles, repoFactory} from './helpers.js'
import {
  bucketPolicy,
  policyText,
  publicBucketPolicy,
  REPORTING_ROLE,
  rolePolicy,
  trustPolicy,
} from './policies.js'

const BUCKET_FILE = 'iam/buckets/payroll-exports.json'
const ROLE_FILE = 'iam/roles/reporting-dashboard.json'
const TRUST_FILE = 'iam/roles/reporting-dashboard-trust.json'

const newRepo = repoFactory()

const approved = {
  [BUCKET_FILE]: policyText(bucketPolicy),
  [ROLE_FILE]: policyText(rolePolicy),
  [TRUST_FILE]: policyText(trustPolicy),
}

/** The approved policies rewritten by someone tidying up: same access, different text. */
const rewritten = {
  // Statements swapped, Sids renamed, keys reordered, single values as one-element lists and back,
  // resources reordered, minified.
  [BUCKET_FILE]: JSON.stringify({
    Id: 'payroll-exports-bucket-policy',
    Statement: [
      {
        Condition: {Bool: {'aws:SecureTransport': 'false'}},
        Resource: ['arn:aws:s3:::acme-payroll-exports/*', 'arn:aws:s3:::acme-payroll-exports'],
        Action: ['s3:*'],
        Principal: '*',
        Effect: 'Deny',
        Sid: 'TlsOnly',
      },
      {
        Sid: 'DashboardRead',
        Effect: 'Allow',
        Principal: {AWS: [REPORTING_ROLE]},
        Action: ['s3:ListBucket', 's3:GetObject'],
        Resource: ['arn:aws:s3:::acme-payroll-exports/*', 'arn:aws:s3:::acme-payroll-exports'],
      },
    ],
    Version: '2012-10-17',
  }),
  // One statement split into two equivalent ones, Sids dropped, four-space indentation.
  [ROLE_FILE]: `${JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:DeleteObject',
          Resource: 'arn:aws:s3:::acme-dashboard-cache/*',
        },
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: ['arn:aws:s3:::acme-dashboard-cache/*'],
        },
        {
          Effect: 'Allow',
          Action: ['s3:ListBucket', 's3:GetObject'],
          Resource: ['arn:aws:s3:::acme-payroll-exports/*', 'arn:aws:s3:::acme-payroll-exports'],
        },
      ],
    },
    null,
    4,
  )}\n`,
  // A condition value as a one-element list, the Sid renamed, tabs and CRLF line ends.
  [TRUST_FILE]: JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowEcsTasks',
          Effect: 'Allow',
          Principal: {Service: ['ecs-tasks.amazonaws.com']},
          Action: ['sts:AssumeRole'],
          Condition: {StringEquals: {'aws:SourceAccount': ['111122223333']}},
        },
      ],
    },
    null,
    '\t',
  ).replaceAll('\n', '\r\n'),
}

describe.concurrent('semantic equivalence', () => {
  it('a commit that only reorders, renames Sids, reformats and splits statements is no change', async () => {
    const r = await newRepo()
    await commitFiles(r, approved, 'Add policies')
    await commitFiles(r, rewritten, 'Tidy up policies')

    const forward = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', 'HEAD~1'])
    expect(forward.code, brief(forward.report.findings).join('\n')).toBe(0)
    expect(forward.report.findings).toEqual([])
    expect(forward.report.errors).toEqual([])
    expect(forward.report.summary).toMatchObject({
      documents: 3,
      widening: 0,
      narrowing: 0,
      possibleWidening: 0,
    })

    // Nor the other way round (no hidden narrowing either).
    const backward = await checkJson(r.dir, ['--ref', 'HEAD~1', '--baseline', 'HEAD'])
    expect(backward.code).toBe(0)
    expect(backward.report.findings).toEqual([])

    const pretty = await runCli(['check', '--range', 'HEAD~1..HEAD'], {cwd: r.dir})
    expect(pretty.code).toBe(0)
    expect(pretty.stdout).toMatch(/no widening/i)
  })

  it('finding ids survive reformatting and reordering; lines follow the text', async () => {
    const r = await newRepo()
    await commitFiles(r, approved, 'Add policies')
    await r.git('tag', 'approved')
    await commitFiles(r, {[BUCKET_FILE]: policyText(publicBucketPolicy)}, 'Open the bucket')
    await r.git('tag', 'opened')
    // The same public policy, moved below a new narrowing-neutral Deny and reformatted.
    const moved = {
      Version: '2012-10-17',
      Id: 'payroll-exports-bucket-policy',
      Statement: [
        {
          Sid: 'NoDeletesFromOutsideTheAccount',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:DeleteBucket',
          Resource: 'arn:aws:s3:::acme-payroll-exports',
          Condition: {StringNotEquals: {'aws:PrincipalAccount': '111122223333'}},
        },
        {...publicBucketPolicy.Statement[0], Sid: 'ReadExports'},
      ],
    }
    await commitFiles(r, {[BUCKET_FILE]: JSON.stringify(moved, null, 4)}, 'Reformat')
    await r.git('tag', 'moved')

    const before = await checkJson(r.dir, ['--range', 'approved..opened'])
    const after = await checkJson(r.dir, ['--range', 'approved..moved'])
    const widenings = (findings: typeof before.report.findings) =>
      findings.filter((f) => f.change === 'widening')
    expect(widenings(before.report.findings).length).toBeGreaterThan(0)
    expect(
      widenings(after.report.findings)
        .map((f) => f.id)
        .sort(),
    ).toEqual(
      widenings(before.report.findings)
        .map((f) => f.id)
        .sort(),
    )
    const pub = (findings: typeof before.report.findings) =>
      findings.find((f) => f.rule === 'public-principal')!
    expect(pub(before.report.findings).pointer).toBe('/Statement/0')
    expect(pub(after.report.findings).pointer).toBe('/Statement/1')
    expect(pub(after.report.findings).line).toBeGreaterThan(pub(before.report.findings).line!)
  })
})
