// `check`: the baseline against a target, file by file, through each kind's adapter.

import {existsSync, lstatSync} from 'node:fs'
import {isAbsolute, join, relative, resolve, sep} from 'node:path'
import {ADAPTERS, adapterFor} from '../adapters/index.js'
import {attribute, type ReadingOptions} from './attribute/index.js'
import {compareChanged, comparedAlone, ofKind, sameDocument} from './compare.js'
import {
  GitError,
  headCommit,
  headTree,
  indexChanges,
  indexTree,
  isEmptyBlob,
  listStagedEntries,
  listTreeAhead,
  oneRun,
  pathChanges,
  type PathChanges,
  readNoIndex,
  resolveCommit,
  stagedChangedPaths,
} from '../git/index.js'
import type {CheckOptions} from './options.js'
import type {Config} from './config.js'
import {byGravity, summarize} from '../kernel/findings.js'
import {readGate} from './gate/index.js'
import {witnessBeyondApprovals} from './gate/witness.js'
import {configPath, configReaders, readingConfig, snapshotBase, targetReading} from './gate/reference.js'
import {type OpenedSnapshot, openSnapshot, readSnapshot} from './snapshot.js'
import {keepMatch, keptMatches} from './snapshot-match.js'
import {type FilesAt, sourceFiles} from './source-files.js'
import {readsPath, unmatchedGlobs} from './classify.js'
import {
  assigner,
  listSourcePaths,
  type LoadedSource,
  loadSource,
  loadStagedChanges,
  loadStagedPaths,
  readingDigest,
  unmatchedNotes,
  withOverlay,
} from './source.js'
import type {AdapterContext, CodeOwnership, Document, Finding, InputProblem, Report} from '../kernel/types.js'
import {timed} from '../kernel/timings.js'
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
export function snapshotFile(
  options: Pick<CheckOptions, 'baseline' | 'config' | 'cwd' | 'root'>,
): string | undefined {
  const named = options.baseline ?? options.config.baseline
  if (named === undefined) return undefined
  const file = isAbsolute(named)
    ? named
    : resolve(options.baseline !== undefined ? options.cwd : options.root, named)
  return existsSync(file) ? file : undefined
}

/** A revision baseline is read with the approved config, never the target's (gate/reference.ts). */
async function loadBaseline(options: CheckOptions, reading: () => Promise<Config>): Promise<LoadedSource> {
  const {root, config} = options
  const file = snapshotFile(options)
  if (file !== undefined) return timed('reading', () => readSnapshot(file))
  const named = options.baseline ?? config.baseline
  if (named !== undefined) return loadSource(root, {type: 'ref', rev: named}, await reading())
  if ((await headCommit(root)) === null) {
    const empty = emptySource('HEAD')
    empty.notes.push('the repository has no commit yet: every document is new')
    return empty
  }
  return loadSource(root, {type: 'ref', rev: 'HEAD'}, await reading())
}

/** The config a revision baseline is read with, asked for once. */
function baselineReading(options: CheckOptions): () => Promise<Config> {
  let reading: Promise<Config> | undefined
  const find = async () => {
    const {root, target} = options
    if (target.type !== 'ref')
      return readingConfig({...options, target: {spec: target, commit: await headCommit(root)}}, null)
    const named = options.baseline ?? options.config.baseline ?? 'HEAD'
    const [commit, baseline] = await Promise.all([
      resolveCommit(root, target.rev),
      resolveCommit(root, named),
    ])
    // A revision baseline's documents are read from its whole tree (loadBaseline), as the target's.
    if (snapshotFile(options) === undefined) listTreeAhead(root, baseline)
    return readingConfig({...options, target: {spec: target, commit}}, baseline)
  }
  return () => (reading ??= find())
}

/**
 * The pre-commit case with a revision baseline: the index against it, where only the paths git
 * says differ can differ. Returns the revision (undefined for HEAD, the default), or false when
 * the baseline is a snapshot file or the target is not the index.
 */
async function stagedAgainstRevision(
  options: CheckOptions,
): Promise<{ref: string; commit: string} | undefined | false> {
  if (options.target.type !== 'staged' || snapshotFile(options) !== undefined) return false
  const named = options.baseline ?? options.config.baseline ?? 'HEAD'
  if (named === 'HEAD') return undefined
  return {ref: named, commit: await resolveCommit(options.root, named)}
}

/** Kinds whose files refer to each other need their unchanged files too: no fast path for them. */
const selfContained = (...sources: LoadedSource[]) =>
  sources.every((source) => [...source.documents.values()].every((d) => comparedAlone(d.kind)))

/**
 * `skip` and the documents `focus` leaves out: a file's own document of a kind compared alone,
 * outside the focus, cannot make or change a finding of a file in it.
 */
function outsideFocus(
  focus: ReadonlySet<string>,
  baseline: LoadedSource,
  target: LoadedSource,
  skip: ReadonlySet<string>,
): Set<string> {
  const out = new Set(skip)
  for (const source of [baseline, target])
    for (const [key, document] of source.documents)
      if (document.origin === undefined && !focus.has(key) && comparedAlone(document.kind)) out.add(key)
  return out
}

/**
 * The pre-commit case with a baseline snapshot that recorded the blob id of each file it read
 * (under the same config settings): only the files whose blob in the index differs from the
 * recorded one, and every file the pending commit changes, are read and compared with their
 * baseline documents (for kinds compared whole, with the snapshot's documents of the others). The recorded ids are only ever trusted for files the commit does not touch:
 * an edited id can make a file that differs from the baseline count as unchanged only when that
 * difference is already in HEAD, which the hook trusts anyway (the gate's reference is HEAD).
 */
async function stagedAgainstSnapshot(
  options: CheckOptions,
  file: string,
): Promise<[LoadedSource, LoadedSource] | undefined> {
  const {root, config} = options
  if (options.target.type !== 'staged' || (options.overlay ?? []).length > 0) return undefined
  const snapshot = await timed('reading', () => openSnapshot(file, root))
  const digest = readingDigest(config)
  const head = await headCommit(root)
  const [entries, staged, found] = await timed('listing', () =>
    Promise.all([
      listStagedEntries(root),
      stagedChangedPaths(root, head),
      differingPaths(root, snapshot, digest),
    ]),
  )
  if (found === undefined) return undefined
  const assign = assigner(config)
  const inIndex = new Set<string>()
  const differ = new Set<string>(staged)
  for (const path of found) differ.add(path)
  for (const entry of entries) inIndex.add(entry.path)
  // Kept for the index's tree should this run pass (the tree is asked then anyway, for
  // commit-msg: commit-verdict.ts): after the commit, it is HEAD's.
  const match = {blob: snapshot.blob, config: digest, differ: [...found].sort()}
  options.onPass?.push(async () => keepMatch(root, {...match, tree: await indexTree(root)}))
  // The snapshot itself holds no document of any kind (the gate compares its versions).
  differ.delete(relative(root, file).split(sep).join('/'))
  const changed = [...differ].filter((path) => assign(path) !== undefined || !inIndex.has(path)).sort()
  // A file no kind reads can still be read by a container's documents (an overlay's generator data).
  const unassigned = [...differ].filter((path) => assign(path) === undefined && inIndex.has(path))
  const target = await timed('reading', () =>
    loadStagedPaths(root, config, {entries, head}, changed, unassigned),
  )
  // The index's listing is at hand: a glob that matches none of it is warned about, as in a full read.
  const indexPaths = entries.map((entry) => entry.path)
  target.source.unmatched = unmatchedGlobs(config.documents, indexPaths, 'index')
  const read = new Set(target.paths)
  const baseline = await timed('reading', () => snapshot.documentsOf(read))
  if (selfContained(baseline, target.source)) return [baseline, target.source]
  // Kinds whose files refer to each other are compared whole, as far as their changes reach: the
  // snapshot gives the baseline documents of those files, and in the target the documents of the
  // files not read. Those have the blob the snapshot recorded, and a container's documents (a
  // kustomize overlay's render) were read again whenever a file they read differs (the dependents
  // above), so they are the snapshot's: an overlay the commit cannot reach is not rendered.
  const reached = await timed('reading', () => reachedFiles(snapshot, baseline, target.source, read))
  const whole = await timed('reading', () => snapshot.documentsOf(reached))
  const documents = new Map(target.source.documents)
  for (const [key, document] of whole.documents)
    if (!read.has(document.origin?.file ?? key) && !documents.has(key)) documents.set(key, document)
  return [whole, {...target.source, documents}]
}

/** From how many index entries a git process asking what changed since a kept tree costs less than comparing them all. */
const ASK_SINCE_FROM = 5000

/**
 * The paths at which the index differs from the snapshot's record: an entry whose blob is not the
 * recorded one, an unmerged path, a recorded path or a document's file the index lacks, a
 * document's file the record does not name. Undefined when the snapshot recorded no files, or
 * read them under other config settings (`digest`). From the match kept for a tree (`tree`: it
 * was, and a pass keeps it for the index's tree) and the paths the index changes against that
 * tree; else by comparing every index entry with the record, kept then for HEAD's tree.
 */
async function differingPaths(
  root: string,
  snapshot: OpenedSnapshot,
  digest: string,
): Promise<Set<string> | undefined> {
  const head = await headTree(root)
  const [[kept], entries] = await Promise.all([
    keptMatches(root, snapshot.blob, digest, head),
    listStagedEntries(root),
  ])
  // HEAD's tree, as after the commit the match was kept for, costs nothing: the changes against
  // HEAD are asked anyway. Another tree (HEAD moved without the hook) costs a git process, more
  // than comparing a small index with the record.
  const usable = kept !== undefined && (kept.tree === head || entries.length >= ASK_SINCE_FROM)
  const since = !usable
    ? undefined
    : await indexChanges(root, kept.tree === head ? undefined : kept.tree).catch((error: unknown) => {
        // A tree this repository no longer has (pruned): compared again below.
        if (error instanceof GitError) return undefined
        throw error
      })
  if (kept !== undefined && since !== undefined) {
    const differ = new Set([...kept.differ, ...since.map((change) => change.path)])
    // An unmerged path, and an intent-to-add entry, which git's diff leaves out (its blob is the
    // empty one): read as the comparison of every entry reads them.
    for (const entry of entries) if (entry.stage !== 0 || isEmptyBlob(entry.object)) differ.add(entry.path)
    return differ
  }
  const recorded = snapshot.files
  if (recorded === undefined || recorded.config !== digest) return undefined
  const inIndex = new Set<string>()
  const differ = new Set<string>()
  for (const entry of entries) {
    inIndex.add(entry.path)
    if (entry.stage !== 0 || recorded.blobs[entry.path] !== entry.object) differ.add(entry.path)
  }
  // Gone from the index since the snapshot: a file it read, or one its documents came from.
  for (const path of [...Object.keys(recorded.blobs), ...snapshot.documentFiles])
    if (!inIndex.has(path) || !Object.hasOwn(recorded.blobs, path)) differ.add(path)
  // Kept at once for HEAD's tree (known without a git process of its own), so that the next run
  // need not compare: where HEAD differs from the record, the index does, or it differs from HEAD.
  if (head !== null) {
    const fromHead = new Set([...differ, ...(await indexChanges(root)).map((change) => change.path)])
    await keepMatch(root, {blob: snapshot.blob, config: digest, tree: head, differ: [...fromHead].sort()})
  }
  return differ
}

/**
 * The files whose baseline documents the kinds compared together need: the files read, and the
 * unchanged files their changes reach (adapter.reach, given the snapshot's skeletons of the
 * unchanged documents); every file when a kind with a change consults another, has no reach or
 * cannot tell. A kind none of whose documents changed finds nothing.
 */
async function reachedFiles(
  snapshot: OpenedSnapshot,
  baseline: LoadedSource,
  target: LoadedSource,
  read: ReadonlySet<string>,
): Promise<Set<string>> {
  const every = new Set(snapshot.documentFiles)
  const changed = new Set(
    [...baseline.documents.values(), ...target.documents.values()]
      .map((d) => d.kind)
      .filter((kind) => !comparedAlone(kind)),
  )
  // A kind that consults others (branch protection reads CODEOWNERS) is compared with all of
  // theirs. A consulted kind's change alone compares no file of the kind consulting it
  // (compare.ts, compareChanged: only changed paths are compared).
  if (ADAPTERS.some((a) => a.consults !== undefined && changed.has(a.kind))) return every
  const given = new Set(read)
  const noLines = {locate: () => undefined}
  for (const kind of changed) {
    const adapter = adapterFor(kind)
    if (adapter.reach === undefined) return every
    // Each unchanged document as its skeleton, the same value on both sides.
    const unchanged = snapshot.skeletons.filter((s) => s.kind === kind && !read.has(s.file))
    const same = unchanged.map((s): [string, Document] => [
      s.key,
      {path: s.key, kind, hash: '', value: s.skeleton, sourceMap: noLines},
    ])
    const side = (source: LoadedSource) =>
      new Map([...same, ...[...source.documents].filter(([, d]) => d.kind === kind)])
    const keys = await adapter.reach(side(baseline), side(target))
    if (keys === undefined) return every
    for (const s of unchanged) if (keys.has(s.key)) given.add(s.file)
  }
  return given
}

async function loadSides(
  options: CheckOptions,
  reading: () => Promise<Config>,
): Promise<[LoadedSource, LoadedSource]> {
  const revision = await stagedAgainstRevision(options)
  // Both sides are read with one config: only when the approved one reads the same files.
  if (revision !== false && readingDigest(await reading()) === readingDigest(options.config)) {
    const {head, staged} = await loadStagedChanges(options.root, options.config, options.overlay, revision)
    if (selfContained(head, staged)) return [head, staged]
  }
  const file = snapshotFile(options)
  const fast = file === undefined ? undefined : await stagedAgainstSnapshot(options, file)
  if (fast !== undefined) return fast
  const [baseline, target] = await Promise.all([
    loadBaseline(options, reading),
    loadSource(options.root, options.target, options.config, options.overlay),
  ])
  const overlay = options.overlay ?? []
  const at: FilesAt =
    options.target.type === 'ref' ? {type: 'ref', commit: target.commit!} : {type: options.target.type}
  return [
    baseline,
    await withOverlay(target, overlay, options.config, sourceFiles(options.root, at, overlay)),
  ]
}

/**
 * One check: git is asked once per run about the index and HEAD (git/scope.ts). A revision is
 * read with the config it carries, never the working tree's (gate/reference.ts, targetReading).
 */
export function runCheck(options: CheckOptions): Promise<Report> {
  return oneRun(async () => {
    if (options.target.type === 'ref') {
      readNoIndex()
      // Its documents are read from its whole tree: listed first, it gives the config's entry too.
      listTreeAhead(options.root, await resolveCommit(options.root, options.target.rev))
    }
    return check({...options, config: await targetReading(options, options.target)})
  })
}

async function check(options: CheckOptions): Promise<Report> {
  const reading = baselineReading(options)
  const [baseline, target] = await loadSides(options, reading)
  const findings: Finding[] = []
  // A `documents:` glob that matches nothing in the target (listed in full) is warned about.
  const notes = [...unmatchedNotes(target), ...baseline.notes, ...target.notes]
  // A file broken the same way on both sides (checking a revision against itself) is named once.
  const errors = [
    ...new Map([...baseline.problems, ...target.problems].map((p) => [JSON.stringify(p), p])).values(),
  ]
  wereDocuments(errors, baseline)
  errors.push(...keptKinds(baseline, target))
  const since = historyStart(options, baseline, target.commit, notes)
  const changes = await changesOfGone(options, baseline, target, since, notes)
  const lost = lostPaths(options, baseline, target, changes, new Set(errors.map((e) => e.file)))
  errors.push(...lost.problems)
  notes.push(...followMoves(baseline, target, changes))
  // A file that could not be read on either side is an error, not a removal or an addition.
  const unreadable = new Set([...errors.map((e) => e.file), ...lost.keys])
  const skip =
    options.focus === undefined ? unreadable : outsideFocus(options.focus, baseline, target, unreadable)
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
  const compared = await timed('comparing', () =>
    compareChanged(baseline.documents, target.documents, context, skip, options.progress),
  )
  findings.push(...compared.findings)
  notes.push(...compared.notes)
  const attributed = async (all: Finding[]) => {
    if (options.attribute === false) return
    const list = options.attribute === 'gating' ? all.filter((f) => f.change !== 'narrowing') : all
    const attribution = await timed('attribution', async () =>
      attribute(list, {
        root: options.root,
        baseline: list.length === 0 ? baseline.commit : await since(),
        target: {type: options.target.type, commit: target.commit},
        actors: options.config.actors,
        settings: options.config.settings,
        documents: target.documents,
        baselineDocuments: baseline.documents,
        progress: options.progress,
        message: options.message,
        reading: await readingOf(options, baseline, reading),
      }),
    )
    notes.push(...attribution)
  }
  // acldrift's own files, approvals and the policy (src/core/gate/), read before attribution:
  // a widening none of the approvals that count covers shows a request no approval grants, and
  // is blamed once, for that request; then the gate judges the attributed findings.
  const gateReading = await timed('gate', () =>
    readGate({
      root: options.root,
      cwd: options.cwd,
      config: options.config,
      target: {spec: options.target, commit: target.commit},
      baseline: {
        snapshot: baseline.type === 'snapshot',
        commit: baseline.commit,
        flag: options.baseline,
        readWith: baseline.files?.config,
      },
      range: options.range === true,
      compared: new Set([...baseline.documents.keys(), ...target.documents.keys()]),
      message: options.message,
    }),
  )
  await witnessBeyondApprovals(findings, gateReading.counting, baseline.documents, target.documents, context)
  await attributed(findings)
  const gate = await timed('gate', () => gateReading.judge(findings))
  findings.push(...gate.findings)
  errors.push(...gate.errors)
  notes.push(...gate.notes)
  findings.sort(byGravity)
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
        ? `was ${withArticle(document.kind)} document in the baseline and is no longer read as one`
        : `held ${document.kind} documents in the baseline and is no longer read`
    problems.push({file, message: `${was}: ${unread.get(file)}`})
  }
  return problems
}

/**
 * Where the history searched for the findings' commits starts: the baseline's commit, and for a
 * baseline snapshot file the commit git history says it was taken at, not the commit the file
 * declares (src/core/gate/reference.ts). Asked for only when there is something to attribute.
 */
function historyStart(
  options: CheckOptions,
  baseline: LoadedSource,
  head: string | null,
  notes: string[],
): () => Promise<string | null> {
  let start: Promise<string | null> | undefined
  const find = async () => {
    if (baseline.type !== 'snapshot') return baseline.commit
    const input = {
      ...options,
      baseline: {snapshot: true, commit: baseline.commit, blob: baseline.blob, flag: options.baseline},
    }
    const commit = await snapshotBase(input, head)
    if (commit !== baseline.commit && options.target.type === 'ref')
      notes.push(
        `the baseline snapshot says it was taken at ${baseline.commit?.slice(0, 7) ?? 'no commit'}; its history says ${commit?.slice(0, 7) ?? 'before the first commit'}: commits are searched from there`,
      )
    return commit
  }
  return () => (start ??= find())
}

/** `an aws-iam`, `a k8s-rbac`. */
const withArticle = (kind: string) => `${/^[aeio]/.test(kind) ? 'an' : 'a'} ${kind}`

/**
 * A file that was an access config in the baseline and no longer parses is named with its
 * line by the parser; the message also says what it was, so that nobody reads it as a stray
 * file: it fails closed instead of counting as deleted.
 */
function wereDocuments(errors: InputProblem[], baseline: LoadedSource): void {
  const kinds = new Map([...baseline.documents.values()].map((d) => [d.origin?.file ?? d.path, d.kind]))
  for (const [i, error] of errors.entries()) {
    const kind = kinds.get(error.file)
    if (kind === undefined || error.message.includes('in the baseline')) continue
    errors[i] = {
      ...error,
      message: `${error.message} (${error.file} was ${withArticle(kind)} access config in the baseline: it fails closed, it is not taken as deleted)`,
    }
  }
}

const goneFrom = (baseline: LoadedSource, target: LoadedSource) =>
  [...baseline.documents.keys()].filter((p) => !target.documents.has(p))

/** The file part of a document key (`FILE#NAME` for a document inside a container file). */
const fileOf = (key: string, documents: Map<string, Document>) => documents.get(key)?.origin?.file ?? key

/**
 * What git says became of the paths of baseline documents the target no longer has: renames, and
 * paths that became a symlink or a submodule. One `git diff`, and only when some document is gone.
 */
async function changesOfGone(
  options: CheckOptions,
  baseline: LoadedSource,
  target: LoadedSource,
  since: () => Promise<string | null>,
  notes: string[],
): Promise<PathChanges | undefined> {
  if (goneFrom(baseline, target).length === 0) return undefined
  const from = await since()
  if (from === null) return undefined
  const to = options.target.type === 'ref' ? {type: 'ref' as const, commit: target.commit!} : options.target
  try {
    return await pathChanges(options.root, from, to)
  } catch (error) {
    // A snapshot taken at a commit this clone does not have.
    if (!(error instanceof GitError)) throw error
    notes.push(`renames since the baseline's commit ${from.slice(0, 7)} not followed: ${error.message}`)
    return undefined
  }
}

/**
 * A baseline document whose path is gone because git moved it somewhere no kind reads (a
 * `.txt`, `.json5` or extensionless name), or because it, or a folder on its path, became a
 * symlink or a submodule, is still deployed from there: it fails closed naming the path, rather
 * than counting as a deletion. `known`: files already named as errors. Returns the problems, and
 * the keys of the documents they hold back from comparison.
 */
function lostPaths(
  options: CheckOptions,
  baseline: LoadedSource,
  target: LoadedSource,
  changes: PathChanges | undefined,
  known: ReadonlySet<string>,
): {problems: InputProblem[]; keys: string[]} {
  const movedFrom = new Map([...(changes?.renames ?? [])].map(([now, old]) => [old, now]))
  const targetFiles = new Set([...target.documents.values()].map((d) => d.origin?.file ?? d.path))
  const unread = new Map(
    [...(target.coverage?.notRead ?? []), ...(target.coverage?.skipped ?? [])].map((e) => [e.file, e.why]),
  )
  const problems = new Map<string, InputProblem>()
  const keys: string[] = []
  for (const key of goneFrom(baseline, target)) {
    const file = fileOf(key, baseline.documents)
    const kind = baseline.documents.get(key)!.kind
    if (problems.has(file)) keys.push(key)
    if (known.has(file) || problems.has(file)) continue
    const now = movedFrom.get(file)
    if (now !== undefined && !targetFiles.has(now) && !known.has(now)) {
      problems.set(file, {
        file: now,
        message: `${file}, read as ${kind} in the baseline, was renamed to ${now}, which is not read as one (${unread.get(now) ?? 'no kind reads that path'}): rename it back, or assign it a kind with a \`documents:\` glob`,
      })
      keys.push(key)
      continue
    }
    const link = linkOnPath(options, file, changes)
    if (link !== undefined) {
      problems.set(file, {
        file,
        message: `was read as ${kind} in the baseline; ${link.path === file ? 'it' : `its folder ${link.path}`} is now a ${link.type === 'symlink' ? 'symbolic link (never followed: it could point anywhere)' : 'git submodule (its content is another repository)'}`,
      })
      keys.push(key)
    }
  }
  return {problems: [...problems.values()], keys}
}

/** The path itself, or a folder on it, that is a symlink or a submodule in the target. */
function linkOnPath(
  options: CheckOptions,
  file: string,
  changes: PathChanges | undefined,
): {path: string; type: 'symlink' | 'submodule'} | undefined {
  const segments = file.split('/')
  for (let end = 1; end <= segments.length; end++) {
    const path = segments.slice(0, end).join('/')
    const type = changes?.links.get(path)
    if (type !== undefined) return {path, type}
    // The working tree may hold a link git does not track yet.
    if (options.target.type === 'worktree' && isSymlink(join(options.root, path)))
      return {path, type: 'symlink'}
  }
  return undefined
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}

/**
 * A policy moved to another path is the same policy: the baseline's version is re-keyed to
 * the new path, so the move itself reports nothing and later edits compare with it. Moves
 * are recognised by identical content or value, or by git's rename detection.
 */
function followMoves(
  baseline: LoadedSource,
  target: LoadedSource,
  changes: PathChanges | undefined,
): string[] {
  const gone = goneFrom(baseline, target)
  const added = [...target.documents.keys()].filter((p) => !baseline.documents.has(p))
  if (gone.length === 0 || added.length === 0) return []
  const moves = new Map<string, string>()
  for (const path of added) {
    const doc = target.documents.get(path)!
    const same = gone.find((old) => !moves.has(old) && sameDocument(baseline.documents.get(old)!, doc))
    if (same !== undefined) moves.set(same, path)
  }
  for (const [now, old] of changes?.renames ?? []) {
    if (gone.includes(old) && added.includes(now) && !moves.has(old)) moves.set(old, now)
    // The documents of a moved container file move with it, each under its own name.
    for (const key of gone.filter((k) => k.startsWith(`${old}#`) && !moves.has(k))) {
      const moved = now + key.slice(old.length)
      if (added.includes(moved)) moves.set(key, moved)
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

/**
 * Which files the check read, for attribution: those the approved config reads in a revision
 * baseline, those a snapshot holds documents of, and those each version of the config in the
 * history reads (a file that came into reading with a config change is that change's).
 */
async function readingOf(
  options: CheckOptions,
  baseline: LoadedSource,
  reading: () => Promise<Config>,
): Promise<ReadingOptions> {
  const path = configPath(options)
  const held = new Set([...baseline.documents.values()].map((d) => d.origin?.file ?? d.path))
  return {
    baseline: baseline.type === 'snapshot' ? (file) => held.has(file) : readsPath(await reading()),
    config: path,
    versions: async (blobs) =>
      path === undefined
        ? new Map([[null, readsPath(options.config)]])
        : configReaders(options.root, path, blobs),
  }
}

function describeBaseline(source: LoadedSource): string {
  if (source.type === 'snapshot') return `snapshot:${source.ref}`
  return source.ref ?? source.type
}
