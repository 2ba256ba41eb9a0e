// `acldrift approve ID`: find the finding in the same comparison as `check`, and record an
// approval of exactly that access in .acldrift/approvals.yaml, in the name of the identity git
// will use for the next commit. Writing an entry does not make it count: the gate checks the
// commit that adds it (src/core/gate/approvals.ts).

import {mkdir, readFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {pendingActor} from './actors/pending.js'
import {
  APPROVALS_FILE,
  type ApprovalEntry,
  entryFor,
  parseApprovals,
  withEntry,
} from './gate/approvals-file.js'
import {writeFileAtomic} from '../kernel/atomic.js'
import {withFileLock} from './audit-log/lock.js'
import {runCheck} from './check.js'
import type {CheckOptions} from './options.js'
import {InvalidInputError, UsageError} from '../kernel/errors.js'
import {assertWritableInside} from '../kernel/files.js'
import {APPROVAL_RULES, utcDay} from './gate/approvals.js'
import type {Finding} from '../kernel/types.js'

interface ApproveRequest {
  options: CheckOptions
  /** the finding id, or an unambiguous prefix of it */
  id: string
  reason: string
  /** YYYY-MM-DD, today or later */
  expires: string
  ticket?: string
  env?: NodeJS.ProcessEnv
  now?: Date
}

export interface ApproveResult {
  file: string
  entry: ApprovalEntry
  finding: Finding
  /** an entry for the same access was there and was replaced (a renewal) */
  replaced: boolean
  /** why the approval may not count once committed */
  warnings: string[]
}

/** A real calendar day in YYYY-MM-DD form, or a usage error. */
function parseDay(value: string, flag: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  const date = match && new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
  if (!date || Number.isNaN(date.getTime()) || utcDay(date) !== value)
    throw new UsageError(`${flag} must be a date such as 2026-12-31, got ${JSON.stringify(value)}`)
  return value
}

export async function approve(request: ApproveRequest): Promise<ApproveResult> {
  const {options} = request
  const now = request.now ?? new Date()
  const env = request.env ?? process.env
  const expires = parseDay(request.expires, '--expires')
  if (expires < utcDay(now))
    throw new UsageError(`--expires ${expires} is in the past: an approval must expire today or later`)
  const reason = request.reason.trim()
  if (reason === '') throw new UsageError('--reason must say why the access is needed')

  const {identity, actor} = await pendingActor(options.root, {env, actors: options.config.actors})
  if (actor.type === 'agent')
    throw new UsageError(
      `approvals are a human's decision, and this looks like an AI agent (${actor.agent ?? 'unnamed'}: ${actor.evidence.map((e) => e.signal).join(', ')}); an approval written or committed from here would count as self-approval`,
    )

  const report = await runCheck(options)
  // An approval is decided on a complete comparison: a file that does not parse fails closed here too.
  if (report.errors.length > 0) throw new InvalidInputError(report.errors)
  const finding = findFinding(report.findings, request.id)
  const approver = identity.author.email
  if (approver === '')
    throw new UsageError('git has no user.email: the approver is the identity git commits as')

  const file = join(options.root, APPROVALS_FILE)
  const entry = entryFor(finding, {
    approver,
    reason,
    ...(request.ticket === undefined || request.ticket.trim() === '' ? {} : {ticket: request.ticket.trim()}),
    expires,
    created: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  })
  await assertWritableInside(options.root, file, APPROVALS_FILE)
  await mkdir(dirname(file), {recursive: true})
  const replaced = await withFileLock(`${file}.lock`, {}, async () => {
    let current: string | undefined
    try {
      current = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    const next = withEntry(current, entry)
    // Never write a file the gate would refuse to read.
    await parseApprovals(APPROVALS_FILE, Buffer.from(next.text))
    await writeFileAtomic(file, next.text)
    return next.replaced
  })

  const warnings: string[] = []
  if (!options.config.policy.approvers.includes(approver.toLowerCase()))
    warnings.push(
      `${approver} is not listed in policy.approvers of the config: this approval will not count until they are (and it is committed by them)`,
    )
  if (actor.type !== 'human' && options.config.policy.approvers.includes(approver.toLowerCase()))
    warnings.push(`this environment is classified ${actor.type}: commit the approval as ${approver}, by hand`)
  return {file: APPROVALS_FILE, entry, finding, replaced, warnings}
}

/** The finding named by `id` (or a prefix), which must be a widening that an approval can cover. */
function findFinding(findings: Finding[], id: string): Finding {
  const matches = findings.filter((f) => f.id === id || f.id.startsWith(id))
  const exact = matches.filter((f) => f.id === id)
  const chosen = exact.length > 0 ? exact : matches
  const approvable = findings.filter((f) => f.change !== 'narrowing' && !APPROVAL_RULES.includes(f.rule))
  const known = approvable.map((f) => `${f.id} (${f.rule} in ${f.file})`).join(', ') || 'none'
  if (chosen.length === 0)
    throw new UsageError(`no finding has id ${id} in this comparison (widenings: ${known})`)
  if (chosen.length > 1 && new Set(chosen.map((f) => f.id)).size > 1)
    throw new UsageError(
      `${chosen.length} findings have ids starting with ${id}: give more of it (widenings: ${known})`,
    )
  const finding = chosen[0]!
  if (finding.change === 'narrowing')
    throw new UsageError(
      `${finding.id} is a narrowing (${finding.rule} in ${finding.file}): narrowings need no approval`,
    )
  if (APPROVAL_RULES.includes(finding.rule) || finding.rule === 'approval-added')
    throw new UsageError(
      `${finding.id} is a finding about an approval (${finding.rule}): fix or remove that approval instead`,
    )
  return finding
}
