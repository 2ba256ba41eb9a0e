// The raw side of the containers' property tests: a policy as a raw document (aws-iam unless
// told), compared by its kind's adapter, and the verdicts a comparison gives (what must be the same whether the
// policy is raw or inside a CloudFormation template or a Terraform file).

import {adapterFor, DEFAULT_ADAPTER_SETTINGS} from '../../src/adapters/index.js'
import {valueHash} from '../../src/kernel/hash.js'
import type {Document, Finding, Kind} from '../../src/kernel/types.js'

export const raw = (value: unknown, kind: Kind = 'aws-iam'): Document => ({
  path: 'policy.json',
  kind,
  value,
  hash: valueHash(value),
  sourceMap: {locate: () => undefined},
})

/** The findings of one document's two versions (compared under its kind), keyed `key` on both sides. */
export async function compare(baseline: Document, target: Document, key: string): Promise<Finding[]> {
  const {findings} = await adapterFor(baseline.kind).compare(
    new Map([[key, baseline]]),
    new Map([[key, target]]),
    [key],
    DEFAULT_ADAPTER_SETTINGS,
  )
  return findings
}

/**
 * What a comparison decides, finding by finding: its change, rule, severity, witness, and the
 * access an approval of it records. The same access as the raw policy's means the same approvals
 * (Adapter.covers reads nothing else): the kind's approvals properties hold inside containers too.
 */
export const verdicts = (findings: Finding[]) =>
  findings.map((f) => JSON.stringify([f.change, f.rule, f.severity, f.witness, f.access])).sort()
