// Where an object of a chart's render is written. `helm template` prints each document it renders
// after a `---` line and a `# Source: <chart name>/<path in the chart>` comment
// (`# Source: app/templates/rbac.yaml`; a vendored sub-chart's `app/charts/sub/templates/x.yaml`),
// the template that made it (helm's pkg/action/action.go, renderResources;
// https://helm.sh/docs/chart_template_guide/getting_started/). The object is located at its
// template in the chart's folder: the line of its `kind:` where the template writes that kind
// literally once (or once in the `---` section that holds the object's name), else line 1 of the
// template. A template path that is not a file of the chart's folder (a sub-chart packaged as a
// .tgz, or one whose folder is not named as its chart) gives no `renderedFrom`.

import {posix} from 'node:path'
import type {Position, RenderedFrom} from '../../kernel/types.js'
import type {SourceFiles} from '../container.js'
import type {LocateRendered} from '../rendered-rbac.js'

const SOURCE = /^# Source: (.+)$/
const SEPARATOR = /^---/

/** The template each line of the rendered output comes from (undefined before the first, or after a `---` with none). */
function sourcesByLine(rendered: string): (string | undefined)[] {
  const out: (string | undefined)[] = [undefined] // lines are 1-based
  let current: string | undefined
  for (const line of rendered.split('\n')) {
    if (SEPARATOR.test(line)) current = undefined
    else current = SOURCE.exec(line)?.[1]?.trim() ?? current
    out.push(current)
  }
  return out
}

/** The file of the chart in `dir` that a `# Source:` path names: the path without the chart's name. */
const chartPath = (dir: string, source: string): string => {
  const inChart = source.split('/').slice(1).join('/')
  return dir === '' ? inChart : posix.join(dir, inChart)
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Whether a `---` section of a template may render an object named `name`: its `metadata.name`
 * line, each `{{ }}` action in it standing for any text, matches the name whole. A section that
 * names nothing may render any name.
 */
function mayName(section: string[], name: string | undefined): boolean {
  const metadata = section.findIndex((line) => /^metadata:\s*$/.test(line))
  const line = metadata < 0 ? undefined : section.slice(metadata + 1).find((l) => /^\s+name:/.test(l))
  if (line === undefined || name === undefined) return true
  const written = line
    .replace(/^\s+name:\s*/, '')
    .replace(/\s+#.*$/, '')
    .trim()
    .replace(/^(["'])(.*)\1$/, '$2')
  const pattern = written
    .split(/\{\{.*?\}\}/)
    .map(escape)
    .join('.*')
  return new RegExp(`^${pattern}$`).test(name)
}

/**
 * The line of the template where it writes the object's `kind:` literally (at the top level of a
 * document), when one line can be told: the only one, or the only one whose section may render
 * the object's name.
 */
function kindLine(template: string, object: Record<string, unknown>): number | undefined {
  const literal = new RegExp(`^kind:\\s*(["']?)${escape(String(object.kind))}\\1\\s*(#.*)?$`)
  const metadata = object.metadata as {name?: unknown} | undefined
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined
  const sections: string[][] = [[]]
  const candidates: {line: number; section: string[]}[] = []
  template.split('\n').forEach((text, index) => {
    if (SEPARATOR.test(text)) sections.push([])
    sections[sections.length - 1]!.push(text)
    if (literal.test(text)) candidates.push({line: index + 1, section: sections[sections.length - 1]!})
  })
  if (candidates.length === 1) return candidates[0]!.line
  const named = candidates.filter((c) => mayName(c.section, name))
  return named.length === 1 ? named[0]!.line : undefined
}

/**
 * The locator of a chart's rendered objects: every part at the chart's `name` line (`at`), with
 * `renderedFrom` the template the `# Source:` comment above the object names, in the chart's folder.
 */
export async function chartLocator(
  dir: string,
  at: Position | undefined,
  rendered: string,
  source: SourceFiles,
): Promise<LocateRendered> {
  const byLine = sourcesByLine(rendered)
  const files = new Set(byLine.filter((s): s is string => s !== undefined).map((s) => chartPath(dir, s)))
  const templates = await source.read([...files])
  return (object, _origin, line) => {
    const named = byLine[line]
    const file = named === undefined ? undefined : chartPath(dir, named)
    const template = file === undefined ? undefined : templates.get(file)
    const renderedFrom: RenderedFrom | undefined =
      file === undefined || template === undefined
        ? undefined
        : {file, line: kindLine(template.toString('utf8'), object) ?? 1}
    return {
      locate: () => (at === undefined || renderedFrom === undefined ? at : {...at, renderedFrom}),
    }
  }
}
