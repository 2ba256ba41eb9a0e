// The git blob id of the baseline snapshot file, kept by its stat data. The pre-commit hook reads
// the snapshot from the working tree and needs its blob id (its layout and the kept match are
// keyed on it, snapshot-index.ts and snapshot-match.ts): at 20,000 files that is 17 MB to hash on
// every commit. A file left alone keeps its stat data, so a run that hashed it keeps the id with
// them (device, inode, size, mtime and ctime, in ns), as git's index keeps a clean file's, and the
// next run with the same stat data takes the id without hashing.
//
// When stat data stand for the bytes: only for a file settled when they were kept (git's racy-git
// rule, Documentation/technical/racy-git.txt: a file changed within one timestamp tick of when its
// stat data were taken can change again with the same stat data); ctime cannot be set back by
// `touch`, so an edit since is another ctime. What it trusts: nothing in the file by itself. An
// entry giving these stat data another file's id would have the hook read another snapshot's
// layout and kept match; so it carries an HMAC under the repository's key (cache-key.ts), and one
// that does not verify is a miss.

import type {BigIntStats} from 'node:fs'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {dotGitDir} from '../git/dot-git.js'
import {writeFileAtomic} from '../kernel/atomic.js'
import {toolVersion} from '../kernel/version.js'
import {ensureKey, keyFile, macOf, macVerifies, readKey} from './cache-key.js'

const BLOB_FILE = join('acldrift', 'snapshot-blob.json')

/** How long a file must have been left alone for its stat data to stand for its bytes (commit-verdict.ts: 2 s covers the coarsest file systems). */
const SETTLED_NS = 2_000_000_000n

const stateOf = (stat: BigIntStats) => [stat.dev, stat.ino, stat.size, stat.mtimeNs, stat.ctimeNs].join(':')
const macText = (path: string, state: string, blob: string) =>
  ['snapshot-blob', toolVersion(), path, state, blob].join('\u0000')

async function filesOf(root: string): Promise<{path: string; keyPath: string} | undefined> {
  const dir = await dotGitDir(root)
  return dir === undefined ? undefined : {path: join(dir, BLOB_FILE), keyPath: keyFile(dir)}
}

/** The blob id kept for the file at `path` with stat data `stat`, when its HMAC verifies. */
export async function keptBlob(root: string, path: string, stat: BigIntStats): Promise<string | undefined> {
  const files = await filesOf(root)
  if (files === undefined) return undefined
  const [text, key] = await Promise.all([
    readFile(files.path, 'utf8').catch(() => undefined),
    readKey(files.keyPath),
  ])
  if (text === undefined || key === undefined) return undefined
  try {
    const entry = JSON.parse(text) as {path?: unknown; state?: unknown; blob?: unknown; mac?: unknown}
    const state = stateOf(stat)
    if (entry.path !== path || entry.state !== state || typeof entry.blob !== 'string') return undefined
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(entry.blob)) return undefined
    return macVerifies(key, macText(path, state, entry.blob), entry.mac) ? entry.blob : undefined
  } catch {
    return undefined
  }
}

/** Keeps `blob` for the file at `path` with stat data `stat`, when the file is settled; failures only cost the next run the hash. */
export async function keepBlob(root: string, path: string, stat: BigIntStats, blob: string): Promise<void> {
  if (stat.ctimeNs >= BigInt(Date.now()) * 1_000_000n - SETTLED_NS) return
  await (async () => {
    const files = await filesOf(root)
    if (files === undefined) return
    const key = (await readKey(files.keyPath)) ?? (await ensureKey(files.keyPath))
    const state = stateOf(stat)
    await writeFileAtomic(
      files.path,
      `${JSON.stringify({path, state, blob, mac: macOf(key, macText(path, state, blob))})}\n`,
    )
  })().catch(() => undefined)
}
