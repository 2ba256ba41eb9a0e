// The gate run from its narrow input, in a real repository: an uncommitted weakening of the
// policy is the pending commit's; it gates by the reference's policy until an approver makes it.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {loadConfig} from '../../../src/core/config.js'
import {type GateInput, readGate} from '../../../src/core/gate/index.js'
import {createRepo, type TestRepo} from '../../helpers/repo.js'

const CONFIG = 'acldrift.config.yaml'
let repo: TestRepo
let head: string

beforeAll(async () => {
  repo = await createRepo()
  await repo.write(CONFIG, 'version: 1\npolicy:\n  failOn: high\n  approvers: [alice@example.com]\n')
  await repo.stage()
  head = await repo.commit('Set up acldrift')
  await repo.write(CONFIG, 'version: 1\npolicy:\n  failOn: never\n  approvers: [alice@example.com]\n')
})
afterAll(() => repo.cleanup())

const gate = async (env: NodeJS.ProcessEnv) => {
  const input: GateInput = {
    root: repo.dir,
    cwd: repo.dir,
    config: await loadConfig(repo.dir),
    target: {spec: {type: 'worktree'}, commit: head},
    baseline: {snapshot: false, commit: head},
    range: false,
    compared: new Set(),
    env,
    now: new Date('2026-06-01T00:00:00Z'),
  }
  const reading = await readGate(input)
  // No approvals are read, so none counts before the access findings (none here) are judged.
  expect(reading.counting).toEqual([])
  return reading.judge([])
}

describe('readGate', () => {
  it("reports an agent's uncommitted lowering of failOn and keeps the reference's policy", async () => {
    const out = await gate({CLAUDECODE: '1'})
    expect(out.errors).toEqual([])
    expect(
      out.findings.map((f) => [f.rule, f.witness?.setting, f.line, f.commit?.sha, f.commit?.actor.type]),
    ).toEqual([['config-weakened', 'policy.failOn', 3, 'pending', 'agent']])
    expect(out.findings[0]!.approval).toBeNull()
    expect(out.policy).toEqual({failOn: 'high', agents: 'require-approval'})
  })

  it('lets the weakening apply once a listed approver makes it, as a human', async () => {
    const out = await gate({})
    expect(
      out.findings.map((f) => [f.rule, f.commit?.actor.type, f.approval?.source, f.approval?.valid]),
    ).toEqual([['config-weakened', 'human', 'approver-commit', true]])
    expect(out.policy).toEqual({failOn: 'never', agents: 'require-approval'})
  })
})
