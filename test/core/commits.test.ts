// The commit-lookup step shared by attribution, the gate and the timeline, against a real
// repository: commits read by sha with their git-ai notes and classified with the config's
// actors, the merge that brought a change in, and the commit being made.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {blamedCommit, blamedShas, lookUpCommits, pendingCommit} from '../../src/core/commits.js'
import {gitProcessCount} from '../../src/git/index.js'
import {commitAs, commitFiles} from '../e2e/helpers.js'
import {createRepo, identities, type TestRepo} from '../helpers/repo.js'

const ACTORS = {
  humans: [{name: 'Alice', emails: ['alice@example.com']}],
  automation: [{name: 'Release train', emails: ['release@acme.test']}],
}

let repo: TestRepo
let byHuman: string
let byClaude: string
let byRelease: string
let noted: string
let merge: string

beforeAll(async () => {
  repo = await createRepo()
  const release = {name: 'Release', email: 'release@acme.test', message: (subject: string) => subject}
  byHuman = await commitFiles(repo, {'a.txt': 'a\n'}, 'Add a\n\nBody of the message')
  byClaude = await commitAs(repo, identities.claudeCode, 'Open the bucket', {'b.txt': 'b\n'})
  byRelease = await commitAs(repo, release, 'Release 1.2', {'c.txt': 'c\n'})
  noted = await commitFiles(repo, {'d.txt': 'd\n'}, 'Tidy up')
  await repo.git(
    'notes',
    '--ref=ai',
    'add',
    '-m',
    '{"agent_id": {"tool": "cursor", "id": "6ef2c1", "model": "claude-4-sonnet"}}',
    noted,
  )
  await repo.git('checkout', '--quiet', '-b', 'feature')
  const onBranch = await commitFiles(repo, {'e.txt': 'e\n'}, 'Branch work')
  await repo.git('checkout', '--quiet', 'main')
  await repo.git('merge', '--quiet', '--no-ff', '-m', 'Merge feature', 'feature')
  merge = (await repo.git('rev-parse', 'HEAD')).trim()
  expect(onBranch).not.toBe(merge)
})
afterAll(() => repo.cleanup())

describe('lookUpCommits', () => {
  it('classifies each commit with the config actors, the message markers and the ai notes', async () => {
    const commits = await lookUpCommits({root: repo.dir, actors: ACTORS}, [
      byHuman,
      byClaude,
      byRelease,
      noted,
    ])
    expect(commits.get(byHuman)).toMatchObject({
      sha: byHuman,
      subject: 'Add a',
      author: {name: 'Alice Example', email: 'alice@example.com'},
      actor: {type: 'human', evidence: [{signal: 'listed-human'}]},
    })
    expect(commits.get(byHuman)!.pending).toBeUndefined()
    expect(commits.get(byClaude)!.actor).toMatchObject({type: 'agent', agent: 'Claude Code'})
    expect(commits.get(byClaude)!.subject).toBe('Open the bucket')
    expect(commits.get(byRelease)!.actor).toMatchObject({
      type: 'automation',
      agent: 'Release train',
      evidence: [{signal: 'config-automation-email'}],
    })
    // The note makes an otherwise plain commit an agent's.
    const notedActor = commits.get(noted)!.actor
    expect(notedActor.type).toBe('agent')
    expect(notedActor.evidence.map((e) => e.signal)).toContain('git-ai-note')
  })

  it('without the config actors, a plain commit is unknown, never human', async () => {
    const commits = await lookUpCommits({root: repo.dir}, [byHuman])
    expect(commits.get(byHuman)!.actor).toEqual({type: 'unknown', confidence: 0, evidence: []})
  })

  it('leaves out what names no commit, and reads nothing when nothing is asked', async () => {
    const tree = (await repo.git('rev-parse', `${byHuman}^{tree}`)).trim()
    const commits = await lookUpCommits({root: repo.dir}, [tree, byHuman, byHuman])
    expect([...commits.keys()]).toEqual([byHuman])
    const before = gitProcessCount()
    expect((await lookUpCommits({root: repo.dir}, [])).size).toBe(0)
    expect(gitProcessCount()).toBe(before)
  })
})

describe('blamed commits', () => {
  it('names the merge that brought a change in from a branch', async () => {
    const branch = (await repo.git('rev-parse', 'feature')).trim()
    const blamed = [{sha: branch, mergedBy: merge}, null, {sha: byHuman}]
    expect(blamedShas(blamed)).toEqual([branch, merge, byHuman])
    const commits = await lookUpCommits({root: repo.dir}, blamedShas(blamed))
    expect(blamedCommit(commits, blamed[0]!)).toMatchObject({
      sha: branch,
      subject: 'Branch work',
      merge: {sha: merge, subject: 'Merge feature'},
    })
    expect(blamedCommit(commits, {sha: byHuman})!.merge).toBeUndefined()
    expect(blamedCommit(commits, {sha: '0'.repeat(40)})).toBeUndefined()
  })
})

describe('pendingCommit', () => {
  it('is the identity git will commit as, classified with the environment', async () => {
    const commit = await pendingCommit(
      {root: repo.dir, actors: ACTORS, env: {CLAUDECODE: '1'}},
      'the commit being made',
    )
    expect(commit).toMatchObject({
      sha: 'pending',
      pending: true,
      subject: '(the commit being made)',
      author: {name: 'Alice Example', email: 'alice@example.com'},
      actor: {type: 'agent', agent: 'Claude Code'},
    })
  })

  it('takes its subject and trailers from the message when the commit-msg hook knows it', async () => {
    const commit = await pendingCommit(
      {root: repo.dir, actors: ACTORS, env: {}, message: identities.claudeCode.message('Allow reads')},
      'the commit being made',
    )
    expect(commit.subject).toBe('Allow reads')
    expect(commit.actor.type).toBe('agent')
    const plain = await pendingCommit({root: repo.dir, actors: ACTORS, env: {}}, 'uncommitted changes')
    expect(plain.subject).toBe('(uncommitted changes)')
    expect(plain.actor.type).toBe('human')
  })
})
