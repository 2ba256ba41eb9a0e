// The GitHub Action (action.yml) and the workflows the README documents with it
// (docs/acldrift-audit.yml, docs/acldrift-pull-request.yml). actionlint cannot be installed here:
// the files are checked against schemas written from GitHub's documented syntax
// (test/helpers/github-actions-schema.ts), every expression is checked against what is declared,
// and the action's own bash steps run against a real repository, as the runner runs them
// (`bash --noprofile --norc -eo pipefail`), with the inputs a workflow passes as their environment
// and this checkout as GITHUB_ACTION_PATH. The `uses:` steps (setup-node, upload-sarif) and the
// GitHub API calls (the pull-request comment, the download of the last audit log) need GitHub:
// they are checked as data only.

import {readFileSync} from 'node:fs'
import {readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {Ajv} from 'ajv'
import {describe, it} from 'vitest'
import {parse as parseYaml} from 'yaml'
import {ACTION_SCHEMA, WORKFLOW_SCHEMA} from '../helpers/github-actions-schema.js'
import {makeTempDir, projectRoot, runHermetic} from '../helpers/repo.js'
import {
  dump,
  expectValidReport,
  expectValidSarif,
  initialisedThenMadePublicByAgent,
  repoFactory,
  type Report,
} from './helpers.js'

const newRepo = repoFactory()

interface Step {
  name?: string
  id?: string
  uses?: string
  run?: string
  shell?: string
  if?: string
  env?: Record<string, string>
  with?: Record<string, unknown>
}
interface Action {
  inputs: Record<string, {default?: string}>
  outputs: Record<string, {value: string}>
  runs: {steps: Step[]}
}
interface Workflow {
  permissions: Record<string, string>
  jobs: Record<string, {steps: Step[]}>
}

const readYaml = <T>(...path: string[]) => parseYaml(readFileSync(join(projectRoot, ...path), 'utf8')) as T
const action = readYaml<Action>('action.yml')
const WORKFLOWS = ['acldrift-audit.yml', 'acldrift-pull-request.yml']
const workflow = (name: string) => readYaml<Workflow>('docs', name)
const uses = (step: Step) => step.uses?.replace(/@.*/, '')
/** The step of the workflow that uses this action. */
const actionStep = (name: string) =>
  Object.values(workflow(name).jobs)
    .flatMap((job) => job.steps)
    .find((step) => uses(step) === 'acldrift/acldrift')!

const expressions = (text: string) => [...text.matchAll(/\$\{\{\s*(.*?)\s*\}\}/g)].map((m) => m[1]!)

/** The value of an expression in a step's `env`: the action's inputs are all these steps read. */
function evaluate(value: string, inputs: Record<string, string>): string {
  return value.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expression: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(expression)
    if (input === null || !(input[1]! in inputs)) throw new Error(`cannot evaluate ${expression}`)
    return inputs[input[1]!]!
  })
}

/** Runs the action's bash step `name` as the runner does, with `given` as the workflow's `with:`. */
async function runActionStep(name: string, given: Record<string, string>, cwd: string) {
  const step = action.runs.steps.find((s) => s.name === name)!
  const inputs = {
    ...Object.fromEntries(Object.entries(action.inputs).map(([id, input]) => [id, input.default ?? ''])),
    ...given,
  }
  const tmp = await makeTempDir('acldrift-action-step-')
  const [script, output, summary] = ['step.sh', 'output', 'summary'].map((file) => join(tmp, file))
  await writeFile(script!, step.run!)
  const env = Object.fromEntries(
    Object.entries(step.env ?? {}).map(([key, value]) => [key, evaluate(value, inputs)]),
  )
  const result = await runHermetic('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script!], {
    cwd,
    env: {
      ...env,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: projectRoot,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      NO_COLOR: '1',
    },
  })
  const read = async (file: string) => readFile(file, 'utf8').catch(() => '')
  const outputs = Object.fromEntries(
    (await read(output!))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  )
  const stepSummary = await read(summary!)
  await rm(tmp, {recursive: true, force: true})
  return {...result, outputs, summary: stepSummary}
}

/** The Verdict step with the exit code the run step recorded. */
async function verdict(exitCode: string | undefined, cwd: string) {
  const step = action.runs.steps.find((s) => s.name === 'Verdict')!
  return runHermetic('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
    cwd,
    env: exitCode === undefined ? {} : {EXIT_CODE: exitCode},
  })
}

/** A repository set up with acldrift, then an AI agent's commit that makes the bucket public. */
async function widenedRepo() {
  const r = await newRepo()
  return {r, ...(await initialisedThenMadePublicByAgent(r))}
}

describe.concurrent('the GitHub Action and the documented workflows', () => {
  it("action.yml and the workflows follow GitHub's documented syntax", ({expect}) => {
    const ajv = new Ajv({strict: false, allErrors: true})
    const validAction = ajv.compile(ACTION_SCHEMA)
    expect(validAction(action), ajv.errorsText(validAction.errors)).toBe(true)
    const validWorkflow = ajv.compile(WORKFLOW_SCHEMA)
    for (const name of WORKFLOWS) {
      expect(validWorkflow(workflow(name)), `${name}: ${ajv.errorsText(validWorkflow.errors)}`).toBe(true)
    }
    // The schemas reject what GitHub rejects: a run step without its shell, an unknown scope.
    const shellless = structuredClone(action)
    delete shellless.runs.steps.find((step) => step.run !== undefined)!.shell
    expect(validAction(shellless)).toBe(false)
    const misspelt = {...workflow(WORKFLOWS[0]!), permissions: {'security-event': 'write'}}
    expect(validWorkflow(misspelt)).toBe(false)
  })

  it('scripts read their inputs from the environment, and every expression names something declared', ({
    expect,
  }) => {
    const stepIds = new Set(action.runs.steps.map((step) => step.id).filter(Boolean))
    for (const step of action.runs.steps) {
      // An expression inside a script is pasted into it before bash reads it: script injection.
      if (step.run !== undefined) expect(expressions(step.run), step.name).toEqual([])
      for (const expression of expressions(JSON.stringify([step.env, step.with, step.if]))) {
        for (const [, id] of expression.matchAll(/\binputs\.([\w-]+)/g))
          expect(Object.keys(action.inputs), expression).toContain(id)
        for (const [, id] of expression.matchAll(/\bsteps\.([\w-]+)\.outputs/g))
          expect([...stepIds], expression).toContain(id)
      }
    }
    for (const [name, output] of Object.entries(action.outputs))
      expect(output.value).toBe(`\${{ steps.acldrift.outputs.${name} }}`)
    // The workflows pass only inputs the action has and read only outputs it declares.
    for (const name of WORKFLOWS) {
      const step = actionStep(name)
      for (const input of Object.keys(step.with ?? {}))
        expect(Object.keys(action.inputs), name).toContain(input)
      const text = readFileSync(join(projectRoot, 'docs', name), 'utf8')
      for (const [, output] of text.matchAll(new RegExp(`steps\\.${step.id}\\.outputs\\.([\\w-]+)`, 'g')))
        expect(Object.keys(action.outputs), name).toContain(output)
    }
  })

  it('the README shows both workflows as they are, and every input and output of the action', ({expect}) => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8')
    for (const name of WORKFLOWS)
      expect(readme, name).toContain(
        '```yaml\n' + readFileSync(join(projectRoot, 'docs', name), 'utf8') + '```\n',
      )
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)])
      expect(readme, name).toMatch(new RegExp(`^\\| \`${name}\`\\s+\\|`, 'm'))
  })

  it('the workflows ask for the least they need', ({expect}) => {
    const audit = workflow('acldrift-audit.yml')
    // read the code, upload SARIF, and read the last run's artifact (and upload-sarif's run status)
    expect(audit.permissions).toEqual({contents: 'read', 'security-events': 'write', actions: 'read'})
    expect(actionStep('acldrift-audit.yml').with).toMatchObject({mode: 'audit', 'upload-sarif': true})
    const pullRequest = workflow('acldrift-pull-request.yml')
    expect(pullRequest.permissions).toEqual({
      contents: 'read',
      'pull-requests': 'write',
      'security-events': 'write',
      actions: 'read',
    })
    expect(actionStep('acldrift-pull-request.yml').with).toMatchObject({comment: true, 'upload-sarif': true})
    for (const name of WORKFLOWS) {
      const checkout = Object.values(workflow(name).jobs)[0]!.steps.find(
        (s) => uses(s) === 'actions/checkout',
      )
      expect(checkout?.with, `${name}: semantic blame reads the history`).toMatchObject({'fetch-depth': 0})
      const notes = Object.values(workflow(name).jobs)[0]!.steps.find((s) => s.run?.includes('refs/notes/ai'))
      expect(notes?.run, `${name}: agent evidence carried across rebases`).toContain(
        "git fetch --no-tags origin '+refs/notes/ai:refs/notes/ai'",
      )
    }
  })

  it('check on a pull request: the reports and counts come out, and the job fails only at the end', async ({
    expect,
  }) => {
    const {r, approved} = await widenedRepo()
    const range = `${approved}...HEAD`
    const build = await runActionStep('Build acldrift', {}, r.dir)
    expect(build.code, dump(build)).toBe(0)
    const run = await runActionStep('Run acldrift', {range}, r.dir)
    expect(run.code, dump(run)).toBe(0)
    expect(run.stdout).toMatch(/\[CRITICAL\] WIDENING\s+public-principal/)
    expect(run.outputs).toMatchObject({
      'exit-code': '1',
      json: 'acldrift-reports/acldrift-report.json',
      sarif: 'acldrift-reports/acldrift-report.sarif',
      markdown: 'acldrift-reports/acldrift-report.md',
      unapproved: expect.stringMatching(/^[1-9]\d*$/),
      invalid: '0',
    })
    // Every declared output is set (the audit log's anchor in audit mode only).
    expect(Object.keys(run.outputs).sort()).toEqual(
      Object.keys(action.outputs)
        .filter((name) => name !== 'log-head')
        .sort(),
    )
    const report = JSON.parse(await readFile(join(r.dir, run.outputs.json!), 'utf8')) as Report
    expectValidReport(report)
    expect(run.outputs.widenings).toBe(String(report.summary.widening))
    expectValidSarif(JSON.parse(await readFile(join(r.dir, run.outputs.sarif!), 'utf8')))
    const markdown = await readFile(join(r.dir, run.outputs.markdown!), 'utf8')
    expect(run.summary).toBe(markdown)
    expect(markdown).toContain('public-principal')

    expect((await verdict(run.outputs['exit-code'], r.dir)).code).toBe(1)
    expect((await verdict('0', r.dir)).code).toBe(0)
    // A run step that recorded nothing must not pass.
    expect((await verdict(undefined, r.dir)).code).not.toBe(0)

    const narrower = await runActionStep('Run acldrift', {range: `${approved}...${approved}`}, r.dir)
    expect(narrower.outputs).toMatchObject({'exit-code': '0', widenings: '0', unapproved: '0'})
    const wrongMode = await runActionStep('Run acldrift', {mode: 'scan'}, r.dir)
    expect(wrongMode.outputs['exit-code']).toBe('2')
  }, 180_000)

  it("audit as the audit workflow configures it: the log's anchor is checked on the next run", async ({
    expect,
  }) => {
    const {r, sha} = await widenedRepo()
    // The workflow's `with:`, its expressions filled as GitHub would: no earlier log on the first run.
    const configured = actionStep('acldrift-audit.yml').with as Record<string, unknown>
    const given = (expectHead: string) =>
      Object.fromEntries(
        Object.entries(configured).map(([key, value]) => [
          key,
          String(value)
            .replace('${{ steps.last.outputs.expect-head }}', expectHead)
            .replace('${{ secrets.ACLDRIFT_LOG_KEY }}', 'c0ffee'.repeat(6)),
        ]),
      )
    const log = join(r.dir, String(configured.log))

    const first = await runActionStep('Run acldrift', given(''), r.dir)
    expect(first.code, dump(first)).toBe(0)
    expect(first.outputs['exit-code'], dump(first)).toBe('1')
    const report = JSON.parse(await readFile(join(r.dir, first.outputs.json!), 'utf8')) as Report
    const widening = report.findings.find((f) => f.rule === 'public-principal')
    expect(widening?.commit).toMatchObject({sha, actor: {type: 'agent', agent: 'Claude Code'}})
    const anchor = first.outputs['log-head']!
    expect(anchor).toMatch(/^1:[0-9a-f]{64}$/)

    // The workflow keeps the anchor beside the log; the next run gets both back and checks them.
    const keep = workflow('acldrift-audit.yml').jobs.audit!.steps.find(
      (s) => s.name === 'Keep the anchor with the log',
    )!
    const kept = await runHermetic('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', keep.run!], {
      cwd: r.dir,
      env: {LOG_HEAD: anchor},
    })
    expect(kept.code, dump(kept)).toBe(0)
    const head = (await readFile(join(r.dir, '.acldrift-audit', 'head'), 'utf8')).trim()
    expect(head).toBe(anchor)
    const second = await runActionStep('Run acldrift', given(head), r.dir)
    expect(second.outputs['exit-code'], dump(second)).toBe('1')
    expect(second.outputs['log-head']).toMatch(/^2:/)

    // The log cut back to before the anchor's record: the audit stops at the check.
    const records = (await readFile(log, 'utf8')).split('\n').filter(Boolean)
    await writeFile(log, records[0] + '\n')
    const cut = await runActionStep('Run acldrift', given(second.outputs['log-head']!), r.dir)
    expect(cut.outputs['exit-code'], dump(cut)).toBe('3')
    expect(cut.outputs['log-head']).toBeUndefined()
    // A log gone while an anchor says there was one: never a silent new log.
    await rm(log)
    const lost = await runActionStep('Run acldrift', given(anchor), r.dir)
    expect(lost.outputs['exit-code'], dump(lost)).toBe('3')
    expect(lost.stdout + lost.stderr).toMatch(/audit log .* is missing/)
  }, 180_000)
})
