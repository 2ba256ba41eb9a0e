// Writing the files init owns without ever clobbering one of the user's: every step says what
// it did, and a file that is not acldrift's is replaced only under --force.

import {chmod, readFile, rename, stat} from 'node:fs/promises'
import {relative} from 'node:path'
import {writeFileAtomic} from '../../kernel/atomic.js'

export type StepStatus =
  /** written where there was nothing */
  | 'created'
  /** acldrift's own file, rewritten with new content */
  | 'updated'
  /** already as it should be */
  | 'unchanged'
  /** left as it is on purpose (an approved baseline, an existing config) */
  | 'kept'
  /** the user's own file, which init did not touch: the step is not done */
  | 'refused'
  /** the user's file was kept and acldrift's runs after it (--force) */
  | 'chained'

export interface InitStep {
  /** relative to the repository root when inside it */
  path: string
  status: StepStatus
  detail?: string
}

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

export async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined
}

export const displayPath = (root: string, path: string) => {
  const rel = relative(root, path)
  return rel === '' || rel.startsWith('..') ? path : rel
}

interface OwnedFile {
  root: string
  path: string
  content: string
  executable?: boolean
  /** whether an existing content is acldrift's (then it is updated freely) */
  ours: (existing: string) => boolean
}

async function write(file: OwnedFile): Promise<void> {
  await writeFileAtomic(file.path, file.content)
  if (file.executable) await chmod(file.path, 0o755)
}

/**
 * Writes a file that acldrift owns. A different file of the user's is refused, or under
 * `force` moved to `<path>.legacy` (the hook scripts run that first).
 */
export async function writeOwned(file: OwnedFile, force: boolean, refusal: string): Promise<InitStep> {
  const path = displayPath(file.root, file.path)
  const existing = await readIfExists(file.path)
  if (existing === undefined) {
    await write(file)
    return {path, status: 'created'}
  }
  if (existing === file.content) {
    if (file.executable) await chmod(file.path, 0o755)
    return {path, status: 'unchanged'}
  }
  if (file.ours(existing)) {
    await write(file)
    return {path, status: 'updated'}
  }
  if (!force) return {path, status: 'refused', detail: refusal}
  const legacy = `${file.path}.legacy`
  if (await exists(legacy))
    return {
      path,
      status: 'refused',
      detail: `${displayPath(file.root, legacy)} exists already: move one of them away first`,
    }
  await rename(file.path, legacy)
  await write(file)
  return {path, status: 'chained', detail: `yours is now ${displayPath(file.root, legacy)} and runs first`}
}
