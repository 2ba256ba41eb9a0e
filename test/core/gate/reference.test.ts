// Which of acldrift's own files are protected, and the reference commit they are compared with,
// in a real repository: HEAD for the working tree and the index, the baseline revision, or the
// last version of a baseline snapshot that a listed approver committed.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type Config, configFromValue} from '../../../src/core/config.js'
import type {GateInput} from '../../../src/core/gate/input.js'
import {protectedPaths, readSides, referenceCommit} from '../../../src/core/gate/reference.js'
import {readPathHistory} from '../../../src/git/index.js'
import {commitAs} from '../../e2e/helpers.js'
import {createRepo, identities, type TestRepo} from '../../helpers/repo.js'

const BASELINE = '.acldrift/baseline.json'
const approvers = (...emails: string[]): Config =>
  configFromValue({version: 1, baseline: BASELINE, policy: {approvers: emails}}, 'acldrift.config.yaml')

describe('protectedPaths', () => {
  const root = '/repo'
  const input = (config: Config, baseline: Partial<GateInput['baseline']> = {}, cwd = root) => ({
    root,
    cwd,
    config,
    baseline: {snapshot: true, commit: null, ...baseline},
  })

  it('is the config, the approvals file and the config-named snapshot, relative to the root', () => {
    expect(protectedPaths(input(approvers(), {}, '/repo/sub'))).toEqual({
      config: 'acldrift.config.yaml',
      approvals: '.acldrift/approvals.yaml',
      baseline: BASELINE,
    })
  })

  it('takes --baseline FILE relative to the working directory, and drops a file outside the repository', () => {
    expect(protectedPaths(input(approvers(), {flag: 'snap.json'}, '/repo/sub')).baseline).toBe(
      'sub/snap.json',
    )
    expect(protectedPaths(input(approvers(), {flag: '/elsewhere/snap.json'})).baseline).toBeUndefined()
    expect(protectedPaths(input(approvers(), {flag: '../snap.json'}, '/repo')).baseline).toBeUndefined()
  })

  it('has no baseline file for a revision baseline, and names a --config file inside the repository', () => {
    expect(protectedPaths(input(approvers(), {snapshot: false})).baseline).toBeUndefined()
    const named = {...approvers(), file: 'conf/acl.yaml'}
    expect(protectedPaths(input(named, {}, '/repo/sub')).config).toBe('sub/conf/acl.yaml')
    expect(protectedPaths(input({...named, file: '/tmp/acl.yaml'})).config).toBeUndefined()
  })
})

describe('referenceCommit', () => {
  let repo: TestRepo
  let added: string
  let byApprover: string
  let unrelated: string
  const snapshot = (n: number) => `{"version": ${n}}\n`

  beforeAll(async () => {
    repo = await createRepo()
    added = await commitAs(repo, identities.human, 'Take the first baseline', {[BASELINE]: snapshot(1)})
    await commitAs(repo, identities.claudeCode, 'Refresh the baseline', {[BASELINE]: snapshot(2)})
    byApprover = await commitAs(repo, identities.human, 'Promote the reviewed state', {
      [BASELINE]: snapshot(3),
    })
    unrelated = await commitAs(repo, identities.human, 'Docs', {'README.md': 'hello\n'})
  })
  afterAll(() => repo.cleanup())

  const reference = async (
    config: Config,
    over: {target?: GateInput['target']; baseline?: GateInput['baseline']; file?: string | undefined} = {},
  ) => {
    const notes: string[] = []
    const target = over.target ?? {spec: {type: 'ref' as const, rev: 'HEAD'}, commit: unrelated}
    const baseline = over.baseline ?? {snapshot: true, commit: null}
    const file = 'file' in over ? over.file : BASELINE
    const history = () => readPathHistory(repo.dir, target.commit!, [BASELINE])
    const paths = {config: 'acldrift.config.yaml', approvals: '.acldrift/approvals.yaml', baseline: file}
    const {sha, unapproved} = await referenceCommit(
      {root: repo.dir, config, target, baseline},
      paths,
      history,
      notes,
    )
    return {sha, notes, ...(unapproved === undefined ? {} : {unapproved})}
  }

  it('is the target commit (HEAD) for the working tree and the index', async () => {
    for (const type of ['worktree', 'staged'] as const)
      expect((await reference(approvers(), {target: {spec: {type}, commit: unrelated}})).sha).toBe(unrelated)
  })

  it('is the baseline revision for a revision baseline', async () => {
    expect((await reference(approvers(), {baseline: {snapshot: false, commit: added}})).sha).toBe(added)
  })

  it("is the last version of the snapshot a listed approver committed as a human, skipping an agent's", async () => {
    expect(await reference(approvers('alice@example.com'))).toEqual({sha: byApprover, notes: []})
    // The agent's commit is the human's identity with Claude Code's markers: never an approver's.
    await repo.git(
      'notes',
      '--ref=ai',
      'add',
      '-m',
      '{"agent_id": {"tool": "cursor", "id": "1"}}',
      byApprover,
    )
    expect((await reference(approvers('alice@example.com'))).sha).toBe(added)
  })

  it('is the commit that added the snapshot when no listed approver committed it, which is reported', async () => {
    expect(await reference(approvers('bob@example.com'))).toEqual({
      sha: added,
      notes: [
        `${BASELINE}: no version was committed by a listed approver; acldrift's own files are compared with the commit that added it`,
      ],
      unapproved: BASELINE,
    })
  })

  it('without any approver listed, a snapshot a person added is the reference, not a finding', async () => {
    expect(await reference(approvers())).toEqual({
      sha: added,
      notes: [
        `${BASELINE}: no approver is listed (policy.approvers); acldrift's own files are compared with the commit that added it`,
      ],
    })
  })

  it("is the snapshot's own commit when the snapshot file is outside the repository", async () => {
    const {sha, notes} = await reference(approvers('alice@example.com'), {
      baseline: {snapshot: true, commit: added},
      file: undefined,
    })
    expect(sha).toBe(added)
    expect(notes).toEqual([
      `acldrift's own files compared with the baseline snapshot's commit ${added.slice(0, 7)}`,
    ])
  })
})

describe('readSides', () => {
  let repo: TestRepo
  let first: string
  let second: string
  const CONFIG = 'acldrift.config.yaml'

  beforeAll(async () => {
    repo = await createRepo()
    await repo.write(CONFIG, 'version: 1\n')
    await repo.stage()
    first = await repo.commit('Config')
    await repo.write(CONFIG, 'version: 1\npolicy: {failOn: high}\n')
    await repo.stage()
    second = await repo.commit('Lower failOn')
    await repo.write(CONFIG, 'version: 1\npolicy: {failOn: critical}\n')
    await repo.stage()
    await repo.write(CONFIG, 'version: 1\npolicy: {failOn: never}\n')
    await repo.write('.acldrift/approvals.yaml', 'version: 1\napprovals: []\n')
  })
  afterAll(() => repo.cleanup())

  const text = (side: Map<string, Buffer>) => Object.fromEntries([...side].map(([p, c]) => [p, c.toString()]))
  const paths = [CONFIG, '.acldrift/approvals.yaml']

  it('reads the reference and the working tree, the index or a revision', async () => {
    const [before, worktree] = await readSides(repo.dir, {type: 'worktree'}, second, second, paths)
    expect(text(before)).toEqual({[CONFIG]: 'version: 1\npolicy: {failOn: high}\n'})
    expect(text(worktree)).toEqual({
      [CONFIG]: 'version: 1\npolicy: {failOn: never}\n',
      '.acldrift/approvals.yaml': 'version: 1\napprovals: []\n',
    })
    const [, staged] = await readSides(repo.dir, {type: 'staged'}, second, second, paths)
    expect(text(staged)).toEqual({[CONFIG]: 'version: 1\npolicy: {failOn: critical}\n'})
    const [old, revision] = await readSides(repo.dir, {type: 'ref', rev: 'HEAD'}, first, second, paths)
    expect(text(old)).toEqual({[CONFIG]: 'version: 1\n'})
    expect(text(revision)).toEqual({[CONFIG]: 'version: 1\npolicy: {failOn: high}\n'})
  })

  it('leaves a path asked for only where it changed out of both sides when they hold the same blob', async () => {
    const only = new Set([CONFIG])
    const [before, staged] = await readSides(repo.dir, {type: 'staged'}, second, second, paths, only)
    expect(text(before)).toEqual({[CONFIG]: 'version: 1\npolicy: {failOn: high}\n'})
    expect(text(staged)).toEqual({[CONFIG]: 'version: 1\npolicy: {failOn: critical}\n'})
    const [same, again] = await readSides(repo.dir, {type: 'ref', rev: 'HEAD'}, second, second, paths, only)
    expect(same.size + again.size).toBe(0)
  })

  it('has an empty reference side where there is no reference commit', async () => {
    const [before, after] = await readSides(repo.dir, {type: 'staged'}, null, null, paths)
    expect(before.size).toBe(0)
    expect(text(after)).toEqual({[CONFIG]: 'version: 1\npolicy: {failOn: critical}\n'})
  })
})
