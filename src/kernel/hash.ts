// Hashes, and the one canonical text per JSON value that ids, content hashes and the audit log's
// record hashes are computed from, so that key order and whitespace never change them.

import {createHash} from 'node:crypto'

/**
 * The id git gives a file's content (a blob of the SHA-1 object format): lets a snapshot say
 * which version of each file it read, so that the hook can tell unchanged files from the index's
 * listing alone.
 */
export function gitBlobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex')
}

/** sha256, hex: of a file's raw bytes, or of a canonical text. */
export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex')
}

/**
 * Canonical JSON of JSON data (what JSON.parse returns): object keys sorted by UTF-16 code units,
 * recursively, no whitespace, strings and numbers as JSON.stringify writes them. For such data
 * this is RFC 8785 (JCS), so other tools can recompute record hashes.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>
    const members = Object.keys(object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`)
    return `{${members.join(',')}}`
  }
  const text: string | undefined = JSON.stringify(value)
  if (text === undefined) throw new TypeError(`canonicalJson: ${typeof value} is not JSON data`)
  return text
}

/**
 * An embedded document's content hash: of its meaning, not of the container's bytes, so that
 * reformatting the container or moving the document in it is no change.
 */
export const valueHash = (value: unknown): string => sha256(canonicalJson(value))
