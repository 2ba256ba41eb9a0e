// What the gcp-iam adapter recognises by content (its fixture cases are checked by the one
// runner, test/adapters/fixtures.test.ts): policies and custom roles, not other kinds' files, and
// broken text that looks like either fails closed.

import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {compareGcp} from '../../../src/adapters/gcp-iam/compare.js'
import {gcpIam} from '../../../src/adapters/gcp-iam/index.js'
import type {Document} from '../../../src/kernel/types.js'
import {expectCutShort} from '../truncation.js'

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

describe('a gcp-iam comparison cut short at 2,000 widening cells', () => {
  const FILE = 'iam/project.json'
  const doc = (bindings: unknown[]): Document => ({
    path: FILE,
    kind: 'gcp-iam',
    hash: '0',
    sourceMap: {locate: () => ({line: 1, column: 1})},
    value: {bindings, etag: 'BwX=', version: 1},
  })
  // 46 members each given 46 predefined roles: 2,116 new (member, role) classes, past the cut.
  const members = Array.from({length: 46}, (_, i) => `user:dev${i}@example.com`)
  const roles = Array.from({length: 46}, (_, i) => `roles/service${i}.viewer`)
  const viewer = {role: 'roles/viewer', members: ['group:ops@example.com']}
  const {findings, notes} = compareGcp(
    new Map([[FILE, doc([viewer])]]),
    new Map([[FILE, doc([viewer, ...roles.map((role) => ({role, members}))])]]),
    [FILE],
  )

  it('is a finding of its own, a possible widening no approval covers', async () => {
    expect(notes).toContain(`${FILE}: more than 2000 widening cells; the first 2000 are reported`)
    const cut = await expectCutShort(findings, '/bindings')
    expect(cut).toMatchObject({kind: 'gcp-iam', severity: 'high'})
    expect(cut.witness).toMatchObject({member: expect.stringMatching(/^user:dev/) as unknown, resource: FILE})
    expect(cut.message).toContain('The first request not listed: user:dev')
  })
})
