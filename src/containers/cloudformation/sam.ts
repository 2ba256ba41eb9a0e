// AWS SAM's functions and state machines (`Transform: AWS::Serverless-2016-10-31`): SAM makes
// each one a role whose policies come from its `Policies` property, read here as SAM reads them
// (samtranslator/model/resource_policies.py): a string or an intrinsic function is a managed
// policy; a map with a `Statement` is a policy document; a one-key map is a policy template,
// expanded from SAM's published template data (sam/policy_templates.json, vendored). All of a
// function's policies are one document, `Function/Policies`, since together they are what its
// role allows. https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-policies

import {symbol} from '../../kernel/symbols.js'
import {branches, mergeWhen, policyDocument, settle, withConditions} from './documents.js'
import {managedStatement} from './managed.js'
import type {ResourceContext} from './resources.js'
import {display, intrinsicOf, isObject, NO_VALUE, resolve, ResolveError, type When} from './values.js'

/** The SAM release whose policy template data is vendored (sam/README.md). */
export const SAM_TEMPLATES_RELEASE = 'aws-sam-translator 1.110.0'

interface PolicyTemplate {
  Parameters?: Record<string, unknown>
  Definition: {Statement: unknown}
}

let templates: Record<string, PolicyTemplate> | undefined
async function policyTemplates(): Promise<Record<string, PolicyTemplate>> {
  if (templates === undefined) {
    const data = await import('./sam/policy_templates.json', {with: {type: 'json'}})
    templates = (data.default as unknown as {Templates: Record<string, PolicyTemplate>}).Templates
  }
  return templates
}

type Statements = Array<{statement: Record<string, unknown>; at: Map<string, string>}>

/** `Policies` (unless `Role` names the role to use, when SAM ignores them) and `AssumeRolePolicyDocument`. */
export async function samFunction(r: ResourceContext): Promise<void> {
  const p = r.properties
  const derived = derivedAccess(p)
  if (derived.length > 0)
    r.note(`${r.logicalId}: ${derived.join(', ')} not read (the access SAM derives from them)`)
  if ('AssumeRolePolicyDocument' in p) {
    const at = `${r.pointer}/AssumeRolePolicyDocument`
    r.add('AssumeRolePolicyDocument', at, policyDocument(p.AssumeRolePolicyDocument, at, r.builder, r.when))
  }
  if (!('Policies' in p)) return
  if ('Role' in p) {
    r.note(`${r.logicalId}: Policies not read: SAM ignores them when Role names the role to use`)
    return
  }
  const pointer = `${r.pointer}/Policies`
  const statements: Statements = []
  for (const list of branches(p.Policies, pointer, r.when)) {
    const entries: Array<[unknown, string]> = Array.isArray(list.node)
      ? list.node.map((node, index) => [node, `${list.pointer}/${index}`])
      : [[list.node, list.pointer]]
    for (const [node, at] of entries)
      for (const entry of branches(node, at, list.when)) statements.push(...(await policyEntry(entry, r)))
  }
  if (statements.length === 0) return
  const origins = new Map([['', pointer]])
  statements.forEach(({at}, index) => {
    for (const [inner, template] of at) origins.set(`/Statement/${index}${inner}`, template)
  })
  r.add('Policies', pointer, {
    value: {Version: '2012-10-17', Statement: statements.map((s) => s.statement)},
    origins,
  })
}

/**
 * What else SAM turns into access, which acldrift does not read yet: an event source's
 * permissions (who may invoke the function: `Api`, `S3`, `SNS` … as Lambda permissions; what the
 * role may read: `SQS`, `Kinesis`, `DynamoDB` … as role policies) and a function URL's
 * permission. Named, so that they are seen as unread rather than as nothing.
 */
function derivedAccess(p: Record<string, unknown>): string[] {
  const events = isObject(p.Events)
    ? Object.entries(p.Events).map(
        ([name, event]) => `${name}: ${display(isObject(event) ? event.Type : event)}`,
      )
    : []
  return [
    ...(events.length > 0 ? [`Events (${events.join(', ')})`] : []),
    ...('FunctionUrlConfig' in p ? ['FunctionUrlConfig'] : []),
  ]
}

/** The statements one entry of `Policies` grants. */
async function policyEntry(
  entry: {node: unknown; pointer: string; when: When},
  r: ResourceContext,
): Promise<Statements> {
  const {node, pointer, when} = entry
  if (typeof node === 'string' || intrinsicOf(node) !== undefined) return managed(node, pointer, when, r)
  if (!isObject(node))
    throw new ResolveError(
      pointer,
      'a policy is a managed policy, a policy document or a SAM policy template',
    )
  if ('Statement' in node) return documentStatements(node, pointer, when, r)
  const keys = Object.keys(node)
  if (keys.length !== 1)
    throw new ResolveError(pointer, 'a SAM policy template is a map with one key, its name')
  const name = keys[0]!
  const template = (await policyTemplates())[name]
  if (template === undefined) {
    r.note(
      `${r.logicalId}: SAM policy template ${name} is not in the template data acldrift has (${SAM_TEMPLATES_RELEASE}): read as a grant nobody can read here`,
    )
    const unknown = {
      Effect: 'Allow',
      Action: symbol(`SAM policy template ${name} ${display(node[name])}`),
      Resource: '*',
    }
    return [{statement: withConditions(unknown, when, r.builder), at: new Map([['', pointer]])}]
  }
  const values = node[name]
  if (!isObject(values))
    throw new ResolveError(`${pointer}/${name}`, `SAM policy template ${name} takes a map of parameters`)
  const missing = Object.keys(template.Parameters ?? {}).filter((parameter) => !(parameter in values))
  if (missing.length > 0)
    throw new ResolveError(`${pointer}/${name}`, `SAM policy template ${name} needs ${missing.join(', ')}`)
  // As SAM's translator does: the definition with each Ref to a template parameter replaced by its value.
  const substitute = (part: unknown): unknown => {
    const call = intrinsicOf(part)
    if (
      call?.[0] === 'Ref' &&
      typeof call[1] === 'string' &&
      Object.hasOwn(template.Parameters ?? {}, call[1])
    )
      return values[call[1]]
    if (Array.isArray(part)) return part.map(substitute)
    if (isObject(part)) return Object.fromEntries(Object.entries(part).map(([k, v]) => [k, substitute(v)]))
    return part
  }
  // Its parts have no place in the file but the entry that names the template.
  return documentStatements(substitute(template.Definition), `${pointer}/${name}`, when, r).map((s) => ({
    ...s,
    at: new Map([['', pointer]]),
  }))
}

function documentStatements(node: unknown, pointer: string, when: When, r: ResourceContext): Statements {
  const built = policyDocument(node, pointer, r.builder, when)
  if (built === undefined) return []
  return (built.value.Statement as Array<Record<string, unknown>>).map((statement, index) => {
    const prefix = `/Statement/${index}`
    const at = new Map<string, string>()
    for (const [inner, template] of built.origins)
      if (inner === prefix || inner.startsWith(`${prefix}/`)) at.set(inner.slice(prefix.length), template)
    return {statement, at}
  })
}

/** A managed policy by name or ARN (SAM turns a known name into its ARN; either names the same policy). */
function managed(node: unknown, pointer: string, when: When, r: ResourceContext): Statements {
  return resolve(node, pointer, r.builder.scope).flatMap((alternative) => {
    const inner = mergeWhen(when, alternative.when)
    const policy = settle(alternative.value)
    if (inner === undefined || policy === NO_VALUE) return []
    return [
      {
        statement: withConditions(managedStatement(display(policy)), inner, r.builder),
        at: new Map([['', pointer]]),
      },
    ]
  })
}
