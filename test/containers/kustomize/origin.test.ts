// Where the parts of an overlay's rendered object are written: the object in the base file its
// origin annotation names (found by kind and name under the overlay's prefix), or the patch that set
// the part (a JSON 6902 operation, a strategic-merge patch, an inline patch at its entry); the
// overlay's entry the object came in through stays the position in the overlay.
// https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/

import {describe, expect, it} from 'vitest'
import {overlayLocator} from '../../../src/containers/kustomize/origin.js'
import {parseFile} from '../../../src/kernel/parse.js'
import {memorySource} from '../../helpers/memory-source.js'

const OVERLAY = 'overlays/prod/kustomization.yaml'

const FILES: Record<string, string> = {
  'base/kustomization.yaml': 'resources:\n  - roles.yaml\n',
  'base/roles.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: pod-reader
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get"]
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: pod-reader
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: pod-reader}
subjects:
  - kind: Group
    name: placeholder
`,
  [OVERLAY]: `namePrefix: prod-
resources:
  - ../../base
patches:
  - path: verbs.yaml
    target:
      kind: ClusterRole
      name: pod-.*
  - path: subjects.yaml
  - patch: |-
      - op: add
        path: /rules/-
        value: {apiGroups: [""], resources: ["secrets"], verbs: ["get"]}
    target:
      kind: ClusterRole
      name: reader
`,
  'overlays/prod/verbs.yaml': `- op: test
  path: /metadata/name
  value: pod-reader
- op: replace
  path: /rules/0/verbs
  value: ["get", "delete"]
`,
  'overlays/prod/subjects.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: pod-reader
subjects:
  - kind: Group
    name: oncall
`,
}

const source = memorySource

/** The objects as `kubectl kustomize overlays/prod` renders them (origin annotations dropped). */
const role = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: {name: 'prod-pod-reader'},
  rules: [
    {apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete']},
    {apiGroups: [''], resources: ['configmaps'], verbs: ['get']},
  ],
}
const binding = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: {name: 'prod-pod-reader'},
  roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'prod-pod-reader'},
  subjects: [{kind: 'Group', name: 'oncall'}],
}
const reader = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: {name: 'prod-reader'},
  rules: [{apiGroups: [''], resources: ['secrets'], verbs: ['get']}],
}

async function locator(files = FILES) {
  const parsed = parseFile({path: OVERLAY, content: Buffer.from(files[OVERLAY]!)}, 'yaml')
  const locate = await overlayLocator(parsed, source(files))
  // The object's line in kustomize's output plays no part: the origin annotation names the file.
  return (object: Record<string, unknown>, origin: string | undefined) => locate(object, origin, 1)
}

describe('where the parts of a rendered object are written', () => {
  it('a part as the base writes it: its line in the base file, under the overlay entry it came in through', async () => {
    const locate = await locator()
    const at = locate(role, '../../base/roles.yaml')
    expect(at.locate('/rules/1')).toEqual({
      line: 3,
      column: 5,
      renderedFrom: {file: 'base/roles.yaml', line: 15},
    })
    // The name is the overlay's prefix on the base's: the object in the base file.
    expect(at.locate('/metadata/name')?.renderedFrom).toEqual({file: 'base/roles.yaml', line: 10})
  })

  it('a part a JSON 6902 patch file sets: the operation, matched through the target name pattern', async () => {
    const at = (await locator())(role, '../../base/roles.yaml')
    expect(at.locate('/rules/0')?.renderedFrom).toEqual({file: 'overlays/prod/verbs.yaml', line: 4})
    expect(at.locate('/rules/0/verbs/1')?.renderedFrom).toEqual({file: 'overlays/prod/verbs.yaml', line: 4})
  })

  it('a part a strategic-merge patch sets: its line in the patch; an inline patch: its entry', async () => {
    const locate = await locator()
    expect(locate(binding, '../../base/roles.yaml').locate('/subjects/0')?.renderedFrom).toEqual({
      file: 'overlays/prod/subjects.yaml',
      line: 6,
    })
    // The binding's roleRef is the base's (the prefix transformer renames the role it names).
    expect(locate(binding, '../../base/roles.yaml').locate('/roleRef')?.renderedFrom).toEqual({
      file: 'base/roles.yaml',
      line: 23,
    })
    expect(locate(reader, '../../base/roles.yaml').locate('/rules/0')?.renderedFrom).toEqual({
      file: OVERLAY,
      line: 10,
    })
  })

  it('a patch of another object is not named, and the first-defined object of a shorter name is not taken', async () => {
    const locate = await locator({
      ...FILES,
      [OVERLAY]: FILES[OVERLAY]!.replace('name: pod-.*', 'name: other'),
    })
    // Unpatched here, the rendered verbs differ from the base's: still located in the base, at the rule.
    expect(locate(role, '../../base/roles.yaml').locate('/rules/0')?.renderedFrom).toEqual({
      file: 'base/roles.yaml',
      line: 12,
    })
  })

  it('no origin, or an origin file that does not hold the object: the overlay entry alone', async () => {
    const locate = await locator()
    expect(locate(role, undefined).locate('/rules/0')).toBeUndefined()
    const elsewhere = locate({...role, kind: 'Role'}, '../../base/roles.yaml').locate('/rules/0')
    expect(elsewhere).toEqual({line: 3, column: 5})
  })
})
