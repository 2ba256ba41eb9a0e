// Whether an approval of one RBAC access covers a finding about another (Adapter.covers): the
// same object (kind, name, namespace, labels, roleRef, aggregation), the same subject, and
// nothing granted that the approved access did not grant — each rule of the object, and each
// rule its bindings reach, is a rule of the approved access with fewer verbs, API groups,
// resources, names or URLs; each subject of a binding is one the approved binding had. A rule
// matches a request when every one of its lists has a matching entry (`*` matches all; an empty
// resourceNames matches every name), so a rule whose every entry is an entry of another rule's
// list (or whose list there is `*`) allows nothing more. Patterns are compared as written: a
// rule narrowed from `*/scale` to `deployments/scale` is not recognised (not covered, never
// wrongly covered).
//
// A finding no approval covers gets a witness no approval grants (witnessBeyond): the kind is
// compared again, against the baseline with each approved access added as a ClusterRole of its
// granted rules bound cluster-wide to its subject (everything the approved access grants, and
// possibly more: never less), and the witness of that comparison's finding for the same part and
// subject is one neither the baseline nor any approval grants. The approved objects themselves
// are not put back in their files: a rule widened in place shares its object's identity with the
// baseline's, and objects of different names, bound on their own, say the same without it.

import type {Document, Finding, Witness} from '../../kernel/types.js'
import {canonicalAccess} from '../../kernel/findings.js'
import {approvedAccessFile} from '../adapter.js'
import {RBAC_GROUP} from './objects.js'

interface RbacAccess {
  what: unknown
  key: unknown
  object: {
    id: unknown
    labels: unknown
    roleRef: unknown
    subjects: unknown
    rules: unknown
    aggregationRule: unknown
  }
  subject: unknown
  grants: unknown[]
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const same = (x: unknown, y: unknown) => canonicalAccess(x) === canonicalAccess(y)
const strings = (v: unknown): string[] | undefined =>
  v === undefined || v === null
    ? []
    : Array.isArray(v) && v.every((s) => typeof s === 'string')
      ? v
      : undefined

/** An access as compare.ts records it (accessOf), or undefined for another shape. */
function rbacAccess(access: unknown): RbacAccess | undefined {
  if (!isRecord(access) || Object.keys(access).sort().join() !== 'grants,key,object,subject,what')
    return undefined
  if (!isRecord(access.object) || !Array.isArray(access.grants)) return undefined
  return access as unknown as RbacAccess
}

/** The lists of a rule that restrict it; a rule with any other key is not compared. */
const RULE_LISTS = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs']

/** Whether `narrow` allows no request that `wide` does not. */
function ruleWithin(narrow: unknown, wide: unknown): boolean {
  if (!isRecord(narrow) || !isRecord(wide)) return false
  if (![...Object.keys(narrow), ...Object.keys(wide)].every((k) => RULE_LISTS.includes(k))) return false
  for (const key of RULE_LISTS) {
    const [n, w] = [strings(narrow[key]), strings(wide[key])]
    if (n === undefined || w === undefined) return false
    // An empty (or absent) resourceNames allows every name: only an empty one is within it.
    if (key === 'resourceNames') {
      if (w.length === 0) continue
      if (n.length === 0 || !n.every((name) => w.includes(name))) return false
      continue
    }
    if (w.includes('*')) continue
    if (!n.every((entry) => w.includes(entry))) return false
  }
  return true
}

/** Whether each rule of `narrow` is within some rule of `wide`. */
const rulesWithin = (narrow: unknown[], wide: unknown[]) =>
  narrow.every((r) => wide.some((w) => ruleWithin(r, w)))

/** A granted rule as accessOf records it: the role it belongs to and the rule, or a role that is not defined. */
function parseGrant(grant: unknown): {role: unknown; rule: unknown} | {undefinedRole: unknown} | undefined {
  if (typeof grant !== 'string') return undefined
  const value = JSON.parse(grant) as unknown
  if (!isRecord(value)) return undefined
  if ('undefinedRole' in value) return {undefinedRole: value.undefinedRole}
  return 'role' in value && 'rule' in value ? {role: value.role, rule: value.rule} : undefined
}

function grantWithin(grant: unknown, approved: unknown[]): boolean {
  const g = parseGrant(grant)
  if (g === undefined) return false
  // A role that is not defined may grant anything once defined: only the same one is covered.
  if ('undefinedRole' in g) return approved.some((a) => same(a, grant))
  return approved.some((a) => {
    const w = parseGrant(a)
    return w !== undefined && 'role' in w && same(w.role, g.role) && ruleWithin(g.rule, w.rule)
  })
}

/**
 * The responsible part (compare.ts's key `what|object id|meaning`): the same, or — for a rule —
 * the same object's rule narrowed.
 */
function sameOrNarrowerPart(was: unknown, now: unknown): boolean {
  if (same(was, now)) return true
  if (typeof was !== 'string' || typeof now !== 'string') return false
  const split = (key: string) => {
    const [what, id] = key.split('|', 2) as [string, string | undefined]
    return {head: `${what}|${id}|`, rule: key.slice(`${what}|${id}|`.length)}
  }
  const [w, n] = [split(was), split(now)]
  if (!was.startsWith('rule|') || w.head !== n.head) return false
  try {
    return ruleWithin(JSON.parse(n.rule), JSON.parse(w.rule))
  } catch {
    return false
  }
}

export function impliedBy(approved: unknown, access: unknown): boolean {
  const a = rbacAccess(approved)
  const b = rbacAccess(access)
  if (a === undefined || b === undefined) return false
  if (!same(a.what, b.what) || !sameOrNarrowerPart(a.key, b.key) || !same(a.subject, b.subject)) return false
  const [was, now] = [a.object, b.object]
  for (const key of ['id', 'labels', 'roleRef', 'aggregationRule'] as const)
    if (!same(was[key], now[key])) return false
  const wasSubjects = Array.isArray(was.subjects) ? was.subjects : was.subjects == null ? [] : undefined
  const nowSubjects = Array.isArray(now.subjects) ? now.subjects : now.subjects == null ? [] : undefined
  if (wasSubjects === undefined || nowSubjects === undefined) return false
  if (!nowSubjects.every((s) => wasSubjects.some((w) => same(w, s)))) return false
  const wasRules = Array.isArray(was.rules) ? was.rules : was.rules == null ? [] : undefined
  const nowRules = Array.isArray(now.rules) ? now.rules : now.rules == null ? [] : undefined
  if (wasRules === undefined || nowRules === undefined || !rulesWithin(nowRules, wasRules)) return false
  return b.grants.every((g) => grantWithin(g, a.grants))
}

/** A subject as compare.ts names it (`User:alice`, `Group:devs`, `ServiceAccount:ns:name`) as a binding's subject. */
function subjectEntry(subject: unknown): Record<string, string> | undefined {
  if (typeof subject !== 'string') return undefined
  const at = subject.indexOf(':')
  const [kind, name] = [subject.slice(0, at), subject.slice(at + 1)]
  if (kind === 'User' || kind === 'Group') return {kind, name, apiGroup: RBAC_GROUP}
  const ns = name.indexOf(':')
  if (kind !== 'ServiceAccount' || ns <= 0) return undefined
  return {kind, namespace: name.slice(0, ns), name: name.slice(ns + 1)}
}

/**
 * An approved access as RBAC objects that grant all of it: a ClusterRole with every rule it
 * grants, bound by a ClusterRoleBinding to its subject (in every namespace and cluster-wide, so
 * wherever the approved bindings granted them). Their names are no valid object names, so they
 * meet none of the repository's. Undefined when that cannot be written: a grant of a role that is
 * not defined (it may grant anything), or another shape.
 */
function grantingObjects(access: unknown, index: number): unknown[] | undefined {
  const a = rbacAccess(access)
  const subject = a && subjectEntry(a.subject)
  if (a === undefined || subject === undefined) return undefined
  const rules: unknown[] = []
  for (const grant of a.grants) {
    const g = parseGrant(grant)
    if (g === undefined || 'undefinedRole' in g) return undefined
    rules.push(g.rule)
  }
  const name = `(approved access ${index})`
  const apiVersion = `${RBAC_GROUP}/v1`
  return [
    {apiVersion, kind: 'ClusterRole', metadata: {name}, rules},
    {
      apiVersion,
      kind: 'ClusterRoleBinding',
      metadata: {name},
      roleRef: {apiGroup: RBAC_GROUP, kind: 'ClusterRole', name},
      subjects: [subject],
    },
  ]
}

/**
 * A request the finding's part grants its subject that neither the baseline nor any approved
 * access grants: the kind compared again, against the baseline with the approved accesses added
 * (grantingObjects), and the witness of that comparison's finding at the same file, place and
 * subject, when the engine is sure of it. Objects of names no file uses change no part's
 * responsibility, so the part is the one the finding names. Undefined when none is found (all of
 * the part's widening is approved) or an approval cannot be written as objects.
 */
export async function witnessBeyond(
  finding: Finding,
  approved: readonly unknown[],
  sides: {baseline: Map<string, Document>; target: Map<string, Document>},
): Promise<Witness | undefined> {
  const objects: unknown[] = []
  for (const [index, access] of approved.entries()) {
    const granting = grantingObjects(access, index)
    if (granting === undefined) return undefined
    objects.push(...granting)
  }
  const subject = rbacAccess(finding.access)?.subject
  if (objects.length === 0 || subject === undefined) return undefined
  const added: Document = {...approvedAccessFile(objects), kind: 'k8s-rbac'}
  const widened = new Map([...sides.baseline, [added.path, added]])
  // The engine loads here only: covers() above decides without it.
  const {findings} = (await import('./compare.js')).compareRbac(widened, sides.target, [])
  const match = findings.find(
    (f) =>
      f.change === finding.change &&
      f.file === finding.file &&
      f.pointer === finding.pointer &&
      same(rbacAccess(f.access)?.subject, subject),
  )
  if (match === undefined || match.reason !== undefined) return undefined
  return match.witness ?? undefined
}
