import {createHash} from 'node:crypto'
import fc from 'fast-check'
import {describe, expect, test} from 'vitest'
import {InvalidInputError} from '../../src/kernel/errors.js'
import {
  MAX_DEPTH,
  MAX_FILE_BYTES,
  parseFile,
  parseYamlDocuments,
  sourceMapCounts,
} from '../../src/kernel/parse.js'
import type {InputProblem, ParsedFile} from '../../src/kernel/types.js'

const file = (path: string, content: string | Buffer) => ({
  path,
  content: typeof content === 'string' ? Buffer.from(content) : content,
})
const json = (content: string | Buffer): ParsedFile => parseFile(file('policy.json', content))
const yaml = (content: string | Buffer): ParsedFile => parseFile(file('policy.yaml', content))

/** The problems parseFile throws for this input (fails the test when it parses). */
function problems(path: string, content: string | Buffer): InputProblem[] {
  try {
    parseFile(file(path, content))
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError)
    return (error as InvalidInputError).problems
  }
  throw new Error(`${path} parsed, but should not`)
}

const POLICY = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": "arn:aws:s3:::data/*",
      "Condition": {"StringLike": {"a/b~c": ""}}
    }
  ]
}
`

describe('JSON source map', () => {
  test('locates every pointer at the start of its value, 1-based', () => {
    const parsed = json(POLICY)
    const at = (pointer: string) => parsed.sourceMap.locate(pointer)
    expect(at('')).toEqual({line: 1, column: 1})
    expect(at('/Version')).toEqual({line: 2, column: 14})
    expect(at('/Statement')).toEqual({line: 3, column: 16})
    expect(at('/Statement/0')).toEqual({line: 4, column: 5})
    expect(at('/Statement/0/Effect')).toEqual({line: 6, column: 17})
    expect(at('/Statement/0/Action/1')).toEqual({line: 7, column: 34})
    expect(at('/Statement/0/Condition/StringLike')).toEqual({line: 9, column: 35})
    // RFC 6901 escapes: "/" is ~1 and "~" is ~0.
    expect(at('/Statement/0/Condition/StringLike/a~1b~0c')).toEqual({line: 9, column: 45})
    expect(at('/Statement/1')).toBeUndefined()
    expect(at('/Nope')).toBeUndefined()
  })

  test('parses values exactly as JSON.parse does', () => {
    const text =
      '{"s": "\\u00e9\\n\\"\\\\\\/\\t", "n": [-0.5e+2, 0, 12, 1E3], "b": [true, false, null], "e": [{}, []]}'
    expect(json(text).value).toEqual(JSON.parse(text))
  })

  test('CRLF line endings count as one line break', () => {
    const parsed = json(POLICY.replace(/\n/g, '\r\n'))
    expect(parsed.sourceMap.locate('/Statement/0/Effect')).toEqual({line: 6, column: 17})
    expect(parsed.sourceMap.locate('/Statement/0/Action/1')).toEqual({line: 7, column: 34})
  })

  test('a leading UTF-8 BOM is skipped (and still hashed)', () => {
    const content = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": 1}')])
    const parsed = json(content)
    expect(parsed.value).toEqual({a: 1})
    expect(parsed.sourceMap.locate('')).toEqual({line: 1, column: 1})
    expect(parsed.sourceMap.locate('/a')).toEqual({line: 1, column: 7})
    expect(parsed.hash).toBe(createHash('sha256').update(content).digest('hex'))
  })

  test('columns count UTF-16 code units, like editors and SARIF', () => {
    expect(json('{"é😀": 1, "x": 2}').sourceMap.locate('/x')).toEqual({line: 1, column: 17})
  })

  test('property: any JSON text parses like JSON.parse, and every pointer points at its value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined)
        const parsed = json(text)
        expect(parsed.value).toEqual(JSON.parse(text))
        const lines = text.split('\n')
        const visit = (node: unknown, pointer: string): void => {
          const position = parsed.sourceMap.locate(pointer)
          expect(position).toBeDefined()
          const rest = lines[position!.line - 1].slice(position!.column - 1)
          expect(rest.startsWith(JSON.stringify(node)[0])).toBe(true)
          if (node !== null && typeof node === 'object') {
            for (const [key, child] of Object.entries(node)) {
              visit(child, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`)
            }
          }
        }
        visit(parsed.value, '')
      }),
      {numRuns: 200},
    )
  })
})

describe('JSON source maps found on demand are not kept by their files', () => {
  // A map holds a position per value, several times its file's size: an audit that places findings
  // in a thousand changed policies held a thousand maps (1,400 policies of 63 MB: 228 MiB).
  test('placing findings in many files holds a few maps, and each file the positions asked of it', () => {
    const files = Array.from({length: 40}, (_, i) => json(POLICY.replace('"Read"', `"Read${i}"`)))
    const found = sourceMapCounts.found
    for (const parsed of files) {
      expect(parsed.sourceMap.locate('/Statement/0/Effect')).toEqual({line: 6, column: 17})
      // The next finding of the same file: its map is one of the recent ones, not found again.
      expect(parsed.sourceMap.locate('/Statement/0/Action/1')).toEqual({line: 7, column: 34})
    }
    expect(sourceMapCounts.found - found).toBe(files.length)
    expect(sourceMapCounts.held()).toBeLessThanOrEqual(4)
    // A position asked for before is remembered by its file; a new one is found again, the same as before.
    expect(files[0]!.sourceMap.locate('/Statement/0/Effect')).toEqual({line: 6, column: 17})
    expect(sourceMapCounts.found - found).toBe(files.length)
    expect(files[0]!.sourceMap.locate('/Statement/0/Condition/StringLike')).toEqual({line: 9, column: 35})
    expect(sourceMapCounts.found - found).toBe(files.length + 1)
  })
})

describe('a large JSON file is not kept as read until its positions are asked for', () => {
  // An audit holds the documents of two whole trees (1,400 policies: 2 × 63 MB of content, kept
  // only to place findings); a large file's content is kept deflated instead, so the bytes read
  // are let go. Overwriting them after parsing must not change where a value is found.
  test('positions found after the bytes read were overwritten are those of the file as parsed', () => {
    const statements = Array.from({length: 400}, (_, i) => ({
      Sid: `S${i}`,
      Effect: 'Allow',
      Action: [`s3:GetObject`, `s3:PutObject`],
      Resource: `arn:aws:s3:::bucket-${i}/*`,
    }))
    const content = Buffer.from(JSON.stringify({Version: '2012-10-17', Statement: statements}, null, 2))
    expect(content.length).toBeGreaterThan(64 * 1024)
    const parsed = parseFile({path: 'iam/large.json', content})
    content.fill(' ')
    // Each statement is 9 lines (its braces, 4 fields, 2 actions, the list's bracket), the first on
    // line 4; Resource is a statement's 8th line, its value after `      "Resource": `.
    expect(parsed.sourceMap.locate('/Statement/399/Resource')).toEqual({line: 4 + 399 * 9 + 7, column: 19})
  })
})

describe('JSON errors name file, line and column', () => {
  test.each([
    ['trailing comma', '{\n  "a": [1, 2,]\n}', 2, 14, 'unexpected character "]", expected a JSON value'],
    [
      'single quotes',
      "{'a': 1}",
      1,
      2,
      'unexpected character "\'", expected a property name in double quotes',
    ],
    ['missing colon', '{"a" 1}', 1, 6, 'unexpected character "1", expected ":" after the property name'],
    ['missing comma', '{"a": 1\n "b": 2}', 2, 2, 'unexpected character "\\"", expected "," or "}"'],
    ['unterminated string', '{"a": "abc', 1, 7, 'unterminated string'],
    ['line break in string', '{"a": "ab\ncd"}', 1, 10, 'line break inside a string (unterminated string?)'],
    ['control character', '{"a": "a\tb"}', 1, 9, 'control character U+0009 inside a string (escape it)'],
    ['bad escape', '{"a": "\\x41"}', 1, 8, 'invalid escape sequence "\\x" in string'],
    ['leading zero', '[01]', 1, 3, 'unexpected character "1", expected "," or "]"'],
    ['comment', '{} // ok', 1, 4, 'unexpected character "/", expected end of file after the JSON value'],
    ['empty file', '', 1, 1, 'unexpected end of file, expected a JSON value'],
    ['truncated', '{"a": [', 1, 8, 'unexpected end of file, expected a JSON value'],
  ])('%s', (_name, text, line, column, message) => {
    expect(problems('bad.json', text)).toEqual([{file: 'bad.json', line, column, message}])
  })

  test('the thrown error prints as file:line:col message', () => {
    expect(() => json('{"a": tru}')).toThrow(
      'policy.json:1:7 unexpected character "t", expected a JSON value',
    )
  })
})

describe('duplicate keys are errors (parsers keep the last, which can hide a grant)', () => {
  test('JSON: names the second occurrence', () => {
    const text = '{"Statement": [{\n  "Effect": "Deny",\n  "Action": "*",\n  "Effect": "Allow"\n}]}'
    expect(problems('p.json', text)).toEqual([
      {
        file: 'p.json',
        line: 4,
        column: 3,
        pointer: '/Statement/0/Effect',
        message: 'duplicate key "Effect" (first at line 2, column 3)',
      },
    ])
  })

  test('JSON: escapes do not disguise a duplicate', () => {
    expect(problems('p.json', '{"Effect": 1, "Eff\\u0065ct": 2}')[0].message).toMatch(
      /^duplicate key "Effect"/,
    )
  })

  test('YAML: names the second occurrence', () => {
    const text = 'Statement:\n  - Effect: Deny\n    Action: "*"\n    Effect: Allow\n'
    expect(problems('p.yaml', text)).toEqual([
      {
        file: 'p.yaml',
        line: 4,
        column: 5,
        pointer: '/Statement/0/Effect',
        message: 'duplicate key "Effect" (first at line 2, column 5)',
      },
    ])
  })

  test('YAML: keys that only collide once converted to strings (1 and "1", true and "true")', () => {
    expect(problems('p.yaml', '1: a\n"1": b\ntrue: c\n"true": d\n').map((p) => [p.line, p.message])).toEqual([
      [2, 'duplicate key "1" (first at line 1, column 1)'],
      [4, 'duplicate key "true" (first at line 3, column 1)'],
    ])
  })
})

describe('__proto__, constructor and prototype are ordinary keys (no prototype pollution)', () => {
  const expectOwnKeys = (value: unknown) => {
    const object = value as Record<string, unknown>
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype)
    expect(Object.keys(object)).toEqual(['__proto__', 'constructor', 'prototype'])
    expect(Object.getOwnPropertyDescriptor(object, '__proto__')?.value).toEqual({polluted: true})
    expect(object.constructor).toBe(1)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  }

  test('JSON', () => {
    expectOwnKeys(json('{"__proto__": {"polluted": true}, "constructor": 1, "prototype": 2}').value)
  })

  test('YAML', () => {
    expectOwnKeys(yaml('__proto__: {polluted: true}\nconstructor: 1\nprototype: 2\n').value)
  })

  test('and they are located like any key', () => {
    expect(json('{"__proto__": {"a": 1}}').sourceMap.locate('/__proto__/a')).toEqual({line: 1, column: 21})
  })
})

describe('deep nesting (10,000 levels) is an error, never a stack overflow', () => {
  // (Block mappings nest by indentation: 2,000 levels already make a 2 MB file.)
  test.each([
    ['JSON arrays', 'deep.json', '['.repeat(10_000) + ']'.repeat(10_000), 1],
    ['JSON objects', 'deep.json', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), 1],
    ['YAML flow sequences', 'deep.yaml', '['.repeat(10_000) + ']'.repeat(10_000), 1],
    ['YAML flow mappings', 'deep.yaml', '{a: '.repeat(10_000) + '1' + '}'.repeat(10_000), 1],
    ['YAML block sequences', 'deep.yaml', '- '.repeat(10_000) + 'x\n', 1],
    ['YAML block scalar', 'deep.yaml', '- '.repeat(10_000) + '|\n  x\n', 1],
    [
      'YAML block mappings',
      'deep.yaml',
      Array.from({length: 2_000}, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
      128,
    ],
  ])('%s', (_name, path, text, line) => {
    const [problem] = problems(path, text)
    expect(problem.message).toMatch(/^nesting (deeper than|too deep) .*256 levels/)
    expect(problem.line).toBe(line)
  })

  test(`exactly ${MAX_DEPTH} levels of JSON are accepted, one more is not`, () => {
    expect(() => json('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH))).not.toThrow()
    expect(problems('deep.json', '['.repeat(MAX_DEPTH + 1) + ']'.repeat(MAX_DEPTH + 1))).toEqual([
      {file: 'deep.json', line: 1, column: MAX_DEPTH + 1, message: `nesting deeper than ${MAX_DEPTH} levels`},
    ])
  })

  test(`${MAX_DEPTH} levels of YAML flow collections are accepted, one more is not`, () => {
    expect(() => yaml('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH))).not.toThrow()
    expect(problems('deep.yaml', '['.repeat(MAX_DEPTH + 1) + ']'.repeat(MAX_DEPTH + 1))[0].message).toBe(
      `nesting too deep (limit ${MAX_DEPTH} levels)`,
    )
  })

  test('ordinary block YAML nesting is accepted', () => {
    const text = Array.from({length: 60}, (_, i) => `${'  '.repeat(i)}- a:`).join('\n') + ' 1\n'
    expect(() => yaml(text)).not.toThrow()
  })
})

describe('bytes that are not text', () => {
  test(`files over ${MAX_FILE_BYTES} bytes are rejected`, () => {
    const content = Buffer.alloc(MAX_FILE_BYTES + 1, 0x20)
    expect(problems('big.json', content)).toEqual([
      {
        file: 'big.json',
        message: `file too large: ${MAX_FILE_BYTES + 1} bytes, the limit is ${MAX_FILE_BYTES} bytes`,
      },
    ])
  })

  test('callers can change the size limit', () => {
    expect(() => parseFile(file('a.json', '{"a": 1}'), 'json', {maxFileBytes: 4})).toThrow('file too large')
  })

  test('a NUL byte makes a binary file', () => {
    expect(problems('a.json', '{\n  "a": "x\0"}')).toEqual([
      {file: 'a.json', line: 2, column: 10, message: 'binary file (contains a NUL byte)'},
    ])
  })

  test('UTF-16 is rejected as binary', () => {
    expect(problems('a.json', Buffer.from('\ufeff{}', 'utf16le'))[0].message).toBe(
      'binary file (contains a NUL byte)',
    )
  })

  test('invalid UTF-8 is rejected, naming where', () => {
    const content = Buffer.concat([Buffer.from('{\n  "a": "é'), Buffer.from([0xff]), Buffer.from('"}')])
    expect(problems('a.json', content)).toEqual([
      {
        file: 'a.json',
        line: 2,
        column: 10,
        message: 'invalid UTF-8 at byte offset 12 (acldrift reads UTF-8 text only)',
      },
    ])
  })

  test('overlong encodings and lone surrogates are invalid UTF-8', () => {
    expect(problems('a.yaml', Buffer.from([0x61, 0x3a, 0x20, 0xc0, 0xaf]))[0].message).toMatch(
      /^invalid UTF-8/,
    )
    expect(problems('a.yaml', Buffer.from([0x61, 0x3a, 0x20, 0xed, 0xa0, 0x80]))[0].message).toMatch(
      /^invalid UTF-8/,
    )
  })
})

describe('YAML', () => {
  const TRUST = [
    '# a role trust policy',
    'Version: "2012-10-17"',
    'Statement:',
    '  - Effect: Allow',
    '    Principal:',
    '      Federated: arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    '    Action: sts:AssumeRoleWithWebIdentity',
    '    Condition:',
    '      StringLike:',
    '        token.actions.githubusercontent.com:sub: ["repo:acme/app:*", "repo:acme/web:*"]',
    '',
  ].join('\n')

  test('locates pointers from node ranges', () => {
    const parsed = yaml(TRUST)
    const at = (pointer: string) => parsed.sourceMap.locate(pointer)
    expect(at('')).toEqual({line: 2, column: 1})
    expect(at('/Version')).toEqual({line: 2, column: 10})
    expect(at('/Statement/0')).toEqual({line: 4, column: 5})
    expect(at('/Statement/0/Principal/Federated')).toEqual({line: 6, column: 18})
    expect(at('/Statement/0/Condition/StringLike/token.actions.githubusercontent.com:sub/1')).toEqual({
      line: 10,
      column: 70,
    })
  })

  test('CRLF and BOM do not shift positions', () => {
    const content = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(TRUST.replace(/\n/g, '\r\n')),
    ])
    const parsed = yaml(content)
    expect(parsed.value).toEqual(yaml(TRUST).value)
    expect(parsed.sourceMap.locate('/Statement/0/Principal/Federated')).toEqual({line: 6, column: 18})
  })

  test('the format follows the extension unless given', () => {
    expect(parseFile(file('a.YML', 'a: 1')).value).toEqual({a: 1})
    expect(() => parseFile(file('a.json', 'a: 1'))).toThrow(InvalidInputError)
    expect(parseFile(file('a.txt', 'a: 1'), 'yaml').value).toEqual({a: 1})
  })

  test('syntax errors and warnings are problems with line and column', () => {
    expect(problems('a.yaml', 'a: 1\nb: [1, 2\nc: 3\n')[0]).toMatchObject({
      file: 'a.yaml',
      line: 3,
      column: 1,
    })
    expect(problems('a.yaml', 'a: !custom 1\n')).toEqual([
      {file: 'a.yaml', line: 1, column: 4, message: 'Unresolved tag: !custom'},
    ])
  })

  test('explicit tags fail closed: another reader may resolve them otherwise (kubectl decodes !!binary)', () => {
    expect(problems('a.yaml', 'kind: !!binary Q2x1c3RlclJvbGVCaW5kaW5n\n')).toEqual([
      {
        file: 'a.yaml',
        line: 1,
        column: 16,
        pointer: '/kind',
        message: expect.stringMatching(/^explicit YAML tag !!binary: .*fails closed/),
      },
    ])
    expect(problems('a.yaml', '!!str kind: Role\n')).toEqual([
      expect.objectContaining({
        line: 1,
        column: 7,
        pointer: '/kind',
        message: expect.stringContaining('!!str'),
      }),
    ])
    expect(problems('a.yaml', 'rules: !!seq [{verbs: !!set {get: null}}]\n').map((p) => p.pointer)).toEqual([
      '/rules',
      '/rules/0/verbs',
    ])
  })

  test('collections as keys are rejected', () => {
    expect(problems('a.yaml', '? [a, b]\n: 1\n')[0]).toMatchObject({
      line: 1,
      column: 3,
      message: 'mapping keys must be plain scalars (no aliases, lists or mappings as keys)',
    })
  })

  test('a few aliases are fine', () => {
    expect(yaml('base: &b [s3:GetObject]\nread: *b\n').value).toEqual({
      base: ['s3:GetObject'],
      read: ['s3:GetObject'],
    })
  })

  test('an alias bomb (billion laughs) fails fast with a clear message', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (const [previous, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi']) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`)
    }
    const started = performance.now()
    const [problem] = problems('bomb.yaml', levels.join('\n') + '\n')
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(problem).toMatchObject({file: 'bomb.yaml', line: 2, column: 8})
    expect(problem.message).toBe(
      'too many YAML alias expansions (limit 100): possible alias bomb ("billion laughs")',
    )
  })

  const STREAM = 'kind: Role\nname: a\n---\nkind: RoleBinding\nsubjects:\n  - name: b\n'

  test('several documents: the value is their array, pointers start with the index', () => {
    const parsed = yaml(STREAM)
    expect(parsed.value).toEqual([
      {kind: 'Role', name: 'a'},
      {kind: 'RoleBinding', subjects: [{name: 'b'}]},
    ])
    expect(parsed.sourceMap.locate('/0/name')).toEqual({line: 2, column: 7})
    expect(parsed.sourceMap.locate('/1/subjects/0/name')).toEqual({line: 6, column: 11})
  })

  test('one document (even with markers) is the document itself; an empty file is null', () => {
    expect(yaml('---\na: 1\n...\n').value).toEqual({a: 1})
    expect(yaml('').value).toBeNull()
    expect(yaml('# only a comment\n').value).toBeNull()
  })

  test('parseYamlDocuments returns each document with its own source map', () => {
    const documents = parseYamlDocuments(file('rbac.yaml', STREAM))
    expect(documents.map((d) => d.value)).toEqual([
      {kind: 'Role', name: 'a'},
      {kind: 'RoleBinding', subjects: [{name: 'b'}]},
    ])
    expect(documents[1].sourceMap.locate('/subjects/0/name')).toEqual({line: 6, column: 11})
    expect(documents[1].sourceMap.locate('')).toEqual({line: 4, column: 1})
    expect(documents[0].hash).toBe(createHash('sha256').update(STREAM).digest('hex'))
  })
})
