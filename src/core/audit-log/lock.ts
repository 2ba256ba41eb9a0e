// An exclusive lock between processes appending to the same file: `<file>.lock`, created
// atomically and only if absent (a hard link, or O_CREAT|O_EXCL where links are not supported).
// Node has no flock(), and exclusive creation is atomic on local file systems.
//
// The lock file holds its owner ({pid, hostname, threadId, token, time}) so that waiters can tell a
// lock left by a crashed process from a live one:
// - same host, owner pid dead             → stale at once;
// - same host, our own pid and thread, and not a lock this thread holds → stale at once (left by a
//   previous process that had our pid, as in containers where acldrift is always pid 1);
// - anything else (live pid, other host, unreadable owner) → stale once its mtime is older than
//   `staleLockMs`. The critical section is one tail read, one write and one fsync, far below that.

import {randomBytes} from 'node:crypto'
import {link, open, readdir, readFile, stat, unlink, writeFile} from 'node:fs/promises'
import {hostname} from 'node:os'
import {basename, dirname, join, resolve} from 'node:path'
import {threadId} from 'node:worker_threads'
import {EnvironmentError} from '../../kernel/errors.js'

export interface LockOptions {
  /** How long to wait for a live holder before giving up, in ms (default 10 s). */
  lockTimeoutMs?: number
  /** When a lock whose holder cannot be shown dead counts as abandoned, by its mtime, in ms (default 30 s). */
  staleLockMs?: number
}

interface LockOwner {
  pid: number
  hostname: string
  threadId: number
  token: string
  time: string
}

interface LockState {
  owner: LockOwner | undefined
  mtimeMs: number
}

const DEFAULT_TIMEOUT_MS = 10_000
const DEFAULT_STALE_MS = 30_000

/** Tail of the queue of lock users in this thread, per lock path. */
const queues = new Map<string, Promise<unknown>>()
/** Tokens of the locks this thread holds (the queue is per path; one file can have two paths). */
const heldTokens = new Set<string>()

/**
 * Runs `work` while holding the lock at `lockPath`. Callers in the same thread are queued first,
 * so that at most one of them competes for the file. Errors of the file system are thrown as is;
 * waiting longer than `lockTimeoutMs` throws an EnvironmentError naming the holder.
 */
export async function withFileLock<T>(
  lockPath: string,
  options: LockOptions,
  work: () => Promise<T>,
): Promise<T> {
  const key = resolve(lockPath)
  const previous = queues.get(key) ?? Promise.resolve()
  const run = previous.then(async () => {
    const owner = await acquire(lockPath, options)
    try {
      return await work()
    } finally {
      await release(lockPath, owner)
    }
  })
  // The next caller waits for this one whether it succeeds or fails.
  const tail = run.catch(() => undefined)
  queues.set(key, tail)
  try {
    return await run
  } finally {
    if (queues.get(key) === tail) queues.delete(key)
  }
}

async function acquire(lockPath: string, options: LockOptions): Promise<LockOwner> {
  const timeoutMs = options.lockTimeoutMs ?? DEFAULT_TIMEOUT_MS
  const staleMs = options.staleLockMs ?? DEFAULT_STALE_MS
  const me: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    threadId,
    token: randomBytes(8).toString('hex'),
    time: new Date().toISOString(),
  }
  const deadline = Date.now() + timeoutMs
  let delayMs = 2
  for (;;) {
    if (await tryCreate(lockPath, me)) {
      heldTokens.add(me.token)
      await sweepPrivateFiles(lockPath, staleMs)
      return me
    }
    const state = await inspect(lockPath)
    if (state === undefined) continue // released between our attempt and our look: try again now
    if (isStale(state, staleMs) && (await breakStale(lockPath, staleMs))) continue
    if (Date.now() >= deadline) throw new EnvironmentError(timeoutMessage(lockPath, state, timeoutMs))
    // Jittered exponential backoff, so that two waiters do not wake up in step.
    await sleep(delayMs * (0.5 + Math.random()))
    delayMs = Math.min(delayMs * 2, 100)
  }
}

/**
 * Creates the lock file with our owner record already in it; false if it exists. The record is
 * written to a private file first and hard-linked into place (link fails if the name exists), so
 * that a process killed at any point never leaves an empty lock that others would have to wait out
 * for `staleLockMs`. File systems without hard links fall back to O_EXCL creation. A process
 * killed between writing and removing its private file leaves it behind: see sweepPrivateFiles.
 */
async function tryCreate(lockPath: string, me: LockOwner): Promise<boolean> {
  const privatePath = `${lockPath}.${me.token}`
  await writeFile(privatePath, JSON.stringify(me), {flag: 'wx'})
  try {
    await link(privatePath, lockPath)
    return true
  } catch (error) {
    const code = errorCode(error)
    if (code === 'EEXIST') return false
    if (code === 'ENOENT') return false // our private file was swept: we stalled for staleLockMs; try again
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') return createExclusive(lockPath, me)
    throw error
  } finally {
    await unlinkIfExists(privatePath)
  }
}

const PRIVATE_SUFFIX = /^\.[0-9a-f]{16}$/

/**
 * Removes private files (`<lock>.<token>`) left by processes killed while taking the lock. One
 * lives for microseconds, so any older than `staleMs` is litter. Runs while holding the lock;
 * best effort.
 */
async function sweepPrivateFiles(lockPath: string, staleMs: number): Promise<void> {
  const directory = dirname(lockPath)
  const prefix = basename(lockPath)
  try {
    for (const name of await readdir(directory)) {
      if (!name.startsWith(prefix) || !PRIVATE_SUFFIX.test(name.slice(prefix.length))) continue
      const path = join(directory, name)
      const stats = await stat(path).catch(() => undefined)
      if (stats !== undefined && Date.now() - stats.mtimeMs > staleMs) await unlinkIfExists(path)
    }
  } catch {
    // litter is harmless; never fail an append over it
  }
}

async function createExclusive(lockPath: string, me: LockOwner): Promise<boolean> {
  let handle
  try {
    handle = await open(lockPath, 'wx')
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false
    throw error
  }
  try {
    await handle.writeFile(JSON.stringify(me))
  } catch (error) {
    await handle.close().catch(() => undefined)
    await unlinkIfExists(lockPath)
    throw error
  }
  await handle.close()
  return true
}

/** The lock's owner and age, or undefined if there is no lock. */
async function inspect(lockPath: string): Promise<LockState | undefined> {
  try {
    const [content, stats] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)])
    return {owner: parseOwner(content), mtimeMs: stats.mtimeMs}
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined
    throw error
  }
}

function parseOwner(content: string): LockOwner | undefined {
  try {
    const value: unknown = JSON.parse(content)
    if (typeof value !== 'object' || value === null) return undefined
    const owner = value as Partial<LockOwner>
    const valid =
      Number.isSafeInteger(owner.pid) &&
      (owner.pid as number) > 0 &&
      typeof owner.hostname === 'string' &&
      typeof owner.threadId === 'number' &&
      typeof owner.token === 'string'
    return valid ? (owner as LockOwner) : undefined
  } catch {
    return undefined // being written right now, or garbage: only its age can tell
  }
}

function isStale(state: LockState, staleMs: number): boolean {
  if (Date.now() - state.mtimeMs > staleMs) return true
  const owner = state.owner
  if (owner === undefined || owner.hostname !== hostname()) return false
  if (owner.pid === process.pid) return owner.threadId === threadId && !heldTokens.has(owner.token)
  return !isAlive(owner.pid)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0) // signal 0: existence check only
    return true
  } catch (error) {
    return errorCode(error) === 'EPERM' // exists, owned by another user
  }
}

/**
 * Removes a stale lock. Two waiters may both find the same lock stale; without care the slower one
 * would delete the fresh lock the faster one just created. So breakers take a second lock
 * (`.break`) and re-check staleness under it: while it is held no one else can remove the lock,
 * and a stale lock's dead owner cannot release it, so what is re-checked is what gets removed.
 * Returns whether the lock is gone.
 */
async function breakStale(lockPath: string, staleMs: number): Promise<boolean> {
  const guardPath = `${lockPath}.break`
  try {
    await (await open(guardPath, 'wx')).close()
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error
    // A breaker holds the guard for microseconds; one left behind is from a crash.
    const guard = await stat(guardPath).catch(() => undefined)
    if (guard !== undefined && Date.now() - guard.mtimeMs > staleMs) await unlinkIfExists(guardPath)
    return false
  }
  try {
    const state = await inspect(lockPath)
    if (state === undefined) return true
    if (!isStale(state, staleMs)) return false
    await unlinkIfExists(lockPath)
    return true
  } finally {
    await unlinkIfExists(guardPath)
  }
}

/**
 * Removes the lock if it is still ours (it is not if it was broken as stale meanwhile). Best effort:
 * the work is done and durable by now, and a lock we fail to remove is stale once we exit.
 */
async function release(lockPath: string, me: LockOwner): Promise<void> {
  heldTokens.delete(me.token)
  try {
    const state = await inspect(lockPath)
    if (state?.owner?.token === me.token) await unlinkIfExists(lockPath)
  } catch {
    // see above
  }
}

function timeoutMessage(lockPath: string, state: LockState, timeoutMs: number): string {
  const owner = state.owner
  const holder = owner
    ? `is held by pid ${owner.pid} on ${owner.hostname} since ${owner.time}`
    : 'exists but names no owner'
  return (
    `could not lock the audit log: ${lockPath} ${holder} (waited ${Math.round(timeoutMs / 1000)} s). ` +
    `If no acldrift process is still running, delete ${lockPath}.`
  )
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path)
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error
  }
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms))
