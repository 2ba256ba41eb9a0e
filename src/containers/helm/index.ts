// Helm charts as a container format: a chart (its `Chart.yaml`) stands for the manifests
// `helm template` renders from it, and its documents are the RBAC objects of that output, compared
// under k8s-rbac. The pipeline runs helm (src/tools/) where it is installed, offline, on a copy
// of the chart's files and the values files the config names for it (`helm.charts` in
// acldrift.config.yaml); without helm the chart is "not read: helm not installed". A dependency
// that is not vendored under `charts/` would be fetched: the chart is not read, and says so.
// https://helm.sh/docs/topics/charts/ · https://helm.sh/docs/helm/helm_template/

import {posix} from 'node:path'
import type {AdapterSettings} from '../../kernel/types.js'
import type {ContainerFormat, SourceFiles} from '../container.js'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const CHART_FILE = 'Chart.yaml'
const dirOf = (path: string) => posix.dirname(path).replace(/^\.$/, '')

export interface ChartSettings {
  release?: string
  namespace?: string
  values?: string[]
}

/** The config's settings for the chart in `dir` (`helm.charts[dir]`), if any. */
function chartSettings(settings: AdapterSettings | undefined, dir: string): ChartSettings {
  const helm = settings?.helm
  const charts = isObject(helm) && isObject(helm.charts) ? helm.charts : {}
  const chart = charts[dir === '' ? '.' : dir] ?? charts[dir]
  return isObject(chart) ? (chart as ChartSettings) : {}
}

/** The chart's files: everything under its folder (templates, values.yaml, vendored sub-charts). */
async function chartFiles(dir: string, source: SourceFiles): Promise<string[]> {
  return (await source.paths()).filter((p) => dir === '' || p.startsWith(`${dir}/`))
}

export const helm: ContainerFormat = {
  format: 'helm',
  scan: true,
  candidates: [{names: [CHART_FILE]}],
  detect: (parsed) =>
    isObject(parsed.value) &&
    (parsed.value.apiVersion === 'v1' || parsed.value.apiVersion === 'v2') &&
    typeof parsed.value.name === 'string',
  render: async (parsed, source, settings) => {
    if (source === undefined) return {notRead: 'the files of the chart are not available here'}
    const chart = parsed.value as Record<string, unknown>
    const dir = dirOf(parsed.path)
    const paths = await chartFiles(dir, source)
    const vendored = (name: string) =>
      paths.some((p) => p.startsWith(`${dir === '' ? '' : `${dir}/`}charts/${name}`))
    const dependencies = Array.isArray(chart.dependencies) ? chart.dependencies : []
    const missing = dependencies
      .filter((d): d is Record<string, unknown> => isObject(d) && typeof d.name === 'string')
      .filter((d) => !vendored(d.name as string))
      .map((d) => `\`${String(d.name)}\``)
    if (missing.length > 0)
      return {
        notRead: `dependencies ${missing.join(', ')} are not vendored under charts/ (helm would fetch them)`,
      }
    const {release, namespace, values = []} = chartSettings(settings, dir)
    const files = await source.read([...paths, ...values])
    const absent = values.filter((v) => !files.has(v))
    if (absent.length > 0)
      return {
        notRead: `the values files ${absent.join(', ')} that the config names are not in the repository`,
      }
    return {
      tool: 'helm',
      args: [
        'template',
        release ?? 'release',
        dir === '' ? '.' : dir,
        ...(namespace === undefined ? [] : ['--namespace', namespace]),
        ...values.flatMap((v) => ['--values', v]),
      ],
      files,
    }
  },
  extract: async (parsed, source, rendered) => {
    if (rendered === undefined || source === undefined)
      throw new Error('internal: a chart is read through its render')
    const [{renderedRbac}, {chartLocator}] = await Promise.all([
      import('../rendered-rbac.js'),
      import('./source.js'),
    ])
    // Positions are the chart's name; `renderedFrom` the template helm's `# Source:` comment names.
    const locator = await chartLocator(dirOf(parsed.path), parsed.sourceMap.locate('/name'), rendered, source)
    return renderedRbac(parsed, rendered, locator)
  },
  // The charts a changed file is in, or whose config names it as a values file.
  dependents: async (changed, source, settings) => {
    const charts = (await source.paths())
      .filter((p) => posix.basename(p) === CHART_FILE)
      .map((chart) => ({
        chart,
        dir: dirOf(chart),
        values: chartSettings(settings, dirOf(chart)).values ?? [],
      }))
    const out = new Map<string, string[]>()
    for (const c of changed) {
      const readers = charts
        .filter(({dir, values}) => dir === '' || c.startsWith(`${dir}/`) || values.includes(c))
        .map(({chart}) => chart)
      if (readers.length > 0) out.set(c, readers)
    }
    return out
  },
}
