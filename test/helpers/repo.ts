// Real git repositories in temp dirs, and the built CLI, for end-to-end tests. No mocks.
//
// Importing this module isolates the test process from the developer's git setup: it drops
// inherited GIT_* variables (a test run from inside a git hook would otherwise act on the
// hook's repository) and ignores the global and system git config. Child processes started
// here (git, the CLI) also get an empty HOME and none of the CI or AI-agent variables that
// the actor classifier reads as runtime evidence; tests that want them pass them explicitly.

import {spawn} from 'node:child_process'
import {existsSync, rmSync} from 'node:fs'
import {cp, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile} from 'node:fs/promises'
import {devNull, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {childHome} from './home.js'

/** The acldrift checkout these tests belong to. */
export const projectRoot = fileURLToPath(new URL('../..', import.meta.url))

for (const name of Object.keys(process.env)) {
  if (name.startsWith('GIT_')) delete process.env[name]
}
process.env.GIT_CONFIG_GLOBAL = devNull
process.env.GIT_CONFIG_NOSYSTEM = '1'

// Runtime evidence of an agent or of CI, which must come from the test, not from whoever runs it.
const RUNTIME_MARKERS = [
  /^(CI|TF_BUILD|GITHUB_.*|GITLAB_.*|BUILDKITE.*|CIRCLE.*|JENKINS_.*)$/,
  /^(CLAUDECODE|CLAUDE_CODE_.*|AI_AGENT|AGENT|CURSOR_.*|CODEX_.*|GEMINI_CLI|CLINE_.*|AMP_.*|OZ_.*)$/,
  /^(OPENCODE|QWEN_CODE|AUGMENT_AGENT|CRUSH|PI_CODING_AGENT|TRAE_.*|REPL_ID|REPLIT_.*|FACTORY_.*|AIDER_.*)$/,
]

export type EnvOverrides = Record<string, string | undefined>

/** The environment of child processes: hermetic, then `overrides` (undefined removes a variable). */
function childEnv(overrides: EnvOverrides = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!RUNTIME_MARKERS.some((marker) => marker.test(name))) env[name] = value
  }
  const home = childHome()
  Object.assign(env, {HOME: home, XDG_CONFIG_HOME: join(home, '.config')})
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  return env
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

function run(
  command: string,
  args: readonly string[],
  options: {cwd: string; env: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {cwd: options.cwd, env: options.env, stdio: 'pipe'})
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.stdin.on('error', () => {}) // the process may exit without reading its input
    child.stdin.end(options.input)
    // A hang must fail the test with what the process printed, not stall the run.
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      const result = {
        code: code ?? -1,
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
      }
      if (signal !== null) result.stderr += `\n[killed by ${signal}]`
      resolve(result)
    })
  })
}

/**
 * Runs any program (git, a hook manager, `sh`) in `cwd` with the hermetic environment plus `env`.
 * Never throws on a non-zero exit: hooks print to standard error, and tests read both outputs.
 */
export function runHermetic(
  command: string,
  args: readonly string[],
  options: {cwd: string; env?: EnvOverrides; input?: string; timeoutMs?: number},
): Promise<RunResult> {
  return run(command, args, {
    cwd: options.cwd,
    env: childEnv(options.env),
    input: options.input,
    timeoutMs: options.timeoutMs,
  })
}

/** A git command that exited non-zero; the message carries the command and its output. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    super(`${command} exited with ${result.code}\n${result.stderr}${result.stdout}`)
  }
}

export interface Identity {
  name: string
  email: string
  /** Committer, when it differs from the author. */
  committerName?: string
  committerEmail?: string
  /** Author and committer date, any format git accepts (e.g. `2026-01-02T03:04:05Z`). */
  date?: string
}

export interface TestRepo {
  /** Absolute, symlink-free path of the work tree. */
  readonly dir: string
  /** Writes a file (relative path), creating its directories. */
  write(path: string, content: string | Buffer): Promise<void>
  /** Makes `path` a symlink to `target` (which may point anywhere, that is the point). */
  symlink(target: string, path: string): Promise<void>
  remove(path: string): Promise<void>
  /** `git add` of the given paths, or of everything when none are given. */
  stage(...paths: string[]): Promise<void>
  /** Commits what is staged as `identity` (default: the repository's human user); returns the new sha. */
  commit(message: string, identity?: Identity): Promise<string>
  /** Runs git in the repository; returns stdout, throws CommandError on failure. */
  git(...args: string[]): Promise<string>
  /** Like `git`, with `env` on top of the hermetic environment (e.g. an agent's CLAUDECODE=1). */
  gitEnv(env: EnvOverrides, ...args: string[]): Promise<string>
  cleanup(): Promise<void>
}

const human: Identity = {name: 'Alice Example', email: 'alice@example.com'}

/** A directory under the system temp dir, symlinks resolved (macOS's /var is /private/var). */
export async function makeTempDir(prefix = 'acldrift-test-'): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), prefix)))
}

const REPO_CONFIG: [string, string][] = [
  ['user.name', human.name],
  ['user.email', human.email],
  ['commit.gpgsign', 'false'],
  ['tag.gpgsign', 'false'],
  ['init.defaultBranch', 'main'],
  ['core.autocrlf', 'false'],
]

/**
 * An empty repository configured as createRepo's are, made once per worker and removed when it
 * exits: each new repository is a copy of its .git (git init and six git config runs per
 * repository were a good part of the suite's process starts).
 */
let template: Promise<string> | undefined
function templateRepo(): Promise<string> {
  return (template ??= (async () => {
    const dir = await makeTempDir('acldrift-template-')
    process.once('exit', () => rmSync(dir, {recursive: true, force: true}))
    const git = async (args: string[]) => {
      const result = await run('git', args, {cwd: dir, env: childEnv()})
      if (result.code !== 0) throw new CommandError(`git ${args.join(' ')}`, result)
    }
    await git(['init', '--quiet', '--initial-branch=main'])
    for (const [key, value] of REPO_CONFIG) await git(['config', key, value])
    return dir
  })())
}

/** A fresh repository on branch `main` with no commits, configured as `identities.human`. */
export async function createRepo(): Promise<TestRepo> {
  const dir = await makeTempDir()
  await cp(join(await templateRepo(), '.git'), join(dir, '.git'), {recursive: true})
  return repoIn(dir)
}

/**
 * A copy of the repository in `from`, work tree and .git, as `cp -a` makes it (modes, times and
 * symbolic links as they are). Left out: what acldrift's hooks remember in the git directory
 * for the commit being made (.git/acldrift): it names absolute paths of `from`, and a copy must not
 * pass off its entry as one its own hooks wrote.
 */
export async function copyRepo(from: string): Promise<TestRepo> {
  const dir = await makeTempDir()
  const memory = join(from, '.git', 'acldrift')
  await cp(from, dir, {
    recursive: true,
    preserveTimestamps: true,
    verbatimSymlinks: true,
    filter: (source) => source !== memory,
  })
  return repoIn(dir)
}

function repoIn(dir: string): TestRepo {
  async function git(args: string[], env: EnvOverrides = {}): Promise<string> {
    const result = await run('git', args, {cwd: dir, env: childEnv(env)})
    if (result.code !== 0) throw new CommandError(`git ${args.join(' ')}`, result)
    return result.stdout
  }

  /** HEAD's commit, read from .git as git writes it after a commit (else asked of git). */
  async function head(): Promise<string> {
    try {
      const text = (await readFile(join(dir, '.git', 'HEAD'), 'utf8')).trim()
      const ref = /^ref: (refs\/\S+)$/.exec(text)?.[1]
      const sha = ref === undefined ? text : (await readFile(join(dir, '.git', ref), 'utf8')).trim()
      if (/^[0-9a-f]{40}$/.test(sha)) return sha
    } catch {
      // a packed ref, or a .git that a test replaced: git knows
    }
    return (await git(['rev-parse', 'HEAD'])).trim()
  }

  return {
    dir,
    async write(path, content) {
      await mkdir(dirname(join(dir, path)), {recursive: true})
      await writeFile(join(dir, path), content)
    },
    async symlink(target, path) {
      await mkdir(dirname(join(dir, path)), {recursive: true})
      await symlink(target, join(dir, path))
    },
    async remove(path) {
      await rm(join(dir, path), {recursive: true})
    },
    async stage(...paths) {
      await git(paths.length > 0 ? ['add', '--', ...paths] : ['add', '--all'])
    },
    async commit(message, identity) {
      const env = identity === undefined ? {} : identityEnv(identity)
      await git(['commit', '--quiet', '--message', message], env)
      return head()
    },
    git: (...args) => git(args),
    gitEnv: (env, ...args) => git(args, env),
    cleanup: () => rm(dir, {recursive: true, force: true}),
  }
}

function identityEnv(identity: Identity): EnvOverrides {
  return {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.committerName ?? identity.name,
    GIT_COMMITTER_EMAIL: identity.committerEmail ?? identity.email,
    GIT_AUTHOR_DATE: identity.date,
    GIT_COMMITTER_DATE: identity.date,
  }
}

/** An identity as a tool commits it, with the message that tool writes for a given subject. */
export interface ToolIdentity extends Identity {
  message(subject: string): string
}

/** Ready identities, shaped as each tool marks its commits (the README's "Who made the change"). */
export const identities = {
  human: {...human, message: (subject) => subject},
  /** Claude Code commits as the human and marks the message. */
  claudeCode: {
    ...human,
    message: (subject) =>
      `${subject}\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n` +
      'Co-Authored-By: Claude <noreply@anthropic.com>\n',
  },
  copilotAgent: {
    name: 'copilot-swe-agent[bot]',
    email: '198982749+Copilot@users.noreply.github.com',
    message: (subject) =>
      `${subject}\n\nAgent-Logs-Url: https://github.com/example/app/sessions/0b6f3c1e-2d4a-4f5b-9c8d-7e6f5a4b3c2d\n` +
      `Co-authored-by: ${human.name} <${human.email}>\n`,
  },
  dependabot: {
    name: 'dependabot[bot]',
    email: '49699333+dependabot[bot]@users.noreply.github.com',
    message: (subject) => `${subject}\n\nSigned-off-by: dependabot[bot] <support@github.com>\n`,
  },
  devin: {
    name: 'Devin AI',
    email: '158243242+devin-ai-integration[bot]@users.noreply.github.com',
    message: (subject) => subject,
  },
  /** Aider keeps the human author and appends " (aider)" to the committer name. */
  aider: {
    ...human,
    committerName: `${human.name} (aider)`,
    message: (subject) =>
      `${subject}\n\nCo-authored-by: aider (anthropic/claude-sonnet-4) <aider@aider.chat>\n`,
  },
} satisfies Record<string, ToolIdentity>

/**
 * Runs the built CLI (`node bin/run.js …args`, which loads dist/) in `cwd`, with NO_COLOR=1
 * and without FORCE_COLOR unless `env` says otherwise. Never throws on a non-zero exit.
 */
export async function runCli(
  args: readonly string[],
  options: {cwd: string; env?: EnvOverrides; input?: string; timeoutMs?: number},
): Promise<RunResult> {
  if (!existsSync(join(projectRoot, 'dist'))) {
    throw new Error('dist/ is missing: run `npm run build` before the end-to-end tests')
  }
  return run(process.execPath, [join(projectRoot, 'bin', 'run.js'), ...args], {
    cwd: options.cwd,
    env: childEnv({NO_COLOR: '1', FORCE_COLOR: undefined, ...options.env}),
    input: options.input,
    timeoutMs: options.timeoutMs,
  })
}
