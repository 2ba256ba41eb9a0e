// Where each resource type keeps access: the table of documents a template's resources hold,
// each named after the resource's logical id and the property's path (`AppRole/Policies/Read`).
// Sources: the CloudFormation resource reference of each type,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html

import {symbol} from '../../kernel/symbols.js'
import {
  branches,
  type Builder,
  type BuiltDocument,
  expand,
  mergeWhen,
  policyDocument,
  resolveOne,
  settle,
  withConditions,
} from './documents.js'
import {managedStatement} from './managed.js'
import {display, isObject, NO_VALUE, resolve, ResolveError, type When} from './values.js'

/** What a resource's extractor is given: the resource, and where its documents go. */
export interface ResourceContext {
  logicalId: string
  properties: Record<string, unknown>
  /** the template pointer of `properties` */
  pointer: string
  /** the conditions the resource exists under (its `Condition`) */
  when: When
  builder: Builder
  /** adds a document named `logicalId/path`, written at `pointer` in the template */
  add(path: string, pointer: string, document: BuiltDocument | undefined): void
  note(message: string): void
}

export type Extractor = (resource: ResourceContext) => void | Promise<void>

/** A resource whose one property is a policy document. */
const documentAt =
  (property: string): Extractor =>
  (r) => {
    if (!(property in r.properties)) return
    const at = `${r.pointer}/${property}`
    r.add(property, at, policyDocument(r.properties[property], at, r.builder, r.when))
  }

/**
 * A role's, user's or group's inline `Policies` (each named by its `PolicyName`) and its
 * `ManagedPolicyArns`.
 */
function identityPolicies(r: ResourceContext): void {
  const policies = r.properties.Policies
  const list = `${r.pointer}/Policies`
  for (const listBranch of policies === undefined ? [] : branches(policies, list, r.when)) {
    if (!Array.isArray(listBranch.node)) throw new ResolveError(listBranch.pointer, 'Policies is a list')
    listBranch.node.forEach((item, index) => {
      for (const policy of branches(item, `${listBranch.pointer}/${index}`, listBranch.when)) {
        if (!isObject(policy.node))
          throw new ResolveError(policy.pointer, 'a policy is a map with PolicyName and PolicyDocument')
        const name = resolveOne(policy.node.PolicyName, `${policy.pointer}/PolicyName`, r.builder)
        const at = `${policy.pointer}/PolicyDocument`
        r.add(
          `Policies/${display(name ?? index)}`,
          at,
          policyDocument(policy.node.PolicyDocument, at, r.builder, policy.when),
        )
      }
    })
  }
  if ('ManagedPolicyArns' in r.properties) {
    const at = `${r.pointer}/ManagedPolicyArns`
    r.add('ManagedPolicyArns', at, managedPolicies(r.properties.ManagedPolicyArns, at, r.builder, r.when))
  }
}

/** Managed policy ARNs (a list) as the statements they stand for. */
export function managedPolicies(
  node: unknown,
  pointer: string,
  builder: Builder,
  when: When,
): BuiltDocument | undefined {
  const statements: Array<{statement: Record<string, unknown>; at: string}> = []
  for (const alternative of resolve(node, pointer, builder.scope)) {
    const inner = mergeWhen(when, alternative.when)
    const list = settle(alternative.value)
    if (inner === undefined || list === NO_VALUE) continue
    if (!Array.isArray(list)) throw new ResolveError(pointer, 'a list of managed policy ARNs is expected')
    const at = new Map(alternative.at)
    list.forEach((arn, index) =>
      statements.push({
        statement: withConditions(managedStatement(String(arn)), inner, builder),
        at: at.get(`/${index}`) ?? pointer,
      }),
    )
  }
  if (statements.length === 0) return undefined
  return {
    value: {Version: '2012-10-17', Statement: statements.map((s) => s.statement)},
    origins: new Map([
      ['', pointer],
      ...statements.map((s, index): [string, string] => [`/Statement/${index}`, s.at]),
    ]),
  }
}

const LAMBDA_CONDITIONS: Array<[string, string, string]> = [
  ['SourceArn', 'ArnLike', 'AWS:SourceArn'],
  ['SourceAccount', 'StringEquals', 'AWS:SourceAccount'],
  ['PrincipalOrgID', 'StringEquals', 'aws:PrincipalOrgID'],
  ['FunctionUrlAuthType', 'StringEquals', 'lambda:FunctionUrlAuthType'],
  ['EventSourceToken', 'StringEquals', 'lambda:EventSourceToken'],
]

/**
 * `AWS::Lambda::Permission` is one statement of the function's resource policy, written the
 * way Lambda writes it (`GetPolicy`): the principal, the action, the function's ARN, and the
 * source ARN, account and organization as conditions.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html
 */
function lambdaPermission(r: ResourceContext): void {
  const p = r.properties
  const at = (property: string) => `${r.pointer}/${property}`
  const statement: Record<string, unknown> = {
    Effect: 'Allow',
    Principal: {$principal: p.Principal},
    Action: p.Action,
    Resource: {$function: p.FunctionName},
  }
  const origins = new Map([
    ['', r.pointer],
    ['/Principal', at('Principal')],
    ['/Action', at('Action')],
    ['/Resource', at('FunctionName')],
  ])
  const condition: Record<string, Record<string, unknown>> = {}
  for (const [property, operator, key] of LAMBDA_CONDITIONS) {
    if (!(property in p)) continue
    condition[operator] = {...condition[operator], [key]: p[property]}
    origins.set(`/Condition/${operator}/${key.replaceAll('/', '~1')}`, at(property))
  }
  if (Object.keys(condition).length > 0) statement.Condition = condition
  // Resolved as one statement: conditions inside any property make one statement per combination.
  const expanded = expand(statement, r.pointer, r.builder, r.when).map(({statement: s}) => ({
    statement: {
      ...s,
      Principal: lambdaPrincipal((s.Principal as {$principal: unknown}).$principal),
      Resource: functionArn((s.Resource as {$function: unknown}).$function),
    },
  }))
  if (expanded.length === 0) return
  r.add('', r.pointer, {
    value: {Version: '2012-10-17', Statement: expanded.map((e) => e.statement)},
    origins: new Map(
      expanded.flatMap((_, index) =>
        [...origins].map(([inner, template]): [string, string] => [`/Statement/${index}${inner}`, template]),
      ),
    ).set('', r.pointer),
  })
}

/** A Lambda permission's principal: a service, an account or ARN, or everyone. */
function lambdaPrincipal(principal: unknown): unknown {
  if (principal === '*') return '*'
  if (typeof principal === 'string' && /\.amazonaws\.com(\.cn)?$/.test(principal)) return {Service: principal}
  return {AWS: principal}
}

/**
 * A function named as Lambda accepts it (name, partial ARN `123456789012:function:name`, or
 * ARN) as its ARN, with the partition, region and account of the stack where it does not say.
 */
function functionArn(name: unknown): unknown {
  if (typeof name !== 'string' || name.startsWith('arn:')) return name
  const prefix = `arn:${symbol('AWS::Partition')}:lambda:${symbol('AWS::Region')}:`
  return /^\d{12}:function:/.test(name)
    ? prefix + name
    : `${prefix}${symbol('AWS::AccountId')}:function:${name}`
}

/**
 * `AWS::ApiGateway::RestApi` `Policy`: API Gateway reads `execute-api:/stage/method/path` as
 * the API's own ARN (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html).
 */
function restApiPolicy(r: ResourceContext): void {
  if (!('Policy' in r.properties)) return
  const at = `${r.pointer}/Policy`
  const built = policyDocument(r.properties.Policy, at, r.builder, r.when)
  if (built === undefined) return
  const api = `arn:${symbol('AWS::Partition')}:execute-api:${symbol('AWS::Region')}:${symbol('AWS::AccountId')}:${symbol(r.logicalId)}`
  const expandResource = (resource: unknown) =>
    typeof resource === 'string' && resource.startsWith('execute-api:')
      ? api + resource.slice('execute-api:'.length)
      : resource
  for (const statement of built.value.Statement as Array<Record<string, unknown>>) {
    for (const field of ['Resource', 'NotResource'])
      if (field in statement)
        statement[field] = Array.isArray(statement[field])
          ? (statement[field] as unknown[]).map(expandResource)
          : expandResource(statement[field])
  }
  r.add('Policy', at, built)
}

/** The resource types whose access acldrift reads, and how. */
export const EXTRACTORS: Record<string, Extractor> = {
  'AWS::IAM::Role': (r) => {
    documentAt('AssumeRolePolicyDocument')(r)
    identityPolicies(r)
  },
  'AWS::IAM::User': identityPolicies,
  'AWS::IAM::Group': identityPolicies,
  'AWS::IAM::Policy': documentAt('PolicyDocument'),
  'AWS::IAM::ManagedPolicy': documentAt('PolicyDocument'),
  'AWS::IAM::RolePolicy': documentAt('PolicyDocument'),
  'AWS::IAM::UserPolicy': documentAt('PolicyDocument'),
  'AWS::IAM::GroupPolicy': documentAt('PolicyDocument'),
  'AWS::S3::BucketPolicy': documentAt('PolicyDocument'),
  'AWS::SQS::QueuePolicy': documentAt('PolicyDocument'),
  'AWS::SNS::TopicPolicy': documentAt('PolicyDocument'),
  'AWS::KMS::Key': documentAt('KeyPolicy'),
  'AWS::SecretsManager::ResourcePolicy': documentAt('ResourcePolicy'),
  'AWS::ECR::Repository': documentAt('RepositoryPolicyText'),
  'AWS::Lambda::Permission': lambdaPermission,
  'AWS::ApiGateway::RestApi': restApiPolicy,
}
