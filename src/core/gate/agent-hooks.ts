// The coding agents' hook configurations (.claude/settings.json): once one runs acldrift's agent
// hooks, a change that stops running them — a hook removed, a matcher narrowed, every hook
// switched off, the file deleted — lets the agent's edits through unchecked until commit time.
// It is config-weakened, with the commit and actor that made it, like a weakening of the config.

import {HARNESSES, runsAcldrift} from '../agent/harnesses.js'
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
    const runs = (content: Buffer | undefined) =>
      content !== undefined && runsAcldrift(harness, content.toString('utf8'))
    if (!runs(before.get(file)) || runs(after.get(file))) continue
    const events = harness.hooks.map((h) => h.event).join(', ')
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
      // The change is there in a version that does not run the hooks.
      holds: async (blob) =>
        !(
          (await versions.get(blob, `agent-hooks:${harness.name}`, async (content) =>
            runsAcldrift(harness, content.toString('utf8')),
          )) ?? false
        ),
    })
  }
  return found
}
