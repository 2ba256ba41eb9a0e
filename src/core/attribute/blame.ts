// Semantic blame: the first commit after which a witness is allowed and stays allowed.
//
// Line blame names whoever touched a line last, so a reformat, a move or an unrelated edit
// steals the blame. Here the question is asked of the access itself: walking the first-parent
// chain from the target back, each version of the file is asked whether it allows the
// witness; the oldest commit of the final run of "allowed" versions is the one that
// widened. A merge that brought the access from a branch is followed into that branch.

import {type History, type HistoryCommit, isAbsent, type RawChange} from '../../git/history.js'

/** The file's blob after a commit, or null where the file does not exist. */
interface ChainState {
  sha: string
  path: string
  blob: string | null
  /** whether this commit changed the file (against its first parent) */
  touched: boolean
}

export interface Chain {
  /** newest first */
  states: ChainState[]
  /** the file before the oldest commit of the chain; undefined when the range never changes it */
  before: {path: string; blob: string | null} | undefined
}

/**
 * The versions of `path` along the first-parent chain from `start`, inside the range that
 * `history` covers. Renames are followed backwards.
 */
export function chainOf(history: History, start: string, path: string): Chain {
  const walked: Array<{sha: string; path: string; change: RawChange | undefined}> = []
  let sha: string | undefined = start
  let current = path
  while (sha !== undefined && history.commits.has(sha)) {
    const commit: HistoryCommit = history.commits.get(sha)!
    const change = commit.changes.find((c) => c.path === current) ?? movedAway(commit.changes, current)
    walked.push({sha, path: current, change})
    if (change) current = change.oldPath
    sha = commit.parents[0]
  }
  const oldestChange = [...walked].reverse().find((w) => w.change !== undefined)?.change
  const before = oldestChange && {
    path: oldestChange.oldPath,
    blob: isAbsent(oldestChange.oldBlob) ? null : oldestChange.oldBlob,
  }
  // Forward from the oldest commit: a commit that does not touch the file keeps its state.
  let state: string | null | undefined = before?.blob
  const states: ChainState[] = []
  for (const w of [...walked].reverse()) {
    if (w.change) state = isAbsent(w.change.newBlob) ? null : w.change.newBlob
    states.push({sha: w.sha, path: w.path, blob: state ?? null, touched: w.change !== undefined})
  }
  return {states: states.reverse(), before}
}

/** How the versions of what a finding is about are walked: one file's, or several files' together. */
export type ChainOf = (history: History, start: string, path: string) => Chain

/**
 * The versions of several files taken as one (a Terraform document written across the files of its
 * module): a state's "blob" names the blob of each file, `paths[0]` first, so that a change to any
 * of them is a new version. `atTarget`: the blob of each file the range does not change.
 */
export function chainOfAll(paths: readonly string[], atTarget: ReadonlyMap<string, string>): ChainOf {
  return (history, start) => {
    const chains = paths.map((path) => chainOf(history, start, path))
    const blobOf = (j: number, blob: string | null) =>
      chains[j]!.before === undefined ? (atTarget.get(paths[j]!) ?? null) : blob
    const states = chains[0]!.states.map((state, i) => ({
      ...state,
      blob: JSON.stringify(chains.map((chain, j) => blobOf(j, chain.states[i]!.blob))),
      touched: chains.some((chain) => chain.states[i]!.touched),
    }))
    const before = chains.some((chain) => chain.before !== undefined)
      ? {
          path: paths[0]!,
          blob: JSON.stringify(chains.map((chain, j) => blobOf(j, chain.before?.blob ?? null))),
        }
      : undefined
    return {states, before}
  }
}

/** The blobs a state of chainOfAll names, by path. */
export function blobsOfAll(paths: readonly string[], state: string): Map<string, string | null> {
  const blobs = JSON.parse(state) as Array<string | null>
  return new Map(paths.map((path, i) => [path, blobs[i] ?? null]))
}

/** A rename away from `path` is, for `path`, a deletion: the file no longer exists there. */
function movedAway(changes: RawChange[], path: string): RawChange | undefined {
  const rename = changes.find((c) => c.status.startsWith('R') && c.oldPath === path)
  return rename && {...rename, path, newBlob: '0'.repeat(rename.newBlob.length), newMode: '000000'}
}

interface BlameResult {
  /** the commit that introduced the access; null when it predates the range or is not committed */
  sha: string | null
  /** the merge that brought it in, when it came from a merged branch */
  mergedBy?: string
  why?: string
  /** null because a shallow clone cut the history where the access already held */
  shallow?: boolean
}

/** Every blob semantic blame may ask about for `path` at `target` (to read them in one batch). */
export function blobsToRead(
  history: History,
  target: string,
  path: string,
  chains: ChainOf = chainOf,
): Set<string> {
  const blobs = new Set<string>()
  const visit = (start: string, p: string, depth: number) => {
    const chain = chains(history, start, p)
    if (chain.before?.blob) blobs.add(chain.before.blob)
    for (const s of chain.states) {
      if (s.blob) blobs.add(s.blob)
      const parents = history.commits.get(s.sha)!.parents
      // Every merged branch: an octopus merge has several.
      if (s.touched && depth < MAX_MERGE_DEPTH) for (const p of parents.slice(1)) visit(p, s.path, depth + 1)
    }
  }
  visit(target, path, 0)
  return blobs
}

/** Merges nested deeper than this (a merge of a branch that merged a branch …) are not followed. */
const MAX_MERGE_DEPTH = 8

export function semanticBlame(
  history: History,
  target: string,
  path: string,
  allowed: (blob: string | null) => boolean,
  depth = 0,
  chains: ChainOf = chainOf,
): BlameResult {
  const chain = chains(history, target, path)
  if (chain.states.length === 0) return {sha: null, why: 'the target commit is outside the history read'}
  let blamed: ChainState | undefined
  for (const state of chain.states) {
    if (!allowed(state.blob)) break
    blamed = state
  }
  if (blamed === undefined)
    return {sha: null, why: 'the access is not in the committed target: it comes from uncommitted changes'}
  if (blamed === chain.states.at(-1) && chain.before !== undefined && allowed(chain.before.blob)) {
    return {sha: null, why: 'the access predates the range of history read'}
  }
  if (chain.before === undefined)
    return {sha: null, why: 'the file did not change in the range of history read'}
  if (history.shallow?.has(blamed.sha)) {
    // Its parents were not fetched: the access may be older than the oldest commit seen. Never guess.
    const seen = chain.states.length
    return {
      sha: null,
      shallow: true,
      why: `the history is shallow: attribution saw ${seen} commit${seen === 1 ? '' : 's'} back to ${blamed.sha.slice(0, 7)}, where the clone was cut, and the access already held there; it may be older (fetch the full history: git fetch --unshallow)`,
    }
  }
  const merged = history.commits.get(blamed.sha)!.parents.slice(1)
  // The merge changed the file: if a merged parent (the second, or any of an octopus's) already
  // allowed the access, that branch introduced it; otherwise the merge itself (its conflict
  // resolution) did.
  for (const parent of depth < MAX_MERGE_DEPTH ? merged.filter((p) => history.commits.has(p)) : []) {
    const branch = semanticBlame(history, parent, blamed.path, allowed, depth + 1, chains)
    if (branch.sha !== null) return {sha: branch.sha, mergedBy: branch.mergedBy ?? blamed.sha}
    if (branch.shallow) return branch
  }
  return {sha: blamed.sha}
}
