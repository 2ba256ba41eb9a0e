// The built-in ClusterRoles (src/adapters/k8s-rbac/builtin-roles.ts) are data copied by hand from
// Kubernetes' bootstrap policy: this checks that the copy holds together as the bootstrap policy
// does, so that a slip in editing it shows. Each role is a ClusterRole the API server accepts; the
// aggregated roles select exactly the labels the others carry; admin ⊇ edit ⊇ view, as the
// aggregation chain (view → edit → admin) makes them; and every role is known to the model.

import {describe, expect, it} from 'vitest'
import {
  AGGREGATE_TO,
  BUILTIN_CLUSTER_ROLES,
  BUILTIN_SOURCE,
  builtInObject,
} from '../../../src/adapters/k8s-rbac/builtin-roles.js'
import {buildModel, objectsOfDocuments} from '../../../src/adapters/k8s-rbac/model.js'
import {validateValue} from '../../../src/core/validate.js'
import {allows, objectsOfFiles, type Request} from './brute-force.js'

const RBAC = 'rbac.authorization.k8s.io'
const byName = new Map(BUILTIN_CLUSTER_ROLES.map((r) => [r.name, r]))

/** Each role bound cluster-wide to a user of its own name. */
const bound = objectsOfFiles([
  [
    'bindings.yaml',
    BUILTIN_CLUSTER_ROLES.map((r) => ({
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: {name: r.name},
      subjects: [{kind: 'User', apiGroup: RBAC, name: r.name}],
      roleRef: {apiGroup: RBAC, kind: 'ClusterRole', name: r.name},
    })),
  ],
])

/** Every concrete request the rules of the role and of what it aggregates name (no wildcards in them). */
function requestsOf(name: string): Request[] {
  const out: Request[] = []
  const visit = (role: string, seen: Set<string>) => {
    if (seen.has(role)) return
    seen.add(role)
    const data = byName.get(role)!
    for (const rule of data.rules ?? []) {
      for (const verb of rule.verbs ?? []) {
        for (const url of rule.nonResourceURLs ?? []) out.push({subject: '', verb, nonResourceURL: url})
        for (const apiGroup of rule.apiGroups ?? [])
          for (const combined of rule.resources ?? []) {
            const [resource, subresource] = combined.split('/')
            for (const resourceName of rule.resourceNames?.length ? rule.resourceNames : [undefined])
              out.push({subject: '', verb, apiGroup, resource: resource!, subresource, resourceName})
          }
      }
    }
    const keys = new Set(data.aggregates ?? [])
    for (const other of BUILTIN_CLUSTER_ROLES)
      if (Object.entries(other.labels).some(([k, v]) => keys.has(k) && v === 'true')) visit(other.name, seen)
  }
  visit(name, new Set())
  return out.map((q) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as Request)
}

const allowedFor = (role: string, q: Request) => allows(bound, {...q, subject: `User:${role}`})

describe('the built-in ClusterRoles', () => {
  it('name their source: the files, the commit and when they were read', () => {
    expect(BUILTIN_SOURCE.files).toContain(
      'plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml',
    )
    expect(BUILTIN_SOURCE.commit).toMatch(/^[0-9a-f]{40}$/)
    expect(BUILTIN_SOURCE.read).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  })

  it('are ClusterRoles the API server accepts, each named once', async () => {
    expect(byName.size).toBe(BUILTIN_CLUSTER_ROLES.length)
    for (const role of BUILTIN_CLUSTER_ROLES) {
      const value = builtInObject(role)
      const problems = await validateValue('k8s-rbac', {
        path: role.name,
        value,
        hash: '',
        sourceMap: {locate: () => undefined},
      })
      expect(problems, role.name).toEqual([])
      // An aggregated role's rules are the controller's to fill: none of its own.
      if (role.aggregates !== undefined) expect(role.rules, role.name).toBeNull()
      else expect(role.rules?.length, role.name).toBeGreaterThan(0)
    }
  })

  it('aggregate as the bootstrap policy does: view into edit into admin, each fed by its system:aggregate-to-* role', () => {
    for (const [target, label] of Object.entries(AGGREGATE_TO)) {
      expect(byName.get(target)?.aggregates).toEqual([label])
      expect(byName.get(`system:aggregate-to-${target}`)?.labels).toEqual({[label]: 'true'})
    }
    expect(byName.get('edit')?.labels).toEqual({[AGGREGATE_TO.admin]: 'true'})
    expect(byName.get('view')?.labels).toEqual({[AGGREGATE_TO.edit]: 'true'})
    expect(byName.get('cluster-admin')?.rules).toEqual([
      {apiGroups: ['*'], resources: ['*'], verbs: ['*']},
      {nonResourceURLs: ['*'], verbs: ['*']},
    ])
  })

  it('nest: everything view allows, edit allows; everything edit allows, admin allows; cluster-admin allows all', () => {
    for (const [narrower, wider] of [
      ['view', 'edit'],
      ['edit', 'admin'],
      ['admin', 'cluster-admin'],
    ] as const) {
      const requests = requestsOf(narrower)
      expect(requests.length, narrower).toBeGreaterThan(20)
      for (const q of requests) {
        expect(allowedFor(narrower, q), `${narrower} ${JSON.stringify(q)}`).toBe(true)
        expect(allowedFor(wider, q), `${wider} ⊇ ${narrower}: ${JSON.stringify(q)}`).toBe(true)
      }
    }
    // And strictly: edit reads secrets, view does not; admin writes roles, edit does not.
    const secrets = {subject: '', verb: 'get', apiGroup: '', resource: 'secrets'}
    const roles = {subject: '', verb: 'create', apiGroup: RBAC, resource: 'roles'}
    expect([allowedFor('view', secrets), allowedFor('edit', secrets)]).toEqual([false, true])
    expect([allowedFor('edit', roles), allowedFor('admin', roles)]).toEqual([false, true])
  })

  it('are known to the model: a binding to any of them grants its rules, not an unknown role', () => {
    const model = buildModel(
      objectsOfDocuments([
        ['bindings.yaml', bound.map((o) => o.raw).filter((o) => o.kind === 'ClusterRoleBinding')],
      ]),
    )
    expect(model.opaque.size).toBe(0)
    expect(model.pairs.map((p) => p.entries?.length ?? 0).every((n) => n > 0)).toBe(true)
  })
})
