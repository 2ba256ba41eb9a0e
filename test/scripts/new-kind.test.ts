// `npm run new-kind NAME` (scripts/new-kind.js), in a temporary copy of the repository: it
// creates the kind's folder, schema, fixtures and tests from the template and prints one
// registry line; with that line added, the build lists the kind in the config schema and the new
// kind typechecks and passes its own tests and the structure test. Names it cannot use, and
// kinds that exist, are refused without writing anything.

import {cp, readdir, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {makeTempDir, projectRoot, runHermetic, type RunResult} from '../helpers/repo.js'

const temps: string[] = []
afterAll(() => Promise.all(temps.map((dir) => rm(dir, {recursive: true, force: true}))))

const COPIED = [
  'src',
  'test',
  'scripts',
  'schemas',
  'fixtures',
  'docs',
  'README.md',
  'package.json',
  'tsconfig.json',
]
const COPIED_CONFIG = ['tsconfig.build.json', 'vitest.config.ts', '.prettierrc.json', '.prettierignore']

async function repositoryCopy(): Promise<string> {
  const dir = await makeTempDir('acldrift-new-kind-')
  temps.push(dir)
  for (const path of [...COPIED, ...COPIED_CONFIG])
    await cp(join(projectRoot, path), join(dir, path), {recursive: true})
  await symlink(join(projectRoot, 'node_modules'), join(dir, 'node_modules'))
  return dir
}

// The nested vitest must not take this run's worker settings for its own.
const notVitest = Object.fromEntries(
  Object.keys(process.env)
    .filter((name) => name.startsWith('VITEST'))
    .map((name) => [name, undefined]),
)
const node = (cwd: string, ...args: string[]) =>
  runHermetic(process.execPath, args, {cwd, env: notVitest, timeoutMs: 240_000})
const dump = (r: RunResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`

// A long name: renaming moves line ends, and the generated files must still pass `npm run lint`.
const NAME = 'toy-kind-with-a-long-name'
const DESCRIPTOR = 'toyKindWithALongName'

describe('npm run new-kind', () => {
  it('creates a kind that, with the one registry line it prints, builds, typechecks and passes its tests', async () => {
    const dir = await repositoryCopy()
    const created = await node(projectRoot, 'scripts/new-kind.js', NAME, '--root', dir)
    expect(created.code, dump(created)).toBe(0)
    const files = [
      `src/adapters/${NAME}/index.ts`,
      `src/adapters/${NAME}/rules.ts`,
      `src/adapters/${NAME}/compare.ts`,
      `src/adapters/${NAME}/evaluate.ts`,
      `schemas/${NAME}.schema.json`,
      `test/adapters/${NAME}/brute-force.ts`,
      `test/adapters/${NAME}/property.test.ts`,
      `docs/${NAME}.md`,
    ]
    for (const path of files) expect(existsSync(join(dir, path)), path).toBe(true)
    const descriptor = await readFile(join(dir, `src/adapters/${NAME}/index.ts`), 'utf8')
    expect(descriptor).toContain(`export const ${DESCRIPTOR}: Adapter = {\n  kind: '${NAME}',`)
    expect(descriptor, 'template-only lines are dropped').not.toMatch(/template/i)
    const prettier = await node(dir, 'node_modules/prettier/bin/prettier.cjs', '--check', ...files)
    expect(prettier.code, dump(prettier)).toBe(0)

    const line = created.stdout.split('\n').find((l) => l.includes(`import('./${NAME}/index.js')`))
    expect(line?.trim()).toBe(`import('./${NAME}/index.js').then((m) => m.${DESCRIPTOR}),`)
    const registry = join(dir, 'src/adapters/index.ts')
    const before = await readFile(registry, 'utf8')
    const last = "  import('./acl/index.js').then((m) => m.acl),\n"
    expect(before).toContain(last)
    await writeFile(registry, before.replace(last, `${last}${line}\n`))

    // The build's compile step (scripts/compile.js, as `npm run build` runs it), then the config
    // schema's kind enum read from the built registry.
    const build = await node(dir, 'scripts/compile.js')
    expect(build.code, dump(build)).toBe(0)
    const schemas = await node(dir, 'scripts/build-schemas.js')
    expect(schemas.code, dump(schemas)).toBe(0)
    const config = JSON.parse(await readFile(join(dir, 'schemas/config.schema.json'), 'utf8')) as {
      $defs: {kind: {enum: string[]}}
    }
    expect(config.$defs.kind.enum.at(-1)).toBe(NAME)

    // One typecheck, as `npm run typecheck` makes it, of src/ (the new kind and the registry line)
    // and the kind's tests; not the whole project's tests, which take long. One tsc program: the
    // sources the tests import are checked once.
    const tests = [`test/adapters/${NAME}`, 'test/structure.test.ts']
    await writeFile(
      join(dir, 'tsconfig.new-kind.json'),
      JSON.stringify({extends: './tsconfig.json', include: ['src', ...tests]}),
    )
    const typecheck = await node(
      dir,
      'node_modules/typescript/bin/tsc',
      '-p',
      'tsconfig.new-kind.json',
      '--noEmit',
    )
    expect(typecheck.code, dump(typecheck)).toBe(0)

    const run = await node(dir, 'node_modules/vitest/vitest.mjs', 'run', ...tests)
    expect(run.code, dump(run)).toBe(0)
    expect(run.stdout).toContain(`test/adapters/${NAME}/property.test.ts`)
    expect(run.stdout).toContain('test/structure.test.ts')
    expect(run.stdout).not.toMatch(/\bfailed\b/)
  }, 600_000)

  it('refuses names it cannot use and kinds that exist, writing nothing', async () => {
    const dir = await repositoryCopy()
    const places = ['src/adapters', 'schemas', 'fixtures', 'test/adapters']
    const listing = () => Promise.all(places.map((place) => readdir(join(dir, place))))
    const before = await listing()
    const refused = async (args: string[], message: RegExp) => {
      const result = await node(projectRoot, 'scripts/new-kind.js', ...args, '--root', dir)
      expect(result.code, dump(result)).toBe(2)
      expect(result.stderr).toMatch(message)
    }
    await refused([], /usage: npm run new-kind NAME/)
    await refused(['one', 'two'], /usage/)
    await refused(['Azure_RBAC'], /is not a kind name/)
    await refused(['delete'], /reserved word/)
    await refused(['acldrift'], /reserved word/)
    await refused(['aws-iam'], /src\/adapters\/aws-iam exists/)
    await refused(['config'], /schemas\/config\.schema\.json exists/)
    await refused(['demo'], /fixtures\/demo exists/)
    expect(await listing()).toEqual(before)
  })
})
