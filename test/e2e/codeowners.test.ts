// CODEOWNERS end to end: the built CLI in real git repositories, with no acldrift config (the
// three CODEOWNERS locations are recognised by path). An agent's commit that lets someone else
// approve infrastructure changes, or removes the review altogether, is reported with a real file
// of the repository as witness and attributed to the agent; a file GitHub does not read changes
// nothing; a line GitHub skips is skipped, and reported; the pre-commit check catches the change
// before it is committed.

import {describe, it} from 'vitest'
import {identities, runCli} from '../helpers/repo.js'
import {checkJson, commitAs, commitFiles, type Finding, repoFactory} from './helpers.js'

const GITHUB = '.github/CODEOWNERS'

const codeowners = (infra: string, extra = '') =>
  [
    '# Code owners of acme/payments-api: the last matching pattern wins.',
    '',
    '/src/            @acme/backend',
    infra,
    '/.github/        @acme/security',
    extra,
  ].join('\n')

const APPROVED = codeowners('/infra/          @acme/platform')

const repositoryFiles = {
  [GITHUB]: APPROVED,
  'infra/main.tf': 'module "vpc" {\n  source = "./modules/vpc"\n}\n',
  'infra/modules/vpc/main.tf': 'resource "aws_vpc" "main" {}\n',
  'src/app.ts': 'export const app = 1\n',
  '.github/workflows/deploy.yml': 'on: push\n',
}

interface Commit {
  sha: string
  subject: string
  actor: {type: string; agent?: string}
  pending?: boolean
}

const brief = (f: Finding) =>
  `${f.change} ${f.severity} ${f.rule} ${f.file}:${f.line ?? '-'} ${JSON.stringify(f.witness)}`

const AGENT_CHANGES = [
  {
    what: 'adds @acme/contractors as an owner of /infra/',
    file: codeowners('/infra/          @acme/platform @acme/contractors'),
    finding: `widening high approver-added ${GITHUB}:4 ${JSON.stringify({path: 'infra/main.tf', approver: '@acme/contractors', exists: true})}`,
  },
  {
    what: 'deletes the /infra/ rule',
    file: codeowners('# (infra rule removed)'),
    finding: `widening high owners-removed ${GITHUB}:- ${JSON.stringify({path: 'infra/main.tf', owner: 'no owner', exists: true})}`,
  },
  {
    what: 'adds a later, broader rule with another owner',
    file: codeowners('/infra/          @acme/platform', '*.tf @acme/devs\n'),
    finding: `widening high approver-added ${GITHUB}:6 ${JSON.stringify({path: 'infra/main.tf', approver: '@acme/devs', exists: true})}`,
  },
]

describe.concurrent('codeowners end to end', () => {
  const newRepo = repoFactory()

  for (const change of AGENT_CHANGES) {
    it(`an agent commit that ${change.what} is a widening with a real file as witness, attributed to the agent`, async ({
      expect,
    }) => {
      const r = await newRepo()
      const approved = await commitFiles(r, repositoryFiles, 'Add code owners')
      const agentSha = await commitAs(r, identities.claudeCode, 'Let the on-call team merge infra hotfixes', {
        [GITHUB]: change.file,
      })
      // A later unrelated edit by a human does not move the blame.
      await commitFiles(r, {'src/app.ts': 'export const app = 2\n'}, 'Bump app')

      const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
      expect(code, stderr).toBe(1)
      const widenings = report.findings.filter((f) => f.change === 'widening')
      expect(widenings.map(brief)).toEqual([change.finding])
      const [finding] = widenings
      expect(finding!.kind).toBe('codeowners')
      expect(finding!.message).toMatch(/infra\/main\.tf/)
      expect(finding!.commit as Commit).toMatchObject({
        sha: agentSha,
        subject: 'Let the on-call team merge infra hotfixes',
        actor: {type: 'agent', agent: expect.stringMatching(/claude/i)},
      })

      // history tells the same change, with a file of that commit's tree as witness.
      const history = await runCli(['history', GITHUB, '--format', 'json'], {cwd: r.dir})
      const told = (JSON.parse(history.stdout) as {findings: Finding[]}).findings.filter(
        (f) => f.id === finding!.id,
      )
      expect(told.map((f) => f.witness)).toEqual([finding!.witness])
    })
  }

  it('deleting the file GitHub reads is blamed on the deleting commit; the next location then decides', async ({
    expect,
  }) => {
    const r = await newRepo()
    const approved = await commitFiles(
      r,
      {...repositoryFiles, 'docs/CODEOWNERS': '/src/ @acme/backend\n'},
      'Add code owners',
    )
    await r.remove(GITHUB)
    await r.stage(GITHUB)
    const agentSha = await r.commit(identities.claudeCode.message('Drop CODEOWNERS'), identities.claudeCode)
    await commitFiles(r, {'src/app.ts': 'export const app = 2\n'}, 'Bump app')

    const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(code, stderr).toBe(1)
    const widenings = report.findings.filter((f) => f.change === 'widening')
    // docs/CODEOWNERS still owns src/: only infra/ and .github/ lost their owners.
    expect(widenings.length).toBeGreaterThan(0)
    for (const f of widenings) {
      expect(f.rule).toBe('owners-removed')
      expect(String(f.witness?.path)).not.toMatch(/^src\//)
      expect(f.commit as Commit, brief(f)).toMatchObject({sha: agentSha, actor: {type: 'agent'}})
    }
    expect(report.notes.filter((n) => n.includes('not attributed'))).toEqual([])
  })

  it('each commit that widened a finding is told with the baseline rule of its own path: explain shows the right (before: …)', async ({
    expect,
  }) => {
    const r = await newRepo()
    const approved = await commitFiles(
      r,
      {
        [GITHUB]: '/src/ @acme/backend\n/docs/ @acme/docs\n',
        'src/app.ts': 'export const app = 1\n',
        'docs/guide.md': '# Guide\n',
      },
      'Add code owners',
    )
    // The contractors reach src/ first, then docs/ too, under one rule: one finding, two commits.
    const first = await commitAs(r, identities.claudeCode, 'Let contractors review backend fixes', {
      [GITHUB]: '/src/ @acme/backend @acme/contractors\n/docs/ @acme/docs\n',
    })
    const second = await commitAs(r, identities.claudeCode, 'Simplify code owners', {
      [GITHUB]: '* @acme/backend @acme/docs @acme/contractors\n',
    })
    const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(code, stderr).toBe(1)
    const finding = report.findings.find((f) => f.witness?.approver === '@acme/contractors')!
    expect(finding, JSON.stringify(report.findings.map(brief))).toBeDefined()

    const explained = await runCli(
      ['explain', finding.id, '--ref', 'HEAD', '--baseline', approved, '--no-color'],
      {
        cwd: r.dir,
      },
    )
    expect(explained.code, explained.stderr).toBe(0)
    const lines = explained.stdout.split('\n')
    const listed = lines.slice(lines.findIndex((l) => l.includes('widened by 2 commits')) + 1).slice(0, 2)
    expect(listed.map((l) => l.match(/^\s+- (\w+) /)?.[1])).toEqual([first.slice(0, 7), second.slice(0, 7)])
    // Each line's path is decided in the baseline by the rule of its own folder, not by the finding's.
    const baselineRule = {src: '@acme/backend ("/src/")', docs: '@acme/docs ("/docs/")'}
    for (const line of listed) {
      const path = line.match(/can now approve changes to (\S+):/)?.[1]
      const folder = path?.split('/')[0] as keyof typeof baselineRule
      expect(Object.keys(baselineRule), line).toContain(folder)
      expect(line).toContain(`(before: ${baselineRule[folder]}).`)
    }
    expect(listed[0]).toMatch(/changes to src\//)
  })

  it('a root CODEOWNERS that .github/CODEOWNERS shadows is no change', async ({expect}) => {
    const r = await newRepo()
    const approved = await commitFiles(r, repositoryFiles, 'Add code owners')
    await commitAs(r, identities.claudeCode, 'Add a CODEOWNERS file at the root', {
      CODEOWNERS: '* @acme/contractors\n',
    })
    const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(code, stderr).toBe(0)
    expect(report.findings).toEqual([])
    expect(report.notes).toContain('CODEOWNERS: not read by GitHub: .github/CODEOWNERS takes precedence')
  })

  it('check --staged catches the widening before it is committed', async ({expect}) => {
    const r = await newRepo()
    await commitFiles(r, repositoryFiles, 'Add code owners')
    await r.write(GITHUB, codeowners('/infra/          @acme/platform @acme/contractors'))
    await r.stage(GITHUB)
    const {code, report, stderr} = await checkJson(r.dir, ['--staged'])
    expect(code, stderr).toBe(1)
    expect(report.target.source).toBe('staged')
    expect(report.findings.map(brief)).toEqual([
      `widening high approver-added ${GITHUB}:4 ${JSON.stringify({path: 'infra/main.tf', approver: '@acme/contractors', exists: true})}`,
    ])
    expect((report.findings[0]!.commit as Commit).pending).toBe(true)
  })

  it('a CODEOWNERS line GitHub skips is skipped as GitHub does: a possible widening at the line, the rest compared', async ({
    expect,
  }) => {
    const r = await newRepo()
    await commitFiles(r, repositoryFiles, 'Add code owners')
    await r.write(
      GITHUB,
      codeowners('/infra/          @acme/platform @acme/contractors', '!/infra/README.md @acme/docs\n'),
    )
    await r.stage(GITHUB)
    const {code, report, stderr} = await checkJson(r.dir, ['--staged'])
    expect(code, stderr).toBe(1)
    expect(report.errors).toEqual([])
    expect(report.findings.map(brief)).toEqual([
      `widening high approver-added ${GITHUB}:4 ${JSON.stringify({path: 'infra/main.tf', approver: '@acme/contractors', exists: true})}`,
      `possible-widening medium line-skipped ${GITHUB}:6 null`,
    ])
    expect(report.notes).toContainEqual(
      expect.stringMatching(/^\.github\/CODEOWNERS:6: skipped, as GitHub skips it \(.*negation/),
    )
  })

  it('a CODEOWNERS file named on the command line is read as CODEOWNERS by its name, wherever it sits', async ({
    expect,
  }) => {
    const r = await newRepo()
    await r.write('backup/CODEOWNERS', APPROVED)
    const ok = await runCli(['validate', 'backup/CODEOWNERS'], {cwd: r.dir})
    expect(ok.code, ok.stdout + ok.stderr).toBe(0)
    await r.write('backup/CODEOWNERS', `${APPROVED}\n/docs/ @acme/docs\u0000\n`)
    const binary = await runCli(['validate', 'backup/CODEOWNERS'], {cwd: r.dir})
    expect(binary.code).toBe(3)
    expect(binary.stdout + binary.stderr).toContain('backup/CODEOWNERS')
  })
})
