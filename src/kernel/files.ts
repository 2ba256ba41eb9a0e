// Reading and writing acldrift's own files (config, baseline snapshot, approvals) when their
// paths come from the repository, which may be hostile: reads are bounded, writes stay inside.

import {type BigIntStats, constants} from 'node:fs'
import {open, realpath} from 'node:fs/promises'
import {dirname, isAbsolute, relative, resolve, sep} from 'node:path'
import {InvalidInputError} from './errors.js'
import {MAX_FILE_BYTES, MAX_OWN_FILE_BYTES, tooLarge} from './limits.js'

/**
 * A regular file's bytes, refusing (as invalid input naming `display`) a fifo, a device such as
 * /dev/zero, or a file over `maxBytes`, before reading any of it. Missing files throw ENOENT.
 */
export async function readRegularFile(
  path: string,
  display = path,
  maxBytes = MAX_FILE_BYTES,
): Promise<Buffer> {
  return (await readRegularFileWithStat(path, display, maxBytes)).bytes
}

/**
 * A file the agent hook reads whole (acldrift's config and its cache, a hook script, the file an
 * edit changes), as readRegularFile reads it, up to the limit of acldrift's own files: a fifo or
 * a device put there is refused, never waited on. Undefined when there is none (no such file, or
 * a path through a file).
 */
export async function readRegularIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readRegularFile(path, path, MAX_OWN_FILE_BYTES)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw error
  }
}

/**
 * Refuses to write `path` unless it lies inside the work tree `root` once symlinks are resolved:
 * a config's `baseline: ../x`, or a `.acldrift` directory that is a symlink to elsewhere, must not
 * make acldrift write outside the repository. `source` names the input that chose the path.
 */
export async function assertWritableInside(root: string, path: string, source: string): Promise<void> {
  const realRoot = await realpath(root)
  // The deepest existing directory on the path decides where the file really lands.
  let directory = dirname(resolve(root, path))
  let real = await realpath(directory).catch(() => undefined)
  while (real === undefined && dirname(directory) !== directory) {
    directory = dirname(directory)
    real = await realpath(directory).catch(() => undefined)
  }
  const target = await realpath(resolve(root, path)).catch(() => undefined)
  if ([real, target].some((p) => p !== undefined && !isInside(realRoot, p)))
    throw new InvalidInputError([
      {
        file: source,
        message: `${relative(root, resolve(root, path))} resolves outside the repository (through .. or a symlink): acldrift writes only inside it`,
      },
    ])
}

function isInside(root: string, absolute: string): boolean {
  const rel = relative(root, absolute)
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
}

/** `absolute` as a path in the repository at `root` (`/`-separated); undefined outside it. */
export function repoPath(root: string, absolute: string): string | undefined {
  const rel = relative(root, absolute)
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined
  return rel.split(sep).join('/')
}

/**
 * readRegularFile, with the file's stat data (ns) as they were once its bytes were read: a write
 * that completed before they were taken changed its ctime (a write updates it before its data
 * shows), so the bytes are of the file as these stat data describe it.
 */
export async function readRegularFileWithStat(
  path: string,
  display: string,
  maxBytes: number,
): Promise<{bytes: Buffer; stat: BigIntStats}> {
  // O_NONBLOCK: opening a fifo must not wait for a writer.
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0))
  try {
    const before = await handle.stat()
    if (!before.isFile()) throw new InvalidInputError([{file: display, message: 'not a regular file'}])
    if (before.size > maxBytes)
      throw new InvalidInputError([{file: display, message: tooLarge(before.size, maxBytes)}])
    const bytes = await handle.readFile()
    return {bytes, stat: await handle.stat({bigint: true})}
  } finally {
    await handle.close()
  }
}
