// acldrift inside VS Code's agent, end to end: `acldrift init --agent vscode` in a real repository,
// then a scripted agent (scripted-agent.ts) that replays a session's tool calls the way VS Code
// runs workspace hooks (https://code.visualstudio.com/docs/agents/reference/hooks-reference): every
// PreToolUse hook of .github/hooks/*.json before every tool, the tool's own input as tool_input,
// exit 2 blocks. The widening edit is blocked with its witness until a person approves it; edits
// whose result VS Code computes its own way (a repaired replacement, insert_edit_into_file,
// apply_patch's updates) are blocked on an access config and let through elsewhere.
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/repo.js'
import {dump} from './helpers.js'
import {BUCKET_FILE, bucketPolicy, policyText, publicBucketPolicy} from './policies.js'
import {
  approveAsPerson,
  expectWideningRefused,
  ScriptedAgent,
  setUpAgentRepo,
  type ToolCall,
  VSCODE_PROFILE,
} from './scripted-agent.js'

const SLOW = 240_000
const HOOKS = '.github/hooks/acldrift.json'

describe('acldrift inside VS Code: init --agent vscode, then a scripted session', () => {
  it(
    'blocks the widening edit until a person approves it, edits it cannot compute, and the bypasses',
    async () => {
      const r = await setUpAgentRepo(VSCODE_PROFILE)
      const agent = new ScriptedAgent(VSCODE_PROFILE, r)
      const bucket = join(r.dir, BUCKET_FILE)
      const app = join(r.dir, 'src/app.ts')
      const config = JSON.parse(await readFile(join(r.dir, HOOKS), 'utf8'))
      expect(config.hooks.PreToolUse).toHaveLength(1)

      // An ordinary edit passes; so does one VS Code computes its own way, on a file that is no
      // access config.
      const plain = await agent.call({
        tool_name: 'create_file',
        tool_input: {filePath: app, content: 'export const app = 2\n'},
      })
      expect(plain.ran, plain.told).toBe(true)
      const sketch = await agent.call({
        tool_name: 'insert_edit_into_file',
        tool_input: {explanation: 'x', filePath: app, code: '// ...existing code...\nexport const b = 1\n'},
      })
      expect(sketch.ran, sketch.told).toBe(true)

      // The incident, through replace_string_in_file: blocked, with the witness.
      const widen: ToolCall = {
        tool_name: 'replace_string_in_file',
        tool_input: {
          explanation: 'Let the CDN read the exports',
          filePath: bucket,
          oldString: policyText(bucketPolicy),
          newString: policyText(publicBucketPolicy),
        },
      }
      const ids = expectWideningRefused(await agent.call(widen))
      expect(await readFile(bucket, 'utf8')).toBe(policyText(bucketPolicy))

      // The same widening in a multi-file replacement (with an ordinary file): blocked as a whole.
      const multi = await agent.call({
        tool_name: 'multi_replace_string_in_file',
        tool_input: {
          explanation: 'x',
          replacements: [
            {filePath: app, oldString: 'app = 2', newString: 'app = 3'},
            {
              filePath: bucket,
              oldString: policyText(bucketPolicy),
              newString: policyText(publicBucketPolicy),
            },
          ],
        },
      })
      expect(multi.ran).toBe(false)
      expect(multi.told).toContain('principal=*')

      // Edits of the access config whose result VS Code decides its own way: blocked.
      const unknowable: ToolCall[] = [
        {
          tool_name: 'replace_string_in_file',
          tool_input: {
            explanation: 'x',
            filePath: bucket,
            oldString: '"Principal":{"AWS"',
            newString: '"Principal":"*"',
          },
        },
        {
          tool_name: 'insert_edit_into_file',
          tool_input: {explanation: 'x', filePath: bucket, code: '// ...existing code...\n"Principal": "*",'},
        },
        {
          tool_name: 'apply_patch',
          tool_input: {
            explanation: 'x',
            input: `*** Begin Patch\n*** Update File: ${bucket}\n@@\n-"Effect": "Deny"\n+"Effect": "Allow"\n*** End Patch`,
          },
        },
      ]
      for (const call of unknowable) {
        const outcome = await agent.call(call)
        expect(outcome.ran, call.tool_name).toBe(false)
        expect(outcome.told).toContain('acldrift cannot know what the file would hold')
      }

      // The git hooks' bypasses, and switching acldrift's hook off.
      for (const command of [
        'git  commit   -n -am "open the bucket"',
        `sed -i 's/PreToolUse/Nope/' ${HOOKS}`,
      ]) {
        const outcome = await agent.shell(command)
        expect(outcome.ran, `${command} was not blocked`).toBe(false)
        expect(outcome.told).toContain('acldrift blocked this command')
      }
      expect((await agent.shell('git status')).ran).toBe(true)
      const off = await agent.call({
        tool_name: 'create_file',
        tool_input: {filePath: join(r.dir, HOOKS), content: JSON.stringify({hooks: {PreToolUse: []}})},
      })
      expect(off.ran).toBe(false)
      expect(off.told).toContain('config-weakened')

      // The decision log names the harness and its session.
      const log = (await readFile(join(r.dir, '.git/acldrift/agent-log.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(log.find((e) => e.file === BUCKET_FILE)).toMatchObject({
        harness: 'vscode',
        session: agent.session,
      })

      // A person approves and commits; the same edit then passes.
      await approveAsPerson(r, ids)
      const again = await agent.call(widen)
      expect(again.ran, again.told).toBe(true)
      expect(await readFile(bucket, 'utf8')).toBe(policyText(publicBucketPolicy))

      // Dropping the hook file is config-weakened at commit time too (approved here only because
      // the one committing is a listed approver, a person).
      await r.git('rm', '-q', HOOKS)
      const check = await runCli(['check', '--staged', '--format', 'json'], {cwd: r.dir})
      expect(JSON.parse(check.stdout).findings, dump(check)).toEqual(
        expect.arrayContaining([expect.objectContaining({rule: 'config-weakened', file: HOOKS})]),
      )
    },
    SLOW,
  )
})
