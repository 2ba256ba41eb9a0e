// Documents inside other files (src/containers/), end to end: an AWS CLI output committed to the
// repository holds a policy, compared as aws-iam. A widening inside it names the container file,
// the line inside it and the document's name; blame, approvals, history and every report follow
// it there; reformatting the container changes nothing. The baseline snapshot is a container too:
// a snapshot that now accepts new access names the snapshot file's line and the document.

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {identities, runCli} from '../helpers/repo.js'
import {
  checkJson,
  commitAs,
  commitFiles,
  expectValidSarif,
  lineOf,
  onlyWidening,
  repoFactory,
} from './helpers.js'

const newRepo = repoFactory()

const FILE = 'exports/app-role-policy.json'
const DOCUMENT = 'role/app/ReadReports'

/** What `aws iam get-role-policy --role-name app --policy-name ReadReports` prints. */
function roleOutput(statements: object[], indent = 4): string {
  const output = {
    RoleName: 'app',
    PolicyName: 'ReadReports',
    PolicyDocument: {Version: '2012-10-17', Statement: statements},
  }
  return `${JSON.stringify(output, null, indent)}\n`
}

const read = {
  Effect: 'Allow',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::reports/*',
}
const writeEverything = {Effect: 'Allow', Action: 's3:*', Resource: '*'}

describe('a policy inside an AWS CLI output', () => {
  it('is compared as aws-iam: the widening names the file, the line inside it, the document and the agent', async () => {
    const r = await newRepo()
    const base = await commitFiles(r, {[FILE]: roleOutput([read])}, 'Export the app role')
    const widened = roleOutput([read, writeEverything])
    const agentCommit = await commitAs(r, identities.claudeCode, 'Let the app write its reports', {
      [FILE]: widened,
    })

    const {report, code} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
    expect(code).toBe(1)
    const finding = onlyWidening(report)
    expect(finding).toMatchObject({
      kind: 'aws-iam',
      file: FILE,
      document: DOCUMENT,
      pointer: '/PolicyDocument/Statement/1',
      line: lineOf(widened, '"s3:*"') - 2,
      // Resource "*" covers every bucket: the witness names a real-shaped one, a request AWS could receive.
      witness: {action: expect.stringMatching(/^s3:/), resource: expect.stringMatching(/^arn:aws:s3:::/)},
    })
    expect(finding.commit.sha).toBe(agentCommit)
    expect(finding.commit).toMatchObject({actor: {type: 'agent', agent: 'Claude Code'}})

    // The terminal, Markdown and SARIF reports name the document beside file:line.
    const pretty = await runCli(['check', '--ref', 'HEAD', '--baseline', base], {cwd: r.dir})
    expect(pretty.stdout).toContain(`${FILE}:${finding.line} (${DOCUMENT})`)
    const markdown = await runCli(['check', '--ref', 'HEAD', '--baseline', base, '--format', 'markdown'], {
      cwd: r.dir,
    })
    expect(markdown.stdout).toContain(`${FILE}:${finding.line} (${DOCUMENT})`)
    const sarif = await runCli(['check', '--ref', 'HEAD', '--baseline', base, '--format', 'sarif'], {
      cwd: r.dir,
    })
    const log = JSON.parse(sarif.stdout) as unknown
    expectValidSarif(log)
    const result = log.runs[0]!.results.find((res) => res.ruleId !== undefined && res.level === 'error')!
    expect(result.locations[0]).toMatchObject({
      physicalLocation: {region: {startLine: finding.line}},
      logicalLocations: [{name: DOCUMENT, kind: 'resource'}],
    })
  })

  it('reformatting the output (indentation, key order) is no change; the staged hook blocks a widening', async () => {
    const r = await newRepo()
    await commitFiles(r, {[FILE]: roleOutput([read])})
    const reordered = JSON.stringify(
      {
        PolicyDocument: {Statement: [{Resource: read.Resource, Action: read.Action, Effect: 'Allow'}]},
        PolicyName: 'ReadReports',
        RoleName: 'app',
      },
      null,
      '\t',
    ).replace('{"Statement"', '{"Version": "2012-10-17", "Statement"')
    await r.write(FILE, reordered)
    await r.stage(FILE)
    const same = await checkJson(r.dir, ['--staged'])
    expect(same.code).toBe(0)
    expect(same.report.findings).toEqual([])

    await r.write(FILE, roleOutput([read, writeEverything]))
    await r.stage(FILE)
    const hook = await checkJson(r.dir, ['--staged'], {CLAUDECODE: '1'})
    expect(hook.code).toBe(1)
    expect(hook.report.findings[0]).toMatchObject({file: FILE, document: DOCUMENT, change: 'widening'})
    expect(hook.report.findings[0]!.commit).toMatchObject({sha: 'pending', actor: {type: 'agent'}})
  })

  it('an approval names the document; it counts once the approver commits it', async () => {
    const r = await newRepo()
    await commitFiles(r, {
      'acldrift.config.yaml': 'version: 1\npolicy:\n  approvers: [alice@example.com]\n',
      [FILE]: roleOutput([read]),
    })
    const base = (await r.git('rev-parse', 'HEAD')).trim()
    await commitAs(r, identities.human, 'Widen the app role', {[FILE]: roleOutput([read, writeEverything])})
    const before = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
    const id = before.report.findings.find((f) => f.change === 'widening')!.id
    const approve = await runCli(
      ['approve', id, '--ref', 'HEAD', '--baseline', base, '--reason', 'reports', '--expires', '2999-12-31'],
      {cwd: r.dir},
    )
    expect(approve.code, approve.stderr + approve.stdout).toBe(0)
    expect(await readFile(join(r.dir, '.acldrift/approvals.yaml'), 'utf8')).toContain(`document: ${DOCUMENT}`)
    await r.stage('.acldrift/approvals.yaml')
    await r.commit('Approve the report writes')
    const after = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
    expect(after.code).toBe(0)
    expect(after.report.findings.find((f) => f.id === id)!.approval).toMatchObject({valid: true})
  })

  it('history names the document and the commit that widened it', async () => {
    const r = await newRepo()
    await commitFiles(r, {[FILE]: roleOutput([read])})
    const widening = await commitAs(r, identities.claudeCode, 'Widen', {
      [FILE]: roleOutput([read, writeEverything]),
    })
    const history = await runCli(['history', FILE, '--format', 'json'], {cwd: r.dir})
    expect(history.code, history.stderr).toBe(0)
    const report = JSON.parse(history.stdout) as {
      findings: {file: string; document?: string; change: string; witness: unknown; commit: {sha: string}}[]
    }
    // The export's first version granted its reads; the agent's commit granted everything.
    const widened = report.findings.filter((f) => f.change === 'widening')
    for (const f of widened) expect(f).toMatchObject({file: FILE, document: DOCUMENT})
    expect(widened.filter((f) => f.commit.sha === widening).map((f) => f.witness)).toEqual([
      expect.objectContaining({resource: expect.stringMatching(/^arn:aws:s3:::/)}),
    ])
  })

  it('a document that breaks its kind fails closed at the line inside the container', async () => {
    const r = await newRepo()
    const broken = roleOutput([{...read, Effect: 'Permit'}])
    await commitFiles(r, {[FILE]: broken})
    const result = await runCli(['check'], {cwd: r.dir})
    expect(result.code).toBe(3)
    expect(result.stdout + result.stderr).toContain(`${FILE}:${lineOf(broken, 'Permit')}:`)
    expect(result.stdout + result.stderr).toContain('/PolicyDocument/Statement/0/Effect')
  })
})

describe('the baseline snapshot as a container', () => {
  it('a snapshot that now accepts new access names the snapshot file, its line and the document', async () => {
    const r = await newRepo()
    const policy = (statements: object[]) =>
      `${JSON.stringify({Version: '2012-10-17', Statement: statements}, null, 2)}\n`
    await commitFiles(r, {
      'acldrift.config.yaml':
        'version: 1\nbaseline: .acldrift/baseline.json\npolicy:\n  approvers: [alice@example.com]\n',
      'iam/app.json': policy([read]),
    })
    expect((await runCli(['snapshot', '--out', '.acldrift/baseline.json'], {cwd: r.dir})).code).toBe(0)
    await r.stage('.acldrift/baseline.json')
    await r.commit('Take the baseline')
    // An agent widens the policy and rewrites the baseline to match, in one commit.
    await r.write('iam/app.json', policy([read, writeEverything]))
    expect((await runCli(['snapshot', '--out', '.acldrift/baseline.json'], {cwd: r.dir})).code).toBe(0)
    await r.stage()
    const {report, code} = await checkJson(r.dir, ['--staged'], {CLAUDECODE: '1'})
    expect(code).toBe(1)
    const widened = report.findings.find((f) => f.rule === 'baseline-widened') as
      ((typeof report.findings)[number] & {document?: string}) | undefined
    expect(widened).toMatchObject({
      file: '.acldrift/baseline.json',
      document: 'iam/app.json',
      pointer: expect.stringMatching(/^\/documents\/0\/value\/Statement\/1$/),
      line: expect.any(Number),
    })
  })
})
