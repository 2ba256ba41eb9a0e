// A managed policy attached by name or ARN (a role's `ManagedPolicyArns`, a SAM function's
// `Policies: [AmazonS3ReadOnlyAccess]`) grants what that policy grants, which the template does
// not say. It is read as one statement whose action is the symbol of the policy: the same
// policy on both sides is the same grant, and one added is a grant nobody can read here, a
// possible widening naming it, never a guess. The one AWS managed policy whose content is known
// for certain and never changes is AdministratorAccess: every action on every resource.
// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html

import {displaySymbols, symbol} from '../../kernel/symbols.js'

const ADMINISTRATOR_ACCESS = /^(arn:[^:]*:iam::aws:policy\/)?AdministratorAccess$/

/** The statement a managed policy stands for. */
export function managedStatement(policy: string): Record<string, unknown> {
  // The partition is a symbol in `arn:${AWS::Partition}:iam::aws:policy/…`: any partition will do.
  if (ADMINISTRATOR_ACCESS.test(displaySymbols(policy).replace('${AWS::Partition}', 'aws')))
    return {Effect: 'Allow', Action: '*', Resource: '*'}
  return {Effect: 'Allow', Action: symbol(`managed policy ${displaySymbols(policy)}`), Resource: '*'}
}
