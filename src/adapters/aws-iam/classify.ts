// Which rule a change is: what changed, not the shape of the statement. A widening is named, after
// the changes that are alarming whatever came before (a Deny that no longer applies, public
// access, administrator access, privilege escalation), by what the responsible statement's own
// previous version (pair.ts) lacked of the witness: the action, or the resource. Otherwise (a new
// statement, or a changed one whose previous version lacked both) by the baseline statement that
// came closest to allowing the witness and what it lacked (a condition, the principal, the
// action, the resource): a statement added on `*` for an action the baseline allowed on other
// resources only widens that action's resources (`wildcard-resource`); one for an action the
// baseline allowed nowhere is a new grant or a wildcard action, never a wildcard resource.

import {leafHolds} from '../../engine/domains.js'
import {familyIndex} from '../../engine/families.js'
import {evaluate} from '../../engine/formula.js'
import {compileGlob, globMatches} from '../../engine/glob.js'
import {hasSymbol} from '../../kernel/symbols.js'
import type {Severity} from '../../kernel/types.js'
import {PRIVILEGE_ESCALATION} from './catalogue.js'
import {ANYONE, type CompiledRule, IDENTITY, IDENTITY_ALLOWS} from './compile.js'
import type {AwsRule} from './rules.js'
import type {Request} from './witness.js'

export interface Classified {
  rule: AwsRule
  severity: Severity
  /** the baseline statement this access exceeds (or, for narrowings, the target one) */
  related: CompiledRule | undefined
}

const asList = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String))
const hasWildcard = (patterns: string[]) => patterns.some((p) => p.includes('*') || p.includes('?'))

const REQUEST_DIMENSIONS = ['principal', 'action', 'resource'] as const

/**
 * Whether `rule` allows the request's value of each of `dims` (its conditions aside). Dimension by
 * dimension, stopping at the first miss: classification asks this of every baseline statement.
 */
export const allows = (rule: CompiledRule, request: Request, ...dims: string[]) =>
  dims.every((dim) => {
    const predicate = rule.predicates.get(dim)
    return (
      predicate === undefined ||
      !request.has(dim) ||
      evaluate(predicate, (l) => leafHolds(l, request.get(dim)))
    )
  })

/** Whether the statement reaches the witness's value through a wildcard (or a Not… element) rather than by naming it. */
function throughWildcard(
  raw: Record<string, unknown>,
  field: 'Action' | 'Resource',
  value: unknown,
): boolean {
  if (`Not${field}` in raw) return true
  const patterns = asList(raw[field])
  // A pattern names the value only without wildcards: a witness resource `*` (an action that takes
  // no resource ARN) is reached through the wildcard `*`, not named by it.
  const named = patterns.some(
    (p) => !hasWildcard([p]) && (field === 'Action' ? p.toLowerCase() === value : p === value),
  )
  return hasWildcard(patterns) && !named
}

/**
 * Whether the statement reaches the action only through a template's unresolved value
 * (`Action: !Ref ExtraAction`, a managed policy whose content is not given): which actions it
 * grants cannot be listed, so the witness's action is one possibility, not the change.
 */
function onlyThroughSymbol(raw: Record<string, unknown>, action: unknown): boolean {
  if (!('Action' in raw) || typeof action !== 'string') return false
  const actions = asList(raw.Action)
  if (!actions.some(hasSymbol)) return false
  return !actions
    .filter((a) => !hasSymbol(a))
    .some((a) => globMatches(compileGlob(a.replace(/\s+/g, '').toLowerCase(), {wildcards: true}), action))
}

interface Index {
  action: (value: unknown) => readonly CompiledRule[]
  resource: (value: unknown) => readonly CompiledRule[]
}

/**
 * The statements, in order, that may allow the request's values of `dims`: those of the smaller
 * of the action's and the resource's families (familyIndex), or all of them.
 */
function candidates(
  index: Index,
  rules: readonly CompiledRule[],
  request: Request,
  dims: readonly string[],
): readonly CompiledRule[] {
  let among = rules
  for (const dim of ['action', 'resource'] as const) {
    if (!dims.includes(dim)) continue
    const family = index[dim](request.get(dim))
    if (family.length < among.length) among = family
  }
  return among
}

/** The statements by family of action and of resource, once per baseline. */
const indexes = new WeakMap<readonly CompiledRule[], Index>()
function indexOf(baseline: readonly CompiledRule[]): Index {
  let index = indexes.get(baseline)
  if (index === undefined) {
    index = {action: familyIndex(baseline, 'action'), resource: familyIndex(baseline, 'resource')}
    indexes.set(baseline, index)
  }
  return index
}

/**
 * The rule of a widening: `request` is its witness, `responsible` the target rule that allows it,
 * `previous` the rules of that statement's previous version (none: a new statement).
 */
export function classifyWidening(
  request: Request,
  responsible: CompiledRule,
  baseline: readonly CompiledRule[],
  removedDeny: CompiledRule | undefined,
  previous: readonly CompiledRule[] = [],
): Classified {
  const raw = responsible.statement.raw
  const action = request.get('action')
  const actions = asList(raw.Action)
  const resources = asList(raw.Resource)
  // A statement that reaches the action only through a template's value (a managed policy whose
  // content is not given) may or may not allow it: it is no baseline access to name the change by.
  const allowing = (b: CompiledRule, dims: string[]) =>
    b.effect === 'allow' && allows(b, request, ...dims) && !onlyThroughSymbol(b.statement.raw, action)
  // The statement's previous version, where it allows the request's values of `dims`.
  const before = (...dims: string[]) => previous.find((b) => allowing(b, dims))
  const index = indexOf(baseline)
  // The baseline Allow that allows the request's values of `dims`: the statement's previous
  // version, else the first such statement, looked for among those of the value's family only (a
  // rewrite of 1,000 statements asks this of each of them).
  const closest = (...dims: string[]) =>
    before(...dims) ?? candidates(index, baseline, request, dims).find((b) => allowing(b, dims))
  const covering = closest(...REQUEST_DIMENSIONS)
  const related =
    covering ?? previous[0] ?? closest('action', 'resource') ?? closest('action') ?? closest('principal')

  // Cells a baseline Deny covered are grouped apart: what changed for them is the Deny.
  const publicAccess = request.get('principal') === ANYONE
  if (removedDeny)
    return {rule: 'deny-removed', severity: publicAccess ? 'critical' : 'high', related: removedDeny}
  if (publicAccess) return {rule: 'public-principal', severity: 'critical', related}
  if (actions.some((a) => a === '*' || a === '*:*') && (resources.length === 0 || resources.includes('*'))) {
    return {rule: 'admin-wildcard', severity: 'critical', related}
  }
  if (onlyThroughSymbol(raw, action)) return {rule: 'unknown-action', severity: 'low', related}
  if (typeof action === 'string' && PRIVILEGE_ESCALATION.has(action)) {
    return {rule: 'privilege-escalation', severity: 'high', related}
  }
  const throughAction = throughWildcard(raw, 'Action', action)
  const throughResource = throughWildcard(raw, 'Resource', request.get('resource'))
  // New access named in the statement, not through a wildcard: low; through one, medium.
  const newGrant = (at: CompiledRule | undefined): Classified => ({
    rule: 'new-grant',
    severity: throughAction || throughResource ? 'medium' : 'low',
    related: at,
  })
  // What the statement's previous version lacked is what changed, whatever other statements
  // allowed: an action added to a statement on `Resource: "*"` is a change of its actions (a new
  // grant, or a wildcard action), even where another statement allowed that action on fewer
  // resources; a resource widened to `*` is a change of its resources (a wildcard resource), even
  // where its actions are a wildcard and another statement is on `*` too.
  if (!before(...REQUEST_DIMENSIONS)) {
    const hadResource = before('principal', 'resource')
    const hadAction = before('principal', 'action')
    if (hadResource && !hadAction)
      return throughAction
        ? {rule: 'wildcard-action', severity: 'medium', related: hadResource}
        : newGrant(hadResource)
    if (hadAction && !hadResource)
      return throughResource
        ? {rule: 'wildcard-resource', severity: 'medium', related: hadAction}
        : newGrant(hadAction)
  }
  // The same principal, action and resource were allowed through the account's own policies.
  if (request.has(IDENTITY) && request.get(IDENTITY) !== IDENTITY_ALLOWS && covering !== undefined)
    return {rule: 'delegation-removed', severity: 'medium', related: covering}
  if (covering) return {rule: 'condition-removed', severity: 'medium', related: covering}
  const otherPrincipal = closest('action', 'resource')
  if (otherPrincipal) return {rule: 'new-principal', severity: 'medium', related: otherPrincipal}
  // The baseline let this principal at this resource, not with this action: the actions grew.
  const sameResource = closest('principal', 'resource')
  if (sameResource && throughAction)
    return {rule: 'wildcard-action', severity: 'medium', related: sameResource}
  // The baseline let this principal call this action elsewhere: the resources grew.
  const sameAction = closest('principal', 'action')
  if (sameAction && throughResource)
    return {rule: 'wildcard-resource', severity: 'medium', related: sameAction}
  // New access: a statement added, or an action or resource named for the first time (a whole
  // policy added is named `new-policy` where the rule is given its name: compare.ts namedFor).
  return newGrant(sameResource ?? sameAction ?? related)
}

export function classifyNarrowing(
  request: Request,
  target: readonly CompiledRule[],
  addedDeny: CompiledRule | undefined,
): Classified {
  if (addedDeny) return {rule: 'deny-added', severity: 'low', related: addedDeny}
  const covering = candidates(indexOf(target), target, request, REQUEST_DIMENSIONS).find(
    (t) => t.effect === 'allow' && allows(t, request, ...REQUEST_DIMENSIONS),
  )
  if (covering) return {rule: 'condition-added', severity: 'low', related: covering}
  return {rule: 'grant-removed', severity: 'low', related: undefined}
}
