// Kubernetes RBAC: Role, ClusterRole, RoleBinding and ClusterRoleBinding objects in YAML (also
// multi-document) and JSON files, and `kind: List` exports. Bindings name roles defined in other
// files, so the kind is compared as a whole. The heavy modules load on first comparison.

import {type Adapter, sameAccess} from '../adapter.js'
import {hasRbacObject, looksLikeRbac, rbacSkeleton} from './objects.js'
import {RULES} from './rules.js'

export const k8sRbac: Adapter = {
  kind: 'k8s-rbac',
  rules: RULES,
  candidates: [{extensions: ['json', 'yaml', 'yml'], ignoreCase: true}],
  detect: hasRbacObject,
  looksLike: looksLikeRbac,
  scope: 'kind',
  // A change reaches the files of its bindings, the subjects they name and aggregation (reach.ts).
  reachSkeleton: rbacSkeleton,
  reach: async (baseline, target) => (await import('./reach.js')).reachOf(baseline, target),
  compare: async (baseline, target, changed) =>
    (await import('./compare.js')).compareRbac(baseline, target, changed),
  allows: async (value, witness, file, others) =>
    (await import('./evaluate.js')).allowsWitness(value, witness, file, others),
  // An approval covers the access it recorded, and the same object and subject granting fewer
  // verbs, resources, names or subjects (covers.ts: decided without the engine).
  covers: async (approved, access) =>
    sameAccess(approved, access) || (await import('./covers.js')).impliedBy(approved, access),
  // An uncovered finding shows a request its part grants that no approval does (covers.ts), of
  // any file: an approved binding grants its subject whatever a role in another file gives.
  approvalsReachAcrossFiles: true,
  witnessBeyond: async (finding, _key, _baseline, _target, approved, sides) =>
    (await import('./covers.js')).witnessBeyond(finding, approved, sides),
  describe: async (finding, witness) => (await import('./compare.js')).describeFinding(finding, witness),
}
