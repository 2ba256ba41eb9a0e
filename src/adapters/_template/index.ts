// template: The template kind, which `npm run new-kind NAME` copies under a new name into
// template: src/adapters/NAME/, schemas/, fixtures/ and test/adapters/ (scripts/new-kind.js drops
// template: these `template:` lines). It is not registered in src/adapters/index.ts, so acldrift
// template: never reads its files; CI typechecks and tests it, so that a copy starts from working code.
// The _template kind: who may do what, as a list of grants. A file is recognised by its
// `apiVersion: acldrift.dev/_template/v1` marker, and each file stands alone. To make it a real
// kind, replace the format with the kind's own: recognition (detect.ts), the schema
// (schemas/_template.schema.json), what one version allows (evaluate.ts), what widened
// (compare.ts), the rules findings name (rules.ts), the fixtures (fixtures/_template/) and the
// independent oracle the tests check against (test/adapters/_template/brute-force.ts). The
// comparison loads on first use: the pre-commit hook may not need it.

import {type Adapter, compareFileByFile, sameAccess} from '../adapter.js'
import {detect, looksLike} from './detect.js'
import {RULES} from './rules.js'

export const templateKind: Adapter = {
  kind: '_template',
  rules: RULES,
  candidates: [{extensions: ['json', 'yaml', 'yml'], ignoreCase: true}],
  detect,
  looksLike,
  scope: 'file',
  compare: async (baseline, target, changed, context) =>
    compareFileByFile(
      changed,
      baseline,
      target,
      context,
      (await import('./compare.js')).compareTemplateKindFile,
    ),
  allows: async (value, witness) => (await import('./evaluate.js')).allowsWitness(value, witness),
  // An approval covers exactly the access it recorded (adapter.ts, sameAccess): never a wider one.
  covers: sameAccess,
  describe: async (finding, witness) => (await import('./compare.js')).describeFinding(finding, witness),
}
