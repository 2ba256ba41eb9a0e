// Installed the ways the README says, from the repository's source rather than a registry:
// - the published pre-commit hooks (.pre-commit-hooks.yaml) through the real pre-commit tool,
//   configured as the README says (`repo:`, `rev:`, the hook's id): pre-commit clones the
//   repository, runs `npm install` (and so `prepare`, the build), reads `npm pack`'s output as the
//   tarball's name and installs that: it blocks a widening and passes a harmless change without a
//   word. Both cases share one pre-commit store, so the install is made once (the second waits for
//   it on the store's lock), as on a user's machine; `try-repo` makes the same install in a new
//   store on every run (pre_commit/commands/try_repo.py);
// - `npm install -g ./acldrift` from a fresh clone (no node_modules, no dist/) in a clean HOME and
//   prefix: `prepare` installs the build tools and builds;
// - `npm install -g … git+…` from git, the command as the README's Install section writes it (with
//   the clone's file URL): without its flags npm leaves a link to a deleted temporary clone.
// Each builds acldrift once (npm runs `prepare` twice in a row in these installs: the second finds
// dist/ built from the same sources, scripts/build-inputs.js) and installs the devDependencies:
// slow, so one test per install, all at once (processes: the cores share them). The npm
// cache of the real HOME is used, offline first, so that a warm machine does not go to the registry.

import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {appendFile, mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, it} from 'vitest'
import {makeTempDir, projectRoot, runHermetic} from '../helpers/repo.js'
import {dump, repoFactory} from './helpers.js'
import {BUCKET_FILE, bucketPolicy, policyText, publicBucketPolicy} from './policies.js'

const newRepo = repoFactory()
const temps: string[] = []
afterAll(() => Promise.all(temps.map((dir) => rm(dir, {recursive: true, force: true, maxRetries: 5}))))

const npmCache = join(homedir(), '.npm')
const hasPreCommit = spawnSync('pre-commit', ['--version']).status === 0
const INSTALL_TIMEOUT = 900_000

/** A clone of this repository as committed: what a user's `git clone` gets. */
async function freshClone(tmp: string): Promise<string> {
  const clone = join(tmp, 'acldrift')
  const cloned = await runHermetic('git', ['clone', '--quiet', projectRoot, clone], {cwd: tmp})
  if (cloned.code !== 0) throw new Error(dump(cloned))
  return clone
}

/** `npm install --global FLAGS SPEC` into a clean HOME and prefix under tmp, with the real npm cache. */
async function installGlobally(tmp: string, spec: string, flags: string[] = []) {
  const [home, prefix] = [join(tmp, 'home'), join(tmp, 'prefix')]
  await Promise.all([mkdir(home), mkdir(prefix)])
  const result = await runHermetic(
    'npm',
    [
      'install',
      '--global',
      ...flags,
      '--prefix',
      prefix,
      '--cache',
      npmCache,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      spec,
    ],
    {cwd: tmp, env: {HOME: home}, timeoutMs: INSTALL_TIMEOUT},
  )
  return {result, home, prefix}
}

/** A repository with the payroll bucket committed. */
async function bucketRepo() {
  const r = await newRepo()
  await r.write(BUCKET_FILE, policyText(bucketPolicy))
  await r.stage()
  await r.commit('Add payroll exports bucket')
  return r
}

/** This repository's published hook, as the README's configuration names it, at the commit under test. */
async function hookConfig(tmp: string): Promise<string> {
  const head = await runHermetic('git', ['rev-parse', 'HEAD'], {cwd: projectRoot})
  if (head.code !== 0) throw new Error(dump(head))
  const config = join(tmp, 'pre-commit-config.yaml')
  const repo = JSON.stringify(projectRoot)
  await writeFile(
    config,
    `repos:\n  - repo: ${repo}\n    rev: ${head.stdout.trim()}\n    hooks:\n      - id: acldrift\n`,
  )
  return config
}

/** One pre-commit store and configuration for the cases below: pre-commit installs acldrift once. */
let preCommit: Promise<{home: string; config: string}> | undefined
const preCommitSetup = () =>
  (preCommit ??= (async () => {
    const tmp = await makeTempDir('acldrift-pre-commit-')
    temps.push(tmp)
    return {home: join(tmp, 'pre-commit-home'), config: await hookConfig(tmp)}
  })())

/**
 * `pre-commit run` of this repository's published hook on what is staged in `dir`, with the
 * configuration outside the repository (as `try-repo` keeps it: pre-commit reads it, git does not).
 */
async function runPublishedHook(dir: string) {
  const {home, config} = await preCommitSetup()
  return runHermetic('pre-commit', ['run', '--config', config, '--verbose'], {
    cwd: dir,
    env: {
      HOME: homedir(),
      PRE_COMMIT_HOME: home,
      npm_config_cache: npmCache,
      npm_config_prefer_offline: 'true',
    },
    timeoutMs: INSTALL_TIMEOUT,
  })
}

describe.concurrent('installs from the source', () => {
  // The two cases run at once: the one that takes the store's lock first installs, the other
  // then finds the install made.
  it.skipIf(!hasPreCommit)(
    'pre-commit, configured as the README says: the published hook blocks a widening',
    async ({expect}) => {
      const r = await bucketRepo()
      await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
      await r.stage(BUCKET_FILE)
      const blocked = await runPublishedHook(r.dir)
      expect(blocked.code, dump(blocked)).toBe(1)
      expect(blocked.stdout).toMatch(/- hook id: acldrift\n/)
      expect(blocked.stdout).toMatch(/\[CRITICAL\] WIDENING\s+public-principal/)
    },
    INSTALL_TIMEOUT + 60_000,
  )

  it.skipIf(!hasPreCommit)(
    'pre-commit, configured as the README says: the published hook passes a harmless change silently',
    async ({expect}) => {
      const r = await bucketRepo()
      await r.write(BUCKET_FILE, policyText({...bucketPolicy, Statement: [...bucketPolicy.Statement]}) + '\n')
      await r.write('README.md', 'payroll exports\n')
      await r.stage(BUCKET_FILE, 'README.md')
      const passed = await runPublishedHook(r.dir)
      expect(passed.code, dump(passed)).toBe(0)
      expect(passed.stdout).toMatch(/acldrift \(block changes that widen access\)\.+Passed/)
      // --verbose shows the hook's own output, which is none.
      expect(passed.stdout).toMatch(/- hook id: acldrift\n- duration: [\d.]+s\n*$/)
    },
    INSTALL_TIMEOUT + 60_000,
  )

  it(
    'npm install -g from a fresh clone, in a clean HOME and prefix, builds and runs',
    async ({expect}) => {
      const tmp = await makeTempDir('acldrift-clone-install-')
      temps.push(tmp)
      const clone = await freshClone(tmp)
      expect(existsSync(join(clone, 'dist'))).toBe(false)
      const {result: install, home, prefix} = await installGlobally(tmp, clone)
      expect(install.code, dump(install)).toBe(0)
      // npm pack's output stays the tarball's name alone, whether `prepare` finds dist/ built from
      // these sources (it says so on standard error) or builds it again (the build writes there too).
      const pack = () =>
        runHermetic('npm', ['pack', '--dry-run', '--cache', npmCache], {
          cwd: clone,
          env: {HOME: home},
          timeoutMs: INSTALL_TIMEOUT,
        })
      const stamp = join(clone, 'dist', '.build-inputs')
      const built = await readFile(stamp, 'utf8')
      const packed = await pack()
      expect(packed.code, dump(packed)).toBe(0)
      expect(packed.stdout).toMatch(/^acldrift-[\d.]+\.tgz\n$/)
      expect(packed.stderr).toContain('acldrift: dist/ is built from these sources already')
      // A changed source is built again.
      await appendFile(join(clone, 'src', 'kernel', 'version.ts'), '// changed after the build\n')
      const rebuilt = await pack()
      expect(rebuilt.code, dump(rebuilt)).toBe(0)
      expect(rebuilt.stdout).toMatch(/^acldrift-[\d.]+\.tgz\n$/)
      expect(rebuilt.stderr).not.toContain('built from these sources already')
      expect(await readFile(stamp, 'utf8')).not.toBe(built)

      const acldrift = join(prefix, 'bin', 'acldrift')
      const r = await newRepo()
      const version = await runHermetic(acldrift, ['--version'], {cwd: r.dir, env: {HOME: home}})
      expect(version.code, dump(version)).toBe(0)
      await r.write(BUCKET_FILE, policyText(bucketPolicy))
      await r.stage()
      await r.commit('Add payroll exports bucket')
      await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
      const check = await runHermetic(acldrift, ['check'], {cwd: r.dir, env: {HOME: home}})
      expect(check.code, dump(check)).toBe(1)
      expect(check.stdout).toMatch(/\[CRITICAL\] WIDENING\s+public-principal/)
    },
    INSTALL_TIMEOUT,
  )

  it(
    "npm install -g from git, as the README's Install section writes it, builds and runs",
    async ({expect}) => {
      const readme = await readFile(join(projectRoot, 'README.md'), 'utf8')
      const install = readme.match(
        /^npm install -g (.*) git\+https:\/\/github\.com\/acldrift\/acldrift\.git /m,
      )
      expect(install, 'the README installs from git').not.toBeNull()
      const tmp = await makeTempDir('acldrift-git-install-')
      temps.push(tmp)
      const clone = await freshClone(tmp)
      const {
        result: installed,
        home,
        prefix,
      } = await installGlobally(tmp, `git+file://${clone}`, install![1]!.split(' '))
      expect(installed.code, dump(installed)).toBe(0)
      const r = await newRepo()
      for (const command of ['acldrift', 'acldrift-hook']) {
        const checked = await runHermetic(join(prefix, 'bin', command), ['check', '--quiet'], {
          cwd: r.dir,
          env: {HOME: home},
        })
        expect(checked.code, `${command}\n${dump(checked)}`).toBe(0)
      }
    },
    INSTALL_TIMEOUT,
  )
})
