// IAM policy documents out of a template's properties: each statement resolved (values.ts),
// one statement per combination of the CloudFormation conditions it depends on, each such
// statement holding while its conditions have the values it was made under. A condition is an
// unknown of the deployment, so it becomes a condition key of the request whose name is the
// condition and its definition (a symbol): the same condition on both sides is the same unknown,
// and a witness that needs it names it, e.g. `{"${condition IsProd: …}": "true"}`. Every part of
// a document keeps the template pointer it came from, for the source map.

import {InvalidInputError} from '../../kernel/errors.js'
import {parseFile} from '../../kernel/parse.js'
import {displaySymbols, hasSymbol, symbol} from '../../kernel/symbols.js'
import {
  type Alternative,
  intrinsicOf,
  isObject,
  NO_VALUE,
  resolve,
  ResolveError,
  type Scope,
  UnknownList,
  type When,
} from './values.js'

/** A policy document built from the template, with the template pointer of each of its parts. */
export interface BuiltDocument {
  value: Record<string, unknown>
  /** document pointer → template pointer (a part not listed is where its nearest listed ancestor is) */
  origins: Map<string, string>
}

/** How a document is built: the template's scope, and the condition key each condition is read as. */
export interface Builder {
  scope: Scope
  conditionKey(name: string): string
}

/** The branches of a node that is an `Fn::If` (or `AWS::NoValue`: none), each with its conditions. */
export function branches(
  node: unknown,
  pointer: string,
  when: When = new Map(),
): Array<{node: unknown; pointer: string; when: When}> {
  const call = intrinsicOf(node)
  if (call?.[0] === 'Ref' && call[1] === 'AWS::NoValue') return []
  if (call?.[0] !== 'Fn::If') return [{node, pointer, when}]
  const args = call[1]
  if (!Array.isArray(args) || args.length !== 3 || typeof args[0] !== 'string')
    throw new ResolveError(`${pointer}/Fn::If`, 'Fn::If takes a condition name and two values')
  const condition = args[0]
  return [true, false].flatMap((holds) => {
    if (when.has(condition) && when.get(condition) !== holds) return []
    const inner = new Map(when).set(condition, holds)
    return branches(args[holds ? 1 : 2], `${pointer}/Fn::If/${holds ? 1 : 2}`, inner)
  })
}

/** A resolved value with no unknown lists left: an unknown list is one unknown value. */
export function settle(value: unknown): unknown {
  if (value instanceof UnknownList) return symbol(value.name)
  if (Array.isArray(value)) return value.map(settle)
  if (isObject(value)) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value))
      Object.defineProperty(out, key, {
        value: settle(item),
        writable: true,
        enumerable: true,
        configurable: true,
      })
    return out
  }
  return value
}

/** One value that conditions may not change (a Version, a name), resolved. */
export function resolveOne(node: unknown, pointer: string, builder: Builder): unknown {
  const alternatives = resolve(node, pointer, builder.scope)
  if (alternatives.length !== 1)
    throw new ResolveError(
      pointer,
      'a value that depends on a CloudFormation condition (Fn::If) here is not read',
    )
  return settle(alternatives[0]!.value)
}

/**
 * The policy document written at `pointer` (a map, JSON text, or an intrinsic function that
 * makes either), holding under `when`. Undefined when no statement is left (all removed by
 * `AWS::NoValue`): such a document grants nothing.
 */
export function policyDocument(
  node: unknown,
  pointer: string,
  builder: Builder,
  when: When,
): BuiltDocument | undefined {
  const statements: Array<{statement: Record<string, unknown>; origins: Map<string, string>}> = []
  let shell: Record<string, unknown> | undefined
  const shellOrigins = new Map<string, string>()
  for (const branch of branches(node, pointer, when)) {
    if (isObject(branch.node) && intrinsicOf(branch.node) === undefined) {
      const {Statement: statementNode, ...rest} = branch.node
      const resolved = resolveOne(rest, branch.pointer, builder) as Record<string, unknown>
      shell ??= resolved
      shellOrigins.set('', branch.pointer)
      for (const key of Object.keys(resolved)) shellOrigins.set(`/${key}`, `${branch.pointer}/${key}`)
      if (!('Statement' in branch.node)) continue
      const list = `${branch.pointer}/Statement`
      const items = branches(statementNode, list, branch.when).flatMap((b) =>
        Array.isArray(b.node)
          ? b.node.flatMap((item, index) => branches(item, `${b.pointer}/${index}`, b.when))
          : [b],
      )
      for (const item of items) statements.push(...expand(item.node, item.pointer, builder, item.when))
      continue
    }
    // JSON text (or a function that makes it): its parts are all where the text is.
    for (const alternative of resolve(branch.node, branch.pointer, builder.scope)) {
      const document = fromText(alternative, branch.pointer)
      const inner = mergeWhen(branch.when, alternative.when)
      if (inner === undefined) continue
      const {Statement: statementNode, ...rest} = document
      shell ??= rest
      shellOrigins.set('', branch.pointer)
      const list = Array.isArray(statementNode)
        ? statementNode
        : statementNode === undefined
          ? []
          : [statementNode]
      for (const statement of list) {
        if (!isObject(statement)) throw new ResolveError(branch.pointer, 'a statement is not a map')
        for (const each of eachEffect(withConditions(statement, inner, builder)))
          statements.push({statement: each, origins: new Map([['', branch.pointer]])})
      }
    }
  }
  if (statements.length === 0) return undefined
  const value: Record<string, unknown> = {...shell, Statement: statements.map((s) => s.statement)}
  const origins = new Map(shellOrigins)
  statements.forEach((s, index) => {
    for (const [inner, template] of s.origins) origins.set(`/Statement/${index}${inner}`, template)
  })
  return {value, origins}
}

export const mergeWhen = (a: When, b: When): When | undefined => {
  const out = new Map(a)
  for (const [name, holds] of b) {
    if (out.has(name) && out.get(name) !== holds) return undefined
    out.set(name, holds)
  }
  return out
}

/** One statement as written, one output statement per combination of the conditions in it. */
export function expand(
  node: unknown,
  pointer: string,
  builder: Builder,
  when: When,
): Array<{statement: Record<string, unknown>; origins: Map<string, string>}> {
  return resolve(node, pointer, builder.scope).flatMap((alternative) => {
    const inner = mergeWhen(when, alternative.when)
    if (inner === undefined || alternative.value === NO_VALUE) return []
    const statement = settle(alternative.value)
    if (!isObject(statement)) throw new ResolveError(pointer, 'a statement is not a map')
    return eachEffect(withConditions(statement, inner, builder)).map((each) => ({
      statement: each,
      origins: new Map(alternative.at),
    }))
  })
}

/** A statement that holds only while each condition has its value: a condition key per condition. */
export function withConditions(
  statement: Record<string, unknown>,
  when: When,
  builder: Builder,
): Record<string, unknown> {
  let out = statement
  for (const [name, holds] of [...when].sort(([a], [b]) => a.localeCompare(b)))
    out = holdingWhile(out, builder.conditionKey(name), String(holds))
  return out
}

/** A statement that holds only while the unknown `key` (a symbol) is `value`. */
function holdingWhile(
  statement: Record<string, unknown>,
  key: string,
  value: string,
): Record<string, unknown> {
  // The key is present, with its value: a witness that needs it shows it.
  const condition = isObject(statement.Condition) ? {...statement.Condition} : {}
  condition.StringEquals = {...(isObject(condition.StringEquals) ? condition.StringEquals : {}), [key]: value}
  return {...statement, Condition: condition}
}

/**
 * A statement whose Effect the template leaves unknown (`Effect: !Ref Mode`) is an Allow while
 * that value is Allow and a Deny while it is Deny, IAM accepting nothing else: two statements,
 * each holding under a condition key named after the unknown, so that neither is taken for
 * granted and a witness that needs one says which (`${Effect ${Mode}}: Allow`).
 */
export function eachEffect(statement: Record<string, unknown>): Array<Record<string, unknown>> {
  const effect = statement.Effect
  if (typeof effect !== 'string' || !hasSymbol(effect)) return [statement]
  const key = symbol(`Effect ${displaySymbols(effect)}`)
  return ['Allow', 'Deny'].map((value) => holdingWhile({...statement, Effect: value}, key, value))
}

/** A document given as JSON text: parsed strictly (duplicate keys fail closed), its parts all at the text. */
function fromText(alternative: Alternative, pointer: string): Record<string, unknown> {
  const value = settle(alternative.value)
  if (isObject(value)) return value
  if (typeof value !== 'string')
    throw new ResolveError(pointer, 'a policy document is neither a map nor JSON text')
  try {
    const parsed = parseFile({path: 'policy', content: Buffer.from(value)}, 'json').value
    if (!isObject(parsed)) throw new ResolveError(pointer, 'the policy document text is not a JSON object')
    return parsed
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    throw new ResolveError(pointer, `the policy document text is not JSON: ${error.problems[0]!.message}`)
  }
}
