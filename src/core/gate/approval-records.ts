// The approvals file between the reference and the target: its entries, each with the commit
// that added it (what judging an approval rests on), the entries removed since the reference
// (a widening of what passes), and the valid ones added since (reported, approved by themselves).

import {InvalidInputError} from '../../kernel/errors.js'
import type {Finding, InputProblem} from '../../kernel/types.js'
import {type ApprovalEntry, approvalsOrUndefined, parseApprovals, sameEntry} from './approvals-file.js'
import type {ApprovalRecord} from './approvals.js'
import {type Blame, pendingOf} from './blame.js'
import type {GateInput} from './input.js'
import {type Protected, protectedFinding} from './protected.js'
import type {VersionCache} from './versions.js'

interface ApprovalsSides {
  /** the target's entries, and where each starts; none when the file is absent or invalid */
  now: {entries: ApprovalEntry[]; lines: Array<number | null>}
  /** the reference's entries; none when absent, or when that version does not parse */
  before: ApprovalEntry[]
}

/** Both sides of the approvals file. The target's must be valid: its problems fail closed. */
export async function readApprovalsSides(
  file: string,
  before: Map<string, Buffer>,
  after: Map<string, Buffer>,
  errors: InputProblem[],
): Promise<ApprovalsSides> {
  let now: ApprovalsSides['now'] = {entries: [], lines: []}
  const content = after.get(file)
  if (content !== undefined) {
    try {
      now = await parseApprovals(file, content)
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error
      errors.push(...error.problems)
    }
  }
  const old = before.get(file)
  return {now, before: (old && (await approvalsOrUndefined(file, old))) ?? []}
}

/** The entries of an approvals version, for blame (a version that does not parse has none). */
const entriesAt = (file: string, versions: VersionCache, blob: string | null) =>
  versions.get(blob, 'approvals', (content) => approvalsOrUndefined(file, content))

/** Approvals removed since the reference: each a widening of what passes, blamed on whoever removed it. */
export function removedApprovals(file: string, sides: ApprovalsSides, versions: VersionCache): Protected[] {
  const kept = new Set(sides.now.entries.map((e) => e.id))
  return sides.before
    .filter((entry) => !kept.has(entry.id))
    .map((entry) => ({
      finding: protectedFinding({
        file,
        rule: 'approval-removed',
        severity: 'low',
        message: `The approval of ${entry.id} (${entry.access.rule} in ${entry.file}, approver ${entry.approver}) was removed from ${file}.`,
        witness: {approval: entry.id, approver: entry.approver, rule: entry.access.rule, file: entry.file},
        pointer: null,
        line: null,
        before: entry,
        after: null,
      }),
      path: file,
      holds: async (blob) => {
        const entries = await entriesAt(file, versions, blob)
        return blob === null || (entries !== undefined && !entries.some((e) => e.id === entry.id))
      },
    }))
}

/** A valid approval added since the reference, reported for the record (approved by itself). */
export function approvalAdded(file: string, record: ApprovalRecord, approval: Finding['approval']): Finding {
  const {entry} = record
  return {
    ...protectedFinding({
      file,
      rule: 'approval-added',
      severity: 'low',
      message: `${entry.approver} approved ${entry.id} (${entry.access.rule} in ${entry.file}) until ${entry.expires}: ${entry.reason}`,
      witness: {approval: entry.id, approver: entry.approver, rule: entry.access.rule, file: entry.file},
      pointer: `/approvals/${record.index}`,
      line: record.line,
      before: null,
      after: entry,
    }),
    commit: record.addedBy,
    approval,
  }
}

/**
 * Each approval with the commit that added it: the first after which the entry (exactly as it
 * is now) is present and stays present. In the working tree and the index, an entry not in
 * HEAD is the pending commit's.
 */
export async function approvalRecords(
  input: Pick<GateInput, 'root' | 'config' | 'target' | 'env' | 'message'>,
  file: string,
  sides: ApprovalsSides,
  versions: VersionCache,
  blame: Blame,
): Promise<ApprovalRecord[]> {
  const current = sides.now
  if (current.entries.length === 0) return []
  const pendingEntries =
    input.target.spec.type === 'ref'
      ? []
      : current.entries.filter((e) => !sides.before.some((h) => sameEntry(h, e)))
  const committed = current.entries.filter((e) => !pendingEntries.includes(e))
  const blamed = await blame(
    committed.map((entry) => ({
      path: file,
      holds: async (blob) =>
        (await entriesAt(file, versions, blob))?.some((e) => sameEntry(e, entry)) ?? false,
    })),
  )
  const pending = pendingEntries.length > 0 ? await pendingOf(input) : null
  return current.entries.map((entry, index) => {
    const at = committed.indexOf(entry)
    const addedBy = at === -1 ? pending : blamed[at]!.commit
    return {
      entry,
      index,
      line: current.lines[index] ?? null,
      addedBy,
      ...(addedBy === null ? {unknownWhy: at === -1 ? 'no pending commit' : blamed[at]!.why} : {}),
    }
  })
}
