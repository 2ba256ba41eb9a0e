// The agent hook's slow path for an edit (hook.ts decides what comes here): a path that may be
// an access config, as the inventory classifies it, reviewed against the approved state
// (review.ts). The CLI loads it from the hook bundle's code-cached body (cli/hook-body.ts), where
// the registries, the pipeline and the engine are compiled already.

import {classifier} from '../classify.js'
import {unknowable} from './edits.js'
import type {ConfigView, EditAction, Entry, Judgement, Proposed, Repository} from './judgement.js'
import {logged, plainFile, reviewEdit} from './review.js'

/** The judgement of `action` on `path` (relative to the repository's root), a candidate path. */
export async function judgeAccessEdit(
  repo: Repository,
  path: string,
  view: ConfigView,
  action: EditAction,
  entry: Entry,
  proposed: () => Promise<Proposed>,
): Promise<Judgement> {
  const assigned = classifier(view)(path)
  if (assigned === undefined) return {}
  // From here the file is, or may be, an access config.
  const {current, result} = await proposed()
  if (!result.ok && result.unknown === true) {
    // Refused when the file is an access config now, a container reads it, or it is new.
    if (current !== undefined && (await plainFile(repo.root, assigned, {path, content: current}))) return {}
    const why = `${path} is an access-control config and ${unknowable(result.reason)}`
    return {
      refusal: {type: 'guarded', why},
      log: {gitDir: repo.gitDir, entry: entry({tool: action.tool, file: path, reasons: [why]})},
    }
  }
  if (!result.ok) {
    const error = `the edit cannot be applied as the tool would: ${result.reason}`
    return {
      refusal: {type: 'failure', file: path, error},
      log: {gitDir: repo.gitDir, entry: entry({tool: action.tool, file: path, reasons: [result.reason]})},
    }
  }
  const content = Buffer.from(result.content)
  const review = await reviewEdit(
    repo.root,
    assigned,
    current === undefined ? undefined : {path, content: current},
    {path, content},
  )
  if (review.plain) return {}
  if (review.problems.length > 0)
    return {
      refusal: {type: 'unreadable', file: path, problems: review.problems},
      log: {
        gitDir: repo.gitDir,
        entry: entry({tool: action.tool, file: path, reasons: review.problems.map((p) => p.message)}),
      },
    }
  if (review.findings.length === 0) return {}
  const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)
  return {
    refusal: {type: 'widening', file: path, findings: review.findings, expires},
    log: {
      gitDir: repo.gitDir,
      entry: entry({tool: action.tool, file: path, findings: review.findings.map(logged)}),
      proposed: content,
    },
  }
}
