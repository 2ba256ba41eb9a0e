// The one place that starts git processes. Everything else in src/git/ goes through spawnGit/runGit.

import {spawn, type ChildProcessByStdio} from 'node:child_process'
import {accessSync, constants, statSync} from 'node:fs'
import {delimiter, isAbsolute, join} from 'node:path'
import type {Readable, Writable} from 'node:stream'
import {EnvironmentError} from '../kernel/errors.js'

type GitProcess = ChildProcessByStdio<Writable, Readable, Readable>

/** A git command that ran and failed; carries git's exit status and stderr. */
export class GitError extends EnvironmentError {
  constructor(
    readonly args: readonly string[],
    readonly status: number | null,
    readonly stderr: string,
  ) {
    const how = status === null ? 'was killed' : `exited with ${status}`
    super(`git ${args.join(' ')} ${how}: ${stderr.trim() || '(no error output)'}`)
  }
}

let spawned = 0

/** Number of git processes started so far; tests use it to check that reads do not spawn per file. */
export function gitProcessCount(): number {
  return spawned
}

/** The git executable: `git` from PATH, or the ACLDRIFT_GIT environment variable when set. */
function gitBinary(): string {
  return process.env.ACLDRIFT_GIT || 'git'
}

let resolved: {key: string; path: string} | undefined

/**
 * gitBinary() as an absolute path, looked up once per PATH and ACLDRIFT_GIT: the hook starts git
 * many times, and a spawn by absolute path skips the PATH search in every child. Only absolute
 * PATH entries are searched (a relative one would depend on git's working directory); when none
 * holds an executable `git`, or on Windows (PATHEXT), the name is left to spawn, which reports it missing.
 */
function gitExecutable(): string {
  const name = gitBinary()
  const key = `${name}\0${process.env.PATH ?? ''}`
  if (resolved?.key !== key) resolved = {key, path: lookUp(name)}
  return resolved.path
}

function lookUp(name: string): string {
  if (process.platform === 'win32' || name.includes('/')) return name
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      if (statSync(candidate).isFile()) return candidate
    } catch {
      // not here: the next PATH entry
    }
  }
  return name
}

/**
 * Starts git in `cwd` with stdin, stdout and stderr piped. Never through a shell. `env` adds to
 * (or, with undefined, removes from) this process's environment.
 */
export function spawnGit(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): GitProcess {
  spawned++
  const child = spawn(gitExecutable(), args, {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
    env: {
      ...process.env,
      // Untranslated messages, and no index refresh (a read-only tool must not write .git/index).
      LC_ALL: 'C',
      // The objects as committed: `git replace` must not show attribution another commit.
      GIT_NO_REPLACE_OBJECTS: '1',
      GIT_OPTIONAL_LOCKS: '0',
      GIT_TERMINAL_PROMPT: '0',
      ...env,
    },
  })
  // git may exit before reading all of its input; its exit status says why, so EPIPE is not an error here.
  child.stdin.on('error', () => {})
  return child
}

/**
 * Waits until the process has exited and its output streams are closed.
 * Rejects with an EnvironmentError when git cannot be started, and with a GitError when it fails.
 */
export function waitForGit(child: GitProcess, cwd: string, args: readonly string[]): Promise<void> {
  const stderr: Buffer[] = []
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  return new Promise((resolve, reject) => {
    let failed = false
    child.once('error', (error: NodeJS.ErrnoException) => {
      failed = true
      reject(startError(error, cwd))
    })
    child.once('close', (status) => {
      if (failed) return
      if (status === 0) resolve()
      else reject(new GitError(args, status, Buffer.concat(stderr).toString('utf8')))
    })
  })
}

/** Runs git to completion and returns its stdout. */
export async function runGit(
  cwd: string,
  args: readonly string[],
  options: {input?: string | Buffer; env?: NodeJS.ProcessEnv} = {},
): Promise<Buffer> {
  const child = spawnGit(cwd, args, options.env)
  const stdout: Buffer[] = []
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
  child.stdin.end(options.input)
  await waitForGit(child, cwd, args)
  return Buffer.concat(stdout)
}

function startError(error: NodeJS.ErrnoException, cwd: string): EnvironmentError {
  if (error.code !== 'ENOENT') return new EnvironmentError(`cannot run ${gitBinary()}: ${error.message}`)
  // spawn reports a missing working directory as ENOENT too.
  if (statSync(cwd, {throwIfNoEntry: false})?.isDirectory() !== true) {
    return new EnvironmentError(`directory does not exist: ${cwd}`)
  }
  return process.env.ACLDRIFT_GIT
    ? new EnvironmentError(`git not found: ${process.env.ACLDRIFT_GIT} (from ACLDRIFT_GIT)`)
    : new EnvironmentError('git not found on PATH')
}
