// A baseline snapshot's layout (core/snapshot-index.ts): where each top-level member and each
// document is in the file's bytes, found by a scan that must agree with JSON.parse, and kept under
// the git directory only for the very bytes it was found in (their git blob id), with an HMAC
// under the repository's key. A kept layout that is for other bytes, does not verify, or does not
// fit the bytes read is not used.

import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {keepLayout, keptLayout, scanLayout, textOf} from '../../src/core/snapshot-index.js'
import {gitBlobId} from '../../src/kernel/hash.js'
import {createRepo, type TestRepo} from '../helpers/repo.js'

const document = (path: string, value: unknown, file?: string) => ({
  path,
  kind: 'aws-iam',
  hash: 'a'.repeat(64),
  value,
  ...(file === undefined ? {} : {origin: {file, name: path}}),
})
/** Values whose text holds what a scan could take for structure: quotes, escapes, brackets, non-ASCII. */
const TRICKY = {
  Statement: [{Sid: 'a "quoted" } ] { [ name\\', Action: ['s3:Get*'], Resource: 'arn:aws:s3:::é-😀/*'}],
  Empty: {},
  None: [],
  Numbers: [0, -1.5e3, true, false, null],
}
const snapshot = {
  schemaVersion: 1,
  tool: {name: 'acldrift', version: '0.1.0'},
  createdAt: '2026-01-01T00:00:00.000Z',
  source: {type: 'worktree', ref: null, commit: 'c'.repeat(40)},
  files: {config: 'd'.repeat(64), blobs: {'iam/a.json': 'b'.repeat(40)}},
  documents: [
    document('iam/a.json', TRICKY),
    document('cfn/stack.yaml#Role', {Statement: []}, 'cfn/stack.yaml'),
    document('iam/"odd" name.json', {x: [[{}], [[]]]}),
  ],
}

describe("a snapshot's layout, scanned", () => {
  const texts: Array<[string, string]> = [
    ['as acldrift writes it', `${JSON.stringify(snapshot, null, 2)}\n`],
    ['on one line', JSON.stringify(snapshot)],
    [
      'with odd white space',
      JSON.stringify(snapshot, null, '\t').replaceAll('": ', '"\r\n :\t ').replaceAll(',\n', '\n ,\n'),
    ],
  ]
  it.each(texts)('names each member and document by ranges JSON.parse agrees with, %s', (_, text) => {
    const content = Buffer.from(text)
    const layout = scanLayout(content, () => null)!
    expect(layout.members.map(([name]) => name)).toEqual([
      'schemaVersion',
      'tool',
      'createdAt',
      'source',
      'files',
    ])
    for (const [name, ...range] of layout.members)
      expect(JSON.parse(textOf(content, range))).toEqual((snapshot as Record<string, unknown>)[name])
    expect(layout.documents.map(([file]) => file)).toEqual([
      'iam/a.json',
      'cfn/stack.yaml',
      'iam/"odd" name.json',
    ])
    for (const [i, [, ...range]] of layout.documents.entries())
      expect(JSON.parse(textOf(content, range))).toEqual(snapshot.documents[i])
  })

  it('has none when a name is given twice (JSON.parse keeps the last) or a document names no file', () => {
    const twice = `{"documents": [], ${JSON.stringify(snapshot).slice(1)}`
    expect(scanLayout(Buffer.from(twice), () => null)).toBeUndefined()
    const nameless = JSON.stringify({...snapshot, documents: [{kind: 'aws-iam', value: {}}]})
    expect(scanLayout(Buffer.from(nameless), () => null)).toBeUndefined()
  })

  const text = JSON.stringify(snapshot)
  const notJson: Array<[string, string]> = [
    ['text after the object', `${text} {}`],
    ['a comma missing between documents', text.replace('},{"path":"cfn', '}{"path":"cfn')],
    ['a literal that is none', text.replace('true', 'truth')],
    ['a bracket closing a brace', text.replace('"Empty":{}', '"Empty":{]')],
    ['a list, not an object', `[${text}]`],
    ['documents that are no list', JSON.stringify({...snapshot, documents: {}})],
  ]
  it.each(notJson)('has none for bytes that are not a snapshot: %s', (_, bytes) => {
    expect(scanLayout(Buffer.from(bytes), () => null)).toBeUndefined()
  })
})

describe("a snapshot's layout, kept under the git directory", () => {
  let r: TestRepo
  beforeEach(async () => {
    r = await createRepo()
  })
  afterEach(() => r.cleanup())

  const content = Buffer.from(JSON.stringify(snapshot))
  const blob = gitBlobId(content)
  const layout = scanLayout(content, () => null)!
  const FORMAT = 'skeletons 2: k8s-rbac gcp-iam'
  const indexFile = () => join(r.dir, '.git', 'acldrift', 'snapshot-index.json')
  const kept = async () =>
    JSON.parse(await readFile(indexFile(), 'utf8')) as {
      blob: string
      format?: string
      layout: string
      mac: string
    }

  it('is used for the bytes it was found in, and for no others', async () => {
    await keepLayout(r.dir, blob, layout, FORMAT)
    expect(await keptLayout(r.dir, blob, content, FORMAT)).toEqual(layout)
    const edited = Buffer.from(JSON.stringify({...snapshot, createdAt: '2026-01-02T00:00:00.000Z'}))
    expect(await keptLayout(r.dir, gitBlobId(edited), edited, FORMAT)).toBeUndefined()
  })

  it('is not used when its HMAC does not verify under the repository key', async () => {
    await keepLayout(r.dir, blob, layout, FORMAT)
    const entry = await kept()
    // Another range for the first document: the one of the second (still within the bytes).
    const forged = {...layout, documents: [layout.documents[1]!, ...layout.documents.slice(1)]}
    await writeFile(indexFile(), JSON.stringify({...entry, layout: JSON.stringify(forged)}))
    expect(await keptLayout(r.dir, blob, content, FORMAT)).toBeUndefined()
    // The entry of other bytes, its blob id replaced by this one's.
    const other = Buffer.from(JSON.stringify({...snapshot, documents: []}))
    await keepLayout(
      r.dir,
      gitBlobId(other),
      scanLayout(other, () => null)!,
      FORMAT,
    )
    await writeFile(indexFile(), JSON.stringify({...(await kept()), blob}))
    expect(await keptLayout(r.dir, blob, content, FORMAT)).toBeUndefined()
  })

  it('is not used when its skeletons are of another format, or of none (kept by an older build)', async () => {
    await keepLayout(r.dir, blob, layout, 'skeletons 1: k8s-rbac')
    expect(await keptLayout(r.dir, blob, content, FORMAT)).toBeUndefined()
    // As a build before the format mark kept it: no format, its HMAC over the rest.
    await keepLayout(r.dir, blob, layout, FORMAT)
    const unmarked = await kept()
    delete unmarked.format
    await writeFile(indexFile(), JSON.stringify(unmarked))
    expect(await keptLayout(r.dir, blob, content, FORMAT)).toBeUndefined()
    // The format is under the HMAC: an entry's format replaced does not verify.
    await keepLayout(r.dir, blob, layout, 'skeletons 1: k8s-rbac')
    await writeFile(indexFile(), JSON.stringify({...(await kept()), format: FORMAT}))
    expect(await keptLayout(r.dir, blob, content, FORMAT)).toBeUndefined()
  })

  it('is not used when its ranges do not fit the bytes read', async () => {
    const beyond = {...layout, documents: [['iam/a.json', 0, content.length + 1] as [string, number, number]]}
    await keepLayout(r.dir, blob, beyond, FORMAT)
    expect(await keptLayout(r.dir, blob, content, FORMAT)).toBeUndefined()
  })
})
