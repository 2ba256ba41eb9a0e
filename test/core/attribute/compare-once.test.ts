// Issue 16, "compare only the documents a commit changed": `history` and attribution's list of
// the commits that added a finding's access compare, per commit, only the documents whose value
// that commit changed. A commit that only reformats a policy (another indent: new bytes, same
// value) changes no document, and a counter of the documents handed to the adapters says so; nor
// does, for `history`, one that only renames a statement (a new Sid, the same access).
import {afterAll, beforeAll, expect, it} from 'vitest'
import {compareCounts} from '../../../src/core/compare.js'
import {DEFAULT_CONFIG} from '../../../src/core/config.js'
import {runTimeline} from '../../../src/core/timeline.js'
import {commitAs} from '../../e2e/helpers.js'
import {createRepo, identities, type TestRepo} from '../../helpers/repo.js'
import {compareRevisions} from './audit-steps.js'

const path = (i: number) => `iam/policy-${i}.json`
const policy = (i: number, actions: string[], indent = 2, sid = 'Read') =>
  `${JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [{Sid: sid, Effect: 'Allow', Action: actions, Resource: `arn:aws:s3:::bucket-${i}/*`}],
    },
    null,
    indent,
  )}\n`

let repo: TestRepo
let base: string
let head: string
const widenings: string[] = []

beforeAll(async () => {
  repo = await createRepo()
  base = await commitAs(repo, identities.human, 'Policies', {
    [path(1)]: policy(1, ['s3:GetObject']),
    [path(2)]: policy(2, ['s3:GetObject']),
  })
  // policy-1: widened, reformatted, widened again; policy-2: reformatted, its statement renamed.
  widenings.push(
    await commitAs(repo, identities.claudeCode, 'Let policy 1 write', {
      [path(1)]: policy(1, ['s3:GetObject', 's3:PutObject']),
    }),
  )
  await commitAs(repo, identities.human, 'Reformat', {
    [path(1)]: policy(1, ['s3:GetObject', 's3:PutObject'], 4),
    [path(2)]: policy(2, ['s3:GetObject'], 4),
  })
  await commitAs(repo, identities.human, 'Rename', {[path(2)]: policy(2, ['s3:GetObject'], 4, 'ReadAll')})
  widenings.push(
    await commitAs(repo, identities.claudeCode, 'Let policy 1 delete', {
      [path(1)]: policy(1, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], 4),
    }),
  )
  head = (await repo.git('rev-parse', 'HEAD')).trim()
})
afterAll(() => repo.cleanup())

it('history compares only the documents each commit changed, not a reformatted one', async () => {
  compareCounts.documents = 0
  const report = await runTimeline({root: repo.dir, config: DEFAULT_CONFIG, since: base, request: {}})
  expect(report.findings.map((f) => [f.file, f.change, f.commit?.sha])).toEqual([
    [path(1), 'widening', widenings[0]],
    [path(1), 'widening', widenings[1]],
  ])
  // The two widening commits' policy-1; the reformatting commit's two files and the renamed
  // statement's are not compared.
  expect(compareCounts.documents).toBe(2)
})

it('history tells its progress as a check does: each file named, with its commit, before it is compared', async () => {
  const told: Array<[number, number, string]> = []
  await runTimeline({
    root: repo.dir,
    config: DEFAULT_CONFIG,
    since: base,
    request: {},
    progress: (done, total, what) => told.push([done, total, what]),
  })
  // Four commits in the range; the two that widen policy-1 have a document to compare.
  expect(told).toEqual([
    [0, 4, `commits compared (${widenings[0]!.slice(0, 12)} ${path(1)})`],
    [3, 4, `commits compared (${widenings[1]!.slice(0, 12)} ${path(1)})`],
    [4, 4, 'commits compared'],
  ])
})

it("an audit's attribution compares each commit's change of a finding's document, not a reformat", async () => {
  const {findings, attributeAll} = await compareRevisions(repo.dir, base, head)
  compareCounts.documents = 0
  const notes = await attributeAll()
  expect(notes).toEqual([])
  // The statement's finding lists both commits that added an action to it.
  expect(findings.flatMap((f) => (f.commits ?? []).map((c) => c.commit.sha))).toEqual(widenings)
  // Each widening commit's version against its parent's; the reformat is the same document.
  expect(compareCounts.documents).toBe(2)
})
