// The codeowners fixture table: one `it` per folder of fixtures/codeowners/ (see its README). Each
// case is a small repository on each side (its CODEOWNERS files at their real paths, and the
// target's other files in paths.txt), compared through the adapter; the findings must match
// expected.json exactly (count, change and rule; severity, file, line and witness fields where
// given), and every witness is re-checked with the independent evaluator of brute-force.ts.
// Cases with `errors` are files GitHub would reject or read ambiguously: they must fail closed.

import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {codeowners} from '../../../src/adapters/codeowners/index.js'
import {InvalidInputError} from '../../../src/kernel/errors.js'
import {DEFAULT_ADAPTER_SETTINGS, type Document} from '../../../src/kernel/types.js'
import {validateValue} from '../../../src/core/validate.js'
import {
  type ExpectedFinding,
  expectFindings,
  expectNotes,
  fixtureCases,
  itHasCases,
  pair,
  readExpected,
  filesUnder,
} from '../expected-findings.js'
import {effectiveRules, type RuleJson, witnessDiffers} from './brute-force.js'

const ROOT = fileURLToPath(new URL('../../../fixtures/codeowners/', import.meta.url))

interface Expected {
  description: string
  findings?: ExpectedFinding[]
  notes?: string[]
  /** a side that must fail closed: each entry is a problem (line, and a substring of its message) */
  errors?: Array<{file: string; line: number; message: string}>
}

function filesOf(dir: string): Map<string, Buffer> {
  return new Map(filesUnder(dir).map((path) => [path, readFileSync(join(dir, path))]))
}

async function readSide(dir: string): Promise<Map<string, Document>> {
  const docs = new Map<string, Document>()
  for (const [path, content] of filesOf(dir)) {
    expect(codeowners.candidate(path), `${path} is a CODEOWNERS location`).toBe(true)
    const parsed = await codeowners.parse!({path, content})
    expect(await validateValue('codeowners', parsed), path).toEqual([])
    docs.set(path, {...parsed, kind: 'codeowners'})
  }
  return docs
}

const rulesOf = (docs: Map<string, Document>) =>
  effectiveRules(new Map([...docs].map(([p, d]) => [p, (d.value as {rules: RuleJson[]}).rules])))

const cases = fixtureCases(ROOT)

describe('codeowners fixtures', () => {
  itHasCases(
    ROOT,
    cases,
    25,
    (dir) => filesOf(join(dir, 'baseline')).size + filesOf(join(dir, 'target')).size > 0,
  )

  for (const name of cases) {
    it(name, async () => {
      const dir = join(ROOT, name)
      const expected = readExpected<Expected>(dir)
      const context = `${name}: ${expected.description}`
      if (expected.errors !== undefined) {
        const problems = []
        for (const side of ['baseline', 'target']) {
          for (const [path, content] of filesOf(join(dir, side))) {
            try {
              await codeowners.parse!({path, content})
            } catch (error) {
              if (!(error instanceof InvalidInputError)) throw error
              problems.push(...error.problems)
            }
          }
        }
        const matched = pair(
          expected.errors,
          problems,
          (e, p) => e.file === p.file && e.line === p.line && p.message.includes(e.message),
        )
        expect(matched, `${context}\nproblems: ${JSON.stringify(problems)}`).toBeDefined()
        return
      }

      const [baseline, target] = [await readSide(join(dir, 'baseline')), await readSide(join(dir, 'target'))]
      const pathsFile = join(dir, 'paths.txt')
      const repoPaths = existsSync(pathsFile)
        ? readFileSync(pathsFile, 'utf8')
            .split('\n')
            .filter((l) => l.trim() !== '')
        : []
      const changed = [...new Set([...baseline.keys(), ...target.keys()])]
        .filter((p) => baseline.get(p)?.hash !== target.get(p)?.hash)
        .sort()
      const adapterContext = {
        ...DEFAULT_ADAPTER_SETTINGS,
        paths: async () => [...repoPaths, ...target.keys()],
      }
      const {findings, notes} = await codeowners.compare(baseline, target, changed, adapterContext)
      expectFindings(expected.findings ?? [], findings, context)
      expectNotes(expected.notes ?? [], notes, context)

      const [before, after] = [rulesOf(baseline), rulesOf(target)]
      const others = new Map([...target].map(([p, d]) => [p, d.value]))
      for (const f of findings) {
        expect(f.message.length, `${name}: message`).toBeGreaterThan(0)
        expect(f.id, `${name}: id`).toMatch(/^[0-9a-f]{16}$/)
        if (f.change === 'possible-widening') {
          expect(f.reason, `${name}: possible-widening without a reason`).toBeTruthy()
          continue
        }
        const [more, less] = f.change === 'widening' ? [after, before] : [before, after]
        expect(witnessDiffers(more, less, f.witness!), `${name}: witness ${JSON.stringify(f.witness)}`).toBe(
          true,
        )
        // The witness names a real file whenever the repository has one in the region.
        if (f.witness!.exists === true) expect([...repoPaths, ...target.keys()]).toContain(f.witness!.path)
        // Semantic blame's question agrees: the target allows a widening witness, the baseline does not.
        const doc = target.get(f.file)
        if (doc !== undefined && f.change === 'widening')
          expect(
            await codeowners.allows(doc.value, f.witness!, f.file, others, DEFAULT_ADAPTER_SETTINGS),
          ).toBe(true)
      }
      const again = await codeowners.compare(baseline, target, changed, adapterContext)
      expect(again.findings.map((f) => f.id)).toEqual(findings.map((f) => f.id))
    })
  }
})

describe('codeowners comparison limits', () => {
  it('patterns whose automaton is too large to explore give a possible widening with the reason, not "unchanged"', async () => {
    // `?` after a literal: the automaton must remember the last 18 characters (2^18 states).
    const pattern = `*a${'?'.repeat(18)}`
    const side = async (owner: string) => {
      const parsed = await codeowners.parse!({
        path: 'CODEOWNERS',
        content: Buffer.from(`* @acme/eng\n${pattern} ${owner}\n`),
      })
      return new Map([['CODEOWNERS', {...parsed, kind: 'codeowners' as const}]])
    }
    const {findings} = await codeowners.compare(
      await side('@acme/x'),
      await side('@acme/y'),
      ['CODEOWNERS'],
      DEFAULT_ADAPTER_SETTINGS,
    )
    expect(findings).toMatchObject([
      {change: 'possible-widening', rule: 'undecidable-patterns', file: 'CODEOWNERS', line: 2, witness: null},
    ])
    expect(findings[0]!.reason).toMatch(/too many or too complex/)
  }, 60_000)
})
