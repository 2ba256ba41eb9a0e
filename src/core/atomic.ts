import {randomBytes} from 'node:crypto'
import {mkdir, rename, rm, writeFile} from 'node:fs/promises'
import {dirname, basename, join} from 'node:path'

/** Writes a file so that readers see the old content or the new, never a torn one. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  await mkdir(dirname(path), {recursive: true})
  try {
    await writeFile(temporary, content, {flag: 'wx'})
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, {force: true})
    throw error
  }
}
