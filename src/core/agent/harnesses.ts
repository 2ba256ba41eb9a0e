// The coding agents' hook formats, as data: where each harness reads its project-level hook
// configuration, which events acldrift answers, how the harness's JSON on stdin reads as an
// action (an edit, a shell command, the end of a turn), and how to answer it (exit codes,
// stderr, JSON on stdout). Each is written from the harness's documentation, cited with the
// date it was read; what the documentation does not say is not assumed (see `source.notes`).

import type {ProposedEdit, StringEdit} from './edits.js'
import type {Finding, InputProblem} from '../../kernel/types.js'
import {MalformedPayload} from './payload.js'
import {vscodeAction} from './vscode-tools.js'

export {MalformedPayload}

export type HarnessName = 'claude-code' | 'cursor' | 'gemini' | 'vscode'

/** The launcher the harnesses' hook commands run (committed; see init/scripts.ts). */
export const AGENT_LAUNCHER = '.acldrift/agent-hook.sh'

/** What the agent is about to do (or did), as far as acldrift cares. */
export type AgentAction =
  | {type: 'edit'; tool: string; file: string; edit: ProposedEdit}
  /** one tool call that edits several files (VS Code's multi_replace_string_in_file, apply_patch) */
  | {type: 'edits'; tool: string; edits: Array<{file: string; edit: ProposedEdit}>}
  | {type: 'shell'; command: string; cwd?: string}
  | {type: 'stop'; repeated: boolean}
  | {type: 'other'}

export interface HookCall {
  action: AgentAction
  /** the harness's session (conversation) id, when it gives one */
  session?: string
  /** the project directory the harness runs in, when it says */
  cwd?: string
}

/** Why acldrift refuses a call (or, at the end of a turn, what the agent must report). */
export type Refusal =
  | {type: 'widening'; file: string; findings: Finding[]; expires: string}
  | {type: 'unreadable'; file: string; problems: InputProblem[]}
  | {type: 'guarded'; why: string}
  | {type: 'shell'; command: string; reasons: string[]}
  | {type: 'report'; findings: Finding[]; problems: InputProblem[]}
  | {type: 'failure'; file: string; error: string}

/** acldrift's answer; `message` is for the agent (it reads it and must act on it). */
export type Verdict = {block: false; message?: string} | {block: true; message: string}

export interface HookAnswer {
  code: number
  stdout: string
  stderr: string
}

/** One hook entry in the harness's configuration. */
export interface HookEntry {
  event: string
  /** the tools it applies to (a regex over tool names), where the harness has matchers */
  matcher?: string
}

export interface Harness {
  name: HarnessName
  title: string
  source: {url: string; asOf: string; notes: readonly string[]}
  /** the project-level hook configuration, relative to the repository root */
  configFile: string
  /** the hooks acldrift installs */
  hooks: readonly HookEntry[]
  /** the events on which a hook that fails (a crash, a kill, a missing acldrift) must block */
  failClosed: readonly string[]
  /** how the hook command finds the project directory, for the launcher's path */
  projectDir: string
  read(event: string, payload: unknown): HookCall
  answer(event: string, verdict: Verdict): HookAnswer
  /** the hook configuration with acldrift's hooks added (`init --agent`); the user's are kept */
  install(existing: Record<string, unknown>): Record<string, unknown>
  /** whether a hook configuration runs every hook acldrift installs */
  installed(value: unknown): boolean
  /** the blocking answer of the shell launcher when acldrift itself cannot answer */
  launcherBlock: {code: number; stdout?: string}
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** A field of the payload that must be a string; a missing or odd one is a malformed payload. */
function text(object: Record<string, unknown>, field: string): string {
  const value = object[field]
  if (typeof value !== 'string') throw new MalformedPayload(`${field} is not a string`)
  return value
}

const optionalText = (object: Record<string, unknown>, field: string) =>
  typeof object[field] === 'string' ? (object[field] as string) : undefined

function stringEdit(value: unknown): StringEdit {
  if (!isObject(value)) throw new MalformedPayload('an edit is not an object')
  return {
    oldString: text(value, 'old_string'),
    newString: text(value, 'new_string'),
    replaceAll: value.replace_all === true,
  }
}

/** The command a harness runs for one event: the committed launcher, from the project root. */
export function hookCommand(harness: Harness, event: string): string {
  return `sh "${harness.projectDir}/${AGENT_LAUNCHER}" ${harness.name} ${event}`
}

const allow: HookAnswer = {code: 0, stdout: '', stderr: ''}

/** Claude Code's file tools and their `tool_input` (the Bash tool's is `{command}`). */
function claudeCodeEdit(tool: string, input: Record<string, unknown>): ProposedEdit | undefined {
  if (tool === 'Write') return {type: 'write', content: text(input, 'content')}
  if (tool === 'Edit') return {type: 'edit', edits: [stringEdit(input)]}
  if (tool === 'MultiEdit') {
    if (!Array.isArray(input.edits)) throw new MalformedPayload('edits is not a list')
    return {type: 'edit', edits: input.edits.map(stringEdit)}
  }
  return undefined
}

/** Claude Code's default hook timeout is 60 s; the hook blocks by itself before (cli/agent-hook.ts). */
const CLAUDE_TIMEOUT_SECONDS = 60

/**
 * The hook configuration shape Claude Code and Gemini CLI share: `hooks.<Event>` is a list of
 * matcher groups `{matcher, hooks: [{type: "command", command, …}]}`. A group runs acldrift's
 * hook for an event when it holds its command with exactly the matcher acldrift installs.
 */
function groupRuns(group: unknown, matcher: string | undefined, command: string): boolean {
  if (!isObject(group) || !Array.isArray(group.hooks)) return false
  if (matcher !== undefined && group.matcher !== matcher) return false
  return group.hooks.some((hook) => isObject(hook) && hook.type === 'command' && hook.command === command)
}

/** `existing` with a matcher group per hook of `harness` added where none runs it yet. */
function addGroups(
  harness: Harness,
  existing: Record<string, unknown>,
  entry: (command: string) => Record<string, unknown>,
): Record<string, unknown> {
  const hooks = isObject(existing.hooks) ? {...existing.hooks} : {}
  for (const {event, matcher} of harness.hooks) {
    const command = hookCommand(harness, event)
    const groups = Array.isArray(hooks[event]) ? [...(hooks[event] as unknown[])] : []
    if (!groups.some((group) => groupRuns(group, matcher, command)))
      groups.push({
        ...(matcher === undefined ? {} : {matcher}),
        hooks: [{type: 'command', command, ...entry(command)}],
      })
    hooks[event] = groups
  }
  return {...existing, hooks}
}

/** Whether `hooks` (the configuration's `hooks` object) runs every hook of `harness`. */
function groupsInstalled(harness: Harness, hooks: Record<string, unknown>): boolean {
  return harness.hooks.every(({event, matcher}) => {
    const groups = hooks[event]
    return Array.isArray(groups) && groups.some((g) => groupRuns(g, matcher, hookCommand(harness, event)))
  })
}

export const CLAUDE_CODE: Harness = {
  name: 'claude-code',
  title: 'Claude Code',
  source: {
    url: 'https://docs.anthropic.com/en/docs/claude-code/hooks',
    asOf: 'as documented in 2025-10',
    notes: [
      'Project hooks live in .claude/settings.json under hooks.<Event>: a list of {matcher, hooks: [{type: "command", command, timeout}]}; $CLAUDE_PROJECT_DIR is the project root.',
      'stdin is JSON with session_id, transcript_path, cwd, hook_event_name; PreToolUse adds tool_name and tool_input (Write: file_path, content; Edit: file_path, old_string, new_string, replace_all; MultiEdit: file_path, edits[]; Bash: command); Stop adds stop_hook_active.',
      'Exit code 2 blocks: for PreToolUse the tool call does not run and stderr goes to the model; for Stop the agent goes on with stderr as its instructions. Exit 0 allows. Any other exit code is a non-blocking error: the call goes through (the launcher turns a crash or a kill into exit 2 on PreToolUse).',
      'acldrift answers with exit codes and stderr, not with the newer JSON output (hookSpecificOutput.permissionDecision), which the same page documents as an alternative.',
      'SubagentStop fires when a subagent (the Task or Agent tool) finishes, before its answer goes back to the main agent. Its input is the common fields plus stop_hook_active, agent_id, agent_type, agent_transcript_path and last_assistant_message; exit 2 keeps the subagent running, with stderr as its next instruction, as Stop does for the main agent. Read in 2026-12 from the hooks reference (code.claude.com/docs/en/hooks, "SubagentStop input"), as quoted in anthropics/claude-code#60692 (2026-05). acldrift installs it without a matcher (the matcher is the agent type: every subagent).',
    ],
  },
  configFile: '.claude/settings.json',
  hooks: [
    {event: 'PreToolUse', matcher: 'Write|Edit|MultiEdit|Bash'},
    {event: 'Stop'},
    {event: 'SubagentStop'},
  ],
  failClosed: ['PreToolUse'],
  projectDir: '$CLAUDE_PROJECT_DIR',
  read(event, payload) {
    if (!isObject(payload)) throw new MalformedPayload('the hook input is not a JSON object')
    const call = {session: optionalText(payload, 'session_id'), cwd: optionalText(payload, 'cwd')}
    if (event === 'Stop' || event === 'SubagentStop')
      return {...call, action: {type: 'stop', repeated: payload.stop_hook_active === true}}
    if (event !== 'PreToolUse') return {...call, action: {type: 'other'}}
    const tool = text(payload, 'tool_name')
    const input = payload.tool_input
    if (!isObject(input)) throw new MalformedPayload('tool_input is not an object')
    if (tool === 'Bash') return {...call, action: {type: 'shell', command: text(input, 'command')}}
    const edit = claudeCodeEdit(tool, input)
    if (edit === undefined) return {...call, action: {type: 'other'}}
    return {...call, action: {type: 'edit', tool, file: text(input, 'file_path'), edit}}
  },
  answer(_event, verdict) {
    if (verdict.block) return {code: 2, stdout: '', stderr: `${verdict.message}\n`}
    return allow
  },
  launcherBlock: {code: 2},
  install(existing) {
    return addGroups(this, existing, () => ({timeout: CLAUDE_TIMEOUT_SECONDS}))
  },
  installed(value) {
    if (!isObject(value) || !isObject(value.hooks) || value.disableAllHooks === true) return false
    return groupsInstalled(this, value.hooks)
  },
}

/** Gemini CLI's file tools and their parameters (docs/tools/file-system.md). */
function geminiEdit(tool: string, input: Record<string, unknown>): ProposedEdit | undefined {
  if (tool === 'write_file') return {type: 'write', content: text(input, 'content')}
  if (tool !== 'replace') return undefined
  const expected = input.expected_replacements
  if (expected !== undefined && !(Number.isInteger(expected) && (expected as number) >= 1))
    throw new MalformedPayload('expected_replacements is not a positive whole number')
  return {
    type: 'edit',
    edits: [
      {
        oldString: text(input, 'old_string'),
        newString: text(input, 'new_string'),
        replaceAll: false,
        ...(expected === undefined ? {} : {count: expected as number}),
      },
    ],
    // an old_string that does not match as given is "corrected" by the model (source.notes)
    heals: true,
  }
}

/** The name acldrift's Gemini CLI hooks carry (`/hooks disable NAME`, `hooks.disabled`). */
const GEMINI_HOOK_NAME = 'acldrift'
/** Gemini CLI's default hook timeout, in milliseconds. */
const GEMINI_TIMEOUT_MS = 60_000

export const GEMINI_CLI: Harness = {
  name: 'gemini',
  title: 'Gemini CLI',
  source: {
    url: 'https://github.com/google-gemini/gemini-cli/blob/main/docs/hooks/reference.md',
    asOf: 'read on 2026-12-06 (docs/hooks/index.md, reference.md, tools/file-system.md, tools/shell.md)',
    notes: [
      'Project hooks live in .gemini/settings.json under hooks.<Event>: a list of {matcher, hooks: [{type: "command", command, name, timeout (ms, default 60000), description}]}; the matcher is a regular expression over tool names; $GEMINI_PROJECT_DIR is the project root. The hooks system is switched on by tools.enableHooks; hooks.disabled lists hooks switched off by name.',
      'stdin is JSON with session_id, transcript_path, cwd, hook_event_name, timestamp; BeforeTool adds tool_name and tool_input (write_file: file_path, content; replace: file_path, old_string, new_string, expected_replacements; run_shell_command: command, description, directory relative to the project root); AfterAgent adds prompt, prompt_response, stop_hook_active.',
      'Exit code 2 blocks: for BeforeTool the tool does not run and stderr is the reason sent to the agent (the turn continues); for AfterAgent the response is rejected and a retry turn starts with stderr as its prompt. Exit 0: stdout is parsed as JSON (acldrift prints {}). Any other exit code is a warning and the call goes through (the launcher turns a crash or a kill into exit 2 on BeforeTool).',
      'replace may ask the model to correct an old_string that is missing or ambiguous: acldrift cannot know what such a corrected edit writes, so on an access config it blocks it (the edit must name the text exactly).',
    ],
  },
  configFile: '.gemini/settings.json',
  hooks: [{event: 'BeforeTool', matcher: 'write_file|replace|run_shell_command'}, {event: 'AfterAgent'}],
  failClosed: ['BeforeTool'],
  projectDir: '$GEMINI_PROJECT_DIR',
  read(event, payload) {
    if (!isObject(payload)) throw new MalformedPayload('the hook input is not a JSON object')
    const call = {session: optionalText(payload, 'session_id'), cwd: optionalText(payload, 'cwd')}
    if (event === 'AfterAgent')
      return {...call, action: {type: 'stop', repeated: payload.stop_hook_active === true}}
    if (event !== 'BeforeTool') return {...call, action: {type: 'other'}}
    const tool = text(payload, 'tool_name')
    const input = payload.tool_input
    if (!isObject(input)) throw new MalformedPayload('tool_input is not an object')
    if (tool === 'run_shell_command') {
      const directory = optionalText(input, 'directory')
      return {
        ...call,
        action: {
          type: 'shell',
          command: text(input, 'command'),
          ...(directory === undefined ? {} : {cwd: directory}),
        },
      }
    }
    const edit = geminiEdit(tool, input)
    if (edit === undefined) return {...call, action: {type: 'other'}}
    return {...call, action: {type: 'edit', tool, file: text(input, 'file_path'), edit}}
  },
  answer(_event, verdict) {
    if (verdict.block) return {code: 2, stdout: '', stderr: `${verdict.message}\n`}
    // Exit 0: stdout must be JSON and nothing else.
    return {code: 0, stdout: '{}\n', stderr: ''}
  },
  launcherBlock: {code: 2},
  install(existing) {
    const merged = addGroups(this, existing, () => ({
      name: GEMINI_HOOK_NAME,
      timeout: GEMINI_TIMEOUT_MS,
      description: "acldrift: refuses edits that widen access without a person's approval, and hook bypasses",
    }))
    // The hooks system's switch: on, unless the user set it (a `false` of theirs is kept, and
    // then the configuration does not run acldrift: init says so).
    const tools = isObject(existing.tools) ? existing.tools : {}
    return 'enableHooks' in tools ? merged : {...merged, tools: {...tools, enableHooks: true}}
  },
  installed(value) {
    if (!isObject(value) || !isObject(value.hooks)) return false
    if (isObject(value.tools) && value.tools.enableHooks === false) return false
    const disabled = Array.isArray(value.hooks.disabled) ? value.hooks.disabled : []
    const commands = this.hooks.map(({event}) => hookCommand(this, event))
    if (disabled.some((name) => name === GEMINI_HOOK_NAME || commands.includes(name as string))) return false
    return groupsInstalled(this, value.hooks)
  },
}

/** Cursor's hook entry: `{command}` in the list of its event (flat, no matchers). */
const cursorRuns = (entries: unknown, command: string) =>
  Array.isArray(entries) && entries.some((entry) => isObject(entry) && entry.command === command)

const cursorJson = (value: Record<string, unknown>) => `${JSON.stringify(value)}\n`

export const CURSOR: Harness = {
  name: 'cursor',
  title: 'Cursor',
  source: {
    url: 'https://cursor.com/docs/hooks',
    asOf: 'read on 2026-12-06 (stored copies of cursor.com/docs/hooks.md, events up to preToolUse and workspaceOpen, and cursor.com/docs/reference/third-party-hooks.md)',
    notes: [
      'Project hooks live in .cursor/hooks.json: {version: 1, hooks: {<event>: [{command, timeout, matcher, failClosed}]}}; project hooks run from the project root, with $CURSOR_PROJECT_DIR set (the command finds the repository with git, as installed before that was documented).',
      'stdin is JSON with conversation_id, generation_id, hook_event_name, workspace_roots, transcript_path; beforeShellExecution adds command, cwd and sandbox; afterFileEdit adds file_path and edits[] (after the edit: it cannot be refused); stop adds status and loop_count.',
      'beforeShellExecution answers on stdout {permission: "allow" | "deny" | "ask", user_message, agent_message}; stop answers {followup_message}, which Cursor submits as the next user message (loop_limit, 5 by default; loop_count counts them). Exit 2 blocks like "deny"; any other failure lets the call through unless the entry sets failClosed: true, which acldrift sets on beforeShellExecution (and the launcher answers "deny" in JSON when acldrift crashes).',
      'preToolUse fires before every tool (matcher values Shell, Read, Write, Grep, Delete, Task, MCP:<tool>) with tool_name, tool_input, tool_use_id and cwd, and answers {permission: "allow" | "deny", user_message, agent_message, updated_input}. The page gives tool_input only for Shell ({command, working_directory}): what a Write carries (its path, its content, or an edit of it) is not documented, so acldrift does not install preToolUse and does not guess it. An edit that widens access is reported at stop (followup_message) and refused by the git hooks at commit, not refused before it is written.',
      'Cursor also runs the hooks of .claude/settings.json ("Include Third-Party Plugins, Skills, and Other Configs", on by default), mapping PreToolUse to preToolUse and the tools Bash to Shell, Write and Edit to Write; the payload it then sends is its own preToolUse input, whose Write tool_input is not documented.',
    ],
  },
  configFile: '.cursor/hooks.json',
  hooks: [{event: 'beforeShellExecution'}, {event: 'stop'}],
  failClosed: ['beforeShellExecution'],
  projectDir: '$(git rev-parse --show-toplevel)',
  read(event, payload) {
    if (!isObject(payload)) throw new MalformedPayload('the hook input is not a JSON object')
    const roots = Array.isArray(payload.workspace_roots) ? payload.workspace_roots : []
    const root = typeof roots[0] === 'string' ? roots[0] : undefined
    const call = {session: optionalText(payload, 'conversation_id'), cwd: root}
    if (event === 'stop') {
      const count = payload.loop_count
      return {...call, action: {type: 'stop', repeated: typeof count === 'number' && count > 0}}
    }
    if (event !== 'beforeShellExecution') return {...call, action: {type: 'other'}}
    const cwd = optionalText(payload, 'cwd')
    return {
      ...call,
      action: {type: 'shell', command: text(payload, 'command'), ...(cwd === undefined ? {} : {cwd})},
    }
  },
  answer(event, verdict) {
    if (event === 'stop')
      return {
        code: 0,
        stdout: cursorJson(verdict.block ? {followup_message: verdict.message} : {}),
        stderr: '',
      }
    if (event !== 'beforeShellExecution') return {code: 0, stdout: cursorJson({}), stderr: ''}
    const answer = verdict.block
      ? {permission: 'deny', user_message: verdict.message, agent_message: verdict.message}
      : {permission: 'allow'}
    return {code: 0, stdout: cursorJson(answer), stderr: ''}
  },
  launcherBlock: {
    code: 0,
    stdout: JSON.stringify({
      permission: 'deny',
      user_message: "acldrift's agent hook did not answer: the command is refused to be safe.",
      agent_message:
        "acldrift's agent hook did not answer (acldrift is missing, or it crashed): the command is refused to be safe. Tell the user; do not work around it.",
    }),
  },
  install(existing) {
    const hooks = isObject(existing.hooks) ? {...existing.hooks} : {}
    for (const {event} of this.hooks) {
      const command = hookCommand(this, event)
      const entries = Array.isArray(hooks[event]) ? [...(hooks[event] as unknown[])] : []
      // On the events that must fail closed, Cursor itself blocks when the hook fails
      // (a timeout, a kill), not only the launcher when acldrift crashes.
      const ours = this.failClosed.includes(event) ? {command, failClosed: true} : {command}
      const at = entries.findIndex((entry) => cursorRuns([entry], command))
      if (at === -1) entries.push(ours)
      else entries[at] = {...(entries[at] as Record<string, unknown>), ...ours}
      hooks[event] = entries
    }
    return {...existing, version: existing.version ?? 1, hooks}
  },
  installed(value) {
    if (!isObject(value) || value.version !== 1 || !isObject(value.hooks)) return false
    const hooks = value.hooks
    return this.hooks.every(({event}) => cursorRuns(hooks[event], hookCommand(this, event)))
  },
}

/** VS Code's hook entry: `{type: "command", command, timeout}` in the list of its event (flat). */
const vscodeRuns = (entries: unknown, command: string) =>
  Array.isArray(entries) &&
  entries.some((entry) => isObject(entry) && entry.type === 'command' && entry.command === command)

/** VS Code's default hook timeout is 30 s; acldrift's own deadline (45 s) comes first at 60. */
const VSCODE_TIMEOUT_SECONDS = 60

export const VSCODE: Harness = {
  name: 'vscode',
  title: 'VS Code',
  source: {
    url: 'https://code.visualstudio.com/docs/agents/reference/hooks-reference',
    asOf: 'read on 2026-12-07 (code.visualstudio.com/docs/agent-customization/hooks and the hooks reference, the Local harness; microsoft/vscode-copilot-chat assets/prompts/skills/agent-customization/references/hooks.md and src/extension/tools/)',
    notes: [
      'Workspace hooks live in .github/hooks/*.json: {hooks: {<Event>: [{type: "command", command, windows, linux, osx, cwd (relative to the repository root), env, timeout (seconds, default 30)}]}}. VS Code ignores matchers: every PreToolUse hook runs before every tool.',
      "stdin is JSON with the common fields timestamp, hookEventName, sessionId, transcript_path, cwd; PreToolUse adds tool_name, tool_input (the tool's own input, as VS Code passes it to the hook) and tool_use_id.",
      'Exit code 0 allows (stdout may hold JSON: hookSpecificOutput.permissionDecision "allow" | "ask" | "deny"); exit code 2 is a blocking error shown to the model; any other exit code is a non-blocking warning (the launcher turns a crash or a kill into exit 2 on PreToolUse).',
      "The edit tools and their inputs are read from the extension's source (vscode-tools.ts): create_file, replace_string_in_file, multi_replace_string_in_file, insert_edit_into_file, apply_patch, and run_in_terminal for commands. Where the result of an edit cannot be known (a replacement the tool repairs, insert_edit_into_file, apply_patch's updates, deletes and moves) an edit of an access config is blocked and the agent told to use an edit whose result is exact.",
      "Stop is documented as an event, but not what its input holds to tell a repeated stop (Claude Code's stop_hook_active): acldrift does not install a Stop hook for VS Code.",
      "Sessions of other harnesses in VS Code (Copilot CLI, Claude) use their own hook configurations and payloads; this is the Local harness's.",
    ],
  },
  configFile: '.github/hooks/acldrift.json',
  hooks: [{event: 'PreToolUse'}],
  failClosed: ['PreToolUse'],
  projectDir: '$(git rev-parse --show-toplevel)',
  read(event, payload) {
    if (!isObject(payload)) throw new MalformedPayload('the hook input is not a JSON object')
    const session = optionalText(payload, 'sessionId') ?? optionalText(payload, 'session_id')
    const call = {session, cwd: optionalText(payload, 'cwd')}
    if (event !== 'PreToolUse') return {...call, action: {type: 'other'}}
    const tool = text(payload, 'tool_name')
    const input = payload.tool_input
    if (!isObject(input)) throw new MalformedPayload('tool_input is not an object')
    return {...call, action: vscodeAction(tool, input)}
  },
  answer(_event, verdict) {
    if (verdict.block) return {code: 2, stdout: '', stderr: `${verdict.message}\n`}
    return allow
  },
  launcherBlock: {code: 2},
  install(existing) {
    const hooks = isObject(existing.hooks) ? {...existing.hooks} : {}
    for (const {event} of this.hooks) {
      const command = hookCommand(this, event)
      const entries = Array.isArray(hooks[event]) ? [...(hooks[event] as unknown[])] : []
      if (!vscodeRuns(entries, command))
        entries.push({type: 'command', command, timeout: VSCODE_TIMEOUT_SECONDS})
      hooks[event] = entries
    }
    return {...existing, hooks}
  },
  installed(value) {
    if (!isObject(value) || !isObject(value.hooks)) return false
    const hooks = value.hooks
    return this.hooks.every(({event}) => vscodeRuns(hooks[event], hookCommand(this, event)))
  },
}

export const HARNESSES: readonly Harness[] = [CLAUDE_CODE, CURSOR, GEMINI_CLI, VSCODE]

/**
 * The events of acldrift's hooks that a hook configuration's text runs, each judged as
 * `installed` judges them all (none when it switches the harness's hooks off or is not JSON).
 */
export function acldriftHooksRun(harness: Harness, text: string | undefined): string[] {
  let value: unknown
  try {
    value = JSON.parse(text ?? '')
  } catch {
    return []
  }
  return harness.hooks
    .filter((hook) => ({...harness, hooks: [hook]}).installed(value))
    .map((hook) => hook.event)
}

/**
 * The events whose acldrift hook `before` runs and `after` no longer does: a weakening. Per hook,
 * so that a configuration written before a hook was added (Claude Code's SubagentStop) is still
 * protected for the hooks it has.
 */
export function hooksDropped(
  harness: Harness,
  before: string | undefined,
  after: string | undefined,
): string[] {
  const still = new Set(acldriftHooksRun(harness, after))
  return acldriftHooksRun(harness, before).filter((event) => !still.has(event))
}

export function harnessFor(name: string): Harness | undefined {
  return HARNESSES.find((h) => h.name === name)
}
