// A service compiled for its access: what the Framework derives access from and acldrift does
// not read yet is named in a note, never read as nothing.

import {describe, expect, it} from 'vitest'
import {readDocuments} from '../../../src/core/source.js'

const read = (text: string) => readDocuments({path: 'serverless.yml', content: Buffer.from(text)}, 'detect')

describe('a Serverless Framework service', () => {
  it("names each function's events and URL, whose permissions are not read yet", async () => {
    const {documents, notes, problems} = await read(`service: jobs
provider:
  name: aws
  runtime: nodejs20.x
  iam:
    role:
      statements:
        - Effect: Allow
          Action: s3:GetObject
          Resource: arn:aws:s3:::jobs/*
functions:
  worker:
    handler: worker.handler
    events:
      - sqs:
          arn: arn:aws:sqs:eu-west-1:111122223333:jobs
      - schedule: rate(1 hour)
  status:
    handler: status.handler
    url: true
  quiet:
    handler: quiet.handler
`)
    expect(problems).toEqual([])
    expect(documents.map((d) => d.origin?.name)).toEqual(['IamRoleLambdaExecution/Policies/lambda'])
    expect(notes).toEqual([
      'serverless.yml: functions.worker: events (sqs, schedule) not read (the access the Framework derives from them)',
      'serverless.yml: functions.status: url not read (the access the Framework derives from them)',
    ])
  })
})
