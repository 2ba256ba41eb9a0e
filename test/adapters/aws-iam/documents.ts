// Hand-built AWS policy documents shared by the AWS engine's unit tests and the gate's attacks.

import type {ParsedFile} from '../../../src/kernel/types.js'

/** A parsed `policy.json` whose every pointer is at line 1. */
export const parsed = (value: unknown): ParsedFile => ({
  path: 'policy.json',
  value,
  hash: '0',
  sourceMap: {locate: () => ({line: 1, column: 1})},
})

export const policy = (...statements: Record<string, unknown>[]) => ({
  Version: '2012-10-17',
  Statement: statements,
})

/** `vpc-00`…`vpc-49`, or with another prefix. */
const fifty = (prefix: string) =>
  Array.from({length: 50}, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`)

/**
 * Object reads and writes of a bucket's objects from 50 VPCs through 50 endpoints: 2,500 new
 * request classes, past the 2,000 cut. Actions and resources are compared by statement (a
 * statement's 1,500 actions or 45 resource patterns are one question), but a condition's values
 * are told apart.
 */
export const throughEndpoints = (Sid: string, bucket: string) => ({
  Sid,
  Effect: 'Allow',
  Action: ['s3:GetObject', 's3:PutObject'],
  Resource: `arn:aws:s3:::${bucket}/*`,
  Condition: {StringEquals: {'aws:SourceVpc': fifty('vpc'), 'aws:SourceVpce': fifty('vpce')}},
})

/** A widening the first 2,000 cells of a change do not reach: the search lists object actions first. */
export const PASS_ADMIN = {
  Sid: 'Deploy',
  Effect: 'Allow',
  Action: 'iam:PassRole',
  Resource: 'arn:aws:iam::111122223333:role/admin',
}
