// A service compiled into the CloudFormation template the Framework deploys, for its access:
// `resources:` as written, plus the role `IamRoleLambdaExecution` with one inline policy of
// `provider.iam.role.statements` and `provider.iamRoleStatements` (the older name; both are
// read, as the Framework merges them) and the managed policies of `provider.iam.role
// .managedPolicies` and `provider.iamManagedPolicies`. The template's source map points back
// into the service file.
// https://www.serverless.com/framework/docs/providers/aws/guide/iam

import {escapePointerToken, positionAt} from '../../kernel/parse.js'
import {symbol} from '../../kernel/symbols.js'
import type {ParsedFile, SourceMap} from '../../kernel/types.js'
import type {Extraction} from '../container.js'
import {VariableResolver} from './variables.js'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The role the Framework makes for the service's functions, and its inline policy's name here. */
const ROLE = 'IamRoleLambdaExecution'
const POLICY = 'lambda'
const ROLE_POINTER = `/Resources/${ROLE}/Properties`

/** Where each list of the service is, in the file and in the compiled role. */
const STATEMENT_LISTS = [
  ['provider', 'iam', 'role', 'statements'],
  ['provider', 'iamRoleStatements'],
]
const MANAGED_LISTS = [
  ['provider', 'iam', 'role', 'managedPolicies'],
  ['provider', 'iamManagedPolicies'],
]

const pointerOf = (path: string[]) => path.map((key) => `/${escapePointerToken(key)}`).join('')

function at(value: unknown, path: string[]): unknown {
  let current = value
  for (const key of path) current = isObject(current) ? current[key] : undefined
  return current
}

/**
 * What the Framework turns into access besides the role's statements, which acldrift does not
 * read yet: the permissions of a function's events (who may invoke it: `http`, `s3`, `sns` …;
 * what the role may read: `sqs`, `stream` …) and of its URL. Named, so that they are seen as
 * unread rather than as nothing.
 */
function derivedAccess(service: Record<string, unknown>): string[] {
  const functions = isObject(service.functions) ? Object.entries(service.functions) : []
  return functions.flatMap(([name, fn]) => {
    if (!isObject(fn)) return []
    const events = Array.isArray(fn.events)
      ? fn.events.map((event) => (isObject(event) ? Object.keys(event).join('+') : String(event)))
      : []
    const parts = [
      ...(events.length > 0 ? [`events (${events.join(', ')})`] : []),
      ...('url' in fn ? ['url'] : []),
    ]
    return parts.length > 0
      ? [`functions.${name}: ${parts.join(', ')} not read (the access the Framework derives from them)`]
      : []
  })
}

export function compileService(parsed: ParsedFile): Extraction {
  const variables = new VariableResolver(parsed.value)
  const service = variables.resolve(parsed.value) as Record<string, unknown>
  const provider = service.provider as Record<string, unknown>
  const notes: string[] = []
  if (provider.name !== 'aws') return {documents: [], notes, problems: []}

  // compiled pointer prefix → pointer in the service file, the longest prefix first
  const origins: Array<[string, string]> = []
  const resources: Record<string, unknown> = {}
  const template: Record<string, unknown> = {AWSTemplateFormatVersion: '2010-09-09', Resources: resources}
  const sections = Array.isArray(service.resources) ? service.resources : [service.resources]
  sections.forEach((section, index) => {
    if (!isObject(section)) return
    const base = Array.isArray(service.resources) ? `/resources/${index}` : '/resources'
    for (const [name, content] of Object.entries(section)) {
      if (!isObject(content)) continue
      // Resources, Conditions, Mappings, Outputs …: merged into the template's sections, as the Framework does.
      const merged = (template[name] ??= {}) as Record<string, unknown>
      for (const [key, value] of Object.entries(content)) {
        merged[key] = value
        const inner = `/${escapePointerToken(name)}/${escapePointerToken(key)}`
        origins.push([inner, `${base}${inner}`])
      }
    }
  })

  const role = at(provider, ['iam', 'role'])
  if (role !== undefined && !isObject(role)) {
    notes.push(`${parsed.path}: provider.iam.role names the role to use: its statements are not read here`)
  } else {
    const statements: unknown[] = []
    for (const path of STATEMENT_LISTS) {
      const list = at(service, path)
      if (list === undefined) continue
      const source = pointerOf(path)
      if (!Array.isArray(list)) {
        // `${file(./iam.yml)}` and the like: what they hold is not in this file.
        notes.push(
          `${parsed.path}: ${path.join('.')} is not read (it comes from elsewhere): read as a grant nobody can read here`,
        )
        origins.push([`${ROLE_POINTER}/Policies/0/PolicyDocument/Statement/${statements.length}`, source])
        statements.push({
          Effect: 'Allow',
          Action: symbol(`${path.join('.')} ${JSON.stringify(list)}`),
          Resource: '*',
        })
        continue
      }
      list.forEach((statement, index) => {
        origins.push([
          `${ROLE_POINTER}/Policies/0/PolicyDocument/Statement/${statements.length}`,
          `${source}/${index}`,
        ])
        statements.push(statement)
      })
    }
    const managed: unknown[] = []
    for (const path of MANAGED_LISTS) {
      const list = at(service, path)
      if (!Array.isArray(list)) continue
      list.forEach((arn, index) => {
        origins.push([`${ROLE_POINTER}/ManagedPolicyArns/${managed.length}`, `${pointerOf(path)}/${index}`])
        managed.push(arn)
      })
    }
    const properties: Record<string, unknown> = {}
    if (statements.length > 0)
      properties.Policies = [
        {PolicyName: POLICY, PolicyDocument: {Version: '2012-10-17', Statement: statements}},
      ]
    if (managed.length > 0) properties.ManagedPolicyArns = managed
    if (Object.keys(properties).length > 0) resources[ROLE] = {Type: 'AWS::IAM::Role', Properties: properties}
    origins.push(
      [`${ROLE_POINTER}/Policies/0/PolicyDocument`, '/provider'],
      [`/Resources/${ROLE}`, '/provider'],
    )
  }
  notes.push(...derivedAccess(service).map((what) => `${parsed.path}: ${what}`))
  for (const [text, value] of variables.assumed)
    notes.push(
      `${parsed.path}: ${text} is read as ${JSON.stringify(value)} (a deployment may give it another value)`,
    )
  origins.sort(([a], [b]) => b.length - a.length)
  const sourceMap: SourceMap = {
    locate: (pointer) => {
      const origin = origins.find(([prefix]) => pointer === prefix || pointer.startsWith(`${prefix}/`))
      return origin === undefined
        ? undefined
        : positionAt(parsed.sourceMap, origin[1] + pointer.slice(origin[0].length))
    },
  }
  return {
    documents: [],
    notes,
    problems: [],
    compiled: {format: 'cloudformation', value: template, sourceMap},
  }
}
