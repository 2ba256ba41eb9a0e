// A file's content after an agent's edit tool call, computed before the tool runs, as the tool
// itself computes it: a Write replaces the file; an Edit replaces `old_string` by `new_string`
// (once, and the text must occur exactly once, unless `replace_all`); a MultiEdit applies its
// edits in order, each to the result of the previous one, and fails as a whole if one fails.
// Gemini CLI's `replace` names how many occurrences it replaces (`expected_replacements`): the
// text must occur exactly that many times, and all of them are replaced.

export interface StringEdit {
  oldString: string
  newString: string
  replaceAll: boolean
  /** the exact number of occurrences the tool requires (and replaces), where it says */
  count?: number
}

export type ProposedEdit = {type: 'write'; content: string} | {type: 'edit'; edits: StringEdit[]}

export type EditResult = {ok: true; content: string} | {ok: false; reason: string}

/** The content after `edit`, given the current content (undefined: the file does not exist). */
export function applyEdit(current: string | undefined, edit: ProposedEdit): EditResult {
  if (edit.type === 'write') return {ok: true, content: edit.content}
  let content = current
  for (const [index, step] of edit.edits.entries()) {
    const which = edit.edits.length > 1 ? `edit ${index + 1}: ` : ''
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
