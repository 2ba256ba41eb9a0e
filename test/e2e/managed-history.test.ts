// A realistic history of AWS managed policies (issue 15, "How it is checked"): a repository kept the
// way public trackers of AWS managed policies keep it, one file per policy without an extension,
// each holding `aws iam get-policy-version` output, refreshed by commits that each change one
// policy as AWS changes them. Each commit gets the right verdict, rule and witness, through both
// `history` and `audit`, by the built CLI.

import {describe, type ExpectStatic, it} from 'vitest'
import {identities, runCli, type TestRepo} from '../helpers/repo.js'
import {commitAs, dump, expectValidReport, type Finding, type Report, repoFactory} from './helpers.js'

const newRepo = repoFactory()
const SLOW = 120_000

/** `aws iam get-policy-version` output, as the trackers commit it (4-space indented). */
function policyVersion(version: string, statements: object[]): string {
  const document = {Version: '2012-10-17', Statement: statements}
  const output = {
    PolicyVersion: {
      Document: document,
      VersionId: version,
      IsDefaultVersion: true,
      CreateDate: '2026-03-02T18:41:07+00:00',
    },
  }
  return `${JSON.stringify(output, null, 4)}\n`
}

const QUARANTINE = 'policies/AWSCompromisedKeyQuarantineV3'
const ALLOW_LIST = 'policies/AmazonQDeveloperIdentityContextAccess'
const READ_ONLY = 'policies/AWSBillingConductorReadOnlyAccess'
const LOGS = 'policies/AWSAppRunnerObservabilityServiceRolePolicy'
const SAME_ACCOUNT = 'policies/AmazonDataZoneDomainExecutionRolePolicy'

// A quarantine policy: Deny-only, attached to a principal whose keys leaked (its other policies
// still allow these actions).
const quarantineDenies = [
  'iam:AttachUserPolicy',
  'iam:CreateAccessKey',
  'lambda:CreateFunction',
  'ec2:RunInstances',
]
const quarantine = (actions: string[]) =>
  policyVersion(`v${6 - actions.length}`, [
    {Sid: 'DenyQuarantined', Effect: 'Deny', Action: actions, Resource: '*'},
  ])

// An allow-list written as Deny + NotAction: everything outside the list is denied.
const allowList = (actions: string[]) =>
  policyVersion(`v${actions.length}`, [
    {Sid: 'DenyAllOutsideQ', Effect: 'Deny', NotAction: actions, Resource: '*'},
  ])

const readOnly = (actions: string[]) =>
  policyVersion(`v${actions.length}`, [
    {Sid: 'BillingConductorRead', Effect: 'Allow', Action: actions, Resource: '*'},
  ])

const LOG_GROUPS = 'arn:aws:logs:*:*:log-group:/aws/apprunner/*'
const logs = (resource: string) =>
  policyVersion(resource === '*' ? 'v2' : 'v1', [
    {
      Sid: 'AppRunnerLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: resource,
    },
  ])

const sameAccount = (conditioned: boolean) =>
  policyVersion(conditioned ? 'v1' : 'v2', [
    {
      Sid: 'DataZoneReadGlue',
      Effect: 'Allow',
      Action: ['glue:GetTable', 'glue:GetDatabase'],
      Resource: '*',
      ...(conditioned ? {Condition: {StringEquals: {'aws:ResourceAccount': '${aws:PrincipalAccount}'}}} : {}),
    },
  ])

interface Step {
  sha: string
  file: string
  change: Finding['change']
  rule: string
  /** the witness's action, exactly */
  action: RegExp
  /** the witness's resource, when the change is about it */
  resource?: RegExp
}

/** Approved policies, then five commits, each one real-shaped change to one policy. */
async function managedHistory(r: TestRepo) {
  const base = await commitAs(r, identities.human, 'Sync AWS managed policies', {
    [QUARANTINE]: quarantine(quarantineDenies),
    [ALLOW_LIST]: allowList(['q:*', 'sso-oauth:CreateTokenWithIAM']),
    [READ_ONLY]: readOnly([
      'billingconductor:GetBillingGroupCostReport',
      'billingconductor:ListBillingGroups',
    ]),
    [LOGS]: logs(LOG_GROUPS),
    [SAME_ACCOUNT]: sameAccount(true),
  })
  const steps: Step[] = []
  const step = async (file: string, content: string, expected: Omit<Step, 'sha' | 'file'>) => {
    const sha = await commitAs(r, identities.copilotAgent, `Update ${file.slice('policies/'.length)}`, {
      [file]: content,
    })
    steps.push({sha, file, ...expected})
  }
  // New actions in a read-only policy: a new grant, named exactly.
  await step(
    READ_ONLY,
    readOnly([
      'billingconductor:GetBillingGroupCostReport',
      'billingconductor:ListBillingGroups',
      'billingconductor:ListCustomLineItems',
    ]),
    {change: 'widening', rule: 'new-grant', action: /^billingconductor:ListCustomLineItems$/},
  )
  // The quarantine's Deny list shortened: the request it blocked is unblocked, and since this
  // document allows nothing, whether another policy allows it is unknown here.
  await step(QUARANTINE, quarantine(quarantineDenies.filter((a) => a !== 'iam:CreateAccessKey')), {
    change: 'possible-widening',
    rule: 'deny-removed',
    action: /^iam:CreateAccessKey$/,
  })
  // The Deny + NotAction allow-list extended: a service no longer denied.
  await step(ALLOW_LIST, allowList(['q:*', 'qapps:*', 'sso-oauth:CreateTokenWithIAM']), {
    change: 'possible-widening',
    rule: 'deny-removed',
    action: /^qapps:/,
  })
  // A resource widened to `*`: the log actions reach every log group.
  await step(LOGS, logs('*'), {
    change: 'widening',
    rule: 'wildcard-resource',
    action: /^logs:(CreateLogStream|PutLogEvents)$/,
    resource: /^arn:aws:logs:[^:]+:\d{12}:log-group:(?!\/aws\/apprunner\/)/,
  })
  // A condition with a policy variable removed: other accounts' tables become readable. The
  // variable is one unknown value on both sides, so the answer holds for every value of it.
  await step(SAME_ACCOUNT, sameAccount(false), {
    change: 'widening',
    rule: 'condition-removed',
    action: /^glue:(GetTable|GetDatabase)$/,
  })
  return {base, steps}
}

/** One history for both tests, made on first use. */
let shared: Promise<{r: TestRepo} & Awaited<ReturnType<typeof managedHistory>>> | undefined
const history = () =>
  (shared ??= (async () => {
    const r = await newRepo()
    return {r, ...(await managedHistory(r))}
  })())

async function jsonReport(expect: ExpectStatic, cwd: string, args: string[]): Promise<Report> {
  const result = await runCli([...args, '--format', 'json'], {cwd})
  expect([0, 1], dump(result)).toContain(result.code)
  const report: unknown = JSON.parse(result.stdout)
  expectValidReport(report)
  return report
}

const shaOf = (f: Finding) => (f.commit as {sha: string} | null)?.sha

function expectEachStep(
  expect: ExpectStatic,
  report: Report,
  steps: Step[],
  findingsOf: (s: Step) => Finding[],
) {
  expect(report.errors, JSON.stringify(report.errors)).toEqual([])
  for (const s of steps) {
    const found = findingsOf(s)
    const context = `${s.file} at ${s.sha.slice(0, 7)}:\n${JSON.stringify(found, null, 2)}`
    expect(found.length, context).toBeGreaterThan(0)
    for (const f of found) {
      expect(f.file, context).toBe(s.file)
      expect(f.change, context).toBe(s.change)
      expect(f.rule, context).toBe(s.rule)
      expect(String(f.witness?.action), context).toMatch(s.action)
      if (s.resource) expect(String(f.witness?.resource), context).toMatch(s.resource)
      expect(f.line, context).toBeGreaterThan(0)
    }
  }
}

describe.concurrent('a real-shaped history of AWS managed policies', () => {
  it(
    'history: each commit with its own verdict, rule and witness, and nothing else',
    async ({expect}) => {
      const {r, base, steps} = await history()
      const report = await jsonReport(expect, r.dir, ['history', '--since', base])
      const ofStep = (s: Step) =>
        report.findings.filter((f) => shaOf(f) === s.sha && f.change !== 'narrowing')
      expectEachStep(expect, report, steps, ofStep)
      const stepShas = new Set(steps.map((s) => s.sha))
      const stray = report.findings.filter((f) => f.change !== 'narrowing' && !stepShas.has(shaOf(f) ?? ''))
      expect(stray, JSON.stringify(stray, null, 2)).toEqual([])
      // The quarantine and allow-list changes widen nothing they name as narrowings.
      expect(report.findings.filter((f) => f.change === 'narrowing')).toEqual([])
    },
    SLOW,
  )

  it(
    'audit: every change found against the approved sync, each attributed to its own commit and actor',
    async ({expect}) => {
      const {r, base, steps} = await history()
      const report = await jsonReport(expect, r.dir, ['audit', '--baseline', base])
      const ofStep = (s: Step) => report.findings.filter((f) => f.file === s.file && f.change !== 'narrowing')
      expectEachStep(expect, report, steps, ofStep)
      for (const s of steps)
        for (const f of ofStep(s)) {
          expect(shaOf(f), f.id).toBe(s.sha)
          expect(f.commit, f.id).toMatchObject({actor: {type: 'agent'}})
        }
      expect(report.summary.widening + report.summary.possibleWidening).toBe(
        steps.reduce((n, s) => n + ofStep(s).length, 0),
      )
    },
    SLOW,
  )
})
