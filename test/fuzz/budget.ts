// The fuzz budget: FUZZ_RUNS cases per property (small by default, so that `npm test` stays fast)
// and a fixed FUZZ_SEED (so that CI is reproducible; pass another seed to explore further).
// `npm run fuzz` runs the same suite with FUZZ_RUNS=5000.

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`)
  return value
}

export const FUZZ_RUNS = Math.max(1, numberFromEnv('FUZZ_RUNS', 100))
export const FUZZ_SEED = numberFromEnv('FUZZ_SEED', 20_261_124)

/** Parameters for fc.assert: the budget, the seed, and a report that names the seed to replay with. */
export const FUZZ_PARAMS = {numRuns: FUZZ_RUNS, seed: FUZZ_SEED} as const

/** The vitest timeout of one property: at least a minute, more for long runs. */
export const FUZZ_TIMEOUT_MS = Math.max(60_000, FUZZ_RUNS * 100)

/** The longest any single case may take: a case over this is treated as a hang. */
export const CASE_LIMIT_MS = 5_000
