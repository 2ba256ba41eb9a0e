// Turning evaluated values into the documents the inner kinds read (an IAM policy, a GCP policy or
// role, a Kubernetes RBAC object), with where each part is written. An unknown value takes the
// place of what it stands for, as a symbol the comparison reads as an unknown value:
//
// - in a string, it is a symbol inside the text (`arn:aws:s3:::${var.bucket}/*`);
// - for a list of strings (`actions = var.actions`), one element that is the symbol;
// - for an IAM statement (a `dynamic "statement"` over an unknown collection), a statement whose
//   Effect, Action and Resource (and Principal, in policies that name principals) are that
//   symbol: whatever it grants or denies is unknown, so any change to or from it is decided only
//   where the comparison can prove the answer for every value; for a whole policy
//   (`policy = var.policy`), such a statement with Effect Allow (see awsPolicy);
// - for a condition block, a condition on the symbol: the statement holds only under something
//   unknown.
//
// The same expression on both sides is the same symbol, hence the same unknown value.

import {escapePointerToken} from '../../kernel/parse.js'
import {symbol} from '../../kernel/symbols.js'
import type {At} from './ast.js'
import {asText, plain, type Value} from './values.js'

/** A document and where its parts are written (JSON pointer → position). */
export interface Shaped {
  json: unknown
  positions: Map<string, At>
}

/** Which IAM policy a document is: identity policies name no principal. */
export type PolicyRole = 'identity' | 'resource'

export const child = (pointer: string, key: string | number) =>
  `${pointer}/${escapePointerToken(String(key))}`

/** Builds a document part by part, recording where each part is written. */
export class Shaper {
  readonly positions = new Map<string, At>()

  place(pointer: string, at: At): void {
    if (!this.positions.has(pointer)) this.positions.set(pointer, at)
  }

  /** A string: unknowns and numbers as their text. */
  text(value: Value, pointer: string): unknown {
    this.place(pointer, value.at)
    if (value.v === 'list' || value.v === 'object') return this.plain(value, pointer)
    return asText(value)
  }

  /** A string or a list of strings; an unknown list is one unknown element. */
  texts(value: Value, pointer: string): unknown {
    this.place(pointer, value.at)
    if (value.v !== 'list') return this.text(value, pointer)
    return value.items.map((item, i) => this.text(item, child(pointer, i)))
  }

  /** Any JSON, placed part by part. */
  plain(value: Value, pointer: string): unknown {
    this.place(pointer, value.at)
    if (value.v === 'list') return value.items.map((item, i) => this.plain(item, child(pointer, i)))
    if (value.v === 'object')
      return Object.fromEntries([...value.entries].map(([k, v]) => [k, this.plain(v, child(pointer, k))]))
    return plain(value)
  }
}

// --- AWS IAM ---------------------------------------------------------------------------------

export function awsPolicy(value: Value, role: PolicyRole): Shaped {
  const shaper = new Shaper()
  shaper.place('', value.at)
  if (value.v !== 'object') {
    // A whole policy is the only statement of its document: what it allows is unknown, and no
    // other statement of the document can be denied by it, so it is an Allow of unknown access.
    const json = {Version: '2012-10-17', Statement: [unknownStatement(nameOf(value), role, 'Allow')]}
    return {json, positions: shaper.positions}
  }
  const json: Record<string, unknown> = {}
  for (const [key, item] of value.entries) {
    const pointer = child('', key)
    json[key] =
      key === 'Statement'
        ? statements(shaper, item, pointer, role)
        : key === 'Version' || key === 'Id'
          ? shaper.text(item, pointer)
          : shaper.plain(item, pointer)
  }
  return {json, positions: shaper.positions}
}

/** How an unknown is named in the symbol that stands for it. */
const nameOf = (value: Value): string => (value.v === 'unknown' ? value.name : (asText(value) ?? 'unknown'))

/** A statement the files do not give; inside a document it may as well deny as allow. */
export function unknownStatement(name: string, role: PolicyRole, effect?: 'Allow'): Record<string, unknown> {
  const unknownText = symbol(name)
  return {
    Effect: effect ?? unknownText,
    ...(role === 'resource' ? {Principal: {AWS: unknownText}} : {}),
    Action: unknownText,
    Resource: unknownText,
  }
}

function statements(shaper: Shaper, value: Value, pointer: string, role: PolicyRole): unknown {
  shaper.place(pointer, value.at)
  if (value.v === 'object') return statement(shaper, value, pointer)
  if (value.v !== 'list') return [unknownStatement(nameOf(value), role)]
  return value.items.map((item, i) =>
    item.v === 'object'
      ? statement(shaper, item, child(pointer, i))
      : (shaper.place(child(pointer, i), item.at), unknownStatement(nameOf(item), role)),
  )
}

const STRING_LISTS = new Set(['Action', 'NotAction', 'Resource', 'NotResource'])

function statement(shaper: Shaper, value: Value & {v: 'object'}, pointer: string): Record<string, unknown> {
  shaper.place(pointer, value.at)
  const json: Record<string, unknown> = {}
  for (const [key, item] of value.entries) {
    const at = child(pointer, key)
    if (STRING_LISTS.has(key)) json[key] = shaper.texts(item, at)
    else if (key === 'Principal' || key === 'NotPrincipal') json[key] = principal(shaper, item, at)
    else if (key === 'Condition') json[key] = condition(shaper, item, at)
    else if (key === 'Effect' || key === 'Sid') json[key] = shaper.text(item, at)
    else json[key] = shaper.plain(item, at)
  }
  return json
}

function principal(shaper: Shaper, value: Value, pointer: string): unknown {
  shaper.place(pointer, value.at)
  if (value.v === 'object')
    return Object.fromEntries(
      [...value.entries].map(([type, ids]) => [type, shaper.texts(ids, child(pointer, type))]),
    )
  if (value.v === 'unknown') return {AWS: symbol(value.name)}
  return shaper.text(value, pointer)
}

/** A condition on an unknown: the statement holds only under something unknown. */
const unknownCondition = (name: string) => ({StringEquals: {[symbol(name)]: symbol(name)}})

function condition(shaper: Shaper, value: Value, pointer: string): unknown {
  shaper.place(pointer, value.at)
  if (value.v !== 'object') return unknownCondition(nameOf(value))
  const json: Record<string, unknown> = {}
  for (const [operator, keys] of value.entries) {
    const at = child(pointer, operator)
    shaper.place(at, keys.at)
    if (keys.v !== 'object') {
      Object.assign(json, unknownCondition(nameOf(keys)))
      continue
    }
    json[operator] = Object.fromEntries(
      [...keys.entries].map(([key, values]) => [key, conditionValues(shaper, values, child(at, key))]),
    )
  }
  return json
}

/** Condition values keep their JSON type (a boolean stays a boolean); unknowns become symbols. */
function conditionValues(shaper: Shaper, value: Value, pointer: string): unknown {
  shaper.place(pointer, value.at)
  if (value.v === 'list')
    return value.items.map((item, i) => conditionValues(shaper, item, child(pointer, i)))
  return value.v === 'unknown' || value.v === 'object' ? symbol(nameOf(value)) : plain(value)
}

/** A document read as it is (a GCP policy, an RBAC object): unknowns are symbols in its strings. */
export function plainDocument(value: Value): Shaped {
  const shaper = new Shaper()
  return {json: shaper.plain(value, ''), positions: shaper.positions}
}
