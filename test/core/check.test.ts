// runCheck in-process, in a real repository: a widening with its location and commit, a moved
// policy is no change, a file that cannot be read is an error and not a removal, and the
// report's policy is the gate's.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCheck} from '../../src/core/check.js'
import {DEFAULT_CONFIG, loadConfig} from '../../src/core/config.js'
import type {CheckOptions} from '../../src/core/options.js'
import {createRepo, type TestRepo} from '../helpers/repo.js'

const policy = (action: string) =>
  `${JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: action, Resource: 'arn:aws:s3:::data/*'}]}, null, 2)}\n`

let repo: TestRepo
let head: string

beforeAll(async () => {
  repo = await createRepo()
  await repo.write('iam/app.json', policy('s3:GetObject'))
  await repo.write('iam/other.json', policy('s3:ListBucket'))
  await repo.stage()
  head = await repo.commit('Policies')
})
afterAll(() => repo.cleanup())

const check = (options: Partial<CheckOptions> = {}) =>
  runCheck({
    root: repo.dir,
    cwd: repo.dir,
    config: DEFAULT_CONFIG,
    target: {type: 'worktree'},
    env: {},
    ...options,
  } as CheckOptions)

describe('runCheck', () => {
  it('reports a widening in the working tree against HEAD, located and given to uncommitted changes', async () => {
    await repo.write('iam/app.json', policy('s3:*'))
    const report = await check()
    expect(report.baseline).toEqual({source: 'HEAD', commit: head})
    expect(report.target).toEqual({source: 'worktree', commit: head})
    expect(report.errors).toEqual([])
    expect(report.findings.length).toBeGreaterThan(0)
    expect(report.findings.every((f) => f.file === 'iam/app.json' && f.change === 'widening')).toBe(true)
    expect(report.findings[0]).toMatchObject({line: 4, pointer: '/Statement/0', commit: {sha: 'pending'}})
    expect(report.policy).toEqual({failOn: 'widening', agents: 'require-approval'})
    await repo.write('iam/app.json', policy('s3:GetObject'))
  })

  it('compares a moved policy with its baseline version: the move is no change', async () => {
    await repo.git('mv', 'iam/other.json', 'iam/moved.json')
    const report = await check({target: {type: 'staged'}})
    expect(report.findings).toEqual([])
    expect(report.notes).toContain(
      'iam/other.json moved to iam/moved.json: compared with its baseline version',
    )
    await repo.git('mv', 'iam/moved.json', 'iam/other.json')
  })

  it('names a file that no longer parses as an error, not as a removal of its access', async () => {
    await repo.write('iam/app.json', '{"Version": "2012-10-17", "Statement": [')
    const report = await check()
    expect(report.errors.map((e) => e.file)).toEqual(['iam/app.json'])
    expect(report.findings).toEqual([])
    await repo.write('iam/app.json', policy('s3:GetObject'))
  })

  it('compares only the focus among files of kinds compared alone; kinds compared whole stay compared', async () => {
    const rbac = [
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: Role',
      'metadata: {name: reader, namespace: prod}',
      'rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]',
      '---',
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: RoleBinding',
      'metadata: {name: jane-reads, namespace: prod}',
      'subjects: [{kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}]',
      'roleRef: {kind: Role, name: reader, apiGroup: rbac.authorization.k8s.io}',
      '',
    ].join('\n')
    await repo.write('iam/app.json', policy('s3:*'))
    await repo.write('iam/other.json', policy('s3:*'))
    await repo.write('k8s/rbac.yaml', rbac)
    const files = async (options: Partial<CheckOptions>) =>
      [...new Set((await check(options)).findings.map((f) => f.file))].sort()
    expect(await files({})).toEqual(['iam/app.json', 'iam/other.json', 'k8s/rbac.yaml'])
    expect(await files({focus: new Set(['iam/app.json'])})).toEqual(['iam/app.json', 'k8s/rbac.yaml'])
    await repo.write('iam/app.json', policy('s3:GetObject'))
    await repo.write('iam/other.json', policy('s3:ListBucket'))
    await repo.remove('k8s/rbac.yaml')
  })

  it("judges by the stricter policy while the target's config lowers failOn unapproved", async () => {
    await repo.write('acldrift.config.yaml', 'version: 1\npolicy:\n  failOn: critical\n')
    await repo.stage('acldrift.config.yaml')
    await repo.commit('Config')
    await repo.write('acldrift.config.yaml', 'version: 1\npolicy:\n  failOn: never\n')
    const report = await check({config: await loadConfig(repo.dir)})
    expect(report.findings.map((f) => [f.rule, f.witness?.setting])).toEqual([
      ['config-weakened', 'policy.failOn'],
    ])
    expect(report.policy).toEqual({failOn: 'critical', agents: 'require-approval'})
  })
})
