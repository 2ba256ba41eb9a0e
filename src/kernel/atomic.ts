import {randomBytes} from 'node:crypto'
import {mkdir, open, rename, rm} from 'node:fs/promises'
import {dirname, basename, join} from 'node:path'

/**
 * Writes a file so that readers see the old content or the new, never a torn one, even if the
 * process is killed at any moment: the content goes to a temporary file beside it, is flushed to
 * disk, and replaces the file by rename (atomic on POSIX file systems). A process killed before
 * the rename leaves the old file and, at worst, a `.NAME.HEX.tmp` file that nothing reads.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  await mkdir(dirname(path), {recursive: true})
  try {
    const handle = await open(temporary, 'wx')
    try {
      await handle.writeFile(content)
      // Flushed before the rename: after a power loss the new name never points at missing data.
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, {force: true})
    throw error
  }
}
