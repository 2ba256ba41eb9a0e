// The prepare-commit-msg hook: git runs it even under `--no-verify` (Aider's default), so it
// is where the runtime evidence of an agent is written into the commit message, as a
// trailer that outlives the environment and that attribution reads back later.

import {addTrailer, findRepoRoot} from '../git/index.js'
import {agentTrailer} from './actors/classify.js'
import {pendingActor} from './actors/pending.js'
import type {ActorConfig} from './actors/classify.js'

/** Stamps the detected agent into the message file; returns the trailer, or undefined when no agent was detected. */
export async function stampAgent(
  messageFile: string,
  env: NodeJS.ProcessEnv,
  actors?: ActorConfig,
): Promise<string | undefined> {
  const root = await findRepoRoot(process.cwd())
  const {actor} = await pendingActor(root, {env, actors})
  const trailer = agentTrailer(actor)
  if (trailer !== undefined) await addTrailer(root, messageFile, trailer)
  return trailer
}
