// The files a kustomization reads, found without kustomize (what the render copies, and what makes
// the pre-commit hook re-render an overlay): resources, bases and components followed into their
// own kustomizations, every kind of patch, generators' files; remote targets and paths out of the
// repository make the overlay unreadable here, with the reason.
// Fields: https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/

import {describe, expect, it} from 'vitest'
import {kustomize} from '../../../src/containers/kustomize/index.js'
import {isRemote, kustomizationInputs} from '../../../src/containers/kustomize/inputs.js'
import {parseFile} from '../../../src/kernel/parse.js'
import {memorySource} from '../../helpers/memory-source.js'

const FILES: Record<string, string> = {
  'base/kustomization.yaml': 'resources:\n  - role.yaml\n  - sa.yaml\n',
  'base/role.yaml': 'kind: ClusterRole\n',
  'base/sa.yaml': 'kind: ServiceAccount\n',
  'base/unused.yaml': 'kind: ConfigMap\n',
  'components/metrics/kustomization.yml': 'kind: Component\nresources:\n  - metrics.yaml\n',
  'components/metrics/metrics.yaml': 'kind: ClusterRole\n',
  'overlays/prod/kustomization.yaml': `resources:
  - ../../base
  - extra-role.yaml
components:
  - ../../components/metrics
patches:
  - path: json-patch.yaml
    target: {kind: ClusterRole, name: reader}
  - patch: |-
      - op: add
        path: /rules/-
        value: {}
patchesStrategicMerge:
  - smp.yaml
patchesJson6902:
  - path: old-json-patch.yaml
    target: {kind: Role, name: r}
configMapGenerator:
  - name: settings
    files:
      - app.properties
      - key=other.properties
    envs:
      - env.txt
`,
  'overlays/prod/extra-role.yaml': 'kind: Role\n',
  'overlays/prod/json-patch.yaml': '- op: add\n',
  'overlays/prod/smp.yaml': 'kind: ClusterRole\n',
  'overlays/prod/old-json-patch.yaml': '- op: replace\n',
  'overlays/prod/app.properties': 'a=1\n',
  'overlays/prod/other.properties': 'b=2\n',
  'overlays/prod/env.txt': 'C=3\n',
  'overlays/prod/notes.md': '# not read by kustomize\n',
}

const source = memorySource
const inputsOf = (path: string, files = FILES) =>
  kustomizationInputs(
    path,
    parseFile({path, content: Buffer.from(files[path]!)}, 'yaml').value,
    source(files),
  )

describe('the files a kustomization reads', () => {
  it('follows bases and components, and lists every patch and generator file, nothing else', async () => {
    const {files, unreadable} = await inputsOf('overlays/prod/kustomization.yaml')
    expect(unreadable).toEqual([])
    expect([...files].sort()).toEqual(
      Object.keys(FILES)
        .filter((p) => p !== 'base/unused.yaml' && p !== 'overlays/prod/notes.md')
        .sort(),
    )
  })

  it('names the files read as patches, in every patch field, and nothing else as one', async () => {
    const {patches} = await inputsOf('overlays/prod/kustomization.yaml')
    const expected = ['json-patch.yaml', 'old-json-patch.yaml', 'smp.yaml'].map((f) => `overlays/prod/${f}`)
    expect([...patches].sort()).toEqual(expected)
    expect([...(await kustomize.fragments!(source(FILES)))].sort()).toEqual(expected)
  })

  it('makes an overlay with a remote target, a path out of the repository or helmCharts unreadable here', async () => {
    const files = {
      'o/kustomization.yaml': `resources:
  - github.com/example/app//deploy/base?ref=v1.2.0
  - ../../outside
helmCharts:
  - name: app
    repo: https://charts.example.com
`,
    }
    const {unreadable} = await inputsOf('o/kustomization.yaml', files)
    expect(unreadable).toEqual([
      'o/kustomization.yaml: resources `github.com/example/app//deploy/base?ref=v1.2.0` is remote (not fetched: acldrift renders offline)',
      'o/kustomization.yaml: `../../outside` is outside the repository',
      'o/kustomization.yaml: helmCharts (kustomize would run helm and fetch the charts)',
    ])
  })

  it.each([
    ['https://github.com/kubernetes-sigs/kustomize//examples/multibases?ref=v1.0.6', true],
    ['git@github.com:owner/repo.git//base', true],
    ['ssh://git@github.com/owner/repo//base?ref=main', true],
    ['github.com/owner/repo/base?ref=v1', true],
    ['gitlab.com/owner/repo//base', true],
    ['../../base', false],
    ['role.yaml', false],
    ['github-actions/role.yaml', false],
  ])('%s is remote: %s', (entry, remote) => {
    expect(isRemote(entry)).toBe(remote)
  })

  it('re-renders an overlay only when a file it reads changes', async () => {
    const dependents = async (changed: string[]) =>
      Object.fromEntries(await kustomize.dependents!(changed, source(FILES)))
    const role = ['base/kustomization.yaml', 'overlays/prod/kustomization.yaml']
    expect(await dependents(['base/role.yaml'])).toEqual({'base/role.yaml': role})
    const patch = ['overlays/prod/kustomization.yaml']
    expect(await dependents(['overlays/prod/json-patch.yaml'])).toEqual({
      'overlays/prod/json-patch.yaml': patch,
    })
    expect(await dependents(['components/metrics/metrics.yaml'])).toEqual({
      'components/metrics/metrics.yaml': [
        'components/metrics/kustomization.yml',
        'overlays/prod/kustomization.yaml',
      ],
    })
    expect(await dependents(['base/unused.yaml', 'overlays/prod/notes.md', 'README.md'])).toEqual({})
    // Asked at once, each path keeps its own readers.
    expect(await dependents(['base/role.yaml', 'README.md', 'overlays/prod/json-patch.yaml'])).toEqual({
      'base/role.yaml': role,
      'overlays/prod/json-patch.yaml': patch,
    })
  })
})
