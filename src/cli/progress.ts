// Whether a command draws a progress line on standard error: only for a person watching a
// terminal. Never in a hook (its output is the verdict), never with --quiet, never in CI (a log
// keeps every redraw as a line), never when standard error is not a terminal (redirected with
// the report, or read by a program).

import type {Progress} from '../reporters/progress.js'

export interface ProgressSituation {
  /** standard error is a terminal */
  stderrIsTTY: boolean
  env: Readonly<Record<string, string | undefined>>
  quiet?: boolean
  /** run by a git hook */
  hook?: boolean
}

/** The variables CI services set (GitHub Actions, GitLab, CircleCI, Buildkite… set CI; Azure Pipelines TF_BUILD; Jenkins JENKINS_URL). */
const CI_VARIABLES = ['CI', 'TF_BUILD', 'JENKINS_URL'] as const

export function wantsProgress(situation: ProgressSituation): boolean {
  const {env} = situation
  if (!situation.stderrIsTTY || situation.quiet === true || situation.hook === true) return false
  if (env.TERM === 'dumb') return false
  return !CI_VARIABLES.some(
    (name) => env[name] !== undefined && env[name] !== '' && env[name] !== 'false' && env[name] !== '0',
  )
}

/** The progress line for this process, or undefined when it should not draw one. */
export async function progressFor(
  options: {quiet?: boolean; hook?: boolean} = {},
): Promise<Progress | undefined> {
  if (!wantsProgress({stderrIsTTY: process.stderr.isTTY === true, env: process.env, ...options}))
    return undefined
  return (await import('../reporters/progress.js')).progressReporter(process.stderr)
}
