// The project's structure cannot drift: imports run down the floors (kernel and engine at the
// bottom, git beside the engine, one room per kind, the pipeline, reporters, the CLI), no files
// import each other round a circle, every registered kind has its adapter folder, its schema and
// its fixtures, the config schema lists the registry's kinds as the build writes them, nothing
// exists for a kind that is not registered but the template kind `npm run new-kind` copies, and
// every rule a finding can carry is declared as data and documented.
import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {templateKind} from '../src/adapters/_template/index.js'
import {ADAPTERS, KINDS} from '../src/adapters/index.js'
import {SCANNED_CONTAINERS} from '../src/containers/index.js'
import {APPROVAL_RULES} from '../src/core/gate/approvals.js'
import {GATE_RULES} from '../src/core/gate/rules.js'
import {circles, readImports, repositoryRoot, wrongWayArrows} from './helpers/floors.js'
import {documentedIn, ruleLiterals, undeclared} from './helpers/rules.js'

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
    // A kind's cases, a scanned container format's cases (test/containers/fixtures.test.ts), the demo.
    const formats = SCANNED_CONTAINERS.map((c) => c.format)
    expect(named('fixtures/')).toEqual([...KINDS, ...formats, 'demo'].sort())
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
      {from: 'src/tools/run.ts', to: 'src/git/run.ts', typeOnly: false},
      {from: 'src/adapters/aws-iam/compare.ts', to: 'src/adapters/k8s-rbac/model.ts', typeOnly: false},
      {from: 'src/core/check.ts', to: 'src/reporters/index.ts', typeOnly: false},
      {from: 'src/reporters/pretty.ts', to: 'src/core/check.ts', typeOnly: false},
    ]
    expect(wrongWayArrows(planted)).toEqual([
      'src/engine/glob.ts imports src/core/check.ts: engine may not import core',
      'src/git/run.ts imports src/core/config.ts (types): git may not import core',
      'src/tools/run.ts imports src/git/run.ts: tools may not import git',
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

describe('rules: declared as data, documented', () => {
  const readme = readFileSync(new URL('README.md', root), 'utf8')
  const page = (kind: string) => {
    const url = new URL(`docs/${kind}.md`, root)
    return existsSync(url) ? readFileSync(url, 'utf8') : ''
  }
  const tables = [...ADAPTERS.map((a) => [a.kind, a.rules] as const), ['gate', GATE_RULES] as const]

  it.each(tables)(
    '%s declares kebab-case rules, each with a title and a one-paragraph description',
    (_, rules) => {
      expect(Object.keys(rules).length).toBeGreaterThan(0)
      for (const [id, rule] of Object.entries(rules)) {
        expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
        expect(rule.title.length, id).toBeGreaterThan(0)
        expect(rule.description, id).toMatch(/^\S[^\n]*\.$/)
      }
    },
  )

  // The template's rules too: a kind copied from it starts documented.
  it.each([...ADAPTERS, templateKind].map((a) => a.kind))(
    'every rule of %s is documented in the README or its docs page',
    (kind) => {
      const rules = [...ADAPTERS, templateKind].find((a) => a.kind === kind)!.rules
      expect(Object.keys(rules).filter((id) => !documentedIn(id, readme, page(kind)))).toEqual([])
    },
  )

  it("every rule of the gate is documented in the README, and the gate's approval rules are declared", () => {
    expect(Object.keys(GATE_RULES).filter((id) => !documentedIn(id, readme))).toEqual([])
    expect(APPROVAL_RULES.filter((id) => !(id in GATE_RULES))).toEqual([])
  })

  it("every rule a kind's code or fixtures name is one it declares; the gate's, one core declares", () => {
    const kindFiles = (kind: string) =>
      readdirSync(new URL(`src/adapters/${kind}/`, root)).map((f) => `src/adapters/${kind}/${f}`)
    for (const {kind, rules} of ADAPTERS) {
      const named = kindFiles(kind).flatMap((file) => ruleLiterals(readFileSync(new URL(file, root), 'utf8')))
      expect(undeclared(named, rules), kind).toEqual([])
      const expected = entries(`fixtures/${kind}/`)
        .filter((e) => e.isDirectory())
        .flatMap((e) => {
          const text = readFileSync(new URL(`fixtures/${kind}/${e.name}/expected.json`, root), 'utf8')
          return ((JSON.parse(text) as {findings?: Array<{rule: string}>}).findings ?? []).map((f) => f.rule)
        })
      expect(undeclared(expected, rules), `${kind} fixtures`).toEqual([])
    }
    const core = (readdirSync(new URL('src/core/', root), {recursive: true}) as string[])
      .filter((file) => file.endsWith('.ts'))
      .map((file) => `src/core/${file}`)
    const inCore = core.flatMap((file) => ruleLiterals(readFileSync(new URL(file, root), 'utf8')))
    expect(inCore.length).toBeGreaterThan(5)
    expect(undeclared(inCore, GATE_RULES)).toEqual([])
  })

  it('fails on a planted undeclared or undocumented rule', () => {
    const planted = ruleLiterals(
      "const f = {rule: 'made-up', x: 1}\nif (finding.rule === 'public-principal') f()",
    )
    expect(planted).toEqual(['made-up', 'public-principal'])
    expect(undeclared(planted, ADAPTERS.find((a) => a.kind === 'aws-iam')!.rules)).toEqual(['made-up'])
    expect(documentedIn('made-up', readme)).toBe(false)
    expect(documentedIn('public-principal', readme)).toBe(true)
  })
})
