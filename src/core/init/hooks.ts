// Installing the hooks for one hook manager: plain git, husky, lefthook or pre-commit. Each gets
// post-rewrite too, where the manager runs it with git's stdin (plain git, husky, lefthook with
// use_stdin); beside pre-commit, which does not pass it on, the plain git hook.
// Nothing of the user's is replaced without --force, and init says what it left alone and how to
// finish by hand.

import {spawnSync} from 'node:child_process'
import {delimiter, join} from 'node:path'
import {Document, isMap, isScalar, isSeq, parseDocument, type YAMLMap, type YAMLSeq} from 'yaml'
import {hooksDir} from '../../git/index.js'
import {displayPath, exists, type InitStep, readIfExists, writeOwned} from './files.js'
import {writeFileAtomic} from '../../kernel/atomic.js'
import {
  GIT_HOOK_NAMES,
  PLAIN_GIT_HOOK_NAMES,
  gitHookScript,
  hookLine,
  huskyScript,
  LAUNCHER,
  launcherCommand,
  launcherScript,
  MARKER,
  type SelfInvocation,
} from './scripts.js'

/** The hooks that husky, lefthook and pre-commit install too. */
type SharedHookName = (typeof GIT_HOOK_NAMES)[number]

export const HOOK_MANAGERS = ['pre-commit', 'husky', 'lefthook', 'git'] as const
export type HookManager = (typeof HOOK_MANAGERS)[number]

interface HookInstall {
  steps: InitStep[]
  /** what the user still has to do, as commands or sentences */
  next: string[]
}

interface HookOptions {
  root: string
  force: boolean
  self: SelfInvocation
}

const isOurs = (existing: string) => existing.includes(MARKER)

export async function installHooks(manager: HookManager, options: HookOptions): Promise<HookInstall> {
  switch (manager) {
    case 'git':
      return installGitHooks(options)
    case 'husky':
      return withLauncher(options, await installHusky(options))
    case 'lefthook':
      return withLauncher(options, await installLefthook(options))
    case 'pre-commit':
      return withLauncher(options, await installPreCommit(options))
  }
}

// ── plain git ─────────────────────────────────────────────────────────────────────────────────

async function installGitHooks(options: HookOptions): Promise<HookInstall> {
  const dir = await hooksDir(options.root)
  const steps: InitStep[] = []
  const next: string[] = []
  for (const name of PLAIN_GIT_HOOK_NAMES) steps.push(await plainGitHook(dir, name, options))
  const shown = displayPath(options.root, dir)
  // husky v9 writes .husky/_ again on each `npx husky` (the `prepare` script): hooks there are lost.
  if (/(^|\/)\.husky(\/|$)/.test(shown))
    next.push(
      `core.hooksPath is ${shown} (husky), which husky rewrites on \`npx husky\`: run \`acldrift init --hook husky\` instead, which writes .husky/pre-commit, pre-merge-commit, commit-msg, prepare-commit-msg and post-rewrite`,
    )
  return {steps, next}
}

/** One plain git hook in the hooks directory; one of the user's is left alone without --force. */
async function plainGitHook(
  dir: string,
  name: (typeof PLAIN_GIT_HOOK_NAMES)[number],
  {root, force, self}: HookOptions,
): Promise<InitStep> {
  const path = join(dir, name)
  const line = hookLine(name)
  return writeOwned(
    {root, path, content: gitHookScript(name, self), executable: true, ours: isOurs},
    force,
    `a hook of yours is there: left alone. Add \`${line}\` to it, or run init again with --force to keep it as ${name}.legacy and run it before acldrift's`,
  )
}

// ── the launcher that shared configs call ────────────────────────────────────────────────────

async function withLauncher({root, force}: HookOptions, install: HookInstall): Promise<HookInstall> {
  const launcher = await writeOwned(
    {root, path: join(root, LAUNCHER), content: launcherScript(), executable: true, ours: isOurs},
    force,
    'a file of yours is there: left alone; the hooks call it to run acldrift',
  )
  const found = (await exists(join(root, 'node_modules', '.bin', 'acldrift'))) || (await onPath('acldrift'))
  const next = [...install.next]
  if (!found)
    next.push(
      'install acldrift where the hooks look for it: `npm install --save-dev acldrift` (or `npm install -g acldrift`)',
    )
  const steps = [launcher, ...install.steps]
  if (steps.some((step) => step.status !== 'unchanged' && step.status !== 'refused'))
    next.push(`commit ${LAUNCHER} and the hook configuration, so that everyone gets the hooks`)
  return {steps, next}
}

async function onPath(command: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean))
    if (await exists(join(dir, command))) return true
  return false
}

/** Whether git runs hooks of this manager already (it installed its scripts in the hooks dir). */
async function managerActive(root: string, mark: RegExp): Promise<boolean> {
  const dir = await hooksDir(root)
  for (const name of GIT_HOOK_NAMES) if (!mark.test((await readIfExists(join(dir, name))) ?? '')) return false
  return true
}

// ── husky ─────────────────────────────────────────────────────────────────────────────────────

async function installHusky({root, force}: HookOptions): Promise<HookInstall> {
  const steps: InitStep[] = []
  // husky v9's `.husky/_/h` runs `.husky/<hook>` with git's arguments and stdin: post-rewrite too.
  for (const name of PLAIN_GIT_HOOK_NAMES) {
    const path = join(root, '.husky', name)
    const content = huskyScript(name)
    const command = launcherCommand(name, 'sh')
    const existing = await readIfExists(path)
    // A husky hook is a list of commands: one of the user's that already runs ours is fine as it is.
    if (existing !== undefined && existing !== content && existing.split('\n').includes(command)) {
      steps.push({path: displayPath(root, path), status: 'unchanged', detail: 'it runs acldrift'})
      continue
    }
    if (existing !== undefined && !isOurs(existing) && force) {
      await writeFileAtomic(path, `${existing.replace(/\n*$/, '\n')}${content}`)
      steps.push({
        path: displayPath(root, path),
        status: 'chained',
        detail: "acldrift's command added after yours",
      })
      continue
    }
    steps.push(
      await writeOwned(
        {
          root,
          path,
          content,
          executable: true,
          ours: (text) => text.startsWith('# acldrift:') && isOurs(text),
        },
        force,
        `a hook of yours is there: left alone. Add the line \`${command}\` to it, or run init again with --force to append it`,
      ),
    )
  }
  const dir = displayPath(root, await hooksDir(root))
  const next = dir === '.husky/_' || dir === '.husky' ? [] : ['activate husky in this clone: `npx husky`']
  return {steps, next}
}

// ── lefthook ──────────────────────────────────────────────────────────────────────────────────

const LEFTHOOK_FILES = [
  'lefthook.yml',
  'lefthook.yaml',
  '.lefthook.yml',
  '.lefthook.yaml',
  '.config/lefthook.yml',
]

async function installLefthook({root, force}: HookOptions): Promise<HookInstall> {
  let file = 'lefthook.yml'
  for (const candidate of LEFTHOOK_FILES)
    if (await exists(join(root, candidate))) {
      file = candidate
      break
    }
  const path = join(root, file)
  const text = await readIfExists(path)
  const doc = text === undefined ? new Document({}) : parseDocument(text)
  if (doc.errors.length > 0 || (doc.contents !== null && !isMap(doc.contents)))
    return refusedConfig(
      root,
      path,
      `not a YAML mapping (${doc.errors[0]?.message ?? 'unexpected content'})`,
      lefthookSnippet(),
    )
  if (text === undefined) doc.commentBefore = ` Git hooks run by lefthook; acldrift's were ${MARKER}.`
  const steps: InitStep[] = []
  let changed = false
  for (const name of PLAIN_GIT_HOOK_NAMES) {
    const run = launcherCommand(name, 'lefthook')
    // lefthook passes git's stdin (the rewritten commits) only when asked.
    const entry = name === 'post-rewrite' ? {run, use_stdin: true} : {run}
    const where = `${file}: ${name}`
    const jobs = doc.getIn([name, 'jobs'])
    if (isSeq(jobs)) {
      // lefthook ≥ 1.10 style: a list of jobs.
      const job = (jobs as YAMLSeq).items.find((item) => isMap(item) && item.get('name') === 'acldrift') as
        YAMLMap | undefined
      if (job === undefined) {
        jobs.add(doc.createNode({name: 'acldrift', ...entry}))
        changed = true
        steps.push({path: where, status: 'created'})
      } else steps.push(settle(job, entry, force, where, () => (changed = true)))
      continue
    }
    const command = doc.getIn([name, 'commands', 'acldrift'])
    if (isMap(command)) {
      steps.push(settle(command as YAMLMap, entry, force, where, () => (changed = true)))
      continue
    }
    doc.setIn([name, 'commands', 'acldrift'], doc.createNode(entry))
    changed = true
    steps.push({path: where, status: 'created'})
  }
  if (changed) await writeFileAtomic(path, doc.toString({flowCollectionPadding: false}))
  const active = await managerActive(root, /lefthook/i)
  return {
    steps,
    next: active && !changed ? [] : ['install the git hooks: `npx lefthook install` (or `lefthook install`)'],
  }
}

/**
 * An existing acldrift entry in a YAML config: the same command, or a different one (the
 * user's). Ours without `use_stdin` where it needs it (post-rewrite) gets it: it would read nothing.
 */
function settle(
  entry: YAMLMap,
  wanted: {run: string; use_stdin?: boolean},
  force: boolean,
  where: string,
  changed: () => void,
): InitStep {
  const {run} = wanted
  if (entry.get('run') === run) {
    if (wanted.use_stdin !== true || entry.get('use_stdin') === true)
      return {path: where, status: 'unchanged'}
    entry.set('use_stdin', true)
    changed()
    return {path: where, status: 'updated', detail: 'use_stdin: the hook reads the rewritten commits'}
  }
  if (!force)
    return {
      path: where,
      status: 'refused',
      detail: `an entry named acldrift runs something else: left alone. Set its run to \`${run}\`, or run init again with --force`,
    }
  for (const [key, value] of Object.entries(wanted)) entry.set(key, value)
  changed()
  return {path: where, status: 'updated', detail: 'replaced under --force'}
}

function lefthookSnippet(): string {
  return PLAIN_GIT_HOOK_NAMES.map(
    (name) =>
      `${name}:\n  commands:\n    acldrift:\n      run: ${launcherCommand(name, 'lefthook')}${name === 'post-rewrite' ? '\n      use_stdin: true' : ''}`,
  ).join('\n')
}

function refusedConfig(root: string, path: string, why: string, snippet: string): HookInstall {
  return {
    steps: [
      {path: displayPath(root, path), status: 'refused', detail: `${why}: add this by hand:\n${snippet}`},
    ],
    next: [],
  }
}

// ── pre-commit (https://pre-commit.com) ───────────────────────────────────────────────────────

const PRE_COMMIT_FILE = '.pre-commit-config.yaml'
const HOOK_IDS: Record<SharedHookName, string> = {
  'pre-commit': 'acldrift',
  'pre-merge-commit': 'acldrift-pre-merge-commit',
  'commit-msg': 'acldrift-commit-msg',
  'prepare-commit-msg': 'acldrift-prepare-commit-msg',
}
const PRE_COMMIT_INSTALL = `pre-commit install ${GIT_HOOK_NAMES.map((name) => `--hook-type ${name}`).join(' ')}`

/** The stages pre-commit named after git's hooks only from 3.2 on: the older names. */
const OLD_STAGES: Partial<Record<SharedHookName, string>> = {
  'pre-commit': 'commit',
  'pre-merge-commit': 'merge-commit',
}

/**
 * Whether the installed pre-commit names its stages after git's hooks (`pre-commit`,
 * `pre-merge-commit`): since 3.2; before, `commit` and `merge-commit` (Debian 12 ships 3.0).
 * Without one, the current names.
 */
function currentStageNames(): boolean {
  const result = spawnSync('pre-commit', ['--version'], {encoding: 'utf8', timeout: 10_000})
  const match = /(\d+)\.(\d+)/.exec(result.stdout ?? '')
  if (result.status !== 0 || match === null) return true
  const [major, minor] = [Number(match[1]), Number(match[2])]
  return !(major < 3 || (major === 3 && minor < 2))
}

function preCommitHook(name: SharedHookName, current: boolean): Record<string, unknown> {
  return {
    id: HOOK_IDS[name],
    name: `acldrift ${name}`,
    entry: launcherCommand(name, 'pre-commit'),
    language: 'system',
    // pre-commit passes the message file to the message hooks, and no files to the checks.
    pass_filenames: name === 'commit-msg' || name === 'prepare-commit-msg',
    always_run: true,
    stages: [current ? name : (OLD_STAGES[name] ?? name)],
  }
}

async function installPreCommit(options: HookOptions): Promise<HookInstall> {
  const install = await preCommitConfig(options)
  // pre-commit runs post-rewrite hooks without git's stdin (the rewritten commits): acldrift's
  // plain git hook goes beside its hooks instead, local to this clone like them.
  const rewrite = await plainGitHook(await hooksDir(options.root), 'post-rewrite', options)
  return {steps: [...install.steps, rewrite], next: install.next}
}

async function preCommitConfig({root, force}: HookOptions): Promise<HookInstall> {
  const path = join(root, PRE_COMMIT_FILE)
  const text = await readIfExists(path)
  const current = currentStageNames()
  const doc = text === undefined ? new Document({}) : parseDocument(text)
  const snippet = () =>
    new Document({
      repos: [{repo: 'local', hooks: GIT_HOOK_NAMES.map((n) => preCommitHook(n, current))}],
    }).toString()
  if (doc.errors.length > 0 || (doc.contents !== null && !isMap(doc.contents)))
    return refusedConfig(
      root,
      path,
      `not a YAML mapping (${doc.errors[0]?.message ?? 'unexpected content'})`,
      snippet(),
    )
  if (text === undefined) {
    doc.commentBefore = ` pre-commit hooks (https://pre-commit.com); acldrift's were ${MARKER}.`
    // `pre-commit install` alone then installs them all.
    doc.set('default_install_hook_types', doc.createNode([...GIT_HOOK_NAMES], {flow: true}))
  }
  let repos = doc.get('repos')
  if (repos === undefined) {
    repos = doc.createNode([])
    doc.set('repos', repos)
  }
  if (!isSeq(repos)) return refusedConfig(root, path, '`repos` is not a list', snippet())
  const steps: InitStep[] = []
  let changed = false
  for (const name of GIT_HOOK_NAMES) {
    const where = `${PRE_COMMIT_FILE}: ${HOOK_IDS[name]}`
    const wanted = preCommitHook(name, current)
    const found = findPreCommitHook(repos as YAMLSeq, HOOK_IDS[name])
    if (found !== undefined && found.repo !== 'local') {
      steps.push({path: where, status: 'unchanged', detail: `from ${found.repo}`})
      continue
    }
    if (found !== undefined) {
      const same =
        found.hook.get('entry') === wanted.entry &&
        JSON.stringify(stagesOf(found.hook)) === JSON.stringify(normalStages(wanted.stages as string[]))
      if (same) {
        steps.push({path: where, status: 'unchanged'})
        continue
      }
      if (!force) {
        steps.push({
          path: where,
          status: 'refused',
          detail: `a hook with this id runs something else: left alone. Make its entry \`${String(wanted.entry)}\`, or run init again with --force`,
        })
        continue
      }
      for (const pair of preCommitNode(doc, wanted).items)
        found.hook.set(isScalar(pair.key) ? pair.key.value : pair.key, pair.value)
      changed = true
      steps.push({path: where, status: 'updated', detail: 'replaced under --force'})
      continue
    }
    localRepo(doc, repos as YAMLSeq).add(preCommitNode(doc, wanted))
    changed = true
    steps.push({path: where, status: 'created'})
  }
  if (changed) await writeFileAtomic(path, doc.toString({flowCollectionPadding: false}))
  const active = await managerActive(root, /File generated by pre-commit/)
  const next = active && !changed ? [] : [`install the git hooks: \`${PRE_COMMIT_INSTALL}\``]
  const ours = new Set(Object.values(HOOK_IDS))
  const stageless = (repos as YAMLSeq).items.some(
    (repo) =>
      isMap(repo) &&
      isSeq(repo.get('hooks')) &&
      (repo.get('hooks') as YAMLSeq).items.some(
        (hook) => isMap(hook) && !ours.has(String(hook.get('id'))) && !hook.has('stages'),
      ),
  )
  if (stageless && !doc.has('default_stages'))
    next.push(
      `hooks without \`stages:\` run at every installed hook type, commit-msg and prepare-commit-msg included (on the message file): add \`default_stages: [${current ? 'pre-commit' : 'commit'}]\` to ${PRE_COMMIT_FILE}`,
    )
  return {steps, next}
}

function preCommitNode(doc: Document, hook: Record<string, unknown>): YAMLMap {
  const node = doc.createNode(hook) as YAMLMap
  ;(node.get('stages', true) as unknown as YAMLSeq).flow = true
  return node
}

function findPreCommitHook(repos: YAMLSeq, id: string): {repo: string; hook: YAMLMap} | undefined {
  for (const repo of repos.items) {
    if (!isMap(repo)) continue
    const hooks = repo.get('hooks')
    if (!isSeq(hooks)) continue
    for (const hook of hooks.items)
      if (isMap(hook) && hook.get('id') === id) return {repo: String(repo.get('repo')), hook: hook as YAMLMap}
  }
  return undefined
}

/** `commit` and `merge-commit` are pre-commit's old names of the `pre-commit` and `pre-merge-commit` stages. */
const normalStages = (stages: string[]) =>
  stages.map((s) => (s === 'commit' ? 'pre-commit' : s === 'merge-commit' ? 'pre-merge-commit' : s))

function stagesOf(hook: YAMLMap): string[] {
  const stages = hook.get('stages')
  return isSeq(stages) ? normalStages((stages.toJSON() as unknown[]).map(String)) : []
}

function localRepo(doc: Document, repos: YAMLSeq): YAMLSeq {
  for (const repo of repos.items) {
    if (isMap(repo) && repo.get('repo') === 'local') {
      const hooks = repo.get('hooks')
      if (isSeq(hooks)) return hooks as YAMLSeq
    }
  }
  const hooks = doc.createNode([]) as YAMLSeq
  repos.add(doc.createNode({repo: 'local', hooks}))
  return hooks
}
