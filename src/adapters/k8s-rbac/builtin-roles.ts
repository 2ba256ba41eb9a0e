// The ClusterRoles every cluster has without anyone applying them: the API server creates them at
// start-up from its bootstrap policy. A repository binds them (`admin`, `view`, `system:auth-delegator`)
// and extends the aggregated ones with labelled ClusterRoles of its own, so they are known to exist:
// a binding to one, or a label that feeds one, is exact rather than an unknown role.
//
// Source: kubernetes/kubernetes, plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go
// (ClusterRoles()) and the file its tests check it against,
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml, read at commit
// 025f2834a128798cef30018a5e6a6ae82b5ad885 (master, Kubernetes 1.3x). Kept here in acldrift's own
// form: the aggregated roles (admin, edit, view), the bootstrap roles they aggregate
// (system:aggregate-to-*), cluster-admin, and the small discovery and delegation roles that
// manifests commonly bind. Rules of a role change between Kubernetes releases; a repository that
// holds its cluster's own copy (`kubectl get clusterrole admin -o yaml`) is read instead.
// test/adapters/k8s-rbac/builtin-roles.test.ts checks the data against itself (schema, labels,
// view ⊆ edit ⊆ admin).

import type {RuleJson} from './objects.js'

export const BUILTIN_SOURCE = {
  repository: 'https://github.com/kubernetes/kubernetes',
  files: [
    'plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go',
    'plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml',
  ],
  commit: '025f2834a128798cef30018a5e6a6ae82b5ad885',
  read: '2026-12-06',
} as const

export const AGGREGATE_TO = {
  admin: 'rbac.authorization.k8s.io/aggregate-to-admin',
  edit: 'rbac.authorization.k8s.io/aggregate-to-edit',
  view: 'rbac.authorization.k8s.io/aggregate-to-view',
} as const

export interface BuiltInRole {
  name: string
  /** labels beyond `kubernetes.io/bootstrapping: rbac-defaults` */
  labels: Record<string, string>
  /** the label keys (value "true") its aggregationRule selects, one selector each */
  aggregates?: string[]
  rules: RuleJson[] | null
}

const R = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): RuleJson =>
  resourceNames === undefined ? {apiGroups, resources, verbs} : {apiGroups, resources, verbs, resourceNames}
const URLS = (nonResourceURLs: string[], verbs: string[]): RuleJson => ({nonResourceURLs, verbs})

const READ = ['get', 'list', 'watch']
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update']
const ALL = [...WRITE, ...READ].sort()

export const BUILTIN_CLUSTER_ROLES: readonly BuiltInRole[] = [
  {
    name: 'cluster-admin',
    labels: {},
    rules: [R(['*'], ['*'], ['*']), URLS(['*'], ['*'])],
  },
  {name: 'admin', labels: {}, aggregates: [AGGREGATE_TO.admin], rules: null},
  {name: 'edit', labels: {[AGGREGATE_TO.admin]: 'true'}, aggregates: [AGGREGATE_TO.edit], rules: null},
  {name: 'view', labels: {[AGGREGATE_TO.edit]: 'true'}, aggregates: [AGGREGATE_TO.view], rules: null},
  {
    name: 'system:aggregate-to-admin',
    labels: {[AGGREGATE_TO.admin]: 'true'},
    rules: [
      R(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
      R(['rbac.authorization.k8s.io'], ['rolebindings', 'roles'], ALL),
    ],
  },
  {
    name: 'system:aggregate-to-edit',
    labels: {[AGGREGATE_TO.edit]: 'true'},
    rules: [
      R(
        [''],
        ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'],
        READ,
      ),
      R([''], ['serviceaccounts'], ['impersonate']),
      R([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], WRITE),
      R([''], ['pods/eviction'], ['create']),
      R(
        [''],
        [
          'configmaps',
          'events',
          'persistentvolumeclaims',
          'replicationcontrollers',
          'replicationcontrollers/scale',
          'secrets',
          'serviceaccounts',
          'services',
          'services/proxy',
        ],
        WRITE,
      ),
      R([''], ['serviceaccounts/token'], ['create']),
      R(
        ['apps'],
        [
          'daemonsets',
          'deployments',
          'deployments/rollback',
          'deployments/scale',
          'replicasets',
          'replicasets/scale',
          'statefulsets',
          'statefulsets/scale',
        ],
        WRITE,
      ),
      R(['autoscaling'], ['horizontalpodautoscalers'], WRITE),
      R(['batch'], ['cronjobs', 'jobs'], WRITE),
      R(
        ['extensions'],
        [
          'daemonsets',
          'deployments',
          'deployments/rollback',
          'deployments/scale',
          'ingresses',
          'networkpolicies',
          'replicasets',
          'replicasets/scale',
          'replicationcontrollers/scale',
        ],
        WRITE,
      ),
      R(['policy'], ['poddisruptionbudgets'], WRITE),
      R(['networking.k8s.io'], ['ingresses', 'networkpolicies'], WRITE),
      R(['coordination.k8s.io'], ['leases'], ALL),
    ],
  },
  {
    name: 'system:aggregate-to-view',
    labels: {[AGGREGATE_TO.view]: 'true'},
    rules: [
      R(
        [''],
        [
          'configmaps',
          'endpoints',
          'persistentvolumeclaims',
          'persistentvolumeclaims/status',
          'pods',
          'replicationcontrollers',
          'replicationcontrollers/scale',
          'serviceaccounts',
          'services',
          'services/status',
        ],
        READ,
      ),
      R(
        [''],
        [
          'bindings',
          'events',
          'limitranges',
          'namespaces/status',
          'pods/log',
          'pods/status',
          'replicationcontrollers/status',
          'resourcequotas',
          'resourcequotas/status',
        ],
        READ,
      ),
      R([''], ['namespaces'], READ),
      R(['discovery.k8s.io'], ['endpointslices'], READ),
      R(
        ['apps'],
        [
          'controllerrevisions',
          'daemonsets',
          'daemonsets/status',
          'deployments',
          'deployments/scale',
          'deployments/status',
          'replicasets',
          'replicasets/scale',
          'replicasets/status',
          'statefulsets',
          'statefulsets/scale',
          'statefulsets/status',
        ],
        READ,
      ),
      R(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], READ),
      R(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], READ),
      R(
        ['extensions'],
        [
          'daemonsets',
          'daemonsets/status',
          'deployments',
          'deployments/scale',
          'deployments/status',
          'ingresses',
          'ingresses/status',
          'networkpolicies',
          'replicasets',
          'replicasets/scale',
          'replicasets/status',
          'replicationcontrollers/scale',
        ],
        READ,
      ),
      R(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], READ),
      R(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], READ),
    ],
  },
  {
    name: 'system:auth-delegator',
    labels: {},
    rules: [
      R(['authentication.k8s.io'], ['tokenreviews'], ['create']),
      R(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
    ],
  },
  {
    name: 'system:basic-user',
    labels: {},
    rules: [
      R(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']),
      R(['authentication.k8s.io'], ['selfsubjectreviews'], ['create']),
    ],
  },
  {
    name: 'system:discovery',
    labels: {},
    rules: [
      URLS(
        [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/openapi',
          '/openapi/*',
          '/readyz',
          '/version',
          '/version/',
        ],
        ['get'],
      ),
    ],
  },
  {
    name: 'system:monitoring',
    labels: {},
    rules: [
      URLS(
        ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'],
        ['get'],
      ),
    ],
  },
  {
    name: 'system:public-info-viewer',
    labels: {},
    rules: [URLS(['/healthz', '/livez', '/readyz', '/version', '/version/'], ['get'])],
  },
  {
    name: 'system:service-account-issuer-discovery',
    labels: {},
    rules: [URLS(['/.well-known/openid-configuration', '/openid/v1/jwks'], ['get'])],
  },
]

/** A built-in role as the API server stores it (the shape `kubectl get clusterrole -o yaml` prints). */
export function builtInObject(role: BuiltInRole): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name: role.name,
      labels: {'kubernetes.io/bootstrapping': 'rbac-defaults', ...role.labels},
      annotations: {'rbac.authorization.kubernetes.io/autoupdate': 'true'},
    },
    ...(role.aggregates === undefined
      ? {}
      : {
          aggregationRule: {
            clusterRoleSelectors: role.aggregates.map((key) => ({matchLabels: {[key]: 'true'}})),
          },
        }),
    rules: role.rules,
  }
}
