// The witness of a finding no approval covers is a request no approval grants (issue 13): Alice
// approves adding s3:PutObject to a statement and commits it; the agent then adds s3:GetObject to
// the same statement. The statement's finding is not covered, and its witness, the request blame
// follows, must be the agent's GetObject — not Alice's approved PutObject (the comparison's
// first choice, the graver), which would blame her commit, a human's, and let the agent's widening
// below `failOn` through.

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {CommitInfo} from '../../src/kernel/types.js'
import {identities, runCli, type TestRepo} from '../helpers/repo.js'
import {checkJson, type Finding, repoFactory} from './helpers.js'
import {APPROVALS, CONFIG, dump, git} from './gate-scenarios.js'

const newRepo = repoFactory()
const SLOW = 240_000
const ALICE = 'alice@example.com'
const agent = identities.claudeCode
const CLAUDE_ENV = {CLAUDECODE: '1'}
const POLICY = 'iam/app-data.json'

/** The app's data policy: `actions` on the bucket's objects. */
const policy = (actions: string[]) =>
  `${JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {Sid: 'AppData', Effect: 'Allow', Action: actions, Resource: 'arn:aws:s3:::acme-app-data/*'},
      ],
    },
    null,
    2,
  )}\n`

const unapproved = (findings: Finding[]) =>
  findings.filter((f) => f.change !== 'narrowing' && (f.approval as {valid?: boolean} | null)?.valid !== true)

/** `file` with `text`, then `init --hook git` with `failOn: critical` and Alice as approver, committed by Alice. */
async function setUp(file = POLICY, text = policy(['s3:ListBucket'])): Promise<TestRepo> {
  const r = await newRepo()
  await r.write(file, text)
  await r.stage()
  await r.commit('The access policy')
  const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
  expect(init.code, dump(init)).toBe(0)
  const config = await readFile(join(r.dir, CONFIG), 'utf8')
  await r.write(
    CONFIG,
    config.replace(/policy:\n[\s\S]*$/, `policy:\n  failOn: critical\n  approvers:\n    - ${ALICE}\n`),
  )
  await r.stage()
  const setUp = await git(r, {}, 'commit', '-m', 'Set up acldrift')
  expect(setUp.code, dump(setUp)).toBe(0)
  return r
}

/**
 * Alice writes `text` to `file`, approves its one unapproved finding in a commit of its own, then
 * commits the file; returns the finding she approved.
 */
async function aliceApproves(r: TestRepo, file: string, text: string): Promise<Finding> {
  await r.write(file, text)
  const pending = await checkJson(r.dir, [])
  const [grant, ...others] = unapproved(pending.report.findings)
  expect(others, JSON.stringify(pending.report.findings)).toEqual([])
  const approved = await runCli(['approve', grant!.id, '--reason', 'Needed', '--expires', '2099-12-31'], {
    cwd: r.dir,
  })
  expect(approved.code, dump(approved)).toBe(0)
  await r.stage(APPROVALS)
  expect((await git(r, {}, 'commit', '-m', `Approve ${file}`)).code).toBe(0)
  await r.stage(file)
  const committed = await git(r, {}, 'commit', '-m', `Widen ${file}`)
  expect(committed.code, dump(committed)).toBe(0)
  return grant!
}

describe('an uncovered finding shows a request no approval grants, and blame follows it', () => {
  it(
    'Alice approved and committed s3:PutObject; the agent adds s3:GetObject: the witness is GetObject, the commit the agent’s, blocked',
    async () => {
      const r = await setUp()
      // Alice approves PutObject in a commit of its own, then commits the policy.
      const grant = await aliceApproves(r, POLICY, policy(['s3:ListBucket', 's3:PutObject']))
      expect(grant.witness?.action).toBe('s3:PutObject')

      // The agent widens the same statement further.
      await r.write(POLICY, policy(['s3:ListBucket', 's3:PutObject', 's3:GetObject']))
      await r.stage(POLICY)
      const reads = await git(r, CLAUDE_ENV, 'commit', '-m', agent.message('App reads its data'))
      expect(reads.code, dump(reads)).not.toBe(0)
      expect(reads.stderr).toContain('acldrift: commit blocked')
      expect(reads.stderr, dump(reads)).toContain('s3:GetObject')
      expect(reads.stderr).not.toContain('s3:PutObject')
      expect(reads.stderr).toMatch(/commit: pending .*\n\s+actor: +agent: Claude Code/)

      // Committed anyway (--no-verify), the audit's view names the agent's commit and PutObject.
      const forced = await git(
        r,
        CLAUDE_ENV,
        'commit',
        '--no-verify',
        '-m',
        agent.message('App reads its data'),
      )
      expect(forced.code, dump(forced)).toBe(0)
      const head = (await r.git('rev-parse', 'HEAD')).trim()
      const audit = await checkJson(r.dir, ['--ref', 'HEAD'])
      const [finding, ...others] = unapproved(audit.report.findings)
      expect(others, JSON.stringify(audit.report.findings)).toEqual([])
      expect(finding!.witness?.action).toBe('s3:GetObject')
      expect(finding!.message).toContain('s3:GetObject')
      const commit = finding!.commit as CommitInfo
      expect(commit.sha).toBe(head)
      expect(commit.actor.type).toBe('agent')
      expect(audit.code).toBe(1)
    },
    SLOW,
  )
})

/** A GCS bucket's IAM policy: object readers `readers`. */
const BUCKET = 'gcp/buckets/app-data.json'
const bucket = (readers: string[]) =>
  `${JSON.stringify({bindings: [{role: 'roles/storage.objectViewer', members: readers}], etag: 'CAE=', version: 1}, null, 2)}\n`

describe('gcp-iam: an uncovered binding shows a member no approval grants', () => {
  it(
    'Alice approved and committed group:devs as reader; the agent adds another member: the witness is the agent’s member, blocked',
    async () => {
      const r = await setUp(BUCKET, bucket(['user:alice@example.com']))
      const grant = await aliceApproves(
        r,
        BUCKET,
        bucket(['user:alice@example.com', 'group:devs@example.com']),
      )
      expect(grant.witness?.member).toBe('group:devs@example.com')

      // The agent adds a member to the same binding.
      await r.write(
        BUCKET,
        bucket(['user:alice@example.com', 'group:devs@example.com', 'user:mallory@example.com']),
      )
      await r.stage(BUCKET)
      const more = await git(r, CLAUDE_ENV, 'commit', '-m', agent.message('Mallory reads the app data'))
      expect(more.code, dump(more)).not.toBe(0)
      expect(more.stderr).toContain('acldrift: commit blocked')
      expect(more.stderr, dump(more)).toContain('user:mallory@example.com now holds')
      expect(more.stderr).not.toContain('group:devs@example.com now holds')
      expect(more.stderr).toMatch(/commit: pending .*\n\s+actor: +agent: Claude Code/)
    },
    SLOW,
  )
})
