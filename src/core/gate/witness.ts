// The witness of a finding no approval covers is a request nobody approved (issue 13). The
// comparison picks a finding's witness before approvals are read, and may pick a request an
// approval grants (the gravest of the statement's requests, which an approver accepted); blame
// follows the witness, so it would name the approver's commit while what nobody approved was
// added by another, perhaps an agent. So once the gate has read the approvals, before the
// findings are attributed (each is then blamed once, by its final witness), each widening none of
// the approvals that count covers, in a document they are about (of any file, in kinds whose
// approved access reaches across files: RBAC), asks its kind for a request beyond the baseline
// and the approved access (Adapter.witnessBeyond).

import {adapterFor} from '../../adapters/index.js'
import {canonicalAccess} from '../../kernel/findings.js'
import type {AdapterContext, Document, Finding} from '../../kernel/types.js'
import {ofKind, toldFor} from '../compare.js'
import {findingKey} from '../embedded.js'
import type {ApprovalEntry} from './approvals-file.js'
import {approvable, entryCovers} from './approvals.js'

/**
 * Gives each widening of a document with approvals that count (`approved`: the gate's reading,
 * before attribution) that none of them covers a witness no approval grants, where its kind finds
 * one, with the message for it (rule and severity stay: they are the statement's, and never drop).
 */
export async function witnessBeyondApprovals(
  findings: readonly Finding[],
  approved: readonly ApprovalEntry[],
  baseline: Map<string, Document>,
  target: Map<string, Document>,
  context: AdapterContext,
): Promise<void> {
  for (const finding of findings) {
    if (finding.kind === 'acldrift' || finding.change === 'narrowing') continue
    const adapter = adapterFor(finding.kind)
    const key = findingKey(finding)
    const document = target.get(key)
    if (adapter.witnessBeyond === undefined || document === undefined || !approvable(finding)) continue
    const across = adapter.approvalsReachAcrossFiles === true
    const about = approved.filter(
      (e) =>
        e.kind === finding.kind && (across || (e.file === finding.file && e.document === finding.document)),
    )
    const accesses = about.flatMap((e) => (e.access.whole === undefined ? [] : [e.access.whole]))
    if (accesses.length === 0 || (await coveredByAny(about, finding))) continue
    const sides = {baseline: ofKind(baseline, finding.kind), target: ofKind(target, finding.kind)}
    const witness = await adapter.witnessBeyond(
      finding,
      key,
      baseline.get(key),
      document,
      accesses,
      sides,
      context,
    )
    if (witness === undefined || canonicalAccess(witness) === canonicalAccess(finding.witness)) continue
    // (its place, rule, severity and id stay: the access is the same)
    Object.assign(finding, await toldFor(finding, witness, sides))
    finding.witness = witness
  }
}

async function coveredByAny(entries: readonly ApprovalEntry[], finding: Finding): Promise<boolean> {
  for (const entry of entries) if (await entryCovers(entry, finding)) return true
  return false
}
