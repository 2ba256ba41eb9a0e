// The container formats' fixture runner: for every container format the pipeline scans, every
// case folder of fixtures/<format>/ (a `baseline/` and a `target/` folder of files at their paths,
// and expected.json) is read as `acldrift check` reads files, and the documents the files hold
// are compared under their inner kinds. The findings must be those expected.json lists (with the
// embedded document each names), and each is checked as the kinds' own runner checks them: a
// declared rule, a confirmed witness (the inner kind's brute-force oracle), determinism, and a
// report the schema accepts. A case that fails closed lists its problems instead. Symbols (values a
// template leaves unresolved) are matched as the reports write them, `${NAME}`.

import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {adapterFor, DEFAULT_ADAPTER_SETTINGS} from '../../src/adapters/index.js'
import {SCANNED_CONTAINERS, type SourceFiles} from '../../src/containers/index.js'
import {findingKey} from '../../src/core/embedded.js'
import {DEFAULT_CONFIG} from '../../src/core/config.js'
import {classifier, readDocuments} from '../../src/core/source.js'
import {validateValue} from '../../src/core/validate.js'
import {summarize} from '../../src/kernel/findings.js'
import {displaySymbols} from '../../src/kernel/symbols.js'
import {changesOf, severitiesOf} from '../../src/kernel/rules.js'
import type {AdapterSettings, Document, Finding, InputProblem, Report} from '../../src/kernel/types.js'
import {type ToolName, toolPath} from '../../src/tools/run.js'
import {
  type ExpectedFinding,
  expectFindings,
  expectNotes,
  filesUnder,
  fixtureCases,
  expectProblems,
  type ExpectedProblem,
  readExpected,
} from '../adapters/expected-findings.js'
import {oracleOf} from '../adapters/oracle.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url))
/** Every format keeps at least this many cases. */
const LEAST_CASES = 3

interface Expected {
  description: string
  findings?: ExpectedFinding[]
  /** substrings, one per note (of reading and of comparing), in any order; absent means none */
  notes?: string[]
  /** a case that fails closed: each entry a problem of either side (message: a substring) */
  errors?: ExpectedProblem[]
  /**
   * The files of either side recognised and not read (a remote base, a tool not installed), each
   * with a substring of why; absent: not checked. A file rendered by a tool this machine lacks
   * (helm) lists what it would find under `findings` and its reason under `withoutTool`.
   */
  notRead?: Array<{side: 'baseline' | 'target'; file: string; why: string}>
  /**
   * A format rendered by a tool this machine may lack (helm): what is expected without it, the
   * files not read (and so no findings and no notes). With the tool, the rest applies.
   */
  withoutTool?: {tool: ToolName; notRead: NonNullable<Expected['notRead']>}
  /** the config's sections the case is read with (`helm.charts`) */
  config?: AdapterSettings
}

interface Side {
  documents: Map<string, Document>
  problems: InputProblem[]
  notes: string[]
  notRead: Array<{file: string; why: string}>
}

/** A finding as the reports show it: its symbols written `${NAME}`. */
const asDisplayed = (finding: Finding): Finding =>
  JSON.parse(displaySymbols(JSON.stringify(finding))) as Finding

async function readSide(dir: string, settings: AdapterSettings = {}): Promise<Side> {
  const side: Side = {documents: new Map(), problems: [], notes: [], notRead: []}
  const paths = filesUnder(dir)
  // The side's other files, for formats whose documents are written across files (a Terraform module).
  const source: SourceFiles = {
    paths: async () => paths,
    read: async (wanted) =>
      new Map(wanted.filter((p) => paths.includes(p)).map((p) => [p, readFileSync(join(dir, p))])),
  }
  // As `check` reads a source without a config: the paths some kind or format is a candidate for.
  const classify = classifier(DEFAULT_CONFIG)
  for (const path of paths.filter((p) => classify(p) !== undefined)) {
    const read = await readDocuments(
      {path, content: readFileSync(join(dir, path))},
      'detect',
      false,
      source,
      settings,
    )
    side.problems.push(...read.problems)
    side.notes.push(...read.notes)
    if (read.notRead !== undefined) side.notRead.push({file: path, why: read.notRead.why})
    for (const document of read.documents) side.documents.set(document.path, document)
  }
  return side
}

/** What `check` does with the two sides: each changed document compared under its kind. */
async function compare(baseline: Map<string, Document>, target: Map<string, Document>) {
  const changed = [...new Set([...baseline.keys(), ...target.keys()])]
    .filter((key) => baseline.get(key)?.hash !== target.get(key)?.hash)
    .sort()
  const kinds = new Set(changed.map((key) => (target.get(key) ?? baseline.get(key))!.kind))
  const ofKind = (side: Map<string, Document>, kind: string) =>
    new Map([...side].filter(([, d]) => d.kind === kind))
  const findings: Finding[] = []
  const notes: string[] = []
  for (const kind of [...kinds].sort()) {
    const keys = changed.filter((key) => (target.get(key) ?? baseline.get(key))!.kind === kind)
    const result = await adapterFor(kind).compare(
      ofKind(baseline, kind),
      ofKind(target, kind),
      keys,
      DEFAULT_ADAPTER_SETTINGS,
    )
    findings.push(...result.findings)
    notes.push(...result.notes)
  }
  return {findings, notes}
}

async function expectValidReport(findings: Finding[], documents: number): Promise<void> {
  const report: Report = {
    schemaVersion: 1,
    tool: {name: 'acldrift', version: '0.0.0'},
    baseline: {source: 'fixture', commit: null},
    target: {source: 'worktree', commit: null},
    summary: summarize(documents, findings, []),
    findings,
    errors: [],
    notes: [],
  }
  const value: unknown = JSON.parse(JSON.stringify(report))
  const problems = await validateValue('report', {
    path: 'r.json',
    value,
    hash: '',
    sourceMap: {locate: () => undefined},
  })
  expect(problems, 'the findings break schemas/report.schema.json').toEqual([])
}

for (const container of SCANNED_CONTAINERS) {
  const root = join(FIXTURES, container.format)
  const cases = fixtureCases(root)

  describe(`${container.format} fixtures`, () => {
    it(`has at least ${LEAST_CASES} cases`, () => {
      expect(cases.length).toBeGreaterThanOrEqual(LEAST_CASES)
    })

    it.each(cases)('%s', async (name) => {
      const dir = join(root, name)
      const written = readExpected<Expected>(dir)
      const {withoutTool} = written
      const expected: Expected =
        withoutTool !== undefined && toolPath(withoutTool.tool) === undefined
          ? {...written, findings: [], notes: [], notRead: withoutTool.notRead}
          : written
      const context = `${name}: ${expected.description}`
      const [baseline, target] = await Promise.all([
        readSide(join(dir, 'baseline'), expected.config),
        readSide(join(dir, 'target'), expected.config),
      ])
      if (expected.notRead !== undefined) {
        const found = [
          ...baseline.notRead.map((e) => ({side: 'baseline', ...e})),
          ...target.notRead.map((e) => ({side: 'target', ...e})),
        ]
        expect(found, context).toEqual(
          expected.notRead.map((e) => ({...e, why: expect.stringContaining(e.why) as unknown})),
        )
      }
      const problems = [...baseline.problems, ...target.problems]
      if (expected.errors !== undefined) {
        expectProblems(expected.errors, problems, context)
        return
      }
      expect(problems, `${context}\n(both sides must be valid)`).toEqual([])

      const {findings, notes} = await compare(baseline.documents, target.documents)
      // Expectations are written as people read symbols (`${Bucket.Arn}`), as the reports show them.
      expectFindings(expected.findings ?? [], findings.map(asDisplayed), context)
      expectNotes(
        expected.notes ?? [],
        [...baseline.notes, ...target.notes, ...notes].map(displaySymbols),
        context,
      )
      for (const f of findings) {
        const what = `${f.change} ${f.rule} ${JSON.stringify(f.witness)}`
        const rule = adapterFor(f.kind).rules[f.rule]
        expect(rule, `${what}: rule not declared`).toBeDefined()
        expect(changesOf(rule!)).toContain(f.change)
        expect(severitiesOf(rule!)).toContain(f.severity)
        if (f.change === 'possible-widening') {
          expect(f.reason, `${what}: a possible widening says why`).toBeTruthy()
          continue
        }
        // The inner kind's brute force confirms the witness on the embedded documents themselves.
        const oracle = await oracleOf(f.kind)
        const sides = {baseline: baseline.documents, target: target.documents}
        const asKeyed = {...f, file: findingKey(f)}
        expect(
          await oracle.confirms(asKeyed, sides, DEFAULT_ADAPTER_SETTINGS),
          `${what}: not confirmed`,
        ).toBe(true)
      }
      expect(await compare(baseline.documents, target.documents)).toEqual({findings, notes})
      await expectValidReport(findings, target.documents.size)
    })
  })
}
