// `init --agent`: the coding agents' project-level hook configuration (.claude/settings.json
// …), merged into what is there: the user's own hooks and settings are kept as they are, and
// a file that is not valid JSON is never rewritten. The committed launcher they run is written
// beside the git hooks' (.acldrift/agent-hook.sh).

import {join} from 'node:path'
import {AGENT_LAUNCHER, type Harness} from '../agent/harnesses.js'
import {writeFileAtomic} from '../../kernel/atomic.js'
import {displayPath, type InitStep, readIfExists, writeOwned} from './files.js'
import {agentLauncherScript, MARKER} from './scripts.js'
import {HARNESSES} from '../agent/harnesses.js'

interface AgentInstall {
  steps: InitStep[]
  next: string[]
}

export async function installAgentHooks(
  harnesses: readonly Harness[],
  options: {root: string; force: boolean},
): Promise<AgentInstall> {
  const {root, force} = options
  const steps: InitStep[] = [
    await writeOwned(
      {
        root,
        path: join(root, AGENT_LAUNCHER),
        // Every harness's failure handling, whichever were asked for: one launcher for all.
        content: agentLauncherScript(HARNESSES),
        executable: true,
        ours: (text) => text.includes(MARKER),
      },
      force,
      "a file of yours is there: left alone; the agents' hooks call it to run acldrift",
    ),
  ]
  for (const harness of harnesses) steps.push(await mergeConfig(root, harness))
  const written = steps.filter((s) => s.status === 'created' || s.status === 'updated').map((s) => s.path)
  const next =
    written.length > 0
      ? [`commit ${written.join(' and ')}, so that every session of the agents runs the hooks`]
      : []
  return {steps, next}
}

async function mergeConfig(root: string, harness: Harness): Promise<InitStep> {
  const file = join(root, harness.configFile)
  const path = displayPath(root, file)
  const text = await readIfExists(file)
  let existing: unknown = {}
  if (text !== undefined) {
    try {
      existing = JSON.parse(text)
    } catch (error) {
      return {
        path,
        status: 'refused',
        detail: `not valid JSON (${(error as Error).message}): left alone; fix it and run init again`,
      }
    }
    if (typeof existing !== 'object' || existing === null || Array.isArray(existing))
      return {path, status: 'refused', detail: 'not a JSON object: left alone'}
  }
  const merged = harness.install(existing as Record<string, unknown>)
  if (!harness.installed(merged))
    return {
      path,
      status: 'refused',
      detail: `your settings switch ${harness.title}'s hooks off: left alone; switch them on and run init again`,
    }
  if (text !== undefined && JSON.stringify(merged) === JSON.stringify(existing))
    return {path, status: 'unchanged', detail: `${harness.title} runs acldrift's hooks`}
  await writeFileAtomic(file, `${JSON.stringify(merged, null, 2)}\n`)
  const events = harness.hooks
    .map((h) => (h.matcher === undefined ? h.event : `${h.event} (${h.matcher})`))
    .join(', ')
  return {
    path,
    status: text === undefined ? 'created' : 'updated',
    detail: `${harness.title} hooks: ${events}${text === undefined ? '' : '; your settings and hooks kept'}`,
  }
}
