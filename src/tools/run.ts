// The one place that starts the renderers (kubectl for kustomize overlays, helm for charts): the
// tools that turn a repository's templates into the manifests a cluster is given. A tool is run
// only where it is installed (found on PATH), on a private copy of the files it is to read, with
// no way to reach the network (no PATH, so no git to clone a remote base; an HTTP proxy that
// refuses every connection; no kubeconfig or helm repositories), and under a time limit. Its
// outcome is data: rendered text, "not installed", or why it failed. Imports only the kernel.

import {spawn} from 'node:child_process'
import {constants, accessSync} from 'node:fs'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {availableParallelism, tmpdir} from 'node:os'
import {delimiter, dirname, join} from 'node:path'

export type ToolName = 'kubectl' | 'helm'

export type ToolOutcome =
  {status: 'rendered'; stdout: string} | {status: 'missing'} | {status: 'failed'; why: string}

export interface ToolRun {
  tool: ToolName
  /** the arguments; paths in them are relative to the copy of the files */
  args: readonly string[]
  /** the files the tool reads, by path relative to the repository root */
  files: ReadonlyMap<string, Buffer>
  /** ends the process after this long (default TOOL_TIMEOUT_MS) */
  timeoutMs?: number
}

/** A render that runs longer than this is stopped and reported as failed: it never hangs a hook. */
export const TOOL_TIMEOUT_MS = 30_000
/** Rendered output beyond this is not read (the process is stopped). */
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024
/** A proxy address nothing listens on: any HTTP(S) request the tool tries is refused at once. */
const NO_NETWORK_PROXY = 'http://127.0.0.1:9'

let started = 0

/** Renders run at most this many at a time: a repository of many overlays must not start them all at once. */
const MAX_RUNNING = Math.max(1, availableParallelism())
let running = 0
const waiting: Array<() => void> = []

async function slot<T>(work: () => Promise<T>): Promise<T> {
  // A finished render hands its place to the next waiting one.
  if (running < MAX_RUNNING) running++
  else await new Promise<void>((resolve) => waiting.push(resolve))
  try {
    return await work()
  } finally {
    const next = waiting.shift()
    if (next !== undefined) next()
    else running--
  }
}

/** Number of tool processes started so far; tests use it to check that a hook renders only when it must. */
export function toolProcessCount(): number {
  return started
}

/** The tool's executable on PATH (the environment of this process), or undefined when not installed. */
export function toolPath(tool: ToolName, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, tool)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return undefined
}

/** Runs the tool on a temporary copy of `files`, offline, and returns what it printed or why it could not. */
export async function runTool(run: ToolRun): Promise<ToolOutcome> {
  const binary = toolPath(run.tool)
  if (binary === undefined) return {status: 'missing'}
  return slot(() => renderInCopy(binary, run))
}

async function renderInCopy(binary: string, run: ToolRun): Promise<ToolOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'acldrift-render-'))
  try {
    for (const [path, content] of run.files) {
      const target = join(dir, 'files', path)
      if (!target.startsWith(join(dir, 'files') + '/')) continue
      await mkdir(dirname(target), {recursive: true})
      await writeFile(target, content)
    }
    await mkdir(join(dir, 'home'), {recursive: true})
    return await spawnOffline(binary, run, join(dir, 'files'), join(dir, 'home'))
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

function spawnOffline(binary: string, run: ToolRun, cwd: string, home: string): Promise<ToolOutcome> {
  started++
  const env: NodeJS.ProcessEnv = {
    // No PATH: kustomize clones remote bases with `git` from PATH, and finds none.
    PATH: '',
    HOME: home,
    LC_ALL: 'C',
    HTTP_PROXY: NO_NETWORK_PROXY,
    HTTPS_PROXY: NO_NETWORK_PROXY,
    http_proxy: NO_NETWORK_PROXY,
    https_proxy: NO_NETWORK_PROXY,
    NO_PROXY: '',
    no_proxy: '',
    KUBECONFIG: join(home, 'kubeconfig'),
    GIT_TERMINAL_PROMPT: '0',
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  }
  return new Promise((resolve) => {
    const child = spawn(binary, run.args, {cwd, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true})
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let bytes = 0
    let stopped: string | undefined
    const stop = (why: string) => {
      stopped ??= why
      child.kill('SIGKILL')
    }
    const timeoutMs = run.timeoutMs ?? TOOL_TIMEOUT_MS
    const timer = setTimeout(() => stop(`stopped after ${timeoutMs / 1000} s`), timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > MAX_OUTPUT_BYTES) stop(`output over ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB`)
      else stdout.push(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.once('error', (error) => {
      clearTimeout(timer)
      resolve({status: 'failed', why: `${run.tool} could not be started: ${error.message}`})
    })
    child.once('close', (status) => {
      clearTimeout(timer)
      if (stopped !== undefined) resolve({status: 'failed', why: `${run.tool} ${stopped}`})
      else if (status === 0) resolve({status: 'rendered', stdout: Buffer.concat(stdout).toString('utf8')})
      else resolve({status: 'failed', why: firstError(Buffer.concat(stderr).toString('utf8'), status)})
    })
  })
}

/** The tool's error, in one line (kubectl prefixes its log format; the cause is in `err="…"`). */
function firstError(stderr: string, status: number | null): string {
  const line =
    stderr
      .trim()
      .split('\n')
      .find((l) => l.trim() !== '') ?? `exited with ${status}`
  const quoted = /err="((?:[^"\\]|\\.)*)"/.exec(line)
  const text = quoted ? quoted[1]!.replace(/\\"/g, '"') : line
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}
