// What each kind's brute-force evaluator (test/adapters/<kind>/brute-force.ts) offers the one
// fixture runner (test/adapters/fixtures.test.ts): how the kind's cases are laid out, and the
// independent confirmation of every finding. The runner finds it by the kind's name: a new kind
// exports `oracle` from its brute-force.ts and its fixtures are checked like the others.

import type {AdapterContext, AdapterSettings, Document, Finding} from '../../src/kernel/types.js'

/** A fixture case's two sides, by key (the paths the comparison names), and the target's other paths. */
export interface CaseSides {
  baseline: Map<string, Document>
  target: Map<string, Document>
}

export interface Oracle {
  /**
   * Where a case side written as one file (`baseline.<ext>`, `target.<ext>`) is read, as the
   * comparison names it; undefined when the kind's cases are only folders (`baseline/`, `target/`).
   */
  fixtureFile(ext: string): string | undefined
  /** the settings a case is compared under, from its expected.json (absent: the defaults) */
  settings?(expected: Record<string, unknown>): AdapterSettings
  /**
   * Whether the brute force confirms a definite finding's witness: allowed by the side that
   * gained it (the target for a widening, the baseline for a narrowing) and not by the other.
   */
  confirms(finding: Finding, sides: CaseSides, context: AdapterContext): boolean | Promise<boolean>
  /**
   * Whether a possible widening's witness is allowed by the target and not by the baseline for
   * some reading of what acldrift cannot decide. Absent: possible widenings are checked for
   * their reason only.
   */
  possible?(finding: Finding, sides: CaseSides, context: AdapterContext): boolean
  /** Soundness over the brute force's finite universe: each difference no finding reports, as a sentence. */
  missed?(findings: Finding[], sides: CaseSides, context: AdapterContext): string[] | Promise<string[]>
  /** what a case's comparison is told besides settings and paths (branch protection: code ownership) */
  context?(expected: Record<string, unknown>): Partial<AdapterContext>
}

/** A kind's oracle, found by the kind's name in test/adapters/<kind>/brute-force.ts. */
export const oracleOf = async (kind: string): Promise<Oracle> =>
  ((await import(`./${kind}/brute-force.ts`)) as {oracle: Oracle}).oracle
