// Property: RBAC objects rendered by a kustomize overlay (kubectl kustomize, run for real) or a
// Helm chart (its `helm template` output) give the same verdicts, witnesses and access as the
// same objects compared as a raw manifest, so k8s-rbac's approvals properties (an approved Role or
// Binding never covers a wider one, test/adapters/k8s-rbac) hold for rendered objects. Random
// pairs of small worlds (a ClusterRole, a Role, a binding of each) are written as a manifest that
// an overlay names directly or through a base, and as a chart's template; helm is not needed:
// acldrift's part is reading its output (helm/index.ts extract), which is given here as helm
// prints it (`---`, `# Source: <chart>/templates/<file>`).
// https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/resource/ ·
// https://helm.sh/docs/helm/helm_template/

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {adapterFor, DEFAULT_ADAPTER_SETTINGS} from '../../../src/adapters/index.js'
import {helm} from '../../../src/containers/helm/index.js'
import {readDocuments} from '../../../src/core/source.js'
import {valueHash} from '../../../src/kernel/hash.js'
import {parseFile} from '../../../src/kernel/parse.js'
import type {Document, Finding} from '../../../src/kernel/types.js'
import {memorySource} from '../../helpers/memory-source.js'
import {propertyRuns} from '../../adapters/property-runs.js'
import {verdicts} from '../raw-policy.js'

const RBAC = 'rbac.authorization.k8s.io'
const V1 = `${RBAC}/v1`
type Json = Record<string, unknown>

const rule: fc.Arbitrary<Json> = fc
  .record({
    apiGroups: fc.uniqueArray(fc.constantFrom('', 'apps', '*'), {minLength: 1, maxLength: 2}),
    resources: fc.uniqueArray(fc.constantFrom('pods', 'pods/exec', 'secrets', 'deployments', '*'), {
      minLength: 1,
      maxLength: 2,
    }),
    verbs: fc.uniqueArray(fc.constantFrom('get', 'list', 'create', 'delete', '*'), {
      minLength: 1,
      maxLength: 2,
    }),
    resourceNames: fc.option(fc.uniqueArray(fc.constantFrom('a', 'b'), {minLength: 1}), {nil: undefined}),
  })
  .map(({resourceNames, ...r}) => (resourceNames === undefined ? r : {...r, resourceNames}))
const SUBJECTS: Json[] = [
  {kind: 'User', apiGroup: RBAC, name: 'alice'},
  {kind: 'Group', apiGroup: RBAC, name: 'devs'},
  {kind: 'Group', apiGroup: RBAC, name: 'system:authenticated'},
  {kind: 'ServiceAccount', name: 'ci', namespace: 'prod'},
]
const subjects = fc.uniqueArray(fc.constantFrom(...SUBJECTS), {minLength: 1, maxLength: 2})

/** A ClusterRole, a Role in prod, a ClusterRoleBinding of the first and a RoleBinding of either (each may be absent). */
const worldArb: fc.Arbitrary<Json[]> = fc
  .record({
    clusterRole: fc.option(fc.array(rule, {maxLength: 2}), {nil: undefined}),
    role: fc.option(fc.array(rule, {minLength: 1, maxLength: 2}), {nil: undefined}),
    clusterBinding: fc.option(subjects, {nil: undefined}),
    binding: fc.option(fc.tuple(subjects, fc.boolean()), {nil: undefined}),
  })
  .map(({clusterRole, role, clusterBinding, binding}) => {
    const out: Json[] = []
    const ref = (kind: string) => ({apiGroup: RBAC, kind, name: kind === 'Role' ? 'r1' : 'c1'})
    if (clusterRole)
      out.push({apiVersion: V1, kind: 'ClusterRole', metadata: {name: 'c1'}, rules: clusterRole})
    if (role) out.push({apiVersion: V1, kind: 'Role', metadata: {name: 'r1', namespace: 'prod'}, rules: role})
    if (clusterBinding)
      out.push({
        apiVersion: V1,
        kind: 'ClusterRoleBinding',
        metadata: {name: 'cb'},
        roleRef: ref('ClusterRole'),
        subjects: clusterBinding,
      })
    if (binding)
      out.push({
        apiVersion: V1,
        kind: 'RoleBinding',
        metadata: {name: 'rb', namespace: 'prod'},
        roleRef: ref(binding[1] ? 'Role' : 'ClusterRole'),
        subjects: binding[0],
      })
    return out
  })

/** The objects as a manifest (JSON is YAML); an empty world is a comment. */
const manifest = (objects: Json[]) =>
  objects.length === 0
    ? '# no objects\n'
    : objects.map((o) => JSON.stringify(o, null, 2)).join('\n---\n') + '\n'

const documentsOf = (documents: Document[]) => new Map(documents.map((d) => [d.path, d]))

/** The k8s-rbac findings of two sides, every document of either compared. */
async function compare(baseline: Document[], target: Document[]): Promise<Finding[]> {
  const changed = [...new Set([...baseline, ...target].map((d) => d.path))]
  const {findings} = await adapterFor('k8s-rbac').compare(
    documentsOf(baseline),
    documentsOf(target),
    changed,
    DEFAULT_ADAPTER_SETTINGS,
  )
  return findings
}

async function rawDocuments(objects: Json[]): Promise<Document[]> {
  if (objects.length === 0) return []
  const {documents, problems} = await readDocuments(
    {path: 'rbac.yaml', content: Buffer.from(manifest(objects))},
    'detect',
  )
  expect(problems).toEqual([])
  return documents
}

/** The overlay's documents: it names the manifest itself (shape 0) or a base that does (1). */
async function overlayDocuments(objects: Json[], shape: number): Promise<Document[]> {
  const files: Record<string, string> =
    shape === 0
      ? {'deploy/kustomization.yaml': 'resources:\n  - rbac.yaml\n', 'deploy/rbac.yaml': manifest(objects)}
      : {
          'deploy/kustomization.yaml': 'resources:\n  - ../base\n',
          'base/kustomization.yaml': 'resources:\n  - rbac.yaml\n',
          'base/rbac.yaml': manifest(objects),
        }
  const path = 'deploy/kustomization.yaml'
  const {documents, problems, notes} = await readDocuments(
    {path, content: Buffer.from(files[path]!)},
    'detect',
    false,
    memorySource(files),
  )
  expect(problems).toEqual([])
  expect(notes).toEqual([])
  return documents
}

/** The chart's documents, read from its template as `helm template` prints it. */
async function chartDocuments(objects: Json[]): Promise<Document[]> {
  const files = {
    'chart/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
    'chart/templates/rbac.yaml': manifest(objects),
  }
  const parsed = parseFile(
    {path: 'chart/Chart.yaml', content: Buffer.from(files['chart/Chart.yaml'])},
    'yaml',
  )
  const rendered = objects
    .map((o) => `---\n# Source: app/templates/rbac.yaml\n${JSON.stringify(o, null, 2)}\n`)
    .join('')
  const {documents, problems} = await helm.extract(parsed, memorySource(files), rendered)
  expect(problems).toEqual([])
  return documents.map((d) => ({
    path: `${parsed.path}#${d.name}`,
    kind: d.kind,
    value: d.value,
    hash: valueHash(d.value),
    sourceMap: d.sourceMap,
  }))
}

describe('RBAC objects rendered by kustomize or Helm', () => {
  it('are compared as the same objects in a raw manifest: the same verdicts, witnesses and access (so approvals)', async () => {
    let compared = 0
    await fc.assert(
      fc.asyncProperty(worldArb, worldArb, fc.integer({min: 0, max: 2}), async (before, after, shape) => {
        const expected = verdicts(await compare(await rawDocuments(before), await rawDocuments(after)))
        // Shapes 0 and 1: an overlay (directly, through a base); 2: a chart.
        const read = (objects: Json[]) =>
          shape === 2 ? chartDocuments(objects) : overlayDocuments(objects, shape)
        const [b, t] = [await read(before), await read(after)]
        expect(verdicts(await compare(b, t)), `${manifest(before)}\n=>\n${manifest(after)}`).toEqual(expected)
        if (expected.length > 0) compared++
      }),
      propertyRuns(21, 24),
    )
    // Not vacuous: most pairs differ.
    expect(compared).toBeGreaterThan(0)
  })
})
