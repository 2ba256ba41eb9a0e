// The gcp-iam fixture table: one `it` per folder of fixtures/gcp-iam/ (see its README). Each
// case is a small repository on each side — one policy (`baseline.json|yaml`,
// `target.json|yaml`), or whole trees (`baseline/`, `target/`) of policies and custom roles —
// compared through the adapter; the findings must match expected.json exactly (count, change and
// rule; severity, file, line and witness fields where given), and every witness is re-checked
// with the independent brute-force evaluator.

import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {gcpIam} from '../../../src/adapters/gcp-iam/index.js'
import {compareGcp} from '../../../src/adapters/gcp-iam/compare.js'
import {parseFile} from '../../../src/kernel/parse.js'
import type {Document} from '../../../src/kernel/types.js'
import {definitelyDiffers, type PolicyJson, requestOf, type RoleJson, type State} from './brute-force.js'
import {
  type ExpectedFinding,
  expectFindings,
  expectNotes,
  fixtureCases,
  itHasCases,
  readExpected,
  filesUnder,
  expectValidDocuments,
} from '../expected-findings.js'

const ROOT = fileURLToPath(new URL('../../../fixtures/gcp-iam/', import.meta.url))

interface Expected {
  description: string
  findings: ExpectedFinding[]
  notes?: string[]
}

/** The single-policy cases' file, as the comparison names it. */
const POLICY = 'policy'

function readSide(dir: string, side: 'baseline' | 'target'): Map<string, Document> {
  const docs = new Map<string, Document>()
  const add = (key: string, path: string) => {
    const parsed = parseFile({path, content: readFileSync(path)})
    docs.set(key, {...parsed, path: key, kind: 'gcp-iam'})
  }
  const tree = join(dir, side)
  if (existsSync(tree) && statSync(tree).isDirectory()) {
    for (const path of filesUnder(tree)) add(path, join(tree, path))
    return docs
  }
  for (const ext of ['json', 'yaml', 'yml']) {
    const path = join(dir, `${side}.${ext}`)
    if (existsSync(path)) add(POLICY, path)
  }
  return docs
}

function changedPaths(baseline: Map<string, Document>, target: Map<string, Document>): string[] {
  return [...new Set([...baseline.keys(), ...target.keys()])]
    .filter((p) => JSON.stringify(baseline.get(p)?.value) !== JSON.stringify(target.get(p)?.value))
    .sort()
}

export function stateOf(docs: Map<string, Document>): State {
  const state: State = {policies: new Map(), roles: []}
  for (const [path, doc] of docs) {
    const value = doc.value as Record<string, unknown>
    if ('includedPermissions' in value || 'name' in value) state.roles.push(value as unknown as RoleJson)
    else state.policies.set(path, value as PolicyJson)
  }
  return state
}

const cases = fixtureCases(ROOT)

describe('gcp-iam fixtures', () => {
  itHasCases(ROOT, cases, 20, (dir) => readSide(dir, 'baseline').size + readSide(dir, 'target').size > 0)

  for (const name of cases) {
    it(name, async () => {
      const dir = join(ROOT, name)
      const expected = readExpected<Expected>(dir)
      const baseline = readSide(dir, 'baseline')
      const target = readSide(dir, 'target')
      const context = `${name}: ${expected.description}`

      await expectValidDocuments(gcpIam, [...baseline.values(), ...target.values()], name)

      const {findings, notes} = compareGcp(baseline, target, changedPaths(baseline, target))
      expectFindings(expected.findings, findings, context)
      expectNotes(expected.notes ?? [], notes, context)

      const [before, after] = [stateOf(baseline), stateOf(target)]
      for (const f of findings) {
        expect(f.message.length, `${name}: message`).toBeGreaterThan(0)
        expect(f.id, `${name}: id`).toMatch(/^[0-9a-f]{16}$/)
        if (f.change === 'possible-widening') {
          expect(f.reason, `${name}: possible-widening without a reason`).toBeTruthy()
          continue
        }
        expect(f.witness, `${name}: ${f.change} without a witness`).not.toBeNull()
        const request = requestOf(f.witness!)
        const [more, less] = f.change === 'widening' ? [after, before] : [before, after]
        expect(
          definitelyDiffers(more, less, request),
          `${name}: ${f.change} witness ${JSON.stringify(f.witness)} is not allowed by exactly one side`,
        ).toBe(true)
      }
      // Ids name the access: the same comparison gives the same ids.
      const again = compareGcp(baseline, target, changedPaths(baseline, target))
      expect(again.findings.map((f) => f.id)).toEqual(findings.map((f) => f.id))
    })
  }
})

describe('gcp-iam detection by content', () => {
  const AWS_FIXTURES = fileURLToPath(new URL('../../../fixtures/aws-iam/', import.meta.url))

  it('claims policies (even empty ones) and custom role definitions', () => {
    expect(gcpIam.detect({bindings: [{role: 'roles/viewer', members: ['user:a@example.com']}]})).toBe(true)
    expect(gcpIam.detect({etag: 'ACAB'})).toBe(true)
    expect(gcpIam.detect({etag: 'BwX=', version: 1})).toBe(true)
    expect(gcpIam.detect({auditConfigs: [{service: 'allServices', auditLogConfigs: []}]})).toBe(true)
    // A misspelt key is still claimed, so that the schema reports it instead of the file being skipped.
    expect(
      gcpIam.detect({bindings: [{role: 'roles/viewer', member: ['user:a@example.com']}], etag: 'x'}),
    ).toBe(true)
    expect(gcpIam.detect({name: 'projects/p/roles/r', title: 'R', includedPermissions: ['a.b.c']})).toBe(true)
    expect(gcpIam.detect({name: 'organizations/1/roles/r', stage: 'GA', title: 'R'})).toBe(true)
  })

  it('does not claim AWS policies, Kubernetes objects or other YAML', () => {
    for (const name of readdirSync(AWS_FIXTURES)) {
      for (const side of ['baseline.json', 'target.json']) {
        const path = join(AWS_FIXTURES, name, side)
        if (existsSync(path)) expect(gcpIam.detect(JSON.parse(readFileSync(path, 'utf8'))), path).toBe(false)
      }
    }
    const kubernetes = [
      {apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: {name: 'x'}, rules: []},
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: {name: 'x'},
        roleRef: {kind: 'Role', name: 'r'},
        subjects: [],
      },
      {apiVersion: 'v1', kind: 'List', items: []},
    ]
    for (const object of kubernetes) expect(gcpIam.detect(object), object.kind).toBe(false)
    expect(gcpIam.detect({name: 'ci', on: {push: {}}, jobs: {}})).toBe(false)
    expect(gcpIam.detect({services: {web: {image: 'nginx'}}, version: '3'})).toBe(false)
    expect(gcpIam.detect({name: 'roles', version: 1})).toBe(false)
    expect(gcpIam.detect([{bindings: []}])).toBe(false)
  })

  it('fails closed on broken text that looks like a policy or a role', () => {
    expect(gcpIam.looksLike('{"bindings": [{"role": "roles/viewer", "members": ["user:a@example.com"]')).toBe(
      true,
    )
    expect(gcpIam.looksLike('bindings:\n- members: [user:a@example.com\n  role: roles/owner\n')).toBe(true)
    expect(gcpIam.looksLike('includedPermissions:\n- storage.objects.get\n  -x')).toBe(true)
    expect(gcpIam.looksLike('{"Statement": [{"Effect": "Allow"')).toBe(false)
    expect(gcpIam.looksLike('kind: RoleBinding\nroleRef: {')).toBe(false)
  })
})
