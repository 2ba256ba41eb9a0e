// The config, parsed and validated once per content. The pre-commit hook reads up to three
// versions of it (the working tree's, the reference's, the index's: most often the same bytes),
// and parsing YAML loads the yaml package and the config's validator, which cost more than the
// hook's own comparison. So a valid config is remembered by the sha256 of its bytes: in this
// process, and under the git directory (.git/acldrift/config-cache.json, written atomically),
// with the positions that findings about the config name. An entry stands only for those exact
// bytes, read by this version of acldrift.
//
// What it trusts: nothing in the cache file by itself. Nothing there says the value is what those
// bytes parse to, and a value planted under the real config's digest (`exclude: ['**']`,
// `failOn: never`) would judge the commit by a config nobody wrote. So each entry carries an
// HMAC-SHA256 of the version, the digest and the value, keyed by a secret of the repository's own
// (32 random bytes, .git/acldrift/config-cache.key, created 0600 with the first entry): an entry
// whose HMAC does not verify is parsed again, as if absent. Forging one takes reading that key,
// as removing the hook takes writing .git/hooks; coding agents' writes under .git are refused by
// the agent hook (core/agent/hook.ts).

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {isDeepStrictEqual} from 'node:util'
import {dotGitDir} from '../git/dot-git.js'
import {writeFileAtomic} from '../kernel/atomic.js'
import {InvalidInputError} from '../kernel/errors.js'
import {sha256} from '../kernel/hash.js'
import {parseFile, parsedFile, positionsOf} from '../kernel/parse.js'
import type {ParsedFile, Position} from '../kernel/types.js'
import {toolVersion} from '../kernel/version.js'
import {ensureKey, keyFile, macOf, macVerifies, readKey} from './cache-key.js'
import {validateValue} from './validate.js'

const CACHE_FILE = join('acldrift', 'config-cache.json')
/** Entries kept in the file: the few configs a repository switches between (branches). */
const KEPT = 8

interface Entry {
  value: unknown
  positions: Array<[string, Position]>
}

/** An entry as the cache file keeps it: with its HMAC under the repository's key. */
interface KeptEntry extends Entry {
  mac: string
}

/** A repository's cache: its file, its key (undefined until the first entry creates it), its entries. */
interface Cache {
  path: string
  keyPath: string
  key: Buffer | undefined
  entries: Record<string, KeptEntry>
}

interface CacheFile {
  tool: string
  entries: Record<string, KeptEntry>
}

/** Valid configs seen by this process, by the sha256 of their bytes. */
const known = new Map<string, Entry>()
/** The cache file of each repository root, read once. */
const files = new Map<string, Promise<Cache | undefined>>()

/**
 * The config file's content parsed and validated: as parseFile and validateValue would give it,
 * or an InvalidInputError naming its problems. `root`: the repository whose git directory keeps
 * the parsed configs between runs (none: this process only).
 */
export async function parseConfigContent(
  root: string | undefined,
  path: string,
  content: Buffer,
): Promise<ParsedFile> {
  const hash = sha256(content)
  const cache = root === undefined ? undefined : await cacheOf(root)
  const entry = known.get(hash) ?? (cache === undefined ? undefined : verified(cache, hash))
  if (entry !== undefined) {
    known.set(hash, entry)
    return parsedFile({path, content}, structuredClone(entry.value), new Map(entry.positions))
  }
  const parsed = parseFile({path, content}, 'yaml')
  const problems = await validateValue('config', parsed)
  if (problems.length > 0) throw new InvalidInputError(problems)
  const positions = positionsOf(parsed.sourceMap)
  // Kept only when JSON holds the value exactly (a YAML `.inf` would come back as null).
  if (positions === undefined || !isDeepStrictEqual(JSON.parse(JSON.stringify(parsed.value)), parsed.value))
    return parsed
  const fresh = {value: parsed.value, positions: [...positions]}
  known.set(hash, fresh)
  if (cache !== undefined) await remember(cache, hash, fresh)
  return {...parsed, value: structuredClone(parsed.value)}
}

function cacheOf(root: string): Promise<Cache | undefined> {
  let cache = files.get(root)
  if (cache === undefined) {
    cache = readCache(root)
    files.set(root, cache)
  }
  return cache
}

/** What an entry's HMAC is of: these bytes (their sha256), under this version. */
const macText = (hash: string, entry: Entry) =>
  `${toolVersion()}\u0000${hash}\u0000${JSON.stringify([entry.value, entry.positions])}`

/** The kept entry for these bytes, when there is one whose HMAC verifies under the repository's key. */
function verified(cache: Cache, hash: string): Entry | undefined {
  if (cache.key === undefined || !Object.hasOwn(cache.entries, hash)) return undefined
  const entry = cache.entries[hash]!
  if (typeof entry !== 'object' || entry === null || !Array.isArray(entry.positions)) return undefined
  return macVerifies(cache.key, macText(hash, entry), entry.mac) ? entry : undefined
}

async function readCache(root: string): Promise<Cache | undefined> {
  const dir = await dotGitDir(root)
  if (dir === undefined) return undefined
  const path = join(dir, CACHE_FILE)
  const keyPath = keyFile(dir)
  const [text, key] = await Promise.all([readFile(path, 'utf8').catch(() => undefined), readKey(keyPath)])
  try {
    const file = JSON.parse(text ?? '') as CacheFile
    const fromThisVersion =
      file.tool === toolVersion() && typeof file.entries === 'object' && file.entries !== null
    return {path, keyPath, key, entries: fromThisVersion ? file.entries : {}}
  } catch {
    return {path, keyPath, key, entries: {}}
  }
}

async function remember(cache: Cache, hash: string, entry: Entry): Promise<void> {
  // A git directory that cannot be written only costs the next run a parse.
  await (async () => {
    cache.key ??= await ensureKey(cache.keyPath)
    const key = cache.key
    // The newest last; the oldest dropped beyond KEPT.
    const entries = Object.entries(cache.entries).filter(([name]) => name !== hash)
    const kept: KeptEntry = {...entry, mac: macOf(key, macText(hash, entry))}
    cache.entries = Object.fromEntries([...entries.slice(-(KEPT - 1)), [hash, kept]])
    const file: CacheFile = {tool: toolVersion(), entries: cache.entries}
    await writeFileAtomic(cache.path, `${JSON.stringify(file)}\n`)
  })().catch(() => undefined)
}
