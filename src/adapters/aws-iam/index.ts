import {type Adapter, compareFileByFile, sameAccess} from '../adapter.js'
import {lazyModule} from '../../kernel/lazy.js'
import {RULES} from './rules.js'

// Asked once per file compared, and per version semantic blame asks about: each loaded once.
const comparing = lazyModule(() => import('./compare.js'))
const evaluating = lazyModule(() => import('./evaluate.js'))
const access = lazyModule(() => import('./access.js'))

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

export const awsIam: Adapter = {
  kind: 'aws-iam',
  rules: RULES,
  candidates: [{extensions: ['json'], ignoreCase: true}],
  // Identity, resource (bucket, key, queue, topic) and trust policies all have a Statement.
  detect: (value) => isObject(value) && 'Statement' in value,
  looksLike: (text) => /"Statement"\s*:/.test(text),
  scope: 'file',
  compare: async (baseline, target, changed, context) =>
    compareFileByFile(changed, baseline, target, context, (await comparing()).compareIamFile),
  allows: async (value, witness) => (await evaluating()).allowsWitness(value, witness),
  // An approval covers the access it recorded and any statement the engine finds grants no more
  // (covers.ts); the same access is answered without loading the engine.
  covers: async (approved, access) =>
    sameAccess(approved, access) || (await import('./covers.js')).impliedBy(approved, access),
  // A finding no approval covers shows a request beyond the baseline and the approved statements (covers.ts).
  witnessBeyond: async (finding, key, baseline, target, approved) =>
    (await import('./covers.js')).witnessBeyond(finding, key, baseline, target, approved),
  // A deleted policy denies nothing: what another policy allows is then allowed (an anonymous
  // caller, `*`, has no policy of its own).
  absentAllows: async (witness) => witness.otherPolicyAllows === true && witness.principal !== '*',
  // Versions that differ only in their statements' Sids grant the same (access.ts).
  accessText: async (value) => (await access()).accessText(value),
  // An undecidable comparison's witness names no request (`{}`, or only "where another policy allows it").
  namesRequest: (witness) => ['principal', 'action', 'resource', 'context'].some((key) => key in witness),
  describe: async (finding, witness) =>
    (await comparing()).describeFinding(finding.change, finding.rule, witness, finding.reason),
}
