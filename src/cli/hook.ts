// Git hook entry points, shared by oclif and the fast path (hooks run on every commit).

// Only what prepare-commit-msg needs without an agent is imported here: the rest loads when used.

import {readFile} from 'node:fs/promises'
import {detectRuntimeAgent} from '../core/actors/classify.js'

/**
 * Stamps the agent trailer; a failure is reported but never blocks the commit (exit 0). Only
 * the environment's evidence needs stamping: the commit records its identities and its message's
 * trailers itself, and attribution reads them there. Without it the hook returns before reading
 * the config or starting git: it runs on every commit.
 */
export async function runPrepareCommitMsg(messageFile: string): Promise<number> {
  try {
    if (detectRuntimeAgent(process.env).length === 0) return 0
    const [{loadConfig}, {stampAgent}, {findRepoRoot}] = await Promise.all([
      import('../core/config.js'),
      import('../core/stamp.js'),
      import('../git/index.js'),
    ])
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
 * trailers (`Co-authored-by: Claude …`) count as evidence about the actor. Exit 1 blocks. When
 * pre-commit passed the same content and the message changes nothing about who makes the commit,
 * its verdict stands (core/commit-verdict.ts) and the check is not run again.
 */
export async function runCommitMsg(messageFile: string): Promise<number> {
  const [{explainError}, {EXIT, UsageError}, {pendingMessage}, {findRepoRoot, oneRun}, {passedWithMessage}] =
    await Promise.all([
      import('./errors.js'),
      import('../kernel/errors.js'),
      import('../core/message.js'),
      import('../git/index.js'),
      import('../core/commit-verdict.js'),
    ])
  // One run (git/scope.ts): the top directory and HEAD come from one rev-parse, and the check, when
  // pre-commit's verdict does not stand, asks git again nothing the lookup asked.
  return oneRun(async () => {
    try {
      let raw: string
      try {
        raw = await readFile(messageFile, 'utf8')
      } catch (error) {
        throw new UsageError(`cannot read the commit message ${messageFile}: ${(error as Error).message}`)
      }
      const message = pendingMessage(raw)
      if (await passedWithMessage(await findRepoRoot(process.cwd()), message)) return EXIT.ok
      const {executeCheck} = await import('./check.js')
      const code = await executeCheck({staged: true}, {message})
      if (code === EXIT.widening)
        process.stderr.write('acldrift: commit blocked: it widens access (see the findings above)\n')
      return code
    } catch (error) {
      return explainError(error)
    }
  })
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
    const [{loadConfig}, {carryAgentEvidence}, {findRepoRoot}] = await Promise.all([
      import('../core/config.js'),
      import('../core/rewrite.js'),
      import('../git/index.js'),
    ])
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
