// GitHub branch protection: one branch's protection as the REST API returns it
// (`GET /repos/{owner}/{repo}/branches/{branch}/protection`, one file per branch), or the
// `branches` section of a safe-settings `.github/settings.yml`. Each file stands alone. The
// comparison loads on first use.

import {type Adapter, sameAccess} from '../adapter.js'
import {detect, looksLike} from './detect.js'
import {RULES} from './rules.js'

export const branchProtection: Adapter = {
  kind: 'branch-protection',
  rules: RULES,
  candidates: [{extensions: ['json', 'yaml', 'yml'], ignoreCase: true}],
  detect,
  looksLike,
  scope: 'file',
  absentAllows: async () => true,
  // Code-owner review applies only to pull requests that change an owned file (see compare.ts).
  consults: ['codeowners'],
  compare: async (baseline, target, changed, context) =>
    (await import('./compare.js')).compareBranchProtection(baseline, target, changed, context),
  allows: async (value, witness, file) => (await import('./evaluate.js')).allowsWitness(value, witness, file),
  // An approval covers the protection it recorded, and any protection of the same branch that
  // accepts no update the approved one did not (covers.ts: decided with the comparison).
  // Every setting's finding carries the whole protection: an approval covers its own rule's only.
  rulesShareAccess: true,
  covers: async (approved, access) =>
    sameAccess(approved, access) || (await import('./covers.js')).impliedBy(approved, access),
  // A finding no approval covers shows an update no approved protection accepts (covers.ts).
  witnessBeyond: async (finding, _key, baseline, target, approved) =>
    (await import('./covers.js')).witnessBeyond(finding, baseline, target, approved),
  describe: async (finding, witness) => (await import('./compare.js')).describeFinding(finding, witness),
}
