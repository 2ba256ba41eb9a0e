// The rules of AWS IAM findings, from the most to the least alarming (compare.ts names each
// widening by asking which baseline statement came closest to allowing the witness).

import {declareRules} from '../../kernel/rules.js'

export const RULES = declareRules({
  'public-principal': {
    change: 'widening',
    severity: 'critical',
    title: 'Public access',
    description:
      'A statement now lets anyone, including anonymous callers (`Principal: "*"`, `{"AWS": "*"}`), make a request the baseline did not allow. Unless the resource is meant to be public, name the principals that need it, or keep a condition that limits who can call (`aws:SourceArn`, `aws:PrincipalOrgID`).',
  },
  'admin-wildcard': {
    change: 'widening',
    severity: 'critical',
    title: 'Administrator access',
    description:
      '`Action: "*"` on `Resource: "*"` (or no Resource): every action on everything, an administrator. Grant the actions and resources the identity needs instead.',
  },
  'deny-removed': {
    change: 'widening',
    severity: ['high', 'critical'],
    title: 'A Deny no longer applies',
    description:
      'A request the baseline explicitly denied is now allowed: a Deny statement was removed or narrowed. Critical when anyone can make the request. Denies are usually guardrails (TLS only, own account only); restore it unless the guardrail is no longer wanted.',
  },
  'privilege-escalation': {
    change: 'widening',
    severity: 'high',
    title: 'Privilege escalation',
    description:
      'The new access includes an action that lets its holder gain more access (`iam:PassRole`, `iam:CreatePolicyVersion`, `iam:AttachRolePolicy`, `sts:AssumeRole`, …). Check that the resource is limited to what the identity must pass, assume or change.',
  },
  'condition-removed': {
    change: 'widening',
    severity: 'medium',
    title: 'A condition was removed or relaxed',
    description:
      'The baseline allowed the same principal, action and resource only under a condition that no longer holds for the witness (removed, or accepting more values). Check that the request should now be allowed without it.',
  },
  'new-principal': {
    change: 'widening',
    severity: 'medium',
    title: 'Access extended to another principal',
    description:
      'The same action on the same resource is now allowed to a principal the baseline did not allow it to (another account, role or service). Check that the principal should have it.',
  },
  'wildcard-action': {
    change: 'widening',
    severity: 'medium',
    title: 'A wildcard action grants more',
    description:
      'An action wildcard (`s3:*`, `s3:Get*`) or `NotAction` now covers an action the baseline did not allow. Wildcards grow as AWS adds actions: list the actions needed.',
  },
  'wildcard-resource': {
    change: 'widening',
    severity: 'medium',
    title: 'A wildcard resource grants more',
    description:
      'A resource wildcard or `NotResource` now covers a resource the baseline did not allow. Name the resources needed.',
  },
  'new-grant': {
    change: 'widening',
    severity: 'low',
    title: 'New access',
    description:
      'Any other new access: an action on a resource the baseline allowed to nobody here. Check that it is intended.',
  },
  'undecidable-condition': {
    change: 'possible-widening',
    severity: 'medium',
    title: 'Possible new access',
    description:
      'The new access depends on a condition acldrift cannot decide (an unknown operator, a policy variable in a value, a key compared both as a string and a number): it may widen. The reason says which; review the statement by hand.',
  },
  'unknown-action': {
    change: 'possible-widening',
    severity: 'low',
    title: 'Possible new access',
    description:
      'A wildcard matches actions outside the AWS catalogue acldrift knows (actions AWS may add later), or names an unknown action: what it grants cannot be listed. Name the actions needed.',
  },
  'deny-added': {
    change: 'narrowing',
    severity: 'low',
    title: 'A new Deny applies',
    description: 'A request the baseline allowed is now denied by a Deny statement. Informational.',
  },
  'condition-added': {
    change: 'narrowing',
    severity: 'low',
    title: 'A condition now restricts',
    description:
      'A request the baseline allowed is now allowed only under a condition it does not meet. Informational.',
  },
  'grant-removed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Access removed',
    description: 'A request the baseline allowed is no longer allowed by any statement. Informational.',
  },
})

export type AwsRule = keyof typeof RULES
