// acldrift inside Cursor, end to end: `acldrift init --agent cursor` in a real repository, then
// a scripted session run the way Cursor documents its hooks (https://cursor.com/docs/hooks):
// every `{command}` of the event in .cursor/hooks.json runs with the JSON payload on stdin and
// answers in JSON on stdout. Cursor documents no pre-edit input acldrift could judge (preToolUse
// gives tool_input only for Shell), so the widening edit itself is made; acldrift makes the agent report it at `stop` (followup_message) and the git
// hooks refuse to commit it until a person approves it. Shell bypasses are refused before they run.
import {readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli, runHermetic, type RunResult, type TestRepo} from '../helpers/repo.js'
import {dump} from './helpers.js'
import {BUCKET_FILE, policyText, publicBucketPolicy} from './policies.js'
import {approveAsPerson, setUpAgentRepo} from './scripted-agent.js'

const SLOW = 240_000
const HOOKS = '.cursor/hooks.json'

/** Cursor, as far as its project hooks go: each command of the event, its JSON answer. */
class ScriptedCursor {
  readonly conversation = 'e2e-conversation-4c1d'
  constructor(readonly repo: TestRepo) {}

  async fire(
    event: string,
    payload: Record<string, unknown>,
  ): Promise<{answer: Record<string, unknown>; result: RunResult}> {
    const config = JSON.parse(await readFile(join(this.repo.dir, HOOKS), 'utf8'))
    const [hook] = config.hooks[event] as Array<{command: string}>
    const input = JSON.stringify({
      conversation_id: this.conversation,
      generation_id: 'e2e-generation',
      hook_event_name: event,
      workspace_roots: [this.repo.dir],
      ...payload,
    })
    // Project hooks run from the project root (https://cursor.com/docs/hooks, Configuration).
    const result = await runHermetic('sh', ['-c', hook!.command], {
      cwd: this.repo.dir,
      input,
    })
    return {answer: JSON.parse(result.stdout || 'null'), result}
  }

  shell(command: string) {
    return this.fire('beforeShellExecution', {command, cwd: this.repo.dir})
  }

  stop(loops = 0) {
    return this.fire('stop', {status: 'completed', loop_count: loops})
  }
}

describe('acldrift inside Cursor: init --agent cursor, then a scripted session', () => {
  it(
    'refuses the bypass commands, makes the agent report the widening at stop, and the git hooks hold it',
    async () => {
      const r = await setUpAgentRepo({name: 'cursor', configFile: HOOKS})
      const agent = new ScriptedCursor(r)
      expect(JSON.parse(await readFile(join(r.dir, HOOKS), 'utf8')).version).toBe(1)

      // Shell commands: the bypasses are denied, with the reason for the agent; the rest pass.
      for (const command of [
        'git  commit   --no-verify -am "open the bucket"',
        'git -c core.hooksPath=/dev/null commit -m x',
        `sed -i 's/stop/nope/' ${HOOKS}`,
        'npx acldrift baseline update',
      ]) {
        const {answer, result} = await agent.shell(command)
        expect(answer, `${command}: ${dump(result)}`).toMatchObject({permission: 'deny'})
        expect(answer.agent_message).toContain('acldrift blocked this command')
      }
      expect((await agent.shell('git status')).answer).toEqual({permission: 'allow'})

      // The widening edit (Cursor's edit tool runs without a hook that could refuse it).
      await writeFile(join(r.dir, BUCKET_FILE), policyText(publicBucketPolicy))
      const {answer: stop} = await agent.stop()
      expect(stop.followup_message).toContain('tell the user')
      expect(stop.followup_message).toContain(BUCKET_FILE)
      expect(stop.followup_message).toContain('principal=*')
      // Told once, the agent may finish.
      expect((await agent.stop(1)).answer).toEqual({})

      // Committing it: the git hooks refuse it.
      const commit = await runHermetic('git', ['commit', '-qam', 'Fix AccessDenied'], {cwd: r.dir})
      expect(commit.code, dump(commit)).toBe(1)
      expect(commit.stderr).toContain('public-principal')

      // A person approves it and commits the approval: the turn ends without a report.
      const report = await runCli(['check', '--format', 'json'], {cwd: r.dir})
      const ids = [...new Set((JSON.parse(report.stdout).findings as Array<{id: string}>).map((f) => f.id))]
      expect(ids.length, dump(report)).toBeGreaterThan(0)
      await approveAsPerson(r, ids)
      expect((await agent.stop()).answer).toEqual({})

      // hooks.json is a protected file: the agent's commit that stops running the hooks is
      // config-weakened (Cursor marks its commits with its co-author trailer).
      await writeFile(join(r.dir, HOOKS), JSON.stringify({version: 1, hooks: {}}))
      await r.stage(HOOKS)
      const weakened = await runHermetic(
        'git',
        ['commit', '-m', 'Tidy hooks\n\nCo-authored-by: Cursor <cursoragent@cursor.com>'],
        {cwd: r.dir},
      )
      expect(weakened.code, dump(weakened)).toBe(1)
      expect(weakened.stderr).toContain('config-weakened')
      await r.git('reset', '-q', '--hard')

      // Fail closed: acldrift missing, or a payload that is not JSON: the command is denied.
      const config = JSON.parse(await readFile(join(r.dir, HOOKS), 'utf8'))
      const command = config.hooks.beforeShellExecution[0].command as string
      // …and Cursor itself blocks when the hook fails or times out (the documented failClosed).
      expect(config.hooks.beforeShellExecution[0].failClosed).toBe(true)
      const broken = await runHermetic('sh', ['-c', command], {cwd: r.dir, input: '{"command": '})
      expect(JSON.parse(broken.stdout), dump(broken)).toMatchObject({permission: 'deny'})
      await rm(join(r.dir, 'node_modules'), {recursive: true})
      const missing = await agent.shell('git status')
      expect(missing.answer, dump(missing.result)).toMatchObject({permission: 'deny'})
      expect(missing.result.stderr).toContain('not found')
    },
    SLOW,
  )
})
