// The gate reads a coding agent's hook configuration hook by hook: a configuration installed
// before a hook was added (Claude Code's settings from before SubagentStop) keeps the
// protection of the hooks it has, so dropping its PreToolUse is config-weakened at commit time.
import {describe, expect, it} from 'vitest'
import {CLAUDE_CODE, hookCommand} from '../../src/core/agent/harnesses.js'
import {runCli} from '../helpers/repo.js'
import {dump, repoFactory} from './helpers.js'
import {BUCKET_FILE, bucketPolicy, policyText} from './policies.js'

const newRepo = repoFactory()
const group = (event: string, matcher?: string) => ({
  ...(matcher === undefined ? {} : {matcher}),
  hooks: [{type: 'command', command: hookCommand(CLAUDE_CODE, event), timeout: 60}],
})
const settings = (hooks: Record<string, unknown>) => `${JSON.stringify({hooks}, null, 2)}\n`

describe('an older install of the agent hooks', () => {
  it('is protected for the hooks it has: dropping PreToolUse is config-weakened', async () => {
    const r = await newRepo()
    await r.write(BUCKET_FILE, policyText(bucketPolicy))
    await r.write(
      '.claude/settings.json',
      settings({PreToolUse: [group('PreToolUse', 'Write|Edit|MultiEdit|Bash')], Stop: [group('Stop')]}),
    )
    await r.stage()
    await r.commit('Payroll exports bucket, with the agent hooks of the time')
    await r.write('.claude/settings.json', settings({Stop: [group('Stop')]}))
    await r.stage('.claude/settings.json')
    const result = await runCli(['check', '--staged', '--format', 'json'], {cwd: r.dir})
    expect(result.code, dump(result)).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: 'config-weakened',
          file: '.claude/settings.json',
          message: expect.stringContaining("no longer runs acldrift's agent hooks (PreToolUse)"),
        }),
      ]),
    )
  })
})
