// How one file is read when detected by content: a partial RBAC object that a kustomization names
// as a patch (a strategic-merge patch without `$patch`) is "not read", as kustomize-patch, and not
// a broken access config; a complete one is still read on its own, and one the config assigns a
// kind, or that no kustomization names, still fails closed.
// Patches: https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/

import {describe, expect, it} from 'vitest'
import type {SourceFiles} from '../../src/containers/index.js'
import {readDocuments} from '../../src/core/source.js'

const SUBJECT = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: view-binding
subjects:
  - kind: Group
    name: oncall
    apiGroup: rbac.authorization.k8s.io
`
const COMPLETE = SUBJECT.replace(
  'subjects:',
  'roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view\nsubjects:',
)

const source = (files: Record<string, string>): SourceFiles => ({
  paths: async () => Object.keys(files),
  read: async (paths) =>
    new Map(paths.filter((p) => p in files).map((p) => [p, Buffer.from(files[p]!)] as const)),
})

/** A repository whose overlays name `subject.yaml` as a patch in each of kustomize's fields. */
const overlays = (content: string) =>
  source({
    'base/kustomization.yaml': 'resources:\n  - binding.yaml\n',
    'base/binding.yaml': COMPLETE,
    'oncall/kustomization.yaml': 'resources:\n  - ../base\npatches:\n  - path: subject.yaml\n',
    'oncall/subject.yaml': content,
    'legacy/kustomization.yaml':
      'resources:\n  - ../base\npatchesStrategicMerge:\n  - ../oncall/subject.yaml\n',
    'old/kustomization.yaml':
      'resources:\n  - ../base\npatchesJson6902:\n  - path: subject.yaml\n    target: {kind: ClusterRoleBinding, name: view-binding}\n',
    'old/subject.yaml': content,
    'stray/subject.yaml': content,
  })

const read = (
  path: string,
  content: string,
  assigned: 'detect' | 'k8s-rbac' = 'detect',
  files = overlays(content),
) => readDocuments({path, content: Buffer.from(content)}, assigned, false, files)

describe('a file a kustomization names as a patch', () => {
  it.each(['oncall/subject.yaml', 'old/subject.yaml'])(
    'is not read, as a kustomize patch, when it is a partial object (%s)',
    async (path) => {
      const {documents, problems, notRead} = await read(path, SUBJECT)
      expect({documents, problems}).toEqual({documents: [], problems: []})
      expect(notRead).toEqual({
        recognisedAs: 'kustomize-patch',
        why: expect.stringContaining('read only through the overlays that use it'),
      })
    },
  )

  it('is read on its own when it is a complete RBAC object', async () => {
    const {documents, problems, notRead} = await read('oncall/subject.yaml', COMPLETE)
    expect(documents.map((d) => d.kind)).toEqual(['k8s-rbac'])
    expect(problems).toEqual([])
    expect(notRead).toBeUndefined()
  })

  it('fails closed when the config assigns it a kind, when no kustomization names it, or when the other files are unknown', async () => {
    const missingRoleRef = [expect.objectContaining({message: expect.stringContaining('"roleRef"')})]
    expect((await read('oncall/subject.yaml', SUBJECT, 'k8s-rbac')).problems).toEqual(missingRoleRef)
    expect((await read('stray/subject.yaml', SUBJECT)).problems).toEqual(missingRoleRef)
    const alone = await readDocuments({path: 'oncall/subject.yaml', content: Buffer.from(SUBJECT)}, 'detect')
    expect(alone.problems).toEqual(missingRoleRef)
  })
})
