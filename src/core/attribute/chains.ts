// The first-parent chains of a history, indexed once for blame: each commit's depth along first
// parents, and its place in a depth-first walk of the first-parent forest (so "is A on B's chain"
// is two comparisons); and, per file name, the commits that change it. A file's walk then jumps
// from one commit that changed it to the next one below, whatever lies between: its cost is the
// number of commits that touch the file, not the length of the chain.

import type {History, HistoryCommit, RawChange} from '../../git/history.js'

/** A commit that changed the file known there as `path`, linked to the next such commit below it. */
export interface Touch {
  sha: string
  /** the commit's position in the index */
  id: number
  path: string
  /** what the commit did to the file (against its first parent); a rename away from `path` is its deletion */
  change: RawChange
  /** the nearest commit below on the chain that changed `path` itself (not following a rename) */
  up: Touch | undefined
}

export interface Chains {
  shas: string[]
  /** first parent's position, or -1 where the chain leaves the history (a root, the range's edge) */
  parent: Int32Array
  /** how many first parents below a commit are in the history */
  depth: Int32Array
  /** the oldest commit of each commit's chain in the history */
  root: Int32Array
  ids: Map<string, number>
  /** order of entry in a depth-first walk of the first-parent forest, and the last entry below each commit */
  enter: Int32Array
  exit: Int32Array
  /** by name: the positions of the commits that change it (as itself or by renaming it away) */
  touching: Map<string, number[]>
  /** by name: its touches, in order of entry (built when first asked) */
  touches: Map<string, Touch[]>
  /** by commit: its changes by path, and its renames by their old path (built when first asked) */
  changes: Map<number, {byPath: Map<string, RawChange>; renamedFrom: Map<string, RawChange>}>
  /** memo: each touch's next one below on the file's chain (across renames), and the oldest change at or below it */
  below: Map<Touch, Touch | undefined>
  oldest: Map<Touch, RawChange>
}

const built = new WeakMap<History, Chains>()

/** The chains of `history`, indexed when first asked (once per history). */
export function chainsOf(history: History): Chains {
  let chains = built.get(history)
  if (chains === undefined) {
    chains = index(history)
    built.set(history, chains)
  }
  return chains
}

function index(history: History): Chains {
  const shas = [...history.commits.keys()]
  const n = shas.length
  const ids = new Map(shas.map((sha, i) => [sha, i]))
  const parent = new Int32Array(n).fill(-1)
  const [firstChild, nextSibling] = [new Int32Array(n).fill(-1), new Int32Array(n).fill(-1)]
  const touching = new Map<string, number[]>()
  const touch = (path: string, id: number) => {
    const list = touching.get(path)
    if (list === undefined) touching.set(path, [id])
    else if (list.at(-1) !== id) list.push(id)
  }
  for (const [id, sha] of shas.entries()) {
    const commit = history.commits.get(sha)!
    const first = commit.parents[0] === undefined ? undefined : ids.get(commit.parents[0])
    if (first !== undefined) {
      parent[id] = first
      nextSibling[id] = firstChild[first]!
      firstChild[first] = id
    }
    for (const change of commit.changes) {
      touch(change.path, id)
      if (change.status.startsWith('R')) touch(change.oldPath, id)
    }
  }
  const [depth, root, enter, exit] = [
    new Int32Array(n),
    new Int32Array(n),
    new Int32Array(n),
    new Int32Array(n),
  ]
  let clock = 0
  // Iterative: a chain may be far longer than the call stack is deep.
  for (let start = 0; start < n; start++) {
    if (parent[start] !== -1) continue
    const stack = [start]
    while (stack.length > 0) {
      const id = stack.at(-1)!
      if (id < 0) {
        stack.pop()
        exit[-id - 1] = clock - 1
        continue
      }
      stack[stack.length - 1] = -id - 1
      const up = parent[id]!
      depth[id] = up === -1 ? 0 : depth[up]! + 1
      root[id] = up === -1 ? id : root[up]!
      enter[id] = clock++
      for (let child = firstChild[id]!; child !== -1; child = nextSibling[child]!) stack.push(child)
    }
  }
  return {
    shas,
    parent,
    depth,
    root,
    ids,
    enter,
    exit,
    touching,
    touches: new Map(),
    changes: new Map(),
    below: new Map(),
    oldest: new Map(),
  }
}

/** Whether commit `a` is `b` or on `b`'s first-parent chain. */
const holds = (chains: Chains, a: number, b: number) =>
  chains.enter[a]! <= chains.enter[b]! && chains.enter[b]! <= chains.exit[a]!

/** The change `commit` made to `path`; a rename away from it is, for `path`, a deletion. */
function changeTo(chains: Chains, id: number, commit: HistoryCommit, path: string): RawChange | undefined {
  let byCommit = chains.changes.get(id)
  if (byCommit === undefined) {
    byCommit = {byPath: new Map(), renamedFrom: new Map()}
    for (const change of commit.changes) {
      if (!byCommit.byPath.has(change.path)) byCommit.byPath.set(change.path, change)
      if (change.status.startsWith('R') && !byCommit.renamedFrom.has(change.oldPath))
        byCommit.renamedFrom.set(change.oldPath, change)
    }
    chains.changes.set(id, byCommit)
  }
  const change = byCommit.byPath.get(path)
  if (change !== undefined) return change
  const rename = byCommit.renamedFrom.get(path)
  return rename && {...rename, path, newBlob: '0'.repeat(rename.newBlob.length), newMode: '000000'}
}

/** The commits that change `path`, in order of entry, each linked to the nearest one below it. */
function touchesOf(chains: Chains, history: History, path: string): Touch[] {
  let touches = chains.touches.get(path)
  if (touches !== undefined) return touches
  const ids = [...(chains.touching.get(path) ?? [])].sort((a, b) => chains.enter[a]! - chains.enter[b]!)
  touches = []
  // The touches whose chains the next one (in order of entry) may be on: each is on the one before's.
  const open: Touch[] = []
  for (const id of ids) {
    while (open.length > 0 && chains.exit[open.at(-1)!.id]! < chains.enter[id]!) open.pop()
    const sha = chains.shas[id]!
    const change = changeTo(chains, id, history.commits.get(sha)!, path)!
    const touch: Touch = {sha, id, path, change, up: open.at(-1)}
    open.push(touch)
    touches.push(touch)
  }
  chains.touches.set(path, touches)
  return touches
}

/** The nearest commit at or below `id` on its first-parent chain that changes `path`. */
export function nearestTouch(chains: Chains, history: History, id: number, path: string): Touch | undefined {
  const touches = touchesOf(chains, history, path)
  // The last touch entered no later than `id`: if it is not on `id`'s chain, the nearest one on
  // it is below that touch (on both chains), so it is reached through `up`.
  let [low, high] = [0, touches.length]
  while (low < high) {
    const middle = (low + high) >>> 1
    if (chains.enter[touches[middle]!.id]! <= chains.enter[id]!) low = middle + 1
    else high = middle
  }
  let touch: Touch | undefined = touches[low - 1]
  while (touch !== undefined && !holds(chains, touch.id, id)) touch = touch.up
  return touch
}

/** The next commit below `touch` that changes the file, under the name it had before `touch`. */
export function belowOf(chains: Chains, history: History, touch: Touch): Touch | undefined {
  if (chains.below.has(touch)) return chains.below.get(touch)
  const name = touch.change.oldPath
  const parent = chains.parent[touch.id]!
  const below =
    name === touch.path ? touch.up : parent === -1 ? undefined : nearestTouch(chains, history, parent, name)
  chains.below.set(touch, below)
  return below
}

/** The oldest change to the file at or below `touch` on its chain (following renames back). */
export function oldestOf(chains: Chains, history: History, touch: Touch): RawChange {
  const known = chains.oldest.get(touch)
  if (known !== undefined) return known
  // Iterative: down to the oldest touch or one already known, then each remembered on the way.
  const path: Touch[] = []
  let oldest: RawChange | undefined
  for (let at: Touch | undefined = touch; at !== undefined; at = belowOf(chains, history, at)) {
    oldest = chains.oldest.get(at)
    if (oldest !== undefined) break
    path.push(at)
    oldest = at.change
  }
  for (const at of path) chains.oldest.set(at, oldest!)
  return oldest!
}
