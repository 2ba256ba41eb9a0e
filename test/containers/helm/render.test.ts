// What acldrift asks helm to run for a chart: `helm template RELEASE CHART_DIR [--namespace NS]
// [--values FILE]...` with the values files in the order the config names them (helm merges them
// in that order, the last one winning: https://helm.sh/docs/helm/helm_template/), on a copy of the
// chart's files and those values files, wherever they are in the repository. helm is not on this
// machine, so this is acldrift's side only: the command line and the files it is given.

import {describe, expect, it} from 'vitest'
import {helm} from '../../../src/containers/helm/index.js'
import {parseFile} from '../../../src/kernel/parse.js'
import type {AdapterSettings} from '../../../src/kernel/types.js'
import {memorySource} from '../../helpers/memory-source.js'

const CHART = 'deploy/chart/Chart.yaml'

const FILES: Record<string, string> = {
  [CHART]: 'apiVersion: v2\nname: shop\nversion: 0.1.0\n',
  'deploy/chart/values.yaml': 'rbac:\n  create: false\n',
  'deploy/chart/values-extra.yaml': 'rbac:\n  rules: []\n',
  'deploy/chart/templates/rbac.yaml': 'kind: Role\n',
  'deploy/environments/prod.yaml': 'rbac:\n  create: true\n',
  'deploy/chart-other/Chart.yaml': 'apiVersion: v2\nname: other\nversion: 0.1.0\n',
  'README.md': '# shop\n',
}

const chartFile = (files = FILES, path = CHART) =>
  parseFile({path, content: Buffer.from(files[path]!)}, 'yaml')

const settings = (chart: Record<string, unknown>) => ({helm: {charts: {'deploy/chart': chart}}})

describe('helm: the command line of a chart', () => {
  it('names the release, namespace and values files in the order the config gives them, and copies those files', async () => {
    const values = ['deploy/environments/prod.yaml', 'deploy/chart/values-extra.yaml']
    const run = await helm.render!(
      chartFile(),
      memorySource(FILES),
      settings({release: 'shop', namespace: 'prod', values}),
    )
    expect(run).toMatchObject({
      tool: 'helm',
      args: [
        'template',
        'shop',
        'deploy/chart',
        '--namespace',
        'prod',
        '--values',
        'deploy/environments/prod.yaml',
        '--values',
        'deploy/chart/values-extra.yaml',
      ],
    })
    if (!('files' in run)) throw new Error(`not rendered: ${JSON.stringify(run)}`)
    const {files} = run
    // The chart's files and the values files outside its folder; nothing else of the repository.
    expect([...files.keys()].sort()).toEqual([
      CHART,
      'deploy/chart/templates/rbac.yaml',
      'deploy/chart/values-extra.yaml',
      'deploy/chart/values.yaml',
      'deploy/environments/prod.yaml',
    ])
    expect(files.get('deploy/environments/prod.yaml')?.toString()).toBe(
      FILES['deploy/environments/prod.yaml'],
    )
  })

  it('renders a chart the config does not name with its own values.yaml, as release `release`', async () => {
    const run = await helm.render!(chartFile(), memorySource(FILES), {})
    expect(run).toMatchObject({tool: 'helm', args: ['template', 'release', 'deploy/chart']})
  })

  it('does not read a chart whose configured values file is not in the repository, naming the file', async () => {
    const run = await helm.render!(
      chartFile(),
      memorySource(FILES),
      settings({values: ['deploy/environments/staging.yaml']}),
    )
    expect(run).toEqual({
      notRead:
        'the values files deploy/environments/staging.yaml that the config names are not in the repository',
    })
  })

  it('does not read a chart whose dependency helm would fetch', async () => {
    const files = {
      ...FILES,
      [CHART]:
        'apiVersion: v2\nname: shop\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 1.0.0\n',
    }
    expect(await helm.render!(chartFile(files), memorySource(files), {})).toEqual({
      notRead: 'dependencies `redis` are not vendored under charts/ (helm would fetch them)',
    })
  })

  it('is read again when a values file the config names changes, even outside its folder', async () => {
    const config = settings({values: ['deploy/environments/prod.yaml']})
    const source = memorySource(FILES)
    const dependents = async (changed: string[], given: AdapterSettings) =>
      Object.fromEntries(await helm.dependents!(changed, source, given))
    const values = 'deploy/environments/prod.yaml'
    const template = 'deploy/chart/templates/rbac.yaml'
    expect(await dependents([values], config)).toEqual({[values]: [CHART]})
    expect(await dependents([template], config)).toEqual({[template]: [CHART]})
    expect(await dependents([values], {})).toEqual({})
    expect(await dependents(['README.md'], config)).toEqual({})
    expect(await dependents([values, 'README.md', template], config)).toEqual({
      [values]: [CHART],
      [template]: [CHART],
    })
  })
})
