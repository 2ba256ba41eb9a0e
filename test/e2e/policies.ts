// Realistic AWS IAM policies for the end-to-end tests: an S3 bucket policy (resource policy), a role's
// identity policy and its trust policy, each in a "before" and "after" shape.

export const ACCOUNT = '111122223333'
export const BUCKET = 'acme-payroll-exports'
export const REPORTING_ROLE = `arn:aws:iam::${ACCOUNT}:role/reporting-dashboard`

const bucketResources = [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`]

const denyInsecureTransport = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: bucketResources,
  Condition: {Bool: {'aws:SecureTransport': 'false'}},
}

/** The approved bucket policy: the reporting role reads the exports, TLS is enforced. */
export const bucketPolicy = {
  Version: '2012-10-17',
  Id: 'payroll-exports-bucket-policy',
  Statement: [
    {
      Sid: 'ReportingRoleReadsExports',
      Effect: 'Allow',
      Principal: {AWS: REPORTING_ROLE},
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: bucketResources,
    },
    denyInsecureTransport,
  ],
}

/** The agent's "fix" for an AccessDenied: `Principal: "*"` and the TLS-only Deny dropped. */
export const publicBucketPolicy = {
  Version: '2012-10-17',
  Id: 'payroll-exports-bucket-policy',
  Statement: [
    {
      Sid: 'ReportingRoleReadsExports',
      Effect: 'Allow',
      Principal: '*',
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: bucketResources,
    },
  ],
}

/** The reporting role's identity policy (no Principal: it applies to the role it is attached to). */
export const rolePolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ReadPayrollExports',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: bucketResources,
    },
    {
      Sid: 'ManageDashboardCache',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: 'arn:aws:s3:::acme-dashboard-cache/*',
    },
  ],
}

/** The same role without s3:DeleteObject on the cache: a narrowing only. */
export const narrowedRolePolicy = {
  Version: '2012-10-17',
  Statement: [
    rolePolicy.Statement[0],
    {
      Sid: 'ManageDashboardCache',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: 'arn:aws:s3:::acme-dashboard-cache/*',
    },
  ],
}

/** The role's trust policy: ECS tasks of our own account may assume it. */
export const trustPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'EcsTasksAssumeRole',
      Effect: 'Allow',
      Principal: {Service: 'ecs-tasks.amazonaws.com'},
      Action: 'sts:AssumeRole',
      Condition: {StringEquals: {'aws:SourceAccount': ACCOUNT}},
    },
  ],
}

/** A bucket readable by the analytics role only through a VPC endpoint. */
export const endpointBucketPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AnalyticsReadsViaEndpoint',
      Effect: 'Allow',
      Principal: {AWS: `arn:aws:iam::${ACCOUNT}:role/analytics`},
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::acme-reports/*',
      Condition: {StringEquals: {'aws:SourceVpce': 'vpce-0a1b2c3d4e5f60718'}},
    },
  ],
}

/** The endpoint condition removed: a medium widening (condition-removed), nothing critical. */
export const endpointConditionRemoved = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AnalyticsReadsViaEndpoint',
      Effect: 'Allow',
      Principal: {AWS: `arn:aws:iam::${ACCOUNT}:role/analytics`},
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::acme-reports/*',
    },
  ],
}

/** A policy file as people write them: two-space indentation, trailing newline. */
export function policyText(policy: unknown): string {
  return `${JSON.stringify(policy, null, 2)}\n`
}

/** 1-based line of the `{` that opens the statement with `sid` in text written by policyText. */
export function statementLine(text: string, sid: string): number {
  const lines = text.split('\n')
  const index = lines.findIndex((line) => line.includes(`"Sid": "${sid}"`))
  if (index < 1) throw new Error(`no statement ${sid}`)
  return index // the line before the Sid, counted from 1
}

/** 1-based line and column of the first occurrence of `needle`. */
export function positionOf(text: string, needle: string): {line: number; column: number} {
  const offset = text.indexOf(needle)
  if (offset < 0) throw new Error(`${needle} not found`)
  const before = text.slice(0, offset).split('\n')
  return {line: before.length, column: before.at(-1)!.length + 1}
}

/** Where the scenarios keep the bucket policy and the role policy. */
export const BUCKET_FILE = 'iam/buckets/payroll-exports.json'
export const ROLE_FILE = 'iam/roles/reporting-dashboard.json'
