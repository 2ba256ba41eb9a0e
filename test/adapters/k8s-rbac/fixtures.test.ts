// The k8s-rbac fixture table: one `it` per folder of fixtures/k8s-rbac/ (see its README). Each
// case reads its baseline and target files (schema-validated like any input), compares them as
// one kind, and checks the findings against expected.json exactly (count, change and rule;
// severity, file, line and witness fields where given); then every witness is re-checked with
// the independent brute-force evaluator.

import {existsSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {k8sRbac} from '../../../src/adapters/k8s-rbac/index.js'
import {compareRbac} from '../../../src/adapters/k8s-rbac/compare.js'
import {parseFile} from '../../../src/kernel/parse.js'
import type {Document, InputProblem} from '../../../src/kernel/types.js'
import {validateValue} from '../../../src/core/validate.js'
import {differs, objectsOf, requestOf} from './brute-force.js'
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

const ROOT = fileURLToPath(new URL('../../../fixtures/k8s-rbac/', import.meta.url))

interface Expected {
  description: string
  findings: ExpectedFinding[]
  /** substrings, one per note, in any order; absent means no notes */
  notes?: string[]
  /** substrings, one per schema problem of the target, in any order: the case fails closed */
  errors?: string[]
}

/** A side is a folder of files (paths relative to it) or one file, named rbac.<ext>. */
function readSide(dir: string, side: 'baseline' | 'target'): Array<{path: string; content: Buffer}> {
  const folder = join(dir, side)
  if (existsSync(folder) && statSync(folder).isDirectory()) {
    return filesUnder(folder).map((path) => ({path, content: readFileSync(join(folder, path))}))
  }
  for (const ext of ['yaml', 'yml', 'json']) {
    const file = join(dir, `${side}.${ext}`)
    if (existsSync(file)) return [{path: `rbac.${ext}`, content: readFileSync(file)}]
  }
  return []
}

async function load(
  files: Array<{path: string; content: Buffer}>,
): Promise<{docs: Map<string, Document>; problems: InputProblem[]}> {
  const docs = new Map<string, Document>()
  const problems: InputProblem[] = []
  for (const file of files) {
    const parsed = parseFile(file)
    if (!k8sRbac.detect(parsed.value)) continue
    const found = await validateValue('k8s-rbac', parsed)
    problems.push(...found)
    if (found.length === 0) docs.set(file.path, {...parsed, kind: 'k8s-rbac'})
  }
  return {docs, problems}
}

const cases = fixtureCases(ROOT)

describe('k8s-rbac fixtures', () => {
  itHasCases(
    ROOT,
    cases,
    20,
    (dir) => readSide(dir, 'baseline').length + readSide(dir, 'target').length > 0,
    {findingsArray: true},
  )

  for (const name of cases) {
    it(name, async () => {
      const dir = join(ROOT, name)
      const expected = readExpected<Expected>(dir)
      const context = `${name}: ${expected.description}`
      const baseline = await load(readSide(dir, 'baseline'))
      expect(baseline.problems, `${context}\n(baseline must be valid)`).toEqual([])
      const target = await load(readSide(dir, 'target'))
      if (expected.errors !== undefined) {
        const messages = target.problems.map(
          (p) => `${p.file}:${p.line}:${p.column} ${p.pointer} ${p.message}`,
        )
        if (pair(expected.errors, messages, (e, a) => a.includes(e)) === undefined)
          expect(messages, `${context}\n(each expected error is a substring of one problem)`).toEqual(
            expected.errors,
          )
        return
      }
      expect(target.problems, `${context}\n(target must be valid)`).toEqual([])

      const changed = [...new Set([...baseline.docs.keys(), ...target.docs.keys()])].filter(
        (p) => baseline.docs.get(p)?.hash !== target.docs.get(p)?.hash,
      )
      const {findings, notes} = compareRbac(baseline.docs, target.docs, changed)
      expectFindings(expected.findings, findings, context)
      expectNotes(expected.notes ?? [], notes, context)

      const before = objectsOf([...baseline.docs.values()].map((d) => d.value))
      const after = objectsOf([...target.docs.values()].map((d) => d.value))
      for (const f of findings) {
        expect(f.message.length, `${name}: message`).toBeGreaterThan(0)
        expect(f.witness, `${name}: ${f.change} without a witness`).not.toBeNull()
        const q = requestOf(f.witness!)
        const [more, less] = f.change === 'narrowing' ? [before, after] : [after, before]
        const verdict = differs(more, less, q)
        const want = f.change === 'possible-widening' ? ['definite', 'possible'] : ['definite']
        expect(want, `${name}: ${f.change} witness ${JSON.stringify(f.witness)} is ${verdict}`).toContain(
          verdict,
        )
        if (f.change === 'possible-widening') expect(f.reason, `${name}: reason`).toBeTruthy()
      }
    })
  }
})
