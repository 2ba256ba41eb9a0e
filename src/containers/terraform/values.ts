// The values Terraform expressions evaluate to, each with where it was written. A value
// acldrift cannot know from the files (a variable without a default, a resource's ARN, a module
// output) is `unknown`, named by the expression's text: placed in a string, it becomes a symbol
// (src/kernel/symbols.ts), so that the same expression on both sides is the same unknown value.

import {InvalidInputError} from '../../kernel/errors.js'
import {escapePointerToken, parseFile} from '../../kernel/parse.js'
import type {ParsedFile, Position} from '../../kernel/types.js'
import {hasSymbol, symbol, SYMBOL_DELIMITERS} from '../../kernel/symbols.js'
import type {At} from './ast.js'

export type Value =
  | {
      v: 'string'
      s: string
      at: At
      /** where the string's first character is in a file, when its text is the source's (a heredoc) */
      textAt?: At
      /** a JSON document built by acldrift (a policy document data source's `json`), kept whole */
      json?: Value
    }
  | {v: 'number'; n: number; at: At}
  | {v: 'bool'; b: boolean; at: At}
  | {v: 'null'; at: At}
  | {v: 'list'; items: Value[]; at: At}
  | {v: 'object'; entries: Map<string, Value>; at: At}
  /** not known from the files: `name` is the expression, `spread` marks "any number of elements" in a list */
  | {v: 'unknown'; name: string; at: At; spread?: boolean}

export const str = (s: string, at: At): Value => ({v: 'string', s, at})
export type Unknown = Extract<Value, {v: 'unknown'}>
export const unknown = (name: string, at: At): Unknown => ({v: 'unknown', name, at})

export const isKnown = (value: Value): boolean => value.v !== 'unknown'

/** A value in a string: its text, with unknowns as symbols; undefined for lists and objects. */
export function asText(value: Value): string | undefined {
  switch (value.v) {
    case 'string':
      return value.s
    case 'number':
      return String(value.n)
    case 'bool':
      return String(value.b)
    case 'unknown':
      return symbol(value.name)
    case 'null':
      return ''
    default:
      return undefined
  }
}

/** The plain JSON of a value (unknowns as symbols), as `jsonencode` writes it. */
export function plain(value: Value): unknown {
  switch (value.v) {
    case 'string':
      return value.s
    case 'number':
      return value.n
    case 'bool':
      return value.b
    case 'null':
      return null
    case 'list':
      return value.items.map(plain)
    case 'object':
      return Object.fromEntries([...value.entries].map(([k, v]) => [k, plain(v)]))
    case 'unknown':
      return symbol(value.name)
  }
}

/** A parsed JSON value as a Value: every part at `at`, or where `locate` says it is. */
export function fromJson(
  json: unknown,
  at: At,
  locate?: (pointer: string) => At | undefined,
  pointer = '',
): Value {
  const here = locate?.(pointer) ?? at
  if (typeof json === 'string') return {v: 'string', s: json, at: here}
  if (typeof json === 'number') return {v: 'number', n: json, at: here}
  if (typeof json === 'boolean') return {v: 'bool', b: json, at: here}
  if (json === null || json === undefined) return {v: 'null', at: here}
  if (Array.isArray(json))
    return {v: 'list', items: json.map((item, i) => fromJson(item, at, locate, `${pointer}/${i}`)), at: here}
  const entries = new Map<string, Value>()
  for (const [key, item] of Object.entries(json as Record<string, unknown>))
    entries.set(key, fromJson(item, at, locate, `${pointer}/${escapePointerToken(key)}`))
  return {v: 'object', entries, at: here}
}

/** Whether two values are equal (`==`); undefined when that depends on unknown values. */
export function sameValue(a: Value, b: Value): boolean | undefined {
  if (a.v === 'unknown' || b.v === 'unknown')
    return a.v === 'unknown' && b.v === 'unknown' && a.name === b.name ? true : undefined
  if (a.v === 'list' || b.v === 'list' || a.v === 'object' || b.v === 'object') {
    const pairs: Array<[Value, Value | undefined]> =
      a.v === 'list' && b.v === 'list' && a.items.length === b.items.length
        ? a.items.map((item, i) => [item, b.items[i]])
        : a.v === 'object' && b.v === 'object' && a.entries.size === b.entries.size
          ? [...a.entries].map(([key, item]) => [item, b.entries.get(key)])
          : []
    if (
      pairs.length === 0 &&
      !(
        a.v === b.v &&
        (a.v === 'list' ? a.items.length : (a as {entries: Map<string, Value>}).entries.size) === 0
      )
    )
      return false
    let result: boolean | undefined = true
    for (const [x, y] of pairs) {
      const same = y === undefined ? false : sameValue(x, y)
      if (same === false) return false
      if (same === undefined) result = undefined
    }
    return result
  }
  const ta = asText(a)!
  const tb = asText(b)!
  if (hasSymbol(ta) || hasSymbol(tb)) return ta === tb ? true : undefined
  return ta === tb && (a.v === b.v || a.v === 'string' || b.v === 'string')
}

/** An object's attribute, a list's element, a map's key. */
export function member(value: Value, key: string | number): Value | undefined {
  if (value.v === 'object') return value.entries.get(String(key))
  if (value.v === 'list' && typeof key === 'number') return value.items[key]
  return undefined
}

/** The elements of a collection as (key, value) pairs; undefined when not known. */
export function elementsOf(collection: Value): Array<[Value, Value]> | undefined {
  if (collection.v === 'list')
    return collection.items.map((item, i) => [{v: 'number', n: i, at: item.at}, item])
  if (collection.v === 'object')
    return [...collection.entries].map(([key, item]) => [{v: 'string', s: key, at: item.at}, item])
  return undefined
}

/**
 * A JSON document given as text (a heredoc, `file()`, `jsonencode` …) as a value. Its parts are
 * placed where they are written when the text is a file's own (`textAt`), else at the string.
 * Throws InvalidInputError when the text is not JSON.
 */
export function parseDocument(value: Value & {v: 'string'}): Value {
  if (value.json !== undefined) return value.json
  const start = value.textAt
  const place = (position: Position | undefined): At | undefined =>
    start === undefined || position === undefined
      ? undefined
      : {
          file: start.file,
          line: start.line + position.line - 1,
          column: position.line === 1 ? start.column + position.column - 1 : position.column,
        }
  let parsed: ParsedFile
  try {
    parsed = parseFile(
      {path: start?.file ?? value.at.file, content: Buffer.from(quoteSymbols(value.s))},
      'json',
    )
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    // Where the text is a file's own, the problem is where it is written; else at the string.
    throw new InvalidInputError(
      error.problems.map((problem) => {
        const at =
          place(problem.line === undefined ? undefined : {line: problem.line, column: problem.column ?? 1}) ??
          value.at
        return {...problem, file: at.file, line: at.line, column: at.column}
      }),
    )
  }
  return fromJson(parsed.value, value.at, (pointer) => place(parsed.sourceMap.locate(pointer)))
}

/**
 * Symbols that stand where a JSON value goes rather than inside a string (`"Resource": ${x}` in a
 * heredoc, when `x` is unknown) are quoted, so that the text parses with the unknown as a string.
 */
export function quoteSymbols(text: string): string {
  let out = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (inString) {
      out += c
      if (c === '\\') out += text[++i] ?? ''
      else if (c === '"') inString = false
    } else if (c === '"') {
      inString = true
      out += c
    } else if (c === SYMBOL_DELIMITERS.open) {
      const end = text.indexOf(SYMBOL_DELIMITERS.close, i)
      if (end === -1) return text
      out += JSON.stringify(text.slice(i, end + 1))
      i = end
    } else out += c
  }
  return out
}
