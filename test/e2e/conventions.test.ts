// The CLI conventions a newcomer expects (issue 18, item 5): `help`, `version`, `-h`, `-v`;
// short flags; one name for the output file (`--output`, with `--out` kept as a hidden alias);
// `--range` in every form git accepts; `--verbose` on standard error; a `documents:` glob that
// matches nothing is a warning; pretty output's paths are relative to the current folder.

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {beforeAll, describe, it} from 'vitest'
import {runCli, type TestRepo} from '../helpers/repo.js'
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
    // A glob that matches is not mentioned.
    await repo.write('acldrift.config.yaml', config.replace('iam/bucket/**', 'iam/buckets/**'))
    expect((await checkJson(repo.dir)).report.notes.join('\n')).not.toContain('matches no file')
  })
})
