// Does one version of a file, with the kind's other files as they are in the target, allow a
// finding's witness? Semantic blame asks this of every version of the file in the history.

import type {Witness} from '../../kernel/types.js'
import {witnessRequest} from './compare.js'
import {
  buildModel,
  builtInObjects,
  coveringSubjects,
  modelAllows,
  objectsOfDocuments,
  roleIdOf,
  selectorsOf,
  subjectsOf,
} from './model.js'
import type {RbacObject} from './objects.js'

/**
 * Whether some grant allows the witness's request, in the variant it names (the file deployed,
 * when objects are defined in several). A binding to a role that is not defined is taken as
 * allowing it, so that a version is never wrongly cleared.
 */
export function allowsWitness(
  value: unknown,
  witness: Witness,
  file: string,
  others: Map<string, unknown>,
): boolean {
  const documents = new Map(others)
  documents.set(file, value)
  const variant = typeof witness.variant === 'string' ? witness.variant : undefined
  const request = witnessRequest(witness)
  const model = buildModel(askedOf(objectsOfDocuments(documents), request.subject ?? ''), variant)
  return modelAllows(model, request)
}

/**
 * The objects whose model answers whether a request of `subject` is allowed as the model of all
 * of them does (modelAllows): it looks only at the pairs of the subjects that apply to the
 * request's (pairsFor), and each pair only at the entries of its role, with what that role
 * aggregates. So: the bindings naming such a subject, the roles they name, and when one of those
 * roles (or the built-in one a name stands for) has an aggregationRule, every ClusterRole, which
 * its selectors may match, transitively. Every definition of each: buildModel chooses among an
 * object's definitions by the variant, and drops the others only when it sees the one chosen.
 */
export function askedOf(objects: readonly RbacObject[], subject: string): RbacObject[] {
  const applying = new Set(coveringSubjects(subject))
  const bindings = objects.filter(
    (o) =>
      (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') &&
      subjectsOf(o).some((s) => applying.has(s)),
  )
  const ids = new Set([...bindings.map((o) => o.id), ...bindings.map(roleIdOf)])
  const aggregating = [...objects, ...builtInObjects()].some(
    (o) => o.kind === 'ClusterRole' && ids.has(o.id) && selectorsOf(o) !== undefined,
  )
  return objects.filter((o) => ids.has(o.id) || (aggregating && o.kind === 'ClusterRole'))
}
