// The Terraform functions that policies are written with, evaluated as Terraform documents them
// (https://developer.hashicorp.com/terraform/language/functions). A function acldrift does not
// evaluate, or one whose answer depends on an unknown argument, gives an unknown value named by
// the call's text. Collections keep what is known: `concat(var.extra, ["s3:GetObject"])` is a
// list of one unknown run of elements and one known action.

import {hasSymbol} from '../../kernel/symbols.js'
import type {Expr} from './ast.js'
import {InvalidInputError} from '../../kernel/errors.js'
import {asText, isKnown, parseDocument, plain, sameValue, unknown, type Value} from './values.js'

type Call = Expr & {e: 'call'}
/** What a function may ask of the module: a file's text (`file()`), relative to the module. */
export interface FileReader {
  readFile(path: string, at: Expr['at']): {text: string; path: string} | undefined
}

type Fn = (args: Value[], call: Call, files: FileReader) => Value

const unknownOf = (call: Call, spread = false): Value => ({...unknown(call.text, call.at), spread})

/** The elements of list arguments; an unknown list becomes one element "any number of unknowns". */
function listItems(value: Value): Value[] | undefined {
  if (value.v === 'list') return value.items
  if (value.v === 'unknown') return [{...value, spread: true}]
  if (value.v === 'null') return []
  return undefined
}

/** A string argument's text when it is known and holds no unknown part. */
export function knownText(value: Value): string | undefined {
  const text = value.v === 'string' || value.v === 'number' || value.v === 'bool' ? asText(value) : undefined
  return text === undefined || hasSymbol(text) ? undefined : text
}

function dedupe(items: Value[]): Value[] {
  const out: Value[] = []
  for (const item of items) if (!out.some((seen) => sameValue(seen, item) === true)) out.push(item)
  return out
}

const list = (call: Call, items: Value[]): Value => ({v: 'list', items, at: call.at})
const str = (call: Call, s: string): Value => ({v: 'string', s, at: call.at})

/** A list-to-list function: unknown runs pass through as they are. */
const listFn =
  (transform: (items: Value[]) => Value[]): Fn =>
  ([arg], call) => {
    const items = arg === undefined ? undefined : listItems(arg)
    return items === undefined ? unknownOf(call) : list(call, transform(items))
  }

/** A string-to-string function of known text. */
const textFn =
  (transform: (text: string) => string): Fn =>
  ([arg], call) => {
    const text = arg === undefined ? undefined : knownText(arg)
    return text === undefined ? unknownOf(call) : str(call, transform(text))
  }

/** `format`'s verbs that acldrift renders: %s, %d, %v, %q and %%. */
function format(args: Value[], call: Call): Value {
  const spec = args[0] === undefined ? undefined : knownText(args[0])
  if (spec === undefined) return unknownOf(call)
  let next = 1
  let failed = false
  const out = spec.replace(/%([%sdvq])/g, (_, verb: string) => {
    if (verb === '%') return '%'
    const value = args[next++]
    const text = value === undefined ? undefined : asText(value)
    if (text === undefined) {
      failed = true
      return ''
    }
    return verb === 'q' ? JSON.stringify(text) : text
  })
  return failed || /%[^%sdvq]/.test(spec) ? unknownOf(call) : str(call, out)
}

/** A JSON text as a value, with the positions of its parts when the text is a file's own. */
function decodeJson(value: Value, call: Call): Value {
  if (value.v !== 'string') return unknownOf(call)
  try {
    return parseDocument(value)
  } catch (error) {
    if (error instanceof InvalidInputError) return unknownOf(call)
    throw error
  }
}

export const FUNCTIONS: Record<string, Fn> = {
  jsonencode: ([arg], call) =>
    arg === undefined
      ? unknownOf(call)
      : {v: 'string', s: JSON.stringify(plain(arg)), at: call.at, json: arg},
  jsondecode: ([arg], call) => (arg === undefined ? unknownOf(call) : decodeJson(arg, call)),
  file: ([path], call, files) => {
    const name = path === undefined ? undefined : knownText(path)
    const read = name === undefined ? undefined : files.readFile(name, call.at)
    if (read === undefined) return unknownOf(call)
    return {v: 'string', s: read.text, at: call.at, textAt: {file: read.path, line: 1, column: 1}}
  },
  concat: (args, call) => {
    const items: Value[] = []
    for (const arg of args) {
      const more = listItems(arg)
      if (more === undefined) return unknownOf(call, true)
      items.push(...more)
    }
    return list(call, items)
  },
  merge: (args, call) => {
    const entries = new Map<string, Value>()
    for (const arg of args) {
      if (arg.v === 'null') continue
      if (arg.v !== 'object') return unknownOf(call)
      for (const [key, value] of arg.entries) entries.set(key, value)
    }
    return {v: 'object', entries, at: call.at}
  },
  flatten: listFn(function flat(items: Value[]): Value[] {
    return items.flatMap((item) => (item.v === 'list' ? flat(item.items) : [item]))
  }),
  distinct: listFn(dedupe),
  toset: listFn(dedupe),
  tolist: listFn((items) => items),
  compact: listFn((items) =>
    items.filter((item) => !(item.v === 'null' || (item.v === 'string' && item.s === ''))),
  ),
  sort: ([arg], call) => {
    const items = arg?.v === 'list' ? arg.items : undefined
    const texts = items?.map(knownText)
    if (items === undefined || texts === undefined || texts.some((t) => t === undefined))
      return unknownOf(call)
    return list(
      call,
      items
        .map((item, i) => [item, texts[i]!] as const)
        .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
        .map(([item]) => item),
    )
  },
  tomap: ([arg], call) => (arg?.v === 'object' ? arg : unknownOf(call)),
  tostring: ([arg], call) =>
    arg !== undefined && arg.v !== 'list' && arg.v !== 'object' ? arg : unknownOf(call),
  join: ([separator, arg], call) => {
    const sep = separator === undefined ? undefined : knownText(separator)
    const items = arg?.v === 'list' ? arg.items : undefined
    if (sep === undefined || items === undefined || items.some((i) => i.v === 'unknown' && i.spread))
      return unknownOf(call)
    const texts = items.map(asText)
    return texts.some((t) => t === undefined) ? unknownOf(call) : str(call, texts.join(sep))
  },
  split: ([separator, arg], call) => {
    const sep = separator === undefined ? undefined : knownText(separator)
    const text = arg === undefined ? undefined : knownText(arg)
    if (sep === undefined || text === undefined) return unknownOf(call, true)
    return list(
      call,
      text.split(sep).map((s) => str(call, s)),
    )
  },
  format,
  lower: textFn((s) => s.toLowerCase()),
  upper: textFn((s) => s.toUpperCase()),
  trimspace: textFn((s) => s.trim()),
  chomp: textFn((s) => s.replace(/(\r?\n)+$/, '')),
  title: textFn((s) =>
    s.replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_, before: string, c: string) => before + c.toUpperCase()),
  ),
  trimprefix: ([arg, prefix], call) => {
    const [text, p] = [arg, prefix].map((v) => (v === undefined ? undefined : knownText(v)))
    return text === undefined || p === undefined
      ? unknownOf(call)
      : str(call, text.startsWith(p) ? text.slice(p.length) : text)
  },
  trimsuffix: ([arg, suffix], call) => {
    const [text, p] = [arg, suffix].map((v) => (v === undefined ? undefined : knownText(v)))
    return text === undefined || p === undefined
      ? unknownOf(call)
      : str(call, text.endsWith(p) ? text.slice(0, text.length - p.length) : text)
  },
  replace: ([arg, search, replacement], call) => {
    const [text, from, to] = [arg, search, replacement].map((v) =>
      v === undefined ? undefined : knownText(v),
    )
    // `/…/` is a regular expression in Terraform's syntax (RE2): not evaluated here.
    if (text === undefined || from === undefined || to === undefined || /^\/.*\/$/.test(from))
      return unknownOf(call)
    return str(call, text.split(from).join(to))
  },
  length: ([arg], call) => {
    if (arg?.v === 'list' && arg.items.every((i) => !(i.v === 'unknown' && i.spread)))
      return {v: 'number', n: arg.items.length, at: call.at}
    if (arg?.v === 'object') return {v: 'number', n: arg.entries.size, at: call.at}
    const text = arg === undefined ? undefined : knownText(arg)
    return text === undefined ? unknownOf(call) : {v: 'number', n: [...text].length, at: call.at}
  },
  element: ([arg, index], call) => {
    if (
      arg?.v !== 'list' ||
      index?.v !== 'number' ||
      arg.items.length === 0 ||
      arg.items.some((i) => i.v === 'unknown' && i.spread)
    )
      return unknownOf(call)
    return arg.items[index.n % arg.items.length]!
  },
  lookup: ([map, key, fallback], call) => {
    const name = key === undefined ? undefined : knownText(key)
    if (map?.v !== 'object' || name === undefined) return unknownOf(call)
    return map.entries.get(name) ?? fallback ?? unknownOf(call)
  },
  keys: ([map], call) =>
    map?.v === 'object'
      ? list(
          call,
          [...map.entries.keys()].sort().map((k) => str(call, k)),
        )
      : unknownOf(call, true),
  values: ([map], call) =>
    map?.v === 'object'
      ? list(
          call,
          [...map.entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v),
        )
      : unknownOf(call, true),
  contains: ([arg, value], call) => {
    if (arg?.v !== 'list' || value === undefined) return unknownOf(call)
    const answers = arg.items.map((item) => sameValue(item, value))
    if (answers.includes(true)) return {v: 'bool', b: true, at: call.at}
    if (answers.every((a) => a === false) && arg.items.every(isKnown))
      return {v: 'bool', b: false, at: call.at}
    return unknownOf(call)
  },
  coalesce: (args, call) => {
    for (const arg of args) {
      if (arg.v === 'unknown') return unknownOf(call)
      if (arg.v !== 'null' && !(arg.v === 'string' && arg.s === '')) return arg
    }
    return unknownOf(call)
  },
  one: ([arg], call) => {
    if (arg?.v !== 'list' || arg.items.some((i) => i.v === 'unknown' && i.spread)) return unknownOf(call)
    if (arg.items.length === 0) return {v: 'null', at: call.at}
    return arg.items.length === 1 ? arg.items[0]! : unknownOf(call)
  },
  try: ([first], call) => (first !== undefined && isKnown(first) ? first : unknownOf(call)),
}
