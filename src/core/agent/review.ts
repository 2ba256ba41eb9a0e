// The agent hook's slow path: an edit of a file that may be an access config, compared with the
// approved state exactly as `check --staged` compares the index, with the proposed content in
// place of the file's staged version (also where a container reads it: a kustomize patch); and
// the end of a turn, the working tree (untracked files included) against the approved state.
// Loaded only when the fast path (hook.ts) cannot tell. An edit of a file that stands alone
// takes its own path (alone.ts), which reads only that file; the check and the gate load only
// where it cannot tell.

import {DEFAULT_FAIL_POLICY} from '../../kernel/findings.js'
import type {Finding, InputProblem, Report, SourceFile} from '../../kernel/types.js'
import {oneRun} from '../../git/index.js'
import {gating} from '../gate/verdict.js'
import {type Config, loadConfig} from '../config.js'
import {readDocuments, readersOf} from '../source.js'
import {reviewAlone} from './alone.js'
import type {LoggedFinding} from './log.js'

export interface EditReview {
  /** unapproved widenings (and possible widenings) the edit brings into the file */
  findings: Finding[]
  /** what makes the proposed content unreadable as the access config it is */
  problems: InputProblem[]
  /** the file is not an access config, before or after the edit, and no container reads it */
  plain: boolean
}

/** Whether `file` holds access-control documents (or claims to and fails to parse). */
async function holdsAccess(
  file: SourceFile,
  assigned: Parameters<typeof readDocuments>[1],
): Promise<boolean> {
  const read = await readDocuments(file, assigned)
  return read.documents.length > 0 || read.problems.length > 0
}

/** The files of the index whose documents read `path`, asked for once. */
const readersOnce = (root: string, config: Config, path: string) => {
  let readers: Promise<ReadonlySet<string>> | undefined
  return () => (readers ??= readersOf(root, config, [path]).then((paths) => new Set(paths)))
}

/**
 * Whether `file` is a candidate path that is no access config as it is, and that no container
 * format reads: an edit of it whose result cannot be known is left to the end of the turn and
 * the git hooks.
 */
export function plainFile(
  root: string,
  assigned: Parameters<typeof readDocuments>[1],
  file: SourceFile,
): Promise<boolean> {
  return oneRun(async () => {
    const [holds, config] = await Promise.all([holdsAccess(file, assigned), loadConfig(root)])
    return !holds && (await readersOnce(root, config, file.path)()).size === 0
  })
}

export function reviewEdit(
  root: string,
  assigned: Parameters<typeof readDocuments>[1],
  current: SourceFile | undefined,
  proposed: SourceFile,
): Promise<EditReview> {
  // (one run: the index is listed once, whichever path decides)
  return oneRun(async () => {
    const [before, after, config] = await Promise.all([
      current === undefined ? false : holdsAccess(current, assigned),
      holdsAccess(proposed, assigned),
      loadConfig(root),
    ])
    const readers = readersOnce(root, config, proposed.path)
    // A candidate path (package.json, a compose file) that is no access config before or after,
    // and that no container format reads.
    if (!before && !after && (await readers()).size === 0) return {findings: [], problems: [], plain: true}
    const findings = await reviewAlone(root, config, assigned, proposed, readers)
    if (findings !== undefined) return {findings, problems: [], plain: false}
    return reviewInCheck(root, config, proposed, readers)
  })
}

/**
 * The full path: the edit as `check --staged` judges the index with the proposed content in
 * place of the file. `readers`: the index's files whose documents read the edited one.
 */
export async function reviewInCheck(
  root: string,
  config: Config,
  proposed: SourceFile,
  readers: () => Promise<ReadonlySet<string>> = readersOnce(root, config, proposed.path),
): Promise<EditReview> {
  const {runCheck} = await import('../check.js')
  // Another file's own documents cannot make a finding of this one: only containers read others.
  const staged = {root, cwd: root, config, target: {type: 'staged' as const}, focus: new Set([proposed.path])}
  const report = await runCheck({...staged, overlay: [proposed]})
  const inFile = (file: string) => file === proposed.path
  const failing = unapproved(report)
  const findings = failing.filter((f) => inFile(f.file))
  const problems = report.errors.filter((p) => inFile(p.file))
  // What the edit changes in the files that read it (a kustomize overlay rendered with the
  // edited patch) is the edit's too: those files' findings and problems that the index without
  // the edit does not have. Only a container's documents (named inside their file) read others.
  const outside = failing.filter((f) => !inFile(f.file) && f.document !== undefined)
  const outsideProblems = report.errors.filter((p) => !inFile(p.file))
  if (outside.length + outsideProblems.length > 0) {
    const near = await readers()
    const suspects = outside.filter((f) => near.has(f.file))
    const suspectProblems = outsideProblems.filter((p) => near.has(p.file))
    if (suspects.length + suspectProblems.length > 0) {
      const without = await runCheck(staged)
      const had = new Set(unapproved(without).map((f) => f.id))
      const hadProblems = new Set(without.errors.map((p) => JSON.stringify(p)))
      findings.push(...suspects.filter((f) => !had.has(f.id)))
      problems.push(...suspectProblems.filter((p) => !hadProblems.has(JSON.stringify(p))))
    }
  }
  return {findings, problems, plain: false}
}

export interface TreeReview {
  findings: Finding[]
  problems: InputProblem[]
}

/** The working tree (its untracked files too) against the approved state, as `check` judges it. */
export async function reviewWorkingTree(root: string): Promise<TreeReview> {
  const [config, {runCheck}] = await Promise.all([loadConfig(root), import('../check.js')])
  const report = await runCheck({
    root,
    cwd: root,
    config,
    target: {type: 'worktree'}, // untracked files included, as the working tree's check reads it
  })
  return {findings: unapproved(report), problems: report.errors}
}

/**
 * The findings that fail, judged as the agent's own changes (it made or proposed them): under
 * `agents: require-approval` (the default) every widening without a valid approval, whatever
 * its severity; else those at or above `failOn`. The report's policy is the gate's (the stricter
 * one while a weakening of it is unapproved).
 */
function unapproved(report: Report): Finding[] {
  const {failOn, agents} = report.policy ?? DEFAULT_FAIL_POLICY
  return gating(
    report.findings,
    agents === 'require-approval' && failOn !== 'never' ? 'widening' : failOn,
    agents,
  )
}

export function logged(finding: Finding): LoggedFinding {
  return {
    id: finding.id,
    rule: finding.rule,
    change: finding.change,
    severity: finding.severity,
    file: finding.file,
    ...(finding.document === undefined ? {} : {document: finding.document}),
    witness: finding.witness,
  }
}
