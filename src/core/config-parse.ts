// The config, parsed and validated once per content. The pre-commit hook reads up to three
// versions of it (the working tree's, the reference's, the index's: most often the same bytes),
// and parsing YAML loads the yaml package and the config's validator, which cost more than the
// hook's own comparison. So a valid config is remembered by the sha256 of its bytes: in this
// process, and under the git directory (.git/acldrift/config-cache.json, written atomically),
// with the positions that findings about the config name. An entry stands only for those exact
// bytes, read by this version of acldrift. The file is trusted as .git/hooks is: whoever can
// write the git directory can remove the hook itself (the agent hook refuses agents' writes there).

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
import {validateValue} from './validate.js'

const CACHE_FILE = join('acldrift', 'config-cache.json')
/** Entries kept in the file: the few configs a repository switches between (branches). */
const KEPT = 8

interface Entry {
  value: unknown
  positions: Array<[string, Position]>
}

interface CacheFile {
  tool: string
  entries: Record<string, Entry>
}

/** Valid configs seen by this process, by the sha256 of their bytes. */
const known = new Map<string, Entry>()
/** The cache file of each repository root, read once. */
const files = new Map<string, Promise<{path: string; entries: Record<string, Entry>} | undefined>>()

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
  const entry =
    known.get(hash) ??
    (cache !== undefined && Object.hasOwn(cache.entries, hash) ? cache.entries[hash] : undefined)
  if (entry !== undefined && Array.isArray(entry.positions)) {
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

function cacheOf(root: string): Promise<{path: string; entries: Record<string, Entry>} | undefined> {
  let cache = files.get(root)
  if (cache === undefined) {
    cache = readCache(root)
    files.set(root, cache)
  }
  return cache
}

async function readCache(root: string): Promise<{path: string; entries: Record<string, Entry>} | undefined> {
  const dir = await dotGitDir(root)
  if (dir === undefined) return undefined
  const path = join(dir, CACHE_FILE)
  try {
    const file = JSON.parse(await readFile(path, 'utf8')) as CacheFile
    const fromThisVersion =
      file.tool === toolVersion() && typeof file.entries === 'object' && file.entries !== null
    return {path, entries: fromThisVersion ? file.entries : {}}
  } catch {
    return {path, entries: {}}
  }
}

async function remember(
  cache: {path: string; entries: Record<string, Entry>},
  hash: string,
  entry: Entry,
): Promise<void> {
  // The newest last; the oldest dropped beyond KEPT.
  const entries = Object.entries(cache.entries).filter(([key]) => key !== hash)
  cache.entries = Object.fromEntries([...entries.slice(-(KEPT - 1)), [hash, entry]])
  const file: CacheFile = {tool: toolVersion(), entries: cache.entries}
  // A git directory that cannot be written only costs the next run a parse.
  await writeFileAtomic(cache.path, `${JSON.stringify(file)}\n`).catch(() => undefined)
}
