// `acldrift check` end to end: every source of the target and of the baseline, the config file, and
// detection by content, in real git repositories, through the built CLI.

import {mkdir} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli, type TestRepo} from '../helpers/repo.js'
import {brief, checkJson, commitFiles, type Finding, type Report, repoFactory} from './helpers.js'
import {
  bucketPolicy,
  narrowedRolePolicy,
  policyText,
  publicBucketPolicy,
  REPORTING_ROLE,
  rolePolicy,
  statementLine,
  trustPolicy,
} from './policies.js'

const BUCKET_FILE = 'iam/buckets/payroll-exports.json'
const ROLE_FILE = 'iam/roles/reporting-dashboard.json'
const TRUST_FILE = 'iam/roles/reporting-dashboard-trust.json'

const newRepo = repoFactory()

/** The approved state: bucket policy, role policy, trust policy, and a package.json that is no policy. */
function approvedFiles(): Record<string, string> {
  return {
    [BUCKET_FILE]: policyText(bucketPolicy),
    [ROLE_FILE]: policyText(rolePolicy),
    [TRUST_FILE]: policyText(trustPolicy),
    'package.json': `${JSON.stringify({name: 'payroll-infra', version: '1.0.0', private: true}, null, 2)}\n`,
  }
}

async function commitApproved(r: TestRepo): Promise<string> {
  return commitFiles(r, approvedFiles(), 'Add payroll exports bucket and reporting dashboard role')
}

/**
 * A short history: v1.0.0 approved; an agent opens the bucket; a human narrows the role.
 * Branch `feature` holds the last two commits, `main` stays at v1.0.0.
 */
async function history(r: TestRepo): Promise<{approved: string; opened: string; narrowed: string}> {
  const approved = await commitApproved(r)
  await r.git('tag', 'v1.0.0')
  await r.git('checkout', '--quiet', '-b', 'feature')
  const opened = await commitFiles(r, {[BUCKET_FILE]: policyText(publicBucketPolicy)}, 'Fix AccessDenied')
  const narrowed = await commitFiles(r, {[ROLE_FILE]: policyText(narrowedRolePolicy)}, 'Drop DeleteObject')
  return {approved, opened, narrowed}
}

const find = (report: Report, rule: string): Finding | undefined =>
  report.findings.find((f) => f.rule === rule)

/** The two widenings of the public bucket, as the contract describes them. */
function expectPublicBucketFindings(report: Report): void {
  const text = policyText(publicBucketPolicy)
  const pub = find(report, 'public-principal')
  expect(pub, brief(report.findings).join('\n')).toMatchObject({
    kind: 'aws-iam',
    file: BUCKET_FILE,
    line: statementLine(text, 'ReportingRoleReadsExports'),
    pointer: '/Statement/0',
    change: 'widening',
    severity: 'critical',
    witness: {principal: '*'},
    approval: null,
  })
  expect(pub!.witness!.action).toMatch(/^s3:(GetObject|ListBucket)$/)
  expect(pub!.witness!.resource).toMatch(/^arn:aws:s3:::acme-payroll-exports/)
  expect(pub!.message.length).toBeGreaterThan(10)
  expect(pub!.before).toMatchObject({Principal: {AWS: REPORTING_ROLE}})
  expect(pub!.after).toMatchObject({Principal: '*'})
  expect(pub!.diff.length).toBeGreaterThan(0)

  const deny = find(report, 'deny-removed')
  expect(deny, brief(report.findings).join('\n')).toMatchObject({
    file: BUCKET_FILE,
    change: 'widening',
    witness: {context: {'aws:SecureTransport': 'false'}},
  })
  expect(['critical', 'high']).toContain(deny!.severity)
}

describe.concurrent('check: the working tree against HEAD (the default)', () => {
  it('reports the public bucket with witness, file, line and pointer, and exits 1', async () => {
    const r = await newRepo()
    const head = await commitApproved(r)
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))

    const {code, report} = await checkJson(r.dir)
    expect(code).toBe(1)
    expect(report.baseline).toEqual({source: 'HEAD', commit: head})
    expect(report.target).toEqual({source: 'worktree', commit: head})
    expect(report.summary).toMatchObject({documents: 3, invalid: 0})
    expect(report.findings.every((f) => f.file === BUCKET_FILE)).toBe(true)
    expectPublicBucketFindings(report)
  })

  it('exits 0 with no findings when nothing changed', async () => {
    const r = await newRepo()
    await commitApproved(r)
    const {code, report} = await checkJson(r.dir)
    expect(code).toBe(0)
    expect(report.findings).toEqual([])
    expect(report.summary).toMatchObject({documents: 3, widening: 0, narrowing: 0})
  })

  it('reads untracked files too: a policy written and not staged yet counts, an ignored one does not', async () => {
    const r = await newRepo()
    await commitApproved(r)
    await r.write('iam/buckets/public-assets.json', policyText(publicBucketPolicy))
    const {code, report} = await checkJson(r.dir)
    expect(code).toBe(1)
    expect(report.findings.length).toBeGreaterThan(0)
    expect(new Set(report.findings.map((f) => f.file))).toEqual(new Set(['iam/buckets/public-assets.json']))
    expect(report.findings.every((f) => f.change === 'widening')).toBe(true)

    await r.write('.git/info/exclude', 'iam/buckets/public-assets.json\n')
    expect((await checkJson(r.dir)).report.findings).toEqual([])
  })

  it('a policy deleted from the working tree is a narrowing only (exit 0)', async () => {
    const r = await newRepo()
    await commitApproved(r)
    await r.remove(TRUST_FILE)
    const {code, report} = await checkJson(r.dir)
    expect(code).toBe(0)
    expect(report.findings.length).toBeGreaterThan(0)
    expect(report.findings.every((f) => f.change === 'narrowing' && f.file === TRUST_FILE)).toBe(true)
    expect(report.summary).toMatchObject({widening: 0, documents: 2})
  })

  it('works from a subdirectory, naming files relative to the repository root', async () => {
    const r = await newRepo()
    await commitApproved(r)
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    const {code, report} = await checkJson(join(r.dir, 'iam', 'roles'))
    expect(code).toBe(1)
    expectPublicBucketFindings(report)
  })
})

describe.concurrent('check --staged (the pre-commit hook)', () => {
  it('reads the index: a staged widening counts even when the working tree is back to the approved state', async () => {
    const r = await newRepo()
    const head = await commitApproved(r)
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await r.stage(BUCKET_FILE)
    await r.write(BUCKET_FILE, policyText(bucketPolicy))

    expect((await checkJson(r.dir)).report.findings).toEqual([])
    const {code, report} = await checkJson(r.dir, ['--staged'])
    expect(code).toBe(1)
    expect(report.target).toEqual({source: 'staged', commit: head})
    expectPublicBucketFindings(report)
  })

  it('ignores an unstaged widening: only what the next commit contains counts', async () => {
    const r = await newRepo()
    await commitApproved(r)
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    expect((await checkJson(r.dir)).code).toBe(1)
    const {code, report} = await checkJson(r.dir, ['--staged'])
    expect(code).toBe(0)
    expect(report.findings).toEqual([])
  })

  it('a broken working-tree file does not fail the check when the staged content is valid', async () => {
    const r = await newRepo()
    await commitApproved(r)
    await r.write(ROLE_FILE, policyText(narrowedRolePolicy))
    await r.stage(ROLE_FILE)
    await r.write(ROLE_FILE, '{"Version": "2012-10-17", "Statement": [')

    expect((await checkJson(r.dir)).code).toBe(3)
    const {code, report} = await checkJson(r.dir, ['--staged'])
    expect(code).toBe(0)
    expect(report.errors).toEqual([])
    expect(brief(report.findings).every((line) => line.startsWith('narrowing '))).toBe(true)
    expect(report.findings.length).toBeGreaterThan(0)
  })

  it('a broken staged file fails closed (exit 3) even when the working tree is valid', async () => {
    const r = await newRepo()
    await commitApproved(r)
    await r.write(ROLE_FILE, '{"Version": "2012-10-17", "Statement": [')
    await r.stage(ROLE_FILE)
    await r.write(ROLE_FILE, policyText(rolePolicy))

    expect((await checkJson(r.dir)).code).toBe(0)
    const {code, report} = await checkJson(r.dir, ['--staged'])
    expect(code).toBe(3)
    expect(report.errors).toEqual([expect.objectContaining({file: ROLE_FILE, line: 1})])
  })

  it('a new file is all widening (a trust policy: sts:AssumeRole for ECS tasks)', async () => {
    const r = await newRepo()
    const files = approvedFiles()
    delete files[TRUST_FILE]
    await commitFiles(r, files)
    await r.write(TRUST_FILE, policyText(trustPolicy))
    await r.stage(TRUST_FILE)

    const {code, report} = await checkJson(r.dir, ['--staged'])
    expect(code).toBe(1)
    expect(report.findings.length).toBeGreaterThan(0)
    expect(report.findings.every((f) => f.change === 'widening' && f.file === TRUST_FILE)).toBe(true)
    expect(report.findings[0]).toMatchObject({
      pointer: '/Statement/0',
      line: statementLine(policyText(trustPolicy), 'EcsTasksAssumeRole'),
      before: null,
      witness: {principal: expect.stringContaining('ecs-tasks.amazonaws.com'), action: 'sts:AssumeRole'},
    })
  })

  it('a staged deletion is a narrowing only (exit 0)', async () => {
    const r = await newRepo()
    await commitApproved(r)
    await r.git('rm', '--quiet', TRUST_FILE)
    const {code, report} = await checkJson(r.dir, ['--staged'])
    expect(code).toBe(0)
    expect(report.findings.length).toBeGreaterThan(0)
    expect(report.findings.every((f) => f.change === 'narrowing' && f.file === TRUST_FILE)).toBe(true)
    expect(report.findings[0]!.after).toBeNull()
  })

  it('an unborn HEAD (the first commit, staged): every document is new, every finding a widening', async () => {
    const r = await newRepo()
    for (const [path, content] of Object.entries(approvedFiles())) await r.write(path, content)
    await r.stage()

    const {code, report} = await checkJson(r.dir, ['--staged'])
    expect(code).toBe(1)
    expect(report.baseline.commit).toBeNull()
    expect(report.target).toEqual({source: 'staged', commit: null})
    expect(report.summary.documents).toBe(3)
    expect(report.findings.every((f) => f.change === 'widening')).toBe(true)
    expect(new Set(report.findings.map((f) => f.file))).toEqual(new Set([BUCKET_FILE, ROLE_FILE, TRUST_FILE]))
  })
})

describe.concurrent('check against revisions: --ref, --baseline REV, --range A..B', () => {
  it('--ref HEAD reads the commit, not the dirty working tree', async () => {
    const r = await newRepo()
    const head = await commitApproved(r)
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD'])
    expect(code).toBe(0)
    expect(report.findings).toEqual([])
    expect(report.target).toEqual({source: 'ref', commit: head})
  })

  it('--ref HEAD --baseline TAG compares two commits', async () => {
    const r = await newRepo()
    const {approved, narrowed} = await history(r)
    const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', 'v1.0.0'])
    expect(code).toBe(1)
    expect(report.baseline).toEqual({source: 'v1.0.0', commit: approved})
    expect(report.target).toEqual({source: 'ref', commit: narrowed})
    expectPublicBucketFindings(report)
    const role = report.findings.filter((f) => f.file === ROLE_FILE)
    expect(role.length).toBeGreaterThan(0)
    expect(role.every((f) => f.change === 'narrowing')).toBe(true)
    expect(role.some((f) => f.witness?.action === 's3:DeleteObject')).toBe(true)
  })

  it('--ref an older commit: the state as it was then', async () => {
    const r = await newRepo()
    const {opened} = await history(r)
    const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD~1', '--baseline', 'main'])
    expect(code).toBe(1)
    expect(report.target.commit).toBe(opened)
    expect(report.findings.every((f) => f.file === BUCKET_FILE)).toBe(true)
    expectPublicBucketFindings(report)
  })

  it('--baseline REV with the working tree as target', async () => {
    const r = await newRepo()
    const {approved} = await history(r)
    // The working tree puts the approved bucket back: only the role's narrowing is left.
    await r.write(BUCKET_FILE, policyText(bucketPolicy))
    const {code, report} = await checkJson(r.dir, ['--baseline', 'v1.0.0'])
    expect(code).toBe(0)
    expect(report.baseline.commit).toBe(approved)
    expect(report.target.source).toBe('worktree')
    expect(report.findings.length).toBeGreaterThan(0)
    expect(report.findings.every((f) => f.change === 'narrowing' && f.file === ROLE_FILE)).toBe(true)
  })

  it('--range A..B equals --ref B --baseline A (same findings, same ids)', async () => {
    const r = await newRepo()
    const {approved, narrowed} = await history(r)
    const viaRange = await checkJson(r.dir, ['--range', 'main..feature'])
    const viaRef = await checkJson(r.dir, ['--ref', 'feature', '--baseline', 'main'])
    expect(viaRange.code).toBe(1)
    expect(viaRange.report.baseline.commit).toBe(approved)
    expect(viaRange.report.target.commit).toBe(narrowed)
    expectPublicBucketFindings(viaRange.report)
    expect(viaRange.report.findings.map((f) => f.id)).toEqual(viaRef.report.findings.map((f) => f.id))
    expect(brief(viaRange.report.findings)).toEqual(brief(viaRef.report.findings))
  })

  it('--range over a narrowing only exits 0', async () => {
    const r = await newRepo()
    await history(r)
    const {code, report} = await checkJson(r.dir, ['--range', 'HEAD~1..HEAD'])
    expect(code).toBe(0)
    expect(report.summary.widening).toBe(0)
    expect(report.summary.narrowing).toBeGreaterThan(0)
  })

  // The JSON contract (schemas/report.schema.json) lists "range" among the target sources; --range is
  // how one asks for it.
  it('--range names the target source "range" in the JSON report', async () => {
    const r = await newRepo()
    await history(r)
    const {report} = await checkJson(r.dir, ['--range', 'v1.0.0..HEAD'])
    expect(report.target.source).toBe('range')
  })
})

describe.concurrent('check --baseline FILE (a snapshot written by acldrift snapshot --out)', () => {
  async function snapshotOfApproved(r: TestRepo, out: string): Promise<void> {
    // The directory exists first: snapshot.test.ts covers --out into a new directory on its own.
    await mkdir(dirname(join(r.dir, out)), {recursive: true})
    const result = await runCli(['snapshot', '--ref', 'v1.0.0', '--out', out], {cwd: r.dir})
    expect(result, result.stderr).toMatchObject({code: 0, stdout: ''})
  }

  it('compares the working tree with the snapshot', async () => {
    const r = await newRepo()
    const {approved, narrowed} = await history(r)
    await snapshotOfApproved(r, '.acldrift/baseline.json')

    const {code, report} = await checkJson(r.dir, ['--baseline', '.acldrift/baseline.json'])
    expect(code).toBe(1)
    expect(report.baseline.source).toMatch(/^snapshot:.*\.acldrift\/baseline\.json$/)
    expect(report.baseline.commit).toBe(approved)
    expect(report.target).toEqual({source: 'worktree', commit: narrowed})
    expectPublicBucketFindings(report)
    // The same accesses as against the revision the snapshot was taken from.
    const viaRev = await checkJson(r.dir, ['--baseline', 'v1.0.0'])
    expect(report.findings.map((f) => f.id).sort()).toEqual(viaRev.report.findings.map((f) => f.id).sort())
  })

  it('a relative FILE is relative to the working directory', async () => {
    const r = await newRepo()
    await history(r)
    await snapshotOfApproved(r, 'audit/approved.json')
    const {code, report} = await checkJson(join(r.dir, 'audit'), ['--baseline', 'approved.json'])
    expect(code).toBe(1)
    expectPublicBucketFindings(report)
  })

  it('--staged with a relative FILE from a subdirectory reads the snapshot, not a revision', async () => {
    const r = await newRepo()
    const {opened, narrowed} = await history(r)
    await snapshotOfApproved(r, 'audit/approved.json')
    const result = await checkJson(join(r.dir, 'audit'), ['--staged', '--baseline', 'approved.json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(1)
    expectPublicBucketFindings(result.report)
    // What HEAD already holds was committed: blamed on its commits, not on the commit being made.
    for (const f of result.report.findings) {
      expect(f.commit, f.rule).toMatchObject({sha: f.change === 'narrowing' ? narrowed : opened})
    }
    // A widening made only in the index is the pending commit's.
    const widerRole = {...rolePolicy, Statement: [{...rolePolicy.Statement[0], Action: 's3:*'}]}
    await r.write(ROLE_FILE, policyText(widerRole))
    await r.stage(ROLE_FILE)
    const staged = await checkJson(r.dir, ['--staged', '--baseline', 'audit/approved.json'])
    const byFile = (file: string) =>
      staged.report.findings.filter((f) => f.file === file && f.change === 'widening')
    expect(byFile(ROLE_FILE).length).toBeGreaterThan(0)
    for (const f of byFile(ROLE_FILE)) expect(f.commit).toMatchObject({sha: 'pending', pending: true})
    for (const f of byFile(BUCKET_FILE)) expect(f.commit).toMatchObject({sha: opened})
    await r.write(ROLE_FILE, policyText(rolePolicy))
    await r.stage(ROLE_FILE)
    await r.write(BUCKET_FILE, policyText(bucketPolicy))
    await r.stage(BUCKET_FILE)
    const reverted = await checkJson(r.dir, ['--staged', '--baseline', 'audit/approved.json'])
    expect(reverted.report.findings).toEqual([])
  })
})

describe.concurrent('check with acldrift.config.yaml', () => {
  it('baseline: a revision', async () => {
    const r = await newRepo()
    const {approved} = await history(r)
    await r.write('acldrift.config.yaml', 'version: 1\nbaseline: v1.0.0\n')
    const {code, report} = await checkJson(r.dir)
    expect(code).toBe(1)
    expect(report.baseline).toEqual({source: 'v1.0.0', commit: approved})
    expectPublicBucketFindings(report)
    // --baseline overrides the config.
    const override = await checkJson(r.dir, ['--baseline', 'HEAD'])
    expect(override.code).toBe(0)
    expect(override.report.findings).toEqual([])
  })

  it('baseline: a snapshot file relative to the repository root, also from a subdirectory', async () => {
    const r = await newRepo()
    const {approved} = await history(r)
    await mkdir(join(r.dir, '.acldrift'))
    expect(
      (await runCli(['snapshot', '--ref', 'v1.0.0', '--out', '.acldrift/baseline.json'], {cwd: r.dir})).code,
    ).toBe(0)
    await r.write('acldrift.config.yaml', 'version: 1\nbaseline: .acldrift/baseline.json\n')
    for (const cwd of [r.dir, join(r.dir, 'iam', 'roles')]) {
      const {code, report} = await checkJson(cwd)
      expect(code).toBe(1)
      expect(report.baseline.source).toMatch(/^snapshot:/)
      expect(report.baseline.commit).toBe(approved)
      expectPublicBucketFindings(report)
    }
  })

  it('documents: globs assign kinds and hide nothing; exclude leaves some out, and says so', async () => {
    const r = await newRepo()
    await commitApproved(r)
    await r.write(
      'acldrift.config.yaml',
      [
        'version: 1',
        'documents:',
        "  - glob: 'iam/**/*.json'",
        '    kind: aws-iam',
        'exclude:',
        "  - 'iam/examples/**'",
        '',
      ].join('\n'),
    )
    // (committed: `--ref HEAD` reads HEAD with HEAD's config, never the working tree's)
    await r.stage('acldrift.config.yaml')
    await r.commit('acldrift config')
    // A public policy outside the globs is read (detected by content); an excluded one is listed as not read.
    await commitFiles(r, {
      'docs/examples/public-bucket.json': policyText(publicBucketPolicy),
      'iam/examples/public-bucket.json': policyText(publicBucketPolicy),
    })
    const outside = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', 'HEAD~1'])
    expect(outside.code).toBe(1)
    expect(new Set(outside.report.findings.map((f) => f.file))).toEqual(
      new Set(['docs/examples/public-bucket.json']),
    )
    expect(outside.report.summary.documents).toBe(4)
    expect(outside.report.coverage?.notRead).toEqual([
      {
        file: 'iam/examples/public-bucket.json',
        recognisedAs: 'aws-iam',
        why: expect.stringContaining('excluded'),
      },
    ])

    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    const {code, report} = await checkJson(r.dir, ['--baseline', 'HEAD'])
    expect(code).toBe(1)
    expectPublicBucketFindings(report)
  })

  it('documents: a matched file that is not a valid policy fails closed (exit 3)', async () => {
    const r = await newRepo()
    await commitApproved(r)
    await r.write(
      'acldrift.config.yaml',
      "version: 1\ndocuments:\n  - glob: 'iam/**/*.json'\n    kind: aws-iam\n",
    )
    await r.write('iam/owners.json', '{"owner": "platform-team"}\n')
    await r.stage('iam/owners.json')
    const {code, report} = await checkJson(r.dir)
    expect(code).toBe(3)
    expect(new Set(report.errors.map((e) => e.file))).toEqual(new Set(['iam/owners.json']))
  })

  it('--config FILE names another config', async () => {
    const r = await newRepo()
    await history(r)
    await r.write('ci/acldrift.yaml', 'version: 1\nbaseline: v1.0.0\n')
    const {code, report} = await checkJson(r.dir, ['--config', 'ci/acldrift.yaml'])
    expect(code).toBe(1)
    expect(report.baseline.source).toBe('v1.0.0')
  })
})

describe.concurrent('check without a config: detection by content', () => {
  it('a JSON object with Statement is a policy wherever it lives; package.json and other JSON are not', async () => {
    const r = await newRepo()
    await r.write('package.json', '{"name": "infra", "version": "1.0.0", "scripts": {"test": "vitest"}}\n')
    await r.write('tsconfig.json', '{"compilerOptions": {"strict": true}}\n')
    await r.write('data/statements.json', '{"bank": {"Statement": "monthly"}, "items": []}\n')
    await r.write('terraform/modules/exports/bucket-policy.json', policyText(publicBucketPolicy))
    await r.write('deploy/trust.json', policyText(trustPolicy))
    await r.stage()

    const {code, report} = await checkJson(r.dir, ['--staged'])
    expect(code).toBe(1)
    expect(report.summary.documents).toBe(2)
    expect([...new Set(report.findings.map((f) => f.file))].sort()).toEqual([
      'deploy/trust.json',
      'terraform/modules/exports/bucket-policy.json',
    ])
  })

  it('a broken package.json is ignored; a broken JSON file with "Statement": fails closed', async () => {
    const r = await newRepo()
    await commitApproved(r)
    await r.write('package.json', '{"name": "infra",\n')
    expect((await checkJson(r.dir)).code).toBe(0)

    await r.write('policies/broken.json', '{\n  "Version": "2012-10-17",\n  "Statement": [\n')
    await r.stage('policies/broken.json')
    const {code, report} = await checkJson(r.dir)
    expect(code).toBe(3)
    expect(report.errors).toEqual([
      expect.objectContaining({file: 'policies/broken.json', line: expect.any(Number)}),
    ])
  })
})
