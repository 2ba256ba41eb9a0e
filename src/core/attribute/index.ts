// Attribution: each finding gets the commit that introduced it (semantic blame) and the
// actor behind that commit (agent, human, automation, unknown, with the evidence).

import {adapterFor, DEFAULT_ADAPTER_SETTINGS} from '../../adapters/index.js'
import type {SourceFiles} from '../../containers/index.js'
import {
  blobIdsAt,
  catFileBatch,
  type History,
  listRevisionFiles,
  readHistory,
  readPathsAt,
  readStagedChanges,
} from '../../git/index.js'
import type {ActorConfig} from '../actors/classify.js'
import {type BlamedCommit, blamedCommit, blamedShas, lookUpCommits, pendingCommit} from '../commits.js'
import {MAX_FILE_BYTES} from '../../kernel/parse.js'
import {readDocuments} from '../source.js'
import {headFiles, sourceFiles} from '../source-files.js'
import {findingKey} from '../embedded.js'
import {accessTextOf, ofKind, toldFor} from '../compare.js'
import {documentKey} from '../../kernel/documents.js'
import {canonicalJson} from '../../kernel/hash.js'
import {
  type AdapterSettings,
  type CommitInfo,
  type Document,
  type Finding,
  type FindingKind,
  type Kind,
  GATE_KIND,
  type SourceFile,
} from '../../kernel/types.js'
import {
  type BlameResult,
  blobsOfAll,
  blobsToRead,
  changedSince,
  onlyRead,
  type Reading,
  semanticBlame,
  versionAt,
  versionsIn,
  walkOf,
  walkOfAll,
  type WalkOf,
} from './blame.js'
import {kindChangedSince, kindPaths, mayHold, parsedAs, stagedDiffers} from './by-change.js'
import {type AddedBy, addedAccess, allowsAmong, type Group, type Versions} from './contributions.js'

interface AttributionOptions {
  root: string
  /** the baseline's commit: history after it is searched (null: all of the target's history) */
  baseline: string | null
  /** what the findings describe */
  target: {type: 'staged' | 'worktree' | 'ref' | 'snapshot'; commit: string | null}
  actors?: ActorConfig
  /** the config's adapter settings (what the findings were judged by) */
  settings?: AdapterSettings
  /** the target's documents: kinds whose files refer to each other read the others from here */
  documents?: Map<string, Document>
  /**
   * the baseline's documents: with the target's, a finding's other commits are told with the parts
   * of each side that decide their witness (compare.ts toldFor); without, their message alone
   */
  baselineDocuments?: Map<string, Document>
  /** the environment of this process: evidence about the commit being made */
  env?: NodeJS.ProcessEnv
  /** the message of the commit being made, when known (the commit-msg hook): its trailers are evidence */
  message?: string
  progress?: (done: number, total: number, what: string) => void
  /** which files the check read (default: every version of every path counts) */
  reading?: ReadingOptions
}

/** Which files the check read: the baseline's, and those each version of the config in the range reads. */
export interface ReadingOptions {
  /** whether the baseline read a path */
  baseline: (path: string) => boolean
  /** the config file, relative to the root; undefined outside the repository (it has one version: null) */
  config: string | undefined
  /** whether each version of the config (by blob id; null: none, or the one given outside the repository) reads a path */
  versions: (blobs: ReadonlyArray<string | null>) => Promise<Map<string | null, (path: string) => boolean>>
}

/** Which versions the check read (onlyRead), with the config each commit of the history left. */
async function readingIn(
  root: string,
  history: History,
  head: string,
  options: ReadingOptions,
  files: string[],
): Promise<Reading> {
  const {config} = options
  // Only a file the baseline did not read needs its version where no commit of the range changed it.
  const unread = files.filter((file) => !options.baseline(file))
  const atTarget = await blobIdsAt(root, head, config === undefined ? unread : [config, ...unread])
  if (config === undefined) {
    const given = (await options.versions([null])).get(null)!
    return {baseline: options.baseline, at: () => given, config, atTarget}
  }
  // The version where the range starts: what every commit below the range's changes to it has.
  const below = walkOf(history, head, config).before
  const unchanged = below === undefined ? (atTarget.get(config) ?? null) : below.blob
  const blobs = new Set([null, unchanged, ...versionsIn(history, config)])
  const readers = await options.versions([...blobs])
  const versionOf = versionAt(history, config, unchanged)
  const atCommit = new Map<string, (path: string) => boolean>()
  return {
    baseline: options.baseline,
    atTarget,
    config,
    at: (sha) => {
      let read = atCommit.get(sha)
      if (read === undefined) {
        read = readers.get(versionOf(sha)) ?? readers.get(null)!
        atCommit.set(sha, read)
      }
      return read
    },
  }
}

/** Fills in `finding.commit` for every finding, and returns notes on what could not be attributed. */
/**
 * Whether history can date the finding: acldrift's own findings are attributed by the gate, and a
 * finding with no witness only when it is a possible widening (a CODEOWNERS line GitHub skips,
 * patterns too complex to compare), which is dated by the commits that changed what it comes from.
 */
const dated = (f: Finding) => f.kind !== GATE_KIND && (f.witness !== null || f.change === 'possible-widening')

/** How many versions semantic blame asked the adapters about (a debug stat, for tests). */
export const blameCounts = {asked: 0}

export async function attribute(findings: Finding[], options: AttributionOptions): Promise<string[]> {
  const notes: string[] = []
  if (findings.length === 0) return notes
  const {target} = options
  if (target.type === 'staged') {
    // Against HEAD, every change is the pending commit's. Against an older baseline (a
    // snapshot, a tag), what HEAD already allows was committed before: blame its history.
    const committed =
      target.commit !== null && options.baseline !== target.commit
        ? await alreadyAtHead(findings, target.commit, options)
        : []
    const pending = await pendingCommit(options, 'the commit being made')
    for (const f of findings) if (!committed.includes(f)) f.commit = pending
    if (committed.length === 0) return notes
    return attribute(committed, {...options, target: {type: 'ref', commit: target.commit}})
  }
  const head = target.commit
  if (head === null) return notes
  const history = await readHistory(options.root, options.baseline, head)
  // A document written across files (a Terraform resource whose policy is a data source of
  // another file of its module) is blamed on the versions of all of them together.
  const settings = options.settings ?? DEFAULT_ADAPTER_SETTINGS
  const together = await filesTogether(
    options.root,
    head,
    containerFiles(findings, options.documents),
    settings,
  )
  const reading =
    options.reading &&
    (await readingIn(options.root, history, head, options.reading, [
      ...new Set(findings.flatMap((f) => [f.file, elsewhereOf(f)?.file ?? f.file])),
    ]))
  const walksOf = (file: string): WalkOf => {
    const walks = together.get(file)?.walks
    return onlyRead(walks ?? walkOf, reading, walks === undefined)
  }
  // The versions blame may ask about, per file: walked once, read and parsed once.
  const filesOf = (f: Finding) => [f.file, elsewhereOf(f)?.file].filter((file) => file !== undefined)
  const versions = new Map(
    [...new Set(findings.flatMap(filesOf))].map((file) => [
      file,
      blobsToRead(history, head, file, walksOf(file)),
    ]),
  )
  // How each file's versions are read: as a document of the finding's kind, or as a container.
  const readAs = new Map<string, FindingKind | 'container'>()
  for (const f of findings) {
    readAs.set(f.file, f.document === undefined ? f.kind : 'container')
    const elsewhere = elsewhereOf(f)
    if (elsewhere) readAs.set(elsewhere.file, elsewhere.document === undefined ? f.kind : 'container')
  }
  // The versions of the files of one group of findings at a time (read and parsed once each), let
  // go before the next group's: a long history's versions of every file are never all held.
  let parsed = new Map<string, unknown>()
  let contents = new Map<string, Buffer>()
  let wholeContainers = new Set<string>()
  // The kind's documents as they are in the target (the adapter puts each version of the
  // finding's own file in place of its target version).
  const documentsOfKind = new Map<string, Map<string, unknown>>()
  const othersOf = (kind: string) => {
    let others = documentsOfKind.get(kind)
    if (others === undefined) {
      others = new Map(
        [...(options.documents ?? [])].filter(([, d]) => d.kind === kind).map(([path, d]) => [path, d.value]),
      )
      documentsOfKind.set(kind, others)
    }
    return others
  }
  // Whether two versions hold the same document (the finding's, in a container): what differs from
  // the baseline's came in with a commit that changed it.
  const sameDocument =
    (finding: Finding) =>
    (a: string | null, b: string | null): boolean => {
      const valueOf = (blob: string | null) => {
        const value = blob === null ? undefined : parsed.get(documentKey(blob, finding.document))
        return value === undefined ? undefined : canonicalJson(value)
      }
      return valueOf(a) === valueOf(b)
    }
  // Kinds some of whose target documents a container holds: their versions are not read by
  // kind (blame by change over the kind's files would miss them).
  const containedKinds = new Set(
    [...(options.documents ?? new Map<string, Document>()).values()]
      .filter((d) => d.origin !== undefined)
      .map((d) => d.kind),
  )
  const byKind = new Map<Kind, Promise<string[] | undefined>>()
  const kindChanges = (kind: Kind) => {
    let changed = byKind.get(kind)
    if (changed === undefined) {
      changed = kindChangedSince(options.root, history, head, kind)
      byKind.set(kind, changed)
    }
    return changed
  }
  // A possible widening whose witness names no request, or one the version before the range
  // already allowed, cannot tell the versions apart: it is blamed on the commits that changed
  // the document since it was the baseline's, and on one only when a single commit did. For a
  // kind read together, its access may come from any file of the kind (a Role another file no
  // longer defines): the commits are those that changed any of them; a worktree's findings may
  // come from what is not committed, so they are left to the note. Undefined: not blamed so.
  const blameByChange = async (
    finding: Finding,
    result: BlameResult,
    byWitness: boolean,
    fromElsewhere: boolean,
  ): Promise<string[] | undefined> => {
    if (result.sha !== null || result.shallow || finding.change !== 'possible-widening') return undefined
    if (adapterFor(finding.kind).scope === 'file') {
      if ((byWitness && !result.predates) || fromElsewhere) return undefined
      return changedSince(history, head, finding.file, sameDocument(finding), walksOf(finding.file))
    }
    if (target.type === 'worktree' || finding.document !== undefined || containedKinds.has(finding.kind))
      return undefined
    return kindChanges(finding.kind as Kind)
  }
  const blamed = new Map<Finding, BlamedCommit | null>()
  // The versions of each kind whose files refer to each other, the kind whole, read once.
  const wholeKinds = new Map<Kind, Promise<Versions | undefined>>()
  const wholeKind = (kind: Kind) => {
    let versions = wholeKinds.get(kind)
    if (versions === undefined) {
      const target = options.documents ?? new Map()
      const kindOptions = {root: options.root, history, head, settings, target, together, reading}
      wholeKinds.set(kind, (versions = kindVersions(kind, kindOptions)))
    }
    return versions
  }
  // The finding's access asked of each version of its kind whole: a kind some of whose documents
  // a container holds may have the access twice at the target (a Role and the overlay rendering
  // it), so the file's versions, each read with the target's other files, cannot date it.
  const blameWhole = async (finding: Finding): Promise<BlameResult> => {
    const whole = await wholeKind(finding.kind as Kind)
    if (whole === undefined) return {sha: null}
    const key = findingKey(finding)
    const answers = new Map<string | null, boolean>()
    for (const version of [null, ...whole.versions]) {
      const documents = await whole.documents(version)
      const allows = await allowsAmong(finding.kind as Kind, documents, key, finding.witness!, {
        settings,
        together: true,
      })
      answers.set(version, allows === (finding.change !== 'narrowing'))
    }
    return semanticBlame(history, head, whole.path, (v) => answers.get(v) ?? false, whole.walks)
  }
  // Each commit's tree, listed once when a comparison asks for its paths (a CODEOWNERS witness).
  const trees = new Map<string, Promise<readonly string[]>>()
  const pathsAt = (commit: string) => {
    let paths = trees.get(commit)
    if (paths === undefined) trees.set(commit, (paths = listRevisionFiles(options.root, commit)))
    return paths
  }
  // Every other commit of the range whose added access the finding still has: each file's chain
  // walked once more (a file, a Terraform module's files; after them, every file of a kind read together).
  const listedIn = new Set<Finding>()
  const added = new Map<Finding, AddedBy[]>()
  let done = 0
  for (const group of inGroups(findings, filesOf, versions)) {
    const files = new Set(group.flatMap(filesOf))
    ;({parsed, contents, wholeContainers} = await readVersions(
      options.root,
      new Map([...versions].filter(([file]) => files.has(file))),
      readAs,
      together,
      settings,
    ))
    for (const finding of group) {
      options.progress?.(done++, findings.length, 'findings attributed')
      // acldrift's own findings (config, approvals, baseline) are attributed by the gate.
      if (!dated(finding)) continue
      const adapter = adapterFor(finding.kind)
      const wanted = finding.change !== 'narrowing'
      const others = othersOf(finding.kind)
      // `at`: the file and, for an embedded document, its name in the container; `value`: the
      // version's (undefined: it did not parse, or holds no such document, and allows nothing). A
      // container read whole that holds no such document (a policy taken out of a template) allows
      // what the kind's absence of the document does, as a deleted file.
      const allowedAt = async (
        at: Pick<Finding, 'file' | 'document'>,
        blob: string | null,
        value: unknown,
      ) => {
        const key = findingKey(at)
        const gone = at.document !== undefined && value === undefined && wholeContainers.has(blob ?? '')
        if (blob === null || gone)
          return ((await adapter.absentAllows?.(finding.witness!, key, others)) ?? false) === wanted
        if (value === undefined) return !wanted
        blameCounts.asked++
        return (await adapter.allows(value, finding.witness!, key, others, settings)) === wanted
      }
      // Each version is asked once, and only when the walk reaches it: the first-parent chain newest
      // first down to the first version without the access, then whatever else blame walks (merged
      // branches, the version before the range), blame being run again over the answers until it
      // asks nothing new. Versions with the same access (a renamed IAM statement: adapter.ts,
      // accessText) are asked once. A version blame may not ask about (none read) allows nothing.
      const blameIn = async (at: Pick<Finding, 'file' | 'document'>) => {
        const readable = new Set([null, ...versions.get(at.file)!])
        const walks = walksOf(at.file)
        const answers = new Map<string | null, boolean>()
        const byAccess = new Map<string, boolean>()
        const ask = async (blob: string | null) => {
          const value = blob === null ? undefined : parsed.get(documentKey(blob, at.document))
          const text = value === undefined ? undefined : await accessTextOf(finding.kind as Kind, value)
          const known = text === undefined ? undefined : byAccess.get(text)
          const answer = readable.has(blob) && (known ?? (await allowedAt(at, blob, value)))
          if (text !== undefined) byAccess.set(text, answer)
          answers.set(blob, answer)
          return answer
        }
        for (const state of walks(history, head, at.file).states()) if (!(await ask(state.blob))) break
        for (;;) {
          let unasked: {blob: string | null} | undefined
          const result = semanticBlame(
            history,
            head,
            at.file,
            (blob) => {
              const answer = answers.get(blob)
              if (answer === undefined) unasked ??= {blob}
              return answer ?? false
            },
            walks,
          )
          if (unasked === undefined) return result
          await ask(unasked.blob)
        }
      }
      const byWitness = finding.witness !== null && (adapter.namesRequest?.(finding.witness) ?? true)
      let result: BlameResult = byWitness
        ? await blameIn(finding)
        : {sha: null, why: 'its witness names no request to ask of each version'}
      // The change may lie in the file the baseline's access came from: a deleted CODEOWNERS
      // hands the repository over to the next one, which itself did not change.
      const elsewhere = elsewhereOf(finding)
      if (result.sha === null && elsewhere !== undefined && byWitness) {
        const there = await blameIn(elsewhere)
        if (there.sha !== null) result = there
      }
      const whole = adapter.scope === 'kind' && containedKinds.has(finding.kind)
      if (result.sha === null && !result.shallow && byWitness && whole) {
        const there = await blameWhole(finding)
        if (there.sha !== null) result = there
      }
      const byChange = await blameByChange(finding, result, byWitness, elsewhere !== undefined)
      if (byChange !== undefined && byChange.length > 0) {
        const merge = byChange.find((sha) => history.commits.get(sha)!.parents.length > 1)
        if (byChange.length === 1 && merge === undefined) {
          blamed.set(finding, {sha: byChange[0]!})
          continue
        }
        const named = byChange.map((sha) => sha.slice(0, 7)).join(', ')
        const files = adapter.scope === 'file' ? '' : ` (the commits that changed files of its kind)`
        notes.push(
          `${finding.file}: ${finding.id} not attributed to one commit: what it allows could not be decided, and it came in with one of ${named}${files}${merge === undefined ? '' : ` (or a commit of the branch merged by ${merge.slice(0, 7)})`}`,
        )
        continue
      }
      if (result.sha === null) {
        // A worktree compared with HEAD itself reads no history: what differs is uncommitted.
        const uncommitted = result.why?.includes('uncommitted') || !history.commits.has(head)
        if (target.type === 'worktree' && uncommitted) blamed.set(finding, null)
        else notes.push(`${finding.file}: ${finding.id} not attributed: ${whyNot(finding, result)}`)
        continue
      }
      blamed.set(finding, {sha: result.sha, mergedBy: result.mergedBy})
    }

    const groups = fileGroups(
      group.filter((f) => blamed.has(f)),
      blamed,
      {settings, walksOf, versions, contents, together},
    )
    for (const g of groups) for (const finding of g.findings) listedIn.add(finding)
    const listed = await addedAccess({
      history,
      head,
      groups,
      target: options.documents ?? new Map(),
      settings,
      pathsAt,
    })
    for (const [finding, list] of listed) added.set(finding, list)
  }
  // The kinds whose files refer to each other: each compared whole at each commit that touched it.
  const kinds = await kindGroups(blamed, wholeKind)
  for (const g of kinds) for (const finding of g.findings) listedIn.add(finding)
  const listed = await addedAccess({
    history,
    head,
    groups: kinds,
    target: options.documents ?? new Map(),
    settings,
    pathsAt,
  })
  for (const [finding, list] of listed) added.set(finding, list)
  options.progress?.(findings.length, findings.length, 'findings attributed')
  const commits = await lookUpCommits(options, [
    ...blamedShas(blamed.values()),
    ...blamedShas([...added.values()].flat()),
  ])
  // How new each commit is (the history lists the newest first).
  const newest = new Map(history.order.map((sha, i) => [sha, history.order.length - i]))
  let uncommitted: CommitInfo | undefined
  for (const [finding, b] of blamed) {
    if (b === null) {
      uncommitted ??= await pendingCommit(options, 'uncommitted changes in the working tree')
      finding.commit = uncommitted
      continue
    }
    const commit = blamedCommit(commits, b)
    if (commit === undefined) continue
    finding.commit = commit
    if (!listedIn.has(finding)) continue
    // The blamed commit with the finding's own witness, in its place among the others (oldest first).
    const others = (added.get(finding) ?? []).filter((entry) => entry.sha !== b.sha)
    const listed = [...others, {...b, witness: finding.witness!}].sort(
      (x, y) => (newest.get(x.sha) ?? 0) - (newest.get(y.sha) ?? 0),
    )
    const sides = options.baselineDocuments &&
      options.documents && {
        baseline: ofKind(options.baselineDocuments, finding.kind),
        target: ofKind(options.documents, finding.kind),
      }
    finding.commits = []
    for (const entry of listed) {
      const by = blamedCommit(commits, entry)
      if (by === undefined) continue
      const {message} = await toldFor(finding, entry.witness, sides)
      finding.commits.push({commit: by, witness: entry.witness, message})
    }
  }
  return notes
}

interface FileGroupOptions {
  settings: AdapterSettings
  walksOf: (file: string) => WalkOf
  versions: ReadonlyMap<string, ReadonlySet<string>>
  /** every version's content blame read, by blob id */
  contents: ReadonlyMap<string, Buffer>
  together: ReadonlyMap<string, {paths: string[]}>
}

/**
 * Listed: a blamed widening with a witness whose access did not come from another file, or came
 * from another file of a kind compared whole (a deleted CODEOWNERS hands the repository over to
 * the next one: both files are in the kind's versions).
 */
const listable = (finding: Finding, b: BlamedCommit | null | undefined) =>
  b !== undefined &&
  b !== null &&
  finding.witness !== null &&
  (elsewhereOf(finding) === undefined || adapterFor(finding.kind as Kind).scope === 'kind')

/** Each version's documents, read once (under the path they have in that version). */
function once(read: (version: string) => Promise<Document[]>, keys?: ReadonlySet<string>) {
  const cache = new Map<string | null, Map<string, Document>>()
  return async (version: string | null) => {
    let documents = cache.get(version)
    if (documents === undefined) {
      const all = version === null ? [] : await read(version)
      documents = new Map(all.filter((d) => keys?.has(d.path) ?? true).map((d) => [d.path, d]))
      cache.set(version, documents)
    }
    return documents
  }
}

/**
 * The groups whose commits are listed for the blamed widenings of kinds whose files stand alone:
 * one per file, or per Terraform module (a version names each of its files' blobs), each version
 * read once.
 */
function fileGroups(
  findings: Finding[],
  blamed: Map<Finding, BlamedCommit | null>,
  options: FileGroupOptions,
): Group[] {
  const {settings, contents} = options
  const byFile = new Map<string, Finding[]>()
  for (const finding of findings)
    if (listable(finding, blamed.get(finding)) && adapterFor(finding.kind).scope === 'file')
      byFile.set(finding.file, [...(byFile.get(finding.file) ?? []), finding])
  const parse = async (path: string, blob: string, as: Kind | 'detect', source?: SourceFiles) => {
    const content = contents.get(blob)
    return content === undefined
      ? []
      : (await readDocuments({path, content}, as, false, source, settings)).documents
  }
  const groups: Group[] = []
  for (const [file, list] of byFile) {
    const kind = list[0]!.kind as Kind
    const keys = new Set(list.map(findingKey))
    const as = list.some((f) => f.document !== undefined) ? 'detect' : kind
    const module = options.together.get(file)
    // A module's documents read its other files as that version has them.
    const read = module
      ? (state: string) => {
          const blobs = blobsOfAll(module.paths, state)
          const blob = blobs.get(file)
          return blob === null || blob === undefined
            ? Promise.resolve([])
            : parse(file, blob, as, sourceOf(module.paths, blobs, contents))
        }
      : (blob: string) => parse(file, blob, as)
    groups.push({
      kind,
      findings: list,
      path: file,
      walks: options.walksOf(file),
      versions: options.versions.get(file) ?? new Set(),
      documents: once(read, keys),
      together: false,
    })
  }
  return groups
}

interface KindGroupOptions {
  root: string
  history: History
  head: string
  settings: AdapterSettings
  /** the target's documents, by key */
  target: ReadonlyMap<string, Document>
  /** the container files whose documents read other files at the target, with those files (filesTogether) */
  together: ReadonlyMap<string, {paths: string[]}>
  reading: Reading | undefined
}

/**
 * The groups whose commits are listed for the blamed widenings of kinds whose files refer to each
 * other, one per kind, over the kind's versions (kindVersions).
 */
async function kindGroups(
  blamed: Map<Finding, BlamedCommit | null>,
  versionsOf: (kind: Kind) => Promise<Versions | undefined>,
): Promise<Group[]> {
  const byKind = new Map<Kind, Finding[]>()
  for (const [finding, b] of blamed) {
    const kind = finding.kind as Kind
    if (listable(finding, b) && adapterFor(kind).scope === 'kind')
      byKind.set(kind, [...(byKind.get(kind) ?? []), finding])
  }
  const groups: Group[] = []
  for (const [kind, findings] of byKind) {
    const versions = await versionsOf(kind)
    if (versions !== undefined) groups.push({kind, findings, ...versions, together: true})
  }
  return groups
}

/**
 * The versions of a kind whose files refer to each other, the kind whole. A version is every file
 * of the kind some commit of the range changed (and the check read, at the baseline or the target)
 * as that commit left it, and every container file holding documents of the kind at the target (a
 * kustomize overlay, a Helm chart) rendered from its files as that commit left them, with the
 * target's other files of the kind: the commits walked are those that touched one of them, each
 * file's version read and parsed once, each container rendered once per set of its files'
 * versions. Undefined when no such file exists.
 */
async function kindVersions(kind: Kind, options: KindGroupOptions): Promise<Versions | undefined> {
  const {settings, target, reading} = options
  const checked = (path: string) =>
    reading === undefined || reading.baseline(path) || target.get(path)?.kind === kind
  const own = kindPaths(options.history, kind).paths.filter(checked)
  // Each container holding documents of the kind at the target, with the files it reads.
  const containers = new Map<string, string[]>()
  for (const d of target.values())
    if (d.kind === kind && d.origin !== undefined)
      containers.set(d.origin.file, options.together.get(d.origin.file)?.paths ?? [d.origin.file])
  const paths = [...new Set([...own, ...[...containers.values()].flat()])].sort()
  if (paths.length === 0) return undefined
  const walks = walkOfAll(paths, await blobIdsAt(options.root, options.head, paths))
  const versions = blobsToRead(options.history, options.head, paths[0]!, walks)
  const blobs = [...versions].flatMap((state) => [...blobsOfAll(paths, state).values()])
  const wanted = [...new Set(blobs)].filter((blob): blob is string => blob !== null)
  const contents = new Map<string, Buffer>()
  for (const object of await catFileBatch(options.root, wanted, {maxBytes: MAX_FILE_BYTES}))
    if (object.type === 'blob' && !object.oversize) contents.set(object.id, object.content)
  const parsed = new Map<string, Promise<Document[]>>()
  // A file's documents of the kind: its own, or a container's rendered from `files`.
  const parseOnce = (path: string, blobs: ReadonlyMap<string, string | null>, files?: string[]) => {
    const blob = blobs.get(path)
    const id = `${path} ${(files ?? [path]).map((file) => blobs.get(file) ?? '-').join(' ')}`
    let documents = parsed.get(id)
    if (documents === undefined) {
      const content = blob === null || blob === undefined ? undefined : contents.get(blob)
      const source = files && sourceOf(files, blobs, contents)
      documents =
        content === undefined
          ? Promise.resolve([])
          : readDocuments({path, content}, files ? 'detect' : kind, false, source, settings).then((r) =>
              r.documents.filter((d) => d.kind === kind),
            )
      parsed.set(id, documents)
    }
    return documents
  }
  // The target's files of the kind that no commit of the range changed are the same in every version.
  const unchanged = [...target.values()].filter(
    (d) => d.kind === kind && !own.includes(d.path) && !containers.has(d.origin?.file ?? ''),
  )
  const read = async (state: string) => {
    const documents = [...unchanged]
    const blobs = blobsOfAll(paths, state)
    for (const path of own) documents.push(...(await parseOnce(path, blobs)))
    for (const [file, files] of containers) documents.push(...(await parseOnce(file, blobs, files)))
    return documents
  }
  return {path: paths[0]!, walks, versions, documents: once(read)}
}

/** The files `paths` of a version (their blob ids, from `contents`) as a container reads them. */
function sourceOf(
  paths: readonly string[],
  blobs: ReadonlyMap<string, string | null>,
  contents: ReadonlyMap<string, Buffer>,
): SourceFiles {
  const files = new Map<string, Buffer>()
  for (const path of paths) {
    const blob = blobs.get(path)
    if (blob !== null && blob !== undefined && contents.has(blob)) files.set(path, contents.get(blob)!)
  }
  return {
    paths: async () => [...files.keys()],
    read: async (wanted) =>
      new Map(wanted.flatMap((p) => (files.has(p) ? [[p, files.get(p)!] as const] : []))),
  }
}

/** Versions read together at most (unless one file alone has more): a bound on what is held at once. */
const VERSIONS_AT_ONCE = 256

/**
 * The findings in groups, in order, each group's files together holding at most VERSIONS_AT_ONCE
 * versions; all of a file's findings are in one group (contributions weigh them together).
 */
function* inGroups(
  findings: Finding[],
  filesOf: (f: Finding) => string[],
  versions: ReadonlyMap<string, ReadonlySet<string>>,
): Generator<Finding[]> {
  const byFile = new Map<string, Finding[]>()
  for (const finding of findings) byFile.set(finding.file, [...(byFile.get(finding.file) ?? []), finding])
  let group = new Set<Finding>()
  let files = new Set<string>()
  let count = 0
  const flush = () => findings.filter((f) => group.has(f))
  for (const list of byFile.values()) {
    const fresh = [...new Set(list.flatMap(filesOf))].filter((file) => !files.has(file))
    const more = fresh.reduce((sum, file) => sum + (versions.get(file)?.size ?? 0), 0)
    if (group.size > 0 && count + more > VERSIONS_AT_ONCE) {
      yield flush()
      ;[group, files, count] = [new Set(), new Set(), 0]
    }
    for (const finding of list) group.add(finding)
    for (const file of fresh) files.add(file)
    count += more
  }
  if (group.size > 0) yield flush()
}

/**
 * Why a finding names no commit. A possible widening's witness that the version before the range
 * allowed too does not date the access: what differs is what acldrift could not decide, and for a
 * kind whose files refer to each other it may lie in another file.
 */
const whyNot = (finding: Finding, result: BlameResult): string | undefined =>
  result.predates && finding.change === 'possible-widening'
    ? 'its witness was allowed before the range too, and what changed could not be decided; the change may lie in another file of its kind'
    : result.why

/**
 * The findings that HEAD already shows: HEAD's version of their file allows a widening's witness
 * (or no longer a narrowing's). A possible widening whose witness names no request, or of a kind
 * read together, is HEAD's unless the index differs from HEAD in what its kind reads of the files
 * it may come from (its own file; for a kind read together, any file of the kind).
 */
async function alreadyAtHead(
  findings: Finding[],
  head: string,
  options: AttributionOptions,
): Promise<Finding[]> {
  const byChange = (f: Finding) => {
    const adapter = adapterFor(f.kind as Kind)
    return (
      f.change === 'possible-widening' &&
      f.document === undefined &&
      (adapter.scope === 'kind' || f.witness === null || !(adapter.namesRequest?.(f.witness) ?? true))
    )
  }
  const asked = findings.filter((f) => dated(f) && (f.witness !== null || byChange(f)))
  const [atHead] = await readPathsAt(
    options.root,
    [{type: 'ref', commit: head}],
    [...new Set(asked.filter((f) => !byChange(f)).map((f) => f.file))],
  )
  const staged = asked.some(byChange) ? await readStagedChanges(options.root) : undefined
  const out: Finding[] = []
  const source = headFiles(options.root, head)
  for (const finding of asked) {
    const kind = finding.kind as Kind
    if (staged !== undefined && byChange(finding)) {
      const together = adapterFor(kind).scope === 'kind'
      const wanted = (path: string) => path === finding.file || (together && mayHold(kind, path))
      if (!(await stagedDiffers(staged, kind, wanted))) out.push(finding)
      continue
    }
    const content = atHead!.get(finding.file)
    if (content === undefined) continue
    const key = findingKey(finding)
    const settings = options.settings ?? DEFAULT_ADAPTER_SETTINGS
    const value = await valueIn({path: finding.file, content}, kind, finding.document, source, settings)
    if (value === undefined) continue
    const others = new Map(
      [...(options.documents ?? [])]
        .filter(([path, d]) => d.kind === kind && path !== key)
        .map(([path, d]) => [path, d.value]),
    )
    const allows = await adapterFor(kind).allows(value, finding.witness!, key, others, settings)
    if (allows === (finding.change !== 'narrowing')) out.push(finding)
  }
  return out
}

/** The other file of the finding's kind that the baseline's access came from, if any. */
const elsewhereOf = (finding: Finding): Pick<Finding, 'file' | 'document'> | undefined => {
  const location = finding.baselineLocation
  return location && location.file !== finding.file ? location : undefined
}

/**
 * The versions of each file, read with one cat-file process and parsed once each: the value of
 * each version by its blob id, and for a container file, the value of each document it holds
 * by `BLOB#NAME` (for files read together, by `STATE#NAME`, where the state names each file's blob).
 */
async function readVersions(
  root: string,
  versions: Map<string, Set<string>>,
  readAs: Map<string, FindingKind | 'container'>,
  together: ReadonlyMap<string, {paths: string[]}>,
  settings: AdapterSettings,
): Promise<{parsed: Map<string, unknown>; contents: Map<string, Buffer>; wholeContainers: Set<string>}> {
  // The kind, else the file name, decides the format (CODEOWNERS, JSON or YAML) of each version.
  const fileOf = new Map<string, string>()
  const wanted = new Set<string>()
  for (const [file, keys] of versions)
    for (const key of keys) {
      const group = together.get(file)
      if (group === undefined) {
        fileOf.set(key, file)
        wanted.add(key)
      } else for (const blob of blobsOfAll(group.paths, key).values()) if (blob !== null) wanted.add(blob)
    }
  const parsed = new Map<string, unknown>()
  const contents = new Map<string, Buffer>()
  const whole = new Set<string>()
  if (wanted.size === 0) return {parsed, contents, wholeContainers: whole}
  // A version over the size limit would not parse: it is skipped unread, like one that does not parse.
  for (const object of await catFileBatch(root, [...wanted], {maxBytes: MAX_FILE_BYTES}))
    if (object.type === 'blob' && !object.oversize) contents.set(object.id, object.content)
  for (const [id, content] of contents) {
    const path = fileOf.get(id)
    if (path === undefined) continue
    const as = readAs.get(path)
    const file = {path, content}
    if (as === 'container') {
      const read = await readDocuments(file, 'detect', false, undefined, settings)
      if (read.problems.length === 0 && read.notRead === undefined) whole.add(id)
      for (const document of read.documents)
        if (document.origin) parsed.set(documentKey(id, document.origin.name), document.value)
      continue
    }
    const value = await valueIn(file, as === GATE_KIND ? undefined : as)
    if (value !== undefined) parsed.set(id, value)
  }
  for (const [file, group] of together)
    for (const key of versions.get(file) ?? []) {
      const blobs = blobsOfAll(group.paths, key)
      const blob = blobs.get(file)
      const content = blob === null || blob === undefined ? undefined : contents.get(blob)
      if (content === undefined) continue
      const source = sourceOf(group.paths, blobs, contents)
      const read = await readDocuments({path: file, content}, 'detect', false, source, settings)
      if (read.problems.length === 0 && read.notRead === undefined) whole.add(key)
      for (const document of read.documents)
        if (document.origin) parsed.set(documentKey(key, document.origin.name), document.value)
    }
  return {parsed, contents, wholeContainers: whole}
}

/**
 * The container files of the findings, and for a kind whose files refer to each other, every
 * container holding documents of the kind at the target (its versions are the kind's: kindGroups).
 */
function containerFiles(findings: Finding[], documents?: ReadonlyMap<string, Document>): Set<string> {
  const files = new Set(findings.filter((f) => f.document !== undefined).map((f) => f.file))
  const kinds = new Set(
    findings
      .filter((f) => f.kind !== GATE_KIND && adapterFor(f.kind as Kind).scope === 'kind')
      .map((f) => f.kind),
  )
  for (const d of documents?.values() ?? [])
    if (d.origin !== undefined && kinds.has(d.kind)) files.add(d.origin.file)
  return files
}

/**
 * Those of the container files whose documents read other files at the target (a Terraform
 * module's other files, a policy read with `file()`, a kustomize overlay's bases): each with
 * those files, and the walk of their versions together.
 */
async function filesTogether(
  root: string,
  head: string,
  files: ReadonlySet<string>,
  settings: AdapterSettings,
): Promise<Map<string, {paths: string[]; walks: WalkOf}>> {
  const out = new Map<string, {paths: string[]; walks: WalkOf}>()
  for (const file of files) {
    const source = sourceFiles(root, {type: 'ref', commit: head})
    const content = (await source.read([file])).get(file)
    if (content === undefined) continue
    const read = new Set<string>()
    const recording: SourceFiles = {
      paths: source.paths,
      read: async (paths) => {
        const found = await source.read(paths)
        for (const path of found.keys()) read.add(path)
        return found
      },
    }
    await readDocuments({path: file, content}, 'detect', false, recording, settings)
    read.delete(file)
    if (read.size === 0) continue
    const paths = [file, ...[...read].sort()]
    out.set(file, {paths, walks: walkOfAll(paths, await blobIdsAt(root, head, paths))})
  }
  return out
}

/**
 * One version's value: the file as a document of `kind`, or the document named `name` in it
 * when it is a container file. Undefined when that version does not hold it: a version that
 * did not parse, or whose document did not validate, allowed nothing (AWS would have rejected it).
 */
async function valueIn(
  file: SourceFile,
  kind: Kind | undefined,
  name?: string,
  source?: SourceFiles,
  settings?: AdapterSettings,
): Promise<unknown> {
  if (name !== undefined) {
    const documents = (await readDocuments(file, 'detect', false, source, settings)).documents
    return documents.find((d) => d.origin?.name === name)?.value
  }
  return parsedAs(file, kind)
}
