// pre-commit's remembered pass (core/commit-verdict.ts), in a real repository: commit-msg may
// reuse it only for the very content pre-commit read and a message that changes nothing about
// who makes the commit. Each row changes one thing after the pass and expects a full check.

import {stat, utimes} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it, onTestFinished, vi} from 'vitest'
import {forgetPass, passedWithMessage, pendingVerdict, rememberPass} from '../../src/core/commit-verdict.js'
import {createRepo, identities, runHermetic, type TestRepo} from '../helpers/repo.js'

const BASELINE = '.acldrift/baseline.json'
const POLICY = 'iam/reader.json'
const CONFIG = "version: 1\nbaseline: '.acldrift/baseline.json'\n"
const policy = (action: string) =>
  `${JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: action, Resource: '*'}]})}\n`

let r: TestRepo
const baselineFile = () => join(r.dir, BASELINE)
const head = async () => (await r.git('rev-parse', 'HEAD')).trim()

/** pre-commit passing on what is staged now. */
async function passPreCommit(): Promise<void> {
  const entry = await pendingVerdict(r.dir, {
    head: await head(),
    baselineFile: baselineFile(),
    actors: undefined,
  })
  expect(entry).toBeDefined()
  await rememberPass(r.dir, entry!)
}

beforeEach(async () => {
  r = await createRepo()
  await r.write('acldrift.config.yaml', CONFIG)
  await r.write(BASELINE, '{"snapshot": 1}\n')
  await r.write(POLICY, policy('s3:GetObject'))
  await r.stage()
  await r.commit('Set up')
  await r.write(POLICY, policy('s3:ListBucket'))
  await r.stage(POLICY)
})
afterEach(() => r.cleanup())

describe('commit-msg reuses the pre-commit pass', () => {
  it('for the same content and a plain message', async () => {
    expect(await passedWithMessage(r.dir, 'Reports reader')).toBe(false)
    await passPreCommit()
    expect(await passedWithMessage(r.dir, 'Reports reader\n\nRefs: #12\n')).toBe(true)
  })

  const changes: Array<[string, () => Promise<unknown>]> = [
    ['another blob staged', () => r.write(POLICY, policy('s3:*')).then(() => r.stage(POLICY))],
    ['a path added to the index', () => r.write('iam/new.json', policy('iam:*')).then(() => r.stage())],
    ['the config edited in the working tree', () => r.write('acldrift.config.yaml', `${CONFIG}# edited\n`)],
    ['the baseline snapshot edited', () => r.write(BASELINE, '{"snapshot": 2}\n')],
    ['HEAD moved', () => r.commit('Reader').then(() => r.write(POLICY, policy('s3:ListBucket')))],
  ]
  it.each(changes)('not after %s', async (_, change) => {
    await passPreCommit()
    await change()
    expect(await passedWithMessage(r.dir, 'Reports reader')).toBe(false)
  })

  it('with HEAD as baseline (no snapshot file)', async () => {
    const entry = await pendingVerdict(r.dir, {
      head: await head(),
      baselineFile: undefined,
      actors: undefined,
    })
    await rememberPass(r.dir, entry!)
    expect(await passedWithMessage(r.dir, 'Reports reader')).toBe(true)
    await r.write(POLICY, policy('s3:*'))
    await r.stage(POLICY)
    expect(await passedWithMessage(r.dir, 'Reports reader')).toBe(false)
  })

  it("not when the message names an agent (its trailer is evidence about the commit's actor)", async () => {
    await passPreCommit()
    expect(await passedWithMessage(r.dir, identities.claudeCode.message!('Reports reader'))).toBe(false)
  })

  it('not when the commit is made by someone else', async () => {
    await passPreCommit()
    process.env.GIT_AUTHOR_EMAIL = 'mallory@example.com'
    try {
      expect(await passedWithMessage(r.dir, 'Reports reader')).toBe(false)
    } finally {
      delete process.env.GIT_AUTHOR_EMAIL
    }
  })

  it('not once the next pre-commit has started (it forgets the entry before checking)', async () => {
    await passPreCommit()
    await forgetPass(r.dir)
    expect(await passedWithMessage(r.dir, 'Reports reader')).toBe(false)
    await forgetPass(r.dir)
  })

  it('not during a merge: git merge runs commit-msg after no pre-commit', async () => {
    await passPreCommit()
    await r.write('.git/MERGE_HEAD', `${await head()}\n`)
    expect(await passedWithMessage(r.dir, 'Reports reader')).toBe(false)
  })

  it('not from an entry that is not one', async () => {
    await r.write('.git/acldrift/pre-commit-verdict.json', '{"key": 1}\n')
    expect(await passedWithMessage(r.dir, 'Reports reader')).toBe(false)
  })

  it('not with unmerged paths (the index has no tree to key on)', async () => {
    // A path at merge stages 1–3, as a conflicted merge leaves it.
    const blob = (await r.git('hash-object', '-w', POLICY)).trim()
    await r.git('rm', '--cached', '-q', POLICY)
    const stages = [1, 2, 3].map((stage) => `100644 ${blob} ${stage}\t${POLICY}`).join('\n')
    await runHermetic('git', ['update-index', '--index-info'], {cwd: r.dir, input: `${stages}\n`})
    expect(
      await pendingVerdict(r.dir, {head: await head(), baselineFile: baselineFile(), actors: undefined}),
    ).toBeUndefined()
  })
})

describe('with a settled snapshot file, keyed by its stat data (its bytes are not hashed)', () => {
  // The file must be older than the racy window (commit-verdict.ts, SETTLED_MS: its ctime more
  // than 2 s before Date.now()) when pre-commit passes. The clock is moved 2.1 s on for the rest of
  // the test instead of waiting that long (ctime cannot be set back); each test writes nothing
  // between settling and pre-commit's pass, so what pre-commit reads is what it read after a wait.
  const realNow = Date.now.bind(Date)
  const settle = () => {
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 2100)
    onTestFinished(() => clock.mockRestore())
  }

  it('reuses the pass for the same file', async () => {
    settle()
    const entry = await pendingVerdict(r.dir, {
      head: await head(),
      baselineFile: baselineFile(),
      actors: undefined,
    })
    expect(entry?.baselineBy).toBe('stat')
    await rememberPass(r.dir, entry!)
    expect(await passedWithMessage(r.dir, 'Reports reader')).toBe(true)
  }, 15_000)

  it('not after the file is rewritten in place with the same size and its times set back', async () => {
    // (whole seconds, so that setting them back restores the very mtime: only the ctime tells)
    await utimes(baselineFile(), 1_700_000_000, 1_700_000_000)
    settle()
    await passPreCommit()
    const before = await stat(baselineFile(), {bigint: true})
    await r.write(BASELINE, '{"snapshot": 3}\n')
    await utimes(baselineFile(), 1_700_000_000, 1_700_000_000)
    const after = await stat(baselineFile(), {bigint: true})
    expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs])
    expect(await passedWithMessage(r.dir, 'Reports reader')).toBe(false)
  }, 15_000)

  it('not after the file is edited in the working tree only (the hook reads it there)', async () => {
    settle()
    await passPreCommit()
    await r.write(BASELINE, '{"snapshot": 22}\n')
    expect(await r.git('diff', '--cached', '--name-only')).not.toContain(BASELINE)
    expect(await passedWithMessage(r.dir, 'Reports reader')).toBe(false)
  }, 15_000)
})
