// A config that is new since the reference has no earlier version to be compared with, and no
// approver list to approve its changes: whoever writes the first config sets the policy. A
// human's `acldrift init` must not block itself, but an agent's first config must not set its
// own policy (`failOn: never`, itself as approver, an `exclude` over its widening). So the new
// config's settings are trusted only when the commit that wrote it, as the target has it, is a
// person's — not an agent's (any evidence: environment, trailers, notes) nor automation's — and,
// when the config itself requires signed approvals, signed with a key its own allowed-signers
// file lists for that commit's author. Otherwise the gate compares it with the default config,
// so every setting weaker than the default is a finding; none can be approved, since no
// approver list is trusted yet. A person committing the config (any change to it) resolves it.

import {blobIdsAt} from '../../git/index.js'
import type {CommitInfo} from '../../kernel/types.js'
import type {Blame} from './blame.js'
import {pendingOf} from './blame.js'
import type {GateInput} from './input.js'
import {signedCommits, unsignedWhy} from './signatures.js'

/** Whether a new config's settings apply as written, and the commit that wrote it. */
export interface NewConfigTrust {
  trusted: boolean
  commit: CommitInfo | null
  /** why, in a sentence a note can carry */
  why: string
}

/**
 * Who wrote the config as the target has it: for a revision, the commit after which its content
 * is the target's and stays (semantic blame on the blob); for the index or the working tree, the
 * pending commit.
 */
export async function newConfigTrust(
  input: GateInput,
  path: string,
  requireSigned: boolean,
  allowedSigners: Buffer | undefined,
  blame: Blame,
): Promise<NewConfigTrust> {
  const {root, target} = input
  let commit: CommitInfo | null
  let unknownWhy = ''
  if (target.spec.type === 'ref') {
    const blob = (await blobIdsAt(root, target.commit!, [path])).get(path)
    const [blamed] = await blame([{path, holds: async (state) => state !== null && state === blob}])
    commit = blamed!.commit
    unknownWhy = blamed!.why ?? ''
  } else commit = await pendingOf(input)
  if (commit === null)
    return {trusted: false, commit, why: `who wrote it cannot be established: ${unknownWhy}`}
  const where = commit.pending ? 'the pending commit' : `commit ${commit.sha.slice(0, 7)}`
  if (commit.actor.type === 'agent')
    return {trusted: false, commit, why: `it was written in ${where}, attributed to an AI agent`}
  if (commit.actor.type === 'automation')
    return {trusted: false, commit, why: `it was written in ${where}, attributed to automation`}
  if (requireSigned) {
    const signed = await signedCommits(root, allowedSigners, [commit])
    const unsigned = unsignedWhy(commit, signed, where)
    if (unsigned !== undefined)
      return {trusted: false, commit, why: `it requires signed approvals and ${unsigned}`}
  }
  return {trusted: true, commit, why: `written in ${where} by ${commit.author.email}`}
}
