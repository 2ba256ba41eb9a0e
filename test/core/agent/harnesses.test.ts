// The harness contracts: the documented payloads (test/core/agent/payloads/, with their source)
// read as the actions acldrift judges, the documented answers, and init's merge of the hook
// configuration with the user's own.
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {CLAUDE_CODE, hookCommand, MalformedPayload} from '../../../src/core/agent/harnesses.js'

const payload = (name: string) =>
  JSON.parse(readFileSync(new URL(`payloads/claude-code/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >

describe('Claude Code (https://docs.anthropic.com/en/docs/claude-code/hooks)', () => {
  const read = (name: string) => {
    const p = payload(name)
    return CLAUDE_CODE.read(p.hook_event_name as string, p)
  }

  it('reads Write, Edit and MultiEdit as edits of a file, with the session and the directory', () => {
    expect(read('write')).toEqual({
      session: 'abc123',
      cwd: '/home/dev/payroll-infra',
      action: {
        type: 'edit',
        tool: 'Write',
        file: '/home/dev/payroll-infra/iam/buckets/payroll-exports.json',
        edit: {type: 'write', content: '{\n  "Version": "2012-10-17",\n  "Statement": []\n}\n'},
      },
    })
    expect(read('edit').action).toEqual({
      type: 'edit',
      tool: 'Edit',
      file: '/home/dev/payroll-infra/iam/buckets/payroll-exports.json',
      edit: {
        type: 'edit',
        edits: [
          {
            oldString: '"Principal": {"AWS": "arn:aws:iam::111122223333:role/reporting-dashboard"}',
            newString: '"Principal": "*"',
            replaceAll: false,
          },
        ],
      },
    })
    expect(read('multiedit').action).toMatchObject({
      type: 'edit',
      tool: 'MultiEdit',
      file: 'iam/buckets/payroll-exports.json',
      edit: {
        type: 'edit',
        edits: [
          {oldString: 's3:GetObject', newString: 's3:*', replaceAll: true},
          {oldString: '"Effect": "Deny"', newString: '"Effect": "Allow"', replaceAll: false},
        ],
      },
    })
  })

  it('reads Bash as a shell command, Stop as the end of a turn, other tools as nothing to judge', () => {
    expect(read('bash-no-verify').action).toEqual({
      type: 'shell',
      command: 'git add -A && git commit --no-verify -m "Fix AccessDenied on the exports"',
    })
    expect(read('stop').action).toEqual({type: 'stop', repeated: false})
    expect(CLAUDE_CODE.read('Stop', {...payload('stop'), stop_hook_active: true}).action).toEqual({
      type: 'stop',
      repeated: true,
    })
    expect(read('read').action).toEqual({type: 'other'})
  })

  it('refuses a payload without the documented fields (the CLI then fails closed)', () => {
    expect(() => CLAUDE_CODE.read('PreToolUse', [])).toThrow(MalformedPayload)
    expect(() => CLAUDE_CODE.read('PreToolUse', {tool_name: 'Write', tool_input: {file_path: 'x'}})).toThrow(
      MalformedPayload,
    )
    expect(() =>
      CLAUDE_CODE.read('PreToolUse', {tool_name: 'MultiEdit', tool_input: {file_path: 'x', edits: 'no'}}),
    ).toThrow(MalformedPayload)
  })

  it('answers with the documented exit codes: 2 and stderr to the model blocks, 0 allows', () => {
    expect(CLAUDE_CODE.answer('PreToolUse', {block: true, message: 'why'})).toEqual({
      code: 2,
      stdout: '',
      stderr: 'why\n',
    })
    expect(CLAUDE_CODE.answer('PreToolUse', {block: false})).toEqual({code: 0, stdout: '', stderr: ''})
    expect(CLAUDE_CODE.launcherBlock.code).toBe(2)
  })

  it("adds acldrift's hooks to the user's settings, keeping theirs, once", () => {
    const mine = {
      permissions: {allow: ['Bash(npm test)']},
      hooks: {
        PreToolUse: [{matcher: 'Bash', hooks: [{type: 'command', command: './audit.sh'}]}],
        PostToolUse: [{matcher: 'Write', hooks: [{type: 'command', command: 'prettier --write'}]}],
      },
    }
    const merged = CLAUDE_CODE.install(mine)
    expect(merged.permissions).toEqual(mine.permissions)
    const hooks = merged.hooks as Record<string, unknown[]>
    expect(hooks.PostToolUse).toEqual(mine.hooks.PostToolUse)
    expect(hooks.PreToolUse).toEqual([
      mine.hooks.PreToolUse[0],
      {
        matcher: 'Write|Edit|MultiEdit|Bash',
        hooks: [{type: 'command', command: hookCommand(CLAUDE_CODE, 'PreToolUse'), timeout: 60}],
      },
    ])
    expect(hooks.Stop).toEqual([
      {hooks: [{type: 'command', command: hookCommand(CLAUDE_CODE, 'Stop'), timeout: 60}]},
    ])
    expect(CLAUDE_CODE.install(merged)).toEqual(merged)
    expect(CLAUDE_CODE.installed(merged)).toBe(true)
    expect(CLAUDE_CODE.installed(mine)).toBe(false)
    expect(CLAUDE_CODE.installed({...merged, disableAllHooks: true})).toBe(false)
    // A narrower matcher no longer runs the hook on every edit tool.
    const narrowed = structuredClone(merged) as {hooks: {PreToolUse: Array<{matcher: string}>}}
    narrowed.hooks.PreToolUse[1]!.matcher = 'Bash'
    expect(CLAUDE_CODE.installed(narrowed)).toBe(false)
    expect(hookCommand(CLAUDE_CODE, 'PreToolUse')).toBe(
      'sh "$CLAUDE_PROJECT_DIR/.acldrift/agent-hook.sh" claude-code PreToolUse',
    )
  })
})
