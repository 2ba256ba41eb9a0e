// `--debug` (or ACLDRIFT_DEBUG=1, for hooks whose command line is fixed): the time of each stage
// of a command on standard error, after its report; standard output stays the report.

import {startTimings} from '../kernel/timings.js'

/** Runs a command's work; with debugging asked for, prints its timings even when it fails. */
export async function withDebug<T>(flag: boolean | undefined, work: () => Promise<T>): Promise<T> {
  if (flag !== true && process.env.ACLDRIFT_DEBUG !== '1') return work()
  const timings = startTimings()
  try {
    return await timings.run(work)
  } finally {
    const {renderTimings} = await import('../reporters/timings.js')
    process.stderr.write(renderTimings(timings.result()))
  }
}
