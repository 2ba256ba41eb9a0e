// An ACL compiled into rules of the comparison engine: one rule per grant, with a predicate on
// each request dimension — subject, permission, resource, and each context key the grant
// constrains. Groups and roles are expanded when compiling, so the same grants can be compiled
// under another version's definitions (which tells a grant's change from a group's or role's).

import {type AnyLeaf, type GlobLeaf, leafHolds, presentAnd, stringDomain} from '../../engine/domains.js'
import {and, evaluate, type Formula, leaf, not, or} from '../../engine/formula.js'
import {compileGlob} from '../../engine/glob.js'
import type {Dimension, Rule} from '../../engine/search.js'
import {type Acl, type Grant, GROUP_PREFIX, groupRef, rolePermissions, subjectPatterns} from './model.js'

export const SUBJECT = 'subject'
export const PERMISSION = 'permission'
export const RESOURCE = 'resource'
export const CONTEXT = 'context:'

export interface CompiledRule extends Rule {
  grant: Grant
}

/** A concrete request: every dimension's value (a missing context key is absent). */
export interface Request {
  subject: string
  permission: string
  resource: string
  context: Record<string, string>
}

const leaves = new Map<string, GlobLeaf>()

/** `*` any run of characters, `?` one character, everything else literal. */
export function patternLeaf(pattern: string): GlobLeaf {
  let l = leaves.get(pattern)
  if (l === undefined) {
    const glob = compileGlob(pattern, {wildcards: true})
    l = {key: `glob:${glob.key}`, type: 'glob', glob}
    leaves.set(pattern, l)
  }
  return l
}

const anyOf = (patterns: string[]): Formula<AnyLeaf> => or(...patterns.map((p) => leaf(patternLeaf(p))))

/** Groups are not identities: no request is made by `group:…`. */
const NOT_A_GROUP = not(leaf(patternLeaf(`${GROUP_PREFIX}*`)))

/** `stand-ins`: literal subjects left out because another one stands for them (see compare.ts). */
function subjectFormula(acl: Acl, subjects: string[], standIns?: Set<string>): Formula<AnyLeaf> {
  const patterns = subjectPatterns(acl, subjects)
  return and(NOT_A_GROUP, anyOf(standIns ? patterns.filter((p) => !standIns.has(p)) : patterns))
}

function permissionFormula(acl: Acl, grant: Grant): Formula<AnyLeaf> {
  return anyOf([...grant.permissions, ...rolePermissions(acl, grant.roles)])
}

/** The grants of one version, with groups and roles read from `defs` (that version's, or another's). */
export function compileGrants(grants: Grant[], defs: Acl, standIns?: Set<string>): CompiledRule[] {
  return grants.map((grant) => {
    const predicates = new Map<string, Formula<AnyLeaf>>([
      [SUBJECT, subjectFormula(defs, grant.subjects, standIns)],
      [PERMISSION, permissionFormula(defs, grant)],
      [RESOURCE, anyOf(grant.resources)],
    ])
    for (const [key, values] of grant.conditions) predicates.set(CONTEXT + key, presentAnd(anyOf(values)))
    return {index: grant.index, effect: grant.effect, predicates, grant}
  })
}

/** Literal (wildcard-free) strings of a list: readable examples for witnesses. */
export const literals = (list: Iterable<string>) =>
  [...new Set([...list].filter((s) => !/[*?]/.test(s)))].sort()

/** The request space of two versions: subject, permission, resource, then the context keys in order. */
export function dimensions(acls: Acl[], standIns: Set<string> = new Set()): Dimension[] {
  const subjects: string[] = []
  const keys = new Set<string>()
  for (const acl of acls) {
    for (const g of acl.groups.values()) subjects.push(...g.members.filter((m) => groupRef(m) === undefined))
    for (const grant of acl.grants) {
      subjects.push(...grant.subjects.filter((s) => groupRef(s) === undefined))
      for (const [key] of grant.conditions) keys.add(key)
    }
  }
  // A made-up identity reads better than the glob's filler when a pattern covers unnamed subjects.
  const dims: Dimension[] = [
    {
      name: SUBJECT,
      domain: stringDomain([...literals(subjects).filter((s) => !standIns.has(s)), 'user:someone']),
    },
    {name: PERMISSION, domain: stringDomain()},
    {name: RESOURCE, domain: stringDomain()},
  ]
  for (const key of [...keys].sort()) dims.push({name: CONTEXT + key, domain: stringDomain()})
  return dims
}

/** A dimension's value in a request (undefined: a context key the request does not have). */
function valueIn(request: Request, dimension: string): string | undefined {
  if (dimension === SUBJECT) return request.subject
  if (dimension === PERMISSION) return request.permission
  if (dimension === RESOURCE) return request.resource
  return Object.hasOwn(request.context, dimension.slice(CONTEXT.length))
    ? request.context[dimension.slice(CONTEXT.length)]
    : undefined
}

export function holds(formula: Formula<AnyLeaf>, value: string | undefined): boolean {
  return evaluate(formula, (l) => leafHolds(l, value))
}

export function matches(
  rule: CompiledRule,
  request: Request,
  only?: (dimension: string) => boolean,
): boolean {
  for (const [dim, predicate] of rule.predicates) {
    if (only !== undefined && !only(dim)) continue
    if (!holds(predicate, valueIn(request, dim))) return false
  }
  return true
}

/** Deny wins: some allow rule matches and no deny rule does. */
export function allowedBy(rules: CompiledRule[], request: Request): boolean {
  return (
    rules.some((r) => r.effect === 'allow' && matches(r, request)) &&
    !rules.some((r) => r.effect === 'deny' && matches(r, request))
  )
}
