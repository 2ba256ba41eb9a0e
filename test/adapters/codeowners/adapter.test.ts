// The codeowners comparison at its limits (its fixture cases are checked by the one runner,
// test/adapters/fixtures.test.ts): patterns too complex to compare exactly are a possible
// widening with the reason, never "unchanged".

import {describe, expect, it} from 'vitest'
import {codeowners} from '../../../src/adapters/codeowners/index.js'
import {DEFAULT_ADAPTER_SETTINGS} from '../../../src/adapters/index.js'

describe('codeowners comparison limits', () => {
  it('patterns whose automaton is too large to explore give a possible widening with the reason, not "unchanged"', async () => {
    // `?` after a literal: the automaton must remember the last 18 characters (2^18 states).
    const pattern = `*a${'?'.repeat(18)}`
    const side = async (owner: string) => {
      const parsed = await codeowners.parse!({
        path: 'CODEOWNERS',
        content: Buffer.from(`* @acme/eng\n${pattern} ${owner}\n`),
      })
      return new Map([['CODEOWNERS', {...parsed, kind: 'codeowners' as const}]])
    }
    const {findings} = await codeowners.compare(
      await side('@acme/x'),
      await side('@acme/y'),
      ['CODEOWNERS'],
      DEFAULT_ADAPTER_SETTINGS,
    )
    expect(findings).toMatchObject([
      {change: 'possible-widening', rule: 'undecidable-patterns', file: 'CODEOWNERS', line: 2, witness: null},
    ])
    expect(findings[0]!.reason).toMatch(/too many or too complex/)
  }, 60_000)
})
