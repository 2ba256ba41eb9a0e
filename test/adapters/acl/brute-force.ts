// An independent evaluator of acldrift ACL files, for the fixture and property tests. It shares
// no code with src/adapters/acl: the format's semantics (schemas/acl.schema.json) are applied
// directly to the raw value, one concrete request at a time, with the hand-written wildcard
// matcher of ../wildcard.ts.

import {wildcard} from '../wildcard.js'

import type {Oracle} from '../oracle.js'

export interface GrantJson {
  id?: string
  effect: 'allow' | 'deny'
  subjects: string[]
  roles?: string[]
  permissions?: string[]
  resources: string[]
  conditions?: Record<string, string | string[]>
}

export interface AclJson {
  apiVersion: string
  groups?: Record<string, {members: string[]; description?: string}>
  roles?: Record<string, {permissions?: string[]; inherits?: string[]; description?: string}>
  grants: GrantJson[]
}

export interface Request {
  subject: string
  permission: string
  resource: string
  context: Record<string, string>
}

function inGroup(acl: AclJson, group: string, subject: string, seen: Set<string>): boolean {
  if (seen.has(group)) return false
  seen.add(group)
  for (const member of acl.groups?.[group]?.members ?? []) {
    if (member.startsWith('group:')) {
      if (inGroup(acl, member.slice('group:'.length), subject, seen)) return true
    } else if (wildcard(member, subject)) return true
  }
  return false
}

function permissionsOf(acl: AclJson, roles: string[], seen = new Set<string>()): string[] {
  const out: string[] = []
  for (const name of roles) {
    if (seen.has(name)) continue
    seen.add(name)
    const role = acl.roles?.[name]
    out.push(...(role?.permissions ?? []), ...permissionsOf(acl, role?.inherits ?? [], seen))
  }
  return out
}

export function grantMatches(acl: AclJson, grant: GrantJson, request: Request): boolean {
  // Groups make no requests.
  if (request.subject.startsWith('group:')) return false
  const subject = grant.subjects.some((s) =>
    s.startsWith('group:')
      ? inGroup(acl, s.slice('group:'.length), request.subject, new Set())
      : wildcard(s, request.subject),
  )
  if (!subject) return false
  const permissions = [...(grant.permissions ?? []), ...permissionsOf(acl, grant.roles ?? [])]
  if (!permissions.some((p) => wildcard(p, request.permission))) return false
  if (!grant.resources.some((r) => wildcard(r, request.resource))) return false
  for (const [key, accepted] of Object.entries(grant.conditions ?? {})) {
    if (!Object.hasOwn(request.context, key)) return false
    const values = typeof accepted === 'string' ? [accepted] : accepted
    if (!values.some((v) => wildcard(v, request.context[key]!))) return false
  }
  return true
}

/** Deny wins. A missing file allows nothing. */
export function allows(acl: AclJson | undefined, request: Request): boolean {
  if (acl === undefined) return false
  const grants = acl.grants
  return (
    grants.some((g) => g.effect === 'allow' && grantMatches(acl, g, request)) &&
    !grants.some((g) => g.effect === 'deny' && grantMatches(acl, g, request))
  )
}

/** A finding's witness as a request. */
export function requestOf(witness: Record<string, unknown>): Request {
  return {
    subject: String(witness.subject),
    permission: String(witness.permission),
    resource: String(witness.resource),
    context: Object.fromEntries(
      Object.entries((witness.context ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
    ),
  }
}

/** The file's name in every comparison of the fixture cases. */
const FILE = 'acl'

/** Fixture cases: one ACL file per side (`baseline.yaml|json`, `target.yaml|json`), read as `acl`. */
export const oracle: Oracle = {
  fixtureFile: () => FILE,
  confirms: (f, {baseline, target}) => {
    const request = requestOf(f.witness!)
    const [more, less] = f.change === 'widening' ? [target, baseline] : [baseline, target]
    const value = (side: typeof baseline) => side.get(FILE)?.value as AclJson | undefined
    return allows(value(more), request) && !allows(value(less), request)
  },
}
