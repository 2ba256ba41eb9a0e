// The rules of acldrift ACL findings: each names the cause of a difference (a grant, a group or
// role definition, a deny) and points at it. Severities are raised with the reach of the access:
// critical when the allowing grant covers every subject, at least high when it covers every
// identity of a type or every permission.

import {declareRules, narrowingRule} from '../../kernel/rules.js'
import {truncationRule} from '../../kernel/truncation.js'

const RAISED = ['medium', 'high', 'critical'] as const
const DENY = ['high', 'critical'] as const

/** How an ACL is cut into smaller ones, for a comparison cut short. */
export const SPLIT =
  'split the ACL into several files (each is compared on its own), or grant to groups and roles rather than to many subjects and permissions one by one'

export const RULES = declareRules({
  'grant-added': {
    change: 'widening',
    severity: RAISED,
    title: 'New access',
    description: 'A new allow grant gives access nobody had. Check that it is intended.',
  },
  'grant-widened': {
    change: 'widening',
    severity: RAISED,
    title: 'A grant was widened',
    description:
      'An allow grant (the same `id`, or two of who, what and where kept) now covers more subjects, permissions or resources. Check that it should.',
  },
  'condition-removed': {
    change: 'widening',
    severity: RAISED,
    title: 'A condition was removed',
    description:
      'An allow grant no longer requires a context key it required. Check that the condition is not needed.',
  },
  'condition-relaxed': {
    change: 'widening',
    severity: RAISED,
    title: 'A condition was relaxed',
    description: 'An allow grant’s condition accepts more values. Check that it should.',
  },
  'group-member-added': {
    change: 'widening',
    severity: RAISED,
    title: 'A group gained a member',
    description:
      'A group that a grant names gained a member, directly or through a nested group: the member gets everything the group is granted. Check that they should.',
  },
  'role-permission-added': {
    change: 'widening',
    severity: RAISED,
    title: 'A role gained a permission',
    description: 'A role that a grant names gained a permission: everyone granted the role gets it.',
  },
  'role-inherits': {
    change: 'widening',
    severity: RAISED,
    title: 'A role inherits another',
    description: 'A role that a grant names now inherits another role, and with it its permissions.',
  },
  'deny-removed': {
    change: 'widening',
    severity: DENY,
    title: 'A deny was removed',
    description:
      'A request the baseline explicitly denied is allowed: the deny is gone. Denies are guardrails; restore it unless it is no longer wanted.',
  },
  'deny-narrowed': {
    change: 'widening',
    severity: DENY,
    title: 'A deny was narrowed',
    description: 'A deny covers less (fewer subjects, permissions or resources, or a condition added).',
  },
  'denied-group-member-removed': {
    change: 'widening',
    severity: DENY,
    title: 'A denied group lost a member',
    description: 'A deny names a group that lost a member: the member is no longer denied.',
  },
  'denied-role-permission-removed': {
    change: 'widening',
    severity: DENY,
    title: 'A denied role lost a permission',
    description: 'A deny names a role that lost a permission: the permission is no longer denied.',
  },
  undecidable: {
    change: 'possible-widening',
    severity: RAISED,
    title: 'Possible new access',
    description:
      'The patterns are too complex to compare exactly. Rated as the grant would be if it allowed what it might (critical for every subject, high for every identity of a type or every permission). Review it by hand.',
  },
  'comparison-truncated': truncationRule('2,000', SPLIT),
  'grant-removed': narrowingRule('Access removed', 'An allow grant that gave the access is gone.'),
  'grant-narrowed': narrowingRule('A grant was narrowed', 'An allow grant covers less.'),
  'condition-added': narrowingRule('A condition now restricts', 'An allow grant now requires a condition.'),
  'deny-added': narrowingRule('A deny was added', 'A deny now covers the access.'),
  'group-member-removed': narrowingRule('A group lost a member', 'A group that a grant names lost a member.'),
  'role-permission-removed': narrowingRule(
    'A role lost a permission',
    'A role that a grant names lost a permission.',
  ),
})

export type AclRule = keyof typeof RULES
