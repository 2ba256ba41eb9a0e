// `acldrift check`, shared by the oclif command and the start-up fast path.

import {runCheck, snapshotFile} from '../core/check.js'
import {forgetPass, pendingVerdict, rememberPass} from '../core/commit-verdict.js'
import {verdictCode} from '../core/gate/verdict.js'
import type {CheckOptions} from '../core/options.js'
import {type FailOn, loadConfig} from '../core/config.js'
import {referenceBaseline} from '../core/gate/reference.js'
import {EXIT, UsageError} from '../kernel/errors.js'
import {type SourceSpec, sourceSpec} from '../core/source.js'
import {findRepoRoot, mergeBase, oneRun} from '../git/index.js'
import type {CHECK_FLAGS, ParsedFlags} from './flag-specs.js'
import {withDebug} from './debug.js'
import {progressFor} from './progress.js'
import {cwdFromRoot, emitReport, writeReports} from './output.js'

type ComparisonFlags = Pick<
  ParsedFlags<typeof CHECK_FLAGS>,
  'staged' | 'ref' | 'range' | 'baseline' | 'config'
>

/** The comparison a command's flags ask for: repository, config, target and baseline. */
export async function checkOptions(flags: ComparisonFlags): Promise<CheckOptions> {
  const root = await findRepoRoot(process.cwd())
  let config = await loadConfig(root, flags.config)
  let target = sourceSpec(flags)
  let baseline = flags.baseline
  const range = flags.range !== undefined
  if (flags.range !== undefined) {
    ;[baseline, target] = await rangeSides(root, flags.range)
  } else if (baseline === undefined)
    config = await referenceBaseline({root, cwd: process.cwd(), config}, target)
  return {root, cwd: process.cwd(), config, target, baseline, range}
}

/**
 * `--range` as git reads it: `A..B` compares B with A, `A...B` with their merge base (what
 * B's branch changed since it left A), and a missing side is HEAD (`A..`, `..B`, `A...`).
 */
async function rangeSides(root: string, range: string): Promise<[string, SourceSpec]> {
  const match = /^(.*?)(\.\.\.?)(.*)$/.exec(range)
  if (!match || match[3]!.startsWith('.') || (match[1] === '' && match[3] === ''))
    throw new UsageError(`--range must look like A..B, A...B, A.. or ..B, got ${range}`)
  const [from, to] = [match[1] || 'HEAD', match[3] || 'HEAD']
  const baseline = match[2] === '...' ? await mergeBase(root, from, to) : from
  return [baseline, {type: 'ref', rev: to}]
}

/**
 * Runs a check and returns the exit code. `commitMsg`: the commit-msg hook's check, which knows
 * the message of the commit being made and prints the report only when it blocks (the
 * pre-commit hook has shown it already).
 */
export function executeCheck(
  flags: ParsedFlags<typeof CHECK_FLAGS>,
  commitMsg?: {message: string},
): Promise<number> {
  // (one run: git is asked once about the index and HEAD, git/scope.ts)
  return withDebug(flags.debug, () => oneRun(() => check(flags, commitMsg)))
}

/**
 * A pass of the pre-commit hook's own check (no flag that changes what commit-msg's check would
 * decide) is remembered for commit-msg (core/commit-verdict.ts). When it cannot be (unmerged
 * paths, a git directory that cannot be written), commit-msg checks again.
 */
async function rememberPreCommitPass(
  flags: ParsedFlags<typeof CHECK_FLAGS>,
  options: CheckOptions,
  head: string | null,
): Promise<void> {
  const verdictFlags = [flags.config, flags.baseline, flags['fail-on'], flags.ref, flags.range]
  if (flags.staged !== true || verdictFlags.some((flag) => flag !== undefined)) return
  const baselineFile = snapshotFile(options)
  // A revision named as baseline (a tag) can move: only a snapshot file or HEAD is keyed.
  if (baselineFile === undefined && options.config.baseline !== undefined) return
  const checked = {head, baselineFile, actors: options.config.actors}
  const entry = await pendingVerdict(options.root, checked).catch(() => undefined)
  if (entry !== undefined) await rememberPass(options.root, entry).catch(() => undefined)
}

async function check(flags: ParsedFlags<typeof CHECK_FLAGS>, commitMsg?: {message: string}): Promise<number> {
  const started = performance.now()
  const quiet = flags.quiet === true || commitMsg !== undefined
  // --staged is what hooks run: the pending commit has little to attribute, and a hook shows no bar.
  const progress = await progressFor({quiet, hook: commitMsg !== undefined || flags.staged === true})
  const onPass: Array<() => Promise<void>> = []
  // A quiet pretty report lists only what blocks: a narrowing's commit is never shown.
  const shown = [flags.output, flags['report-dir']].every((flag) => flag === undefined)
  const gatingOnly = quiet && (flags.format ?? 'pretty') === 'pretty' && shown
  const options = {
    ...(await checkOptions(flags)),
    message: commitMsg?.message,
    progress,
    onPass,
    ...(gatingOnly && {attribute: 'gating' as const}),
  }
  // A pre-commit check: what commit-msg may reuse is only what this one remembers (commit-verdict.ts).
  if (flags.staged === true && commitMsg === undefined) await forgetPass(options.root)
  const report = await runCheck(options)
  const failOn = flags['fail-on'] as FailOn | undefined
  const code = verdictCode(report, failOn)
  if (code === EXIT.ok && commitMsg === undefined) {
    await rememberPreCommitPass(flags, options, report.target.commit)
    for (const keep of onPass) await keep()
  }
  const context = {root: options.root, failOn}
  if (quiet && code === EXIT.ok) {
    // A hook that passes says nothing, except that approvals are what let it pass.
    const approved = report.findings.filter((f) => f.change !== 'narrowing' && f.approval?.valid === true)
    if (approved.length > 0 && commitMsg === undefined)
      process.stderr.write(
        `acldrift: ${approved.length} approved widening${approved.length === 1 ? '' : 's'}, see \`acldrift check\`\n`,
      )
  } else {
    const format = flags.format ?? 'pretty'
    const from = cwdFromRoot(options.root, options.cwd)
    await emitReport(report, {...context, format, output: flags.output, color: flags.color, quiet, from})
  }
  if (flags['report-dir'] !== undefined) await writeReports(report, flags['report-dir'], context)
  if (flags.verbose === true)
    process.stderr.write(
      `acldrift: compared ${report.baseline.source} with ${report.target.source}: ${report.summary.documents} documents in ${Math.round(performance.now() - started)} ms\n`,
    )
  return code
}
