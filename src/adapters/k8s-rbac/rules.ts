// The rules of Kubernetes RBAC findings. A widening is named after the riskiest request it
// allows (the lists of rbac-police and KubiScan); a narrowing after the object that changed.

import {declareRules} from '../../kernel/rules.js'
import {truncationRule} from '../../kernel/truncation.js'

/** How a role is cut into smaller ones, for a comparison cut short. */
export const SPLIT =
  'split the role’s rule into several rules, or the role into several roles, each naming fewer resources and verbs'

export const RULES = declareRules({
  'public-subject': {
    change: 'widening',
    severity: 'critical',
    title: 'Access for anyone who can reach the API server',
    description:
      'A grant to `system:anonymous`, `system:unauthenticated` or `system:authenticated`: anonymous callers, or every identity the cluster accepts (any service account of any namespace), get the access. Bind a named user, group or service account instead.',
  },
  'cluster-admin': {
    change: 'widening',
    severity: 'critical',
    title: 'Cluster-admin access',
    description:
      'Every verb on every resource of every API group, cluster-wide (`cluster-admin` or a rule equivalent to it). Grant the verbs and resources needed, in the namespaces needed.',
  },
  'namespace-admin': {
    change: 'widening',
    severity: 'high',
    title: 'Full access to a namespace',
    description:
      'Every verb on every resource in a namespace, through a RoleBinding: its holder can read its secrets and run anything there. Grant what is needed.',
  },
  'secrets-read': {
    change: 'widening',
    severity: 'high',
    title: 'Secrets can be read',
    description:
      '`get`, `list` or `watch` on `secrets`: the holder reads every credential stored there (service account tokens included). Limit it with `resourceNames`, or do without.',
  },
  'pod-exec': {
    change: 'widening',
    severity: 'high',
    title: 'Commands can be run in pods',
    description:
      '`create` (or `get`) on `pods/exec` or `pods/attach`: the holder runs commands with the pods’ own identity and secrets.',
  },
  escalate: {
    change: 'widening',
    severity: 'high',
    title: 'Privilege escalation (escalate)',
    description:
      '`escalate` on roles or clusterroles: the holder can write roles that grant more than it holds itself.',
  },
  bind: {
    change: 'widening',
    severity: 'high',
    title: 'Privilege escalation (bind)',
    description:
      '`bind` on roles or clusterroles: the holder can bind any role, to itself too, whatever it holds.',
  },
  impersonate: {
    change: 'widening',
    severity: 'high',
    title: 'Impersonation',
    description:
      '`impersonate` on users, groups, service accounts (or their extras): the holder acts as anyone it may impersonate.',
  },
  'node-proxy': {
    change: 'widening',
    severity: 'high',
    title: 'Node proxy access',
    description:
      '`nodes/proxy`: the kubelet API of every node, past the API server’s authorization and audit.',
  },
  'token-request': {
    change: 'widening',
    severity: 'high',
    title: 'Service account tokens can be requested',
    description:
      '`create` on `serviceaccounts/token`: the holder mints tokens of service accounts and acts as them.',
  },
  'webhook-config': {
    change: 'widening',
    severity: 'high',
    title: 'Admission webhooks can be changed',
    description:
      'Writes to validating or mutating webhook configurations: the holder can see or rewrite every object the cluster admits.',
  },
  'csr-approval': {
    change: 'widening',
    severity: 'high',
    title: 'Certificate signing requests can be approved',
    description:
      '`update` or `patch` on `certificatesigningrequests/approval`: the holder can approve client certificates for any identity.',
  },
  wildcard: {
    change: 'widening',
    severity: 'high',
    title: 'A wildcard grants more',
    description:
      '`*` in verbs, resources or apiGroups grants a request the baseline did not allow, and whatever the cluster adds later. List what is needed.',
  },
  'broad-subject': {
    change: 'widening',
    severity: 'high',
    title: 'Access for every service account (of a namespace or of the cluster)',
    description:
      'A grant to `system:serviceaccounts` or `system:serviceaccounts:<namespace>`: every workload there holds the access. Bind the service account that needs it.',
  },
  aggregation: {
    change: 'widening',
    severity: 'medium',
    title: 'An aggregated ClusterRole grants more',
    description:
      'A ClusterRole’s labels now match another ClusterRole’s `aggregationRule` (or its selectors now match them): the aggregate, and everyone bound to it, gets its rules. Check the labels and selectors.',
  },
  'scope-widened': {
    change: 'widening',
    severity: 'medium',
    title: 'Access extended to more namespaces',
    description:
      'A new binding or subject entry gives a subject access it had in another namespace (or in one namespace) in more namespaces (or cluster-wide). Check that it needs it there.',
  },
  'new-subject': {
    change: 'widening',
    severity: 'medium',
    title: 'Access extended to another subject',
    description:
      'A new binding or subject entry gives a subject exactly the access another subject had. Check that it needs it.',
  },
  'new-grant': {
    change: 'widening',
    severity: 'low',
    title: 'New access',
    description:
      'Any other new access: a new binding or subject entry that gives what no one had, or a role’s rules, labels or selectors that grant more (whoever else had the same). Check that it is intended.',
  },
  'unknown-role': {
    change: 'possible-widening',
    severity: 'medium',
    title: 'Possible new access',
    description:
      'A binding refers to a role the repository does not define: what it grants is unknown, so acldrift cannot say whether access grows. Define the role in the repository, or review it by hand.',
  },
  'comparison-truncated': truncationRule('2,000 (per rule of a role, for one subject)', SPLIT),
  'binding-removed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Access removed',
    description: 'A binding was removed. Informational.',
  },
  'subject-removed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Access removed',
    description: 'A subject was removed from a binding. Informational.',
  },
  'role-ref-changed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Access removed',
    description: 'A binding refers to another role, which grants less. Informational.',
  },
  'role-definition-changed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Access removed',
    description: 'The role a binding refers to is no longer defined as it was. Informational.',
  },
  'role-removed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Access removed',
    description: 'A role was removed. Informational.',
  },
  'aggregation-narrowed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Access removed',
    description: 'An aggregated ClusterRole no longer takes in another’s rules. Informational.',
  },
  'rule-narrowed': {
    change: 'narrowing',
    severity: 'low',
    title: 'Access removed',
    description: 'A rule of a role grants less. Informational.',
  },
})

export type RbacRule = keyof typeof RULES
