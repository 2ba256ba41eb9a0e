// An overlay none of whose inputs spells an RBAC object is not rendered (kubectl is not run for
// it); anything the decision cannot see through renders. The overlays are in the layout of
// kustomize's examples (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/).

import {describe, expect, it} from 'vitest'
import {kustomize} from '../../../src/containers/kustomize/index.js'
import {kustomizationInputs} from '../../../src/containers/kustomize/inputs.js'
import {mayRenderRbac} from '../../../src/containers/kustomize/rbac-free.js'
import {parseFile} from '../../../src/kernel/parse.js'
import {memorySource} from '../../helpers/memory-source.js'

const OVERLAY = 'overlays/prod/kustomization.yaml'

/** A web app without RBAC: a Deployment in the base, replicas patched and a ConfigMap generated in prod. */
const WEB: Record<string, string> = {
  'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  'base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: nginx
`,
  [OVERLAY]: `resources:
  - ../../base
namePrefix: prod-
labels:
  - pairs: {env: prod}
patches:
  - path: replicas.yaml
  - patch: |-
      - op: replace
        path: /spec/replicas
        value: 3
    target: {kind: Deployment}
configMapGenerator:
  - name: settings
    files:
      - settings.yaml
`,
  'overlays/prod/replicas.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n',
  // A generator's file is a ConfigMap's data, whatever it says.
  'overlays/prod/settings.yaml': 'template: "apiVersion: rbac.authorization.k8s.io/v1"\n',
}

const source = memorySource

async function why(files: Record<string, string>): Promise<string | undefined> {
  const value = parseFile({path: OVERLAY, content: Buffer.from(files[OVERLAY]!)}, 'yaml').value
  const inputs = await kustomizationInputs(OVERLAY, value, source(files))
  return mayRenderRbac(inputs, await source(files).read([...inputs.files]))
}

describe('an overlay that cannot render RBAC', () => {
  it('is one whose resources, patches and kustomizations never name the RBAC group, and it is not rendered', async () => {
    expect(await why(WEB)).toBeUndefined()
    const parsed = parseFile({path: OVERLAY, content: Buffer.from(WEB[OVERLAY]!)}, 'yaml')
    expect(await kustomize.render!(parsed, source(WEB))).toEqual({output: ''})
  })

  it.each([
    [
      'a resource defines a Role',
      {'base/role.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n'},
      'resources:\n  - deployment.yaml\n  - role.yaml\n',
    ],
    // YAML's escapes are decoded before the group is looked for.
    [
      'the group is spelled with an escape',
      {'base/role.yaml': 'apiVersion: "rbac\\x2eauthorization.k8s.io/v1"\nkind: Role\n'},
      'resources:\n  - deployment.yaml\n  - role.yaml\n',
    ],
    ['a resource is missing', {}, 'resources:\n  - deployment.yaml\n  - gone.yaml\n'],
    [
      'a resource does not parse',
      {'base/broken.yaml': 'kind: [Role\n'},
      'resources:\n  - deployment.yaml\n  - broken.yaml\n',
    ],
    [
      'replacements copy values between objects',
      {},
      'resources:\n  - deployment.yaml\nreplacements:\n  - source: {kind: ConfigMap, name: c}\n    targets: []\n',
    ],
    [
      'configurations point transformers at other fields',
      {'base/prefix.yaml': 'namePrefix: []\n'},
      'resources:\n  - deployment.yaml\nconfigurations:\n  - prefix.yaml\n',
    ],
    [
      'a transformer plugin runs',
      {'base/t.yaml': 'apiVersion: builtin\nkind: PrefixTransformer\n'},
      'resources:\n  - deployment.yaml\ntransformers:\n  - t.yaml\n',
    ],
  ])('renders when %s', async (_, extra, baseKustomization) => {
    expect(await why({...WEB, ...extra, 'base/kustomization.yaml': baseKustomization})).toEqual(
      expect.any(String),
    )
  })

  it('renders when a patch, a file or inline, turns an object into RBAC', async () => {
    const patchFile = {
      ...WEB,
      'overlays/prod/replicas.yaml':
        '- op: replace\n  path: /apiVersion\n  value: rbac.authorization.k8s.io/v1\n',
    }
    expect(await why(patchFile)).toContain('overlays/prod/replicas.yaml names rbac.authorization.k8s.io')
    // Inside an inline patch (a string kustomize reads as YAML again), with an escape.
    const inline = {
      ...WEB,
      [OVERLAY]: WEB[OVERLAY]!.replace('value: 3', 'value: "rbac\\x2eauthorization.k8s.io/v1"'),
    }
    expect(await why(inline)).toContain(`${OVERLAY} names rbac.authorization.k8s.io`)
    const tagged = {...WEB, [OVERLAY]: WEB[OVERLAY]!.replace('value: 3', 'value: !!binary cmJhYw==')}
    expect(await why(tagged)).toContain('may decode')
  })
})
