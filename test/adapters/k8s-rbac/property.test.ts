// Property tests: the k8s-rbac comparison against the brute-force evaluator over a small finite
// universe of requests (subjects × verbs × groups × resources/subresources × names × namespaces,
// and non-resource URLs), in worlds whose bindings may name the built-in aggregated roles (view,
// edit, admin) and whose ClusterRoles may carry the labels that feed them. "Sound before precise": a request the target allows and the baseline
// does not must never go unreported, and every witness must be a real difference.

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {sameAccess} from '../../../src/adapters/adapter.js'
import {k8sRbac} from '../../../src/adapters/k8s-rbac/index.js'
import {compareRbac} from '../../../src/adapters/k8s-rbac/compare.js'
import {witnessBeyond} from '../../../src/adapters/k8s-rbac/covers.js'
import {allowsWitness} from '../../../src/adapters/k8s-rbac/evaluate.js'
import type {Document, Finding} from '../../../src/kernel/types.js'
import {
  allows,
  assignments,
  differs,
  entryApplies,
  involvedIn,
  objectsOfFiles,
  type Parsed,
  type Request,
  requestOf,
  unknownRoles,
  variantObjects,
} from './brute-force.js'
import {propertyRuns} from '../property-runs.js'
import {expectNewId} from '../widened-ids.js'

const RBAC = 'rbac.authorization.k8s.io'
const V1 = `${RBAC}/v1`

// --- the universe ------------------------------------------------------------------------

const SUBJECTS = [
  'User:alice',
  'User:bob',
  'User:system:anonymous',
  'Group:devs',
  'Group:system:authenticated',
  'Group:system:serviceaccounts:prod',
  'ServiceAccount:prod:ci',
  'ServiceAccount:dev:ci',
]
const NAMESPACES = [undefined, 'prod', 'dev']
const VERBS = ['get', 'create', 'delete', 'escalate', 'update']
const GROUPS = ['', 'apps', RBAC]
const RESOURCES: Array<[string, string | undefined]> = [
  ['pods', undefined],
  ['pods', 'exec'],
  ['pods', 'log'],
  ['secrets', undefined],
  ['deployments', undefined],
  ['deployments', 'scale'],
  ['roles', undefined],
]
const NAMES = [undefined, 'a', 'b']
const URLS = ['/healthz', '/healthz/ready', '/metrics', '/api', '/api/v1']
const URL_VERBS = ['get', 'post']

const UNIVERSE: Request[] = (() => {
  const out: Request[] = []
  for (const subject of SUBJECTS) {
    for (const verb of VERBS)
      for (const apiGroup of GROUPS)
        for (const [resource, subresource] of RESOURCES)
          for (const resourceName of NAMES)
            for (const namespace of NAMESPACES)
              out.push(clean({subject, verb, apiGroup, resource, subresource, resourceName, namespace}))
    for (const verb of URL_VERBS) for (const nonResourceURL of URLS) out.push({subject, verb, nonResourceURL})
  }
  return out
})()

function clean(q: Request): Request {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as unknown as Request
}

// --- worlds of RBAC objects ------------------------------------------------------------------

type Json = Record<string, unknown>
const sub = <T>(values: T[], max = 2) =>
  fc.uniqueArray(fc.constantFrom(...values), {minLength: 1, maxLength: max})

const resourceRule: fc.Arbitrary<Json> = fc
  .record({
    apiGroups: sub(['', 'apps', RBAC, '*']),
    resources: sub(
      [
        'pods',
        'pods/exec',
        'pods/log',
        'secrets',
        'deployments',
        'deployments/scale',
        '*/scale',
        '*',
        'roles',
      ],
      3,
    ),
    verbs: sub(['get', 'list', 'create', 'delete', 'escalate', '*'], 3),
    resourceNames: fc.option(sub(['a', 'b']), {freq: 3, nil: undefined}),
  })
  .map((r) => clean(r as unknown as Request) as unknown as Json)
const urlRule: fc.Arbitrary<Json> = fc.record({
  nonResourceURLs: sub(['/healthz', '/healthz/*', '/metrics', '/api*', '*']),
  verbs: sub(['get', 'post', '*']),
})
const clusterRule = fc.oneof({weight: 4, arbitrary: resourceRule}, {weight: 1, arbitrary: urlRule})

const SELECTORS: Json[][] = [
  [{matchLabels: {agg: 'x'}}],
  [{matchExpressions: [{key: 'agg', operator: 'In', values: ['x', 'y']}]}],
  [{matchExpressions: [{key: 'tier', operator: 'Exists'}]}],
  [{matchLabels: {agg: 'y'}}, {matchLabels: {tier: 't'}}],
  [{matchExpressions: [{key: 'agg', operator: 'NotIn', values: ['x']}]}],
]
const LABELS: Json[] = [
  {},
  {agg: 'x'},
  {agg: 'y'},
  {agg: 'x', tier: 't'},
  // What feeds the built-in aggregated roles (admin ⊇ edit ⊇ view, builtin-roles.ts).
  {'rbac.authorization.k8s.io/aggregate-to-view': 'true'},
  {'rbac.authorization.k8s.io/aggregate-to-edit': 'true', agg: 'x'},
]

interface ClusterRoleSpec {
  labels: Json
  selectors: Json[] | undefined
  rules: Json[]
}
const clusterRoleArb: fc.Arbitrary<ClusterRoleSpec | null> = fc.option(
  fc.record({
    labels: fc.constantFrom(...LABELS),
    selectors: fc.option(fc.constantFrom(...SELECTORS), {freq: 3, nil: undefined}),
    rules: fc.array(clusterRule, {maxLength: 2}),
  }),
  {freq: 5, nil: null},
)
const roleArb = fc.option(fc.array(resourceRule, {minLength: 1, maxLength: 2}), {freq: 4, nil: null})

const SUBJECT_JSON: Json[] = [
  {kind: 'User', apiGroup: RBAC, name: 'alice'},
  {kind: 'Group', apiGroup: RBAC, name: 'devs'},
  {kind: 'Group', apiGroup: RBAC, name: 'system:authenticated'},
  {kind: 'ServiceAccount', name: 'ci'},
  {kind: 'ServiceAccount', name: 'ci', namespace: 'dev'},
  {kind: 'User', apiGroup: RBAC, name: 'system:serviceaccount:prod:ci'},
  // Groups the authenticators imply: their members are the users and service accounts above.
  {kind: 'Group', apiGroup: RBAC, name: 'system:serviceaccounts:prod'},
  {kind: 'Group', apiGroup: RBAC, name: 'system:serviceaccounts'},
  {kind: 'Group', apiGroup: RBAC, name: 'system:unauthenticated'},
  {kind: 'User', apiGroup: RBAC, name: 'system:anonymous'},
]
const REFS: Json[] = [
  {kind: 'ClusterRole', name: 'c1'},
  {kind: 'ClusterRole', name: 'c2'},
  {kind: 'ClusterRole', name: 'c3'},
  {kind: 'ClusterRole', name: 'cluster-admin'},
  {kind: 'ClusterRole', name: 'view'},
  {kind: 'ClusterRole', name: 'edit'},
  {kind: 'ClusterRole', name: 'admin'},
  {kind: 'ClusterRole', name: 'missing'},
  {kind: 'Role', name: 'r1'},
]

interface BindingSpec {
  cluster: boolean
  namespace: string
  ref: Json
  subjects: Json[]
}
const bindingArb: fc.Arbitrary<BindingSpec | null> = fc.option(
  fc.record({
    cluster: fc.boolean(),
    namespace: fc.constantFrom('prod', 'dev'),
    ref: fc.constantFrom(...REFS),
    subjects: fc.uniqueArray(fc.constantFrom(...SUBJECT_JSON), {minLength: 1, maxLength: 3}),
  }),
  {freq: 3, nil: null},
)

interface World {
  c1: ClusterRoleSpec | null
  c2: ClusterRoleSpec | null
  c3: ClusterRoleSpec | null
  rProd: Json[] | null
  rDev: Json[] | null
  b1: BindingSpec | null
  b2: BindingSpec | null
  b3: BindingSpec | null
}
const SLOTS = ['c1', 'c2', 'c3', 'rProd', 'rDev', 'b1', 'b2', 'b3'] as const
const worldArb: fc.Arbitrary<World> = fc.record({
  c1: clusterRoleArb,
  c2: clusterRoleArb,
  c3: clusterRoleArb,
  rProd: roleArb,
  rDev: roleArb,
  b1: bindingArb,
  b2: bindingArb,
  b3: bindingArb,
})

/** The objects of a world, as a cluster would accept them. */
function objectsOfWorld(w: World): Json[] {
  const out: Json[] = []
  for (const name of ['c1', 'c2', 'c3'] as const) {
    const spec = w[name]
    if (!spec) continue
    const role: Json = {
      apiVersion: V1,
      kind: 'ClusterRole',
      metadata: {name, labels: spec.labels},
      rules: spec.rules,
    }
    if (spec.selectors) role.aggregationRule = {clusterRoleSelectors: spec.selectors}
    out.push(role)
  }
  for (const [slot, namespace] of [
    ['rProd', 'prod'],
    ['rDev', 'dev'],
  ] as const) {
    const rules = w[slot]
    if (rules) out.push({apiVersion: V1, kind: 'Role', metadata: {name: 'r1', namespace}, rules})
  }
  for (const slot of ['b1', 'b2', 'b3'] as const) {
    const b = w[slot]
    if (!b) continue
    // A ClusterRoleBinding names a ClusterRole, and its ServiceAccounts name their namespace.
    const ref = b.cluster && b.ref.kind === 'Role' ? REFS[0]! : b.ref
    const subjects = b.subjects.map((s) =>
      b.cluster && s.kind === 'ServiceAccount' && s.namespace === undefined ? {...s, namespace: 'prod'} : s,
    )
    const metadata = b.cluster ? {name: slot} : {name: slot, namespace: b.namespace}
    out.push({
      apiVersion: V1,
      kind: b.cluster ? 'ClusterRoleBinding' : 'RoleBinding',
      metadata,
      subjects,
      roleRef: {apiGroup: RBAC, ...ref},
    })
  }
  return out
}

/** How objects are laid out in files: which file, and whether a file is a List or a YAML stream. */
interface Layout {
  files: number[]
  forms: Array<'stream' | 'list' | 'single'>
}
const layoutArb: fc.Arbitrary<Layout> = fc.record({
  files: fc.array(fc.nat({max: 2}), {minLength: 12, maxLength: 12}),
  forms: fc.array(fc.constantFrom<'stream' | 'list' | 'single'>('stream', 'list', 'single'), {
    minLength: 3,
    maxLength: 3,
  }),
})

function filesOf(objects: Json[], layout: Layout): Array<[string, unknown]> {
  const groups = new Map<number, Json[]>()
  objects.forEach((o, i) =>
    groups.set(layout.files[i % 12]!, [...(groups.get(layout.files[i % 12]!) ?? []), o]),
  )
  return [...groups].map(([n, docs]) => {
    const form = layout.forms[n]!
    const value =
      form === 'list'
        ? {apiVersion: 'v1', kind: 'List', items: docs}
        : form === 'single' && docs.length === 1
          ? docs[0]
          : docs.length === 1
            ? [docs[0], null]
            : docs
    return [`rbac-${n}.yaml`, value]
  })
}

const documents = (files: Array<[string, unknown]>): Map<string, Document> =>
  new Map(
    files.map(([path, value]) => [
      path,
      {
        path,
        value,
        kind: 'k8s-rbac',
        hash: JSON.stringify(value),
        sourceMap: {locate: () => ({line: 1, column: 1})},
      },
    ]),
  )

interface Scenario {
  baseline: Array<[string, unknown]>
  target: Array<[string, unknown]>
}

const scenario = (b: Json[], bl: Layout, t: Json[], tl: Layout): Scenario => ({
  baseline: filesOf(b, bl),
  target: filesOf(t, tl),
})

/** A target that differs from the baseline in a few slots (the realistic case of a change under review). */
const editedArb: fc.Arbitrary<Scenario> = fc
  .record({
    base: worldArb,
    other: worldArb,
    keep: fc.array(fc.boolean(), {minLength: 8, maxLength: 8}),
    layouts: fc.tuple(layoutArb, layoutArb),
  })
  .map(({base, other, keep, layouts}) => {
    const target = {...base} as Record<string, unknown>
    SLOTS.forEach((slot, i) => {
      if (!keep[i] && i % 2 === (keep[(i + 1) % 8] ? 0 : 1)) target[slot] = other[slot]
    })
    return scenario(objectsOfWorld(base), layouts[0], objectsOfWorld(target as unknown as World), layouts[1])
  })
const pairArb: fc.Arbitrary<Scenario> = fc
  .tuple(worldArb, worldArb, layoutArb, layoutArb)
  .map(([b, t, bl, tl]) => scenario(objectsOfWorld(b), bl, objectsOfWorld(t), tl))
const scenarioArb = fc.oneof({weight: 3, arbitrary: editedArb}, {weight: 1, arbitrary: pairArb})

// --- checks -------------------------------------------------------------------------------

const show = (x: unknown) => JSON.stringify(x)

function compare(s: Scenario) {
  const before = documents(s.baseline)
  const after = documents(s.target)
  const changed = [...new Set([...before.keys(), ...after.keys()])]
  return compareRbac(before, after, changed)
}

/** The object a finding points at, on the side given (the longest pointer prefix). */
function objectAt(
  objects: Parsed[],
  file: string | undefined,
  pointer: string | null | undefined,
): string | undefined {
  if (file === undefined || pointer === null || pointer === undefined) return undefined
  const candidates = objects.filter(
    (o) =>
      o.file === file && (pointer === o.pointer || pointer.startsWith(`${o.pointer}/`) || o.pointer === ''),
  )
  return candidates.sort((a, b) => b.pointer.length - a.pointer.length)[0]?.id
}

/**
 * Every request of the universe that the target allows and the baseline does not (for some of
 * what undefined roles may allow) has a finding for its subject, pointing at an object that
 * takes part in allowing it; and the same for narrowings, the other way round.
 */
function checkSoundness(s: Scenario, findings: Finding[], variant?: string) {
  const inVariant = (objects: Parsed[]) =>
    variant === undefined ? objects : variantObjects(objects, variant)
  const before = inVariant(objectsOfFiles(s.baseline))
  const after = inVariant(objectsOfFiles(s.target))
  for (const q of UNIVERSE) {
    const widened = differs(after, before, q)
    if (widened !== 'none') {
      const involved = involvedIn(after, q)
      const ok = findings.some(
        (f) =>
          f.change !== 'narrowing' &&
          sameGrantee(after, involved, f.witness?.subject, q.subject) &&
          involved.has(objectAt(after, f.file, f.pointer) ?? ''),
      )
      // Messages are built only on failure: the scenario is large, and most requests differ.
      if (!ok)
        expect.fail(
          `missed ${widened} widening ${show(q)} (involved: ${show([...involved])})\n${show(s)}\nfindings ${show(findings.map(brief))}`,
        )
    }
    if (differs(before, after, q) === 'definite') {
      const involved = involvedIn(before, q)
      const ok = findings.some(
        (f) =>
          f.change === 'narrowing' &&
          sameGrantee(before, involved, f.witness?.subject, q.subject) &&
          involved.has(objectAt(before, f.baselineLocation?.file, f.baselineLocation?.pointer) ?? ''),
      )
      if (!ok) expect.fail(`missed narrowing ${show(q)}\n${show(s)}\nfindings ${show(findings.map(brief))}`)
    }
  }
}

/**
 * Whether a finding's witness subject stands for the request's: the same subject, or both reached
 * through one subject entry of a binding that takes part (a grant to a group is reported once,
 * shown by one member).
 */
function sameGrantee(objects: Parsed[], involved: Set<string>, shown: unknown, subject: string): boolean {
  if (shown === subject) return true
  if (typeof shown !== 'string') return false
  return objects.some(
    (o) =>
      involved.has(o.id) &&
      Array.isArray(o.raw.subjects) &&
      (o.raw.subjects as Json[]).some((e) => entryApplies(e, o, shown) && entryApplies(e, o, subject)),
  )
}

const brief = (f: Finding) => ({
  change: f.change,
  rule: f.rule,
  file: f.file,
  pointer: f.pointer,
  witness: f.witness,
})

function checkWitnesses(s: Scenario, findings: Finding[]) {
  for (const f of findings) {
    expect(f.witness, `${f.change} without a witness`).not.toBeNull()
    // A witness of a comparison per variant is a request of the cluster deployed from that file.
    const variant = f.witness!.variant
    const inVariant = (objects: Parsed[]) =>
      typeof variant === 'string' ? variantObjects(objects, variant) : objects
    const before = inVariant(objectsOfFiles(s.baseline))
    const after = inVariant(objectsOfFiles(s.target))
    const q = requestOf(f.witness!)
    const verdict = f.change === 'narrowing' ? differs(before, after, q) : differs(after, before, q)
    const want = f.change === 'possible-widening' ? ['definite', 'possible'] : ['definite']
    if (!want.includes(verdict))
      expect.fail(`${f.change} witness ${show(f.witness)} is ${verdict}\n${show(s)}`)
  }
}

// --- equivalent rewrites --------------------------------------------------------------------

interface Rewrite {
  layout: Layout
  order: number
  split: boolean
  respell: boolean
}
const rewriteArb: fc.Arbitrary<Rewrite> = fc.record({
  layout: layoutArb,
  order: fc.nat(),
  split: fc.boolean(),
  respell: fc.boolean(),
})

function rotate<T>(values: T[], by: number): T[] {
  if (values.length === 0) return values
  const k = by % values.length
  return [...values.slice(k), ...values.slice(0, k)]
}

/** The same access written differently: objects, rules, subjects and list items reordered, rules split, ServiceAccounts respelled. */
function rewrite(objects: Json[], r: Rewrite): Json[] {
  return rotate(objects, r.order).map((o) => {
    const copy = structuredClone(o)
    if (Array.isArray(copy.rules)) {
      let rules = (copy.rules as Json[]).map((rule) =>
        Object.fromEntries(
          Object.entries(rule).map(([k, v]) => [k, Array.isArray(v) ? [...v].reverse() : v]),
        ),
      )
      if (r.split)
        rules = rules.flatMap((rule) =>
          Array.isArray(rule.resources)
            ? (rule.resources as string[]).map((res) => ({...rule, resources: [res]}))
            : [rule],
        )
      copy.rules = rules.length === 0 && r.respell ? null : rotate(rules, r.order)
    }
    if (Array.isArray(copy.subjects)) {
      const namespace = (copy.metadata as Json).namespace as string | undefined
      copy.subjects = rotate(
        (copy.subjects as Json[]).map((s) => {
          if (!r.respell) return s
          if (s.kind === 'ServiceAccount')
            return {
              kind: 'User',
              apiGroup: RBAC,
              name: `system:serviceaccount:${String(s.namespace ?? namespace)}:${String(s.name)}`,
            }
          const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(String(s.name))
          if (s.kind === 'User' && sa) return {kind: 'ServiceAccount', name: sa[2], namespace: sa[1]}
          return {kind: s.kind, name: s.name}
        }),
        r.order,
      )
    }
    return copy
  })
}

// --- the properties -------------------------------------------------------------------------

// The budget keeps this file near 25 s of CPU on the 2-core CI machine (it took over 73 s with 120
// runs here and 100 for the approvals, and timed out under load). At these counts the comparison
// properties still fail on an unsound engine tried by hand: a rule's apiGroups `*` read as the
// literal group `*` (widenings missed, by the 3rd run). The approvals' edits reach covers()'s
// edges (a rule's resourceNames dropped; a list swapped for one approved entry and one new), and
// their brute force fails on the unsound covers() tried by hand: an unrestricted resourceNames
// taken as within a named one (on the 10th run), and a list taken as within another when one of
// its entries is (on the 3rd; written with `every` → `some` alone, empty lists fail, and the check
// that narrowed approvals count catches it).
// Explore further with PROPERTY_RUNS (e.g. 1500).
const RUNS = propertyRuns(7, 36)

describe('k8s-rbac comparison against brute force', () => {
  it('soundness and witness validity on edited and random pairs', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const {findings} = compare(s)
        checkWitnesses(s, findings)
        checkSoundness(s, findings)
      }),
      RUNS,
    )
  })

  it('soundness on added and deleted files', () => {
    fc.assert(
      fc.property(worldArb, layoutArb, (w, l) => {
        const files = filesOf(objectsOfWorld(w), l)
        for (const s of [
          {baseline: [], target: files},
          {baseline: files, target: []},
        ]) {
          const {findings} = compare(s)
          checkWitnesses(s, findings)
          checkSoundness(s, findings)
        }
      }),
      {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 3)},
    )
  })

  it('soundness per variant: a Role or ClusterRole also defined in another file never hides a widening', () => {
    // The roles of a second world, in a file of their own: where both worlds have c1 (or r1 in
    // prod), the object is defined twice, and each file is a variant a cluster may be deployed from.
    const rolesOf = (w: World): Json[] =>
      objectsOfWorld({...w, c2: null, c3: null, rDev: null, b1: null, b2: null, b3: null})
    const variantArb = fc
      .record({s: editedArb, copyBase: worldArb, copyTarget: worldArb, same: fc.boolean()})
      .map(({s, copyBase, copyTarget, same}) => ({
        baseline: [...s.baseline, ['variant.yaml', rolesOf(copyBase)]] as Array<[string, unknown]>,
        target: [...s.target, ['variant.yaml', rolesOf(same ? copyBase : copyTarget)]] as Array<
          [string, unknown]
        >,
      }))
    fc.assert(
      fc.property(variantArb, (s) => {
        const {findings} = compare(s)
        checkWitnesses(s, findings)
        const files = new Set(
          [objectsOfFiles(s.baseline), objectsOfFiles(s.target)].flatMap((objects) => {
            const count = new Map<string, number>()
            for (const o of objects) count.set(o.id, (count.get(o.id) ?? 0) + 1)
            return objects.filter((o) => count.get(o.id)! > 1).map((o) => o.file)
          }),
        )
        for (const variant of files) checkSoundness(s, findings, variant)
      }),
      {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 4)},
    )
  })

  it('no finding for an equivalent rewrite', () => {
    fc.assert(
      fc.property(worldArb, layoutArb, rewriteArb, (w, l, r) => {
        const objects = objectsOfWorld(w)
        const s = {baseline: filesOf(objects, l), target: filesOf(rewrite(objects, r), r.layout)}
        expect(compare(s).findings.map(brief), show(s)).toEqual([])
      }),
      RUNS,
    )
  })

  it('semantic blame asks the same question: allows() agrees with the brute force', () => {
    fc.assert(
      fc.property(worldArb, layoutArb, fc.nat(), (w, l, seed) => {
        const files = filesOf(objectsOfWorld(w), l)
        if (files.length === 0) return
        const [file, value] = files[seed % files.length]!
        const others = new Map(files.filter(([p]) => p !== file))
        const objects = objectsOfFiles(files)
        // An undefined role is taken as allowing (blame never clears a version wrongly).
        const unknown = new Set(unknownRoles(objects))
        for (let i = seed % 61; i < UNIVERSE.length; i += 61) {
          const q = UNIVERSE[i]!
          const witness = q as unknown as Record<string, unknown>
          expect(allowsWitness(value, witness, file, others), `${show(q)}\n${show(files)}`).toBe(
            allows(objects, q, unknown),
          )
        }
      }),
      {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 2)},
    )
  })
})

// --- ids ------------------------------------------------------------------------------------

/**
 * One object of a world granting more, as an agent would stretch an approved Role or Binding:
 * a rule added to a role, labels that an aggregate selects, a subject added to a binding, a
 * binding pointed at another role.
 */
interface Stretch {
  slot: number
  rule: Json
  labels: Json
  subject: Json
  ref: Json
  bindingRef: boolean
}
const stretchArb: fc.Arbitrary<Stretch> = fc.record({
  slot: fc.nat(),
  rule: resourceRule,
  labels: fc.constantFrom(...LABELS),
  subject: fc.constantFrom(...SUBJECT_JSON),
  ref: fc.constantFrom(...REFS),
  bindingRef: fc.boolean(),
})

function stretch(w: World, x: Stretch): World {
  const out = structuredClone(w)
  const slot = SLOTS[x.slot % SLOTS.length]!
  if (slot === 'c1' || slot === 'c2' || slot === 'c3') {
    const spec = out[slot]
    if (spec && x.bindingRef) spec.labels = x.labels
    else if (spec) spec.rules = [...spec.rules, x.rule]
  } else if (slot === 'rProd' || slot === 'rDev') out[slot]?.push(x.rule)
  else {
    const b = out[slot]
    if (b && x.bindingRef) b.ref = x.ref
    else if (b) b.subjects = [...new Set([...b.subjects, x.subject])]
  }
  return out
}

/** A new Role in namespace prod and a RoleBinding of it to a service account there, in one file. */
const newRoleBoundTo = (name: string, serviceAccount: string, rules: Json[]): Scenario => ({
  baseline: [],
  target: [
    [
      'rbac.yaml',
      [
        {apiVersion: V1, kind: 'Role', metadata: {name, namespace: 'prod'}, rules},
        {
          apiVersion: V1,
          kind: 'RoleBinding',
          metadata: {name, namespace: 'prod'},
          subjects: [{kind: 'ServiceAccount', name: serviceAccount, namespace: 'prod'}],
          roleRef: {apiGroup: RBAC, kind: 'Role', name},
        },
      ],
    ],
  ],
})

describe('k8s-rbac finding ids', () => {
  const worldsArb = fc.oneof(
    fc.tuple(fc.constant(null), worldArb),
    fc.tuple(worldArb, worldArb).map(([b, t]) => [b, {...b, b1: t.b1, rProd: t.rProd, c1: t.c1}] as const),
  )
  const objects = (w: World | null) => objectsOfFiles(w === null ? [] : [['rbac.yaml', objectsOfWorld(w)]])
  const scenarioOf = (b: World | null, t: World, l: Layout): Scenario => ({
    baseline: b === null ? [] : filesOf(objectsOfWorld(b), l),
    target: filesOf(objectsOfWorld(t), l),
  })

  it('an approval of a new Role that gets secret db-creds does not cover all secrets, pods/exec or impersonate', () => {
    const files = (rules: Json[]) => newRoleBoundTo('reader', 'app', rules)
    const dbCreds = {apiGroups: [''], resources: ['secrets'], resourceNames: ['db-creds'], verbs: ['get']}
    const approved = compare(files([dbCreds])).findings.map((f) => f.id)
    for (const wider of [
      {apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list']},
      {apiGroups: [''], resources: ['pods/exec'], verbs: ['create']},
      {apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate']},
    ]) {
      const ids = compare(files([dbCreds, wider])).findings.map((f) => f.id)
      expect(
        ids.filter((id) => approved.includes(id)),
        show(wider),
      ).toEqual([])
    }
  })

  it('a widened Role or Binding never keeps its id: the approvals of (baseline, target) never cover a wider target', async () => {
    await fc.assert(
      fc.asyncProperty(worldsArb, layoutArb, stretchArb, async ([b, t], l, x) => {
        const wider = stretch(t, x)
        const [before, target, after] = [objects(b), objects(t), objects(wider)]
        fc.pre(
          UNIVERSE.some(
            (q) => differs(after, target, q) === 'definite' && differs(after, before, q) === 'definite',
          ),
        )
        const context = `baseline ${show(b)}\ntarget ${show(t)}\nwider ${show(wider)}`
        await expectNewId(
          compare(scenarioOf(b, t, l)).findings,
          compare(scenarioOf(b, wider, l)).findings,
          context,
        )
      }),
      RUNS,
    )
  })
})

/** An edit that can only narrow a world: a verb, resource or rule fewer in a role, a subject fewer in a binding. */
interface Narrow {
  slot: number
  pick: number
  field: 'verbs' | 'resources' | 'rule'
}
const narrowArb: fc.Arbitrary<Narrow> = fc.record({
  slot: fc.nat(),
  pick: fc.nat(),
  field: fc.constantFrom<Narrow['field']>('verbs', 'resources', 'rule'),
})

function narrow(w: World, x: Narrow): World {
  const out = structuredClone(w)
  const slot = SLOTS[x.slot % SLOTS.length]!
  const without = <T>(values: T[]) => values.filter((_, i) => i !== x.pick % values.length)
  const narrowRules = (rules: Json[]) => {
    if (rules.length === 0) return rules
    const index = x.pick % rules.length
    if (x.field === 'rule') return rules.length > 1 ? without(rules) : rules
    const rule = {...rules[index]!}
    const values = rule[x.field] as string[] | undefined
    if (values === undefined || values.length < 2) return rules
    rule[x.field] = without(values)
    return rules.map((r, i) => (i === index ? rule : r))
  }
  if (slot === 'c1' || slot === 'c2' || slot === 'c3') {
    const spec = out[slot]
    if (spec) spec.rules = narrowRules(spec.rules)
  } else if (slot === 'rProd' || slot === 'rDev') {
    const rules = out[slot]
    if (rules) out[slot] = narrowRules(rules)
  } else {
    const b = out[slot]
    if (b && b.subjects.length > 1) b.subjects = without(b.subjects)
  }
  return out
}

/** The opposite: a verb or a resource more in one rule of ClusterRole c1. */
interface Widen {
  pick: number
  verb: string
  resource: string
  field: 'verbs' | 'resources'
}
const widenArb: fc.Arbitrary<Widen> = fc.record({
  pick: fc.nat(),
  verb: fc.constantFrom('get', 'create', 'delete', 'escalate', '*'),
  resource: fc.constantFrom('pods', 'pods/exec', 'secrets', 'deployments', '*/scale', '*'),
  field: fc.constantFrom<Widen['field']>('verbs', 'resources'),
})

function widen(w: World, x: Widen): World {
  const out = structuredClone(w)
  const rules = out.c1?.rules ?? []
  if (rules.length === 0) return out
  const rule = rules[x.pick % rules.length]!
  const values = rule[x.field] as string[] | undefined
  if (values !== undefined)
    rule[x.field] = [...new Set([...values, x.field === 'verbs' ? x.verb : x.resource])]
  return out
}

/**
 * The edits that test covers() at its edges, on a rule of ClusterRole c1: its resourceNames
 * dropped (every name then, not the approved few), or one list swapped for one of its entries and
 * an entry it did not have (a list of which only one entry is approved).
 */
interface Reshape {
  pick: number
  keep: number
  field: 'resourceNames' | 'verbs' | 'resources' | 'apiGroups'
  add: number
  unname: boolean
}
const RESHAPED: Record<Reshape['field'], string[]> = {
  resourceNames: ['a', 'b'],
  verbs: ['get', 'create', 'delete', 'escalate'],
  resources: ['pods', 'pods/exec', 'secrets', 'deployments', 'deployments/scale'],
  apiGroups: ['', 'apps', RBAC],
}
const reshapeArb: fc.Arbitrary<Reshape> = fc.record({
  pick: fc.nat(),
  keep: fc.nat(),
  field: fc.constantFrom<Reshape['field']>('resourceNames', 'verbs', 'resources', 'apiGroups'),
  add: fc.nat(),
  unname: fc.boolean(),
})

function reshape(w: World, x: Reshape): World {
  const out = structuredClone(w)
  const rules = (out.c1?.rules ?? []).filter((r) => r.resources !== undefined)
  if (rules.length === 0) return out
  const rule = rules[x.pick % rules.length]!
  if (x.unname && rule.resourceNames !== undefined) {
    delete rule.resourceNames
    return out
  }
  const values = (rule[x.field] as string[] | undefined) ?? []
  const fresh = RESHAPED[x.field].filter((v) => !values.includes(v))
  if (values.length === 0 || fresh.length === 0) return out
  rule[x.field] = [values[x.keep % values.length]!, fresh[x.add % fresh.length]!]
  return out
}

describe('k8s-rbac approvals (Adapter.covers)', () => {
  const objects = (w: World | null) => objectsOfFiles(w === null ? [] : [['rbac.yaml', objectsOfWorld(w)]])
  const widenings = (b: World | null, t: World, l: Layout) =>
    compare({
      baseline: b === null ? [] : filesOf(objectsOfWorld(b), l),
      target: filesOf(objectsOfWorld(t), l),
    }).findings.filter((f) => f.change !== 'narrowing')
  // Worlds where a binding reaches a role with rules, so that edits of the role matter.
  const boundWorldArb = fc
    .tuple(worldArb, resourceRule, fc.constantFrom(...SUBJECT_JSON))
    .map(([w, rule, subject]): World => ({
      ...w,
      c1: w.c1 !== null && w.c1.rules.length > 0 ? w.c1 : {labels: {}, selectors: undefined, rules: [rule]},
      // b1 always grants c1, whose rules the edits below change.
      b1: {...(w.b1 ?? {cluster: false, namespace: 'prod', subjects: [subject]}), ref: REFS[0]!},
    }))
  const editArb = fc.oneof(
    {weight: 2, arbitrary: narrowArb.map((x) => (w: World) => narrow(w, x))},
    {weight: 1, arbitrary: stretchArb.map((x) => (w: World) => stretch(w, x))},
    {weight: 3, arbitrary: widenArb.map((x) => (w: World) => widen(w, x))},
    {weight: 3, arbitrary: reshapeArb.map((x) => (w: World) => reshape(w, x))},
  )
  // A baseline (or none), the approved target, and that target edited.
  const approvedEditedArb = fc
    .tuple(fc.option(worldArb, {freq: 2, nil: null}), boundWorldArb, layoutArb, editArb)
    .map(([b, t, l, edit]) => ({b, t, l, edited: edit(t)}))

  it('a change whose every widening an approval of the approved target covers grants nothing that target did not (brute force)', async () => {
    let narrower = 0
    await fc.assert(
      fc.asyncProperty(approvedEditedArb, async ({b, t, l, edited}) => {
        const approved = widenings(b, t, l)
        let all = true
        for (const f of widenings(b, edited, l)) {
          let covered = false
          for (const a of approved) {
            if (a.file !== f.file || a.rule !== f.rule || a.document !== f.document) continue
            if (!(await k8sRbac.covers(a.access, f.access))) continue
            covered = true
            if (!sameAccess(a.access, f.access)) narrower++
            break
          }
          all &&= covered
        }
        if (!all) return
        const [before, target, after] = [objects(b), objects(t), objects(edited)]
        const unknown = unknownRoles(before, target, after)
        for (const q of UNIVERSE)
          for (const u of assignments(unknown))
            if (allows(after, q, u) && !allows(before, q, u))
              expect(
                allows(target, q, u),
                `approved ${show(t)}\nedited ${show(edited)}\ngrants ${show(q)}`,
              ).toBe(true)
      }),
      propertyRuns(13, 30),
    )
    // Not vacuous: narrowed Roles and Bindings are covered by the approval of the wider ones.
    expect(narrower).toBeGreaterThan(0)
  })

  // A finding no approval covers shows a request no approval grants (covers.ts witnessBeyond).
  it('witnessBeyond: any witness it gives the target allows, and neither the baseline nor the approved target does (brute force)', async () => {
    let given = 0
    let movedOffApproved = 0
    await fc.assert(
      fc.asyncProperty(approvedEditedArb, async ({b, t, l, edited}) => {
        const files = (w: World | null) => (w === null ? [] : filesOf(objectsOfWorld(w), l))
        const approved = widenings(b, t, l)
        const sides = {baseline: documents(files(b)), target: documents(files(edited))}
        const [before, target, after] = [objects(b), objects(t), objects(edited)]
        // Undefined roles taken as allowing everything: the witness must lie outside even then.
        const unknownTarget = new Set(unknownRoles(target))
        for (const f of widenings(b, edited, l)) {
          // Approvals of every file, as the gate gives them (approvalsReachAcrossFiles).
          const witness = await witnessBeyond(
            f,
            approved.map((a) => a.access),
            sides,
          )
          if (witness === undefined) continue
          given++
          const q = requestOf(witness)
          const context = `approved ${show(t)}\nedited ${show(edited)}\nbaseline ${show(b)}\nwitness ${show(q)}`
          expect(differs(after, before, q), context).toBe('definite')
          expect(allows(target, q, unknownTarget), context).toBe(false)
          if (allows(target, requestOf(f.witness!), unknownTarget)) movedOffApproved++
        }
      }),
      propertyRuns(13, 30),
    )
    // Not vacuous: witnesses were given, some of them instead of an approved request.
    expect(given).toBeGreaterThan(5)
    expect(movedOffApproved).toBeGreaterThan(0)
  })

  it('witnessBeyond: get secrets approved on a rule, services added to it besides: the witness is services', async () => {
    const role = (resources: string[]) =>
      newRoleBoundTo('app', 'app', [{apiGroups: [''], resources, verbs: ['get']}])
    const base = role(['configmaps'])
    const approvedState = role(['configmaps', 'secrets'])
    const target = role(['configmaps', 'secrets', 'services'])
    // Both the Role and its binding already exist: only the rule grows.
    const scenarioFrom = (t: Scenario): Scenario => ({baseline: base.target, target: t.target})
    const [approved] = compare(scenarioFrom(approvedState)).findings
    const [finding, ...others] = compare(scenarioFrom(target)).findings
    expect(others).toEqual([])
    // The comparison's own choice is the approved, graver request.
    expect(finding!.witness).toMatchObject({verb: 'get', resource: 'secrets'})
    const sides = {baseline: documents(base.target), target: documents(target.target)}
    expect(await witnessBeyond(finding!, [approved!.access], sides)).toMatchObject({
      subject: 'ServiceAccount:prod:app',
      verb: 'get',
      resource: 'services',
      namespace: 'prod',
    })
    // Nothing beyond the approved rule: none is given.
    const [same] = compare(scenarioFrom(approvedState)).findings
    const approvedSides = {baseline: sides.baseline, target: documents(approvedState.target)}
    expect(await witnessBeyond(same!, [approved!.access], approvedSides)).toBeUndefined()
  })

  it('an approved Role and Binding: a verb or a resource fewer is covered, one more is not', async () => {
    const files = (rules: Json[]) => newRoleBoundTo('deployer', 'ci', rules)
    const rule = (verbs: string[], resources: string[]) => ({apiGroups: ['apps'], resources, verbs})
    const approved = compare(files([rule(['get', 'update'], ['deployments', 'deployments/scale'])])).findings
    const coveredBy = async (rules: Json[]) => {
      const found = compare(files(rules)).findings.filter((f) => f.change !== 'narrowing')
      expect(found.length).toBeGreaterThan(0)
      const each = await Promise.all(
        found.map(async (f) => {
          for (const a of approved)
            if (a.rule === f.rule && (await k8sRbac.covers(a.access, f.access))) return true
          return false
        }),
      )
      return each.every(Boolean)
    }
    expect(await coveredBy([rule(['get'], ['deployments', 'deployments/scale'])])).toBe(true)
    expect(await coveredBy([rule(['get', 'update'], ['deployments'])])).toBe(true)
    expect(await coveredBy([rule(['get', 'update', 'delete'], ['deployments', 'deployments/scale'])])).toBe(
      false,
    )
    expect(await coveredBy([rule(['get', 'update'], ['deployments', 'deployments/scale', 'secrets'])])).toBe(
      false,
    )
  })
})
