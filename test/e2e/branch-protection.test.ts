// Branch protection end to end: the built CLI in real git repositories, with no acldrift config
// (files are recognised by content): a REST export of main's protection, as
// `gh api repos/{owner}/{repo}/branches/main/protection` prints it, and a safe-settings
// `.github/settings.yml`.

import {describe, it} from 'vitest'
import {identities, runCli} from '../helpers/repo.js'
import {checkJson, commitAs, commitFiles, type Finding, repoFactory} from './helpers.js'

const REST_FILE = 'github/branch-protection/main.json'
const SETTINGS_FILE = '.github/settings.yml'
const URL = 'https://api.github.com/repos/acme/payments-api/branches/main/protection'

const restProtection = (count: number, forcePushes: boolean, codeOwners = false) => ({
  url: URL,
  required_status_checks: {
    url: `${URL}/required_status_checks`,
    strict: true,
    contexts: ['build', 'test'],
    contexts_url: `${URL}/required_status_checks/contexts`,
    checks: [
      {context: 'build', app_id: 15368},
      {context: 'test', app_id: 15368},
    ],
  },
  required_pull_request_reviews: {
    url: `${URL}/required_pull_request_reviews`,
    dismiss_stale_reviews: true,
    require_code_owner_reviews: codeOwners,
    required_approving_review_count: count,
    require_last_push_approval: false,
  },
  required_signatures: {url: `${URL}/required_signatures`, enabled: false},
  enforce_admins: {url: `${URL}/enforce_admins`, enabled: true},
  required_linear_history: {enabled: true},
  allow_force_pushes: {enabled: forcePushes},
  allow_deletions: {enabled: false},
  block_creations: {enabled: false},
  required_conversation_resolution: {enabled: true},
  lock_branch: {enabled: false},
  allow_fork_syncing: {enabled: false},
})

const settings = (count: number, forcePushes: boolean, develop = true) =>
  [
    'repository:',
    '  name: payments-api',
    '  private: true',
    'labels:',
    '  - name: security',
    '    color: b60205',
    'branches:',
    '  - name: default',
    '    protection:',
    '      required_pull_request_reviews:',
    `        required_approving_review_count: ${count}`,
    '        dismiss_stale_reviews: true',
    '        require_code_owner_reviews: false',
    '      required_status_checks:',
    '        strict: true',
    '        contexts:',
    '          - ci/build',
    '      enforce_admins: true',
    `      allow_force_pushes: ${forcePushes}`,
    '      restrictions: null',
    ...(develop
      ? [
          '  - name: develop',
          '    protection:',
          '      required_pull_request_reviews:',
          '        required_approving_review_count: 1',
          '      required_status_checks: null',
          '      enforce_admins: false',
          '      restrictions: null',
        ]
      : []),
    '',
  ].join('\n')

const json = (value: unknown, indent = 2) => `${JSON.stringify(value, null, indent)}\n`

interface Commit {
  sha: string
  subject: string
  pending?: boolean
  actor: {type: string; agent?: string}
}

const brief = (f: Finding) => `${f.change} ${f.severity} ${f.rule} ${f.file}:${f.line ?? '-'}`

describe.concurrent('branch-protection end to end', () => {
  const newRepo = repoFactory()

  it('a Copilot agent commit that drops reviews and allows force pushes on main is reported and attributed to it', async ({
    expect,
  }) => {
    const r = await newRepo()
    const approved = await commitFiles(
      r,
      {[REST_FILE]: json(restProtection(2, false))},
      'Export branch protection',
    )
    const agentSha = await commitAs(
      r,
      identities.copilotAgent,
      'Unblock the release: relax main protection',
      {
        [REST_FILE]: json(restProtection(0, true)),
      },
    )
    const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(code, stderr).toBe(1)
    expect(report.findings.map(brief).sort()).toEqual([
      `widening critical force-push-allowed ${REST_FILE}:41`,
      `widening high reviews-reduced ${REST_FILE}:26`,
    ])
    const force = report.findings.find((f) => f.rule === 'force-push-allowed')!
    expect(force).toMatchObject({
      kind: 'branch-protection',
      pointer: '/allow_force_pushes/enabled',
      witness: {branch: 'main', action: 'force-push', actor: 'someone', admin: false},
    })
    const reviews = report.findings.find((f) => f.rule === 'reviews-reduced')!
    expect(reviews.witness).toMatchObject({branch: 'main', action: 'merge', approvals: 0, staleApprovals: 0})
    expect(reviews.message).toMatch(/0 current approvals/)
    for (const f of report.findings)
      expect(f.commit as Commit).toMatchObject({
        sha: agentSha,
        subject: 'Unblock the release: relax main protection',
        actor: {type: 'agent', agent: expect.stringMatching(/copilot/i)},
      })
    expect(report.summary).toMatchObject({widening: 2, narrowing: 0, possibleWidening: 0, invalid: 0})
  })

  it('the same change in a safe-settings file, by Claude Code, and a removed branch entry, by a human', async ({
    expect,
  }) => {
    const r = await newRepo()
    const approved = await commitFiles(r, {[SETTINGS_FILE]: settings(2, false)}, 'Add repository settings')
    const agentSha = await commitAs(
      r,
      identities.claudeCode,
      'Let the bot merge without waiting for reviews',
      {
        [SETTINGS_FILE]: settings(0, true),
      },
    )
    const humanSha = await commitFiles(r, {[SETTINGS_FILE]: settings(0, true, false)}, 'Drop develop')
    const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(code, stderr).toBe(1)
    expect(report.findings.map(brief).sort()).toEqual([
      `widening critical force-push-allowed ${SETTINGS_FILE}:19`,
      `widening high protection-removed ${SETTINGS_FILE}:-`,
      `widening high reviews-reduced ${SETTINGS_FILE}:11`,
    ])
    const byRule = new Map(report.findings.map((f) => [f.rule, f]))
    expect(byRule.get('reviews-reduced')!.witness).toMatchObject({
      branch: 'default',
      action: 'merge',
      approvals: 0,
    })
    expect(byRule.get('protection-removed')!.witness).toMatchObject({branch: 'develop', action: 'force-push'})
    for (const rule of ['reviews-reduced', 'force-push-allowed'])
      expect(byRule.get(rule)!.commit as Commit).toMatchObject({
        sha: agentSha,
        actor: {type: 'agent', agent: expect.stringMatching(/claude/i)},
      })
    const removal = byRule.get('protection-removed')!.commit as Commit
    expect(removal.sha).toBe(humanSha)
    expect(removal.actor.type).not.toBe('agent')
  })

  it('deleting the export leaves main unprotected: critical, blamed on the commit that deleted it', async ({
    expect,
  }) => {
    const r = await newRepo()
    const approved = await commitFiles(
      r,
      {[REST_FILE]: json(restProtection(2, false))},
      'Export branch protection',
    )
    await commitFiles(r, {'README.md': '# payments-api\n'}, 'Add a README')
    await r.remove(REST_FILE)
    await r.stage(REST_FILE)
    const deletion = await r.commit(
      identities.claudeCode.message('Remove stale protection export'),
      identities.claudeCode,
    )
    await commitFiles(r, {'README.md': '# payments-api\n\nPayments.\n'}, 'Describe the service')
    const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(code, stderr).toBe(1)
    expect(report.findings.map(brief)).toEqual([`widening critical protection-removed ${REST_FILE}:-`])
    expect(report.findings[0]!.witness).toMatchObject({
      branch: 'main',
      action: 'force-push',
      actor: 'someone',
    })
    expect(report.findings[0]!.commit as Commit).toMatchObject({
      sha: deletion,
      actor: {type: 'agent', agent: expect.stringMatching(/claude/i)},
    })
    expect(report.notes.join('\n')).not.toMatch(/not attributed/)
  })

  it('with code-owner review, no approvals needed lets a pull request that changes an unowned file merge unreviewed, until CODEOWNERS owns every path', async ({
    expect,
  }) => {
    const r = await newRepo()
    const owners = '# Owners of acme/payments-api\n/infra/  @acme/platform\n/src/    @acme/payments\n'
    const approved = await commitFiles(
      r,
      {
        '.github/CODEOWNERS': owners,
        'README.md': '# payments-api\n',
        'src/app.ts': 'export {}\n',
        'infra/main.tf': 'terraform {}\n',
        [REST_FILE]: json(restProtection(1, false, true)),
      },
      'Export branch protection',
    )
    // Caught before the commit, though CODEOWNERS is not staged: the hook reads it.
    await r.write(REST_FILE, json(restProtection(0, false, true)))
    await r.stage(REST_FILE)
    const staged = await checkJson(r.dir, ['--staged'])
    expect(staged.code, staged.stderr).toBe(1)
    expect(staged.report.findings.map(brief)).toEqual([`widening high reviews-reduced ${REST_FILE}:26`])
    const witness = {
      touchesOwnedFile: false,
      changedFile: 'README.md',
      approvals: 0,
      codeOwnerApproval: 'none',
    }
    expect(staged.report.findings[0]!.witness).toMatchObject(witness)
    expect(staged.report.findings[0]!.message).toMatch(
      /changing only README\.md, which no CODEOWNERS rule owns/,
    )

    const agentSha = await commitAs(r, identities.claudeCode, 'Let docs changes merge without waiting', {
      [REST_FILE]: json(restProtection(0, false, true)),
    })
    const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(code, stderr).toBe(1)
    expect(report.findings.map(brief)).toEqual([`widening high reviews-reduced ${REST_FILE}:26`])
    expect(report.findings[0]!.witness).toMatchObject(witness)
    expect(report.findings[0]!.commit as Commit).toMatchObject({
      sha: agentSha,
      actor: {type: 'agent', agent: expect.stringMatching(/claude/i)},
    })

    // A catch-all owns every path: each pull request needs a code owner's approval, an approval.
    await commitFiles(r, {'.github/CODEOWNERS': `* @acme/maintainers\n${owners}`}, 'Own every path')
    const owned = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(owned.report.findings.filter((f) => f.kind === 'branch-protection')).toEqual([])
  })

  it('the pre-commit check stops the staged change before it is committed', async ({expect}) => {
    const r = await newRepo()
    await commitFiles(r, {[REST_FILE]: json(restProtection(2, false))}, 'Export branch protection')
    await r.write(REST_FILE, json(restProtection(0, true)))
    await r.stage(REST_FILE)
    const {code, report} = await checkJson(r.dir, ['--staged'])
    expect(code).toBe(1)
    expect(report.findings.map((f) => f.rule).sort()).toEqual(['force-push-allowed', 'reviews-reduced'])
    for (const f of report.findings) expect((f.commit as Commit).pending).toBe(true)
  })

  it('a reformat or reorder is no change, and a misspelt key fails closed naming file:line', async ({
    expect,
  }) => {
    const r = await newRepo()
    await commitFiles(
      r,
      {[REST_FILE]: json(restProtection(2, false)), [SETTINGS_FILE]: settings(2, false)},
      'Add protection',
    )
    const reordered = Object.fromEntries(Object.entries(restProtection(2, false)).reverse())
    await r.write(REST_FILE, json(reordered, 4))
    // The branch entries swapped, the other sections untouched.
    const lines = settings(2, false).split('\n')
    const start = lines.indexOf('branches:') + 1
    const end = lines.indexOf('  - name: develop')
    await r.write(
      SETTINGS_FILE,
      [...lines.slice(0, start), ...lines.slice(end, -1), ...lines.slice(start, end), ''].join('\n'),
    )
    const clean = await checkJson(r.dir)
    expect(clean.code, clean.report.findings.map(brief).join('\n')).toBe(0)
    expect(clean.report.findings).toEqual([])

    await r.write(REST_FILE, json(restProtection(2, false)).replace('"enforce_admins"', '"enforce_admin"'))
    const broken = await runCli(['validate'], {cwd: r.dir})
    expect(broken.code).toBe(3)
    expect(broken.stdout).toContain(
      `${REST_FILE}:33:20 /enforce_admin unknown property "enforce_admin" (did you mean "enforce_admins"?)`,
    )
    const check = await checkJson(r.dir)
    expect(check.code).toBe(3)
    expect(check.report.errors.map((e) => `${e.file}:${e.line}`)).toContain(`${REST_FILE}:33`)
  })
})
