// The coding agents' hook configurations (.claude/settings.json): once one runs acldrift's agent
// hooks, a change that stops running them — a hook removed, a matcher narrowed, every hook
// switched off, the file deleted — lets the agent's edits through unchecked until commit time.
// It is config-weakened, with the commit and actor that made it, like a weakening of the config.

import {acldriftHooksRun, HARNESSES, hooksDropped} from '../agent/harnesses.js'
import {type Protected, protectedFinding} from './protected.js'
import type {VersionCache} from './versions.js'

/** The hook configuration files the gate reads, relative to the repository root. */
export const AGENT_HOOK_FILES: readonly string[] = HARNESSES.map((h) => h.configFile)

export function agentHookChanges(
  before: Map<string, Buffer>,
  after: Map<string, Buffer>,
  versions: VersionCache,
): Protected[] {
  const found: Protected[] = []
  for (const harness of HARNESSES) {
    const file = harness.configFile
    const text = (content: Buffer | undefined) => content?.toString('utf8')
    // Per hook: one that ran acldrift before and no longer does (a configuration installed
    // before a hook was added is still protected for the hooks it has).
    const dropped = hooksDropped(harness, text(before.get(file)), text(after.get(file)))
    if (dropped.length === 0) continue
    const events = dropped.join(', ')
    const finding = protectedFinding({
      file,
      rule: 'config-weakened',
      severity: 'high',
      message: `${file}: ${harness.title} no longer runs acldrift's agent hooks (${events}), so the agent's edits that widen access are no longer stopped before they happen.`,
      witness: {setting: `${harness.name} hooks`, removed: events},
      pointer: after.has(file) ? '/hooks' : null,
      line: null,
      before: events,
      after: null,
    })
    found.push({
      finding,
      path: file,
      // The change is there in a version that does not run one of those hooks.
      holds: async (blob) => {
        const run =
          (await versions.get(blob, `agent-hooks:${harness.name}`, async (content) =>
            acldriftHooksRun(harness, content.toString('utf8')),
          )) ?? []
        return dropped.some((event) => !run.includes(event))
      },
    })
  }
  return found
}
