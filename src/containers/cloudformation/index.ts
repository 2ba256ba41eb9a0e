// CloudFormation templates (JSON and YAML), SAM templates among them (`Transform:
// AWS::Serverless-2016-10-31`): the IAM policies, trust policies and resource policies their
// resources hold, each an aws-iam document named after its resource's logical id and the path to
// it (`AppRole/Policies/ReadBucket`), with what only the deployment knows left as symbols. The
// descriptor is light; reading and extraction load on first use.

import {lazyModule} from '../../kernel/lazy.js'
import type {ContainerFormat} from '../container.js'

// Every JSON and YAML file of a repository is offered to this format: its reader is loaded once.
const reader = lazyModule(() => import('./read.js'))

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** A template: a `Resources` map whose resources have types, or a format version. */
function isTemplate(value: unknown): boolean {
  if (!isObject(value) || !isObject(value.Resources)) return false
  return (
    'AWSTemplateFormatVersion' in value ||
    Object.values(value.Resources).some(
      (r) => isObject(r) && typeof r.Type === 'string' && /^[A-Za-z0-9]+::/.test(r.Type),
    )
  )
}

/** A template (its version or a resource type) that holds access: such a file fails closed when it does not parse. */
const TEMPLATE = /AWSTemplateFormatVersion|\bType["']?\s*:\s*["']?AWS::/
const ACCESS =
  /AWS::(IAM|S3::BucketPolicy|SQS::QueuePolicy|SNS::TopicPolicy|KMS::Key|SecretsManager::ResourcePolicy|ECR::Repository|Lambda::Permission|ApiGateway::RestApi|Serverless::(Function|StateMachine))\b/

export const cloudformation: ContainerFormat = {
  format: 'cloudformation',
  scan: true,
  candidates: [{extensions: ['json', 'yaml', 'yml', 'template'], ignoreCase: true}],
  looksLike: (text) => TEMPLATE.test(text) && ACCESS.test(text),
  parse: async (file) => (await reader()).readTemplate(file),
  detect: (parsed) => isTemplate(parsed.value),
  extract: async (parsed) => (await import('./extract.js')).extractTemplate(parsed),
}
