// VS Code's agent tools that write files or run commands, read from a PreToolUse hook's
// `tool_input` (the tool's own input: microsoft/vscode-copilot-chat passes it on as given,
// `executePreToolUseHook(toolName, toolInput, …)` in src/platform/chat/common/chatHookService.ts),
// each as the file content it leads to where the tool's result can be computed exactly, and as
// `unknown` where it cannot (the tool repairs, merges or fuzzily places the edit). The tools'
// inputs and behaviour are read from src/extension/tools/node/ of that repository (2026-12-07):
//   - create_file {filePath, content?}: the file becomes `content` (createFileTool.tsx);
//   - replace_string_in_file {filePath, oldString, newString}: one exact occurrence is replaced;
//     otherwise the tool repairs the edit (editFileHealing.tsx): unknown (replaceStringTool.tsx);
//   - multi_replace_string_in_file {replacements: [{filePath, oldString, newString}]}: each
//     replacement placed in its file as it is, those of one file applied together
//     (multiReplaceStringTool.tsx);
//   - insert_edit_into_file {filePath, code}: a sketch a model merges into the file: unknown
//     (insertEditTool.tsx);
//   - apply_patch {input}: its own patch format (applyPatch/parser.ts). An added file's content is
//     its `+` lines joined by newlines; an update is placed by fuzzy context matching and
//     re-indented, a delete or a move changes what no edit models: unknown;
//   - run_in_terminal {command}: a shell command.
// The extension also names them `copilot_createFile` … (toolNames.ts, ContributedToolName).

import type {ProposedEdit} from './edits.js'
import {MalformedPayload as Malformed} from './payload.js'

/** What a call does, as harnesses.ts's AgentAction has it. */
export type VscodeAction =
  | {type: 'edit'; tool: string; file: string; edit: ProposedEdit}
  | {type: 'edits'; tool: string; edits: Array<{file: string; edit: ProposedEdit}>}
  | {type: 'shell'; command: string}
  | {type: 'other'}

const CONTRIBUTED: Record<string, string> = {
  copilot_createFile: 'create_file',
  copilot_replaceString: 'replace_string_in_file',
  copilot_multiReplaceString: 'multi_replace_string_in_file',
  copilot_insertEdit: 'insert_edit_into_file',
  copilot_applyPatch: 'apply_patch',
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

export function vscodeAction(tool: string, input: Record<string, unknown>): VscodeAction {
  const text = (object: Record<string, unknown>, field: string): string => {
    const value = object[field]
    if (typeof value !== 'string') throw new Malformed(`${field} is not a string`)
    return value
  }
  const edit = (file: string, proposed: ProposedEdit): VscodeAction => ({
    type: 'edit',
    tool,
    file,
    edit: proposed,
  })
  switch (CONTRIBUTED[tool] ?? tool) {
    case 'run_in_terminal':
      return {type: 'shell', command: text(input, 'command')}
    case 'create_file': {
      const content = input.content
      if (content !== undefined && typeof content !== 'string') throw new Malformed('content is not a string')
      return edit(text(input, 'filePath'), {type: 'write', content: content ?? ''})
    }
    case 'replace_string_in_file':
      return edit(text(input, 'filePath'), {
        type: 'edit',
        edits: [
          {oldString: text(input, 'oldString'), newString: text(input, 'newString'), replaceAll: false},
        ],
        heals: true,
      })
    case 'multi_replace_string_in_file': {
      if (!Array.isArray(input.replacements)) throw new Malformed('replacements is not a list')
      const byFile = new Map<string, Array<{oldString: string; newString: string}>>()
      for (const replacement of input.replacements) {
        if (!isObject(replacement)) throw new Malformed('a replacement is not an object')
        const file = text(replacement, 'filePath')
        byFile.set(file, [
          ...(byFile.get(file) ?? []),
          {oldString: text(replacement, 'oldString'), newString: text(replacement, 'newString')},
        ])
      }
      return {
        type: 'edits',
        tool,
        edits: [...byFile].map(([file, edits]) => ({file, edit: {type: 'batch', edits}})),
      }
    }
    case 'insert_edit_into_file':
      return edit(text(input, 'filePath'), {
        type: 'unknown',
        reason: 'insert_edit_into_file has a model merge a sketch of the change into the file',
      })
    case 'apply_patch':
      return {type: 'edits', tool, edits: patchEdits(text(input, 'input'))}
    default:
      return {type: 'other'}
  }
}

const UPDATE = '*** Update File: '
const ADD = '*** Add File: '
const DELETE = '*** Delete File: '
const MOVE = '*** Move to: '

/** The files an apply_patch input changes, each with what acldrift can know of its content. */
function patchEdits(patch: string): Array<{file: string; edit: ProposedEdit}> {
  const lines = patch.split('\n')
  const edits: Array<{file: string; edit: ProposedEdit}> = []
  const unknown = (file: string, reason: string) => edits.push({file, edit: {type: 'unknown', reason}})
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.startsWith(ADD)) {
      const added: string[] = []
      let exact = true
      for (; i + 1 < lines.length && !lines[i + 1]!.startsWith('*** '); i++) {
        const next = lines[i + 1]!
        if (next.startsWith('+')) added.push(next.slice(1))
        else exact = false
      }
      const file = line.slice(ADD.length).trim()
      if (exact) edits.push({file, edit: {type: 'write', content: added.join('\n')}})
      else unknown(file, 'apply_patch adds a file with lines that are not additions')
    } else if (line.startsWith(UPDATE))
      unknown(line.slice(UPDATE.length).trim(), 'apply_patch places an update by fuzzy context matching')
    else if (line.startsWith(DELETE))
      unknown(line.slice(DELETE.length).trim(), 'apply_patch deletes the file')
    else if (line.startsWith(MOVE)) unknown(line.slice(MOVE.length).trim(), 'apply_patch moves a file here')
  }
  // A patch that names no file: the tool fails on it, but acldrift cannot be sure what it reads.
  if (edits.length === 0) throw new Malformed('the apply_patch input names no file')
  return edits
}
