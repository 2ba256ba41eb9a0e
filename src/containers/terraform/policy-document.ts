// The documents that Terraform data sources compute from blocks:
//
// - `data "aws_iam_policy_document"`: the JSON policy the AWS provider writes from `statement`
//   blocks (sid, effect, actions, not_actions, resources, not_resources, principals,
//   not_principals, condition), merged with `source_policy_documents` and
//   `override_policy_documents` as the provider documents it
//   (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document):
//   the source documents first, in order (their Sids must be unique); then this document's
//   statements, each replacing a statement of the same Sid; then each override document in order,
//   whose statements replace those of the same Sid again. Statements without a Sid are appended.
//   The deprecated `source_json` and `override_json` count as one more source and override.
// - `data "google_iam_policy"`: the allow policy (`bindings`, `auditConfigs`) the Google provider
//   writes as `policy_data` from `binding` and `audit_config` blocks.

import {displaySymbols, hasSymbol, splitSymbols} from '../../kernel/symbols.js'
import type {At} from './ast.js'
import {parseDocument, type Value} from './values.js'

type ObjectValue = Value & {v: 'object'}

/** A problem that makes the document unreadable (Terraform itself would reject it). */
export class DocumentError extends Error {
  constructor(
    readonly at: At,
    message: string,
  ) {
    super(message)
  }
}

const blocksOf = (args: ObjectValue, name: string): Value[] => {
  const value = args.entries.get(name)
  return value === undefined || value.v === 'null' ? [] : value.v === 'list' ? value.items : [value]
}

const given = (value: Value | undefined): value is Value =>
  value !== undefined && value.v !== 'null' && !(value.v === 'list' && value.items.length === 0)

const object = (entries: Array<[string, Value | undefined]>, at: At): ObjectValue => ({
  v: 'object',
  entries: new Map(entries.filter((e): e is [string, Value] => e[1] !== undefined)),
  at,
})

// --- aws_iam_policy_document ------------------------------------------------------------------

export function awsPolicyDocument(args: ObjectValue): Value {
  const at = args.at
  const version = args.entries.get('version')
  const policyId = args.entries.get('policy_id')
  let merged: Document = {
    version: given(version) ? version : {v: 'string', s: '2012-10-17', at},
    id: undefined,
    statements: [],
  }
  // Source documents, whose Sids must not repeat across them.
  const sources = [
    ...listOf(args.entries.get('source_policy_documents')),
    ...optional(args.entries.get('source_json')),
  ]
  const sourceSids = new Set<string>()
  for (const source of sources) {
    const document = documentOf(source)
    if (document === undefined) {
      merged.statements.push(source)
      continue
    }
    for (const statement of document.statements) {
      const sid = sidOf(statement)
      if (sid === undefined || hasSymbol(sid)) continue
      if (sourceSids.has(sid))
        throw new DocumentError(statement.at, `duplicate Sid (${sid}) in source_policy_documents`)
      sourceSids.add(sid)
    }
    merged = merge(merged, document)
  }
  const own = blocksOf(args, 'statement').map(statementOf)
  const ownSids = new Set<string>()
  for (const statement of own) {
    const sid = sidOf(statement)
    if (sid === undefined || hasSymbol(sid)) continue
    if (ownSids.has(sid)) throw new DocumentError(statement.at, `duplicate Sid (${sid}) in statement blocks`)
    ownSids.add(sid)
  }
  // A statement block the files do not give (a dynamic block over an unknown collection) may
  // carry any Sid, and so may replace any source statement that has one.
  const unknownOwn = own.find((s) => s.v === 'unknown')
  if (unknownOwn !== undefined)
    merged.statements = merged.statements.map((s) => (sidOf(s) === undefined ? s : unknownOwn))
  merged = merge(merged, {version: undefined, id: given(policyId) ? policyId : undefined, statements: own})
  const overrides = [
    ...listOf(args.entries.get('override_policy_documents')),
    ...optional(args.entries.get('override_json')),
  ]
  for (const override of overrides) {
    const document = documentOf(override)
    // An override the files do not give may replace any statement: the whole document is unknown.
    if (document === undefined) return override
    merged = merge(merged, document)
  }
  return object(
    [
      ['Version', merged.version],
      ['Id', merged.id],
      ['Statement', {v: 'list', items: merged.statements, at}],
    ],
    at,
  )
}

interface Document {
  version: Value | undefined
  id: Value | undefined
  statements: Value[]
}

const listOf = (value: Value | undefined): Value[] =>
  value === undefined || value.v === 'null' ? [] : value.v === 'list' ? value.items : [value]
const optional = (value: Value | undefined): Value[] => (given(value) ? [value] : [])

/** A policy given as JSON text (a source or override document); undefined when not known. */
function documentOf(value: Value): Document | undefined {
  const parsed = value.v === 'string' ? parseDocument(value) : value
  if (parsed.v !== 'object') return undefined
  const statement = parsed.entries.get('Statement')
  return {
    version: parsed.entries.get('Version'),
    id: parsed.entries.get('Id'),
    statements: statement === undefined ? [] : statement.v === 'list' ? statement.items : [statement],
  }
}

/** A statement's Sid when it has a non-empty one (it may hold symbols: a Sid the files do not fully give). */
function sidOf(statement: Value): string | undefined {
  if (statement.v !== 'object') return undefined
  const sid = statement.entries.get('Sid')
  return sid?.v === 'string' && sid.s !== '' ? sid.s : undefined
}

/** Whether a Sid with unknown parts may be `other` (its literal parts in order, anything for each symbol). */
function mayBe(sid: string, other: string): boolean {
  const pattern = splitSymbols(sid)
    .map((part) => ('symbol' in part ? '[^]*' : part.literal.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')))
    .join('')
  return new RegExp(`^${pattern}$`).test(other)
}

/**
 * The provider's merge: the newer document's Id, the later Version, statements replaced by Sid.
 * A statement whose Sid is not fully known may replace any statement whose Sid it may be: that
 * statement is then unknown (it may be gone).
 */
function merge(into: Document, next: Document): Document {
  const statements = [...into.statements]
  for (const statement of next.statements) {
    const sid = sidOf(statement)
    if (sid !== undefined && hasSymbol(sid)) {
      // Only statements of the earlier documents: a document's own statements never replace each other.
      statements.slice(0, into.statements.length).forEach((s, i) => {
        const other = sidOf(s)
        if (other !== undefined && mayBe(sid, other))
          statements[i] = {
            v: 'unknown',
            name: `statement ${other}, unless replaced by Sid ${displaySymbols(sid)}`,
            at: s.at,
          }
      })
      statements.push(statement)
      continue
    }
    const same = sid === undefined ? -1 : statements.findIndex((s) => sidOf(s) === sid)
    if (same === -1) statements.push(statement)
    else statements[same] = statement
  }
  const later =
    next.version?.v === 'string' && (into.version?.v !== 'string' || next.version.s > into.version.s)
      ? next.version
      : into.version
  const id = next.id?.v === 'string' && next.id.s !== '' ? next.id : into.id
  return {version: later, id, statements}
}

/** One `statement` block as the provider writes it. */
function statementOf(block: Value): Value {
  if (block.v !== 'object') return block
  const arg = (name: string) => (given(block.entries.get(name)) ? block.entries.get(name) : undefined)
  const sid = arg('sid')
  return object(
    [
      ['Sid', sid?.v === 'string' && sid.s === '' ? undefined : sid],
      ['Effect', arg('effect') ?? {v: 'string', s: 'Allow', at: block.at}],
      ['Principal', principalsOf(block, 'principals')],
      ['NotPrincipal', principalsOf(block, 'not_principals')],
      ['Action', arg('actions')],
      ['NotAction', arg('not_actions')],
      ['Resource', arg('resources')],
      ['NotResource', arg('not_resources')],
      ['Condition', conditionsOf(block)],
    ],
    block.at,
  )
}

/** `principals` blocks: identifiers grouped by type; type `*` with identifier `*` is everyone. */
function principalsOf(block: ObjectValue, name: string): Value | undefined {
  const blocks = blocksOf(block, name)
  if (blocks.length === 0) return undefined
  const byType = new Map<string, Value[]>()
  for (const principal of blocks) {
    if (principal.v !== 'object') return principal
    const type = principal.entries.get('type')
    const identifiers = principal.entries.get('identifiers')
    if (type?.v !== 'string' || identifiers === undefined)
      return {v: 'unknown', name: `${name} block`, at: principal.at}
    byType.set(type.s, [...(byType.get(type.s) ?? []), ...listOf(identifiers)])
  }
  const everyone = byType.get('*')
  if (byType.size === 1 && everyone?.length === 1 && everyone[0]!.v === 'string' && everyone[0]!.s === '*')
    return everyone[0]
  return object(
    [...byType].map(([type, ids]) => [type, {v: 'list', items: ids, at: blocks[0]!.at}]),
    blocks[0]!.at,
  )
}

/** `condition` blocks: test → variable → values, the values of a repeated test and variable joined. */
function conditionsOf(block: ObjectValue): Value | undefined {
  const blocks = blocksOf(block, 'condition')
  if (blocks.length === 0) return undefined
  const tests = new Map<string, Map<string, Value[]>>()
  const at = blocks[0]!.at
  for (const condition of blocks) {
    if (condition.v !== 'object') return condition
    const test = condition.entries.get('test')
    const variable = condition.entries.get('variable')
    if (test?.v !== 'string' || variable?.v !== 'string')
      return {v: 'unknown', name: `condition block at line ${condition.at.line}`, at: condition.at}
    const variables = tests.get(test.s) ?? new Map<string, Value[]>()
    tests.set(test.s, variables)
    variables.set(variable.s, [
      ...(variables.get(variable.s) ?? []),
      ...listOf(condition.entries.get('values')),
    ])
  }
  return object(
    [...tests].map(([test, variables]) => [
      test,
      object(
        [...variables].map(([variable, values]) => [variable, {v: 'list', items: values, at}]),
        at,
      ),
    ]),
    at,
  )
}

// --- google_iam_policy ------------------------------------------------------------------------

export function googlePolicyData(args: ObjectValue): Value {
  const bindings = blocksOf(args, 'binding').map((binding) => {
    if (binding.v !== 'object') return binding
    return object(
      [
        ['role', binding.entries.get('role')],
        ['members', binding.entries.get('members')],
        ['condition', gcpCondition(binding)],
      ],
      binding.at,
    )
  })
  const audits = blocksOf(args, 'audit_config').map((audit) => {
    if (audit.v !== 'object') return audit
    const configs = blocksOf(audit, 'audit_log_configs').map((config) =>
      config.v !== 'object'
        ? config
        : object(
            [
              ['logType', config.entries.get('log_type')],
              [
                'exemptedMembers',
                given(config.entries.get('exempted_members'))
                  ? config.entries.get('exempted_members')
                  : undefined,
              ],
            ],
            config.at,
          ),
    )
    return object(
      [
        ['service', audit.entries.get('service')],
        ['auditLogConfigs', {v: 'list', items: configs, at: audit.at}],
      ],
      audit.at,
    )
  })
  return object(
    [
      ['bindings', {v: 'list', items: bindings, at: args.at}],
      ['auditConfigs', audits.length === 0 ? undefined : {v: 'list', items: audits, at: args.at}],
    ],
    args.at,
  )
}

/** A `condition` block of a binding or a `_member`/`_binding` resource (title, description, expression). */
export function gcpCondition(block: ObjectValue): Value | undefined {
  const condition = blocksOf(block, 'condition')[0]
  if (condition === undefined) return undefined
  if (condition.v !== 'object') return condition
  return object(
    [
      ['expression', condition.entries.get('expression')],
      ['title', given(condition.entries.get('title')) ? condition.entries.get('title') : undefined],
      [
        'description',
        given(condition.entries.get('description')) ? condition.entries.get('description') : undefined,
      ],
    ],
    condition.at,
  )
}
