// Container formats rendered by a tool (a kustomize overlay, a Helm chart): the format says what
// to run and on which files (ContainerFormat.render), the tool runner (src/tools/) runs it offline,
// and this step turns the outcome into the rendered text, or into why the file is not read —
// the tool is not installed, the render needs the network, the render failed — which coverage lists.

import type {ContainerFormat, SourceFiles} from '../containers/index.js'
import type {AdapterSettings, ParsedFile} from '../kernel/types.js'
import {runTool} from '../tools/run.js'

export type Rendered = {text: string} | {notRead: string}

export async function render(
  parsed: ParsedFile,
  container: ContainerFormat,
  source: SourceFiles | undefined,
  settings: AdapterSettings,
): Promise<Rendered> {
  const rendering = await container.render!(parsed, source, settings)
  if ('notRead' in rendering) return rendering
  const outcome = await runTool(rendering)
  if (outcome.status === 'rendered') return {text: outcome.stdout}
  if (outcome.status === 'missing') return {notRead: `${rendering.tool} not installed`}
  return {notRead: `${rendering.tool} ${rendering.args[0] ?? ''} failed: ${outcome.why}`.replace('  ', ' ')}
}
