// `acldrift hook agent`: one tool call of a coding agent, judged before it runs. This module is
// the fast path: it runs on every call and loads neither git nor the comparison engine, so that
// an edit of a file that is no access config passes in a few milliseconds. It decides:
//   - writes into the git directory and acldrift's own folder: blocked (hooks, approvals, baseline);
//   - edits of a hook configuration (the harness's own, husky's, lefthook's, pre-commit's) that
//     stop running acldrift, or that disable the harness's hooks: blocked;
//   - edits of a path the inventory reads as an access config (or may): the slow path (review.ts);
//   - shell commands: the bypass forms (bypass.ts);
//   - the end of a turn: the working tree against the approved state (review.ts).
// Anything that fails after the call is known to touch an access config blocks (`state.sensitive`).

import {dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'
import {dotGitDir} from '../../git/dot-git.js'
import {readRegularIfExists} from '../../kernel/files.js'
import {CONFIG_FILE} from '../config-file.js'
import {compileGlobs, mayBeAccessConfig} from './candidates.js'
import {applyEdit, unknowable} from './edits.js'
import {HARNESSES, type Harness, type HookCall, hooksDropped} from './harnesses.js'
import type {ConfigView, EditAction, Entry, Judgement, Proposed, Repository} from './judgement.js'

/**
 * What the CLI needs to fail closed: `sensitive` names what the call may touch (an edit, until
 * it is shown to be of no access config; the working tree at the end of a turn). A failure
 * while it is set blocks.
 */
export interface HookState {
  sensitive?: string
}

const ALLOW: Judgement = {}

/** Paths an agent never writes, relative to the repository root; why, in plain words. */
const GUARDED: ReadonlyArray<[prefix: string, why: string]> = [
  ['.git/', "the git directory holds the hooks, the git config (core.hooksPath) and acldrift's decision log"],
  [
    '.acldrift/',
    "acldrift's own files (approvals, the approved baseline, the hook launcher) are a person's to change",
  ],
]

/** Hook configurations of the git hook managers: they must keep running acldrift. */
const MANAGER_CONFIGS = [/^\.husky\/[^/]+$/, /^\.?lefthook\.ya?ml$/, /^\.pre-commit-config\.ya?ml$/]

/** Paths whose shell writes are bypasses (bypass.ts); the harnesses' hook configs among them. */
export const SHELL_GUARDED = [
  '.git/',
  '.acldrift/',
  '.husky/',
  ...HARNESSES.map((h) => h.configFile),
  '.claude/settings.local.json',
]

/** The repository a path is in, found by walking up to its `.git`. */
async function locate(start: string): Promise<Repository | undefined> {
  for (let dir = start; ; dir = dirname(dir)) {
    const gitDir = await dotGitDir(dir)
    if (gitDir !== undefined) return {root: dir, gitDir}
    if (dirname(dir) === dir) return undefined
  }
}

const posixPath = (path: string) => path.split(sep).join('/')

/**
 * The slow paths' modules (access-edit.ts for an edit, review.ts at the end of a turn), when the
 * caller loads them its own way, for the repository whose git directory is `gitDir` (the CLI:
 * from the hook bundle's code-cached body).
 */
export interface SlowPaths {
  accessEdit(gitDir: string): Promise<Pick<typeof import('./access-edit.js'), 'judgeAccessEdit'>>
  review(gitDir: string): Promise<Pick<typeof import('./review.js'), 'reviewWorkingTree' | 'logged'>>
}

export async function judge(
  harness: Harness,
  event: string,
  call: HookCall,
  state: HookState,
  slow?: SlowPaths,
): Promise<Judgement> {
  const {action} = call
  const base = call.cwd ?? process.cwd()
  const entry: Entry = (over) => ({
    at: new Date().toISOString(),
    harness: harness.name,
    event,
    ...(call.session === undefined ? {} : {session: call.session}),
    action: 'edit',
    decision: 'blocked',
    findings: [],
    reasons: [],
    ...over,
  })
  switch (action.type) {
    case 'other':
      return ALLOW
    case 'edit':
      // Until shown to be no access config, an edit fails closed.
      state.sensitive = action.file
      return judgeEdit(resolve(base, action.file), action, entry, slow)
    case 'edits': {
      // One call, several files: the first refusal refuses the call.
      state.sensitive = action.edits.map((e) => e.file).join(', ')
      for (const {file, edit} of action.edits) {
        const judgement = await judgeEdit(
          resolve(base, file),
          {type: 'edit', tool: action.tool, file, edit},
          entry,
          slow,
        )
        if (judgement.refusal !== undefined) return judgement
      }
      return ALLOW
    }
    case 'shell':
      return judgeShell(resolve(base, action.cwd ?? '.'), action.command, entry)
    case 'stop':
      return judgeStop(base, action.repeated, state, entry, slow)
  }
}

async function judgeEdit(
  file: string,
  action: EditAction,
  entry: Entry,
  slow: SlowPaths | undefined,
): Promise<Judgement> {
  const proposed = async (): Promise<Proposed> => {
    const current = await readRegularIfExists(file)
    return {current, result: applyEdit(current?.toString('utf8'), action.edit)}
  }
  // Settings that switch every hook of the harness off, wherever they are (user settings too).
  if (/(^|\/)\.claude\/settings(\.local)?\.json$/.test(posixPath(file))) {
    const {result} = await proposed()
    if (!result.ok && result.unknown === true)
      return guarded(entry, file, action.tool, `${file}: ${unknowable(result.reason)}`)
    if (result.ok && /"disableAllHooks"\s*:\s*true/.test(result.content))
      return guarded(
        entry,
        file,
        action.tool,
        `${file}: disableAllHooks switches off every hook, acldrift's included`,
      )
  }
  const repo = await locate(dirname(file))
  if (repo === undefined) return ALLOW
  const path = posixPath(relative(repo.root, file))
  if (path.startsWith('..') || isAbsolute(path)) return ALLOW
  const log = (why: string) => guarded(entry, path, action.tool, why, repo.gitDir)
  for (const [prefix, why] of GUARDED) if (path.startsWith(prefix)) return log(`writing ${path}: ${why}`)
  // The config is a protected file: the git hooks judge a change to it (config-weakened). Its
  // edits pass here, so that an agent asked to fix a broken config can.
  if (path === CONFIG_FILE) return ALLOW

  const hookConfig = HARNESSES.find((h) => h.configFile === path)
  if (hookConfig !== undefined || MANAGER_CONFIGS.some((pattern) => pattern.test(path))) {
    const {current, result} = await proposed()
    if (!result.ok)
      // The tool fails the same way (nothing changes), unless it may write what nobody can know.
      return result.unknown === true ? log(`the edit of ${path}: ${unknowable(result.reason)}`) : ALLOW
    const before = current?.toString('utf8')
    const weakened =
      hookConfig !== undefined
        ? hooksDropped(hookConfig, before, result.content).length > 0
        : acldriftRuns(before) > acldriftRuns(result.content)
    if (weakened) return log(`the edit of ${path} stops running acldrift's hooks (config-weakened)`)
    return ALLOW
  }

  // Most edits end here, before anything heavy is loaded: a path no kind or format reads.
  const view = await configView(repo)
  if (!mayBeAccessConfig(path, view.globs)) return ALLOW
  // A candidate path: the slow path, loaded only now (by the CLI from the hook bundle's
  // code-cached body: `slow`).
  const {judgeAccessEdit} = await (slow?.accessEdit(repo.gitDir) ?? import('./access-edit.js'))
  return judgeAccessEdit(repo, path, view, action, entry, proposed)
}

function guarded(entry: Entry, file: string, tool: string, why: string, gitDir?: string): Judgement {
  return {
    refusal: {type: 'guarded', why},
    ...(gitDir === undefined ? {} : {log: {gitDir, entry: entry({tool, file, reasons: [why]})}}),
  }
}

/** How many times a hook manager's configuration runs acldrift. */
const acldriftRuns = (text: string | undefined) =>
  (text ?? '').split(/\.acldrift\/acldrift\.sh|\bacldrift (check|hook)\b/).length - 1

/**
 * The config's globs and excludes, which decide which paths are access configs. Read through
 * a cache in the git directory keyed by the config's content, so that the fast path parses no
 * YAML and loads neither picomatch nor the registries the config's validation needs.
 */
async function configView(repo: Repository): Promise<ConfigView> {
  const content = await readRegularIfExists(join(repo.root, CONFIG_FILE))
  if (content === undefined) return {text: '', documents: [], exclude: [], globs: []}
  const text = content.toString('latin1')
  const cacheFile = join(repo.gitDir, 'acldrift', 'config-view.json')
  const cached = await readRegularIfExists(cacheFile)
  if (cached !== undefined) {
    try {
      const view = JSON.parse(cached.toString('utf8'))
      if (view.text === text && Array.isArray(view.globs)) return view
    } catch {
      // rebuilt below
    }
  }
  const {loadConfig} = await import('../config.js')
  const config = await loadConfig(repo.root)
  const globs = await compileGlobs(config.documents.map((d) => d.glob))
  const view = {text, documents: config.documents, exclude: config.exclude, globs}
  const {writeFileAtomic} = await import('../../kernel/atomic.js')
  await writeFileAtomic(cacheFile, JSON.stringify(view)).catch(() => undefined)
  return view
}

async function judgeShell(cwd: string, command: string, entry: Entry): Promise<Judgement> {
  const {findBypasses, writesBaseline} = await import('./bypass.js')
  const bypasses = findBypasses(command, {paths: SHELL_GUARDED})
  if (bypasses.length === 0) return ALLOW
  const repo = await locate(cwd)
  const hooked = repo !== undefined && (await hasGitHooks(repo.root))
  const baseline =
    bypasses.some((b) => b.refs !== undefined) && repo !== undefined ? await baselineRefsOf(repo.root) : []
  const counted = bypasses.filter(
    (b) => (!b.hookBypass || hooked) && (b.refs === undefined || writesBaseline(b.refs, baseline)),
  )
  if (counted.length === 0) return ALLOW
  const reasons = counted.map((b) => b.what)
  return {
    refusal: {type: 'shell', command, reasons},
    ...(repo === undefined
      ? {}
      : {log: {gitDir: repo.gitDir, entry: entry({action: 'shell', command, reasons})}}),
  }
}

/**
 * The refs the configured revision baseline is read from (none for a snapshot file, or without a
 * `baseline:`: HEAD). A config that does not load leaves the baseline unknown: every ref counts.
 */
async function baselineRefsOf(root: string): Promise<string[]> {
  const [{loadConfig}, {baselineRefs, ANY_REF}] = await Promise.all([
    import('../config.js'),
    import('./bypass.js'),
  ])
  const named = await loadConfig(root).then(
    (config) => config.baseline,
    () => ANY_REF,
  )
  if (named === undefined) return []
  if (named === ANY_REF) return [ANY_REF]
  const snapshot = await readRegularIfExists(resolve(root, named)).catch(() => undefined)
  return snapshot === undefined ? baselineRefs(named) : []
}

/** Whether git runs acldrift's hooks here (the hooks directory or a hook manager's launcher). */
async function hasGitHooks(root: string): Promise<boolean> {
  const [{hooksDir}, {MARKER, LAUNCHER}] = await Promise.all([
    import('../../git/index.js'),
    import('../init/scripts.js'),
  ])
  if ((await readRegularIfExists(join(root, LAUNCHER))) !== undefined) return true
  const hook = await readRegularIfExists(join(await hooksDir(root), 'pre-commit')).catch(() => undefined)
  return hook !== undefined && hook.toString('utf8').includes(MARKER)
}

async function judgeStop(
  cwd: string,
  repeated: boolean,
  state: HookState,
  entry: Entry,
  slow: SlowPaths | undefined,
): Promise<Judgement> {
  // Told once already in this turn: let the agent finish (and report), or it would loop.
  if (repeated) return ALLOW
  const repo = await locate(cwd)
  if (repo === undefined) return ALLOW
  state.sensitive = '(working tree)'
  const {reviewWorkingTree, logged} = await (slow?.review(repo.gitDir) ?? import('./review.js'))
  const review = await reviewWorkingTree(repo.root)
  if (review.findings.length === 0 && review.problems.length === 0) return ALLOW
  return {
    refusal: {type: 'report', findings: review.findings, problems: review.problems},
    log: {
      gitDir: repo.gitDir,
      entry: entry({
        action: 'stop',
        decision: 'reported',
        findings: review.findings.map(logged),
        reasons: review.problems.map((p) => p.message),
      }),
    },
  }
}
