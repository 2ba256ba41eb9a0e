// Git hook entry points, shared by oclif and the fast path (hooks run on every commit).

import {readFile} from 'node:fs/promises'
import {detectRuntimeAgent} from '../core/actors/classify.js'
import {loadConfig} from '../core/config.js'
import {EXIT, UsageError} from '../kernel/errors.js'
import {pendingMessage} from '../core/message.js'
import {carryAgentEvidence} from '../core/rewrite.js'
import {stampAgent} from '../core/stamp.js'
import {findRepoRoot} from '../git/index.js'

/**
 * Stamps the agent trailer; a failure is reported but never blocks the commit (exit 0). Only
 * the environment's evidence needs stamping: the commit records its identities and its message's
 * trailers itself, and attribution reads them there. Without it the hook returns before reading
 * the config or starting git: it runs on every commit.
 */
export async function runPrepareCommitMsg(messageFile: string): Promise<number> {
  try {
    if (detectRuntimeAgent(process.env).length === 0) return 0
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

/**
 * The commit-msg hook: the staged check again, now that the message is known, so that its
 * trailers (`Co-authored-by: Claude …`) count as evidence about the actor. Exit 1 blocks.
 */
export async function runCommitMsg(messageFile: string): Promise<number> {
  const [{executeCheck}, {explainError}] = await Promise.all([import('./check.js'), import('./errors.js')])
  try {
    let raw: string
    try {
      raw = await readFile(messageFile, 'utf8')
    } catch (error) {
      throw new UsageError(`cannot read the commit message ${messageFile}: ${(error as Error).message}`)
    }
    const code = await executeCheck({staged: true}, {message: pendingMessage(raw)})
    if (code === EXIT.widening)
      process.stderr.write('acldrift: commit blocked: it widens access (see the findings above)\n')
    return code
  } catch (error) {
    return explainError(error)
  }
}

/**
 * The post-rewrite hook (`amend` or `rebase`, the rewritten commits on stdin): carries an
 * agent's evidence to the commits made from its commits. Never fails the rewrite (exit 0).
 */
export async function runPostRewrite(
  how: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<number> {
  try {
    const chunks: Buffer[] = []
    for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer))
    const root = await findRepoRoot(process.cwd())
    const config = await loadConfig(root)
    const carried = await carryAgentEvidence(root, how, Buffer.concat(chunks).toString('utf8'), config.actors)
    for (const c of carried)
      process.stderr.write(
        `acldrift: ${c.to.slice(0, 7)} was made from ${c.agent}'s commit ${c.from.slice(0, 7)}: noted in refs/notes/ai\n`,
      )
  } catch (error) {
    process.stderr.write(
      `acldrift: post-rewrite could not carry agent evidence: ${(error as Error).message}\n`,
    )
  }
  return 0
}
