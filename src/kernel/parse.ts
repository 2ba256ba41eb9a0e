// Parsing of JSON and YAML input into plain values plus a source map (JSON pointer → line:column).
// Input is untrusted: every failure becomes an InvalidInputError naming file, line and column.
// Columns count UTF-16 code units (as editors, SARIF and the yaml package do); LF ends a line, so CRLF counts once.

import {createRequire} from 'node:module'
import {deflateRawSync, inflateRawSync} from 'node:zlib'
import type * as Yaml from 'yaml'
import {InvalidInputError} from './errors.js'
import {sha256} from './hash.js'
import {MAX_FILE_BYTES, tooLarge} from './limits.js'
import type {InputProblem, ParsedFile, Position, SourceFile, SourceMap} from './types.js'

let yamlModule: typeof Yaml | undefined
/** The yaml package is loaded on first use: JSON-only runs (the pre-commit hook) do not pay for it. */
const yaml = (): typeof Yaml => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml)

// (in a module of their own, which reading a file without parsing it loads: kernel/files.ts)
export {MAX_FILE_BYTES, MAX_OWN_FILE_BYTES, tooLarge} from './limits.js'

/** Content from this size on is kept deflated until its positions are asked for (parseFile). */
const DEFLATED_FROM = 16 * 1024
/** Deepest nesting of objects/arrays accepted: real configs stay far below, attacks go far above. */
export const MAX_DEPTH = 256
/** YAML alias expansions allowed per document (stops "billion laughs" alias bombs). */
const MAX_YAML_ALIASES = 100

type Format = 'json' | 'yaml'

interface ParseOptions {
  maxFileBytes?: number
  /**
   * false: JSON is parsed without recording where each value is (the source map locates
   * nothing), for large files read only for their values; problems still name line and column.
   */
  positions?: boolean
  /**
   * YAML tags of a format built on YAML (CloudFormation's `!Ref`, `!Sub` …), defined by the
   * format that reads them. A tag's value stays at the tagged node's place, so positions hold;
   * any other tag is still an error.
   */
  yamlTags?: Yaml.Tags
  /** the content's sha256, when the caller has computed it already (a parse keyed by it: src/core/source.ts) */
  hash?: string
}

/** Parses one file; throws InvalidInputError naming every problem found. */
export function parseFile(
  file: SourceFile,
  format: Format = formatOf(file.path),
  options: ParseOptions = {},
): ParsedFile {
  const text = decode(file, options.maxFileBytes ?? MAX_FILE_BYTES)
  if (format === 'json') {
    const value = parseJson(text, file.path)
    if (options.positions === false) return parsedFile(file, value, new Map(), options.hash)
    // Where each value is, found when first asked for: most documents read (every unchanged file
    // of both trees of an audit, every version blame asks about) are never located, and their
    // maps would hold a position per value. The text is decoded again then, not kept meanwhile;
    // a large file's content is kept deflated (JSON shrinks to about a tenth), since an audit holds
    // the documents of two whole trees.
    // (The finder holds the path and the bytes, never `file`: the content itself is let go.)
    const {path} = file
    const maxBytes = options.maxFileBytes ?? MAX_FILE_BYTES
    const small = file.content.length < DEFLATED_FROM ? file.content : undefined
    const packed = small === undefined ? deflateRawSync(file.content, {level: 1}) : undefined
    return parsedFile(
      file,
      value,
      () => {
        const content = small ?? inflateRawSync(packed!)
        const parser = new JsonParser(decode({path, content}, maxBytes), path, true)
        parser.parse()
        return parser.positions
      },
      options.hash,
    )
  }
  const documents = parseYaml(file.path, text, options.yamlTags)
  if (documents.length === 1)
    return parsedFile(file, documents[0].value, documents[0].positions, options.hash)
  // Several documents: the value is the array of documents, pointers are prefixed by the document index.
  const positions = new Map<string, Position>([['', {line: 1, column: 1}]])
  documents.forEach((document, index) => {
    for (const [pointer, position] of document.positions) positions.set(`/${index}${pointer}`, position)
  })
  return parsedFile(
    file,
    documents.map((document) => document.value),
    positions,
    options.hash,
  )
}

/** Parses a YAML stream into one ParsedFile per document (an empty stream gives one null document). */
export function parseYamlDocuments(file: SourceFile, options: ParseOptions = {}): ParsedFile[] {
  const text = decode(file, options.maxFileBytes ?? MAX_FILE_BYTES)
  return parseYaml(file.path, text, options.yamlTags).map((document) =>
    parsedFile(file, document.value, document.positions),
  )
}

/** Escapes one reference token of an RFC 6901 JSON pointer. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}

/** The reference tokens of an RFC 6901 JSON pointer, unescaped (none for '', the whole value). */
export function pointerTokens(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/**
 * Where the value at `pointer` starts, else where its nearest located ancestor does (a YAML
 * alias's target, say, is located where it is defined); undefined when nothing on the way is.
 */
export function positionAt(sourceMap: SourceMap, pointer: string): Position | undefined {
  for (let current = pointer; ; current = current.slice(0, current.lastIndexOf('/'))) {
    const position = sourceMap.locate(current)
    if (position !== undefined || current === '') return position
  }
}

function formatOf(path: string): Format {
  return /\.ya?ml$/i.test(path) ? 'yaml' : 'json'
}

/**
 * A string of its own rather than a slice of the file's text: V8 makes a slice of 13 characters or
 * more point into the text it was cut from, so one action name kept would keep the whole file's
 * text (a parsed tree of policies held twice its size). As a property name the string is copied
 * into V8's string table, where equal strings are one (an action named in many policies is stored once).
 */
function ownString(text: string): string {
  if (text.length < 13) return text
  const holder: Record<string, true> = {}
  holder[text] = true
  return Object.keys(holder)[0]!
}

/**
 * Maps found lately, the most recent last: the findings of a file are placed one after another, so
 * the map found for the first serves the next ones. No map found is kept by its file: a map holds a
 * position per value (several times the file's size), and a run that locates findings in a
 * thousand changed policies (an audit of a long history, `history`) would hold them all.
 */
const recentMaps = new Map<PointerSourceMap, ReadonlyMap<string, Position>>()
const RECENT_MAPS = 4
/** How many maps were found by parsing again, and how many a file now holds (debug stats, for tests). */
export const sourceMapCounts = {found: 0, held: () => recentMaps.size}

class PointerSourceMap implements SourceMap {
  #positions: ReadonlyMap<string, Position> | undefined
  #find: (() => ReadonlyMap<string, Position>) | undefined
  /** the positions asked for, when they are found on demand (a few pointers, not the whole map) */
  #asked: Map<string, Position | undefined> | undefined

  /** `positions`, or how to find them (each time they are asked for and not among the recent maps). */
  constructor(positions: ReadonlyMap<string, Position> | (() => ReadonlyMap<string, Position>)) {
    if (typeof positions === 'function') this.#find = positions
    else this.#positions = positions
  }

  get positions(): ReadonlyMap<string, Position> {
    if (this.#positions !== undefined) return this.#positions
    let found = recentMaps.get(this)
    if (found === undefined) {
      sourceMapCounts.found++
      found = this.#find!()
      if (recentMaps.size >= RECENT_MAPS) recentMaps.delete(recentMaps.keys().next().value!)
    } else recentMaps.delete(this)
    recentMaps.set(this, found)
    return found
  }

  locate(pointer: string): Position | undefined {
    if (this.#positions !== undefined) return this.#positions.get(pointer)
    this.#asked ??= new Map()
    if (this.#asked.has(pointer)) return this.#asked.get(pointer)
    const position = this.positions.get(pointer)
    this.#asked.set(pointer, position)
    return position
  }
}

/** Where each value of a parsed file is, by JSON pointer (undefined for a map that locates otherwise). */
export function positionsOf(sourceMap: SourceMap): ReadonlyMap<string, Position> | undefined {
  return sourceMap instanceof PointerSourceMap ? sourceMap.positions : undefined
}

/** A parsed file from its value and the position of each value (a parse remembered: src/core/config-parse.ts). */
export function parsedFile(
  file: SourceFile,
  value: unknown,
  positions: ReadonlyMap<string, Position> | (() => ReadonlyMap<string, Position>),
  hash: string = sha256(file.content),
): ParsedFile {
  return {path: file.path, value, sourceMap: new PointerSourceMap(positions), hash}
}

function fail(problem: InputProblem): never {
  throw new InvalidInputError([problem])
}

// ---------------------------------------------------------------------------------------------
// Bytes → text

/** Checks size, binary content and UTF-8 validity; strips a leading BOM. */

export function decode(file: SourceFile, maxBytes: number): string {
  const bytes = file.content
  if (bytes.length > maxBytes) fail({file: file.path, message: tooLarge(bytes.length, maxBytes)})
  const nul = bytes.indexOf(0)
  if (nul !== -1) {
    fail({file: file.path, ...positionOfByte(bytes, nul), message: 'binary file (contains a NUL byte)'})
  }
  try {
    // fatal: reject invalid UTF-8 instead of silently replacing it; the default ignoreBOM: false strips a BOM.
    return new TextDecoder('utf-8', {fatal: true}).decode(bytes)
  } catch {
    const offset = invalidUtf8Offset(bytes)
    return fail({
      file: file.path,
      ...positionOfByte(bytes, offset),
      message: `invalid UTF-8 at byte offset ${offset} (acldrift reads UTF-8 text only)`,
    })
  }
}

/** Offset of the first byte that makes the input invalid UTF-8 (only called when it is). */
function invalidUtf8Offset(bytes: Buffer): number {
  // A prefix that decodes as an unfinished stream stays decodable when shortened: binary search the longest one.
  const decodes = (length: number): boolean => {
    try {
      new TextDecoder('utf-8', {fatal: true}).decode(bytes.subarray(0, length), {stream: true})
      return true
    } catch {
      return false
    }
  }
  let low = 0
  let high = bytes.length
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (decodes(middle)) low = middle
    else high = middle - 1
  }
  return low
}

function positionOfByte(bytes: Buffer, offset: number): Position {
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, offset))
  return positionAtEnd(before)
}

function positionAtEnd(text: string): Position {
  let line = 1
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) line++
  return {line, column: text.length - text.lastIndexOf('\n')}
}

// ---------------------------------------------------------------------------------------------
// JSON: a strict RFC 8259 parser, iterative so that no input can exhaust the call stack.

interface ObjectFrame {
  kind: 'object'
  value: Record<string, unknown>
  pointer: string
  /** Keys seen so far and where, to reject duplicates. */
  keys: Map<string, Position>
  /** Key of the member whose value is being parsed. */
  key: string
}

interface ArrayFrame {
  kind: 'array'
  value: unknown[]
  pointer: string
}

type Frame = ObjectFrame | ArrayFrame

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
}
const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

/**
 * The value of a JSON text. It is read first without the pointer of each value (what only its
 * positions and a duplicate key's message need: a duplicate is rare, and is read again with them to
 * say where both keys are); every other problem is found and worded the same either way.
 */
function parseJson(text: string, file: string): unknown {
  try {
    return new JsonParser(text, file, false, true).parse()
  } catch (error) {
    if (error !== DUPLICATE_KEY) throw error
    return new JsonParser(text, file, false).parse()
  }
}

/** What a lean parse throws at a duplicate key. */
const DUPLICATE_KEY = Symbol('duplicate key')
/** Where a lean parse's keys are: nowhere it records. */
const NOWHERE: Position = {line: 0, column: 0}

class JsonParser {
  readonly positions = new Map<string, Position>()
  private pos = 0
  private line = 1
  private lineStart = 0

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly record: boolean,
    /** no pointers, and a duplicate key throws DUPLICATE_KEY (parseJson) */
    private readonly lean = false,
  ) {}

  parse(): unknown {
    const stack: Frame[] = []
    let pointer = ''
    for (;;) {
      // Parse the value at `pointer`; a non-empty container is pushed and parsing continues with its first member.
      this.skipWhitespace()
      if (this.record) this.positions.set(pointer, this.position())
      const open = this.text[this.pos]
      let value: unknown
      if (open === '{' || open === '[') {
        if (stack.length >= MAX_DEPTH) throw this.error(`nesting deeper than ${MAX_DEPTH} levels`)
        this.pos++
        this.skipWhitespace()
        const frame: Frame =
          open === '{'
            ? {kind: 'object', value: {}, pointer, keys: new Map(), key: ''}
            : {kind: 'array', value: [], pointer}
        if (this.text[this.pos] !== (open === '{' ? '}' : ']')) {
          stack.push(frame)
          pointer = frame.kind === 'object' ? this.readKey(frame) : this.lean ? '' : `${pointer}/0`
          continue
        }
        this.pos++
        value = frame.value
      } else {
        value = this.readPrimitive()
      }
      // Store the value in its container, then close every container that ends right after it.
      for (;;) {
        const frame = stack.at(-1)
        if (frame === undefined) {
          this.skipWhitespace()
          if (this.pos < this.text.length) throw this.unexpected('end of file after the JSON value')
          return value
        }
        if (frame.kind === 'object') {
          // defineProperty: a "__proto__" key becomes an own property instead of replacing the
          // prototype (any other key is one either way, and assigned much faster).
          if (frame.key === '__proto__')
            Object.defineProperty(frame.value, frame.key, {
              value,
              writable: true,
              enumerable: true,
              configurable: true,
            })
          else frame.value[frame.key] = value
        } else {
          frame.value.push(value)
        }
        this.skipWhitespace()
        const next = this.text[this.pos]
        if (next === ',') {
          this.pos++
          this.skipWhitespace()
          pointer =
            frame.kind === 'object'
              ? this.readKey(frame)
              : this.lean
                ? ''
                : `${frame.pointer}/${frame.value.length}`
          break
        }
        const close = frame.kind === 'object' ? '}' : ']'
        if (next !== close) throw this.unexpected(`"," or "${close}"`)
        this.pos++
        stack.pop()
        value = frame.value
      }
    }
  }

  /** Reads `"key":`, rejects duplicates, and returns the pointer of the member's value. */
  private readKey(frame: ObjectFrame): string {
    if (this.text[this.pos] !== '"') throw this.unexpected('a property name in double quotes')
    if (this.lean) {
      const key = this.readString()
      if (frame.keys.has(key)) throw DUPLICATE_KEY
      frame.keys.set(key, NOWHERE)
      frame.key = key
      this.skipWhitespace()
      if (this.text[this.pos] !== ':') throw this.unexpected('":" after the property name')
      this.pos++
      return ''
    }
    const at = this.position()
    const key = this.readString()
    const pointer = `${frame.pointer}/${escapePointerToken(key)}`
    const first = frame.keys.get(key)
    if (first !== undefined) {
      // Parsers keep the last of duplicate keys, so a second "Effect" or "Action" could hide a grant from review.
      throw this.error(
        `duplicate key "${key}" (first at line ${first.line}, column ${first.column})`,
        pointer,
        at,
      )
    }
    frame.keys.set(key, at)
    frame.key = key
    this.skipWhitespace()
    if (this.text[this.pos] !== ':') throw this.unexpected('":" after the property name')
    this.pos++
    return pointer
  }

  private readPrimitive(): unknown {
    if (this.text[this.pos] === '"') return this.readString()
    const literal = LITERALS.find(([word]) => this.text.startsWith(word, this.pos))
    if (literal !== undefined) {
      this.pos += literal[0].length
      return literal[1]
    }
    NUMBER.lastIndex = this.pos
    const number = NUMBER.exec(this.text)
    if (number === null) throw this.unexpected('a JSON value')
    this.pos += number[0].length
    return Number(number[0])
  }

  private readString(): string {
    const text = this.text
    let pos = this.pos + 1
    let chunkStart = pos
    let result = ''
    for (;;) {
      const code = text.charCodeAt(pos)
      if (code === 0x22) break
      if (Number.isNaN(code)) throw this.error('unterminated string')
      if (code < 0x20) {
        this.pos = pos
        throw this.error(
          code === 0x0a
            ? 'line break inside a string (unterminated string?)'
            : `control character U+${code.toString(16).padStart(4, '0').toUpperCase()} inside a string (escape it)`,
        )
      }
      if (code !== 0x5c) {
        pos++
        continue
      }
      result += text.slice(chunkStart, pos)
      const escape = text[pos + 1]
      if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
        result += String.fromCharCode(parseInt(text.slice(pos + 2, pos + 6), 16))
        pos += 6
      } else if (escape !== undefined && Object.hasOwn(ESCAPES, escape)) {
        result += ESCAPES[escape]
        pos += 2
      } else {
        this.pos = pos
        throw this.error(`invalid escape sequence "${text.slice(pos, pos + 2)}" in string`)
      }
      chunkStart = pos
    }
    this.pos = pos + 1
    return ownString(result + text.slice(chunkStart, pos))
  }

  private skipWhitespace(): void {
    const text = this.text
    for (;;) {
      const char = text[this.pos]
      if (char === ' ' || char === '\t' || char === '\r') {
        this.pos++
      } else if (char === '\n') {
        this.pos++
        this.line++
        this.lineStart = this.pos
      } else {
        return
      }
    }
  }

  /** Valid while no line break lies between lineStart and pos, which holds everywhere outside whitespace. */
  private position(): Position {
    return {line: this.line, column: this.pos - this.lineStart + 1}
  }

  private unexpected(expected: string): InvalidInputError {
    const char = this.text[this.pos]
    if (char === undefined) return this.error(`unexpected end of file, expected ${expected}`)
    return this.error(`unexpected ${describeChar(char)}, expected ${expected}`)
  }

  private error(message: string, pointer?: string, at = this.position()): InvalidInputError {
    return new InvalidInputError([
      {file: this.file, ...at, ...(pointer === undefined ? {} : {pointer}), message},
    ])
  }
}

function describeChar(char: string): string {
  const code = char.charCodeAt(0)
  return code < 0x20 || code === 0x7f
    ? `character U+${code.toString(16).padStart(4, '0').toUpperCase()}`
    : `character ${JSON.stringify(char)}`
}

// ---------------------------------------------------------------------------------------------
// YAML: the yaml package parses; we map positions, reject ambiguous keys and bound depth and aliases.

interface YamlDocument {
  value: unknown
  positions: Map<string, Position>
}

function parseYaml(file: string, text: string, customTags: Yaml.Tags = []): YamlDocument[] {
  checkYamlDepth(file, text)
  const lineCounter = new (yaml().LineCounter)()
  const documents = yaml().parseAllDocuments(text, {
    uniqueKeys: true,
    prettyErrors: false,
    lineCounter,
    customTags,
  })
  const at = (offset: number): Position => {
    const {line, col} = lineCounter.linePos(offset)
    return {line, column: col}
  }
  if (documents.length === 0) return [{value: null, positions: new Map([['', {line: 1, column: 1}]])}]

  const problems: InputProblem[] = []
  const mapped = documents.map((document) => {
    let overflowReported = false
    for (const error of document.errors) {
      // The walk below reports duplicates with their name, and also catches keys that only collide as strings.
      if (error.code === 'DUPLICATE_KEY') continue
      if (error.code === 'RESOURCE_EXHAUSTION') {
        // A stack overflow inside yaml is reported at every level it unwinds: keep the first.
        if (overflowReported) continue
        overflowReported = true
        problems.push({
          file,
          ...at(error.pos[0]),
          message: `nesting too deep to parse (limit ${MAX_DEPTH} levels)`,
        })
        continue
      }
      problems.push({file, ...at(error.pos[0]), message: error.message})
    }
    for (const warning of document.warnings)
      problems.push({file, ...at(warning.pos[0]), message: warning.message})
    return {document, ...walkYaml(document, file, at, problems, customTags)}
  })
  if (problems.length > 0) throw new InvalidInputError(problems)

  return mapped.map(({document, positions, firstAlias}) => {
    try {
      return {value: document.toJS({maxAliasCount: MAX_YAML_ALIASES}), positions}
    } catch (error) {
      const message =
        error instanceof ReferenceError && /alias/i.test(error.message)
          ? `too many YAML alias expansions (limit ${MAX_YAML_ALIASES}): possible alias bomb ("billion laughs")`
          : `cannot convert YAML document: ${error instanceof Error ? error.message : String(error)}`
      return fail({file, ...(firstAlias ?? at(document.range[0])), message})
    }
  })
}

/** The namespace of YAML's own tags (`!!str` is `tag:yaml.org,2002:str`); local tags (`!foo`) that no format defines are reported by yaml itself, as unresolved. */
const YAML_TAG_PREFIX = 'tag:yaml.org,2002:'

/**
 * Records the position of every value by JSON pointer, without following aliases (their targets are
 * mapped where they are defined), and rejects what a JS object cannot represent faithfully, and
 * explicit tags: another reader of the same file may resolve `!!binary`, `!!str` or `!!int`
 * differently (kubectl reads `kind: !!binary Q2x1c3RlclJvbGVCaW5kaW5n` as ClusterRoleBinding), so
 * what would be checked is not what is applied. Only the tags of the format being read are allowed.
 */
function walkYaml(
  document: Yaml.Document.Parsed,
  file: string,
  at: (offset: number) => Position,
  problems: InputProblem[],
  formatTags: Yaml.Tags,
): {positions: Map<string, Position>; firstAlias: Position | undefined} {
  const {isAlias, isMap, isScalar, isSeq} = yaml()
  // A format's tags are objects; a name would be one of yaml's own tags, which stay refused.
  const allowed = new Set(formatTags.flatMap((tag) => (typeof tag === 'string' ? [] : [tag.tag])))
  const explicitTag = (
    node: Yaml.Scalar | Yaml.YAMLMap | Yaml.YAMLSeq,
    pointer: string,
    fallback: number,
  ) => {
    const tag = node.tag
    if (tag === undefined || allowed.has(tag) || !tag.startsWith(YAML_TAG_PREFIX)) return
    problems.push({
      file,
      ...at(node.range?.[0] ?? fallback),
      pointer,
      message: `explicit YAML tag !!${tag.slice(YAML_TAG_PREFIX.length)}: other tools may read the tagged value differently than acldrift does (fails closed); remove the tag`,
    })
  }
  const positions = new Map<string, Position>()
  let firstAliasOffset = Infinity
  const stack: {node: unknown; pointer: string; fallback: number}[] = [
    {node: document.contents, pointer: '', fallback: document.range[0]},
  ]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const {node, pointer} = item
    const offset = isScalar(node) || isAlias(node) || isMap(node) || isSeq(node) ? node.range?.[0] : undefined
    positions.set(pointer, at(offset ?? item.fallback))
    if (isScalar(node) || isMap(node) || isSeq(node)) explicitTag(node, pointer, item.fallback)
    if (isAlias(node)) firstAliasOffset = Math.min(firstAliasOffset, offset ?? Infinity)
    if (!isMap(node) && !isSeq(node)) continue
    if (isSeq(node)) {
      node.items.forEach((child, index) => {
        stack.push({node: child, pointer: `${pointer}/${index}`, fallback: offset ?? item.fallback})
      })
      continue
    }
    const seen = new Map<string, Position>()
    for (const {key, value} of node.items) {
      if (!isScalar(key)) {
        const keyOffset = isAlias(key) || isMap(key) || isSeq(key) ? key.range?.[0] : undefined
        problems.push({
          file,
          ...at(keyOffset ?? offset ?? item.fallback),
          pointer,
          message: 'mapping keys must be plain scalars (no aliases, lists or mappings as keys)',
        })
        continue
      }
      // The same conversion as yaml's toJS: 1 and "1" (or true and "true") end up as one JS key.
      const name = key.value === null ? '' : String(key.value)
      const keyAt = at(key.range?.[0] ?? offset ?? item.fallback)
      const childPointer = `${pointer}/${escapePointerToken(name)}`
      explicitTag(key, childPointer, offset ?? item.fallback)
      const first = seen.get(name)
      if (first !== undefined) {
        problems.push({
          file,
          ...keyAt,
          pointer: childPointer,
          message: `duplicate key "${name}" (first at line ${first.line}, column ${first.column})`,
        })
        continue
      }
      seen.set(name, keyAt)
      stack.push({node: value, pointer: childPointer, fallback: key.range?.[0] ?? item.fallback})
    }
  }
  return {positions, firstAlias: firstAliasOffset === Infinity ? undefined : at(firstAliasOffset)}
}

/**
 * Rejects YAML that may nest deeper than MAX_DEPTH, before yaml's recursive parser sees it: that parser
 * overflows the stack near 1,000 levels, and V8 can then abort the whole process. yaml's lexer is iterative.
 * Nested block collections start at increasing columns (a sequence may share its mapping's column), so
 * twice the number of columns that may hold an open collection, plus the flow depth, bounds the depth.
 * The bound is conservative: it may reject block-style YAML somewhat shallower than the limit.
 */
function checkYamlDepth(file: string, text: string): void {
  const columns: number[] = []
  let flowDepth = 0
  let line = 1
  let column = 0
  let atLineStart = true
  for (const token of new (yaml().Lexer)().lex(text)) {
    const type = yaml().CST.tokenType(token)
    // Markers carry no source text; spaces (and block scalar bodies), comments and newlines open nothing.
    if (type === 'doc-mode' || type === 'scalar' || type === 'flow-error-end') {
      if (type === 'flow-error-end') flowDepth = 0
      continue
    }
    if (type !== 'space' && type !== 'comment' && type !== 'newline') {
      if (type === 'flow-seq-start' || type === 'flow-map-start') flowDepth++
      else if ((type === 'flow-seq-end' || type === 'flow-map-end') && flowDepth > 0) flowDepth--
      else if (flowDepth === 0) {
        // A line starting at a column closes every block collection at a greater column.
        if (atLineStart) while (columns.length > 0 && (columns.at(-1) ?? 0) > column) columns.pop()
        if (columns.at(-1) !== column) columns.push(column)
      }
      atLineStart = false
      if (2 * columns.length + flowDepth > MAX_DEPTH) {
        fail({file, line, column: column + 1, message: `nesting too deep (limit ${MAX_DEPTH} levels)`})
      }
    }
    const lastBreak = token.lastIndexOf('\n')
    if (lastBreak === -1) {
      column += token.length
    } else {
      for (let index = token.indexOf('\n'); index !== -1; index = token.indexOf('\n', index + 1)) line++
      column = token.length - lastBreak - 1
      atLineStart = column === 0
    }
  }
}
