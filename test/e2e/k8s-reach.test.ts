// The hook after `acldrift init` compares only the k8s RBAC files a staged change reaches
// (src/adapters/k8s-rbac/reach.ts): through the built CLI, a change that reaches other files by
// aggregation (a ClusterRole that an aggregating role in another, unchanged file selects, or a
// new label that makes a role aggregated) or by a binding in another file is still found, with
// the finding on the object that grants it. The hook reads from the baseline snapshot only the
// unchanged files the change reaches, found from the skeletons its layout keeps (snapshot-index.ts):
// an agent's widening whose binding, or whose aggregated rule, is in an unchanged file is still
// blocked by the real hook (a Role's or an aggregated ClusterRole's rule, a RoleBinding's role, a
// ClusterRoleBinding's subject).

import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/repo.js'
import {blockedAsClaudeCode, brief, checkJson, commitFiles, repoFactory} from './helpers.js'

const newRepo = repoFactory()
const V1 = 'apiVersion: rbac.authorization.k8s.io/v1'

const aggregator = `${V1}
kind: ClusterRole
metadata:
  name: monitoring
aggregationRule:
  clusterRoleSelectors:
    - matchLabels:
        example.com/aggregate-to-monitoring: "true"
rules: []
`
const binding = (name: string, kind: string, role: string, user: string, ns?: string) => `${V1}
kind: ${kind}
metadata:
  name: ${name}
${ns ? `  namespace: ${ns}\n` : ''}subjects:
  - kind: User
    name: ${user}
    apiGroup: rbac.authorization.k8s.io
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ${kind === 'RoleBinding' ? 'Role' : 'ClusterRole'}
  name: ${role}
`
const child = (name: string, labelled: boolean, verbs: string) => `${V1}
kind: ClusterRole
metadata:
  name: ${name}
${labelled ? '  labels:\n    example.com/aggregate-to-monitoring: "true"\n' : ''}rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [${verbs}]
`
const role = (verbs: string) => `${V1}
kind: Role
metadata:
  name: app
  namespace: shop
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [${verbs}]
`

const files: Record<string, string> = {
  'rbac/aggregator.yaml': aggregator,
  'rbac/bindings/monitoring.yaml': binding('monitoring', 'ClusterRoleBinding', 'monitoring', 'mona'),
  'rbac/children/metrics.yaml': child('metrics-reader', true, 'get'),
  'rbac/children/other.yaml': child('other-reader', false, 'list'),
  'rbac/shop/role.yaml': role('get'),
  'rbac/shop/binding.yaml': binding('app', 'RoleBinding', 'app', 'sam', 'shop'),
  'rbac/unrelated.yaml': `${role('list').replace('shop', 'billing')}---\n${binding('app', 'RoleBinding', 'app', 'bill', 'billing')}`,
}

async function initialised() {
  const r = await newRepo()
  await commitFiles(r, files, 'RBAC')
  const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
  expect(init.code, init.stderr).toBe(0)
  await r.stage()
  await r.commit('Set up acldrift')
  return r
}

describe.concurrent('k8s-rbac: the hook compares what a change reaches', () => {
  it('a verb added to a ClusterRole that an unchanged role aggregates widens what its binding grants', async () => {
    const r = await initialised()
    await r.write('rbac/children/metrics.yaml', child('metrics-reader', true, 'get, delete'))
    await r.stage('rbac/children/metrics.yaml')
    const {code, report, stderr} = await checkJson(r.dir, ['--staged'])
    expect(code, stderr).toBe(1)
    expect(report.findings.map((f) => [f.witness?.subject, f.witness?.verb, f.file])).toEqual([
      ['User:mona', 'delete', 'rbac/children/metrics.yaml'],
    ])
  })

  it('a label that makes another ClusterRole aggregated widens the aggregating role', async () => {
    const r = await initialised()
    await r.write('rbac/children/other.yaml', child('other-reader', true, 'list'))
    await r.stage('rbac/children/other.yaml')
    const {code, report, stderr} = await checkJson(r.dir, ['--staged'])
    expect(code, stderr).toBe(1)
    expect(brief(report.findings)).toEqual(['widening high secrets-read rbac/children/other.yaml:6'])
    expect(report.findings[0]!.witness).toMatchObject({
      subject: 'User:mona',
      resource: 'secrets',
      verb: 'list',
    })
  })

  it("a verb added to a Role is found on its binding's subject, and nothing of the unrelated files", async () => {
    const r = await initialised()
    await r.write('rbac/shop/role.yaml', role('get, delete'))
    await r.stage('rbac/shop/role.yaml')
    const {code, report, stderr} = await checkJson(r.dir, ['--staged'])
    expect(code, stderr).toBe(1)
    expect(report.findings.map((f) => [f.witness?.subject, f.witness?.verb, f.witness?.namespace])).toEqual([
      ['User:sam', 'delete', 'shop'],
    ])
  })

  it('as Claude Code, secrets given to a Role whose binding is in an unchanged file: the real hook blocks the commit', async () => {
    const r = await initialised()
    await blockedAsClaudeCode(
      r,
      {
        path: 'rbac/shop/role.yaml',
        content: `${role('get')}  - apiGroups: [""]\n    resources: [secrets]\n    verbs: [get, list]\n`,
        message: 'Let the shop app read its secrets',
      },
      /User:sam can (get|list) secrets in namespace shop/,
    )
  })

  it('as Claude Code, a RoleBinding pointed at an aggregating ClusterRole whose secrets rule is in an unchanged file: the real hook blocks the commit', async () => {
    const r = await initialised()
    // Only the binding changes; what it now grants comes from aggregator.yaml and, through its
    // selector, children/metrics.yaml: both unchanged, both read from the snapshot.
    await blockedAsClaudeCode(
      r,
      {
        path: 'rbac/shop/binding.yaml',
        content: binding('app', 'RoleBinding', 'app', 'sam', 'shop').replace(
          '  kind: Role\n  name: app\n',
          '  kind: ClusterRole\n  name: monitoring\n',
        ),
        message: 'Point the shop binding at monitoring',
      },
      /User:sam can get secrets in namespace shop/,
    )
  })

  it('as Claude Code, a ClusterRoleBinding given a subject, whose role grants secrets only through an aggregated role in an unchanged file: the real hook blocks the commit', async () => {
    const r = await initialised()
    // Only the binding changes; its role (aggregator.yaml) has no rules of its own: what it grants
    // comes from children/metrics.yaml through the selector, both unchanged. Of the 7 files, the
    // hook reads the binding, its role and the role that aggregates into it.
    await blockedAsClaudeCode(
      r,
      {
        path: 'rbac/bindings/monitoring.yaml',
        content: binding('monitoring', 'ClusterRoleBinding', 'monitoring', 'mona').replace(
          '    apiGroup: rbac.authorization.k8s.io\nroleRef',
          '    apiGroup: rbac.authorization.k8s.io\n  - kind: User\n    name: eve\n    apiGroup: rbac.authorization.k8s.io\nroleRef',
        ),
        message: 'Let eve see the monitoring data',
      },
      /User:eve can get secrets cluster-wide/,
      3,
    )
  })

  it('as Claude Code, secrets deletion given to an aggregated ClusterRole whose aggregating role and binding are in unchanged files: the real hook blocks the commit', async () => {
    const r = await initialised()
    // Of the 7 files, the hook reads the role, the role aggregating it and that role's binding.
    await blockedAsClaudeCode(
      r,
      {
        path: 'rbac/children/metrics.yaml',
        content: child('metrics-reader', true, 'get, delete'),
        message: 'Let the metrics reader clean up secrets',
      },
      /User:mona can delete secrets cluster-wide/,
      3,
    )
  })
})
