// The message hooks as the hook bundle's entry (hook-loader.ts) decides them before it loads the
// body: git runs them on every commit, and loading the body (its ~1 MB code cache) costs more
// than what they usually do. Each answers here only where the body would answer the same without
// doing anything more (hook.ts): prepare-commit-msg when the environment holds no agent's
// evidence, commit-msg when pre-commit's verdict stands for the same content and message
// (core/commit-verdict.ts, whose checks are the same code as the body's). Anything else, an error
// included, is left to the body, which reports it as it always has.

import {detectRuntimeAgent} from '../core/actors/classify.js'

/**
 * The exit code of the message hook `argv` (`hook prepare-commit-msg FILE [SOURCE [SHA]]`, `hook
 * commit-msg FILE`) when it is decided without the body, else undefined: the body runs it.
 */
export async function decidedBeforeBody(argv: readonly string[]): Promise<number | undefined> {
  const [, hook, file] = argv
  // The same arguments as the body's (fast.ts runFast) take these hooks.
  if (argv[0] !== 'hook' || file === undefined || file.startsWith('-')) return undefined
  // (hook.ts runPrepareCommitMsg: nothing to stamp, exit 0)
  if (hook === 'prepare-commit-msg') return detectRuntimeAgent(process.env).length === 0 ? 0 : undefined
  if (hook !== 'commit-msg' || argv.length !== 3) return undefined
  try {
    // (imported here: prepare-commit-msg needs none of it, nor the modules of Node's it loads)
    const {passedWithMessageFile} = await import('../core/commit-verdict.js')
    return (await passedWithMessageFile(process.cwd(), file)) ? 0 : undefined
  } catch {
    return undefined
  }
}
