// The built CLI killed with SIGKILL at moments spread over its run, while it writes the baseline
// snapshot (`snapshot --out`, `baseline update`) or the approvals file (`approve`): afterwards the
// file holds the old state or the new one, valid, never torn; what a killed run leaves behind
// (a temporary file, the approvals lock) breaks nothing, and the next run completes.
// (The audit log's own crash tests are in test/core/audit-log/.)

import {existsSync} from 'node:fs'
import {readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {parse as parseYaml} from 'yaml'
import {describe, expect, it} from 'vitest'
import {projectRoot, runCli, runHermetic, type TestRepo} from '../helpers/repo.js'
import {checkJson, commitFiles, expectValidSnapshot, repoFactory} from './helpers.js'
import {policyText} from './policies.js'

const newRepo = repoFactory()

const POLICY = 'iam/reports.json'
const BASELINE = '.acldrift/baseline.json'
const APPROVALS = '.acldrift/approvals.yaml'
const TRIALS = 6

const policy = (actions: string[], principal?: string) =>
  policyText({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        ...(principal === undefined ? {} : {Principal: principal}),
        Action: actions,
        Resource: 'arn:aws:s3:::acme-reports/*',
      },
    ],
  })
const before = policy(['s3:GetObject', 's3:ListBucket'])
/** A narrowing of `before`: `baseline update` promotes it without an approval. */
const after = policy(['s3:GetObject'])

/** Runs the CLI and kills it with SIGKILL after `ms` (if it is still running). */
const runKilledAfter = (dir: string, args: string[], ms: number) =>
  runHermetic(process.execPath, [join(projectRoot, 'bin', 'run.js'), ...args], {
    cwd: dir,
    env: {NO_COLOR: '1'},
    timeoutMs: ms,
  })

/** How long an uninterrupted run takes: the kills are spread from early in it to its end. */
async function killMoments(dir: string, args: string[]): Promise<number[]> {
  const start = Date.now()
  const result = await runCli(args, {cwd: dir})
  expect(result.code, result.stderr).toBe(0)
  const ms = Date.now() - start
  return Array.from({length: TRIALS}, (_, i) => Math.round(ms * (0.3 + (0.8 * i) / (TRIALS - 1))))
}

/** The documents' hashes of a snapshot file, after checking that it is whole and valid. */
async function snapshotHashes(file: string): Promise<string> {
  const snapshot = JSON.parse(await readFile(file, 'utf8')) as {
    documents: Array<{path: string; hash: string}>
  }
  expectValidSnapshot(snapshot)
  return snapshot.documents.map((d) => `${d.path}:${d.hash}`).join(',')
}

/**
 * Nothing but the file itself and what killed writers leave, which nothing reads: the temporary
 * files of atomic writes, and the private files of lock takers (`<lock>.<token>`, see
 * src/core/audit-log/lock.ts: a run killed between writing its owner record and linking it into
 * place leaves one; the next lock holder sweeps it once it is stale), and the stale-lock breaker's
 * guard (`<lock>.break`), left by a run killed while it held it and removed once stale.
 */
async function expectOnlyLeftovers(repo: TestRepo, allowed: string[]): Promise<void> {
  const litter = (name: string) =>
    /^\..+\.[0-9a-f]{12}\.tmp$/.test(name) ||
    allowed.some(
      (file) =>
        file.endsWith('.lock') &&
        name.startsWith(`${file}.`) &&
        /^([0-9a-f]{16}|break)$/.test(name.slice(file.length + 1)),
    )
  for (const name of await readdir(join(repo.dir, '.acldrift')))
    expect(allowed.includes(name) || litter(name), name).toBe(true)
}

describe.concurrent('killed mid-write: the baseline and the approvals are old or new, never torn', () => {
  for (const command of ['snapshot', 'baseline update'] as const) {
    it(`${command}`, async () => {
      const repo = await newRepo()
      await commitFiles(repo, {[POLICY]: before}, 'Approved')
      const made = await runCli(['snapshot', '--out', BASELINE], {cwd: repo.dir})
      expect(made.code, made.stderr).toBe(0)
      await repo.write('acldrift.config.yaml', `version: 1\nbaseline: ${BASELINE}\n`)
      await repo.stage()
      await repo.commit('Baseline')
      const file = join(repo.dir, BASELINE)
      const old = await readFile(file)
      const oldState = await snapshotHashes(file)
      await repo.write(POLICY, after)
      const args = command === 'snapshot' ? ['snapshot', '--out', BASELINE] : ['baseline', 'update']
      const moments = await killMoments(repo.dir, args)
      const newState = await snapshotHashes(file)
      expect(newState).not.toBe(oldState)
      const seen = new Set<string>()
      for (const ms of moments) {
        await writeFile(file, old)
        await runKilledAfter(repo.dir, args, ms)
        const state = await snapshotHashes(file)
        expect([oldState, newState]).toContain(state)
        seen.add(state === oldState ? 'old' : 'new')
      }
      await expectOnlyLeftovers(repo, ['baseline.json'])
      // What the kills left behind does not disturb the next run, nor a check.
      const last = await runCli(args, {cwd: repo.dir})
      expect(last.code, last.stderr).toBe(0)
      expect(await snapshotHashes(file)).toBe(newState)
      const check = await checkJson(repo.dir)
      expect(check.report.errors).toEqual([])
    }, 120_000)
  }

  it('approve', async () => {
    const repo = await newRepo()
    await commitFiles(
      repo,
      {[POLICY]: before, 'acldrift.config.yaml': 'version: 1\npolicy:\n  approvers: [alice@example.com]\n'},
      'Approved',
    )
    await repo.write(POLICY, policy(['s3:GetObject', 's3:ListBucket'], '*'))
    const {report} = await checkJson(repo.dir)
    const id = report.findings.find((f) => f.change === 'widening')!.id
    const args = ['approve', id, '--reason', 'public dashboard', '--expires', '2099-12-31']
    const file = join(repo.dir, APPROVALS)
    const moments = await killMoments(repo.dir, args)
    for (const ms of moments) {
      await rm(file, {force: true})
      await runKilledAfter(repo.dir, args, ms)
      // Old (no file) or new (the file with the one entry), parsed whole.
      if (existsSync(file)) {
        const approvals = parseYaml(await readFile(file, 'utf8')) as {approvals: Array<{id: string}>}
        expect(approvals.approvals.map((a) => a.id)).toEqual([id])
      }
    }
    await expectOnlyLeftovers(repo, ['approvals.yaml', 'approvals.yaml.lock'])
    // A lock left by a killed run names a dead process: the next run takes it over.
    const last = await runCli(args, {cwd: repo.dir})
    expect(last.code, last.stderr).toBe(0)
    const check = await checkJson(repo.dir)
    expect(check.report.errors).toEqual([])
    expect(check.report.findings.find((f) => f.id === id)?.approval).not.toBeNull()
  }, 120_000)
})
