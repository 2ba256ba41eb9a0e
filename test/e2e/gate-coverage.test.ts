// Approvals cover by implication, end to end (issue 13 item 1): through the pre-commit hook
// `acldrift init --hook git` installs, Alice approves an agent's widening with `acldrift approve`
// in a commit of her own; the agent (Claude Code's environment and trailer) then commits it, a
// narrower version of it (covered, whatever rule the narrower one is classified under), and a
// wider or another one (blocked, naming what the approval does not cover).

import {describe, expect, it} from 'vitest'
import {identities, runCli, type TestRepo} from '../helpers/repo.js'
import {checkJson, type Finding, repoFactory} from './helpers.js'
import {APPROVALS, dump, git} from './gate-scenarios.js'

const newRepo = repoFactory()
const SLOW = 240_000
const agent = identities.claudeCode
const CLAUDE_ENV = {CLAUDECODE: '1'}
const unapproved = (findings: Finding[]) =>
  findings.filter((f) => f.change !== 'narrowing' && (f.approval as {valid?: boolean} | null)?.valid !== true)

/** A repository set up by `init --hook git` with `files`, committed by Alice. */
async function initialised(files: Record<string, string>): Promise<TestRepo> {
  const r = await newRepo()
  for (const [path, text] of Object.entries(files)) await r.write(path, text)
  await r.stage()
  await r.commit('The files acldrift will watch')
  const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
  expect(init.code, dump(init)).toBe(0)
  await r.stage()
  const setUp = await git(r, {}, 'commit', '-m', 'Set up acldrift')
  expect(setUp.code, dump(setUp)).toBe(0)
  return r
}

/** Alice approves every widening of the working tree, in a commit of her own. */
async function aliceApprovesPending(r: TestRepo, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) await r.write(path, text)
  const pending = await checkJson(r.dir, [])
  const widenings = unapproved(pending.report.findings)
  expect(widenings.length, JSON.stringify(pending.report.findings)).toBeGreaterThan(0)
  for (const f of widenings) {
    const approved = await runCli(['approve', f.id, '--reason', 'Release job', '--expires', '2099-12-31'], {
      cwd: r.dir,
    })
    expect(approved.code, dump(approved)).toBe(0)
  }
  await r.stage(APPROVALS)
  const approval = await git(r, {}, 'commit', '-m', 'Approve the release job')
  expect(approval.code, dump(approval)).toBe(0)
}

/** The agent writes `files` and commits them through the hook. */
async function agentCommits(r: TestRepo, files: Record<string, string>, subject: string) {
  for (const [path, text] of Object.entries(files)) await r.write(path, text)
  await r.stage(...Object.keys(files))
  return git(r, CLAUDE_ENV, 'commit', '-m', agent.message(subject))
}

const WORKFLOW = '.github/workflows/release.yml'

/** The release workflow: a build job with `permissions`, a deploy job calling a reusable workflow with `secrets`. */
const workflow = (permissions: string, secrets: string) =>
  [
    'name: Release',
    'on: push',
    'permissions: {}',
    'jobs:',
    '  build:',
    '    runs-on: ubuntu-latest',
    `    permissions: ${permissions}`,
    '    steps:',
    '      - run: make',
    '  deploy:',
    '    uses: acme/shared/.github/workflows/deploy.yml@v1',
    ...(secrets === '' ? [] : [`    secrets: ${secrets}`]),
    '',
  ].join('\n')

describe('GitHub Actions approvals cover narrower access, through the hook', () => {
  it(
    '"contents: write" and "secrets: inherit" approved: "contents: read" and one named secret pass; "packages: write" besides is blocked',
    async () => {
      const r = await initialised({[WORKFLOW]: workflow('{}', '')})
      const approved = {[WORKFLOW]: workflow('{contents: write}', 'inherit')}
      await aliceApprovesPending(r, approved)
      const widened = await agentCommits(r, approved, 'Release: publish')
      expect(widened.code, dump(widened)).toBe(0)

      // Narrower: read instead of write, and one secret passed instead of all of them (a
      // secret-passed finding, covered by the approval of the secrets-inherited one).
      const narrower = await agentCommits(
        r,
        {[WORKFLOW]: workflow('{contents: read}', '{DEPLOY_KEY: "${{ secrets.DEPLOY_KEY }}"}')},
        'Release: least privilege',
      )
      expect(narrower.code, dump(narrower)).toBe(0)

      // Wider than approved: packages: write besides. Blocked, naming it, as the agent's pending commit.
      const blocked = await agentCommits(
        r,
        {[WORKFLOW]: workflow('{contents: write, packages: write}', 'inherit')},
        'Release: publish packages',
      )
      expect(blocked.code, dump(blocked)).not.toBe(0)
      expect(blocked.stderr).toContain('acldrift: commit blocked')
      expect(blocked.stderr, dump(blocked)).toContain('packages: write')
      expect(blocked.stderr).not.toContain('contents: write')
      expect(blocked.stderr).toMatch(/commit: pending .*\n\s+actor: +agent: Claude Code/)
    },
    SLOW,
  )
})

/**
 * The scenario for a kind: `base` committed and set up, the agent's `approved` widening approved
 * by Alice and committed by the agent; then the agent's `narrower` passes and `wider` is blocked
 * as the agent's, naming `rule`.
 */
async function scenario(
  file: string,
  versions: {base: string; approved: string; narrower: string; wider: string},
  rule: string,
): Promise<void> {
  const r = await initialised({[file]: versions.base})
  await aliceApprovesPending(r, {[file]: versions.approved})
  const widened = await agentCommits(r, {[file]: versions.approved}, 'The approved change')
  expect(widened.code, dump(widened)).toBe(0)
  const narrower = await agentCommits(r, {[file]: versions.narrower}, 'Narrower than approved')
  expect(narrower.code, dump(narrower)).toBe(0)
  const blocked = await agentCommits(r, {[file]: versions.wider}, 'Wider than approved')
  expect(blocked.code, dump(blocked)).not.toBe(0)
  expect(blocked.stderr).toContain('acldrift: commit blocked')
  expect(blocked.stderr, dump(blocked)).toContain(`WIDENING  ${rule}`)
  // The witness lies beyond what was approved (witnessBeyond), so it is the pending commit's.
  expect(blocked.stderr).toMatch(/commit: pending .*\n\s+actor: +agent: Claude Code/)
}

describe('CODEOWNERS, branch-protection and ACL approvals cover narrower access, through the hook', () => {
  it(
    'no owner on /docs/** approved: no owner on /docs/api/** passes; no owner on /src/** is blocked',
    async () => {
      const owners = (extra: string) => `* @acme/core\n${extra}\n`
      await scenario(
        '.github/CODEOWNERS',
        {
          base: owners(''),
          approved: owners('/docs/**'),
          narrower: owners('/docs/api/**'),
          wider: owners('/src/**'),
        },
        'owners-removed',
      )
    },
    SLOW,
  )

  it(
    'required reviews 1 approved: 2 passes; 0 is blocked',
    async () => {
      const settings = (count: number) =>
        [
          'branches:',
          '  - name: main',
          '    protection:',
          '      enforce_admins: true',
          '      required_pull_request_reviews:',
          `        required_approving_review_count: ${count}`,
          '',
        ].join('\n')
      await scenario(
        '.github/settings.yml',
        {base: settings(3), approved: settings(1), narrower: settings(2), wider: settings(0)},
        'reviews-reduced',
      )
    },
    SLOW,
  )

  it(
    'ACL: service:ci writing docs/* approved: writing docs/public/* passes; every docs permission on docs/* is blocked',
    async () => {
      const acl = (ci: string) =>
        [
          'apiVersion: acldrift.dev/acl/v1',
          'grants:',
          '  - effect: allow',
          '    subjects: [user:alice]',
          '    permissions: [docs.read]',
          '    resources: ["docs/public/*"]',
          ci,
          '',
        ].join('\n')
      const ci = (permission: string, resource: string) =>
        [
          '  - effect: allow',
          '    subjects: [service:ci]',
          `    permissions: ["${permission}"]`,
          `    resources: ["${resource}"]`,
        ].join('\n')
      await scenario(
        'access/docs-acl.yaml',
        {
          base: acl(''),
          approved: acl(ci('docs.write', 'docs/*')),
          narrower: acl(ci('docs.write', 'docs/public/*')),
          wider: acl(ci('docs.*', 'docs/*')),
        },
        'grant-added',
      )
    },
    SLOW,
  )

  // A weakened deny or a changed group lets in what the version's allow grants give past its
  // denies; an approval of it covers such a finding whose version allows nothing more.
  const staffAcl = (members: string, denies: string[]) =>
    [
      'apiVersion: acldrift.dev/acl/v1',
      'groups:',
      `  staff: {members: [${members}]}`,
      'grants:',
      '  - effect: allow',
      '    subjects: [group:staff]',
      '    permissions: ["docs.*"]',
      '    resources: ["docs/*"]',
      ...denies.map(
        (on) => `  - {effect: deny, subjects: ["*"], permissions: [docs.delete], resources: ["${on}"]}`,
      ),
      '',
    ].join('\n')

  it(
    'ACL: a deny narrowed to docs/secret/* approved: a second deny kept besides passes; the deny removed is blocked',
    async () => {
      await scenario(
        'access/docs-acl.yaml',
        {
          base: staffAcl('user:alice, user:bob', ['docs/*']),
          approved: staffAcl('user:alice, user:bob', ['docs/secret/*']),
          narrower: staffAcl('user:alice, user:bob', ['docs/secret/*', 'docs/legal/*']),
          wider: staffAcl('user:alice, user:bob', []),
        },
        'deny-removed',
      )
    },
    SLOW,
  )

  it(
    'ACL: user:carol added to staff approved: carol added under a new deny passes; mallory added besides is blocked',
    async () => {
      await scenario(
        'access/docs-acl.yaml',
        {
          base: staffAcl('user:alice', ['docs/secret/*']),
          approved: staffAcl('user:alice, user:carol', ['docs/secret/*']),
          narrower: staffAcl('user:alice, user:carol', ['docs/secret/*', 'docs/legal/*']),
          wider: staffAcl('user:alice, user:carol, user:mallory', ['docs/secret/*']),
        },
        'group-member-added',
      )
    },
    SLOW,
  )

  it(
    'ACL: a deny removed under a grant narrowed to bob approved: that grant put back for everyone is blocked',
    async () => {
      // Putting the baseline's grant back is no widening against the baseline by itself; the deny's
      // finding kept its id and approval when its access did not record the grants.
      const acl = (subject: string, denies: string[]) =>
        staffAcl('user:alice', denies).replace('[group:staff]', `["${subject}"]`)
      await scenario(
        'access/docs-acl.yaml',
        {
          base: acl('*', ['docs/*']),
          approved: acl('user:bob', []),
          narrower: acl('user:bob', ['docs/secret/*']),
          wider: acl('*', []),
        },
        'deny-removed',
      )
    },
    SLOW,
  )
})
