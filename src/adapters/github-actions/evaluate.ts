// Does one version of a workflow file allow one finding's witness? Semantic blame asks this of
// every version; a version that GitHub would not run (not a workflow, an invalid permissions
// block) allows nothing.

import type {Witness} from '../../kernel/types.js'
import {detect, isObject} from './detect.js'
import {
  ALL_SECRETS,
  calledWorkflow,
  type DefaultPermissions,
  heldSecrets,
  holdsSecret,
  jobsOf,
  jobToken,
  type Level,
  passedSecrets,
  RANK,
  triggersOf,
} from './model.js'

export function allowsWitness(value: unknown, witness: Witness, mode: DefaultPermissions): boolean {
  if (!detect(value) || !isObject(value)) return false
  const job = witness.job
  if (typeof job !== 'string' || !isObject(jobsOf(value)[job])) return false
  if (witness.trigger !== undefined && !triggersOf(value.on).has(String(witness.trigger))) return false
  if (witness.scope !== undefined) {
    const level = witness.level as Level
    const found = jobToken(value, job, mode)
    if (found === undefined || !(level in RANK)) return false
    if (RANK[found.token.get(String(witness.scope)) ?? 'none'] < RANK[level]) return false
  }
  if (witness.secret !== undefined) {
    const secret = String(witness.secret)
    // A call job's witness names the called workflow: the secret must reach that one.
    const uses = witness.uses
    if (uses !== undefined && calledWorkflow(value, job) !== uses) return false
    const secrets = uses !== undefined ? passedSecrets(value, job) : heldSecrets(value, job)
    if (secret === ALL_SECRETS ? !secrets.names.has(ALL_SECRETS) : !holdsSecret(secrets, secret)) return false
  }
  return true
}
