// Does one version of an ACL file allow one concrete request (a finding's witness)? Semantic
// blame asks this of every version of the file, valid or not: what cannot be read allows nothing.

import type {Witness} from '../../kernel/types.js'
import {allowedBy, compileGrants, type Request} from './compile.js'
import {detect} from './detect.js'
import {readAcl} from './model.js'

/**
 * The request a witness names. `history --principal/--action` put `principal` and `action` on
 * top of a witness: for this kind they are the subject and the permission.
 */
export function asked(witness: Witness): Witness {
  const {principal, action, ...rest} = witness
  return {
    ...rest,
    ...(principal === undefined ? {} : {subject: principal}),
    ...(action === undefined ? {} : {permission: action}),
  }
}

export function allowsWitness(value: unknown, witness: Witness): boolean {
  if (!detect(value)) return false
  const {subject, permission, resource} = asked(witness)
  if (typeof subject !== 'string' || typeof permission !== 'string' || typeof resource !== 'string')
    return false
  const context: Record<string, string> = {}
  const raw = witness.context
  if (typeof raw === 'object' && raw !== null)
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') context[k] = v
  const request: Request = {subject, permission, resource, context}
  const acl = readAcl(value)
  return allowedBy(compileGrants(acl.grants, acl), request)
}
