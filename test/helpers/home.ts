// The empty HOME of one test file's child processes (test/helpers/repo.ts gives it to them). Test
// files share modules in a worker (vitest.config.ts): a HOME made when this module is imported
// would outlive its file, so test/helpers/setup.ts, which runs for every file, removes it after
// each file and the next file's first child process gets a new one.

import {mkdtempSync} from 'node:fs'
import {rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

let current: string | undefined

/** This test file's empty HOME, made on first use. */
export function childHome(): string {
  return (current ??= mkdtempSync(join(tmpdir(), 'acldrift-home-')))
}

/** Removes this test file's HOME, if it made one. */
export async function removeChildHome(): Promise<void> {
  const dir = current
  current = undefined
  if (dir !== undefined) await rm(dir, {recursive: true, force: true})
}
