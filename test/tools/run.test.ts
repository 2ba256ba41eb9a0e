// The renderer runner against the real kubectl on PATH: a render on a private copy of the files;
// "missing" when the tool is not on PATH; a remote resource fails at once, offline (no git to
// clone with, a proxy that refuses), and a process over its time limit is stopped.

import {describe, expect, it} from 'vitest'
import {runTool, toolPath, toolProcessCount} from '../../src/tools/run.js'

const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get"]
`
const files = (kustomization: string) =>
  new Map([
    ['app/kustomization.yaml', Buffer.from(kustomization)],
    ['app/role.yaml', Buffer.from(ROLE)],
  ])
const kubectl = toolPath('kubectl')

describe('the renderer runner', () => {
  it('finds a tool on PATH, and says a tool that is not there is missing', async () => {
    expect(toolPath('kubectl', '/nonexistent:/also-not')).toBeUndefined()
    expect(toolPath('kubectl', '')).toBeUndefined()
    // These machines and CI have kubectl: the renders below need it.
    expect(kubectl).toBeDefined()
    expect(toolPath('kubectl', `/nonexistent:${kubectl!.replace(/\/kubectl$/, '')}`)).toBe(kubectl)
    const before = toolProcessCount()
    const saved = process.env.PATH
    process.env.PATH = '/nonexistent'
    try {
      expect(await runTool({tool: 'helm', args: ['template', 'x', '.'], files: new Map()})).toEqual({
        status: 'missing',
      })
    } finally {
      process.env.PATH = saved
    }
    expect(toolProcessCount()).toBe(before)
  })

  it('renders a kustomization from a copy of its files', async () => {
    const outcome = await runTool({
      tool: 'kubectl',
      args: ['kustomize', 'app'],
      files: files('resources:\n  - role.yaml\nnamePrefix: prod-\n'),
    })
    expect(outcome).toMatchObject({status: 'rendered', stdout: expect.stringContaining('name: prod-reader')})
  })

  it('fails at once on a remote resource: no network is reachable from the render', async () => {
    const started = Date.now()
    const outcome = await runTool({
      tool: 'kubectl',
      args: ['kustomize', 'app'],
      files: files('resources:\n  - https://raw.githubusercontent.com/example/app/main/role.yaml\n'),
    })
    expect(outcome.status).toBe('failed')
    expect(outcome.status === 'failed' && outcome.why).toMatch(/127\.0\.0\.1:9|connection refused|git/)
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  it('stops a render over its time limit', async () => {
    const outcome = await runTool({
      tool: 'kubectl',
      args: ['kustomize', 'app'],
      files: files('resources:\n  - role.yaml\n'),
      timeoutMs: 1,
    })
    expect(outcome).toEqual({status: 'failed', why: 'kubectl stopped after 0.001 s'})
  })
})
