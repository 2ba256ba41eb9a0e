// Judging approvals. Pure: given the findings (attributed), the approvals with the commit that
// added each, and whose approvals count, it decides which approvals count, fills each
// finding's `approval`, and reports invalid and unused approvals as findings of their own.
//
// An approval counts only if the commit that added it is a listed approver's, made as a
// human: an agent cannot approve its own change, and nobody can approve in someone else's
// name. Nothing here trusts the approvals file's own `approver` field on its own.
//
// An approval is about the access it recorded, whole, not about an id: it covers a finding of
// the same kind, file, document and change only when the kind's adapter says the approved
// access implies the finding's (Adapter.covers), whatever rule either was classified under (a
// grant named a new statement when approved is a widened one against a later baseline) — except
// in kinds whose findings of different rules share one access (Adapter.rulesShareAccess), and
// for acldrift's own findings, where the rule says what the access is about. An entry that does
// not record its access (written by an earlier acldrift) is matched by id only to say why it
// does not count.

import type {ApprovalEntry} from './approvals-file.js'
import {adapterFor} from '../../adapters/index.js'
import {sameAccess} from '../../adapters/adapter.js'
import {findingId} from '../../kernel/findings.js'
import type {Approval, CommitInfo, Finding} from '../../kernel/types.js'
import type {GateRule} from './rules.js'
import {type Signed, unsignedWhy} from './signatures.js'

/** One entry of the approvals file and the commit that added it. */
export interface ApprovalRecord {
  entry: ApprovalEntry
  /** index in the file, and the line where it starts */
  index: number
  line: number | null
  /** the commit after which the entry is present and stays present (the pending one when not committed), or null */
  addedBy: CommitInfo | null
  /** why addedBy is null */
  unknownWhy?: string
}

/** Rules of the findings the gate makes about approvals themselves: never approved, never stale-checked. */
export const APPROVAL_RULES: readonly string[] = [
  'self-approval',
  'approval-expired',
  'approval-stale',
  'approval-unverified',
] satisfies GateRule[]

/** `YYYY-MM-DD` of a date, in UTC: expiry dates are days, and a day ends at midnight UTC. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10)
}

/** Whether a commit is a listed approver's, made as a human; and if not, why. */
export function approverCommit(
  commit: CommitInfo | null,
  approvers: readonly string[],
  /** each verified commit's signer, when the policy requires signed approvals */
  signed?: Signed,
): {ok: boolean; why: string} {
  if (commit === null) return {ok: false, why: 'a commit that could not be found'}
  const {actor, author} = commit
  const email = author.email.toLowerCase()
  const where = commit.pending ? 'the pending commit' : `commit ${commit.sha.slice(0, 7)}`
  if (actor.type === 'agent')
    return {
      ok: false,
      why: `${where}, attributed to an AI agent (${actor.agent ?? 'unnamed'}; ${evidence(commit)})`,
    }
  if (!approvers.includes(email))
    return {ok: false, why: `${where} by ${author.email}, who is not a listed approver (policy.approvers)`}
  if (actor.type !== 'human')
    return {ok: false, why: `${where} by ${author.email}, classified ${actor.type}, not human`}
  const unsigned = unsignedWhy(commit, signed, where)
  if (unsigned !== undefined) return {ok: false, why: unsigned}
  const verified = signed === undefined ? '' : ', signed with their listed key'
  return {ok: true, why: `${where} by listed approver ${author.email}${verified}`}
}

function evidence(commit: CommitInfo): string {
  const signals = commit.actor.evidence.map((e) => e.signal)
  return signals.length === 0 ? 'no detail' : `evidence ${signals.join(', ')}`
}

/**
 * Whether an entry approves a finding: the same place and change, and an approved access that
 * its kind's adapter finds covers the finding's (of the same rule only where the rule is part of
 * what the access means). An entry without its recorded access names a finding by id only (it
 * never counts: judgeApproval).
 */
export async function entryCovers(entry: ApprovalEntry, finding: Finding): Promise<boolean> {
  if (!approvable(finding)) return false
  if (entry.kind !== finding.kind || entry.file !== finding.file || entry.document !== finding.document)
    return false
  if (entry.access.whole === undefined) return entry.id === finding.id
  if (entry.access.change !== finding.change || finding.access === undefined) return false
  const adapter = finding.kind === 'acldrift' ? undefined : adapterFor(finding.kind)
  if ((adapter === undefined || adapter.rulesShareAccess === true) && entry.access.rule !== finding.rule)
    return false
  return await (adapter?.covers ?? sameAccess)(entry.access.whole, finding.access)
}

/**
 * Whether any approval can cover a finding: not when its rule says none does (a comparison cut
 * short, whose unlisted widenings an approval of the listed ones must not let through).
 */
export function approvable(finding: Finding): boolean {
  if (finding.kind === 'acldrift') return true
  return adapterFor(finding.kind).rules[finding.rule]?.approvable !== false
}

/** Whether an approval counts: who added it, in whose name, what it records, and until when. */
export function judgeApproval(
  record: ApprovalRecord,
  approvers: readonly string[],
  today: string,
  signed?: Signed,
): Approval {
  const {entry, addedBy} = record
  const base = {
    source: 'approvals-file' as const,
    id: entry.id,
    approver: entry.approver,
    reason: entry.reason,
    ...(entry.ticket === undefined ? {} : {ticket: entry.ticket}),
    expires: entry.expires,
    created: entry.created,
    commit: addedBy,
  }
  if (entry.access.whole === undefined)
    return {
      ...base,
      valid: false,
      status: 'unverified',
      why: 'it does not record the access it approves (written by an earlier version of acldrift, which named access by id alone): approve the finding again with `acldrift approve`',
    }
  if (addedBy === null)
    return {
      ...base,
      valid: false,
      status: 'unverified',
      why: `who added it cannot be established: ${record.unknownWhy ?? 'unknown commit'}`,
    }
  const who = approverCommit(addedBy, approvers, signed)
  if (!who.ok) return {...base, valid: false, status: 'self-approval', why: `added in ${who.why}`}
  if (addedBy.author.email.toLowerCase() !== entry.approver.toLowerCase())
    return {
      ...base,
      valid: false,
      status: 'self-approval',
      why: `it names ${entry.approver} as approver but was added by ${addedBy.author.email}: approvers add their own approvals`,
    }
  if (today > entry.expires)
    return {...base, valid: false, status: 'expired', why: `it expired on ${entry.expires}`}
  return {...base, valid: true, status: 'valid', why: `added in ${who.why}`}
}

/** A change to acldrift's own files made by a listed approver is approved by that commit. */
export function commitApproval(
  finding: Finding,
  approvers: readonly string[],
  signed?: Signed,
): Approval | null {
  const who = approverCommit(finding.commit, approvers, signed)
  if (!who.ok || finding.commit === null) return null
  return {
    source: 'approver-commit',
    approver: finding.commit.author.email,
    valid: true,
    status: 'valid',
    why: `made in ${who.why}`,
    commit: finding.commit,
  }
}

/**
 * Fills `approval` of every finding an approval names (a valid one wins; a finding already
 * approved by an approver's commit keeps that), and returns the findings about approvals:
 * invalid ones (self-approval, approval-expired, approval-unverified) and unused ones (approval-stale).
 */
export async function applyApprovals(
  findings: Finding[],
  records: ApprovalRecord[],
  approvers: readonly string[],
  today: string,
  approvalsFile: string,
  /** whether this comparison could have used the entry (else it is not reported as stale) */
  judgeable: (entry: ApprovalEntry) => boolean = () => true,
  signed?: Signed,
): Promise<{findings: Finding[]; judged: Map<ApprovalRecord, Approval>}> {
  const judged = new Map(records.map((r) => [r, judgeApproval(r, approvers, today, signed)]))
  const used = new Set<ApprovalRecord>()
  const covered: Array<{finding: Finding; matching: ApprovalRecord[]}> = []
  for (const finding of findings) {
    if (finding.change === 'narrowing' || APPROVAL_RULES.includes(finding.rule)) continue
    const matching: ApprovalRecord[] = []
    for (const r of records) if (await entryCovers(r.entry, finding)) matching.push(r)
    covered.push({finding, matching})
  }
  // An approval arrives separately: one that first appears in the commit that makes the access
  // (a squash merge of a branch that carried both, or a commit the approver makes with them both)
  // says nothing about a human having looked at that access — unless that commit is verifiably
  // the approver's (signed, under policy.requireSignedApprovals).
  for (const {finding, matching} of covered)
    for (const r of matching) {
      const approval = judged.get(r)!
      if (approval.valid && signed === undefined && sameCommit(r.addedBy, finding.commit))
        judged.set(r, {
          ...approval,
          valid: false,
          status: 'self-approval',
          why: `it was added in the same commit as the access it approves (${describe(r.addedBy!)}): an approval counts only in a commit of its own, before or after the access (a squash merge that carries both is not one)`,
        })
    }
  for (const {finding, matching} of covered) {
    if (matching.length === 0) continue
    for (const r of matching) used.add(r)
    if (finding.approval?.valid) continue
    const best = matching.map((r) => judged.get(r)!).sort((a, b) => Number(b.valid) - Number(a.valid))[0]!
    finding.approval = best
  }
  const out: Finding[] = []
  for (const record of records) {
    const approval = judged.get(record)!
    const unused = !used.has(record) && judgeable(record.entry)
    if (approval.status === 'valid' && !unused) continue
    out.push(approvalFinding(record, approval, unused, approvalsFile))
  }
  return {findings: out, judged}
}

/** Whether an approval and the access it approves were made by one commit (the pending one included). */
function sameCommit(addedBy: CommitInfo | null, madeBy: CommitInfo | null): boolean {
  return addedBy !== null && madeBy !== null && addedBy.sha === madeBy.sha
}

const describe = (commit: CommitInfo) =>
  commit.pending ? 'the pending commit' : `commit ${commit.sha.slice(0, 7)} by ${commit.author.email}`

function approvalFinding(record: ApprovalRecord, approval: Approval, unused: boolean, file: string): Finding {
  const {entry} = record
  const what = `the approval of ${entry.id} (${entry.access.rule} in ${entry.file}, approver ${entry.approver})`
  const idle = unused ? '; it matches no current finding' : ''
  let rule: GateRule
  let change: Finding['change']
  let severity: Finding['severity']
  let message: string
  switch (approval.status) {
    case 'self-approval':
      // An attempt to let a widening through without a human approver: a widening of what passes.
      rule = 'self-approval'
      change = 'widening'
      severity = 'high'
      message = `${capitalise(what)} does not count: ${approval.why}${idle}.`
      break
    case 'unverified':
      rule = 'approval-unverified'
      change = 'narrowing'
      severity = 'low'
      message = `${capitalise(what)} does not count: ${approval.why}${idle}.`
      break
    case 'expired':
      rule = 'approval-expired'
      change = 'narrowing'
      severity = 'low'
      message = `${capitalise(what)} expired on ${entry.expires} and no longer counts${idle}: renew it or remove it.`
      break
    default:
      rule = 'approval-stale'
      change = 'narrowing'
      severity = 'low'
      message = `${capitalise(what)} matches no current finding: remove it, or it would approve the same access again if it came back.`
  }
  return {
    id: findingId(['acldrift', file, rule, entry.id]),
    kind: 'acldrift',
    file,
    line: record.line,
    pointer: `/approvals/${record.index}`,
    change,
    severity,
    rule,
    message,
    witness: {
      approval: entry.id,
      approver: entry.approver,
      rule: entry.access.rule,
      file: entry.file,
      expires: entry.expires,
    },
    before: null,
    after: entry,
    diff: [],
    commit: record.addedBy,
    approval: null,
  }
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)
