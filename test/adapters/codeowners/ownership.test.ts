// Which paths CODEOWNERS gives an owner, as branch protection's code-owner review asks: a real
// unowned file when there is one, else the shortest path the patterns leave unowned, else none.

import {describe, expect, it} from 'vitest'
import {codeowners} from '../../../src/adapters/codeowners/index.js'
import type {Document} from '../../../src/kernel/types.js'

const FILE = '.github/CODEOWNERS'

async function documents(text: string): Promise<Map<string, Document>> {
  const parsed = await codeowners.parse!({path: FILE, content: Buffer.from(text)})
  return new Map([[FILE, {...parsed, kind: 'codeowners'}]])
}

describe('code ownership for code-owner review', () => {
  it('names a real file no rule owns, skipping CODEOWNERS itself', async () => {
    const docs = await documents('/infra/ @acme/platform\n/src/ @acme/payments\n')
    const paths = [FILE, 'README.md', 'infra/main.tf', 'src/app.ts']
    expect(await codeowners.codeOwnership!(docs, paths)).toEqual({file: FILE, unowned: 'README.md'})
  })

  it('a later rule without owners un-owns its paths; with every real file owned, a path that does not exist yet', async () => {
    const docs = await documents('* @acme/eng\n/docs/\n')
    const ownership = await codeowners.codeOwnership!(docs, ['src/app.ts', 'README.md'])
    expect(ownership.file).toBe(FILE)
    expect(ownership.unowned).toMatch(/^docs\//)
  })

  it('a catch-all with owners owns every path; no CODEOWNERS owns none', async () => {
    const docs = await documents('# all of it\n* @acme/eng\n/docs/ @acme/docs\n')
    expect(await codeowners.codeOwnership!(docs, ['README.md'])).toEqual({file: FILE, unowned: null})
    expect(await codeowners.codeOwnership!(new Map(), ['README.md'])).toEqual({
      file: null,
      unowned: 'README.md',
    })
  })
})
