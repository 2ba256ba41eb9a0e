// Shared by the gate's attack scenarios (gate-attacks, gate-laundering, gate-signing): the
// partner trust policy they widen, git run with the repository's hooks, and the audit's view.

import {expect} from 'vitest'
import {runCli, type RunResult, type TestRepo} from '../helpers/repo.js'
import {dump, type Finding, git} from './helpers.js'

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

/** A repository with the partner trust committed, then `acldrift init --hook git` run in it (not yet committed). */
export async function initialisedWithTrust(newRepo: () => Promise<TestRepo>): Promise<TestRepo> {
  const r = await newRepo()
  await r.write(TRUST, trust('203.0.113.0/24'))
  await r.stage()
  await r.commit('Partner trust')
  const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
  expect(init.code, dump(init)).toBe(0)
  return r
}
