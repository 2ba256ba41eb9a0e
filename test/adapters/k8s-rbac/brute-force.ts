// An independent, deliberately simple evaluator of Kubernetes RBAC on one concrete request,
// written from the RBAC authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go, RuleAllows and the
// helpers in staging/src/k8s.io/component-helpers/auth/rbac/validation) and the ClusterRole
// aggregation controller. It shares no code with the engine (no globs, domains or formulas):
// the fixture and property tests compare the two.
//
// Conventions shared with acldrift's witnesses (they are part of the report contract):
// - a subject is `User:name`, `Group:name` or `ServiceAccount:namespace:name`;
// - a request without `namespace` is cluster-wide; a request with `nonResourceURL` is a
//   non-resource request (its other resource fields are ignored);
// - a Role or RoleBinding whose file names no namespace is in `(namespace not set)`.

import {BUILTIN_CLUSTER_ROLES, builtInObject} from '../../../src/adapters/k8s-rbac/builtin-roles.js'
import type {Document, Finding} from '../../../src/kernel/types.js'
import type {CaseSides, Oracle} from '../oracle.js'

export const UNSET_NAMESPACE = '(namespace not set)'

export interface Request {
  subject: string
  verb: string
  nonResourceURL?: string
  apiGroup?: string
  resource?: string
  subresource?: string
  resourceName?: string
  namespace?: string
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [])

export interface Parsed {
  kind: string
  name: string
  namespace: string | undefined
  raw: Obj
  /** `Kind/namespace/name` (namespaced kinds) or `Kind/name` */
  id: string
  file: string
  /** JSON pointer of the object in its file's value */
  pointer: string
}

const KINDS = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']

/** The RBAC objects of some files (documents, multi-document arrays, Lists, typed lists). */
export function objectsOfFiles(files: Array<[path: string, value: unknown]>): Parsed[] {
  const out: Parsed[] = []
  const add = (file: string, pointer: string, raw: Obj, kind: string) => {
    const meta = isObj(raw.metadata) ? raw.metadata : {}
    const namespaced = kind === 'Role' || kind === 'RoleBinding'
    const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : UNSET_NAMESPACE
    const name = String(meta.name)
    const namespace = namespaced ? ns : undefined
    const id = namespaced ? `${kind}/${ns}/${name}` : `${kind}/${name}`
    out.push({kind, name, namespace, raw, id, file, pointer})
  }
  const visit = (file: string, doc: unknown, pointer: string, top: boolean) => {
    if (Array.isArray(doc)) {
      if (top) doc.forEach((d, i) => visit(file, d, `${pointer}/${i}`, false))
      return
    }
    if (!isObj(doc)) return
    const apiVersion = doc.apiVersion
    const rbac = apiVersion === undefined || String(apiVersion).startsWith('rbac.authorization.k8s.io/')
    if (KINDS.includes(String(doc.kind)) && rbac) return add(file, pointer, doc, String(doc.kind))
    if (doc.kind === 'List')
      return list(doc.items).forEach((d, i) => visit(file, d, `${pointer}/items/${i}`, false))
    const typed = String(doc.kind).replace(/List$/, '')
    if (String(doc.kind).endsWith('List') && KINDS.includes(typed) && rbac)
      (doc.items as unknown[]).forEach(
        (item, i) => isObj(item) && add(file, `${pointer}/items/${i}`, item, typed),
      )
  }
  for (const [file, value] of files) visit(file, value, '', true)
  const defined = new Set(out.map((o) => o.id))
  for (const role of BUILTIN_CLUSTER_ROLES)
    if (!defined.has(`ClusterRole/${role.name}`)) add('(built-in)', '', builtInObject(role), 'ClusterRole')
  return out
}

interface RuleJson {
  apiGroups?: string[]
  resources?: string[]
  resourceNames?: string[]
  nonResourceURLs?: string[]
  verbs?: string[]
}

const rulesOf = (o: Parsed): RuleJson[] => (Array.isArray(o.raw.rules) ? (o.raw.rules as RuleJson[]) : [])

const labelsOf = (o: Parsed): Record<string, string> => {
  const meta = isObj(o.raw.metadata) ? o.raw.metadata : {}
  return (isObj(meta.labels) ? meta.labels : {}) as Record<string, string>
}

interface Selector {
  matchLabels?: Record<string, string>
  matchExpressions?: Array<{key: string; operator: string; values?: string[]}>
}

function selects(selector: Selector, labels: Record<string, string>): boolean {
  const ok = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => k in labels && labels[k] === v)
  return (
    ok &&
    (selector.matchExpressions ?? []).every((e) => {
      const value = labels[e.key]
      switch (e.operator) {
        case 'In':
          return e.key in labels && (e.values ?? []).includes(value!)
        case 'NotIn':
          return !(e.key in labels) || !(e.values ?? []).includes(value!)
        case 'Exists':
          return e.key in labels
        default:
          return !(e.key in labels)
      }
    })
  )
}

/**
 * The rules a role reference resolves to, or undefined when the role is not defined (by a file,
 * or built in). Aggregation: the rules of every ClusterRole (but the aggregate)
 * whose labels a selector matches, recursively; the aggregate's own rules are kept.
 */
const resolved = new WeakMap<Parsed[], Map<string, {rules: RuleJson[] | undefined; visited: Set<Parsed>}>>()

/** resolveOnce, remembered per object list (the lists are never changed once built). */
function resolve(
  objects: Parsed[],
  kind: string,
  name: string,
  namespace: string | undefined,
  visited?: Set<Parsed>,
): RuleJson[] | undefined {
  let cache = resolved.get(objects)
  if (cache === undefined) resolved.set(objects, (cache = new Map()))
  const key = `${kind}/${namespace}/${name}`
  let entry = cache.get(key)
  if (entry === undefined) {
    const seen = new Set<Parsed>()
    entry = {rules: resolveOnce(objects, kind, name, namespace, seen), visited: seen}
    cache.set(key, entry)
  }
  for (const role of entry.visited) visited?.add(role)
  return entry.rules
}

function resolveOnce(
  objects: Parsed[],
  kind: string,
  name: string,
  namespace: string | undefined,
  visited: Set<Parsed>,
): RuleJson[] | undefined {
  const roles = objects.filter(
    (o) => o.kind === kind && o.name === name && (kind === 'ClusterRole' || o.namespace === namespace),
  )
  if (roles.length === 0) return undefined
  const rules: RuleJson[] = []
  const collect = (role: Parsed) => {
    if (visited.has(role)) return
    visited.add(role)
    rules.push(...rulesOf(role))
    const aggregation = role.raw.aggregationRule
    if (role.kind !== 'ClusterRole' || !isObj(aggregation)) return
    const selectors = (aggregation.clusterRoleSelectors ?? []) as Selector[]
    for (const other of objects) {
      if (other.kind !== 'ClusterRole' || other.name === role.name) continue
      if (selectors.some((s) => selects(s, labelsOf(other)))) collect(other)
    }
  }
  roles.forEach(collect)
  return rules
}

/**
 * Who a request's subject is, as the authenticators make it (the user name, or none for an
 * unnamed member of a group, and every group): an anonymous caller is system:anonymous in
 * system:unauthenticated; anyone else is in system:authenticated; a service account ns/n is the
 * user system:serviceaccount:ns:n in system:serviceaccounts and system:serviceaccounts:ns.
 */
const identities = new Map<string, {user: string | undefined; groups: Set<string>}>()
export function identity(subject: string): {user: string | undefined; groups: Set<string>} {
  let who = identities.get(subject)
  if (who === undefined) identities.set(subject, (who = identityOf(subject)))
  return who
}

function identityOf(subject: string): {user: string | undefined; groups: Set<string>} {
  const [kind, ...rest] = subject.split(':')
  const name = rest.join(':')
  if (subject === 'User:system:anonymous' || subject === 'Group:system:unauthenticated')
    return {user: 'system:anonymous', groups: new Set(['system:unauthenticated'])}
  if (kind === 'ServiceAccount') {
    const [ns, sa] = rest
    return {
      user: `system:serviceaccount:${ns}:${sa}`,
      groups: new Set(['system:authenticated', 'system:serviceaccounts', `system:serviceaccounts:${ns}`]),
    }
  }
  if (kind === 'User') return {user: name, groups: new Set(['system:authenticated'])}
  const groups = new Set([name, 'system:authenticated'])
  if (name.startsWith('system:serviceaccounts:')) groups.add('system:serviceaccounts')
  return {user: undefined, groups}
}

/** Whether one subject entry of a binding applies to the request's subject (the authorizer's appliesTo). */
export function entryApplies(entry: Obj, binding: Parsed, subject: string): boolean {
  const who = identity(subject)
  const name = String(entry.name)
  if (entry.kind === 'ServiceAccount') {
    const ns =
      typeof entry.namespace === 'string' && entry.namespace !== '' ? entry.namespace : binding.namespace
    return who.user === `system:serviceaccount:${ns}:${name}`
  }
  if (entry.kind === 'User') return who.user === name
  return who.groups.has(name)
}

/** Whether one of the binding's subjects applies to the request's subject. */
function bindsSubject(binding: Parsed, subject: string): boolean {
  const subjects = Array.isArray(binding.raw.subjects) ? (binding.raw.subjects as Obj[]) : []
  return subjects.some((s) => entryApplies(s, binding, subject))
}

// RuleAllows and its helpers, as in Kubernetes.
const verbMatches = (r: RuleJson, verb: string) => list(r.verbs).some((v) => v === '*' || v === verb)
const groupMatches = (r: RuleJson, group: string) => list(r.apiGroups).some((g) => g === '*' || g === group)
function resourceMatches(r: RuleJson, resource: string, subresource: string | undefined): boolean {
  const combined = subresource === undefined ? resource : `${resource}/${subresource}`
  return list(r.resources).some((rr) => {
    if (rr === '*' || rr === combined) return true
    if (subresource === undefined) return false
    return rr.length === subresource.length + 2 && rr.startsWith('*/') && rr.endsWith(subresource)
  })
}
const nameMatches = (r: RuleJson, name: string | undefined) =>
  list(r.resourceNames).length === 0 || list(r.resourceNames).some((n) => n === name)
function urlMatches(r: RuleJson, url: string): boolean {
  return list(r.nonResourceURLs).some((spec) => {
    if (spec === '*' || spec === url) return true
    return spec.endsWith('*') && url.startsWith(spec.replace(/\*+$/, ''))
  })
}

export function ruleAllows(r: RuleJson, q: Request): boolean {
  if (q.nonResourceURL !== undefined) return verbMatches(r, q.verb) && urlMatches(r, q.nonResourceURL)
  return (
    verbMatches(r, q.verb) &&
    groupMatches(r, q.apiGroup ?? '') &&
    resourceMatches(r, q.resource ?? '', q.subresource) &&
    nameMatches(r, q.resourceName)
  )
}

/**
 * Whether the objects allow the request. `unknown`: the roles that are not defined and are taken
 * to allow this request (`Kind/name` or `Role/namespace/name`); the others allow nothing.
 */
export function allows(objects: Parsed[], q: Request, unknown: Set<string> = new Set()): boolean {
  for (const {binding, rules, unknownRole} of bindingsOf(objects)) {
    // RoleBindings apply to requests in their namespace only; non-resource requests have none.
    if (
      binding.kind === 'RoleBinding' &&
      (q.nonResourceURL !== undefined || q.namespace !== binding.namespace)
    )
      continue
    if (!bindsSubject(binding, q.subject)) continue
    if (rules === undefined) {
      if (unknown.has(unknownRole)) return true
      continue
    }
    if (rules.some((r) => ruleAllows(r, q))) return true
  }
  return false
}

const bindingCache = new WeakMap<
  Parsed[],
  Array<{binding: Parsed; rules: RuleJson[] | undefined; unknownRole: string}>
>()

/** The bindings with the rules their role reference resolves to (undefined: the role is not defined). */
function bindingsOf(objects: Parsed[]) {
  let out = bindingCache.get(objects)
  if (out === undefined) {
    out = objects
      .filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
      .map((binding) => {
        const ref = binding.raw.roleRef as Obj
        const rules = resolve(objects, String(ref.kind), String(ref.name), binding.namespace)
        return {binding, rules, unknownRole: unknownId(binding)}
      })
    bindingCache.set(objects, out)
  }
  return out
}

/**
 * The objects that take part in allowing the request: each binding that allows it, and the roles
 * its role reference resolves to (aggregated ones included).
 */
export function involvedIn(objects: Parsed[], q: Request): Set<string> {
  const ids = new Set<string>()
  for (const binding of objects) {
    if (binding.kind !== 'RoleBinding' && binding.kind !== 'ClusterRoleBinding') continue
    if (
      binding.kind === 'RoleBinding' &&
      (q.nonResourceURL !== undefined || q.namespace !== binding.namespace)
    )
      continue
    if (!bindsSubject(binding, q.subject)) continue
    const ref = binding.raw.roleRef as Obj
    const visited = new Set<Parsed>()
    const rules = resolve(objects, String(ref.kind), String(ref.name), binding.namespace, visited)
    if (rules !== undefined && !rules.some((r) => ruleAllows(r, q))) continue
    ids.add(binding.id)
    for (const role of visited) ids.add(role.id)
  }
  return ids
}

export function unknownId(binding: Parsed): string {
  const ref = binding.raw.roleRef as Obj
  return ref.kind === 'Role'
    ? `Role/${binding.namespace}/${String(ref.name)}`
    : `ClusterRole/${String(ref.name)}`
}

/** The roles that bindings refer to and nobody defines (the unknowns of a comparison). */
export function unknownRoles(...sides: Parsed[][]): string[] {
  const ids = new Set<string>()
  for (const objects of sides) {
    for (const b of objects) {
      if (b.kind !== 'RoleBinding' && b.kind !== 'ClusterRoleBinding') continue
      const ref = b.raw.roleRef as Obj
      if (resolve(objects, String(ref.kind), String(ref.name), b.namespace) === undefined)
        ids.add(unknownId(b))
    }
  }
  return [...ids].sort()
}

/** Every subset of the unknown roles: what each may allow of one request. */
export function* assignments(unknown: string[]): Generator<Set<string>> {
  for (let mask = 0; mask < 1 << unknown.length; mask++)
    yield new Set(unknown.filter((_, i) => mask & (1 << i)))
}

/**
 * `definite`: the more side allows the request and the less side does not, whatever the unknown
 * roles allow; `possible`: for some of what they may allow; `none`: never.
 */
const unknownCache = new WeakMap<Parsed[], WeakMap<Parsed[], string[]>>()

export function differs(more: Parsed[], less: Parsed[], q: Request): 'definite' | 'possible' | 'none' {
  let byLess = unknownCache.get(more)
  if (byLess === undefined) unknownCache.set(more, (byLess = new WeakMap()))
  let unknown = byLess.get(less)
  if (unknown === undefined) byLess.set(less, (unknown = unknownRoles(more, less)))
  // allows() grows with the set of unknown roles taken as allowing: two quick answers first.
  if (!allows(more, q, new Set(unknown)) || allows(less, q)) return 'none'
  let count = 0
  let total = 0
  for (const a of assignments(unknown)) {
    total++
    if (allows(more, q, a) && !allows(less, q, a)) count++
  }
  return count === 0 ? 'none' : count === total ? 'definite' : 'possible'
}

/** A witness as a request. */
export function requestOf(witness: Record<string, unknown>): Request {
  const q: Request = {subject: String(witness.subject), verb: String(witness.verb)}
  for (const key of [
    'nonResourceURL',
    'apiGroup',
    'resource',
    'subresource',
    'resourceName',
    'namespace',
  ] as const) {
    if (typeof witness[key] === 'string') q[key] = witness[key]
  }
  return q
}

/**
 * The objects a cluster gets when `variant` is the file applied, of objects defined in several
 * files: an object that file defines is only as it defines it; any other keeps every definition.
 */
export function variantObjects(objects: Parsed[], variant: string): Parsed[] {
  const defined = new Set(objects.filter((o) => o.file === variant).map((o) => o.id))
  return objects.filter((o) => !defined.has(o.id) || o.file === variant)
}

/** The objects of one side of a case (in the variant a witness names), read once (differs caches per list). */
const sideObjects = new WeakMap<Map<string, Document>, Map<string, Parsed[]>>()
function objectsOfSide(side: Map<string, Document>, variant: unknown): Parsed[] {
  let byVariant = sideObjects.get(side)
  if (byVariant === undefined) sideObjects.set(side, (byVariant = new Map()))
  const key = typeof variant === 'string' ? variant : ''
  let objects = byVariant.get(key)
  if (objects === undefined) {
    const all = objectsOfFiles([...side].map(([path, d]) => [path, d.value]))
    byVariant.set(key, (objects = key === '' ? all : variantObjects(all, key)))
  }
  return objects
}

function verdict(f: Finding, sides: CaseSides) {
  const [more, less] =
    f.change === 'narrowing' ? [sides.baseline, sides.target] : [sides.target, sides.baseline]
  const variant = f.witness!.variant
  return differs(objectsOfSide(more, variant), objectsOfSide(less, variant), requestOf(f.witness!))
}

/**
 * Fixture cases: folders of manifests per side (`baseline/`, `target/`), or one file per side
 * read as `rbac.<ext>`. Bindings name roles of other files: a side is judged whole.
 */
export const oracle: Oracle = {
  fixtureFile: (ext) => `rbac.${ext}`,
  confirms: (f, sides) => verdict(f, sides) === 'definite',
  possible: (f, sides) => verdict(f, sides) !== 'none',
}
