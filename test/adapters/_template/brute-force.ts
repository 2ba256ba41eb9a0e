// An independent evaluator of _template files, for the fixture and property tests. It shares no
// code with src/adapters/_template: the format's semantics (schemas/_template.schema.json) are
// applied to the raw value, one concrete request at a time, with the hand-written wildcard matcher
// of ../wildcard.ts, over a finite universe of requests that the tests choose. `oracle` is what the
// one fixture runner (../fixtures.test.ts) asks of it.

import type {Finding} from '../../../src/kernel/types.js'
import type {Oracle} from '../oracle.js'
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

/** The path every single-file case is read under. */
const FILE = 'access/grants.yaml'

const sideValue = (side: Map<string, {value: unknown}>) =>
  side.get(FILE)?.value as TemplateKindJson | undefined

/** What the one fixture runner asks of this kind (test/adapters/oracle.ts). */
export const oracle: Oracle = {
  fixtureFile: () => FILE,
  confirms: (f, {baseline, target}) => {
    const request = requestOf(f.witness)
    const [more, less] = f.change === 'narrowing' ? [baseline, target] : [target, baseline]
    return allows(sideValue(more), request) && !allows(sideValue(less), request)
  },
  // Sound over every request the two files' own names make up, and one name neither makes.
  missed: (findings, {baseline, target}) => {
    const [base, tgt] = [sideValue(baseline), sideValue(target)]
    const names = (part: 'subject' | 'permission') => [
      ...new Set([...(base?.grants ?? []), ...(tgt?.grants ?? [])].map((g) => g[part])),
      `unnamed-${part}`,
    ]
    const reported = (change: Finding['change']) => findings.some((f) => f.change === change)
    const missed: string[] = []
    if (differing(tgt, base, names('subject'), names('permission')).length > 0 && !reported('widening'))
      missed.push('the target allows a request the baseline does not, and no widening says so')
    if (differing(base, tgt, names('subject'), names('permission')).length > 0 && !reported('narrowing'))
      missed.push('the baseline allowed a request the target does not, and no narrowing says so')
    return missed
  },
}
