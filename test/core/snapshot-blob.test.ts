// The baseline snapshot's blob id kept by its stat data (core/snapshot-blob.ts): kept only for a
// settled file, taken only for the same stat data under an HMAC that verifies. A file rewritten
// with the same size and its mtime set back has another ctime; an entry edited under .git/acldrift
// does not verify.

import {readFile, stat, utimes, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {keepBlob, keptBlob} from '../../src/core/snapshot-blob.js'
import {gitBlobId} from '../../src/kernel/hash.js'
import {createRepo, type TestRepo} from '../helpers/repo.js'

const KEPT = join('.git', 'acldrift', 'snapshot-blob.json')
const settle = () => new Promise((done) => setTimeout(done, 2100))

describe('the snapshot blob id kept by stat data', () => {
  let r: TestRepo
  let file: string
  beforeEach(async () => {
    r = await createRepo()
    file = join(r.dir, 'baseline.json')
  })
  afterEach(() => r.cleanup())

  it('is kept for a settled file only, and taken for the same stat data only', async () => {
    await writeFile(file, '{"a": 1}\n')
    const fresh = await stat(file, {bigint: true})
    const blob = gitBlobId(await readFile(file))
    await keepBlob(r.dir, file, fresh, blob)
    // Just written: its stat data may not stand for its bytes yet (racy git).
    expect(await keptBlob(r.dir, file, fresh)).toBeUndefined()

    await settle()
    const settled = await stat(file, {bigint: true})
    await keepBlob(r.dir, file, settled, blob)
    expect(await keptBlob(r.dir, file, settled)).toBe(blob)
    expect(await keptBlob(r.dir, join(r.dir, 'other.json'), settled)).toBeUndefined()

    // The same size, its mtime set back: another ctime, so not the kept id.
    await writeFile(file, '{"a": 2}\n')
    await utimes(file, settled.atime, settled.mtime)
    const rewritten = await stat(file, {bigint: true})
    expect(rewritten.size).toBe(settled.size)
    expect(await keptBlob(r.dir, file, rewritten)).toBeUndefined()
  }, 30_000)

  it('is not taken when the entry was edited', async () => {
    await writeFile(file, '{"a": 1}\n')
    await settle()
    const settled = await stat(file, {bigint: true})
    await keepBlob(r.dir, file, settled, gitBlobId(await readFile(file)))
    const entry = JSON.parse(await readFile(join(r.dir, KEPT), 'utf8')) as {blob: string}
    const other = gitBlobId(Buffer.from('{"a": 2}\n'))
    await writeFile(join(r.dir, KEPT), JSON.stringify({...entry, blob: other}))
    expect(await keptBlob(r.dir, file, settled)).toBeUndefined()
  }, 30_000)
})
