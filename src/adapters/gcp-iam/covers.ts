// Whether an approval of one binding covers a finding about another (Adapter.covers): the same
// policy and role granting the same permissions, to members that are some of the approved ones,
// under a condition at least as strict. A member string names the same principals wherever it
// stands, so fewer members grant to fewer; a binding that had no condition is the widest one, so
// any condition added narrows it. Two different conditions are not compared (not covered).
//
// A finding no approval covers gets a witness no approval grants (witnessBeyond): the policy is
// compared again against its baseline with the approved bindings added.

import {findingLike, NO_LINES} from '../adapter.js'
import {canonicalAccess} from '../../kernel/findings.js'
import type {Finding, ParsedFile, Witness} from '../../kernel/types.js'
import {comparePolicy} from './compare.js'
import {allowsWitness} from './evaluate.js'
import {isPolicy, roleTable} from './model.js'

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

/**
 * A request the finding's binding grants that neither the baseline policy nor any approved
 * binding does: the policy compared again, against its baseline with the approved bindings added
 * (under the baseline's role definitions), and the witness of that comparison's finding at the
 * same binding kept only when no approved binding, read with the grants recorded when it was
 * approved, allows it. Undefined when none is found: the finding keeps its witness.
 */
export function witnessBeyond(
  finding: Finding,
  key: string,
  baseline: ParsedFile | undefined,
  target: ParsedFile,
  approved: readonly unknown[],
  sides: {baseline: Map<string, ParsedFile>; target: Map<string, ParsedFile>},
): Witness | undefined {
  const accesses = approved.map(bindingAccess).filter((a): a is BindingAccess => a !== undefined)
  const before = baseline === undefined ? {} : baseline.value
  if (accesses.length === 0 || !isRecord(before) || !isPolicy(target.value)) return undefined
  const listed = Array.isArray(before.bindings) ? before.bindings : []
  const widened: ParsedFile = {
    path: key,
    value: {...before, bindings: [...listed, ...accesses.map(bindingOf)]},
    sourceMap: baseline?.sourceMap ?? NO_LINES,
    hash: '',
  }
  const values = (docs: Map<string, ParsedFile>) =>
    [...docs].map(([path, d]) => [path, d.value] as [string, unknown])
  const {findings} = comparePolicy(
    key,
    widened,
    target,
    {roles: roleTable(values(sides.baseline), 'intersection'), docs: sides.baseline},
    {roles: roleTable(values(sides.target), 'union'), docs: sides.target},
  )
  const same = findingLike(findings, finding)
  if (same === undefined) return undefined
  const granted = accesses.some((a) =>
    allowsWitness({bindings: [bindingOf(a)]}, same.witness!, key, recordedRole(a)),
  )
  return granted ? undefined : same.witness!
}

/** An approved binding as a policy's binding. */
const bindingOf = ({binding}: BindingAccess) => ({
  role: binding.role,
  members: binding.members,
  ...(binding.condition === null ? {} : {condition: {expression: binding.condition}}),
})

/** A custom role as it was defined when the binding was approved (its recorded grants). */
function recordedRole({binding}: BindingAccess): Map<string, unknown> {
  if (binding.defined !== true || typeof binding.role !== 'string' || !Array.isArray(binding.grants))
    return new Map()
  return new Map([['(approved role)', {name: binding.role, includedPermissions: binding.grants}]])
}
