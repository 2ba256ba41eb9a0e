// CloudFormation's intrinsic functions, evaluated as far as the template alone decides them.
// What only the deployment knows stays an opaque symbol (src/kernel/symbols.ts): `!Ref Bucket`
// is the symbol `Bucket`, `!GetAtt Role.Arn` the symbol `Role.Arn`, `${AWS::AccountId}` the
// symbol `AWS::AccountId`; `!Sub 'arn:aws:s3:::${Bucket}/*'` keeps its literal parts around the
// symbol. A parameter with a literal default is read as its default, and the extraction says so
// in a note. A condition (`!If [IsProd, a, b]`) is never decided: the value has one alternative
// per branch, each carrying the condition's value, so that nothing is picked silently.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html

import {escapePointerToken} from '../../kernel/parse.js'
import {displaySymbols, hasSymbol, symbol} from '../../kernel/symbols.js'

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** `AWS::NoValue`: the property or list item is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue')

/** A list the template does not resolve (`!GetAZs`, `!Split` of a symbol, a list parameter). */
export class UnknownList {
  constructor(readonly name: string) {}
}

/** The CloudFormation conditions an alternative holds under: condition name → its value. */
export type When = ReadonlyMap<string, boolean>

/** One way a value may come out: its value, the conditions it needs, where each part came from. */
export interface Alternative<T = unknown> {
  value: T
  when: When
  /** (pointer inside `value`, pointer in the template) for every part, the value itself first */
  at: Array<[string, string]>
}

/** What resolution needs from the template. */
export interface Scope {
  parameters: Record<string, unknown>
  resources: Record<string, unknown>
  mappings: Record<string, unknown>
  /** the parameters read as their defaults, for the extraction's notes */
  assumed: Map<string, unknown>
}

export class ResolveError extends Error {
  constructor(
    readonly pointer: string,
    message: string,
  ) {
    super(message)
  }
}

/** Above this, one statement's combinations of conditions are not expanded (it fails closed). */
export const MAX_ALTERNATIVES = 64

const INTRINSICS = new Set([
  'Ref',
  'Condition',
  'Fn::Sub',
  'Fn::GetAtt',
  'Fn::Join',
  'Fn::If',
  'Fn::Select',
  'Fn::Split',
  'Fn::FindInMap',
  'Fn::ImportValue',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::GetAZs',
  'Fn::Equals',
  'Fn::And',
  'Fn::Or',
  'Fn::Not',
  'Fn::Transform',
  'Fn::ToJsonString',
  'Fn::Length',
])

/** The intrinsic function a node calls (a one-key map `{Ref: …}`, `{"Fn::Sub": …}`), if any. */
export function intrinsicOf(node: unknown): [string, unknown] | undefined {
  if (!isObject(node)) return undefined
  const keys = Object.keys(node)
  if (keys.length !== 1 || !INTRINSICS.has(keys[0]!)) return undefined
  return [keys[0]!, node[keys[0]!]]
}

const merge = (a: When, b: When): When | undefined => {
  const out = new Map(a)
  for (const [name, value] of b) {
    if (out.has(name) && out.get(name) !== value) return undefined
    out.set(name, value)
  }
  return out
}

const single = (value: unknown, pointer: string): Alternative[] => [
  {value, when: new Map(), at: [['', pointer]]},
]

/** Every combination of the parts' alternatives (conditions that contradict each other drop out). */
function product(
  parts: Alternative[][],
  pointer: string,
): Array<{values: unknown[]; when: When; at: Array<Array<[string, string]>>}> {
  let combos: Array<{values: unknown[]; when: When; at: Array<Array<[string, string]>>}> = [
    {values: [], when: new Map(), at: []},
  ]
  for (const alternatives of parts) {
    const next: typeof combos = []
    for (const combo of combos)
      for (const alternative of alternatives) {
        const when = merge(combo.when, alternative.when)
        if (when === undefined) continue
        next.push({values: [...combo.values, alternative.value], when, at: [...combo.at, alternative.at]})
      }
    if (next.length > MAX_ALTERNATIVES)
      throw new ResolveError(
        pointer,
        `more than ${MAX_ALTERNATIVES} combinations of CloudFormation conditions (Fn::If) in one place: not expanded`,
      )
    combos = next
  }
  return combos
}

const prefixed = (at: Array<[string, string]>, prefix: string): Array<[string, string]> =>
  at.map(([inner, template]) => [prefix + inner, template])

/** Every alternative of a template value, its intrinsic functions evaluated as far as the template decides them. */
export function resolve(node: unknown, pointer: string, scope: Scope): Alternative[] {
  const call = intrinsicOf(node)
  if (call !== undefined)
    return resolveCall(call[0], call[1], `${pointer}/${escapePointerToken(call[0])}`, pointer, scope)
  if (Array.isArray(node)) {
    const parts = node.map((item, index) => resolve(item, `${pointer}/${index}`, scope))
    return product(parts, pointer).map(({values, when, at}) => {
      const value: unknown[] = []
      const positions: Array<[string, string]> = [['', pointer]]
      values.forEach((item, index) => {
        if (item === NO_VALUE) return
        positions.push(...prefixed(at[index]!, `/${value.length}`))
        value.push(item)
      })
      return {value, when, at: positions}
    })
  }
  if (isObject(node)) {
    const keys = Object.keys(node)
    const parts = keys.map((key) => resolve(node[key], `${pointer}/${escapePointerToken(key)}`, scope))
    return product(parts, pointer).map(({values, when, at}) => {
      const value: Record<string, unknown> = {}
      const positions: Array<[string, string]> = [['', pointer]]
      values.forEach((item, index) => {
        if (item === NO_VALUE) return
        const key = keys[index]!
        // defineProperty: a `__proto__` key stays data.
        Object.defineProperty(value, key, {value: item, writable: true, enumerable: true, configurable: true})
        positions.push(...prefixed(at[index]!, `/${escapePointerToken(key)}`))
      })
      return {value, when, at: positions}
    })
  }
  return single(node, pointer)
}

const PSEUDO_PARAMETER = /^AWS::[A-Za-z]+$/

/** A `Ref`: the parameter's default where it has a literal one, else an opaque symbol. */
function ref(name: string, scope: Scope): unknown {
  if (name === 'AWS::NoValue') return NO_VALUE
  if (PSEUDO_PARAMETER.test(name)) return symbol(name)
  const parameter = scope.parameters[name]
  if (isObject(parameter)) {
    const fallback = defaultOf(parameter)
    if (fallback !== undefined) {
      scope.assumed.set(name, parameter.Default)
      return fallback
    }
    return typeof parameter.Type === 'string' && isListType(parameter.Type)
      ? new UnknownList(name)
      : symbol(name)
  }
  return symbol(name)
}

const isListType = (type: string) => type === 'CommaDelimitedList' || /^List</.test(type)

/**
 * A parameter's default as `Ref` returns it, where the template decides it: not for values
 * CloudFormation looks up at deploy time (SSM parameter types, whose default is the parameter's
 * name, not its value). A list's members are trimmed, as CloudFormation does.
 */
function defaultOf(parameter: Record<string, unknown>): unknown {
  const type = typeof parameter.Type === 'string' ? parameter.Type : 'String'
  const value = parameter.Default
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  if (type.startsWith('AWS::SSM::')) return undefined
  if (isListType(type))
    return String(value)
      .split(',')
      .map((item) => item.trim())
  return String(value)
}

function resolveCall(name: string, args: unknown, pointer: string, at: string, scope: Scope): Alternative[] {
  const done = (value: unknown): Alternative[] => single(value, at)
  switch (name) {
    case 'Ref':
      if (typeof args !== 'string') throw new ResolveError(pointer, 'Ref names a parameter or resource')
      return done(ref(args, scope))
    case 'Fn::GetAtt': {
      const parts = typeof args === 'string' ? [args] : Array.isArray(args) ? args : undefined
      if (parts === undefined) throw new ResolveError(pointer, 'Fn::GetAtt takes a resource and an attribute')
      return map(strings(parts, pointer, scope), at, (texts) => symbol(texts.map(displaySymbols).join('.')))
    }
    case 'Fn::Sub':
      return sub(args, pointer, at, scope)
    case 'Fn::Join': {
      if (!Array.isArray(args) || args.length !== 2)
        throw new ResolveError(pointer, 'Fn::Join takes a delimiter and a list')
      return map(resolveAll([args[0], args[1]], pointer, scope), at, ([delimiter, list]) => {
        if (list instanceof UnknownList || typeof list === 'string')
          return symbol(`${display(list)} joined by "${String(delimiter)}"`)
        if (!Array.isArray(list)) throw new ResolveError(pointer, 'Fn::Join takes a list')
        return list
          .map((item) => (item instanceof UnknownList ? symbol(item.name) : String(item)))
          .join(String(delimiter))
      })
    }
    case 'Fn::If': {
      if (!Array.isArray(args) || args.length !== 3 || typeof args[0] !== 'string')
        throw new ResolveError(pointer, 'Fn::If takes a condition name and two values')
      const condition = args[0]
      return [true, false].flatMap((holds) =>
        resolve(args[holds ? 1 : 2], `${pointer}/${holds ? 1 : 2}`, scope).flatMap((alternative) => {
          const when = merge(alternative.when, new Map([[condition, holds]]))
          return when === undefined ? [] : [{...alternative, when}]
        }),
      )
    }
    case 'Fn::Select': {
      if (!Array.isArray(args) || args.length !== 2)
        throw new ResolveError(pointer, 'Fn::Select takes an index and a list')
      return map(resolveAll([args[0], args[1]], pointer, scope), at, ([index, list]) => {
        const i = Number(index)
        if (Array.isArray(list) && Number.isInteger(i) && i >= 0 && i < list.length) return list[i]
        if (Array.isArray(list))
          throw new ResolveError(pointer, `Fn::Select: index ${String(index)} is outside the list`)
        return symbol(`${display(list)}[${display(index)}]`)
      })
    }
    case 'Fn::Split': {
      if (!Array.isArray(args) || args.length !== 2)
        throw new ResolveError(pointer, 'Fn::Split takes a delimiter and a string')
      return map(resolveAll([args[0], args[1]], pointer, scope), at, ([delimiter, text]) =>
        typeof text === 'string' && !hasSymbol(text)
          ? text.split(String(delimiter))
          : new UnknownList(`${display(text)} split at "${String(delimiter)}"`),
      )
    }
    case 'Fn::FindInMap': {
      if (!Array.isArray(args) || args.length < 3)
        throw new ResolveError(pointer, 'Fn::FindInMap takes a map and two keys')
      return map(resolveAll(args.slice(0, 3), pointer, scope), at, (keys) => {
        if (keys.every((key) => typeof key === 'string' && !hasSymbol(key))) {
          const [map, top, second] = keys as string[]
          const found = (scope.mappings[map!] as Record<string, Record<string, unknown>> | undefined)?.[
            top!
          ]?.[second!]
          if (found !== undefined) return found
        }
        return symbol(`FindInMap ${keys.map(display).join(' ')}`)
      })
    }
    case 'Fn::Length':
      return map(resolve(args, pointer, scope), at, (list) =>
        Array.isArray(list) ? String(list.length) : symbol(`Length ${display(list)}`),
      )
    case 'Fn::ToJsonString':
      return map(resolve(args, pointer, scope), at, (value) =>
        hasSymbol(JSON.stringify(value) ?? '')
          ? symbol(`ToJsonString ${display(value)}`)
          : JSON.stringify(value),
      )
    case 'Fn::GetAZs':
    case 'Fn::Cidr':
      return map(
        resolve(args, pointer, scope),
        at,
        (value) => new UnknownList(`${name.slice(4)} ${display(value)}`),
      )
    case 'Condition':
      if (typeof args !== 'string') throw new ResolveError(pointer, 'Condition names a condition')
      return [true, false].map((holds) => ({
        value: String(holds),
        when: new Map([[args, holds]]),
        at: [['', at]],
      }))
    default:
      // ImportValue, Base64, Equals, And, Or, Not, Transform: decided at deploy time, or by a macro.
      return map(resolve(args, pointer, scope), at, (value) =>
        symbol(`${name.replace(/^Fn::/, '')} ${display(value)}`),
      )
  }
}

/** Resolves each argument, and combines them. */
function resolveAll(args: unknown[], pointer: string, scope: Scope): Alternative<unknown[]>[] {
  const parts = args.map((arg, index) => resolve(arg, `${pointer}/${index}`, scope))
  return product(parts, pointer).map(({values, when}) => ({value: values, when, at: []}))
}

function strings(args: unknown[], pointer: string, scope: Scope): Alternative<string[]>[] {
  return resolveAll(args, pointer, scope).map((alternative) => ({
    ...alternative,
    value: alternative.value.map((v) => (typeof v === 'string' ? v : display(v))),
  }))
}

/** Each alternative's value transformed; the result sits at the function call. */
function map<T>(alternatives: Alternative<T>[], at: string, f: (value: T) => unknown): Alternative[] {
  return alternatives.map((alternative) => ({
    value: f(alternative.value),
    when: alternative.when,
    at: [['', at]],
  }))
}

/**
 * `Fn::Sub`: `${Name}` is a parameter, a resource, `Resource.Attribute`, a pseudo parameter or
 * a variable of the map; `${!Literal}` is the literal text `${Literal}`. A name with a colon
 * that is none of these (`${aws:username}`) is an IAM policy variable, left for IAM.
 */
function sub(args: unknown, pointer: string, at: string, scope: Scope): Alternative[] {
  const [text, variables] = Array.isArray(args) ? [args[0], args[1] ?? {}] : [args, {}]
  if (typeof text !== 'string' || !isObject(variables))
    throw new ResolveError(pointer, 'Fn::Sub takes a string, or a string and a map of variables')
  const names = Object.keys(variables)
  const base = Array.isArray(args) ? `${pointer}/1` : pointer
  const parts = names.map((key) => resolve(variables[key], `${base}/${escapePointerToken(key)}`, scope))
  return product(parts, pointer).map(({values, when}) => {
    const bound = new Map(names.map((key, index) => [key, values[index]]))
    const value = text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`
      const name = inner.trim()
      if (bound.has(name)) {
        const v = bound.get(name)
        return typeof v === 'string' || typeof v === 'number' ? String(v) : symbol(display(v))
      }
      if (PSEUDO_PARAMETER.test(name)) return symbol(name)
      if (Object.hasOwn(scope.parameters, name)) {
        const v = ref(name, scope)
        return typeof v === 'string' ? v : symbol(name)
      }
      const resource = name.split('.')[0]!
      if (Object.hasOwn(scope.resources, resource)) return symbol(name)
      return name.includes(':') ? whole : symbol(name)
    })
    return {value, when, at: [['', at]]}
  })
}

/** A resolved value as people read it, for naming what stays unknown. */
export function display(value: unknown): string {
  if (typeof value === 'string') return displaySymbols(value)
  if (value instanceof UnknownList) return `\${${value.name}}`
  if (value === NO_VALUE) return 'AWS::NoValue'
  return displaySymbols(JSON.stringify(value) ?? String(value))
}
