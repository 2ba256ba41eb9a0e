// The scheduled audit as documented: the GitHub Actions workflow (docs/acldrift-audit.yml, shown
// in the README; test/e2e/action.test.ts runs the action it uses) and the crontab line.

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, it} from 'vitest'
import {parse as parseYaml} from 'yaml'
import {identities, projectRoot, runCli} from '../helpers/repo.js'
import {dump, repoFactory} from './helpers.js'
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

describe.concurrent('the documented scheduled audit', () => {
  it('the README shows the workflow file as it is', async ({expect}) => {
    expect(await readme()).toContain('```yaml\n' + (await workflowText()) + '```\n')
  })

  it('the workflow runs on a schedule and on demand, through the action (test/e2e/action.test.ts runs it)', async ({
    expect,
  }) => {
    const workflow = parseYaml(await workflowText())
    expect(workflow.on.schedule[0].cron).toMatch(/^(\S+ ){4}\S+$/)
    expect(workflow.on).toHaveProperty('workflow_dispatch')
    const steps = workflow.jobs.audit.steps as Step[]
    expect(steps.find((s) => s.uses?.startsWith('acldrift/acldrift@'))?.with).toMatchObject({mode: 'audit'})
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
