// Whether an approval of one ACL access covers a finding about another (Adapter.covers), decided
// by the comparison engine itself. Each widening's access (compare.ts, wideningAccess) bounds the
// requests it lets in by a region of the target, which the gate can rebuild as an ACL of its own:
// - an allow grant added or widened: the grant (its subjects and permissions with the version's
//   groups and roles expanded, its resources and conditions) less every deny of that version;
// - a deny removed or narrowed, or a group or role definition changed: every allow grant of that
//   version less every deny of it, i.e. all the version allows (what it lets in lies there).
// Each region lies inside what its version allows, so the approval covers the finding when the
// finding's region allows nothing the approved one does not: what the edit lets in is then
// allowed by the approved state. Not covered when the comparison finds a widening or a possible
// one (a pattern or condition the engine cannot decide, a comparison cut short), or for another
// shape (the caller asks sameAccess first).
//
// A finding no approval covers gets a witness no approval grants (witnessBeyond): the file is
// compared again with its baseline, leaving out every request an approved region allows (the
// target's region less the baseline's less the approved ones), and the witness of that
// comparison's finding at the same place is kept.

import type {Finding, ParsedFile, Witness} from '../../kernel/types.js'
import {approvedAccessFile, findingLike} from '../adapter.js'
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

/** The region a widening's access bounds, as an ACL: its grant or its version's allow grants, and the denies that cut them. */
function aclOf(access: unknown): ParsedFile | undefined {
  if (!isRecord(access) || !isRecord(access.cause) || !Array.isArray(access.cutBy)) return undefined
  const {cause, cutBy, allows} = access
  const keys = Object.keys(access).sort().join()
  const own = Object.keys(cause).join() === 'grant'
  if (keys !== (own ? 'cause,cutBy' : 'allows,cause,cutBy')) return undefined
  const allowed = own ? [cause.grant] : allows
  if (!Array.isArray(allowed)) return undefined
  const grants = [...allowed.map((g) => grantOf(g, 'allow')), ...cutBy.map((d) => grantOf(d, 'deny'))]
  if (grants.some((g) => g === undefined)) return undefined
  const value = {apiVersion: 'acldrift.dev/acl/v1', grants}
  return approvedAccessFile(value)
}

export function impliedBy(approved: unknown, access: unknown): boolean {
  const a = aclOf(approved)
  const b = aclOf(access)
  if (a === undefined || b === undefined) return false
  const {findings} = compareAclFile('(approved access)', a, b)
  return findings.every((f) => f.change === 'narrowing')
}

/**
 * A request the finding's cause lets in that neither the baseline nor any approved region allows:
 * the comparison of the file with its baseline, without the requests of the approved regions (a
 * widening's access of a shape aclOf reads), and the witness of its finding at the same place.
 * Undefined when none is found: every request of the cause beyond the baseline is approved (or
 * possible only), and the finding keeps its witness.
 */
export function witnessBeyond(
  finding: Finding,
  key: string,
  baseline: ParsedFile | undefined,
  target: ParsedFile,
  approved: readonly unknown[],
): Witness | undefined {
  const regions = approved.map(aclOf).filter((a): a is ParsedFile => a !== undefined)
  if (regions.length === 0) return undefined
  const same = findingLike(compareAclFile(key, baseline, target, regions).findings, finding)
  return same?.witness ?? undefined
}
