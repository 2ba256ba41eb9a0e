// `aws iam get-account-authorization-details` output, committed as a file (a cron job refreshes
// it): every user's and role's identity policies, composed as AWS applies them to that principal
// (its inline and attached managed policies, its groups' policies, its permissions boundary), one
// aws-iam document per principal (`user/NAME`, `role/NAME`), and each role's trust policy as a
// resource policy of the role (`role/NAME/trust`). What composition means is the aws-iam
// adapter's (principalPoliciesOf); this file only gathers which documents apply.
//
// Shape: https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html
// (UserDetailList, GroupDetailList, RoleDetailList, Policies with PolicyVersionList). The API
// returns the documents URL-encoded; the CLI prints them decoded, and a document still a string
// is decoded here the same way (a string has no positions inside it: findings point at it).

import type {EmbeddedDocument, Extraction} from '../container.js'
import type {InputProblem, ParsedFile, Position} from '../../kernel/types.js'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const list = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? v.filter(isObject) : [])
const names = (v: unknown): string[] => (Array.isArray(v) ? v.filter((n) => typeof n === 'string') : [])

/** Whether a parsed file is such an export: the four lists, at least one user, group or role list. */
export function isAccountExport(value: unknown): boolean {
  return (
    isObject(value) &&
    ['UserDetailList', 'GroupDetailList', 'RoleDetailList'].some((k) => Array.isArray(value[k])) &&
    ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'].every(
      (k) => value[k] === undefined || Array.isArray(value[k]),
    )
  )
}

/** A policy document found in the export: its value and where it is (a string: no positions inside). */
interface Found {
  document: unknown
  pointer: string
  encoded: boolean
}

export function extractAccount(parsed: ParsedFile): Extraction {
  const value = parsed.value as Record<string, unknown>
  const problems: InputProblem[] = []
  const problem = (pointer: string, message: string) =>
    problems.push({file: parsed.path, ...parsed.sourceMap.locate(pointer), pointer, message})
  const decoded = (document: unknown, pointer: string): Found | undefined => {
    if (typeof document !== 'string') return {document, pointer, encoded: false}
    try {
      return {document: JSON.parse(decodeURIComponent(document)) as unknown, pointer, encoded: true}
    } catch {
      problem(pointer, 'the policy document is a string that is not URL-encoded JSON')
      return undefined
    }
  }

  // Managed policies by ARN: their default version, as AWS applies it.
  const managed = new Map<string, Found | undefined>()
  // The ARNs whose default version some principal's document holds (attached, or a boundary).
  const applied = new Set<string>()
  list(value.Policies).forEach((policy, i) => {
    const versions = list(policy.PolicyVersionList)
    const index = versions.findIndex((v) => v.IsDefaultVersion === true)
    const at = `/Policies/${i}`
    if (index < 0) problem(at, `${String(policy.Arn)}: no default version in PolicyVersionList`)
    else
      managed.set(
        String(policy.Arn),
        decoded(versions[index]!.Document, `${at}/PolicyVersionList/${index}/Document`),
      )
  })
  const attached = (entity: Record<string, unknown>, at: string) =>
    list(entity.AttachedManagedPolicies).flatMap((a, j) => {
      const arn = String(a.PolicyArn)
      if (!managed.has(arn)) {
        // Its content is not in the export: what it grants cannot be known, so the export fails closed.
        problem(`${at}/AttachedManagedPolicies/${j}`, `${arn} is attached but not in the export's Policies`)
        return []
      }
      const found = managed.get(arn)
      applied.add(arn)
      return found === undefined ? [] : [{name: arn, found}]
    })
  const inline = (entity: Record<string, unknown>, field: string, at: string, prefix: string) =>
    list(entity[field]).flatMap((p, j) => {
      const found = decoded(p.PolicyDocument, `${at}/${field}/${j}/PolicyDocument`)
      return found === undefined ? [] : [{name: `${prefix}${String(p.PolicyName)}`, found}]
    })

  const groups = new Map<string, Array<{name: string; found: Found}>>()
  list(value.GroupDetailList).forEach((group, i) => {
    const at = `/GroupDetailList/${i}`
    const name = String(group.GroupName)
    groups.set(name, [
      ...inline(group, 'GroupPolicyList', at, `group/${name}/`),
      ...attached(group, at).map((p) => ({...p, name: `group/${name}/${p.name}`})),
    ])
  })

  const documents: EmbeddedDocument[] = []
  const principal = (entity: Record<string, unknown>, type: 'user' | 'role', at: string) => {
    const name = `${type}/${String(entity[type === 'user' ? 'UserName' : 'RoleName'])}`
    const policies = [
      ...inline(entity, type === 'user' ? 'UserPolicyList' : 'RolePolicyList', at, 'inline/'),
      ...attached(entity, at),
      ...names(entity.GroupList).flatMap((g, j) => {
        const found = groups.get(g)
        if (found === undefined)
          problem(`${at}/GroupList/${j}`, `group ${g} is not in the export's GroupDetailList`)
        return found ?? []
      }),
    ]
    const boundary = isObject(entity.PermissionsBoundary)
      ? String(entity.PermissionsBoundary.PermissionsBoundaryArn)
      : undefined
    const boundaryFound = boundary === undefined ? undefined : managed.get(boundary)
    if (boundary !== undefined) applied.add(boundary)
    if (boundary !== undefined && !managed.has(boundary))
      problem(
        `${at}/PermissionsBoundary`,
        `the permissions boundary ${boundary} is not in the export's Policies`,
      )
    const composed = {
      Principal: String(entity.Arn),
      Policies: policies.map((p) => ({Name: p.name, Document: p.found.document})),
      ...(boundaryFound === undefined
        ? {}
        : {PermissionsBoundary: {Name: boundary, Document: boundaryFound.document}}),
    }
    const places: Array<[string, Found]> = [
      ...policies.map((p, k): [string, Found] => [`/Policies/${k}/Document`, p.found]),
      ...(boundaryFound === undefined
        ? []
        : [['/PermissionsBoundary/Document', boundaryFound] as [string, Found]]),
    ]
    documents.push({
      kind: 'aws-iam',
      name,
      value: composed,
      pointer: at,
      sourceMap: composedMap(parsed, at, places),
    })
    if (type === 'role' && entity.AssumeRolePolicyDocument !== undefined) {
      const trust = decoded(entity.AssumeRolePolicyDocument, `${at}/AssumeRolePolicyDocument`)
      if (trust !== undefined)
        documents.push({
          kind: 'aws-iam',
          name: `${name}/trust`,
          value: trust.document,
          pointer: trust.pointer,
          sourceMap: composedMap(parsed, trust.pointer, [['', trust]]),
        })
    }
  }
  list(value.UserDetailList).forEach((user, i) => principal(user, 'user', `/UserDetailList/${i}`))
  list(value.RoleDetailList).forEach((role, i) => principal(role, 'role', `/RoleDetailList/${i}`))
  return {documents, notes: [], problems, held: heldVersions(value, managed, applied, decoded, parsed)}
}

/**
 * Every policy version that applies to no one: the versions other than the default, and the
 * default of a policy attached to nothing. AWS accepted each one (these are the policies AWS
 * holds), so one that does not validate is not AWS's output: it fails closed like any other.
 */
function heldVersions(
  value: Record<string, unknown>,
  managed: ReadonlyMap<string, Found | undefined>,
  applied: ReadonlySet<string>,
  decoded: (document: unknown, pointer: string) => Found | undefined,
  parsed: ParsedFile,
): EmbeddedDocument[] {
  return list(value.Policies).flatMap((policy, i) => {
    const arn = String(policy.Arn)
    return list(policy.PolicyVersionList).flatMap((version, j) => {
      const isDefault = version.IsDefaultVersion === true
      if (isDefault && applied.has(arn)) return []
      // A default version is decoded already (a garbled one is a problem once).
      const found = isDefault
        ? managed.get(arn)
        : decoded(version.Document, `/Policies/${i}/PolicyVersionList/${j}/Document`)
      if (found === undefined) return []
      return [
        {
          kind: 'aws-iam',
          name: `${arn} (version ${String(version.VersionId)})`,
          value: found.document,
          pointer: found.pointer,
          sourceMap: composedMap(parsed, found.pointer, [['', found]]),
        },
      ]
    })
  })
}

/**
 * Positions of a composed document: each of its policies where the export holds it (a string's
 * contents at the string), anything else at the principal's entry.
 */
function composedMap(parsed: ParsedFile, entry: string, places: Array<[string, Found]>) {
  const byLength = [...places].sort(([a], [b]) => b.length - a.length)
  return {
    locate: (pointer: string): Position | undefined => {
      const place = byLength.find(([prefix]) => pointer === prefix || pointer.startsWith(`${prefix}/`))
      if (place === undefined) return parsed.sourceMap.locate(entry)
      const [prefix, found] = place
      return parsed.sourceMap.locate(
        found.encoded ? found.pointer : found.pointer + pointer.slice(prefix.length),
      )
    },
  }
}
