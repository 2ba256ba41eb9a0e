// Installed like a user installs it: `npm pack`, `npm install -g` of the tarball into a temp
// prefix, then the installed `acldrift` runs --version, --help, a check, and init's git hooks.
// And installed without a build, as the pre-commit framework 4.x does (a clone packed without
// `prepare`): the committed hook bundle, `acldrift-hook`, runs the published hooks on its own.
// Needs the built dist/ (npm test builds first) and npm's registry or cache for the dependencies.

import {existsSync} from 'node:fs'
import {readFile, rm} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, it} from 'vitest'
import {makeTempDir, projectRoot, runHermetic} from '../helpers/repo.js'
import {dump, repoFactory} from './helpers.js'
import {BUCKET_FILE, bucketPolicy, policyText, publicBucketPolicy} from './policies.js'

const newRepo = repoFactory()
const temps: string[] = []
afterAll(() => Promise.all(temps.map((dir) => rm(dir, {recursive: true, force: true}))))

// npm keeps its cache under the real HOME: the dependencies come from there when they can.
const npm = (args: string[], cwd: string) =>
  runHermetic('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    env: {HOME: homedir()},
    timeoutMs: 120_000,
  })

describe('npm pack → npm install -g → acldrift', () => {
  it('the tarball holds what the CLI needs, installs globally, and the installed acldrift works', async ({
    expect,
  }) => {
    expect(existsSync(join(projectRoot, 'dist', 'cli', 'fast.js')), 'run `npm run build` first').toBe(true)
    const tmp = await makeTempDir('acldrift-pack-')
    temps.push(tmp)

    // dist/ is built already (npm test builds it); prepack would only build it again.
    const pack = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], projectRoot)
    expect(pack.code, dump(pack)).toBe(0)
    const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as {
      filename: string
      files: {path: string}[]
    }[]
    const files = packed!.files.map((f) => f.path)
    const version = (
      JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as {version: string}
    ).version
    for (const needed of [
      'package.json',
      'bin/run.js',
      'oclif.manifest.json',
      'README.md',
      'LICENSE',
      'dist/cli/fast.js',
      'dist/commands/check.js',
      'dist/commands/init.js',
      'dist/commands/hook/commit-msg.js',
      'dist/commands/hook/prepare-commit-msg.js',
      'dist/validators/config.js',
      'dist/data/aws/catalogue.jsonl',
      'dist/data/aws/LICENSE',
      'schemas/config.schema.json',
      'schemas/report.schema.json',
      'schemas/snapshot.schema.json',
      'docs/github-actions.md',
      'CHANGELOG.md',
    ])
      expect(files, needed).toContain(needed)
    for (const path of files)
      expect(path, 'only the runtime and its docs are shipped').toMatch(
        /^(bin|dist|hook|schemas|docs)\/|^[^/]+$/,
      )
    expect(files.filter((path) => path.endsWith('.map'))).toEqual([])
    // The template kind (src/adapters/_template, for `npm run new-kind`) is not registered: not shipped.
    expect(files.filter((path) => path.includes('/_template'))).toEqual([])

    const prefix = join(tmp, 'global')
    const install = await npm(
      ['install', '--global', '--prefer-offline', '--prefix', prefix, join(tmp, packed!.filename)],
      tmp,
    )
    expect(install.code, dump(install)).toBe(0)
    const acldrift = join(prefix, 'bin', 'acldrift')
    expect(existsSync(acldrift), dump(install)).toBe(true)

    const r = await newRepo()
    const run = (...args: string[]) => runHermetic(acldrift, args, {cwd: r.dir})
    const shown = await run('--version')
    expect(shown.code, dump(shown)).toBe(0)
    expect(shown.stdout).toContain(`acldrift/${version}`)
    const help = await run('--help')
    expect(help.code, dump(help)).toBe(0)
    for (const command of ['audit', 'check', 'init', 'snapshot', 'validate'])
      expect(help.stdout).toContain(command)

    await r.write(BUCKET_FILE, policyText(bucketPolicy))
    await r.stage()
    await r.commit('Add payroll exports bucket')
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    const check = await run('check')
    expect(check.code, dump(check)).toBe(1)
    expect(check.stdout).toMatch(/\[CRITICAL\] WIDENING\s+public-principal/)

    // The installed acldrift sets up git hooks that run it by its installed path.
    await r.git('checkout', '--', BUCKET_FILE)
    const init = await run('init', '--hook', 'git')
    expect(init.code, dump(init)).toBe(0)
    expect(await readFile(join(r.dir, '.git', 'hooks', 'pre-commit'), 'utf8')).toContain(
      join(prefix, 'lib', 'node_modules', 'acldrift', 'bin', 'run.js'),
    )
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await r.stage(BUCKET_FILE)
    const commit = await runHermetic('git', ['commit', '-m', 'Open the bucket'], {cwd: r.dir})
    expect(commit.code, dump(commit)).not.toBe(0)
    expect(commit.stderr).toContain('acldrift: commit blocked')
  }, 180_000)

  it('without a build, the hook bundle (acldrift-hook) blocks a widening, in Terraform too, and passes a harmless change silently', async ({
    expect,
  }) => {
    const tmp = await makeTempDir('acldrift-pack-unbuilt-')
    temps.push(tmp)
    const clone = join(tmp, 'acldrift')
    const cloned = await runHermetic('git', ['clone', '--quiet', projectRoot, clone], {cwd: tmp})
    expect(cloned.code, dump(cloned)).toBe(0)
    const pack = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], clone)
    expect(pack.code, dump(pack)).toBe(0)
    const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as {
      filename: string
      files: {path: string}[]
    }[]
    const files = packed!.files.map((f) => f.path)
    expect(files.filter((path) => path.startsWith('dist/'))).toEqual([])
    for (const needed of [
      'hook/acldrift.js',
      'hook/acldrift-body.js',
      'hook/data/aws/catalogue.jsonl',
      'hook/data/aws/LICENSE',
      'hook/vendor/tree-sitter-hcl/tree-sitter-terraform.wasm',
    ])
      expect(files, needed).toContain(needed)

    const prefix = join(tmp, 'global')
    const install = await npm(
      ['install', '--global', '--prefer-offline', '--prefix', prefix, join(tmp, packed!.filename)],
      tmp,
    )
    expect(install.code, dump(install)).toBe(0)
    const r = await newRepo()
    const run = (command: string, ...args: string[]) =>
      runHermetic(join(prefix, 'bin', command), args, {cwd: r.dir})
    const hook = (...args: string[]) => run('acldrift-hook', ...args)

    const terraform = (action: string) =>
      `resource "aws_iam_policy" "exports" {\n  policy = jsonencode({\n    Version = "2012-10-17"\n` +
      `    Statement = [{ Effect = "Allow", Action = "${action}", Resource = "*" }]\n  })\n}\n`
    await r.write(BUCKET_FILE, policyText(bucketPolicy))
    await r.write('main.tf', terraform('s3:GetObject'))
    await r.stage()
    await r.commit('Add payroll exports bucket')
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await r.write('main.tf', terraform('s3:*'))
    await r.stage()
    const blocked = await hook('check', '--staged', '--quiet')
    expect(blocked.code, dump(blocked)).toBe(1)
    expect(blocked.stdout).toMatch(/\[CRITICAL\] WIDENING\s+public-principal/)
    expect(blocked.stdout).toMatch(/WIDENING\s+\S+\s+main\.tf:\d+ \(aws_iam_policy\.exports\/policy\)/)
    await r.write('MESSAGE', 'Open the bucket\n')
    const commitMsg = await hook('hook', 'commit-msg', 'MESSAGE')
    expect(commitMsg.code, dump(commitMsg)).toBe(1)

    await r.git('checkout', 'HEAD', '--', BUCKET_FILE, 'main.tf')
    await r.write('README.md', 'payroll exports\n')
    await r.stage('README.md')
    const passed = await hook('check', '--staged', '--quiet')
    expect(passed, dump(passed)).toMatchObject({code: 0, stdout: '', stderr: ''})

    // The rest of the CLI needs the build: said plainly, with the environment's exit code.
    const cli = await run('acldrift', '--version')
    expect(cli.code, dump(cli)).toBe(4)
    expect(cli.stderr).toContain('this install has no build (dist/)')
  }, 180_000)
})
