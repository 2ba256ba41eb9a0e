// Git hook entry points, shared by oclif and the fast path (hooks run on every commit).

import {loadConfig} from '../core/config.js'
import {stampAgent} from '../core/stamp.js'
import {findRepoRoot} from '../git/index.js'

/** Stamps the agent trailer; a failure is reported but never blocks the commit (exit 0). */
export async function runPrepareCommitMsg(messageFile: string): Promise<number> {
  try {
    const config = await loadConfig(await findRepoRoot(process.cwd()))
    const trailer = await stampAgent(messageFile, process.env, config.actors)
    if (trailer !== undefined) process.stderr.write(`acldrift: added "${trailer}" to the commit message\n`)
  } catch (error) {
    process.stderr.write(
      `acldrift: prepare-commit-msg could not stamp the message: ${(error as Error).message}\n`,
    )
  }
  return 0
}
