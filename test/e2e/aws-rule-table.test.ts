// The AWS IAM rule table, end to end: the README's table lists exactly the rules the code declares
// (src/adapters/aws-iam/rules.ts), and for each rule a minimal before/after pair, committed in one
// repository and compared by one `acldrift check --ref … --baseline …` through the built CLI,
// yields that rule and no other (a cut-short comparison also lists the widenings it reached).
// Rule names describe the change: a whole new policy is `new-policy`, a statement added to an
// existing one `new-grant` (issue 15 item 10).

import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {RULES} from '../../src/adapters/aws-iam/rules.js'
import {PASS_ADMIN, throughEndpoints} from '../adapters/aws-iam/documents.js'
import {projectRoot, runCli} from '../helpers/repo.js'
import {dump, expectValidReport, repoFactory, type Report} from './helpers.js'

const newRepo = repoFactory()

type Statement = Record<string, unknown>

const policy = (...statements: Statement[]) =>
  `${JSON.stringify({Version: '2012-10-17', Statement: statements}, null, 2)}\n`

/** `aws organizations describe-policy` output for an SCP holding the statements. */
const scp = (...statements: Statement[]) =>
  `${JSON.stringify(
    {
      Policy: {
        PolicySummary: {
          Id: 'p-examplescp1',
          Arn: 'arn:aws:organizations::111111111111:policy/o-exampleorgid/service_control_policy/p-examplescp1',
          Name: 'Workloads',
          Description: 'Workloads',
          Type: 'SERVICE_CONTROL_POLICY',
          AwsManaged: false,
        },
        Content: JSON.stringify({Version: '2012-10-17', Statement: statements}),
      },
    },
    null,
    4,
  )}\n`

const ROLE = (name: string) => `arn:aws:iam::111122223333:role/${name}`
const READ = {Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::invoices/*'}
const QUEUE = {
  Sid: 'Queue',
  Effect: 'Allow',
  Action: 'sqs:SendMessage',
  Resource: 'arn:aws:sqs:eu-west-1:111122223333:orders',
}
const bucketRead = (principal: unknown) => ({...READ, Principal: {AWS: principal}})
const FROM_OFFICE = {IpAddress: {'aws:SourceIp': '10.0.0.0/8'}}
// 30 tag keys: more value classes of a multi-valued key than the engine combines.
const TAGGING = {
  Sid: 'TeamTags',
  Effect: 'Allow',
  Action: 'ec2:CreateTags',
  Resource: '*',
  Condition: {'ForAnyValue:StringEquals': {'aws:TagKeys': Array.from({length: 30}, (_, i) => `team-${i}`)}},
}
const LIST = {Sid: 'List', Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*'}

interface Pair {
  /** the file before (absent: a new file) */
  baseline?: string
  target: string
  /** the other rules the pair yields, where they cannot be avoided */
  also?: string[]
}

/** For each rule of the table, a minimal change that is that rule. */
const PAIRS: Record<string, Pair> = {
  'public-principal': {baseline: policy(bucketRead(ROLE('app'))), target: policy({...READ, Principal: '*'})},
  'admin-wildcard': {
    baseline: policy(READ),
    target: policy(READ, {Sid: 'Admin', Effect: 'Allow', Action: '*', Resource: '*'}),
  },
  'deny-removed': {
    baseline: policy(
      {...READ, Action: 's3:*'},
      {Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::invoices/*'},
    ),
    target: policy({...READ, Action: 's3:*'}),
  },
  // The account root delegates to the account's own policies; the role named directly needs none.
  'delegation-removed': {
    baseline: policy(bucketRead('arn:aws:iam::111122223333:root')),
    target: policy(bucketRead(['arn:aws:iam::111122223333:root', ROLE('app')])),
  },
  'privilege-escalation': {
    baseline: policy(READ),
    target: policy(READ, {Sid: 'Deploy', Effect: 'Allow', Action: 'iam:PassRole', Resource: ROLE('deploy')}),
  },
  'condition-removed': {baseline: policy({...READ, Condition: FROM_OFFICE}), target: policy(READ)},
  'new-principal': {
    baseline: policy(bucketRead(ROLE('app'))),
    target: policy(bucketRead([ROLE('app'), ROLE('reports')])),
  },
  'wildcard-action': {baseline: policy(READ), target: policy({...READ, Action: 's3:GetObject*'})},
  'wildcard-resource': {baseline: policy(READ), target: policy({...READ, Resource: '*'})},
  'new-grant': {baseline: policy(READ), target: policy(READ, QUEUE)},
  'new-policy': {target: policy(QUEUE)},
  'undecidable-condition': {baseline: policy(QUEUE), target: policy(QUEUE, TAGGING)},
  'unknown-action': {
    baseline: policy(READ),
    target: policy({...READ, Action: ['s3:GetObject', 's3:GetObjectMetadata']}),
  },
  // 2,500 new request classes (50 VPCs by 50 endpoints): the first 2,000 are listed as what they are.
  'comparison-truncated': {
    baseline: policy(LIST),
    target: policy(LIST, throughEndpoints('Data', 'data'), PASS_ADMIN),
    also: ['new-grant'],
  },
  'guardrail-widened': {
    baseline: scp({Sid: 'Allowed', Effect: 'Allow', Action: ['ec2:*'], Resource: '*'}),
    target: scp({Sid: 'Allowed', Effect: 'Allow', Action: ['ec2:*', 's3:*'], Resource: '*'}),
  },
  'guardrail-deny-removed': {
    baseline: scp(
      {Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*'},
      {Sid: 'NoLeaving', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*'},
    ),
    target: scp({Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*'}),
  },
  'grant-removed': {baseline: policy(READ, QUEUE), target: policy(READ)},
  'deny-added': {
    baseline: policy(READ),
    target: policy(READ, {
      Sid: 'NoSecrets',
      Effect: 'Deny',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::invoices/secret/*',
    }),
  },
  'condition-added': {baseline: policy(READ), target: policy({...READ, Condition: FROM_OFFICE})},
  'guardrail-tightened': {
    baseline: scp({Sid: 'Allowed', Effect: 'Allow', Action: ['ec2:*', 's3:*'], Resource: '*'}),
    target: scp({Sid: 'Allowed', Effect: 'Allow', Action: ['ec2:*'], Resource: '*'}),
  },
}

/** The rule names of the README's AWS IAM table (the first column's backticked names). */
function readmeRules(): string[] {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8')
  const start = readme.indexOf('Each AWS IAM finding has a rule and a severity')
  const lines = readme.slice(start).split('\n')
  const first = lines.findIndex((line) => line.startsWith('| rule'))
  const rows = lines.slice(first + 2)
  const table = rows.slice(
    0,
    rows.findIndex((line) => !line.startsWith('|')),
  )
  return table.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!))
}

describe('the AWS IAM rule table', () => {
  it('lists exactly the rules the code declares, each once', () => {
    const listed = readmeRules()
    expect(new Set(listed).size).toBe(listed.length)
    expect([...listed].sort()).toEqual(Object.keys(RULES).sort())
  })

  it('has a pair for every rule, and each pair yields that rule and no other through the CLI', async () => {
    expect(Object.keys(PAIRS).sort()).toEqual(Object.keys(RULES).sort())
    const r = await newRepo()
    const path = (rule: string) => `rules/${rule}.json`
    for (const [rule, pair] of Object.entries(PAIRS))
      if (pair.baseline !== undefined) await r.write(path(rule), pair.baseline)
    await r.write('README.md', 'rule table\n')
    await r.stage()
    const baseline = await r.commit('Baselines')
    for (const [rule, pair] of Object.entries(PAIRS)) await r.write(path(rule), pair.target)
    await r.stage()
    const target = await r.commit('Targets')

    const result = await runCli(['check', '--ref', target, '--baseline', baseline, '--format', 'json'], {
      cwd: r.dir,
    })
    const report = JSON.parse(result.stdout) as Report
    expectValidReport(report)
    expect(report.errors, dump(result)).toEqual([])
    const yielded = Object.fromEntries(
      Object.keys(PAIRS).map((rule) => [
        rule,
        [...new Set(report.findings.filter((f) => f.file === path(rule)).map((f) => f.rule))].sort(),
      ]),
    )
    const expected = Object.fromEntries(
      Object.entries(PAIRS).map(([rule, pair]) => [rule, [rule, ...(pair.also ?? [])].sort()]),
    )
    expect(yielded).toEqual(expected)
    // Each finding's change is one its rule declares.
    for (const finding of report.findings) {
      const declared = RULES[finding.rule as keyof typeof RULES].change
      expect([declared, 'possible-widening'], `${finding.file}: ${finding.rule}`).toContain(finding.change)
    }
  }, 120_000)
})

describe('an action outside the catalogue', () => {
  // AWS reads action names case-insensitively, but a person looks for the name as the policy
  // writes it: check, history and audit show it so, in their witness, reason and text.
  it('keeps the spelling of the policy in check, history and audit', async () => {
    const r = await newRepo()
    await r.write('iam/app.json', policy(READ))
    await r.stage()
    const baseline = await r.commit('Read invoices')
    await r.write('iam/app.json', policy(READ, {...QUEUE, Sid: 'Thing', Action: 'MadeUpSvc:DoThingNow'}))
    await r.stage()
    await r.commit('Do the thing')

    const outputs: string[] = []
    for (const args of [
      ['check', '--ref', 'HEAD', '--baseline', baseline],
      ['history'],
      ['audit', '--ref', 'HEAD', '--baseline', baseline],
    ]) {
      const json = await runCli([...args, '--format', 'json'], {cwd: r.dir})
      const pretty = await runCli([...args, '--format', 'pretty'], {cwd: r.dir})
      expect(json.stdout, dump(json)).toContain('"action": "MadeUpSvc:DoThingNow"')
      expect(json.stdout).toContain('MadeUpSvc:DoThingNow is not in the AWS action catalogue')
      expect(pretty.stdout, dump(pretty)).toContain('MadeUpSvc:DoThingNow')
      outputs.push(json.stdout, pretty.stdout)
    }
    for (const output of outputs)
      expect(output.toLowerCase().split('madeupsvc:dothingnow').length).toBe(
        output.split('MadeUpSvc:DoThingNow').length,
      )
  }, 60_000)
})
