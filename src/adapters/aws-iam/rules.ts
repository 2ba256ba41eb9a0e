// The rules of AWS IAM findings, from the most to the least alarming (classify.ts names each
// widening by what the statement's previous version, else the closest baseline statement, lacked).

import {truncationRule} from '../../kernel/truncation.js'
import {declareRules} from '../../kernel/rules.js'

/** How a policy is cut into smaller ones, for a comparison cut short. */
export const SPLIT = 'split the policy into several files (each is compared on its own)'

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
      'A request the baseline explicitly denied is no longer denied: a Deny statement was removed or narrowed (a `NotAction` allow-list extended, a Deny-only policy deleted). A Deny restricts every policy that applies to the request, not only its own file, so this is a widening when the same file allows the request, and a possible widening otherwise (another policy attached to the same principal, or an identity policy beside a resource policy, may allow it). Critical when anyone can make the request. Denies are usually guardrails (TLS only, own account only, quarantine); restore it unless the guardrail is no longer wanted.',
  },
  'guardrail-deny-removed': {
    change: 'widening',
    severity: 'high',
    title: "A guardrail's Deny no longer applies",
    description:
      "A Deny of a service control policy (SCP) or resource control policy (RCP) was removed or narrowed (a `NotAction` exception list extended, the policy deleted): every account under it may now do what it stopped, where the account's own policies allow it. A widening when the same guardrail permits the request, and a possible widening otherwise (`FullAWSAccess`, or another SCP or RCP at the same target, usually permits it). Restore the Deny unless the guardrail is no longer wanted.",
  },
  'guardrail-widened': {
    change: 'widening',
    severity: 'high',
    title: 'A guardrail permits more',
    description:
      'A service control policy (SCP) or resource control policy (RCP) now permits a request it did not (an Allow widened or added, `FullAWSAccess` attached): it grants nothing itself, but every account under it may now do it where its own policies allow it. Check that the guardrail should let it through.',
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
  'delegation-removed': {
    change: 'widening',
    severity: 'medium',
    title: "Granted without the principal's own policies",
    description:
      'A resource policy that named an account (`"AWS": "111122223333"` or its `:root` ARN) let that account\'s principals in only where their own IAM policies allow it; it now names a principal of the account directly, which gets the access even with no identity policy that allows it. The witness says `identityPolicyAllows: false`. Check that the principal should have it unconditionally.',
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
      "A statement's actions grew through a wildcard (`s3:*`, `s3:Get*`) or `NotAction`: it now covers an action that its previous version did not allow on the resource (for a statement added, an action the baseline did not allow there). Wildcards grow as AWS adds actions: list the actions needed.",
  },
  'wildcard-resource': {
    change: 'widening',
    severity: 'medium',
    title: 'A wildcard resource grants more',
    description:
      "A statement's resources grew through a wildcard (up to `*`) or `NotResource`: it now lets the principal call an action on a resource that its previous version did not (for a statement added, a resource the baseline allowed the action on only elsewhere). An action added to a statement already on `*` is no resource change (`new-grant`, `wildcard-action`), nor is an action the baseline allowed nowhere, in a statement added too. Name the resources needed.",
  },
  'new-policy': {
    change: 'widening',
    severity: ['low', 'medium'],
    title: 'New policy',
    description:
      'A whole policy added (a new file, or a policy document new in its template or export): everything it allows is new, and no baseline version of it came closer. Medium when it grants the access through a wildcard. Check that it is intended and attached where it should be.',
  },
  'new-grant': {
    change: 'widening',
    severity: ['low', 'medium'],
    title: 'New access',
    description:
      'New access in an existing policy: an action or resource named in a statement (also an action added to a statement on `Resource: "*"` where another statement allowed it on fewer resources: what changed is the statement\'s actions), a statement added whose action the baseline allowed nowhere (one the baseline allowed on other resources only is `wildcard-resource` through a wildcard), or an action or resource the baseline named for nobody here. Medium when the statement grants it through a wildcard (such as `Resource: "*"`). Check that it is intended.',
  },
  'undecidable-condition': {
    change: 'possible-widening',
    severity: 'medium',
    title: 'Possible new access',
    description:
      "A statement that could not be compared at all (its patterns are too complex to combine): it may widen. A change that can be compared but depends on something acldrift cannot decide (an unknown operator, a key compared both as a string and a number, a template's unresolved value) keeps the rule of what it would be, as a possible widening whose reason says what it depends on. Review the statement by hand.",
  },
  'comparison-truncated': truncationRule('2,000', SPLIT),
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
  'guardrail-tightened': {
    change: 'narrowing',
    severity: 'low',
    title: 'A guardrail permits less',
    description:
      'A service control policy or resource control policy no longer permits a request it did (a Deny added, an Allow narrowed): the accounts under it may no longer do it. Informational.',
  },
  'grant-removed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Access removed',
    description: 'A request the baseline allowed is no longer allowed by any statement. Informational.',
  },
})

export type AwsRule = keyof typeof RULES
