// Who made each change to acldrift's own files, and who added each approval: semantic blame
// over the files' history, as for access findings (the first commit after which the change is
// there and stays); for what the working tree or the index holds uncommitted, the pending commit.

import {blobIdsAt, type History, shallowBoundaries} from '../../git/index.js'
import {blobsOfAll, blobsToRead, semanticBlame, walkOf, walkOfAll} from '../attribute/blame.js'
import {blamedCommit, blamedShas, lookUpCommits, pendingCommit} from '../commits.js'
import type {CommitInfo} from '../../kernel/types.js'
import type {GateInput} from './input.js'
import type {BlameRequest} from './protected.js'
import type {VersionCache} from './versions.js'

/** The commit each request was blamed on, or null and why not. */
export type Blame = (requests: BlameRequest[]) => Promise<Array<{commit: CommitInfo | null; why?: string}>>

/**
 * Semantic blame over the history of the protected files that ends at `head` (read once, when
 * first needed), each version read and parsed once through `versions`.
 */
export function protectedBlame(
  input: Pick<GateInput, 'root' | 'config'>,
  head: string | null,
  readHistory: () => Promise<History>,
  versions: VersionCache,
): Blame {
  const {root} = input
  return async (requests) => {
    if (requests.length === 0) return []
    if (head === null) return requests.map(() => ({commit: null, why: 'the repository has no commit'}))
    const history = await readHistory()
    // The history holds only commits that touch the files: blame starts at the newest of them.
    const tip = history.order[0]
    if (tip === undefined) return requests.map(() => ({commit: null, why: 'no commit ever added it'}))
    // Files asked about together are walked in step, a state naming a blob of each.
    const together = requests.map((r) => r.together?.files(history))
    const all = [...new Set(together.flatMap((files) => files ?? []))]
    const atTip = all.length === 0 ? new Map<string, string>() : await blobIdsAt(root, head, all)
    const walks = together.map((files) => (files === undefined ? walkOf : walkOfAll(files, atTip)))
    const blobs = requests.map((r, i) => blobsToRead(history, tip, together[i]?.[0] ?? r.path, walks[i]))
    await versions.load(
      blobs.flatMap((set, i) => {
        const files = together[i]
        return files === undefined
          ? [...set]
          : [...set].flatMap((state) => [...blobsOfAll(files, state).values()].filter((b) => b !== null))
      }),
    )
    const boundaries = await shallowBoundaries(root)
    const results: Array<{sha: string | null; mergedBy?: string; why?: string}> = []
    for (const [i, request] of requests.entries()) {
      const files = together[i]
      const holds = (state: string | null) =>
        files === undefined || state === null
          ? request.holds(state)
          : request.together!.holds(blobsOfAll(files, state))
      const answers = new Map<string | null, boolean>()
      for (const blob of [null, ...blobs[i]!]) answers.set(blob, await holds(blob))
      const result = semanticBlame(
        history,
        tip,
        files?.[0] ?? request.path,
        (blob) => answers.get(blob) ?? false,
        walks[i],
      )
      if (result.sha !== null && boundaries.has(result.sha))
        results.push({
          sha: null,
          why: `the history is shallow: ${result.sha.slice(0, 7)} is where it was cut`,
        })
      else results.push(result)
    }
    const blamed = results.map((r) => (r.sha === null ? null : {sha: r.sha, mergedBy: r.mergedBy}))
    const commits = await lookUpCommits({root, actors: input.config.actors}, blamedShas(blamed))
    return results.map((r, i) => {
      const commit = blamed[i] ? blamedCommit(commits, blamed[i]) : undefined
      return commit === undefined ? {commit: null, why: r.why ?? 'the commit could not be read'} : {commit}
    })
  }
}

/** The commit being made (the index), or the working tree's uncommitted changes. */
export function pendingOf(
  input: Pick<GateInput, 'root' | 'config' | 'target' | 'env' | 'message'>,
): Promise<CommitInfo> {
  const subject =
    input.target.spec.type === 'staged' ? 'the commit being made' : 'uncommitted changes in the working tree'
  return pendingCommit(
    {root: input.root, actors: input.config.actors, env: input.env, message: input.message},
    subject,
  )
}
