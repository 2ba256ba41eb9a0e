// The body of the hook bundle (hook/acldrift-body.js, run by hook/acldrift.js, the `acldrift-hook`
// command: see hook-loader.ts): the git hooks that .pre-commit-hooks.yaml publishes, in one file
// committed with the sources, because the pre-commit framework may install this repository
// without building it (no dist/). It runs what the fast path runs (a plain check, the commit-msg
// and prepare-commit-msg hooks, the agent hook) and nothing else; and it gives the CLI's agent hook
// its reviews (judgeAccessEdit, reviewWorkingTree): the rest of the CLI needs the build and oclif.

import {runFast, runFastAudit} from './fast.js'

// The agent hook's reviews of an edit and of the working tree at the end of a turn, for the
// CLI's agent hook (agent-hook.ts), and what it does with a refusal (the decision log, the
// message): from the body, not from the build's modules, once the body is loaded.
export {judgeAccessEdit} from '../core/agent/access-edit.js'
export {logged, reviewWorkingTree} from '../core/agent/review.js'
export {appendAgentLog} from '../core/agent/log.js'
export {renderRefusal} from '../reporters/agent.js'

/** The hook's exit code for its arguments. */
export async function main(argv: string[]): Promise<number> {
  const code = await runFast(argv)
  if (code !== undefined) return code
  process.stderr.write(
    'acldrift-hook: runs the git hooks only (`check` with its flags, `hook commit-msg FILE`, ' +
      '`hook prepare-commit-msg FILE`); use `acldrift` for everything else\n',
  )
  return 2
}

/**
 * bin/run.js's `check` and `audit` (hook-body.ts runCli): the exit code, or undefined for a
 * command line the fast paths leave to oclif.
 */
export async function cli(argv: string[]): Promise<number | undefined> {
  return (await runFast(argv)) ?? (await runFastAudit(argv))
}
