import {describe, expect, test} from 'vitest'
import type {CommitEvidence} from '../../../src/core/actors/evidence.js'
import {matchSignal} from '../../../src/core/actors/match.js'
import {SIGNALS} from '../../../src/core/actors/signals.js'

/** A plain human commit: samples are laid over it, and on its own it fires nothing. */
const PLAIN: CommitEvidence = {
  authorName: 'Jane Doe',
  authorEmail: 'jane@example.com',
  committerName: 'Jane Doe',
  committerEmail: 'jane@example.com',
  message: 'Allow the reports role to read exports\n\nThe nightly job needs it.\n',
}
const commit = (sample: Partial<CommitEvidence>): CommitEvidence => ({...PLAIN, ...sample})
const fired = (c: Partial<CommitEvidence>) =>
  SIGNALS.filter((s) => matchSignal(s, c) !== undefined).map((s) => s.id)

describe('every signal proves itself on its own samples', () => {
  for (const signal of SIGNALS) {
    test(signal.id, () => {
      expect(signal.samples.positive.length, 'at least one positive sample').toBeGreaterThan(0)
      expect(signal.samples.negative.length, 'at least one negative sample').toBeGreaterThan(0)
      for (const [i, sample] of signal.samples.positive.entries()) {
        const match = matchSignal(signal, commit(sample))
        expect(match, `positive sample ${i} should fire: ${JSON.stringify(sample)}`).toBeDefined()
        if (signal.class !== 'human')
          expect(match?.agent, `positive sample ${i} names the agent`).toBeTruthy()
        expect(match?.detail, 'says what matched').toBeTruthy()
      }
      for (const [i, sample] of signal.samples.negative.entries())
        expect(
          matchSignal(signal, commit(sample)),
          `negative sample ${i} must not fire: ${JSON.stringify(sample)}`,
        ).toBeUndefined()
    })
  }
})

describe('the catalogue', () => {
  test('ids are unique kebab-case', () => {
    const ids = SIGNALS.map((s) => s.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
  })

  test('patterns are stateless (no g or y flag)', () => {
    for (const s of [...SIGNALS.map((s) => s.pattern), ...SIGNALS.flatMap((s) => s.requires ?? [])])
      expect(s.flags).not.toMatch(/[gy]/)
  })

  test('email patterns are anchored at both ends', () => {
    for (const s of SIGNALS.filter((s) => s.field.endsWith('-email'))) {
      expect(s.pattern.source, s.id).toMatch(/^\^/)
      expect(s.pattern.source, s.id).toMatch(/\$$/)
    }
  })

  test('every agent or automation signal names who it is: fixed, or a named group', () => {
    for (const s of SIGNALS)
      expect(s.agent !== undefined || s.pattern.source.includes('(?<agent>'), s.id).toBe(true)
  })

  test('runtime strength is exactly the environment signals, all of class agent', () => {
    for (const s of SIGNALS) {
      expect(s.field === 'env', s.id).toBe(s.strength === 'runtime')
      if (s.field === 'env') expect(s.class, s.id).toBe('agent')
    }
  })

  test('the only name signals are aider\'s documented " (aider)" suffix', () => {
    const names = SIGNALS.filter((s) => s.field.endsWith('-name')).map((s) => s.id)
    expect(names.sort()).toEqual(['aider-author-name', 'aider-committer-name'])
  })

  test('display names alone are no evidence', () => {
    for (const name of [
      'Claude',
      'Claude Code',
      'Copilot',
      'copilot-swe-agent[bot]',
      'Cursor Agent',
      'Devin AI',
      'Codex',
      'aider',
      'dependabot[bot]',
    ])
      expect(fired({authorName: name, committerName: name, authorEmail: 'x@example.com'}), name).toEqual([])
  })

  test('the bare @users.noreply.github.com suffix is no evidence, as author or co-author', () => {
    for (const email of [
      'someone@users.noreply.github.com',
      '12345+someone@users.noreply.github.com',
      '12345+Claude@users.noreply.github.com',
    ]) {
      expect(fired({authorEmail: email, committerEmail: email}), email).toEqual([])
      expect(fired({message: `Fix\n\nCo-authored-by: Claude <${email}>`}), email).toEqual([])
    }
  })

  test('editor variables that humans have too are no evidence', () => {
    const env = {
      CURSOR_TRACE_ID: 'abc',
      TERM_PROGRAM: 'vscode',
      VSCODE_PID: '1',
      PATH: '/usr/bin',
      HOME: '/home/jane',
      USER: 'jane',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
    }
    expect(fired({env})).toEqual([])
  })

  // Commit text is attacker-controlled: a pattern that backtracks quadratically would let one
  // forged commit stall every audit. Linear patterns take well under a millisecond here.
  test('no pattern backtracks catastrophically on long hostile input', () => {
    const n = 20_000
    const hostile = [
      'a'.repeat(n) + '!',
      'a '.repeat(n) + '(',
      'a\t'.repeat(n) + ':',
      '['.repeat(n),
      '"agent_id": {'.repeat(n / 10),
      ...[
        'Co-authored-by: ',
        'Assisted-by: ',
        'generated with ',
        'AI_AGENT=',
        'AGENT=',
        'AWS_EXECUTION_ENV=',
      ].map((prefix) => prefix + 'a'.repeat(n) + '!'),
    ]
    for (const s of SIGNALS)
      for (const pattern of [s.pattern, ...(s.requires ?? [])])
        for (const text of hostile) {
          const start = performance.now()
          pattern.test(text)
          expect(performance.now() - start, `${s.id} on ${text.slice(0, 20)}…`).toBeLessThan(250)
        }
  })

  test('a plain human commit fires nothing', () => {
    expect(fired(PLAIN)).toEqual([])
  })
})
