// The witness of a finding no approval covers is a request no approval grants (issue 13): Alice
// approves adding s3:PutObject to a statement and commits it; the agent then adds s3:GetObject to
// the same statement. The statement's finding is not covered, and its witness, the request blame
// follows, must be the agent's GetObject — not Alice's approved PutObject (the comparison's
// first choice, the graver), which would blame her commit, a human's, and let the agent's widening
// below `failOn` through. The same per kind that picks such a witness (KINDS): a GCP binding's
// member, a k8s Role's rule widened in place, what a workflow trigger exposes, the paths a
// CODEOWNERS rule leaves without owners (a real file), who may push past a branch's required
// reviews, who an ACL grant adds.

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

/**
 * `file` with `text` (and the `others` files), then `init --hook git` with `failOn: critical` and
 * Alice as approver, committed by Alice.
 */
async function setUp(
  file = POLICY,
  text = policy(['s3:ListBucket']),
  others: Record<string, string> = {},
): Promise<TestRepo> {
  const r = await newRepo()
  await r.write(file, text)
  for (const [path, content] of Object.entries(others)) await r.write(path, content)
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

/**
 * The agent writes `text` to `file` and commits it through the hook: blocked as the agent's
 * pending commit, naming `shown` (the request nobody approved) and not `approved` (Alice's).
 */
async function agentBlocked(
  r: TestRepo,
  file: string,
  text: string,
  subject: string,
  shown: string,
  approved: string,
): Promise<void> {
  await r.write(file, text)
  await r.stage(file)
  const more = await git(r, CLAUDE_ENV, 'commit', '-m', agent.message(subject))
  expect(more.code, dump(more)).not.toBe(0)
  expect(more.stderr).toContain('acldrift: commit blocked')
  expect(more.stderr, dump(more)).toContain(shown)
  expect(more.stderr).not.toContain(approved)
  expect(more.stderr).toMatch(/commit: pending .*\n\s+actor: +agent: Claude Code/)
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
      const reads = policy(['s3:ListBucket', 's3:PutObject', 's3:GetObject'])
      await agentBlocked(r, POLICY, reads, 'App reads its data', 's3:GetObject', 's3:PutObject')

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
      // The approvals are read before attribution: the finding is blamed once, for GetObject.
      const debug = await runCli(['check', '--ref', 'HEAD', '-f', 'json', '--debug'], {cwd: r.dir})
      expect(debug.code, dump(debug)).toBe(1)
      expect(debug.stderr).toMatch(/^ {2}attribution +\d+\.\d ms\n/m)
    },
    SLOW,
  )
})

/** A GCS bucket's IAM policy: object readers `readers`. */
const bucket = (readers: string[]) =>
  `${JSON.stringify({bindings: [{role: 'roles/storage.objectViewer', members: readers}], etag: 'CAE=', version: 1}, null, 2)}\n`

/** The app's RBAC, a Role and its RoleBinding in one file: the Role gets `resources` (core group). */
const rbac = (resources: string[]) =>
  [
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: Role',
    'metadata: {name: app, namespace: app}',
    'rules:',
    `  - {apiGroups: [""], resources: [${resources.join(', ')}], verbs: [get]}`,
    '---',
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: RoleBinding',
    'metadata: {name: app, namespace: app}',
    'subjects: [{kind: ServiceAccount, name: app, namespace: app}]',
    'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: app}',
    '',
  ].join('\n')

/** The release workflow: job `release` with contents: write, started by `on`, running `run`. */
const release = (on: string[], run: string) =>
  [
    'name: Release',
    `on: [${on.join(', ')}]`,
    'jobs:',
    '  release:',
    '    runs-on: ubuntu-latest',
    '    permissions: {contents: write}',
    '    steps:',
    `      - run: ${run}`,
    '',
  ].join('\n')

/** safe-settings: main needs one approving review, except for a direct push by `bypass`. */
const protection = (bypass: string[]) =>
  [
    'branches:',
    '  - name: main',
    '    protection:',
    '      required_pull_request_reviews:',
    '        required_approving_review_count: 1',
    `        bypass_pull_request_allowances: {users: [${bypass.join(', ')}]}`,
    '',
  ].join('\n')

/** The docs system's ACL: one grant of `permissions` on docs/* to `subjects`. */
const docsAcl = (subjects: string[], permissions: string[]) =>
  [
    'apiVersion: acldrift.dev/acl/v1',
    'grants:',
    '  - id: docs',
    '    effect: allow',
    `    subjects: [${subjects.join(', ')}]`,
    `    permissions: [${permissions.join(', ')}]`,
    '    resources: ["docs/*"]',
    '',
  ].join('\n')

/**
 * Per kind: the file at `base`, Alice's approved and committed `approved` (whose finding's witness
 * is `approvedWitness`), then the agent's `wider`, whose finding the comparison would show by the
 * approved request (`approvedText`); it must show `shown`, the agent's, and be blocked as its.
 */
const KINDS: Array<{
  kind: string
  story: string
  file: string
  others?: Record<string, string>
  base: string
  approved: string
  approvedWitness: Record<string, unknown>
  wider: string
  subject: string
  shown: string
  approvedText: string
}> = [
  {
    kind: 'gcp-iam',
    story: 'Alice approved group:devs as reader; the agent adds another member to the binding',
    file: 'gcp/buckets/app-data.json',
    base: bucket(['user:alice@example.com']),
    approved: bucket(['user:alice@example.com', 'group:devs@example.com']),
    approvedWitness: {member: 'group:devs@example.com'},
    wider: bucket(['user:alice@example.com', 'group:devs@example.com', 'user:mallory@example.com']),
    subject: 'Mallory reads the app data',
    shown: 'user:mallory@example.com now holds',
    approvedText: 'group:devs@example.com now holds',
  },
  {
    kind: 'k8s-rbac',
    story: 'Alice approved get secrets on a rule; the agent adds services to the same rule of the Role',
    file: 'k8s/app-rbac.yaml',
    base: rbac(['configmaps']),
    approved: rbac(['configmaps', 'secrets']),
    approvedWitness: {resource: 'secrets'},
    wider: rbac(['configmaps', 'secrets', 'services']),
    subject: 'The app reads its services',
    shown: 'ServiceAccount:app:app can get services in namespace app',
    approvedText: 'get secrets',
  },
  {
    kind: 'github-actions',
    story:
      'Alice approved pull_request_target starting a job with contents: write; the agent makes the job read a secret',
    file: '.github/workflows/release.yml',
    base: release(['push'], 'make release'),
    approved: release(['push', 'pull_request_target'], 'make release'),
    approvedWitness: {trigger: 'pull_request_target', scope: 'contents'},
    wider: release(['push', 'pull_request_target'], 'make release TOKEN=${{ secrets.NPM_TOKEN }}'),
    subject: 'Release: publish to npm',
    shown: 'which holds secret NPM_TOKEN',
    approvedText: 'which holds contents: write',
  },
  {
    kind: 'codeowners',
    story: 'Alice approved /infra/ without owners; the agent unowns every infra/ directory',
    file: 'CODEOWNERS',
    others: {'infra/main.tf': 'terraform {}\n', 'services/api/infra/db.tf': 'terraform {}\n'},
    base: '* @alice\n',
    approved: '* @alice\n/infra/\n',
    approvedWitness: {path: 'infra/main.tf', owner: 'no owner'},
    wider: '* @alice\ninfra/\n',
    subject: 'Infra of every service needs no review',
    // A real file of infra/ outside /infra/ (the comparison's own choice is the approved one).
    shown: 'services/api/infra/db.tf no longer needs a code owner',
    approvedText: 'infra/main.tf no longer',
  },
  {
    kind: 'codeowners',
    story: 'Alice approved bob outside /src/; the agent drops the /src/ rule',
    file: 'CODEOWNERS',
    others: {'src/app.js': 'export {}\n'},
    base: '* @alice\n/src/ @alice @dev\n',
    approved: '* @alice @bob\n/src/ @alice @dev\n',
    approvedWitness: {approver: '@bob'},
    wider: '* @alice @bob\n',
    subject: 'Bob reviews everything',
    // The real file of /src/, with the owners its baseline rule gave it (not those outside /src/).
    shown: 'src/app.js: "*" names @alice @bob (before: @alice @dev ("/src/")).',
    approvedText: '(before: @alice).',
  },
  {
    kind: 'branch-protection',
    story: 'Alice approved alice pushing to main past reviews; the agent lets bob push too',
    file: '.github/settings.yml',
    base: protection([]),
    approved: protection(['alice']),
    approvedWitness: {action: 'push', actor: 'user:alice'},
    wider: protection(['alice', 'bob']),
    subject: 'Bob pushes hotfixes',
    shown: 'a direct push by user:bob',
    approvedText: 'user:alice',
  },
  {
    kind: 'acl',
    story: 'Alice approved alice deleting docs; the agent adds mallory to the grant',
    file: 'access/docs-acl.yaml',
    base: docsAcl(['user:alice'], ['docs.read']),
    approved: docsAcl(['user:alice'], ['docs.read', 'docs.delete']),
    approvedWitness: {subject: 'user:alice', permission: 'docs.delete'},
    wider: docsAcl(['user:alice', 'user:mallory'], ['docs.read', 'docs.delete']),
    subject: 'Mallory maintains the docs',
    shown: 'user:mallory now has',
    approvedText: 'user:alice now has',
  },
]

describe.each(KINDS)('$kind: an uncovered finding shows access no approval grants', (c) => {
  it(
    `${c.story}: the witness is the agent's, blocked as its pending commit`,
    async () => {
      const r = await setUp(c.file, c.base, c.others)
      const grant = await aliceApproves(r, c.file, c.approved)
      expect(grant.witness).toMatchObject(c.approvedWitness)
      await agentBlocked(r, c.file, c.wider, c.subject, c.shown, c.approvedText)
    },
    SLOW,
  )
})
