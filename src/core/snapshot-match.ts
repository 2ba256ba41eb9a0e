// Where an index tree differs from a baseline snapshot's record of blob ids, kept between runs.
// The pre-commit hook reads only the files whose blob in the index differs from the one the
// snapshot recorded (check.ts, stagedAgainstSnapshot); finding them compares every index entry
// with the record, and parses the record (at 20,000 files, 1.4 MB of JSON) on every commit. So
// a run that did that comparison keeps its answer for the tree the index had (`git write-tree`):
// the paths at which that tree differs from the record of the snapshot with that blob id, read
// under that config digest. The next run asks git what the index changes against that tree
// (nothing when it is HEAD's tree, as after the commit it was checked for: the changes against
// HEAD are asked anyway) and reads those paths and the kept ones.
//
// The entry lives in .git/acldrift/snapshot-match.json, written atomically. What it trusts:
// nothing in the file by itself. A planted entry that leaves out a path would make a file that
// differs from the baseline count as unchanged (only for files the pending commit does not
// change: those are always read), so the entry carries an HMAC under the repository's key
// (cache-key.ts), and one that does not verify is a miss, as for the snapshot's layout
// (snapshot-index.ts). Forging one takes reading that key.

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {dotGitDir} from '../git/dot-git.js'
import {writeFileAtomic} from '../kernel/atomic.js'
import {toolVersion} from '../kernel/version.js'
import {ensureKey, keyFile, macOf, macVerifies, readKey} from './cache-key.js'

const MATCH_FILE = join('acldrift', 'snapshot-match.json')

/** The paths at which a tree differs from a snapshot's record of blob ids. */
export interface SnapshotMatch {
  /** the snapshot file's git blob id */
  blob: string
  /** the digest of the config settings its record was read under (its `files.config`) */
  config: string
  /** the tree (an index's, `git write-tree`) */
  tree: string
  /**
   * the paths whose entry in the tree differs from the recorded one (or that are in only one of
   * them), and the files of documents the record does not name: sorted, once each
   */
  differ: string[]
}

const macText = (match: SnapshotMatch) =>
  ['snapshot-match', toolVersion(), match.blob, match.config, match.tree, JSON.stringify(match.differ)].join(
    '\u0000',
  )

async function filesOf(root: string): Promise<{path: string; keyPath: string} | undefined> {
  const dir = await dotGitDir(root)
  return dir === undefined ? undefined : {path: join(dir, MATCH_FILE), keyPath: keyFile(dir)}
}

const isId = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{40,64}$/.test(value)

/** The entries the file holds for this snapshot and config that verify under `key`. */
function verified(text: string, key: Buffer, blob: string, config: string): SnapshotMatch[] {
  try {
    const {entries} = JSON.parse(text) as {entries?: unknown}
    if (!Array.isArray(entries)) return []
    return entries.flatMap((raw: Partial<Record<keyof SnapshotMatch | 'mac', unknown>>) => {
      const {tree, differ} = raw ?? {}
      if (raw?.blob !== blob || raw.config !== config || !isId(tree)) return []
      if (!Array.isArray(differ) || !differ.every((path) => typeof path === 'string')) return []
      const match = {blob, config, tree, differ: differ as string[]}
      return macVerifies(key, macText(match), raw.mac) ? [match] : []
    })
  } catch {
    return []
  }
}

/** How many trees are kept: HEAD's and the index's (a pre-commit run again before committing). */
const KEPT_TREES = 2

/**
 * The kept matches for the snapshot with blob id `blob`, read under the config digest `config`,
 * whose HMAC verifies under the repository's key: the one for `tree` first when there is one.
 */
export async function keptMatches(
  root: string,
  blob: string,
  config: string,
  tree: string | null,
): Promise<SnapshotMatch[]> {
  const files = await filesOf(root)
  if (files === undefined) return []
  const [text, key] = await Promise.all([
    readFile(files.path, 'utf8').catch(() => undefined),
    readKey(files.keyPath),
  ])
  if (text === undefined || key === undefined) return []
  const matches = verified(text, key, blob, config)
  return [...matches.filter((m) => m.tree === tree), ...matches.filter((m) => m.tree !== tree)]
}

/**
 * Keeps `match` with the last one kept for another tree of the same snapshot and config, replacing
 * any other; a git directory that cannot be written only costs the next run the comparison.
 */
export async function keepMatch(root: string, match: SnapshotMatch): Promise<void> {
  await (async () => {
    const files = await filesOf(root)
    if (files === undefined) return
    const key = (await readKey(files.keyPath)) ?? (await ensureKey(files.keyPath))
    const text = await readFile(files.path, 'utf8').catch(() => '')
    const others = verified(text, key, match.blob, match.config).filter((m) => m.tree !== match.tree)
    const entries = [match, ...others].slice(0, KEPT_TREES).map((m) => ({...m, mac: macOf(key, macText(m))}))
    await writeFileAtomic(files.path, `${JSON.stringify({entries})}\n`)
  })().catch(() => undefined)
}
