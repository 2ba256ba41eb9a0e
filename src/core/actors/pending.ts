// The actor of the commit being made: the identities git will record, the environment the
// commit is made from, and (in the commit-msg hook) its message.

import {pendingIdentity, type PendingIdentity} from '../../git/index.js'
import type {Actor} from '../../kernel/types.js'
import {type ActorConfig, classifyActor} from './classify.js'

export async function pendingActor(
  root: string,
  evidence: {env: Record<string, string | undefined>; actors?: ActorConfig; message?: string},
): Promise<{identity: PendingIdentity; actor: Actor}> {
  const identity = await pendingIdentity(root)
  const actor = classifyActor(
    {
      authorName: identity.author.name,
      authorEmail: identity.author.email,
      committerName: identity.committer.name,
      committerEmail: identity.committer.email,
      message: evidence.message ?? '',
      env: evidence.env,
    },
    evidence.actors,
  )
  return {identity, actor}
}
