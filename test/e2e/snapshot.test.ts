// `acldrift snapshot [--staged|--ref REV] [--out FILE]`: deterministic, valid per
// schemas/snapshot.schema.json, and never written when an input is invalid.

import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {identities, runCli, runHermetic, type TestRepo} from '../helpers/repo.js'
import {commitFiles, expectValidSnapshot, repoFactory} from './helpers.js'
import {bucketPolicy, policyText, publicBucketPolicy, rolePolicy, trustPolicy} from './policies.js'

interface Snapshot {
  schemaVersion: 1
  createdAt: string
  source: {type: string; ref: string | null; commit: string | null}
  documents: {path: string; kind: string; hash: string; value: unknown}[]
}

const newRepo = repoFactory()

async function approved(r: TestRepo): Promise<string> {
  return commitFiles(r, {
    'iam/roles/reporting-dashboard.json': policyText(rolePolicy),
    'iam/buckets/payroll-exports.json': policyText(bucketPolicy),
    'iam/roles/reporting-dashboard-trust.json': policyText(trustPolicy),
    'package.json': '{"name": "infra"}\n',
  })
}

async function snapshot(cwd: string, args: string[] = []): Promise<{text: string; value: Snapshot}> {
  const result = await runCli(['snapshot', ...args], {cwd})
  expect(result, result.stderr).toMatchObject({code: 0, stderr: ''})
  const value = JSON.parse(result.stdout) as Snapshot
  expectValidSnapshot(value)
  return {text: result.stdout, value}
}

const withoutCreatedAt = (text: string) => text.replace(/"createdAt": "[^"]*"/, '"createdAt": ""')

describe.concurrent('snapshot', () => {
  it('is deterministic: two runs are byte-identical apart from createdAt', async () => {
    const r = await newRepo()
    const head = await approved(r)
    const first = await snapshot(r.dir)
    const second = await snapshot(r.dir)
    expect(withoutCreatedAt(second.text)).toBe(withoutCreatedAt(first.text))
    expect(first.text.endsWith('\n')).toBe(true)

    expect(first.value.schemaVersion).toBe(1)
    expect(first.value.source).toEqual({type: 'worktree', ref: null, commit: head})
    expect(Date.parse(first.value.createdAt)).not.toBeNaN()
    // Policies only, sorted by path, with sha256 hashes and the parsed documents.
    expect(first.value.documents.map((d) => d.path)).toEqual([
      'iam/buckets/payroll-exports.json',
      'iam/roles/reporting-dashboard-trust.json',
      'iam/roles/reporting-dashboard.json',
    ])
    for (const document of first.value.documents) {
      expect(document.kind).toBe('aws-iam')
      expect(document.hash).toMatch(/^[0-9a-f]{64}$/)
    }
    expect(first.value.documents[0]!.value).toEqual(bucketPolicy)
  })

  it('--out FILE writes the same snapshot and prints nothing', async () => {
    const r = await newRepo()
    await approved(r)
    const result = await runCli(['snapshot', '--out', 'baseline.json'], {cwd: r.dir})
    expect(result).toMatchObject({code: 0, stdout: '', stderr: ''})
    const written = await readFile(join(r.dir, 'baseline.json'), 'utf8')
    expectValidSnapshot(JSON.parse(written))
    expect(withoutCreatedAt(written)).toBe(withoutCreatedAt((await snapshot(r.dir)).text))
  })

  // The README's own example: `acldrift snapshot --out .acldrift/baseline.json` in a repository
  // that has no .acldrift/ directory yet.
  it('--out into a directory that does not exist yet', async () => {
    const r = await newRepo()
    await approved(r)
    const result = await runCli(['snapshot', '--out', '.acldrift/baseline.json'], {cwd: r.dir})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expectValidSnapshot(JSON.parse(await readFile(join(r.dir, '.acldrift', 'baseline.json'), 'utf8')))
  })

  it('--ref REV: the documents as they were in that commit', async () => {
    const r = await newRepo()
    const first = await approved(r)
    await commitFiles(r, {'iam/buckets/payroll-exports.json': policyText(publicBucketPolicy)})
    await r.write('iam/roles/reporting-dashboard.json', '{"Statement": [') // the working tree does not matter
    const {value} = await snapshot(r.dir, ['--ref', 'HEAD~1'])
    expect(value.source).toEqual({type: 'ref', ref: 'HEAD~1', commit: first})
    expect(value.documents.find((d) => d.path === 'iam/buckets/payroll-exports.json')!.value).toEqual(
      bucketPolicy,
    )
    const head = await snapshot(r.dir, ['--ref', 'HEAD'])
    expect(head.value.documents.find((d) => d.path === 'iam/buckets/payroll-exports.json')!.value).toEqual(
      publicBucketPolicy,
    )
  })

  it('--staged: the index, not the working tree', async () => {
    const r = await newRepo()
    const head = await approved(r)
    await r.write('iam/buckets/payroll-exports.json', policyText(publicBucketPolicy))
    await r.stage('iam/buckets/payroll-exports.json')
    await r.write('iam/buckets/payroll-exports.json', policyText(bucketPolicy))
    const staged = await snapshot(r.dir, ['--staged'])
    expect(staged.value.source).toEqual({type: 'staged', ref: null, commit: head})
    expect(staged.value.documents.find((d) => d.path === 'iam/buckets/payroll-exports.json')!.value).toEqual(
      publicBucketPolicy,
    )
    const worktree = await snapshot(r.dir)
    expect(
      worktree.value.documents.find((d) => d.path === 'iam/buckets/payroll-exports.json')!.value,
    ).toEqual(bucketPolicy)
  })

  it('--staged in a repository without commits', async () => {
    const r = await newRepo()
    await r.write('iam/trust.json', policyText(trustPolicy))
    await r.stage()
    const {value} = await snapshot(r.dir, ['--staged'])
    expect(value.source).toEqual({type: 'staged', ref: null, commit: null})
    expect(value.documents.map((d) => d.path)).toEqual(['iam/trust.json'])
  })

  it('refuses (exit 3) when a file is invalid, naming it, and writes nothing', async () => {
    const r = await newRepo()
    await approved(r)
    await r.write(
      'iam/roles/reporting-dashboard.json',
      policyText(rolePolicy).replace('"Effect": "Allow",', '"Effect": "Allow"'),
    )

    const toStdout = await runCli(['snapshot'], {cwd: r.dir})
    expect(toStdout.code).toBe(3)
    expect(toStdout.stdout).toBe('')
    expect(toStdout.stderr).toMatch(/iam\/roles\/reporting-dashboard\.json:\d+:\d+/)

    const toFile = await runCli(['snapshot', '--out', 'baseline.json'], {cwd: r.dir})
    expect(toFile.code).toBe(3)
    expect(existsSync(join(r.dir, 'baseline.json'))).toBe(false)

    // An existing baseline is left as it was.
    await r.write('baseline.json', 'previous baseline\n')
    expect((await runCli(['snapshot', '--out', 'baseline.json'], {cwd: r.dir})).code).toBe(3)
    expect(await readFile(join(r.dir, 'baseline.json'), 'utf8')).toBe('previous baseline\n')
  })

  it('refuses a schema-invalid file the same way', async () => {
    const r = await newRepo()
    await approved(r)
    const invalid = structuredClone(trustPolicy) as {Statement: Record<string, unknown>[]}
    invalid.Statement[0]!.NotAction = 'sts:TagSession'
    await r.write('iam/roles/reporting-dashboard-trust.json', policyText(invalid))
    await r.stage()
    const result = await runCli(['snapshot', '--staged', '--out', 'baseline.json'], {cwd: r.dir})
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/iam\/roles\/reporting-dashboard-trust\.json:\d+:\d+ \/Statement\/0/)
    expect(existsSync(join(r.dir, 'baseline.json'))).toBe(false)
  })
})

describe('a snapshot as the baseline', () => {
  it("its documents' `hash` is a claim: an agent that sets it to the widened file's hash is still blocked", async () => {
    const r = await newRepo()
    await approved(r)
    const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
    expect(init.code, init.stderr).toBe(0)
    await r.stage()
    await r.commit('Set up acldrift')

    // The agent opens the bucket, and rewrites the snapshot entry's hash (only it) to match.
    const bucket = 'iam/buckets/payroll-exports.json'
    const widened = policyText(publicBucketPolicy)
    await r.write(bucket, widened)
    const baselineFile = join(r.dir, '.acldrift', 'baseline.json')
    const baseline = JSON.parse(await readFile(baselineFile, 'utf8')) as Snapshot
    baseline.documents.find((d) => d.path === bucket)!.hash = createHash('sha256')
      .update(widened)
      .digest('hex')
    await r.write('.acldrift/baseline.json', `${JSON.stringify(baseline, null, 2)}\n`)
    await r.stage()
    const agent = identities.claudeCode
    const commit = await runHermetic('git', ['commit', '-m', agent.message('Fix AccessDenied')], {cwd: r.dir})
    expect(commit.code, commit.stderr).toBe(1)
    expect(commit.stderr).toContain('acldrift: commit blocked')
    expect(commit.stderr).toMatch(/WIDENING\s+public-principal\s+iam\/buckets\/payroll-exports\.json/)
  })
})
