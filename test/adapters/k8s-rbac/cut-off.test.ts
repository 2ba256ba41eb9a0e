// A Kubernetes RBAC comparison cut short never passes unseen: a grant (one rule of a role, for
// one subject) whose widening search stops at 2,000 cells is a finding of its own
// (`comparison-truncated`, which no approval covers, with the first request past the cut as
// witness), and every cell found before the cut is classified (the worst request names the
// finding, not a sample of the first few).

import {describe, expect, it} from 'vitest'
import {compareRbac} from '../../../src/adapters/k8s-rbac/compare.js'
import {RULES} from '../../../src/adapters/k8s-rbac/rules.js'
import {approvable, entryCovers} from '../../../src/core/gate/approvals.js'
import type {Document} from '../../../src/kernel/types.js'
import {entry} from '../../core/gate/samples.js'

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
  const cut = findings.find((f) => f.rule === 'comparison-truncated')!

  it('is a finding of its own, a possible widening no approval covers', async () => {
    expect(findings.map((f) => f.rule).sort()).toEqual(['comparison-truncated', 'new-subject'])
    expect(cut).toMatchObject({
      kind: 'k8s-rbac',
      change: 'possible-widening',
      severity: 'high',
      file: FILE,
      access: {comparison: 'truncated', limit: 2000},
    })
    expect(cut.reason).toContain('stopped after 2000 differing request classes')
    expect(cut.witness).toMatchObject({subject: 'User:mallory', namespace: 'apps'})
    expect(cut.message).toContain('The first request not listed: User:mallory can')
    expect(cut.message).toContain('No approval covers this finding')
    expect(RULES['comparison-truncated'].approvable).toBe(false)
    expect(approvable(cut)).toBe(false)
    const exact = entry({
      id: cut.id,
      kind: 'k8s-rbac',
      file: FILE,
      access: {change: 'possible-widening', rule: cut.rule, witness: {}, whole: cut.access},
    })
    expect(await entryCovers(exact, cut)).toBe(false)
    // The listed widening stays approvable by an entry recording its access.
    const listed = findings.find((f) => f.rule !== 'comparison-truncated')!
    const approval = entry({
      id: listed.id,
      kind: 'k8s-rbac',
      file: FILE,
      access: {change: 'widening', rule: listed.rule, witness: {}, whole: listed.access},
    })
    expect(await entryCovers(approval, listed)).toBe(true)
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
