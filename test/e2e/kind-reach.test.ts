// The hook after `acldrift init` reads, of the GCP IAM and CODEOWNERS files, only those a staged
// change reaches (src/adapters/gcp-iam/reach.ts, src/adapters/codeowners/index.ts), found from the
// skeletons the baseline snapshot's layout keeps (snapshot-index.ts), and none of the other kinds'
// files. Through the real hook as Claude Code: a custom role given a permission, bound by a policy
// in an unchanged file, and a CODEOWNERS file added that shadows the one in force, unchanged, are
// still blocked; each widening is found only by reading the other file, also when the layout was
// kept by an older build, without GCP skeletons (it is found again). The staged check against
// HEAD (the same content as the snapshot), which reads every file, finds the same.

import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {ensureKey, keyFile, macOf} from '../../src/core/cache-key.js'
import {scanLayout} from '../../src/core/snapshot-index.js'
import {gitBlobId} from '../../src/kernel/hash.js'
import {toolVersion} from '../../src/kernel/version.js'
import {runCli, type TestRepo} from '../helpers/repo.js'
import {LAYOUT} from './layouts.js'
import {blockedAsClaudeCode, brief, checkJson, commitFiles, repoFactory} from './helpers.js'

const newRepo = repoFactory()
const PROJECT = 'acme-prod'
const ROLE = `projects/${PROJECT}/roles/deployer`
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`

const role = (name: string, permissions: string[]) =>
  [
    'includedPermissions:',
    ...permissions.map((p) => `- ${p}`),
    `name: ${name}`,
    'stage: GA',
    `title: ${name.split('/').at(-1)}`,
    '',
  ].join('\n')
const policy = (bindings: Array<[role: string, member: string]>) =>
  json({bindings: bindings.map(([role, member]) => ({role, members: [member]})), etag: 'BwX=', version: 1})
const awsPolicy = (i: number) =>
  json({
    Version: '2012-10-17',
    Statement: [{Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::bucket-${i}/*`}],
  })

/** Unrelated files of other kinds, and GCP files that bind no role the changes touch. */
const others = (): Record<string, string> => ({
  ...Object.fromEntries(Array.from({length: 6}, (_, i) => [`aws/policy-${i}.json`, awsPolicy(i)])),
  'gcp/roles/auditor.yaml': role(`projects/${PROJECT}/roles/auditor`, ['logging.logEntries.list']),
  'gcp/buckets/logs.json': policy([[`projects/${PROJECT}/roles/auditor`, 'group:audit@example.com']]),
  'gcp/buckets/public.json': policy([['roles/storage.objectViewer', 'group:readers@example.com']]),
})

const gcpFiles = {
  ...others(),
  'gcp/roles/deployer.yaml': role(ROLE, ['run.services.get']),
  'gcp/projects/acme-prod.json': policy([
    [ROLE, 'serviceAccount:deploy@acme-prod.iam.gserviceaccount.com'],
    ['roles/viewer', 'group:devs@example.com'],
  ]),
}

const STRICT = '* @acme/security\n'
/** Branch protection that asks for the code owners' review: it consults CODEOWNERS (unchanged here). */
const SETTINGS = [
  'branches:',
  '  - name: main',
  '    protection:',
  '      required_pull_request_reviews:',
  '        required_approving_review_count: 1',
  '        require_code_owner_reviews: true',
  '      enforce_admins: true',
  '      restrictions: null',
  '',
].join('\n')
const codeownersFiles = {
  ...others(),
  CODEOWNERS: STRICT,
  'docs/CODEOWNERS': '* @acme/docs\n',
  '.github/settings.yml': SETTINGS,
}

async function initialised(files: Record<string, string>) {
  const r = await newRepo()
  await commitFiles(r, files, 'Access configs')
  const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
  expect(init.code, init.stderr).toBe(0)
  await r.stage()
  await r.commit('Set up acldrift')
  return r
}

/** The staged check against HEAD, which reads every file of a kind compared together: the findings, briefly. */
async function fullCheck(dir: string) {
  const {code, report, stderr} = await checkJson(dir, ['--staged', '--baseline', 'HEAD'])
  expect(code, stderr).toBe(1)
  return brief(report.findings)
}

/**
 * The layout of the baseline kept as a build before the GCP reach kept it: no format, no skeleton
 * of a GCP document, its HMAC valid under the repository's key (as that build wrote it).
 */
async function keptByAnOlderBuild(r: TestRepo) {
  const bytes = await readFile(join(r.dir, '.acldrift', 'baseline.json'))
  const blob = gitBlobId(bytes)
  const layout = JSON.stringify(scanLayout(bytes, () => null))
  const key = await ensureKey(keyFile(join(r.dir, '.git')))
  const mac = macOf(key, `snapshot-index\u0000${toolVersion()}\u0000${blob}\u0000${layout}`)
  await writeFile(join(r.dir, LAYOUT), JSON.stringify({blob, layout, mac}))
}

describe.concurrent('the hook reads the GCP IAM and CODEOWNERS files a change reaches', () => {
  it("as Claude Code, a permission added to a custom role whose policy is unchanged: the real hook blocks the commit, reading the role and its policy's files", async () => {
    const r = await initialised(gcpFiles)
    // Only the role changes; who holds it is in gcp/projects/acme-prod.json, unchanged, read from
    // the snapshot with its other role (a basic one, defined nowhere). Of the 11 files, 2 are read.
    await blockedAsClaudeCode(
      r,
      {
        path: 'gcp/roles/deployer.yaml',
        content: role(ROLE, ['run.services.get', 'iam.serviceAccounts.actAs']),
        message: 'Let the deployer act as the runtime service account',
      },
      /serviceAccount:deploy@acme-prod\.iam\.gserviceaccount\.com .*iam\.serviceAccounts\.actAs/,
      2,
    )
    const {code, report, stderr} = await checkJson(r.dir, ['--staged'])
    expect(code, stderr).toBe(1)
    expect(brief(report.findings)).toEqual(await fullCheck(r.dir))
  })

  it('as Claude Code, the same permission with the layout kept by an older build (no GCP skeletons): it is found again, and the real hook blocks the commit', async () => {
    const r = await initialised(gcpFiles)
    // Read as this build's, the old layout would hide every unchanged GCP document from the
    // reach: the role alone would be compared, and the commit let through.
    await keptByAnOlderBuild(r)
    await blockedAsClaudeCode(
      r,
      {
        path: 'gcp/roles/deployer.yaml',
        content: role(ROLE, ['run.services.get', 'iam.serviceAccounts.actAs']),
        message: 'Let the deployer act as the runtime service account',
      },
      /serviceAccount:deploy@acme-prod\.iam\.gserviceaccount\.com .*iam\.serviceAccounts\.actAs/,
      2,
    )
    expect(JSON.parse(await readFile(join(r.dir, LAYOUT), 'utf8'))).toHaveProperty('format')
  })

  it('as Claude Code, a .github/CODEOWNERS that shadows the unchanged root CODEOWNERS: the real hook blocks the commit, reading the three CODEOWNERS files only', async () => {
    const r = await initialised(codeownersFiles)
    // Read alone, the new file only adds owners where none were; with the root file it shadows,
    // every path's approver changes from @acme/security to @acme/everyone. The branch protection
    // that consults CODEOWNERS did not change: it is not compared, here as in the full check.
    await blockedAsClaudeCode(
      r,
      {path: '.github/CODEOWNERS', content: '* @acme/everyone\n', message: 'Add a CODEOWNERS for the team'},
      /@acme\/everyone/,
      3,
    )
    const {code, report, stderr} = await checkJson(r.dir, ['--staged'])
    expect(code, stderr).toBe(1)
    expect(brief(report.findings)).toEqual(await fullCheck(r.dir))
  })
})
