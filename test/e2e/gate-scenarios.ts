// Shared by the gate's attack scenarios (gate-attacks, gate-laundering, gate-signing) and the
// hook's fast paths: the partner trust policy they widen, the repositories they start from (set
// up once per worker, then copied for each scenario), git run with the repository's hooks, and
// the audit's view.

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {expect} from 'vitest'
import {identities, runCli, type RunResult, type TestRepo} from '../helpers/repo.js'
import {dump, type Finding, git, type RepoFactory, sharedStart} from './helpers.js'

export {dump, git}

/** The paths the scenarios' repositories use. */
export const CONFIG = 'acldrift.config.yaml'
export const APPROVALS = '.acldrift/approvals.yaml'
export const TRUST = 'iam/roles/partner-trust.json'

export const PARTNER = 'arn:aws:iam::222222222222:role/partner-sync'

/**
 * A role trust policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html):
 * `principal` may assume the role from `cidr`.
 */
export const trust = (cidr: string, principal = PARTNER) =>
  `${JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PartnerAssume',
          Effect: 'Allow',
          Principal: {AWS: principal},
          Action: 'sts:AssumeRole',
          Condition: {IpAddress: {'aws:SourceIp': cidr}},
        },
      ],
    },
    null,
    2,
  )}\n`

/** What the audit sees: HEAD against the approved baseline, attributed. */
export async function audit(r: TestRepo): Promise<{code: number; findings: Finding[]; raw: RunResult}> {
  const raw = await runCli(['check', '--ref', 'HEAD', '--format', 'json'], {cwd: r.dir})
  expect([0, 1], dump(raw)).toContain(raw.code)
  return {code: raw.code, findings: (JSON.parse(raw.stdout) as {findings: Finding[]}).findings, raw}
}

async function initialise(r: TestRepo) {
  await r.write(TRUST, trust('203.0.113.0/24'))
  await r.stage()
  await r.commit('Partner trust')
  const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
  expect(init.code, dump(init)).toBe(0)
}

/** A repository with the partner trust committed, then `acldrift init --hook git` run in it (not yet committed). */
export function initialisedWithTrust(newRepo: RepoFactory): Promise<TestRepo> {
  return sharedStart(newRepo, 'gate-scenarios: initialised', initialise)
}

/**
 * `initialisedWithTrust`, with the config's `  failOn: widening` line replaced by `policy` when
 * given, all committed by Alice through the hook ("Set up acldrift").
 */
export function setUpWithTrust(newRepo: RepoFactory, policy?: string): Promise<TestRepo> {
  return sharedStart(newRepo, `gate-scenarios: set up ${JSON.stringify(policy)}`, async (r) => {
    await initialise(r)
    if (policy !== undefined)
      await r.write(
        CONFIG,
        (await readFile(join(r.dir, CONFIG), 'utf8')).replace('  failOn: widening\n', policy),
      )
    await r.stage()
    const committed = await git(r, {}, 'commit', '-m', 'Set up acldrift')
    expect(committed.code, dump(committed)).toBe(0)
  })
}

/** Claude Code commits the index through the repository's hooks (`flags` such as `--no-verify`). */
export const commitAsAgent = (r: TestRepo, subject: string, ...flags: string[]) =>
  git(r, {CLAUDECODE: '1'}, 'commit', ...flags, '-m', identities.claudeCode.message(subject))

/** Claude Code opens the partner trust to everyone and commits it through the hooks: blocked, naming the file. */
export async function agentOpensTrustBlocked(r: TestRepo): Promise<void> {
  await r.write(TRUST, trust('0.0.0.0/0'))
  await r.stage(TRUST)
  const widened = await commitAsAgent(r, 'Open the partner trust')
  expect(widened.code, dump(widened)).not.toBe(0)
  expect(widened.stderr).toContain('acldrift: commit blocked')
  expect(widened.stdout + widened.stderr).toContain(TRUST)
}
