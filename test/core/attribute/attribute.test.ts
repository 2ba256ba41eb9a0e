// Attribution in-process, in a real repository: a finding is blamed on the commit that made the
// access, not on a later reformat; in the index it is the pending commit's unless HEAD already
// has it; uncommitted changes in the working tree are named as such.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {attribute} from '../../../src/core/attribute/index.js'
import {compareChanged} from '../../../src/core/compare.js'
import {DEFAULT_CONFIG} from '../../../src/core/config.js'
import {loadSource, type SourceSpec} from '../../../src/core/source.js'
import {DEFAULT_ADAPTER_SETTINGS} from '../../../src/adapters/index.js'
import type {Document, Finding} from '../../../src/kernel/types.js'
import {commitAs} from '../../e2e/helpers.js'
import {createRepo, identities, type TestRepo} from '../../helpers/repo.js'

const FILE = 'iam/app.json'
const policy = (action: string, indent = 2) =>
  `${JSON.stringify({Version: '2012-10-17', Statement: [{Effect: 'Allow', Action: action, Resource: 'arn:aws:s3:::data/*'}]}, null, indent)}\n`

let repo: TestRepo
let added: string
let widened: string
let reformatted: string

beforeAll(async () => {
  repo = await createRepo()
  added = await commitAs(repo, identities.human, 'Add the app policy', {[FILE]: policy('s3:GetObject')})
  widened = await commitAs(repo, identities.claudeCode, 'Fix AccessDenied', {[FILE]: policy('s3:*')})
  reformatted = await commitAs(repo, identities.human, 'Reformat', {[FILE]: policy('s3:*', 4)})
})
afterAll(() => repo.cleanup())

/** The findings between the first commit and `spec`, as check would find them. */
async function findings(spec: SourceSpec): Promise<{found: Finding[]; documents: Map<string, Document>}> {
  const [before, after] = await Promise.all([
    loadSource(repo.dir, {type: 'ref', rev: added}, DEFAULT_CONFIG),
    loadSource(repo.dir, spec, DEFAULT_CONFIG),
  ])
  return {
    found: (await compareChanged(before.documents, after.documents, DEFAULT_ADAPTER_SETTINGS)).findings,
    documents: after.documents,
  }
}

describe('attribute', () => {
  it('blames the commit that made the access, through a later reformat, with its actor', async () => {
    const {found, documents} = await findings({type: 'ref', rev: reformatted})
    expect(found.length).toBeGreaterThan(0)
    const notes = await attribute(found, {
      root: repo.dir,
      baseline: added,
      target: {type: 'ref', commit: reformatted},
      documents,
    })
    expect(notes).toEqual([])
    expect(new Set(found.map((f) => f.commit?.sha))).toEqual(new Set([widened]))
    expect(found[0]!.commit).toMatchObject({
      subject: 'Fix AccessDenied',
      actor: {type: 'agent', agent: 'Claude Code'},
    })
  })

  it("gives the index's new access to the pending commit, and what HEAD has to its commit", async () => {
    await repo.write('iam/new.json', policy('s3:PutObject'))
    await repo.stage('iam/new.json')
    const {found, documents} = await findings({type: 'staged'})
    await attribute(found, {
      root: repo.dir,
      baseline: added,
      target: {type: 'staged', commit: reformatted},
      documents,
      env: {CLAUDECODE: '1'},
    })
    const by = (file: string) => new Set(found.filter((f) => f.file === file).map((f) => f.commit?.sha))
    expect(by('iam/new.json')).toEqual(new Set(['pending']))
    expect(by(FILE)).toEqual(new Set([widened]))
    const pending = found.find((f) => f.file === 'iam/new.json')!.commit!
    expect(pending).toMatchObject({pending: true, subject: '(the commit being made)', actor: {type: 'agent'}})
    await repo.git('rm', '--cached', '--quiet', 'iam/new.json')
    await repo.remove('iam/new.json')
  })

  it('names uncommitted changes in the working tree as such', async () => {
    await repo.write(FILE, policy('*'))
    const {found, documents} = await findings({type: 'worktree'})
    await attribute(found, {
      root: repo.dir,
      baseline: reformatted,
      target: {type: 'worktree', commit: reformatted},
      documents,
      env: {},
    })
    const uncommitted = found.filter((f) => f.commit?.sha === 'pending')
    expect(uncommitted.length).toBeGreaterThan(0)
    expect(uncommitted[0]!.commit!.subject).toBe('(uncommitted changes in the working tree)')
    await repo.write(FILE, policy('s3:*', 4))
  })
})
