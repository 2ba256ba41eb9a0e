// An independent evaluator of _template files, for the fixture and property tests. It shares no
// code with src/adapters/_template: the format's semantics (schemas/_template.schema.json) are
// applied to the raw value, one concrete request at a time, with the hand-written wildcard matcher
// of ../wildcard.ts, over a finite universe of requests that the tests choose.

import {wildcard} from '../wildcard.js'

export interface GrantJson {
  subject: string
  permission: string
}

export interface TemplateKindJson {
  apiVersion: string
  grants: GrantJson[]
}

export interface Request {
  subject: string
  permission: string
}

/** Whether a file (undefined: no file) allows a request: some grant matches both its parts. */
export function allows(doc: TemplateKindJson | undefined, request: Request): boolean {
  return (doc?.grants ?? []).some(
    (g) => wildcard(g.subject, request.subject) && wildcard(g.permission, request.permission),
  )
}

/** A finding's witness as a request. */
export function requestOf(witness: Record<string, unknown> | null): Request {
  if (typeof witness?.subject !== 'string' || typeof witness.permission !== 'string')
    throw new Error(`not a request: ${JSON.stringify(witness)}`)
  return {subject: witness.subject, permission: witness.permission}
}

/** Every request of `subjects` × `permissions` that `more` allows and `less` does not. */
export function differing(
  more: TemplateKindJson | undefined,
  less: TemplateKindJson | undefined,
  subjects: string[],
  permissions: string[],
): Request[] {
  return subjects
    .flatMap((subject) => permissions.map((permission) => ({subject, permission})))
    .filter((request) => allows(more, request) && !allows(less, request))
}
