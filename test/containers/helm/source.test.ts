// Where a chart's rendered RBAC objects are written: `helm template` puts a `---` line and a
// `# Source: <chart name>/<path in the chart>` comment before every document it renders
// (https://helm.sh/docs/chart_template_guide/getting_started/), which names the template in the
// chart's folder, a vendored sub-chart's under `charts/<name>/`. The finding stays at the chart's
// `name` line; `renderedFrom` is the template, at the line of the object's literal `kind:`, else
// line 1. helm is not on this machine: the output below is recorded in that documented shape.

import {describe, expect, it} from 'vitest'
import {helm} from '../../../src/containers/helm/index.js'
import {parseFile} from '../../../src/kernel/parse.js'
import {memorySource} from '../../helpers/memory-source.js'

// The folder is not the chart's name: helm's comment names the chart, the file is in the folder.
const CHART = 'deploy/chart/Chart.yaml'

const FILES: Record<string, string> = {
  [CHART]: 'apiVersion: v2\nname: shop\nversion: 0.1.0\n',
  'deploy/chart/values.yaml': 'rbac:\n  create: true\n',
  'deploy/chart/templates/rbac.yaml': `{{- if .Values.rbac.create }}
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ include "shop.fullname" . }}
rules:
  {{- toYaml .Values.rbac.rules | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ include "shop.fullname" . }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ include "shop.fullname" . }}
subjects:
  - kind: ServiceAccount
    name: {{ include "shop.fullname" . }}
{{- end }}
`,
  // Two ClusterRoles in one template, told apart by the literal part of their names.
  'deploy/chart/templates/clusterroles.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: "{{ .Release.Name }}-reader"
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .Release.Name }}-admin # the on-call's
rules: []
`,
  // One kind line, several objects (a range): each is at that line.
  'deploy/chart/charts/metrics/templates/roles.yaml': `{{- range .Values.namespaces }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: "Role"
metadata:
  name: metrics
  namespace: {{ . }}
rules: []
{{- end }}
`,
  // The kind is not written literally: line 1 of the template.
  'deploy/chart/templates/any.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: {{ .Values.extraKind }}
metadata:
  name: extra
rules: []
`,
}

/** `helm template release deploy/chart` as helm prints it. */
const RENDERED = `---
# Source: shop/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: release-shop
---
# Source: shop/templates/clusterroles.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: "release-reader"
rules: []
---
# Source: shop/templates/clusterroles.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: release-admin # the on-call's
rules: []
---
# Source: shop/templates/any.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: extra
rules: []
---
# Source: shop/templates/rbac.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: release-shop
rules:
  - apiGroups:
    - ""
    resources:
    - configmaps
    verbs:
    - get
---
# Source: shop/templates/rbac.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: release-shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: release-shop
subjects:
  - kind: ServiceAccount
    name: release-shop
---
# Source: shop/charts/metrics/templates/roles.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: "Role"
metadata:
  name: metrics
  namespace: web
rules: []
---
# Source: shop/charts/metrics/templates/roles.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: "Role"
metadata:
  name: metrics
  namespace: jobs
rules: []
---
# Source: shop/charts/packaged/templates/role.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: packaged
rules: []
`

async function extracted(rendered = RENDERED) {
  const parsed = parseFile({path: CHART, content: Buffer.from(FILES[CHART]!)}, 'yaml')
  const {documents} = await helm.extract(parsed, memorySource(FILES), rendered)
  return new Map(documents.map((d) => [d.name, d.sourceMap.locate('/rules')]))
}

/** Each object's `renderedFrom`, as `file:line`. */
async function renderedFrom(): Promise<Map<string, string | undefined>> {
  const at = await extracted()
  return new Map(
    [...at].map(([name, position]) => {
      const from = position?.renderedFrom
      return [name, from && `${from.file}:${from.line}`]
    }),
  )
}

const CHART_NAME = {line: 2, column: 7}

describe("a chart's rendered objects, located at their templates", () => {
  it("each object stays at the chart's name line, and is rendered from the template its # Source: comment names", async () => {
    const at = await extracted()
    expect([...at.keys()]).toEqual([
      'ClusterRole/release-reader',
      'ClusterRole/release-admin',
      'ClusterRole/extra',
      'Role/(namespace not set)/release-shop',
      'RoleBinding/(namespace not set)/release-shop',
      'Role/web/metrics',
      'Role/jobs/metrics',
      'ClusterRole/packaged',
    ])
    expect(at.get('Role/(namespace not set)/release-shop')).toEqual({
      ...CHART_NAME,
      renderedFrom: {file: 'deploy/chart/templates/rbac.yaml', line: 3},
    })
    // The RoleBinding's roleRef writes `kind: Role` too, indented: not the Role's line.
    expect((await renderedFrom()).get('RoleBinding/(namespace not set)/release-shop')).toBe(
      'deploy/chart/templates/rbac.yaml:10',
    )
  })

  it('two objects of one kind in a template are told apart by the literal part of their names', async () => {
    const from = await renderedFrom()
    expect(from.get('ClusterRole/release-reader')).toBe('deploy/chart/templates/clusterroles.yaml:2')
    expect(from.get('ClusterRole/release-admin')).toBe('deploy/chart/templates/clusterroles.yaml:8')
  })

  it("a vendored sub-chart's template is under charts/<name>/; one kind line that renders several objects is each one's", async () => {
    const from = await renderedFrom()
    expect(from.get('Role/web/metrics')).toBe('deploy/chart/charts/metrics/templates/roles.yaml:4')
    expect(from.get('Role/jobs/metrics')).toBe('deploy/chart/charts/metrics/templates/roles.yaml:4')
  })

  it("a kind the template does not write literally is at the template's line 1; a template that is no file of the folder gives no renderedFrom", async () => {
    expect((await renderedFrom()).get('ClusterRole/extra')).toBe('deploy/chart/templates/any.yaml:1')
    expect((await extracted()).get('ClusterRole/packaged')).toEqual(CHART_NAME)
  })

  it('output without # Source: comments (or a document after a --- with none) names no template', async () => {
    const at = await extracted(RENDERED.replace(/^# Source: .*\n/gm, ''))
    expect(at.get('Role/(namespace not set)/release-shop')).toEqual(CHART_NAME)
  })
})
