// Issue 14: the pre-commit hook asks which overlays read each changed path. The answer reads
// every kustomization of the source only when a changed path can be read by a render at all (a
// kustomization, or a file in or below a kustomization's folder: kustomize's load restrictor); a
// commit that changes only a policy file beside no kustomization reads none. Differential: on
// awkward layouts that kustomize renders, the answer is the full scan's for every path; where they
// differ (a data file named from outside its kustomization's folder), kubectl refuses the render
// whatever the file holds.

import {execFile} from 'node:child_process'
import {mkdir, rm, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {promisify} from 'node:util'
import {describe, expect, it, onTestFinished} from 'vitest'
import type {SourceFiles} from '../../../src/containers/index.js'
import {kustomize, readersOf} from '../../../src/containers/kustomize/index.js'
import {isKustomization} from '../../../src/containers/kustomize/inputs.js'
import {makeTempDir} from '../../helpers/repo.js'
import {memorySource} from '../../helpers/memory-source.js'

const role = (name: string) =>
  `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ${name}\nrules: []\n`

/** Layouts kustomize renders, with the awkward parts real repositories have. */
const LAYOUTS: Record<string, Record<string, string>> = {
  'a kustomization at the repository root, beside nested ones': {
    'kustomization.yaml': 'resources:\n  - deploy/app\n  - root-role.yaml\n',
    'root-role.yaml': role('root'),
    'deploy/app/kustomization.yaml': 'resources:\n  - role.yaml\n',
    'deploy/app/role.yaml': role('app'),
    'iam/policy.json': '{"Version": "2012-10-17", "Statement": []}\n',
    'README.md': '# infra\n',
  },
  'sibling bases, a component, a `Kustomization` file and files in subfolders': {
    'k8s/base/Kustomization': 'resources:\n  - rbac/role.yaml\n',
    'k8s/base/rbac/role.yaml': role('base'),
    'k8s/base/rbac/unused.yaml': role('unused'),
    'k8s/components/audit/kustomization.yml': 'kind: Component\nresources:\n  - audit.yaml\n',
    'k8s/components/audit/audit.yaml': role('audit'),
    'k8s/overlays/prod/kustomization.yaml': `resources:
  - ../../base
components:
  - ../../components/audit
patches:
  - path: patches/role.yaml
configMapGenerator:
  - name: settings
    files:
      - key=conf/app.properties
`,
    'k8s/overlays/prod/patches/role.yaml': role('base'),
    'k8s/overlays/prod/conf/app.properties': 'a=1\n',
    'k8s/overlays/prod/notes.md': '# notes\n',
    'k8s/README.md': '# k8s\n',
    'terraform/main.tf': 'resource "aws_iam_role" "r" {}\n',
    'policies/admin.json': '{}\n',
  },
}

/** An overlay that names a file its folder does not hold (kustomize fails to render it until one is added there). */
const MISSING = {
  'apps/web/kustomization.yaml': 'resources:\n  - role.yaml\n  - missing.yaml\n',
  'apps/web/role.yaml': role('web'),
  'apps/api/kustomization.yaml': 'resources:\n  - role.yaml\n',
  'apps/api/role.yaml': role('api'),
  'iam/policy.json': '{}\n',
}

/** Paths asked about besides the layout's own: added or deleted files, in and out of the overlays' folders. */
const ABSENT = [
  'apps/web/missing.yaml',
  'k8s/overlays/prod/new.yaml',
  'k8s/overlays/staging/kustomization.yaml',
  'deploy/app/added.yaml',
  'iam/new-policy.json',
  'elsewhere/deep/file.yaml',
]

/** A source that counts the files read from it. */
function counted(files: Record<string, string>): SourceFiles & {reads: string[]} {
  const inner = memorySource(files)
  const reads: string[] = []
  return {
    reads,
    paths: inner.paths,
    read: async (paths) => {
      reads.push(...paths)
      return inner.read(paths)
    },
  }
}

describe("the overlays a changed path is read by (the pre-commit hook's question)", () => {
  it.each(Object.entries(LAYOUTS))(
    "are the full scan's, path by path and all at once: %s",
    async (_, files) => {
      const paths = [...Object.keys(files), ...ABSENT]
      const full = await readersOf(paths, memorySource(files))
      expect(Object.fromEntries(await kustomize.dependents!(paths, memorySource(files)))).toEqual(
        Object.fromEntries(full),
      )
      for (const path of paths)
        expect(Object.fromEntries(await kustomize.dependents!([path], memorySource(files))), path).toEqual(
          Object.fromEntries(await readersOf([path], memorySource(files))),
        )
    },
  )

  it('include an overlay that misses a file for every kustomization and every path in or below the folder of one, and for no other (none could be the file)', async () => {
    const paths = [...Object.keys(MISSING), ...ABSENT]
    const web = 'apps/web/kustomization.yaml'
    const expected = Object.fromEntries(
      [...(await readersOf(paths, memorySource(MISSING)))].filter(
        ([path]) => path.startsWith('apps/') || isKustomization(path),
      ),
    )
    expect(expected['apps/web/missing.yaml']).toEqual([web])
    expect(expected['apps/api/role.yaml']).toEqual([web, 'apps/api/kustomization.yaml'])
    expect(Object.fromEntries(await kustomize.dependents!(paths, memorySource(MISSING)))).toEqual(expected)
  })

  it('read no file when no changed path is a kustomization or beside one', async () => {
    const files = LAYOUTS['sibling bases, a component, a `Kustomization` file and files in subfolders']!
    const source = counted(files)
    const changed = ['policies/admin.json', 'terraform/main.tf', 'k8s/README.md', 'iam/new-policy.json']
    expect(await kustomize.dependents!(changed, source)).toEqual(new Map())
    expect(source.reads).toEqual([])
    // One path an overlay reads: the kustomizations are read, and it is answered.
    const withRole = counted(files)
    expect(
      Object.fromEntries(await kustomize.dependents!([...changed, 'k8s/base/rbac/role.yaml'], withRole)),
    ).toEqual({
      'k8s/base/rbac/role.yaml': ['k8s/base/Kustomization', 'k8s/overlays/prod/kustomization.yaml'],
    })
    expect(withRole.reads.length).toBeGreaterThan(0)
  })

  it('differ from the full scan only on a file named from outside its folder, which kubectl refuses whatever it holds', async () => {
    const files = {
      'app/kustomization.yaml': 'resources:\n  - role.yaml\npatches:\n  - path: ../shared/patch.yaml\n',
      'app/role.yaml': role('app'),
      'shared/patch.yaml': role('app').replace(
        'rules: []',
        'rules:\n  - apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["*"]',
      ),
    }
    expect(Object.fromEntries(await readersOf(['shared/patch.yaml'], memorySource(files)))).toEqual({
      'shared/patch.yaml': ['app/kustomization.yaml'],
    })
    expect(await kustomize.dependents!(['shared/patch.yaml'], memorySource(files))).toEqual(new Map())
    const dir = await makeTempDir()
    onTestFinished(() => rm(dir, {recursive: true, force: true}))
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), {recursive: true})
      await writeFile(join(dir, path), content)
    }
    const render = promisify(execFile)('kubectl', ['kustomize', 'app'], {cwd: dir})
    await expect(render).rejects.toThrow(/security; file .*shared\/patch\.yaml' is not in or below/)
  })
})
