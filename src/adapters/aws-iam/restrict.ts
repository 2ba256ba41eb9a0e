// Which statements a comparison of two versions of one policy can leave out: the unchanged
// Allows that share no service with anything that changed. A managed policy of 500 statements
// that gains an action in one of them is then compared on the statements of that one service.
//
// Why the result is the same. A statement is *unchanged* when it has a Sid that no other
// statement of either version has, and the same text (Sid included) in both versions, in the
// same policy of the file; every other statement of either version is *changed*. Leave out an
// unchanged Allow U only when its Action patterns name services none of the changed statements'
// Action or NotAction patterns can reach (a pattern whose service part has a wildcard, a
// NotAction or a statement without Action reaches every service: then nothing is left out).
// AWS matches an action's service part before its name, case aside (IAM JSON policy elements:
// Action, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html),
// so `ec2:Describe*` matches only actions of the service `ec2`. Take any request r:
//   - if some left-out U matches r, no changed statement does (it would reach r's service), so
//     every statement of either version that matches r is unchanged, and the unchanged
//     statements are the same in both versions: both versions decide r alike, with or without
//     the left-out statements (which are left out of both), and r is in no difference;
//   - otherwise no left-out statement matches r, and leaving them out changes neither decision.
// So every difference defined request by request (what the target allows and the baseline does
// not, the reverse, what a baseline Deny stopped that the target neither denies nor allows) is
// the same, and so is every verdict on a request (a witness's). Denies are never left out. (A
// search the engine gives up on for its number of patterns, engine/search.ts, may be decided
// on fewer: the restricted comparison is then exact where the whole one says "possible".)
//
// What reads statements beyond a request's own action is given every statement: the pairing of
// statements with their previous versions (pair.ts; a left-out statement, its Sid unique, is
// paired with its own copy), the names and principals a witness may show, the condition keys'
// traits, and the classification of a widening, which names the first baseline statement that
// allowed the request's principal and resource with any action (compare.ts compiles the whole
// baseline for it when a widening asks).
//
// Left out of this: documents with policy variables or a template's values (their symbols are
// read across statements) and composed exports with a permissions boundary (each identity
// Allow is joined with the boundary's).

import {hasSymbol} from '../../kernel/symbols.js'
import type {Statement} from './compile.js'

/** Every service: a pattern, NotAction or missing Action that can reach any of them. */
const ANY = 'any'

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

/** The services a statement's action patterns can reach, as AWS reads them (whitespace and case aside). */
function servicesOf(s: Statement): Set<string> | typeof ANY {
  if ('NotAction' in s.raw || !('Action' in s.raw)) return ANY
  const services = new Set<string>()
  for (const action of list(s.raw.Action)) {
    const text = String(action).replace(/\s+/g, '').toLowerCase()
    const colon = text.indexOf(':')
    const service = colon < 0 ? '' : text.slice(0, colon)
    if (service === '' || /[*?$]/.test(service) || hasSymbol(service)) return ANY
    services.add(service)
  }
  return services
}

/** Whether a statement's action patterns can match an action of `service` (lower case). */
export function reachesService(s: Statement, service: string): boolean {
  const services = servicesOf(s)
  return services === ANY || services.has(service)
}

/** The policy of the file a statement belongs to (a composed export holds several). */
const policyOf = (s: Statement) => s.pointer.slice(0, s.pointer.lastIndexOf('/Statement'))

/**
 * The statements both versions hold unchanged that no changed statement's services reach (each
 * version's copy), or none where the documents' texts (access.ts accessText) hold symbols.
 */
export function unrelatedStatements(
  baseline: readonly Statement[],
  target: readonly Statement[],
  texts: readonly string[],
): Set<Statement> {
  const left = new Set<Statement>()
  if (texts.some((text) => text.includes('${') || hasSymbol(text))) return left
  if ([...baseline, ...target].some((s) => s.boundary === true)) return left
  const sids = new Map<string, number>()
  for (const s of [...baseline, ...target])
    if (s.sid !== undefined) sids.set(s.sid, (sids.get(s.sid) ?? 0) + 1)
  const textOf = (s: Statement) => `${policyOf(s)}\n${JSON.stringify(s.raw)}`
  // A Sid held by exactly one statement of each version, with the same text in both.
  const bySid = new Map<string, Statement>()
  for (const b of baseline) if (b.sid !== undefined && sids.get(b.sid) === 2) bySid.set(b.sid, b)
  const copies = new Map<Statement, Statement>()
  for (const t of target) {
    const b = t.sid === undefined ? undefined : bySid.get(t.sid)
    if (b !== undefined && textOf(b) === textOf(t)) copies.set(t, b)
  }
  const unchanged = new Set([...copies.keys(), ...copies.values()])
  const reached = new Set<string>()
  for (const s of [...baseline, ...target]) {
    if (unchanged.has(s)) continue
    const services = servicesOf(s)
    if (services === ANY) return left
    for (const service of services) reached.add(service)
  }
  for (const [t, b] of copies) {
    if (t.effect !== 'allow') continue
    const services = servicesOf(t)
    if (services !== ANY && [...services].every((service) => !reached.has(service))) left.add(t).add(b)
  }
  return left
}
