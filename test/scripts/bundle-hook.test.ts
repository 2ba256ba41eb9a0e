// The hook bundle (hook/, scripts/bundle-hook.js) is committed because some installs never build:
// it must be exactly what the sources build today. Rebuilt into a temporary folder and compared,
// file by file and with its modes, with what git holds for hook/ (the index: committed or staged).
// And it must need nothing else of the package: run from a copy that has no node_modules and no
// dist/, it blocks widenings in JSON, YAML and Terraform.
// Needs the built dist/ (the bundle takes the validators and the data files from it).

import {builtinModules} from 'node:module'
import {readdir, readFile, rm, stat} from 'node:fs/promises'
import {join, relative} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {makeTempDir, projectRoot, runHermetic} from '../helpers/repo.js'
import {dump, hookBundleAlone, repoFactory} from '../e2e/helpers.js'
import {BUCKET_FILE, bucketPolicy, policyText, publicBucketPolicy} from '../e2e/policies.js'

const temps: string[] = []
afterAll(() => Promise.all(temps.map((dir) => rm(dir, {recursive: true, force: true}))))
const newRepo = repoFactory()

/** The bundle built from today's sources, once for the file. */
let building: Promise<string> | undefined
const built = () =>
  (building ??= (async () => {
    const out = await makeTempDir('acldrift-bundle-')
    temps.push(out)
    const result = await runHermetic(
      process.execPath,
      [join(projectRoot, 'scripts', 'bundle-hook.js'), out],
      {
        cwd: projectRoot,
        timeoutMs: 120_000,
      },
    )
    expect(result.code, result.stderr).toBe(0)
    return out
  })())

/** `mode hash path` of every file under dir, as `git ls-files -s` lists them. */
async function listing(dir: string): Promise<string[]> {
  const files = (await readdir(dir, {recursive: true, withFileTypes: true})).filter((entry) => entry.isFile())
  const paths = files.map((entry) => join(entry.parentPath, entry.name))
  const hashed = await runHermetic('git', ['hash-object', '--no-filters', ...paths], {cwd: projectRoot})
  expect(hashed.code, hashed.stderr).toBe(0)
  const hashes = hashed.stdout.trim().split('\n')
  const modes = await Promise.all(
    paths.map(async (path) => ((await stat(path)).mode & 0o111 ? '100755' : '100644')),
  )
  return paths.map((path, i) => `${modes[i]} ${hashes[i]} hook/${relative(dir, path)}`).sort()
}

describe('the hook bundle', () => {
  it('hook/ as committed is what scripts/bundle-hook.js builds from the sources', async () => {
    const out = await built()
    const indexed = await runHermetic('git', ['ls-files', '--stage', '--', 'hook'], {cwd: projectRoot})
    const committed = indexed.stdout
      .trim()
      .split('\n')
      .map((line) => line.replace(/^(\d+) (\w+) \d+\t/, '$1 $2 '))
      .sort()
    expect(committed, 'hook/ differs from the sources: run `npm run build` and commit hook/').toEqual(
      await listing(out),
    )
  }, 180_000)

  it("imports nothing but Node's own modules", async () => {
    // (esbuild names a glob import it resolved in a comment and a key: `'import("…") in FILE'`)
    const code = async (file: string) =>
      (await readFile(join(await built(), file), 'utf8')).replace(/^\s*\/\/.*$/gm, '')
    // the loader, a module, and the parts of it that it imports when it runs them (acldrift-*.js):
    // each imports Node's modules and those parts, nothing else
    const files = await readdir(await built())
    const parts = files.filter((file) => /^acldrift-[\w-]+\.js$/.test(file) && file !== 'acldrift-body.js')
    expect(parts.length).toBeGreaterThan(0)
    const imported: string[] = []
    for (const file of ['acldrift.js', ...parts])
      for (const match of (await code(file)).matchAll(
        /(?<![\w.$])(?:import|export)\s*(?:[\w${},*\s]*?\bfrom\s*)?\(?\s*['"]([^'"]+)['"]/g,
      ))
        if (!match[1]!.startsWith('./')) imported.push(match[1]!)
        else expect(parts, `${file} imports ${match[1]}`).toContain(match[1]!.slice(2))
    // the body, a script: it has only the `require` the loader gives it
    const body = await code('acldrift-body.js')
    expect(body).not.toMatch(/(?<!['"\w])import\(|^import\b/m)
    const required = [...body.matchAll(/(?<![\w.$'"`])(?:__)?require\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
      (match) => match[1]!,
    )
    for (const specifiers of [imported, required]) {
      expect(specifiers.length).toBeGreaterThan(0)
      const builtin = new Set(builtinModules)
      expect(specifiers.filter((s) => !s.startsWith('node:') && !builtin.has(s))).toEqual([])
    }
  }, 180_000)

  it('run from a copy with no node_modules and no dist/, blocks widenings in JSON, YAML and Terraform', async () => {
    const bundle = await hookBundleAlone(await built())
    const r = await newRepo()
    const hook = (...args: string[]) => runHermetic(process.execPath, [bundle, ...args], {cwd: r.dir})
    const workflow = (contents: string) =>
      `name: release\non: push\npermissions:\n  contents: ${contents}\njobs:\n  build:\n` +
      `    runs-on: ubuntu-latest\n    steps:\n      - run: make\n`
    const terraform = (action: string) =>
      `resource "aws_iam_policy" "exports" {\n  policy = jsonencode({\n    Version = "2012-10-17"\n` +
      `    Statement = [{ Effect = "Allow", Action = "${action}", Resource = "*" }]\n  })\n}\n`
    await r.write(BUCKET_FILE, policyText(bucketPolicy))
    await r.write('.github/workflows/release.yml', workflow('read'))
    await r.write('main.tf', terraform('s3:GetObject'))
    await r.stage()
    await r.commit('Add the bucket, the workflow and the module')

    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await r.write('.github/workflows/release.yml', workflow('write'))
    await r.write('main.tf', terraform('s3:*'))
    await r.stage()
    const blocked = await hook('check', '--staged', '--quiet')
    expect(blocked.code, dump(blocked)).toBe(1)
    expect(blocked.stdout).toMatch(/\[CRITICAL\] WIDENING\s+public-principal/)
    expect(blocked.stdout).toMatch(/WIDENING\s+\S+\s+\.github\/workflows\/release\.yml:\d+/)
    expect(blocked.stdout).toMatch(/WIDENING\s+\S+\s+main\.tf:\d+ \(aws_iam_policy\.exports\/policy\)/)

    await r.git('reset', '--hard', '--quiet')
    await r.write('README.md', 'payroll exports\n')
    await r.stage('README.md')
    const passed = await hook('check', '--staged', '--quiet')
    expect(passed, dump(passed)).toMatchObject({code: 0, stdout: '', stderr: ''})
  }, 180_000)
})
