// The harness contracts: the documented payloads (test/core/agent/payloads/, with their source)
// read as the actions acldrift judges, the documented answers, and init's merge of the hook
// configuration with the user's own.
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {
  CLAUDE_CODE,
  CURSOR,
  GEMINI_CLI,
  hookCommand,
  MalformedPayload,
  VSCODE,
} from '../../../src/core/agent/harnesses.js'
import {applyEdit} from '../../../src/core/agent/edits.js'

const payloadOf = (harness: string, name: string) =>
  JSON.parse(readFileSync(new URL(`payloads/${harness}/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >
const payload = (name: string) => payloadOf('claude-code', name)
/** The edit the payloads' replacement makes: the dashboard's role becomes anyone. */
const PRINCIPAL_TO_ANYONE = {
  oldString: '"Principal": {"AWS": "arn:aws:iam::111122223333:role/reporting-dashboard"}',
  newString: '"Principal": "*"',
  replaceAll: false,
}

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
        edits: [PRINCIPAL_TO_ANYONE],
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

  it("reads SubagentStop (a subagent finishing) as the end of that subagent's turn", () => {
    expect(read('subagent-stop')).toEqual({
      session: 'abc123',
      cwd: '/home/dev/payroll-infra',
      action: {type: 'stop', repeated: false},
    })
    const again = {...payload('subagent-stop'), stop_hook_active: true}
    expect(CLAUDE_CODE.read('SubagentStop', again).action).toEqual({type: 'stop', repeated: true})
    // Exit 2 keeps the subagent running with stderr as its next instruction, as Stop does.
    expect(CLAUDE_CODE.answer('SubagentStop', {block: true, message: 'report it'})).toEqual({
      code: 2,
      stdout: '',
      stderr: 'report it\n',
    })
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
    expect(hooks.SubagentStop).toEqual([
      {hooks: [{type: 'command', command: hookCommand(CLAUDE_CODE, 'SubagentStop'), timeout: 60}]},
    ])
    expect(CLAUDE_CODE.install(merged)).toEqual(merged)
    expect(CLAUDE_CODE.installed(merged)).toBe(true)
    expect(CLAUDE_CODE.installed(mine)).toBe(false)
    expect(CLAUDE_CODE.installed({...merged, disableAllHooks: true})).toBe(false)
    // A configuration written before SubagentStop was installed is brought up to date.
    const older = structuredClone(merged) as {hooks: Record<string, unknown>}
    delete older.hooks.SubagentStop
    expect(CLAUDE_CODE.installed(older)).toBe(false)
    expect(CLAUDE_CODE.install(older)).toEqual(merged)
    // A narrower matcher no longer runs the hook on every edit tool.
    const narrowed = structuredClone(merged) as {hooks: {PreToolUse: Array<{matcher: string}>}}
    narrowed.hooks.PreToolUse[1]!.matcher = 'Bash'
    expect(CLAUDE_CODE.installed(narrowed)).toBe(false)
    expect(hookCommand(CLAUDE_CODE, 'PreToolUse')).toBe(
      'sh "$CLAUDE_PROJECT_DIR/.acldrift/agent-hook.sh" claude-code PreToolUse',
    )
  })
})

describe('Gemini CLI (https://github.com/google-gemini/gemini-cli/blob/main/docs/hooks/reference.md)', () => {
  const read = (name: string) => {
    const p = payloadOf('gemini', name)
    return GEMINI_CLI.read(p.hook_event_name as string, p)
  }
  const bucket = '/home/dev/payroll-infra/iam/buckets/payroll-exports.json'

  it('reads write_file and replace (with expected_replacements) as edits, with the session and the directory', () => {
    expect(read('write_file')).toEqual({
      session: '8f2c6a1e-gemini',
      cwd: '/home/dev/payroll-infra',
      action: {
        type: 'edit',
        tool: 'write_file',
        file: bucket,
        edit: {type: 'write', content: '{\n  "Version": "2012-10-17",\n  "Statement": []\n}\n'},
      },
    })
    expect(read('replace').action).toEqual({
      type: 'edit',
      tool: 'replace',
      file: bucket,
      edit: {
        type: 'edit',
        edits: [PRINCIPAL_TO_ANYONE],
        // an old_string that does not match is "corrected" by the model: its result is unknown
        heals: true,
      },
    })
    expect(read('replace-expected').action).toMatchObject({
      edit: {edits: [{oldString: 's3:GetObject', newString: 's3:*', replaceAll: false, count: 2}]},
    })
  })

  it('reads run_shell_command as a shell command in its directory, AfterAgent as the end of a turn', () => {
    expect(read('run_shell_command-no-verify').action).toEqual({
      type: 'shell',
      command: 'git add -A && git commit --no-verify -m "Fix AccessDenied on the exports"',
      cwd: 'iam',
    })
    expect(read('after-agent').action).toEqual({type: 'stop', repeated: false})
    const again = {...payloadOf('gemini', 'after-agent'), stop_hook_active: true}
    expect(GEMINI_CLI.read('AfterAgent', again).action).toEqual({type: 'stop', repeated: true})
    expect(read('read_file').action).toEqual({type: 'other'})
  })

  it('refuses a payload without the documented fields (the CLI then fails closed)', () => {
    const replace = payloadOf('gemini', 'replace')
    expect(() => GEMINI_CLI.read('BeforeTool', 'x')).toThrow(MalformedPayload)
    expect(() => GEMINI_CLI.read('BeforeTool', {...replace, tool_input: {file_path: bucket}})).toThrow(
      MalformedPayload,
    )
    const input = replace.tool_input as Record<string, unknown>
    for (const expected of [0, 1.5, '2'])
      expect(() =>
        GEMINI_CLI.read('BeforeTool', {...replace, tool_input: {...input, expected_replacements: expected}}),
      ).toThrow(MalformedPayload)
  })

  it('answers with the documented exit codes: 2 and stderr blocks, 0 with JSON alone on stdout allows', () => {
    expect(GEMINI_CLI.answer('BeforeTool', {block: true, message: 'why'})).toEqual({
      code: 2,
      stdout: '',
      stderr: 'why\n',
    })
    const allowed = GEMINI_CLI.answer('BeforeTool', {block: false})
    expect(allowed.code).toBe(0)
    expect(JSON.parse(allowed.stdout)).toEqual({})
    expect(GEMINI_CLI.launcherBlock.code).toBe(2)
    expect(GEMINI_CLI.failClosed).toEqual(['BeforeTool'])
  })

  it("adds acldrift's hooks to the user's settings, keeping theirs, once; switched off is not installed", () => {
    const mine = {
      general: {vimMode: true},
      hooks: {
        BeforeTool: [{matcher: 'run_shell_command', hooks: [{type: 'command', command: './audit.sh'}]}],
      },
    }
    const merged = GEMINI_CLI.install(mine)
    expect(merged.general).toEqual(mine.general)
    expect(merged.tools).toEqual({enableHooks: true})
    const hooks = merged.hooks as Record<string, unknown[]>
    expect(hooks.BeforeTool).toEqual([
      mine.hooks.BeforeTool[0],
      {
        matcher: 'write_file|replace|run_shell_command',
        hooks: [
          expect.objectContaining({
            name: 'acldrift',
            type: 'command',
            command: 'sh "$GEMINI_PROJECT_DIR/.acldrift/agent-hook.sh" gemini BeforeTool',
            timeout: 60_000,
          }),
        ],
      },
    ])
    expect(hooks.AfterAgent).toEqual([
      {hooks: [expect.objectContaining({command: hookCommand(GEMINI_CLI, 'AfterAgent')})]},
    ])
    expect(GEMINI_CLI.install(merged)).toEqual(merged)
    expect(GEMINI_CLI.installed(merged)).toBe(true)
    expect(GEMINI_CLI.installed(mine)).toBe(false)
    // Every way the documentation gives to switch them off.
    expect(GEMINI_CLI.installed({...merged, tools: {enableHooks: false}})).toBe(false)
    expect(GEMINI_CLI.installed({...merged, hooks: {...hooks, disabled: ['acldrift']}})).toBe(false)
    const narrowed = structuredClone(merged) as {hooks: {BeforeTool: Array<{matcher: string}>}}
    narrowed.hooks.BeforeTool[1]!.matcher = 'run_shell_command'
    expect(GEMINI_CLI.installed(narrowed)).toBe(false)
    // A switch the user set is theirs: kept (and then init refuses, saying why).
    const off = GEMINI_CLI.install({tools: {enableHooks: false}})
    expect(off.tools).toEqual({enableHooks: false})
    expect(GEMINI_CLI.installed(off)).toBe(false)
  })
})

describe('Cursor (https://cursor.com/docs/hooks)', () => {
  const read = (name: string) => {
    const p = payloadOf('cursor', name)
    return CURSOR.read(p.hook_event_name as string, p)
  }

  it('reads beforeShellExecution as a shell command in its directory, stop as the end of a turn', () => {
    expect(read('before-shell-execution-no-verify')).toEqual({
      session: 'c2d1f0aa-5d8e-4f6b-9a51-7e0d3c1b2a90',
      cwd: '/home/dev/payroll-infra',
      action: {
        type: 'shell',
        command: 'git add -A && git commit --no-verify -m "Fix AccessDenied on the exports"',
        cwd: '/home/dev/payroll-infra/iam',
      },
    })
    expect(read('stop').action).toEqual({type: 'stop', repeated: false})
    // After one follow-up, the agent may finish (and report).
    expect(CURSOR.read('stop', {...payloadOf('cursor', 'stop'), loop_count: 1}).action).toEqual({
      type: 'stop',
      repeated: true,
    })
    // afterFileEdit comes after the edit: nothing to refuse (acldrift does not install it).
    expect(read('after-file-edit').action).toEqual({type: 'other'})
    expect(() => CURSOR.read('beforeShellExecution', {hook_event_name: 'beforeShellExecution'})).toThrow(
      MalformedPayload,
    )
  })

  it('answers in JSON on stdout: permission deny with the reason for the agent, followup_message at stop', () => {
    const denied = CURSOR.answer('beforeShellExecution', {block: true, message: 'why'})
    expect(denied.code).toBe(0)
    expect(JSON.parse(denied.stdout)).toEqual({permission: 'deny', user_message: 'why', agent_message: 'why'})
    expect(JSON.parse(CURSOR.answer('beforeShellExecution', {block: false}).stdout)).toEqual({
      permission: 'allow',
    })
    expect(JSON.parse(CURSOR.answer('stop', {block: true, message: 'report it'}).stdout)).toEqual({
      followup_message: 'report it',
    })
    expect(JSON.parse(CURSOR.answer('stop', {block: false}).stdout)).toEqual({})
    // The launcher's answer when acldrift does not answer: deny, in JSON.
    expect(JSON.parse(CURSOR.launcherBlock.stdout!)).toMatchObject({permission: 'deny'})
  })

  it("adds acldrift's hooks to the user's hooks.json, keeping theirs, once", () => {
    const mine = {version: 1, hooks: {afterFileEdit: [{command: './hooks/format.sh'}]}}
    const merged = CURSOR.install(mine)
    const hooks = merged.hooks as Record<string, unknown[]>
    expect(hooks.afterFileEdit).toEqual(mine.hooks.afterFileEdit)
    expect(hooks.beforeShellExecution).toEqual([
      {
        command: 'sh "$(git rev-parse --show-toplevel)/.acldrift/agent-hook.sh" cursor beforeShellExecution',
        failClosed: true,
      },
    ])
    expect(hooks.stop).toEqual([{command: hookCommand(CURSOR, 'stop')}])
    expect(CURSOR.install(merged)).toEqual(merged)
    expect(CURSOR.installed(merged)).toBe(true)
    expect(CURSOR.installed(mine)).toBe(false)
    expect(CURSOR.install({}).version).toBe(1)
    expect(CURSOR.installed({...merged, version: 2})).toBe(false)
    expect(CURSOR.installed({...merged, hooks: {...hooks, stop: []}})).toBe(false)
  })

  it('sets failClosed on the entry it installed before Cursor documented the option, and only there', () => {
    const shell = hookCommand(CURSOR, 'beforeShellExecution')
    const before = {
      version: 1,
      hooks: {
        beforeShellExecution: [{command: './hooks/audit.sh'}, {command: shell, timeout: 30}],
        stop: [{command: hookCommand(CURSOR, 'stop')}],
      },
    }
    const hooks = CURSOR.install(before).hooks as Record<string, unknown[]>
    expect(hooks.beforeShellExecution).toEqual([
      {command: './hooks/audit.sh'},
      {command: shell, timeout: 30, failClosed: true},
    ])
    // stop fails open: a crash there must not keep the agent from finishing its turn.
    expect(hooks.stop).toEqual([{command: hookCommand(CURSOR, 'stop')}])
  })
})

describe('VS Code (https://code.visualstudio.com/docs/agents/reference/hooks-reference)', () => {
  const root = '/home/dev/payroll-infra'
  const bucket = `${root}/iam/buckets/payroll-exports.json`
  const read = (name: string) => {
    const p = payloadOf('vscode', name)
    return VSCODE.read(p.hookEventName as string, p)
  }
  const policy = [
    '{',
    '  "Statement": [',
    '    {"Effect": "Allow", "Action": "s3:GetObject",',
    '      "Principal": {"AWS": "arn:aws:iam::111122223333:role/reporting-dashboard"}},',
    '    {"Effect": "Deny", "Action": "s3:*", "Principal": "*"}',
    '  ]',
    '}',
  ].join('\n')

  it('reads create_file and replace_string_in_file as edits of a file, with the session and the directory', () => {
    expect(read('create_file')).toEqual({
      session: 'vs-6a1f',
      cwd: root,
      action: {
        type: 'edit',
        tool: 'create_file',
        file: bucket,
        edit: {type: 'write', content: '{\n  "Version": "2012-10-17",\n  "Statement": []\n}\n'},
      },
    })
    const replace = read('replace_string_in_file').action
    expect(replace).toEqual({
      type: 'edit',
      tool: 'replace_string_in_file',
      file: bucket,
      edit: {
        type: 'edit',
        edits: [PRINCIPAL_TO_ANYONE],
        heals: true,
      },
    })
    // Exactly one exact occurrence: the result is known. None, or several: VS Code repairs the
    // edit (editFileHealing.tsx), and what it then writes is unknown.
    const edit = (replace as {edit: Parameters<typeof applyEdit>[1]}).edit
    expect(applyEdit(policy, edit)).toEqual({
      ok: true,
      content: policy.replace('{"AWS": "arn:aws:iam::111122223333:role/reporting-dashboard"}', '"*"'),
    })
    expect(applyEdit('{}', edit)).toMatchObject({ok: false, unknown: true})
    const twice = `${policy}\n${policy}`
    expect(applyEdit(twice, edit)).toMatchObject({ok: false, unknown: true})
    // create_file without content creates an empty file.
    const empty = VSCODE.read('PreToolUse', {
      tool_name: 'create_file',
      tool_input: {filePath: bucket},
    }).action
    expect(empty).toMatchObject({edit: {type: 'write', content: ''}})
  })

  it('reads multi_replace_string_in_file per file, each replacement placed in the file as it is', () => {
    const action = read('multi_replace_string_in_file').action
    expect(action).toEqual({
      type: 'edits',
      tool: 'multi_replace_string_in_file',
      edits: [
        {
          file: bucket,
          edit: {
            type: 'batch',
            edits: [
              {oldString: 's3:GetObject', newString: 's3:*'},
              {oldString: '"Effect": "Deny"', newString: '"Effect": "Allow"'},
            ],
          },
        },
        {
          file: `${root}/src/app.ts`,
          edit: {type: 'batch', edits: [{oldString: 'app = 1', newString: 'app = 2'}]},
        },
      ],
    })
    const [first] = (action as {edits: Array<{edit: Parameters<typeof applyEdit>[1]}>}).edits
    expect(applyEdit(policy, first!.edit)).toEqual({
      ok: true,
      content: policy.replace('s3:GetObject', 's3:*').replace('"Effect": "Deny"', '"Effect": "Allow"'),
    })
    // Placed in the original, not one after the other: "s3:*" is in the file twice after the first.
    const chained = {
      type: 'batch' as const,
      edits: [
        {oldString: 's3:GetObject', newString: 'X'},
        {oldString: 'X', newString: 'Y'},
      ],
    }
    expect(applyEdit(policy, chained)).toMatchObject({ok: false, unknown: true})
    const overlap = {
      type: 'batch' as const,
      edits: [
        {oldString: '"Effect": "Deny"', newString: ''},
        {oldString: 'Deny", "Action', newString: ''},
      ],
    }
    expect(applyEdit(policy, overlap)).toMatchObject({
      ok: false,
      unknown: true,
      reason: 'two replacements overlap',
    })
  })

  it('reads insert_edit_into_file and the parts of apply_patch it cannot compute as unknown', () => {
    expect(read('insert_edit_into_file').action).toMatchObject({
      type: 'edit',
      file: bucket,
      edit: {type: 'unknown'},
    })
    expect(read('apply_patch').action).toEqual({
      type: 'edits',
      tool: 'apply_patch',
      edits: [
        {
          file: bucket,
          edit: {type: 'unknown', reason: 'apply_patch places an update by fuzzy context matching'},
        },
        {
          file: `${root}/iam/readers.json`,
          edit: {type: 'write', content: '{"Version": "2012-10-17",\n "Statement": []}'},
        },
        {file: `${root}/old.json`, edit: {type: 'unknown', reason: 'apply_patch deletes the file'}},
      ],
    })
    const patch = (input: string) =>
      VSCODE.read('PreToolUse', {tool_name: 'apply_patch', tool_input: {input}}).action
    expect(
      patch('*** Begin Patch\n*** Add File: a.json\n+{}\n not an addition\n*** End Patch'),
    ).toMatchObject({
      edits: [{file: 'a.json', edit: {type: 'unknown'}}],
    })
    expect(
      patch('*** Begin Patch\n*** Update File: a.json\n*** Move to: b.json\n*** End Patch'),
    ).toMatchObject({
      edits: [{file: 'a.json'}, {file: 'b.json', edit: {type: 'unknown'}}],
    })
    expect(() => patch('just text')).toThrow(MalformedPayload)
  })

  it("reads run_in_terminal as a shell command, other tools as nothing to judge, the extension's own names too", () => {
    expect(read('run_in_terminal-no-verify').action).toEqual({
      type: 'shell',
      command: 'git add -A && git commit --no-verify -m "Fix AccessDenied on the exports"',
    })
    expect(read('read_file').action).toEqual({type: 'other'})
    expect(
      VSCODE.read('PreToolUse', {
        tool_name: 'copilot_createFile',
        tool_input: {filePath: bucket, content: 'x'},
      }).action,
    ).toMatchObject({type: 'edit', file: bucket, edit: {type: 'write', content: 'x'}})
    expect(VSCODE.read('Stop', {hookEventName: 'Stop'}).action).toEqual({type: 'other'})
  })

  it('refuses a payload without the documented fields (the CLI then fails closed)', () => {
    const create = payloadOf('vscode', 'create_file')
    expect(() => VSCODE.read('PreToolUse', 'x')).toThrow(MalformedPayload)
    expect(() => VSCODE.read('PreToolUse', {...create, tool_input: {content: 'x'}})).toThrow(MalformedPayload)
    expect(() => VSCODE.read('PreToolUse', {...create, tool_input: {filePath: bucket, content: 3}})).toThrow(
      MalformedPayload,
    )
    expect(() =>
      VSCODE.read('PreToolUse', {
        tool_name: 'multi_replace_string_in_file',
        tool_input: {replacements: [{filePath: bucket}]},
      }),
    ).toThrow(MalformedPayload)
  })

  it('answers with the documented exit codes: 2 and stderr blocks, 0 allows', () => {
    expect(VSCODE.answer('PreToolUse', {block: true, message: 'why'})).toEqual({
      code: 2,
      stdout: '',
      stderr: 'why\n',
    })
    expect(VSCODE.answer('PreToolUse', {block: false})).toEqual({code: 0, stdout: '', stderr: ''})
    expect(VSCODE.launcherBlock.code).toBe(2)
    expect(VSCODE.failClosed).toEqual(['PreToolUse'])
  })

  it("adds acldrift's hook to the workspace hook file, keeping the user's, once", () => {
    const mine = {
      hooks: {PreToolUse: [{type: 'command', command: './scripts/validate-tool.sh', timeout: 15}]},
      note: 'x',
    }
    const merged = VSCODE.install(mine)
    expect(merged.note).toBe('x')
    const hooks = merged.hooks as Record<string, unknown[]>
    expect(hooks.PreToolUse).toEqual([
      mine.hooks.PreToolUse[0],
      {
        type: 'command',
        command: 'sh "$(git rev-parse --show-toplevel)/.acldrift/agent-hook.sh" vscode PreToolUse',
        timeout: 60,
      },
    ])
    expect(VSCODE.install(merged)).toEqual(merged)
    expect(VSCODE.installed(merged)).toBe(true)
    expect(VSCODE.installed(mine)).toBe(false)
    expect(VSCODE.installed({hooks: {PreToolUse: [mine.hooks.PreToolUse[0]]}})).toBe(false)
    expect(VSCODE.configFile).toBe('.github/hooks/acldrift.json')
  })
})
