// The github-actions fixture table: one `it` per folder of fixtures/github-actions/ (see its
// README). Each case is one workflow file on each side (`baseline.yml`, `target.yml`; one may be
// missing), compared through the adapter as .github/workflows/ci.yml under the case's default
// permissions; the findings must match expected.json exactly (count, change and rule; severity,
// line and witness fields where given), every witness is re-checked with the independent
// brute-force evaluator, and every difference the brute force finds must be reported.

import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {compareWorkflowFile} from '../../../src/adapters/github-actions/compare.js'
import {githubActions} from '../../../src/adapters/github-actions/index.js'
import {parseFile} from '../../../src/kernel/parse.js'
import {readDocument} from '../../../src/core/source.js'
import type {Document} from '../../../src/kernel/types.js'
import {
  type ExpectedFinding,
  expectFindings,
  fixtureCases,
  itHasCases,
  readExpected,
  expectValidDocuments,
} from '../expected-findings.js'
import {allows, differences, expectedGroups, groupOf, itemOf, type Mode} from './brute-force.js'

const ROOT = fileURLToPath(new URL('../../../fixtures/github-actions/', import.meta.url))
/** Where the cases' workflow lives, as the comparison names it. */
const FILE = '.github/workflows/ci.yml'

interface Expected {
  description: string
  /** the repository's default token permissions (githubActions.defaultPermissions); permissive when absent */
  defaultPermissions?: Mode
  findings: ExpectedFinding[]
  notes?: string[]
}

function readSide(dir: string, side: 'baseline' | 'target'): Document | undefined {
  for (const ext of ['yml', 'yaml']) {
    const path = join(dir, `${side}.${ext}`)
    if (existsSync(path)) {
      const parsed = parseFile({path, content: readFileSync(path)})
      return {...parsed, path: FILE, kind: 'github-actions'}
    }
  }
  return undefined
}

const cases = fixtureCases(ROOT)

describe('github-actions fixtures', () => {
  itHasCases(ROOT, cases, 25, (dir) => (readSide(dir, 'baseline') ?? readSide(dir, 'target')) !== undefined)

  for (const name of cases) {
    it(name, async () => {
      const dir = join(ROOT, name)
      const expected = readExpected<Expected>(dir)
      const mode = expected.defaultPermissions ?? 'permissive'
      const [baseline, target] = [readSide(dir, 'baseline'), readSide(dir, 'target')]
      const context = `${name}: ${expected.description}`

      await expectValidDocuments(githubActions, [baseline, target], name)

      const {findings, notes} = compareWorkflowFile(FILE, baseline, target, mode)
      expectFindings(expected.findings, findings, context)
      expect(notes).toEqual(expected.notes ?? [])

      const [before, after] = [baseline?.value, target?.value]
      for (const f of findings) {
        expect(f.message.length, `${name}: message`).toBeGreaterThan(0)
        expect(f.id, `${name}: id`).toMatch(/^[0-9a-f]{16}$/)
        // History re-words a finding for its witness: the same words as the report.
        expect(f.message.startsWith(await githubActions.describe(f, f.witness!)), `${name}: describe`).toBe(
          true,
        )
        const [more, less] = f.change === 'widening' ? [after, before] : [before, after]
        const witness = itemOf(f.witness!)
        expect(
          allows(more, witness, mode) && !allows(less, witness, mode),
          `${name}: ${f.change} witness ${JSON.stringify(f.witness)} is not allowed by exactly one side`,
        ).toBe(true)
        // The adapter's own evaluator (semantic blame) agrees.
        const context = {githubActions: {defaultPermissions: mode}}
        expect(await githubActions.allows(more, f.witness!, FILE, new Map(), context)).toBe(true)
        expect(await githubActions.allows(less, f.witness!, FILE, new Map(), context)).toBe(false)
      }
      // Sound: every item the target allows and the baseline does not is reported by its group.
      for (const [more, less, change] of [
        [after, before, 'widening'],
        [before, after, 'narrowing'],
      ] as const) {
        const reported = new Set(findings.filter((f) => f.change === change).map(groupOf))
        for (const item of differences(more, less, mode)) {
          const groups = expectedGroups(more, less, item, mode)
          expect(
            groups.some((g) => reported.has(g)),
            `${name}: ${change} ${JSON.stringify(item)} not reported (expected ${groups.join(' or ')})`,
          ).toBe(true)
        }
      }
      const again = compareWorkflowFile(FILE, baseline, target, mode)
      expect(again.findings.map((f) => f.id)).toEqual(findings.map((f) => f.id))
    })
  }
})

describe('github-actions recognition', () => {
  const read = (text: string, path = FILE) => readDocument({path, content: Buffer.from(text)}, 'detect')

  it('reads the key `on` as the string "on" (YAML 1.2), in every form', async () => {
    for (const on of [
      'on: push',
      'on: [push, pull_request_target]',
      'on:\n  workflow_run:\n    workflows: [CI]',
    ]) {
      const {document, problems} = await read(
        `${on}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: []\n`,
      )
      expect(problems).toEqual([])
      expect(document?.kind).toBe('github-actions')
      expect(Object.keys(document!.value as object)).toEqual(['on', 'jobs'])
    }
  })

  it('claims workflows only, and only workflow paths are candidates', () => {
    expect(githubActions.detect({on: 'push', jobs: {}})).toBe(true)
    expect(githubActions.detect({on: 'push'})).toBe(false)
    expect(githubActions.detect({jobs: {}, version: 2.1})).toBe(false)
    expect(githubActions.detect({Statement: []})).toBe(false)
    expect(githubActions.detect({apiVersion: 'v1', kind: 'List', items: []})).toBe(false)
    expect(githubActions.detect({bindings: [], etag: 'x'})).toBe(false)
    expect(githubActions.candidate('.github/workflows/ci.yml')).toBe(true)
    expect(githubActions.candidate('.github/workflows/release.yaml')).toBe(true)
    expect(githubActions.candidate('.github/workflows/sub/ci.yml')).toBe(false)
    expect(githubActions.candidate('docs/.github/workflows/ci.yml')).toBe(false)
    expect(githubActions.candidate('.github/dependabot.yml')).toBe(false)
  })

  it('fails closed on broken YAML that looks like a workflow, naming the line', async () => {
    const broken =
      'on: push\njobs:\n  build:\n    permissions: {contents: write\n    runs-on: ubuntu-latest\n'
    expect(githubActions.looksLike(broken)).toBe(true)
    const {problems} = await read(broken)
    expect(problems.length).toBeGreaterThan(0)
    expect(problems[0]!.line).toBeGreaterThanOrEqual(4)
    expect(githubActions.looksLike('version: 2.1\njobs:\n  build:\n    docker: [')).toBe(false)
    expect(githubActions.looksLike('{"Statement": [')).toBe(false)
  })

  it('rejects a misspelt scope or level, and odd permission shapes, naming file:line', async () => {
    const workflow = (permissions: string) =>
      `on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    permissions:${permissions}\n    steps: []\n`
    const cases: Array<[string, RegExp]> = [
      ['\n      contens: write', /unknown property "contens" \(did you mean "contents"\?\)/],
      ['\n      contents: wirte', /must be one of "read", "write", "none"/],
      ['\n      id-token: read', /must be one of "write", "none"/],
      ['\n      models: write', /must be one of "read", "none"/],
      ['\n      Contents: write', /unknown property "Contents"/],
      ['\n      workflows: write', /unknown property "workflows"/],
      [' write', /must be one of "read-all", "write-all"/],
      [' [contents]', /must be a string or an object/],
      ['', /must be a string or an object/],
    ]
    for (const [text, message] of cases) {
      const {document, problems} = await read(workflow(text))
      expect(document, text).toBeUndefined()
      expect(problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('\n'), text).toMatch(message)
      expect(problems[0]!.line, text).toBeGreaterThanOrEqual(5)
    }
    const secrets = await read(
      'on: push\njobs:\n  call:\n    uses: ./.github/workflows/r.yml\n    secrets: inherits\n',
    )
    expect(secrets.problems.map((p) => `${p.line} ${p.message}`)).toEqual([
      '5 must be "inherit" (found "inherits")',
    ])
  })

  it('accepts realistic workflows with every common key, and the audit workflow acldrift ships', async () => {
    const dir = join(ROOT, '..', '..', 'test', 'adapters', 'github-actions', 'workflows')
    const files = [
      ...readdirSync(dir).map((name) => join(dir, name)),
      join(ROOT, '..', '..', 'docs', 'acldrift-audit.yml'),
    ]
    for (const path of files) {
      const {document, problems} = await read(readFileSync(path, 'utf8'), `.github/workflows/x.yml`)
      expect(problems, path).toEqual([])
      expect(document?.kind, path).toBe('github-actions')
      // Unchanged: nothing; added: everything the brute force finds, by its group.
      for (const mode of ['permissive', 'restricted'] as const) {
        expect(compareWorkflowFile(FILE, document, document, mode).findings).toEqual([])
        const added = compareWorkflowFile(FILE, undefined, document, mode).findings
        const reported = new Set(added.map(groupOf))
        for (const item of differences(document!.value, undefined, mode))
          expect(
            expectedGroups(document!.value, undefined, item, mode).some((g) => reported.has(g)),
            `${path} (${mode}): ${JSON.stringify(item)}`,
          ).toBe(true)
        for (const f of added) expect(allows(document!.value, itemOf(f.witness!), mode), path).toBe(true)
      }
    }
  })
})
