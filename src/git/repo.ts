// Locating the repository and resolving revisions.

import {readFile} from 'node:fs/promises'
import {resolve} from 'node:path'
import {EnvironmentError, UsageError} from '../kernel/errors.js'
import {timed} from '../kernel/timings.js'
import {GitError, runGit} from './run.js'
import {inOneRun, once} from './scope.js'

/** The top directory of the work tree that contains `cwd`. */
export function findRepoRoot(cwd: string): Promise<string> {
  return timed('repository', () => topLevel(cwd))
}

async function topLevel(cwd: string): Promise<string> {
  // In one run, HEAD and its tree are asked in the same process (rev-parse prints the top
  // directory, then the commit, then the tree; after `--` every argument is a revision, never a
  // path); an unborn HEAD makes it fail, and the top directory is asked alone below.
  if (inOneRun()) {
    const all = await runGit(cwd, [
      'rev-parse',
      '--show-toplevel',
      'HEAD^{commit}',
      'HEAD^{tree}',
      '--',
    ]).catch(() => undefined)
    const lines =
      all === undefined
        ? undefined
        : /^(.+)\n([0-9a-f]{40,64})\n([0-9a-f]{40,64})\n--\n$/s.exec(all.toString('utf8'))
    if (lines) {
      const root = lines[1]!
      void once(commitKey(root, 'HEAD'), () => Promise.resolve(knownCommit(root, lines[2]!)))
      void once(treeKey(root), () => Promise.resolve(lines[3]!))
      return root
    }
  }
  let output: Buffer
  try {
    output = await runGit(cwd, ['rev-parse', '--show-toplevel'])
  } catch (error) {
    if (error instanceof GitError) {
      throw new EnvironmentError(`not inside a git work tree: ${cwd} (${error.stderr.trim()})`)
    }
    throw error
  }
  const root = withoutNewline(output)
  // Inside .git or a bare repository, older git prints nothing instead of failing.
  if (root === '') throw new EnvironmentError(`not inside a git work tree: ${cwd}`)
  return root
}

/** The full id of the commit `rev` names; an unknown revision is a usage error. */
export async function resolveCommit(root: string, rev: string): Promise<string> {
  const commit = await verifyCommit(root, rev)
  if (
    commit === null &&
    rev === 'HEAD' &&
    (await runGit(root, ['rev-list', '-n', '1', '--all'])).length === 0
  )
    throw new UsageError('the repository has no commit yet: HEAD names no revision (commit first)')
  if (commit === null) throw new UsageError(`unknown revision: ${rev}`)
  return commit
}

/** Whether `rev` names a commit this clone has (a shallow clone may lack an older one). */
export async function hasCommit(root: string, rev: string): Promise<boolean> {
  return (await verifyCommit(root, rev)) !== null
}

/** The first parent of a commit; null for a root commit (or one a shallow clone cut off). */
export function firstParent(root: string, commit: string): Promise<string | null> {
  return verifyCommit(root, `${commit}^`)
}

/** Whether `ancestor` is `commit` or one of its ancestors (false when this clone lacks either). */
export async function isAncestor(root: string, ancestor: string, commit: string): Promise<boolean> {
  try {
    await runGit(root, ['merge-base', '--is-ancestor', '--end-of-options', ancestor, commit])
    return true
  } catch (error) {
    // 1: not an ancestor; 128: an object this clone does not have, or not a commit.
    if (error instanceof GitError && (error.status === 1 || error.status === 128)) return false
    throw error
  }
}

/** The commit HEAD points to, or null on an unborn branch (a repository without commits). */
export function headCommit(root: string): Promise<string | null> {
  return verifyCommit(root, 'HEAD')
}

const treeKey = (root: string) => `head-tree\0${root}`

/** The tree HEAD's commit records, or null on an unborn branch. Asked once per run. */
export function headTree(root: string): Promise<string | null> {
  return once(treeKey(root), async () => {
    try {
      return withoutNewline(await runGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{tree}']))
    } catch (error) {
      if (error instanceof GitError && error.status === 1) return null
      throw error
    }
  })
}

/**
 * The directory git runs hooks from: `.git/hooks`, or `core.hooksPath` when set (husky sets it),
 * shared by all worktrees. Absolute.
 */
export async function hooksDir(root: string): Promise<string> {
  return resolve(root, withoutNewline(await runGit(root, ['rev-parse', '--git-path', 'hooks'])))
}

/** This work tree's git directory (`.git`, or `.git/worktrees/NAME` in a linked worktree). Absolute. */
export async function gitDir(root: string): Promise<string> {
  return resolve(root, withoutNewline(await runGit(root, ['rev-parse', '--absolute-git-dir'])))
}

export async function isShallow(root: string): Promise<boolean> {
  return withoutNewline(await runGit(root, ['rev-parse', '--is-shallow-repository'])) === 'true'
}

/**
 * The commits at the edge of a shallow clone: git shows them without parents, so they look like
 * root commits and whatever they contain looks added by them. Empty for a complete repository.
 */
export async function shallowBoundaries(root: string): Promise<Set<string>> {
  const [shallow, file] = withoutNewline(
    await runGit(root, [
      'rev-parse',
      '--is-shallow-repository',
      '--path-format=absolute',
      '--git-path',
      'shallow',
    ]),
  ).split('\n')
  if (shallow !== 'true' || file === undefined) return new Set()
  try {
    return new Set((await readFile(file, 'utf8')).split('\n').filter(Boolean))
  } catch {
    return new Set()
  }
}

const commitKey = (root: string, rev: string) => `commit\0${root}\0${rev}`

/**
 * The commit `rev` names, or null. Asked once per run (git/scope.ts): nothing a run does moves a
 * ref, and the gate, the sources and attribution each resolve the baseline and the target.
 */
function verifyCommit(root: string, rev: string): Promise<string | null> {
  return once(commitKey(root, rev), async () => knownCommit(root, await askCommit(root, rev)))
}

/** The commit, remembered as its own answer too: a commit's full id names that commit. */
function knownCommit(root: string, commit: string | null): string | null {
  if (commit !== null) void once(commitKey(root, commit), () => Promise.resolve(commit))
  return commit
}

async function askCommit(root: string, rev: string): Promise<string | null> {
  try {
    // --end-of-options: a revision that starts with "-" is a name, never an option.
    const output = await runGit(root, [
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${rev}^{commit}`,
    ])
    return withoutNewline(output)
  } catch (error) {
    // --verify --quiet exits 1, silently, exactly when the name does not resolve to a commit.
    if (error instanceof GitError && error.status === 1) return null
    throw error
  }
}

function withoutNewline(output: Buffer): string {
  return output.toString('utf8').replace(/\n$/, '')
}

/** The best common ancestor of two revisions (what `A...B` compares from), or a usage error. */
export async function mergeBase(root: string, a: string, b: string): Promise<string> {
  const [left, right] = await Promise.all([resolveCommit(root, a), resolveCommit(root, b)])
  try {
    return withoutNewline(await runGit(root, ['merge-base', left, right]))
  } catch (error) {
    if (error instanceof GitError && error.status === 1)
      throw new UsageError(`${a} and ${b} have no common ancestor: compare them with ${a}..${b}`)
    throw error
  }
}
