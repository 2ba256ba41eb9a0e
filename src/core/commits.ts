// The commit-lookup step that attribution, the gate and the timeline share: commits read by
// sha with their git-ai notes, each one's actor classified with the config's actors; and the
// commit being made (pre-commit), from the identity git will record and the environment. One
// place, so that a commit is classified the same way whichever step names it.

import {type CommitObject, readCommits, readNotes} from '../git/index.js'
import {type ActorConfig, classifyActor} from './actors/classify.js'
import {pendingActor} from './actors/pending.js'
import type {CommitInfo} from '../kernel/types.js'

interface CommitLookup {
  root: string
  /** the config's actors: the team's own agents, bots and humans */
  actors?: ActorConfig
}

/** Where semantic blame put a change: the commit, and the merge that brought it in from a branch. */
export interface BlamedCommit {
  sha: string
  mergedBy?: string
}

/**
 * The commits by sha, each classified; a sha that names no commit is left out. One cat-file
 * for the commit objects and one read of the `ai` notes, none when nothing is asked.
 */
export async function lookUpCommits(
  lookup: CommitLookup,
  shas: Iterable<string>,
): Promise<Map<string, CommitInfo>> {
  const wanted = [...new Set(shas)]
  const out = new Map<string, CommitInfo>()
  if (wanted.length === 0) return out
  const [commits, notes] = await Promise.all([readCommits(lookup.root, wanted), readNotes(lookup.root, 'ai')])
  for (const [sha, commit] of commits) out.set(sha, commitInfo(commit, notes.get(sha), lookup.actors))
  return out
}

/** The shas to look up for blamed changes: each commit and the merge that brought it in. */
export const blamedShas = (blamed: Iterable<BlamedCommit | null>): string[] =>
  [...blamed].flatMap((b) => (b === null ? [] : [b.sha, ...(b.mergedBy === undefined ? [] : [b.mergedBy])]))

/** A blamed change's commit, naming the merge when it came from a branch. */
export function blamedCommit(commits: Map<string, CommitInfo>, blamed: BlamedCommit): CommitInfo | undefined {
  const commit = commits.get(blamed.sha)
  if (commit === undefined) return undefined
  const merge = blamed.mergedBy === undefined ? undefined : commits.get(blamed.mergedBy)
  return merge === undefined ? commit : {...commit, merge: {sha: merge.sha, subject: merge.subject}}
}

function commitInfo(
  commit: CommitObject,
  notes: string | undefined,
  actors: ActorConfig | undefined,
): CommitInfo {
  const actor = classifyActor(
    {
      authorName: commit.author.name,
      authorEmail: commit.author.email,
      committerName: commit.committer.name,
      committerEmail: commit.committer.email,
      message: commit.message,
      notes,
    },
    actors,
  )
  return {sha: commit.sha, author: commit.author, subject: subjectOf(commit.message), actor}
}

const subjectOf = (message: string) => message.split('\n', 1)[0] ?? ''

interface PendingLookup extends CommitLookup {
  /** the environment the commit is made from (default: this process's) */
  env?: NodeJS.ProcessEnv
  /** the commit's message, when known (the commit-msg hook): its trailers are evidence */
  message?: string
}

/** The commit being made, or uncommitted changes: `subject` says which when no message is known. */
export async function pendingCommit(lookup: PendingLookup, subject: string): Promise<CommitInfo> {
  const {identity, actor} = await pendingActor(lookup.root, {
    env: lookup.env ?? process.env,
    actors: lookup.actors,
    message: lookup.message,
  })
  const told = lookup.message === undefined ? '' : subjectOf(lookup.message).trim()
  return {sha: 'pending', author: identity.author, subject: told || `(${subject})`, actor, pending: true}
}
