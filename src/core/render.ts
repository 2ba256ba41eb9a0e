// Container formats rendered by a tool (a kustomize overlay, a Helm chart): the format says what
// to run and on which files (ContainerFormat.render), the tool runner (src/tools/) runs it offline,
// and this step turns the outcome into the rendered text, or into why the file is not read —
// the tool is not installed, the render needs the network, the render failed — which coverage lists.

import type {ContainerFormat, SourceFiles} from '../containers/index.js'
import {sha256} from '../kernel/hash.js'
import type {AdapterSettings, ParsedFile} from '../kernel/types.js'
import {runTool, type ToolOutcome, type ToolRun} from '../tools/run.js'

export type Rendered = {text: string} | {notRead: string}

export async function render(
  parsed: ParsedFile,
  container: ContainerFormat,
  source: SourceFiles | undefined,
  settings: AdapterSettings,
): Promise<Rendered> {
  const rendering = await container.render!(parsed, source, settings)
  if ('notRead' in rendering) return rendering
  if ('output' in rendering) return {text: rendering.output}
  const outcome = await runOnce(rendering)
  if (outcome.status === 'rendered') return {text: outcome.stdout}
  if (outcome.status === 'missing') return {notRead: `${rendering.tool} not installed`}
  return {notRead: `${rendering.tool} ${rendering.args[0] ?? ''} failed: ${outcome.why}`.replace('  ', ' ')}
}

/**
 * The renders of this process, by what they read: the same files give the same output, so an
 * overlay whose files are the same at HEAD and in the index (k8s-rbac compares every overlay
 * when any RBAC changes) is rendered once. Kept in memory only: a cache others could write to
 * would let them choose what acldrift sees.
 */
const renders = new Map<string, Promise<ToolOutcome>>()

function runOnce(run: ToolRun): Promise<ToolOutcome> {
  const files = [...run.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const key = sha256(
    JSON.stringify([run.tool, run.args, files.map(([path, content]) => [path, sha256(content)])]),
  )
  let outcome = renders.get(key)
  if (outcome === undefined) {
    outcome = runTool(run)
    renders.set(key, outcome)
  }
  return outcome
}
