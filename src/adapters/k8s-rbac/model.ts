// The access model of a set of RBAC objects. Every (binding, subject) pair refers to the entries of
// a role (one per rule and resource: a rule's resources are alternatives, the engine's predicates
// are per dimension); a pair and an entry make a grant, one rule of the comparison engine over the
// request dimensions
//
//   subject · nonResourceURL · namespace · apiGroup · resource · subresource · verb · resourceName
//
// which follow the Kubernetes RBAC authorizer (plugin/pkg/auth/authorizer/rbac):
// - a RoleBinding grants only in its namespace (also when it refers to a ClusterRole); a
//   ClusterRoleBinding grants in every namespace and cluster-wide (requests without a namespace);
// - non-resource URLs are only granted through ClusterRoleBindings (their requests have no namespace);
// - `*` alone in verbs, apiGroups or resources matches everything; `*/sub` matches that
//   subresource of every resource; `pods` does not match `pods/exec`; resourceNames restrict to
//   requests that name an object; a nonResourceURL ending in `*` is a prefix;
// - a ClusterRole's aggregationRule pulls in the rules of every ClusterRole (but itself) whose
//   labels its selectors match, transitively (the controller copies aggregated rules into the
//   aggregate, which another aggregate then copies in turn). The aggregate's own `rules` are kept
//   too: the controller would overwrite them, and keeping them never hides a widening.
// The ClusterRoles the API server creates (builtin-roles.ts: cluster-admin, admin, edit, view, the
// system:aggregate-to-* roles they aggregate, …) exist whether or not a file defines them: a
// repository's own definition replaces one, else the built-in one is read, and labelled
// ClusterRoles of the repository are aggregated into admin, edit and view as the cluster does.
// A binding to any other role the repository does not define grants an unknown set: one opaque
// unknown per role, which the engine turns into possible-widenings.
// Entries are compiled once per role and grants only when a comparison needs them: bindings to
// large aggregated roles (admin, edit, view) would otherwise multiply into many thousands of rules.

import {type AnyLeaf, type GlobLeaf, leafHolds, type OpaqueLeaf, PRESENT} from '../../engine/domains.js'
import {and, evaluate, type Formula, leaf, not, or} from '../../engine/formula.js'
import {type Glob, literalGlob} from '../../engine/glob.js'
import type {Rule} from '../../engine/search.js'
import {BUILTIN_CLUSTER_ROLES, builtInObject} from './builtin-roles.js'
import {objectId, type RbacObject, rbacObjects, type RuleJson, toObject} from './objects.js'

export const DIMENSIONS = [
  'subject',
  'nonResourceURL',
  'namespace',
  'apiGroup',
  'resource',
  'subresource',
  'verb',
  'resourceName',
] as const
export type DimensionName = (typeof DIMENSIONS)[number]

/** The built-in ClusterRoles as objects of no file (made once: they never change). */
let builtIns: RbacObject[] | undefined
export function builtInObjects(): RbacObject[] {
  builtIns ??= BUILTIN_CLUSTER_ROLES.map((role) => ({
    ...toObject('', '', builtInObject(role), 'ClusterRole'),
    builtIn: true as const,
  }))
  return builtIns
}

/** A rule of a role, and how it reaches the role a binding names. */
export interface SourcedRule {
  /** the role whose `rules` hold it (a built-in one is `builtIn`) */
  owner: RbacObject
  index: number
  raw: RuleJson
  /** the aggregation chain from the bound role to the owner (both included; one element when direct) */
  path: RbacObject[]
}

type Entry = {type: 'resource'; resource: string} | {type: 'nonResource'} | {type: 'unknown'; role: string}

/** What one rule entry grants, whoever it is bound to: compiled once per rule and entry. */
interface CompiledEntry {
  /** predicates on the request, beyond subject and namespace */
  predicates: Array<[DimensionName, Formula<AnyLeaf>]>
  /** the exact values a dimension is limited to, where the entry names them (no wildcard) */
  literals: Partial<Record<'verb' | 'apiGroup' | 'resource', Set<string>>>
  /** canonical meaning: equal keys grant the same */
  key: string
  /** reaches non-resource URLs only, which a RoleBinding cannot grant */
  nonResource: boolean
}

/** One entry of a role's effective rules. */
interface RoleEntry {
  rule: SourcedRule
  entry: Entry
  compiled: CompiledEntry
}

/** One subject of one binding, and what its role grants. */
export interface Pair {
  binding: RbacObject
  subjectIndex: number
  /** `User:alice`, `Group:devs`, `ServiceAccount:ns:name` */
  subject: string
  /** the binding's namespace; undefined for a ClusterRoleBinding (every namespace and cluster-wide) */
  namespace: string | undefined
  roleRef: {kind: string; name: string}
  roleId: string
  /** undefined when the role is not defined: the pair then grants an unknown set */
  entries: RoleEntry[] | undefined
  /** grants made so far, by entry index (-1: the unknown role) */
  grants: Map<number, Grant>
}

export interface Grant {
  /** unique within its model (the engine's memo keys use it) */
  index: number
  pair: Pair
  binding: RbacObject
  subjectIndex: number
  subject: string
  namespace: string | undefined
  roleRef: {kind: string; name: string}
  /** undefined when the bound role is not defined (entry type `unknown`) */
  rule: SourcedRule | undefined
  entry: Entry
  /** canonical meaning, subject and namespace included: equal keys grant the same access */
  key: string
  engine: Rule
  literals: CompiledEntry['literals']
}

export interface Model {
  objects: RbacObject[]
  byId: Map<string, RbacObject[]>
  pairs: Pair[]
  bySubject: Map<string, Pair[]>
  /** opaque dimension name → description, for roles that are not defined */
  opaque: Map<string, string>
  /** every leaf of the grants made so far, by key (to test whether a value lies in a cell) */
  leaves: Map<string, AnyLeaf>
  /** grants made so far (for unique indices) */
  grantCount: number
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [])

export function labelsOf(o: RbacObject): Record<string, string> {
  const metadata = isObject(o.raw.metadata) ? o.raw.metadata : {}
  return (isObject(metadata.labels) ? metadata.labels : {}) as Record<string, string>
}

interface Selector {
  matchLabels?: Record<string, string> | null
  matchExpressions?: Array<{key: string; operator: string; values?: string[] | null}> | null
}

export function selectorsOf(o: RbacObject): Selector[] | undefined {
  if (o.kind !== 'ClusterRole' || !isObject(o.raw.aggregationRule)) return undefined
  const selectors = o.raw.aggregationRule.clusterRoleSelectors
  return Array.isArray(selectors) ? (selectors.filter(isObject) as Selector[]) : []
}

/** Label selector semantics (metav1.LabelSelectorAsSelector): an empty selector matches everything. */
function selectorMatches(selector: Selector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key)
    const values = e.values ?? []
    const ok =
      e.operator === 'In'
        ? has && values.includes(labels[e.key]!)
        : e.operator === 'NotIn'
          ? !has || !values.includes(labels[e.key]!)
          : e.operator === 'Exists'
            ? has
            : !has
    if (!ok) return false
  }
  return true
}

export const aggregates = (parent: RbacObject, child: RbacObject): boolean =>
  child.kind === 'ClusterRole' &&
  child.name !== parent.name &&
  (selectorsOf(parent) ?? []).some((s) => selectorMatches(s, labelsOf(child)))

/** The subject as one string; a User named `system:serviceaccount:ns:name` is that ServiceAccount. */
function subjectName(subject: Record<string, unknown>, bindingNamespace: string | undefined): string {
  const name = String(subject.name)
  if (subject.kind === 'ServiceAccount') {
    const ns =
      typeof subject.namespace === 'string' && subject.namespace !== '' ? subject.namespace : bindingNamespace
    return `ServiceAccount:${ns}:${name}`
  }
  if (subject.kind === 'User') {
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name)
    return sa ? `ServiceAccount:${sa[1]}:${sa[2]}` : `User:${name}`
  }
  return `Group:${name}`
}

export function subjectsOf(binding: RbacObject): string[] {
  const subjects = Array.isArray(binding.raw.subjects) ? binding.raw.subjects : []
  return subjects.map((s) => (isObject(s) ? subjectName(s, binding.namespace) : ''))
}

export function roleRefOf(binding: RbacObject): {kind: string; name: string} {
  const ref = (isObject(binding.raw.roleRef) ? binding.raw.roleRef : {}) as Record<string, unknown>
  return {kind: String(ref.kind), name: String(ref.name)}
}

/** The identity of the role a binding refers to. */
export function roleIdOf(binding: RbacObject): string {
  const ref = roleRefOf(binding)
  return ref.kind === 'Role'
    ? objectId('Role', ref.name, binding.namespace)
    : objectId('ClusterRole', ref.name, undefined)
}

function rulesOf(role: RbacObject): RuleJson[] {
  return Array.isArray(role.raw.rules) ? (role.raw.rules.filter(isObject) as RuleJson[]) : []
}

// --- leaves ---------------------------------------------------------------------------

const literalLeaves = new Map<string, GlobLeaf>()

function literalLeaf(text: string): GlobLeaf {
  let l = literalLeaves.get(text)
  if (l === undefined) {
    const glob = literalGlob(text)
    l = {key: `glob:${glob.key}`, type: 'glob', glob}
    // Leaves are immutable: one per text is enough (bounded, so that a long run cannot grow it without end).
    if (literalLeaves.size > 100_000) literalLeaves.clear()
    literalLeaves.set(text, l)
  }
  return l
}

/** The one string a glob matches when it has no wildcard, else undefined. */
export function literalOf(glob: Glob): string | undefined {
  let text = ''
  for (const t of glob.tokens) {
    if (t.t !== 'lit') return undefined
    text += t.c
  }
  return text
}

/** The prefix of a glob of names that start with it and go on (namePrefixLeaf), else undefined. */
export function namePrefixOf(glob: Glob): string | undefined {
  const n = glob.tokens.length
  if (n < 2 || glob.tokens[n - 2]!.t !== 'one' || glob.tokens[n - 1]!.t !== 'star') return undefined
  let text = ''
  for (const t of glob.tokens.slice(0, n - 2)) {
    if (t.t !== 'lit') return undefined
    text += t.c
  }
  return text
}

export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

/** A nonResourceURL ending in `*`: every URL starting with the text before the trailing stars. */
function prefixLeaf(prefix: string): GlobLeaf {
  const literal = literalGlob(prefix)
  const glob: Glob = {
    key: `${literal.key}*`,
    tokens: [...literal.tokens, {t: 'star', noColon: false}],
    samples: [prefix, `${prefix.endsWith('/') ? prefix : `${prefix}/`}example`],
  }
  return {key: `glob:${glob.key}`, type: 'glob', glob}
}

function urlFormula(url: string): Formula<AnyLeaf> {
  if (url === '*') return leaf(PRESENT)
  if (url.endsWith('*')) return leaf(prefixLeaf(url.replace(/\*+$/, '')))
  return leaf(literalLeaf(url))
}

const anyLiteral = (values: string[]): Formula<AnyLeaf> => or(...values.map((v) => leaf(literalLeaf(v))))

const opaqueName = (roleId: string) => `opaque:${roleId}`

// --- implied memberships -----------------------------------------------------------------
//
// A request's subject is who makes it: `User:name`, `ServiceAccount:namespace:name`, or
// `Group:name`, a member of that group whose own name is not known. Kubernetes' authenticators
// add groups of their own (https://kubernetes.io/docs/reference/access-authn-authz/authentication/,
// "Anonymous requests" and "Service account tokens"): every authenticated identity is in
// system:authenticated; a service account ns/name is the user system:serviceaccount:ns:name, in
// system:serviceaccounts and system:serviceaccounts:ns; an anonymous request is the user
// system:anonymous in the group system:unauthenticated (and in no other). Members of any other
// group stay opaque: `Group:devs` is some member of devs, which no grant to a named user reaches.

const AUTHENTICATED = 'Group:system:authenticated'
const SERVICE_ACCOUNTS = 'Group:system:serviceaccounts'
/** The two names of the anonymous caller: the user and its one group. */
const ANONYMOUS = ['User:system:anonymous', 'Group:system:unauthenticated']

/**
 * The binding subjects whose grants reach every request of `subject` (itself included): for a
 * request's subject, every binding subject that applies to it. The sets of requests subjects
 * name are nested or disjoint, so two subjects overlap exactly when one covers the other.
 */
export function coveringSubjects(subject: string): string[] {
  if (ANONYMOUS.includes(subject)) return ANONYMOUS
  if (subject === AUTHENTICATED) return [subject]
  if (subject === SERVICE_ACCOUNTS) return [subject, AUTHENTICATED]
  if (subject.startsWith(`${SERVICE_ACCOUNTS}:`)) return [subject, SERVICE_ACCOUNTS, AUTHENTICATED]
  const sa = /^ServiceAccount:([^:]+):[^:]+$/.exec(subject)
  if (sa) return [subject, `${SERVICE_ACCOUNTS}:${sa[1]}`, SERVICE_ACCOUNTS, AUTHENTICATED]
  return [subject, AUTHENTICATED]
}

/** Whether the requests of `a` and of `b` overlap (one covers the other). */
export const subjectsOverlap = (a: string, b: string) =>
  coveringSubjects(a).includes(b) || coveringSubjects(b).includes(a)

/** The request subjects a binding subject grants to, as a formula over the subject dimension. */
function subjectFormula(subject: string): Formula<AnyLeaf> {
  const named = (prefix: string, sample: string) => leaf(namePrefixLeaf(prefix, sample))
  if (ANONYMOUS.includes(subject)) return anyLiteral(ANONYMOUS)
  if (subject === AUTHENTICATED)
    return and(
      or(
        named('User:', 'User:someone-else'),
        named('ServiceAccount:', 'ServiceAccount:default:default'),
        named('Group:', 'Group:some-group'),
      ),
      not(anyLiteral(ANONYMOUS)),
    )
  if (subject === SERVICE_ACCOUNTS)
    return or(
      named('ServiceAccount:', 'ServiceAccount:default:default'),
      named(`${SERVICE_ACCOUNTS}:`, `${SERVICE_ACCOUNTS}:default`),
      leaf(literalLeaf(subject)),
    )
  if (subject.startsWith(`${SERVICE_ACCOUNTS}:`)) {
    const namespace = subject.slice(SERVICE_ACCOUNTS.length + 1)
    return or(
      named(`ServiceAccount:${namespace}:`, `ServiceAccount:${namespace}:default`),
      leaf(literalLeaf(subject)),
    )
  }
  return leaf(literalLeaf(subject))
}

/** Subjects whose name starts with `prefix` and goes on (a name is never empty). */
function namePrefixLeaf(prefix: string, sample: string): GlobLeaf {
  const literal = literalGlob(prefix)
  const glob: Glob = {
    key: `${literal.key}?*`,
    tokens: [...literal.tokens, {t: 'one', noColon: false}, {t: 'star', noColon: false}],
    samples: [sample],
  }
  return {key: `glob:${glob.key}`, type: 'glob', glob}
}

/** The pairs of a model whose subject applies to a request's subject. */
export function pairsFor(model: Model, subject: string): Pair[] {
  return coveringSubjects(subject).flatMap((s) => model.bySubject.get(s) ?? [])
}

// --- the model ------------------------------------------------------------------------

/** The RBAC objects of a kind's documents (path → parsed value), in path order. */
export function objectsOfDocuments(documents: Iterable<[string, unknown]>): RbacObject[] {
  const objects: RbacObject[] = []
  for (const [file, value] of [...documents].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    objects.push(...rbacObjects(value, file))
  return objects
}

/** Objects defined in more than one place: id → the files that define it. */
export function definedSeveralTimes(objects: readonly RbacObject[]): Map<string, string[]> {
  const byId = new Map<string, RbacObject[]>()
  for (const o of objects) pushTo(byId, o.id, o)
  return new Map(
    [...byId].filter(([, defined]) => defined.length > 1).map(([id, d]) => [id, d.map((o) => o.file)]),
  )
}

/**
 * Builds the model of a kind's objects (objectsOfDocuments). An object defined in several files
 * (alternative install variants: install.yaml and namespace-install.yaml of one project) exists
 * once in a cluster, as the one file applied defines it: with `variant`, the file deployed, an
 * object that file defines is read as it defines it and its other definitions are dropped; an
 * object it does not define keeps all its definitions, combined (each of them is read as itself
 * in its own file's variant).
 */
export function buildModel(all: readonly RbacObject[], variant?: string): Model {
  const inVariant = new Set(
    variant === undefined ? [] : all.filter((o) => o.file === variant).map((o) => o.id),
  )
  const objects = all.filter((o) => !inVariant.has(o.id) || o.file === variant)
  const byId = new Map<string, RbacObject[]>()
  for (const o of objects) pushTo(byId, o.id, o)
  const model: Model = {
    objects,
    byId,
    pairs: [],
    bySubject: new Map(),
    opaque: new Map(),
    leaves: new Map(),
    grantCount: 0,
  }
  for (const role of builtInObjects()) {
    if (byId.has(role.id)) continue
    objects.push(role)
    byId.set(role.id, [role])
  }

  const clusterRoles = objects.filter((o) => o.kind === 'ClusterRole')
  const effective = new Map<string, RoleEntry[] | undefined>()
  const entriesFor = (roleId: string): RoleEntry[] | undefined => {
    if (effective.has(roleId)) return effective.get(roleId)
    const roles = byId.get(roleId)
    if (!roles) {
      effective.set(roleId, undefined)
      return undefined
    }
    const rules: SourcedRule[] = []
    // Breadth first from the bound role through aggregation edges: the first path found is kept.
    const seen = new Set<RbacObject>(roles)
    const queue: RbacObject[][] = roles.map((r) => [r])
    for (let head = 0; head < queue.length; head++) {
      const path = queue[head]!
      const role = path.at(-1)!
      rulesOf(role).forEach((raw, index) => rules.push({owner: role, index, raw, path}))
      if (selectorsOf(role) === undefined) continue
      for (const child of clusterRoles) {
        if (seen.has(child) || !aggregates(role, child)) continue
        seen.add(child)
        queue.push([...path, child])
      }
    }
    const entries: RoleEntry[] = []
    for (const rule of rules) {
      const add = (entry: Entry & {type: 'resource' | 'nonResource'}) =>
        entries.push({rule, entry, compiled: compileEntry(rule.raw, entry)})
      if (strings(rule.raw.nonResourceURLs).length > 0) add({type: 'nonResource'})
      else for (const resource of strings(rule.raw.resources)) add({type: 'resource', resource})
    }
    effective.set(roleId, entries)
    return entries
  }

  for (const binding of objects) {
    if (binding.kind !== 'RoleBinding' && binding.kind !== 'ClusterRoleBinding') continue
    const roleRef = roleRefOf(binding)
    // A ClusterRoleBinding can only refer to a ClusterRole (the schema says so too).
    const roleId = roleIdOf(binding)
    const entries = entriesFor(roleId)
    if (entries === undefined) {
      const [kind, ...rest] = roleId.split('/')
      model.opaque.set(
        opaqueName(roleId),
        `what ${kind} ${rest.join('/')} grants (it is not defined in the repository)`,
      )
    }
    const namespace = binding.kind === 'RoleBinding' ? binding.namespace : undefined
    subjectsOf(binding).forEach((subject, subjectIndex) => {
      const pair: Pair = {
        binding,
        subjectIndex,
        subject,
        namespace,
        roleRef,
        roleId,
        entries,
        grants: new Map(),
      }
      model.pairs.push(pair)
      pushTo(model.bySubject, subject, pair)
    })
  }
  return model
}

function sortedSet(values: string[]): string[] {
  return [...new Set(values)].sort()
}

/** `*` alone stands for the whole list. */
const canonical = (values: string[]) => (values.includes('*') ? ['*'] : sortedSet(values))

const entryCache = new WeakMap<RuleJson, Map<string, CompiledEntry>>()

function compileEntry(raw: RuleJson, entry: Entry & {type: 'resource' | 'nonResource'}): CompiledEntry {
  let byEntry = entryCache.get(raw)
  if (byEntry === undefined) entryCache.set(raw, (byEntry = new Map()))
  const cacheKey = entry.type === 'resource' ? `r:${entry.resource}` : 'n'
  const cached = byEntry.get(cacheKey)
  if (cached) return cached
  const predicates: CompiledEntry['predicates'] = []
  const literals: CompiledEntry['literals'] = {}
  const verbs = canonical(strings(raw.verbs))
  if (!verbs.includes('*')) {
    predicates.push(['verb', anyLiteral(verbs)])
    literals.verb = new Set(verbs)
  }
  let meaning: unknown[]
  if (entry.type === 'nonResource') {
    const urls = canonical(strings(raw.nonResourceURLs))
    predicates.push(['nonResourceURL', or(...urls.map(urlFormula))])
    meaning = ['urls', urls, verbs]
  } else {
    predicates.push(['nonResourceURL', not(leaf(PRESENT))])
    const groups = canonical(strings(raw.apiGroups))
    if (!groups.includes('*')) {
      predicates.push(['apiGroup', anyLiteral(groups)])
      literals.apiGroup = new Set(groups)
    }
    const resource = entry.resource
    const slash = resource.indexOf('/')
    if (resource !== '*') {
      if (slash === -1) {
        predicates.push(['resource', leaf(literalLeaf(resource))], ['subresource', not(leaf(PRESENT))])
        literals.resource = new Set([resource])
      } else {
        const base = resource.slice(0, slash)
        if (base !== '*') {
          predicates.push(['resource', leaf(literalLeaf(base))])
          literals.resource = new Set([base])
        }
        predicates.push(['subresource', leaf(literalLeaf(resource.slice(slash + 1)))])
      }
    }
    const names = sortedSet(strings(raw.resourceNames))
    if (names.length > 0) predicates.push(['resourceName', anyLiteral(names)])
    meaning = ['resource', groups, resource, names, verbs]
  }
  const compiled = {
    predicates,
    literals,
    key: JSON.stringify(meaning),
    nonResource: entry.type === 'nonResource',
  }
  byEntry.set(cacheKey, compiled)
  return compiled
}

/** The meaning of an unknown role's grant (equal for every pair bound to that role). */
export const unknownKey = (roleId: string) => JSON.stringify(['unknown', roleId])

/** Whether a pair can grant an entry: a RoleBinding never reaches non-resource URLs. */
export const applies = (pair: Pair, e: RoleEntry) => !(e.compiled.nonResource && pair.namespace !== undefined)

/**
 * The grant of one entry of a pair (-1: the pair's unknown role). `keep`: remember it on the
 * pair (grants the other side's searches reuse); a grant searched once is left to the collector.
 */
export function grantOf(model: Model, pair: Pair, entryIndex: number, keep = true): Grant {
  const made = pair.grants.get(entryIndex)
  if (made) return made
  const predicates = new Map<string, Formula<AnyLeaf>>()
  const set = (dim: string, f: Formula<AnyLeaf>) => {
    predicates.set(dim, f)
    collect(model, f)
  }
  set('subject', subjectFormula(pair.subject))
  if (pair.namespace !== undefined) set('namespace', leaf(literalLeaf(pair.namespace)))
  const e = entryIndex === -1 ? undefined : pair.entries![entryIndex]!
  if (e === undefined) {
    const name = opaqueName(pair.roleId)
    const l: OpaqueLeaf = {key: name, type: 'opaque', description: model.opaque.get(name) ?? name}
    predicates.set(name, leaf(l))
    // Bound in a namespace, an unknown ClusterRole's non-resource URLs grant nothing.
    if (pair.namespace !== undefined) set('nonResourceURL', not(leaf(PRESENT)))
  } else for (const [dim, f] of e.compiled.predicates) set(dim, f)
  const index = model.grantCount++
  const grant: Grant = {
    index,
    pair,
    binding: pair.binding,
    subjectIndex: pair.subjectIndex,
    subject: pair.subject,
    namespace: pair.namespace,
    roleRef: pair.roleRef,
    rule: e?.rule,
    entry: e?.entry ?? {type: 'unknown', role: pair.roleId},
    key: JSON.stringify([pair.subject, pair.namespace ?? null, e?.compiled.key ?? unknownKey(pair.roleId)]),
    engine: {index, effect: 'allow', predicates},
    literals: e?.compiled.literals ?? {},
  }
  if (keep) pair.grants.set(entryIndex, grant)
  return grant
}

/** False when two entries cannot allow a common request: some dimension limits them to disjoint values. */
export function mayOverlap(a: CompiledEntry['literals'], b: CompiledEntry['literals']): boolean {
  for (const dim of ['resource', 'apiGroup', 'verb'] as const) {
    const x = a[dim]
    const y = b[dim]
    if (x && y && ![...x].some((v) => y.has(v))) return false
  }
  return true
}

function collect(model: Model, f: Formula<AnyLeaf>): void {
  if (f.op === 'leaf') model.leaves.set(f.leaf.key, f.leaf)
  else if (f.op === 'not') collect(model, f.arg)
  else if (f.op === 'and' || f.op === 'or') for (const a of f.args) collect(model, a)
}

// --- one request --------------------------------------------------------------------------

/** A concrete request: dimension → value (undefined: absent, e.g. no namespace = cluster-wide). */
export type Request = Partial<Record<DimensionName, string>>

const holds = (f: Formula<AnyLeaf>, value: string | undefined) => evaluate(f, (l) => leafHolds(l, value))

/** Whether a role entry allows a request (subject and namespace aside). */
function entryAllows(e: RoleEntry, request: Request): boolean {
  return e.compiled.predicates.every(([dim, f]) => holds(f, request[dim]))
}

/** Whether a pair's binding scope covers a request: its namespace, or any for a ClusterRoleBinding. */
export const inScope = (pair: Pair, request: Request) =>
  pair.namespace === undefined ||
  (request.nonResourceURL === undefined && request.namespace === pair.namespace)

/**
 * Whether a pair allows a request, its subject aside. An unknown role is taken as allowing it
 * when `unknown` says so (semantic blame must never clear a version wrongly).
 */
export function pairAllows(pair: Pair, request: Request, unknown: boolean, ignoreScope = false): boolean {
  if (!ignoreScope && !inScope(pair, request)) return false
  if (pair.entries === undefined)
    return unknown && (pair.namespace === undefined || request.nonResourceURL === undefined)
  return pair.entries.some((e) => applies(pair, e) && entryAllows(e, request))
}

/** Whether the model allows a request (unknown roles taken as allowing it). */
export function modelAllows(model: Model, request: Request): boolean {
  return pairsFor(model, request.subject ?? '').some((pair) => pairAllows(pair, request, true))
}
