// What the github-actions adapter recognises and rejects (its fixture cases are checked by the
// one runner, test/adapters/fixtures.test.ts): workflows only, the key `on` read as a string,
// levels GitHub does not accept failing closed, scopes acldrift does not know read as possible
// widenings, and realistic workflows compared soundly.

import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {compareWorkflowFile} from '../../../src/adapters/github-actions/compare.js'
import {githubActions} from '../../../src/adapters/github-actions/index.js'
import {matchesPathRules} from '../../../src/kernel/candidates.js'
import {SCOPES} from '../../../src/adapters/github-actions/scopes.js'
import {readDocument} from '../../../src/core/source.js'
import {allows, differences, expectedGroups, groupOf, itemOf} from './brute-force.js'

const ROOT = fileURLToPath(new URL('../../../fixtures/github-actions/', import.meta.url))
/** Where the workflow is read, as the comparison names it. */
const FILE = '.github/workflows/ci.yml'

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
    expect(matchesPathRules(githubActions.candidates, '.github/workflows/ci.yml')).toBe(true)
    expect(matchesPathRules(githubActions.candidates, '.github/workflows/release.yaml')).toBe(true)
    expect(matchesPathRules(githubActions.candidates, '.github/workflows/sub/ci.yml')).toBe(false)
    expect(matchesPathRules(githubActions.candidates, 'docs/.github/workflows/ci.yml')).toBe(false)
    expect(matchesPathRules(githubActions.candidates, '.github/dependabot.yml')).toBe(false)
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

  const workflow = (permissions: string) =>
    `on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    permissions:${permissions}\n    steps: []\n`

  it('rejects a level GitHub does not accept, and odd permission shapes, naming file:line', async () => {
    const cases: Array<[string, RegExp]> = [
      ['\n      contents: wirte', /must be one of "read", "write", "none"/],
      ['\n      id-token: read', /must be one of "write", "none"/],
      ['\n      models: write', /must be one of "read", "none"/],
      ['\n      copilot-requests: read', /must be one of "write", "none"/],
      ['\n      workflows: admin', /must be one of "read", "write", "none"/],
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

  it('the schema names every scope of the list (scopes.ts), with the levels it accepts', () => {
    const schema = JSON.parse(
      readFileSync(join(ROOT, '..', '..', 'schemas', 'github-actions.schema.json'), 'utf8'),
    ) as {$defs: Record<string, {properties?: Record<string, {enum?: string[]; $ref?: string}>}>}
    const properties = schema.$defs.scopes!.properties!
    expect(Object.keys(properties).sort()).toEqual(Object.keys(SCOPES).sort())
    for (const [scope, levels] of Object.entries(SCOPES)) {
      const accepted = properties[scope]!.enum ?? ['read', 'write', 'none']
      expect(accepted.sort(), scope).toEqual([...levels, 'none'].sort())
    }
  })

  it('reads a scope its list does not name (GitHub adds scopes): a possible widening with a note, never exit 3', async () => {
    for (const [scope, hint] of [
      ['contens', ' (did you mean "contents"?)'],
      ['Contents', ' (did you mean "contents"?)'],
      ['workflows', ''],
    ] as const) {
      const {document, problems} = await read(workflow(`\n      contents: read\n      ${scope}: write`))
      expect(problems, scope).toEqual([])
      const before = (await read(workflow('\n      contents: read'))).document
      const {findings, notes} = compareWorkflowFile(FILE, before, document, 'permissive')
      expect(
        findings.map((f) => [f.change, f.rule, f.witness?.scope, f.line]),
        scope,
      ).toEqual([['possible-widening', 'unknown-scope', scope, 7]])
      expect(findings[0]!.reason).toContain(`does not name "${scope}"`)
      expect(notes).toEqual([
        expect.stringContaining(`permission scope "${scope}" is not in acldrift's list`),
      ])
      expect(notes[0]!.endsWith(hint), notes[0]).toBe(true)
    }
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
