// History for attribution: the commits of a range with the raw diff of each against its
// first parent (one `git log` process), and commit objects parsed into identities and
// messages (read through the same single cat-file process as blobs).

import {catFileBatch, refExists} from './batch.js'
import {hasCommit, shallowBoundaries} from './repo.js'
import {runGit} from './run.js'
import {once} from './scope.js'

export interface RawChange {
  status: string
  oldMode: string
  newMode: string
  oldBlob: string
  newBlob: string
  /** the path before the change (differs from `path` for renames and copies) */
  oldPath: string
  path: string
}

export interface HistoryCommit {
  sha: string
  parents: string[]
  /** changes against the first parent (for merges: what the merge brought to the first parent) */
  changes: RawChange[]
}

export interface History {
  /** every commit of the range, by sha */
  commits: Map<string, HistoryCommit>
  /** newest first, as git log lists them */
  order: string[]
  /**
   * The commits where a shallow clone was cut (git shows them without parents): what blame
   * finds there may be older. Empty or absent for a complete repository.
   */
  shallow?: ReadonlySet<string>
}

const ZERO = /^0+$/

/**
 * Commits reachable from `to` and not from `from` (all of `to`'s history when `from` is
 * null, or missing from a shallow clone), each with its raw changes; renames are detected
 * (-M). In a shallow clone, the commits where it was cut are named.
 */
export async function readHistory(root: string, from: string | null, to: string): Promise<History> {
  // A shallow clone may not have `from`: then all the history it has is read, and blame
  // says where it was cut.
  const range = from === null || !(await hasCommit(root, from)) ? [to] : [`${from}..${to}`]
  const log = runGit(root, [
    'log',
    '--raw',
    '-z',
    '--no-abbrev',
    '-M',
    '--diff-merges=first-parent',
    '--format=%x1e%H%x00%P',
    '--end-of-options',
    ...range,
    '--',
  ])
  const [output, shallow] = await Promise.all([log, shallowBoundaries(root)])
  return {...parseHistory(output), shallow}
}

/**
 * Parses `%x1e%H%x00%P` headers followed by `-z` raw records. Tokens are consumed by count
 * (one path, two for renames and copies), so no path can be mistaken for a header.
 */
export function parseHistory(output: Buffer): History {
  const tokens = output.toString('utf8').split('\0')
  const commits = new Map<string, HistoryCommit>()
  const order: string[] = []
  let current: HistoryCommit | undefined
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!.replace(/^\n/, '')
    if (token === '') continue
    if (token.startsWith('\x1e')) {
      current = {sha: token.slice(1), parents: (tokens[++i] ?? '').split(' ').filter(Boolean), changes: []}
      commits.set(current.sha, current)
      order.push(current.sha)
      continue
    }
    if (!token.startsWith(':') || current === undefined)
      throw new Error(`git log: unexpected output near ${JSON.stringify(token)}`)
    const [oldMode, newMode, oldBlob, newBlob, status] = token.slice(1).split(' ') as [
      string,
      string,
      string,
      string,
      string,
    ]
    const twoPaths = status.startsWith('R') || status.startsWith('C')
    const oldPath = tokens[++i]!
    const path = twoPaths ? tokens[++i]! : oldPath
    current.changes.push({status, oldMode, newMode, oldBlob, newBlob, oldPath, path})
  }
  return {commits, order}
}

export const isAbsent = (blob: string) => ZERO.test(blob)

export interface CommitObject {
  sha: string
  author: {name: string; email: string; date: string}
  committer: {name: string; email: string; date: string}
  /** the parents the commit object names (a shallow clone may lack them) */
  parents: string[]
  message: string
}

/** Commit objects parsed, read with one cat-file process. */
export async function readCommits(root: string, shas: readonly string[]): Promise<Map<string, CommitObject>> {
  const out = new Map<string, CommitObject>()
  if (shas.length === 0) return out
  for (const object of await catFileBatch(root, shas)) {
    if (object.type === 'commit') out.set(object.id, parseCommit(object.id, object.content.toString('utf8')))
  }
  return out
}

function parseCommit(sha: string, text: string): CommitObject {
  const split = text.indexOf('\n\n')
  const headers = (split === -1 ? text : text.slice(0, split)).split('\n')
  const message = split === -1 ? '' : text.slice(split + 2)
  const person = (name: string) => {
    const line = headers.find((h) => h.startsWith(`${name} `))?.slice(name.length + 1) ?? ''
    const match = /^(.*?) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(line)
    if (!match) return {name: '', email: '', date: ''}
    return {name: match[1]!, email: match[2]!, date: isoDate(Number(match[3]), match[4]!)}
  }
  const parents = headers.filter((h) => h.startsWith('parent ')).map((h) => h.slice('parent '.length))
  return {sha, author: person('author'), committer: person('committer'), parents, message}
}

/** git's `<seconds> <±hhmm>` as an ISO 8601 date in that offset, like `%aI`. */
function isoDate(seconds: number, offset: string): string {
  const sign = offset.startsWith('-') ? -1 : 1
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5)))
  const local = new Date((seconds + minutes * 60) * 1000).toISOString().slice(0, 19)
  return `${local}${offset.slice(0, 3)}:${offset.slice(3)}`
}

/**
 * Notes under refs/notes/REF (`ai`: the git-ai standard), by commit, when there are any. Read once
 * per run (git/scope.ts): the gate and attribution both look commits up, and no run writes notes
 * (the post-rewrite hook, which carries them over, is not one).
 */
export function readNotes(root: string, ref: string): Promise<ReadonlyMap<string, string>> {
  return once(`notes\0${root}\0${ref}`, () => listNotes(root, ref))
}

async function listNotes(root: string, ref: string): Promise<Map<string, string>> {
  const notes = new Map<string, string>()
  // Most repositories have no such ref: the run's cat-file process says so, where `git notes
  // list` would start a git of its own (a hook pays ~10 ms of node's CPU for each git it starts).
  if (!(await refExists(root, `refs/notes/${ref}`))) return notes
  let listing: string
  try {
    listing = (await runGit(root, ['notes', `--ref=${ref}`, 'list'])).toString('utf8')
  } catch {
    return notes // no such notes ref: nothing to read
  }
  const pairs = listing
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ') as [string, string])
  if (pairs.length === 0) return notes
  const objects = await catFileBatch(
    root,
    pairs.map(([blob]) => blob),
  )
  objects.forEach((object, i) => notes.set(pairs[i]![1], object.content.toString('utf8')))
  return notes
}

/** Appends `text` to the note of a commit under refs/notes/REF (creating it): the one note acldrift writes. */
export async function appendNote(root: string, ref: string, sha: string, text: string): Promise<void> {
  await runGit(root, ['notes', `--ref=${ref}`, 'append', '--message', text, sha])
}

export interface PendingIdentity {
  author: {name: string; email: string; date: string}
  committer: {name: string; email: string; date: string}
}

/** The identities git will record for the commit being made (environment and config included). */
export async function pendingIdentity(root: string): Promise<PendingIdentity> {
  // (asked once per run: the attribution, the gate and the remembered verdict all need it)
  const vars = (await once(`var\0${root}`, () => runGit(root, ['var', '-l']))).toString('utf8').split('\n')
  const ident = (name: string) => {
    const line = vars.find((v) => v.startsWith(`${name}=`))?.slice(name.length + 1) ?? ''
    return parseCommit('', `${name === 'GIT_AUTHOR_IDENT' ? 'author' : 'committer'} ${line}\n\n`)
  }
  return {author: ident('GIT_AUTHOR_IDENT').author, committer: ident('GIT_COMMITTER_IDENT').committer}
}

/**
 * Adds a trailer to a commit message file unless one with the same key is there, the way
 * git itself places trailers (after the existing trailer block, before comment lines).
 */
export async function addTrailer(root: string, messageFile: string, trailer: string): Promise<void> {
  await runGit(root, [
    'interpret-trailers',
    '--in-place',
    '--if-exists',
    'doNothing',
    '--trailer',
    trailer,
    messageFile,
  ])
}

/** What git's diff says became of paths between a commit and a target. */
export interface PathChanges {
  /** files git considers renamed (`-M`), as new path → old path */
  renames: Map<string, string>
  /** paths that are a symbolic link or a submodule (gitlink) in the target and were not one before */
  links: Map<string, 'symlink' | 'submodule'>
}

const LINK_MODES: Record<string, 'symlink' | 'submodule'> = {'120000': 'symlink', '160000': 'submodule'}

/**
 * Renames, and paths that became links, between a commit and a target (another commit, the
 * index or the working tree). One `git diff -M --raw` process.
 */
export async function pathChanges(
  root: string,
  from: string,
  to: {type: 'ref'; commit: string} | {type: 'staged'} | {type: 'worktree'},
): Promise<PathChanges> {
  // `diff A B` (or `diff --cached A`, `diff A` for the working tree) reads from A to the target.
  const sides = to.type === 'ref' ? [from, to.commit] : to.type === 'staged' ? ['--cached', from] : [from]
  const output = await runGit(root, [
    'diff',
    '-M',
    '-z',
    '--raw',
    '--no-abbrev',
    '--diff-filter=RAT',
    ...sides,
    '--',
  ])
  const tokens = output.toString('utf8').split('\0')
  const changes: PathChanges = {renames: new Map(), links: new Map()}
  // `:<old mode> <new mode> <old id> <new id> <status>` NUL path NUL (NUL new path, for a rename)
  for (let i = 0; i + 1 < tokens.length;) {
    const [, newMode, , , status] = tokens[i]!.slice(1).split(' ')
    const path = tokens[i + 1]!
    const renamed = status!.startsWith('R')
    const now = renamed ? tokens[i + 2]! : path
    if (renamed) changes.renames.set(now, path)
    const link = LINK_MODES[newMode!]
    if (link !== undefined) changes.links.set(now, link)
    i += renamed ? 3 : 2
  }
  return changes
}
