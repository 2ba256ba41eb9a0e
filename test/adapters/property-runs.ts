// How long each kind's property tests run: a fixed seed and budget for CI, which
// PROPERTY_SEED and PROPERTY_RUNS override to explore further by hand (e.g. 1500 runs).

export interface Runs {
  seed: number
  numRuns: number
}

export function propertyRuns(seed: number, numRuns: number): Runs {
  return {
    seed: Number(process.env.PROPERTY_SEED ?? seed),
    numRuns: Number(process.env.PROPERTY_RUNS ?? numRuns),
  }
}

/** Half the budget each, for properties that run once per family of pairs (random pairs, small edits). */
export const perFamily = (runs: Runs): Runs => ({...runs, numRuns: Math.ceil(runs.numRuns / 2)})
