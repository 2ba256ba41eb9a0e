// Findings name the commit that introduced them and its actor (DESIGN.md: attribute), end to end.

import {describe, expect, it} from 'vitest'
import {identities} from '../helpers/repo.js'
import {checkJson, commitFiles, repoFactory} from './helpers.js'
import {bucketPolicy, narrowedRolePolicy, policyText, publicBucketPolicy, rolePolicy} from './policies.js'

const BUCKET_FILE = 'iam/buckets/payroll-exports.json'
const ROLE_FILE = 'iam/roles/reporting-dashboard.json'

const newRepo = repoFactory()

interface Commit {
  sha: string
  author: {name: string; email: string}
  subject: string
  actor: {type: string; agent?: string; confidence: number; evidence: unknown[]}
}

describe.concurrent('attribution', () => {
  it('a widening made by Claude Code names that commit and the agent; a human narrowing names its own commit', async () => {
    const r = await newRepo()
    await commitFiles(r, {[BUCKET_FILE]: policyText(bucketPolicy), [ROLE_FILE]: policyText(rolePolicy)})
    await r.git('tag', 'approved')
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await r.stage(BUCKET_FILE)
    const agentSha = await r.commit(
      identities.claudeCode.message('Fix AccessDenied for the reporting dashboard'),
      identities.claudeCode,
    )
    // An unrelated later edit of the same file does not move the blame.
    await r.write(BUCKET_FILE, JSON.stringify(publicBucketPolicy, null, 4))
    await r.stage(BUCKET_FILE)
    await r.commit('Reformat the bucket policy')
    const humanSha = await commitFiles(r, {[ROLE_FILE]: policyText(narrowedRolePolicy)}, 'Drop DeleteObject')

    const {report} = await checkJson(r.dir, ['--range', 'approved..HEAD'])
    const pub = report.findings.find((f) => f.rule === 'public-principal')!
    const commit = pub.commit as Commit
    expect(commit).toMatchObject({
      sha: agentSha,
      subject: 'Fix AccessDenied for the reporting dashboard',
      actor: {type: 'agent', agent: expect.stringMatching(/claude/i)},
    })
    expect(commit.actor.evidence.length).toBeGreaterThan(0)

    const narrowing = report.findings.find((f) => f.change === 'narrowing' && f.file === ROLE_FILE)!
    expect((narrowing.commit as Commit).sha).toBe(humanSha)
    expect((narrowing.commit as Commit).actor.type).not.toBe('agent')
  })
})
