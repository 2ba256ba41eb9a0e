// Does one version of a CODEOWNERS file allow a finding's witness? Semantic blame asks this of every
// version of the finding's file, with the kind's other files as they are in the target: the file
// GitHub reads depends on which of the three locations exist.

import type {Witness} from '../../kernel/types.js'
import {decidingRule, effectiveFile, NO_OWNER, principal, rulesOf} from './model.js'

/**
 * `{path, approver}`: the approver's review counts for the path (it is an owner, or the path has
 * none and anyone's does). `{path, owner: "no owner"}`: the path needs no code-owner review.
 * Values that are not CODEOWNERS files allow nothing.
 */
export function allowsWitness(
  value: unknown,
  witness: Witness,
  file: string,
  others: Map<string, unknown>,
): boolean {
  return decides(witness, file, new Map(others).set(file, value))
}

/** The same question where `file` does not exist: the next of the three locations decides, or none. */
export function allowsWithout(witness: Witness, file: string, others: Map<string, unknown>): boolean {
  const state = new Map(others)
  state.delete(file)
  return decides(witness, file, state)
}

/** Whether the witness holds when the files in `state` exist (which of them GitHub reads depends on `file`'s place). */
function decides(witness: Witness, file: string, state: Map<string, unknown>): boolean {
  if (typeof witness.path !== 'string') return false
  const effective = effectiveFile(file, (p) => state.has(p))
  let owners: string[]
  try {
    const rules = effective === undefined ? [] : rulesOf(state.get(effective))
    owners = decidingRule(rules, witness.path)?.principals ?? []
  } catch {
    return false
  }
  if (witness.owner === NO_OWNER) return owners.length === 0
  if (typeof witness.approver !== 'string') return false
  return owners.length === 0 || owners.includes(principal(witness.approver))
}
