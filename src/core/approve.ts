// `acldrift approve ID…`: find the findings in the same comparison as `check`, and record an
// approval of exactly each access in .acldrift/approvals.yaml, in the name of the identity git
// will use for the next commit. Several at once (ids, every widening of a commit, or of a rule
// in a file) is one comparison and one write: still one entry per exact access. Writing an
// entry does not make it count: the gate checks the commit that adds it (src/core/gate/approvals.ts).

import {mkdir, readFile} from 'node:fs/promises'
import {dirname, join, relative, resolve, sep} from 'node:path'
import {gitDir, resolveCommit} from '../git/index.js'
import {proposalFor} from './agent/log.js'
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
import {APPROVAL_RULES, approvable, utcDay} from './gate/approvals.js'
import type {Finding} from '../kernel/types.js'

/** Which findings to approve: any of them may be given, and all that match are approved. */
export interface ApprovalSelection {
  /** finding ids, or unambiguous prefixes */
  ids: string[]
  /** every approvable finding made by this commit (`--all-from`) */
  commit?: string
  /** every approvable finding of this rule (`--rule`), in `file` when given (`--file`) */
  rule?: string
  file?: string
}

interface ApproveRequest {
  options: CheckOptions
  select: ApprovalSelection
  reason: string
  /** YYYY-MM-DD, today or later */
  expires: string
  ticket?: string
  env?: NodeJS.ProcessEnv
  now?: Date
}

export interface ApproveResult {
  file: string
  approved: {
    entry: ApprovalEntry
    finding: Finding
    /** an entry for the same access was there and was replaced (a renewal) */
    replaced: boolean
  }[]
  /** why the approvals may not count once committed */
  warnings: string[]
  /** what the comparison was made on, when it is not the plain check's (an agent's refused proposal) */
  notes: string[]
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

  const notes = await withProposals(options, request.select.ids)
  const report = await runCheck(options)
  // An approval is decided on a complete comparison: a file that does not parse fails closed here too.
  if (report.errors.length > 0) throw new InvalidInputError(report.errors)
  const {findings, unapprovable} = await selectFindings(report.findings, request.select, options)
  const approver = identity.author.email
  if (approver === '')
    throw new UsageError('git has no user.email: the approver is the identity git commits as')

  const file = join(options.root, APPROVALS_FILE)
  const ticket = request.ticket?.trim()
  const created = now.toISOString().replace(/\.\d{3}Z$/, 'Z')
  const entries = findings.map((finding) =>
    entryFor(finding, {approver, reason, ...(ticket ? {ticket} : {}), expires, created}),
  )
  await assertWritableInside(options.root, file, APPROVALS_FILE)
  await mkdir(dirname(file), {recursive: true})
  const replaced = await withFileLock(`${file}.lock`, {}, async () => {
    let current: string | undefined
    try {
      current = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    const renewed: boolean[] = []
    for (const entry of entries) {
      const next = withEntry(current, entry)
      current = next.text
      renewed.push(next.replaced)
    }
    // Never write a file the gate would refuse to read.
    await parseApprovals(APPROVALS_FILE, Buffer.from(current!))
    await writeFileAtomic(file, current!)
    return renewed
  })

  const warnings = unapprovable.map(
    (f) =>
      `${f.id} (${f.rule} in ${f.file}) was not approved: no approval covers it, and it keeps failing the run until the change can be compared whole (${f.message})`,
  )
  if (!options.config.policy.approvers.includes(approver.toLowerCase()))
    warnings.push(
      `${approver} is not listed in policy.approvers of the config: this approval will not count until they are (and it is committed by them)`,
    )
  if (actor.type !== 'human' && options.config.policy.approvers.includes(approver.toLowerCase()))
    warnings.push(`this environment is classified ${actor.type}: commit the approval as ${approver}, by hand`)
  const approved = entries.map((entry, i) => ({entry, finding: findings[i]!, replaced: replaced[i]!}))
  return {file: APPROVALS_FILE, approved, warnings, notes}
}

/**
 * A change an agent proposed and was refused exists nowhere but in the agent's decision log:
 * the approval of its findings is decided on the comparison with that proposed content in
 * place (options.overlay). Returns what was put in place.
 */
async function withProposals(options: CheckOptions, ids: readonly string[]): Promise<string[]> {
  if (options.target.type === 'ref' || ids.length === 0) return []
  const dir = await gitDir(options.root)
  const notes: string[] = []
  for (const id of ids) {
    const proposal = await proposalFor(dir, id)
    if (proposal === undefined) continue
    options.overlay = [...(options.overlay ?? []).filter((file) => file.path !== proposal.path), proposal]
    notes.push(
      `${id} is in a change an agent proposed to ${proposal.path} and was refused (agent log): approving that access`,
    )
  }
  return notes
}

/**
 * The findings a selection names, each once, in report order; each must be approvable. A finding
 * no approval covers is refused when named by id, and left out (and returned, to be said) when
 * a wider selection takes it in.
 */
async function selectFindings(
  findings: Finding[],
  select: ApprovalSelection,
  options: CheckOptions,
): Promise<{findings: Finding[]; unapprovable: Finding[]}> {
  const chosen = new Set(select.ids.map((id) => findFinding(findings, id)))
  const widenings = findings.filter((f) => f.change !== 'narrowing' && !isAboutApprovals(f))
  const left = new Set<Finding>()
  // The widenings a wider selection takes in: the approvable ones chosen, the others set aside to be said.
  const take = (selected: Finding[]) => {
    for (const f of selected) (approvable(f) ? chosen : left).add(f)
  }
  if (select.commit !== undefined) {
    const sha = await resolveCommit(options.root, select.commit)
    if (sha === null) throw new UsageError(`--all-from ${select.commit} names no commit`)
    const made = widenings.filter((f) => f.commit?.sha === sha)
    if (made.length === 0)
      throw new UsageError(`no widening in this comparison was made by ${select.commit} (${sha.slice(0, 7)})`)
    take(made)
  }
  if (select.rule !== undefined || select.file !== undefined) {
    const file = select.file === undefined ? undefined : repositoryPath(options, select.file)
    const matching = widenings.filter(
      (f) => (select.rule === undefined || f.rule === select.rule) && (file === undefined || f.file === file),
    )
    const what = [select.rule && `rule ${select.rule}`, file && `file ${file}`].filter(Boolean).join(' in ')
    if (matching.length === 0) throw new UsageError(`no widening of ${what} in this comparison`)
    take(matching)
  }
  if (chosen.size === 0 && left.size > 0)
    throw new UsageError(`nothing to approve: ${[...left].map(unapprovableWhy).join('; ')}`)
  if (chosen.size === 0)
    throw new UsageError('name the findings to approve: IDs, --all-from COMMIT or --rule/--file')
  return {findings: findings.filter((f) => chosen.has(f)), unapprovable: findings.filter((f) => left.has(f))}
}

/** Why a finding cannot be approved, and what makes it go away. */
const unapprovableWhy = (f: Finding) =>
  `${f.id} (${f.rule} in ${f.file}) cannot be approved: no approval covers it, and it keeps failing the run until the change can be compared whole (${f.message})`

/** A path from the command line, relative to the working directory, as the report names it. */
function repositoryPath(options: CheckOptions, path: string): string {
  return relative(options.root, resolve(options.cwd, path)).split(sep).join('/')
}

const isAboutApprovals = (f: Finding) => APPROVAL_RULES.includes(f.rule) || f.rule === 'approval-added'

/** The finding named by `id` (or a prefix), which must be a widening that an approval can cover. */
function findFinding(findings: Finding[], id: string): Finding {
  const matches = findings.filter((f) => f.id === id || f.id.startsWith(id))
  const exact = matches.filter((f) => f.id === id)
  const chosen = exact.length > 0 ? exact : matches
  const widenings = findings.filter((f) => f.change !== 'narrowing' && !isAboutApprovals(f) && approvable(f))
  const known = widenings.map((f) => `${f.id} (${f.rule} in ${f.file})`).join(', ') || 'none'
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
  if (isAboutApprovals(finding))
    throw new UsageError(
      `${finding.id} is a finding about an approval (${finding.rule}): fix or remove that approval instead`,
    )
  if (!approvable(finding)) throw new UsageError(unapprovableWhy(finding))
  return finding
}
