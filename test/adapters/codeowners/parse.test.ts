// The CODEOWNERS reader: what it keeps (rules, owners, positions), what it reads as GitHub does
// (comments, escapes, CRLF, BOM), the lines it skips as GitHub does (invalid syntax), and what
// fails closed with file:line (a file GitHub does not load).

import {describe, expect, it} from 'vitest'
import {codeowners} from '../../../src/adapters/codeowners/index.js'
import {compareCodeowners} from '../../../src/adapters/codeowners/compare.js'
import {InvalidInputError} from '../../../src/kernel/errors.js'
import type {Document, InputProblem} from '../../../src/kernel/types.js'
import {DEFAULT_ADAPTER_SETTINGS} from '../../../src/adapters/index.js'

const FILE = '.github/CODEOWNERS'
const parse = (text: string | Buffer) =>
  codeowners.parse!({path: FILE, content: typeof text === 'string' ? Buffer.from(text) : text})

async function problemsOf(text: string | Buffer): Promise<InputProblem[]> {
  try {
    await parse(text)
  } catch (error) {
    if (error instanceof InvalidInputError) return error.problems
    throw error
  }
  return expect.unreachable(`parsed: ${String(text)}`)
}

describe('codeowners parser', () => {
  it('keeps rules in order, drops comments, and maps rules and owners to line:column', async () => {
    const parsed = await parse(
      '# Owners\n\n*       @acme/eng   # inline comment\n/docs/  docs@example.com\t@Octocat\n/apps/github\n',
    )
    expect(parsed.value).toEqual({
      rules: [
        {pattern: '*', owners: ['@acme/eng']},
        {pattern: '/docs/', owners: ['docs@example.com', '@Octocat']},
        {pattern: '/apps/github', owners: []},
      ],
    })
    expect(parsed.sourceMap.locate('/rules/0')).toEqual({line: 3, column: 1})
    expect(parsed.sourceMap.locate('/rules/1/owners/1')).toEqual({line: 4, column: 26})
    expect(parsed.sourceMap.locate('/rules/2')).toEqual({line: 5, column: 1})
  })

  it('reads escaped spaces, CRLF and a BOM as GitHub does', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf])
    const parsed = await parse(Buffer.concat([bom, Buffer.from('/My\\ Documents/ @alice\r\n*.md @docs\r\n')]))
    expect(parsed.value).toEqual({
      rules: [
        {pattern: '/My\\ Documents/', owners: ['@alice']},
        {pattern: '*.md', owners: ['@docs']},
      ],
    })
  })

  it('skips each line GitHub skips (invalid syntax), with its reason and owners, and reads the rest', async () => {
    const parsed = await parse(
      [
        '* @acme/eng',
        '!/secret @x',
        '/pages/[id].tsx @web',
        '\\#notes @alice',
        '/infra/ platform-team',
        '/ @x',
        'a/*** @x',
        'src\\',
        'bad\u0007bell @x',
        '/docs/ @acme/docs',
      ].join('\n'),
    )
    const value = parsed.value as {
      rules: unknown[]
      skipped: Array<{line: number; reason: string; owners: string[]}>
    }
    expect(value.rules).toEqual([
      {pattern: '*', owners: ['@acme/eng']},
      {pattern: '/docs/', owners: ['@acme/docs']},
    ])
    expect(value.skipped.map((s) => s.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9])
    expect(value.skipped[0]!.reason).toMatch(/negation/)
    expect(value.skipped[1]!.reason).toMatch(/ranges/)
    expect(value.skipped[2]!.reason).toMatch(/escaping "#"/)
    expect(value.skipped[3]).toMatchObject({
      reason: expect.stringMatching(/invalid owner "platform-team"/),
      owners: ['platform-team'],
    })
    expect(value.skipped[6]).toMatchObject({reason: expect.stringMatching(/lone backslash/), owners: []})
    expect(parsed.sourceMap.locate('/skipped/3')).toEqual({line: 5, column: 1})
    expect(parsed.sourceMap.locate('/rules/1')).toEqual({line: 10, column: 1})
  })

  it('fails closed on a pattern GitHub may read in a way acldrift cannot know, naming every line', async () => {
    const problems = await problemsOf(
      ['* @acme/eng', 'docs#old @alice', '  a//b @x', 'a/./b @x', '**/** @x', '!/skipped @x'].join('\n'),
    )
    expect(problems.map((p) => [p.file, p.line, p.column])).toEqual([
      [FILE, 2, 1],
      [FILE, 3, 3],
      [FILE, 4, 1],
      [FILE, 5, 1],
    ])
    expect(problems[0]!.message).toMatch(/"#" inside a pattern is ambiguous/)
  })

  it('rejects files GitHub would not load (3 MB or more), and binary files', async () => {
    const big = Buffer.alloc(3_000_000, 'a')
    expect((await problemsOf(big))[0]!.message).toMatch(/3 MB/)
    expect((await problemsOf(Buffer.from('* @a\u0000\n')))[0]!.message).toMatch(/binary/)
  })

  it('a value that bypassed the parser (a hand-edited snapshot) is a possible widening, not a crash', async () => {
    const doc = (value: unknown): Document => ({
      path: FILE,
      value,
      kind: 'codeowners',
      hash: JSON.stringify(value),
      sourceMap: {locate: () => undefined},
    })
    const {findings} = await compareCodeowners(
      new Map([[FILE, doc({rules: [{pattern: '*', owners: ['@a']}]})]]),
      new Map([[FILE, doc({rules: [{pattern: 'a//b', owners: ['@a']}]})]]),
      [FILE],
      DEFAULT_ADAPTER_SETTINGS,
    )
    expect(findings).toMatchObject([{change: 'possible-widening', rule: 'undecidable-patterns'}])
    expect(findings[0]!.reason).toMatch(/empty path segment/)
  })
})
