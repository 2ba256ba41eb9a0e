import {describe, expect, it} from 'vitest'
import {parseShell, ShellSyntaxError} from '../../../src/core/agent/shell-words.js'

const words = (line: string) => parseShell(line).map((c) => c.words.map((w) => w.text))

describe('parseShell: a command line as the simple commands it runs', () => {
  it.each([
    ['git  commit   --no-verify', [['git', 'commit', '--no-verify']]],
    ['git commit "--no-verify" -m \'a b\'', [['git', 'commit', '--no-verify', '-m', 'a b']]],
    ['git commit --no\\-verify', [['git', 'commit', '--no-verify']]],
    ['git commit --no-"ver"\'ify\'', [['git', 'commit', '--no-verify']]],
    ["git commit $'--no-\\x76erify'", [['git', 'commit', '--no-verify']]],
    [
      'npm test && git commit -n; echo done',
      [
        ['npm', 'test'],
        ['git', 'commit', '-n'],
        ['echo', 'done'],
      ],
    ],
    ['a || b | c & d', [['a'], ['b'], ['c'], ['d']]],
    [
      '(cd x && git commit -n)',
      [
        ['cd', 'x'],
        ['git', 'commit', '-n'],
      ],
    ],
    ['{ git commit -n; }', [['git', 'commit', '-n']]],
    [
      'echo $(git commit -n)',
      [
        ['git', 'commit', '-n'],
        ['echo', ''],
      ],
    ],
    [
      'echo `git commit -n`',
      [
        ['git', 'commit', '-n'],
        ['echo', ''],
      ],
    ],
    ['if true; then git commit -n; fi', [['true'], ['git', 'commit', '-n']]],
    ['git commit -m "$(date)" # --no-verify', [['date'], ['git', 'commit', '-m', '']]],
    ['line1 \\\n  --flag', [['line1', '--flag']]],
    ['cat <<EOF\ngit commit -n\nEOF\ngit status', [['cat'], ['git', 'status']]],
    ['cat <<-"EOF" > f\n\tgit commit -n\n\tEOF', [['cat']]],
  ])('%j', (line, expected) => {
    expect(words(line)).toEqual(expected)
  })

  it('keeps prefix assignments apart from the words, and expands variables set earlier in the line', () => {
    const [first] = parseShell('FOO=1 BAR="a b" git commit')
    expect(first!.assignments.map((a) => [a.name, a.value.text])).toEqual([
      ['FOO', '1'],
      ['BAR', 'a b'],
    ])
    expect(first!.words.map((w) => w.text)).toEqual(['git', 'commit'])
    const expanded = parseShell('F=--no-verify; git commit $F ${F}')
    expect(expanded.at(-1)!.words.map((w) => w.text)).toEqual(['git', 'commit', '--no-verify', '--no-verify'])
    const unknown = parseShell('git commit $UNSET')[0]!.words[2]!
    expect(unknown.dynamic).toBe(true)
  })

  it('records the targets of output redirections, not descriptor duplications', () => {
    const [command] = parseShell('echo x > .git/hooks/pre-commit 2>&1 >>log 2>/dev/null < in')
    expect(command!.writes.map((w) => w.text)).toEqual(['.git/hooks/pre-commit', 'log', '/dev/null'])
    expect(parseShell('printf x >| a')[0]!.writes.map((w) => w.text)).toEqual(['a'])
  })

  it.each(['echo "unterminated', "echo 'x", 'echo $(git', 'cat <<EOF\nno end', 'echo `x'])(
    'refuses %j: what it runs cannot be known',
    (line) => {
      expect(() => parseShell(line)).toThrow(ShellSyntaxError)
    },
  )
})
