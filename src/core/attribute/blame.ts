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
 * The versions of a file along a first-parent chain, walked lazily (newest first): blame stops
 * where the access stops holding, and a walk that reaches a commit another walk has already
 * been through stops there too.
 */
export interface Walk {
  /** the file before the oldest commit of the chain; undefined when the range never changes it */
  before: {path: string; blob: string | null} | undefined
  states(): Iterable<ChainState>
}

/** How the versions of what a finding is about are walked: one file's, or several files' together. */
export type WalkOf = (history: History, start: string, path: string) => Walk

/**
 * One commit of a first-parent chain, as seen by the file known as `path` there: the change
 * it made to it, and the same for its first parent (under the file's earlier name, across a
 * rename). Built once per commit and name, whichever walk reaches it first: walks from many
 * starts (every merged branch) share the commits below where they meet.
 */
interface Link {
  sha: string
  path: string
  change: RawChange | undefined
  next: Link | undefined
  /** the nearest change at or below this commit on the chain: the one that made its version */
  latest: RawChange | undefined
  /** the oldest change at or below this commit on the chain */
  oldest: RawChange | undefined
}

/** The history indexed for blame: each commit's changes by path, and the links built so far. */
interface Index {
  changes: Map<string, {byPath: Map<string, RawChange>; renamedFrom: Map<string, RawChange>}>
  links: Map<string, Link>
}

const indexes = new WeakMap<History, Index>()

function indexOf(history: History): Index {
  let index = indexes.get(history)
  if (index === undefined) {
    index = {changes: new Map(), links: new Map()}
    indexes.set(history, index)
  }
  return index
}

/** The change `commit` made to `path`; a rename away from it is, for `path`, a deletion. */
function changeTo(index: Index, commit: HistoryCommit, path: string): RawChange | undefined {
  let byCommit = index.changes.get(commit.sha)
  if (byCommit === undefined) {
    byCommit = {byPath: new Map(), renamedFrom: new Map()}
    for (const change of commit.changes) {
      if (!byCommit.byPath.has(change.path)) byCommit.byPath.set(change.path, change)
      if (change.status.startsWith('R') && !byCommit.renamedFrom.has(change.oldPath))
        byCommit.renamedFrom.set(change.oldPath, change)
    }
    index.changes.set(commit.sha, byCommit)
  }
  const change = byCommit.byPath.get(path)
  if (change !== undefined) return change
  const rename = byCommit.renamedFrom.get(path)
  return rename && {...rename, path, newBlob: '0'.repeat(rename.newBlob.length), newMode: '000000'}
}

/** The link of `sha` for `path`, building (iteratively) those below it not built yet. */
function linkOf(history: History, sha: string, path: string): Link | undefined {
  const index = indexOf(history)
  const pending: Array<{sha: string; path: string; change: RawChange | undefined}> = []
  let below: Link | undefined
  for (let at: string | undefined = sha, name = path; at !== undefined;) {
    const known = index.links.get(`${at}\u0000${name}`)
    if (known !== undefined) {
      below = known
      break
    }
    const commit = history.commits.get(at)
    if (commit === undefined) break
    const change = changeTo(index, commit, name)
    pending.push({sha: at, path: name, change})
    if (change) name = change.oldPath
    at = commit.parents[0]
  }
  for (const step of pending.reverse()) {
    below = {...step, next: below, latest: step.change ?? below?.latest, oldest: below?.oldest ?? step.change}
    index.links.set(`${step.sha}\u0000${step.path}`, below)
  }
  return below
}

/**
 * The versions of `path` along the first-parent chain from `start`, inside the range that
 * `history` covers, walked lazily; renames are followed backwards. `onVisit` is told of each
 * commit the walk goes through.
 */
export function walkOf(history: History, start: string, path: string, onVisit?: (sha: string) => void): Walk {
  const first = linkOf(history, start, path)
  const oldest = first?.oldest
  const before = oldest && {path: oldest.oldPath, blob: isAbsent(oldest.oldBlob) ? null : oldest.oldBlob}
  return {
    before,
    *states() {
      for (let link = first; link !== undefined; link = link.next) {
        onVisit?.(link.sha)
        // Below the oldest change, the file is as it was before it.
        const made = link.latest
        const blob =
          made === undefined ? (before?.blob ?? null) : isAbsent(made.newBlob) ? null : made.newBlob
        yield {sha: link.sha, path: link.path, blob, touched: link.change !== undefined}
      }
    },
  }
}

/** Which versions of a file the check read: by the baseline's config, and by the config as each commit left it. */
export interface Reading {
  /** whether the baseline read a path (for a revision, as its approved config reads; for a snapshot, the files it holds documents of) */
  baseline: (path: string) => boolean
  /** whether the config as commit `sha` left it reads a path */
  at: (sha: string) => (path: string) => boolean
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
    return {
      before:
        versions.before &&
        (reading.baseline(versions.before.path) ? versions.before : {...versions.before, blob: null}),
      *states() {
        for (const state of versions.states()) yield read(state) ? state : {...state, blob: null}
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
        // The same first-parent chain for every file: their states go in step.
        const iterators = walks.map((walk) => walk.states()[Symbol.iterator]())
        for (;;) {
          const states = iterators.map((iterator) => iterator.next())
          const first = states[0]!
          if (first.done) return
          const each = states.map((state) => state.value as ChainState)
          yield {
            ...first.value,
            blob: JSON.stringify(each.map((state, j) => blobOf(j, state.blob))),
            touched: each.some((state) => state.touched),
          }
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
 * each commit walked once, whatever the merge topology.
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
      // Below a commit already walked (for this name of the file), the chain is the one walked.
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
    const key = `${state.sha}\u0000${state.path}`
    // Reached again through another merged branch (an octopus): what lies below was walked, and
    // held all the way down if it holds here (else that branch would have been blamed).
    if (visited.has(key)) {
      exhausted = allowed(state.blob)
      break
    }
    visited.add(key)
    onVisit?.(state.sha)
    seen++
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
