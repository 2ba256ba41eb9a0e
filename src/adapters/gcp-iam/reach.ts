// Which documents a change of GCP IAM documents can reach: the comparison of the kind as a whole
// (compare.ts) compares each changed policy, and each policy that binds a custom role whose
// permissions changed, under the role tables of both sides; a policy's comparison reads only its
// own bindings and the definitions of the roles it binds. So a changed policy needs the
// definitions of the roles it binds (on either side), and a changed role definition needs every
// policy that binds its name, with the definitions of the roles those bind. A role defined in
// several documents is read as one (model.ts, roleTable, with a note naming both): when in
// doubt, every document.

import {canonicalJson} from '../../kernel/hash.js'
import type {Document} from '../../kernel/types.js'
import {isPolicy, isRoleDefinition} from './detect.js'
import {bindingsOf} from './model.js'

/** A document's role name (a custom role definition) and the roles it binds (a policy). */
function summaryOf(value: unknown): {defines: string | undefined; binds: string[]} {
  const defines = isRoleDefinition(value) && typeof value.name === 'string' ? value.name : undefined
  return {defines, binds: isPolicy(value) ? bindingsOf(value).map((b) => b.role) : []}
}

/**
 * The keys of the documents the comparison of `baseline` with `target` needs, or undefined for
 * all of them. Documents are read by value: a key whose documents are equal on both sides is
 * unchanged, and may stand as its skeleton (detect.ts, gcpSkeleton).
 */
export function reachOf(
  baseline: Map<string, Document>,
  target: Map<string, Document>,
): Set<string> | undefined {
  const keys = [...new Set([...baseline.keys(), ...target.keys()])]
  const sides = [baseline, target].map(
    (documents) => new Map([...documents].map(([key, d]) => [key, summaryOf(d.value)])),
  )
  const definitions = new Map<string, Set<string>>()
  for (const side of sides) {
    const named = new Set<string>()
    for (const [key, {defines}] of side) {
      if (defines === undefined) continue
      if (named.has(defines)) return undefined
      named.add(defines)
      definitions.set(defines, (definitions.get(defines) ?? new Set()).add(key))
    }
  }
  const differ = keys.filter((key) => {
    const [a, b] = [baseline.get(key), target.get(key)]
    return a === undefined || b === undefined || canonicalJson(a.value) !== canonicalJson(b.value)
  })
  const of = (key: string) => sides.map((side) => side.get(key)).filter((s) => s !== undefined)
  // The roles whose definition changed, and the policies that bind one of them on either side.
  const changedRoles = new Set(differ.flatMap((key) => of(key).map((s) => s.defines)))
  const policies = new Set(differ)
  for (const key of keys)
    if (of(key).some((s) => s.binds.some((role) => changedRoles.has(role)))) policies.add(key)
  const given = new Set(policies)
  for (const key of policies)
    for (const s of of(key))
      for (const role of s.binds) for (const file of definitions.get(role) ?? []) given.add(file)
  return given
}
