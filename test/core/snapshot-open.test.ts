// The hook opens the baseline snapshot without validating every document (core/snapshot.ts,
// openSnapshot), and validates only the documents it compares, without the record of every
// file's blob id. That record must still be what the schema says, or the snapshot is read in
// full and fails closed: a blob id that is no id, or a key the schema does not know.

import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {openSnapshot} from '../../src/core/snapshot.js'
import {InvalidInputError} from '../../src/kernel/errors.js'

const CONFIG = 'a'.repeat(64)
const BLOB = 'b'.repeat(40)
const snapshot = (files: unknown) => ({
  schemaVersion: 1,
  tool: {name: 'acldrift', version: '0.1.0'},
  createdAt: '2026-01-01T00:00:00.000Z',
  source: {type: 'worktree', ref: null, commit: 'c'.repeat(40)},
  files,
  documents: [],
})

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'acldrift-snapshot-open-'))
})
afterEach(() => rm(dir, {recursive: true, force: true}))

async function open(files: unknown) {
  const path = join(dir, 'baseline.json')
  await writeFile(path, JSON.stringify(snapshot(files)))
  const opened = await openSnapshot(path, dir)
  await opened.documentsOf(new Set())
  return opened
}

describe('the record of blob ids the hook trusts', () => {
  it('is used as written when the schema allows it', async () => {
    expect((await open({config: CONFIG, blobs: {'iam/a.json': BLOB}})).files).toEqual({
      config: CONFIG,
      blobs: {'iam/a.json': BLOB},
    })
  })

  const malformed: Array<[string, unknown]> = [
    ['a blob id that is no id', {config: CONFIG, blobs: {'iam/a.json': 'HEAD'}}],
    ['a blob id that is no string', {config: CONFIG, blobs: {'iam/a.json': 7}}],
    ['a key the schema does not know', {config: CONFIG, blobs: {}, trusted: true}],
    ['no config digest', {blobs: {'iam/a.json': BLOB}}],
    ['blobs as a list', {config: CONFIG, blobs: [BLOB]}],
  ]
  it.each(malformed)('fails closed with %s', async (_, files) => {
    await expect(open(files)).rejects.toThrow(InvalidInputError)
  })
})
