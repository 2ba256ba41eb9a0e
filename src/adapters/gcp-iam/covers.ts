// Whether an approval of one binding covers a finding about another (Adapter.covers): the same
// policy and role granting the same permissions, to members that are some of the approved ones,
// under a condition at least as strict. A member string names the same principals wherever it
// stands, so fewer members grant to fewer; a binding that had no condition is the widest one, so
// any condition added narrows it. Two different conditions are not compared (not covered).

import {canonicalAccess} from '../../kernel/findings.js'

interface BindingAccess {
  policy: unknown
  binding: {role: unknown; grants: unknown; defined: unknown; members: unknown[]; condition: unknown}
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** A binding's access as compare.ts records it (`{policy, binding}`), or undefined for another shape. */
function bindingAccess(access: unknown): BindingAccess | undefined {
  if (!isRecord(access) || Object.keys(access).sort().join() !== 'binding,policy') return undefined
  const {binding} = access
  if (!isRecord(binding) || !Array.isArray(binding.members)) return undefined
  return access as unknown as BindingAccess
}

export function impliedBy(approved: unknown, access: unknown): boolean {
  const a = bindingAccess(approved)
  const b = bindingAccess(access)
  if (a === undefined || b === undefined) return false
  const same = (x: unknown, y: unknown) => canonicalAccess(x) === canonicalAccess(y)
  const {binding: was} = a
  const {binding: now} = b
  if (!same(a.policy, b.policy) || !same(was.role, now.role) || !same(was.grants, now.grants)) return false
  if (was.defined !== now.defined) return false
  const members = new Set(was.members.map(canonicalAccess))
  if (!now.members.every((m) => members.has(canonicalAccess(m)))) return false
  return was.condition === null || same(was.condition, now.condition)
}
