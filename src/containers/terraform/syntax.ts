// Reading HCL: tree-sitter's Terraform grammar (vendor/tree-sitter-hcl/, WebAssembly run by
// web-tree-sitter) turns the text into a concrete tree, and this file turns that into the small
// syntax tree of ast.ts. The grammar and its runtime are loaded the first time a `.tf` file is
// read, never otherwise: a commit without Terraform changes pays nothing for them.
//
// Literal text is cut from the source between the tree's nodes rather than taken from its
// literal nodes, which leave out the whitespace next to an interpolation.

import {readFile} from 'node:fs/promises'
import {fileURLToPath} from 'node:url'
import {setFlagsFromString} from 'node:v8'
import type {Language, Node as SyntaxNode, Parser} from 'web-tree-sitter'
import {InvalidInputError} from '../../kernel/errors.js'
import {sha256} from '../../kernel/hash.js'
import {BUILT_FILES} from '../../kernel/package-files.js'
import {decode, MAX_DEPTH, MAX_FILE_BYTES} from '../../kernel/parse.js'
import type {SourceFile} from '../../kernel/types.js'
import type {At, Attribute, Block, Body, Expr, HclFile, TemplatePart} from './ast.js'

/** The grammar file, which the build copies from vendor/ into dist/ (the package ships dist/, not vendor/). */
export const GRAMMAR = fileURLToPath(
  new URL('vendor/tree-sitter-hcl/tree-sitter-terraform.wasm', BUILT_FILES),
)

let loading: Promise<{parser: Parser; language: Language}> | undefined

/**
 * The parser, loaded once per process.
 *
 * WebAssembly is compiled by V8's baseline compiler (Liftoff) only. By default V8 recompiles a
 * module's hot functions with its optimising compiler (TurboFan) on background threads, and the
 * grammar's lexer and tree-sitter's parse loop become hot within the first few files: measured on
 * the bench's Terraform repository (one `.tf` staged, 11 files parsed), that recompilation was
 * about 250 ms of CPU of the `.tf` file's 350 ms, for no gain a hook run could see. Over 2,000
 * files the total CPU is the same either way (the recompilation costs what it saves). acldrift
 * has no other WebAssembly.
 *
 * V8 reads the flags when it compiles a function, so both modules are compiled whole while
 * `--liftoff-only` holds (no lazy compilation later), and the flags are then set back. They must
 * be: V8 writes a hash of its flags into the code cache the hook bundle keeps (cli/hook-body.ts)
 * and rejects a cache whose hash differs from the starting process's, so a run that left them
 * changed wrote a cache every later run rejected, compiling the whole body again and writing it
 * again (about 190 of the hook's 730 ms of CPU with a `.tf` file staged, 540 with the flags set
 * back). The values set back are V8's defaults: a process started with other values of these flags
 * is slower, not wrong. Node leaves V8's flags writable after start for `v8.setFlagsFromString`.
 */
export function loadParser(): Promise<{parser: Parser; language: Language}> {
  loading ??= (async () => {
    setFlagsFromString('--liftoff-only')
    setFlagsFromString('--no-wasm-lazy-compilation')
    try {
      // The grammar compiles while the runtime does (WebAssembly.compile runs on V8's background
      // threads). Language.load then compiles the same bytes again, which V8 answers from the
      // module this process already holds (its native module cache: about 4 ms of CPU, not 30).
      const grammar = readFile(GRAMMAR).then(async (bytes) => ({
        bytes,
        compiled: await WebAssembly.compile(bytes),
      }))
      grammar.catch(() => undefined) // awaited below
      const {Parser, Language} = await import('web-tree-sitter')
      await Parser.init()
      const {bytes, compiled} = await grammar
      const language = await Language.load(bytes)
      keep(compiled)
      const parser = new Parser()
      parser.setLanguage(language)
      return {parser, language}
    } finally {
      for (const flag of V8_DEFAULTS) setFlagsFromString(flag)
    }
  })()
  return loading
}

/** The one part of WebAssembly's JavaScript API used here (the project's TypeScript libraries have no DOM types). */
declare const WebAssembly: {compile(bytes: Uint8Array): Promise<object>}

/** Holds a value until here (the compiled grammar: V8's cache keeps a module only while it is alive). */
const keep = (value: unknown) => value

/** What loadParser sets back: V8's defaults for the flags it changes, and those `--liftoff-only` implies. */
const V8_DEFAULTS = [
  '--no-liftoff-only',
  '--wasm-tier-up',
  '--wasm-dynamic-tiering',
  '--wasm-lazy-compilation',
]

class HclSyntaxError extends Error {
  constructor(
    readonly node: SyntaxNode,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Files parsed in this process, by path and content hash: the pre-commit hook reads a module at
 * HEAD and in the index, where every file the commit does not change is the same blob, and each
 * file of a module both as itself and with its module. The trees are never changed once made.
 * The oldest are dropped past PARSED_LIMIT (an audit walks many versions).
 */
const parsed = new Map<string, Promise<HclFile>>()
const PARSED_LIMIT = 1000

/** Parses a `.tf` file; a syntax error fails with the file, line and column. */
export function parseHcl(file: SourceFile): Promise<HclFile> {
  const key = `${file.path}\0${sha256(file.content)}`
  let pending = parsed.get(key)
  if (pending === undefined) {
    pending = (async () => {
      const text = decode(file, MAX_FILE_BYTES)
      const {parser} = await loadParser()
      return {path: file.path, body: parseText(parser, file.path, text, 0)}
    })()
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value!)
    parsed.set(key, pending)
  }
  return pending
}

/**
 * A template file (`templatefile(path, vars)`) as template parts. Its syntax is that of a
 * heredoc's content, so it is read as one; lines are the template file's own.
 */
export function parseTemplate(
  parser: Parser,
  path: string,
  text: string,
): {parts: TemplatePart[]; start: At} {
  let marker = 'ACLDRIFT_TEMPLATE'
  while (text.includes(marker)) marker += '_'
  const body = parseText(parser, path, `t = <<${marker}\n${text}\n${marker}\n`, -1)
  const expr = body.attributes.get('t')!.expr
  if (expr.e !== 'template') throw new InvalidInputError([{file: path, message: 'not a template'}])
  // The wrapper adds the final newline that a heredoc's content always ends with.
  const parts = expr.parts.slice()
  const last = parts.at(-1)
  if (last && 'literal' in last) parts[parts.length - 1] = {literal: last.literal.slice(0, -1)}
  return {parts, start: {file: path, line: 1, column: 1}}
}

function parseText(parser: Parser, path: string, text: string, lineOffset: number): Body {
  const tree = parser.parse(text)
  if (tree === null) throw new InvalidInputError([{file: path, message: 'HCL parser gave no tree'}])
  const reader = new Reader(path, text, lineOffset)
  try {
    const root = tree.rootNode
    if (root.hasError) {
      const bad = firstError(root)
      throw new HclSyntaxError(
        bad,
        bad.isMissing ? `HCL syntax error: missing ${bad.type}` : 'HCL syntax error',
      )
    }
    const body = root.namedChildren.find((c) => c?.type === 'body')
    return body ? reader.body(body, 0) : emptyBody()
  } catch (error) {
    if (!(error instanceof HclSyntaxError)) throw error
    const at = reader.at(error.node)
    throw new InvalidInputError([
      {file: path, line: Math.max(1, at.line), column: at.column, message: error.message},
    ])
  } finally {
    tree.delete()
  }
}

function firstError(node: SyntaxNode): SyntaxNode {
  for (const child of node.children) {
    if (child === null) continue
    if (child.type === 'ERROR' || child.isMissing) return child
    if (child.hasError) return firstError(child)
  }
  return node
}

const emptyBody = (): Body => ({attributes: new Map(), blocks: []})

const named = (node: SyntaxNode): SyntaxNode[] => node.namedChildren.filter((c) => c !== null)
const all = (node: SyntaxNode): SyntaxNode[] => node.children.filter((c) => c !== null)

/** Postfix operators of an expression: `.name`, `[key]`, `[*]`. */
const POSTFIX = new Set(['get_attr', 'index', 'splat'])

class Reader {
  constructor(
    readonly path: string,
    readonly text: string,
    /** added to every line: a template file is read inside a wrapper one line down */
    readonly lineOffset: number,
  ) {}

  at(node: SyntaxNode): At {
    return {
      file: this.path,
      line: node.startPosition.row + 1 + this.lineOffset,
      column: node.startPosition.column + 1,
    }
  }

  source(node: SyntaxNode): string {
    return this.text.slice(node.startIndex, node.endIndex).replace(/\s+/g, ' ').trim()
  }

  deeper(node: SyntaxNode, depth: number): number {
    if (depth >= MAX_DEPTH) throw new HclSyntaxError(node, `nesting deeper than ${MAX_DEPTH} levels`)
    return depth + 1
  }

  body(node: SyntaxNode, depth: number): Body {
    const body = emptyBody()
    for (const child of named(node)) {
      if (child.type === 'attribute') {
        const attribute = this.attribute(child, depth)
        if (body.attributes.has(attribute.name))
          throw new HclSyntaxError(child, `attribute "${attribute.name}" is set twice`)
        body.attributes.set(attribute.name, attribute)
      } else if (child.type === 'block') body.blocks.push(this.block(child, depth))
    }
    return body
  }

  attribute(node: SyntaxNode, depth: number): Attribute {
    const [name, expr] = named(node)
    return {name: name!.text, expr: this.expression(expr!, this.deeper(node, depth)), at: this.at(node)}
  }

  block(node: SyntaxNode, depth: number): Block {
    const children = named(node)
    const labels = children
      .slice(1)
      .filter((c) => c.type === 'string_lit' || c.type === 'identifier')
      .map((c) => (c.type === 'identifier' ? c.text : unescapeQuoted(this.inner(c))))
    const body = children.find((c) => c.type === 'body')
    return {
      type: children[0]!.text,
      labels,
      body: body ? this.body(body, this.deeper(node, depth)) : emptyBody(),
      at: this.at(node),
    }
  }

  /** The text between a quoted string's quotes. */
  inner(node: SyntaxNode): string {
    const kids = all(node)
    return this.text.slice(kids[0]!.endIndex, kids.at(-1)!.startIndex)
  }

  expression(node: SyntaxNode, depth: number): Expr {
    const next = this.deeper(node, depth)
    if (node.type !== 'expression') return this.term([node], next)
    const kids = all(node)
    if (kids[0]?.type === '(') {
      // `(inner)` then postfix operators
      const inner = this.expression(kids[1]!, next)
      return this.postfix({...inner, at: this.at(node), text: this.source(node)}, kids.slice(3), next, node)
    }
    if (kids.length === 1 && kids[0]!.type === 'conditional') return this.conditional(kids[0]!, next)
    return this.term(
      kids.filter((k) => k.isNamed),
      next,
    )
  }

  /** A primary expression followed by postfix operators (the grammar keeps them as siblings). */
  term(nodes: SyntaxNode[], depth: number): Expr {
    const [first, ...rest] = nodes
    const base = this.primary(first!, depth)
    if (rest.length === 0) return base
    return this.postfix(base, rest, depth, first!)
  }

  postfix(base: Expr, rest: SyntaxNode[], depth: number, start: SyntaxNode): Expr {
    let expr = base
    for (const op of rest) {
      if (!POSTFIX.has(op.type)) throw new HclSyntaxError(op, `unexpected ${op.type}`)
      const text = this.text.slice(start.startIndex, op.endIndex).replace(/\s+/g, ' ').trim()
      const at = expr.at
      if (op.type === 'get_attr') expr = {e: 'attr', of: expr, name: named(op)[0]!.text, at, text}
      else if (op.type === 'index') {
        const index = named(op)[0]!
        const key =
          index.type === 'legacy_index'
            ? ({
                e: 'literal',
                value: Number(index.text.slice(1)),
                at: this.at(index),
                text: index.text,
              } as Expr)
            : this.expression(named(index)[0]!, depth)
        expr = {e: 'index', of: expr, key, at, text}
      } else {
        const splat = named(op)[0]!
        const steps = named(splat).map((s) =>
          s.type === 'get_attr'
            ? {attr: named(s)[0]!.text}
            : {index: this.expression(named(named(s)[0]!)[0]!, depth)},
        )
        expr = {e: 'splat', of: expr, rest: steps, at, text}
      }
    }
    return expr
  }

  primary(node: SyntaxNode, depth: number): Expr {
    const at = this.at(node)
    const text = this.source(node)
    const next = this.deeper(node, depth)
    switch (node.type) {
      case 'expression':
        return this.expression(node, next)
      case 'literal_value':
        return this.literal(named(node)[0]!, at, text)
      case 'template_expr': {
        const template = named(node)[0]!
        return {
          e: 'template',
          parts: this.template(template, next),
          start: this.textStart(template),
          at,
          text,
        }
      }
      case 'collection_value':
        return this.collection(named(node)[0]!, next)
      case 'variable_expr':
        return {e: 'name', name: node.text, at, text}
      case 'function_call': {
        const [name, args] = named(node)
        const argNodes = args?.type === 'function_arguments' ? named(args) : []
        return {
          e: 'call',
          name: name!.text,
          args: argNodes.filter((a) => a.type === 'expression').map((a) => this.expression(a, next)),
          expand: argNodes.some((a) => a.type === 'ellipsis'),
          at,
          text,
        }
      }
      case 'for_expr':
        return this.forExpr(named(node)[0]!, next)
      case 'operation':
        return this.operation(named(node)[0]!, next)
      case 'conditional':
        return this.conditional(node, next)
      default:
        throw new HclSyntaxError(node, `unexpected ${node.type}`)
    }
  }

  literal(node: SyntaxNode, at: At, text: string): Expr {
    switch (node.type) {
      case 'numeric_lit':
        return {e: 'literal', value: Number(node.text), at, text}
      case 'bool_lit':
        return {e: 'literal', value: node.text === 'true', at, text}
      case 'null_lit':
        return {e: 'literal', value: null, at, text}
      default:
        return {e: 'literal', value: unescapeQuoted(this.inner(node)), at, text}
    }
  }

  collection(node: SyntaxNode, depth: number): Expr {
    const at = this.at(node)
    const text = this.source(node)
    if (node.type === 'tuple')
      return {
        e: 'tuple',
        items: named(node)
          .filter((c) => c.type === 'expression')
          .map((c) => this.expression(c, depth)),
        at,
        text,
      }
    const items = named(node)
      .filter((c) => c.type === 'object_elem')
      .map((elem) => ({
        key: this.objectKey(elem.childForFieldName('key')!, depth),
        value: this.expression(elem.childForFieldName('val')!, depth),
      }))
    return {e: 'object', items, at, text}
  }

  /** A bare name as an object key is the string itself (`{Effect = "Allow"}`), not a reference. */
  objectKey(node: SyntaxNode, depth: number): Expr {
    const expr = this.expression(node, depth)
    return expr.e === 'name' ? {e: 'literal', value: expr.name, at: expr.at, text: expr.text} : expr
  }

  conditional(node: SyntaxNode, depth: number): Expr {
    const [test, then, otherwise] = named(node).map((c) => this.expression(c, depth))
    return {
      e: 'conditional',
      test: test!,
      then: then!,
      else: otherwise!,
      at: this.at(node),
      text: this.source(node),
    }
  }

  operation(node: SyntaxNode, depth: number): Expr {
    const at = this.at(node)
    const text = this.source(node)
    const kids = all(node)
    if (node.type === 'unary_operation')
      return {
        e: 'unary',
        op: kids[0]!.type,
        operand: this.term(
          kids.slice(1).filter((k) => k.isNamed),
          depth,
        ),
        at,
        text,
      }
    const split = kids.findIndex((k) => !k.isNamed)
    return {
      e: 'binary',
      op: kids[split]!.type,
      left: this.term(kids.slice(0, split), depth),
      right: this.term(kids.slice(split + 1), depth),
      at,
      text,
    }
  }

  forExpr(node: SyntaxNode, depth: number): Expr {
    const kids = named(node)
    const intro = kids.find((k) => k.type === 'for_intro')!
    const names = named(intro)
      .filter((k) => k.type === 'identifier')
      .map((k) => k.text)
    const expressions = kids.filter((k) => k.type === 'expression').map((k) => this.expression(k, depth))
    const condition = kids.find((k) => k.type === 'for_cond')
    const tuple = node.type === 'for_tuple_expr'
    return {
      e: 'for',
      tuple,
      key: names.length === 2 ? names[0] : undefined,
      value: names.at(-1)!,
      collection: this.expression(
        named(intro).find((k) => k.type === 'expression')!,
        depth,
      ),
      result: tuple ? expressions[0]! : expressions[1]!,
      resultKey: tuple ? undefined : expressions[0],
      group: kids.some((k) => k.type === 'ellipsis'),
      condition: condition ? this.expression(named(condition)[0]!, depth) : undefined,
      at: this.at(node),
      text: this.source(node),
    }
  }

  /** Where a template's text begins: after the opening quote, or on the line after `<<EOT`. */
  textStart(node: SyntaxNode): At {
    const at = this.at(node)
    if (node.type === 'quoted_template') return {...at, column: at.column + 1}
    return {file: this.path, line: all(node)[1]!.startPosition.row + 2 + this.lineOffset, column: 1}
  }

  /** The parts of a quoted template or a heredoc. */
  template(node: SyntaxNode, depth: number): TemplatePart[] {
    const kids = all(node)
    if (node.type === 'quoted_template') {
      const start = kids[0]!.endIndex
      const end = kids.at(-1)!.startIndex
      return this.parts(kids.slice(1, -1), start, end, unescapeQuoted, depth)
    }
    // heredoc: `<<` or `<<-`, the identifier, the template, the identifier again
    const indented = kids[0]!.text === '<<-'
    const open = kids[1]!
    const close = kids.at(-1)!
    const firstLine = this.text.indexOf('\n', open.endIndex)
    const start = firstLine === -1 ? open.endIndex : firstLine + 1
    const end = this.text.lastIndexOf('\n', close.startIndex - 1) + 1
    const parts = this.parts(kids.slice(2, -1), start, Math.max(start, end), unescapeHeredoc, depth)
    return indented ? stripIndent(parts) : parts
  }

  /** Literal text is cut from the source between the interpolations and directives. */
  parts(
    nodes: SyntaxNode[],
    start: number,
    end: number,
    unescape: (s: string) => string,
    depth: number,
  ): TemplatePart[] {
    const parts: TemplatePart[] = []
    let cursor = start
    let stripNext = false
    const literal = (from: number, to: number, stripEnd: boolean) => {
      let text = unescape(this.text.slice(from, to))
      if (stripNext) text = text.trimStart()
      if (stripEnd) text = text.trimEnd()
      stripNext = false
      if (text !== '') parts.push({literal: text})
    }
    for (const node of nodes) {
      if (node.type === 'template_literal') continue
      const strip = all(node).map((k) => k.type)
      const stripBefore = node.type === 'template_interpolation' && strip[1] === 'strip_marker'
      literal(cursor, node.startIndex, stripBefore)
      cursor = node.endIndex
      if (node.type === 'template_interpolation') {
        const expr = named(node).find((k) => k.type === 'expression')
        if (expr) parts.push({interpolation: this.expression(expr, depth)})
        stripNext = strip.at(-2) === 'strip_marker'
      } else if (node.type === 'template_directive')
        parts.push(this.directive(named(node)[0]!, unescape, depth))
      else throw new HclSyntaxError(node, `unexpected ${node.type} in a template`)
    }
    literal(cursor, end, false)
    return parts
  }

  directive(node: SyntaxNode, unescape: (s: string) => string, depth: number): TemplatePart {
    const at = this.at(node)
    const kids = named(node)
    const body = (from: SyntaxNode, to: SyntaxNode) =>
      this.parts(
        kids.filter((k) => k.startIndex >= from.endIndex && k.endIndex <= to.startIndex),
        from.endIndex,
        to.startIndex,
        unescape,
        depth,
      )
    if (node.type === 'template_if') {
      const intro = kids[0]!
      const elseIntro = kids.find((k) => k.type === 'template_else_intro')
      const end = kids.at(-1)!
      return {
        if: this.expression(
          named(intro).find((k) => k.type === 'expression')!,
          depth,
        ),
        then: body(intro, elseIntro ?? end),
        else: elseIntro ? body(elseIntro, end) : [],
        at,
      }
    }
    const start = kids[0]!
    const names = named(start)
      .filter((k) => k.type === 'identifier')
      .map((k) => k.text)
    return {
      for: {
        key: names.length === 2 ? names[0] : undefined,
        value: names.at(-1)!,
        collection: this.expression(
          named(start).find((k) => k.type === 'expression')!,
          depth,
        ),
      },
      body: body(start, kids.at(-1)!),
      at,
    }
  }
}

/** A quoted string's escapes (HCL native syntax: `\n`, `\"`, `\uNNNN` …, and `$${`, `%%{`). */
export function unescapeQuoted(raw: string): string {
  return unescapeHeredoc(
    raw.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/gs, (_, c: string) => {
      if (c.length > 1) return String.fromCodePoint(parseInt(c.slice(1), 16))
      return ({n: '\n', r: '\r', t: '\t'} as Record<string, string>)[c] ?? c
    }),
  )
}

/** A heredoc keeps backslashes as written: only `$${` and `%%{` are escapes. */
const unescapeHeredoc = (raw: string) => raw.replaceAll('$${', '${').replaceAll('%%{', '%{')

/** `<<-`: the smallest indentation of the non-blank lines is removed from every line. */
function stripIndent(parts: TemplatePart[]): TemplatePart[] {
  const lineStarts: string[] = []
  let atLineStart = true
  for (const part of parts) {
    if (!('literal' in part)) {
      atLineStart = false
      continue
    }
    const lines = part.literal.split('\n')
    lines.forEach((line, i) => {
      if ((i > 0 || atLineStart) && line.trim() !== '') lineStarts.push(/^[ \t]*/.exec(line)![0])
    })
    atLineStart = part.literal.endsWith('\n')
  }
  const indent = Math.min(...lineStarts.map((s) => s.length), Number.MAX_SAFE_INTEGER)
  if (indent === 0 || lineStarts.length === 0) return parts
  atLineStart = true
  return parts.map((part) => {
    if (!('literal' in part)) {
      atLineStart = false
      return part
    }
    const lines = part.literal
      .split('\n')
      .map((line, i) =>
        i > 0 || atLineStart ? line.slice(Math.min(indent, /^[ \t]*/.exec(line)![0].length)) : line,
      )
    atLineStart = part.literal.endsWith('\n')
    return {literal: lines.join('\n')}
  })
}
