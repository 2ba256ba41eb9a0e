// Whether an approval of one ACL access covers a finding about another (Adapter.covers), decided
// by the comparison engine itself. A widening by an allow grant records the grant (its subjects
// and permissions with the version's groups and roles expanded, its resources and conditions) and
// every deny of that version (compare.ts, draftOf): the requests it allows are the grant's less
// the denied ones. Each such access becomes an ACL of its own, and the approval covers the
// finding when the finding's ACL allows nothing the approved one does not — no widening and no
// possible widening (a pattern or condition the engine cannot decide, a comparison cut short: not
// covered). Other causes (a deny removed or narrowed, a member or permission added to a group or
// role) are covered only by themselves (the caller asks sameAccess).

import type {ParsedFile} from '../../kernel/types.js'
import {compareAclFile} from './compare.js'

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string')

/** A grant as compare.ts's grantAccess records it, as a grant of the ACL format; undefined for another shape. */
function grantOf(v: unknown, effect: 'allow' | 'deny'): Record<string, unknown> | undefined {
  if (!isRecord(v) || Object.keys(v).sort().join() !== 'conditions,effect,permissions,resources,subjects')
    return undefined
  const {subjects, permissions, resources, conditions} = v
  if (v.effect !== effect || !strings(subjects) || !strings(permissions) || !strings(resources))
    return undefined
  if (!isRecord(conditions) || !Object.values(conditions).every((c) => typeof c === 'string' || strings(c)))
    return undefined
  return {effect, subjects, permissions, resources, conditions}
}

/** A widening by an allow grant, as an ACL: the grant and the denies that cut it. */
function aclOf(access: unknown): ParsedFile | undefined {
  if (!isRecord(access) || Object.keys(access).sort().join() !== 'cause,cutBy') return undefined
  const {cause, cutBy} = access
  if (!isRecord(cause) || Object.keys(cause).join() !== 'grant' || !Array.isArray(cutBy)) return undefined
  const allow = grantOf(cause.grant, 'allow')
  const denies = cutBy.map((d) => grantOf(d, 'deny'))
  if (allow === undefined || denies.some((d) => d === undefined)) return undefined
  const value = {apiVersion: 'acldrift.dev/acl/v1', grants: [allow, ...denies]}
  return {path: '(approved access)', value, sourceMap: {locate: () => undefined}, hash: ''}
}

export function impliedBy(approved: unknown, access: unknown): boolean {
  const a = aclOf(approved)
  const b = aclOf(access)
  if (a === undefined || b === undefined) return false
  const {findings} = compareAclFile('(approved access)', a, b)
  return findings.every((f) => f.change === 'narrowing')
}
