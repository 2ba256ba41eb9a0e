// A path-limited listing of the index (listStagedEntriesAt) with the pathspecs rulePathspecs
// writes for path rules: git lists exactly the index's paths the rules match (the agent hook's
// own path asks it for the files of the container formats that read others, instead of the
// whole index); and those formats name no reader where the index has none of their files.
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {SCANNED_CONTAINERS} from '../../src/containers/index.js'
import {sourceFiles} from '../../src/core/source-files.js'
import {listStagedEntries, listStagedEntriesAt} from '../../src/git/staged.js'
import {matchesPathRules, type PathRule, rulePathspecs} from '../../src/kernel/candidates.js'
import {createRepo, type TestRepo} from '../helpers/repo.js'

const PATHS = [
  'Chart.yaml',
  'charts/app/Chart.yaml',
  'charts/app/chart.yaml',
  'charts/app/Chart.yaml.bak',
  'charts/app/templates/role.yaml',
  'main.tf',
  'infra/net/vpc.tf',
  'infra/net/vpc.TF',
  'infra/net/vpc.tfvars',
  'infra/net/terraform.tfvars',
  'infra/.tf',
  'k/kustomization.yaml',
  'k/base/kustomization.yml',
  'k/over/Kustomization',
  'k/over/kustomization.yaml.orig',
  'odd/*.tf',
  'odd/[a].tf',
  'odd/a?b/Chart.yaml',
  'iam/policy.json',
  'iam/POLICY.JSON',
  'Makefile',
  'docs/README',
  'serverless.yml',
]

const READERS = SCANNED_CONTAINERS.flatMap((format) =>
  format.dependents === undefined ? [] : format.candidates,
)

let repo: TestRepo
beforeEach(async () => {
  repo = await createRepo()
})
afterEach(async () => {
  await repo.cleanup()
})

describe('listStagedEntriesAt with rulePathspecs', () => {
  it('lists the index paths the rules match, and only those', async () => {
    for (const path of PATHS) await repo.write(path, `${path}\n`)
    await repo.stage()
    const all = await listStagedEntries(repo.dir)
    expect(all.map((e) => e.path).sort()).toEqual([...PATHS].sort())
    const cases: PathRule[][] = [
      READERS,
      [{names: ['Chart.yaml']}],
      [{extensions: ['tf']}],
      [{extensions: ['json'], ignoreCase: true}],
      [{folder: 'infra/net', extensions: ['tf', 'tfvars']}],
      [{folder: '', names: ['Chart.yaml', 'main.tf']}],
      [{folder: 'odd', names: ['*.tf']}],
      [{names: ['kustomization.yaml', 'Kustomization', 'Makefile'], extensions: ['yaml']}],
      [{folder: 'docs'}],
    ]
    for (const rules of cases) {
      const pathspecs = rulePathspecs(rules)
      expect(pathspecs, JSON.stringify(rules)).toBeDefined()
      const listed = await listStagedEntriesAt(repo.dir, pathspecs!)
      const expected = all.filter((e) => matchesPathRules(rules, e.path))
      expect(listed, JSON.stringify(rules)).toEqual(expected)
    }
    // Whatever the environment says of pathspecs.
    process.env.GIT_LITERAL_PATHSPECS = '1'
    try {
      expect(await listStagedEntriesAt(repo.dir, rulePathspecs(READERS)!)).toEqual(
        all.filter((e) => matchesPathRules(READERS, e.path)),
      )
    } finally {
      delete process.env.GIT_LITERAL_PATHSPECS
    }
    // A name without an extension cannot be written as a pattern of extensions.
    expect(rulePathspecs([{extensions: ['', 'tf']}])).toBeUndefined()
    expect(await listStagedEntriesAt(repo.dir, [])).toEqual([])
  })

  it('the formats that read other files name no reader where the index has none of their files', async () => {
    const others = PATHS.filter((path) => !matchesPathRules(READERS, path))
    expect(others.length).toBeGreaterThan(5)
    for (const path of others)
      await repo.write(path, `${path}\nfile("iam/policy.json")\nresources: [iam/policy.json]\n`)
    await repo.stage()
    expect(await listStagedEntriesAt(repo.dir, rulePathspecs(READERS)!)).toEqual([])
    const source = sourceFiles(repo.dir, {type: 'staged'})
    for (const format of SCANNED_CONTAINERS) {
      const readers = (await format.dependents?.(others, source, {})) ?? new Map()
      expect([...readers.values()].flat(), format.format).toEqual([])
    }
  })
})
