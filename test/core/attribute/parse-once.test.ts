// An audit parses each blob once (issue 16: "parse once", "compare only the documents a commit
// changed"): the files the baseline and the target share, and every version semantic blame and
// the commit list ask about, are parsed one time each, whatever the number of findings or of
// commits. A pipeline that read a tree per commit, or the versions again per finding, parses
// more, and this count says so.
import {afterAll, beforeAll, expect, it} from 'vitest'
import {parseCounts} from '../../../src/core/source.js'
import {commitAs} from '../../e2e/helpers.js'
import {createRepo, identities, type TestRepo} from '../../helpers/repo.js'
import {compareRevisions} from './audit-steps.js'

const FILES = 12
const path = (i: number) => `iam/policy-${i}.json`
const policy = (i: number, actions: string[], indent = 2) =>
  `${JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {Sid: 'Read', Effect: 'Allow', Action: actions, Resource: `arn:aws:s3:::bucket-${i}/*`},
        {Sid: 'List', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::bucket-${i}`},
      ],
    },
    null,
    indent,
  )}\n`

let repo: TestRepo
let base: string
const widenings: string[] = []

beforeAll(async () => {
  repo = await createRepo()
  base = await commitAs(
    repo,
    identities.human,
    'Policies',
    Object.fromEntries(Array.from({length: FILES}, (_, i) => [path(i), policy(i, ['s3:GetObject'])])),
  )
  // policy-3 widened by four commits, one action each; policy-7 by one; policy-5 reformatted.
  const actions = ['s3:GetObject']
  for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:GetObjectAcl', 's3:PutObjectAcl']) {
    actions.push(action)
    widenings.push(
      await commitAs(repo, identities.claudeCode, `Add ${action}`, {[path(3)]: policy(3, actions)}),
    )
  }
  widenings.push(
    await commitAs(repo, identities.human, 'Let policy 7 write', {
      [path(7)]: policy(7, ['s3:GetObject', 's3:PutObject']),
    }),
  )
  await commitAs(repo, identities.human, 'Reformat policy 5', {[path(5)]: policy(5, ['s3:GetObject'], 4)})
})
afterAll(() => repo.cleanup())

it('parses each blob of an audit once: both trees, and every version blame and the commit list read', async () => {
  parseCounts.parsed = 0
  parseCounts.reused = 0
  const head = (await repo.git('rev-parse', 'HEAD')).trim()
  const {findings, attributeAll} = await compareRevisions(repo.dir, base, head)
  const notes = await attributeAll()
  expect(notes).toEqual([])
  // Every finding is attributed, and policy-3's lists the four commits that each added an action.
  expect(findings.every((f) => widenings.includes(f.commit?.sha ?? ''))).toBe(true)
  const ofThree = findings.filter((f) => f.file === path(3))
  expect(ofThree.length).toBeGreaterThan(0)
  expect(new Set(ofThree.flatMap((f) => (f.commits ?? []).map((c) => c.commit.sha)))).toEqual(
    new Set(widenings.slice(0, 4)),
  )
  // The distinct blobs: the 12 files of the baseline, policy-3's 4 later versions, policy-7's and
  // policy-5's one each. Read twice (each tree in full, the versions again for blame), it is 24 or more.
  expect(parseCounts.parsed).toBe(FILES + 4 + 1 + 1)
  expect(parseCounts.reused).toBeGreaterThan(0)
})
