// The one fixture runner: for every registered kind, every case folder of fixtures/<kind>/ is
// read as the pipeline reads files (detection by content, schema and the adapter's own checks)
// and compared through the adapter interface, and each kind's generic invariants are checked
// once: the findings expected.json lists (or the problems of a case that fails closed), ids,
// declared rules, messages, determinism, report-schema validity, and every witness confirmed by
// the kind's brute-force oracle (test/adapters/<kind>/brute-force.ts, see oracle.ts). What is
// truly the kind's own stays in test/adapters/<kind>/. Last, the matrix: a fixture of kind A
// is recognised by A and by no other kind.

import {existsSync, readFileSync, statSync} from 'node:fs'
import {basename, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {templateKind} from '../../src/adapters/_template/index.js'
import {ADAPTERS, DEFAULT_ADAPTER_SETTINGS} from '../../src/adapters/index.js'
import type {Adapter} from '../../src/adapters/adapter.js'
import {readDocument} from '../../src/core/source.js'
import {validateValue} from '../../src/core/validate.js'
import {summarize} from '../../src/kernel/findings.js'
import {parseFile} from '../../src/kernel/parse.js'
import {changesOf, severitiesOf} from '../../src/kernel/rules.js'
import type {
  AdapterContext,
  Document,
  Finding,
  InputProblem,
  Kind,
  Report,
  SourceFile,
} from '../../src/kernel/types.js'
import {
  type ExpectedCase,
  expectFindings,
  expectNotes,
  filesUnder,
  fixtureCases,
  expectProblems,
  readExpected,
} from './expected-findings.js'
import {matchesPathRules} from '../../src/kernel/candidates.js'
import {type CaseSides, type Oracle, oracleOf} from './oracle.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url))
const SINGLE_FILE_EXTENSIONS = ['json', 'yaml', 'yml']
/** Every kind keeps at least this many cases: fewer means cases were lost. */
const LEAST_CASES = 20

interface Case {
  sides: CaseSides
  problems: InputProblem[]
  /** the target's other files (paths.txt): witnesses may name them */
  paths: string[]
  expected: ExpectedCase
}

/** A side's files: a folder (paths relative to it), or one file read where the kind's cases put it. */
function sideFiles(
  dir: string,
  side: 'baseline' | 'target',
  oracle: Oracle,
): Array<{key: string; file: string}> {
  const folder = join(dir, side)
  if (existsSync(folder) && statSync(folder).isDirectory())
    return filesUnder(folder).map((path) => ({key: path, file: join(folder, path)}))
  return SINGLE_FILE_EXTENSIONS.filter((ext) => existsSync(join(dir, `${side}.${ext}`))).map((ext) => {
    const key = oracle.fixtureFile(ext)
    if (key === undefined) throw new Error(`${dir}: the kind has no single-file cases (${side}.${ext})`)
    return {key, file: join(dir, `${side}.${ext}`)}
  })
}

/**
 * Reads a case as the pipeline reads files: each is detected by content (or claimed by path) and
 * validated. A document of another kind fails the case; a file of no kind is skipped, as the
 * pipeline skips it. Files are parsed under their key when it tells JSON from YAML, else under
 * their own name (`policy` is a JSON or YAML policy).
 */
async function readCase(adapter: Adapter, oracle: Oracle, dir: string): Promise<Case> {
  const problems: InputProblem[] = []
  const read = async (side: 'baseline' | 'target') => {
    const documents = new Map<string, Document>()
    for (const {key, file} of sideFiles(dir, side, oracle)) {
      const path = /\.(json|ya?ml)$/i.test(key) || adapter.parse !== undefined ? key : basename(file)
      const {document, problems: found} = await readAs(adapter, {path, content: readFileSync(file)})
      problems.push(...found.map((p) => ({...p, file: p.file === path ? key : p.file})))
      if (document === undefined) continue
      expect(document.kind, `${side}/${key} is read as another kind`).toBe(adapter.kind)
      documents.set(key, {...document, path: key})
    }
    return documents
  }
  const sides = {baseline: await read('baseline'), target: await read('target')}
  const pathsFile = join(dir, 'paths.txt')
  const paths = existsSync(pathsFile)
    ? readFileSync(pathsFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
    : []
  return {sides, problems, paths, expected: readExpected<ExpectedCase>(dir)}
}

/**
 * A file as the pipeline reads it. The template kind is not registered, so the pipeline never
 * detects it: its files are parsed, recognised by its own detector and validated against its
 * schema, as the pipeline does for a registered kind.
 */
async function readAs(
  adapter: Adapter,
  file: SourceFile,
): Promise<{document?: Document; problems: InputProblem[]}> {
  if (adapter !== templateKind) return readDocument(file, 'detect')
  const parsed = parseFile(file)
  if (!adapter.detect(parsed.value)) return {problems: []}
  const problems = await validateValue(adapter.kind, parsed)
  return problems.length > 0 ? {problems} : {document: {...parsed, kind: adapter.kind}, problems}
}

const changedKeys = ({baseline, target}: CaseSides) =>
  [...new Set([...baseline.keys(), ...target.keys()])]
    .filter((key) => baseline.get(key)?.hash !== target.get(key)?.hash)
    .sort()

/** The findings as the JSON report carries them: valid against schemas/report.schema.json. */
async function expectValidReport(findings: Finding[], notes: string[], documents: number): Promise<void> {
  const report: Report = {
    schemaVersion: 1,
    tool: {name: 'acldrift', version: '0.0.0'},
    baseline: {source: 'fixture', commit: null},
    target: {source: 'worktree', commit: null},
    summary: summarize(documents, findings, []),
    findings,
    errors: [],
    notes,
  }
  const value: unknown = JSON.parse(JSON.stringify(report))
  const problems = await validateValue('report', {
    path: 'report.json',
    value,
    hash: '',
    sourceMap: {locate: () => undefined},
  })
  expect(problems, 'the findings break schemas/report.schema.json').toEqual([])
}

/** The invariants every finding of every kind keeps, whatever the case. */
async function expectSoundFindings(
  adapter: Adapter,
  oracle: Oracle,
  findings: Finding[],
  sides: CaseSides,
  context: AdapterContext,
): Promise<void> {
  const ids = findings.map((f) => f.id)
  expect(new Set(ids).size, `ids are unique: ${ids.join(' ')}`).toBe(ids.length)
  for (const f of findings) {
    const what = `${f.change} ${f.rule} ${JSON.stringify(f.witness)}`
    expect(f.kind, what).toBe(adapter.kind)
    expect(f.id, what).toMatch(/^[0-9a-f]{16}$/)
    // Its rule is declared, and says what the finding is.
    const rule = adapter.rules[f.rule]
    expect(rule, `${what}: rule not declared in the kind's rules.ts`).toBeDefined()
    expect(changesOf(rule!), `${what}: change`).toContain(f.change)
    expect(severitiesOf(rule!), `${what}: severity ${f.severity}`).toContain(f.severity)
    // One sentence, and one for another witness too (history re-words findings).
    expect(f.message.length, `${what}: message`).toBeGreaterThan(0)
    expect(f.message, `${what}: one line`).not.toMatch(/\n/)
    if (f.witness !== null)
      expect(await adapter.describe(f, f.witness), `${what}: describe`).toMatch(/^[^\n]+$/)
    if (f.change === 'possible-widening') {
      expect(f.reason, `${what}: a possible widening says why`).toBeTruthy()
      if (f.witness !== null && oracle.possible)
        expect(oracle.possible(f, sides, context), `${what}: not possible by the brute force`).toBe(true)
      continue
    }
    // A definite change: the brute force confirms its witness.
    expect(f.witness, `${what}: a definite change has a witness`).not.toBeNull()
    expect(await oracle.confirms(f, sides, context), `${what}: not confirmed by the brute force`).toBe(true)
    // Semantic blame asks the adapter itself: the side that gained the access allows the witness.
    const gained = f.change === 'widening' ? sides.target : sides.baseline
    const others = new Map([...gained].filter(([key]) => key !== f.file).map(([key, d]) => [key, d.value]))
    const value = gained.get(f.file)?.value
    const allowed =
      value === undefined
        ? ((await adapter.absentAllows?.(f.witness!, f.file, others)) ?? false)
        : await adapter.allows(value, f.witness!, f.file, others, context)
    expect(allowed, `${what}: the adapter's own evaluator does not allow it`).toBe(true)
  }
  expect((await oracle.missed?.(findings, sides, context)) ?? [], 'differences no finding reports').toEqual(
    [],
  )
}

// Every registered kind, and the template kind `npm run new-kind` copies (one case shows the way).
const SUITES = [
  ...ADAPTERS.map((adapter) => ({adapter, least: LEAST_CASES})),
  {adapter: templateKind, least: 1},
]

for (const {adapter, least} of SUITES) {
  const root = join(FIXTURES, adapter.kind)
  const cases = fixtureCases(root)

  describe(`${adapter.kind} fixtures`, () => {
    it(`has at least ${least} cases, each with expected.json and a side`, async () => {
      const oracle = await oracleOf(adapter.kind)
      expect(cases.length).toBeGreaterThanOrEqual(least)
      for (const name of cases) {
        const dir = join(root, name)
        const expected = readExpected<ExpectedCase>(dir)
        expect(Array.isArray(expected.findings ?? expected.errors), `${name}: findings or errors`).toBe(true)
        const files = [...sideFiles(dir, 'baseline', oracle), ...sideFiles(dir, 'target', oracle)]
        expect(files.length, `${name}: no side`).toBeGreaterThan(0)
      }
    })

    it.each(cases)('%s', async (name) => {
      const oracle = await oracleOf(adapter.kind)
      const dir = join(root, name)
      const {sides, problems, paths, expected} = await readCase(adapter, oracle, dir)
      const context = `${name}: ${expected.description}`

      if (expected.errors !== undefined) {
        expectProblems(expected.errors, problems, context)
        return
      }
      expect(problems, `${context}\n(both sides must be valid)`).toEqual([])

      const adapterContext: AdapterContext = {
        ...(oracle.settings?.(expected as unknown as Record<string, unknown>) ?? DEFAULT_ADAPTER_SETTINGS),
        paths: async () => [...paths, ...sides.target.keys()],
        ...oracle.context?.(expected as unknown as Record<string, unknown>),
      }
      const compare = () => adapter.compare(sides.baseline, sides.target, changedKeys(sides), adapterContext)
      const {findings, notes} = await compare()
      expectFindings(expected.findings ?? [], findings, context)
      expectNotes(expected.notes ?? [], notes, context)
      await expectSoundFindings(adapter, oracle, findings, sides, adapterContext)
      // Deterministic: the same comparison again gives the same findings (ids included) and notes.
      expect(await compare()).toEqual({findings, notes})
      // The report schema lists the registered kinds, which the template is not.
      if (adapter !== templateKind) await expectValidReport(findings, notes, sides.target.size)
    })
  })
}

describe('the matrix: a fixture of kind A is recognised by A alone', () => {
  /** Every side file of a kind's cases, with the path it is read under. */
  const sideFilesOf = (kind: string) =>
    fixtureCases(join(FIXTURES, kind)).flatMap((name) =>
      filesUnder(join(FIXTURES, kind, name))
        .filter((path) => /^(baseline|target)([./])/.test(path))
        .map((path) => ({
          file: join(FIXTURES, kind, name, path),
          path: path.replace(/^(baseline|target)\//, ''),
        })),
    )

  it.each(ADAPTERS.map((a) => a.kind))('%s', (kind) => {
    let recognised = 0
    for (const {file, path} of sideFilesOf(kind)) {
      const content = readFileSync(file)
      // Kinds with a text format of their own claim files by path; the others by content.
      const claimants = ADAPTERS.filter(
        (a) => a.parse !== undefined && matchesPathRules(a.candidates, path),
      ).map((a) => a.kind)
      if (claimants.length === 0) {
        let value: unknown
        try {
          value = parseFile({path: file, content}).value
        } catch {
          continue // a case that fails closed
        }
        claimants.push(...ADAPTERS.filter((a) => a.detect(value)).map((a) => a.kind))
      }
      // A file of no kind (a Deployment beside the RBAC objects) is read by nobody.
      expect(
        claimants.filter((k) => k !== kind),
        `${file} is claimed by other kinds`,
      ).toEqual([])
      if (claimants.includes(kind as Kind)) recognised++
    }
    expect(recognised, `no fixture file of ${kind} is recognised by ${kind}`).toBeGreaterThan(0)
  })
})
