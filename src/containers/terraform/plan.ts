// The access documents of a Terraform plan as `terraform show -json PLANFILE` writes it
// (https://developer.hashicorp.com/terraform/internals/json-format): `planned_values` holds every
// resource as it will be after the plan is applied — the root module's `resources` and each
// `child_modules` entry's, recursively — with `values` resolved by Terraform. A value that is
// only known after apply is left out of `values` and marked in `resource_changes[].change.
// after_unknown`: it is unknown here too, named after the resource's attribute.
//
// Documents are named as in the HCL source, by address and argument (`aws_iam_role.app/
// assume_role_policy`, `module.iam.aws_iam_policy.read/policy`). A policy document data source
// is a document of its own only when no resource or data source of its module refers to it
// (`configuration` says which expressions refer to what); a plan without `configuration` reads
// each one on its own too.

import type {EmbeddedDocument, Extraction} from '../container.js'
import {InvalidInputError} from '../../kernel/errors.js'
import type {InputProblem, ParsedFile} from '../../kernel/types.js'
import type {At} from './ast.js'
import {documentsOf, type FoundDocument, toEmbedded} from './resources.js'
import {awsPolicy, plainDocument} from './shapes.js'
import {DOCUMENT_DATA, holdsAccess} from './types.js'
import {fromJson, parseDocument, unknown, type Value} from './values.js'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

interface PlannedResource {
  address: string
  mode: string
  type: string
  values: unknown
  /** JSON pointer of the resource in the plan */
  pointer: string
}

export async function extractPlan(parsed: ParsedFile): Promise<Extraction> {
  const plan = parsed.value as Record<string, unknown>
  const at = (pointer: string): At => ({
    file: parsed.path,
    ...(parsed.sourceMap.locate(pointer) ?? {line: 1, column: 1}),
  })
  const resources: PlannedResource[] = []
  const walk = (module: unknown, pointer: string) => {
    if (!isObject(module)) return
    if (Array.isArray(module.resources))
      module.resources.forEach((r, i) => {
        if (isObject(r) && typeof r.address === 'string' && typeof r.type === 'string')
          resources.push({
            address: r.address,
            mode: String(r.mode),
            type: r.type,
            values: r.values,
            pointer: `${pointer}/resources/${i}`,
          })
      })
    if (Array.isArray(module.child_modules))
      module.child_modules.forEach((child, i) => walk(child, `${pointer}/child_modules/${i}`))
  }
  walk(
    isObject(plan.planned_values) ? plan.planned_values.root_module : undefined,
    '/planned_values/root_module',
  )
  const unknowns = afterUnknown(plan)
  const used = isObject(plan.configuration) ? referenced(plan.configuration.root_module, '') : undefined

  const problems: InputProblem[] = []
  const documents: EmbeddedDocument[] = []
  const notes: string[] = []
  for (const resource of resources) {
    const location = at(resource.pointer)
    const values = withUnknowns(
      fromJson(resource.values ?? {}, location, (p) => at(`${resource.pointer}/values${p}`)),
      unknowns.get(resource.address),
      resource.address,
    )
    if (values.v !== 'object') continue
    let found: FoundDocument[] = []
    if (resource.mode === 'managed' && holdsAccess(resource.type))
      found = documentsOf(
        {
          type: resource.type,
          address: resource.address,
          values,
          at: location,
          pointer: `${resource.pointer}/values`,
        },
        problems,
      )
    else if (resource.mode === 'data' && DOCUMENT_DATA.has(resource.type)) {
      const instance = resource.address.replace(/\[[^\]]*\]$/, '')
      if (used?.has(instance)) continue
      const document = dataDocument(resource, values, problems)
      if (document !== undefined) found = [document]
    }
    for (const document of found) {
      notes.push(...document.notes)
      documents.push(toEmbedded(document, parsed.path))
    }
  }
  return {documents, notes, problems}
}

/** A policy document data source read on its own: the document it computed (`json`, `policy_data`). */
function dataDocument(
  resource: PlannedResource,
  values: Value & {v: 'object'},
  problems: InputProblem[],
): FoundDocument | undefined {
  const aws = resource.type === 'aws_iam_policy_document'
  const attribute = aws ? 'json' : 'policy_data'
  const text = values.entries.get(attribute)
  if (text === undefined) return undefined
  try {
    const document = text.v === 'string' ? parseDocument(text) : text
    return {
      kind: aws ? 'aws-iam' : 'gcp-iam',
      name: resource.address,
      pointer: `${resource.pointer}/values/${attribute}`,
      shaped: aws ? awsPolicy(document, 'resource') : plainDocument(document),
      anchor: text.at,
      notes: [],
    }
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    problems.push({
      ...error.problems[0]!,
      file: text.at.file,
      line: text.at.line,
      message: `${resource.address}: ${attribute} is not JSON`,
    })
    return undefined
  }
}

/** `after_unknown` of each planned change, by address. */
function afterUnknown(plan: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>()
  if (!Array.isArray(plan.resource_changes)) return out
  for (const change of plan.resource_changes)
    if (isObject(change) && typeof change.address === 'string' && isObject(change.change))
      out.set(change.address, change.change.after_unknown)
  return out
}

/** The planned values with what is only known after apply made unknown. */
function withUnknowns(value: Value, mask: unknown, name: string): Value {
  if (mask === true) return unknown(`${name} (known after apply)`, value.at)
  if (Array.isArray(mask)) {
    const items = value.v === 'list' ? [...value.items] : []
    mask.forEach((m, i) => {
      items[i] = withUnknowns(items[i] ?? {v: 'null', at: value.at}, m, `${name}[${i}]`)
    })
    return {v: 'list', items, at: value.at}
  }
  if (isObject(mask) && (value.v === 'object' || value.v === 'null')) {
    const entries = new Map(value.v === 'object' ? value.entries : [])
    for (const [key, m] of Object.entries(mask))
      if (m !== false)
        entries.set(key, withUnknowns(entries.get(key) ?? {v: 'null', at: value.at}, m, `${name}.${key}`))
    return {v: 'object', entries, at: value.at}
  }
  return value
}

/**
 * The data sources (`module.m.data.TYPE.NAME`) that a resource or data source of the same module
 * refers to, from the configuration's `expressions[].references`.
 */
function referenced(module: unknown, prefix: string): Set<string> {
  const out = new Set<string>()
  if (!isObject(module)) return out
  const collect = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(collect)
    else if (isObject(value)) {
      if (Array.isArray(value.references))
        for (const reference of value.references) {
          const match = typeof reference === 'string' ? /^data\.([^.[\]]+)\.([^.[\]]+)/.exec(reference) : null
          if (match) out.add(`${prefix}data.${match[1]}.${match[2]}`)
        }
      for (const item of Object.values(value)) collect(item)
    }
  }
  if (Array.isArray(module.resources))
    for (const resource of module.resources) collect(isObject(resource) ? resource.expressions : undefined)
  if (isObject(module.module_calls))
    for (const [name, call] of Object.entries(module.module_calls))
      if (isObject(call)) for (const r of referenced(call.module, `${prefix}module.${name}.`)) out.add(r)
  return out
}
