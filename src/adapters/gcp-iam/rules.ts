// The rules of GCP IAM findings: bindings of allow policies, the custom roles they grant, and
// audit logging (not access, but less of it hides access that happens).

import {declareRules} from '../../kernel/rules.js'
import {truncationRule} from '../../kernel/truncation.js'

/** How a policy is cut into smaller ones, for a comparison cut short. */
export const SPLIT =
  'grant to groups rather than to many members one by one (a group is one member to compare)'

export const RULES = declareRules({
  'public-member': {
    change: 'widening',
    severity: 'critical',
    title: 'Public access',
    description:
      '`allUsers` (anyone on the internet, anonymous callers included) or `allAuthenticatedUsers` (any signed-in Google account) now holds a role or permission on the resource. Unless the resource is meant to be public, bind the members that need it.',
  },
  'basic-role': {
    change: 'widening',
    severity: ['high', 'medium'],
    title: 'A basic role grants more',
    description:
      '`roles/owner` or `roles/editor` (high) or `roles/viewer` (medium) is granted to a member that did not hold it: thousands of permissions across every service of the project. Grant a predefined or custom role that fits instead.',
  },
  'privilege-escalation': {
    change: 'widening',
    severity: 'high',
    title: 'Privilege escalation',
    description:
      'The new grant lets its holder gain more access (`setIamPolicy`, service account impersonation or key creation, role administration, …). Check that the member must change who holds what.',
  },
  'condition-removed': {
    change: 'widening',
    severity: 'medium',
    title: 'A condition was removed',
    description:
      'The baseline granted the same member the same role only under an IAM condition; now it holds without one. Check that the condition (an expiry, a resource prefix) is no longer needed.',
  },
  'condition-relaxed': {
    change: 'widening',
    severity: 'medium',
    title: 'A condition was relaxed',
    description:
      'The binding’s condition now accepts requests the baseline’s did not (a later expiry, a broader resource prefix). Check that it should.',
  },
  'new-member': {
    change: 'widening',
    severity: 'medium',
    title: 'Access extended to another member',
    description:
      'A role the baseline granted to others is now granted to another member too. Check that it needs it.',
  },
  'new-grant': {
    change: 'widening',
    severity: 'low',
    title: 'New access',
    description: 'Any other new grant. Check that it is intended.',
  },
  'custom-role-widened': {
    change: 'widening',
    severity: 'medium',
    title: 'A custom role grants more',
    description:
      'A custom role defined in the repository gained a permission (or was enabled), so every binding to it grants more. The finding is in the role’s file, with the policy it widens as the witness’s resource.',
  },
  'custom-role-undefined': {
    change: 'possible-widening',
    severity: 'medium',
    title: 'A custom role is no longer defined',
    description:
      'A custom role a binding refers to is no longer defined in the repository, so what it grants cannot be checked. Keep its definition in the repository.',
  },
  'undecidable-condition': {
    change: 'possible-widening',
    severity: ['medium', 'high', 'critical'],
    title: 'Possible new access',
    description:
      'The grant depends on an IAM condition acldrift cannot interpret (anything beyond comparisons of `request.time`, `resource.name|type|service` and `request.host|path`); the expression is quoted in the reason. Its severity is the one the grant would have if the condition held (critical for a public member, high for a basic or escalation role): a condition acldrift cannot interpret never lowers it. Review it by hand.',
  },
  'comparison-truncated': truncationRule('2,000', SPLIT),
  'audit-logging-reduced': {
    change: 'possible-widening',
    severity: 'low',
    title: 'Audit logging reduced',
    description:
      'An `auditConfigs` entry records less: a log type switched off, or a member exempted. Access is unchanged, but requests that were recorded no longer are. Keep the logs unless they are not needed.',
  },
  'condition-added': {
    change: 'narrowing',
    severity: 'low',
    title: 'A condition now restricts',
    description: 'A grant now holds only under a condition. Informational.',
  },
  'grant-removed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Access removed',
    description: 'A member no longer holds a role or permission. Informational.',
  },
  'custom-role-narrowed': {
    change: 'narrowing',
    severity: 'low',
    title: 'A custom role grants less',
    description: 'A custom role lost a permission (or was disabled or deleted). Informational.',
  },
})

export type GcpRule = keyof typeof RULES
