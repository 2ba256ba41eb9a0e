// Sample actors, commits, findings and approval entries for the gate's unit tests.
import type {ApprovalEntry} from '../../../src/core/gate/approvals-file.js'
import type {ApprovalRecord} from '../../../src/core/gate/approvals.js'
import type {Actor, CommitInfo, Finding} from '../../../src/kernel/types.js'

export const APPROVERS = ['alice@acme.example']
export const TODAY = '2026-06-01'

export const human: Actor = {
  type: 'human',
  confidence: 0.9,
  evidence: [{signal: 'listed-human', detail: 'author email: alice@acme.example', strength: 'high'}],
}
export const claude: Actor = {
  type: 'agent',
  agent: 'Claude Code',
  confidence: 0.95,
  evidence: [
    {signal: 'coauthor-claude', detail: 'Co-Authored-By: Claude <noreply@anthropic.com>', strength: 'strong'},
  ],
}
export const unknown: Actor = {type: 'unknown', confidence: 0, evidence: []}

export function commit(
  email: string,
  actor: Actor,
  sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
): CommitInfo {
  return {
    sha,
    author: {name: email.split('@')[0]!, email, date: '2026-05-01T10:00:00+00:00'},
    subject: 'x',
    actor,
  }
}

/** The access of the sample finding (a public statement), as its entry records it. */
export const STATEMENT = {
  statement: {Action: ['s3:GetObject'], Effect: 'Allow', Principal: '*', Resource: ['arn:aws:s3:::b/*']},
}

export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    id: '3f9c2ab41d0e7c55',
    kind: 'aws-iam',
    file: 'iam/bucket.json',
    line: 4,
    pointer: '/Statement/0',
    change: 'widening',
    severity: 'critical',
    rule: 'public-principal',
    message: 'Public access.',
    witness: {principal: '*', action: 's3:GetObject', resource: 'arn:aws:s3:::b/x'},
    access: STATEMENT,
    before: null,
    after: null,
    diff: [],
    // Another commit than the approvals' (an approval arrives separately).
    commit: commit('bob@acme.example', unknown, 'f0e1d2c3b4a5968778695a4b3c2d1e0f00112233'),
    approval: null,
    ...overrides,
  }
}

export function entry(overrides: Partial<ApprovalEntry> = {}): ApprovalEntry {
  return {
    id: '3f9c2ab41d0e7c55',
    kind: 'aws-iam',
    file: 'iam/bucket.json',
    access: {change: 'widening', rule: 'public-principal', witness: {principal: '*'}, whole: STATEMENT},
    approver: 'alice@acme.example',
    reason: 'The CDN reads the public assets',
    expires: '2026-12-31',
    created: '2026-05-01T10:00:00Z',
    ...overrides,
  }
}

export function record(e: ApprovalEntry, addedBy: CommitInfo | null, index = 0): ApprovalRecord {
  return {
    entry: e,
    index,
    line: 5 + index * 10,
    addedBy,
    ...(addedBy === null ? {unknownWhy: 'shallow'} : {}),
  }
}
