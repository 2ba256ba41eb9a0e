// Semantic blame: the first commit after which a witness is allowed and stays allowed.
//
// Line blame names whoever touched a line last, so a reformat, a move or an unrelated edit
// steals the blame. Here the question is asked of the access itself: walking the first-parent
// chain from the target back, each version of the file is asked whether it allows the
// witness; the oldest commit of the final run of "allowed" versions is the one that
// widened. A merge that brought the access from a branch is followed into that branch.
//
// A walk goes from one commit that changed the file to the next one below (chains.ts): each
// state is one version, made by its commit and kept by the commits above it up to the next
// change, so that a walk costs the commits that touch the file, not the length of the chain.

import {type History, isAbsent} from '../../git/history.js'
import {belowOf, chainsOf, nearestTouch, oldestOf} from './chains.js'

/**
 * One version of a file along a first-parent chain: the commit `sha` left it (its blob, or null
 * where the file does not exist), and so did the `span - 1` commits above it that did not change it.
 */
interface ChainState {
  /** the oldest commit of the version: the one that made it, else the oldest commit of the chain */
  sha: string
  path: string
  blob: string | null
  /** whether `sha` changed the file (against its first parent) */
  touched: boolean
  /** how many commits of the chain the version stands for: `sha` and those above it up to the next state */
  span: number
  /** how many first parents below `sha` are in the history (states of one chain are put in step by it) */
  depth: number
}

export interface Chain {
  /** newest first */
  states: ChainState[]
  /** the file before the oldest commit of the chain; undefined when the range never changes it */
  before: {path: string; blob: string | null} | undefined
}

/**
 * The versions of a file along a first-parent chain, walked lazily (newest first): blame stops
 * where the access stops holding, and a walk that reaches a version another walk has already
 * been through stops there too.
 */
export interface Walk {
  /** the file before the oldest commit of the chain; undefined when the range never changes it */
  before: {path: string; blob: string | null} | undefined
  states(): Iterable<ChainState>
}

/** How the versions of what a finding is about are walked: one file's, or several files' together. */
export type WalkOf = (history: History, start: string, path: string) => Walk

const NO_WALK: Walk = {before: undefined, states: () => []}

/**
 * The versions of `path` along the first-parent chain from `start`, inside the range that
 * `history` covers, walked lazily from one commit that changed it to the next; renames are
 * followed backwards.
 */
export function walkOf(history: History, start: string, path: string): Walk {
  const chains = chainsOf(history)
  const id = chains.ids.get(start)
  if (id === undefined) return NO_WALK
  const first = nearestTouch(chains, history, id, path)
  const oldest = first && oldestOf(chains, history, first)
  const before = oldest && {path: oldest.oldPath, blob: isAbsent(oldest.oldBlob) ? null : oldest.oldBlob}
  return {
    before,
    *states() {
      // `top`: the depth of the newest commit the next state stands for.
      let top = chains.depth[id]!
      let name = path
      for (let touch = first; touch !== undefined; touch = belowOf(chains, history, touch)) {
        const depth = chains.depth[touch.id]!
        const {newBlob} = touch.change
        const blob = isAbsent(newBlob) ? null : newBlob
        yield {sha: touch.sha, path: touch.path, blob, touched: true, span: top - depth + 1, depth}
        top = depth - 1
        name = touch.change.oldPath
      }
      // Below the oldest change, the file is as it was before it, down to the chain's oldest commit.
      if (top >= 0) {
        const root = chains.shas[chains.root[id]!]!
        yield {sha: root, path: name, blob: before?.blob ?? null, touched: false, span: top + 1, depth: 0}
      }
    },
  }
}

/**
 * The states of several walks of one chain (from the same start) in step: a state wherever any of
 * them has one, each walk's version there, `sha`, `span` and `depth` those of the common state.
 */
function* inStep(
  walks: readonly Walk[],
): Generator<{sha: string; span: number; depth: number; each: ChainState[]}> {
  const iterators = walks.map((walk) => walk.states()[Symbol.iterator]())
  let current = iterators.map((iterator) => iterator.next())
  let top: number | undefined
  // The walks of one chain end together, at its oldest commit.
  while (current.every((next) => !next.done)) {
    const each = current.map((next) => next.value as ChainState)
    top ??= each[0]!.depth + each[0]!.span - 1
    const depth = Math.max(...each.map((state) => state.depth))
    const at = each.find((state) => state.depth === depth)!
    yield {sha: at.sha, span: top - depth + 1, depth, each}
    top = depth - 1
    current = current.map((next, i) => (each[i]!.depth === depth ? iterators[i]!.next() : next))
  }
}

/** Which versions of a file the check read: by the baseline's config, and by the config as each commit left it. */
export interface Reading {
  /** whether the baseline read a path (for a revision, as its approved config reads; for a snapshot, the files it holds documents of) */
  baseline: (path: string) => boolean
  /** whether the config as commit `sha` left it reads a path */
  at: (sha: string) => (path: string) => boolean
  /** the config file in the repository: `at` changes only at the commits that change it (undefined: `at` never changes) */
  config: string | undefined
  /** the blob of each file blame asks about, as the target has it */
  atTarget: ReadonlyMap<string, string>
}

/**
 * A walk in which a version nobody read holds nothing. The version before the range holds what
 * it holds only under a name the baseline read; a later version, also where the config as its
 * commit left it reads its name. So a file renamed out of an excluded folder brings its access
 * in with that rename, and a file an `exclude` hid (or no glob read) brings it in with the commit
 * that made the config read it, even when no commit of the range changed the file itself:
 * neither predates the range, the baseline never checked them. `single`: the walk is of one
 * file (not of several files together, whose versions are theirs to give).
 */
export const onlyRead =
  (walks: WalkOf, reading: Reading | undefined, single = true): WalkOf =>
  (history, start, path) => {
    const walk = walks(history, start, path)
    if (reading === undefined) return walk
    const same =
      single && walk.before === undefined && !reading.baseline(path) ? reading.atTarget.get(path) : undefined
    const versions: Walk = same === undefined ? walk : unchanged(walk, path, same)
    const read = (state: ChainState) => reading.baseline(state.path) || reading.at(state.sha)(state.path)
    const {config} = reading
    return {
      before:
        versions.before &&
        (reading.baseline(versions.before.path) ? versions.before : {...versions.before, blob: null}),
      *states() {
        if (config === undefined) {
          for (const state of versions.states()) yield read(state) ? state : {...state, blob: null}
          return
        }
        // A state ends where the config changes too: what the config reads is the same all along one.
        for (const {sha, span, depth, each} of inStep([versions, walkOf(history, start, config)])) {
          const [state] = each as [ChainState]
          const split = {...state, sha, span, depth, touched: state.touched && state.depth === depth}
          yield read(split) ? split : {...split, blob: null}
        }
      },
    }
  }

/** The walk of a file no commit of the range changed: the one version `blob`, all the way down. */
const unchanged = (walk: Walk, path: string, blob: string): Walk => ({
  before: {path, blob},
  *states() {
    for (const state of walk.states()) yield {...state, blob}
  },
})

/**
 * The version of a file (`path`, the config) each commit of the history left, by its blob id
 * (null: none): `unchanged`, the version where the range starts, where no commit of the range
 * changed it on the commit's first-parent chain.
 */
export function versionAt(
  history: History,
  path: string,
  unchanged: string | null,
): (sha: string) => string | null {
  return (sha) => {
    const walk = walkOf(history, sha, path)
    const [state] = walk.states()
    return walk.before === undefined || state === undefined ? unchanged : state.blob
  }
}

/** Every version of a file (`path`) that the history's changes name, by blob id (null: none). */
export function versionsIn(history: History, path: string): Set<string | null> {
  const blobs = new Set<string | null>()
  for (const commit of history.commits.values())
    for (const change of commit.changes) {
      // A rename into `path`: the walk follows it back to the version under the earlier name.
      if (change.path !== path && change.oldPath !== path) continue
      if (change.path === path) blobs.add(isAbsent(change.newBlob) ? null : change.newBlob)
      blobs.add(isAbsent(change.oldBlob) ? null : change.oldBlob)
    }
  return blobs
}

/** The whole chain of `path` from `start` (see walkOf). */
export function chainOf(history: History, start: string, path: string): Chain {
  const walk = walkOf(history, start, path)
  return {states: [...walk.states()], before: walk.before}
}

/**
 * The versions of several files taken as one (a Terraform document written across the files of its
 * module): a state's "blob" names the blob of each file, `paths[0]` first, so that a change to any
 * of them is a new version. `atTarget`: the blob of each file the range does not change.
 */
export function walkOfAll(paths: readonly string[], atTarget: ReadonlyMap<string, string>): WalkOf {
  return (history, start) => {
    const walks = paths.map((path) => walkOf(history, start, path))
    const blobOf = (j: number, blob: string | null) =>
      walks[j]!.before === undefined ? (atTarget.get(paths[j]!) ?? null) : blob
    const before = walks.some((walk) => walk.before !== undefined)
      ? {
          path: paths[0]!,
          blob: JSON.stringify(walks.map((walk, j) => blobOf(j, walk.before?.blob ?? null))),
        }
      : undefined
    return {
      before,
      *states() {
        // The same first-parent chain for every file: a state wherever any of them changed.
        for (const {sha, span, depth, each} of inStep(walks))
          yield {
            sha,
            span,
            depth,
            path: each[0]!.path,
            blob: JSON.stringify(each.map((state, j) => blobOf(j, state.blob))),
            touched: each.some((state) => state.touched && state.depth === depth),
          }
      },
    }
  }
}

/** The blobs a state of walkOfAll names, by path. */
export function blobsOfAll(paths: readonly string[], state: string): Map<string, string | null> {
  const blobs = JSON.parse(state) as Array<string | null>
  return new Map(paths.map((path, i) => [path, blobs[i] ?? null]))
}

export interface BlameResult {
  /** the commit that introduced the access; null when it predates the range or is not committed */
  sha: string | null
  /** the merge that brought it in, when it came from a merged branch */
  mergedBy?: string
  why?: string
  /** null because a shallow clone cut the history where the access already held */
  shallow?: boolean
  /** null because the version before the range already allowed it */
  predates?: boolean
}

/**
 * Every blob semantic blame may ask about for `path` at `target` (to read them in one batch):
 * the versions along the chain and along every merged branch (an octopus merge has several),
 * each version walked once, whatever the merge topology.
 */
export function blobsToRead(
  history: History,
  target: string,
  path: string,
  walks: WalkOf = walkOf,
  onVisit?: (sha: string) => void,
): Set<string> {
  const blobs = new Set<string>()
  const visited = new Set<string>()
  const starts = [{sha: target, path}]
  for (let start = starts.pop(); start !== undefined; start = starts.pop()) {
    const walk = walks(history, start.sha, start.path)
    if (walk.before?.blob) blobs.add(walk.before.blob)
    for (const s of walk.states()) {
      // Below a version already walked (for this name of the file), the chain is the one walked.
      const key = `${s.sha}\u0000${s.path}`
      if (visited.has(key)) break
      visited.add(key)
      onVisit?.(s.sha)
      if (s.blob) blobs.add(s.blob)
      if (s.touched)
        for (const parent of history.commits.get(s.sha)!.parents.slice(1))
          if (history.commits.has(parent)) starts.push({sha: parent, path: s.path})
    }
  }
  return blobs
}

/** Merges nested deeper than this are not followed: the merge itself is named (a bound on recursion). */
const MAX_MERGE_DEPTH = 1000

/**
 * The commit that made `allowed` hold at `target` and kept it. Each commit is walked at most
 * once (`onVisit` is told of each): the walks stop where the access stops holding, and a
 * merged branch is followed only from the merge blamed.
 */
export function semanticBlame(
  history: History,
  target: string,
  path: string,
  allowed: (blob: string | null) => boolean,
  walks: WalkOf = walkOf,
  onVisit?: (sha: string) => void,
): BlameResult {
  return blameFrom(history, target, path, allowed, walks, onVisit, new Set(), 0)
}

function blameFrom(
  history: History,
  target: string,
  path: string,
  allowed: (blob: string | null) => boolean,
  walks: WalkOf,
  onVisit: ((sha: string) => void) | undefined,
  visited: Set<string>,
  depth: number,
): BlameResult {
  const walk = walks(history, target, path)
  let blamed: ChainState | undefined
  let seen = 0
  let exhausted = true
  for (const state of walk.states()) {
    // A version is known by the commit that made it: a branch that forked from the chain between
    // that commit and the next change reaches the same version.
    const key = `${state.sha}\u0000${state.path}`
    // Reached again through another merged branch (an octopus): what lies below was walked, and
    // held all the way down if it holds here (else that branch would have been blamed).
    if (visited.has(key)) {
      exhausted = allowed(state.blob)
      break
    }
    visited.add(key)
    onVisit?.(state.sha)
    seen += state.span
    if (!allowed(state.blob)) {
      exhausted = false
      break
    }
    blamed = state
  }
  if (seen === 0) return {sha: null, why: 'the target commit is outside the history read'}
  if (blamed === undefined)
    return {sha: null, why: 'the access is not in the committed target: it comes from uncommitted changes'}
  if (exhausted && walk.before !== undefined && allowed(walk.before.blob)) {
    return {sha: null, predates: true, why: 'the access predates the range of history read'}
  }
  if (walk.before === undefined)
    return {sha: null, why: 'the file did not change in the range of history read'}
  if (history.shallow?.has(blamed.sha)) {
    // Its parents were not fetched: the access may be older than the oldest commit seen. Never guess.
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
    const branch = blameFrom(history, parent, blamed.path, allowed, walks, onVisit, visited, depth + 1)
    if (branch.sha !== null) return {sha: branch.sha, mergedBy: branch.mergedBy ?? blamed.sha}
    if (branch.shallow) return branch
  }
  return {sha: blamed.sha}
}

/**
 * Blame by change, for a finding whose witness cannot be asked of the versions (an undecidable
 * comparison names no request): the commits of the first-parent chain from `target` that changed
 * the document since it last was as before the range. Before them it was the baseline's, which
 * allowed nothing the finding is about; so the access came in through one of them. Undefined
 * when the range never changes the file, or a shallow clone cut the chain first.
 */
export function changedSince(
  history: History,
  target: string,
  path: string,
  same: (a: string | null, b: string | null) => boolean,
  walks: WalkOf = walkOf,
): string[] | undefined {
  const walk = walks(history, target, path)
  if (walk.before === undefined) return undefined
  const baseline = walk.before.blob
  const run: ChainState[] = []
  let reached = false
  for (const state of walk.states()) {
    if (same(state.blob, baseline)) {
      reached = true
      break
    }
    run.push(state)
  }
  const oldest = run.at(-1)
  if (oldest === undefined) return []
  if (!reached && history.shallow?.has(oldest.sha)) return undefined
  // Each commit of the run whose version differs from the one below it (its first parent's).
  return run
    .filter((state, i) => !same(state.blob, i + 1 < run.length ? run[i + 1]!.blob : baseline))
    .map((state) => state.sha)
}
