// acldrift's own ACL format (schemas/acl.schema.json): groups, roles and allow/deny grants for
// systems acldrift has no adapter for, exported to JSON or YAML. One file is one complete
// access-control system, recognised by its `apiVersion: acldrift.dev/acl/v1` marker. The heavy
// modules (the comparison engine) load on first use.

import {type Adapter, compareFileByFile, sameAccess} from '../adapter.js'
import {detect, looksLike} from './detect.js'
import {RULES} from './rules.js'

export const acl: Adapter = {
  kind: 'acl',
  rules: RULES,
  candidates: [{extensions: ['json', 'yaml', 'yml'], ignoreCase: true}],
  detect,
  looksLike,
  scope: 'file',
  // References and cycles: a schema cannot see them, and a cycle has no meaning to compare.
  validate: async (file) => (await import('./model.js')).problemsOf(file),
  compare: async (baseline, target, changed, context) =>
    compareFileByFile(changed, baseline, target, context, (await import('./compare.js')).compareAclFile),
  allows: async (value, witness) => (await import('./evaluate.js')).allowsWitness(value, witness),
  // An approval covers the access it recorded, and any widening whose region (its grant, or for a
  // weakened deny or a changed definition all its version allows, less the denies) allows nothing
  // the approved one's did not (covers.ts: decided with the comparison).
  covers: async (approved, access) =>
    sameAccess(approved, access) || (await import('./covers.js')).impliedBy(approved, access),
  // A finding no approval covers shows a request no approved region allows (covers.ts).
  witnessBeyond: async (finding, key, baseline, target, approved) =>
    (await import('./covers.js')).witnessBeyond(finding, key, baseline, target, approved),
  describe: async (finding, witness) => (await import('./compare.js')).describeFinding(finding, witness),
}
