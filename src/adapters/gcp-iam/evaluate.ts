// Does one version of a file allow one concrete request (a finding's witness)? Semantic blame
// asks this of every version of a finding's file: a policy file, or the file of a custom role
// whose change opened the access (the witness then names the policy file as its `resource`).

import type {Witness} from '../../kernel/types.js'
import {logged} from './audit.js'
import {conditionDimension, STRING_ATTRIBUTES, TIME_ATTRIBUTES} from './cel.js'
import {compilePolicy, GRANT, MEMBER, newContext, ruleHolds} from './compile.js'
import {isPolicy, normalizeMember, roleTable} from './model.js'

/** A witness as the engine's raw request: dimension → value. */
function rawRequest(witness: Witness): Map<string, {value: unknown}> {
  const request = new Map<string, {value: unknown}>()
  if (typeof witness.member === 'string') request.set(MEMBER, {value: normalizeMember(witness.member)})
  const grant = typeof witness.permission === 'string' ? witness.permission : witness.role
  if (typeof grant === 'string') request.set(GRANT, {value: grant})
  const context = (witness.context ?? {}) as Record<string, unknown>
  for (const attribute of TIME_ATTRIBUTES) {
    const v = context[attribute]
    const ms = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN
    if (Number.isFinite(ms)) request.set(conditionDimension(attribute), {value: ms})
  }
  for (const attribute of STRING_ATTRIBUTES) {
    const v = context[attribute]
    if (typeof v === 'string') request.set(conditionDimension(attribute), {value: v})
  }
  return request
}

/**
 * Whether the repository state — `value` at `file`, the kind's `others` as they are in the
 * target — allows the witness on the policy it names. Attributes the witness leaves out, and
 * conditions acldrift cannot interpret, are taken as holding: a version is never wrongly cleared.
 * For an `audit-logging-reduced` witness, "allows" means the reduction is there (not logged).
 */
export function allowsWitness(
  value: unknown,
  witness: Witness,
  file: string,
  others: Map<string, unknown>,
): boolean {
  const state = new Map(others)
  state.set(file, value)
  const path = typeof witness.resource === 'string' && state.has(witness.resource) ? witness.resource : file
  const policy = state.get(path)
  if (!isPolicy(policy)) return false
  if (typeof witness.auditLog === 'string') {
    const member = typeof witness.member === 'string' ? normalizeMember(witness.member) : undefined
    return !logged(policy, String(witness.service), witness.auditLog, member)
  }
  const rules = compilePolicy(policy, roleTable(state), newContext())
  const request = rawRequest(witness)
  return rules.some((rule) => ruleHolds(rule, (dim) => request.get(dim)))
}
