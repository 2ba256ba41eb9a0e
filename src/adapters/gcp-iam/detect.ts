// Recognising GCP IAM documents by content (light: the descriptor in index.ts imports it).
//
// - IAM policies as `gcloud … get-iam-policy --format=json|yaml` prints them: `bindings`
//   (`role`, `members`, `condition`), `auditConfigs`, `etag`, `version`. An empty policy prints
//   as its etag alone.
// - Custom role definitions as `gcloud iam roles describe` prints them: `name`
//   (`projects/P/roles/R` or `organizations/O/roles/R`), `title`, `includedPermissions`, `stage`.
// AWS policies (`Statement`, `Version`) and Kubernetes objects (`apiVersion`, `kind`) are never claimed.

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

export const ROLE_NAME = /^(projects\/[^/]+|organizations\/\d+)\/roles\/[^/]+$/

const POLICY_KEYS = new Set(['bindings', 'auditConfigs', 'etag', 'version'])

/** Documents of other kinds that share a key with ours. */
const isForeign = (value: Record<string, unknown>) =>
  'Statement' in value || 'Version' in value || 'apiVersion' in value || 'kind' in value

function roleLike(value: Record<string, unknown>): boolean {
  if ('includedPermissions' in value) return true
  return (
    typeof value.name === 'string' && ROLE_NAME.test(value.name) && ('title' in value || 'stage' in value)
  )
}

/** A custom role definition. */
export function isRoleDefinition(value: unknown): value is Record<string, unknown> {
  return isObject(value) && !isForeign(value) && roleLike(value)
}

/** An IAM policy (its schema then reports misspelt or unknown keys). */
export function isPolicy(value: unknown): value is Record<string, unknown> {
  if (!isObject(value) || isForeign(value) || roleLike(value)) return false
  const onlyPolicyKeys = Object.keys(value).every((k) => POLICY_KEYS.has(k))
  if (Array.isArray(value.bindings)) {
    // Bindings none of which names a role or members are someone else's (an Azure Functions
    // function.json has `bindings` of triggers): only an empty policy is claimed without them.
    if (value.bindings.length > 0)
      return value.bindings.some((b) => isObject(b) && ('role' in b || 'members' in b))
    return onlyPolicyKeys
  }
  if ('bindings' in value) return 'etag' in value || 'version' in value
  if (Array.isArray(value.auditConfigs)) return true
  return typeof value.etag === 'string' && onlyPolicyKeys
}

export const detect = (value: unknown) => isPolicy(value) || isRoleDefinition(value)

/** Text that suggests a GCP IAM document even when it does not parse (it then fails closed). */
export const looksLike = (text: string) =>
  (/["']?\bbindings["']?\s*:/.test(text) && /\broles\//.test(text)) ||
  /["']?\bincludedPermissions["']?\s*:/.test(text)

/**
 * What the reach (reach.ts) reads of a document: a custom role's name, the roles a policy binds.
 * The skeleton is itself a document of the same sort (a role definition without permissions, a
 * policy of bindings without members), so the reach reads it as it reads the whole document.
 */
export function gcpSkeleton(value: unknown): Record<string, unknown> {
  if (isRoleDefinition(value)) return {name: value.name, includedPermissions: []}
  if (!isPolicy(value)) return {}
  const bindings = Array.isArray(value.bindings) ? value.bindings.filter(isObject) : []
  return {bindings: [...new Set(bindings.map((b) => String(b.role)))].map((role) => ({role}))}
}
