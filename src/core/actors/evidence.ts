// What the actor classifier reads about one commit. Every field can be forged by whoever
// makes the commit, so what is read here is evidence, never proof.

export interface CommitEvidence {
  authorName: string
  authorEmail: string
  committerName: string
  committerEmail: string
  /**
   * The full message, subject and body. Markers are searched in all of it: a GitHub squash
   * merge puts co-authors after a `---------` separator, outside git's trailer block.
   */
  message: string
  /** Text of the git notes attached to the commit (e.g. `refs/notes/ai`), when fetched. */
  notes?: string
  /** The committing process's environment: evidence only for the pending commit. */
  env?: Record<string, string | undefined>
}
