// A Kubernetes RBAC comparison cut short never passes unseen: a grant (one rule of a role, for
// one subject) whose widening search stops at 2,000 cells is a finding of its own
// (`comparison-truncated`, which no approval covers, with the first request past the cut as
// witness), and every cell found before the cut is classified (the worst request names the
// finding, not a sample of the first few).

import {describe, expect, it} from 'vitest'
import {compareRbac} from '../../../src/adapters/k8s-rbac/compare.js'
import type {Document} from '../../../src/kernel/types.js'
import {expectCutShort} from '../truncation.js'

const FILE = 'rbac/deployer.yaml'
const doc = (value: unknown): Document => ({
  path: FILE,
  kind: 'k8s-rbac',
  hash: '0',
  sourceMap: {locate: () => ({line: 1, column: 1})},
  value,
})
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#role-and-clusterrole (a List of RBAC objects)
const list = (...items: unknown[]) => ({apiVersion: 'v1', kind: 'List', items})
const role = (rule: Record<string, unknown>) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: {name: 'deployer', namespace: 'apps'},
  rules: [rule],
})
const binding = (...users: string[]) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: {name: 'deployer', namespace: 'apps'},
  subjects: users.map((name) => ({kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name})),
  roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer'},
})
/** 100 named objects and 21 verbs of one resource: 2,100 new request classes for a new subject, past the cut. */
const NAMES = Array.from({length: 100}, (_, i) => `widget-${String(i).padStart(3, '0')}`)
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'].concat(
  Array.from({length: 13}, (_, i) => `approve${i}`),
)

describe('a k8s-rbac grant cut short at 2,000 widening cells', () => {
  const ROLE = role({apiGroups: ['example.com'], resources: ['widgets'], resourceNames: NAMES, verbs: VERBS})
  const {findings} = compareRbac(
    new Map([[FILE, doc(list(ROLE, binding('alice')))]]),
    new Map([[FILE, doc(list(ROLE, binding('alice', 'mallory')))]]),
    [FILE],
  )

  it('is a finding of its own, a possible widening no approval covers', async () => {
    expect(findings.map((f) => f.rule).sort()).toEqual(['comparison-truncated', 'new-subject'])
    const cut = await expectCutShort(findings, '/items/1')
    expect(cut).toMatchObject({kind: 'k8s-rbac', severity: 'high', file: FILE})
    expect(cut.witness).toMatchObject({subject: 'User:mallory', namespace: 'apps', resource: 'widgets'})
    expect(cut.message).toContain('The first request not listed: User:mallory can')
  })

  it('is not made for a grant within the cut, and the worst request of the grant names its finding', () => {
    // 31 verbs on secrets, get last: once only the first 24 classes of a grant were classified.
    const verbs = [...Array.from({length: 30}, (_, i) => `approve${i}`), 'get']
    const secrets = role({apiGroups: [''], resources: ['secrets'], verbs})
    const {findings} = compareRbac(
      new Map([[FILE, doc(list(secrets, binding('alice')))]]),
      new Map([[FILE, doc(list(secrets, binding('alice', 'mallory')))]]),
      [FILE],
    )
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['secrets-read', 'high']])
    expect(findings[0]!.witness).toMatchObject({subject: 'User:mallory', resource: 'secrets', verb: 'get'})
  })
})
