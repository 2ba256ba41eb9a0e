// The Terraform resource and data source types that hold access: light, so that recognising a
// Terraform file (and deciding whether a broken one fails closed) loads nothing else.

/** Resources with an IAM policy in an argument (see resources.ts for which argument). */
export const AWS_POLICY_RESOURCES = [
  'aws_iam_policy',
  'aws_iam_role_policy',
  'aws_iam_user_policy',
  'aws_iam_group_policy',
  'aws_s3_bucket_policy',
  'aws_sqs_queue_policy',
  'aws_sns_topic_policy',
  'aws_ecr_repository_policy',
  'aws_secretsmanager_secret_policy',
  'aws_s3_bucket',
  'aws_sqs_queue',
  'aws_sns_topic',
] as const

const ACCESS_RESOURCES = new Set<string>([
  ...AWS_POLICY_RESOURCES,
  'aws_iam_role',
  'aws_kms_key',
  'aws_lambda_permission',
  ...['cluster_role', 'role', 'cluster_role_binding', 'role_binding'].flatMap((k) => [
    `kubernetes_${k}`,
    `kubernetes_${k}_v1`,
  ]),
])

export const GCP_GRANT = /^google_(.+)_iam_(member|binding|policy)$/
export const GCP_ROLE = /^google_(project|organization)_iam_custom_role$/

/** Data sources that compute an access document from blocks. */
export const DOCUMENT_DATA = new Set(['aws_iam_policy_document', 'google_iam_policy'])

export const holdsAccess = (type: string): boolean =>
  ACCESS_RESOURCES.has(type) || GCP_GRANT.test(type) || GCP_ROLE.test(type)

/** A `resource "TYPE"` or `data "TYPE"` block whose type holds access. */
export const isAccessBlock = (block: string, type: string | undefined): boolean =>
  type !== undefined &&
  (block === 'resource' ? holdsAccess(type) : block === 'data' && DOCUMENT_DATA.has(type))

/** Text with such a block: a Terraform file that claims access (one that does not parse fails closed). */
export const declaresAccess = (text: string): boolean =>
  [...text.matchAll(/\b(resource|data)\s+"([A-Za-z0-9_]+)"/g)].some((m) => isAccessBlock(m[1]!, m[2]))
