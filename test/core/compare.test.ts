// compareChanged, the step `check` and the gate's baseline comparison share: which paths
// changed, each kind's adapter asked about them, and the settings passed through.
import {describe, expect, it} from 'vitest'
import {compareChanged} from '../../src/core/compare.js'
import {parseFile} from '../../src/kernel/parse.js'
import type {Document, Finding, Kind} from '../../src/kernel/types.js'
import {DEFAULT_ADAPTER_SETTINGS} from '../../src/adapters/index.js'

const doc = (path: string, kind: Kind, text: string): Document => ({
  ...parseFile({path, content: Buffer.from(text)}),
  kind,
})
const policy = (action: string) =>
  JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [{Effect: 'Allow', Action: action, Resource: 'arn:aws:s3:::data/*'}],
    },
    null,
    2,
  )
const docs = (...list: Document[]) => new Map(list.map((d) => [d.path, d]))
const brief = (findings: Finding[]) => findings.map((f) => `${f.file} ${f.kind} ${f.change} ${f.rule}`)

const reads = doc('iam/a.json', 'aws-iam', policy('s3:GetObject'))
const all = doc('iam/a.json', 'aws-iam', policy('s3:*'))
const writes = doc('iam/b.json', 'aws-iam', policy('s3:PutObject'))

describe('compareChanged', () => {
  it('compares nothing when every document has the same content and kind', async () => {
    const same = {...doc('iam/a.json', 'aws-iam', policy('s3:GetObject'))}
    expect(await compareChanged(docs(reads, writes), docs(same, writes), DEFAULT_ADAPTER_SETTINGS)).toEqual({
      findings: [],
      notes: [],
    })
  })

  it('reports a widened, an added and a removed document by path', async () => {
    const widened = await compareChanged(docs(reads), docs(all, writes), DEFAULT_ADAPTER_SETTINGS)
    // b.json is a new policy: its access is a new-policy widening (the rule names the change, not the wildcard).
    expect(brief(widened.findings)).toEqual([
      'iam/a.json aws-iam widening privilege-escalation',
      'iam/b.json aws-iam widening new-policy',
    ])
    expect(widened.findings[0]!.witness).toEqual({
      action: 's3:PutBucketPolicy',
      resource: 'arn:aws:s3:::data/example',
    })
    expect(widened.findings[0]!.line).toBe(4)
    const removed = await compareChanged(docs(reads, writes), docs(writes), DEFAULT_ADAPTER_SETTINGS)
    expect(brief(removed.findings)).toEqual(['iam/a.json aws-iam narrowing grant-removed'])
  })

  it('a document that changed kind is removed from one kind and added to the other', async () => {
    const gcp = doc(
      'iam/a.json',
      'gcp-iam',
      JSON.stringify({bindings: [{role: 'roles/storage.admin', members: ['allUsers']}]}),
    )
    const result = await compareChanged(docs(reads), docs(gcp), DEFAULT_ADAPTER_SETTINGS)
    const kinds = new Set(result.findings.map((f) => `${f.kind} ${f.change}`))
    expect(kinds).toEqual(new Set(['aws-iam narrowing', 'gcp-iam widening']))
  })

  it('skips the paths it is told are unreadable on one side', async () => {
    const result = await compareChanged(
      docs(reads),
      docs(all, writes),
      DEFAULT_ADAPTER_SETTINGS,
      new Set(['iam/a.json']),
    )
    expect(brief(result.findings)).toEqual(['iam/b.json aws-iam widening new-policy'])
  })

  it("passes the context's settings to the adapters", async () => {
    const workflow = (permissions: string) =>
      doc(
        '.github/workflows/ci.yml',
        'github-actions',
        `name: Lint\non: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n${permissions}    steps:\n      - run: make lint\n`,
      )
    const before = docs(workflow('    permissions:\n      contents: read\n'))
    const after = docs(workflow(''))
    const permissive = await compareChanged(before, after, DEFAULT_ADAPTER_SETTINGS)
    const restricted = await compareChanged(before, after, {
      githubActions: {defaultPermissions: 'restricted'},
    })
    // The job falls to the repository default: read/write on every scope, or contents and packages read.
    expect(permissive.findings.length).toBe(18)
    expect(restricted.findings.map((f) => [f.rule, f.witness?.scope, f.witness?.level])).toEqual([
      ['default-permissions', 'packages', 'read'],
    ])
  })
})
