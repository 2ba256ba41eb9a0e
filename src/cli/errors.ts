import {AcldriftError} from '../kernel/errors.js'

/**
 * A known error becomes a message on standard error and its exit code; anything else is a
 * bug and is re-thrown so that its stack is seen.
 */
export function explainError(error: unknown): number {
  if (!(error instanceof AcldriftError)) throw error
  process.stderr.write(`acldrift: ${error.message}\n`)
  return error.exitCode
}
