// The approvals file between the reference and the target, in a real repository: each entry
// with the commit that added it (exactly as it is now), the pending commit for uncommitted
// entries, removed entries as findings, and a file that does not validate.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {configFromValue} from '../../../src/core/config.js'
import {
  approvalAdded,
  approvalRecords,
  readApprovalsSides,
  removedApprovals,
} from '../../../src/core/gate/approval-records.js'
import {APPROVALS_FILE, type ApprovalEntry, withEntry} from '../../../src/core/gate/approvals-file.js'
import {protectedBlame} from '../../../src/core/gate/blame.js'
import {VersionCache} from '../../../src/core/gate/versions.js'
import {readPathHistory} from '../../../src/git/index.js'
import type {InputProblem} from '../../../src/kernel/types.js'
import {commitAs} from '../../e2e/helpers.js'
import {createRepo, identities, type TestRepo} from '../../helpers/repo.js'
import {entry} from './samples.js'

const config = configFromValue(
  {version: 1, policy: {approvers: ['alice@example.com']}},
  'acldrift.config.yaml',
)
const fileOf = (...entries: ApprovalEntry[]) =>
  entries.reduce<string>((text, e) => withEntry(text, e).text, 'version: 1\napprovals: []\n')
const first = entry({id: '00000000000000a1', approver: 'alice@example.com'})
const second = entry({id: '00000000000000b2', approver: 'alice@example.com'})
const renewed = {...first, expires: '2027-06-30'}
const third = entry({id: '00000000000000c3', approver: 'alice@example.com'})

let repo: TestRepo
let added: string
let byAgent: string
let renewal: string

beforeAll(async () => {
  repo = await createRepo()
  added = await commitAs(repo, identities.human, 'Approve the CDN', {[APPROVALS_FILE]: fileOf(first)})
  byAgent = await commitAs(repo, identities.claudeCode, 'Approve my own change', {
    [APPROVALS_FILE]: fileOf(first, second),
  })
  renewal = await commitAs(repo, identities.human, 'Renew the CDN approval', {
    [APPROVALS_FILE]: fileOf(renewed, second),
  })
})
afterAll(() => repo.cleanup())

const side = (text?: string) => new Map(text === undefined ? [] : [[APPROVALS_FILE, Buffer.from(text)]])

async function records(
  spec: {type: 'ref'; rev: string} | {type: 'worktree'},
  before: string,
  after: string,
  env = {},
) {
  const sides = await readApprovalsSides(APPROVALS_FILE, side(before), side(after), [])
  const versions = new VersionCache(repo.dir)
  const blame = protectedBlame(
    {root: repo.dir, config},
    renewal,
    () => readPathHistory(repo.dir, renewal, [APPROVALS_FILE]),
    versions,
  )
  const input = {root: repo.dir, config, target: {spec, commit: renewal}, env}
  return approvalRecords(input, APPROVALS_FILE, sides, versions, blame)
}

describe('approvalRecords', () => {
  it('blames each entry on the commit after which it is there exactly as now', async () => {
    const found = await records({type: 'ref', rev: 'HEAD'}, fileOf(first), fileOf(renewed, second))
    expect(found.map((r) => [r.entry.id, r.index, r.addedBy?.sha, r.addedBy?.actor.type])).toEqual([
      // The renewal is an edit: a new approval, made by the commit that renewed it.
      [renewed.id, 0, renewal, 'human'],
      [second.id, 1, byAgent, 'agent'],
    ])
    expect(found[0]!.line).toBe(3)
    expect(found[0]!.addedBy?.subject).toBe('Renew the CDN approval')
  })

  it('gives uncommitted entries to the pending commit, and committed ones to their commit', async () => {
    const found = await records({type: 'worktree'}, fileOf(renewed, second), fileOf(renewed, second, third), {
      CLAUDECODE: '1',
    })
    expect(found.map((r) => [r.entry.id, r.addedBy?.sha, r.addedBy?.actor.type])).toEqual([
      [renewed.id, renewal, 'human'],
      [second.id, byAgent, 'agent'],
      [third.id, 'pending', 'agent'],
    ])
    expect(found[2]!.addedBy).toMatchObject({
      pending: true,
      subject: '(uncommitted changes in the working tree)',
    })
  })

  it('has nothing to blame when the file has no entries', async () => {
    expect(await records({type: 'ref', rev: 'HEAD'}, fileOf(first), 'version: 1\napprovals: []\n')).toEqual(
      [],
    )
  })
})

describe('the two sides of the file', () => {
  it('fails closed on a target version that does not validate, and reads an invalid reference as empty', async () => {
    const errors: InputProblem[] = []
    const broken = 'version: 1\napprovals:\n  - id: nope\n'
    const sides = await readApprovalsSides(APPROVALS_FILE, side(broken), side(broken), errors)
    expect(sides).toEqual({now: {entries: [], lines: []}, before: []})
    expect(errors.length).toBeGreaterThan(0)
    expect(errors.every((e) => e.file === APPROVALS_FILE)).toBe(true)
  })

  it('reports each entry removed since the reference, blamed where the entry is gone', async () => {
    const sides = await readApprovalsSides(
      APPROVALS_FILE,
      side(fileOf(first, second)),
      side(fileOf(first)),
      [],
    )
    const versions = new VersionCache(repo.dir)
    const [removed, ...rest] = removedApprovals(APPROVALS_FILE, sides, versions)
    expect(rest).toEqual([])
    expect(removed!.finding).toMatchObject({
      kind: 'acldrift',
      file: APPROVALS_FILE,
      rule: 'approval-removed',
      change: 'narrowing', // removing an approval lets less pass
      severity: 'low',
      witness: {
        approval: second.id,
        approver: 'alice@example.com',
        rule: 'public-principal',
        file: 'iam/bucket.json',
      },
      message: `The approval of ${second.id} (public-principal in iam/bucket.json, approver alice@example.com) was removed from ${APPROVALS_FILE}.`,
    })
    // The id names the removed approval, as it always has.
    expect(removed!.finding.id).toBe('277918a3bd417549')
    expect(await removed!.holds(null)).toBe(true)
    const blobOf = async (rev: string) => (await repo.git('rev-parse', `${rev}:${APPROVALS_FILE}`)).trim()
    const [withSecond, withoutSecond] = [await blobOf(byAgent), await blobOf(added)]
    await versions.load([withSecond, withoutSecond])
    expect(await removed!.holds(withSecond)).toBe(false)
    expect(await removed!.holds(withoutSecond)).toBe(true)
  })

  it('reports a valid approval added since the reference with its own approval', () => {
    const record = {entry: second, index: 1, line: 12, addedBy: null}
    const approval = {
      source: 'approvals-file' as const,
      approver: 'alice@example.com',
      valid: true,
      status: 'valid' as const,
      why: 'x',
      commit: null,
    }
    expect(approvalAdded(APPROVALS_FILE, record, approval)).toMatchObject({
      rule: 'approval-added',
      severity: 'low',
      pointer: '/approvals/1',
      line: 12,
      approval,
      message: `alice@example.com approved ${second.id} (public-principal in iam/bucket.json) until 2026-12-31: The CDN reads the public assets`,
    })
  })
})
