// Which Terraform resources hold access, and the documents each one holds, from its evaluated
// arguments (nested blocks as lists of objects, as both the HCL reader and `terraform show -json`
// give them). Each document is named by the resource's address and the argument
// (`aws_iam_role.app/assume_role_policy`), and — where the same document means other access when
// attached elsewhere — by what it is attached to (`aws_iam_role_policy.read/policy on role
// ${aws_iam_role.app.id}`, `google_project_iam_member.ci on project my-project`): moving it to
// another principal or resource is then a new document, all of whose access is new.
//
// GCP: `google_*_iam_member` grants one member a role without touching the others (not
// authoritative), `google_*_iam_binding` sets a role's members and `google_*_iam_policy` the
// resource's whole policy (authoritative: grants made outside Terraform are removed). Each is read
// as the policy of what it grants; an authoritative resource also takes away grants the repository
// does not show, which is never a widening, so a widening is judged on what each resource grants.

import type {EmbeddedDocument} from '../container.js'
import {escapePointerToken} from '../../kernel/parse.js'
import type {InputProblem, Kind} from '../../kernel/types.js'
import {displaySymbols, symbol} from '../../kernel/symbols.js'
import type {At} from './ast.js'
import {gcpCondition} from './policy-document.js'
import {AWS_POLICY_RESOURCES, GCP_GRANT, GCP_ROLE} from './types.js'
import {awsPolicy, child, type PolicyRole, Shaper, type Shaped} from './shapes.js'
import {asText, parseDocument, type Value} from './values.js'

/** One resource instance: its type, address, and evaluated arguments. */
export interface ResourceValues {
  type: string
  /** `aws_iam_role.app`, `aws_iam_role.app[0]`, `module.iam.aws_iam_role.app["x"]` */
  address: string
  values: Value & {v: 'object'}
  at: At
  /** where the arguments are in the container: `/resource/TYPE/NAME` (as Terraform's JSON syntax writes them), or a plan's pointer */
  pointer: string
}

/** An access document found in a resource, before it is placed in its container file. */
export interface FoundDocument {
  kind: Kind
  name: string
  /** where it sits in the container (a JSON pointer in the Terraform JSON syntax's terms) */
  pointer: string
  shaped: Shaped
  /** where the resource or argument is written: the place of any part written elsewhere */
  anchor: At
  notes: string[]
}

type ObjectValue = Value & {v: 'object'}

/**
 * A found document as the pipeline takes it: positions in the container file `path`; the parts
 * written elsewhere (another file of the module, a policy read with `file()`) are placed where
 * the document is in `path`.
 */
export function toEmbedded(found: FoundDocument, path: string): EmbeddedDocument {
  const anchor = {line: found.anchor.line, column: found.anchor.column}
  return {
    kind: found.kind,
    name: found.name,
    value: found.shaped.json,
    pointer: found.pointer,
    sourceMap: {
      locate: (pointer) => {
        const at = found.shaped.positions.get(pointer)
        if (at !== undefined && at.file === path) return {line: at.line, column: at.column}
        return pointer === '' ? anchor : undefined
      },
    },
  }
}

const arg = (values: ObjectValue, name: string): Value | undefined => {
  const value = values.entries.get(name)
  return value === undefined || value.v === 'null' ? undefined : value
}

const blocks = (values: ObjectValue, name: string): ObjectValue[] => {
  const value = values.entries.get(name)
  if (value === undefined || value.v !== 'list') return value?.v === 'object' ? [value] : []
  return value.items.filter((item): item is ObjectValue => item.v === 'object')
}

/** A value as people read it in a document's name. */
const shown = (value: Value | undefined): string =>
  value === undefined ? '(not set)' : displaySymbols(asText(value) ?? JSON.stringify(value.v))

const pointerOf = (resource: ResourceValues, ...path: string[]) =>
  [resource.pointer, ...path.map(escapePointerToken)].join('/')

/** A policy argument (JSON text, jsonencode, a data source's json, or unknown) as an IAM policy. */
function policy(value: Value, role: PolicyRole): Shaped {
  return awsPolicy(value.v === 'string' ? parseDocument(value) : value, role)
}

interface AwsPolicyArgument {
  argument: string
  role: PolicyRole
  /** the argument naming what the policy is attached to */
  target?: {argument: string; what: string}
}

/** Resources with an IAM policy in an argument. */
const AWS_POLICIES: Record<(typeof AWS_POLICY_RESOURCES)[number], AwsPolicyArgument> = {
  aws_iam_policy: {argument: 'policy', role: 'identity'},
  aws_iam_role_policy: {argument: 'policy', role: 'identity', target: {argument: 'role', what: 'role'}},
  aws_iam_user_policy: {argument: 'policy', role: 'identity', target: {argument: 'user', what: 'user'}},
  aws_iam_group_policy: {argument: 'policy', role: 'identity', target: {argument: 'group', what: 'group'}},
  aws_s3_bucket_policy: {argument: 'policy', role: 'resource', target: {argument: 'bucket', what: 'bucket'}},
  aws_sqs_queue_policy: {
    argument: 'policy',
    role: 'resource',
    target: {argument: 'queue_url', what: 'queue'},
  },
  aws_sns_topic_policy: {argument: 'policy', role: 'resource', target: {argument: 'arn', what: 'topic'}},
  aws_ecr_repository_policy: {
    argument: 'policy',
    role: 'resource',
    target: {argument: 'repository', what: 'repository'},
  },
  aws_secretsmanager_secret_policy: {
    argument: 'policy',
    role: 'resource',
    target: {argument: 'secret_arn', what: 'secret'},
  },
  // The older inline forms of the same resource policies.
  aws_s3_bucket: {argument: 'policy', role: 'resource'},
  aws_sqs_queue: {argument: 'policy', role: 'resource'},
  aws_sns_topic: {argument: 'policy', role: 'resource'},
}

export function documentsOf(resource: ResourceValues, problems: InputProblem[]): FoundDocument[] {
  const found: FoundDocument[] = []
  const add = (name: string, pointer: string, anchor: At, make: () => Shaped, notes: string[] = []) => {
    try {
      found.push({kind: kindOf(resource.type), name, pointer, shaped: make(), anchor, notes})
    } catch (error) {
      const problem = (error as {problems?: InputProblem[]}).problems?.[0]
      if (problem === undefined) throw error
      problems.push({...problem, message: `${name}: the policy is not JSON: ${problem.message}`})
    }
  }
  const {type, values, address} = resource
  const aws = AWS_POLICIES[type as keyof typeof AWS_POLICIES] as AwsPolicyArgument | undefined
  if (aws !== undefined) {
    const value = arg(values, aws.argument)
    if (value === undefined) return found
    const target = aws.target && ` on ${aws.target.what} ${shown(arg(values, aws.target.argument))}`
    add(`${address}/${aws.argument}${target ?? ''}`, pointerOf(resource, aws.argument), value.at, () =>
      policy(value, aws.role),
    )
  } else if (type === 'aws_iam_role') {
    const trust = arg(values, 'assume_role_policy')
    if (trust !== undefined)
      add(`${address}/assume_role_policy`, pointerOf(resource, 'assume_role_policy'), trust.at, () =>
        policy(trust, 'resource'),
      )
    blocks(values, 'inline_policy').forEach((inline, i) => {
      const document = arg(inline, 'policy')
      if (document === undefined) return
      const name = arg(inline, 'name')
      add(
        `${address}/inline_policy/${name === undefined ? i : shown(name)}`,
        pointerOf(resource, 'inline_policy', String(i)),
        document.at,
        () => policy(document, 'identity'),
      )
    })
  } else if (type === 'aws_kms_key') {
    const document = arg(values, 'policy')
    add(
      `${address}/policy`,
      pointerOf(resource, 'policy'),
      document?.at ?? resource.at,
      () => (document === undefined ? defaultKeyPolicy(resource) : policy(document, 'resource')),
      document === undefined
        ? [
            `${address} sets no policy: read as the default key policy (the account's principals, through their IAM policies)`,
          ]
        : [],
    )
  } else if (type === 'aws_lambda_permission')
    add(address, pointerOf(resource), resource.at, () => lambdaPermission(resource))
  else if (GCP_GRANT.test(type)) {
    const document = gcpGrant(resource)
    if (document !== undefined)
      add(`${address}${gcpTarget(resource)}`, pointerOf(resource), resource.at, () => document)
  } else if (GCP_ROLE.test(type)) add(address, pointerOf(resource), resource.at, () => gcpRole(resource))
  else if (type.startsWith('kubernetes_'))
    add(address, pointerOf(resource), resource.at, () => rbacObject(resource))
  return found
}

const kindOf = (type: string): Kind =>
  type.startsWith('google_') ? 'gcp-iam' : type.startsWith('kubernetes_') ? 'k8s-rbac' : 'aws-iam'

// --- AWS ---------------------------------------------------------------------------------------

/**
 * A key without a policy has AWS's default key policy: the account (its root) may use the key,
 * which delegates to the IAM policies of the account's principals.
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
function defaultKeyPolicy(resource: ResourceValues): Shaped {
  const shaper = new Shaper()
  shaper.place('', resource.at)
  const account = symbol(`account of ${resource.address}`)
  const json = {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: {AWS: `arn:aws:iam::${account}:root`},
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  }
  return {json, positions: shaper.positions}
}

/**
 * `aws_lambda_permission` adds one statement to the function's resource policy, as Lambda's
 * AddPermission writes it (https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html):
 * the principal (a service, an account or `*`), the action on the function (and qualifier), and
 * the source ARN, source account, organization, event source token and function URL auth type as
 * conditions.
 */
function lambdaPermission(resource: ResourceValues): Shaped {
  const {values} = resource
  const shaper = new Shaper()
  shaper.place('', resource.at)
  const statement: Record<string, unknown> = {Effect: 'Allow'}
  const base = '/Statement/0'
  const set = (key: string, value: Value | undefined, make: (text: string) => unknown) => {
    if (value === undefined) return
    shaper.place(child(base, key), value.at)
    statement[key] = make(asText(value) ?? symbol(`${resource.address}.${key}`))
  }
  const statementId = arg(values, 'statement_id')
  if (statementId !== undefined) set('Sid', statementId, (t) => t)
  set('Principal', arg(values, 'principal'), (p) =>
    p === '*' ? '*' : /amazonaws\.com$/.test(p) ? {Service: p} : {AWS: p},
  )
  set('Action', arg(values, 'action'), (a) => a)
  const qualifier = arg(values, 'qualifier')
  set('Resource', arg(values, 'function_name'), (name) => {
    const arn = name.startsWith('arn:')
      ? name
      : `arn:aws:lambda:${symbol(`region of ${resource.address}`)}:${symbol(`account of ${resource.address}`)}:function:${name}`
    return qualifier === undefined ? arn : `${arn}:${asText(qualifier)}`
  })
  const conditions: Array<[string, string, Value | undefined]> = [
    ['ArnLike', 'AWS:SourceArn', arg(values, 'source_arn')],
    ['StringEquals', 'AWS:SourceAccount', arg(values, 'source_account')],
    ['StringEquals', 'aws:PrincipalOrgID', arg(values, 'principal_org_id')],
    ['StringEquals', 'lambda:EventSourceToken', arg(values, 'event_source_token')],
    ['StringEquals', 'lambda:FunctionUrlAuthType', arg(values, 'function_url_auth_type')],
  ]
  const condition: Record<string, Record<string, unknown>> = {}
  for (const [operator, key, value] of conditions) {
    if (value === undefined) continue
    shaper.place(child(child(child(base, 'Condition'), operator), key), value.at)
    ;(condition[operator] ??= {})[key] = asText(value)
  }
  if (Object.keys(condition).length > 0) statement.Condition = condition
  return {json: {Version: '2012-10-17', Statement: [statement]}, positions: shaper.positions}
}

// --- GCP ---------------------------------------------------------------------------------------

/** Arguments of a `google_*_iam_*` resource that say what is granted, not on what. */
const GRANT_ARGUMENTS = new Set(['role', 'member', 'members', 'condition', 'policy_data', 'etag', 'id'])

/** ` on project my-project`: the resource the grant is on (every other argument). */
function gcpTarget(resource: ResourceValues): string {
  const on = [...resource.values.entries]
    .filter(([name, value]) => !GRANT_ARGUMENTS.has(name) && value.v !== 'null' && value.v !== 'list')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => `${name} ${shown(value)}`)
  return on.length === 0 ? '' : ` on ${on.join(', ')}`
}

function gcpGrant(resource: ResourceValues): Shaped | undefined {
  const {values} = resource
  const shaper = new Shaper()
  shaper.place('', resource.at)
  if (resource.type.endsWith('_policy')) {
    const data = arg(values, 'policy_data')
    if (data === undefined) return undefined
    const document = data.v === 'string' ? parseDocument(data) : data
    return {json: shaper.plain(document, ''), positions: shaper.positions}
  }
  const binding: Record<string, unknown> = {}
  const base = '/bindings/0'
  const role = arg(values, 'role')
  binding.role = role === undefined ? undefined : shaper.text(role, `${base}/role`)
  const members = resource.type.endsWith('_member') ? arg(values, 'member') : arg(values, 'members')
  binding.members =
    members === undefined
      ? []
      : members.v === 'list'
        ? shaper.texts(members, `${base}/members`)
        : [shaper.text(members, `${base}/members/0`)]
  const condition = gcpCondition(values)
  if (condition !== undefined) binding.condition = shaper.plain(condition, `${base}/condition`)
  return {json: {bindings: [binding]}, positions: shaper.positions}
}

/** A custom role as `gcloud iam roles describe` prints it, named as bindings name it. */
function gcpRole(resource: ResourceValues): Shaped {
  const {values} = resource
  const shaper = new Shaper()
  shaper.place('', resource.at)
  const json: Record<string, unknown> = {name: gcpRoleName(resource.type, values)}
  const permissions = arg(values, 'permissions')
  json.includedPermissions =
    permissions === undefined ? [] : shaper.texts(permissions, '/includedPermissions')
  for (const [from, to] of [
    ['title', 'title'],
    ['stage', 'stage'],
    ['description', 'description'],
  ] as const) {
    const value = arg(values, from)
    if (value !== undefined) json[to] = shaper.text(value, `/${to}`)
  }
  return {json, positions: shaper.positions}
}

/** `projects/P/roles/R` or `organizations/O/roles/R`, as the custom role's `id` and `name` are. */
export function gcpRoleName(type: string, values: ObjectValue): string {
  const roleId = asText(arg(values, 'role_id') ?? {v: 'unknown', name: 'role_id', at: values.at})
  if (type === 'google_organization_iam_custom_role')
    return `organizations/${asText(arg(values, 'org_id') ?? {v: 'unknown', name: 'org_id', at: values.at})}/roles/${roleId}`
  return `projects/${asText(arg(values, 'project') ?? {v: 'unknown', name: 'provider project', at: values.at})}/roles/${roleId}`
}

// --- Kubernetes --------------------------------------------------------------------------------

const RBAC_KIND: Record<string, string> = {
  cluster_role: 'ClusterRole',
  role: 'Role',
  cluster_role_binding: 'ClusterRoleBinding',
  role_binding: 'RoleBinding',
}

/**
 * The RBAC object a `kubernetes_*role*` resource creates (the Kubernetes provider's schema: one
 * `metadata` block; `rule`, `aggregation_rule`, `role_ref` and `subject` blocks). A Role or
 * RoleBinding without a namespace is in `default`, as the provider defaults it; a ServiceAccount
 * subject without one is in `default` too.
 */
function rbacObject(resource: ResourceValues): Shaped {
  const {values} = resource
  const kind = RBAC_KIND[resource.type.replace(/^kubernetes_/, '').replace(/_v1$/, '')]!
  const shaper = new Shaper()
  shaper.place('', resource.at)
  const json: Record<string, unknown> = {apiVersion: 'rbac.authorization.k8s.io/v1', kind}
  const metadata = blocks(values, 'metadata')[0]
  const meta: Record<string, unknown> = {}
  if (metadata !== undefined) {
    shaper.place('/metadata', metadata.at)
    const name = arg(metadata, 'name')
    if (name !== undefined) meta.name = shaper.text(name, '/metadata/name')
    const namespace = arg(metadata, 'namespace')
    if (kind === 'Role' || kind === 'RoleBinding')
      meta.namespace = namespace === undefined ? 'default' : shaper.text(namespace, '/metadata/namespace')
    const labels = arg(metadata, 'labels')
    if (labels !== undefined) meta.labels = shaper.plain(labels, '/metadata/labels')
  }
  json.metadata = meta
  const fields: Array<[string, string]> = [
    ['api_groups', 'apiGroups'],
    ['resources', 'resources'],
    ['resource_names', 'resourceNames'],
    ['non_resource_urls', 'nonResourceURLs'],
    ['verbs', 'verbs'],
  ]
  const rules = blocks(values, 'rule')
  if (kind === 'Role' || kind === 'ClusterRole')
    json.rules = rules.map((rule, i) => {
      const pointer = `/rules/${i}`
      shaper.place(pointer, rule.at)
      const out: Record<string, unknown> = {}
      for (const [from, to] of fields) {
        const value = arg(rule, from)
        if (value !== undefined && !(value.v === 'list' && value.items.length === 0))
          out[to] = shaper.texts(
            value.v === 'list' ? value : {v: 'list', items: [value], at: value.at},
            `${pointer}/${to}`,
          )
      }
      return out
    })
  const aggregation = blocks(values, 'aggregation_rule')[0]
  if (aggregation !== undefined) {
    json.aggregationRule = {
      clusterRoleSelectors: blocks(aggregation, 'cluster_role_selectors').map((selector, i) => {
        const pointer = `/aggregationRule/clusterRoleSelectors/${i}`
        shaper.place(pointer, selector.at)
        const out: Record<string, unknown> = {}
        const labels = arg(selector, 'match_labels')
        if (labels !== undefined) out.matchLabels = shaper.plain(labels, `${pointer}/matchLabels`)
        const expressions = blocks(selector, 'match_expressions')
        if (expressions.length > 0)
          out.matchExpressions = expressions.map((e, j) =>
            shaper.plain(e, `${pointer}/matchExpressions/${j}`),
          )
        return out
      }),
    }
  }
  const roleRef = blocks(values, 'role_ref')[0]
  if (roleRef !== undefined) {
    shaper.place('/roleRef', roleRef.at)
    json.roleRef = {
      apiGroup: asText(
        arg(roleRef, 'api_group') ?? {v: 'string', s: 'rbac.authorization.k8s.io', at: roleRef.at},
      ),
      kind: shaper.text(arg(roleRef, 'kind') ?? roleRef, '/roleRef/kind'),
      name: shaper.text(arg(roleRef, 'name') ?? roleRef, '/roleRef/name'),
    }
  }
  const subjects = blocks(values, 'subject')
  if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding')
    json.subjects = subjects.map((subject, i) => {
      const pointer = `/subjects/${i}`
      shaper.place(pointer, subject.at)
      const subjectKind = asText(arg(subject, 'kind') ?? subject)
      const account = subjectKind === 'ServiceAccount'
      const out: Record<string, unknown> = {
        kind: subjectKind,
        name: shaper.text(arg(subject, 'name') ?? subject, `${pointer}/name`),
        apiGroup: asText(
          arg(subject, 'api_group') ?? {
            v: 'string',
            s: account ? '' : 'rbac.authorization.k8s.io',
            at: subject.at,
          },
        ),
      }
      if (account) {
        const namespace = arg(subject, 'namespace')
        out.namespace = namespace === undefined ? 'default' : shaper.text(namespace, `${pointer}/namespace`)
      }
      return out
    })
  return {json, positions: shaper.positions}
}
