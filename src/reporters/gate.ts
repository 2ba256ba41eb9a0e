// Output of `acldrift approve` and `acldrift baseline update`, in the terminal.

import type {ApproveResult} from '../core/approve.js'
import type {BaselineUpdateResult} from '../core/baseline-update.js'
import type {PruneResult} from '../core/prune.js'
import {chalkFor, findingLines} from './pretty.js'
import {findingPlace, plural, printable, type ReporterOptions, witnessLine} from './shared.js'

export function renderApproved(untrusted: ApproveResult, options: ReporterOptions): string {
  const result = printable(untrusted)
  const c = chalkFor(options)
  const lines: string[] = []
  for (const {entry, finding, replaced} of result.approved) {
    lines.push(
      c.bold(
        `${replaced ? 'renewed' : 'recorded'} approval of ${entry.id} in ${result.file} (approver ${entry.approver}, until ${entry.expires})`,
      ),
      `  ${finding.severity} ${finding.change} ${finding.rule} at ${findingPlace(finding)}`,
    )
    if (finding.witness !== null) lines.push(`  witness: ${witnessLine(finding.witness)}`)
  }
  const approver = result.approved[0]?.entry.approver ?? ''
  lines.push(
    '',
    `${result.approved.length === 1 ? 'It counts' : `These ${result.approved.length} approvals count`} once ${approver} commits ${result.file} as a human — not from an AI agent's session, and not folded into an agent's commit.`,
  )
  lines.push(...result.warnings.map((w) => c.yellow(`warning: ${w}`)))
  return lines.join('\n') + '\n'
}

export function renderBaselineUpdate(untrusted: BaselineUpdateResult, options: ReporterOptions): string {
  const result = printable(untrusted)
  const c = chalkFor(options)
  if (result.unapproved.length > 0) {
    const lines = [
      c.bold.red(
        `acldrift baseline update: refused, ${plural(result.unapproved.length, 'widening')} not approved; ${result.file} is unchanged`,
      ),
    ]
    for (const finding of result.unapproved)
      lines.push('', `  ${c.bold(finding.id)}`, ...findingLines(c, finding))
    lines.push(
      '',
      'Approve each one with `acldrift approve ID --reason R --expires YYYY-MM-DD`, committed by a listed approver (policy.approvers), then run this again.',
    )
    return lines.join('\n') + '\n'
  }
  if (!result.written) return `${result.file} is up to date: nothing to promote\n`
  const by = result.snapshot?.updatedBy
  const actor = by ? (by.actor.agent ? `${by.actor.type}: ${by.actor.agent}` : by.actor.type) : 'unknown'
  const commit = by?.commit ? by.commit.slice(0, 7) : 'no commit'
  return (
    [
      c.bold.green(`updated ${result.file}`),
      `  ${plural(result.narrowings.length, 'narrowing')} and ${plural(result.approved.length, 'approved widening')} promoted`,
      ...result.approved.map((f) => `  - ${f.id} ${f.rule} in ${findingPlace(f)}: ${f.approval?.why ?? ''}`),
      `  from ${commit}, by ${by?.name ?? ''} <${by?.email ?? ''}> (${actor})`,
      `Commit ${result.file}: changes to it are checked like changes to access.`,
    ].join('\n') + '\n'
  )
}

export function renderPruned(untrusted: PruneResult, options: ReporterOptions): string {
  const result = printable(untrusted)
  const c = chalkFor(options)
  if (result.removed.length === 0) return `${result.file}: no expired or stale approval to remove\n`
  return (
    [
      c.bold(`removed ${plural(result.removed.length, 'approval')} from ${result.file}`),
      ...result.removed.map(
        (f) => `  - ${String((f.witness as {approval: string}).approval)} ${f.rule}: ${f.message}`,
      ),
      `Commit ${result.file}: removing approvals is a narrowing (approval-removed).`,
    ].join('\n') + '\n'
  )
}
