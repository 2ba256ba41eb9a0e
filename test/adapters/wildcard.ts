// The wildcard matcher the kinds' independent oracles share (brute-force.ts), written apart from
// the engine's globs (src/engine/glob.ts) so that the oracles check the engine, not themselves.

/** `*` any run of characters, `?` exactly one, everything else itself (dynamic programming). */
export function wildcard(pattern: string, value: string): boolean {
  const p = [...pattern]
  const v = [...value]
  // can[i][j]: p[i:] matches v[j:]
  const can: boolean[][] = Array.from({length: p.length + 1}, () => Array<boolean>(v.length + 1).fill(false))
  can[p.length]![v.length] = true
  for (let i = p.length - 1; i >= 0; i--) {
    for (let j = v.length; j >= 0; j--) {
      const c = p[i]!
      if (c === '*') can[i]![j] = can[i + 1]![j]! || (j < v.length && can[i]![j + 1]!)
      else can[i]![j] = j < v.length && (c === '?' || c === v[j]) && can[i + 1]![j + 1]!
    }
  }
  return can[0]![0]!
}
