// The table of config changes that weaken checking: every row, weakened and not, how a later
// version is asked whether the change is still there, the rows a kind declares, the globs that
// stop covering a policy file (in a real repository), and the removal of the config.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ADAPTERS, DEFAULT_ADAPTER_SETTINGS} from '../../../src/adapters/index.js'
import {type Config, configFromValue} from '../../../src/core/config.js'
import {
  configChanges,
  configRows,
  configVersion,
  configWeakenings,
  CORE_ROWS,
  uncoveredFiles,
} from '../../../src/core/gate/config-changes.js'
import {protectedFinding} from '../../../src/core/gate/protected.js'
import {VersionCache} from '../../../src/core/gate/versions.js'
import {parseFile} from '../../../src/kernel/parse.js'
import {createRepo, type TestRepo} from '../../helpers/repo.js'

const FILE = 'acldrift.config.yaml'
const config = (yaml: string): Config =>
  configFromValue(parseFile({path: FILE, content: Buffer.from(yaml)}, 'yaml').value, FILE)
const BASE = config(`version: 1
baseline: .acldrift/baseline.json
policy:
  failOn: high
  agents: require-approval
  approvers: [alice@acme.example]
actors:
  agents:
    - name: Acme bot
      emails: [bot@acme.example]
      trailers: ['X-Acme-Run']
  automation:
    - name: Release
      emails: [release@acme.example]
`)
const withPolicy = (policy: Partial<Config['policy']>): Config => ({
  ...BASE,
  policy: {...BASE.policy, ...policy},
})
const weakenings = (now: Config, old: Config = BASE) =>
  configWeakenings(FILE, old, now).map(({holds: _holds, ...rest}) => rest)

describe('the rows of the table', () => {
  it('lists the core settings, then one row per setting a registered kind declares', () => {
    expect(CORE_ROWS.map((r) => r.setting)).toEqual([
      'policy.failOn',
      'policy.agents',
      'policy.requireSignedApprovals',
      'policy.approvers',
      'actors.agents',
      'actors.automation',
      'helm.charts',
      'baseline',
    ])
    const declared = ADAPTERS.flatMap((a) => a.settings?.weakenings.map((r) => r.setting) ?? [])
    expect(declared).toEqual(['githubActions.defaultPermissions'])
    expect(configRows().map((r) => r.setting)).toEqual([...CORE_ROWS.map((r) => r.setting), ...declared])
  })

  it("names each kind's settings under the kind's own config key", () => {
    for (const {settings} of ADAPTERS)
      for (const row of settings?.weakenings ?? [])
        expect(row.setting.startsWith(`${settings!.key}.`)).toBe(true)
  })

  it('finds nothing between a config and itself', () => {
    expect(configWeakenings(FILE, BASE, BASE)).toEqual([])
  })
})

describe('policy.requireSignedApprovals', () => {
  it('turning it off is a high config-weakened; turning it on is none', () => {
    const on = withPolicy({requireSignedApprovals: true})
    expect(weakenings(on)).toEqual([])
    expect(configWeakenings(FILE, on, BASE)).toMatchObject([
      {rule: 'config-weakened', severity: 'high', witness: {setting: 'policy.requireSignedApprovals'}},
    ])
  })
})

describe('policy.failOn', () => {
  it('is weakened when lowered, high', () => {
    expect(weakenings(withPolicy({failOn: 'critical'}))).toEqual([
      {
        rule: 'config-weakened',
        severity: 'high',
        pointer: '/policy/failOn',
        message: `${FILE}: policy.failOn lowered from high to critical, so fewer widenings fail the check.`,
        witness: {setting: 'policy.failOn', before: 'high', after: 'critical'},
      },
    ])
  })

  it('is not weakened when raised or kept', () => {
    expect(weakenings(withPolicy({failOn: 'widening'}))).toEqual([])
    expect(weakenings(withPolicy({failOn: 'medium'}))).toEqual([])
  })

  it('holds in every later version still below the old threshold', () => {
    const [found] = configWeakenings(FILE, BASE, withPolicy({failOn: 'critical'}))
    expect(found!.holds(withPolicy({failOn: 'never'}))).toBe(true)
    expect(found!.holds(withPolicy({failOn: 'critical'}))).toBe(true)
    expect(found!.holds(withPolicy({failOn: 'high'}))).toBe(false)
  })
})

describe('ids', () => {
  it('name the change, as they always have: an approval of one keeps counting across releases', () => {
    const [failOn] = configWeakenings(FILE, BASE, withPolicy({failOn: 'critical'}))
    expect(protectedFinding({...failOn!, file: FILE, line: null, before: null, after: null}).id).toBe(
      '85b874c016b880a3',
    )
    const [baseline] = configWeakenings(FILE, BASE, {...BASE, baseline: undefined})
    expect(protectedFinding({...baseline!, file: FILE, line: null, before: null, after: null}).id).toBe(
      'af9ad0817c8630f4',
    )
  })
})

describe('policy.agents', () => {
  it('is weakened by allow, high', () => {
    expect(weakenings(withPolicy({agents: 'allow'}))).toEqual([
      {
        rule: 'config-weakened',
        severity: 'high',
        pointer: '/policy/agents',
        message: `${FILE}: policy.agents set to allow, so AI agents' widenings below failOn pass without a human approval.`,
        witness: {setting: 'policy.agents', before: 'require-approval', after: 'allow'},
      },
    ])
  })

  it('is not weakened by require-approval', () => {
    expect(weakenings(withPolicy({agents: 'require-approval'}), withPolicy({agents: 'allow'}))).toEqual([])
  })
})

describe('policy.approvers', () => {
  it('reports each added approver as approver-added, high', () => {
    const now = withPolicy({approvers: ['alice@acme.example', 'bob@acme.example', 'carol@acme.example']})
    expect(weakenings(now)).toEqual(
      ['bob@acme.example', 'carol@acme.example'].map((email) => ({
        rule: 'approver-added',
        severity: 'high',
        pointer: '/policy/approvers',
        message: `${FILE}: ${email} added to policy.approvers: their approvals will let widenings pass.`,
        witness: {setting: 'policy.approvers', approver: email},
      })),
    )
  })

  it('does not report a removed approver, and holds while the approver stays listed', () => {
    expect(weakenings(withPolicy({approvers: []}))).toEqual([])
    const [found] = configWeakenings(FILE, BASE, withPolicy({approvers: ['bob@acme.example']}))
    expect(found!.holds(withPolicy({approvers: ['bob@acme.example']}))).toBe(true)
    expect(found!.holds(BASE)).toBe(false)
  })
})

describe('helm.charts', () => {
  // Chart folders and values files as the README's Sources section shows them.
  const withCharts = (charts: string) =>
    config(`version: 1
baseline: .acldrift/baseline.json
policy: {failOn: high, agents: require-approval, approvers: [alice@acme.example]}
actors:
  agents: [{name: Acme bot, emails: [bot@acme.example], trailers: ['X-Acme-Run']}]
  automation: [{name: Release, emails: [release@acme.example]}]
helm:
  charts:
${charts}`)
  const BOTH = withCharts(`    deploy/charts/app: {release: app, values: [deploy/values-prod.yaml]}
    deploy/charts/worker: {release: worker}
`)

  it('reports a chart dropped, or a values file it is no longer rendered with, medium; each once', () => {
    const dropped = withCharts(`    deploy/charts/app: {release: app}
`)
    expect(configWeakenings(FILE, BOTH, dropped).map(({holds: _holds, ...rest}) => rest)).toEqual([
      {
        rule: 'config-weakened',
        severity: 'medium',
        pointer: '/helm/charts',
        message: `${FILE}: helm.charts no longer names the values deploy/values-prod.yaml of chart deploy/charts/app: the chart is rendered as it is not deployed, and changes to what was dropped are not checked.`,
        witness: {
          setting: 'helm.charts',
          removed: 'values deploy/values-prod.yaml of chart deploy/charts/app',
        },
      },
      {
        rule: 'config-weakened',
        severity: 'medium',
        pointer: '/helm/charts',
        message: `${FILE}: helm.charts no longer names the chart deploy/charts/worker: the chart is rendered as it is not deployed, and changes to what was dropped are not checked.`,
        witness: {setting: 'helm.charts', removed: 'chart deploy/charts/worker'},
      },
    ])
  })

  it('is not weakened by a chart or values file added, or a release renamed', () => {
    const more =
      withCharts(`    deploy/charts/app: {release: app-prod, values: [deploy/values-prod.yaml, deploy/values-eu.yaml]}
    deploy/charts/worker: {release: worker}
    deploy/charts/cron: {}
`)
    expect(configWeakenings(FILE, BOTH, more)).toEqual([])
  })
})

describe('actors', () => {
  it('reports each agent email or trailer removed from actors.agents, medium', () => {
    const now = config(`version: 1
baseline: .acldrift/baseline.json
policy: {failOn: high, approvers: [alice@acme.example]}
actors:
  agents: [{name: Acme bot, trailers: ['X-Acme-Run']}]
  automation: [{name: Release, emails: [release@acme.example]}]
`)
    expect(weakenings(now)).toEqual([
      {
        rule: 'config-weakened',
        severity: 'medium',
        pointer: '/actors/agents',
        message: `${FILE}: actors.agents no longer lists email bot@acme.example: commits it marks stop counting as an AI agent's.`,
        witness: {setting: 'actors.agents', removed: 'email bot@acme.example'},
      },
    ])
    const [found] = configWeakenings(FILE, BASE, now)
    expect(found!.holds(now)).toBe(true)
    expect(found!.holds(BASE)).toBe(false)
  })

  it('reports an email added to actors.automation, medium, and not an agent added', () => {
    const actors = (automation: string, agents = 'bot@acme.example, new-bot@acme.example') =>
      config(`version: 1
baseline: .acldrift/baseline.json
policy: {failOn: high, approvers: [alice@acme.example]}
actors:
  agents: [{name: Acme bot, emails: [${agents}], trailers: ['X-Acme-Run']}]
  automation: [{name: Release, emails: [${automation}]}]
`)
    expect(weakenings(actors('release@acme.example'))).toEqual([])
    expect(weakenings(actors('release@acme.example, Deploy@Acme.example'))).toEqual([
      {
        rule: 'config-weakened',
        severity: 'medium',
        pointer: '/actors/automation',
        message: `${FILE}: deploy@acme.example listed as automation: its commits may stop counting as an AI agent's.`,
        witness: {setting: 'actors.automation', added: 'deploy@acme.example'},
      },
    ])
  })
})

describe('baseline', () => {
  it('is weakened when pointed elsewhere or dropped, medium', () => {
    expect(weakenings({...BASE, baseline: 'v1.0'})).toEqual([
      {
        rule: 'config-weakened',
        severity: 'medium',
        pointer: '/baseline',
        message: `${FILE}: the baseline changed from .acldrift/baseline.json to v1.0: changes are compared with another approved state.`,
        witness: {setting: 'baseline', before: '.acldrift/baseline.json', after: 'v1.0'},
      },
    ])
    expect(weakenings({...BASE, baseline: undefined})[0]!.message).toBe(
      `${FILE}: the baseline changed from .acldrift/baseline.json to HEAD: changes are compared with another approved state.`,
    )
    expect(weakenings({...BASE, baseline: undefined})[0]!.witness).toEqual({
      setting: 'baseline',
      before: '.acldrift/baseline.json',
      after: null,
    })
  })

  it('is blamed on the version that names the current baseline, not the first that left the old one', () => {
    const [found] = configWeakenings(FILE, BASE, {...BASE, baseline: 'v2.0'})
    expect(found!.holds({...BASE, baseline: 'v2.0'})).toBe(true)
    expect(found!.holds({...BASE, baseline: 'v1.0'})).toBe(false)
  })
})

describe("a kind's own setting: githubActions.defaultPermissions", () => {
  const permissions = (mode: string) => config(`version: 1\ngithubActions:\n  defaultPermissions: ${mode}\n`)
  const plain = config('version: 1\n')

  it("is read from the kind's section of the config, with the kind's default where it says nothing", () => {
    expect(permissions('restricted').settings).toEqual({githubActions: {defaultPermissions: 'restricted'}})
    expect(plain.settings).toEqual({})
    expect(DEFAULT_ADAPTER_SETTINGS).toEqual({githubActions: {defaultPermissions: 'permissive'}})
  })

  it('is weakened from permissive (the default) to restricted, high', () => {
    const expected = [
      {
        rule: 'config-weakened',
        severity: 'high',
        pointer: '/githubActions/defaultPermissions',
        message: `${FILE}: githubActions.defaultPermissions set to restricted, so a workflow job that loses its permissions block is assumed to get a read-only token; if the repository's setting is permissive, that job gains write access unreported.`,
        witness: {setting: 'githubActions.defaultPermissions', before: 'permissive', after: 'restricted'},
      },
    ]
    expect(weakenings(permissions('restricted'), plain)).toEqual(expected)
    expect(weakenings(permissions('restricted'), permissions('permissive'))).toEqual(expected)
  })

  it('is not weakened back to permissive, and holds while restricted', () => {
    expect(weakenings(permissions('permissive'), permissions('restricted'))).toEqual([])
    expect(weakenings(plain, permissions('restricted'))).toEqual([])
    const [found] = configWeakenings(FILE, plain, permissions('restricted'))
    expect(found!.holds(permissions('restricted'))).toBe(true)
    expect(found!.holds(plain)).toBe(false)
  })
})

describe('coverage by the document globs, in a repository', () => {
  let repo: TestRepo
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{Effect: 'Allow', Action: 's3:GetObject', Resource: '*'}],
  })
  beforeAll(async () => {
    repo = await createRepo()
    for (const path of ['iam/app.json', 'iam/examples/demo.json', 'other/extra.json'])
      await repo.write(path, policy)
    await repo.stage()
    await repo.commit('Policies')
  })
  afterAll(() => repo.cleanup())
  const target = () => ({root: repo.dir, spec: {type: 'worktree' as const}})
  const globs = (documents: string, exclude = '[]') =>
    config(`version: 1\ndocuments: ${documents}\nexclude: ${exclude}\n`)

  it('reports each policy file the new globs stop covering, pointing at exclude; dropping a glob hides nothing', async () => {
    // other/extra.json loses its glob but is still read: globs assign kinds, content detection reads the rest.
    const old = globs(`[{glob: 'iam/**/*.json', kind: aws-iam}, {glob: 'other/*.json', kind: aws-iam}]`)
    const now = globs(`[{glob: 'iam/**/*.json', kind: aws-iam}]`, `['iam/examples/**']`)
    const found = await uncoveredFiles(FILE, old, now, target())
    expect(found.map(({holds: _holds, ...rest}) => rest)).toEqual([
      {
        rule: 'config-weakened',
        severity: 'high',
        pointer: '/exclude',
        message: `${FILE}: iam/examples/demo.json is no longer covered by the config's documents/exclude globs, so its access is not checked.`,
        witness: {setting: 'documents', uncovered: 'iam/examples/demo.json'},
      },
    ])
    expect(found[0]!.holds(now)).toBe(true)
    expect(found[0]!.holds(old)).toBe(false)
  })

  it('reports a glob whose kind changed: the files under it are no longer read as their kind', async () => {
    const old = globs(`[{glob: 'other/*.json', kind: aws-iam}]`)
    const now = globs(`[{glob: 'other/*.json', kind: gcp-iam}]`)
    const found = await uncoveredFiles(FILE, old, now, target())
    expect(found.map(({holds: _holds, ...rest}) => rest)).toEqual([
      expect.objectContaining({
        severity: 'high',
        pointer: '/documents',
        witness: {setting: 'documents', reassigned: 'other/extra.json', from: 'aws-iam', to: 'gcp-iam'},
      }),
    ])
    expect(found[0]!.holds(now)).toBe(true)
    expect(found[0]!.holds(old)).toBe(false)
  })

  it('reports nothing when the globs are the same, or cover more', async () => {
    const narrow = globs(`[{glob: 'iam/*.json', kind: aws-iam}]`)
    expect(await uncoveredFiles(FILE, narrow, narrow, target())).toEqual([])
    expect(
      await uncoveredFiles(FILE, narrow, globs(`[{glob: '**/*.json', kind: aws-iam}]`), target()),
    ).toEqual([])
  })
})

describe('configChanges', () => {
  const side = (text?: string) => new Map(text === undefined ? [] : [[FILE, Buffer.from(text)]])
  const target = {root: '/nonexistent', spec: {type: 'worktree' as const}}
  const versions = new VersionCache('/nonexistent')

  it('reports the removal of the config, blamed where the file no longer exists', async () => {
    const [removed] = await configChanges(
      FILE,
      await configVersion(FILE, side('version: 1\n')),
      await configVersion(FILE, side()),
      target,
      versions,
    )
    expect(removed!.finding).toMatchObject({
      kind: 'acldrift',
      rule: 'config-weakened',
      severity: 'high',
      change: 'widening',
      message: `${FILE} was removed: its policy, approvers and document globs no longer apply.`,
      witness: {setting: 'config', before: 'present', after: 'removed'},
      line: null,
    })
    expect(await removed!.holds(null)).toBe(true)
  })

  it('takes a new config as written, and leaves an invalid one to fail closed', async () => {
    const weak = side('version: 1\npolicy:\n  failOn: never\n')
    expect(
      await configChanges(
        FILE,
        await configVersion(FILE, side()),
        await configVersion(FILE, weak),
        target,
        versions,
      ),
    ).toEqual([])
    const invalid = await configVersion(FILE, side('version: 1\npolicy:\n  failOn: sometimes\n'))
    expect(invalid.status).toBe('invalid')
    expect(
      await configChanges(FILE, await configVersion(FILE, side('version: 1\n')), invalid, target, versions),
    ).toEqual([])
  })

  it("places each finding on its setting's line and gives it an id that names the change, not lines", async () => {
    const before = await configVersion(FILE, side('version: 1\npolicy:\n  failOn: high\n'))
    const after = await configVersion(FILE, side('version: 1\n\npolicy:\n  failOn: never\n  agents: allow\n'))
    const found = await configChanges(FILE, before, after, target, versions)
    expect(found.map((p) => [p.finding.witness?.setting, p.finding.line, p.path])).toEqual([
      ['policy.failOn', 4, FILE],
      ['policy.agents', 5, FILE],
    ])
    const moved = await configVersion(FILE, side('version: 1\npolicy: {agents: allow, failOn: never}\n'))
    const again = await configChanges(FILE, before, moved, target, versions)
    expect(again.map((p) => p.finding.id)).toEqual(found.map((p) => p.finding.id))
    expect(again.map((p) => p.finding.line)).toEqual([2, 2])
  })
})
