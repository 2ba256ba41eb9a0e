// Where a run's time goes, stage by stage, for `--debug`. A stage of the pipeline marks itself
// with `timed`, which costs one lookup unless a collection is running: the collection travels
// with the asynchronous work (AsyncLocalStorage), so stages deep in the pipeline need no extra
// parameter. This module only measures; the reporters print.

import {AsyncLocalStorage} from 'node:async_hooks'

export interface StageTiming {
  stage: string
  /** wall-clock time during which the stage ran (overlapping runs counted once) */
  ms: number
  /** how many times it ran (the baseline and the target are read in parallel: twice) */
  runs: number
}

export interface Timings {
  /** from the start of the process to the start of the collection: Node, module loading, flags */
  startup: number
  /** the stages, in the order they first started */
  stages: StageTiming[]
  /** from the start of the collection to its end */
  total: number
}

type Interval = readonly [start: number, end: number]

// One per process: the CLI's agent hook runs the hook bundle's body, with its own copy of this
// module, in the same process (cli/hook-body.ts), and its stages are the run's too.
const COLLECTION = Symbol.for('acldrift.timings')
const collection = ((globalThis as {[COLLECTION]?: AsyncLocalStorage<Map<string, Interval[]>>})[
  COLLECTION
] ??= new AsyncLocalStorage())

/** Runs one stage's work, timed when a collection is running. */
export async function timed<T>(stage: string, work: () => Promise<T>): Promise<T> {
  const intervals = collection.getStore()
  if (intervals === undefined) return work()
  const start = performance.now()
  try {
    return await work()
  } finally {
    intervals.set(stage, [...(intervals.get(stage) ?? []), [start, performance.now()]])
  }
}

/** A collection: `run` the work inside it, then read its `result` (also after a failure). */
export function startTimings(): {run<T>(work: () => Promise<T>): Promise<T>; result(): Timings} {
  const intervals = new Map<string, Interval[]>()
  // performance.now() counts from the start of the process.
  const startup = performance.now()
  return {
    run: (work) => collection.run(intervals, work),
    result: () => ({
      startup,
      stages: [...intervals].map(([stage, runs]) => ({stage, ms: coveredLength(runs), runs: runs.length})),
      total: performance.now() - startup,
    }),
  }
}

/** The length of the union of intervals: two overlapping runs of a stage are not twice the time. */
export function coveredLength(intervals: readonly Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0])
  let length = 0
  let end = -Infinity
  for (const [start, stop] of sorted) {
    if (stop <= end) continue
    length += stop - Math.max(start, end)
    end = stop
  }
  return length
}
