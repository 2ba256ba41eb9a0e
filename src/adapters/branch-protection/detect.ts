// Recognising branch protection by content (light: the descriptor in index.ts imports it).
//
// - One branch's protection as `GET /repos/{owner}/{repo}/branches/{branch}/protection` returns
//   it (or the body of the `PUT` that sets it): an object with the protection's own keys, or a
//   `url` ending in `/branches/{branch}/protection`.
// - A safe-settings `.github/settings.yml`: a `branches` list of `{name, protection}` entries,
//   beside whatever other sections (repository, labels, collaborators, teams) it has.
// AWS policies, GCP policies, Kubernetes objects and GitHub workflows are never claimed.

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const PROTECTION_KEYS = [
  'required_status_checks',
  'enforce_admins',
  'required_pull_request_reviews',
  'restrictions',
  'required_signatures',
  'required_linear_history',
  'allow_force_pushes',
  'allow_deletions',
  'block_creations',
  'required_conversation_resolution',
  'lock_branch',
  'allow_fork_syncing',
]

/** `…/repos/{owner}/{repo}/branches/{branch}/protection`, the REST response's own address. */
export const PROTECTION_URL = /\/repos\/[^/]+\/[^/]+\/branches\/(.+)\/protection$/

/** Keys of documents of other kinds. */
const FOREIGN_KEYS = ['Statement', 'Version', 'apiVersion', 'kind', 'bindings', 'auditConfigs', 'jobs', 'on']
const isForeign = (value: Record<string, unknown>) => FOREIGN_KEYS.some((k) => k in value)

/** One branch's protection in the REST shape (its schema then reports misspelt or unknown keys). */
export function isRestProtection(value: unknown): value is Record<string, unknown> {
  if (!isObject(value) || isForeign(value) || 'branches' in value) return false
  if (typeof value.url === 'string' && PROTECTION_URL.test(value.url)) return true
  return PROTECTION_KEYS.some((k) => k in value)
}

/** A safe-settings file with a `branches` section. */
export function isSettings(value: unknown): value is Record<string, unknown> & {branches: unknown[]} {
  if (!isObject(value) || isForeign(value) || !Array.isArray(value.branches)) return false
  const entries = value.branches
  return (
    entries.length > 0 &&
    entries.every(isObject) &&
    entries.some((b) => 'protection' in (b as object) || typeof (b as {name?: unknown}).name === 'string')
  )
}

export const detect = (value: unknown) => isRestProtection(value) || isSettings(value)

/** Text that suggests branch protection even when it does not parse (it then fails closed). */
export const looksLike = (text: string) =>
  /["']?\b(required_pull_request_reviews|enforce_admins|allow_force_pushes|required_status_checks)["']?\s*:/.test(
    text,
  ) || /\/branches\/[^\s"']+\/protection["']/.test(text)
