// A hook that stays out of the way, and one change that is not a wall (issue 18, items 3 and 4):
// `check --staged --quiet` (what the hooks run) prints nothing when the commit passes and one line
// when approvals are what let it pass; `permissions: write-all` is one block in the report; its
// widenings are approved in one call; `approvals prune` removes the approvals once they match
// nothing, and the gate reports that removal as a narrowing, never a widening.

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/repo.js'
import {checkJson, commitFiles, repoFactory} from './helpers.js'

const newRepo = repoFactory()
const WORKFLOW = '.github/workflows/release.yml'
const APPROVALS = '.acldrift/approvals.yaml'
const CONFIG = [
  'version: 1',
  'policy:',
  '  failOn: widening',
  '  approvers:',
  '    - alice@example.com',
  '',
].join('\n')
const workflow = (permissions: string) =>
  `name: release\non: push\n${permissions}\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm publish\n`
const READ_ONLY = workflow('permissions:\n  contents: read')
const WRITE_ALL = workflow('permissions: write-all')
const approvalIds = async (dir: string) =>
  [...(await readFile(join(dir, APPROVALS), 'utf8')).matchAll(/^ {2}- id: (\w+)$/gm)].map((m) => m[1])

describe('quiet hooks, grouped findings, approvals in bulk, approvals prune', () => {
  it('a write-all workflow: one block, approved in one call, pruned once reverted', async () => {
    const r = await newRepo()
    await commitFiles(r, {'acldrift.config.yaml': CONFIG, [WORKFLOW]: READ_ONLY}, 'Release workflow')
    await r.git('tag', 'base')
    const hook = (...args: string[]) => runCli(['check', '--staged', '--quiet', ...args], {cwd: r.dir})

    // A commit that touches no access config: the hook prints nothing at all.
    await r.write('README.md', '# release tooling\n')
    await r.stage('README.md')
    const silent = await hook()
    expect([silent.code, silent.stdout, silent.stderr]).toEqual([0, '', ''])
    await r.commit('Readme')

    // write-all: every scope widened, shown as one block per change that lists each id.
    await r.write(WORKFLOW, WRITE_ALL)
    await r.stage(WORKFLOW)
    const blocked = await hook()
    expect(blocked.code, blocked.stderr).toBe(1)
    const staged = await checkJson(r.dir, ['--staged'])
    const ids = staged.report.findings.filter((f) => f.change === 'widening').map((f) => f.id)
    expect(ids.length).toBeGreaterThan(10)
    const block = new RegExp(
      `scope-widened  ${WORKFLOW.replaceAll('.', '\\.')}:3  (\\d+) findings of one change`,
    )
    expect(blocked.stdout).toMatch(block)
    // contents was read already: its finding points at another baseline line, so it stands alone.
    expect(Number(block.exec(blocked.stdout)![1])).toBe(ids.length - 1)
    for (const id of ids) expect(blocked.stdout).toContain(id)
    // The grouped report is a screenful, not a wall: one line per finding plus what they share (it was 11 lines each).
    expect(blocked.stdout.split('\n').length).toBeLessThan(ids.length + 27)
    await r.commit('Publish packages')

    // Two ids in one call, then every widening of the commit: one entry per exact access.
    const range = ['--baseline', 'base']
    const approve = (...args: string[]) =>
      runCli(['approve', ...args, ...range, '--reason', 'publishing', '--expires', '2099-12-31'], {
        cwd: r.dir,
      })
    const two = await approve(ids[0]!, ids[1]!.slice(0, 8))
    expect(two.code, two.stderr).toBe(0)
    expect(await approvalIds(r.dir)).toEqual([ids[0], ids[1]])
    const all = await approve('--all-from', 'HEAD')
    expect(all.code, all.stderr).toBe(0)
    expect((await approvalIds(r.dir)).sort()).toEqual([...ids].sort())
    const byRule = await approve('--rule', 'scope-widened', '--file', WORKFLOW)
    expect(byRule.code, byRule.stderr).toBe(0)
    expect(byRule.stdout).toContain(`renewed approval of ${ids[0]}`)
    await r.stage(APPROVALS)
    await r.commit('Approve the release workflow publishing')

    // Approved: the hook passes with one line, and no report.
    await r.write('README.md', '# release tooling, approved\n')
    await r.stage('README.md')
    const approved = await hook(...range)
    expect(approved.code, approved.stdout).toBe(0)
    expect(approved.stdout).toBe('')
    expect(approved.stderr).toBe(`acldrift: ${ids.length} approved widenings, see \`acldrift check\`\n`)
    await r.commit('Readme again')

    // Reverted: every approval is stale against the approved baseline; prune removes them.
    await commitFiles(r, {[WORKFLOW]: READ_ONLY}, 'Back to read-only')
    const pruned = await runCli(['approvals', 'prune', ...range], {cwd: r.dir})
    expect(pruned.code, pruned.stderr).toBe(0)
    expect(pruned.stdout).toContain(`removed ${ids.length} approvals from ${APPROVALS}`)
    expect(await approvalIds(r.dir)).toEqual([])
    await r.stage(APPROVALS)
    // The removal, staged: a narrowing the hook does not even mention.
    const removal = await checkJson(r.dir, ['--staged'])
    const removed = removal.report.findings.filter((f) => f.rule === 'approval-removed')
    expect(removed.map((f) => f.change)).toEqual(ids.map(() => 'narrowing'))
    expect(removal.code).toBe(0)
    const quiet = await hook()
    expect([quiet.code, quiet.stdout, quiet.stderr]).toEqual([0, '', ''])
    // Nothing left to prune.
    await r.commit('Prune approvals')
    const again = await runCli(['approvals', 'prune', ...range], {cwd: r.dir})
    expect(again.stdout).toContain('no expired or stale approval to remove')
  }, 120_000)
})
