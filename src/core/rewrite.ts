// The post-rewrite hook: a rebase or an amend makes new commits out of old ones and keeps one
// message for each (a `fixup!` folded into the commit it fixes keeps that commit's message and
// author). When an agent made one of the old commits, its evidence — its trailer, its stamp —
// would be gone, and its change would become the change of whoever rebased. The hook carries it
// over as a note on the new commit under refs/notes/ai, which attribution reads (the
// `rewrite-note` signal); the note of an earlier rewrite is evidence too, so it carries on.

import {appendNote} from '../git/index.js'
import {type ActorConfig, carriedNote} from './actors/classify.js'
import {lookUpCommits} from './commits.js'

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/

export interface Carried {
  /** the new commit, and the agent's commit it was made from */
  to: string
  from: string
  agent: string
}

/**
 * For the `old new` lines git gives the post-rewrite hook on stdin: each new commit made from
 * an agent's commit, that does not show an agent itself, gets a note naming that agent.
 */
export async function carryAgentEvidence(
  root: string,
  how: string,
  rewritten: string,
  actors?: ActorConfig,
): Promise<Carried[]> {
  const madeFrom = new Map<string, string[]>()
  for (const line of rewritten.split('\n')) {
    const [from, to] = line.trim().split(/\s+/)
    if (from === undefined || to === undefined || !SHA.test(from) || !SHA.test(to)) continue
    madeFrom.set(to, [...(madeFrom.get(to) ?? []), from])
  }
  if (madeFrom.size === 0) return []
  const commits = await lookUpCommits({root, actors}, [...madeFrom.keys(), ...[...madeFrom.values()].flat()])
  const carried: Carried[] = []
  for (const [to, froms] of madeFrom) {
    const made = commits.get(to)
    if (made === undefined || made.actor.type === 'agent') continue
    for (const from of froms) {
      const actor = commits.get(from)?.actor
      if (actor?.type !== 'agent') continue
      await appendNote(root, 'ai', to, carriedNote(actor, from, how))
      carried.push({to, from, agent: actor.agent ?? 'unnamed agent'})
    }
  }
  return carried
}
