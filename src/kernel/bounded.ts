// The caches of a long run (an audit compares thousands of documents in one process) must not
// grow with it: each holds at most a given weight, and forgets what was used least recently.

/**
 * A Map that holds at most `limit` weight: each entry weighs `weigh(value)` (1 by default, so that
 * the limit counts entries). Past the limit, the entries used least recently (read by `get`, or
 * set) are dropped first; the newest stays, however heavy it is alone. A read moves an entry
 * back to the newest only when it is among the older half of the entries: the hottest caches
 * (a compiled glob, a RegExp) are read far more often than they are filled, and a read of a
 * recent entry then costs one lookup.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, {value: V; weight: number; stamp: number}>()
  private held = 0
  /** the newest entry's stamp: entries are stamped when set, and again when a read moves them */
  private clock = 0

  constructor(
    private readonly limit: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  /** The number of entries held. */
  get size(): number {
    return this.entries.size
  }

  /** The weight held: at most the limit, unless the newest entry alone weighs more. */
  get weight(): number {
    return this.held
  }

  /** The value for `key` (now the most recently used), if held. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.stamp < this.clock - this.entries.size / 2) {
      this.entries.delete(key)
      this.entries.set(key, entry)
      entry.stamp = ++this.clock
    }
    return entry.value
  }

  /** Holds `value` for `key` as the most recently used, dropping the least recently used past the limit. */
  set(key: K, value: V): V {
    const old = this.entries.get(key)
    if (old !== undefined) {
      this.entries.delete(key)
      this.held -= old.weight
    }
    const weight = this.weigh(value)
    this.entries.set(key, {value, weight, stamp: ++this.clock})
    this.held += weight
    // A Map iterates in insertion order: least recently used first.
    for (const [oldest, entry] of this.entries) {
      if (this.held <= this.limit || oldest === key) break
      this.entries.delete(oldest)
      this.held -= entry.weight
    }
    return value
  }

  /** The value held for `key`, else the one `make` gives, held from then on. */
  remember(key: K, make: () => V): V {
    const known = this.get(key)
    return known === undefined ? this.set(key, make()) : known
  }
}
