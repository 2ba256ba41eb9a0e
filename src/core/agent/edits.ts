// A file's content after an agent's edit tool call, computed before the tool runs, as the tool
// itself computes it: a Write replaces the file; an Edit replaces `old_string` by `new_string`
// (once, and the text must occur exactly once, unless `replace_all`); a MultiEdit applies its
// edits in order, each to the result of the previous one, and fails as a whole if one fails.
// Gemini CLI's `replace` names how many occurrences it replaces (`expected_replacements`): the
// text must occur exactly that many times, and all of them are replaced.
// A tool that repairs an edit whose text does not match exactly (Gemini's `replace`, VS Code's
// replace tools: `heals`) writes what nobody can know beforehand: such a result is `unknown`,
// not a failure. VS Code's `multi_replace_string_in_file` places every replacement of a file in
// the file as it was, then applies them together (`batch`). An edit whose result cannot be known
// at all (VS Code's `insert_edit_into_file`, a patch that is not applied exactly) is `unknown`.

export interface StringEdit {
  oldString: string
  newString: string
  replaceAll: boolean
  /** the exact number of occurrences the tool requires (and replaces), where it says */
  count?: number
}

export type ProposedEdit =
  | {type: 'write'; content: string}
  | {type: 'edit'; edits: StringEdit[]; heals?: boolean}
  | {type: 'batch'; edits: Array<Pick<StringEdit, 'oldString' | 'newString'>>}
  | {type: 'unknown'; reason: string}

/**
 * `unknown`: the tool may still write something (it repairs the edit, or merges it its own way),
 * and what it writes cannot be computed; otherwise the tool fails and the file stays as it is.
 */
export type EditResult = {ok: true; content: string} | {ok: false; reason: string; unknown?: true}

/** Why an edit whose result cannot be known is refused, and what to do instead. */
export const unknowable = (reason: string) =>
  `${reason}, so acldrift cannot know what the file would hold (it checks edits whose result is exact: the whole file written, or text that occurs exactly once replaced)`

/** The content after `edit`, given the current content (undefined: the file does not exist). */
export function applyEdit(current: string | undefined, edit: ProposedEdit): EditResult {
  if (edit.type === 'write') return {ok: true, content: edit.content}
  if (edit.type === 'unknown') return {ok: false, reason: edit.reason, unknown: true}
  if (edit.type === 'batch') return applyBatch(current, edit.edits)
  const result = applyInOrder(current, edit.edits)
  return !result.ok && edit.heals === true ? {...result, unknown: true} : result
}

function applyInOrder(current: string | undefined, edits: readonly StringEdit[]): EditResult {
  let content = current
  for (const [index, step] of edits.entries()) {
    const which = edits.length > 1 ? `edit ${index + 1}: ` : ''
    // An empty old_string on a file that does not exist yet creates it.
    if (content === undefined) {
      if (step.oldString !== '') return {ok: false, reason: `${which}the file does not exist`}
      content = step.newString
      continue
    }
    if (step.oldString === '') return {ok: false, reason: `${which}old_string is empty`}
    const count = content.split(step.oldString).length - 1
    if (count === 0) return {ok: false, reason: `${which}old_string is not in the file`}
    if (step.count !== undefined && count !== step.count)
      return {ok: false, reason: `${which}old_string occurs ${count} times, not ${step.count}`}
    if (count > 1 && !step.replaceAll && step.count === undefined)
      return {ok: false, reason: `${which}old_string occurs ${count} times and replace_all is not set`}
    content =
      step.replaceAll || step.count !== undefined
        ? content.split(step.oldString).join(step.newString)
        : content.replace(step.oldString, () => step.newString)
  }
  return content === undefined ? {ok: false, reason: 'no edit'} : {ok: true, content}
}

/**
 * VS Code's multi_replace_string_in_file on one file: each replacement is placed in the file as
 * it is (its `oldString` exactly once), and all are applied together; any other case is repaired
 * or merged by the tool in ways that cannot be computed (microsoft/vscode-copilot-chat,
 * src/extension/tools/node/multiReplaceStringTool.tsx, read 2026-12-07).
 */
function applyBatch(
  current: string | undefined,
  edits: ReadonlyArray<Pick<StringEdit, 'oldString' | 'newString'>>,
): EditResult {
  const unknown = (reason: string): EditResult => ({ok: false, reason, unknown: true})
  if (current === undefined) return unknown('the file does not exist')
  const placed: Array<{start: number; end: number; text: string}> = []
  for (const [index, {oldString, newString}] of edits.entries()) {
    const which = edits.length > 1 ? `replacement ${index + 1}: ` : ''
    const start = current.indexOf(oldString)
    if (oldString === '' || start === -1 || current.indexOf(oldString, start + 1) !== -1)
      return unknown(`${which}oldString does not occur exactly once, and the tool then repairs it`)
    placed.push({start, end: start + oldString.length, text: newString})
  }
  placed.sort((a, b) => a.start - b.start)
  let content = ''
  let at = 0
  for (const {start, end, text} of placed) {
    if (start < at) return unknown('two replacements overlap')
    content += current.slice(at, start) + text
    at = end
  }
  return {ok: true, content: content + current.slice(at)}
}
