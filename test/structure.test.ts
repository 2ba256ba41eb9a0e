// The project's structure cannot drift: imports run down the floors (kernel and engine at the
// bottom, git beside the engine, one room per kind, the pipeline, reporters, the CLI), no files
// import each other round a circle, every registered kind has its adapter folder, its schema and
// its fixtures, the config schema lists the registry's kinds as the build writes them, and
// nothing exists for a kind that is not registered but the template kind `npm run new-kind` copies.
import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {KINDS} from '../src/adapters/index.js'
import {circles, readImports, repositoryRoot, wrongWayArrows} from './helpers/floors.js'

const root = new URL('..', import.meta.url)
const entries = (dir: string) => readdirSync(new URL(dir, root), {withFileTypes: true})
/** The kind `npm run new-kind` copies: complete, never registered (src/adapters/_template/). */
const TEMPLATE = '_template'

describe('adapters, schemas and fixtures line up', () => {
  it('registers each kind once', () => {
    expect(KINDS.length).toBeGreaterThan(0)
    expect(new Set(KINDS).size).toBe(KINDS.length)
  })

  it.each(KINDS)('%s has an adapter folder, a schema and fixtures', (kind) => {
    expect(existsSync(new URL(`src/adapters/${kind}/`, root))).toBe(true)
    expect(existsSync(new URL(`schemas/${kind}.schema.json`, root))).toBe(true)
    expect(entries(`fixtures/${kind}/`).filter((e) => e.isDirectory()).length).toBeGreaterThan(0)
  })

  it('lists exactly the registered kinds in the config schema, as the build generates it', () => {
    const schema = JSON.parse(readFileSync(new URL('schemas/config.schema.json', root), 'utf8')) as {
      $defs: {kind: {enum: string[]}}
    }
    expect(schema.$defs.kind.enum).toEqual(KINDS)
    // Byte for byte what `npm run build` writes (from the built registry, so after a build).
    expect(() =>
      execFileSync(process.execPath, ['scripts/build-schemas.js', '--check'], {
        cwd: repositoryRoot,
        stdio: 'pipe',
      }),
    ).not.toThrow()
  })

  it('has no adapter folder, schema, fixture or test folder for an unregistered kind but the template', () => {
    const named = (dir: string, suffix = '') =>
      entries(dir)
        .filter((e) => (suffix === '' ? e.isDirectory() : e.name.endsWith(suffix)))
        .map((e) => e.name.slice(0, e.name.length - suffix.length))
        .filter((name) => name !== TEMPLATE)
        .sort()
    expect(named('src/adapters/')).toEqual([...KINDS].sort())
    expect(named('test/adapters/')).toEqual([...KINDS].sort())
    expect(named('schemas/', '.schema.json')).toEqual(
      [...KINDS, 'approvals', 'config', 'report', 'snapshot'].sort(),
    )
    expect(named('fixtures/')).toEqual([...KINDS, 'demo'].sort())
  })

  it('has the unregistered template kind that `npm run new-kind` copies, complete', () => {
    expect(KINDS).not.toContain(TEMPLATE)
    for (const path of [
      `src/adapters/${TEMPLATE}/index.ts`,
      `src/adapters/${TEMPLATE}/rules.ts`,
      `schemas/${TEMPLATE}.schema.json`,
      `test/adapters/${TEMPLATE}/brute-force.ts`,
    ])
      expect(existsSync(new URL(path, root)), path).toBe(true)
    expect(entries(`fixtures/${TEMPLATE}/`).filter((e) => e.isDirectory()).length).toBeGreaterThan(0)
  })
})

describe('floors: imports run down, never round', () => {
  const arrows = readImports(repositoryRoot)

  it('reads every import of src/ and each one names a file that exists', () => {
    expect(arrows.length).toBeGreaterThan(400)
    expect(arrows.filter((a) => !existsSync(new URL(a.to, root))).map((a) => `${a.from} -> ${a.to}`)).toEqual(
      [],
    )
  })

  it('has no import that runs the wrong way', () => {
    expect(wrongWayArrows(arrows)).toEqual([])
  })

  it('has no circle of files', () => {
    expect(circles(arrows)).toEqual([])
  })

  it('fails, naming both files and the rule, on a planted wrong-way import', () => {
    const planted = [
      ...arrows,
      {from: 'src/engine/glob.ts', to: 'src/core/check.ts', typeOnly: false},
      {from: 'src/git/run.ts', to: 'src/core/config.ts', typeOnly: true},
      {from: 'src/adapters/aws-iam/compare.ts', to: 'src/adapters/k8s-rbac/model.ts', typeOnly: false},
      {from: 'src/core/check.ts', to: 'src/reporters/index.ts', typeOnly: false},
      {from: 'src/reporters/pretty.ts', to: 'src/core/check.ts', typeOnly: false},
    ]
    expect(wrongWayArrows(planted)).toEqual([
      'src/engine/glob.ts imports src/core/check.ts: engine may not import core',
      'src/git/run.ts imports src/core/config.ts (types): git may not import core',
      'src/adapters/aws-iam/compare.ts imports src/adapters/k8s-rbac/model.ts: adapters:aws-iam may not import adapters:k8s-rbac',
      'src/core/check.ts imports src/reporters/index.ts: core may not import reporters',
      'src/reporters/pretty.ts imports src/core/check.ts: reporters may not import core',
    ])
  })

  it('fails on a planted circle, type imports included', () => {
    const planted = [...arrows, {from: 'src/core/config.ts', to: 'src/core/check.ts', typeOnly: true}]
    expect(
      circles(planted).some((c) => c.includes('src/core/check.ts') && c.includes('src/core/config.ts')),
    ).toBe(true)
  })
})
