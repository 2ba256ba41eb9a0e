// An edit of a harness's hook configuration that stops running one of acldrift's hooks is
// refused (config-weakened), judged hook by hook: a configuration installed before a hook was
// added (Claude Code's SubagentStop) keeps the protection of the hooks it has.
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {
  acldriftHooksRun,
  CLAUDE_CODE,
  GEMINI_CLI,
  hooksDropped,
  hookCommand,
  VSCODE,
} from '../../../src/core/agent/harnesses.js'
import {judge} from '../../../src/core/agent/hook.js'

/** Claude Code's settings as `init --agent` wrote them before it installed SubagentStop. */
const older = {
  hooks: {
    PreToolUse: [
      {
        matcher: 'Write|Edit|MultiEdit|Bash',
        hooks: [{type: 'command', command: hookCommand(CLAUDE_CODE, 'PreToolUse'), timeout: 60}],
      },
    ],
    Stop: [{hooks: [{type: 'command', command: hookCommand(CLAUDE_CODE, 'Stop'), timeout: 60}]}],
  },
}
const text = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`
const withoutPreToolUse = text({hooks: {Stop: older.hooks.Stop}})

describe('hook configurations, hook by hook', () => {
  it('names the hooks a configuration runs and those an edit drops', () => {
    expect(acldriftHooksRun(CLAUDE_CODE, text(older))).toEqual(['PreToolUse', 'Stop'])
    expect(acldriftHooksRun(CLAUDE_CODE, text(CLAUDE_CODE.install({})))).toEqual([
      'PreToolUse',
      'Stop',
      'SubagentStop',
    ])
    expect(acldriftHooksRun(CLAUDE_CODE, '{not json')).toEqual([])
    expect(hooksDropped(CLAUDE_CODE, text(older), withoutPreToolUse)).toEqual(['PreToolUse'])
    // Bringing an older install up to date drops nothing; removing the new hook does.
    const current = text(CLAUDE_CODE.install(older))
    expect(hooksDropped(CLAUDE_CODE, text(older), current)).toEqual([])
    expect(hooksDropped(CLAUDE_CODE, current, text(older))).toEqual(['SubagentStop'])
    expect(
      hooksDropped(CLAUDE_CODE, current, text({...CLAUDE_CODE.install(older), disableAllHooks: true})),
    ).toEqual(['PreToolUse', 'Stop', 'SubagentStop'])
    // A switch that turns every hook off drops them all (Gemini CLI's tools.enableHooks).
    const gemini = GEMINI_CLI.install({})
    expect(hooksDropped(GEMINI_CLI, text(gemini), text({...gemini, tools: {enableHooks: false}}))).toEqual([
      'BeforeTool',
      'AfterAgent',
    ])
  })

  describe("the agent hook's answer", () => {
    let dir: string
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'acldrift-hook-config-'))
      await mkdir(join(dir, '.git'))
      await mkdir(join(dir, '.claude'))
      await writeFile(join(dir, '.claude', 'settings.json'), text(older))
      await mkdir(join(dir, '.github', 'hooks'), {recursive: true})
      await writeFile(join(dir, VSCODE.configFile), text(VSCODE.install({})))
    })
    afterAll(() => rm(dir, {recursive: true, force: true}))

    const write = (content: string) =>
      judge(
        CLAUDE_CODE,
        'PreToolUse',
        {
          cwd: dir,
          action: {
            type: 'edit',
            tool: 'Write',
            file: join(dir, '.claude', 'settings.json'),
            edit: {type: 'write', content},
          },
        },
        {},
      )

    it('refuses an edit of an older install that removes PreToolUse', async () => {
      const judgement = await write(withoutPreToolUse)
      expect(judgement.refusal).toMatchObject({type: 'guarded'})
      expect(JSON.stringify(judgement.refusal)).toContain('config-weakened')
    })

    it('lets the same install be brought up to date, or given hooks of your own', async () => {
      expect((await write(text(CLAUDE_CODE.install(older)))).refusal).toBeUndefined()
      const mine = structuredClone(older) as {hooks: Record<string, unknown[]>}
      mine.hooks.PostToolUse = [{matcher: 'Write', hooks: [{type: 'command', command: 'prettier --write'}]}]
      expect((await write(text(mine))).refusal).toBeUndefined()
    })
    // VS Code repairs a replacement whose text does not occur exactly once (and apply_patch places
    // an update by fuzzy matching): what it writes into a hook configuration cannot be known, and
    // may drop acldrift's hooks. A failing edit of Claude Code's (which does not repair) changes nothing.
    it('refuses an edit of a hook configuration whose result cannot be known, and lets a failing one through', async () => {
      const file = join(dir, '.claude', 'settings.json')
      const edit = (harness: typeof VSCODE, tool: string, input: Record<string, unknown>) =>
        judge(
          harness,
          'PreToolUse',
          {cwd: dir, ...harness.read('PreToolUse', {tool_name: tool, tool_input: input})},
          {},
        )
      const repaired = await edit(VSCODE, 'replace_string_in_file', {
        filePath: file,
        oldString: '"Stop":[',
        newString: '"Nope":[',
      })
      expect(repaired.refusal).toMatchObject({type: 'guarded'})
      expect(JSON.stringify(repaired.refusal)).toContain('cannot know what the file would hold')
      const vscodeHooks = join(dir, VSCODE.configFile)
      const vscodeRepaired = await edit(VSCODE, 'replace_string_in_file', {
        filePath: vscodeHooks,
        oldString: '"PreToolUse":[',
        newString: '"Nope":[',
      })
      expect(vscodeRepaired.refusal).toMatchObject({type: 'guarded'})
      const patched = await edit(VSCODE, 'apply_patch', {
        input: `*** Begin Patch\n*** Update File: ${vscodeHooks}\n@@\n-x\n+y\n*** End Patch`,
      })
      expect(patched.refusal).toMatchObject({type: 'guarded'})
      const failing = await edit(CLAUDE_CODE, 'Edit', {
        file_path: file,
        old_string: '"Stop":[',
        new_string: '"Nope":[',
      })
      expect(failing.refusal).toBeUndefined()
    })
  })
})
