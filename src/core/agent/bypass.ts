// The shell commands that get around acldrift's hooks or take a human's decision: the ways an
// agent skips the pre-commit check (`git commit --no-verify`, `-c core.hooksPath=…`, HUSKY=0,
// plumbing that makes commits without hooks), edits the hooks or acldrift's own files, or
// approves its own change (`acldrift approve`, `acldrift baseline update`). Read from the
// commands as the shell runs them (shell-words.ts), through `sh -c`, `env`, `xargs` and the like.

import {parseShell, ShellSyntaxError, type SimpleCommand, type Word} from './shell-words.js'

export interface Bypass {
  /** what the command does, in plain words */
  what: string
  /** the command, as its words */
  command: string
  /** true: only a way around the git hooks (blocked when the repository has them) */
  hookBypass: boolean
  /**
   * The refs the command creates, moves or deletes, each as the full refs it may be (ANY_REF: only
   * known at run time): a bypass only when one of them is the configured baseline's
   * (`baselineRefs`; hook.ts decides).
   */
  refs?: string[]
}

/** A ref a command writes that is only known at run time. */
export const ANY_REF = '*'

/** The paths an agent must not write by shell: hooks, acldrift's files, the agents' hook configs. */
export interface ProtectedPaths {
  /** relative to the repository root, `/`-separated, ending in `/` for folders */
  paths: readonly string[]
}

/** Commands that run their arguments as a command (after their own options). */
const WRAPPERS: Record<string, {valued: RegExp; stopAtFirst?: boolean}> = {
  env: {valued: /^-(u|C|S)$|^--(unset|chdir|split-string)$/},
  command: {valued: /^$/},
  exec: {valued: /^-a$/},
  nice: {valued: /^-n$|^--adjustment$/},
  nohup: {valued: /^$/},
  time: {valued: /^-f$|^-o$/},
  timeout: {valued: /^-s$|^-k$|^--signal$|^--kill-after$/, stopAtFirst: true},
  sudo: {valued: /^-(u|g|C|D|h|p|r|t|U)$/},
  doas: {valued: /^-(u|C)$/},
  xargs: {valued: /^-(a|d|E|e|I|i|L|l|n|P|s)$/},
  stdbuf: {valued: /^-(i|o|e)$/},
  nsenter: {valued: /^$/},
  chronic: {valued: /^$/},
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'fish'])

/** Commands that only read: mentioning a protected path is fine. */
const READERS = new Set([
  'cat',
  'less',
  'more',
  'head',
  'tail',
  'ls',
  'grep',
  'egrep',
  'fgrep',
  'rg',
  'ag',
  'wc',
  'stat',
  'file',
  'diff',
  'cmp',
  'test',
  '[',
  'echo',
  'printf',
  'jq',
  'yq',
  'bat',
  'sha256sum',
  'md5sum',
  'realpath',
  'readlink',
  'tree',
  'du',
])

const basename = (word: string) => word.slice(word.lastIndexOf('/') + 1)
const show = (words: Word[]) => words.map((w) => (w.dynamic ? `${w.text}…` : w.text)).join(' ')

/**
 * The bypasses in a command line. A line that does not parse is one: acldrift cannot tell
 * what it would run.
 */
export function findBypasses(line: string, guarded: ProtectedPaths): Bypass[] {
  let commands: SimpleCommand[]
  try {
    commands = parseShell(line)
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error
    return [
      {
        what: `the command does not parse (${error.message}), so acldrift cannot tell what it runs`,
        command: line,
        hookBypass: true,
      },
    ]
  }
  return commands.flatMap((command) => commandBypasses(command, guarded, 0))
}

function commandBypasses(command: SimpleCommand, guarded: ProtectedPaths, depth: number): Bypass[] {
  const found: Bypass[] = []
  const text = show([
    ...command.assignments.map((a) => ({text: `${a.name}=${a.value.text}`, dynamic: a.value.dynamic})),
    ...command.words,
  ])
  for (const target of command.writes) {
    const path = protectedPath(target.text, guarded)
    if (path !== undefined)
      found.push({what: `writes ${path} (redirection)`, command: text, hookBypass: false})
  }
  for (const {name, value} of command.assignments) {
    const skip = skippingVariable(name, value)
    if (skip !== undefined) found.push({what: skip, command: text, hookBypass: true})
  }
  found.push(...invocationBypasses(command.words, guarded, depth, text))
  return found
}

/** Environment variables that make hook managers or git skip hooks. */
function skippingVariable(name: string, value: Word): string | undefined {
  const upper = name.toUpperCase()
  if (upper === 'HUSKY' && value.text === '0') return 'HUSKY=0 makes husky skip the hooks'
  if (upper === 'LEFTHOOK' && (value.text === '0' || value.text === 'false'))
    return 'LEFTHOOK=0 makes lefthook skip the hooks'
  if ((upper === 'SKIP' || upper === 'LEFTHOOK_EXCLUDE') && (value.dynamic || /acldrift/i.test(value.text)))
    return `${name}=${value.text} skips acldrift's hooks`
  if (
    /^GIT_CONFIG_(PARAMETERS|KEY_\d+|COUNT)$/.test(upper) &&
    (value.dynamic || /hookspath/i.test(value.text))
  )
    return `${name} sets git config for the command (core.hooksPath)`
  if (
    upper === 'GIT_CONFIG_GLOBAL' ||
    upper === 'GIT_CONFIG_SYSTEM' ||
    upper === 'GIT_DIR' ||
    upper === 'GIT_COMMON_DIR'
  )
    return `${name} points git at other configuration or another repository (its hooks)`
  return undefined
}

function invocationBypasses(words: Word[], guarded: ProtectedPaths, depth: number, text: string): Bypass[] {
  if (words.length === 0 || depth > 8) return []
  const [head, ...args] = words
  if (head!.dynamic) {
    // `$CMD commit --no-verify`: the command itself is only known at run time.
    return args.some((a) => /verify|hookspath|approve/i.test(a.text))
      ? [
          {
            what: 'runs a command only known at run time with hook-related arguments',
            command: text,
            hookBypass: true,
          },
        ]
      : []
  }
  const name = basename(head!.text)
  const wrapper = WRAPPERS[name]
  if (name === 'env') {
    // `env HUSKY=0 git commit`: the assignments are the command's environment.
    const skips = args
      .map((a) => /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(a.text))
      .flatMap((m, i) =>
        m === null ? [] : [skippingVariable(m[1]!, {text: m[2]!, dynamic: args[i]!.dynamic})],
      )
      .filter((what): what is string => what !== undefined)
    if (skips.length > 0) return skips.map((what) => ({what, command: text, hookBypass: true}))
  }
  if (wrapper !== undefined)
    return invocationBypasses(
      afterOptions(args, wrapper.valued, name, wrapper.stopAtFirst),
      guarded,
      depth + 1,
      text,
    )
  if (SHELLS.has(name)) return shellBypasses(args, guarded, text)
  if (name === 'eval') return findBypasses(args.map((a) => a.text).join(' '), guarded)
  if (name === 'git') return gitBypasses(args, guarded, text)
  if (isAcldrift(name, args)) return acldriftBypasses(name === 'acldrift' ? args : args.slice(1), text)
  if (
    name === 'npx' ||
    (name === 'npm' && args[0]?.text === 'exec') ||
    name === 'pnpm' ||
    name === 'yarn' ||
    name === 'bunx'
  ) {
    const rest = args.filter((a) => !a.text.startsWith('-') && a.text !== 'exec' && a.text !== 'dlx')
    if (rest[0] !== undefined && /^acldrift(@|$)/.test(basename(rest[0].text)))
      return acldriftBypasses(rest.slice(1), text)
  }
  if (READERS.has(name)) return []
  // Any other command that names a protected path may write it (cp, mv, rm, sed -i, tee, chmod, ln …).
  const found: Bypass[] = []
  for (const arg of args) {
    const path = protectedPath(
      arg.text.replace(/^[^=]*=(?=.)/, (m) => (arg.text.startsWith('-') ? '' : m)),
      guarded,
    )
    if (path !== undefined) found.push({what: `${name} on ${path}`, command: text, hookBypass: false})
  }
  return found
}

/** `sh -c 'script'`, `bash -lc "script"`, `sh script.sh` (a script file is not read). */
function shellBypasses(args: Word[], guarded: ProtectedPaths, text: string): Bypass[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!.text
    if (arg === '--') break
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(arg)) {
      const script = args[i + 1]
      if (script === undefined) return []
      if (script.dynamic)
        return [{what: 'runs a shell script only known at run time', command: text, hookBypass: true}]
      return findBypasses(script.text, guarded).map((b) => ({...b, command: text}))
    }
    if (!arg.startsWith('-') && !arg.startsWith('+')) {
      // `sh .acldrift/acldrift.sh approve …`: acldrift's own launcher.
      if (basename(arg) === 'acldrift.sh') return acldriftBypasses(args.slice(i + 1), text)
      return []
    }
  }
  return []
}

/** The words after a wrapper's own options (and `VAR=value` for env). */
function afterOptions(args: Word[], valued: RegExp, name: string, skipFirst = false): Word[] {
  let i = 0
  while (i < args.length) {
    const arg = args[i]!.text
    if (arg === '--') return args.slice(i + 1)
    if (arg.startsWith('-') && arg.length > 1) {
      i += valued.test(arg) ? 2 : 1
      continue
    }
    if (name === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) {
      i++
      continue
    }
    break
  }
  return args.slice(skipFirst ? i + 1 : i)
}

function isAcldrift(name: string, args: Word[]): boolean {
  if (name === 'acldrift') return true
  // `node node_modules/acldrift/bin/run.js …`, `node …/acldrift/bin/run.js …`
  return (
    name === 'node' &&
    args[0] !== undefined &&
    /(^|\/)acldrift\/bin\/run\.js$|node_modules\/\.bin\/acldrift$/.test(args[0].text)
  )
}

function acldriftBypasses(args: Word[], text: string): Bypass[] {
  const positional = args.filter((a) => !a.text.startsWith('-')).map((a) => a.text)
  if (positional[0] === 'approve')
    return [
      {
        what: "acldrift approve records a human's approval: a person must run it",
        command: text,
        hookBypass: false,
      },
    ]
  if (positional[0] === 'baseline' && positional[1] === 'update')
    return [
      {
        what: 'acldrift baseline update promotes the current state to the approved baseline: a person must run it',
        command: text,
        hookBypass: false,
      },
    ]
  return []
}

// git's global options that take a separate value (`git -C dir …`).
const GIT_VALUED = new Set([
  '-C',
  '-c',
  '--git-dir',
  '--work-tree',
  '--namespace',
  '--exec-path',
  '--config-env',
  '--super-prefix',
  '--list-cmds',
  '--attr-source',
])

function gitBypasses(args: Word[], guarded: ProtectedPaths, text: string): Bypass[] {
  const found: Bypass[] = []
  const bypass = (what: string, hookBypass = true) => found.push({what, command: text, hookBypass})
  let i = 0
  for (; i < args.length; i++) {
    const arg = args[i]!
    if (!arg.text.startsWith('-')) break
    const [flag, attached] =
      arg.text.includes('=') && arg.text.startsWith('--')
        ? [arg.text.slice(0, arg.text.indexOf('=')), arg.text.slice(arg.text.indexOf('=') + 1)]
        : [arg.text, undefined]
    const value =
      attached !== undefined
        ? {text: attached, dynamic: arg.dynamic}
        : GIT_VALUED.has(flag)
          ? args[++i]
          : undefined
    if (
      (flag === '-c' || flag === '--config-env') &&
      value !== undefined &&
      (value.dynamic || /^core\.hookspath\b/i.test(value.text))
    )
      bypass(`git ${flag} ${value.text} runs git with another hooks directory`)
    if ((flag === '--git-dir' || flag === '--exec-path') && value !== undefined)
      bypass(`git ${flag}=${value.text} runs git with another repository or git (its hooks)`)
    if (flag.startsWith('-c') && flag.length > 2 && /hookspath/i.test(flag))
      bypass(`git ${flag} runs git with another hooks directory`)
  }
  const sub = args[i]
  if (sub === undefined) return found
  const rest = args.slice(i + 1)
  if (sub.dynamic) {
    bypass('runs a git subcommand only known at run time')
    return found
  }
  switch (sub.text) {
    case 'commit':
    case 'merge':
    case 'am':
    case 'cherry-pick':
    case 'revert':
    case 'rebase':
    case 'pull':
      if (skipsVerify(sub.text, rest)) bypass(`git ${sub.text} without the hooks (--no-verify)`)
      break
    case 'commit-tree':
    case 'update-ref':
    case 'fast-import':
    case 'replace':
    case 'filter-branch':
    case 'filter-repo':
      bypass(`git ${sub.text} writes commits or refs without the hooks`)
      break
    case 'tag':
      if (movesTag(rest))
        bypass(
          'git tag --force/--delete moves or deletes a tag: a revision baseline (`baseline: v1`) is the approved state every edit and commit is compared with',
        )
      break
    case 'config':
      if (rest.some((a) => a.dynamic || /^core\.hookspath$/i.test(a.text) || /^--edit$|^-e$/.test(a.text)))
        bypass('git config changes core.hooksPath (where git looks for hooks)')
      break
    case 'update-index':
      if (rest.some((a) => /^--(assume-unchanged|skip-worktree)$/.test(a.text)))
        bypass(`git update-index hides changes from the staged check`, true)
      break
  }
  const refs = refWrites(sub.text, rest)
  if (refs.length > 0)
    found.push({
      what: `git ${sub.text} creates, moves or deletes ${refs.includes(ANY_REF) ? 'a ref only known at run time' : refs.join(', ')}, the configured baseline (the approved state every edit and commit is compared with)`,
      command: text,
      hookBypass: true,
      refs,
    })
  for (const arg of rest) {
    const path = protectedPath(arg.text, guarded)
    if (
      path !== undefined &&
      ['rm', 'mv', 'checkout', 'restore', 'apply', 'clean', 'config', 'update-index'].includes(sub.text)
    )
      bypass(`git ${sub.text} on ${path}`, false)
  }
  return found
}

// The value-taking short options of the commands that take --no-verify, so that `-nm msg` and
// `-m -n` are told apart: in `-m -n`, -n is the message.
const SHORT_VALUED: Record<string, string> = {
  commit: 'mFcCtuS',
  merge: 'msSX',
  am: 'CpS',
  'cherry-pick': 'mXS',
  revert: 'mXS',
  rebase: 'sSxX',
  pull: 'sSX',
}
const LONG_VALUED =
  /^--(message|file|reuse-message|reedit-message|template|author|date|cleanup|fixup|squash|trailer|strategy|strategy-option|exec|onto|gpg-sign|pathspec-from-file)$/

/** What gitOptions gives for a word only known at run time that may be an option. */
const DYNAMIC = '$'

interface GitOption {
  /** `--long` (before any `=`), `-x` (one letter of a cluster), or DYNAMIC */
  flag: string
  /** its value, where it takes one (`valued`): attached (`--m=x`, `-mx`) or the next word */
  value?: Word
}

/**
 * A git command's arguments read as git's option parser reads them: each long option's name
 * (before any `=`), each letter of a cluster of short ones as `-x` up to one that takes a value
 * (`short`), whose value is the rest of the cluster or the next word, as is a long one's that
 * `long` names and that has no `=`; DYNAMIC for a word only known at run time that may be an
 * option. The other words, and every word after `--`, are positionals.
 */
function parseGitArgs(args: Word[], valued: {short: string; long: RegExp}) {
  const options: GitOption[] = []
  const positionals: Word[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg.text === '--') {
      positionals.push(...args.slice(i + 1))
      break
    }
    if (arg.dynamic && /^$|^-/.test(arg.text)) {
      options.push({flag: DYNAMIC})
      continue
    }
    if (arg.text.startsWith('--')) {
      const at = arg.text.indexOf('=')
      const flag = at === -1 ? arg.text : arg.text.slice(0, at)
      if (at !== -1) options.push({flag, value: {text: arg.text.slice(at + 1), dynamic: arg.dynamic}})
      else if (valued.long.test(flag)) options.push({flag, ...optionalValue(args[++i])})
      else options.push({flag})
      continue
    }
    if (!arg.text.startsWith('-') || arg.text === '-') {
      positionals.push(arg)
      continue
    }
    for (let c = 1; c < arg.text.length; c++) {
      const letter = arg.text[c]!
      if (!valued.short.includes(letter)) {
        options.push({flag: `-${letter}`})
        continue
      }
      const value =
        c === arg.text.length - 1 ? args[++i] : {text: arg.text.slice(c + 1), dynamic: arg.dynamic}
      options.push({flag: `-${letter}`, ...optionalValue(value)})
      break
    }
  }
  return {options, positionals}
}

const optionalValue = (value: Word | undefined) => (value === undefined ? {} : {value})

/** The options among a git command's arguments (parseGitArgs), by name. */
const gitOptions = (args: Word[], valued: {short: string; long: RegExp}) =>
  parseGitArgs(args, valued).options.map((o) => o.flag)

function skipsVerify(sub: string, args: Word[]): boolean {
  let skip = false
  for (const option of gitOptions(args, {short: SHORT_VALUED[sub] ?? '', long: LONG_VALUED})) {
    if (option === DYNAMIC) return true
    // git accepts any unambiguous prefix of a long option: --no-verif, --no-ve
    if (option.length >= 6 && '--no-verify'.startsWith(option)) skip = true
    else if (option.length >= 4 && '--verify'.startsWith(option)) skip = false
    else if (option === '-n' && sub === 'commit') skip = true
  }
  return skip
}

/**
 * Whether `git tag ARGS` moves (`-f`, `--force`) or deletes (`-d`, `--delete`) a tag; a word only
 * known at run time that may be an option counts. Short options cluster (`-fa`) up to one that
 * takes a value (`-m`, `-F`, `-u`); git takes any unambiguous prefix of a long one (`--forc`).
 */
function movesTag(args: Word[]): boolean {
  for (const option of gitOptions(args, {short: 'mFu', long: /^--(message|file|local-user)$/}))
    if (
      option === DYNAMIC ||
      option === '-f' ||
      option === '-d' ||
      (option.length >= 6 && '--force'.startsWith(option)) ||
      (option.length >= 3 && '--delete'.startsWith(option))
    )
      return true
  return false
}

/** The protected path a word names, if any (as given: relative to the working directory or absolute). */
function protectedPath(word: string, guarded: ProtectedPaths): string | undefined {
  const normal = word.replace(/^\.\//, '').replace(/\/{2,}/g, '/')
  for (const path of guarded.paths) {
    const bare = path.replace(/\/$/, '')
    const at = normal.indexOf(bare)
    if (at === -1) continue
    // The path at the start of the word or after a `/` (an absolute path), and ending there or in a `/`.
    const before = at === 0 || normal[at - 1] === '/'
    const after = normal.length === at + bare.length || normal[at + bare.length] === '/'
    if (before && after) return path
  }
  return undefined
}

/** Whether `flag` is the long option `name` or a prefix of it git takes (at least `min` long). */
const long = (flag: string, name: string, min: number) => flag.length >= min && name.startsWith(flag)

/** A branch name or ref as written: the full refs it may be when `prefixes` complete it. */
function named(word: Word, prefixes: readonly string[]): string[] {
  if (word.dynamic) return [ANY_REF]
  const text = word.text.replace(/^\+/, '')
  return text.startsWith('refs/') ? [text] : prefixes.map((prefix) => `${prefix}${text}`)
}

const HEADS = ['refs/heads/']
const HEADS_OR_TAGS = ['refs/heads/', 'refs/tags/']

/**
 * The refs `git SUB ARGS` creates, moves or deletes (each as the full refs it may be): a branch
 * created, forced, renamed, copied or deleted (`branch`, `checkout -b/-B`, `switch -c/-C`,
 * `worktree add -b/-B`), a tag created (`tag NAME`; moving or deleting one is refused anyway), a
 * symbolic ref written, and the local refs a fetch or a push writes (`git push . evil:main`,
 * `git fetch . evil:main`; a push to a named remote updates its remote-tracking ref). Not
 * included: what moves the branch checked out (`reset`, `commit`, `rebase`…), which depends on
 * the current branch.
 */
function refWrites(sub: string, args: Word[]): string[] {
  switch (sub) {
    case 'branch':
      return branchWrites(args)
    case 'checkout':
    case 'switch': {
      const {options} = parseGitArgs(args, {short: 'bBcC', long: /^--(create|force-create|orphan|conflict)$/})
      return options.flatMap(({flag, value}) => {
        if (flag === DYNAMIC) return [ANY_REF]
        const creates =
          ['-b', '-B'].includes(flag) ||
          (sub === 'switch' && ['-c', '-C'].includes(flag)) ||
          long(flag, '--create', 4) ||
          long(flag, '--force-create', 3) ||
          long(flag, '--orphan', 4)
        return creates && value !== undefined ? named(value, HEADS) : []
      })
    }
    case 'worktree': {
      if (args[0]?.text !== 'add') return args[0]?.dynamic === true ? [ANY_REF] : []
      const {options} = parseGitArgs(args.slice(1), {short: 'bB', long: /^--reason$/})
      return options.flatMap(({flag, value}) =>
        flag === DYNAMIC
          ? [ANY_REF]
          : ['-b', '-B'].includes(flag) && value !== undefined
            ? named(value, HEADS)
            : [],
      )
    }
    case 'tag': {
      const {options, positionals} = parseGitArgs(args, {
        short: 'mFu',
        long: /^--(message|file|local-user|contains|no-contains|merged|no-merged|points-at|sort|format)$/,
      })
      if (options.some((o) => o.flag === DYNAMIC)) return [ANY_REF]
      const lists = options.some(
        ({flag}) => ['-l', '-n', '-v', '-d'].includes(flag) || TAG_LISTING.test(flag),
      )
      return lists || positionals[0] === undefined ? [] : named(positionals[0], ['refs/tags/'])
    }
    case 'symbolic-ref': {
      const {options, positionals} = parseGitArgs(args, {short: 'm', long: /^$/})
      const deletes = options.some(({flag}) => flag === '-d' || long(flag, '--delete', 3))
      return positionals[0] !== undefined && (deletes || positionals.length >= 2)
        ? named(positionals[0], [''])
        : []
    }
    case 'push':
    case 'fetch':
    case 'pull':
      return transferWrites(sub, args)
    default:
      return []
  }
}

const TAG_LISTING = /^--(list?|contains|no-contains|merged|no-merged|points-at|sort|format|verify|column)/

function branchWrites(args: Word[]): string[] {
  const {options, positionals} = parseGitArgs(args, {
    short: 'u',
    long: /^--(set-upstream-to|format|sort|points-at|contains|no-contains|merged|no-merged)$/,
  })
  if (options.some((o) => o.flag === DYNAMIC)) return [ANY_REF]
  const has = (short: string[], name: string, min: number) =>
    options.some(({flag}) => short.includes(flag) || long(flag, name, min))
  const remote = has(['-r'], '--remotes', 5)
  if (has(['-d', '-D'], '--delete', 5))
    return positionals.flatMap((p) => named(p, remote ? ['refs/remotes/'] : HEADS))
  if (has(['-m', '-M'], '--move', 4) || has(['-c', '-C'], '--copy', 5))
    return positionals.flatMap((p) => named(p, HEADS))
  const lists =
    remote ||
    options.some(
      ({flag}) =>
        ['-l', '-a', '-v', '-u'].includes(flag) ||
        /^--(list?|all|contains|no-contains|merged|no-merged|points-at|show-current|verbose|format|sort|set-upstream-to|unset-upstream|edit-description)/.test(
          flag,
        ),
    )
  return lists || positionals[0] === undefined ? [] : named(positionals[0], HEADS)
}

/**
 * The local refs a push or a fetch writes from its refspecs: a push to this repository (`.` or a
 * path) writes the destination; a push to a named remote, that remote's remote-tracking ref; a
 * fetch (or pull) with `SRC:DST`, DST.
 */
function transferWrites(sub: string, args: Word[]): string[] {
  const {options, positionals} = parseGitArgs(args, {
    short: 'ojsSXr',
    long: /^--(repo|receive-pack|upload-pack|exec|push-option|server-option|depth|deepen|shallow-since|shallow-exclude|refmap|jobs|negotiation-tip|strategy|strategy-option|gpg-sign)$/,
  })
  const [remote, ...specs] = positionals
  if (remote === undefined) return []
  if (options.some((o) => o.flag === DYNAMIC) || remote.dynamic) return specs.length > 0 ? [ANY_REF] : []
  const local = remote.text === '.' || /^(\/|\.\.?\/|file:)/.test(remote.text)
  const deletes = sub === 'push' && options.some(({flag}) => flag === '-d' || long(flag, '--delete', 4))
  return specs.flatMap((spec) => {
    if (spec.dynamic) return [ANY_REF]
    const text = spec.text.replace(/^\+/, '')
    const colon = text.lastIndexOf(':')
    if (sub !== 'push' && colon === -1) return []
    const dst = {text: colon === -1 || deletes ? text : text.slice(colon + 1), dynamic: false}
    if (dst.text === '' || dst.text === 'HEAD') return sub === 'push' && local ? [ANY_REF] : []
    if (sub !== 'push' || local) return named(dst, HEADS_OR_TAGS)
    const branch = dst.text.replace(/^refs\/heads\//, '')
    return branch.startsWith('refs/') ? [] : [`refs/remotes/${remote.text}/${branch}`]
  })
}

/**
 * The refs git may read a baseline revision from, as gitrevisions(7) resolves a name
 * (`$GIT_DIR/NAME`, `refs/NAME`, `refs/tags/NAME`, `refs/heads/NAME`, `refs/remotes/NAME`,
 * `refs/remotes/NAME/HEAD`; `main~2` is read from `main`): writing any of them moves (or
 * shadows) the baseline. A name starting with `refs/` is that ref alone.
 */
export function baselineRefs(revision: string): string[] {
  const name = revision.split(/[~^:]|@\{/)[0]!
  if (name === '' || name === 'HEAD' || name === '@') return []
  if (name.startsWith('refs/')) return [name]
  return [
    name,
    `refs/${name}`,
    `refs/tags/${name}`,
    `refs/heads/${name}`,
    `refs/remotes/${name}`,
    `refs/remotes/${name}/HEAD`,
  ]
}

/**
 * Whether a command's ref writes (a Bypass's `refs`) touch one of `baseline` (baselineRefs;
 * ANY_REF there: the baseline is not known, and every ref counts).
 */
export const writesBaseline = (refs: readonly string[], baseline: readonly string[]) =>
  baseline.length > 0 &&
  refs.some((ref) => ref === ANY_REF || baseline.includes(ANY_REF) || baseline.includes(ref))
