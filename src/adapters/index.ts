// The one place where kinds are registered. Each kind lives in its own folder, whose
// index.ts exports a light descriptor (heavy code is imported lazily by its methods), with
// its schema in schemas/<kind>.schema.json and its fixtures in fixtures/<kind>/ (a test
// checks that the three line up).

import type {Kind} from '../kernel/types.js'
import type {Adapter} from './adapter.js'
import {acl} from './acl/index.js'
import {awsIam} from './aws-iam/index.js'
import {branchProtection} from './branch-protection/index.js'
import {codeowners} from './codeowners/index.js'
import {gcpIam} from './gcp-iam/index.js'
import {githubActions} from './github-actions/index.js'
import {k8sRbac} from './k8s-rbac/index.js'

export type {Adapter, Comparison} from './adapter.js'

export const ADAPTERS: readonly Adapter[] = [
  awsIam,
  k8sRbac,
  gcpIam,
  githubActions,
  codeowners,
  branchProtection,
  acl,
]

export function adapterFor(kind: Kind): Adapter {
  const adapter = ADAPTERS.find((a) => a.kind === kind)
  if (!adapter) throw new Error(`internal: no adapter for kind ${kind}`)
  return adapter
}
