// Fuzzing the comparison engine: for every adapter, documents made by mutating
// the fixture files (keys dropped, duplicated and swapped, strings turned into wildcards, values
// replaced) go through the pipeline's own steps — parse, detect, validate — and every pair that
// validates is compared. The comparison must come back with findings and notes (never throw: an
// Undecidable search becomes a possible-widening, not an exception), and every finding must carry
// the fields a report needs. A document that fails validation is never compared (fail closed).

import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {ADAPTERS, type Adapter, DEFAULT_ADAPTER_SETTINGS} from '../../src/adapters/index.js'
import {InvalidInputError} from '../../src/kernel/errors.js'
import {parseFile} from '../../src/kernel/parse.js'
import {readDocument} from '../../src/core/source.js'
import {matchesPathRules} from '../../src/kernel/candidates.js'
import {type Document, type Finding, SEVERITIES} from '../../src/kernel/types.js'
import {validateValue} from '../../src/core/validate.js'
import {CASE_LIMIT_MS, FUZZ_PARAMS, FUZZ_TIMEOUT_MS} from './budget.js'

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url))
const CHANGES = ['widening', 'narrowing', 'possible-widening']

// --- seeds: the fixture files of each kind ---------------------------------------------------

interface Seeds {
  /** parsed values of every baseline/target file of the kind */
  values: unknown[]
  /** every string found in them, to splice back in at other places */
  strings: string[]
  /** every object key found in them */
  keys: string[]
  /** kinds with a text format of their own (adapter.parse): each fixture file's text and repository path */
  texts: Array<{path: string; text: string}>
}

async function seedsOf(adapter: Adapter): Promise<Seeds> {
  const values: unknown[] = []
  const texts: Seeds['texts'] = []
  const walk = async (dir: string, side: string | undefined): Promise<void> => {
    for (const entry of readdirSync(dir, {withFileTypes: true})) {
      const full = join(dir, entry.name)
      // A case's `baseline/` and `target/` trees hold files at their paths in a repository.
      if (entry.isDirectory())
        await walk(full, side ?? (['baseline', 'target'].includes(entry.name) ? full : undefined))
      else if (adapter.parse !== undefined && side !== undefined) {
        const path = relative(side, full)
        if (!matchesPathRules(adapter.candidates, path)) continue
        const content = readFileSync(full)
        try {
          values.push((await adapter.parse({path, content})).value)
          texts.push({path, text: content.toString('utf8')})
        } catch (error) {
          if (!(error instanceof InvalidInputError)) throw error
        }
      } else if (/\.(json|ya?ml)$/i.test(entry.name) && entry.name !== 'expected.json') {
        try {
          const parsed = parseFile({path: relative(FIXTURES, full), content: readFileSync(full)})
          if (adapter.detect(parsed.value)) values.push(parsed.value)
        } catch (error) {
          // Some fixtures are deliberately invalid input (fail-closed cases).
          if (!(error instanceof InvalidInputError)) throw error
        }
      }
    }
  }
  await walk(join(FIXTURES, adapter.kind), undefined)
  const strings = new Set<string>()
  const keys = new Set<string>()
  const collect = (value: unknown): void => {
    if (typeof value === 'string') strings.add(value)
    else if (Array.isArray(value)) value.forEach(collect)
    else if (value !== null && typeof value === 'object') {
      for (const [name, child] of Object.entries(value)) {
        keys.add(name)
        collect(child)
      }
    }
  }
  values.forEach(collect)
  return {values, strings: [...strings].sort(), keys: [...keys].sort(), texts}
}

// --- mutations ---------------------------------------------------------------------------------

type Mutation =
  | {
      op: 'drop' | 'duplicate' | 'swap' | 'wildcard' | 'splice-string' | 'rename-key'
      at: number
      pick: number
    }
  | {op: 'replace'; at: number; value: unknown}

const WILDCARDS = [
  '*',
  '*:*',
  '?',
  '**',
  '*/*',
  'arn:*',
  'arn:aws:*:*:*:*',
  'roles/*',
  'allUsers',
  '',
  'a*b?c',
]

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constantFrom('drop', 'duplicate', 'swap', 'wildcard', 'splice-string', 'rename-key'),
    at: fc.nat(),
    pick: fc.nat(),
  }),
  fc.record({
    op: fc.constant('replace' as const),
    at: fc.nat(),
    value: fc.oneof(
      fc.jsonValue({maxDepth: 2}),
      fc.constantFrom(...WILDCARDS),
      fc.constant([]),
      fc.constant({}),
    ),
  }),
)

/** Every container (object or array) in a value, parents first. */
function containersOf(value: unknown): Array<Record<string, unknown> | unknown[]> {
  const out: Array<Record<string, unknown> | unknown[]> = []
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return
    out.push(node as Record<string, unknown> | unknown[])
    for (const child of Object.values(node)) visit(child)
  }
  visit(value)
  return out
}

function wildcardOf(text: string, pick: number): string {
  const at = pick % (text.length + 1)
  switch (pick % 4) {
    case 0:
      return '*'
    case 1:
      return `${text.slice(0, at)}*`
    case 2:
      return `${text.slice(0, at)}?${text.slice(at + 1)}`
    default:
      return `*${text.slice(at)}`
  }
}

function applyMutations(original: unknown, mutations: Mutation[], seeds: Seeds): unknown {
  const root = {value: structuredClone(original)}
  for (const change of mutations) {
    const containers = containersOf(root)
    const container = containers[change.at % containers.length]
    const keys = Object.keys(container)
    if (keys.length === 0) {
      if (change.op === 'replace') set(container, '0', structuredClone(change.value))
      continue
    }
    const name = keys[(change.op === 'replace' ? change.at : change.pick) % keys.length]
    const current = (container as Record<string, unknown>)[name]
    switch (change.op) {
      case 'drop':
        if (container === root) break
        if (Array.isArray(container)) container.splice(Number(name), 1)
        else delete container[name]
        break
      case 'duplicate':
        if (Array.isArray(container)) container.push(structuredClone(current))
        else set(container, seeds.keys[change.pick % seeds.keys.length] ?? name, structuredClone(current))
        break
      case 'swap': {
        const other = keys[(change.pick >> 3) % keys.length]
        const value = (container as Record<string, unknown>)[other]
        set(container, other, current)
        set(container, name, value)
        break
      }
      case 'wildcard':
        if (typeof current === 'string') set(container, name, wildcardOf(current, change.pick))
        else if (Array.isArray(current)) current.push(WILDCARDS[change.pick % WILDCARDS.length])
        else set(container, name, WILDCARDS[change.pick % WILDCARDS.length])
        break
      case 'splice-string':
        set(container, name, seeds.strings[change.pick % seeds.strings.length] ?? '*')
        break
      case 'rename-key':
        if (Array.isArray(container) || container === root) break
        delete container[name]
        set(container, seeds.keys[change.pick % seeds.keys.length] ?? name, current)
        break
      case 'replace':
        // A copy: fast-check hands out the same constant object to several mutations.
        set(container, name, structuredClone(change.value))
        break
    }
  }
  return root.value
}

/** Sets a property as data, so that a "__proto__" key stays a key. */
function set(container: object, name: string, value: unknown): void {
  Object.defineProperty(container, name, {value, enumerable: true, writable: true, configurable: true})
}

// --- the pipeline's steps ------------------------------------------------------------------------

interface Candidate {
  path: string
  content: Buffer
}

/** A side: up to three files, each a mutated fixture, as the bytes a repository would hold. */
function sideOf(seeds: Seeds): fc.Arbitrary<Candidate[]> {
  const file = fc.record({
    seed: fc.nat(seeds.values.length - 1),
    mutations: fc.array(mutation, {maxLength: 6}),
    yaml: fc.boolean(),
  })
  return fc
    .uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'c'), file), {
      minLength: 1,
      maxLength: 3,
      selector: ([name]) => name,
    })
    .map((files) =>
      files.map(([name, {seed, mutations, yaml}]) => {
        const value = applyMutations(seeds.values[seed], mutations, seeds)
        const text = JSON.stringify(value, null, 2) ?? 'null'
        // JSON is a subset of YAML: the same text read as YAML exercises the other parser.
        return {path: `cfg/${name}.${yaml ? 'yaml' : 'json'}`, content: Buffer.from(text)}
      }),
    )
}

/**
 * Text tokens spliced into lines of own-format files: wildcards, what such parsers skip (as GitHub
 * skips a CODEOWNERS line) and what they must reject (a pattern GitHub may read ambiguously).
 */
const TEXT_TOKENS = [
  ...WILDCARDS.filter((w) => w !== ''),
  '!x',
  '[ab]',
  '\\#x',
  'a#b',
  'x//y',
  '#',
  '@',
  'a@b',
  '@o/t',
  '\\ ',
  '/',
]

/** A side of an own-format kind: up to three files, each a fixture's text with lines edited. */
function textSideOf(seeds: Seeds): fc.Arbitrary<Candidate[]> {
  const edit = fc.record({op: fc.nat(4), at: fc.nat(), pick: fc.nat()})
  const file = fc.record({seed: fc.nat(seeds.texts.length - 1), edits: fc.array(edit, {maxLength: 6})})
  return fc
    .uniqueArray(file, {minLength: 1, maxLength: 3, selector: ({seed}) => seeds.texts[seed]!.path})
    .map((files) =>
      files.map(({seed, edits}) => {
        const {path, text} = seeds.texts[seed]!
        const lines = text.split('\n')
        for (const {op, at, pick} of edits) {
          if (lines.length === 0) lines.push('')
          const i = at % lines.length
          const other = seeds.texts[pick % seeds.texts.length]!.text.split('\n')
          if (op === 0) lines.splice(i, 1)
          else if (op === 1) lines.splice(i, 0, lines[i]!)
          else if (op === 2) lines.splice(i, 0, other[pick % other.length]!)
          else {
            // One token of the line replaced (op 3) or added (op 4).
            const tokens = lines[i]!.split(' ')
            const token = TEXT_TOKENS[pick % TEXT_TOKENS.length]!
            tokens.splice(pick % (tokens.length + 1), op === 3 ? 1 : 0, token)
            lines[i] = tokens.join(' ')
          }
        }
        return {path, content: Buffer.from(lines.join('\n'))}
      }),
    )
}

interface Loaded {
  documents: Map<string, Document>
  rejected: number
}

/** Parse, detect, validate, exactly as source.ts does; only documents without problems are kept. */
async function load(adapter: Adapter, files: Candidate[]): Promise<Loaded> {
  const documents = new Map<string, Document>()
  let rejected = 0
  for (const file of files) {
    let parsed
    try {
      parsed = adapter.parse ? await adapter.parse(file) : parseFile(file)
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error
      rejected++
      continue
    }
    const problems = await validateValue(adapter.kind, parsed)
    // Fail closed: the pipeline's own reader must agree, and give no document for an invalid file.
    const read = await readDocument(file, adapter.kind)
    if (problems.length > 0) {
      for (const problem of problems) expect(problem.file).toBe(file.path)
      expect(read.document).toBeUndefined()
      expect(read.problems.length).toBeGreaterThan(0)
      rejected++
      continue
    }
    expect(read.problems).toEqual([])
    expect(read.document?.kind).toBe(adapter.kind)
    documents.set(file.path, {...parsed, kind: adapter.kind})
  }
  return {documents, rejected}
}

function expectReportable(finding: Finding, adapter: Adapter): void {
  expect(typeof finding.id).toBe('string')
  expect(finding.id.length).toBeGreaterThan(0)
  expect(CHANGES).toContain(finding.change)
  expect(SEVERITIES).toContain(finding.severity)
  expect(typeof finding.rule).toBe('string')
  expect(finding.rule.length).toBeGreaterThan(0)
  expect(typeof finding.message).toBe('string')
  expect(finding.message.length).toBeGreaterThan(0)
  expect(finding.kind).toBe(adapter.kind)
  expect(typeof finding.file).toBe('string')
}

// --- properties --------------------------------------------------------------------------------

const seedsByKind = new Map(await Promise.all(ADAPTERS.map(async (a) => [a.kind, await seedsOf(a)] as const)))

describe.each(ADAPTERS.map((adapter) => [adapter.kind, adapter] as const))('fuzz: %s', (_kind, adapter) => {
  const seeds = seedsByKind.get(adapter.kind)!
  const side = () => (seeds.texts.length > 0 ? textSideOf(seeds) : sideOf(seeds))

  it('has fixture files to mutate', () => {
    expect(seeds.values.length).toBeGreaterThan(0)
  })

  it(
    'mutated documents that validate compare without throwing; findings are reportable',
    async () => {
      let compared = 0
      let rejected = 0
      await fc.assert(
        fc.asyncProperty(side(), side(), async (before, after) => {
          const baseline = await load(adapter, before)
          const target = await load(adapter, after)
          rejected += baseline.rejected + target.rejected
          if (target.documents.size === 0 && baseline.documents.size === 0) return
          const changed = [...new Set([...baseline.documents.keys(), ...target.documents.keys()])].sort()
          const started = performance.now()
          // Anything thrown here (Undecidable included) fails the property.
          const result = await adapter.compare(
            baseline.documents,
            target.documents,
            changed,
            DEFAULT_ADAPTER_SETTINGS,
          )
          const elapsed = performance.now() - started
          expect(elapsed, `comparison took ${Math.round(elapsed)} ms`).toBeLessThan(CASE_LIMIT_MS)
          compared++
          expect(Array.isArray(result.findings)).toBe(true)
          expect(Array.isArray(result.notes)).toBe(true)
          for (const note of result.notes) expect(typeof note).toBe('string')
          for (const finding of result.findings) {
            expectReportable(finding, adapter)
            if (finding.witness === null) continue
            // Semantic blame asks `allows` about every version: it must answer, not throw.
            const document = target.documents.get(finding.file)
            if (document === undefined) continue
            const others = new Map(
              [...target.documents]
                .filter(([path]) => path !== finding.file)
                .map(([path, d]) => [path, d.value]),
            )
            expect(
              typeof (await adapter.allows(
                document.value,
                finding.witness,
                finding.file,
                others,
                DEFAULT_ADAPTER_SETTINGS,
              )),
            ).toBe('boolean')
          }
        }),
        FUZZ_PARAMS,
      )
      if (process.env.FUZZ_DEBUG) console.log(adapter.kind, {compared, rejected})
      // The generator must reach both paths, or the property proves little.
      expect(compared).toBeGreaterThan(0)
      expect(rejected).toBeGreaterThan(0)
    },
    FUZZ_TIMEOUT_MS,
  )

  it(
    'a document compared with itself gives no widening',
    async () => {
      await fc.assert(
        fc.asyncProperty(side(), async (files) => {
          const loaded = await load(adapter, files)
          if (loaded.documents.size === 0) return
          const paths = [...loaded.documents.keys()]
          const result = await adapter.compare(
            loaded.documents,
            loaded.documents,
            paths,
            DEFAULT_ADAPTER_SETTINGS,
          )
          for (const finding of result.findings) expectReportable(finding, adapter)
          expect(result.findings.filter((finding) => finding.change === 'widening')).toEqual([])
        }),
        FUZZ_PARAMS,
      )
    },
    FUZZ_TIMEOUT_MS,
  )
})
