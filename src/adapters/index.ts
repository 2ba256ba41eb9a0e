// The one place where kinds are registered: one line per kind, in the order detection tries
// them. Every other list of kinds derives from this one: KINDS below, and the config schema's
// kind enum, which `npm run build` regenerates from it (scripts/build-schemas.js). Each kind
// lives in its own folder, whose index.ts exports a light descriptor (heavy code is imported
// lazily by its methods), with its schema in schemas/<kind>.schema.json and its fixtures in
// fixtures/<kind>/ (a test checks that they line up). `npm run new-kind NAME` creates them from
// the unregistered `_template` kind and prints the line to add here.

import type {AdapterSettings, Kind} from '../kernel/types.js'
import type {Adapter} from './adapter.js'

export type {Adapter, Comparison} from './adapter.js'

// Imported all at once (a static import would need a second line per kind: the import and its
// place in the list).
export const ADAPTERS: readonly Adapter[] = await Promise.all([
  import('./aws-iam/index.js').then((m) => m.awsIam),
  import('./k8s-rbac/index.js').then((m) => m.k8sRbac),
  import('./gcp-iam/index.js').then((m) => m.gcpIam),
  import('./github-actions/index.js').then((m) => m.githubActions),
  import('./codeowners/index.js').then((m) => m.codeowners),
  import('./branch-protection/index.js').then((m) => m.branchProtection),
  import('./acl/index.js').then((m) => m.acl),
])

/** The registered kinds, in the registry's order. */
export const KINDS: readonly Kind[] = ADAPTERS.map((a) => a.kind)

export function adapterFor(kind: Kind): Adapter {
  const adapter = ADAPTERS.find((a) => a.kind === kind)
  if (!adapter) throw new Error(`internal: no adapter for kind ${kind}`)
  return adapter
}

/** Each kind's settings when the config says nothing about them: the kinds' defaults. */
export const DEFAULT_ADAPTER_SETTINGS: AdapterSettings = Object.fromEntries(
  ADAPTERS.flatMap(({settings}) => (settings ? [[settings.key, settings.read(undefined)]] : [])),
)
