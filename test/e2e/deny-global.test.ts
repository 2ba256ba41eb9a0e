// "Deny is global": an AWS Deny restricts every policy attached to the same principal, not only the
// Allows of its own file, so an agent that wants a widening through can delete a Deny-only
// guardrail policy, or drop a Deny that no Allow of its file overlaps. Both used to pass silently
// (issue 12 item 5, issue 15 item 7). Played here as the agent would: the built CLI, a real git hook
// installed by `acldrift init --hook git`, an agent's commit, then `--no-verify` and the audit.

import {describe, type ExpectStatic, it} from 'vitest'
import {type EnvOverrides, runCli, runHermetic, type RunResult, type TestRepo} from '../helpers/repo.js'
import {expectValidReport, type Report, repoFactory} from './helpers.js'
import {policyText} from './policies.js'

const SLOW = 180_000
const newRepo = repoFactory()

const dump = (result: RunResult) =>
  `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`

const ALLOW_FILE = 'iam/roles/app/app-access.json'
const GUARDRAIL_FILE = 'iam/roles/app/quarantine.json'
const MIXED_FILE = 'iam/roles/app/ops.json'

/** The role's grants: it reads and writes its own bucket. */
const appAccess = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AppBucket',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: 'arn:aws:s3:::acme-app-data/*',
    },
  ],
}

/** A Deny-only guardrail attached to the same role (the shape of AWS's quarantine policies). */
const quarantine = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'NoDeletes',
      Effect: 'Deny',
      Action: ['s3:DeleteObject', 's3:DeleteBucket'],
      Resource: '*',
    },
  ],
}

/** A file whose Deny no Allow of its own overlaps: it guards what the other policies grant. */
const ops = {
  Version: '2012-10-17',
  Statement: [
    {Sid: 'DescribeFleet', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*'},
    {
      Sid: 'NoUnencryptedUploads',
      Effect: 'Deny',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::acme-app-data/*',
      Condition: {Null: {'s3:x-amz-server-side-encryption': 'true'}},
    },
  ],
}
const opsWithoutDeny = {...ops, Statement: [ops.Statement[0]]}

const AGENT: EnvOverrides = {CLAUDECODE: '1'}
const git = (r: TestRepo, env: EnvOverrides, ...args: string[]) => runHermetic('git', args, {cwd: r.dir, env})

async function guardedRepo(expect: ExpectStatic): Promise<TestRepo> {
  const r = await newRepo()
  await r.write(ALLOW_FILE, policyText(appAccess))
  await r.write(GUARDRAIL_FILE, policyText(quarantine))
  await r.write(MIXED_FILE, policyText(ops))
  await r.stage()
  await r.commit('App role: bucket access, quarantine guardrail, fleet reads')
  const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
  expect(init.code, dump(init)).toBe(0)
  await r.stage()
  const committed = await git(r, {}, 'commit', '-m', 'Set up acldrift')
  expect(committed.code, dump(committed)).toBe(0)
  return r
}

describe.concurrent('a Deny is global: removing one that no Allow of its file overlaps is seen', () => {
  it(
    "the hook blocks an agent's commit that deletes a Deny-only policy or drops a Deny no Allow of its file overlaps; the audit names both",
    async ({expect}) => {
      const r = await guardedRepo(expect)
      const approved = (await r.git('rev-parse', 'HEAD')).trim()

      // The agent deletes the quarantine policy: blocked, with the request it used to deny.
      await r.remove(GUARDRAIL_FILE)
      await r.stage()
      const deleted = await git(r, AGENT, 'commit', '-m', 'Remove unused policy')
      expect(deleted.code, dump(deleted)).not.toBe(0)
      expect(deleted.stderr).toContain('acldrift: commit blocked')
      expect(deleted.stderr).toMatch(/possible widening\s+deny-removed\s+iam\/roles\/app\/quarantine\.json/)
      expect(deleted.stderr).toMatch(/action:\s+s3:Delete(Object|Bucket)/)
      expect(deleted.stderr).toContain('actor:  agent: Claude Code')
      expect((await r.git('rev-parse', 'HEAD')).trim()).toBe(approved)
      await r.git('reset', '--quiet', '--hard', 'HEAD')

      // The agent drops the encryption Deny from a file whose only Allow is about EC2: blocked.
      await r.write(MIXED_FILE, policyText(opsWithoutDeny))
      await r.stage()
      const dropped = await git(r, AGENT, 'commit', '-m', 'Tidy ops policy')
      expect(dropped.code, dump(dropped)).not.toBe(0)
      expect(dropped.stderr).toMatch(/possible widening\s+deny-removed\s+iam\/roles\/app\/ops\.json/)
      expect(dropped.stderr).toMatch(/action:\s+s3:PutObject/)
      expect((await r.git('rev-parse', 'HEAD')).trim()).toBe(approved)

      // The agent skips the hooks for both; the audit reports each, attributed to its commit.
      const tidy = await git(r, AGENT, 'commit', '--no-verify', '-m', 'Tidy ops policy')
      expect(tidy.code, dump(tidy)).toBe(0)
      const tidySha = (await r.git('rev-parse', 'HEAD')).trim()
      await r.remove(GUARDRAIL_FILE)
      await r.stage()
      const removed = await git(r, AGENT, 'commit', '--no-verify', '-m', 'Remove unused policy')
      expect(removed.code, dump(removed)).toBe(0)
      const removedSha = (await r.git('rev-parse', 'HEAD')).trim()

      const audit = await runCli(['audit', '--format', 'json'], {cwd: r.dir})
      expect(audit.code, dump(audit)).toBe(1)
      const report = JSON.parse(audit.stdout) as Report
      expectValidReport(report)
      const denies = report.findings.filter((f) => f.rule === 'deny-removed')
      const byFile = new Map(denies.map((f) => [f.file, f]))
      const guardrail = byFile.get(GUARDRAIL_FILE)
      const encryption = byFile.get(MIXED_FILE)
      expect(guardrail?.change, JSON.stringify(report.findings, null, 2)).toBe('possible-widening')
      expect(guardrail?.witness).toMatchObject({action: expect.stringMatching(/^s3:Delete(Object|Bucket)$/)})
      expect(guardrail?.commit).toMatchObject({sha: removedSha, actor: {type: 'agent', agent: 'Claude Code'}})
      expect(encryption?.change).toBe('possible-widening')
      expect(encryption?.witness).toMatchObject({action: 's3:PutObject'})
      expect(encryption?.commit).toMatchObject({sha: tidySha, actor: {type: 'agent', agent: 'Claude Code'}})
    },
    SLOW,
  )
})
