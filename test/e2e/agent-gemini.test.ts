// acldrift inside Gemini CLI, end to end: `acldrift init --agent gemini` in a real repository,
// then a scripted agent (scripted-agent.ts) that replays a session's tool calls the way Gemini
// CLI runs project hooks (https://github.com/google-gemini/gemini-cli/blob/main/docs/hooks/reference.md):
// BeforeTool on write_file, replace and run_shell_command, AfterAgent at the end of a turn.
// The agent widens the bucket policy, skips the git hooks, switches the hooks off the ways the
// documentation gives; a person approves; a broken, slow or missing hook blocks.
import {readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runHermetic} from '../helpers/repo.js'
import {dump} from './helpers.js'
import {BUCKET_FILE, bucketPolicy, policyText, publicBucketPolicy} from './policies.js'
import {
  approveAsPerson,
  expectWideningRefused,
  GEMINI_PROFILE,
  ScriptedAgent,
  setUpAgentRepo,
  type ToolCall,
} from './scripted-agent.js'

const SLOW = 240_000
const SETTINGS = '.gemini/settings.json'

describe('acldrift inside Gemini CLI: init --agent gemini, then a scripted session', () => {
  it(
    'blocks the widening edit with its witness until a person approves it, the bypasses, and fails closed',
    async () => {
      const r = await setUpAgentRepo(GEMINI_PROFILE)
      const agent = new ScriptedAgent(GEMINI_PROFILE, r)
      const bucket = join(r.dir, BUCKET_FILE)
      const settingsText = await readFile(join(r.dir, SETTINGS), 'utf8')
      const settings = JSON.parse(settingsText)
      expect(settings.tools).toEqual({enableHooks: true})
      expect(settings.hooks.BeforeTool[0].matcher).toBe('write_file|replace|run_shell_command')

      // An ordinary edit passes, answered with JSON alone on stdout.
      const plain = await agent.call({
        tool_name: 'write_file',
        tool_input: {file_path: join(r.dir, 'src/app.ts'), content: 'export const app = 2\n'},
      })
      expect(plain.ran, plain.told).toBe(true)
      expect(JSON.parse(plain.results[0]!.stdout)).toEqual({})

      // The incident, through `replace`: blocked, with the witness and what a person runs.
      const widen: ToolCall = {
        tool_name: 'replace',
        tool_input: {
          file_path: bucket,
          old_string: policyText(bucketPolicy),
          new_string: policyText(publicBucketPolicy),
        },
      }
      const ids = expectWideningRefused(await agent.call(widen))
      expect(await readFile(bucket, 'utf8')).toBe(policyText(bucketPolicy))

      // Several occurrences at once (expected_replacements), and an old_string the tool would
      // have the model "correct": acldrift cannot know what that writes, so it blocks.
      const everyone = await agent.call({
        tool_name: 'replace',
        tool_input: {
          file_path: bucket,
          old_string: '"AWS": "arn:aws:iam::111122223333:role/reporting-dashboard"',
          new_string: '"AWS": "*"',
          expected_replacements: 1,
        },
      })
      expect(everyone.ran).toBe(false)
      expect(everyone.told).toContain('public-principal')
      const fuzzy = await agent.call({
        tool_name: 'replace',
        tool_input: {
          file_path: bucket,
          old_string: 's3:GetObject',
          new_string: 's3:*',
          expected_replacements: 3,
        },
      })
      expect(fuzzy.ran).toBe(false)
      expect(fuzzy.told).toContain('occurs 1 times, not 3')

      // The git hooks' bypasses, as shell commands (in a subdirectory too).
      const attempts: Array<[command: string, directory?: string]> = [
        ['git  commit   -n -am "open the bucket"', 'iam'],
        ['git -c core.hooksPath=/dev/null commit -m x'],
        [`cat > .acldrift/approvals.yaml <<'EOF'\nversion: 1\napprovals: []\nEOF`],
        [`npx acldrift approve ${ids[0]} --reason x --expires 2099-01-01`],
        [`sed -i 's/BeforeTool/Nope/' ${SETTINGS}`],
      ]
      for (const [command, directory] of attempts) {
        const outcome = await agent.call({
          tool_name: 'run_shell_command',
          tool_input: {command, ...(directory === undefined ? {} : {directory})},
        })
        expect(outcome.ran, `${command} was not blocked`).toBe(false)
        expect(outcome.told).toContain('acldrift blocked this command')
      }
      expect((await agent.shell('git status')).ran).toBe(true)

      // Switching acldrift's hooks off, every way the documentation gives.
      const off = [
        {...settings, tools: {enableHooks: false}},
        {...settings, hooks: {...settings.hooks, disabled: ['acldrift']}},
        {...settings, hooks: {...settings.hooks, BeforeTool: []}},
      ]
      for (const content of off) {
        const outcome = await agent.call({
          tool_name: 'write_file',
          tool_input: {file_path: join(r.dir, SETTINGS), content: JSON.stringify(content)},
        })
        expect(outcome.ran, JSON.stringify(content)).toBe(false)
        expect(outcome.told).toContain('config-weakened')
      }

      // The decision log names the harness and its session.
      const log = (await readFile(join(r.dir, '.git/acldrift/agent-log.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(log.find((e) => e.file === BUCKET_FILE)).toMatchObject({
        harness: 'gemini',
        session: agent.session,
        tool: 'replace',
        decision: 'blocked',
      })

      // A person approves and commits; the same edit then passes.
      await approveAsPerson(r, ids)
      const again = await agent.call(widen)
      expect(again.ran, again.told).toBe(true)
      expect(await readFile(bucket, 'utf8')).toBe(policyText(publicBucketPolicy))

      // AfterAgent: a widening written another way is to be reported (a retry turn), once.
      const sneak = await agent.shell(
        `cat > iam/buckets/open.json <<'EOF'\n${policyText({...publicBucketPolicy, Id: 'open'})}EOF`,
      )
      expect(sneak.ran, sneak.told).toBe(true)
      const stop = await agent.stop()
      expect(stop.ran).toBe(false)
      expect(stop.told).toContain('tell the user')
      expect(stop.told).toContain('iam/buckets/open.json')
      expect((await agent.stop(true)).ran).toBe(true)
      await rm(join(r.dir, 'iam/buckets/open.json'))

      // The settings are a protected file: a commit that switches the hooks off is config-weakened.
      await r.write(SETTINGS, JSON.stringify(off[0]))
      await r.stage(SETTINGS)
      const weakened = await runHermetic('git', ['commit', '-m', 'Tidy settings'], {
        cwd: r.dir,
        env: {GEMINI_CLI: '1'},
      })
      expect(weakened.code, dump(weakened)).toBe(1)
      expect(weakened.stderr).toContain('config-weakened')
      await r.git('reset', '-q', '--hard')

      // Fail closed: a payload that is not JSON, running out of time, acldrift missing.
      const command = settings.hooks.BeforeTool[0].hooks[0].command as string
      const broken = await agent.run(command, '{"tool_name": "write_file", ')
      expect(broken.code, dump(broken)).toBe(2)
      expect(broken.stderr).toContain('blocked to be safe')
      const late = await new ScriptedAgent(GEMINI_PROFILE, r, {ACLDRIFT_AGENT_HOOK_DEADLINE_MS: '1'}).call({
        tool_name: 'write_file',
        tool_input: {file_path: bucket, content: policyText(bucketPolicy)},
      })
      expect(late.ran).toBe(false)
      expect(late.told).toContain('took longer than')
      await rm(join(r.dir, 'node_modules'), {recursive: true})
      const missing = await agent.call({
        tool_name: 'write_file',
        tool_input: {file_path: join(r.dir, 'src/app.ts'), content: 'x\n'},
      })
      expect(missing.ran).toBe(false)
      expect(missing.told).toContain('not found')
    },
    SLOW,
  )
})
