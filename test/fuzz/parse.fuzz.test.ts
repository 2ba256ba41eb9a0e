// Fuzzing the parser: whatever bytes arrive, parseFile either returns a value or
// throws InvalidInputError naming the file; it never throws anything else, never takes long, and
// never touches Object.prototype (or any other built-in prototype).

import fc from 'fast-check'
import {afterEach, describe, expect, it} from 'vitest'
import {InvalidInputError} from '../../src/kernel/errors.js'
import {MAX_DEPTH, parseFile, parseYamlDocuments} from '../../src/kernel/parse.js'
import {CASE_LIMIT_MS, FUZZ_PARAMS, FUZZ_TIMEOUT_MS} from './budget.js'

// --- pollution ---------------------------------------------------------------------------

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype]
const snapshot = (): string[][] => PROTOTYPES.map((proto) => Reflect.ownKeys(proto).map(String).sort())
const PRISTINE = snapshot()
const PROBES = ['polluted', 'isAdmin', 'x', 'a', 'Effect', 'Action', 'toString2'] as const

function expectNoPollution(): void {
  const probe = {} as Record<string, unknown>
  for (const name of PROBES) expect(probe[name], `Object.prototype.${name}`).toBeUndefined()
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype)
  expect(snapshot()).toEqual(PRISTINE)
}

afterEach(expectNoPollution)

// --- the property ------------------------------------------------------------------------

type Outcome = {ok: true; value: unknown} | {ok: false; error: InvalidInputError}

/** Parses with both entry points; anything but InvalidInputError, a slow case or pollution fails. */
function parseChecked(path: string, content: Buffer): Outcome {
  const started = performance.now()
  let outcome: Outcome
  try {
    outcome = {ok: true, value: parseFile({path, content}).value}
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    expect(error.problems.length).toBeGreaterThan(0)
    for (const problem of error.problems) {
      expect(problem.file).toBe(path)
      expect(typeof problem.message).toBe('string')
    }
    outcome = {ok: false, error}
  }
  if (/\.ya?ml$/.test(path)) {
    try {
      parseYamlDocuments({path, content})
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error
    }
  }
  const elapsed = performance.now() - started
  expect(elapsed, `parsing ${content.length} bytes took ${Math.round(elapsed)} ms`).toBeLessThan(
    CASE_LIMIT_MS,
  )
  expectNoPollution()
  return outcome
}

const PATHS = ['policy.json', 'rbac.yaml', 'roles.yml', 'CONFIG.YAML', 'noext'] as const
const path = fc.constantFrom(...PATHS)

// --- arbitraries: text that looks like configs, and ways to break it -----------------------

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'polluted', 'toString', 'hasOwnProperty', '']
const key = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({maxLength: 8}))

/** JSON values whose keys are often hostile ("__proto__", "constructor" ...). */
const {value: hostileJson} = fc.letrec((tie) => ({
  value: fc.oneof(
    {depthSize: 'small', withCrossShrink: true},
    fc.oneof(fc.constant(null), fc.boolean(), fc.double({noNaN: true, noDefaultInfinity: true}), fc.string()),
    fc.array(tie('value'), {maxLength: 4}),
    fc.array(fc.tuple(key, tie('value')), {maxLength: 4}).map((entries) => {
      const object: Record<string, unknown> = {}
      for (const [name, value] of entries) {
        Object.defineProperty(object, name, {value, enumerable: true, writable: true, configurable: true})
      }
      return object
    }),
  ),
}))

/** `depth` nested containers around a value, as JSON text (sometimes unbalanced). */
const deepJson = fc
  .record({
    depth: fc.integer({min: 1, max: 3 * MAX_DEPTH}),
    object: fc.boolean(),
    balanced: fc.boolean(),
  })
  .map(({depth, object, balanced}) => {
    const open = object ? '{"__proto__":' : '['
    const close = object ? '}' : ']'
    return {
      text: open.repeat(depth) + '1' + (balanced ? close.repeat(depth) : close.repeat(depth >> 1)),
      depth,
      balanced,
    }
  })

const YAML_SNIPPETS = [
  'a: &x [1, 2]\nb: *x\n',
  'base: &b {Effect: Allow}\nderived:\n  <<: *b\n  Action: "*"\n',
  '__proto__: {polluted: yes}\n',
  '__proto__:\n  polluted: true\n',
  'constructor:\n  prototype:\n    polluted: true\n',
  '? [complex, key]\n: value\n',
  '? {a: 1}\n: value\n',
  '*x: aliased key\n',
  'Effect: Allow\nEffect: Deny\n',
  '1: one\n"1": string one\n',
  'null: a\n~: b\n',
  'k: !!binary aGVsbG8=\n',
  'k: !!js/function "function(){}"\n',
  'k: !custom tag\n',
  '%YAML 1.2\n---\na: 1\n',
  '---\n- x\n---\n- y\n...\n',
  'a: "unterminated\n',
  "a: 'single ''quoted'''\n",
  'a: |\n  block\n  text\n',
  'a: >-\n  folded\n',
  '- - - - - deep\n',
  '[[[[[[[[[[',
  '{a: {b: {c: {d: }}}}\n',
  'a:\n\tb: tab\n',
  'x: 0x1F\ny: 1e999\nz: .nan\nw: -.inf\n',
  'date: 2001-12-14t21:59:43.10-05:00\n',
  'anchor: &a\nref: *a\n',
  'x: *undefined_alias\n',
  'self: &s [*s]\n',
]

/** A "billion laughs" shaped document: each level aliases the previous one `width` times. */
const aliasBomb = fc
  .record({levels: fc.integer({min: 1, max: 12}), width: fc.integer({min: 1, max: 12})})
  .map(({levels, width}) => {
    const lines = ['l0: &l0 [lol]']
    for (let level = 1; level <= levels; level++) {
      lines.push(`l${level}: &l${level} [${Array.from({length: width}, () => `*l${level - 1}`).join(', ')}]`)
    }
    return lines.join('\n') + '\n'
  })

/** Deeply nested YAML, flow or block style. */
const deepYaml = fc
  .record({depth: fc.integer({min: 1, max: 3 * MAX_DEPTH}), flow: fc.boolean(), map: fc.boolean()})
  .map(({depth, flow, map}) => {
    if (flow) return (map ? '{a: ' : '[').repeat(depth) + '1' + (map ? '}' : ']').repeat(depth)
    const lines: string[] = []
    for (let level = 0; level < depth; level++) lines.push(' '.repeat(level) + (map ? 'a:' : '-'))
    return lines.join('\n') + ' 1\n'
  })

const yamlText = fc.oneof(
  fc.array(fc.constantFrom(...YAML_SNIPPETS), {minLength: 1, maxLength: 5}).map((parts) => parts.join('')),
  fc
    .array(fc.tuple(fc.nat(6), key, fc.constantFrom('', ' 1', ' *a', ' &a x', ' [', ' {', ' "s"', ' - y')), {
      maxLength: 12,
    })
    .map((lines) => lines.map(([indent, name, rest]) => `${' '.repeat(indent)}${name}:${rest}`).join('\n')),
  aliasBomb,
  deepYaml,
  hostileJson.map((value) => JSON.stringify(value)),
)

const jsonText = fc.oneof(
  hostileJson.map((value) => JSON.stringify(value)),
  hostileJson.map((value) => JSON.stringify(value, null, 2)),
  fc.json({maxDepth: 6}),
  deepJson.map(({text}) => text),
  fc.constantFrom(
    '{"Effect":"Allow","Effect":"Deny"}',
    '{"a":1,"a":1}',
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '{"a":"\\u0000"}',
    '{"a":"\\ud800"}',
    '{"a":"\\x41"}',
    '[1,]',
    '{"a":1,}',
    '01',
    '-',
    '1e',
    '"\t"',
    '',
  ),
)

/** One edit to the raw bytes of a file. */
const edit = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({minLength: 1, maxLength: 4}),
  }),
  fc.record({kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({min: 1, max: 4})}),
  fc.record({kind: fc.constant('replace' as const), at: fc.nat(), byte: fc.integer({min: 0, max: 255})}),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc
      .constantFrom(
        [0x00], // NUL
        [0xff], // never valid UTF-8
        [0xc3], // a lead byte without its continuation
        [0x80], // a lone continuation byte
        [0xed, 0xa0, 0x80], // an encoded surrogate
        [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
        [0xc0, 0xaf], // overlong "/"
        [0xef, 0xbb, 0xbf], // a BOM in the middle
        [0x0d], // a lone CR
        [0x0d, 0x0a], // CRLF
        [0xe2, 0x80, 0xa8], // U+2028
      )
      .map((bytes) => Uint8Array.from(bytes)),
  }),
)
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never

function applyEdits(bytes: Buffer, edits: Edit[]): Buffer {
  let out = bytes
  for (const change of edits) {
    const at = out.length === 0 ? 0 : change.at % (out.length + 1)
    if (change.kind === 'insert') out = Buffer.concat([out.subarray(0, at), change.bytes, out.subarray(at)])
    else if (change.kind === 'delete')
      out = Buffer.concat([out.subarray(0, at), out.subarray(at + change.length)])
    else if (at < out.length) {
      out = Buffer.from(out)
      out[at] = change.byte
    }
  }
  return out
}

/** Whole-file transformations a checkout or an editor can apply. */
const framing = fc.record({bom: fc.boolean(), crlf: fc.boolean(), trailingNul: fc.boolean()})

function frame(
  text: string,
  {bom, crlf, trailingNul}: {bom: boolean; crlf: boolean; trailingNul: boolean},
): Buffer {
  const body = Buffer.from(crlf ? text.replace(/\n/g, '\r\n') : text, 'utf8')
  return Buffer.concat([
    bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0),
    body,
    Buffer.from(trailingNul ? [0] : []),
  ])
}

/**
 * A value as nested arrays of [own key, value] pairs plus its prototype's name: comparable with toEqual
 * even when it has own "constructor" or "__proto__" keys, which confuse deep-equality helpers.
 */
function shape(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return Object.is(value, -0) ? '-0' : value
  const proto = Object.getPrototypeOf(value) as object | null
  const kind = proto === Array.prototype ? 'array' : proto === Object.prototype ? 'object' : 'other'
  return [
    kind,
    Reflect.ownKeys(value).map((name) => [
      String(name),
      shape((value as Record<string, unknown>)[name as string]),
    ]),
  ]
}

// --- properties --------------------------------------------------------------------------

describe('fuzz: parseFile', () => {
  it(
    'arbitrary bytes: a value or InvalidInputError, nothing else',
    () => {
      fc.assert(
        fc.property(path, fc.uint8Array({maxLength: 512}), (name, bytes) => {
          parseChecked(name, Buffer.from(bytes))
        }),
        FUZZ_PARAMS,
      )
    },
    FUZZ_TIMEOUT_MS,
  )

  it(
    'JSON text (hostile keys, deep nesting), framed and mutated',
    () => {
      fc.assert(
        fc.property(jsonText, framing, fc.array(edit, {maxLength: 4}), path, (text, framed, edits, name) => {
          parseChecked(name, applyEdits(frame(text, framed), edits))
          parseChecked('policy.json', frame(text, framed))
        }),
        FUZZ_PARAMS,
      )
    },
    FUZZ_TIMEOUT_MS,
  )

  it(
    'YAML text (anchors, aliases, merge keys, tags, alias bombs, deep nesting), framed and mutated',
    () => {
      fc.assert(
        fc.property(yamlText, framing, fc.array(edit, {maxLength: 4}), (text, framed, edits) => {
          parseChecked('rbac.yaml', frame(text, framed))
          parseChecked('rbac.yaml', applyEdits(frame(text, framed), edits))
        }),
        FUZZ_PARAMS,
      )
    },
    FUZZ_TIMEOUT_MS,
  )

  it(
    'valid JSON without duplicate keys parses to what JSON.parse gives (BOM and CRLF make no difference)',
    () => {
      fc.assert(
        fc.property(hostileJson, framing, (value, framed) => {
          const text = JSON.stringify(value)
          const outcome = parseChecked('policy.json', frame(text, {...framed, trailingNul: false}))
          expect(outcome.ok).toBe(true)
          if (outcome.ok) expect(shape(outcome.value)).toEqual(shape(JSON.parse(text)))
        }),
        FUZZ_PARAMS,
      )
    },
    FUZZ_TIMEOUT_MS,
  )

  it(
    'nesting beyond the limit is rejected as invalid input, within it accepted',
    () => {
      fc.assert(
        fc.property(deepJson, ({text, depth, balanced}) => {
          const outcome = parseChecked('policy.json', Buffer.from(text))
          expect(outcome.ok).toBe(balanced && depth <= MAX_DEPTH)
        }),
        FUZZ_PARAMS,
      )
    },
    FUZZ_TIMEOUT_MS,
  )

  it(
    'duplicate keys are always rejected, in JSON and in YAML',
    () => {
      fc.assert(
        fc.property(key, fc.jsonValue({maxDepth: 1}), fc.jsonValue({maxDepth: 1}), (name, first, second) => {
          const json = `{${JSON.stringify(name)}:${JSON.stringify(first)},${JSON.stringify(name)}:${JSON.stringify(second)}}`
          expect(parseChecked('policy.json', Buffer.from(json)).ok).toBe(false)
          expect(parseChecked('policy.yaml', Buffer.from(json)).ok).toBe(false)
        }),
        FUZZ_PARAMS,
      )
    },
    FUZZ_TIMEOUT_MS,
  )
})
