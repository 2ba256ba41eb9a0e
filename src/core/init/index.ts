// `acldrift init`: a commented config for the kinds found among the tracked files, the first
// baseline snapshot, and the git hooks for one hook manager. Safe to run again: what exists is
// kept (an approved baseline is never overwritten), and nothing of the user's is replaced
// without --force.

import {join, resolve} from 'node:path'
import {ADAPTERS} from '../../adapters/index.js'
import {findRepoRoot, listTrackedFiles, pendingIdentity, resolveCommit} from '../../git/index.js'
import {writeFileAtomic} from '../../kernel/atomic.js'
import {type Config, CONFIG_FILE, DEFAULT_CONFIG, loadConfig} from '../config.js'
import {AcldriftError, EXIT, formatProblem, UsageError} from '../../kernel/errors.js'
import {assertWritableInside} from '../../kernel/files.js'
import {parseFile} from '../../kernel/parse.js'
import {buildSnapshot, writeSnapshot} from '../snapshot.js'
import {type LoadedSource, loadSource} from '../source.js'
import type {Kind} from '../../kernel/types.js'
import {validateValue} from '../validate.js'
import {DEFAULT_BASELINE, documentGlobs, renderConfig} from './config-file.js'
import {displayPath, exists, type InitStep} from './files.js'
import {type HookManager, installHooks} from './hooks.js'
import {installAgentHooks} from './agents.js'
import type {Harness} from '../agent/harnesses.js'
import type {SelfInvocation} from './scripts.js'

export {HOOK_MANAGERS, type HookManager} from './hooks.js'
export type {InitStep, StepStatus} from './files.js'
export type {SelfInvocation} from './scripts.js'

interface InitOptions {
  cwd: string
  hook?: HookManager
  /** replace (keeping them as `.legacy`, or appending to them) hooks that are the user's */
  force?: boolean
  /** the acldrift running init, which plain git hooks fall back to */
  self: SelfInvocation
  /** coding agents whose project-level hooks to configure */
  agents?: readonly Harness[]
}

export interface InitResult {
  root: string
  steps: InitStep[]
  /** what is left for the user to do */
  next: string[]
  /** the documents found, per kind */
  kinds: Map<Kind, number>
}

export async function runInit(options: InitOptions): Promise<InitResult> {
  const root = await findRepoRoot(options.cwd)
  const steps: InitStep[] = []
  const next: string[] = []

  const {config, source, step} = await prepareConfig(root)
  steps.push(step)
  const baseline = await takeBaseline(root, config, source)
  steps.push(baseline)
  const created = [step, baseline].filter((s) => s.status === 'created').map((s) => s.path)
  if (created.length > 0) next.push(`review and commit ${created.join(' and ')}`)

  if (options.hook !== undefined) {
    const hooks = await installHooks(options.hook, {root, force: options.force ?? false, self: options.self})
    steps.push(...hooks.steps)
    next.push(...hooks.next)
  } else {
    next.push('install the git hooks: `acldrift init --hook git` (or husky, lefthook, pre-commit)')
  }
  if (options.agents !== undefined && options.agents.length > 0) {
    const agents = await installAgentHooks(options.agents, {root, force: options.force ?? false})
    steps.push(...agents.steps)
    next.push(...agents.next)
  }
  return {root, steps, next, kinds: countKinds(source)}
}

/** Documents per kind, in the order the adapters are registered. */
function countKinds(source: LoadedSource): Map<Kind, number> {
  const documents = [...source.documents.values()]
  const counts = ADAPTERS.map((a): [Kind, number] => [
    a.kind,
    documents.filter((d) => d.kind === a.kind).length,
  ])
  return new Map(counts.filter(([, count]) => count > 0))
}

/** The existing config, or a new one for the kinds detected; and the documents it reads. */
async function prepareConfig(root: string): Promise<{config: Config; source: LoadedSource; step: InitStep}> {
  const path = join(root, CONFIG_FILE)
  if (await exists(path)) {
    const config = await loadConfig(root)
    const source = await readDocuments(root, config)
    return {config, source, step: {path: CONFIG_FILE, status: 'kept', detail: 'already there: not rewritten'}}
  }
  const [detected, tracked] = await Promise.all([readDocuments(root, DEFAULT_CONFIG), listTrackedFiles(root)])
  // Globs name whole files of one kind; a container file's documents are found by content.
  const kinds = new Map(
    [...detected.documents]
      .filter(([, doc]) => doc.origin === undefined)
      .map(([file, doc]) => [file, doc.kind]),
  )
  const counts = countKinds(detected)
  const text = renderConfig({
    documents: documentGlobs(kinds, tracked),
    counts,
    baseline: DEFAULT_BASELINE,
    you: await pendingIdentity(root).then(
      (identity) => identity.author,
      () => undefined,
    ),
  })
  const problems = await validateValue(
    'config',
    parseFile({path: CONFIG_FILE, content: Buffer.from(text)}, 'yaml'),
  )
  if (problems.length > 0)
    throw new Error(`internal: init wrote an invalid config:\n${problems.map(formatProblem).join('\n')}`)
  await writeFileAtomic(path, text)
  const config = await loadConfig(root)
  // The globs read exactly the documents that detection found.
  const source = await readDocuments(root, config)
  const same = (a: LoadedSource, b: LoadedSource) =>
    a.documents.size === b.documents.size && [...a.documents.keys()].every((k) => b.documents.has(k))
  if (!same(source, detected))
    throw new Error('internal: the globs init wrote read other files than it found')
  const found = [...counts]
    .map(([kind, count]) => `${kind} (${count} file${count === 1 ? '' : 's'})`)
    .join(', ')
  return {
    config,
    source,
    step: {
      path: CONFIG_FILE,
      status: 'created',
      detail: found ? `found ${found}` : 'no access-control file found yet',
    },
  }
}

/** The tracked files in the working tree, failing closed on any that is broken. */
async function readDocuments(root: string, config: Config): Promise<LoadedSource> {
  const source = await loadSource(root, {type: 'worktree'}, config)
  if (source.problems.length > 0)
    throw new AcldriftError(
      [
        'cannot take the first baseline: these files do not parse or validate (fix them, or list them under `exclude:` in acldrift.config.yaml):',
        ...source.problems.map(formatProblem),
      ].join('\n'),
      EXIT.invalidInput,
    )
  return source
}

/**
 * Writes the first snapshot where the config's baseline names a file (`*.json`) that does not
 * exist yet. An existing baseline is approved state: init never replaces it.
 */
async function takeBaseline(root: string, config: Config, source: LoadedSource): Promise<InitStep> {
  const named = config.baseline
  if (named === undefined)
    return {path: '(baseline)', status: 'kept', detail: 'the config names none: checks compare with HEAD'}
  const file = resolve(root, named)
  const path = displayPath(root, file)
  if (await exists(file))
    return {
      path,
      status: 'kept',
      detail:
        'an approved baseline is never replaced by init (`acldrift baseline update` promotes the current state)',
    }
  if (!named.endsWith('.json')) {
    const commit = await resolveCommit(root, named).catch((error: unknown) => {
      if (error instanceof UsageError) return undefined
      throw error
    })
    return {
      path: named,
      status: 'kept',
      detail:
        commit === undefined ? 'not a revision in this clone yet' : `the revision ${commit.slice(0, 7)}`,
    }
  }
  const snapshot = buildSnapshot(source)
  await assertWritableInside(root, file, CONFIG_FILE)
  await writeSnapshot(file, snapshot, root)
  const at =
    snapshot.source.commit === null ? ' (no commit yet)' : ` at ${snapshot.source.commit.slice(0, 7)}`
  const count = snapshot.documents.length
  return {
    path,
    status: 'created',
    detail: `${count} document${count === 1 ? '' : 's'} from the working tree${at}`,
  }
}
