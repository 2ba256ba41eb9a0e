// Issue 16.5, "one compile per access": semantic blame asks each access of a file once, and the
// commit list compares only the commits that changed what a document grants. A file renamed
// statement by statement (a new Sid per commit) has one version per commit but few accesses:
// counters of the versions blame asks and the documents the commit list compares say so. A
// pipeline that asks or compares every version counts one per commit.
import {afterAll, beforeAll, expect, it} from 'vitest'
import {blameCounts} from '../../../src/core/attribute/index.js'
import {compareCounts} from '../../../src/core/compare.js'
import {commitAs} from '../../e2e/helpers.js'
import {createRepo, identities, type TestRepo} from '../../helpers/repo.js'
import {compareRevisions} from './audit-steps.js'

const PATH = 'iam/policy.json'
const policy = (sid: string, actions: string[]) =>
  `${JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [
        {Sid: sid, Effect: 'Allow', Action: actions, Resource: 'arn:aws:s3:::bucket/*'},
        {Sid: `${sid}List`, Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bucket'},
      ],
    },
    null,
    2,
  )}\n`

let repo: TestRepo
let base: string
let head: string
const widenings: string[] = []
/** Commits that only renamed the statements. */
const RENAMES = 4

beforeAll(async () => {
  repo = await createRepo()
  let version = 0
  const rename = async (actions: string[]) => {
    for (let i = 0; i < RENAMES; i++)
      await commitAs(repo, identities.human, `Rename ${++version}`, {[PATH]: policy(`V${version}`, actions)})
  }
  base = await commitAs(repo, identities.human, 'Policy', {[PATH]: policy('V0', ['s3:GetObject'])})
  await rename(['s3:GetObject'])
  widenings.push(
    await commitAs(repo, identities.claudeCode, 'Let it write', {
      [PATH]: policy(`V${++version}`, ['s3:GetObject', 's3:PutObject']),
    }),
  )
  await rename(['s3:GetObject', 's3:PutObject'])
  widenings.push(
    await commitAs(repo, identities.claudeCode, 'Let it delete', {
      [PATH]: policy(`V${++version}`, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']),
    }),
  )
  await rename(['s3:GetObject', 's3:PutObject', 's3:DeleteObject'])
  head = (await repo.git('rev-parse', 'HEAD')).trim()
})
afterAll(() => repo.cleanup())

it('asks each access of a file once and compares only the commits that changed it, not the renames', async () => {
  const {findings, attributeAll} = await compareRevisions(repo.dir, base, head)
  blameCounts.asked = 0
  compareCounts.documents = 0
  expect(await attributeAll()).toEqual([])
  // One widened statement: blamed on the first widening, listing both.
  expect(findings.map((f) => [f.pointer, f.change, f.commit?.sha])).toEqual([
    ['/Statement/0', 'widening', widenings[0]],
  ])
  expect(findings[0]!.commits?.map((c) => c.commit.sha)).toEqual(widenings)
  // 15 versions after the baseline's, three accesses among them (the baseline's is one).
  expect(blameCounts.asked).toBe(3)
  // The two widening commits' versions against their parents'; the 12 renames are not compared.
  expect(compareCounts.documents).toBe(2)
})

// Blame asks a version only when its walk reaches it: newest first, down to the first version
// without the access. A policy whose other statement went through four resources and back before
// the last commit widened it has six versions with six accesses; blame of that widening asks two
// (the widened one, and the one before it). Asking every version first counts six.
it('asks the versions of a file only down to the first one without the access', async () => {
  const other = await createRepo()
  try {
    const FILE = 'iam/other.json'
    const statements = (resource: string, actions: string[]) =>
      `${JSON.stringify(
        {
          Version: '2012-10-17',
          Statement: [
            {Sid: 'Objects', Effect: 'Allow', Action: actions, Resource: 'arn:aws:s3:::bucket/*'},
            {Sid: 'Queue', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: resource},
          ],
        },
        null,
        2,
      )}\n`
    const queue = (n: number) => `arn:aws:sqs:us-east-1:111122223333:queue-${n}`
    const start = await commitAs(other, identities.human, 'Policy', {
      [FILE]: statements(queue(0), ['s3:GetObject']),
    })
    for (const n of [1, 2, 3, 4, 0])
      await commitAs(other, identities.human, `Queue ${n}`, {[FILE]: statements(queue(n), ['s3:GetObject'])})
    const widened = await commitAs(other, identities.claudeCode, 'Let it delete', {
      [FILE]: statements(queue(0), ['s3:GetObject', 's3:DeleteObject']),
    })
    const {findings, attributeAll} = await compareRevisions(other.dir, start, widened)
    blameCounts.asked = 0
    expect(await attributeAll()).toEqual([])
    expect(findings.map((f) => [f.pointer, f.change, f.commit?.sha])).toEqual([
      ['/Statement/0', 'widening', widened],
    ])
    expect(blameCounts.asked).toBe(2)
  } finally {
    await other.cleanup()
  }
})
