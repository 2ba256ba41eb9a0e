// Differential test of the reach-limited comparison (reach.ts): on random small repositories of
// RBAC objects spread over many files and one random edit, compareRbac (given only the files the
// changed objects reach) finds exactly what the whole-kind comparison finds, notes included.

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compareRbac, compareWhole} from '../../../src/adapters/k8s-rbac/compare.js'
import {reachOf} from '../../../src/adapters/k8s-rbac/reach.js'
import type {Document} from '../../../src/kernel/types.js'
import {propertyRuns} from '../property-runs.js'

type Json = Record<string, unknown>
const RBAC = 'rbac.authorization.k8s.io'
const V1 = `${RBAC}/v1`

const rule: fc.Arbitrary<Json> = fc.record({
  apiGroups: fc.constantFrom([''], ['apps'], ['*']),
  resources: fc.constantFrom(['pods'], ['secrets'], ['pods', 'pods/exec'], ['*'], ['deployments']),
  verbs: fc.constantFrom(['get'], ['get', 'list'], ['delete'], ['*'], ['create', 'escalate']),
})
const LABELS: Json[] = [{}, {agg: 'x'}, {agg: 'y'}, {[`${RBAC}/aggregate-to-view`]: 'true'}]
const SUBJECTS: Json[] = [
  {kind: 'User', apiGroup: RBAC, name: 'alice'},
  {kind: 'User', apiGroup: RBAC, name: 'bob'},
  {kind: 'Group', apiGroup: RBAC, name: 'devs'},
  {kind: 'Group', apiGroup: RBAC, name: 'system:authenticated'},
  {kind: 'Group', apiGroup: RBAC, name: 'system:serviceaccounts:prod'},
  {kind: 'ServiceAccount', name: 'ci', namespace: 'prod'},
  {kind: 'ServiceAccount', name: 'app', namespace: 'dev'},
]
const REFS: Json[] = [
  {kind: 'Role', name: 'r1'},
  {kind: 'Role', name: 'r2'},
  {kind: 'ClusterRole', name: 'c1'},
  {kind: 'ClusterRole', name: 'c2'},
  {kind: 'ClusterRole', name: 'c3'},
  {kind: 'ClusterRole', name: 'view'},
  {kind: 'ClusterRole', name: 'missing'},
]

const objectArb: fc.Arbitrary<Json> = fc.oneof(
  fc
    .record({
      name: fc.constantFrom('r1', 'r2'),
      ns: fc.constantFrom('prod', 'dev'),
      rules: fc.array(rule, {maxLength: 2}),
    })
    .map(({name, ns, rules}) => ({apiVersion: V1, kind: 'Role', metadata: {name, namespace: ns}, rules})),
  fc
    .record({
      name: fc.constantFrom('c1', 'c2', 'c3'),
      labels: fc.constantFrom(...LABELS),
      aggregate: fc.option(fc.constantFrom({agg: 'x'}, {agg: 'y'}), {freq: 3, nil: undefined}),
      rules: fc.array(rule, {maxLength: 2}),
    })
    .map(({name, labels, aggregate, rules}) => ({
      apiVersion: V1,
      kind: 'ClusterRole',
      metadata: {name, labels},
      ...(aggregate && {aggregationRule: {clusterRoleSelectors: [{matchLabels: aggregate}]}}),
      rules,
    })),
  fc
    .record({
      name: fc.constantFrom('b1', 'b2', 'b3', 'b4', 'b5'),
      cluster: fc.boolean(),
      ns: fc.constantFrom('prod', 'dev'),
      ref: fc.constantFrom(...REFS),
      subjects: fc.uniqueArray(fc.constantFrom(...SUBJECTS), {minLength: 1, maxLength: 2}),
    })
    .map(({name, cluster, ns, ref, subjects}) => ({
      apiVersion: V1,
      kind: cluster ? 'ClusterRoleBinding' : 'RoleBinding',
      metadata: cluster ? {name} : {name, namespace: ns},
      subjects,
      roleRef: {apiGroup: RBAC, ...(cluster && ref.kind === 'Role' ? REFS[2] : ref)},
    })),
)

/** Up to 8 files of one or two objects each; an edit replaces, drops or adds one object. */
const repoArb = fc.array(fc.array(objectArb, {minLength: 1, maxLength: 2}), {minLength: 1, maxLength: 8})
const editArb = fc.record({
  file: fc.nat(),
  at: fc.nat(),
  how: fc.constantFrom('replace', 'drop', 'add', 'rules'),
  object: objectArb,
  rules: fc.array(rule, {minLength: 1, maxLength: 2}),
})

type Repo = Json[][]
type Edit = {file: number; at: number; how: string; object: Json; rules: Json[]}
function edited(repo: Repo, edit: Edit): Repo {
  const copy = repo.map((file) => [...file])
  const file = copy[edit.file % copy.length]!
  const at = edit.at % file.length
  if (edit.how === 'replace') file[at] = edit.object
  else if (edit.how === 'drop') file.splice(at, 1)
  else if (edit.how === 'add') file.push(edit.object)
  else if ('rules' in file[at]!) file[at] = {...file[at], rules: edit.rules}
  return copy
}

const documents = (repo: Repo): Map<string, Document> =>
  new Map(
    repo.map((objects, i): [string, Document] => {
      const path = `rbac/file-${i}.yaml`
      const value = objects.length === 1 ? objects[0] : objects
      return [
        path,
        {
          path,
          value,
          kind: 'k8s-rbac',
          hash: JSON.stringify(value),
          sourceMap: {locate: () => ({line: 1, column: 1})},
        },
      ]
    }),
  )

describe('k8s-rbac reach-limited comparison', () => {
  it('finds exactly what the whole-kind comparison finds, for a random edit of a random repository', () => {
    let limited = 0
    fc.assert(
      fc.property(repoArb, editArb, (repo, edit) => {
        const baseline = documents(repo)
        const target = documents(edited(repo, edit))
        const reach = reachOf(baseline, target)
        if (reach !== undefined && reach.size < Math.max(baseline.size, target.size)) limited++
        const changed = [...target.keys()]
        expect(compareRbac(baseline, target, changed)).toEqual(compareWhole(baseline, target))
      }),
      propertyRuns(16, 200),
    )
    // The property is about the limited path: it must be taken in a good share of the runs
    // (17 of the 200 of this seed; the others fall back to every file, or limit nothing).
    expect(limited).toBeGreaterThan(10)
  })
})
