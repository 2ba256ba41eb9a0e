// A SAM repository with a real-shaped history, through the built CLI with acldrift's own git
// hooks: a template reformatted and its resources moved is no change; an AI agent's commit that
// widens a function's role (a read-only policy template made a CRUD one) is blocked by the hook,
// and once it is committed anyway (--no-verify) the audit names the template's file:line, the
// document and the agent's commit; an approver's approval then lets it through. Also a Serverless
// Framework service, whose statements are compiled as the Framework compiles them.

import {describe, expect, it} from 'vitest'
import {identities, runCli} from '../helpers/repo.js'
import {
  checkJson,
  commitAs,
  commitFiles,
  dump,
  git,
  lineOf,
  onlyWidening,
  repoFactory,
  type Report,
} from './helpers.js'

const newRepo = repoFactory()
const SLOW = 180_000
const FILE = 'template.yaml'
const DOCUMENT = 'OrdersFunction/Policies'

/** The orders service: an API function that reads its bucket, and the bucket; `reformatted` moves and restyles it. */
function template(policy: 'S3ReadPolicy' | 'S3CrudPolicy', reformatted = false): string {
  const bucket = `  OrdersBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '\${AWS::StackName}-orders'
`
  const policies = reformatted
    ? `      Policies:
        # read the orders, send to the queue
        - {${policy}: {BucketName: !Ref OrdersBucket}}
        - Statement: [{Effect: Allow, Action: 'sqs:SendMessage', Resource: !GetAtt [OrdersQueue, Arn]}]
`
    : `      Policies:
        - ${policy}:
            BucketName: !Ref OrdersBucket
        - Statement:
            - Effect: Allow
              Action: sqs:SendMessage
              Resource: !GetAtt OrdersQueue.Arn
`
  const fn = `  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      CodeUri: orders/
${policies}      Events:
        GetOrder:
          Type: Api
          Properties:
            Path: /orders/{id}
            Method: get
  OrdersQueue:
    Type: AWS::SQS::Queue
`
  return `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: orders service

Resources:
${reformatted ? `${bucket}\n${fn}` : fn + bucket}`
}

describe('a SAM repository guarded by acldrift', () => {
  it(
    'reformatting is no change; an agent widening the function role is blocked, then attributed by the audit at the template line; an approval lets it through',
    async () => {
      const r = await newRepo()
      await commitFiles(
        r,
        {[FILE]: template('S3ReadPolicy'), 'samconfig.toml': 'version = 0.1\n'},
        'Orders service',
      )
      const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
      expect(init.code, dump(init)).toBe(0)
      await r.stage()
      expect((await git(r, {}, 'commit', '-m', 'Set up acldrift')).code).toBe(0)

      // A person reindents the template and moves the bucket above the function: the hook lets it through.
      const moved = template('S3ReadPolicy', true)
      await r.write(FILE, moved)
      await r.stage(FILE)
      const reformat = await git(r, {}, 'commit', '-m', 'Reformat the template')
      expect(reformat.code, dump(reformat)).toBe(0)
      expect(reformat.stdout + reformat.stderr).not.toMatch(/WIDENING/) // the quiet hook says nothing when it passes

      // The agent makes the read policy a CRUD policy: blocked, at the template's line, naming itself.
      const widened = template('S3CrudPolicy', true)
      await r.write(FILE, widened)
      await r.stage(FILE)
      const blocked = await git(
        r,
        {CLAUDECODE: '1'},
        'commit',
        '-m',
        identities.claudeCode.message('Let the function update orders'),
      )
      expect(blocked.code, dump(blocked)).not.toBe(0)
      expect(blocked.stderr).toContain('acldrift: commit blocked')
      const line = lineOf(widened, 'S3CrudPolicy')
      expect(blocked.stderr).toContain(`${FILE}:${line} (${DOCUMENT})`)
      expect(blocked.stderr).toContain('actor:  agent: Claude Code')

      // It commits anyway, skipping the hook; a person then edits something else.
      const skipped = await git(
        r,
        {CLAUDECODE: '1'},
        'commit',
        '--no-verify',
        '-m',
        identities.claudeCode.message('Let the function update orders'),
      )
      expect(skipped.code, dump(skipped)).toBe(0)
      const agentCommit = (await r.git('rev-parse', 'HEAD')).trim()
      // (The widening is still unapproved, so the hook would block this commit too.)
      const final = widened.replace('orders service', 'orders service (v2)')
      await r.write(FILE, final)
      await r.stage(FILE)
      expect((await git(r, {}, 'commit', '--no-verify', '-m', 'Describe v2')).code).toBe(0)

      // The audit names the template line, the document and the agent's commit.
      const audit = await runCli(['audit', '--format', 'json'], {cwd: r.dir})
      expect(audit.code, dump(audit)).toBe(1)
      const finding = onlyWidening(JSON.parse(audit.stdout) as Report)
      expect(finding).toMatchObject({
        kind: 'aws-iam',
        file: FILE,
        document: DOCUMENT,
        line: lineOf(final, 'S3CrudPolicy'),
      })
      expect(finding.witness).toMatchObject({
        resource: expect.stringContaining('${AWS::Partition}:s3:::${OrdersBucket}'),
      })
      expect(finding.commit.sha).toBe(agentCommit)
      expect(finding.commit).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})

      // The approver approves exactly that access; check passes once the approval is committed.
      const approve = await runCli(
        ['approve', finding.id, '--reason', 'orders are edited now', '--expires', '2999-12-31'],
        {cwd: r.dir},
      )
      expect(approve.code, dump(approve)).toBe(0)
      await r.stage('.acldrift/approvals.yaml')
      expect((await git(r, {}, 'commit', '-m', 'Approve CRUD on the orders bucket')).code).toBe(0)
      const {report: after, code} = await checkJson(r.dir, [])
      expect(code).toBe(0)
      expect(after.findings.find((f) => f.id === finding.id)!.approval).toMatchObject({valid: true})
    },
    SLOW,
  )
})

describe('a Serverless Framework service', () => {
  it('a widened statement is found in serverless.yml, at its line, as the role the Framework makes', async () => {
    const r = await newRepo()
    const service = (resource: string) => `service: orders
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements:
        - Effect: Allow
          Action: dynamodb:GetItem
          Resource: ${resource}
functions:
  get:
    handler: get.handler
`
    const base = await commitFiles(r, {
      'serverless.yml': service('arn:aws:dynamodb:${aws:region}:${aws:accountId}:table/orders'),
    })
    await commitAs(r, identities.copilotAgent, 'Read every table', {'serverless.yml': service("'*'")})
    const {report, code} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
    expect(code).toBe(1)
    expect(report.findings).toEqual([
      expect.objectContaining({
        file: 'serverless.yml',
        line: 8,
        document: 'IamRoleLambdaExecution/Policies/lambda',
        change: 'widening',
      }),
    ])
    expect(report.findings[0]!.commit).toMatchObject({actor: {type: 'agent'}})
  })
})
