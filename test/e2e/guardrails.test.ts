// Service and resource control policies (AWS Organizations guardrails), end to end: the output of
// `aws organizations describe-policy` committed as a file is compared as a guardrail. An Allow
// widened, FullAWSAccess attached or a Deny narrowed each widens what every account under it may
// do, under the guardrail rules, at the Content line (a string has no positions inside it), with
// the agent that did it; and what an agent would try to get around it (renaming the policy,
// retyping it as a tag policy so that it is no longer read, garbling its Content) is caught.
// Output shape: https://docs.aws.amazon.com/cli/latest/reference/organizations/describe-policy.html

import {describe, expect, it} from 'vitest'
import {identities, runCli} from '../helpers/repo.js'
import {brief, checkJson, commitAs, commitFiles, lineOf, repoFactory} from './helpers.js'

const newRepo = repoFactory()

type Statement = Record<string, unknown>

/** What `aws organizations describe-policy --policy-id ID` prints for an SCP or RCP. */
function describePolicy(
  id: string,
  name: string,
  statements: Statement[],
  type = 'SERVICE_CONTROL_POLICY',
  awsManaged = false,
): string {
  const folder = type === 'SERVICE_CONTROL_POLICY' ? 'service_control_policy' : 'resource_control_policy'
  const output = {
    Policy: {
      PolicySummary: {
        Id: id,
        Arn: awsManaged
          ? `arn:aws:organizations::aws:policy/${folder}/${id}`
          : `arn:aws:organizations::111111111111:policy/o-exampleorgid/${folder}/${id}`,
        Name: name,
        Description: name,
        Type: type,
        AwsManaged: awsManaged,
      },
      Content: JSON.stringify({Version: '2012-10-17', Statement: statements}),
    },
  }
  return `${JSON.stringify(output, null, 4)}\n`
}

const REGION = 'org/scp-deny-outside-eu.json'
const ALLOW_LIST = 'org/scp-allowed-services.json'
const FULL = 'org/scp-full-aws-access.json'

const outsideEu = (exceptions: string[]) =>
  describePolicy('p-examplescp1', 'DenyOutsideEU', [
    {
      Sid: 'DenyAllOutsideEU',
      Effect: 'Deny',
      NotAction: ['cloudfront:*', 'iam:*', 'route53:*', 'support:*', ...exceptions],
      Resource: '*',
      Condition: {StringNotEquals: {'aws:RequestedRegion': ['eu-central-1', 'eu-west-1']}},
    },
  ])
const allowList = (services: string[]) =>
  describePolicy('p-examplescp2', 'AllowedServices', [
    {Sid: 'AllowedServices', Effect: 'Allow', Action: services, Resource: '*'},
  ])
const fullAwsAccess = describePolicy(
  'p-FullAWSAccess',
  'FullAWSAccess',
  [{Effect: 'Allow', Action: '*', Resource: '*'}],
  'SERVICE_CONTROL_POLICY',
  true,
)

describe('service control policies as guardrails', () => {
  it('an agent attaching FullAWSAccess, widening an allow-list and extending a Deny exception: each a guardrail widening at the Content line, blamed on the agent', async () => {
    const r = await newRepo()
    const base = await commitFiles(r, {
      [REGION]: outsideEu([]),
      [ALLOW_LIST]: allowList(['ec2:*', 's3:*']),
    })
    const agent = await commitAs(r, identities.claudeCode, 'Let the workload accounts run everything', {
      [REGION]: outsideEu(['ec2:*']),
      [ALLOW_LIST]: allowList(['ec2:*', 's3:*', 'iam:*']),
      [FULL]: fullAwsAccess,
    })

    const {report, code} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
    expect(code).toBe(1)
    expect(brief(report.findings).sort()).toEqual(
      [
        `widening high guardrail-widened ${ALLOW_LIST}:11`,
        `widening high guardrail-widened ${FULL}:11`,
        `possible-widening high guardrail-deny-removed ${REGION}:11`,
      ].sort(),
    )
    const byFile = (file: string) => report.findings.find((f) => f.file === file)!
    const contentLine = lineOf(allowList(['ec2:*', 's3:*', 'iam:*']), '"Content"')
    expect(byFile(ALLOW_LIST)).toMatchObject({
      document: 'scp/AllowedServices',
      severity: 'high',
      line: contentLine,
      pointer: '/Policy/Content/Statement/0',
      witness: {action: expect.stringMatching(/^iam:/), resource: expect.stringMatching(/^arn:aws:iam::/)},
      message: expect.stringContaining(
        'A guardrail permits more: principals of the accounts under it may call iam:',
      ),
      commit: {sha: agent, actor: {type: 'agent', agent: 'Claude Code'}},
    })
    expect(byFile(FULL)).toMatchObject({document: 'scp/FullAWSAccess', change: 'widening'})
    // The SCP permits nothing itself: whether EC2 outside the EU is now possible depends on the
    // SCPs that permit (FullAWSAccess), so it is possible, and says so.
    const region = byFile(REGION)
    expect(region).toMatchObject({
      document: 'scp/DenyOutsideEU',
      witness: {action: expect.stringMatching(/^ec2:/), otherPolicyAllows: true},
      commit: {sha: agent},
    })
    expect((region as {reason?: string}).reason).toContain('FullAWSAccess or another SCP or RCP')

    // The terminal report names the guardrail's document beside file:line.
    const pretty = await runCli(['check', '--ref', 'HEAD', '--baseline', base], {cwd: r.dir})
    expect(pretty.stdout).toContain(`${ALLOW_LIST}:${contentLine} (scp/AllowedServices)`)

    // history follows the guardrail through the commits, naming the agent's.
    const history = await runCli(['history', ALLOW_LIST, '--format', 'json'], {cwd: r.dir})
    expect(history.code, history.stderr).toBe(0)
    const found = (JSON.parse(history.stdout) as {findings: {rule: string; commit: {sha: string}}[]}).findings
    expect(found.filter((f) => f.rule === 'guardrail-widened').map((f) => f.commit.sha)).toContain(agent)
  })

  it('what an agent would try: renaming the SCP while dropping a Deny, retyping it as a tag policy, garbling its Content', async () => {
    const r = await newRepo()
    const denyLeave = (name: string, type = 'SERVICE_CONTROL_POLICY') =>
      describePolicy(
        'p-examplescp3',
        name,
        [
          {Sid: 'DenyLeave', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*'},
          {
            Sid: 'DenyRootUser',
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: {StringLike: {'aws:PrincipalArn': 'arn:aws:iam::*:root'}},
          },
        ],
        type,
      )
    const FILE = 'org/scp-baseline-guardrails.json'
    await commitFiles(r, {[FILE]: denyLeave('BaselineGuardrails')})

    // A new name is a new document: the old one's Denies are gone, whatever the new one says.
    const renamed = describePolicy('p-examplescp3', 'Guardrails', [
      {Sid: 'DenyLeave', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*'},
    ])
    await r.write(FILE, renamed)
    await r.stage(FILE)
    const rename = await checkJson(r.dir, ['--staged'], {CLAUDECODE: '1'})
    expect(rename.code).toBe(1)
    expect(rename.report.findings).toContainEqual(
      expect.objectContaining({
        change: 'possible-widening',
        rule: 'guardrail-deny-removed',
        witness: expect.objectContaining({context: {'aws:PrincipalArn': expect.stringMatching(/:root$/)}}),
      }),
    )

    // Retyped as a tag policy, the file is no longer read: it held guardrails, so it fails closed.
    await r.write(FILE, denyLeave('BaselineGuardrails', 'TAG_POLICY'))
    await r.stage(FILE)
    const retyped = await checkJson(r.dir, ['--staged'], {CLAUDECODE: '1'})
    expect(retyped.code).toBe(3)
    expect(retyped.report.errors).toEqual([
      expect.objectContaining({file: FILE, message: expect.stringContaining('is no longer read')}),
    ])

    // Content that is not JSON fails closed at its line (exit 3), naming the SCP.
    const garbled = denyLeave('BaselineGuardrails').replace('\\"Version\\"', '\\"Version\\" ,')
    await r.write(FILE, garbled)
    await r.stage(FILE)
    const broken = await checkJson(r.dir, ['--staged'])
    expect(broken.code).toBe(3)
    expect(broken.report.errors).toEqual([
      expect.objectContaining({
        file: FILE,
        line: lineOf(garbled, '"Content"'),
        message: expect.stringContaining("SCP's Content"),
      }),
    ])
  })
})
