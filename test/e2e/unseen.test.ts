// Nothing unseen (issue 12, item 4): an agent's ways of moving a policy out of acldrift's sight
// while it stays deployed, each played in a repository set up as a new user would (`acldrift init
// --hook git`): the agent's commit is blocked by the hook, and, committed with the hook bypassed,
// `check --range` and `audit` fail closed naming the path (exit 3), or report the widening and the
// agent's commit. One repository for the table; each scenario is a branch from the approved state.

import {join} from 'node:path'
import {mkdir, readFile} from 'node:fs/promises'
import {beforeAll, describe, expect, it} from 'vitest'
import {CommandError, identities, runCli, type TestRepo} from '../helpers/repo.js'
import {checkJson, commitFiles, expectValidReport, repoFactory, type Report} from './helpers.js'

const newRepo = repoFactory()

// Multi-line, so that git's rename detection (`git diff -M`) still pairs an edited copy with it.
const POLICY = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadReports',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: 'arn:aws:s3:::reports/*',
      },
      {
        Sid: 'WriteLogs',
        Effect: 'Allow',
        Action: 'logs:PutLogEvents',
        Resource: 'arn:aws:logs:*:*:log-group:app:*',
      },
      {Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*'},
    ],
  },
  null,
  2,
)
const WIDER = POLICY.replace('arn:aws:s3:::reports/*', '*')

// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#role-and-clusterrole
const READER = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "list"]
`

// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#clusterrolebinding-example
const binding = (name: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: ${name}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: reader
subjects:
  - kind: User
    name: mallory@example.com
    apiGroup: rbac.authorization.k8s.io
`

type Attack = (r: TestRepo) => Promise<void>

const rename =
  (to: string, content?: string): Attack =>
  async (r) => {
    await r.git('rm', '--quiet', 'iam/reports.json')
    await r.write(to, content ?? POLICY)
  }

/** Attacks that must fail closed (exit 3) naming `file`, with a message matching `why`. */
const FAIL_CLOSED: {name: string; attack: Attack; file: string; why: RegExp}[] = [
  {
    name: 'a policy replaced by a symlink (the deploy path is unchanged)',
    attack: async (r) => {
      await r.remove('iam/reports.json')
      await r.symlink('../deploy/generated.json', 'iam/reports.json')
    },
    file: 'iam/reports.json',
    why: /symbolic link/,
  },
  {
    name: "a policy's folder replaced by a git submodule (gitlink)",
    attack: async (r) => {
      await r.git('rm', '-r', '--quiet', 'k8s/rbac')
      const head = (await r.git('rev-parse', 'HEAD')).trim()
      await r.git('update-index', '--add', '--cacheinfo', `160000,${head},k8s/rbac`)
      // An unpopulated submodule, as a fresh clone has it: an empty folder.
      await mkdir(join(r.dir, 'k8s/rbac'), {recursive: true})
    },
    file: 'k8s/rbac/reader.yaml',
    why: /k8s\/rbac is now a git submodule/,
  },
  {
    name: 'a policy renamed to iam/reports.json5, which no kind reads',
    attack: rename('iam/reports.json5', WIDER),
    file: 'iam/reports.json5',
    why: /iam\/reports\.json, read as aws-iam in the baseline, was renamed/,
  },
  {
    // A name read by content only, and content that does not open a JSON object: not opened.
    name: 'a policy renamed to iam/reports behind a comment line',
    attack: rename('iam/reports', `// generated\n${WIDER}`),
    file: 'iam/reports',
    why: /iam\/reports\.json, read as aws-iam in the baseline, was renamed/,
  },
  {
    name: 'a policy that no longer parses (cut short)',
    attack: async (r) => r.write('iam/reports.json', POLICY.slice(0, POLICY.lastIndexOf(']'))),
    file: 'iam/reports.json',
    why: /\(iam\/reports\.json was an aws-iam access config in the baseline: it fails closed, it is not taken as deleted\)$/,
  },
  {
    name: 'a YAML explicit tag that kubectl resolves otherwise (kind: !!binary …)',
    attack: async (r) => {
      // base64 of ClusterRoleBinding: kubectl decodes it, a YAML 1.2 reader keeps bytes.
      await r.write(
        'k8s/rbac/reader.yaml',
        READER.replace('kind: ClusterRole', 'kind: !!binary Q2x1c3RlclJvbGVCaW5kaW5n'),
      )
    },
    file: 'k8s/rbac/reader.yaml',
    why: /explicit YAML tag !!binary/,
  },
]

/** Attacks whose widening is read where it went: exit 1, a widening at `file` attributed to the agent. */
const READ_WHERE_MOVED: {name: string; attack: Attack; file: string}[] = [
  // Names that say nothing are read by their content when it is a JSON object (AWS CLI output
  // redirected to a file, see the aws-cli container).
  ...['iam/reports.txt', 'iam/reports'].map((to) => ({
    name: `renamed to ${to}`,
    attack: rename(to, WIDER),
    file: to,
  })),
  {
    name: 'renamed to an upper-case extension',
    attack: rename('iam/reports.JSON', WIDER),
    file: 'iam/reports.JSON',
  },
  {
    name: 'moved to an upper-case folder',
    attack: rename('IAM/reports.json', WIDER),
    file: 'IAM/reports.json',
  },
  // Cyrillic і (U+0456) in place of the Latin i.
  {
    name: 'moved to a look-alike Unicode folder',
    attack: rename('\u0456am/reports.json', WIDER),
    file: '\u0456am/reports.json',
  },
]

/**
 * .gitattributes lines that make git transform a policy's content, at the root and in folders
 * (patterns relative to the folder): the line and the policy each is reported with.
 */
const TRANSFORMING_ATTRIBUTES = [
  {
    file: '.gitattributes',
    content: '# keep secrets out of the repo\n*.json filter=crypt\n*.md text eol=lf\n',
    line: 2,
    pattern: '*.json',
    attribute: 'filter',
    covers: 'iam/reports.json',
  },
  {
    file: 'iam/.gitattributes',
    content: '*.json filter=crypt\n',
    line: 1,
    pattern: '*.json',
    attribute: 'filter',
    covers: 'iam/reports.json',
  },
  {
    file: 'k8s/rbac/.gitattributes',
    content: '*.md text\n/reader.yaml working-tree-encoding=UTF-16LE\n',
    line: 2,
    pattern: '/reader.yaml',
    attribute: 'working-tree-encoding',
    covers: 'k8s/rbac/reader.yaml',
  },
  {
    file: 'k8s/.gitattributes',
    content: 'rbac/** export-subst\n',
    line: 1,
    pattern: 'rbac/**',
    attribute: 'export-subst',
    covers: 'k8s/rbac/reader.yaml',
  },
]

/**
 * The approved .gitattributes of a repository that keeps secrets encrypted (git-crypt's setup:
 * https://github.com/AGWA/git-crypt#using-git-crypt) and its access configs readable: the root
 * filters every .json and .yaml, and each cancelling line keeps the policies as checked.
 */
const ENCRYPTED = {
  '.gitattributes': [
    '# secrets are encrypted in the repository',
    '[attr]plain -filter',
    '*.json filter=crypt',
    '*.yaml filter=crypt',
    '*.yaml ident',
    'k8s/** -ident',
    '',
  ].join('\n'),
  'iam/.gitattributes': '# policies stay readable\n*.json -filter\n',
  'k8s/.gitattributes': 'rbac/** plain\n',
}

/**
 * Changes that add no transforming line but make one act again on a policy: the finding is on
 * the changed file, at the line that now decides (`line`), or naming the line it took away (`before`).
 */
const UNCANCELLED: {
  name: string
  attack: Attack
  file: string
  attribute: string
  line: number | null
  before: string | null
  covers: string
}[] = [
  {
    name: 'deletes the folder file that cancels the filter',
    attack: (repo) => repo.git('rm', '--quiet', 'iam/.gitattributes').then(() => undefined),
    file: 'iam/.gitattributes',
    attribute: 'filter',
    line: null,
    before: '*.json -filter',
    covers: 'iam/reports.json',
  },
  {
    name: 'deletes only the cancelling line',
    attack: (repo) => repo.write('iam/.gitattributes', '# policies stay readable\n'),
    file: 'iam/.gitattributes',
    attribute: 'filter',
    line: null,
    before: '*.json -filter',
    covers: 'iam/reports.json',
  },
  {
    name: 'makes the cancelling macro unspecified (`!plain`)',
    attack: (repo) => repo.write('k8s/.gitattributes', 'rbac/** !plain\n'),
    file: 'k8s/.gitattributes',
    attribute: 'filter',
    line: null,
    before: 'rbac/** plain',
    covers: 'k8s/rbac/reader.yaml',
  },
  {
    name: 'reorders the lines so that the transforming one comes last',
    attack: (repo) =>
      repo.write(
        '.gitattributes',
        ENCRYPTED['.gitattributes'].replace('*.yaml ident\nk8s/** -ident', 'k8s/** -ident\n*.yaml ident'),
      ),
    file: '.gitattributes',
    attribute: 'ident',
    line: 6,
    before: null,
    covers: 'k8s/rbac/reader.yaml',
  },
  {
    name: 'redefines the cancelling macro',
    attack: (repo) =>
      repo.write(
        '.gitattributes',
        ENCRYPTED['.gitattributes'].replace('[attr]plain -filter', '[attr]plain -diff'),
      ),
    file: '.gitattributes',
    attribute: 'filter',
    line: 2,
    before: '[attr]plain -filter',
    covers: 'k8s/rbac/reader.yaml',
  },
]

describe('an agent moving a policy out of sight', () => {
  let r: TestRepo
  beforeAll(async () => {
    r = await newRepo()
    await commitFiles(
      r,
      {'iam/reports.json': POLICY, 'k8s/rbac/reader.yaml': READER, 'README.md': '# app\n'},
      'App',
    )
    const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
    expect(init.code, init.stderr).toBe(0)
    await r.stage()
    await r.commit('Adopt acldrift')
    await r.git('tag', 'approved')
  }, 60_000)

  /** The attack on a branch of its own, committed as Claude Code: blocked by the hook, then committed bypassing it. */
  async function attackAsAgent(name: string, attack: Attack, from = 'approved'): Promise<string> {
    await r.git('checkout', '--quiet', '--force', '-B', `attack-${name.replace(/\W+/g, '-')}`, from)
    await attack(r)
    await r.stage()
    const message = identities.claudeCode.message('Tidy up policies')
    const blocked = await r
      .gitEnv({CLAUDECODE: '1'}, 'commit', '--quiet', '-m', message)
      .catch((e: unknown) => e)
    expect(blocked, 'the pre-commit hook blocks the commit').toBeInstanceOf(CommandError)
    await r.gitEnv({CLAUDECODE: '1'}, 'commit', '--quiet', '--no-verify', '-m', message)
    return (await r.git('rev-parse', 'HEAD')).trim()
  }

  for (const {name, attack, file, why} of FAIL_CLOSED)
    it(`fails closed on ${name}`, async () => {
      await attackAsAgent(name, attack)
      const {code, report} = await checkJson(r.dir, ['--range', 'approved..HEAD'])
      expect(code).toBe(3)
      expect(report.errors).toContainEqual(
        expect.objectContaining({file, message: expect.stringMatching(why)}),
      )
      // The document is held back, not counted as deleted, and no finding sits beside "0 documents".
      expect(report.findings.filter((f) => f.change !== 'narrowing' && f.kind !== 'acldrift')).toEqual([])
    }, 60_000)

  for (const {name, attack, file} of READ_WHERE_MOVED)
    it(`reports the widening of a policy ${name}, attributed to the agent`, async () => {
      const sha = await attackAsAgent(name, attack)
      const {code, report} = await checkJson(r.dir, ['--range', 'approved..HEAD'])
      expect(code).toBe(1)
      const widening = report.findings.find((f) => f.change === 'widening' && f.file === file)
      expect(widening?.commit).toMatchObject({sha, actor: {type: 'agent'}})
    }, 60_000)

  it('the audit fails closed too, naming the path', async () => {
    await attackAsAgent('audit-json5', rename('iam/reports.json5'))
    const dir = join(r.dir, '.git', 'audit-reports')
    const audit = await runCli(['audit', '--report-dir', dir], {cwd: r.dir})
    expect(audit.code, audit.stdout + audit.stderr).toBe(3)
    expect(audit.stdout).toMatch(/iam\/reports\.json5.*was renamed to iam\/reports\.json5/)
    const report: unknown = JSON.parse(await readFile(join(dir, 'acldrift-report.json'), 'utf8'))
    expectValidReport(report)
    expect((report as Report).errors.map((e) => e.file)).toContain('iam/reports.json5')
  }, 60_000)

  it('after init, a binding beside the covered files or in a new folder is caught; a Deployment there is no error', async () => {
    const config = await readFile(join(r.dir, 'acldrift.config.yaml'), 'utf8')
    expect(config).not.toContain('k8s/rbac/')
    const sha = await attackAsAgent('new-places', async (repo) => {
      await repo.write('k8s/rbac/ops.yml', binding('ops-readers'))
      await repo.write('platform/access/ops.yaml', binding('platform-readers'))
      await repo.write('k8s/rbac/app.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\n')
    })
    const {code, report} = await checkJson(r.dir, ['--range', 'approved..HEAD'])
    expect(code).toBe(1)
    expect(report.errors).toEqual([])
    const widened = report.findings.filter((f) => f.change === 'widening')
    expect(widened.map((f) => f.file).sort()).toEqual(['k8s/rbac/ops.yml', 'platform/access/ops.yaml'])
    for (const finding of widened) expect(finding.commit).toMatchObject({sha, actor: {type: 'agent'}})
  }, 60_000)

  for (const {file, content, line, pattern, attribute, covers} of TRANSFORMING_ATTRIBUTES)
    it(`${file} that transforms the content of a policy (${pattern} ${attribute}) is config-weakened, blamed on the agent`, async () => {
      const sha = await attackAsAgent(`attributes ${file} ${attribute}`, (repo) => repo.write(file, content))
      const {code, report} = await checkJson(r.dir, ['--range', 'approved..HEAD'])
      expect(code).toBe(1)
      const weakened = report.findings.filter((f) => f.file === file)
      expect(weakened).toHaveLength(1) // line endings are no finding: LF and CRLF read alike
      expect(weakened[0]).toMatchObject({
        rule: 'config-weakened',
        severity: 'high',
        line,
        witness: {setting: file, pattern, attribute},
        commit: {sha, actor: {type: 'agent'}},
      })
      expect(weakened[0]!.message).toContain(covers)
    }, 60_000)

  it("a folder's .gitattributes applies only below its folder: on files no kind reads there, it passes", async () => {
    await r.git('checkout', '--quiet', '--force', '-B', 'attributes-elsewhere', 'approved')
    // Read from the root, `*.json` would name iam/reports.json; from docs/, it names no policy.
    await r.write('docs/.gitattributes', '*.json filter=crypt\n')
    await r.stage()
    await r.gitEnv({CLAUDECODE: '1'}, 'commit', '--quiet', '-m', identities.claudeCode.message('Docs'))
    const {code, report} = await checkJson(r.dir, ['--range', 'approved..HEAD'])
    expect(code).toBe(0)
    expect(report.findings).toEqual([])
  }, 60_000)

  describe('in a repository whose .gitattributes cancel a transform on the policies', () => {
    beforeAll(async () => {
      await r.git('checkout', '--quiet', '--force', '-B', 'encrypted', 'approved')
      // Committed by the approver who ran init, through the hook: no transform acts on a policy.
      await commitFiles(r, ENCRYPTED, 'Encrypt secrets, keep policies readable')
      await r.git('tag', 'approved-encrypted')
    }, 60_000)

    /** The audit of the attack branch (its HEAD against the approved state), as JSON. */
    async function audit(): Promise<{code: number; report: Report}> {
      const run = await runCli(['audit', '--format', 'json'], {cwd: r.dir})
      const report: unknown = JSON.parse(run.stdout)
      expectValidReport(report)
      return {code: run.code, report}
    }

    for (const {name, attack, file, attribute, line, before, covers} of UNCANCELLED)
      it(`an agent that ${name} is blocked, and the audit reports config-weakened on ${file}, blamed on the agent`, async () => {
        const sha = await attackAsAgent(`uncancel ${name}`, attack, 'approved-encrypted')
        const {code, report} = await audit()
        expect(code).toBe(1)
        const weakened = report.findings.filter((f) => f.rule === 'config-weakened')
        expect(weakened).toHaveLength(1)
        expect(weakened[0]).toMatchObject({
          file,
          severity: 'high',
          line,
          before,
          witness: {setting: file, attribute},
          commit: {sha, actor: {type: 'agent'}},
        })
        expect(weakened[0]!.message).toContain(covers)
      }, 60_000)

    it('an agent that adds `-filter`, turns `-filter` into `!filter`, or filters files no kind reads passes', async () => {
      await r.git('checkout', '--quiet', '--force', '-B', 'honest-attributes', 'approved-encrypted')
      await r.write('iam/.gitattributes', '# policies stay readable\n*.json !filter\n')
      await r.write('k8s/rbac/.gitattributes', '*.yaml -filter -ident\n')
      await r.write('docs/.gitattributes', '*.json filter=crypt ident\n')
      await r.stage()
      // Through the hook: git leaves the filter unspecified on the policies, as check-attr says.
      await r.gitEnv(
        {CLAUDECODE: '1'},
        'commit',
        '--quiet',
        '-m',
        identities.claudeCode.message('Attributes'),
      )
      const {code, report} = await audit()
      expect(code).toBe(0)
      expect(report.findings.filter((f) => f.rule === 'config-weakened')).toEqual([])
    }, 60_000)
  })
})
