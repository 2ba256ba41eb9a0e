// Serverless Framework services (serverless.yml): the Framework compiles a service into a
// CloudFormation template, and so does this format, for the access in it: the IAM statements
// of the functions' role (`provider.iam.role.statements`, and the older
// `provider.iamRoleStatements`) and its managed policies become the role
// `IamRoleLambdaExecution` the Framework creates, beside the raw CloudFormation of `resources:`.
// The CloudFormation format reads that template, so both are read the same way. The descriptor
// is light; reading and compiling load on first use.
// https://www.serverless.com/framework/docs/providers/aws/guide/iam

import type {ContainerFormat} from '../container.js'

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

export const serverless: ContainerFormat = {
  format: 'serverless',
  scan: true,
  candidates: [{names: ['serverless.yml', 'serverless.yaml', 'serverless.json'], ignoreCase: true}],
  // A service file that mentions IAM or CloudFormation resources holds access: it fails closed when it does not parse.
  looksLike: (text) =>
    /\bprovider\b/.test(text) && /iamRoleStatements|\bstatements\b|\bResources\b/.test(text),
  parse: async (file) => (await import('./read.js')).readService(file),
  detect: (parsed) => isObject(parsed.value) && 'service' in parsed.value && isObject(parsed.value.provider),
  extract: async (parsed) => (await import('./compile.js')).compileService(parsed),
}
