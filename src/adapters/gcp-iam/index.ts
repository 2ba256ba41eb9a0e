// GCP IAM: allow policies as `gcloud … get-iam-policy` prints them (JSON or YAML; one file per
// resource) and custom role definitions (`gcloud iam roles describe`). Bindings name custom roles
// defined in other files, so the kind is compared as a whole. The heavy modules load on first use.

import {type Adapter, sameAccess} from '../adapter.js'
import {detect, gcpSkeleton, looksLike} from './detect.js'
import {RULES} from './rules.js'

export const gcpIam: Adapter = {
  kind: 'gcp-iam',
  rules: RULES,
  candidates: [{extensions: ['json', 'yaml', 'yml'], ignoreCase: true}],
  detect,
  looksLike,
  scope: 'kind',
  // A changed policy reaches the definitions of the roles it binds, a changed role the policies
  // binding its name and their roles (reach.ts).
  reachSkeleton: gcpSkeleton,
  reach: async (baseline, target) => (await import('./reach.js')).reachOf(baseline, target),
  compare: async (baseline, target, changed) =>
    (await import('./compare.js')).compareGcp(baseline, target, changed),
  allows: async (value, witness, file, others) =>
    (await import('./evaluate.js')).allowsWitness(value, witness, file, others),
  // An approval covers the binding it recorded, and the same grant to fewer members or under a
  // condition added (covers.ts: decided without the engine).
  covers: async (approved, access) =>
    sameAccess(approved, access) || (await import('./covers.js')).impliedBy(approved, access),
  // A finding no approval covers shows a request beyond the baseline and the approved bindings (covers.ts).
  witnessBeyond: async (finding, key, baseline, target, approved, sides) =>
    (await import('./covers.js')).witnessBeyond(finding, key, baseline, target, approved, sides),
  describe: async (finding, witness) => (await import('./compare.js')).describeFinding(finding, witness),
}
