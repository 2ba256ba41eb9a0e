// The versions of acldrift's own files that semantic blame asks about: read with one cat-file
// and parsed once each, whichever piece of the gate asks.

import {catFileBatch} from '../../git/index.js'

export class VersionCache {
  private readonly contents = new Map<string, Buffer>()
  private readonly parsed = new Map<string, Promise<unknown>>()

  constructor(private readonly root: string) {}

  async load(blobs: Iterable<string>): Promise<void> {
    const missing = [...new Set(blobs)].filter((b) => !this.contents.has(b))
    if (missing.length === 0) return
    for (const object of await catFileBatch(this.root, missing))
      if (object.type === 'blob') this.contents.set(object.id, object.content)
  }

  /** The blob parsed by `parse` (once per blob and parser name); undefined for an absent file. */
  async get<T>(
    blob: string | null,
    name: string,
    parse: (content: Buffer) => Promise<T>,
  ): Promise<T | undefined> {
    if (blob === null) return undefined
    const key = `${name}\u0000${blob}`
    let value = this.parsed.get(key) as Promise<T | undefined> | undefined
    if (value === undefined) {
      const content = this.contents.get(blob)
      value = content === undefined ? Promise.resolve(undefined) : parse(content)
      this.parsed.set(key, value)
    }
    return value
  }
}
