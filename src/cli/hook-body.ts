// The hook bundle's body, hook/acldrift-body.js (hook-bundle.ts and everything it imports, npm
// packages included, 2.6 MB), run with a V8 code cache: by the bundle's entry (hook-loader.ts, the
// `acldrift-hook` command the git hooks run), and by the CLI's agent hook for an edit that may be
// of an access config and at the end of a turn (agent-hook.ts; its fast path stays on the build's
// few modules). Compiling
// the body costs about as much as starting node; with the cache, V8 takes the bytecode a previous
// run compiled instead.
//
// The cache is kept per repository and per command (the check, each message hook, the agent
// hook's reviews: each compiles its own part of the body) in
// .git/acldrift/hook-code-cache.COMMAND, for this body, this node and these V8 flags (`key`
// below), and written atomically after a run without a usable one. What it trusts: nothing in
// the file by itself. V8 accepts cached code when the source has the same length and the flags
// match; it does not compare the source text (V8's SerializedCodeData::SourceHash is the length),
// so code compiled from another script of the same length, planted there, would run in place of
// the body and could pass any commit. So the file carries an HMAC-SHA256 of its key and its data
// under the repository's own secret (cache-key.ts, as the config cache does), and a file whose
// HMAC does not verify, or whose key is another's, is not given to V8: the body is compiled from
// its source, as with no cache.
//
// The body is an ordinary function expression (scripts/bundle-hook.js wraps it): a module cannot
// take a code cache in Node 20 (no module.enableCompileCache, vm.SourceTextModule is behind a flag).

import {createHash, createHmac, timingSafeEqual} from 'node:crypto'
import {readFile} from 'node:fs/promises'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {Script} from 'node:vm'
import {ensureKey, keyFile, readKey} from '../core/cache-key.js'
import {dotGitDir} from '../git/dot-git.js'
import {writeFileAtomic} from '../kernel/atomic.js'
import {readRegularFile} from '../kernel/files.js'

/** What the body exports (hook-bundle.ts). */
export interface BodyExports {
  main?: (argv: string[]) => Promise<number>
  cli?: (argv: string[]) => Promise<number | undefined>
  judgeAccessEdit?: typeof import('../core/agent/access-edit.js').judgeAccessEdit
  reviewWorkingTree?: typeof import('../core/agent/review.js').reviewWorkingTree
  logged?: typeof import('../core/agent/review.js').logged
  appendAgentLog?: typeof import('../core/agent/log.js').appendAgentLog
  renderRefusal?: typeof import('../reporters/agent.js').renderRefusal
}

/** What the body's function is called with. */
type Body = (module: {exports: BodyExports}, require: NodeJS.Require, url: string) => void

/** The cache file of `command` (`check`, `hook-commit-msg`, …); `other` for anything else. */
function cacheFile(gitDir: string, command: string | undefined): string {
  const name = command !== undefined && /^[a-z][a-z-]{0,39}$/.test(command) ? command : 'other'
  return join(gitDir, 'acldrift', `hook-code-cache.${name}`)
}
/** Far over what V8 makes of the body (about 1 MB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024
/** The file: `KEY MAC\n` (two sha256s in hex), then V8's cached data. */
const HEADER_BYTES = 64 + 1 + 64 + 1

/** What the cached code is valid for: this body, this node and V8, these flags. */
function cacheKey(body: Buffer): string {
  const hash = createHash('sha256')
  for (const part of [
    createHash('sha256').update(body).digest('hex'),
    process.version,
    process.arch,
    process.versions.v8,
    JSON.stringify(process.execArgv),
    process.env.NODE_OPTIONS ?? '',
  ])
    hash.update(`${part}\0`)
  return hash.digest('hex')
}

const macOf = (secret: Buffer, key: string, data: Uint8Array) =>
  createHmac('sha256', secret).update(`${key}\n`).update(data).digest()

interface CodeCache {
  /** the cached data, when the file holds this key's, under an HMAC that verifies */
  data?: Buffer
  save(data: Buffer): Promise<void>
}

async function openCache(gitDir: string, path: string, key: string): Promise<CodeCache> {
  const save = async (data: Buffer) => {
    const secret = await ensureKey(keyFile(gitDir))
    const header = `${key} ${macOf(secret, key, data).toString('hex')}\n`
    await writeFileAtomic(path, Buffer.concat([Buffer.from(header), data]))
  }
  const [file, secret] = await Promise.all([
    // (bounded and never waiting: a fifo or a huge file planted there is no cache, not a hung hook)
    readRegularFile(path, path, MAX_CACHE_BYTES).catch(() => undefined),
    readKey(keyFile(gitDir)),
  ])
  if (file === undefined || secret === undefined || file.length <= HEADER_BYTES) return {save}
  const header = file.subarray(0, HEADER_BYTES).toString('latin1')
  const match = /^([0-9a-f]{64}) ([0-9a-f]{64})\n$/.exec(header)
  if (match?.[1] !== key) return {save}
  const data = file.subarray(HEADER_BYTES)
  const verifies = timingSafeEqual(macOf(secret, key, data), Buffer.from(match[2]!, 'hex'))
  return verifies ? {data, save} : {save}
}

export interface LoadedBody {
  exports: BodyExports
  /** Writes the code cache when there was no usable one: call it after the run, so that the
   *  functions the run compiled on first use are in it too. A cache that cannot be written (a
   *  read-only repository) only costs the next run the compile. */
  saveCache(): Promise<void>
}

/**
 * Runs the body in `bodyFile` with the code cache of `command` in `gitDir` (no cache without a
 * git directory) and gives what it exports.
 */
export async function loadBody(
  bodyFile: URL,
  gitDir: string | undefined,
  command: string | undefined,
): Promise<LoadedBody> {
  const body = await readFile(bodyFile)
  const cache =
    gitDir === undefined ? undefined : await openCache(gitDir, cacheFile(gitDir, command), cacheKey(body))
  const script = new Script(body.toString('utf8'), {
    filename: fileURLToPath(bodyFile),
    cachedData: cache?.data,
  })
  const module: Parameters<Body>[0] = {exports: {}}
  ;(script.runInThisContext() as Body)(module, createRequire(bodyFile), bodyFile.href)
  const saveCache = async () => {
    if (cache !== undefined && (cache.data === undefined || script.cachedDataRejected === true))
      await cache.save(script.createCachedData()).catch(() => undefined)
  }
  return {exports: module.exports, saveCache}
}

/** The body's `run` for `argv` with the code cache of the repository at the working directory. */
async function runWithCache<T>(
  bodyFile: URL,
  argv: string[],
  run: (exports: BodyExports) => Promise<T>,
): Promise<T> {
  // Git runs its hooks at the top of the working tree; run elsewhere, the body goes without a cache.
  const gitDir = await dotGitDir(process.cwd()).catch(() => undefined)
  const body = await loadBody(bodyFile, gitDir, argv[0] === 'hook' ? `hook-${argv[1]}` : argv[0])
  const result = await run(body.exports)
  if (result !== undefined) await body.saveCache()
  return result
}

/**
 * Runs the body's `main` for the hook's arguments `argv` with the code cache of the repository
 * the hook runs in (hook-loader.ts), and keeps the cache; returns the exit code.
 */
export function runBody(bodyFile: URL, argv: string[]): Promise<number> {
  return runWithCache(bodyFile, argv, (body) => body.main!(argv))
}

/**
 * bin/run.js's `check` and `audit` (the body's `cli`), with the same cache as the hook's (the
 * `check` one is shared: same body, same key); undefined when the command line is one the fast
 * paths leave to oclif (then no cache is written).
 */
export function runCli(bodyFile: URL, argv: string[]): Promise<number | undefined> {
  return runWithCache(bodyFile, argv, (body) => body.cli!(argv))
}
