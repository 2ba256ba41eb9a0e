// Whether an approval of one branch's protection covers a finding about another (Adapter.covers),
// decided by the comparison engine itself: a finding's access is the branch's whole protection
// (compare.ts; null when unprotected), and it is covered when the approved protection of the same
// branch, compared as the baseline with it as the target, shows no widening and no possible one —
// every update it accepts, the approved protection accepted too ("required reviews 1" approved
// covers 2, never 0). Code ownership is not known here, so both are compared as if some path had
// no owner (as compare.ts does without a repository).
//
// The access leaves out the REST export's `url` fields, and with them which shape the protection
// was written in, which matters for one setting: an empty `dismissal_restrictions` means
// "administrators only" in GitHub's REST response and "no restriction" in the request shape
// (model.ts). The approved protection is read as the response (the narrower reading) and the
// finding's as the request (the wider), so the answer holds whichever they were.
//
// A finding no approval covers gets a witness no approval grants (witnessBeyond): an update of
// the finding's rule that the target accepts and that the baseline and every approved protection
// of the branch (read both ways) reject. The candidates are the witnesses the comparison gives
// the rule against each of them, each checked against all with the evaluator.

import type {Document, Finding, ParsedFile, Witness} from '../../kernel/types.js'
import {approvedAccessFile} from '../adapter.js'
import {compareBranchProtectionFile} from './compare.js'
import {allowsWitness} from './evaluate.js'

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** A protection's access as compare.ts records it (`{branch, protection}`), or undefined for another shape. */
function protectionAccess(
  access: unknown,
): {branch: string; protection: Record<string, unknown> | null} | undefined {
  if (!isRecord(access) || Object.keys(access).sort().join() !== 'branch,protection') return undefined
  const {branch, protection} = access
  if (typeof branch !== 'string' || !(protection === null || isRecord(protection))) return undefined
  return {branch, protection}
}

/** One branch's protection as a safe-settings file; `response`: read as GitHub's REST response. */
function fileOf(branch: string, protection: Record<string, unknown> | null, response: boolean): ParsedFile {
  const entry =
    protection === null
      ? {name: branch, protection: null}
      : {name: branch, protection: response ? {...protection, url: '(approved access)'} : protection}
  return approvedAccessFile({branches: [entry]})
}

export function impliedBy(approved: unknown, access: unknown): boolean {
  const a = protectionAccess(approved)
  const b = protectionAccess(access)
  if (a === undefined || b === undefined || a.branch !== b.branch) return false
  const {findings} = compareBranchProtectionFile(
    '(approved access)',
    fileOf(a.branch, a.protection, true),
    fileOf(b.branch, b.protection, false),
  )
  return findings.every((f) => f.change === 'narrowing')
}

/**
 * An update of the finding's rule and branch that `target` accepts and that neither `baseline`
 * nor any approved protection of the branch does, or undefined. Code ownership is not known here:
 * an update that changes only unowned files is taken only when the finding's own witness was one
 * (the repository has such a file), and names the same file.
 */
export function witnessBeyond(
  finding: Finding,
  baseline: Document | undefined,
  target: Document,
  approved: readonly unknown[],
): Witness | undefined {
  const shown = finding.witness
  if (shown === null || baseline === undefined) return undefined
  const accesses = approved.map(protectionAccess).filter((a) => a !== undefined && a.branch === shown.branch)
  if (accesses.length === 0) return undefined
  const rejecting = [
    baseline,
    ...accesses.flatMap((a) => [
      fileOf(a!.branch, a!.protection, true),
      fileOf(a!.branch, a!.protection, false),
    ]),
  ]
  const beyond = (w: Witness) =>
    allowsWitness(target.value, w, finding.file) &&
    rejecting.every((side) => !allowsWitness(side.value, w, finding.file))
  const unowned =
    shown.touchesOwnedFile !== false
      ? undefined
      : shown.changedFile === undefined
        ? {}
        : {changedFile: shown.changedFile}
  for (const side of rejecting)
    for (const f of compareBranchProtectionFile(finding.file, side, target).findings) {
      if (f.rule !== finding.rule || f.change !== 'widening' || f.witness === null) continue
      if (f.witness.touchesOwnedFile === false && unowned === undefined) continue
      const witness = f.witness.touchesOwnedFile === false ? {...f.witness, ...unowned} : f.witness
      if (beyond(witness)) return witness
    }
  return undefined
}
