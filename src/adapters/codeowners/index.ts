// CODEOWNERS: who must approve a change to which path (GitHub reads the first of
// .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS). A text format of its own, recognised by path
// and read by parse.ts; the three files shadow each other, so the kind is compared as a whole.
// The heavy modules load on first use.

import {type Adapter, sameAccess} from '../adapter.js'
import {LOCATION_RULES, LOCATIONS} from './locations.js'
import {RULES} from './rules.js'

export const codeowners: Adapter = {
  kind: 'codeowners',
  rules: RULES,
  candidates: LOCATION_RULES,
  locations: LOCATIONS,
  // Recognised by path only: no JSON or YAML value is a CODEOWNERS file.
  detect: () => false,
  looksLike: () => false,
  parse: async (file) => (await import('./parse.js')).parseCodeowners(file),
  fileName: 'CODEOWNERS',
  scope: 'kind',
  // A change reaches every CODEOWNERS file (at most three, LOCATIONS): none fewer is sound. The
  // files shadow each other, so a change to one needs the others to tell which is in force, and
  // the owners of a path come from the last rule of that file that matches it, so any rule can
  // change any path's owners. The reach reads nothing of a document (its skeleton is empty); it
  // spares the hook the documents of the other kinds compared together.
  reachSkeleton: () => null,
  reach: async (baseline, target) => new Set([...baseline.keys(), ...target.keys()]),
  compare: async (baseline, target, changed, context) =>
    (await import('./compare.js')).compareCodeowners(baseline, target, changed, context),
  allows: async (value, witness, file, others) =>
    (await import('./evaluate.js')).allowsWitness(value, witness, file, others),
  absentAllows: async (witness, file, others) =>
    (await import('./evaluate.js')).allowsWithout(witness, file, others),
  // An approval covers the access it recorded, and the same claim (no owner, or the same
  // approver) over fewer paths (covers.ts: decided with the comparison's automata).
  covers: async (approved, access) =>
    sameAccess(approved, access) || (await import('./covers.js')).impliedBy(approved, access),
  // A finding no approval covers shows a path no approved region holds, a real file where one
  // is (covers.ts), with the rules that decide that path (compare.ts).
  witnessBeyond: async (finding, _key, _baseline, _target, approved, sides, context) =>
    (await import('./covers.js')).witnessBeyond(finding, sides.baseline, approved, context.paths),
  restate: async (finding, witness, sides) =>
    (await import('./compare.js')).restateFinding(finding, witness, sides),
  describe: async (finding, witness) => (await import('./compare.js')).describeFinding(finding, witness),
  codeOwnership: async (documents, paths) =>
    (await import('./ownership.js')).codeOwnershipOf(documents, paths),
}
