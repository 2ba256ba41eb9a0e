// The GCP IAM access model: what a member string covers, what a role grants, and how the
// kind's documents (IAM policies, custom role definitions) are told apart.
//
// A request is (member, grant, condition attributes) on the resource whose policy a file is.
// - member: one identity as a string. Named members are themselves; `allUsers` is the string
//   "allUsers" standing for an anonymous caller; "allAuthenticatedUsers" stands for some
//   signed-in Google identity that no binding names; `domain:D` for some user of D that no
//   binding names; a `principalSet://…` for some identity of that set that no binding names.
// - grant: what a binding gives. A custom role defined in the repository grants its permissions
//   (`storage.objects.get`); any other role grants itself (`roles/storage.objectViewer`), since
//   its permissions are not known offline; the basic roles nest: `roles/owner` grants the
//   tokens `roles/owner`, `roles/editor` and `roles/viewer`, `roles/editor` the last two.

import {type AnyLeaf, type GlobLeaf} from '../../engine/domains.js'
import {type Formula, leaf, or} from '../../engine/formula.js'
import {compileGlob} from '../../engine/glob.js'
import {escapeGlob, globLeafOf} from './cel.js'
import {isObject, isRoleDefinition, ROLE_NAME} from './detect.js'

export {isObject, isPolicy, isRoleDefinition} from './detect.js'

export interface Binding {
  raw: Record<string, unknown>
  /** `/bindings/3` */
  pointer: string
  index: number
  role: string
  members: string[]
  expression: string | undefined
}

export function bindingsOf(policy: unknown): Binding[] {
  if (!isObject(policy) || !Array.isArray(policy.bindings)) return []
  const bindings: Binding[] = []
  policy.bindings.forEach((raw: unknown, index) => {
    if (!isObject(raw)) return
    const condition = isObject(raw.condition) ? raw.condition : undefined
    bindings.push({
      raw,
      pointer: `/bindings/${index}`,
      index,
      role: String(raw.role),
      members: Array.isArray(raw.members) ? raw.members.map(String) : [],
      expression: typeof condition?.expression === 'string' ? condition.expression : undefined,
    })
  })
  return bindings
}

// --- members --------------------------------------------------------------------------

/** The witness member for an unauthenticated caller (only `allUsers` covers it). */
export const ANONYMOUS = 'allUsers'
/** The witness member for a signed-in Google identity that no binding names. */
export const AUTHENTICATED = 'allAuthenticatedUsers'
/** `principalSet://goog/public:all`: all principals, anonymous ones included. */
const PUBLIC_ALL = 'principalSet://goog/public:all'

/**
 * Members that `allAuthenticatedUsers` covers: Google accounts, service accounts, groups and
 * domains of them. Identities from external identity providers (principal:// and
 * principalSet://) are not included (IAM reference: "Does not include identities that come
 * from external identity providers (IdPs) through identity federation").
 */
const GOOGLE_IDENTITY_TYPES = [
  'user',
  'group',
  'serviceAccount',
  'domain',
  'deleted',
  'projectOwner',
  'projectEditor',
  'projectViewer',
]

const EMAIL_TYPES = new Set(['user', 'group', 'serviceAccount', 'domain'])

/** Email addresses and domains are case-insensitive: one spelling for each. */
export function normalizeMember(member: string): string {
  const typed = /^([A-Za-z]+):(.*)$/s.exec(member)
  if (!typed) return member
  const [, type, rest] = typed as unknown as [string, string, string]
  if (EMAIL_TYPES.has(type)) return `${type}:${rest.toLowerCase()}`
  if (type === 'deleted') {
    const deleted = /^([A-Za-z]+):([^?]*)(\?.*)?$/s.exec(rest)
    if (deleted && EMAIL_TYPES.has(deleted[1]!))
      return `deleted:${deleted[1]}:${deleted[2]!.toLowerCase()}${deleted[3] ?? ''}`
  }
  return member
}

export const isPublicMember = (member: string) =>
  member === ANONYMOUS || member === AUTHENTICATED || member === PUBLIC_ALL

const glob = (pattern: string): Formula<AnyLeaf> => leaf(globLeafOf(pattern))

/** The set of request members a binding member covers. */
export function memberFormula(member: string): Formula<AnyLeaf> {
  if (member === ANONYMOUS || member === PUBLIC_ALL) return glob('*')
  if (member === AUTHENTICATED)
    return or(glob(escapeGlob(AUTHENTICATED)), ...GOOGLE_IDENTITY_TYPES.map((t) => glob(`${t}:*`)))
  const m = normalizeMember(member)
  if (m.startsWith('domain:')) {
    const domain = m.slice('domain:'.length)
    return or(glob(escapeGlob(m)), glob(`user:*@${escapeGlob(domain)}`))
  }
  const set = /^principalSet:\/\/(.+)\/\*$/.exec(m)
  if (set) {
    const pool = escapeGlob(set[1]!)
    return or(glob(`principalSet://${pool}/*`), glob(`principal://${pool}/subject/*`))
  }
  return glob(escapeGlob(m))
}

/** The request member a binding member is shown as in witnesses. */
export const memberSample = (member: string) =>
  member === PUBLIC_ALL ? ANONYMOUS : member === AUTHENTICATED ? AUTHENTICATED : normalizeMember(member)

/** How readable a witness member is: the public ones first, named ones next, made-up strings last. */
export function memberRank(value: string, named: Set<string>): number {
  if (value === ANONYMOUS) return 3
  if (value === AUTHENTICATED) return 2
  return named.has(value) ? 1 : 0
}

// --- roles ----------------------------------------------------------------------------

const BASIC_ROLES: Record<string, string[]> = {
  'roles/owner': ['roles/owner', 'roles/editor', 'roles/viewer'],
  'roles/editor': ['roles/editor', 'roles/viewer'],
  'roles/viewer': ['roles/viewer'],
}

export const isCustomRoleName = (role: string) => ROLE_NAME.test(role)

export interface RoleDefinition {
  name: string
  file: string
  raw: Record<string, unknown>
  /** what a binding to it grants: none when the role is DISABLED or deleted */
  permissions: string[]
}

export type RoleTable = Map<string, RoleDefinition>

function effectivePermissions(raw: Record<string, unknown>): string[] {
  if (raw.stage === 'DISABLED' || raw.deleted === true) return []
  const included = Array.isArray(raw.includedPermissions) ? raw.includedPermissions.map(String) : []
  return [...new Set(included)].sort()
}

/**
 * The custom roles defined by a set of documents. A role defined twice takes the union of its
 * permissions (`merge: 'union'`, for the target: never fewer than either file says) or their
 * intersection (`'intersection'`, for the baseline: never more), and is noted.
 */
export function roleTable(
  documents: Iterable<[string, unknown]>,
  merge: 'union' | 'intersection' = 'union',
  notes?: string[],
): RoleTable {
  const table: RoleTable = new Map()
  for (const [file, value] of [...documents].sort(([a], [b]) => a.localeCompare(b))) {
    if (!isRoleDefinition(value) || typeof value.name !== 'string') continue
    const permissions = effectivePermissions(value)
    const known = table.get(value.name)
    if (known === undefined) {
      table.set(value.name, {name: value.name, file, raw: value, permissions})
      continue
    }
    notes?.push(`${file}: custom role ${value.name} is also defined in ${known.file}; both are read as one`)
    known.permissions =
      merge === 'union'
        ? [...new Set([...known.permissions, ...permissions])].sort()
        : known.permissions.filter((p) => permissions.includes(p))
  }
  return table
}

/** The grant tokens of a role: see the module comment. */
export function grantTokens(role: string, roles: RoleTable): string[] {
  const basic = BASIC_ROLES[role]
  if (basic) return basic
  const custom = roles.get(role)
  return custom ? custom.permissions : [role]
}

/** Grant tokens naming a role (they contain a `/`) rather than a permission. */
export const isRoleToken = (token: string) => token.includes('/')

export function tokenLeaf(token: string): GlobLeaf {
  const g = compileGlob(token, {wildcards: false})
  return {key: `glob:${g.key}`, type: 'glob', glob: g}
}

// --- severity helpers -----------------------------------------------------------------

/** Roles and permissions that let their holder act as others or change who has access. */
const ESCALATION_ROLES = new Set([
  'roles/iam.serviceAccountUser',
  'roles/iam.serviceAccountTokenCreator',
  'roles/iam.serviceAccountKeyAdmin',
  'roles/iam.serviceAccountAdmin',
  'roles/iam.workloadIdentityUser',
  'roles/iam.securityAdmin',
  'roles/iam.roleAdmin',
  'roles/iam.organizationRoleAdmin',
  'roles/resourcemanager.projectIamAdmin',
  'roles/resourcemanager.folderIamAdmin',
  'roles/resourcemanager.organizationAdmin',
  'roles/iam.denyAdmin',
])
const ESCALATION_PERMISSIONS = new Set([
  'iam.serviceAccounts.actAs',
  'iam.serviceAccounts.getAccessToken',
  'iam.serviceAccounts.getOpenIdToken',
  'iam.serviceAccounts.implicitDelegation',
  'iam.serviceAccounts.signBlob',
  'iam.serviceAccounts.signJwt',
  'iam.serviceAccountKeys.create',
  'iam.roles.create',
  'iam.roles.update',
  'iam.denypolicies.delete',
  'iam.denypolicies.update',
])

export const isEscalation = (token: string) =>
  ESCALATION_ROLES.has(token) || ESCALATION_PERMISSIONS.has(token) || token.endsWith('.setIamPolicy')
