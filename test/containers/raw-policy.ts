// The raw side of the containers' property tests: a policy as a raw aws-iam document, compared
// by the aws-iam adapter, and the verdicts a comparison gives (what must be the same whether the
// policy is raw or inside a CloudFormation template or a Terraform file).

import {adapterFor, DEFAULT_ADAPTER_SETTINGS} from '../../src/adapters/index.js'
import {valueHash} from '../../src/kernel/hash.js'
import type {Document, Finding} from '../../src/kernel/types.js'

export const raw = (value: unknown): Document => ({
  path: 'policy.json',
  kind: 'aws-iam',
  value,
  hash: valueHash(value),
  sourceMap: {locate: () => undefined},
})

/** The aws-iam findings of one document's two versions, keyed `key` on both sides. */
export async function compare(baseline: Document, target: Document, key: string): Promise<Finding[]> {
  const {findings} = await adapterFor('aws-iam').compare(
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
 * (Adapter.covers reads nothing else): aws-iam's approvals properties hold inside containers too.
 */
export const verdicts = (findings: Finding[]) =>
  findings.map((f) => JSON.stringify([f.change, f.rule, f.severity, f.witness, f.access])).sort()
