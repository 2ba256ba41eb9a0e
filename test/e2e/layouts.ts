// The baseline snapshot's kept layout (core/snapshot-index.ts) as an attacker sees it: the entry
// under the git directory, rewritten with its HMAC left as it was (the key is not the agent's to
// read), and the byte range of an object in the snapshot a forged layout could point at.

import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {TestRepo} from '../helpers/repo.js'

export const LAYOUT = '.git/acldrift/snapshot-index.json'

export interface Kept {
  blob: string
  layout: string
  mac: string
}
export interface Layout {
  members: Array<[string, number, number]>
  documents: Array<[string, number, number]>
}

/** The entry kept for the repository's baseline. */
export const keptEntry = async (r: TestRepo): Promise<Kept> =>
  JSON.parse(await readFile(join(r.dir, LAYOUT), 'utf8')) as Kept

/** The kept layout rewritten by `edit`, its HMAC left as it was. */
export async function forge(r: TestRepo, kept: Kept, edit: (layout: Layout) => Layout): Promise<void> {
  const layout = edit(JSON.parse(kept.layout) as Layout)
  await writeFile(join(r.dir, LAYOUT), JSON.stringify({...kept, layout: JSON.stringify(layout)}))
}

/** The byte range of the object in `text` whose first line after `{` is `firstLine` (ASCII, no braces in strings). */
export function objectRange(text: string, firstLine: RegExp): [number, number] {
  const start = text.lastIndexOf('{', text.search(firstLine))
  let depth = 0
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{') depth++
    else if (text[i] === '}' && --depth === 0) return [start, i + 1]
  }
  throw new Error('unbalanced')
}
