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

/** 30 S3 object actions: on 80 buckets, 2,400 new (action, resource) classes, past the 2,000 cut. */
export const OBJECT_ACTIONS = [
  'GetObject',
  'PutObject',
  'DeleteObject',
  'GetObjectAcl',
  'PutObjectAcl',
  'GetObjectTagging',
  'PutObjectTagging',
  'DeleteObjectTagging',
  'GetObjectVersion',
  'DeleteObjectVersion',
  'RestoreObject',
  'AbortMultipartUpload',
  'ListMultipartUploadParts',
  'GetObjectRetention',
  'PutObjectRetention',
  'GetObjectLegalHold',
  'PutObjectLegalHold',
  'GetObjectAttributes',
  'GetObjectVersionAcl',
  'PutObjectVersionAcl',
  'GetObjectVersionTagging',
  'PutObjectVersionTagging',
  'DeleteObjectVersionTagging',
  'GetObjectVersionAttributes',
  'ReplicateObject',
  'ReplicateDelete',
  'ReplicateTags',
  'ObjectOwnerOverrideToBucketOwner',
  'GetObjectTorrent',
  'GetObjectVersionTorrent',
].map((a) => `s3:${a}`)

/** The objects of 80 buckets named `<prefix>-000` to `<prefix>-079`. */
export const objectsOfBuckets = (prefix: string) =>
  Array.from({length: 80}, (_, i) => `arn:aws:s3:::${prefix}-${String(i).padStart(3, '0')}/*`)

/** A widening the first 2,000 cells of a change do not reach: the search lists object actions first. */
export const PASS_ADMIN = {
  Sid: 'Deploy',
  Effect: 'Allow',
  Action: 'iam:PassRole',
  Resource: 'arn:aws:iam::111122223333:role/admin',
}
