// Reads the documents of one source (working tree, index or revision): which files are
// configs of which kind, parsed and schema-validated. Problems are collected, not thrown,
// so one run names every broken file; callers fail closed when there are any.

import {ADAPTERS, adapterFor} from '../adapters/index.js'
import {containerFor, SCANNED_CONTAINERS, type SourceFiles} from '../containers/index.js'
import type {TreeEntry} from '../git/entries.js'
import {headCommit, resolveCommit} from '../git/repo.js'
import {listRevisionFiles, readRevisionFiles} from '../git/revision.js'
import {listStagedEntries, listStagedFiles, readStagedChanges, readStagedFiles} from '../git/staged.js'
import type {ReadResult, SkipReason} from '../git/types.js'
import {listWorktreeFiles, readWorktreeFiles} from '../git/worktree.js'
import {type Assignment, assigner, classifier, offeredForContent, unmatchedGlobs} from './classify.js'
import {type Config, CONFIG_FILE} from './config.js'

export {type Assignment, assigner, classifier} from './classify.js'
import {matchesPathRules} from '../kernel/candidates.js'
import {InvalidInputError} from '../kernel/errors.js'
import {readRegularFile} from '../kernel/files.js'
import {gitBlobId, sha256, valueHash} from '../kernel/hash.js'
import {parseFile, tooLarge} from '../kernel/parse.js'
import {timed} from '../kernel/timings.js'
import type {
  AdapterSettings,
  Coverage,
  Document,
  InputProblem,
  Kind,
  ParsedFile,
  SourceFile,
} from '../kernel/types.js'
import {embed, type FileDocuments} from './embedded.js'
import {type Blobs, type FilesAt, listOnce, NO_FILES, sourceFiles} from './source-files.js'
import {unreadFormat} from './unread.js'
import {validateValue} from './validate.js'

export type SourceSpec = {type: 'worktree'} | {type: 'staged'} | {type: 'ref'; rev: string}

/** The source the `--staged` and `--ref` flags name; the working tree by default. */
export function sourceSpec(flags: {staged?: boolean; ref?: string}): SourceSpec {
  return flags.staged
    ? {type: 'staged'}
    : flags.ref !== undefined
      ? {type: 'ref', rev: flags.ref}
      : {type: 'worktree'}
}

export interface LoadedSource {
  /** how the report names it: `worktree`, `staged`, `ref` */
  type: SourceSpec['type'] | 'snapshot'
  /** revision or file name, when there is one */
  ref: string | null
  commit: string | null
  documents: Map<string, Document>
  problems: InputProblem[]
  notes: string[]
  /** what was read, not read and skipped, and why (a snapshot has no inventory) */
  coverage?: Coverage
  /** every file read, with the git blob id of its content: what a snapshot records (SnapshotFiles) */
  files?: SnapshotFiles
  /** the config's `documents:` globs that match no path of the source (listed in full only) */
  unmatched?: Config['documents']
  /**
   * A snapshot file: the git blob id (SHA-1) of the content read, which tells, without reading
   * it again, whether a committed version of the file is this one (src/core/gate/reference.ts).
   */
  blob?: string
}

/** The files a source read, by path, with their blob ids, and the digest of the config that read them. */
export interface SnapshotFiles {
  config: string
  blobs: Record<string, string>
}

/**
 * What decides how files are read (the globs, the exclusions, the kinds' settings): a snapshot's
 * record of blob ids stands for the documents only while this is unchanged.
 */
export const readingDigest = (config: Config): string =>
  valueHash({documents: config.documents, exclude: config.exclude, settings: config.settings})

const emptyCoverage = (scope: Coverage['scope']): Coverage => ({scope, read: [], notRead: [], skipped: []})

/** Every path of a source: the working tree's (tracked and untracked, not ignored), the index, or a revision's tree. */
export function listSourcePaths(root: string, spec: SourceSpec): Promise<string[]> {
  if (spec.type === 'worktree') return listWorktreeFiles(root)
  if (spec.type === 'staged') return listStagedFiles(root)
  return listRevisionFiles(root, spec.rev)
}

/**
 * Loads every document of a source. `overlay`: files whose content stands in for the source's
 * version where container formats read them (a kustomize patch the agent hook's edit changes);
 * their own documents are `withOverlay`'s.
 */
export async function loadSource(
  root: string,
  spec: SourceSpec,
  config: Config,
  overlay: readonly SourceFile[] = [],
): Promise<LoadedSource> {
  const assign = assigner(config)
  const all = await timed('listing', () => listSourcePaths(root, spec))
  const paths = all.filter((path) => assign(path) !== undefined)
  const loaded = await timed('reading', () => readSource(root, spec, paths, assign, config, overlay))
  const blobs = loaded.files
    .filter((file) => !holdsSnapshot(file))
    .map((file) => [file.path, gitBlobId(file.content)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return {
    ...loaded.source,
    files: {config: readingDigest(config), blobs: Object.fromEntries(blobs)},
    unmatched: unmatchedGlobs(config.documents, all),
  }
}

/** The documents of `paths` in a source, and the files read. */
async function readSource(
  root: string,
  spec: SourceSpec,
  paths: readonly string[],
  assign: (path: string) => Assignment | undefined,
  config: Config,
  overlay: readonly SourceFile[] = [],
): Promise<{source: LoadedSource; files: SourceFile[]}> {
  let read: ReadResult
  let commit: string | null
  let at: FilesAt
  if (spec.type === 'worktree') {
    ;[read, commit] = await Promise.all([readWorktreeFiles(root, paths), headCommit(root)])
    at = spec
  } else if (spec.type === 'staged') {
    ;[read, commit] = await Promise.all([readStagedFiles(root, paths), headCommit(root)])
    at = spec
  } else {
    commit = await resolveCommit(root, spec.rev)
    read = await readRevisionFiles(root, commit, paths)
    at = {type: 'ref', commit}
  }
  const loaded = await documentsOf(
    {type: spec.type, ref: spec.type === 'ref' ? spec.rev : null, commit},
    read,
    assign,
    'repository',
    sourceFiles(root, at, [...read.files, ...overlay]),
    config.settings,
  )
  return {source: loaded, files: read.files}
}

/**
 * The warnings for the config's globs that match no file of a source: a note each, so that a
 * mistyped glob is never silent ("0 documents") and never an error.
 */
export function unmatchedNotes(source: LoadedSource): string[] {
  const where =
    source.type === 'worktree' ? 'the working tree' : source.type === 'staged' ? 'the index' : source.ref
  return (source.unmatched ?? []).map(
    ({glob, kind}) =>
      `warning: the \`documents:\` glob "${glob}" (${kind}) in ${CONFIG_FILE} matches no file in ${where} (globs are matched against paths from the repository root)`,
  )
}

/**
 * A snapshot written into the repository (`acldrift snapshot --out baseline.json`) is not among
 * the files a later snapshot records: it would make each snapshot depend on the previous one.
 */
function holdsSnapshot(file: SourceFile): boolean {
  if (!file.path.endsWith('.json') || !file.content.includes('"acldrift"')) return false
  try {
    return containerFor('snapshot').detect({value: JSON.parse(file.content.toString('utf8'))} as ParsedFile)
  } catch {
    return false
  }
}

/**
 * The pre-commit hook's case: HEAD (or `base`, a revision baseline) against the index, reading
 * only the paths where they differ (three git processes in all, whatever the size of the
 * repository).
 */
export function loadStagedChanges(
  root: string,
  config: Config,
  overlay: readonly SourceFile[] = [],
  base?: {ref: string; commit: string},
): Promise<{head: LoadedSource; staged: LoadedSource}> {
  // One `git diff --cached` names the paths, one `cat-file` reads them: listing is part of reading.
  return timed('reading', () => readStagedSides(root, config, overlay, base))
}

async function readStagedSides(
  root: string,
  config: Config,
  overlay: readonly SourceFile[],
  base: {ref: string; commit: string} | undefined,
): Promise<{head: LoadedSource; staged: LoadedSource}> {
  const assign = assigner(config)
  const [changes, headSha] = await Promise.all([readStagedChanges(root, base?.commit), headCommit(root)])
  prepareFormats(changes.paths.filter((path) => assign(path) !== undefined))
  // The baseline side's commit: HEAD's, or the revision baseline's.
  const commit = base?.commit ?? headSha
  // The index is listed when a container asks; the base side's listing is the index's with the
  // diff's changes undone, and the two sides read each blob they share (every file the commit
  // leaves alone) once: a Terraform module beside a staged `.tf` file costs one cat-file.
  const blobs: Blobs = new Map()
  const indexEntries = listOnce(() => listStagedEntries(root))
  const changed = new Set(changes.paths)
  const baseEntries = listOnce(async () => [
    ...(await indexEntries()).filter((entry) => !changed.has(entry.path)),
    ...changes.headEntries,
  ])
  const headFiles =
    commit === null
      ? NO_FILES
      : sourceFiles(root, {type: 'ref', commit}, changes.head.files, baseEntries, blobs)
  // The overlay stands in for the index's version wherever a container reads it.
  const stagedFiles = sourceFiles(
    root,
    {type: 'staged'},
    [...changes.staged.files, ...overlay],
    indexEntries,
    blobs,
  )
  // An overlaid file the index does not change is compared with its HEAD version too: read
  // while the dependents are looked for.
  const unchanged = overlay.map((f) => f.path).filter((path) => !changes.paths.includes(path))
  const overlaidAtHead =
    unchanged.length > 0 && commit !== null ? readRevisionFiles(root, {commit}, unchanged) : undefined
  overlaidAtHead?.catch(() => undefined) // awaited below, after the dependents
  // Files whose documents read a changed (or overlaid) file (a Terraform module's other files)
  // are read too.
  const changedOrOverlaid = [...changes.paths, ...overlay.map((f) => f.path)]
  const dependents = (await dependentsOf(changedOrOverlaid, stagedFiles, config.settings)).filter(
    (p) => assign(p) !== undefined,
  )
  if (dependents.length > 0) {
    const [atHead, inIndex] = await Promise.all([headFiles.read(dependents), stagedFiles.read(dependents)])
    changes.head.files.push(...[...atHead].map(([path, content]) => ({path, content})))
    changes.staged.files.push(...[...inIndex].map(([path, content]) => ({path, content})))
  }
  const keep = (read: ReadResult): ReadResult => ({
    files: read.files.filter((f) => assign(f.path) !== undefined),
    skipped: read.skipped.filter((f) => assign(f.path) !== undefined),
  })
  const headRead =
    overlaidAtHead === undefined ? changes.head : mergeReads(changes.head, await overlaidAtHead)
  const [head, staged] = await Promise.all([
    documentsOf(
      {type: 'ref', ref: base?.ref ?? 'HEAD', commit},
      keep(headRead),
      assign,
      'changed-files',
      headFiles,
      config.settings,
    ),
    documentsOf(
      {type: 'staged', ref: null, commit: headSha},
      keep(changes.staged),
      assign,
      'changed-files',
      stagedFiles,
      config.settings,
    ),
  ])
  return {head, staged: await withOverlay(staged, overlay, config, stagedFiles)}
}

/**
 * The index's version of some files, and of the files whose documents read them (a Terraform
 * module's other files): the hook's target when a baseline snapshot says which files can differ.
 * `entries`: the index's listing, already read; `head`: the HEAD commit; `unassigned`: paths
 * that may differ too but are no document of any kind (a kustomize generator's data file), of
 * which only the files that read them are read. Returns the source and every path it read.
 */
export async function loadStagedPaths(
  root: string,
  config: Config,
  index: {entries: readonly TreeEntry[]; head: string | null},
  paths: readonly string[],
  unassigned: readonly string[] = [],
): Promise<{source: LoadedSource; paths: string[]}> {
  const {entries, head} = index
  const assign = assigner(config)
  prepareFormats(paths)
  const dependents = await dependentsOf(
    [...paths, ...unassigned],
    sourceFiles(root, {type: 'staged'}, [], async () => entries),
    config.settings,
  )
  const all = [...paths, ...dependents.filter((p) => assign(p) !== undefined)]
  const read = await readStagedFiles(root, all, entries)
  const source = await documentsOf(
    {type: 'staged', ref: null, commit: head},
    read,
    assign,
    'changed-files',
    sourceFiles(root, {type: 'staged'}, read.files, async () => entries),
    config.settings,
  )
  return {source, paths: all}
}

const mergeReads = (a: ReadResult, b: ReadResult): ReadResult => ({
  files: [...a.files, ...b.files],
  skipped: [...a.skipped, ...b.skipped],
})

/**
 * A source with some files' content replaced (the agent hook's proposed edit, compared as if
 * it were staged; untracked files, compared as if they were tracked). The files are classified
 * as the source's other files are.
 */
export async function withOverlay(
  source: LoadedSource,
  files: readonly SourceFile[],
  config: Config,
  /** the source's other files, for a container that reads beside the file (a module's locals) */
  beside?: SourceFiles,
): Promise<LoadedSource> {
  if (files.length === 0) return source
  const paths = new Set(files.map((f) => f.path))
  const inFiles = (key: string) => [...paths].some((path) => key === path || key.startsWith(`${path}#`))
  const overlaid: LoadedSource = {
    ...source,
    documents: new Map([...source.documents].filter(([key]) => !inFiles(key))),
    problems: source.problems.filter((p) => !paths.has(p.file)),
  }
  const assign = assigner(config)
  for (const file of files) {
    const assignment = assign(file.path)
    if (assignment !== undefined)
      await addDocument(overlaid, file, assignment, false, beside, config.settings)
  }
  return overlaid
}

/**
 * The files of the index whose documents read `paths` (a kustomization that patches with one, a
 * Terraform module's other files): what an edit of those paths changes besides themselves.
 */
export async function readersOf(root: string, config: Config, paths: readonly string[]): Promise<string[]> {
  const assign = assigner(config)
  const readers = await dependentsOf(paths, sourceFiles(root, {type: 'staged'}), config.settings)
  return readers.filter((path) => assign(path) !== undefined)
}

/** Lets the container formats start loading what parsing `paths` needs while git reads them. */
function prepareFormats(paths: readonly string[]): void {
  for (const container of SCANNED_CONTAINERS) container.prepare?.(paths)
}

/** The files the container formats say may hold other documents when `changed` change. */
async function dependentsOf(
  changed: readonly string[],
  source: SourceFiles,
  settings: AdapterSettings,
): Promise<string[]> {
  const found = new Set<string>()
  for (const readers of (await readersByPath(changed, source, settings)).values())
    for (const path of readers) found.add(path)
  for (const path of changed) found.delete(path)
  return [...found]
}

/** For each of `changed`, the files the container formats say may hold other documents when it changes: one question per format. */
async function readersByPath(
  changed: readonly string[],
  source: SourceFiles,
  settings: AdapterSettings,
): Promise<Map<string, Set<string>>> {
  const out = new Map(changed.map((path) => [path, new Set<string>()]))
  for (const container of SCANNED_CONTAINERS)
    for (const [path, readers] of (await container.dependents?.(changed, source, settings)) ?? [])
      for (const reader of readers) out.get(path)?.add(reader)
  return out
}

async function documentsOf(
  origin: Pick<LoadedSource, 'type' | 'ref' | 'commit'>,
  read: ReadResult,
  assign: (path: string) => Assignment | undefined,
  scope: Coverage['scope'],
  source: SourceFiles,
  settings: AdapterSettings,
): Promise<LoadedSource> {
  const coverage = emptyCoverage(scope)
  const loaded: LoadedSource = {...origin, documents: new Map(), problems: [], notes: [], coverage}
  for (const skipped of read.skipped) {
    if (skipped.reason === 'deleted') continue
    // Too large to open, and nothing but its content could make it a config (a binary named `tool`).
    const unopened =
      skipped.reason === 'too-large' &&
      assign(skipped.path)?.kind === 'detect' &&
      offeredForContent(skipped.path)
    coverage.skipped.push({file: skipped.path, why: unopened ? NOT_OPENED : SKIP_REASONS[skipped.reason]})
    if (unopened) continue
    if (skipped.reason === 'unmerged') {
      loaded.problems.push({file: skipped.path, message: 'has unresolved merge conflicts'})
    } else if (skipped.reason === 'too-large') {
      // Unread, so it cannot be told apart from a config: it fails closed.
      loaded.problems.push({
        file: skipped.path,
        message: `${tooLarge(skipped.size!)} (not read; if it is not a permission config, list it under \`exclude:\` in ${CONFIG_FILE})`,
      })
    } else loaded.notes.push(`${skipped.path}: not read (${skipped.reason})`)
  }
  await Promise.all(
    read.files.map((file) => addDocument(loaded, file, assign(file.path)!, false, source, settings)),
  )
  await readThrough(coverage, source, settings)
  sortCoverage(coverage)
  return loaded
}

/**
 * Files no kind or format reads on their own that container files read for their documents (a
 * Terraform module's other `.tf` file, a chart's values file the config names): listed as read
 * through those files, or, where those were not read (helm not installed), as not read with
 * them; never as skipped. The readers are what the containers say reads a file (`dependents`).
 */
async function readThrough(
  coverage: Coverage,
  source: SourceFiles,
  settings: AdapterSettings,
): Promise<void> {
  const unrecognised = coverage.skipped.filter((entry) => entry.why === NOT_RECOGNISED).map((e) => e.file)
  if (unrecognised.length === 0) return
  // A file that is read again whatever changes (a kustomization with an input missing) says
  // nothing of which files it reads: the readers of a path no source holds are left out.
  const readersOf = await readersByPath([...unrecognised, NO_PATH], source, settings)
  const anything = readersOf.get(NO_PATH)!
  const skipped: Coverage['skipped'] = []
  for (const entry of coverage.skipped) {
    const readers = new Set(
      entry.why === NOT_RECOGNISED
        ? [...readersOf.get(entry.file)!].filter((path) => path !== entry.file && !anything.has(path))
        : [],
    )
    const read = coverage.read.filter((r) => readers.has(r.file) && r.through === undefined)
    const notRead = coverage.notRead.filter((r) => readers.has(r.file))
    if (read.length > 0) {
      // Each reader is listed once per kind, format and way of reading (addDocument), so once in `through`.
      const byKind = new Map<string, Coverage['read'][number]>()
      for (const r of read) {
        const key = `${r.kind}\u0000${r.format ?? ''}\u0000${r.by}`
        const through = [...(byKind.get(key)?.through ?? []), r.file]
        byKind.set(key, {
          file: entry.file,
          kind: r.kind,
          ...(r.format === undefined ? {} : {format: r.format}),
          by: r.by,
          through,
        })
      }
      for (const r of byKind.values()) coverage.read.push({...r, through: r.through!.sort()})
    } else if (notRead.length > 0) {
      const first = notRead[0]!
      coverage.notRead.push({
        file: entry.file,
        recognisedAs: first.recognisedAs,
        why: `read only through ${[...new Set(notRead.map((r) => r.file))].sort().join(', ')}, not read: ${first.why}`,
      })
    } else skipped.push(entry)
  }
  coverage.skipped = skipped
}

/** A path no source holds. */
const NO_PATH = '\u0000'

const NOT_OPENED =
  'over the size limit: not opened (a file named without .json is read as AWS CLI output only under the limit; name it .json to have it read or fail closed)'

/** Why git's reader passed a path over, as coverage says it. */
const SKIP_REASONS: Record<SkipReason, string> = {
  deleted: 'not present',
  symlink: 'a symbolic link: never followed, it could point anywhere',
  'outside-repository': 'it, or a folder on its path, resolves outside the repository',
  submodule: 'a git submodule (gitlink): its content is another repository',
  unmerged: 'unresolved merge conflicts',
  'not-a-regular-file': 'not a regular file',
  'too-large': 'over the size limit',
}

function sortCoverage(coverage: Coverage): void {
  for (const list of [coverage.read, coverage.notRead, coverage.skipped])
    list.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
}

/**
 * Files named on the command line, read from disk as given (no repository needed). A file
 * that is not a config of any known kind is a problem: the user asked about it.
 */
export function loadFiles(paths: readonly string[], config: Config): Promise<LoadedSource> {
  return timed('reading', () => readNamedFiles(paths, config))
}

async function readNamedFiles(paths: readonly string[], config: Config): Promise<LoadedSource> {
  const classify = classifier(config)
  const loaded: LoadedSource = {
    type: 'worktree',
    ref: null,
    commit: null,
    documents: new Map(),
    problems: [],
    notes: [],
    coverage: emptyCoverage('repository'),
  }
  for (const path of paths) {
    let content: Buffer
    try {
      // Bounded: a fifo, a device or a file over the size limit is refused unread.
      content = await readRegularFile(path)
    } catch (error) {
      if (error instanceof InvalidInputError) {
        loaded.problems.push(...error.problems)
        continue
      }
      loaded.problems.push({
        file: path,
        message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      })
      continue
    }
    const before = loaded.documents.size + loaded.problems.length
    await addDocument(
      loaded,
      {path, content},
      {kind: classify(path) ?? 'detect'},
      true,
      undefined,
      config.settings,
    )
    if (loaded.documents.size + loaded.problems.length === before) {
      loaded.problems.push({
        file: path,
        message: `not a permission config acldrift knows (kinds: ${ADAPTERS.map((a) => a.kind).join(', ')})`,
      })
    }
  }
  return loaded
}

async function addDocument(
  loaded: LoadedSource,
  file: SourceFile,
  assignment: Assignment,
  explicit = false,
  source?: SourceFiles,
  settings: AdapterSettings = {},
): Promise<void> {
  const read = await readDocuments(file, assignment.kind, explicit, source, settings)
  const coverage = loaded.coverage!
  if (assignment.excluded) {
    // Looked at only to say so: an excluded access config is listed, never compared.
    const recognisedAs = read.documents[0]?.kind ?? read.notRead?.recognisedAs
    if (recognisedAs !== undefined || read.problems.length > 0)
      coverage.notRead.push({
        file: file.path,
        recognisedAs: recognisedAs ?? 'an access config that does not parse',
        why: `excluded by the config (\`exclude:\` in ${CONFIG_FILE})`,
      })
    else if (!read.passedOver) coverage.skipped.push({file: file.path, why: NOT_RECOGNISED})
    return
  }
  loaded.problems.push(...read.problems)
  loaded.notes.push(...read.notes)
  for (const document of read.documents) loaded.documents.set(document.path, document)
  const by = assignment.kind === 'detect' && !explicit ? 'content' : 'config'
  const entries = new Map<string, Coverage['read'][number]>()
  for (const document of read.documents) {
    const format = document.origin?.format
    const entry = {
      file: file.path,
      kind: document.kind,
      ...(format === undefined ? {} : {format}),
      by,
    } as const
    entries.set(`${document.kind}\u0000${format ?? ''}`, entry)
  }
  coverage.read.push(...entries.values())
  if (read.notRead !== undefined) coverage.notRead.push({file: file.path, ...read.notRead})
  else if (read.documents.length === 0 && read.problems.length === 0 && !read.passedOver)
    coverage.skipped.push({file: file.path, why: NOT_RECOGNISED})
}

const NOT_RECOGNISED = 'no kind or container format recognises its content'

/**
 * One file as the documents it holds: a document of its kind (assigned by the config, or
 * detected by content), the documents a container format extracts from it, or the problems
 * that make it fail closed. A file that does not parse is a problem when it is, or looks like,
 * a config of a known kind or format; other files are simply not configs. `source`: the other
 * files of the same source, for formats whose documents are written across files; `settings`:
 * the config's sections, for formats that have one (the values files of a Helm chart).
 */
export async function readDocuments(
  file: SourceFile,
  assigned: Kind | 'detect',
  explicit = false,
  source?: SourceFiles,
  settings: AdapterSettings = {},
): Promise<FileDocuments> {
  // A name that says nothing (AWS CLI output redirected to `account-export`): opened only as a JSON object.
  if (assigned === 'detect' && !explicit && offeredForContent(file.path) && !startsAsJsonObject(file.content))
    return {documents: [], problems: [], notes: [], passedOver: true}
  const containers =
    assigned === 'detect' ? SCANNED_CONTAINERS.filter((c) => matchesPathRules(c.candidates, file.path)) : []
  // Formats with a syntax of their own (HCL, YAML with custom tags) read the file themselves.
  let wellFormed = false
  for (const container of containers.filter((c) => c.parse !== undefined)) {
    let parsed: ParsedFile | undefined
    try {
      parsed = await container.parse!(file)
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error
      if (container.looksLike?.(file.content.toString('utf8')))
        return {documents: [], problems: error.problems, notes: []}
      continue
    }
    if (parsed === undefined) continue
    if (container.detect(parsed)) return embed(parsed, container, source, settings)
    wellFormed = true
  }
  const own = ownFormat(file.path, assigned, explicit)
  // Detected by content and not claimed by the user: a failure there fails closed only when the
  // file unambiguously claims to be an access config; a format acldrift does not read says why.
  const detecting = assigned === 'detect' && !explicit && own === undefined
  // `named`: a file some container file names as a fragment (a kustomize patch) is in that format.
  const unread = async (named = false): Promise<FileDocuments | undefined> => {
    const fragments = named ? await fragmentOf(file.path, source) : []
    const format = unreadFormat(file.path, file.content.toString('utf8'), fragments)
    return (
      format && {documents: [], problems: [], notes: [], notRead: {recognisedAs: format.as, why: format.why}}
    )
  }
  let parsed: ParsedFile
  try {
    parsed = await parseAs(file, own?.kind)
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    const text = file.content.toString('utf8')
    // A file that a format's own syntax read (a Terraform file without access) is not JSON or YAML.
    if (wellFormed) return {documents: [], problems: [], notes: []}
    if (!detecting) return {documents: [], problems: error.problems, notes: []}
    const claimed = ADAPTERS.some((a) => a.looksLike(text)) || containers.some((c) => c.looksLike?.(text))
    return (await unread()) ?? {documents: [], problems: claimed ? error.problems : [], notes: []}
  }
  const container = containers.find((c) => c.parse === undefined && c.detect(parsed))
  if (container !== undefined) return embed(parsed, container, source, settings)
  const kind =
    own?.kind ?? (assigned === 'detect' ? ADAPTERS.find((a) => a.detect(parsed.value))?.kind : assigned)
  if (kind === undefined) return (await unread()) ?? {documents: [], problems: [], notes: []}
  const problems = await validateValue(kind, parsed)
  if (problems.length === 0) return {documents: [{...parsed, kind}], problems: [], notes: []}
  // A partial object (a strategic-merge patch) a kustomization names is read through its render.
  return (detecting ? await unread(true) : undefined) ?? {documents: [], problems, notes: []}
}

/** Each source's fragments (kustomize patches), by container format: found once per source. */
const fragmentsBySource = new WeakMap<SourceFiles, Promise<Array<[string, ReadonlySet<string>]>>>()

/** The container formats whose files of `source` name `path` as a fragment of their documents. */
async function fragmentOf(path: string, source: SourceFiles | undefined): Promise<string[]> {
  if (source === undefined) return []
  let found = fragmentsBySource.get(source)
  if (found === undefined) {
    found = Promise.all(
      SCANNED_CONTAINERS.filter((c) => c.fragments !== undefined).map(
        async (c) => [c.format, await c.fragments!(source)] as [string, ReadonlySet<string>],
      ),
    )
    fragmentsBySource.set(source, found)
  }
  return (await found).filter(([, paths]) => paths.has(path)).map(([format]) => format)
}

/** Whether the first bytes of a file (after a byte order mark and white space) open a JSON object. */
export function startsAsJsonObject(content: Buffer): boolean {
  const head = content
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
  return head.trimStart().startsWith('{')
}

/** One file as a single document of its kind (a file of the kind's own, not a container). */
export async function readDocument(
  file: SourceFile,
  assigned: Kind | 'detect',
  explicit = false,
): Promise<{document?: Document; problems: InputProblem[]}> {
  const {documents, problems} = await readDocuments(file, assigned, explicit)
  return {document: documents[0], problems}
}

/**
 * The adapter whose own text format (CODEOWNERS) a file is in: the assigned kind's, or when
 * detecting, the one that claims the path (or, for a file named on the command line, its name).
 * Undefined: the file is JSON or YAML.
 */
function ownFormat(path: string, assigned: Kind | 'detect', explicit: boolean) {
  if (assigned !== 'detect') {
    const adapter = adapterFor(assigned)
    return adapter.parse ? adapter : undefined
  }
  const name = path.split(/[\\/]/).at(-1)
  return ADAPTERS.find(
    (a) =>
      a.parse !== undefined && (matchesPathRules(a.candidates, path) || (explicit && a.fileName === name)),
  )
}

/**
 * The files parsed in this run, by format, path and content: a file the same in the baseline and the
 * target, and each version blame and the commit list ask about, is parsed once. The oldest go
 * first once they hold more than PARSED_BYTES of content (a long `history` reads every version).
 */
const parsed = new Map<string, {bytes: number; result: Promise<ParsedFile>}>()
const PARSED_BYTES = 64 * 1024 * 1024
let parsedBytes = 0
/** How many files parseAs parsed, and how many it answered with an earlier parse (a debug stat, for tests). */
export const parseCounts = {parsed: 0, reused: 0}

/** Parses a file as documents of `kind` are read: in the kind's own format, else JSON or YAML by extension. */
export function parseAs(file: SourceFile, kind: Kind | undefined): Promise<ParsedFile> {
  const parse = kind === undefined ? undefined : adapterFor(kind).parse
  // Kinds without a format of their own read JSON or YAML alike.
  const hash = sha256(file.content)
  const key = `${parse === undefined ? '' : kind}\u0000${file.path}\u0000${hash}`
  const known = parsed.get(key)
  if (known !== undefined) {
    parseCounts.reused++
    return known.result
  }
  parseCounts.parsed++
  // (the content's hash is the parsed file's own: computed once)
  const result = (async () => (parse ? parse(file) : parseFile(file, undefined, {hash})))()
  // A file that does not parse is not kept: it fails (and says why) each time it is read.
  const entry = {bytes: file.content.length, result}
  parsed.set(key, entry)
  parsedBytes += entry.bytes
  result.catch(() => forget(key, entry))
  for (const [oldest, kept] of parsed) {
    if (parsedBytes <= PARSED_BYTES) break
    forget(oldest, kept)
  }
  return result
}

function forget(key: string, entry: {bytes: number}): void {
  if (parsed.get(key) !== entry) return
  parsed.delete(key)
  parsedBytes -= entry.bytes
}
