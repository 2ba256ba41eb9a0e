// The config parsed once per content (core/config-parse.ts), in a real repository: a valid config
// is kept under the git directory by the sha256 of its bytes, and an entry stands for those exact
// bytes, read by this version of acldrift, with an HMAC under the repository's own key, and nothing
// else. Each test parses bytes of its own, so that what this process remembers from another test
// does not answer for it.

import {createHmac} from 'node:crypto'
import {mkdir, readFile, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {parseConfigContent} from '../../src/core/config-parse.js'
import {InvalidInputError} from '../../src/kernel/errors.js'
import {sha256} from '../../src/kernel/hash.js'
import {toolVersion} from '../../src/kernel/version.js'
import {createRepo, type TestRepo} from '../helpers/repo.js'

const FILE = 'acldrift.config.yaml'
const config = (test: string, failOn = 'widening') =>
  Buffer.from(`# ${test}\nversion: 1\nbaseline: '.acldrift/baseline.json'\npolicy:\n  failOn: ${failOn}\n`)

let r: TestRepo
const cacheFile = () => join(r.dir, '.git', 'acldrift', 'config-cache.json')
const readCache = async () =>
  JSON.parse(await readFile(cacheFile(), 'utf8')) as {tool: string; entries: Record<string, {value: unknown}>}
const keyFile = () => join(r.dir, '.git', 'acldrift', 'config-cache.key')
const POSITIONS = [['', {line: 1, column: 1}]]
/** The HMAC acldrift keeps an entry with, under `key`. */
const macWith = (key: Buffer, tool: string, content: Buffer, value: unknown) =>
  createHmac('sha256', key)
    .update(`${tool}\u0000${sha256(content)}\u0000${JSON.stringify([value, POSITIONS])}`)
    .digest('hex')
/** An entry planted in the cache file for `content`, with `mac` (default: a made-up one). */
async function plant(tool: string, content: Buffer, value: unknown, mac = 'ab'.repeat(32)): Promise<void> {
  await mkdir(join(r.dir, '.git', 'acldrift'), {recursive: true})
  const entries = {[sha256(content)]: {value, positions: POSITIONS, mac}}
  await writeFile(cacheFile(), JSON.stringify({tool, entries}))
}
const weakened = {version: 1, policy: {failOn: 'never'}}

beforeEach(async () => {
  r = await createRepo()
})
afterEach(() => r.cleanup())

describe('the config parsed once per content', () => {
  it('keeps a valid config under the git directory, with the line of each value', async () => {
    const content = config('kept')
    const parsed = await parseConfigContent(r.dir, FILE, content)
    expect(parsed.value).toMatchObject({policy: {failOn: 'widening'}})
    expect(parsed.sourceMap.locate('/policy/failOn')).toMatchObject({line: 5})
    const cache = await readCache()
    expect(cache.tool).toBe(toolVersion())
    expect(cache.entries[sha256(content)]?.value).toEqual(parsed.value)
    // The same bytes again: the same value and lines, and a value of its own to change.
    const again = await parseConfigContent(r.dir, FILE, content)
    expect(again.value).toEqual(parsed.value)
    expect(again.value).not.toBe(parsed.value)
    expect(again.sourceMap.locate('/policy/failOn')).toEqual(parsed.sourceMap.locate('/policy/failOn'))
  })

  it('never reads an entry whose HMAC does not verify under the repository’s key: a planted weaker config is parsed again', async () => {
    const content = config('planted, same bytes')
    // No key yet, a made-up HMAC, none at all.
    await plant(toolVersion(), content, weakened)
    expect((await parseConfigContent(r.dir, FILE, content)).value).toMatchObject({
      policy: {failOn: 'widening'},
    })
    for (const mac of ['ab'.repeat(32), undefined]) {
      const other = config(`planted, same bytes, ${mac ?? 'no HMAC'}`)
      await plant(toolVersion(), other, weakened, mac)
      expect((await parseConfigContent(r.dir, FILE, other)).value).toMatchObject({
        policy: {failOn: 'widening'},
      })
    }
  })

  it('reads an entry whose HMAC verifies without parsing the bytes; the key is its owner’s alone', async () => {
    // The first entry creates the key.
    await parseConfigContent(r.dir, FILE, config('creates the key'))
    const key = await readFile(keyFile())
    expect(key.length).toBe(32)
    expect((await stat(keyFile())).mode & 0o077).toBe(0)
    // An entry with the HMAC acldrift would give it is read as is (so the bytes were not parsed).
    const content = config('kept with its HMAC')
    await plant(toolVersion(), content, weakened, macWith(key, toolVersion(), content, weakened))
    // (a process of its own: this one read the cache file before the entry was planted)
    vi.resetModules()
    const fresh = (await import('../../src/core/config-parse.js')).parseConfigContent
    expect((await fresh(r.dir, FILE, content)).value).toEqual(weakened)
    // The same entry under another repository's key is not.
    const other = config('kept with another key')
    await plant(toolVersion(), other, weakened, macWith(Buffer.alloc(32, 7), toolVersion(), other, weakened))
    vi.resetModules()
    const again = (await import('../../src/core/config-parse.js')).parseConfigContent
    expect((await again(r.dir, FILE, other)).value).toMatchObject({
      policy: {failOn: 'widening'},
    })
  })

  it('never answers for other bytes: an entry of one config does not stand for an edit of it', async () => {
    const content = config('planted, other bytes')
    await plant(toolVersion(), content, weakened)
    const edited = Buffer.concat([content, Buffer.from('# edited\n')])
    expect((await parseConfigContent(r.dir, FILE, edited)).value).toMatchObject({
      policy: {failOn: 'widening'},
    })
  })

  it('ignores what another version of acldrift kept', async () => {
    const content = config('planted, other version')
    await plant('0.0.0-other', content, weakened)
    expect((await parseConfigContent(r.dir, FILE, content)).value).toMatchObject({
      policy: {failOn: 'widening'},
    })
  })

  it('keeps no invalid config: it fails each time, naming its line', async () => {
    const content = config('invalid', 'sometimes')
    for (let i = 0; i < 2; i++) {
      const error = await parseConfigContent(r.dir, FILE, content).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(InvalidInputError)
      expect((error as InvalidInputError).problems[0]).toMatchObject({file: FILE, line: 5})
    }
    const kept = await readCache().catch(() => ({entries: {}}))
    expect(Object.keys(kept.entries)).not.toContain(sha256(content))
  })

  it('keeps nothing, and still parses, where there is no git directory', async () => {
    const content = config('no git directory')
    const parsed = await parseConfigContent(join(r.dir, 'nowhere'), FILE, content)
    expect(parsed.value).toMatchObject({policy: {failOn: 'widening'}})
  })
})
