// The CLI conventions a newcomer expects (issue 18, item 5): `help`, `version`, `-h`, `-v`;
// short flags; one name for the output file (`--output`, with `--out` kept as a hidden alias);
// `--range` in every form git accepts; `--verbose` on standard error; a `documents:` glob that
// matches nothing is a warning; pretty output's paths are relative to the current folder, and so
// are paths given on the command line; `--debug` times each stage on standard error; bash completes
// commands and flags through oclif's autocomplete plugin.

import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {beforeAll, describe, it} from 'vitest'
import {makeTempDir, projectRoot, runCli, runHermetic, type TestRepo} from '../helpers/repo.js'
import {checkJson, repoFactory} from './helpers.js'
import {BUCKET_FILE, bucketPolicy, policyText, publicBucketPolicy} from './policies.js'

const newRepo = repoFactory()
let r: TestRepo

// main: the bucket, then a README; branch `open` (from the first commit): the bucket made public.
beforeAll(async () => {
  r = await newRepo()
  await r.write(BUCKET_FILE, policyText(bucketPolicy))
  await r.stage()
  await r.commit('Add payroll exports bucket')
  await r.git('branch', 'open')
  await r.write('README.md', 'payroll\n')
  await r.stage()
  await r.commit('Readme')
  await r.git('checkout', '-q', 'open')
  await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
  await r.stage()
  await r.commit('Open the bucket')
}, 60_000)

/** A row of `--debug`'s table: the stage and its duration. */
const row = (stage: string) => new RegExp(`^  ${stage} +\\d+\\.\\d ms`, 'm')

// util-linux's `script` runs the CLI under a pseudo-terminal, as a person's shell does.
const bin = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(projectRoot, 'bin', 'run.js'))}`
const terminalRun = (dir: string, command: string, env = {}) =>
  runHermetic('/usr/bin/script', ['-qec', command, '/dev/null'], {cwd: dir, env, timeoutMs: 120_000})

const ids = (result: Awaited<ReturnType<typeof checkJson>>) => result.report.findings.map((f) => f.id).sort()

describe.concurrent('CLI conventions', () => {
  it('help, -h, version and -v exit 0 and say what --help and --version say', async ({expect}) => {
    const help = await runCli(['--help'], {cwd: r.dir})
    const version = await runCli(['--version'], {cwd: r.dir})
    for (const args of [['help'], ['-h']]) {
      const result = await runCli(args, {cwd: r.dir})
      expect([result.code, result.stdout]).toEqual([0, help.stdout])
    }
    for (const args of [['version'], ['-v']]) {
      const result = await runCli(args, {cwd: r.dir})
      expect([result.code, result.stdout]).toEqual([0, version.stdout])
    }
    const commandHelp = await runCli(['help', 'check'], {cwd: r.dir})
    expect(commandHelp.code).toBe(0)
    expect((await runCli(['check', '-h'], {cwd: r.dir})).stdout).toBe(commandHelp.stdout)
    for (const flag of [
      '-f, --format',
      '-o, --output',
      '-c, --config',
      '-b, --baseline',
      '-q, --quiet',
      '-V, --verbose',
    ])
      expect(commandHelp.stdout).toContain(flag)
    // --out is still accepted, but only --output is shown.
    const snapshotHelp = await runCli(['snapshot', '--help'], {cwd: r.dir})
    expect(snapshotHelp.stdout).toContain('--output')
    expect(snapshotHelp.stdout).not.toContain('--out ')
  })

  it("shell completion (oclif's autocomplete plugin) completes commands and their flags in bash", async ({
    expect,
  }) => {
    const cache = await makeTempDir('acldrift-completion-')
    const env = {XDG_CACHE_HOME: cache}
    const setup = await runCli(['autocomplete', 'bash'], {cwd: r.dir, env})
    expect(setup.code).toBe(0)
    expect(setup.stdout).toContain('acldrift autocomplete script bash')
    // What the README's setup line sources: the completion function the plugin generated.
    const completion = join(cache, 'acldrift', 'autocomplete', 'functions', 'bash', 'acldrift.bash')
    expect(existsSync(completion)).toBe(true)
    const complete = async (...words: string[]) => {
      const script = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _acldrift_autocomplete; echo "\${COMPREPLY[*]}"`
      const result = await runHermetic('bash', ['-c', script, 'complete', completion, ...words], {cwd: r.dir})
      expect(result.stderr).toBe('')
      return result.stdout.trim().split(/\s+/)
    }
    expect(await complete('acldrift', 'aud')).toEqual(['audit'])
    expect(await complete('acldrift', 'check', '--fail')).toEqual(['--fail-on'])
  })

  it('short flags and the --out alias write the same report as the long ones', async ({expect}) => {
    const long = await runCli(['check', '--baseline', 'main', '--format', 'json', '--output', 'long.json'], {
      cwd: r.dir,
    })
    const short = await runCli(['check', '-b', 'main', '-f', 'json', '-o', 'short.json'], {cwd: r.dir})
    const alias = await runCli(['check', '-b', 'main', '-f', 'json', '--out', 'alias.json'], {cwd: r.dir})
    expect([long.code, short.code, alias.code]).toEqual([1, 1, 1])
    const findings = async (file: string) =>
      (JSON.parse(await readFile(join(r.dir, file), 'utf8')) as {findings: {id: string}[]}).findings.map(
        (f) => f.id,
      )
    expect(await findings('short.json')).toEqual(await findings('long.json'))
    expect(await findings('alias.json')).toEqual(await findings('long.json'))
    const both = await runCli(['check', '--output', 'a.json', '--out', 'b.json'], {cwd: r.dir})
    expect(both.code).toBe(2)
  })

  it('--range: A..B, A...B (from the merge base), A.. and ..B, as git reads them', async ({expect}) => {
    const twoDots = await checkJson(r.dir, ['--range', 'main..open'])
    // main has a README commit that open lacks: from the merge base, only open's change counts.
    const threeDots = await checkJson(r.dir, ['--range', 'main...open'])
    const fromBase = await checkJson(r.dir, ['--range', 'open~1..open'])
    expect(ids(threeDots)).toEqual(ids(fromBase))
    expect(ids(twoDots)).toEqual(ids(fromBase))
    expect(threeDots.code).toBe(1)
    // HEAD is `open`: a missing side is HEAD.
    expect(ids(await checkJson(r.dir, ['--range', 'open~1..']))).toEqual(ids(fromBase))
    expect((await checkJson(r.dir, ['--range', '..open'])).report.findings).toEqual([])
  })

  it('--verbose says what was compared on standard error; --quiet and --verbose conflict', async ({
    expect,
  }) => {
    const verbose = await runCli(['check', '-V', '--range', 'open~1..open', '-f', 'json'], {cwd: r.dir})
    expect(verbose.stderr).toMatch(/^acldrift: compared open~1 with range: \d+ documents in \d+ ms\n$/)
    JSON.parse(verbose.stdout)
    expect((await runCli(['check', '-q', '-V'], {cwd: r.dir})).code).toBe(2)
  })

  it('pretty output names files relative to the folder it runs in; JSON stays repository-relative', async ({
    expect,
  }) => {
    const inIam = {cwd: join(r.dir, 'iam')}
    const pretty = await runCli(['check', '-b', 'main'], inIam)
    expect(pretty.code).toBe(1)
    expect(pretty.stdout).toMatch(/^buckets\/payroll-exports\.json$/m)
    expect(pretty.stdout).not.toMatch(/(^| )iam\/buckets\//m)
    const json = await runCli(['check', '-b', 'main', '-f', 'json'], inIam)
    const files = (JSON.parse(json.stdout) as {findings: {file: string}[]}).findings.map((f) => f.file)
    expect(new Set(files)).toEqual(new Set([BUCKET_FILE]))
  })

  it('pretty output of audit, history and explain names files relative to the folder it runs in', async ({
    expect,
  }) => {
    const inIam = {cwd: join(r.dir, 'iam')}
    const relativeLine = /^ {2}\[[A-Z]+\] +WIDENING +\S+ +buckets\/payroll-exports\.json:\d+$/m
    const audit = await runCli(['audit', '-b', 'main'], inIam)
    expect(audit.code).toBe(1)
    expect(audit.stdout).toMatch(relativeLine)
    const id = (await checkJson(r.dir, ['-b', 'main'])).report.findings[0]!.id
    const explain = await runCli(['explain', id, '-b', 'main'], inIam)
    expect(explain.code).toBe(0)
    expect(explain.stdout).toMatch(relativeLine)
    const history = await runCli(['history'], inIam)
    expect(history.stdout).toMatch(relativeLine)
    for (const result of [audit, explain, history]) expect(result.stdout).not.toContain('iam/buckets/')
  })

  it('a path given on the command line is relative to the current folder (`history .` in a subfolder)', async ({
    expect,
  }) => {
    const inIam = {cwd: join(r.dir, 'iam')}
    const json = async (args: string[], cwd: {cwd: string}) => {
      const result = await runCli(['history', ...args, '-f', 'json'], cwd)
      expect(result.code).toBe(0)
      return (JSON.parse(result.stdout) as {findings: {file: string; id: string}[]}).findings
    }
    const all = await json([], {cwd: r.dir})
    expect(all.length).toBeGreaterThan(0)
    expect(await json(['.'], inIam)).toEqual(all)
    expect(await json(['buckets/payroll-exports.json'], inIam)).toEqual(all)
    expect(await json(['iam'], {cwd: r.dir})).toEqual(all)
    // JSON stays repository-relative wherever it runs.
    expect(new Set(all.map((f) => f.file))).toEqual(new Set([BUCKET_FILE]))
    // From the root, `buckets/` names nothing; outside the repository is a usage error.
    expect(await json(['buckets'], {cwd: r.dir})).toEqual([])
    expect((await runCli(['history', '../..'], inIam)).code).toBe(2)
  })

  it('--debug times every stage on standard error and leaves the report alone', async ({expect}) => {
    const stages = [
      'start-up',
      'repository',
      'config',
      'listing',
      'reading',
      'comparing',
      'attribution',
      'gate',
    ]
    const plain = await runCli(['check', '-b', 'main', '-f', 'json'], {cwd: r.dir})
    const debug = await runCli(['check', '-b', 'main', '-f', 'json', '--debug'], {cwd: r.dir})
    expect([plain.code, debug.code]).toEqual([1, 1])
    const findings = (stdout: string) => (JSON.parse(stdout) as {findings: {id: string}[]}).findings
    expect(findings(debug.stdout)).toEqual(findings(plain.stdout))
    expect(plain.stderr).toBe('')
    for (const stage of [...stages, 'reporting', 'total']) expect(debug.stderr).toMatch(row(stage))
    // The hooks' fast path without oclif (the committed hook bundle), told by the environment.
    const repo = await newRepo()
    await repo.write(BUCKET_FILE, policyText(bucketPolicy))
    await repo.stage()
    await repo.commit('Bucket')
    expect((await runCli(['snapshot', '-o', 'baseline.json'], {cwd: repo.dir})).code).toBe(0)
    await repo.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await repo.stage()
    const hookBundle = join(projectRoot, 'hook', 'acldrift.js')
    const hook = await runHermetic(process.execPath, [hookBundle, 'check', '--staged', '--quiet'], {
      cwd: repo.dir,
      env: {ACLDRIFT_DEBUG: '1'},
    })
    expect(hook.code).toBe(1)
    for (const stage of ['start-up', 'repository', 'config', 'reading', 'comparing', 'gate', 'reporting'])
      expect(hook.stderr).toMatch(row(stage))
    const update = await runCli(['baseline', 'update', '-o', 'baseline.json', '--debug'], {
      cwd: repo.dir,
    })
    expect(update.code).toBe(1)
    expect(update.stderr).toMatch(row('gate'))
  })

  it('--debug on every other command that reads and compares: validate, coverage, history, explain, audit', async ({
    expect,
  }) => {
    const id = (await checkJson(r.dir, ['-b', 'main'])).report.findings[0]!.id
    const commands = [
      ['validate'],
      ['coverage', '-f', 'json'],
      ['history', '-f', 'json'],
      ['explain', id, '-b', 'main', '-f', 'json'],
      ['audit', '-b', 'main', '-f', 'json'],
    ]
    for (const args of commands) {
      const result = await runCli([...args, '--debug'], {cwd: r.dir})
      expect(result.stderr, args.join(' ')).toMatch(row('reading'))
      expect(result.stderr, args.join(' ')).toMatch(row('total'))
      if (args.includes('json')) JSON.parse(result.stdout)
    }
  })

  it.skipIf(!existsSync('/usr/bin/script'))(
    'a progress line on a terminal only: never in CI, never when standard error is redirected',
    async ({expect}) => {
      const underTerminal = (command: string, env = {}) => terminalRun(r.dir, command, env)
      const bar = /\[#+\.*\] \d+\/\d+ commits compared/
      const terminal = await underTerminal(`${bin} history`)
      expect(terminal.code).toBe(0)
      expect(terminal.stdout).toMatch(bar)
      // As a check's: the file being compared is named, with its commit.
      expect(terminal.stdout).toMatch(/\d+\/\d+ commits compared \([0-9a-f]{12} [^)]+\.json\)/)
      expect((await underTerminal(`${bin} history`, {CI: 'true'})).stdout).not.toMatch(bar)
      expect((await underTerminal(`${bin} history 2>/dev/null`)).stdout).not.toContain('commits compared')
      const piped = await runCli(['history'], {cwd: r.dir})
      expect(piped.stderr).toBe('')
    },
  )

  // The comparison's own progress (issue 16, item 6): files compared out of those changed, named
  // before each is compared, so that a long one stays on the line; the report is untouched.
  it.skipIf(!existsSync('/usr/bin/script'))(
    'a long comparison counts the files compared on standard error, never in the report nor in a hook',
    async ({expect}) => {
      const repo = await newRepo()
      const files = Array.from({length: 30}, (_, i) => `iam/buckets/b${String(i).padStart(2, '0')}.json`)
      for (const file of files) await repo.write(file, policyText(bucketPolicy))
      await repo.stage()
      await repo.commit('Thirty buckets')
      for (const file of files) await repo.write(file, policyText(publicBucketPolicy))
      await repo.stage()
      await repo.commit('Open them all')
      // The hook's check below has a change to compare too.
      await repo.write('iam/buckets/extra.json', policyText(publicBucketPolicy))
      await repo.stage()
      // Under `script`, standard error is the terminal; standard output goes to a file.
      const underTerminal = (command: string) => terminalRun(repo.dir, command)
      const progress = /\[#*\.*\] 0\/30 files compared \(iam\/buckets\/b00\.json\)/
      const terminal = await underTerminal(`${bin} check --range HEAD~1..HEAD -f json > report.json`)
      expect(terminal.code).toBe(1)
      expect(terminal.stdout).toMatch(progress)
      const piped = await runCli(['check', '--range', 'HEAD~1..HEAD', '-f', 'json'], {cwd: repo.dir})
      expect(piped.stderr).toBe('')
      const report = JSON.parse(await readFile(join(repo.dir, 'report.json'), 'utf8')) as {
        findings: unknown[]
      }
      expect(report).toEqual(JSON.parse(piped.stdout))
      expect(report.findings.length).toBeGreaterThanOrEqual(30)
      const sarif = await underTerminal(`${bin} check --range HEAD~1..HEAD -f sarif > report.sarif`)
      expect(sarif.stdout).toMatch(progress)
      expect(await readFile(join(repo.dir, 'report.sarif'), 'utf8')).toBe(
        (await runCli(['check', '--range', 'HEAD~1..HEAD', '-f', 'sarif'], {cwd: repo.dir})).stdout,
      )
      expect((await underTerminal(`${bin} audit -b HEAD~1 > /dev/null`)).stdout).toMatch(/files compared/)
      // Never in the hook's check, nor with --quiet, nor in CI.
      for (const command of [
        `${bin} check --staged`,
        `${bin} check -b HEAD~1 --quiet`,
        `CI=true ${bin} check -b HEAD~1`,
      ])
        expect((await underTerminal(command)).stdout, command).not.toContain('files compared')
    },
    180_000,
  )

  it('a `documents:` glob that matches no file is a warning in both reports, never an error', async ({
    expect,
  }) => {
    const repo = await newRepo()
    const config = ['version: 1', 'documents:', "  - {glob: 'iam/bucket/**', kind: aws-iam}", ''].join('\n')
    await repo.write('acldrift.config.yaml', config)
    await repo.write(BUCKET_FILE, policyText(bucketPolicy))
    await repo.stage()
    await repo.commit('Bucket, and a config with a mistyped glob')
    const warning =
      'warning: the `documents:` glob "iam/bucket/**" (aws-iam) in acldrift.config.yaml matches no file in the working tree'
    const json = await checkJson(repo.dir)
    expect(json.code).toBe(0)
    expect(json.report.errors).toEqual([])
    expect(json.report.notes.filter((note) => note.startsWith('warning:'))).toEqual([
      `${warning} (globs are matched against paths from the repository root)`,
    ])
    const pretty = await runCli(['check'], {cwd: repo.dir})
    expect(pretty.code).toBe(0)
    expect(pretty.stdout).toContain(`  - ${warning}`)
    // validate and coverage say it too, and so does the hook's fast path, from the index's listing.
    const validate = await runCli(['validate'], {cwd: repo.dir})
    expect([validate.code, validate.stdout.split('\n')[0]]).toEqual([
      0,
      `${warning} (globs are matched against paths from the repository root)`,
    ])
    const validateJson = await runCli(['validate', '-f', 'json'], {cwd: repo.dir})
    expect((JSON.parse(validateJson.stdout) as {warnings: string[]}).warnings).toHaveLength(1)
    const coverage = await runCli(['coverage'], {cwd: repo.dir})
    expect(coverage.stdout).toContain(warning)
    const coverageJson = await runCli(['coverage', '-f', 'json', '--staged'], {cwd: repo.dir})
    expect((JSON.parse(coverageJson.stdout) as {warnings: string[]}).warnings).toEqual([
      expect.stringContaining('matches no file in the index'),
    ])
    await repo.write('acldrift.config.yaml', `${config}baseline: .acldrift/baseline.json\n`)
    expect((await runCli(['snapshot', '-o', '.acldrift/baseline.json'], {cwd: repo.dir})).code).toBe(0)
    await repo.stage()
    await repo.commit('Baseline snapshot')
    await repo.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await repo.stage()
    const staged = await checkJson(repo.dir, ['--staged'])
    // Only the changed file was read (the snapshot's fast path), and the warning is still there.
    expect(staged.report.coverage?.scope).toBe('changed-files')
    expect(staged.report.notes).toContainEqual(
      expect.stringContaining(
        `"iam/bucket/**" (aws-iam) in acldrift.config.yaml matches no file in the index`,
      ),
    )
    await repo.git('reset', '-q', '--hard')
    // A glob that matches is not mentioned.
    await repo.write('acldrift.config.yaml', config.replace('iam/bucket/**', 'iam/buckets/**'))
    expect((await checkJson(repo.dir)).report.notes.join('\n')).not.toContain('matches no file')
  })
})
