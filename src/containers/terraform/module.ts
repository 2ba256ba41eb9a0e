// A Terraform module: the `.tf` files of one directory, read together, since a resource in one
// file refers to variables, locals and data sources defined in the others. This is where names
// are resolved:
//
// - `var.x`: its value in the directory's `terraform.tfvars` / `*.auto.tfvars`, else its literal
//   default ("assuming default", said in a note), else unknown;
// - `local.x`, `data.aws_iam_policy_document.x.json`, `data.google_iam_policy.x.policy_data`: evaluated;
// - `aws_iam_role.x.name` (an argument the resource sets): that argument's value; computed
//   attributes (`arn`, `id`) are unknown, but for a custom GCP role's `id`/`name`, whose form is
//   documented;
// - `path.module`, `path.root`, `path.cwd`: the module's own directory (files are read relative to
//   it: a module is read as the root module it is when Terraform runs in its directory);
// - `each`, `count`, a dynamic block's iterator: bound per instance; a `count` or `for_each` that
//   is not known gives one instance whose key is unknown (`aws_iam_role.app[each.key]`);
// - `module.*`, other data sources, `terraform.workspace`: unknown.
//
// Child modules are read in their own directory with their variables unknown (or defaulted): the
// values a caller passes are not followed into them.

import {posix} from 'node:path'
import type {Parser} from 'web-tree-sitter'
import type {InputProblem} from '../../kernel/types.js'
import type {At, Attribute, Block, HclFile, TemplatePart} from './ast.js'
import {evaluate, type Scope, type Step} from './evaluate.js'
import {awsPolicyDocument, DocumentError, googlePolicyData} from './policy-document.js'
import {documentsOf, type FoundDocument, gcpRoleName} from './resources.js'
import {DOCUMENT_DATA, holdsAccess} from './types.js'
import {awsPolicy, plainDocument} from './shapes.js'
import {parseTemplate} from './syntax.js'
import {elementsOf, unknown, type Value} from './values.js'

export interface ModuleSource {
  /** the directory, relative to the repository root ('' for the root) */
  dir: string
  /** its `.tf` files */
  files: HclFile[]
  /** its `terraform.tfvars` and `*.auto.tfvars` files, in the order Terraform reads them */
  tfvars: HclFile[]
  /** the text of other files (`file()`, `templatefile()`) by repository path; undefined: absent */
  texts: ReadonlyMap<string, string | undefined>
  parser: Parser
}

/** What a module's files hold, by file. */
export interface ModuleDocuments {
  files: Map<string, {documents: FoundDocument[]; notes: string[]; problems: InputProblem[]}>
  /** files that `file()` or `templatefile()` asked for and `texts` did not have: read them and evaluate again */
  wanted: Set<string>
}

/** Top-level arguments of a resource or data block that are Terraform's, not the resource's. */
const META_ARGUMENTS = new Set([
  'count',
  'for_each',
  'provider',
  'depends_on',
  'lifecycle',
  'provisioner',
  'connection',
])

/** What one evaluation did besides giving a value: kept with memoised values and replayed. */
interface Effects {
  notes: Set<string>
  /** data sources read (`TYPE.NAME`) */
  used: Set<string>
  wanted: Set<string>
}

const noEffects = (): Effects => ({notes: new Set(), used: new Set(), wanted: new Set()})

interface Instance {
  /** `''`, `[0]`, `["a"]`, `[each.key]` */
  key: string
  bound: Map<string, Value>
}

export function evaluateModule(source: ModuleSource): ModuleDocuments {
  return new Module(source).documents()
}

class Module {
  readonly variables = new Map<string, Block>()
  readonly locals = new Map<string, Attribute>()
  readonly data = new Map<string, Block>()
  readonly resources = new Map<string, Block>()
  readonly tfvars = new Map<string, Attribute>()
  readonly memo = new Map<string, {value: Value; effects: Effects}>()
  readonly evaluating = new Set<string>()
  effects: Effects = noEffects()

  constructor(readonly source: ModuleSource) {
    for (const file of source.files)
      for (const block of file.body.blocks) {
        const [first, second] = block.labels
        if (block.type === 'variable' && first !== undefined) this.variables.set(first, block)
        else if (block.type === 'locals')
          for (const [name, attribute] of block.body.attributes) this.locals.set(name, attribute)
        else if (block.type === 'data' && second !== undefined) this.data.set(`${first}.${second}`, block)
        else if (block.type === 'resource' && second !== undefined)
          this.resources.set(`${first}.${second}`, block)
      }
    for (const file of source.tfvars)
      for (const [name, attribute] of file.body.attributes) this.tfvars.set(name, attribute)
  }

  /** Runs `compute` with its own effects, which are returned beside its value. */
  collect<T>(compute: () => T): {value: T; effects: Effects} {
    const outer = this.effects
    this.effects = noEffects()
    try {
      return {value: compute(), effects: this.effects}
    } finally {
      const inner = this.effects
      this.effects = outer
      for (const key of ['notes', 'used', 'wanted'] as const)
        for (const item of inner[key]) outer[key].add(item)
    }
  }

  /** A value computed once: its effects are replayed into every evaluation that uses it. */
  once(key: string, at: At, name: string, compute: () => Value): Value {
    const known = this.memo.get(key)
    if (known !== undefined) {
      for (const k of ['notes', 'used', 'wanted'] as const)
        for (const item of known.effects[k]) this.effects[k].add(item)
      return known.value
    }
    // A name defined through itself (Terraform rejects the cycle): unknown, never a guess.
    if (this.evaluating.has(key)) return unknown(name, at)
    this.evaluating.add(key)
    try {
      const result = this.collect(compute)
      this.memo.set(key, result)
      return result.value
    } finally {
      this.evaluating.delete(key)
    }
  }

  scope(bound: ReadonlyMap<string, Value> = new Map()): Scope {
    return {
      bound,
      reference: (root, steps, at) => this.reference(root, steps, at),
      readFile: (path, at) => this.readFile(path, at),
      parseTemplate: (text, path) => this.parseTemplate(text, path),
      with: (more) => this.scope(more),
      only: (names) => this.isolated(names),
    }
  }

  /** A template file's scope: its variables and nothing of the module. */
  isolated(bound: ReadonlyMap<string, Value>): Scope {
    return {...this.scope(bound), reference: () => undefined, with: (more) => this.isolated(more)}
  }

  reference(root: string, steps: Step[], at: At): {value: Value; used: number} | undefined {
    const attr = (i: number) => {
      const step = steps[i]
      return step !== undefined && 'attr' in step ? step.attr : undefined
    }
    switch (root) {
      case 'var': {
        const name = attr(0)
        return name === undefined ? undefined : {value: this.variable(name, at), used: 1}
      }
      case 'local': {
        const name = attr(0)
        const local = name === undefined ? undefined : this.locals.get(name)
        if (local === undefined) return undefined
        return {
          value: this.once(`local.${name}`, at, `local.${name}`, () => evaluate(local.expr, this.scope())),
          used: 1,
        }
      }
      case 'path':
        return attr(0) === undefined ? undefined : {value: {v: 'string', s: '.', at}, used: 1}
      case 'data': {
        const [type, name] = [attr(0), attr(1)]
        const block = this.data.get(`${type}.${name}`)
        if (block === undefined || !DOCUMENT_DATA.has(type!)) return undefined
        return this.instanceOf(block, steps, 2, (instance) => this.dataValue(block, instance))
      }
      default: {
        const name = attr(0)
        const block = name === undefined ? undefined : this.resources.get(`${root}.${name}`)
        if (block === undefined) return undefined
        return this.instanceOf(block, steps, 1, (instance) => this.resourceAttributes(block, instance))
      }
    }
  }

  /** The instance a reference names (`data.x.y`, `data.x.y[0]`, `data.x.y["k"]`), as a value. */
  instanceOf(
    block: Block,
    steps: Step[],
    used: number,
    make: (instance: Instance) => Value,
  ): {value: Value; used: number} {
    const instances = this.instances(block)
    const counted = block.body.attributes.has('count') || block.body.attributes.has('for_each')
    if (!counted) return {value: make(instances[0]!), used}
    const step = steps[used]
    const expr = step?.expr ?? steps[used - 1]!.expr
    if (step === undefined || !('index' in step)) return {value: unknown(expr.text, expr.at), used}
    const key =
      step.index.v === 'number'
        ? `[${step.index.n}]`
        : step.index.v === 'string'
          ? `[${JSON.stringify(step.index.s)}]`
          : undefined
    const instance = instances.find((i) => i.key === key)
    return {value: instance === undefined ? unknown(expr.text, expr.at) : make(instance), used: used + 1}
  }

  variable(name: string, at: At): Value {
    const block = this.variables.get(name)
    const set = this.tfvars.get(name)
    if (set !== undefined) {
      this.effects.notes.add(`var.${name} is the value ${set.at.file}:${set.at.line} sets`)
      return evaluate(set.expr, this.isolated(new Map()))
    }
    const fallback = block?.body.attributes.get('default')
    if (fallback === undefined) return unknown(`var.${name}`, at)
    this.effects.notes.add(
      `var.${name} is assumed to be its default (${fallback.at.file}:${fallback.at.line})`,
    )
    return evaluate(fallback.expr, this.isolated(new Map()))
  }

  /** A data source instance's attributes: the document it computes, as `json` or `policy_data`. */
  dataValue(block: Block, instance: Instance): Value {
    const key = `data.${block.labels[0]}.${block.labels[1]}${instance.key}`
    this.effects.used.add(`${block.labels[0]}.${block.labels[1]}`)
    const document = this.once(key, block.at, key, () => this.dataDocument(block, instance))
    const text: Value = {v: 'string', s: JSON.stringify(document), at: block.at, json: document}
    const attribute =
      block.labels[0] === 'aws_iam_policy_document' ? ['json', 'minified_json'] : ['policy_data']
    return {v: 'object', entries: new Map(attribute.map((a) => [a, text])), at: block.at}
  }

  dataDocument(block: Block, instance: Instance): Value {
    const args = this.blockValue(block, this.scope(instance.bound), true)
    return block.labels[0] === 'aws_iam_policy_document' ? awsPolicyDocument(args) : googlePolicyData(args)
  }

  /** What a resource sets, readable by reference; computed attributes stay unknown. */
  resourceAttributes(block: Block, instance: Instance): Value {
    const [type, name] = block.labels as [string, string]
    const key = `${type}.${name}${instance.key}`
    const values = this.once(key, block.at, key, () =>
      this.blockValue(block, this.scope(instance.bound), true),
    )
    if (values.v !== 'object' || !/^google_(project|organization)_iam_custom_role$/.test(type)) return values
    // A custom role's id and name are its documented resource name.
    const id: Value = {v: 'string', s: gcpRoleName(type, values), at: block.at}
    return {...values, entries: new Map([...values.entries, ['id', id], ['name', id]])}
  }

  /** The instances of a resource or data block (count, for_each). */
  instances(block: Block): Instance[] {
    const count = block.body.attributes.get('count')
    const forEach = block.body.attributes.get('for_each')
    if (count !== undefined) {
      const n = evaluate(count.expr, this.scope())
      if (n.v !== 'number')
        return [
          {
            key: '[count.index]',
            bound: new Map([['count', objectOf({index: unknown('count.index', count.at)}, count.at)]]),
          },
        ]
      return Array.from({length: n.n}, (_, index) => ({
        key: `[${index}]`,
        bound: new Map([['count', objectOf({index: {v: 'number', n: index, at: count.at}}, count.at)]]),
      }))
    }
    if (forEach !== undefined) {
      const collection = evaluate(forEach.expr, this.scope())
      const elements =
        collection.v === 'list' || collection.v === 'object' ? elementsOf(collection) : undefined
      // A set's elements are their own keys; a map's entries keep theirs.
      const keyed = elements?.map(([key, value]): [Value, Value] =>
        collection.v === 'list' ? [value, value] : [key, value],
      )
      if (keyed === undefined || keyed.some(([key]) => key.v !== 'string'))
        return [
          {
            key: '[each.key]',
            bound: new Map([
              [
                'each',
                objectOf(
                  {key: unknown('each.key', forEach.at), value: unknown('each.value', forEach.at)},
                  forEach.at,
                ),
              ],
            ]),
          },
        ]
      return keyed.map(([key, value]) => ({
        key: `[${JSON.stringify((key as {s: string}).s)}]`,
        bound: new Map([['each', objectOf({key, value}, forEach.at)]]),
      }))
    }
    return [{key: '', bound: new Map()}]
  }

  /** A block's arguments as one object; nested blocks as lists of objects, dynamic blocks expanded. */
  blockValue(block: Block, scope: Scope, topLevel = false): Value & {v: 'object'} {
    const body = block.body
    const entries = new Map<string, Value>()
    for (const [name, attribute] of body.attributes) {
      if (topLevel && META_ARGUMENTS.has(name)) continue
      const value = evaluate(attribute.expr, scope)
      // A value written in another file (a data source's document) is placed, as a whole, where it is used.
      entries.set(name, value.at.file === attribute.at.file ? value : {...value, at: attribute.at})
    }
    const add = (type: string, value: Value) => {
      const list = entries.get(type)
      if (list?.v === 'list') list.items.push(value)
      else entries.set(type, {v: 'list', items: [value], at: value.at})
    }
    for (const block of body.blocks) {
      if (topLevel && META_ARGUMENTS.has(block.type)) continue
      if (block.type !== 'dynamic') {
        add(block.type, this.blockValue(block, scope))
        continue
      }
      for (const value of this.dynamic(block, scope)) add(block.labels[0] ?? 'dynamic', value)
    }
    return {v: 'object', entries, at: block.at}
  }

  /** `dynamic "x" { for_each = …; iterator = …; content { … } }`: one block per element. */
  dynamic(block: Block, scope: Scope): Value[] {
    const label = block.labels[0] ?? 'dynamic'
    const forEach = block.body.attributes.get('for_each')
    const iterator = block.body.attributes.get('iterator')
    const content = block.body.blocks.find((b) => b.type === 'content')
    if (forEach === undefined || content === undefined) return []
    const name = iterator?.expr.e === 'name' ? iterator.expr.name : label
    const elements = elementsOf(evaluate(forEach.expr, scope))
    // Blocks the files do not give: any number of unknown blocks, named by their collection.
    if (elements === undefined || elements.some(([, v]) => v.v === 'unknown' && v.spread))
      return [{...unknown(`dynamic "${label}" for_each = ${forEach.expr.text}`, block.at), spread: true}]
    return elements.map(([key, value]) => {
      const bound = new Map(scope.bound)
      bound.set(name, objectOf({key, value}, block.at))
      return this.blockValue(content, scope.with(bound))
    })
  }

  readFile(path: string, at: At): {text: string; path: string} | undefined {
    const resolved = posix.normalize(posix.join(this.source.dir || '.', path))
    if (posix.isAbsolute(path) || resolved === '..' || resolved.startsWith('../')) {
      this.effects.notes.add(
        `${at.file}:${at.line}: ${path} is outside the repository: not read, its content is unknown`,
      )
      return undefined
    }
    if (!this.source.texts.has(resolved)) {
      this.effects.wanted.add(resolved)
      return undefined
    }
    const text = this.source.texts.get(resolved)
    if (text === undefined) {
      this.effects.notes.add(
        `${at.file}:${at.line}: ${resolved} is not in the repository (or not a readable file): its content is unknown`,
      )
      return undefined
    }
    this.effects.notes.add(`${at.file}:${at.line} reads ${resolved}`)
    return {text, path: resolved}
  }

  parseTemplate(text: string, path: string): {parts: TemplatePart[]; start: At} {
    return parseTemplate(this.source.parser, path, text)
  }

  /** Every access document of the module, by the file that holds it. */
  documents(): ModuleDocuments {
    const files = new Map<string, {documents: FoundDocument[]; notes: string[]; problems: InputProblem[]}>()
    const of = (file: string) => {
      let entry = files.get(file)
      if (entry === undefined) files.set(file, (entry = {documents: [], notes: [], problems: []}))
      return entry
    }
    const wanted = new Set<string>()
    const used = new Set<string>()
    const found = (file: string, effects: Effects, documents: FoundDocument[], problems: InputProblem[]) => {
      for (const w of effects.wanted) wanted.add(w)
      for (const u of effects.used) used.add(u)
      const entry = of(file)
      entry.problems.push(...problems)
      for (const document of documents)
        entry.documents.push({...document, notes: [...document.notes, ...effects.notes]})
    }
    for (const [key, block] of this.resources) {
      const [type, name] = block.labels as [string, string]
      if (!holdsAccess(type)) continue
      for (const instance of this.instances(block)) {
        const problems: InputProblem[] = []
        const {value: documents, effects} = this.collect(() => {
          try {
            const values = this.blockValue(block, this.scope(instance.bound), true)
            return documentsOf(
              {
                type,
                address: `${key}${instance.key}`,
                values,
                at: block.at,
                pointer: `/resource/${type}/${name}`,
              },
              problems,
            )
          } catch (error) {
            problems.push(problemOf(error, key))
            return []
          }
        })
        found(block.at.file, effects, documents, problems)
      }
    }
    // A policy document data source that no resource or other document uses is a document of
    // its own (it may be passed to a child module, or be an output).
    const standalone: Array<{key: string; block: Block; instance: Instance; value: Value; effects: Effects}> =
      []
    for (const [key, block] of this.data) {
      if (!DOCUMENT_DATA.has(block.labels[0]!)) continue
      for (const instance of this.instances(block)) {
        const problems: InputProblem[] = []
        const {value, effects} = this.collect(() => {
          try {
            return this.dataDocument(block, instance)
          } catch (error) {
            problems.push(problemOf(error, `data.${key}`))
            return undefined
          }
        })
        for (const u of effects.used) used.add(u)
        for (const w of effects.wanted) wanted.add(w)
        of(block.at.file).problems.push(...problems)
        if (value !== undefined) standalone.push({key, block, instance, value, effects})
      }
    }
    for (const {key, block, instance, value, effects} of standalone) {
      if (used.has(key)) continue
      const aws = block.labels[0] === 'aws_iam_policy_document'
      const named = `data.${key}${instance.key}`
      const hasPrincipals = block.body.blocks.some((s) =>
        s.body.blocks.some((b) => b.type === 'principals' || b.type === 'not_principals'),
      )
      const shaped = aws ? awsPolicy(value, hasPrincipals ? 'resource' : 'identity') : plainDocument(value)
      of(block.at.file).documents.push({
        kind: aws ? 'aws-iam' : 'gcp-iam',
        name: named,
        pointer: `/data/${block.labels[0]}/${block.labels[1]}`,
        shaped,
        anchor: block.at,
        notes: [...effects.notes],
      })
    }
    return {files, wanted}
  }
}

const objectOf = (fields: Record<string, Value>, at: At): Value => ({
  v: 'object',
  entries: new Map(Object.entries(fields)),
  at,
})

/** A document error as the input problem it is, named after the block it arose in; anything else is rethrown. */
function problemOf(error: unknown, block: string): InputProblem {
  if (!(error instanceof DocumentError)) throw error
  return {
    file: error.at.file,
    line: error.at.line,
    column: error.at.column,
    message: `${block}: ${error.message}`,
  }
}
