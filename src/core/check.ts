// `check`: the baseline against a target, file by file, through each kind's adapter.

import {existsSync} from 'node:fs'
import {isAbsolute, resolve} from 'node:path'
import {ADAPTERS, adapterFor} from '../adapters/index.js'
import {attribute} from './attribute/index.js'
import {compareChanged, ofKind, sameDocument} from './compare.js'
import {headCommit, renamedPaths, resolveCommit} from '../git/index.js'
import type {CheckOptions} from './options.js'
import {SEVERITY_RANK, summarize} from '../kernel/findings.js'
import {runGate} from './gate/index.js'
import {readSnapshot} from './snapshot.js'
import {listSourcePaths, type LoadedSource, loadSource, loadStagedChanges, withOverlay} from './source.js'
import type {AdapterContext, CodeOwnership, Finding, InputProblem, Report} from '../kernel/types.js'
import {toolVersion} from '../kernel/version.js'

const emptySource = (ref: string | null): LoadedSource => ({
  type: 'ref',
  ref,
  commit: null,
  documents: new Map(),
  problems: [],
  notes: [],
})

/**
 * A baseline names a snapshot file when such a file exists (relative to the working
 * directory for the flag, to the repository root for the config), else a revision.
 */
function snapshotFile(options: CheckOptions): string | undefined {
  const named = options.baseline ?? options.config.baseline
  if (named === undefined) return undefined
  const file = isAbsolute(named)
    ? named
    : resolve(options.baseline !== undefined ? options.cwd : options.root, named)
  return existsSync(file) ? file : undefined
}

async function loadBaseline(options: CheckOptions): Promise<LoadedSource> {
  const {root, config} = options
  const file = snapshotFile(options)
  if (file !== undefined) return readSnapshot(file)
  const named = options.baseline ?? config.baseline
  if (named !== undefined) return loadSource(root, {type: 'ref', rev: named}, config)
  if ((await headCommit(root)) === null) {
    const empty = emptySource('HEAD')
    empty.notes.push('the repository has no commit yet: every document is new')
    return empty
  }
  return loadSource(root, {type: 'ref', rev: 'HEAD'}, config)
}

/** The pre-commit case: the index against HEAD, where only staged changes can differ. */
async function stagedAgainstHead(options: CheckOptions): Promise<boolean> {
  if (options.target.type !== 'staged' || snapshotFile(options) !== undefined) return false
  const named = options.baseline ?? options.config.baseline ?? 'HEAD'
  if (named === 'HEAD') return true
  const head = await headCommit(options.root)
  return head !== null && (await resolveCommit(options.root, named)) === head
}

async function loadSides(options: CheckOptions): Promise<[LoadedSource, LoadedSource]> {
  if (await stagedAgainstHead(options)) {
    const {head, staged} = await loadStagedChanges(options.root, options.config, options.overlay)
    // Kinds whose files refer to each other need their unchanged files too.
    const kinds = [...head.documents.values(), ...staged.documents.values()].map((d) => adapterFor(d.kind))
    if (!kinds.some((adapter) => adapter.scope === 'kind' || adapter.consults !== undefined))
      return [head, staged]
  }
  const [baseline, target] = await Promise.all([
    loadBaseline(options),
    loadSource(options.root, options.target, options.config),
  ])
  return [baseline, await withOverlay(target, options.overlay ?? [], options.config)]
}

export async function runCheck(options: CheckOptions): Promise<Report> {
  const [baseline, target] = await loadSides(options)
  const findings: Finding[] = []
  const notes = [...baseline.notes, ...target.notes]
  // A file broken the same way on both sides (checking a revision against itself) is named once.
  const errors = [
    ...new Map([...baseline.problems, ...target.problems].map((p) => [JSON.stringify(p), p])).values(),
  ]
  errors.push(...keptKinds(baseline, target))
  notes.push(...(await followMoves(options, baseline, target)))
  // A file that could not be read on either side is an error, not a removal or an addition.
  const unreadable = new Set(errors.map((e) => e.file))
  let targetPaths: Promise<readonly string[]> | undefined
  let ownership: Promise<CodeOwnership> | undefined
  const targetPathList = () => (targetPaths ??= listSourcePaths(options.root, options.target))
  const owners = ADAPTERS.find((a) => a.codeOwnership !== undefined)
  const context: AdapterContext = {
    ...options.config.settings,
    paths: targetPathList,
    ...(owners && {
      codeOwnership: () =>
        (ownership ??= targetPathList().then((all) =>
          owners.codeOwnership!(ofKind(target.documents, owners.kind), all),
        )),
    }),
  }
  const compared = await compareChanged(baseline.documents, target.documents, context, unreadable)
  findings.push(...compared.findings)
  notes.push(...compared.notes)
  if (options.attribute !== false) {
    const attribution = await attribute(findings, {
      root: options.root,
      baseline: baseline.commit,
      target: {type: options.target.type, commit: target.commit},
      actors: options.config.actors,
      settings: options.config.settings,
      documents: target.documents,
      progress: options.progress,
      message: options.message,
    })
    notes.push(...attribution)
  }
  // acldrift's own files, approvals and the policy (src/core/gate/).
  const gate = await runGate({
    root: options.root,
    cwd: options.cwd,
    config: options.config,
    target: {spec: options.target, commit: target.commit},
    baseline: {snapshot: baseline.type === 'snapshot', commit: baseline.commit, flag: options.baseline},
    range: options.range === true,
    compared: new Set([...baseline.documents.keys(), ...target.documents.keys()]),
    findings,
    message: options.message,
  })
  findings.push(...gate.findings)
  errors.push(...gate.errors)
  notes.push(...gate.notes)
  findings.sort(
    (x, y) =>
      changeRank(x) - changeRank(y) ||
      SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity] ||
      x.file.localeCompare(y.file) ||
      (x.line ?? 0) - (y.line ?? 0),
  )
  return {
    schemaVersion: 1,
    tool: {name: 'acldrift', version: toolVersion()},
    baseline: {source: describeBaseline(baseline), commit: baseline.commit},
    target: {source: options.range ? 'range' : options.target.type, commit: target.commit},
    summary: summarize(target.documents.size, findings, errors),
    findings,
    errors,
    notes,
    ...(target.coverage === undefined ? {} : {coverage: target.coverage}),
    policy: gate.policy,
  }
}

/**
 * A file that was a document in the baseline keeps its kind in the target: if the target has it
 * but it is no longer read (it stopped parsing, became a template, a symlink, a submodule), that
 * fails closed naming the file, rather than counting as a deletion. So does a container file that
 * held documents (a kustomize overlay whose render now needs the network, or kubectl).
 */
function keptKinds(baseline: LoadedSource, target: LoadedSource): InputProblem[] {
  const unread = new Map(
    [...(target.coverage?.notRead ?? []), ...(target.coverage?.skipped ?? [])].map((e) => [e.file, e.why]),
  )
  const problems: InputProblem[] = []
  const containers = new Set<string>()
  for (const [path, document] of baseline.documents) {
    const file = document.origin?.file ?? path
    if (target.documents.has(path) || !unread.has(file) || containers.has(file)) continue
    if (document.origin !== undefined) containers.add(file)
    const was =
      document.origin === undefined
        ? `was a ${document.kind} document in the baseline and is no longer read as one`
        : `held ${document.kind} documents in the baseline and is no longer read`
    problems.push({file, message: `${was}: ${unread.get(file)}`})
  }
  return problems
}

/**
 * A policy moved to another path is the same policy: the baseline's version is re-keyed to
 * the new path, so the move itself reports nothing and later edits compare with it. Moves
 * are recognised by identical content or value, or by git's rename detection.
 */
async function followMoves(
  options: CheckOptions,
  baseline: LoadedSource,
  target: LoadedSource,
): Promise<string[]> {
  const gone = [...baseline.documents.keys()].filter((p) => !target.documents.has(p))
  const added = [...target.documents.keys()].filter((p) => !baseline.documents.has(p))
  if (gone.length === 0 || added.length === 0) return []
  const moves = new Map<string, string>()
  for (const path of added) {
    const doc = target.documents.get(path)!
    const same = gone.find((old) => !moves.has(old) && sameDocument(baseline.documents.get(old)!, doc))
    if (same !== undefined) moves.set(same, path)
  }
  if (
    moves.size < Math.min(gone.length, added.length) &&
    baseline.commit !== null &&
    baseline.type !== 'snapshot'
  ) {
    const to = options.target.type === 'ref' ? {type: 'ref' as const, commit: target.commit!} : options.target
    for (const [now, old] of await renamedPaths(options.root, baseline.commit, to)) {
      if (gone.includes(old) && added.includes(now) && !moves.has(old)) moves.set(old, now)
      // The documents of a moved container file move with it, each under its own name.
      for (const key of gone.filter((k) => k.startsWith(`${old}#`) && !moves.has(k))) {
        const moved = now + key.slice(old.length)
        if (added.includes(moved)) moves.set(key, moved)
      }
    }
  }
  const notes: string[] = []
  for (const [old, now] of moves) {
    const doc = baseline.documents.get(old)!
    if (doc.kind !== target.documents.get(now)!.kind) continue
    baseline.documents.delete(old)
    baseline.documents.set(now, doc)
    notes.push(`${old} moved to ${now}: compared with its baseline version`)
  }
  return notes
}

const changeRank = (f: Finding) => (f.change === 'widening' ? 0 : f.change === 'possible-widening' ? 1 : 2)

function describeBaseline(source: LoadedSource): string {
  if (source.type === 'snapshot') return `snapshot:${source.ref}`
  return source.ref ?? source.type
}
