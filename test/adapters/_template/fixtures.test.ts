// The _template fixture table: one `it` per folder of fixtures/_template/. Each case is one file
// on each side (`baseline.yaml|json`, `target.yaml|json`; one may be missing), compared through
// the adapter as `acldrift check` compares a changed file; the findings must match expected.json
// (count, change and rule; severity, line and witness fields where given), every witness is
// re-checked with the independent brute-force evaluator, and so is soundness over the requests
// the case's own names make up.

import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {templateKind} from '../../../src/adapters/_template/index.js'
import {parseFile} from '../../../src/kernel/parse.js'
import {DEFAULT_ADAPTER_SETTINGS, type Document} from '../../../src/kernel/types.js'
import {
  type ExpectedFinding,
  expectFindings,
  expectValidDocuments,
  fixtureCases,
  itHasCases,
  readExpected,
} from '../expected-findings.js'
import {allows, differing, requestOf, type TemplateKindJson} from './brute-force.js'

const ROOT = fileURLToPath(new URL('../../../fixtures/_template/', import.meta.url))

/** The file's path in every comparison (what `file` says). */
const FILE = 'access/grants.yaml'

function readSide(dir: string, side: 'baseline' | 'target'): Document | undefined {
  for (const ext of ['json', 'yaml', 'yml']) {
    const path = join(dir, `${side}.${ext}`)
    if (existsSync(path))
      return {...parseFile({path, content: readFileSync(path)}), path: FILE, kind: templateKind.kind}
  }
  return undefined
}

const documents = (...docs: Array<Document | undefined>) =>
  new Map(docs.filter((d) => d !== undefined).map((d) => [d.path, d]))

const compare = (baseline: Document | undefined, target: Document | undefined) =>
  templateKind.compare(documents(baseline), documents(target), [FILE], DEFAULT_ADAPTER_SETTINGS)

const cases = fixtureCases(ROOT)

describe('_template fixtures', () => {
  itHasCases(ROOT, cases, 1, (dir) => (readSide(dir, 'baseline') ?? readSide(dir, 'target')) !== undefined)

  for (const name of cases) {
    it(name, async () => {
      const dir = join(ROOT, name)
      const expected = readExpected<{description: string; findings: ExpectedFinding[]}>(dir)
      const baseline = readSide(dir, 'baseline')
      const target = readSide(dir, 'target')
      await expectValidDocuments(templateKind, [baseline, target], name)

      const {findings, notes} = await compare(baseline, target)
      expectFindings(expected.findings, findings, `${name}: ${expected.description}`)
      expect(notes).toEqual([])

      const base = baseline?.value as TemplateKindJson | undefined
      const tgt = target?.value as TemplateKindJson | undefined
      for (const f of findings) {
        const request = requestOf(f.witness)
        const [more, less] = f.change === 'narrowing' ? [base, tgt] : [tgt, base]
        expect(allows(more, request) && !allows(less, request), `${name}: ${f.rule} ${f.message}`).toBe(true)
        // Semantic blame asks the adapter the same question of each version.
        const ask = (doc: TemplateKindJson | undefined) =>
          doc !== undefined && templateKind.allows(doc, f.witness!, FILE, new Map(), DEFAULT_ADAPTER_SETTINGS)
        expect([await ask(more), await ask(less)], `${name}: allows ${f.rule}`).toEqual([true, false])
      }
      // Sound over every request the two files' own names make up.
      const names = (part: 'subject' | 'permission') => [
        ...new Set([...(base?.grants ?? []), ...(tgt?.grants ?? [])].map((g) => g[part])),
        `unnamed-${part}`,
      ]
      const [subjects, permissions] = [names('subject'), names('permission')]
      if (differing(tgt, base, subjects, permissions).length > 0)
        expect(findings.some((f) => f.change === 'widening')).toBe(true)
      if (differing(base, tgt, subjects, permissions).length > 0)
        expect(findings.some((f) => f.change === 'narrowing')).toBe(true)
      // Ids name the access, not lines: the same comparison gives the same ids.
      expect((await compare(baseline, target)).findings.map((f) => f.id)).toEqual(findings.map((f) => f.id))
    })
  }
})
