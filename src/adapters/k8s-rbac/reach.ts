// Which documents a change of RBAC objects can reach: the comparison of the kind as a whole
// (compare.ts) finds a widening or a narrowing only in a grant (a binding's subject with an entry
// of the role it names, through aggregation) that one side lacks word for word, judged against
// the other side's grants to subjects that overlap it. Objects the same on both sides, in grants
// no changed object takes part in and to subjects no such grant names, add nothing: the
// comparison is given only the files that hold what the changed objects reach. A changed role
// changes what every role aggregating it grants (on either side, to fixpoint); a changed binding's
// plain new grant is judged against the grants in scope of its requests. When in doubt (an object
// defined in several files) every file.

import {canonicalJson} from '../../kernel/hash.js'
import type {Document} from '../../kernel/types.js'
import {type RbacObject, resourcesOf} from './objects.js'
import {
  aggregates,
  builtInObjects,
  coveringSubjects,
  objectsOfDocuments,
  pushTo,
  roleIdOf,
  selectorsOf,
  subjectsOf,
} from './model.js'

const isBinding = (o: RbacObject) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding'
const identity = (o: RbacObject) => `${o.file}\u0000${o.id}`

/**
 * The keys of the documents the comparison of `baseline` with `target` needs, or undefined for
 * all of them. Documents are read by value: a key whose documents are equal on both sides holds
 * only unchanged objects, whatever path list a caller gives.
 */
export function reachOf(
  baseline: Map<string, Document>,
  target: Map<string, Document>,
): Set<string> | undefined {
  const differ = [...new Set([...baseline.keys(), ...target.keys()])].filter((key) => {
    const [a, b] = [baseline.get(key), target.get(key)]
    return (
      a === undefined ||
      b === undefined ||
      // By value, never by the recorded hash alone: a snapshot's document carries the hash it
      // was written with, which need not be the hash of the value it holds.
      (a.value !== b.value && canonicalJson(a.value) !== canonicalJson(b.value))
    )
  })
  // A document that did not change gives both sides the same objects (read once, listed once in `all`).
  const inFiles = new Set(differ)
  const kept = objectsOfDocuments(
    [...baseline].filter(([key]) => !inFiles.has(key)).map(([k, d]) => [k, d.value]),
  )
  const sides = [baseline, target].map((documents) => [
    ...kept,
    ...objectsOfDocuments([...documents].filter(([key]) => inFiles.has(key)).map(([k, d]) => [k, d.value])),
  ])
  // An object defined in several files is compared once per variant (model.ts, buildModel).
  for (const objects of sides) if (new Set(objects.map((o) => o.id)).size < objects.length) return undefined
  // The objects that differ between the sides: added, removed or edited (by file and identity).
  const [before, after] = sides.map(
    (objects) => new Map(objects.filter((o) => inFiles.has(o.file)).map((o) => [identity(o), o])),
  )
  const changed: RbacObject[] = []
  for (const [mine, theirs] of [
    [before!, after!],
    [after!, before!],
  ] as const)
    for (const [key, o] of mine) {
      const other = theirs.get(key)
      if (other === undefined || canonicalJson(other.raw) !== canonicalJson(o.raw)) changed.push(o)
    }
  const changedBindings = changed.filter(isBinding)
  const changedRoleObjects = changed.filter((o) => !isBinding(o))
  // A ClusterRole's grants include those of every ClusterRole its aggregationRule selects, to
  // fixpoint (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles):
  // a changed role (its rules, its labels or its selector) changes what it and every role that
  // aggregates it, on either side, grants. Each side's built-in roles count (as buildModel adds them).
  const changedRoles = new Set(changedRoleObjects.map((o) => o.id))
  const builtIns = builtInObjects()
  const roleObjects = sides.map((objects) =>
    [...objects, ...builtIns].filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole'),
  )
  const aggregators = roleObjects.map((roles) => roles.filter((o) => selectorsOf(o) !== undefined))
  for (let grew = true; grew;) {
    grew = false
    for (const [side, roles] of roleObjects.entries()) {
      const members = [...roles, ...changedRoleObjects].filter((o) => changedRoles.has(o.id))
      for (const parent of aggregators[side]!)
        if (!changedRoles.has(parent.id) && members.some((child) => aggregates(parent, child))) {
          changedRoles.add(parent.id)
          grew = true
        }
    }
  }
  // The bindings of the changed roles and the changed bindings, every binding to a subject that
  // overlaps theirs, and the bindings in scope of a changed binding's requests.
  const all = [...new Set(sides.flat())]
  const bound = all.filter((o) => isBinding(o) && changedRoles.has(roleIdOf(o)))
  const subjects = new Set([...bound, ...changedBindings].flatMap(subjectsOf))
  // Two subjects overlap when one covers the other (subjectsOverlap): s overlaps a bound subject
  // when it covers one, or one of those covering s is bound.
  const coverBound = new Set([...subjects].flatMap(coveringSubjects))
  const overlaps = (s: string) => coverBound.has(s) || coveringSubjects(s).some((c) => subjects.has(c))
  // A changed binding's plain new grant is refined by asking whether any other subject had the
  // access (compare.ts, refine): every pair in scope of the request counts. A RoleBinding grants
  // only in its namespace (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#rolebinding-and-clusterrolebinding),
  // so the pairs in scope are the RoleBindings of that namespace and every ClusterRoleBinding.
  // A ClusterRoleBinding grants cluster-wide and in every namespace, but its requests name only
  // the namespaces their search met: those of the grants that may cover it, the other side's
  // grants to subjects that overlap its own (compare.ts, search: a cell's namespace is one of the
  // leaves of the rules it was split on). Those are RoleBindings to overlapping subjects.
  const namespaces = new Set(changedBindings.map((o) => o.namespace))
  if (changedBindings.some((o) => o.kind === 'ClusterRoleBinding'))
    for (const o of all)
      if (o.kind === 'RoleBinding' && subjectsOf(o).some(overlaps)) namespaces.add(o.namespace)
  const byId = new Map<string, RbacObject[]>()
  const byFile = new Map<string, RbacObject[]>()
  for (const o of all) {
    pushTo(byId, o.id, o)
    pushTo(byFile, o.file, o)
  }
  // Of the bindings in scope, only those whose role (with what aggregates into it) shares a
  // resource with a changed binding's role can allow the same request (objects.ts, resourcesOf).
  const clusterRoles = [...all, ...builtIns].filter((o) => o.kind === 'ClusterRole')
  const resources = new Map<string, Set<string>>()
  const resourcesOfRole = (id: string): Set<string> => {
    let found = resources.get(id)
    if (found !== undefined) return found
    resources.set(id, (found = new Set()))
    for (const role of byId.get(id) ?? builtIns.filter((b) => b.id === id)) {
      for (const r of resourcesOf(role.raw)) found.add(r)
      if (selectorsOf(role) === undefined) continue
      for (const child of clusterRoles)
        if (aggregates(role, child)) for (const r of resourcesOfRole(child.id)) found.add(r)
    }
    return found
  }
  const asked = new Set(changedBindings.flatMap((o) => [...resourcesOfRole(roleIdOf(o))]))
  const mayShare = (o: RbacObject) => {
    const theirs = resourcesOfRole(roleIdOf(o))
    return asked.has('*') || theirs.has('*') || [...theirs].some((r) => asked.has(r))
  }
  const reached = all.filter(
    (o) =>
      isBinding(o) &&
      (changedRoles.has(roleIdOf(o)) ||
        subjectsOf(o).some(overlaps) ||
        (namespaces.size > 0 &&
          (o.kind === 'ClusterRoleBinding' || namespaces.has(o.namespace)) &&
          mayShare(o))),
  )
  // Every binding in a file given is given with its role and what aggregates into it, to fixpoint:
  // a binding whose role is left out would be compared as naming an undefined role.
  const given = new Set<string>()
  const queue = [...differ, ...reached.map((o) => o.file)]
  const rolesDone = new Set<string>()
  const addRole = (id: string) => {
    if (rolesDone.has(id)) return
    rolesDone.add(id)
    for (const role of byId.get(id) ?? builtIns.filter((b) => b.id === id)) {
      if (!role.builtIn) queue.push(role.file)
      if (selectorsOf(role) === undefined) continue
      for (const child of clusterRoles) if (aggregates(role, child)) addRole(child.id)
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const file = queue[head]!
    if (given.has(file)) continue
    given.add(file)
    for (const o of byFile.get(file) ?? []) if (isBinding(o)) addRole(roleIdOf(o))
  }
  return given
}
