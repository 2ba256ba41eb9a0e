// Differential tests of what is limited to what a change or a request reaches: on random small
// repositories of RBAC objects spread over many files and one random edit (of a role's rules, of a
// RoleBinding or ClusterRoleBinding, of a ClusterRole's labels or aggregationRule, a new binding),
// compareRbac (given only the files the changed objects reach, reach.ts) finds exactly what the
// whole-kind comparison finds, notes included, also when the reach is found on the skeletons of
// the unchanged documents (as the hook finds it, from a snapshot's layout, objects.ts
// rbacSkeleton). The same property refutes a reach blind to aggregation. Semantic blame's model of
// the objects a request's subject reaches (evaluate.ts, askedOf) answers every request as the
// model of all objects does.

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compareRbac, compareWhole} from '../../../src/adapters/k8s-rbac/compare.js'
import {askedOf} from '../../../src/adapters/k8s-rbac/evaluate.js'
import {rbacSkeleton} from '../../../src/adapters/k8s-rbac/objects.js'
import {canonicalJson} from '../../../src/kernel/hash.js'
import {
  buildModel,
  modelAllows,
  objectsOfDocuments,
  type Request,
} from '../../../src/adapters/k8s-rbac/model.js'
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

/** Rules no risky request matches: a new binding's grant of them is refined (new-subject, scope-widened). */
const plainRule: fc.Arbitrary<Json> = fc.record({
  apiGroups: fc.constantFrom([''], ['apps']),
  resources: fc.constantFrom(['pods'], ['configmaps'], ['deployments']),
  verbs: fc.constantFrom(['get'], ['get', 'list'], ['delete']),
})

/** One verb on one core resource: two roles allow a request in common exactly when they share the resource. */
const getRule: fc.Arbitrary<Json> = fc.record({
  apiGroups: fc.constant(['']),
  resources: fc.constantFrom(['pods'], ['configmaps'], ['services']),
  verbs: fc.constant(['get']),
})

const objectArb = objectsOf(rule)

/** RBAC objects of `rule`s; with `ownRules` false, an aggregating ClusterRole has none of its own (Kubernetes fills them in). */
function objectsOf(rule: fc.Arbitrary<Json>, ownRules = true): fc.Arbitrary<Json> {
  return fc.oneof(
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
        rules: aggregate && !ownRules ? [] : rules,
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
}

/** Up to 8 files of one or two objects each; an edit replaces, drops or adds one object. */
const repoArb = fc.array(fc.array(objectArb, {minLength: 1, maxLength: 2}), {minLength: 1, maxLength: 8})
const editArb = fc.record({
  file: fc.nat(),
  at: fc.nat(),
  how: fc.constantFrom('replace', 'drop', 'add', 'rules'),
  object: objectArb,
  rules: fc.array(rule, {minLength: 1, maxLength: 2}),
})

/** Up to 22 objects, each defined once, one or two to a file (an object defined twice reaches every file). */
const largerRepoArb = largerRepoOf(objectArb)

function largerRepoOf(objectArb: fc.Arbitrary<Json>, minLength = 6, maxLength = 22): fc.Arbitrary<Repo> {
  return fc
    .uniqueArray(objectArb, {
      minLength,
      maxLength,
      selector: (o) => JSON.stringify([o.kind, (o.metadata as Json).namespace, (o.metadata as Json).name]),
    })
    .chain((objects) =>
      fc.array(fc.boolean(), {minLength: objects.length, maxLength: objects.length}).map((pairs) => {
        const files: Repo = []
        for (const [i, o] of objects.entries())
          if (i > 0 && pairs[i] && files.at(-1)!.length === 1) files.at(-1)!.push(o)
          else files.push([o])
        return files
      }),
    )
}
const rulesEditArb = fc.record({
  file: fc.nat(),
  at: fc.nat(),
  how: fc.constantFrom('rules', 'rules', 'rules', 'replace', 'drop', 'add'),
  object: objectArb,
  rules: fc.array(rule, {minLength: 1, maxLength: 2}),
})

/**
 * Edits of one binding of `kind` (the `at`-th of the repository): its subjects, and half the time
 * its role (a ClusterRole, for a ClusterRoleBinding). The roles it names, and those of other
 * subjects' bindings, live in files left unchanged.
 */
const bindingEditOf = (kind: 'RoleBinding' | 'ClusterRoleBinding'): fc.Arbitrary<Edit> =>
  fc.record({
    file: fc.nat(),
    at: fc.nat(),
    how: fc.constant(kind),
    object: objectArb,
    rules: fc.constant<Json[]>([]),
    subjects: fc.uniqueArray(fc.constantFrom(...SUBJECTS), {minLength: 1, maxLength: 2}),
    ref: fc.option(
      fc.constantFrom(...REFS.filter((r) => kind === 'RoleBinding' || r.kind === 'ClusterRole')),
      {
        nil: undefined,
      },
    ),
  })

/**
 * Edits of one ClusterRole (the `at`-th of the repository): its rules, its labels (what selects
 * it) or its aggregationRule (what it selects). Roles aggregating it, their bindings and the roles
 * it selects live in files left unchanged.
 */
const clusterRoleEditArb: fc.Arbitrary<Edit> = fc.record({
  file: fc.nat(),
  at: fc.nat(),
  how: fc.constantFrom('ClusterRole/rules', 'ClusterRole/labels', 'ClusterRole/aggregationRule'),
  object: objectArb,
  rules: fc.array(rule, {maxLength: 2}),
  labels: fc.constantFrom(...LABELS),
  aggregate: fc.option(fc.constantFrom({agg: 'x'}, {agg: 'y'}, {[`${RBAC}/aggregate-to-view`]: 'true'}), {
    nil: undefined,
  }),
})

/**
 * Repositories in which bob has an access only through aggregation: an aggregating ClusterRole
 * `agg` (no rules of its own) that selects `child` (get on one resource), bound to bob by a
 * RoleBinding or a ClusterRoleBinding, each in its own file, beside a few random objects.
 */
const aggregatedRepoArb: fc.Arbitrary<Repo> = fc
  .tuple(
    fc.constantFrom('RoleBinding/prod', 'RoleBinding/dev', 'ClusterRoleBinding/'),
    fc.constantFrom('pods', 'configmaps'),
    largerRepoOf(objectsOf(getRule, false), 3, 10),
  )
  .map(([where, resource, files]) => {
    const [kind, namespace] = where.split('/')
    return [
      [
        {
          apiVersion: V1,
          kind: 'ClusterRole',
          metadata: {name: 'agg'},
          aggregationRule: {clusterRoleSelectors: [{matchLabels: {agg: 'x'}}]},
          rules: [],
        },
      ],
      [
        {
          apiVersion: V1,
          kind,
          metadata: namespace ? {name: 'by-agg', namespace} : {name: 'by-agg'},
          subjects: [SUBJECTS[1]],
          roleRef: {apiGroup: RBAC, kind: 'ClusterRole', name: 'agg'},
        },
      ],
      [
        {
          apiVersion: V1,
          kind: 'ClusterRole',
          metadata: {name: 'child', labels: {agg: 'x'}},
          rules: [{apiGroups: [''], resources: [resource], verbs: ['get']}],
        },
      ],
      ...files,
    ]
  })

/**
 * A new binding of `kind` for a subject no other binding names, to a random role: whether its
 * access is new for every subject (new-grant) or only for it (new-subject) is asked of every
 * binding in scope of its requests (compare.ts, refine).
 */
const newBindingOf = (kind: 'RoleBinding' | 'ClusterRoleBinding'): fc.Arbitrary<Edit> =>
  fc.record({
    file: fc.nat(),
    at: fc.nat(),
    how: fc.constant('add'),
    rules: fc.constant<Json[]>([]),
    object: fc
      .record({
        namespace: fc.constantFrom('prod', 'dev'),
        ref: fc.constantFrom(...REFS.filter((r) => kind === 'RoleBinding' || r.kind === 'ClusterRole')),
      })
      .map(({namespace, ref}) => ({
        apiVersion: V1,
        kind,
        metadata: kind === 'RoleBinding' ? {name: 'b-new', namespace} : {name: 'b-new'},
        subjects: [{kind: 'User', apiGroup: RBAC, name: 'newcomer'}],
        roleRef: {apiGroup: RBAC, ...ref},
      })),
  })

/**
 * Repositories in which a new ClusterRoleBinding's plain grant is told apart only by RoleBindings
 * of subjects unrelated to its own: `c1` (get on one resource, any name) is bound to alice anew;
 * alice already holds get on that resource, for one name only, through a RoleBinding in one
 * namespace (so the new grant's search splits on that namespace, and alice had the access
 * nowhere, for no name: not scope-widened); bob and carol hold random access through
 * RoleBindings and ClusterRoleBindings in random namespaces, each object in its own file. Whether
 * another subject had the access in that namespace (new-subject, not new-grant) is asked of their
 * RoleBindings there: those the reach finds through the namespaces its requests name.
 */
const crbNamespaceRepoArb: fc.Arbitrary<Repo> = fc
  .tuple(
    fc.constantFrom('pods', 'configmaps'),
    fc.constantFrom('prod', 'dev'),
    fc.array(
      fc.record({
        subject: fc.constantFrom(SUBJECTS[1]!, {kind: 'User', apiGroup: RBAC, name: 'carol'}),
        namespace: fc.constantFrom('prod', 'dev'),
        cluster: fc.constantFrom(false, false, true),
        rule: fc.record({
          apiGroups: fc.constant(['']),
          resources: fc.constantFrom(['pods'], ['configmaps']),
          verbs: fc.constantFrom(['get'], ['list'], ['get', 'list']),
        }),
      }),
      {minLength: 1, maxLength: 5},
    ),
  )
  .map(([resource, namespace, others]) => [
    [
      {
        apiVersion: V1,
        kind: 'ClusterRole',
        metadata: {name: 'c1'},
        rules: [{apiGroups: [''], resources: [resource], verbs: ['get']}],
      },
    ],
    [
      {
        apiVersion: V1,
        kind: 'Role',
        metadata: {name: 'one-name', namespace},
        rules: [{apiGroups: [''], resources: [resource], resourceNames: ['x'], verbs: ['get']}],
      },
    ],
    [
      {
        apiVersion: V1,
        kind: 'RoleBinding',
        metadata: {name: 'alice-one-name', namespace},
        subjects: [SUBJECTS[0]],
        roleRef: {apiGroup: RBAC, kind: 'Role', name: 'one-name'},
      },
    ],
    ...others.flatMap(({subject, namespace, cluster, rule}, i): Json[][] => {
      const role = cluster ? 'ClusterRole' : 'Role'
      const metadata = cluster ? {name: `other-${i}`} : {name: `other-${i}`, namespace}
      return [
        [{apiVersion: V1, kind: role, metadata, rules: [rule]}],
        [
          {
            apiVersion: V1,
            kind: cluster ? 'ClusterRoleBinding' : 'RoleBinding',
            metadata,
            subjects: [subject],
            roleRef: {apiGroup: RBAC, kind: role, name: `other-${i}`},
          },
        ],
      ]
    }),
  ])

/** The new ClusterRoleBinding of crbNamespaceRepoArb: c1 bound to alice, in the file of c1. */
const newAliceBinding: fc.Arbitrary<Edit> = fc.constant({
  file: 0,
  at: 0,
  how: 'add',
  rules: [],
  object: {
    apiVersion: V1,
    kind: 'ClusterRoleBinding',
    metadata: {name: 'b-new'},
    subjects: [SUBJECTS[0]],
    roleRef: {apiGroup: RBAC, kind: 'ClusterRole', name: 'c1'},
  },
})

type Repo = Json[][]
type Edit = {
  file: number
  at: number
  how: string
  object: Json
  rules: Json[]
  subjects?: Json[]
  ref?: Json | undefined
  labels?: Json
  aggregate?: Json | undefined
}
function edited(repo: Repo, edit: Edit): Repo {
  const copy = repo.map((file) => [...file])
  const [kind, part] = edit.how.split('/')
  if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding' || kind === 'ClusterRole') {
    const objects = copy.flatMap((file) => file.flatMap((o, i) => (o.kind === kind ? [{file, i}] : [])))
    const chosen = objects[edit.at % Math.max(objects.length, 1)]
    if (chosen === undefined) return copy
    const o = {...chosen.file[chosen.i]!}
    if (kind !== 'ClusterRole') {
      o.subjects = edit.subjects
      if (edit.ref) o.roleRef = {apiGroup: RBAC, ...edit.ref}
    } else if (part === 'rules') o.rules = edit.rules
    else if (part === 'labels') o.metadata = {...(o.metadata as Json), labels: edit.labels}
    else if (edit.aggregate) o.aggregationRule = {clusterRoleSelectors: [{matchLabels: edit.aggregate}]}
    else delete o.aggregationRule
    chosen.file[chosen.i] = o
    return copy
  }
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

  it('reaches as much from the skeletons of the unchanged documents, and the comparison of what it reaches finds the same', () => {
    // Larger repositories, and mostly edits of a role's rules: the reach then leaves files out.
    expect(skeletalRuns(largerRepoArb, rulesEditArb, 18)).toBeGreaterThan(10)
  })

  it("limits a RoleBinding's edit to its namespace's bindings, every ClusterRoleBinding and the subjects it names, and finds the same", () => {
    expect(
      skeletalRuns(largerRepoOf(objectsOf(plainRule)), bindingEditOf('RoleBinding'), 19),
    ).toBeGreaterThan(10)
  })

  it("limits a ClusterRoleBinding's edit to the bindings in scope of its requests and the subjects it names, and finds the same", () => {
    expect(
      skeletalRuns(largerRepoOf(objectsOf(plainRule)), bindingEditOf('ClusterRoleBinding'), 20),
    ).toBeGreaterThan(10)
  })

  it('limits the edit of an aggregated or aggregating ClusterRole to the bindings of the roles aggregating it, and finds the same', () => {
    expect(skeletalRuns(largerRepoArb, clusterRoleEditArb, 21)).toBeGreaterThan(10)
  })

  it("counts, of the bindings in scope of a new binding's requests, those whose role shares a resource only through aggregation", () => {
    expect(skeletalRuns(aggregatedRepoArb, newBindingOf('RoleBinding'), 22)).toBeGreaterThan(10)
    expect(skeletalRuns(aggregatedRepoArb, newBindingOf('ClusterRoleBinding'), 23)).toBeGreaterThan(10)
  })

  it('limits a new ClusterRoleBinding to the RoleBindings of the namespaces its requests name, and finds the same', () => {
    expect(skeletalRuns(crbNamespaceRepoArb, newAliceBinding, 24)).toBeGreaterThan(10)
  })

  it("is refuted for a reach without the namespaces a ClusterRoleBinding's requests name", () => {
    // Unsound by hand: a changed ClusterRoleBinding reaching no RoleBinding in the namespaces of
    // the RoleBindings to subjects overlapping its own (reach.ts, `namespaces`). In
    // crbNamespaceRepoArb those are the files of bob's and carol's RoleBindings (no role changes,
    // and neither subject overlaps alice's), which the reach then leaves out.
    const withoutNamespaces: Reach = (baseline, target) => {
      const reach = reachOf(baseline, target)
      const unrelated = (key: string) =>
        [baseline.get(key)?.value].flat().every((o) => {
          const {kind, subjects} = (o ?? {}) as {kind?: string; subjects?: Json[]}
          return kind === 'RoleBinding' && subjects!.every((s) => s.name !== 'alice')
        })
      return reach && new Set([...reach].filter((key) => !unrelated(key)))
    }
    expect(refutes(crbNamespaceRepoArb, newAliceBinding, withoutNamespaces, 24)).toBe(true)
  })

  it('is refuted for a reach blind to aggregation: by binding edits and by ClusterRole edits', () => {
    // Unsound by hand: the reach computed as if no ClusterRole had an aggregationRule, so that
    // neither a binding's aggregated resources nor the roles aggregating a changed one count.
    const blind: Reach = (baseline, target) =>
      reachOf(withoutAggregation(baseline), withoutAggregation(target))
    expect(refutes(aggregatedRepoArb, newBindingOf('RoleBinding'), blind, 22)).toBe(true)
    expect(refutes(aggregatedRepoArb, newBindingOf('ClusterRoleBinding'), blind, 23)).toBe(true)
    expect(refutes(largerRepoArb, clusterRoleEditArb, blind, 21)).toBe(true)
  })
})

type Reach = (baseline: Map<string, Document>, target: Map<string, Document>) => Set<string> | undefined

/** The documents with every aggregationRule taken out of their objects. */
function withoutAggregation(documents: Map<string, Document>): Map<string, Document> {
  const strip = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(strip)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'aggregationRule'))
        : value
  return new Map([...documents].map(([key, d]) => [key, {...d, value: strip(d.value)}]))
}

/**
 * Random edits of larger repositories, the reach found on skeletons as the hook finds it: the
 * comparison of what it reaches finds what the whole-kind comparison finds. Returns the number of
 * runs in which the reach left a file out.
 */
function skeletalRuns(repoArb: fc.Arbitrary<Repo>, editArb: fc.Arbitrary<Edit>, seed: number): number {
  const counts = {limited: 0}
  fc.assert(reachProperty(repoArb, editArb, reachOf, counts), propertyRuns(seed, 200))
  return counts.limited
}

/** Whether the property finds a random edit for which `reach` (unsound) changes what is found. */
function refutes(repoArb: fc.Arbitrary<Repo>, editArb: fc.Arbitrary<Edit>, reach: Reach, seed: number) {
  const result = fc.check(reachProperty(repoArb, editArb, reach, {limited: 0}), {
    ...propertyRuns(seed, 200),
    endOnFailure: true,
  })
  // A counterexample, not an error of the test's own making.
  return result.failed && (result.errorInstance as Error).name === 'AssertionError'
}

/**
 * A random edit of a random repository, `reach` found on the skeletons of the unchanged documents
 * as the hook finds it: the same as on the documents, and comparing the files it reaches finds
 * what comparing every file finds. `counts.limited` counts the runs in which it left a file out.
 */
function reachProperty(
  repoArb: fc.Arbitrary<Repo>,
  editArb: fc.Arbitrary<Edit>,
  reachOf: Reach,
  counts: {limited: number},
) {
  return fc.property(repoArb, editArb, (repo, edit) => {
    const baseline = documents(repo)
    const target = documents(edited(repo, edit))
    const same = (key: string) =>
      baseline.has(key) &&
      target.has(key) &&
      canonicalJson(baseline.get(key)!.value) === canonicalJson(target.get(key)!.value)
    // As the hook has them: each unchanged document's skeleton, read back from the layout's JSON.
    const skeletons = new Map(
      [...baseline].map(([key, d]) => [key, JSON.parse(JSON.stringify(rbacSkeleton(d.value))) as unknown]),
    )
    const skeletal = (docs: Map<string, Document>) =>
      new Map([...docs].map(([key, d]) => [key, same(key) ? {...d, value: skeletons.get(key)} : d]))
    const reach = reachOf(skeletal(baseline), skeletal(target))
    expect(reach).toEqual(reachOf(baseline, target))
    const given = (docs: Map<string, Document>) =>
      reach === undefined ? docs : new Map([...docs].filter(([key]) => reach.has(key)))
    if (reach !== undefined && reach.size < Math.max(baseline.size, target.size)) counts.limited++
    expect(compareWhole(given(baseline), given(target))).toEqual(compareWhole(baseline, target))
  })
}

const requestArb: fc.Arbitrary<Request> = fc.oneof(
  fc.record(
    {
      subject: fc.constantFrom(
        'User:alice',
        'User:bob',
        'Group:devs',
        'Group:system:authenticated',
        'Group:system:serviceaccounts',
        'Group:system:serviceaccounts:prod',
        'ServiceAccount:prod:ci',
        'ServiceAccount:dev:app',
        'ServiceAccount:prod:other',
        'User:system:anonymous',
      ),
      namespace: fc.constantFrom('prod', 'dev', undefined),
      apiGroup: fc.constantFrom('', 'apps', 'example.com'),
      resource: fc.constantFrom('pods', 'secrets', 'deployments'),
      subresource: fc.constantFrom('exec', undefined),
      verb: fc.constantFrom('get', 'list', 'delete', 'create', 'escalate'),
    },
    {requiredKeys: ['subject', 'apiGroup', 'resource', 'verb']},
  ),
  fc.record({
    subject: fc.constantFrom('User:alice', 'Group:devs', 'ServiceAccount:prod:ci'),
    nonResourceURL: fc.constantFrom('/healthz', '/metrics'),
    verb: fc.constantFrom('get', 'post'),
  }),
)

describe('k8s-rbac semantic blame on the objects a request reaches', () => {
  it('answers every request as the model of all objects does, in every variant', () => {
    let narrowed = 0
    fc.assert(
      fc.property(
        repoArb,
        fc.array(requestArb, {minLength: 1, maxLength: 6}),
        fc.nat(),
        (repo, asked, pick) => {
          const all = objectsOfDocuments([...documents(repo)].map(([path, d]) => [path, d.value]))
          // No variant, or the file deployed when objects are defined in several (buildModel).
          for (const variant of [undefined, `rbac/file-${pick % repo.length}.yaml`])
            for (const request of asked) {
              const objects = askedOf(all, request.subject!)
              if (objects.length < all.length) narrowed++
              expect(
                modelAllows(buildModel(objects, variant), request),
                JSON.stringify({request, variant}),
              ).toBe(modelAllows(buildModel(all, variant), request))
            }
        },
      ),
      propertyRuns(17, 300),
    )
    expect(narrowed).toBeGreaterThan(300)
  })
})
