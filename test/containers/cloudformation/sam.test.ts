// SAM's vendored policy template data: the file is the release's, byte for byte, and every
// template in it expands (as SAM's translator expands it) to a policy the aws-iam schema accepts,
// so that no template of SAM's own can make a template fail closed.

import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {containerFor} from '../../../src/containers/index.js'
import {readDocuments} from '../../../src/core/source.js'
import {sha256} from '../../../src/kernel/hash.js'

const VENDORED = new URL('../../../src/containers/cloudformation/sam/policy_templates.json', import.meta.url)
/** aws-sam-translator 1.110.0's RECORD: sha256=Pabg6DnUQ2Cw9o0NFfWWLnCQmeezmPA1oGLoLJ8n7Yk (base64url). */
const RELEASED_SHA256 = '3da6e0e839d44360b0f68d0d15f5962e709099e7b398f035a062e82c9f27ed89'

interface Data {
  Version: string
  Templates: Record<string, {Parameters?: Record<string, unknown>}>
}
const data = JSON.parse(readFileSync(VENDORED, 'utf8')) as Data

/** A SAM template whose one function uses `entries` as its Policies. */
const samTemplate = (entries: unknown[]) => ({
  AWSTemplateFormatVersion: '2010-09-09',
  Transform: 'AWS::Serverless-2016-10-31',
  Resources: {
    Fn: {
      Type: 'AWS::Serverless::Function',
      Properties: {Handler: 'a.b', Runtime: 'python3.12', Policies: entries},
    },
  },
})

const read = (value: unknown) =>
  readDocuments({path: 'template.json', content: Buffer.from(JSON.stringify(value, null, 2))}, 'detect')

describe('the vendored SAM policy template data', () => {
  it('is the file aws-sam-translator 1.110.0 released, unmodified', () => {
    expect(sha256(readFileSync(VENDORED))).toBe(RELEASED_SHA256)
    expect(data.Version).toBe('0.0.1')
  })

  it('every template expands to a schema-valid policy, its parameters symbols where the values are !Ref', async () => {
    const names = Object.keys(data.Templates)
    expect(names.length).toBe(81)
    const entries = names.map((name) => ({
      [name]: Object.fromEntries(
        Object.keys(data.Templates[name]!.Parameters ?? {}).map((p) => [p, {Ref: `${p}Resource`}]),
      ),
    }))
    const {documents, problems, notes} = await read(samTemplate(entries))
    expect(problems).toEqual([])
    expect(notes).toEqual([])
    expect(documents.map((d) => d.origin?.name)).toEqual(['Fn/Policies'])
    const statements = (documents[0]!.value as {Statement: unknown[]}).Statement
    expect(statements.length).toBeGreaterThanOrEqual(names.length)
  })

  it('a template without a parameter it needs fails closed naming it; one it does not know is a note', async () => {
    const missing = await read(samTemplate([{S3ReadPolicy: {}}]))
    expect(missing.problems).toEqual([
      expect.objectContaining({
        file: 'template.json',
        pointer: '/Resources/Fn/Properties/Policies/0/S3ReadPolicy',
        message: 'Fn: SAM policy template S3ReadPolicy needs BucketName',
      }),
    ])
    const unknown = await read(samTemplate([{S3ReadPolicyV9: {BucketName: 'b'}}]))
    expect(unknown.problems).toEqual([])
    expect(unknown.notes).toEqual([
      expect.stringContaining('SAM policy template S3ReadPolicyV9 is not in the template data'),
    ])
  })

  it('Policies are not read when Role names the role to use (SAM ignores them), and a note says so', async () => {
    const value = samTemplate([{S3CrudPolicy: {BucketName: 'b'}}])
    ;(value.Resources.Fn.Properties as Record<string, unknown>).Role = 'arn:aws:iam::111122223333:role/app'
    const {documents, notes} = await read(value)
    expect(documents).toEqual([])
    expect(notes).toEqual([
      expect.stringContaining('Fn: Policies not read: SAM ignores them when Role names the role'),
    ])
  })

  it('what SAM derives access from and acldrift does not read yet is named in a note, never nothing', async () => {
    const value = samTemplate([{S3ReadPolicy: {BucketName: 'b'}}]) as Record<string, unknown> & {
      Resources: Record<string, {Type: string; Properties: Record<string, unknown>}>
    }
    Object.assign(value.Resources.Fn!.Properties, {
      Events: {Upload: {Type: 'S3', Properties: {Bucket: {Ref: 'B'}}}, Jobs: {Type: 'SQS'}},
      FunctionUrlConfig: {AuthType: 'NONE'},
    })
    value.Resources.Link = {
      Type: 'AWS::Serverless::Connector',
      Properties: {Source: {Id: 'Fn'}, Destination: {Id: 'B'}, Permissions: ['Write']},
    }
    value.Globals = {Function: {AssumeRolePolicyDocument: {Statement: []}, Timeout: 3}}
    const {documents, notes} = await read(value)
    expect(documents.map((d) => d.origin?.name)).toEqual(['Fn/Policies'])
    expect(notes.sort()).toEqual([
      'template.json: Fn: Events (Upload: S3, Jobs: SQS), FunctionUrlConfig not read (the access SAM derives from them)',
      'template.json: Globals/Function/AssumeRolePolicyDocument not read (SAM applies it to every function)',
      'template.json: Link not read (the access SAM derives from a connector)',
    ])
  })

  it('is a registered, scanned format', () => {
    expect(containerFor('cloudformation').scan).toBe(true)
  })
})
