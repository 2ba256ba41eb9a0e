// `acldrift init` and the hooks it installs, end to end: the built CLI in real repositories, real
// `git commit`s running the installed hooks, and the real `pre-commit` tool when it is installed.

import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {chmod, mkdir, readFile, stat, symlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {Ajv2020} from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import {describe, type ExpectStatic, it} from 'vitest'
import {parse as parseYaml} from 'yaml'
import {
  type EnvOverrides,
  projectRoot,
  runCli,
  runHermetic,
  type RunResult,
  type TestRepo,
} from '../helpers/repo.js'
import {
  dump,
  expectValidReport,
  expectValidSnapshot,
  git,
  hookBundleAlone,
  repoFactory,
  type Report,
} from './helpers.js'
import {
  BUCKET_FILE,
  bucketPolicy,
  narrowedRolePolicy,
  policyText,
  publicBucketPolicy,
  ROLE_FILE,
  rolePolicy,
} from './policies.js'

/** The globs init always writes once it writes any: the places GitHub reads these files from. */
const FIXED_PLACES = [
  {glob: '.github/workflows/*.{yml,yaml}', kind: 'github-actions'},
  {glob: '.github/CODEOWNERS', kind: 'codeowners'},
  {glob: 'CODEOWNERS', kind: 'codeowners'},
  {glob: 'docs/CODEOWNERS', kind: 'codeowners'},
]

const HOOKS = ['pre-commit', 'pre-merge-commit', 'commit-msg', 'prepare-commit-msg'] as const
const SLOW = 180_000

const newRepo = repoFactory()

const configValidator = (() => {
  const ajv = new Ajv2020({strict: false, allErrors: true})
  addFormats.default(ajv)
  return ajv.compile(JSON.parse(readFileSync(join(projectRoot, 'schemas', 'config.schema.json'), 'utf8')))
})()

/** A repository with the approved bucket policy and role policy, committed by a person. */
async function approvedRepo(): Promise<TestRepo> {
  const r = await newRepo()
  await r.write(BUCKET_FILE, policyText(bucketPolicy))
  await r.write(ROLE_FILE, policyText(rolePolicy))
  await r.write('package.json', '{"name": "payroll-infra", "private": true}\n')
  await r.stage()
  await r.commit('Add payroll exports bucket and reporting dashboard role')
  return r
}

const init = (r: TestRepo, ...args: string[]) => runCli(['init', ...args], {cwd: r.dir})

async function head(r: TestRepo): Promise<string> {
  return (await r.git('rev-parse', 'HEAD')).trim()
}

/** Stages `files` and runs `git commit ARGS…` (hooks and all); returns what git and the hooks printed. */
async function commitWith(
  r: TestRepo,
  files: Record<string, string>,
  args: string[],
  env: EnvOverrides = {},
): Promise<RunResult> {
  for (const [path, content] of Object.entries(files)) await r.write(path, content)
  await r.stage(...Object.keys(files))
  return git(r, env, 'commit', ...args)
}

/** `acldrift init …` succeeded, and the files it wrote are committed (through the hooks, if any). */
async function initAndCommit(expect: ExpectStatic, r: TestRepo, ...args: string[]): Promise<RunResult> {
  const result = await init(r, ...args)
  expect(result.code, dump(result)).toBe(0)
  await r.stage()
  const committed = await git(r, {}, 'commit', '-m', 'Set up acldrift')
  expect(committed.code, dump(committed)).toBe(0)
  return result
}

async function isExecutable(path: string): Promise<boolean> {
  return ((await stat(path)).mode & 0o111) !== 0
}

/** The repository's own acldrift, as `npm install --save-dev acldrift` would link it (ignored by git). */
async function linkAcldrift(r: TestRepo): Promise<void> {
  await mkdir(join(r.dir, 'node_modules', '.bin'), {recursive: true})
  await symlink(join(projectRoot, 'bin', 'run.js'), join(r.dir, 'node_modules', '.bin', 'acldrift'))
  await r.write('.gitignore', 'node_modules/\n')
}

// ── the config and the first baseline ─────────────────────────────────────────────────────────

describe.concurrent('acldrift init: config and baseline', () => {
  it('writes a commented config, valid for the schema, for the kinds found, and the first baseline', async ({
    expect,
  }) => {
    const r = await approvedRepo()
    const rbac = [
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: Role',
      'metadata: {name: reader, namespace: payroll}',
      'rules:',
      '  - apiGroups: [""]',
      '    resources: [configmaps]',
      '    verbs: [get]',
      '',
    ].join('\n')
    await r.write('deploy/rbac/reader.yaml', rbac)
    await r.write('deploy/app.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\n')
    await r.stage()
    await r.commit('Add the reader role')

    const result = await init(r)
    expect(result.code, dump(result)).toBe(0)
    expect(result.stdout).toMatch(
      /created\s+acldrift\.config\.yaml: found aws-iam \(2 files\), k8s-rbac \(1 file\)/,
    )
    expect(result.stdout).toMatch(/created\s+\.acldrift\/baseline\.json: 3 documents/)
    expect(result.stdout).toContain('acldrift init --hook git')

    const text = await readFile(join(r.dir, 'acldrift.config.yaml'), 'utf8')
    const config = parseYaml(text) as Record<string, unknown>
    expect(configValidator(config), JSON.stringify(configValidator.errors)).toBe(true)
    // Policies are read by content, repository-wide; no glob narrowed to today's folders.
    expect(config).toMatchObject({
      version: 1,
      documents: [
        // Where GitHub reads workflows and CODEOWNERS: checked from the day one is added.
        ...FIXED_PLACES,
      ],
      baseline: '.acldrift/baseline.json',
      policy: {failOn: 'widening'},
    })
    // Commented sections document the rest, with the person running init as the example.
    for (const section of [
      '# exclude:',
      '# actors:',
      '#   humans:',
      '#   agents:',
      '# agents: require-approval',
    ])
      expect(text).toContain(section)
    expect(text).toContain('#     - {name: "Alice Example", emails: ["alice@example.com"]}')

    const snapshot = JSON.parse(await readFile(join(r.dir, '.acldrift', 'baseline.json'), 'utf8'))
    expectValidSnapshot(snapshot)
    expect(snapshot.documents.map((d: {path: string; kind: string}) => `${d.kind} ${d.path}`)).toEqual([
      'k8s-rbac deploy/rbac/reader.yaml',
      `aws-iam ${BUCKET_FILE}`,
      `aws-iam ${ROLE_FILE}`,
    ])
    expect(snapshot.source.commit).toBe(await head(r))

    // The new config and baseline agree with the repository: nothing widens.
    const check = await runCli(['check', '--format', 'json'], {cwd: r.dir})
    expect(check.code, dump(check)).toBe(0)
    const report: unknown = JSON.parse(check.stdout)
    expectValidReport(report)
    expect((report as Report).baseline.source).toBe(`snapshot:${join(r.dir, '.acldrift', 'baseline.json')}`)
    expect((report as Report).summary).toMatchObject({documents: 3, widening: 0})
  })

  it('never writes a glob that takes in a tracked file of another kind', async ({expect}) => {
    const r = await approvedRepo()
    await r.write('iam/roles/owners.json', '{"owner": "payroll-team"}\n')
    await r.stage()
    await r.commit('Record the owners')

    const result = await init(r)
    expect(result.code, dump(result)).toBe(0)
    const config = parseYaml(await readFile(join(r.dir, 'acldrift.config.yaml'), 'utf8'))
    expect(config.documents).toEqual(FIXED_PLACES)
    const check = await runCli(['check'], {cwd: r.dir})
    expect(check.code, dump(check)).toBe(0)
  })

  it('in a repository without configs or commits: a config that recognises files by content, an empty baseline', async ({
    expect,
  }) => {
    const r = await newRepo()
    const result = await init(r)
    expect(result.code, dump(result)).toBe(0)
    expect(result.stdout).toContain('no access-control file found yet')
    const text = await readFile(join(r.dir, 'acldrift.config.yaml'), 'utf8')
    const config = parseYaml(text)
    expect(configValidator(config), JSON.stringify(configValidator.errors)).toBe(true)
    expect(config.documents).toBeUndefined()
    expect(text).toContain("#   - glob: 'iam/**/*.json'")
    const snapshot = JSON.parse(await readFile(join(r.dir, '.acldrift', 'baseline.json'), 'utf8'))
    expectValidSnapshot(snapshot)
    expect(snapshot).toMatchObject({documents: [], source: {commit: null}})
  })

  it('fails closed on a broken policy (exit 3, file named) and writes nothing', async ({expect}) => {
    const r = await approvedRepo()
    await r.write('iam/broken.json', '{"Version": "2012-10-17", "Statement": [\n')
    await r.stage()
    await r.commit('WIP')
    const result = await init(r, '--hook', 'git')
    expect(result.code, dump(result)).toBe(3)
    expect(result.stderr).toContain('iam/broken.json:')
    expect(result.stderr).toContain('cannot take the first baseline')
    for (const path of ['acldrift.config.yaml', '.acldrift/baseline.json', '.git/hooks/pre-commit'])
      await expect(stat(join(r.dir, path)), path).rejects.toThrow()
  })
})

// ── plain git hooks ───────────────────────────────────────────────────────────────────────────

describe.concurrent('acldrift init --hook git', () => {
  it(
    "blocks a person's widening commit and an agent's (named), lets a narrowing through, and stamps --no-verify commits for the audit",
    async ({expect}) => {
      const r = await approvedRepo()
      const installed = await initAndCommit(expect, r, '--hook', 'git')
      for (const hook of HOOKS) {
        expect(installed.stdout).toMatch(new RegExp(`created\\s+\\.git/hooks/${hook}\\n`))
        expect(await isExecutable(join(r.dir, '.git', 'hooks', hook)), hook).toBe(true)
      }
      const approved = await head(r)

      // A person opens the bucket to everyone: blocked, with the witness.
      const open = {[BUCKET_FILE]: policyText(publicBucketPolicy)}
      const person = await commitWith(r, open, ['-m', 'Fix AccessDenied on the dashboard'])
      expect(person.code, dump(person)).not.toBe(0)
      expect(person.stderr).toContain('acldrift: commit blocked')
      expect(person.stderr).toMatch(
        /\[CRITICAL\] WIDENING\s+public-principal\s+iam\/buckets\/payroll-exports\.json:\d+/,
      )
      expect(person.stderr).toMatch(/witness:\n\s+principal: \*\n\s+action:\s+s3:GetObject/)
      // init made the person who ran it the first approver: a listed human, and still blocked.
      expect(person.stderr).toContain('actor:  human')
      expect(await head(r)).toBe(approved)

      // The same commit from Claude Code's shell: blocked, and the agent is named.
      const agent = await git(r, {CLAUDECODE: '1'}, 'commit', '-m', 'Fix AccessDenied on the dashboard')
      expect(agent.code, dump(agent)).not.toBe(0)
      expect(agent.stderr).toContain('acldrift: commit blocked')
      expect(agent.stderr).toContain('actor:  agent: Claude Code')
      expect(agent.stderr).toContain('env-claude-code (runtime): CLAUDECODE=1')
      expect(await head(r)).toBe(approved)

      // A narrowing goes through.
      await r.git('checkout', 'HEAD', '--', BUCKET_FILE)
      const narrowing = await commitWith(r, {[ROLE_FILE]: policyText(narrowedRolePolicy)}, [
        '-m',
        'Drop DeleteObject',
      ])
      expect(narrowing.code, dump(narrowing)).toBe(0)
      expect(narrowing.stderr).not.toContain('commit blocked')
      const narrowed = await head(r)
      expect(narrowed).not.toBe(approved)

      // The agent skips the blocking hooks; prepare-commit-msg still stamps the commit.
      const skipped = await commitWith(r, open, ['--no-verify', '-m', 'Fix AccessDenied'], {CLAUDECODE: '1'})
      expect(skipped.code, dump(skipped)).toBe(0)
      const sha = await head(r)
      expect(await r.git('log', '-1', '--format=%B')).toMatch(
        /^Assisted-by: Claude Code \(detected by acldrift: env-claude-code\)$/m,
      )

      // Later, without the agent's environment, the audit names the agent from the trailer.
      const audit = await runCli(['audit', '--format', 'json'], {cwd: r.dir})
      expect(audit.code, dump(audit)).toBe(1)
      const report = JSON.parse(audit.stdout) as Report
      expectValidReport(report)
      const widenings = report.findings.filter((f) => f.change !== 'narrowing')
      expect(widenings.map((f) => f.rule)).toContain('public-principal')
      for (const finding of widenings) {
        expect(finding.commit, finding.id).toMatchObject({sha, actor: {type: 'agent', agent: 'Claude Code'}})
        const evidence = (finding.commit as {actor: {evidence: {signal: string}[]}}).actor.evidence
        expect(evidence.map((e) => e.signal)).toContain('assisted-by')
      }
    },
    SLOW,
  )

  it(
    "commit-msg reads the message: a co-author trailer makes the commit an agent's; it is silent when nothing widens",
    async ({expect}) => {
      const r = await approvedRepo()
      await initAndCommit(expect, r, '--hook', 'git')
      // Only commit-msg decides here, as when the pre-commit hook is missing.
      await writeFile(join(r.dir, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\nexit 0\n')

      const message = 'Fix AccessDenied\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n'
      const blocked = await commitWith(r, {[BUCKET_FILE]: policyText(publicBucketPolicy)}, ['-m', message])
      expect(blocked.code, dump(blocked)).toBe(1)
      expect(blocked.stderr).toContain('acldrift: commit blocked')
      expect(blocked.stderr).toContain('commit: pending Alice Example <alice@example.com> Fix AccessDenied')
      expect(blocked.stderr).toContain('actor:  agent: Claude Code')
      expect(blocked.stderr).toContain(
        'claude-code-coauthor (medium): Co-Authored-By: Claude <noreply@anthropic.com>',
      )

      await r.git('checkout', 'HEAD', '--', BUCKET_FILE)
      const passed = await commitWith(r, {[ROLE_FILE]: policyText(narrowedRolePolicy)}, ['-m', message])
      expect(passed.code, dump(passed)).toBe(0)
      expect(passed.stderr).not.toContain('acldrift')
    },
    SLOW,
  )

  it('is idempotent: a second run keeps every file as it is', async ({expect}) => {
    const r = await approvedRepo()
    const paths = ['acldrift.config.yaml', '.acldrift/baseline.json', ...HOOKS.map((h) => `.git/hooks/${h}`)]
    const first = await init(r, '--hook', 'git')
    expect(first.code, dump(first)).toBe(0)
    const before = await Promise.all(paths.map((p) => readFile(join(r.dir, p), 'utf8')))

    const second = await init(r, '--hook', 'git')
    expect(second.code, dump(second)).toBe(0)
    expect(second.stdout).toMatch(/kept\s+acldrift\.config\.yaml/)
    expect(second.stdout).toMatch(/kept\s+\.acldrift\/baseline\.json: an approved baseline is never replaced/)
    for (const hook of HOOKS)
      expect(second.stdout).toMatch(new RegExp(`unchanged\\s+\\.git/hooks/${hook}\\n`))
    expect(second.stdout).not.toMatch(/created|updated/)
    expect(await Promise.all(paths.map((p) => readFile(join(r.dir, p), 'utf8')))).toEqual(before)
  })

  it(
    "never replaces a hook of the user's without --force; with it, the user's hook runs first",
    async ({expect}) => {
      const r = await approvedRepo()
      const mine = '#!/bin/sh\necho "my hook ran" > my-hook-ran.txt\n'
      const hook = join(r.dir, '.git', 'hooks', 'pre-commit')
      await mkdir(join(r.dir, '.git', 'hooks'), {recursive: true})
      await writeFile(hook, mine)
      await chmod(hook, 0o755)

      const refused = await init(r, '--hook', 'git')
      expect(refused.code, dump(refused)).toBe(2)
      expect(refused.stdout).toMatch(
        /REFUSED\s+\.git\/hooks\/pre-commit: a hook of yours is there: left alone/,
      )
      expect(refused.stdout).toContain('--force')
      expect(refused.stderr).toContain('1 hook was NOT installed')
      expect(await readFile(hook, 'utf8')).toBe(mine)
      // The others are installed, and the config and baseline written.
      expect(refused.stdout).toMatch(/created\s+\.git\/hooks\/commit-msg/)
      expect(refused.stdout).toMatch(/created\s+\.git\/hooks\/prepare-commit-msg/)

      const forced = await init(r, '--hook', 'git', '--force')
      expect(forced.code, dump(forced)).toBe(0)
      expect(forced.stdout).toMatch(
        /chained\s+\.git\/hooks\/pre-commit: yours is now \.git\/hooks\/pre-commit\.legacy/,
      )
      expect(await readFile(`${hook}.legacy`, 'utf8')).toBe(mine)

      // Both run: the user's first, then acldrift's, which still blocks the widening.
      const blocked = await commitWith(r, {[BUCKET_FILE]: policyText(publicBucketPolicy)}, ['-m', 'Open it'])
      expect(blocked.code, dump(blocked)).not.toBe(0)
      expect(blocked.stderr).toContain('acldrift: commit blocked')
      expect(await readFile(join(r.dir, 'my-hook-ran.txt'), 'utf8')).toBe('my hook ran\n')

      // A third run leaves everything as it is.
      const again = await init(r, '--hook', 'git')
      expect(again.code, dump(again)).toBe(0)
      expect(again.stdout).toMatch(/unchanged\s+\.git\/hooks\/pre-commit\n/)
    },
    SLOW,
  )

  it(
    "pre-commit and the message hooks run the package's hook bundle: a copy standing alone blocks a widening, passes a narrowing and stamps an agent, the CLI never asked to; post-rewrite runs the CLI",
    async ({expect}) => {
      const r = await approvedRepo()
      await initAndCommit(expect, r, '--hook', 'git')
      const script = await readFile(join(r.dir, '.git', 'hooks', 'pre-commit'), 'utf8')
      // At each place the bundle before the CLI: the repository's, the one that ran init, PATH's.
      const order = [
        'node_modules/.bin/acldrift-hook',
        'node_modules/.bin/acldrift"',
        join(projectRoot, 'hook', 'acldrift.js'),
        join(projectRoot, 'bin', 'run.js'),
        'command -v acldrift-hook',
        'command -v acldrift ',
      ].map((text) => script.indexOf(text))
      expect(
        order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)),
        script,
      ).toBe(true)
      // The message hooks too; post-rewrite loads a few modules of the CLI, less than the bundle.
      for (const hook of ['commit-msg', 'prepare-commit-msg', 'post-rewrite']) {
        const other = await readFile(join(r.dir, '.git', 'hooks', hook), 'utf8')
        for (const bundle of ['.bin/acldrift-hook', join(projectRoot, 'hook'), 'command -v acldrift-hook'])
          if (hook === 'post-rewrite') expect(other, hook).not.toContain(bundle)
          else expect(other, hook).toContain(bundle)
      }
      // The repository's acldrift: its bundle with nothing beside it, and a CLI that refuses to check.
      await mkdir(join(r.dir, 'node_modules', '.bin'), {recursive: true})
      await symlink(await hookBundleAlone(), join(r.dir, 'node_modules', '.bin', 'acldrift-hook'))
      const cli = [
        '#!/bin/sh',
        'case "$1 $2" in check* | "hook commit-msg" | "hook prepare-commit-msg") echo "the CLI was asked to run $1 $2" >&2; exit 99 ;; esac',
        `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(projectRoot, 'bin', 'run.js'))} "$@"`,
        '',
      ]
      await r.write('node_modules/.bin/acldrift', cli.join('\n'))
      await chmod(join(r.dir, 'node_modules', '.bin', 'acldrift'), 0o755)
      await r.write('.gitignore', 'node_modules/\n')
      const approved = await head(r)

      const open = await commitWith(r, {[BUCKET_FILE]: policyText(publicBucketPolicy)}, ['-m', 'Open it'])
      expect(open.code, dump(open)).toBe(1)
      expect(open.stderr).toContain('acldrift: commit blocked')
      expect(open.stderr).toMatch(/\[CRITICAL\] WIDENING\s+public-principal/)
      expect(await head(r)).toBe(approved)

      await r.git('checkout', 'HEAD', '--', BUCKET_FILE)
      const narrowing = await commitWith(
        r,
        {[ROLE_FILE]: policyText(narrowedRolePolicy), '.gitignore': 'node_modules/\n'},
        ['-m', 'Drop DeleteObject'],
      )
      expect(narrowing, dump(narrowing)).toMatchObject({code: 0})
      expect(narrowing.stderr).not.toContain('acldrift')

      const skipped = await commitWith(
        r,
        {[BUCKET_FILE]: policyText(publicBucketPolicy)},
        ['--no-verify', '-m', 'Fix AccessDenied'],
        {
          CLAUDECODE: '1',
        },
      )
      expect(skipped.code, dump(skipped)).toBe(0)
      expect(skipped.stderr).not.toContain('the CLI was asked')
      expect(await r.git('log', '-1', '--format=%B')).toMatch(
        /^Assisted-by: Claude Code \(detected by acldrift: env-claude-code\)$/m,
      )

      // The launcher that husky, lefthook and pre-commit run does the same: the bundle checks.
      expect((await init(r, '--hook', 'husky')).code).toBe(0)
      await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
      await r.stage(BUCKET_FILE)
      const launched = await runHermetic('sh', ['.acldrift/acldrift.sh', 'check', '--staged', '--quiet'], {
        cwd: r.dir,
      })
      expect(launched.code, dump(launched)).toBe(1)
      expect(launched.stdout).toMatch(/\[CRITICAL\] WIDENING\s+public-principal/)
      // And it stamps an agent's message.
      await r.write('MSG', 'Open it\n')
      const stamped = await runHermetic(
        'sh',
        ['.acldrift/acldrift.sh', 'hook', 'prepare-commit-msg', 'MSG'],
        {
          cwd: r.dir,
          env: {CLAUDECODE: '1'},
        },
      )
      expect(stamped.stderr).not.toContain('the CLI was asked')
      expect(await readFile(join(r.dir, 'MSG'), 'utf8')).toMatch(/^Assisted-by: Claude Code\b/m)
    },
    SLOW,
  )

  it('installs into core.hooksPath when it is set', async ({expect}) => {
    const r = await approvedRepo()
    await r.git('config', 'core.hooksPath', '.githooks')
    await initAndCommit(expect, r, '--hook', 'git')
    for (const hook of HOOKS) expect(await isExecutable(join(r.dir, '.githooks', hook)), hook).toBe(true)
    await expect(stat(join(r.dir, '.git', 'hooks', 'pre-commit'))).rejects.toThrow()
    const blocked = await commitWith(r, {[BUCKET_FILE]: policyText(publicBucketPolicy)}, ['-m', 'Open it'])
    expect(blocked.code, dump(blocked)).not.toBe(0)
    expect(blocked.stderr).toContain('public-principal')
  })
})

// ── husky and lefthook ────────────────────────────────────────────────────────────────────────

const LAUNCHER_COMMANDS = {
  'pre-commit': 'sh .acldrift/acldrift.sh check --staged --quiet',
  'pre-merge-commit': 'sh .acldrift/acldrift.sh check --staged --quiet',
  'commit-msg': 'sh .acldrift/acldrift.sh hook commit-msg',
  'prepare-commit-msg': 'sh .acldrift/acldrift.sh hook prepare-commit-msg',
  'post-rewrite': 'sh .acldrift/acldrift.sh hook post-rewrite',
}

/**
 * What `npx husky` (v9) sets up in a clone, as plain files: core.hooksPath = .husky/_, and there
 * one file per git hook that sources `h`, which runs `.husky/<hook>` with `sh -e`, git's
 * arguments and stdin, node_modules/.bin on PATH. Written from husky's documented layout
 * (https://typicode.github.io/husky/how-to.html) and its `h` script
 * (https://github.com/typicode/husky/blob/main/husky); no network.
 */
async function huskyInstalled(r: TestRepo): Promise<void> {
  const h = [
    '#!/usr/bin/env sh',
    'n=$(basename "$0")',
    's=$(dirname "$(dirname "$0")")/$n',
    '[ ! -f "$s" ] && exit 0',
    '[ "${HUSKY-}" = "0" ] && exit 0',
    'export PATH="node_modules/.bin:$PATH"',
    'sh -e "$s" "$@"',
    'c=$?',
    '[ $c != 0 ] && echo "husky - $n script failed (code $c)"',
    'exit $c',
    '',
  ].join('\n')
  await r.write('.husky/_/h', h)
  await r.write('.husky/_/.gitignore', '*\n')
  for (const name of [...HOOKS, 'post-rewrite', 'pre-push', 'post-checkout']) {
    await r.write(`.husky/_/${name}`, '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n')
    await chmod(join(r.dir, '.husky', '_', name), 0o755)
  }
  await r.git('config', 'core.hooksPath', '.husky/_')
}

describe.concurrent('acldrift init --hook husky | lefthook', () => {
  it('husky: one file per hook calling the committed launcher; the files run as husky runs them', async ({
    expect,
  }) => {
    const r = await approvedRepo()
    const result = await init(r, '--hook', 'husky')
    expect(result.code, dump(result)).toBe(0)
    expect(result.stdout).toContain('`npx husky`')
    const files = Object.fromEntries(
      await Promise.all(
        [...HOOKS, 'post-rewrite'].map(async (h) => [h, await readFile(join(r.dir, '.husky', h), 'utf8')]),
      ),
    )
    expect(files).toEqual({
      'pre-commit': `# acldrift: blocks a commit whose staged changes widen access (written by \`acldrift init\`)\n${LAUNCHER_COMMANDS['pre-commit']}\n`,
      'pre-merge-commit': `# acldrift: blocks a merge whose result widens access (git merge runs no pre-commit) (written by \`acldrift init\`)\n${LAUNCHER_COMMANDS['pre-merge-commit']}\n`,
      'commit-msg': expect.stringMatching(
        /^# acldrift: .*\nsh \.acldrift\/acldrift\.sh hook commit-msg "\$1"\n$/,
      ),
      'prepare-commit-msg': expect.stringMatching(
        /^# acldrift: .*\nsh \.acldrift\/acldrift\.sh hook prepare-commit-msg "\$@"\n$/,
      ),
      'post-rewrite': expect.stringMatching(
        /^# acldrift: .*\nsh \.acldrift\/acldrift\.sh hook post-rewrite "\$1"\n$/,
      ),
    })
    expect(await isExecutable(join(r.dir, '.acldrift', 'acldrift.sh'))).toBe(true)

    // husky v9 runs `sh -e .husky/<hook> ARGS` from the repository root.
    await linkAcldrift(r)
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await r.stage(BUCKET_FILE)
    const blocked = await runHermetic('sh', ['-e', '.husky/pre-commit'], {cwd: r.dir})
    expect(blocked.code, dump(blocked)).toBe(1)
    expect(blocked.stderr).toContain('acldrift: commit blocked')
    expect(blocked.stdout).toContain('public-principal')
    await r.write('.git/COMMIT_EDITMSG', 'Fix AccessDenied\n')
    const stamped = await runHermetic(
      'sh',
      ['-e', '.husky/prepare-commit-msg', '.git/COMMIT_EDITMSG', 'message'],
      {
        cwd: r.dir,
        env: {CLAUDECODE: '1'},
      },
    )
    expect(stamped.code, dump(stamped)).toBe(0)
    expect(await readFile(join(r.dir, '.git', 'COMMIT_EDITMSG'), 'utf8')).toContain(
      'Assisted-by: Claude Code',
    )

    // The user's own husky hook: left alone, then (--force) kept with acldrift's line appended.
    await writeFile(join(r.dir, '.husky', 'pre-commit'), 'npm test\n')
    const refused = await init(r, '--hook', 'husky')
    expect(refused.code, dump(refused)).toBe(2)
    expect(refused.stdout).toContain(`Add the line \`${LAUNCHER_COMMANDS['pre-commit']}\``)
    expect(await readFile(join(r.dir, '.husky', 'pre-commit'), 'utf8')).toBe('npm test\n')
    const forced = await init(r, '--hook', 'husky', '--force')
    expect(forced.code, dump(forced)).toBe(0)
    expect(await readFile(join(r.dir, '.husky', 'pre-commit'), 'utf8')).toMatch(
      /^npm test\n# acldrift: .*\nsh \.acldrift\/acldrift\.sh check --staged --quiet\n$/,
    )
    const again = await init(r, '--hook', 'husky')
    expect(again.code, dump(again)).toBe(0)
    expect(again.stdout).toMatch(/unchanged\s+\.husky\/pre-commit: it runs acldrift/)
  })

  it(
    "husky's layout (core.hooksPath .husky/_): a human's amend of an agent's commit keeps the agent in refs/notes/ai",
    async ({expect}) => {
      const r = await approvedRepo()
      await linkAcldrift(r)
      await huskyInstalled(r)
      const result = await initAndCommit(expect, r, '--hook', 'husky')
      expect(result.stdout).not.toContain('`npx husky`')
      // Claude Code commits (its environment; prepare-commit-msg stamps it), then Alice amends
      // the message: git runs .husky/_/post-rewrite, husky runs .husky/post-rewrite with stdin.
      const agent = await commitWith(r, {'docs/runbook.md': '# Runbook\n'}, ['-m', 'Runbook'], {
        CLAUDECODE: '1',
      })
      expect(agent.code, dump(agent)).toBe(0)
      expect(await r.git('log', '-1', '--format=%B')).toContain('Claude Code')
      const amend = await git(r, {}, 'commit', '--amend', '-m', 'Add the runbook')
      expect(amend.code, dump(amend)).toBe(0)
      expect(await r.git('log', '-1', '--format=%B')).not.toContain('Claude')
      const note = await git(r, {}, 'notes', '--ref=ai', 'show', 'HEAD')
      expect(note.code, dump(note)).toBe(0)
      expect(note.stdout).toContain('Claude Code')
      // The same `init --hook git` there would write into .husky/_, which husky rewrites: it says so.
      const plain = await init(r, '--hook', 'git')
      expect(plain.stdout).toContain('run `acldrift init --hook husky` instead')
    },
    SLOW,
  )

  it("lefthook: entries added to the user's lefthook.yml, comments kept; theirs never replaced without --force", async ({
    expect,
  }) => {
    const r = await approvedRepo()
    const mine = '# our hooks\npre-commit:\n  commands:\n    lint:\n      run: npm run lint # fast\n'
    await r.write('lefthook.yml', mine)
    const result = await init(r, '--hook', 'lefthook')
    expect(result.code, dump(result)).toBe(0)
    expect(result.stdout).toContain('lefthook install')
    const text = await readFile(join(r.dir, 'lefthook.yml'), 'utf8')
    expect(
      text.startsWith('# our hooks\npre-commit:\n  commands:\n    lint:\n      run: npm run lint # fast\n'),
    ).toBe(true)
    expect(parseYaml(text)).toEqual({
      'pre-commit': {
        commands: {lint: {run: 'npm run lint'}, acldrift: {run: LAUNCHER_COMMANDS['pre-commit']}},
      },
      'pre-merge-commit': {commands: {acldrift: {run: LAUNCHER_COMMANDS['pre-merge-commit']}}},
      'commit-msg': {commands: {acldrift: {run: `${LAUNCHER_COMMANDS['commit-msg']} {1}`}}},
      'prepare-commit-msg': {commands: {acldrift: {run: `${LAUNCHER_COMMANDS['prepare-commit-msg']} {1}`}}},
      // lefthook passes git's stdin (the rewritten commits) only with use_stdin.
      'post-rewrite': {
        commands: {acldrift: {run: `${LAUNCHER_COMMANDS['post-rewrite']} {1}`, use_stdin: true}},
      },
    })

    // lefthook runs `run` with sh, {1} being git's first argument.
    await linkAcldrift(r)
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await r.stage(BUCKET_FILE)
    await r.write('.git/COMMIT_EDITMSG', 'Open it\n\nCo-authored-by: Claude <noreply@anthropic.com>\n')
    const run = (parseYaml(text)['commit-msg'].commands.acldrift.run as string).replace(
      '{1}',
      '.git/COMMIT_EDITMSG',
    )
    const blocked = await runHermetic('sh', ['-c', run], {cwd: r.dir})
    expect(blocked.code, dump(blocked)).toBe(1)
    expect(blocked.stdout).toContain('agent: Claude Code')

    const again = await init(r, '--hook', 'lefthook')
    expect(again.code, dump(again)).toBe(0)
    expect(await readFile(join(r.dir, 'lefthook.yml'), 'utf8')).toBe(text)

    await writeFile(join(r.dir, 'lefthook.yml'), text.replace(LAUNCHER_COMMANDS['pre-commit'], 'echo mine'))
    const refused = await init(r, '--hook', 'lefthook')
    expect(refused.code, dump(refused)).toBe(2)
    expect(refused.stdout).toMatch(
      /REFUSED\s+lefthook\.yml: pre-commit: an entry named acldrift runs something else/,
    )
    expect(
      parseYaml(await readFile(join(r.dir, 'lefthook.yml'), 'utf8'))['pre-commit'].commands.acldrift.run,
    ).toBe('echo mine')
  })
})

// ── pre-commit (https://pre-commit.com), the real tool ────────────────────────────────────────

const preCommitVersion = spawnSync('pre-commit', ['--version'], {encoding: 'utf8'})
const hasPreCommit = preCommitVersion.status === 0
const skipReason = hasPreCommit
  ? ''
  : ' [skipped: the pre-commit program is not installed; apt-get install pre-commit]'
const preCommitStage = (() => {
  const [major, minor] = (/(\d+)\.(\d+)/.exec(preCommitVersion.stdout ?? '') ?? []).slice(1).map(Number)
  return major! < 3 || (major === 3 && minor! < 2) ? 'commit' : 'pre-commit'
})()
// (pre-commit 3.2 named its stages after git's hooks: `merge-commit` before)
const preMergeCommitStage = preCommitStage === 'commit' ? 'merge-commit' : 'pre-merge-commit'

describe.concurrent('pre-commit', () => {
  it.skipIf(!hasPreCommit)(
    `init --hook pre-commit + \`pre-commit install\`: a widening commit is blocked, --no-verify is stamped${skipReason}`,
    async ({expect}) => {
      const r = await approvedRepo()
      await linkAcldrift(r)
      const result = await initAndCommit(expect, r, '--hook', 'pre-commit')
      expect(result.stdout).toContain(
        'pre-commit install --hook-type pre-commit --hook-type pre-merge-commit --hook-type commit-msg --hook-type prepare-commit-msg',
      )
      const config = parseYaml(await readFile(join(r.dir, '.pre-commit-config.yaml'), 'utf8'))
      expect(config).toMatchObject({
        default_install_hook_types: ['pre-commit', 'pre-merge-commit', 'commit-msg', 'prepare-commit-msg'],
        repos: [
          {
            repo: 'local',
            hooks: [
              {id: 'acldrift', entry: LAUNCHER_COMMANDS['pre-commit'], stages: [preCommitStage]},
              {
                id: 'acldrift-pre-merge-commit',
                entry: LAUNCHER_COMMANDS['pre-merge-commit'],
                stages: [preMergeCommitStage],
                pass_filenames: false,
              },
              {id: 'acldrift-commit-msg', entry: LAUNCHER_COMMANDS['commit-msg'], stages: ['commit-msg']},
              {
                id: 'acldrift-prepare-commit-msg',
                entry: LAUNCHER_COMMANDS['prepare-commit-msg'],
                stages: ['prepare-commit-msg'],
              },
            ],
          },
        ],
      })
      // pre-commit would run a post-rewrite hook without git's stdin: the plain git hook is beside it.
      expect(await readFile(join(r.dir, '.git', 'hooks', 'post-rewrite'), 'utf8')).toContain(
        'acldrift post-rewrite hook',
      )
      const installed = await runHermetic(
        'pre-commit',
        [
          'install',
          '--hook-type',
          'pre-commit',
          '--hook-type',
          'pre-merge-commit',
          '--hook-type',
          'commit-msg',
          '--hook-type',
          'prepare-commit-msg',
        ],
        {cwd: r.dir},
      )
      expect(installed.code, dump(installed)).toBe(0)

      const open = {[BUCKET_FILE]: policyText(publicBucketPolicy)}
      const approved = await head(r)
      const blocked = await commitWith(r, open, ['-m', 'Fix AccessDenied'], {CLAUDECODE: '1'})
      expect(blocked.code, dump(blocked)).not.toBe(0)
      const output = blocked.stdout + blocked.stderr
      expect(output).toMatch(/- hook id: acldrift\n/)
      expect(output).toContain('acldrift: commit blocked')
      expect(output).toMatch(/witness:\n\s+principal: \*/)
      expect(output).toContain('actor:  agent: Claude Code')
      expect(await head(r)).toBe(approved)

      const stamped = await git(r, {CLAUDECODE: '1'}, 'commit', '--no-verify', '-m', 'Fix AccessDenied')
      expect(stamped.code, dump(stamped)).toBe(0)
      expect(await r.git('log', '-1', '--format=%B')).toMatch(/^Assisted-by: Claude Code\b/m)

      const again = await init(r, '--hook', 'pre-commit')
      expect(again.code, dump(again)).toBe(0)
      expect(again.stdout).not.toMatch(/created|updated/)
    },
    SLOW,
  )

  it.skipIf(!hasPreCommit)(
    `.pre-commit-hooks.yaml: the four hooks, valid for pre-commit, each run by the committed hook bundle${skipReason}`,
    async ({expect}) => {
      const text = await readFile(join(projectRoot, '.pre-commit-hooks.yaml'), 'utf8')
      const hooks = parseYaml(text) as {id: string; entry: string; stages: string[]; language: string}[]
      expect(hooks.map((h) => [h.id, h.entry, h.stages, h.language])).toEqual([
        ['acldrift', 'acldrift-hook check --staged --quiet', ['commit'], 'node'],
        ['acldrift-pre-merge-commit', 'acldrift-hook check --staged --quiet', ['merge-commit'], 'node'],
        ['acldrift-commit-msg', 'acldrift-hook hook commit-msg', ['commit-msg'], 'node'],
        [
          'acldrift-prepare-commit-msg',
          'acldrift-hook hook prepare-commit-msg',
          ['prepare-commit-msg'],
          'node',
        ],
      ])
      // As published: `commit` is the stage name every pre-commit accepts (3.2 renamed it).
      const dir = await newRepo()
      await dir.write('.pre-commit-hooks.yaml', text)
      const valid = await runHermetic('pre-commit', ['validate-manifest', '.pre-commit-hooks.yaml'], {
        cwd: dir.dir,
      })
      expect(valid.code, dump(valid)).toBe(0)
      // Every entry is one the bundle runs (it refuses anything else with exit 2), the way pre-commit
      // calls it: the commit-msg hooks get the message file's path.
      await dir.write('MESSAGE', 'Add notes\n')
      for (const hook of hooks) {
        const args = [
          ...hook.entry.split(' ').slice(1),
          ...(hook.entry.includes('commit-msg') ? ['MESSAGE'] : []),
        ]
        const ran = await runHermetic(process.execPath, [join(projectRoot, 'hook', 'acldrift.js'), ...args], {
          cwd: dir.dir,
        })
        expect(ran.code, `${hook.entry}\n${dump(ran)}`).toBe(0)
      }
    },
  )
})
