// GCP IAM end to end: the built CLI in real git repositories, with no acldrift config (policies
// and custom roles are recognised by content), as `gcloud … get-iam-policy` and
// `gcloud iam roles describe` print them.

import {describe, it} from 'vitest'
import {identities, runCli} from '../helpers/repo.js'
import {checkJson, commitFiles, type Finding, repoFactory} from './helpers.js'

const PROJECT = 'acme-prod'
const BUCKET_FILE = 'gcp/buckets/acme-payroll-exports.json'
const PROJECT_FILE = 'gcp/projects/acme-prod.yaml'
const ROLE_FILE = 'gcp/roles/exports-reader.yaml'
const ROLE = `projects/${PROJECT}/roles/exportsReader`
const REPORTING_SA = `serviceAccount:reporting@${PROJECT}.iam.gserviceaccount.com`

const bucketPolicy = (readers: string[]) => ({
  bindings: [
    {
      members: [`projectEditor:${PROJECT}`, `projectOwner:${PROJECT}`],
      role: 'roles/storage.legacyBucketOwner',
    },
    {members: [`projectViewer:${PROJECT}`], role: 'roles/storage.legacyBucketReader'},
    {members: readers, role: 'roles/storage.objectViewer'},
    {members: ['group:finance-analysts@example.com'], role: ROLE},
  ],
  etag: 'CAE=',
  version: 1,
})

const projectPolicy = (editors: string[], owners: string[]) =>
  [
    'bindings:',
    '- members:',
    ...editors.map((m) => `  - ${m}`),
    '  role: roles/editor',
    '- members:',
    ...owners.map((m) => `  - ${m}`),
    '  role: roles/owner',
    'etag: BwYQ3kR8xM0=',
    'version: 1',
    '',
  ].join('\n')

const rolePolicy = (permissions: string[]) =>
  [
    'description: Read the payroll exports',
    'etag: BwYQ1a2b3c4=',
    'includedPermissions:',
    ...permissions.map((p) => `- ${p}`),
    `name: ${ROLE}`,
    'stage: GA',
    'title: Exports Reader',
    '',
  ].join('\n')

const json = (value: unknown, indent = 2) => `${JSON.stringify(value, null, indent)}\n`

const approvedFiles = () => ({
  [BUCKET_FILE]: json(bucketPolicy([REPORTING_SA])),
  [PROJECT_FILE]: projectPolicy(
    [`serviceAccount:ci@${PROJECT}.iam.gserviceaccount.com`],
    ['user:ops@example.com'],
  ),
  [ROLE_FILE]: rolePolicy(['storage.objects.get', 'storage.objects.list']),
})

interface Commit {
  sha: string
  subject: string
  actor: {type: string; agent?: string}
}

const brief = (f: Finding) =>
  `${f.change} ${f.severity} ${f.rule} ${f.file}:${f.line ?? '-'} ${JSON.stringify(f.witness)}`

describe.concurrent('gcp-iam end to end', () => {
  const newRepo = repoFactory()

  it('an agent commit that adds allUsers to a bucket policy is a critical widening attributed to it', async ({
    expect,
  }) => {
    const r = await newRepo()
    const approved = await commitFiles(r, approvedFiles(), 'Add GCP IAM policies')
    await r.write(BUCKET_FILE, json(bucketPolicy(['allUsers', REPORTING_SA])))
    await r.stage(BUCKET_FILE)
    const agentSha = await r.commit(
      identities.claudeCode.message('Fix 403 on the payroll export download link'),
      identities.claudeCode,
    )
    // A later, unrelated reformatting by a human does not move the blame.
    await commitFiles(r, {[BUCKET_FILE]: json(bucketPolicy(['allUsers', REPORTING_SA]), 4)}, 'Reindent')

    const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(code, stderr).toBe(1)
    expect(report.findings.map(brief)).toEqual([
      `widening critical public-member ${BUCKET_FILE}:16 ${JSON.stringify({
        member: 'allUsers',
        role: 'roles/storage.objectViewer',
        resource: BUCKET_FILE,
      })}`,
    ])
    const [finding] = report.findings
    expect(finding).toMatchObject({kind: 'gcp-iam', pointer: '/bindings/2'})
    expect(finding!.message).toMatch(/allUsers/)
    expect(finding!.commit as Commit).toMatchObject({
      sha: agentSha,
      subject: 'Fix 403 on the payroll export download link',
      actor: {type: 'agent', agent: expect.stringMatching(/claude/i)},
    })
    expect(report.summary).toMatchObject({widening: 1, narrowing: 0, possibleWidening: 0, invalid: 0})
  })

  it('a custom role that gains a permission is reported in the role file and blamed on the role commit', async ({
    expect,
  }) => {
    const r = await newRepo()
    const approved = await commitFiles(r, approvedFiles(), 'Add GCP IAM policies')
    // First an unrelated edit of the bucket policy (it does not touch the role's binding) …
    await commitFiles(
      r,
      {
        [BUCKET_FILE]: json(
          bucketPolicy([REPORTING_SA, `serviceAccount:audit@${PROJECT}.iam.gserviceaccount.com`]),
        ),
      },
      'Let the auditor read exports',
    )
    // … then the role gains storage.objects.delete.
    const roleSha = await commitFiles(
      r,
      {[ROLE_FILE]: rolePolicy(['storage.objects.delete', 'storage.objects.get', 'storage.objects.list'])},
      'Let finance analysts clean up old exports',
    )
    const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(code, stderr).toBe(1)
    const role = report.findings.find((f) => f.file === ROLE_FILE)
    expect(role, report.findings.map(brief).join('\n')).toMatchObject({
      change: 'widening',
      rule: 'custom-role-widened',
      line: 4,
      pointer: '/includedPermissions/0',
      witness: {
        member: 'group:finance-analysts@example.com',
        role: ROLE,
        permission: 'storage.objects.delete',
        resource: BUCKET_FILE,
      },
    })
    expect((role!.commit as Commit).sha).toBe(roleSha)
    const member = report.findings.find((f) => f.file === BUCKET_FILE)
    expect(member).toMatchObject({change: 'widening', rule: 'new-member'})
    expect((member!.commit as Commit).sha).not.toBe(roleSha)
  })

  it('the pre-commit check stops a staged editor-to-owner upgrade in a YAML export', async ({expect}) => {
    const r = await newRepo()
    await commitFiles(r, approvedFiles(), 'Add GCP IAM policies')
    await r.write(
      PROJECT_FILE,
      projectPolicy(
        [`serviceAccount:ci@${PROJECT}.iam.gserviceaccount.com`],
        [`serviceAccount:ci@${PROJECT}.iam.gserviceaccount.com`, 'user:ops@example.com'],
      ),
    )
    await r.stage(PROJECT_FILE)
    const {code, report} = await checkJson(r.dir, ['--staged'])
    expect(code).toBe(1)
    expect(report.findings.map(brief)).toEqual([
      `widening high basic-role ${PROJECT_FILE}:5 ${JSON.stringify({
        member: `serviceAccount:ci@${PROJECT}.iam.gserviceaccount.com`,
        role: 'roles/owner',
        resource: PROJECT_FILE,
      })}`,
    ])
    expect((report.findings[0]!.commit as Commit & {pending?: boolean}).pending).toBe(true)
  })

  it('a misspelt key fails closed naming file:line, and equivalent rewrites report nothing', async ({
    expect,
  }) => {
    const r = await newRepo()
    await commitFiles(r, approvedFiles(), 'Add GCP IAM policies')
    // Bindings and members reordered, re-exported as YAML under the same name: no change.
    const reordered = bucketPolicy([REPORTING_SA])
    reordered.bindings.reverse()
    await r.write(BUCKET_FILE, json(reordered))
    const clean = await checkJson(r.dir)
    expect(clean.code, clean.report.findings.map(brief).join('\n')).toBe(0)
    expect(clean.report.findings).toEqual([])

    await r.write(BUCKET_FILE, json(reordered).replace('"members"', '"member"'))
    const broken = await runCli(['validate'], {cwd: r.dir})
    expect(broken.code).toBe(3)
    expect(broken.stdout).toContain(
      `${BUCKET_FILE}:4:17 /bindings/0/member unknown property "member" (did you mean "members"?)`,
    )
    const check = await checkJson(r.dir)
    expect(check.code).toBe(3)
    expect(check.report.errors.map((e) => `${e.file}:${e.line}`)).toContain(`${BUCKET_FILE}:4`)
  })
})
