// The scheduled audit as documented: the GitHub Actions workflow (docs/acldrift-audit.yml, shown
// in the README) and the crontab line. The workflow's own commands run against a real repository.

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, it} from 'vitest'
import {parse as parseYaml} from 'yaml'
import {identities, projectRoot, runCli, runHermetic} from '../helpers/repo.js'
import {dump, expectValidReport, expectValidSarif, repoFactory, type Report} from './helpers.js'
import {BUCKET_FILE, bucketPolicy, policyText, publicBucketPolicy} from './policies.js'

const newRepo = repoFactory()

interface Step {
  name?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, unknown>
}

const workflowText = () => readFile(join(projectRoot, 'docs', 'acldrift-audit.yml'), 'utf8')
const readme = () => readFile(join(projectRoot, 'README.md'), 'utf8')
/** The published CLI, as the workflow calls it; the tests run this checkout's built CLI instead. */
const NPX = /npx --yes acldrift@\S+ /g
const builtCli = `'${process.execPath}' '${join(projectRoot, 'bin', 'run.js')}' `

describe.concurrent('the documented scheduled audit', () => {
  it('the README shows the workflow file as it is', async ({expect}) => {
    expect(await readme()).toContain('```yaml\n' + (await workflowText()) + '```\n')
  })

  it('the workflow runs on a schedule and on demand, with the history, and uploads the SARIF it writes', async ({
    expect,
  }) => {
    const workflow = parseYaml(await workflowText())
    expect(workflow.on.schedule[0].cron).toMatch(/^(\S+ ){4}\S+$/)
    expect(workflow.on).toHaveProperty('workflow_dispatch')
    expect(workflow.permissions).toMatchObject({'security-events': 'write', contents: 'read'})
    const steps = workflow.jobs.audit.steps as Step[]
    const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'))
    expect(checkout?.with).toMatchObject({'fetch-depth': 0})
    const audit = steps.find((s) => s.name === 'Audit')!
    expect(audit.run).toMatch(/^npx --yes acldrift@\S+ audit /m)
    const reportDir = /--report-dir (\S+)/.exec(audit.run!)![1]!
    expect(audit.run).toMatch(/--log \S+/)
    const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!
    expect(upload.with?.sarif_file).toBe(`${reportDir}/acldrift-report.sarif`)
    // Uploaded even when the audit fails (exit 1 is a widening: exactly when it matters).
    expect(upload.if).toMatch(/^always\(\)/)
  })

  it("the workflow's commands audit a repository: exit 1, reports, SARIF, a log that verifies", async ({
    expect,
  }) => {
    const r = await newRepo()
    await r.write(BUCKET_FILE, policyText(bucketPolicy))
    await r.stage()
    await r.commit('Add payroll exports bucket')
    const init = await runCli(['init'], {cwd: r.dir})
    expect(init.code, dump(init)).toBe(0)
    await r.stage()
    await r.commit('Set up acldrift')
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await r.stage()
    const sha = await r.commit(identities.claudeCode.message('Fix AccessDenied'), identities.claudeCode)

    // Each step's script, as the runner's bash would run it (-e), with the built CLI.
    const steps = parseYaml(await workflowText()).jobs.audit.steps as Step[]
    const runStep = (name: string) =>
      runHermetic('sh', ['-ec', steps.find((s) => s.name === name)!.run!.replace(NPX, builtCli)], {
        cwd: r.dir,
        env: {NO_COLOR: '1'},
      })
    const first = await runStep('Verify the audit log')
    expect(first.code, dump(first)).toBe(0)
    const audit = await runStep('Audit')
    expect(audit.code, dump(audit)).toBe(1)
    const reportDir = join(r.dir, 'acldrift-reports')
    const report = JSON.parse(await readFile(join(reportDir, 'acldrift-report.json'), 'utf8')) as Report
    expectValidReport(report)
    const widening = report.findings.find((f) => f.rule === 'public-principal')
    expect(widening?.commit).toMatchObject({sha, actor: {type: 'agent', agent: 'Claude Code'}})
    expectValidSarif(JSON.parse(await readFile(join(reportDir, 'acldrift-report.sarif'), 'utf8')))
    expect(await readFile(join(r.dir, '.acldrift-audit', 'audit.jsonl'), 'utf8')).not.toBe('')

    const verify = await runStep('Verify the audit log')
    expect(verify.code, dump(verify)).toBe(0)
    expect(verify.stdout + verify.stderr).not.toBe('')
  })

  it('audits started at once append every record to one log, and its hash chain verifies', async ({
    expect,
  }) => {
    const r = await newRepo()
    await r.write(BUCKET_FILE, policyText(bucketPolicy))
    await r.stage()
    const approved = await r.commit('Add payroll exports bucket')
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await r.stage()
    await r.commit(identities.claudeCode.message('Fix AccessDenied'), identities.claudeCode)

    const log = join(r.dir, 'audit.jsonl')
    const runs = await Promise.all(
      Array.from({length: 6}, () => runCli(['audit', '--baseline', approved, '--log', log], {cwd: r.dir})),
    )
    for (const run of runs) expect(run.code, dump(run)).toBe(1)
    const lines = (await readFile(log, 'utf8')).split('\n').filter((line) => line !== '')
    expect(lines).toHaveLength(6)
    const verify = await runCli(['audit', '--verify-log', '--log', log], {cwd: r.dir})
    expect(verify.code, dump(verify)).toBe(0)
  })

  it('the README has a crontab line: five schedule fields, then the audit with reports and log', async ({
    expect,
  }) => {
    const block = /```crontab\n([^\n]+)\n```/.exec(await readme())
    expect(block).not.toBeNull()
    const fields = block![1]!.split(' ')
    for (const field of fields.slice(0, 5)) expect(field).toMatch(/^[\d*/,-]+$/)
    const command = fields.slice(5).join(' ')
    expect(command).toMatch(/\bacldrift audit --report-dir \S+ --log \S+/)
  })
})
