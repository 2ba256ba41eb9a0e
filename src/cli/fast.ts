// The start-up fast path. Loading oclif costs more than the rest of a pre-commit check, so
// bin/run.js sends a plain `check` invocation here first. Anything unusual (help, an
// unknown flag, a value out of range, conflicting flags) returns false and oclif handles
// it, with its usual messages and exit codes.

import {parseArgs} from 'node:util'
import type {FlagSpec} from './flag-specs.js'

function parseOptions(specs: Record<string, FlagSpec>) {
  const options: Record<string, {type: 'string' | 'boolean'; short?: string}> = {}
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = {type: spec.type, ...(spec.char === undefined ? {} : {short: spec.char})}
    if (spec.allowNo) options[`no-${name}`] = {type: 'boolean'}
    for (const alias of spec.aliases ?? []) options[alias] = {type: spec.type}
  }
  return options
}

function parse(
  specs: Record<string, FlagSpec>,
  argv: string[],
): Record<string, string | boolean> | undefined {
  let values: Record<string, string | boolean | undefined>
  try {
    ;({values} = parseArgs({args: argv, options: parseOptions(specs), strict: true, allowPositionals: false}))
  } catch {
    return undefined
  }
  const flags: Record<string, string | boolean> = {}
  for (const [name, spec] of Object.entries(specs)) {
    const given = [name, ...(spec.aliases ?? [])].filter((n) => values[n] !== undefined)
    if (given.length > 1) return undefined
    const value = values[given[0] ?? name] ?? (values[`no-${name}`] === true ? false : spec.default)
    if (value === undefined) continue
    if (spec.options && !spec.options.includes(String(value))) return undefined
    if (spec.exclusive?.some((other) => values[other] !== undefined)) return undefined
    flags[name] = value
  }
  return flags
}

/**
 * The spellings people try first, as oclif understands them: `help [COMMAND…]` and `-h` for
 * `--help`, `version` and `-v` for `--version` (oclif itself only knows the long flags).
 */
export function conventionalArgs(argv: string[]): string[] {
  const [first, ...rest] = argv
  if (first === 'help') return [...rest, '--help']
  if (first === 'version' || first === '-v') return ['--version', ...rest]
  if (first === '-h') return ['--help', ...rest]
  // `acldrift check -h`: last, so that it is not the value of a flag; -h is no other flag's short form.
  return argv.at(-1) === '-h' ? [...argv.slice(0, -1), '--help'] : argv
}

/** Runs `argv` if it is a plain check or a git hook; returns the exit code, or undefined to defer to oclif. */
export async function runFast(argv: string[]): Promise<number | undefined> {
  // A coding agent's hook runs on every tool call: `hook agent HARNESS EVENT`.
  if (argv[0] === 'hook' && argv[1] === 'agent') {
    const code = (await import('./agent-hook.js')).runAgentHookArgs(argv)
    if (code !== undefined) return code
  }
  if (argv[0] === 'hook' && argv[2] !== undefined && !argv[2].startsWith('-')) {
    // git passes prepare-commit-msg up to three arguments, commit-msg one.
    if (argv[1] === 'prepare-commit-msg') return (await import('./hook.js')).runPrepareCommitMsg(argv[2])
    if (argv[1] === 'post-rewrite' && argv.length === 3)
      return (await import('./hook.js')).runPostRewrite(argv[2])
    if (argv[1] === 'commit-msg' && argv.length === 3)
      return (await import('./hook.js')).runCommitMsg(argv[2])
  }
  if (argv[0] !== 'check') return undefined
  // (the flag specs load the config and reporter modules: not for the hooks above)
  const {CHECK_FLAGS} = await import('./flag-specs.js')
  const flags = parse(CHECK_FLAGS, argv.slice(1))
  if (flags === undefined) return undefined
  return explained(
    import('./check.js').then((m) => m.executeCheck),
    flags,
  )
}

/**
 * Runs `argv` if it is a plain `audit`; undefined to defer to oclif. A scheduled audit of a short
 * range costs little more than loading oclif. bin/run.js asks this after runFast; the hook bundle
 * does not (it runs the git hooks only).
 */
export async function runFastAudit(argv: string[]): Promise<number | undefined> {
  if (argv[0] !== 'audit') return undefined
  const {AUDIT_FLAGS} = await import('./flag-specs.js')
  const flags = parse(AUDIT_FLAGS, argv.slice(1))
  if (flags === undefined) return undefined
  return explained(
    import('./audit.js').then((m) => m.executeAudit),
    flags,
  )
}

/** The exit code of a command run with `flags`, or of the known error it failed with (explainError). */
async function explained(
  loading: Promise<(flags: Record<string, string | boolean>) => Promise<number>>,
  flags: Record<string, string | boolean>,
): Promise<number> {
  const [execute, {explainError}] = await Promise.all([loading, import('./errors.js')])
  try {
    return await execute(flags)
  } catch (error) {
    return explainError(error)
  }
}
