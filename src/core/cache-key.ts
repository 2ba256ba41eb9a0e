// The repository's own secret for what acldrift caches under the git directory: 32 random bytes
// in .git/acldrift/config-cache.key (its first use was the config cache), created readable by its
// owner only. Each cache entry carries an HMAC under it, so an entry nobody holding the key wrote
// is not trusted (config-parse.ts, snapshot-index.ts).

import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto'
import {mkdir, open, readFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'

const KEY_BYTES = 32

/** Where the key of the repository whose git directory is `gitDir` is kept. */
export const keyFile = (gitDir: string) => join(gitDir, 'acldrift', 'config-cache.key')

/** The repository's key, when its file holds one. */
export async function readKey(path: string): Promise<Buffer | undefined> {
  const key = await readFile(path).catch(() => undefined)
  return key?.length === KEY_BYTES ? key : undefined
}

/** The repository's key, created (readable by its owner only) when there is none yet. */
export async function ensureKey(path: string): Promise<Buffer> {
  await mkdir(dirname(path), {recursive: true})
  const key = randomBytes(KEY_BYTES)
  try {
    // Exclusive: of two runs creating it at once, one key wins and the other reads it.
    const handle = await open(path, 'wx', 0o600)
    try {
      await handle.writeFile(key)
    } finally {
      await handle.close()
    }
    return key
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const existing = await readKey(path)
    if (existing === undefined) throw error
    return existing
  }
}

/** The HMAC-SHA256 of a text under the repository's key, hex. */
export const macOf = (key: Buffer, text: string): string =>
  createHmac('sha256', key).update(text).digest('hex')

/** Whether `mac` (as a cache file holds it: anything) is the HMAC of `text` under the key. */
export function macVerifies(key: Buffer, text: string, mac: unknown): boolean {
  if (typeof mac !== 'string' || !/^[0-9a-f]{64}$/.test(mac)) return false
  return timingSafeEqual(Buffer.from(macOf(key, text), 'hex'), Buffer.from(mac, 'hex'))
}
