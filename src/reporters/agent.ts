// What the agent hook tells the agent, in plain words: what its action would do, that it must
// stop and ask the user, and what a person (not the agent) would run to approve it. The agent
// reads this as the reason its tool call was refused, so it says what to do next, once.

import type {Refusal} from '../core/agent/harnesses.js'
import type {AgentLogEntry} from '../core/agent/log.js'
import type {Finding, InputProblem} from '../kernel/types.js'
import {findingPlace, location, printable, witnessLine} from './shared.js'

const STOP =
  'Stop here and ask the user. Do not make this change another way (a shell command, another file, a commit without hooks): acldrift checks those too, and the user must decide.'

function findingText(finding: Finding): string[] {
  const lines = [
    `- ${finding.change === 'widening' ? 'WIDENING' : 'possible widening'} (${finding.severity}) ${finding.rule} at ${findingPlace(finding)}: ${finding.message}`,
  ]
  if (finding.witness !== null)
    lines.push(`  for example, this request would be allowed: ${witnessLine(finding.witness)}`)
  if (finding.reason !== undefined) lines.push(`  why acldrift cannot tell: ${finding.reason}`)
  if (finding.approval !== null && !finding.approval.valid)
    lines.push(
      `  the approval on record does not count (${finding.approval.status}): ${finding.approval.why}`,
    )
  return lines
}

/** Beyond this many possible widenings of one rule in one file, the rest are summarised in one line. */
const SHOWN_PER_RULE = 2

/**
 * The findings in full, except that possible widenings of one rule in one file (a Deny removed
 * stops many requests that other policies may allow) show the first few and then one line
 * naming where the others are: the agent must read what the edit allows, not a wall of lookalikes.
 */
function findingsText(findings: readonly Finding[]): string[] {
  const groups = new Map<string, Finding[]>()
  for (const f of findings) {
    const key = f.change === 'possible-widening' ? `${f.file}\0${f.rule}` : f.id
    groups.set(key, [...(groups.get(key) ?? []), f])
  }
  return [...groups.values()].flatMap((group) => {
    const shown = group.slice(0, SHOWN_PER_RULE).flatMap(findingText)
    const rest = group.slice(SHOWN_PER_RULE)
    if (rest.length === 0) return shown
    const where = rest.map((f) => findingPlace(f)).join(', ')
    return [
      ...shown,
      `- and ${rest.length} more possible widening(s) of the same kind (${rest[0]!.rule}) at ${where}`,
    ]
  })
}

/** An edit that widens access without a valid approval: blocked. */
function renderEditBlocked(file: string, untrusted: readonly Finding[], expires: string): string {
  const findings = printable([...untrusted])
  const ids = [...new Set(findings.map((f) => f.id))]
  return [
    `acldrift blocked this edit of ${printable(file)}: it would widen access, and no valid approval covers it.`,
    ...findingsText(findings),
    STOP,
    `Tell the user what the edit would allow (above). If they want it, a person (not you) approves exactly this access by running, in the repository:`,
    ...ids.map(
      (id) => `  acldrift approve ${id} --reason "<why this access is needed>" --expires ${expires}`,
    ),
    `and committing .acldrift/approvals.yaml as themselves; after that the same edit passes. Approvals written or committed by an agent do not count.`,
  ].join('\n')
}

/** An edit that makes an access config unreadable: blocked (acldrift could not check it). */
function renderEditUnreadable(file: string, problems: readonly InputProblem[]): string {
  return [
    `acldrift blocked this edit of ${printable(file)}: the file is an access-control config and the edit leaves it unreadable, so acldrift cannot tell what it allows:`,
    ...printable([...problems]).map((p) => `- ${location(p.file, p.line ?? null)}: ${p.message}`),
    'Fix the content (it must parse and validate) and try again.',
  ].join('\n')
}

/** A write to a file that decides what passes (hooks, approvals, the baseline, hook configs). */
function renderGuarded(what: string): string {
  return [
    `acldrift blocked this action: ${printable(what)}.`,
    STOP,
    'Tell the user what you wanted to do and why; a person makes this change.',
  ].join('\n')
}

/** A shell command that gets around the git hooks or takes a human's decision. */
function renderShellBlocked(command: string, reasons: readonly string[]): string {
  return [
    `acldrift blocked this command: ${printable(command)}`,
    ...printable([...reasons]).map((r) => `- ${r}`),
    STOP,
    'Run the command without the bypass (the hooks must run), or tell the user what you wanted to do and let them decide.',
  ].join('\n')
}

/** The turn ends with unapproved widenings in the working tree: the agent must say so. */
function renderStopReport(untrusted: readonly Finding[], problems: readonly InputProblem[]): string {
  const findings = printable([...untrusted])
  return [
    'acldrift: before you finish, tell the user that the working tree now widens access without an approval:',
    ...findingsText(findings),
    ...printable([...problems]).map(
      (p) => `- unreadable access config ${location(p.file, p.line ?? null)}: ${p.message}`,
    ),
    'Do not commit this. Report it to the user in your final answer, with the lines above; a person decides whether to approve it (acldrift approve ID) or revert it.',
  ].join('\n')
}

/** What the agent is told when acldrift refuses its call. */
export function renderRefusal(refusal: Refusal): string {
  switch (refusal.type) {
    case 'widening':
      return renderEditBlocked(refusal.file, refusal.findings, refusal.expires)
    case 'unreadable':
      return renderEditUnreadable(refusal.file, refusal.problems)
    case 'guarded':
      return renderGuarded(refusal.why)
    case 'shell':
      return renderShellBlocked(refusal.command, refusal.reasons)
    case 'report':
      return renderStopReport(refusal.findings, refusal.problems)
    case 'failure':
      return renderFailure(refusal.file, refusal.error)
  }
}

/** acldrift failed while judging an access-config edit: blocked, to be safe. */
function renderFailure(file: string, error: string): string {
  return [
    `acldrift could not check this edit of ${printable(file)}, an access-control config (${printable(error)}), so it is blocked to be safe.`,
    'Tell the user: acldrift failed in its agent hook (run `acldrift check` to see why). Do not work around it.',
  ].join('\n')
}

/**
 * The agent's attempts from the local decision log, next to what was committed: "the agent
 * tried this at 10:02 and was told to ask".
 */
export function renderAttempts(untrusted: readonly AgentLogEntry[]): string {
  if (untrusted.length === 0) return ''
  const entries = printable([...untrusted])
  const lines = ['', `Agent attempts (local log, ${AGENT_LOG_PATH}; never committed):`]
  for (const e of entries) {
    const what =
      e.command !== undefined
        ? `ran \`${e.command}\``
        : e.file !== undefined
          ? `${e.tool ?? 'edit'} ${e.file}`
          : 'ended its turn'
    const told =
      e.decision === 'blocked' ? 'blocked and told to ask the user' : 'told to report it to the user'
    const session = e.session === undefined ? '' : ` session ${e.session}`
    lines.push(`  ${e.at} ${e.harness}${session}: ${what}: ${told}`)
    for (const f of e.findings)
      lines.push(
        `    ${f.change} ${f.rule} (${f.severity}) ${f.id}${f.witness === null ? '' : `: ${witnessLine(f.witness)}`}`,
      )
    for (const reason of e.reasons) lines.push(`    ${reason}`)
  }
  return `${lines.join('\n')}\n`
}

const AGENT_LOG_PATH = '.git/acldrift/agent-log.jsonl'
