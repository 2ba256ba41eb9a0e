#!/usr/bin/env node
// A plain `acldrift check …` (the pre-commit hook) or `acldrift audit …` runs without loading oclif, from the
// hook bundle's body with its V8 code cache (src/cli/hook-body.ts: the cache of the repository at the working
// directory, under its HMAC) as the git hooks run it; everything else, and anything the fast path does not
// recognise, goes through oclif. A coding agent's
// hook (`hook agent HARNESS EVENT`, on every tool call) loads its own module and nothing more.
import {existsSync} from 'node:fs'
import {setFlagsFromString} from 'node:v8'

/** The agent hook's exit code, or undefined when `args` is another command (or dist/ is missing). */
async function agentHook(args) {
  if (args[0] !== 'hook' || args[1] !== 'agent') return undefined
  const module = await import('../dist/cli/agent-hook.js').catch(() => undefined)
  return module?.runAgentHookArgs(args, {cachedBody: true})
}

/**
 * V8 optimises a function on background threads once it has run a while (the interrupt budget,
 * in bytecode executed). A command runs once, for a second or less, and most functions that got
 * hot were optimised for no gain the run could see: a cold `check` of a 1,000-statement policy
 * in which every statement changed spent ~1.4 s of its ~3.8 s of CPU in the optimising compiler
 * (turbofan), and the main thread only ~0.1 s less for it. Sixteen times V8's budget
 * (67,584) leaves the functions a long run (an audit, a 100,000-statement policy) spends its time in
 * optimised. Not where the hook bundle's body runs from its code cache (the agent hook, and `check` and
 * `audit` when this package has hook/): V8 writes a hash of its flags into that cache
 * (cli/hook-body.ts), which the git hooks share, and rejects a cache written under other flags.
 */
function optimiseLater() {
  setFlagsFromString('--interrupt-budget=1081344')
}

/** The hook bundle's body (hook/), when this package has it. */
const BODY = new URL('../hook/acldrift-body.js', import.meta.url)

async function main() {
  const fast = await import('../dist/cli/fast.js').catch((error) => {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('/dist/cli/fast.js'))
      throw error
    // Installed without its build (`npm pack --ignore-scripts`, the pre-commit framework 4.x).
    process.stderr.write(
      'acldrift: this install has no build (dist/): run `npm run build` in the package, or reinstall it ' +
        'with its install scripts allowed; the git hooks run without it as `acldrift-hook`\n',
    )
    process.exit(4)
  })

  const argv = fast.conventionalArgs(process.argv.slice(2))
  const cachedBody = (argv[0] === 'check' || argv[0] === 'audit') && existsSync(BODY)
  if (!cachedBody) optimiseLater()
  const code = cachedBody
    ? await (await import('../dist/cli/hook-body.js')).runCli(BODY, argv)
    : ((await fast.runFast(argv)) ?? (await fast.runFastAudit(argv)))
  if (code === undefined) {
    const {execute} = await import('@oclif/core')
    await execute({dir: import.meta.url, args: argv})
  } else {
    process.exitCode = code
  }
}

const agentCode = await agentHook(process.argv.slice(2))
if (agentCode === undefined) await main()
else process.exitCode = agentCode
