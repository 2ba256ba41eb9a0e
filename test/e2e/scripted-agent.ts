// A coding agent, as far as its project hooks go, scripted: one session in one repository. It
// runs hooks the way Claude Code and Gemini CLI document them (the same configuration shape:
// `hooks.<Event>` lists matcher groups `{matcher, hooks: [{type: "command", command}]}`; VS Code
// lists the hooks themselves, `{type: "command", command}`, and runs every one for every tool): for
// each call, every group of the harness's settings whose matcher matches the tool runs its
// command with `sh -c`, the JSON payload on stdin, the project directory in the environment;
// exit 2 blocks the call and its stderr goes to the model; exit 0 lets it run (the scripted
// agent then applies the edit or runs the command). Also `setUpAgentRepo`: a repository set up
// by a person with `acldrift init --hook git --agent HARNESS`.
import {mkdir, readFile, symlink, writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {expect} from 'vitest'
import {projectRoot, runCli, runHermetic, type RunResult, type TestRepo} from '../helpers/repo.js'
import {dump, repoFactory, sharedStart} from './helpers.js'
import {BUCKET_FILE, bucketPolicy, policyText} from './policies.js'

export interface ToolCall {
  tool_name: string
  tool_input: Record<string, unknown>
}

export interface Outcome {
  /** whether the call ran (no hook blocked it) */
  ran: boolean
  /** what the blocking hook told the model (stderr), or '' */
  told: string
  results: RunResult[]
}

/** A harness's hook events and tools, as its documentation names them. */
export interface HarnessProfile {
  name: string
  configFile: string
  beforeTool: string
  stop: string
  /** the event when a subagent's turn ends, where the harness has one */
  subagentStop?: string
  /** the variable that holds the project directory in a hook's environment, where there is one */
  projectVariable?: string
  /** the fields every payload carries besides the event's own (Claude Code's, unless given) */
  common?(session: string, dir: string, event: string): Record<string, unknown>
  /** the field of an edit tool's input that names the file (`file_path`, unless given) */
  fileField?: string
  /** the variables the harness sets in the shell commands it runs */
  agentEnv: Record<string, string>
  shellTool: string
  /** the tool's effect on a file, as the harness documents it */
  apply(tool: string, input: Record<string, unknown>, text: string | undefined): string | undefined
}

const replaceOnce = (text: string, input: Record<string, unknown>) =>
  text.replace(input.old_string as string, () => input.new_string as string)

export const CLAUDE_PROFILE: HarnessProfile = {
  name: 'claude-code',
  configFile: '.claude/settings.json',
  beforeTool: 'PreToolUse',
  stop: 'Stop',
  subagentStop: 'SubagentStop',
  projectVariable: 'CLAUDE_PROJECT_DIR',
  agentEnv: {CLAUDECODE: '1'},
  shellTool: 'Bash',
  apply(tool, input, text) {
    if (tool === 'Write') return input.content as string
    if (tool === 'Edit') return replaceOnce(text!, input)
    return undefined
  },
}

export const GEMINI_PROFILE: HarnessProfile = {
  name: 'gemini',
  configFile: '.gemini/settings.json',
  beforeTool: 'BeforeTool',
  stop: 'AfterAgent',
  projectVariable: 'GEMINI_PROJECT_DIR',
  agentEnv: {GEMINI_CLI: '1'},
  shellTool: 'run_shell_command',
  apply(tool, input, text) {
    if (tool === 'write_file') return input.content as string
    if (tool === 'replace') return replaceOnce(text!, input)
    return undefined
  },
}

export const VSCODE_PROFILE: HarnessProfile = {
  name: 'vscode',
  configFile: '.github/hooks/acldrift.json',
  beforeTool: 'PreToolUse',
  stop: 'Stop',
  agentEnv: {},
  shellTool: 'run_in_terminal',
  // https://code.visualstudio.com/docs/agents/reference/hooks-reference; common fields as in
  // microsoft/vscode-copilot-chat's hooks reference (test/core/agent/payloads/vscode/README.md)
  common: (session, dir, event) => ({
    timestamp: new Date().toISOString(),
    hookEventName: event,
    sessionId: session,
    transcript_path: join(dir, '.transcript.json'),
    cwd: dir,
  }),
  fileField: 'filePath',
  apply(tool, input, text) {
    if (tool === 'create_file') return (input.content as string | undefined) ?? ''
    if (tool === 'replace_string_in_file')
      return text!.replace(input.oldString as string, () => input.newString as string)
    return undefined
  },
}

export class ScriptedAgent {
  readonly session = 'e2e-session-0b6f3c1e'
  constructor(
    readonly profile: HarnessProfile,
    readonly repo: TestRepo,
    readonly env: Record<string, string | undefined> = {},
  ) {}

  private async groups(event: string): Promise<Array<{matcher?: string; hooks: Array<{command: string}>}>> {
    const settings = JSON.parse(await readFile(join(this.repo.dir, this.profile.configFile), 'utf8'))
    const entries: Array<Record<string, unknown>> = settings.hooks?.[event] ?? []
    // A hook listed by itself (VS Code) is a group of one, without a matcher.
    return entries.map((entry) =>
      'hooks' in entry ? (entry as {hooks: Array<{command: string}>}) : {hooks: [entry as {command: string}]},
    )
  }

  /** Runs the event's hooks that match `tool` (all hooks at the end of a turn); exit 2 of any blocks. */
  private async fire(event: string, payload: Record<string, unknown>, tool?: string): Promise<Outcome> {
    const common = this.profile.common?.(this.session, this.repo.dir, event) ?? {
      session_id: this.session,
      transcript_path: join(this.repo.dir, '.transcript.jsonl'),
      cwd: this.repo.dir,
      hook_event_name: event,
    }
    const input = JSON.stringify({...common, ...payload})
    const results: RunResult[] = []
    for (const group of await this.groups(event)) {
      if (tool !== undefined && group.matcher !== undefined && !new RegExp(`^(${group.matcher})$`).test(tool))
        continue
      for (const hook of group.hooks) results.push(await this.run(hook.command, input))
    }
    const blocking = results.find((r) => r.code === 2)
    return {ran: blocking === undefined, told: blocking?.stderr ?? '', results}
  }

  run(command: string, input: string): Promise<RunResult> {
    return runHermetic('sh', ['-c', command], {
      cwd: this.repo.dir,
      env: {
        ...(this.profile.projectVariable === undefined
          ? {}
          : {[this.profile.projectVariable]: this.repo.dir}),
        ...this.profile.agentEnv,
        ...this.env,
      },
      input,
    })
  }

  /** A tool call: the before-tool hooks, then the tool itself when they let it run. */
  async call(call: ToolCall): Promise<Outcome> {
    const outcome = await this.fire(this.profile.beforeTool, {...call}, call.tool_name)
    if (outcome.ran) await this.apply(call)
    return outcome
  }

  shell(command: string): Promise<Outcome> {
    return this.call({tool_name: this.profile.shellTool, tool_input: {command, description: 'run'}})
  }

  stop(repeated = false): Promise<Outcome> {
    return this.fire(this.profile.stop, {stop_hook_active: repeated})
  }

  /** A subagent's turn ends, with the fields the harness documents for it. */
  subagentStop(repeated = false): Promise<Outcome> {
    if (this.profile.subagentStop === undefined) throw new Error(`${this.profile.name} has no subagents`)
    return this.fire(this.profile.subagentStop, {
      stop_hook_active: repeated,
      agent_id: 'e2e-subagent-1',
      agent_type: 'general-purpose',
      agent_transcript_path: join(this.repo.dir, '.subagent-transcript.jsonl'),
      last_assistant_message: 'Done: the bucket policy is updated.',
    })
  }

  private async apply({tool_name, tool_input}: ToolCall): Promise<void> {
    if (tool_name === this.profile.shellTool) {
      await runHermetic('sh', ['-c', tool_input.command as string], {
        cwd: this.repo.dir,
        env: this.profile.agentEnv,
      })
      return
    }
    const file = tool_input[this.profile.fileField ?? 'file_path'] as string
    const current = await readFile(file, 'utf8').catch(() => undefined)
    const next = this.profile.apply(tool_name, tool_input, current)
    if (next === undefined) return
    await mkdir(dirname(file), {recursive: true})
    await writeFile(file, next)
  }
}

const newRepo = repoFactory()

/**
 * A repository set up by a person: the approved bucket policy (and `files`), acldrift's git and
 * agent hooks, committed. Set up once per worker for each profile and files, then copied.
 */
export function setUpAgentRepo(
  profile: Pick<HarnessProfile, 'name' | 'configFile'>,
  files: Record<string, string> = {},
): Promise<TestRepo> {
  const key = `scripted-agent: ${JSON.stringify([profile.name, profile.configFile, files])}`
  return sharedStart(newRepo, key, (r) => setUp(r, profile, files))
}

async function setUp(
  r: TestRepo,
  profile: Pick<HarnessProfile, 'name' | 'configFile'>,
  files: Record<string, string>,
) {
  await r.write(BUCKET_FILE, policyText(bucketPolicy))
  await r.write('src/app.ts', 'export const app = 1\n')
  for (const [path, text] of Object.entries(files)) await r.write(path, text)
  await r.stage()
  await r.commit('Payroll exports bucket')
  const result = await runCli(['init', '--hook', 'git', '--agent', profile.name], {cwd: r.dir})
  expect(result.code, dump(result)).toBe(0)
  expect(result.stdout).toMatch(new RegExp(`created\\s+${profile.configFile.replace('.', '\\.')}`))
  expect(result.stdout).toMatch(/created\s+\.acldrift\/agent-hook\.sh/)
  // The repository's own acldrift, as `npm install --save-dev acldrift` links it.
  await mkdir(join(r.dir, 'node_modules', '.bin'), {recursive: true})
  await symlink(join(projectRoot, 'bin', 'run.js'), join(r.dir, 'node_modules', '.bin', 'acldrift'))
  await r.write('.gitignore', 'node_modules/\n')
  await r.stage()
  await r.commit('Set up acldrift')
}

/**
 * The refusal of the widening bucket edit, as the agent reads it: the witness, "ask the user",
 * and one `acldrift approve` per access (the public Allow, and the TLS-only Deny that no longer
 * applies). Returns the ids a person would approve.
 */
export function expectWideningRefused(outcome: Outcome): string[] {
  expect(outcome.ran).toBe(false)
  expect(outcome.told).toContain(`acldrift blocked this edit of ${BUCKET_FILE}`)
  expect(outcome.told).toContain('principal=*')
  expect(outcome.told).toContain('Stop here and ask the user')
  // Three accesses: the public Allow; the TLS-only Deny that no longer applies to it; and that
  // Deny's other requests, which principals' own IAM policies may allow (a possible widening).
  const ids = [...outcome.told.matchAll(/acldrift approve ([0-9a-f]{16}) --reason/g)].map((m) => m[1]!)
  expect(ids.length, outcome.told).toBe(3)
  expect(outcome.told).toContain('possible widening (high) deny-removed')
  return ids
}

/** A person approves `ids` and commits the approval as themselves; the approve runs' output. */
export async function approveAsPerson(r: TestRepo, ids: readonly string[]): Promise<RunResult[]> {
  const runs: RunResult[] = []
  for (const id of ids) {
    const approve = await runCli(
      ['approve', id, '--reason', 'the CDN reads the exports', '--expires', '2099-12-31'],
      {cwd: r.dir},
    )
    expect(approve.code, dump(approve)).toBe(0)
    runs.push(approve)
  }
  await r.stage('.acldrift/approvals.yaml')
  await r.commit('Approve public reads of the exports for the CDN')
  return runs
}
