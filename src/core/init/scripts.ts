// What the git hooks run, as text: the hook scripts for plain git, the launcher that the shared
// hook managers (husky, lefthook, pre-commit) call, and their one-line commands.
//
// How a hook finds acldrift, in order:
//   1. the repository's own, `node_modules/.bin/acldrift` (npm install --save-dev acldrift):
//      the version the team pinned in its lock file;
//   2. for plain git hooks only (they are local to one clone, never committed): the acldrift
//      that ran `acldrift init`, by absolute path, with the node that ran it;
//   3. `acldrift` on PATH (npm install -g acldrift).
// At each place the pre-commit check and the message hooks take the package's hook bundle when it
// has one (`acldrift-hook`, hook/acldrift.js: one file to load, where the CLI loads the build's
// modules and node_modules), else its CLI, which runs the same hooks (a package older than the
// bundle). The bundle's entry decides prepare-commit-msg without an agent, and commit-msg reusing
// pre-commit's pass, before it loads the body (cli/hook-message.ts). post-rewrite takes the CLI.
// No `npx`: it costs a few hundred milliseconds on every commit and may go to the network.

import type {Harness} from '../agent/harnesses.js'

/**
 * The hooks every manager installs. `git merge` runs pre-merge-commit where a commit runs
 * pre-commit (githooks(5): "invoked by git-merge … after the merge has been carried out
 * successfully and before obtaining the proposed commit log message"), so a merge is checked
 * there too, even where the commit-msg hook is the user's own and init left it alone. (A
 * fast-forward makes no commit: git runs neither hook.)
 */
export const GIT_HOOK_NAMES = ['pre-commit', 'pre-merge-commit', 'commit-msg', 'prepare-commit-msg'] as const
/**
 * Plain git hooks add post-rewrite, which reads git's rewritten commits on its stdin; so do
 * husky (its hook files get git's stdin) and lefthook (with `use_stdin`). pre-commit runs its
 * post-rewrite hooks without them, so beside it the plain git hook is installed.
 */
export const PLAIN_GIT_HOOK_NAMES = [...GIT_HOOK_NAMES, 'post-rewrite'] as const
export type GitHookName = (typeof PLAIN_GIT_HOOK_NAMES)[number]

/** Every file init writes for hooks says so; init updates such a file and leaves others alone. */
export const MARKER = 'written by `acldrift init`'

/** The launcher, relative to the repository root; the shared managers' configs run it with `sh`. */
export const LAUNCHER = '.acldrift/acldrift.sh'

interface HookSpec {
  /** acldrift's arguments */
  args: string[]
  /** which of git's arguments follow them: none, the first (the message file, what rewrote), or all */
  passes: 'none' | 'first' | 'all'
  purpose: string
}

const HOOKS: Readonly<Record<GitHookName, HookSpec>> = {
  'pre-commit': {
    args: ['check', '--staged', '--quiet'],
    passes: 'none',
    purpose: 'blocks a commit whose staged changes widen access',
  },
  'pre-merge-commit': {
    args: ['check', '--staged', '--quiet'],
    passes: 'none',
    purpose: 'blocks a merge whose result widens access (git merge runs no pre-commit)',
  },
  'commit-msg': {
    args: ['hook', 'commit-msg'],
    passes: 'first',
    purpose: "checks again with the commit message's trailers as evidence of who commits",
  },
  'prepare-commit-msg': {
    args: ['hook', 'prepare-commit-msg'],
    passes: 'all',
    purpose: 'stamps a detected AI agent into the message (runs even under --no-verify)',
  },
  'post-rewrite': {
    args: ['hook', 'post-rewrite'],
    passes: 'first',
    purpose: "notes an AI agent on the commits a rebase or amend made from the agent's commits",
  },
}

/** The acldrift that runs init: `node`, `bin/run.js` and the hook bundle `hook/acldrift.js`, absolute. */
export interface SelfInvocation {
  node: string
  bin: string
  hook: string
}

const sq = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`

const NOT_FOUND =
  'acldrift: not found: install it in this repository (npm install --save-dev acldrift) or globally (npm install -g acldrift)'
const BLOCKED = 'acldrift: commit blocked: the staged changes widen access (see the findings above)'

/** The message hooks the bundle runs (hook-bundle.ts), beside the check. */
const MESSAGE_HOOKS = ['commit-msg', 'prepare-commit-msg']
const bundled = (spec: HookSpec) => spec.args[0] === 'check' || MESSAGE_HOOKS.includes(spec.args[1]!)
/** The launcher's test of its arguments for the same hooks. */
const BUNDLED_ARGS = `{ [ "$1" = check ] || ${MESSAGE_HOOKS.map((h) => `[ "$1 $2" = 'hook ${h}' ]`).join(' || ')}; }`

/**
 * `run_acldrift ARGS…`: the first acldrift found, or 127 with a message. `bin` is the folder of
 * the repository's node_modules/.bin. `bundle` is when the hook bundle goes before the CLI at each
 * place: always, never, or when the arguments are a hook the bundle runs (a test of the shell's).
 */
function resolver(bin: string, self: SelfInvocation | undefined, bundle: boolean | string): string[] {
  const conditions: [string, string][] = []
  const place = (bundled: [string, string], cli: [string, string]) => {
    if (bundle !== false)
      conditions.push([bundle === true ? bundled[0] : `${bundle} && ${bundled[0]}`, bundled[1]])
    conditions.push(cli)
  }
  const installed = (command: string): [string, string] => [
    `[ -x "${bin}/${command}" ]`,
    `"${bin}/${command}"`,
  ]
  place(installed('acldrift-hook'), installed('acldrift'))
  if (self !== undefined) {
    const node = sq(self.node)
    const file = (path: string): [string, string] => [
      `[ -x ${node} ] && [ -f ${sq(path)} ]`,
      `${node} ${sq(path)}`,
    ]
    place(file(self.hook), file(self.bin))
  }
  const onPath = (command: string): [string, string] => [`command -v ${command} >/dev/null 2>&1`, command]
  place(onPath('acldrift-hook'), onPath('acldrift'))
  return [
    'run_acldrift() {',
    ...conditions.map(([test, run], i) => `  ${i === 0 ? 'if' : 'elif'} ${test}; then ${run} "$@"`),
    `  else echo ${sq(NOT_FOUND)} >&2; return 127`,
    '  fi',
    '}',
  ]
}

/** The status handling after `run_acldrift`: stamping and noting never block; a blocked commit says so. */
const TAIL = [
  'status=$?',
  'case "$1 $2" in',
  "  'hook prepare-commit-msg' | 'hook post-rewrite') exit 0 ;;",
  `  'check --staged') [ "$status" -eq 0 ] || [ "$status" -eq 127 ] || echo ${sq(BLOCKED)} >&2 ;;`,
  'esac',
  'exit "$status"',
]

function gitArgs(spec: HookSpec, style: 'sh' | 'lefthook'): string[] {
  if (spec.passes === 'none') return spec.args
  if (style === 'lefthook') return [...spec.args, '{1}']
  return [...spec.args, spec.passes === 'all' ? '"$@"' : '"$1"']
}

/**
 * A plain git hook (in .git/hooks or core.hooksPath). A hook of yours that `init --force`
 * replaced is kept as `<hook>.legacy` and runs first.
 */
export function gitHookScript(name: GitHookName, self: SelfInvocation): string {
  const spec = HOOKS[name]
  return [
    '#!/bin/sh',
    `# acldrift ${name} hook: ${spec.purpose}.`,
    `# This file was ${MARKER} (run it again to update it). acldrift is the repository's`,
    '# node_modules/.bin/acldrift, else the one that ran init, else acldrift on PATH (for the',
    '# check and the message hooks, its hook bundle when it has one: acldrift-hook, hook/acldrift.js,',
    '# faster to start).',
    '[ ! -x "$0.legacy" ] || "$0.legacy" "$@" || exit $?',
    ...resolver('node_modules/.bin', self, bundled(spec)),
    `set -- ${gitArgs(spec, 'sh').join(' ')}`,
    'run_acldrift "$@"',
    ...TAIL,
    '',
  ].join('\n')
}

/** The launcher committed with the shared hook configs: no machine's absolute paths in it. */
export function launcherScript(): string {
  return [
    '#!/bin/sh',
    `# Runs acldrift for the git hooks (husky, lefthook or pre-commit); ${MARKER}: commit it`,
    "# with them. acldrift is the repository's node_modules/.bin/acldrift (npm install",
    '# --save-dev acldrift), else acldrift on PATH (npm install -g acldrift); for the check and the',
    '# message hooks, its hook bundle (acldrift-hook) when it has one: it starts faster.',
    '# Usage: sh .acldrift/acldrift.sh check --staged | hook commit-msg FILE | hook prepare-commit-msg FILE',
    '#        | hook post-rewrite amend|rebase (the rewritten commits on stdin)',
    ...resolver('$(dirname "$0")/../node_modules/.bin', undefined, BUNDLED_ARGS),
    'run_acldrift "$@"',
    ...TAIL,
    '',
  ].join('\n')
}

/**
 * The launcher a coding agent's hook configuration runs (`sh .acldrift/agent-hook.sh HARNESS
 * EVENT`, committed). When acldrift is missing or dies before it answers (a crash, a kill, out
 * of memory), the harness would take the failure as "go ahead": on the events where a hook can
 * block, the launcher gives the harness's blocking answer instead (fail closed).
 */
export function agentLauncherScript(harnesses: readonly Harness[]): string {
  const blocking = harnesses.flatMap((harness) =>
    harness.failClosed.map((event) => {
      const {code, stdout} = harness.launcherBlock
      const say = stdout === undefined ? '' : `printf '%s\\n' ${sq(stdout)}; `
      // acldrift's own blocking answer passes as it is; any other failure gets the launcher's.
      const own = stdout === undefined ? `[ "$status" -eq ${code} ] || ` : ''
      return `  ${sq(`${harness.name} ${event}`)}) ${own}{ ${say}echo ${sq(AGENT_FAILED)} >&2; exit ${code}; } ;;`
    }),
  )
  return [
    '#!/bin/sh',
    `# Runs acldrift for coding agents' hooks; ${MARKER}: commit it with the agents' hook`,
    "# configuration. acldrift is the repository's node_modules/.bin/acldrift (npm install",
    '# --save-dev acldrift), else acldrift on PATH (npm install -g acldrift).',
    "# Usage: sh .acldrift/agent-hook.sh HARNESS EVENT, with the harness's JSON on stdin.",
    ...resolver('$(dirname "$0")/../node_modules/.bin', undefined, false),
    'run_acldrift hook agent "$1" "$2"',
    'status=$?',
    '[ "$status" -ne 0 ] || exit 0',
    'case "$1 $2" in',
    ...blocking,
    'esac',
    'exit "$status"',
    '',
  ].join('\n')
}

const AGENT_FAILED =
  "acldrift's agent hook did not answer (acldrift is missing, or it crashed or was killed): the call is blocked to be safe. Tell the user; do not work around it."

/** The command a shared manager runs for a hook, e.g. `sh .acldrift/acldrift.sh check --staged`. */
export function launcherCommand(name: GitHookName, style: 'sh' | 'lefthook' | 'pre-commit'): string {
  const spec = HOOKS[name]
  // pre-commit appends the message file itself.
  const args = style === 'pre-commit' ? spec.args : gitArgs(spec, style)
  return ['sh', LAUNCHER, ...args].join(' ')
}

/** What a plain git hook runs, as one would add it to a hook of one's own: `acldrift check --staged --quiet`. */
export const hookLine = (name: GitHookName) => ['acldrift', ...gitArgs(HOOKS[name], 'sh')].join(' ')

/** A husky v9 hook file (husky runs it with `sh -e`). */
export function huskyScript(name: GitHookName): string {
  return `# acldrift: ${HOOKS[name].purpose} (${MARKER})\n${launcherCommand(name, 'sh')}\n`
}
