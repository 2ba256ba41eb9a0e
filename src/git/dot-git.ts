// The git directory a `.git` entry names, read without running git: a folder, or a file
// `gitdir: <path>` (linked worktrees, submodules; https://git-scm.com/docs/gitrepository-layout).
// Kept apart from the modules that run git, so the agent hook can find it without loading them.

import {readFile, stat} from 'node:fs/promises'
import {join, resolve} from 'node:path'

/** The git directory `dir/.git` names; undefined when `dir` has no `.git` naming one. */
export async function dotGitDir(dir: string): Promise<string | undefined> {
  const dotGit = join(dir, '.git')
  const found = await stat(dotGit).catch(() => undefined)
  if (found?.isDirectory()) return dotGit
  if (!found?.isFile()) return undefined
  const named = /^gitdir:\s*(.+?)\s*$/m.exec(await readFile(dotGit, 'utf8'))
  return named === null ? undefined : resolve(dir, named[1]!)
}
