// `acldrift hook agent HARNESS EVENT`: a coding agent's hook, on the fast path (no oclif). It
// reads the harness's JSON on stdin, judges the call (core/agent/hook.ts) and answers as the
// harness documents. Inside the harness it fails closed: an unexpected error, a malformed
// payload or running out of time blocks the call when it edits an access config (or acldrift
// cannot tell what it edits), and lets everything else through with a note on stderr.

import {read, writeSync} from 'node:fs'
import {type HookState, judge, type SlowPaths} from '../core/agent/hook.js'
import {type Harness, harnessFor, HARNESSES, MalformedPayload} from '../core/agent/harnesses.js'
import type {BodyExports} from './hook-body.js'

/** Stop before the harness's own timeout (Claude Code: 60 s), which would let the call through. */
const DEADLINE_MS = 45_000
/** A tool call's JSON is small; more than this is not a harness talking. */
const MAX_INPUT_BYTES = 64 * 1024 * 1024

/** One read of stdin's descriptor, off the event loop (so that the deadline still fires). */
const readStdin = (buffer: Buffer) =>
  new Promise<number>((resolve, reject) =>
    read(0, buffer, 0, buffer.length, null, (error, bytes) => (error ? reject(error) : resolve(bytes))),
  )

/**
 * The whole of stdin, read from its file descriptor, as the harness gives a pipe or a file:
 * setting up `process.stdin` costs more than the rest of a plain call. A descriptor in
 * non-blocking mode (EAGAIN) is read on through the stream.
 */
async function readInput(): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  const add = (chunk: Buffer) => {
    size += chunk.length
    if (size > MAX_INPUT_BYTES) throw new MalformedPayload(`the hook input is over ${MAX_INPUT_BYTES} bytes`)
    chunks.push(chunk)
  }
  const buffer = Buffer.allocUnsafe(64 * 1024)
  for (;;) {
    let bytes: number
    try {
      bytes = await readStdin(buffer)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EOF') break // Windows: the end of a pipe
      if (code !== 'EAGAIN') throw error
      for await (const chunk of process.stdin as AsyncIterable<Buffer>) add(chunk)
      break
    }
    if (bytes === 0) break
    add(Buffer.from(buffer.subarray(0, bytes)))
  }
  return Buffer.concat(chunks).toString('utf8')
}

function emit(harness: Harness, event: string, block: boolean, message: string): number {
  const answer = harness.answer(event, block ? {block: true, message} : {block: false})
  if (answer.stdout !== '') writeSync(1, answer.stdout)
  if (answer.stderr !== '') writeSync(2, answer.stderr)
  else if (!block && message !== '') writeSync(2, `${message}\n`)
  return answer.code
}

/**
 * `hook agent HARNESS EVENT` in `argv`: its exit code; undefined for any other command line.
 * bin/run.js asks this before it loads anything else, so that the hook on every tool call loads
 * no more than it needs; it runs the build (dist/), and sets `cachedBody` so that an edit that
 * may be of an access config, and the end of a turn, are reviewed by the hook bundle's
 * code-cached body (the bundle itself, which also answers `hook agent`, does not).
 */
export function runAgentHookArgs(
  argv: readonly string[],
  options: {cachedBody?: boolean} = {},
): Promise<number> | undefined {
  if (argv[0] !== 'hook' || argv[1] !== 'agent' || argv.length !== 4 || argv[2]!.startsWith('-'))
    return undefined
  return runAgentHook(argv[2]!, argv[3]!, options)
}

/**
 * The slow paths (core/agent/access-edit.ts for an edit that may be of an access config,
 * review.ts at the end of a turn) from the hook bundle's body, each with its own code cache in
 * the repository's git directory: compiling the registries, the pipeline and the engine from the
 * build's modules costs more than the rest of an edit's review. `saved` writes the cache after the
 * run; `loaded` is what the body exports once a slow path loaded it (the decision log and the
 * refusal's wording are taken from there too). A body that cannot be loaded (a package without
 * hook/) leaves the build's modules.
 */
function cachedSlowPaths(): {paths: SlowPaths; saved: () => Promise<void>; loaded: () => BodyExports} {
  let saved = async (): Promise<void> => undefined
  let loaded: BodyExports = {}
  const exportsOf = async (gitDir: string, command: string) => {
    const [{loadBody}, {PACKAGE_ROOT}] = await Promise.all([
      import('./hook-body.js'),
      import('../kernel/package-files.js'),
    ])
    const body = await loadBody(new URL('hook/acldrift-body.js', PACKAGE_ROOT), gitDir, command).catch(
      () => undefined,
    )
    if (body !== undefined) {
      saved = body.saveCache
      loaded = body.exports
    }
    return loaded
  }
  const paths: SlowPaths = {
    async accessEdit(gitDir) {
      const {judgeAccessEdit} = await exportsOf(gitDir, 'agent-edit')
      return judgeAccessEdit === undefined ? import('../core/agent/access-edit.js') : {judgeAccessEdit}
    },
    async review(gitDir) {
      const {reviewWorkingTree, logged} = await exportsOf(gitDir, 'agent-stop')
      return reviewWorkingTree === undefined || logged === undefined
        ? import('../core/agent/review.js')
        : {reviewWorkingTree, logged}
    },
  }
  return {paths, saved: () => saved(), loaded: () => loaded}
}

export async function runAgentHook(
  harnessName: string,
  event: string,
  options: {cachedBody?: boolean} = {},
): Promise<number> {
  const harness = harnessFor(harnessName)
  if (harness === undefined) {
    process.stderr.write(
      `acldrift: unknown agent harness ${JSON.stringify(harnessName)} (known: ${HARNESSES.map((h) => h.name).join(', ')})\n`,
    )
    return 2
  }
  // Until the payload is read, acldrift cannot tell what the call touches: it fails closed.
  const state: HookState = {sensitive: 'a tool call not read yet'}
  const failClosed = harness.failClosed.includes(event)
  const failure = (why: string): number => {
    const block = failClosed && state.sensitive !== undefined
    const what = state.sensitive === undefined ? 'this call' : `this call (${state.sensitive})`
    return emit(
      harness,
      event,
      block,
      block
        ? `acldrift could not check ${what}: ${why}. It is blocked to be safe: tell the user that acldrift's agent hook failed (\`acldrift check\` shows why), and do not work around it.`
        : `acldrift: agent hook: ${why} (let through: it edits no access-control config)`,
    )
  }
  const deadline = Number(process.env.ACLDRIFT_AGENT_HOOK_DEADLINE_MS ?? DEADLINE_MS)
  const timer = setTimeout(() => {
    process.exit(failure(`it took longer than ${Math.round(deadline / 1000)} s`))
  }, deadline)
  timer.unref()
  try {
    let payload: unknown
    try {
      payload = JSON.parse(await readInput())
    } catch (error) {
      throw error instanceof MalformedPayload
        ? error
        : new MalformedPayload(`the hook input is not JSON: ${(error as Error).message}`)
    }
    const call = harness.read(event, payload)
    state.sensitive = undefined
    // ACLDRIFT_DEBUG=1: where the call's time goes, on stderr (loaded only when asked for).
    const body = options.cachedBody === true ? cachedSlowPaths() : undefined
    const judgement =
      process.env.ACLDRIFT_DEBUG === '1'
        ? await (
            await import('./debug.js')
          ).withDebug(true, () => judge(harness, event, call, state, body?.paths))
        : await judge(harness, event, call, state, body?.paths)
    const loaded = body?.loaded() ?? {}
    if (judgement.log !== undefined) {
      const appendAgentLog = loaded.appendAgentLog ?? (await import('../core/agent/log.js')).appendAgentLog
      await appendAgentLog(judgement.log.gitDir, judgement.log.entry, judgement.log.proposed).catch(
        (error: unknown) =>
          process.stderr.write(
            `acldrift: could not write the agent decision log: ${(error as Error).message}\n`,
          ),
      )
    }
    let message: string | undefined
    if (judgement.refusal !== undefined) {
      const renderRefusal = loaded.renderRefusal ?? (await import('../reporters/agent.js')).renderRefusal
      message = renderRefusal(judgement.refusal)
    }
    // (after the log and the wording, so that the code they compiled is in the cache too)
    await body?.saved()
    return emit(harness, event, message !== undefined, message ?? '')
  } catch (error) {
    return failure(error instanceof Error ? error.message : String(error))
  } finally {
    clearTimeout(timer)
  }
}
