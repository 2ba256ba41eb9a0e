// `acldrift check`, shared by the oclif command and the start-up fast path.

import {runCheck} from '../core/check.js'
import {verdictCode} from '../core/gate/verdict.js'
import type {CheckOptions} from '../core/options.js'
import {type FailOn, loadConfig} from '../core/config.js'
import {EXIT, UsageError} from '../kernel/errors.js'
import {sourceSpec} from '../core/source.js'
import {findRepoRoot} from '../git/index.js'
import type {CHECK_FLAGS, ParsedFlags} from './flag-specs.js'
import {emitReport} from './output.js'

type ComparisonFlags = Pick<
  ParsedFlags<typeof CHECK_FLAGS>,
  'staged' | 'ref' | 'range' | 'baseline' | 'config'
>

/** The comparison a command's flags ask for: repository, config, target and baseline. */
export async function checkOptions(flags: ComparisonFlags): Promise<CheckOptions> {
  const root = await findRepoRoot(process.cwd())
  const config = await loadConfig(root, flags.config)
  let target = sourceSpec(flags)
  let baseline = flags.baseline
  const range = flags.range !== undefined
  if (flags.range !== undefined) {
    const match = /^(.+?)\.\.(.+)$/.exec(flags.range)
    if (!match || match[2]!.startsWith('.'))
      throw new UsageError(`--range must look like A..B, got ${flags.range}`)
    baseline = match[1]!
    target = {type: 'ref', rev: match[2]!}
  }
  return {root, cwd: process.cwd(), config, target, baseline, range}
}

/**
 * Runs a check and returns the exit code. `commitMsg`: the commit-msg hook's check, which knows
 * the message of the commit being made and prints the report only when it blocks (the
 * pre-commit hook has shown it already).
 */
export async function executeCheck(
  flags: ParsedFlags<typeof CHECK_FLAGS>,
  commitMsg?: {message: string},
): Promise<number> {
  const options = {...(await checkOptions(flags)), message: commitMsg?.message}
  const report = await runCheck(options)
  const code = verdictCode(report, flags['fail-on'] as FailOn | undefined)
  if (commitMsg === undefined || code !== EXIT.ok)
    await emitReport(report, {format: flags.format ?? 'pretty', output: flags.output, color: flags.color})
  return code
}
