// The pre-commit hook's read of a kustomize repository (loadStagedChanges), in a real repository
// with the real kubectl: a commit that changes no file an overlay reads starts no render; one
// that changes a patch renders that overlay (at HEAD and in the index) and nothing else, and
// its rendered roles are compared.

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {DEFAULT_CONFIG} from '../../src/core/config.js'
import {loadStagedChanges} from '../../src/core/source.js'
import {toolProcessCount} from '../../src/tools/run.js'
import {commitFiles} from '../e2e/helpers.js'
import {createRepo, type TestRepo} from '../helpers/repo.js'

const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get"]
`
const patch = (verbs: string) => `- op: replace\n  path: /rules/0/verbs\n  value: ${verbs}\n`

let repo: TestRepo
beforeAll(async () => {
  repo = await createRepo()
  await commitFiles(repo, {
    'base/kustomization.yaml': 'resources:\n  - role.yaml\n',
    'base/role.yaml': ROLE,
    'overlays/prod/kustomization.yaml':
      'resources:\n  - ../../base\npatches:\n  - path: verbs.yaml\n    target: {kind: ClusterRole, name: reader}\n',
    'overlays/prod/verbs.yaml': patch('["get"]'),
    'overlays/dev/kustomization.yaml': 'resources:\n  - ../../base\nnamePrefix: dev-\n',
    'README.md': '# app\n',
  })
})
afterAll(() => repo.cleanup())

describe('the hook renders only what a commit changes', () => {
  it('starts no render for a commit that changes no file an overlay reads', async () => {
    await repo.write('README.md', '# app\n\nDeploy with kubectl apply -k.\n')
    await repo.write('overlays/prod/notes.md', 'prod notes\n')
    await repo.stage('README.md', 'overlays/prod/notes.md')
    const before = toolProcessCount()
    const {head, staged} = await loadStagedChanges(repo.dir, DEFAULT_CONFIG)
    expect(toolProcessCount()).toBe(before)
    expect([...head.documents.keys(), ...staged.documents.keys()]).toEqual([])
    await repo.git('reset', '--quiet', '--hard')
  })

  it('renders the overlay whose patch changed, at HEAD and in the index, and no other', async () => {
    await repo.write('overlays/prod/verbs.yaml', patch('["get", "delete"]'))
    await repo.stage('overlays/prod/verbs.yaml')
    const before = toolProcessCount()
    const {head, staged} = await loadStagedChanges(repo.dir, DEFAULT_CONFIG)
    expect(toolProcessCount() - before).toBe(2)
    const key = 'overlays/prod/kustomization.yaml#ClusterRole/reader'
    expect([...staged.documents.keys()]).toEqual([key])
    const verbs = (value: unknown) => (value as {rules: Array<{verbs: string[]}>}).rules[0]!.verbs
    expect(verbs(head.documents.get(key)!.value)).toEqual(['get'])
    expect(verbs(staged.documents.get(key)!.value)).toEqual(['get', 'delete'])
    await repo.git('reset', '--quiet', '--hard')
  })
})
