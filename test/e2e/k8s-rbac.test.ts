// Kubernetes RBAC end to end: the built CLI in real git repositories without a config file, so
// that RBAC manifests are recognised by content among other YAML. A binding to
// system:authenticated must be a critical widening blamed on the commit that made it, and the
// pre-commit check must resolve a RoleBinding against a Role that lives in another, unchanged file.

import {describe, expect, it} from 'vitest'
import {identities, runCli, type TestRepo} from '../helpers/repo.js'
import {brief, checkJson, commitFiles, type Finding, repoFactory} from './helpers.js'

const newRepo = repoFactory()

const ROLES_FILE = 'deploy/rbac/cluster-roles.yaml'
const BINDINGS_FILE = 'deploy/rbac/bindings.yaml'

const clusterRoles = `# Read-only access to application configuration.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: config-reader
rules:
  - apiGroups: [""]
    resources: ["configmaps", "secrets"]
    verbs: ["get", "list", "watch"]
`

const bindingFor = (extraSubject: string) => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: config-sync
  namespace: platform
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: config-reader
subjects:
  - kind: ServiceAccount
    name: config-sync
    namespace: platform
${extraSubject}roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: config-reader
`

const AUTHENTICATED = `  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: system:authenticated
`

/** YAML that is no RBAC: detection by content must not take it for RBAC (it is a github-actions workflow). */
const workflow = `name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm test
`

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1

async function approved(r: TestRepo): Promise<string> {
  return commitFiles(
    r,
    {[ROLES_FILE]: clusterRoles, [BINDINGS_FILE]: bindingFor(''), '.github/workflows/ci.yml': workflow},
    'Add config-sync service account and its read access',
  )
}

const find = (findings: Finding[], rule: string) => findings.find((f) => f.rule === rule)

describe.concurrent('k8s-rbac end to end', () => {
  it('a binding to system:authenticated is a critical widening, blamed on the agent commit that made it', async () => {
    const r = await newRepo()
    const base = await approved(r)
    const target = bindingFor(AUTHENTICATED)
    await r.write(BINDINGS_FILE, target)
    await r.stage(BINDINGS_FILE)
    const agentCommit = await r.commit(
      identities.claudeCode.message('Fix forbidden error when web pods read feature flags'),
      identities.claudeCode,
    )
    // A later human commit reformats that very file (and touches the other one): line blame
    // would name it; semantic blame must still name the agent's commit.
    const reformatted = `# Owned by the platform team.\n${target.replace(/"/g, "'")}`
    await commitFiles(
      r,
      {
        [BINDINGS_FILE]: reformatted,
        [ROLES_FILE]: clusterRoles.replace('# Read-only', '# Read-only (reviewed)'),
      },
      'Comment the RBAC manifests',
    )

    const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', base])
    expect(code, stderr).toBe(1)
    expect(report.errors).toEqual([])
    // The two RBAC files and the workflow.
    expect(report.summary.documents).toBe(3)
    const widenings = report.findings.filter((f) => f.change !== 'narrowing')
    expect(brief(widenings)).toEqual([
      `widening critical public-subject ${BINDINGS_FILE}:${lineOf(reformatted, 'system:authenticated') - 2}`,
    ])
    const f = find(report.findings, 'public-subject')!
    expect(f).toMatchObject({
      kind: 'k8s-rbac',
      file: BINDINGS_FILE,
      pointer: '/1/subjects/1',
      severity: 'critical',
      witness: {subject: 'Group:system:authenticated', apiGroup: '', resource: 'secrets'},
    })
    expect(f.witness).not.toHaveProperty('namespace')
    expect(f.message).toMatch(/system:authenticated/)
    const commit = f.commit as {sha: string; actor: {type: string; agent?: string}}
    expect(commit.sha).toBe(agentCommit)
    expect(commit.actor.type).toBe('agent')
    expect(commit.actor.agent).toBe('Claude Code')
  })

  it('check --staged resolves a changed RoleBinding against a Role in another, unchanged file', async () => {
    const r = await newRepo()
    const roles = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: config-reader
  namespace: orders
rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "list"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: secret-reader
  namespace: orders
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get"]
`
    const binding = (role: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: orders-api
  namespace: orders
subjects:
  - kind: ServiceAccount
    name: orders-api
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: ${role}
`
    await commitFiles(
      r,
      {'k8s/roles.yaml': roles, 'k8s/orders-api.yaml': binding('config-reader')},
      'Orders API',
    )
    await r.write('k8s/orders-api.yaml', binding('secret-reader'))
    await r.stage('k8s/orders-api.yaml')

    const {code, report, stderr} = await checkJson(r.dir, ['--staged'])
    expect(code, stderr).toBe(1)
    expect(report.target.source).toBe('staged')
    const widening = find(report.findings, 'secrets-read')
    expect(widening, brief(report.findings).join('\n')).toMatchObject({
      kind: 'k8s-rbac',
      file: 'k8s/orders-api.yaml',
      line: 10,
      pointer: '/roleRef',
      change: 'widening',
      severity: 'high',
      witness: {
        subject: 'ServiceAccount:orders:orders-api',
        verb: 'get',
        resource: 'secrets',
        namespace: 'orders',
      },
    })
    expect((widening!.commit as {pending?: boolean}).pending).toBe(true)
    expect(find(report.findings, 'role-ref-changed')).toMatchObject({
      change: 'narrowing',
      file: 'k8s/orders-api.yaml',
    })

    // The same change without the Role file in the repository would be a possible widening:
    // the role is then unknown, and acldrift says so rather than passing.
    expect(report.findings.every((f) => f.change !== 'possible-widening')).toBe(true)
  })

  it('a custom verb is read as the API server reads it; a misspelt key still fails closed (exit 3)', async () => {
    const r = await newRepo()
    await approved(r)
    await r.write(ROLES_FILE, clusterRoles.replace('"watch"]', '"watch", "frobnicate"]'))
    expect((await runCli(['validate'], {cwd: r.dir})).code).toBe(0)
    const {report} = await checkJson(r.dir)
    expect(brief(report.findings)).toEqual([
      `widening low new-grant ${ROLES_FILE}:${lineOf(clusterRoles, '- apiGroups')}`,
    ])
    expect(report.findings[0]!.witness).toMatchObject({verb: 'frobnicate'})

    await r.write(ROLES_FILE, clusterRoles.replace('verbs:', 'verb:'))
    const result = await runCli(['validate'], {cwd: r.dir})
    expect(result.code, result.stdout + result.stderr).toBe(3)
    expect(result.stdout + result.stderr).toContain(`${ROLES_FILE}:${lineOf(clusterRoles, 'verbs')}:`)
  })
})
