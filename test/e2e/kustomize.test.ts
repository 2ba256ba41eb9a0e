// A kustomize repository in the layout of kustomize's own examples (a base, a component, an
// overlay per environment: https://kubectl.docs.kubernetes.io/guides/introduction/kustomize/ and
// https://kubectl.docs.kubernetes.io/guides/config_management/components/), through the built CLI
// with acldrift's git hooks and the kubectl on PATH. An AI agent widens a ClusterRole only through
// the prod overlay's JSON 6902 patch — no RBAC file changes — and the hook blocks it, naming the
// patch's line (where the change is written), the overlay and the rendered role, rendering only that overlay (the others, from the baseline
// snapshot, still count: another overlay's binding of the role is reported); committed anyway, `audit` blames the patch commit, not a later
// edit. An agent's new rule in the base role, which two overlays render, is named at its line in
// the base file in each overlay's finding, and attributed to that commit. A remote base is "not read" with its reason and never fetched, and an overlay that held
// RBAC and is made unrenderable (a remote base added) fails closed; without kubectl on PATH,
// every overlay that can render RBAC is "not read: kubectl not installed" (one whose inputs name no
// RBAC object needs no render), without helm every chart "not read: helm not installed" (in the
// hook too when only a values file the config names for it changed, outside its folder), and
// nothing fails.

import {readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {delimiter, join} from 'node:path'
import {describe, expect, it, onTestFinished} from 'vitest'
import {identities, makeTempDir, runCli, runHermetic, type RunResult, type TestRepo} from '../helpers/repo.js'
import {commitFiles, dump, expectValidReport, git, lineOf, repoFactory, type Report} from './helpers.js'

const newRepo = repoFactory()
const SLOW = 240_000
const OVERLAY = 'deploy/overlays/prod/kustomization.yaml'
const PATCH = 'deploy/overlays/prod/pod-reader-verbs.yaml'
/** A base of another repository, as kustomize's remote targets are written. */
const REMOTE_BASE = 'https://github.com/kubernetes-sigs/kustomize//examples/multibases/base?ref=v5.4.0'

const base = {
  'deploy/base/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - service-account.yaml
  - pod-reader.yaml
`,
  'deploy/base/service-account.yaml': `apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: app
`,
  'deploy/base/pod-reader.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: pod-reader
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: app-pod-reader
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: pod-reader
subjects:
  - kind: ServiceAccount
    name: app
    namespace: app
`,
  'deploy/components/metrics/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources:
  - metrics-reader.yaml
`,
  'deploy/components/metrics/metrics-reader.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: metrics-reader
rules:
  - nonResourceURLs: ["/metrics"]
    verbs: ["get"]
`,
}

/**
 * Another team's overlay that binds the prod role to its on-call group, which only its patch
 * names: the group's access comes from this overlay's render alone, and the commit never touches it.
 * The patch is a strategic-merge patch, a partial ClusterRoleBinding (no roleRef), named only by
 * the kustomization's `patches` (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/).
 */
const SUBJECT_PATCH = 'deploy/overlays/oncall/subject.yaml'
function subjectPatch(group: string): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: oncall-pod-reader
subjects:
  - kind: Group
    name: ${group}
    apiGroup: rbac.authorization.k8s.io
`
}

const oncall = {
  'deploy/overlays/oncall/kustomization.yaml': `resources:
  - binding.yaml
patches:
  - path: subject.yaml
`,
  'deploy/overlays/oncall/binding.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: oncall-pod-reader
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: prod-pod-reader
subjects:
  - kind: Group
    name: placeholder
`,
  'deploy/overlays/oncall/subject.yaml': subjectPatch('oncall'),
}

/** A second environment that renders the base as it is. */
const STAGING = 'deploy/overlays/staging/kustomization.yaml'
const staging = `resources:
  - ../../base
namePrefix: staging-
`

const overlay = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: prod-
resources:
  - ../../base
components:
  - ../../components/metrics
patches:
  - path: pod-reader-verbs.yaml
    target:
      kind: ClusterRole
      name: pod-reader
`

/** A JSON 6902 patch of the base role's verbs (a list of operations: not an RBAC file of its own). */
const verbsPatch = (verbs: string) => `- op: replace
  path: /rules/0/verbs
  value: ${verbs}
`

async function audit(r: TestRepo): Promise<Report> {
  const result = await runCli(['audit', '--format', 'json'], {cwd: r.dir})
  expect(result.code, dump(result)).toBe(1)
  const report: unknown = JSON.parse(result.stdout)
  expectValidReport(report)
  return report
}

describe('a kustomize repository guarded by acldrift', () => {
  it(
    'an agent widening a ClusterRole only through an overlay patch is blocked by the hook and attributed by the audit to the patch commit',
    async () => {
      const r = await newRepo()
      await commitFiles(
        r,
        {
          ...base,
          ...oncall,
          [OVERLAY]: overlay,
          [PATCH]: verbsPatch('["get", "list", "watch"]'),
          [STAGING]: staging,
        },
        'Deploy the app',
      )
      const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
      expect(init.code, dump(init)).toBe(0)
      await r.stage()
      expect((await git(r, {}, 'commit', '-m', 'Set up acldrift')).code).toBe(0)

      // The overlay is read through its render: the prod roles, named by overlay and identity.
      const checked = await runCli(['check', '--format', 'json'], {cwd: r.dir})
      expect(checked.code, dump(checked)).toBe(0)
      const coverage = (JSON.parse(checked.stdout) as Report & {coverage: {read: unknown[]}}).coverage
      expect(coverage.read).toContainEqual({
        file: OVERLAY,
        kind: 'k8s-rbac',
        format: 'kustomize',
        by: 'content',
      })
      // The strategic-merge patch is no RBAC file of its own (no roleRef): not read, and why.
      expect((coverage as unknown as {notRead: unknown[]}).notRead).toContainEqual({
        file: SUBJECT_PATCH,
        recognisedAs: 'kustomize-patch',
        why: expect.stringContaining('read only through the overlays that use it'),
      })
      const validated = await runCli(['validate'], {cwd: r.dir})
      expect(validated.code, dump(validated)).toBe(0)

      // An agent widens the on-call binding to every authenticated user, in that patch alone.
      await r.write(SUBJECT_PATCH, subjectPatch('system:authenticated'))
      await r.stage(SUBJECT_PATCH)
      const widen = identities.claudeCode.message('Let everyone read pods')
      const everyone = await git(r, {CLAUDECODE: '1'}, 'commit', '-m', widen)
      expect(everyone.code, dump(everyone)).not.toBe(0)
      expect(everyone.stderr).toMatch(/Group:system:authenticated can get pods/)
      // Named where the subject is written: the patch's subject, in the overlay's render.
      expect(everyone.stderr).toContain(
        `${SUBJECT_PATCH}:${lineOf(subjectPatch('system:authenticated'), '- kind: Group')} (ClusterRoleBinding/oncall-pod-reader, rendered by deploy/overlays/oncall/kustomization.yaml:2)`,
      )
      expect(everyone.stderr).toContain('acldrift: commit blocked')
      await r.git('checkout', 'HEAD', '--', SUBJECT_PATCH)

      // The agent lets the app delete pods, in the patch alone.
      await r.write(PATCH, verbsPatch('["get", "list", "watch", "delete"]'))
      await r.stage(PATCH)
      const message = identities.claudeCode.message('Let the app restart its pods')
      // kubectl on PATH through a wrapper that logs what it is asked to render.
      const bin = await makeTempDir('acldrift-kubectl-')
      onTestFinished(() => rm(bin, {recursive: true, force: true}))
      const kubectl = (await runHermetic('sh', ['-c', 'command -v kubectl'], {cwd: r.dir})).stdout.trim()
      await writeFile(
        join(bin, 'kubectl'),
        `#!/bin/sh\necho "$*" >> '${join(bin, 'log')}'\nexec '${kubectl}' "$@"\n`,
        {mode: 0o755},
      )
      const blocked = await git(
        r,
        {CLAUDECODE: '1', PATH: `${bin}${delimiter}${process.env.PATH}`},
        'commit',
        '-m',
        message,
      )
      expect(blocked.code, dump(blocked)).not.toBe(0)
      // Only the overlay that reads the patch is rendered (the index's, and HEAD's for the blame);
      // the base, the component and the on-call overlay come from the baseline snapshot...
      const renders = (await readFile(join(bin, 'log'), 'utf8')).trim().split('\n')
      expect(new Set(renders)).toEqual(new Set(['kustomize deploy/overlays/prod']))
      // ...and still count: the on-call group, bound in an overlay the commit does not touch, gains delete.
      expect(blocked.stderr).toMatch(/Group:oncall can delete pods/)
      expect(blocked.stderr).toContain('acldrift: commit blocked')
      // Named where the change is written: the patch's operation, in the overlay's render of the base role.
      expect(blocked.stderr).toContain(
        `${PATCH}:1 (ClusterRole/prod-pod-reader, rendered by ${OVERLAY}:${lineOf(overlay, '../../base')})`,
      )
      expect(blocked.stderr).toContain('delete')
      expect(blocked.stderr).toContain('actor:  agent: Claude Code')

      // Committed anyway; a person then edits the overlay's labels, which widens nothing.
      const skipped = await git(r, {CLAUDECODE: '1'}, 'commit', '--no-verify', '-m', message)
      expect(skipped.code, dump(skipped)).toBe(0)
      const agentCommit = (await r.git('rev-parse', 'HEAD')).trim()
      // The snapshot baseline predates that commit: with nothing staged, the hook still reads the
      // overlay whose patch differs from what the snapshot recorded.
      const sinceSnapshot = await runCli(['check', '--staged'], {cwd: r.dir})
      expect(sinceSnapshot.code, dump(sinceSnapshot)).toBe(1)
      expect(sinceSnapshot.stdout).toMatch(/Group:oncall can delete pods/)
      const relabelled = overlay.replace(
        'namePrefix: prod-\n',
        'namePrefix: prod-\nlabels:\n  - pairs:\n      env: prod\n',
      )
      await r.write(OVERLAY, relabelled)
      await r.stage(OVERLAY)
      expect((await git(r, {}, 'commit', '--no-verify', '-m', 'Label prod')).code).toBe(0)

      const widenings = (await audit(r)).findings.filter((f) => f.change === 'widening')
      expect(widenings.length).toBeGreaterThan(0)
      for (const finding of widenings) {
        expect(finding).toMatchObject({
          kind: 'k8s-rbac',
          file: OVERLAY,
          line: lineOf(relabelled, '../../base'),
          renderedFrom: {file: PATCH, line: 1},
          document: 'ClusterRole/prod-pod-reader',
        })
        expect(finding.witness).toMatchObject({verb: 'delete'})
        expect(finding.commit).toMatchObject({sha: agentCommit, actor: {type: 'agent'}})
      }

      // An agent adds a rule to the base role, which both environments render: each overlay's
      // finding names the rule's line in the base file, and the audit attributes it to that commit.
      const secretsRule = '  - apiGroups: [""]\n    resources: ["secrets"]\n    verbs: ["get"]\n'
      const role = base['deploy/base/pod-reader.yaml']
      const widened = role.replace('    verbs: ["get"]\n', `    verbs: ["get"]\n${secretsRule}`)
      const ruleLine = lineOf(widened, 'resources: ["secrets"]') - 1
      await r.write('deploy/base/pod-reader.yaml', widened)
      await r.stage('deploy/base/pod-reader.yaml')
      const readSecrets = identities.claudeCode.message('Let the app read its secrets')
      const baseBlocked = await git(r, {CLAUDECODE: '1'}, 'commit', '-m', readSecrets)
      expect(baseBlocked.code, dump(baseBlocked)).not.toBe(0)
      for (const [file, name] of [
        [OVERLAY, 'prod-pod-reader'],
        [STAGING, 'staging-pod-reader'],
      ] as const)
        expect(baseBlocked.stderr).toContain(
          `deploy/base/pod-reader.yaml:${ruleLine} (ClusterRole/${name}, rendered by ${file}:`,
        )
      expect((await git(r, {CLAUDECODE: '1'}, 'commit', '--no-verify', '-m', readSecrets)).code).toBe(0)
      const secretsCommit = (await r.git('rev-parse', 'HEAD')).trim()
      const secrets = (await audit(r)).findings.filter(
        (f) => f.change === 'widening' && f.witness?.resource === 'secrets',
      )
      for (const file of [OVERLAY, STAGING]) {
        const found = secrets.filter((f) => f.file === file)
        expect(found.length, file).toBeGreaterThan(0)
        for (const finding of found) {
          expect(finding).toMatchObject({renderedFrom: {file: 'deploy/base/pod-reader.yaml', line: ruleLine}})
          expect(finding.commit).toMatchObject({sha: secretsCommit, actor: {type: 'agent'}})
        }
      }
    },
    SLOW,
  )

  it(
    'names where the baseline object is written too: with HEAD as the baseline, the object it exceeds is located in the base file',
    async () => {
      const r = await newRepo()
      await commitFiles(
        r,
        {...base, [OVERLAY]: overlay, [PATCH]: verbsPatch('["get", "list"]'), [STAGING]: staging},
        'Deploy the app',
      )
      // The patch lets prod delete pods; the base lets staging (which renders it as it is) list them.
      const role = base['deploy/base/pod-reader.yaml']
      const listing = role.replace('    verbs: ["get"]\n', '    verbs: ["get", "list"]\n')
      const ruleLine = lineOf(role, 'resources: ["pods"]') - 1
      await r.write(PATCH, verbsPatch('["get", "list", "delete"]'))
      await r.write('deploy/base/pod-reader.yaml', listing)
      await r.stage(PATCH, 'deploy/base/pod-reader.yaml')
      const checked = await runCli(['check', '--staged', '--format', 'json'], {cwd: r.dir})
      expect(checked.code, dump(checked)).toBe(1)
      const report = JSON.parse(checked.stdout) as Report
      expectValidReport(report)
      const widenings = (file: string) =>
        report.findings.filter((f) => f.file === file && f.change === 'widening')
      // The baseline side is HEAD's render: the role it exceeds, located as a whole where it is
      // written (the base file), beside the kustomization entry it came in through.
      for (const [file, name, content, target] of [
        [OVERLAY, 'prod-pod-reader', overlay, {file: PATCH, line: 1}],
        [STAGING, 'staging-pod-reader', staging, {file: 'deploy/base/pod-reader.yaml', line: ruleLine}],
      ] as const) {
        expect(widenings(file).length, file).toBeGreaterThan(0)
        for (const finding of widenings(file)) {
          expect(finding.renderedFrom).toEqual(target)
          expect(finding.baselineLocation).toEqual({
            file,
            document: `ClusterRole/${name}`,
            line: lineOf(content, '../../base'),
            renderedFrom: {file: 'deploy/base/pod-reader.yaml', line: 1},
            pointer: `/rendered/ClusterRole~1${name}`,
          })
        }
      }
      const text = await runCli(['check', '--staged'], {cwd: r.dir})
      expect(text.stdout).toContain(
        `deploy/base/pod-reader.yaml:1 (ClusterRole/staging-pod-reader, rendered by ${STAGING}:${lineOf(staging, '../../base')})`,
      )
    },
    SLOW,
  )

  it(
    'a remote base is not read, with its reason, and never fetched; an overlay made unrenderable fails closed; without kubectl every overlay that can render RBAC is "not read: kubectl not installed", and without helm every chart "not read: helm not installed"',
    async () => {
      const r = await newRepo()
      const remote = 'deploy/overlays/staging/kustomization.yaml'
      await commitFiles(
        r,
        {
          ...base,
          [OVERLAY]: overlay,
          [PATCH]: verbsPatch('["get"]'),
          [remote]: `resources:\n  - ${REMOTE_BASE}\n`,
          // An app without RBAC: its overlays need no render (no kubectl run, nothing unread).
          'web/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
          'web/base/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n',
          'web/prod/kustomization.yaml': 'resources:\n  - ../base\nnamePrefix: prod-\n',
          // A chart as `helm create` writes it (https://helm.sh/docs/helm/helm_create/).
          'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\ntype: application\nversion: 0.1.0\n',
          'charts/app/values.yaml': 'rbac:\n  create: true\n',
          'charts/app/templates/role.yaml': `{{- if .Values.rbac.create }}
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ .Release.Name }}
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get"]
{{- end }}
`,
        },
        'Deploy',
      )
      // A proxy that would be used were the network tried is never contacted: kubectl is
      // given none, and the run does not wait on it.
      const started = Date.now()
      const withKubectl = await runCli(['coverage', '--format', 'json'], {cwd: r.dir})
      expect(withKubectl.code, dump(withKubectl)).toBe(0)
      expect(Date.now() - started).toBeLessThan(60_000)
      const notRead = (result: RunResult) =>
        (
          JSON.parse(result.stdout) as {
            coverage: {notRead: Array<{file: string; recognisedAs: string; why: string}>}
          }
        ).coverage.notRead
      expect(notRead(withKubectl)).toContainEqual({
        file: remote,
        recognisedAs: 'kustomize',
        why: expect.stringContaining('is remote (not fetched'),
      })
      expect(notRead(withKubectl).map((e) => e.file)).not.toContain(OVERLAY)

      // An agent cannot hide a widening by making the overlay unrenderable here: an overlay
      // that held RBAC at HEAD and is no longer read fails closed (exit 3), naming it.
      const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
      expect(init.code, dump(init)).toBe(0)
      await r.stage()
      expect((await git(r, {}, 'commit', '-m', 'Set up acldrift')).code).toBe(0)
      await r.write(PATCH, verbsPatch('["*"]'))
      await r.write(OVERLAY, overlay.replace('  - ../../base\n', `  - ../../base\n  - ${REMOTE_BASE}\n`))
      await r.stage(PATCH, OVERLAY)
      const hidden = await git(
        r,
        {CLAUDECODE: '1'},
        'commit',
        '-m',
        identities.claudeCode.message('Use the shared base'),
      )
      expect(hidden.code, dump(hidden)).not.toBe(0)
      expect(hidden.stderr).toContain(`${OVERLAY}`)
      expect(hidden.stderr).toContain('held k8s-rbac documents in the baseline and is no longer read')
      await r.git('reset', '--quiet', '--hard')

      // A PATH with node and git only (kubectl sits beside them in /usr/bin here).
      const bin = await makeTempDir('acldrift-path-')
      onTestFinished(() => rm(bin, {recursive: true, force: true}))
      const gitPath = (await runHermetic('sh', ['-c', 'command -v git'], {cwd: r.dir})).stdout.trim()
      await symlink(process.execPath, join(bin, 'node'))
      await symlink(gitPath, join(bin, 'git'))
      const withoutKubectl = await runCli(['coverage', '--format', 'json'], {cwd: r.dir, env: {PATH: bin}})
      expect(withoutKubectl.code, dump(withoutKubectl)).toBe(0)
      for (const file of [OVERLAY, 'deploy/base/kustomization.yaml'])
        expect(notRead(withoutKubectl)).toContainEqual({
          file,
          recognisedAs: 'kustomize',
          why: 'kubectl not installed',
        })
      expect(notRead(withoutKubectl).map((e) => e.file)).not.toContain('web/prod/kustomization.yaml')

      // A chart the config names, with values of its own, and a PATH with kubectl and no helm: "not read: helm not installed", nothing of its templates read or guessed, no failure.
      await r.write('charts/app/values-prod.yaml', 'rbac:\n  create: true\n')
      const config = await readFile(join(r.dir, 'acldrift.config.yaml'), 'utf8')
      await r.write(
        'acldrift.config.yaml',
        `${config}\nhelm:\n  charts:\n    charts/app:\n      release: app\n      values: [charts/app/values-prod.yaml]\n`,
      )
      const kubectl = (await runHermetic('sh', ['-c', 'command -v kubectl'], {cwd: r.dir})).stdout.trim()
      await symlink(kubectl, join(bin, 'kubectl'))
      const withoutHelm = await runCli(['check', '--format', 'json'], {cwd: r.dir, env: {PATH: bin}})
      expect(withoutHelm.code, dump(withoutHelm)).toBe(0)
      const report = JSON.parse(withoutHelm.stdout) as Report & {
        coverage: {read: Array<{file: string}>; notRead: Array<{file: string; why: string}>}
      }
      expectValidReport(report)
      expect(report.coverage.notRead).toContainEqual({
        file: 'charts/app/Chart.yaml',
        recognisedAs: 'helm',
        why: 'helm not installed',
      })
      expect(report.coverage.read.map((e) => e.file).filter((f) => f.startsWith('charts/'))).toEqual([])
      expect(report.findings.filter((f) => f.file.startsWith('charts/'))).toEqual([])
    },
    SLOW,
  )

  it(
    'the hook with only a chart\'s values file staged, outside the chart\'s folder, and no helm: the chart the config names it for is "not read: helm not installed", no failure',
    async () => {
      const r = await newRepo()
      const values = 'environments/prod/app-values.yaml'
      await commitFiles(
        r,
        {
          'acldrift.config.yaml': `version: 1\nhelm:\n  charts:\n    charts/app:\n      release: shop\n      values: [${values}]\n`,
          'charts/app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
          'charts/app/values.yaml': 'rbac:\n  rules: []\n',
          'charts/app/templates/role.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ .Release.Name }}-app
rules: {{ toYaml .Values.rbac.rules | nindent 2 }}
`,
          [values]: 'rbac:\n  rules: []\n',
        },
        'Deploy',
      )
      await r.write(
        values,
        'rbac:\n  rules:\n    - apiGroups: [""]\n      resources: [secrets]\n      verbs: [get]\n',
      )
      await r.stage(values)
      // A PATH with node and git only.
      const bin = await makeTempDir('acldrift-path-')
      onTestFinished(() => rm(bin, {recursive: true, force: true}))
      const gitPath = (await runHermetic('sh', ['-c', 'command -v git'], {cwd: r.dir})).stdout.trim()
      await symlink(process.execPath, join(bin, 'node'))
      await symlink(gitPath, join(bin, 'git'))
      const staged = await runCli(['check', '--staged', '--format', 'json'], {cwd: r.dir, env: {PATH: bin}})
      expect(staged.code, dump(staged)).toBe(0)
      const report = JSON.parse(staged.stdout) as Report & {
        coverage: {notRead: unknown[]; skipped: Array<{file: string}>}
      }
      expectValidReport(report)
      expect(report.coverage.notRead).toContainEqual({
        file: 'charts/app/Chart.yaml',
        recognisedAs: 'helm',
        why: 'helm not installed',
      })
      // The values file is read only through the chart: not read with it, never "skipped".
      expect(report.coverage.notRead).toContainEqual({
        file: values,
        recognisedAs: 'helm',
        why: 'read only through charts/app/Chart.yaml, not read: helm not installed',
      })
      expect(report.coverage.skipped.map((e) => e.file)).not.toContain(values)
      expect(report.findings).toEqual([])
    },
    SLOW,
  )
})
