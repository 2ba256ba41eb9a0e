// The Kubernetes RBAC objects of one file: a single object, a multi-document YAML stream (the
// parsed value is then an array of documents), a `kind: List` as `kubectl get … -o yaml|json`
// writes it, or a typed list (`RoleList` …) as the API returns it. Light: no engine code, so
// that detection by content stays cheap.

export const RBAC_GROUP = 'rbac.authorization.k8s.io'
const RBAC_KINDS = ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'] as const
type RbacKind = (typeof RBAC_KINDS)[number]

/**
 * The namespace of a Role or RoleBinding whose file does not name one: it is the namespace the
 * file is applied to (`kubectl apply -n …`, kustomize). All such objects share it, and it can
 * never be a real namespace name (those are DNS labels).
 */
export const UNSET_NAMESPACE = '(namespace not set)'

export interface RbacObject {
  file: string
  /** JSON pointer of the object in its file's value */
  pointer: string
  kind: RbacKind
  name: string
  /** Role and RoleBinding only (UNSET_NAMESPACE when the file does not say) */
  namespace: string | undefined
  raw: Record<string, unknown>
  /** `Role/ns/name`, `ClusterRole/name`, …: the object's identity in a cluster */
  id: string
  /** a ClusterRole the API server creates (builtin-roles.ts), which no file of the repository defines */
  builtIn?: true
}

/** One rule of a Role or ClusterRole, as written. */
export interface RuleJson {
  apiGroups?: string[] | null
  resources?: string[] | null
  resourceNames?: string[] | null
  nonResourceURLs?: string[] | null
  verbs?: string[] | null
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const isRbacKind = (kind: unknown): kind is RbacKind => RBAC_KINDS.includes(kind as RbacKind)

const rbacApiVersion = (v: unknown) =>
  v === undefined || (typeof v === 'string' && v.startsWith(`${RBAC_GROUP}/`))

/** Typed lists (`RoleList` …) as the API server returns them: items may leave out kind and apiVersion. */
function typedListKind(value: Record<string, unknown>): RbacKind | undefined {
  if (typeof value.kind !== 'string' || !value.kind.endsWith('List')) return undefined
  const kind = value.kind.slice(0, -'List'.length)
  return isRbacKind(kind) && rbacApiVersion(value.apiVersion) ? kind : undefined
}

export function objectId(kind: RbacKind, name: string, namespace: string | undefined): string {
  return kind === 'Role' || kind === 'RoleBinding' ? `${kind}/${namespace}/${name}` : `${kind}/${name}`
}

export function toObject(
  file: string,
  pointer: string,
  raw: Record<string, unknown>,
  kind: RbacKind,
): RbacObject {
  const metadata = (isObject(raw.metadata) ? raw.metadata : {}) as Record<string, unknown>
  const name = typeof metadata.name === 'string' ? metadata.name : ''
  const namespaced = kind === 'Role' || kind === 'RoleBinding'
  const namespace = namespaced
    ? typeof metadata.namespace === 'string' && metadata.namespace !== ''
      ? metadata.namespace
      : UNSET_NAMESPACE
    : undefined
  return {file, pointer, kind, name, namespace, raw, id: objectId(kind, name, namespace)}
}

/** Every RBAC object of a file's value, in document order (other Kubernetes objects are skipped). */
export function rbacObjects(value: unknown, file = ''): RbacObject[] {
  const out: RbacObject[] = []
  const visitDocument = (doc: unknown, pointer: string, depth: number) => {
    if (!isObject(doc) || depth > 4) return
    if (isRbacKind(doc.kind) && rbacApiVersion(doc.apiVersion)) {
      out.push(toObject(file, pointer, doc, doc.kind))
      return
    }
    const typed = typedListKind(doc)
    if ((doc.kind === 'List' || typed !== undefined) && Array.isArray(doc.items)) {
      doc.items.forEach((item, i) => {
        const at = `${pointer}/items/${i}`
        if (typed !== undefined && isObject(item)) out.push(toObject(file, at, item, typed))
        else visitDocument(item, at, depth + 1)
      })
    }
  }
  if (Array.isArray(value)) value.forEach((doc, i) => visitDocument(doc, `/${i}`, 0))
  else visitDocument(value, '', 0)
  return out
}

/** Where a skeleton keeps its role's resourcesOf (a key no Kubernetes object has). */
const RESOURCES = 'acldrift.reach/resources'
/** What a rule with nonResourceURLs stands for in resourcesOf (an over-approximation: a resource of that name collides). */
export const NON_RESOURCE = ':nonResourceURLs'

/**
 * The resources a role's own rules can match, coarsely: each resource without its subresource,
 * `*` for a wildcard (also a subresource of every resource) or for rules it cannot read, NON_RESOURCE for non-resource
 * URLs. Two roles with no common value (and no `*`) allow no request in common. A skeleton keeps
 * it; one written without it (an older snapshot) counts as `*`.
 */
export function resourcesOf(raw: Record<string, unknown>): string[] {
  const rules = raw.rules
  if (rules === undefined || rules === null) {
    const kept = raw[RESOURCES]
    return Array.isArray(kept) && kept.every((r) => typeof r === 'string') ? kept : ['*']
  }
  if (!Array.isArray(rules)) return ['*']
  const out = new Set<string>()
  for (const rule of rules) {
    if (!isObject(rule)) return ['*']
    const urls = rule.nonResourceURLs
    if (Array.isArray(urls) && urls.length > 0) out.add(NON_RESOURCE)
    const resources = rule.resources
    if (resources === undefined || resources === null) continue
    if (!Array.isArray(resources)) return ['*']
    for (const r of resources) out.add(typeof r === 'string' ? r.split('/')[0]! : '*')
  }
  return [...out].sort()
}

/**
 * What the reach of a change (reach.ts) reads of a file's RBAC objects: each one's kind, name,
 * namespace and labels, a binding's subjects and roleRef, a ClusterRole's aggregationRule, a
 * role's resourcesOf, never its rules; as a list that rbacObjects reads as objects of the same
 * identities, in order.
 */
export function rbacSkeleton(value: unknown): Array<Record<string, unknown>> {
  return rbacObjects(value).map((o) => {
    const metadata = (isObject(o.raw.metadata) ? o.raw.metadata : {}) as Record<string, unknown>
    const {roleRef, subjects, aggregationRule} = o.raw
    return {
      apiVersion: `${RBAC_GROUP}/v1`,
      kind: o.kind,
      metadata: {name: metadata.name, namespace: metadata.namespace, labels: metadata.labels},
      roleRef,
      subjects,
      aggregationRule,
      ...(o.kind === 'Role' || o.kind === 'ClusterRole' ? {[RESOURCES]: resourcesOf(o.raw)} : {}),
    }
  })
}

/** Whether a parsed file holds at least one RBAC object (detection by content). */
export function hasRbacObject(value: unknown): boolean {
  return rbacObjects(value).length > 0
}

/** Raw text that suggests RBAC even when it does not parse (such files fail closed). */
export function looksLikeRbac(text: string): boolean {
  return (
    text.includes(RBAC_GROUP) &&
    // A kind behind an explicit YAML tag (`kind: !!binary …`) may be any of them: it claims RBAC too.
    /(^|[\s"'{,])kind["']?\s*:\s*(!|["']?(Cluster)?Role(Binding)?(List)?["']?\s*($|[,}\s]))/m.test(text)
  )
}
