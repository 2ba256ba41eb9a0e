// The audit log's secret: ACLDRIFT_LOG_KEY, kept outside the repository (a CI secret). Anyone who can
// write the log file can recompute its hash chain; only the holder of the key can recompute the
// HMAC that each record carries, so a rewritten record is detected by a verifier that has the key.

import {createHmac} from 'node:crypto'
import {EnvironmentError} from '../../kernel/errors.js'

/** Long enough not to be guessed: `openssl rand -hex 32` gives 64 characters. */
const MIN_KEY_BYTES = 16

export interface LogKey {
  readonly bytes: Buffer
}

/** The key from ACLDRIFT_LOG_KEY's value; undefined when it is unset or empty; too short is refused. */
export function logKey(value: string | undefined): LogKey | undefined {
  if (value === undefined || value === '') return undefined
  const bytes = Buffer.from(value, 'utf8')
  if (bytes.length < MIN_KEY_BYTES)
    throw new EnvironmentError(
      `ACLDRIFT_LOG_KEY is ${bytes.length} bytes long: a log key needs at least ${MIN_KEY_BYTES} ` +
        '(generate one with `openssl rand -hex 32`)',
    )
  return {bytes}
}

/** HMAC-SHA256 (hex) of a record's hash, which covers its seq, time, prev and entry. */
export function recordMac(key: LogKey, hash: string): string {
  return createHmac('sha256', key.bytes).update(hash).digest('hex')
}
