// `history`: every commit's access changes, oldest first, each attributed to that commit.
// One `git log` for the range, one cat-file for the versions, one for the commit objects.

import {adapterFor} from '../adapters/index.js'
import {catFileBatch, type History, headCommit, readHistory, resolveCommit} from '../git/index.js'
import {walkOf} from './attribute/blame.js'
import {lookUpCommits} from './commits.js'
import {compareDocuments, sameAccessText, sameDocument, toldFor} from './compare.js'
import type {Config} from './config.js'
import {summarize} from '../kernel/findings.js'
import {findingKey} from './embedded.js'
import {classifier, listSourcePaths, readDocuments} from './source.js'
import type {Document, Finding, Kind, Report, Witness} from '../kernel/types.js'
import {timed} from '../kernel/timings.js'
import {toolVersion} from '../kernel/version.js'

interface TimelineOptions {
  root: string
  config: Config
  /** only changes to this path (or under this directory) */
  path?: string
  /** history after this revision; default: all of HEAD's history */
  since?: string
  /** the request to ask about: fields that replace the witness's (principal, action, resource) */
  request: Partial<Record<'principal' | 'action' | 'resource', string>>
  /** told how the walk advances: the commits done, and each file before it is compared (a terminal shows it) */
  progress?: (done: number, total: number, what: string) => void
}

export async function runTimeline(options: TimelineOptions): Promise<Report> {
  const {root} = options
  const head = await headCommit(root)
  const since = options.since === undefined ? null : await resolveCommit(root, options.since)
  const history: History =
    head === null
      ? {commits: new Map(), order: []}
      : await timed('listing', () => readHistory(root, since, head))
  const kindOf = classifier(options.config)
  const inScope = scope(history, options.path)

  // Each change of a candidate file: its old and new version. A merge counts only for what
  // it changed itself: a version it took from the merged branch was that branch's change.
  const changes = history.order
    .slice()
    .reverse()
    .flatMap((sha) => history.commits.get(sha)!.changes.map((change) => ({sha, change})))
    .filter(({change}) => inScope(change.path) && kindOf(change.path) !== undefined)
    .filter(({sha, change}) => !fromMergedBranch(history, sha, change.path, change.newBlob))
  // The versions a stretch of changes compares, read together; those of the stretch before are let
  // go (a long history's versions are never all held).
  let versions = new Map<string, Buffer>()
  const readStretch = async (from: number) => {
    const blobs = new Set<string>()
    for (const {change} of changes.slice(from, from + CHANGES_AT_ONCE))
      for (const b of [change.oldBlob, change.newBlob]) if (!/^0+$/.test(b)) blobs.add(b)
    versions = new Map()
    if (blobs.size > 0)
      for (const o of await timed('reading', () => catFileBatch(root, [...blobs])))
        if (o.type === 'blob') versions.set(o.id, o.content)
  }

  const findings: Finding[] = []
  const errors: Report['errors'] = []
  // The adapters' notes (a comparison cut short, narrowings not computed), each naming its commit.
  const notes: string[] = []
  const touched = new Set<string>()
  const atCommit = new Map<Finding, string>()
  const total = new Set(changes.map((c) => c.sha)).size
  // The commits before this change's, compared.
  let walked = -1
  for (const [i, {sha, change}] of changes.entries()) {
    if (i % CHANGES_AT_ONCE === 0) await readStretch(i)
    if (sha !== changes[i - 1]?.sha) walked++
    const load = async (blob: string, path: string) => {
      const content = versions.get(blob)
      return content === undefined
        ? new Map<string, Document>()
        : timed('reading', () => versionAt({path, content}, kindOf(path)!, errors, sha))
    }
    // A file's documents before and after (several for a container file), keyed by the
    // new path: a move is compared with the file's old version.
    const before = rekey(await load(change.oldBlob, change.oldPath), change.oldPath, change.path)
    const after = await load(change.newBlob, change.path)
    // A document whose value is the same (a reformatted file, a template's other policies), or
    // whose access is (a renamed IAM statement: adapter.ts, accessText), is not compared.
    const changed: string[] = []
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      const [was, now] = [before.get(key), after.get(key)]
      const same =
        was !== undefined && now !== undefined && (sameDocument(was, now) || (await sameAccessText(was, now)))
      if (!same) changed.push(key)
    }
    // The commit's own tree, for witnesses that name a real file (read only when asked).
    const paths = () => listSourcePaths(root, {type: 'ref', rev: sha})
    const kinds = new Set(changed.flatMap((key) => [before.get(key)?.kind, after.get(key)?.kind]))
    for (const kind of kinds) {
      if (kind === undefined) continue
      // Compared file by file: for kinds whose files refer to each other, only this file's documents.
      const ofKind = (side: Map<string, Document>) => new Map([...side].filter(([, d]) => d.kind === kind))
      const keys = changed.filter((key) => (after.get(key) ?? before.get(key))!.kind === kind)
      // As a check's progress (compare.ts, compareChanged): each file is named before it is
      // compared, so that a long comparison stays on the line, with the commits done so far.
      options.progress?.(walked, total, `commits compared (${sha.slice(0, 12)} ${change.path})`)
      const result = await timed('comparing', () =>
        compareDocuments(kind, ofKind(before), ofKind(after), keys, {...options.config.settings, paths}),
      )
      notes.push(...result.notes.map((note) => `${sha.slice(0, 12)}: ${note}`))
      const sides = {baseline: ofKind(before), target: ofKind(after)}
      for (const finding of result.findings) {
        const key = findingKey(finding)
        if (!(await matchesRequest(finding, key, sides, options))) continue
        findings.push(finding)
        atCommit.set(finding, sha)
        touched.add(sha)
      }
    }
  }
  if (total > 0) options.progress?.(total, total, 'commits compared')
  const commits = await timed('attribution', () =>
    lookUpCommits({root, actors: options.config.actors}, touched),
  )
  for (const finding of findings) finding.commit = commits.get(atCommit.get(finding)!)!
  return {
    schemaVersion: 1,
    tool: {name: 'acldrift', version: toolVersion()},
    baseline: {source: since ?? 'root', commit: since},
    target: {source: 'range', commit: head},
    summary: summarize(new Set(changes.map((c) => c.change.path)).size, findings, errors),
    findings,
    errors,
    notes,
  }
}

/** Changes whose versions are read together. */
const CHANGES_AT_ONCE = 128

/**
 * Which paths are the asked-for file or directory, following moves backwards (like
 * `git log --follow`): a change made before a move counts under the old path.
 */
function scope(history: History, path: string | undefined): (p: string) => boolean {
  if (path === undefined) return () => true
  const under = (p: string, root: string) => p === root || p.startsWith(`${root}/`)
  const roots = new Set([path.replace(/\/$/, '')])
  // Newest first: each rename into the scope brings the file's earlier path into it.
  for (const sha of history.order) {
    for (const c of history.commits.get(sha)!.changes) {
      if (c.status.startsWith('R') && [...roots].some((root) => under(c.path, root))) roots.add(c.oldPath)
    }
  }
  return (p) => [...roots].some((root) => under(p, root))
}

/** Whether a merge's version of a file is exactly a merged parent's (the branch made the change; an octopus has several). */
function fromMergedBranch(history: History, sha: string, path: string, blob: string): boolean {
  const target = /^0+$/.test(blob) ? null : blob
  return history.commits
    .get(sha)!
    .parents.slice(1)
    .some((parent) => history.commits.has(parent) && firstVersion(history, parent, path) === target)
}

/** The version of `path` that `sha` left (walked no further). */
function firstVersion(history: History, sha: string, path: string): string | null | undefined {
  const [state] = walkOf(history, sha, path).states()
  return state?.blob
}

/** A past version as its documents, by key; problems name the commit, since the file has changed since. */
async function versionAt(
  file: {path: string; content: Buffer},
  kind: Kind | 'detect',
  errors: Report['errors'],
  sha: string,
): Promise<Map<string, Document>> {
  const {documents, problems} = await readDocuments(file, kind)
  errors.push(...problems.map((p) => ({...p, message: `${p.message} (at ${sha.slice(0, 12)})`})))
  return new Map(documents.map((d) => [d.path, d]))
}

/** A file's documents re-keyed from its old path to its new one (a move). */
function rekey(documents: Map<string, Document>, from: string, to: string): Map<string, Document> {
  if (from === to) return documents
  const moved = (key: string) =>
    key === from ? to : key.startsWith(`${from}#`) ? to + key.slice(from.length) : key
  return new Map(
    [...documents].map(([key, d]) => [
      moved(key),
      {...d, path: moved(key), ...(d.origin ? {origin: {...d.origin, file: to}} : {})},
    ]),
  )
}

/**
 * With no request, every change matches. With one, the change must widen (or narrow) the
 * access of the witness with the requested fields put in: the finding then reads for that
 * request (`sides`: the kind's documents of the file before and after the commit).
 */
async function matchesRequest(
  finding: Finding,
  key: string,
  sides: {baseline: Map<string, Document>; target: Map<string, Document>},
  {request, config}: TimelineOptions,
): Promise<boolean> {
  const [before, after] = [sides.baseline.get(key), sides.target.get(key)]
  const fields = Object.entries(request).filter(([, v]) => v !== undefined)
  if (fields.length === 0) return true
  if (finding.witness === null) return false
  const asked: Witness = {...finding.witness, ...Object.fromEntries(fields)}
  // Timeline findings come from the adapters: their kind is a document kind.
  const adapter = adapterFor(finding.kind as Kind)
  const allowedBefore =
    before !== undefined &&
    (await adapter.allows(before.value, asked, finding.file, new Map(), config.settings))
  const allowedAfter =
    after !== undefined &&
    (await adapter.allows(after.value, asked, finding.file, new Map(), config.settings))
  const matches =
    finding.change === 'narrowing' ? allowedBefore && !allowedAfter : allowedAfter && !allowedBefore
  if (matches) {
    Object.assign(finding, await toldFor(finding, asked, sides))
    finding.witness = asked
  }
  return matches
}
