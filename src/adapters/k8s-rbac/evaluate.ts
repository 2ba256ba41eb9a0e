// Does one version of a file, with the kind's other files as they are in the target, allow a
// finding's witness? Semantic blame asks this of every version of the file in the history.

import type {Witness} from '../../kernel/types.js'
import {witnessRequest} from './compare.js'
import {buildModel, modelAllows, objectsOfDocuments} from './model.js'

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
  const model = buildModel(objectsOfDocuments(documents), variant)
  const request = witnessRequest(witness)
  return modelAllows(model, request)
}
