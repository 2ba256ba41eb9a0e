// Evaluating Terraform expressions as far as the files say: literals, templates, collections,
// operators, `for` expressions, and the functions policies are written with (jsonencode, file,
// templatefile, concat, merge …). Whatever depends on a value the files do not give (a variable
// without a default, a resource's ARN, a module's output) is `unknown`, named by the expression's
// text; nothing is ever guessed. References (var, local, data, resources, each, count …) are
// resolved by the scope the module provides (module.ts).

import type {At, Expr, TemplatePart} from './ast.js'
import {FUNCTIONS, knownText} from './functions.js'
import {asText, elementsOf, isKnown, member, sameValue, unknown, type Value} from './values.js'

/** One step of a reference after its first name: `.name` or `[key]`. */
export type Step = {attr: string; expr: Expr} | {index: Value; expr: Expr}

export interface Scope {
  /** names bound here: `for` variables, `each`, `count`, a dynamic block's iterator, templatefile's variables */
  bound: ReadonlyMap<string, Value>
  /**
   * A reference that starts with a name the module defines (var, local, data, a resource type,
   * module, path …): its value and how many of `steps` it took; undefined: not such a name.
   */
  reference(root: string, steps: Step[], at: At): {value: Value; used: number} | undefined
  /** a file's text for `file()`/`templatefile()` (relative to the module); undefined: not readable */
  readFile(path: string, at: At): {text: string; path: string} | undefined
  /** a template file's parts (templatefile) */
  parseTemplate(text: string, path: string): {parts: TemplatePart[]; start: At}
  /** the same scope with more names bound */
  with(bound: ReadonlyMap<string, Value>): Scope
  /** a scope where only `bound` is defined: a template file sees only the variables it is given */
  only(bound: ReadonlyMap<string, Value>): Scope
}

export function evaluate(expr: Expr, scope: Scope): Value {
  const at = expr.at
  switch (expr.e) {
    case 'literal':
      if (expr.value === null) return {v: 'null', at}
      if (typeof expr.value === 'string') return {v: 'string', s: expr.value, at}
      if (typeof expr.value === 'number') return {v: 'number', n: expr.value, at}
      return {v: 'bool', b: expr.value, at}
    case 'template':
      return render(expr.parts, scope, expr, expr.start)
    case 'tuple':
      return {v: 'list', items: expr.items.map((item) => evaluate(item, scope)), at}
    case 'object': {
      const entries = new Map<string, Value>()
      for (const item of expr.items) {
        const key = evaluate(item.key, scope)
        const text = key.v === 'string' || key.v === 'number' || key.v === 'bool' ? asText(key)! : undefined
        // An unknown key: the whole object is unknown, since any key may be the one read.
        if (text === undefined) return unknown(expr.text, at)
        entries.set(text, evaluate(item.value, scope))
      }
      return {v: 'object', entries, at}
    }
    case 'name':
    case 'attr':
    case 'index':
      return reference(expr, scope)
    case 'splat': {
      const base = evaluate(expr.of, scope)
      if (base.v === 'unknown') return unknown(expr.text, at)
      const items = base.v === 'list' ? base.items : base.v === 'null' ? [] : [base]
      return {
        v: 'list',
        items: items.map((item) =>
          expr.rest.reduce<Value>(
            (value, step) =>
              'attr' in step
                ? step1(value, step.attr, expr)
                : step1(value, indexKey(evaluate(step.index, scope)), expr),
            item,
          ),
        ),
        at,
      }
    }
    case 'call': {
      const fn = FUNCTIONS[expr.name]
      let args = expr.args.map((arg) => evaluate(arg, scope))
      if (expr.expand) {
        const last = args.at(-1)
        if (last === undefined || last.v !== 'list') return unknown(expr.text, at)
        args = [...args.slice(0, -1), ...last.items]
      }
      if (expr.name === 'templatefile') return templateFile(args, expr, scope)
      return fn ? fn(args, expr, scope) : unknown(expr.text, at)
    }
    case 'conditional': {
      const test = evaluate(expr.test, scope)
      if (test.v === 'bool') return evaluate(test.b ? expr.then : expr.else, scope)
      const [then, otherwise] = [evaluate(expr.then, scope), evaluate(expr.else, scope)]
      return sameValue(then, otherwise) === true ? then : unknown(expr.text, at)
    }
    case 'unary': {
      const operand = evaluate(expr.operand, scope)
      if (expr.op === '!' && operand.v === 'bool') return {v: 'bool', b: !operand.b, at}
      if (expr.op === '-' && operand.v === 'number') return {v: 'number', n: -operand.n, at}
      return unknown(expr.text, at)
    }
    case 'binary':
      return binary(expr, scope)
    case 'for':
      return forExpression(expr, scope)
  }
}

/** `templatefile(path, vars)`: the file's text as a template that sees only `vars`. */
function templateFile([path, vars]: Value[], call: Expr & {e: 'call'}, scope: Scope): Value {
  const name = path === undefined ? undefined : knownText(path)
  const read = name === undefined ? undefined : scope.readFile(name, call.at)
  if (read === undefined || vars?.v !== 'object') return unknown(call.text, call.at)
  const {parts, start} = scope.parseTemplate(read.text, read.path)
  const rendered = render(parts, scope.only(vars.entries), call, start)
  return rendered.v === 'string' ? {...rendered, textAt: start} : rendered
}

/** A list's index or a map's key as a plain JS key. */
function indexKey(value: Value): string | number | undefined {
  if (value.v === 'number') return value.n
  if (value.v === 'string') return value.s
  return undefined
}

/** One step into a value: unknown when the value or the step is. */
function step1(value: Value, key: string | number | undefined, expr: Expr): Value {
  if (value.v === 'unknown' || key === undefined) return unknown(expr.text, expr.at)
  return member(value, key) ?? unknown(expr.text, expr.at)
}

/** `a.b[c].d`: the scope resolves the name and as many steps as it knows, the rest are applied here. */
function reference(expr: Expr, scope: Scope): Value {
  const chain: Expr[] = []
  let root: Expr = expr
  while (root.e === 'attr' || root.e === 'index') {
    chain.unshift(root)
    root = root.of
  }
  if (root.e !== 'name') {
    // `func(x).a`, `[1, 2][0]`: an expression, then steps
    return chain.reduce<Value>(
      (value, step) =>
        step1(
          value,
          step.e === 'attr' ? step.name : indexKey(evaluate((step as {key: Expr}).key, scope)),
          step,
        ),
      evaluate(root, scope),
    )
  }
  const steps: Step[] = chain.map((step) =>
    step.e === 'attr'
      ? {attr: step.name, expr: step}
      : {index: evaluate((step as {key: Expr}).key, scope), expr: step},
  )
  let value: Value
  let used: number
  const bound = scope.bound.get(root.name)
  if (bound !== undefined) [value, used] = [bound, 0]
  else {
    const found = scope.reference(root.name, steps, root.at)
    if (found === undefined) return unknown(expr.text, expr.at)
    ;({value, used} = found)
  }
  for (const step of steps.slice(used))
    value = step1(value, 'attr' in step ? step.attr : indexKey(step.index), step.expr)
  return value
}

function binary(expr: Expr & {e: 'binary'}, scope: Scope): Value {
  const at = expr.at
  const left = evaluate(expr.left, scope)
  // `&&` and `||` are decided by one side when it settles them.
  if (expr.op === '&&' || expr.op === '||') {
    const settles = expr.op === '||'
    if (left.v === 'bool' && left.b === settles) return {v: 'bool', b: settles, at}
    const right = evaluate(expr.right, scope)
    if (right.v === 'bool' && right.b === settles) return {v: 'bool', b: settles, at}
    if (left.v === 'bool' && right.v === 'bool') return {v: 'bool', b: !settles, at}
    return unknown(expr.text, at)
  }
  const right = evaluate(expr.right, scope)
  if (expr.op === '==' || expr.op === '!=') {
    const same = sameValue(left, right)
    return same === undefined ? unknown(expr.text, at) : {v: 'bool', b: same === (expr.op === '=='), at}
  }
  if (left.v !== 'number' || right.v !== 'number') return unknown(expr.text, at)
  const [a, b] = [left.n, right.n]
  const result: Record<string, number | boolean> = {
    '+': a + b,
    '-': a - b,
    '*': a * b,
    '/': a / b,
    '%': a % b,
    '<': a < b,
    '<=': a <= b,
    '>': a > b,
    '>=': a >= b,
  }
  const r = result[expr.op]
  if (r === undefined) return unknown(expr.text, at)
  return typeof r === 'boolean' ? {v: 'bool', b: r, at} : {v: 'number', n: r, at}
}

function forExpression(expr: Expr & {e: 'for'}, scope: Scope): Value {
  const at = expr.at
  const collection = evaluate(expr.collection, scope)
  const elements = elementsOf(collection)
  if (elements === undefined || elements.some(([, item]) => item.v === 'unknown' && item.spread))
    return {...unknown(expr.text, at), spread: expr.tuple}
  const items: Value[] = []
  const entries = new Map<string, Value>()
  const groups = new Map<string, Value[]>()
  for (const [key, item] of elements) {
    const bound = new Map(scope.bound)
    if (expr.key !== undefined) bound.set(expr.key, key)
    bound.set(expr.value, item)
    const inner = scope.with(bound)
    if (expr.condition !== undefined) {
      const keep = evaluate(expr.condition, inner)
      if (keep.v !== 'bool') return {...unknown(expr.text, at), spread: expr.tuple}
      if (!keep.b) continue
    }
    const result = evaluate(expr.result, inner)
    if (expr.tuple) {
      items.push(result)
      continue
    }
    const name = asText(evaluate(expr.resultKey!, inner))
    if (name === undefined || !isKnown(evaluate(expr.resultKey!, inner))) return unknown(expr.text, at)
    if (expr.group) groups.set(name, [...(groups.get(name) ?? []), result])
    else entries.set(name, result)
  }
  if (expr.tuple) return {v: 'list', items, at}
  for (const [name, group] of groups) entries.set(name, {v: 'list', items: group, at})
  return {v: 'object', entries, at}
}

/**
 * A template's text. An unknown value in it becomes a symbol; a directive that depends on one,
 * or a list or object interpolated (an error in Terraform), makes the whole text unknown.
 */
export function render(parts: TemplatePart[], scope: Scope, expr: Expr, start: At): Value {
  // A template that is a single interpolation is that value itself (`"${var.list}"` is the list).
  if (parts.length === 1 && 'interpolation' in parts[0]!)
    return {...evaluate(parts[0].interpolation, scope), at: expr.at}
  const text = renderParts(parts, scope)
  if (text === undefined) return unknown(expr.text, expr.at)
  return {v: 'string', s: text, at: expr.at, textAt: start}
}

function renderParts(parts: TemplatePart[], scope: Scope): string | undefined {
  let out = ''
  for (const part of parts) {
    if ('literal' in part) out += part.literal
    else if ('interpolation' in part) {
      const text = asText(evaluate(part.interpolation, scope))
      if (text === undefined) return undefined
      out += text
    } else if ('if' in part) {
      const test = evaluate(part.if, scope)
      if (test.v !== 'bool') return undefined
      const inner = renderParts(test.b ? part.then : part.else, scope)
      if (inner === undefined) return undefined
      out += inner
    } else {
      const elements = elementsOf(evaluate(part.for.collection, scope))
      if (elements === undefined) return undefined
      for (const [key, item] of elements) {
        const bound = new Map(scope.bound)
        if (part.for.key !== undefined) bound.set(part.for.key, key)
        bound.set(part.for.value, item)
        const inner = renderParts(part.body, scope.with(bound))
        if (inner === undefined) return undefined
        out += inner
      }
    }
  }
  return out
}
