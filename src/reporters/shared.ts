// Wording and ordering shared by every reporter, so that a finding reads the same in a terminal,
// a PR comment and code scanning. No colour and no markup here: each reporter adds its own.
import type {FailPolicy} from '../kernel/findings.js'
import type {RuleCatalogue} from '../kernel/rules.js'
import {SEVERITIES} from '../kernel/types.js'
import type {
  Actor,
  Approval,
  ChangeType,
  CommitInfo,
  Evidence,
  Finding,
  RenderedFrom,
  Report,
  Witness,
} from '../kernel/types.js'

export interface ReporterOptions {
  color: boolean
  /** the hooks' `--quiet`: only what blocks is listed (pretty) */
  quiet?: boolean
  /** every rule with its description and documentation (SARIF describes the rules it uses) */
  rules?: RuleCatalogue
  /**
   * The folder acldrift runs in, relative to the repository root (`iam/roles`): pretty output
   * names files relative to it, as git status does; the other formats stay repository-relative.
   */
  from?: string
  /** the run's `--fail-on`, which overrides the report's policy (markdown marks what fails) */
  failOn?: FailPolicy['failOn']
  /** the repository root: a path under it is shown relative to it (markdown) */
  root?: string
}

/** Returns the full text of a report; the command writes it to stdout or to `--output FILE`. */
export type Reporter = (report: Report, options: ReporterOptions) => string

const CHANGE_ORDER: readonly ChangeType[] = ['widening', 'possible-widening', 'narrowing']

export const CHANGE_LABELS: Record<ChangeType, string> = {
  widening: 'WIDENING',
  'possible-widening': 'possible widening',
  narrowing: 'narrowing',
}

/** Widenings first, then possible widenings, then narrowings; each by severity, then file and line. */
export function orderFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      CHANGE_ORDER.indexOf(a.change) - CHANGE_ORDER.indexOf(b.change) ||
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      compareText(a.file, b.file) ||
      (a.line ?? 0) - (b.line ?? 0),
  )
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A finding with every file it names passed through `path` (made relative to a folder, for one). */
export function withPaths(finding: Finding, path: (file: string) => string): Finding {
  const rendered = (from: RenderedFrom | undefined) =>
    from && {renderedFrom: {...from, file: path(from.file)}}
  return {
    ...finding,
    file: path(finding.file),
    ...rendered(finding.renderedFrom),
    ...(finding.baselineLocation && {
      baselineLocation: {
        ...finding.baselineLocation,
        file: path(finding.baselineLocation.file),
        ...rendered(finding.baselineLocation.renderedFrom),
      },
    }),
  }
}

/**
 * Where a finding is: `file:line (document)`; for an object rendered from other files (a kustomize
 * overlay's), where it is written first, then the object and the file rendered.
 */
export function findingPlace(finding: Pick<Finding, 'file' | 'line' | 'document' | 'renderedFrom'>): string {
  const {renderedFrom} = finding
  if (renderedFrom === undefined) return location(finding.file, finding.line, finding.document)
  const rendered = location(finding.file, finding.line)
  return location(
    renderedFrom.file,
    renderedFrom.line,
    `${finding.document ?? ''}, rendered by ${rendered}`.replace(/^, /, ''),
  )
}

/** `file:line`, and the document's name when it is embedded in a container file. */
export function location(file: string, line: number | null, document?: string): string {
  const at = line === null ? file : `${file}:${line}`
  return document === undefined ? at : `${at} (${document})`
}

/** The request first (principal, action, resource, then the rest), then its condition keys. */
export function witnessEntries(witness: Witness): [key: string, value: string][] {
  const {context, ...request} = witness
  const leading = ['principal', 'action', 'resource'].filter((key) => Object.hasOwn(request, key))
  const keys = [...leading, ...Object.keys(request).filter((key) => !leading.includes(key))]
  const entries: [string, string][] = keys.map((key) => [key, valueText(request[key])])
  // Condition keys are namespaced (aws:SourceIp …), so they read best bare rather than as context.aws:SourceIp.
  if (isPlainObject(context))
    entries.push(...Object.entries(context).map(([key, value]): [string, string] => [key, valueText(value)]))
  else if (context !== undefined) entries.push(['context', valueText(context)])
  return entries
}

/** The witness on one line: `principal=* action=s3:GetObject resource=arn:aws:s3:::data/x`. */
export function witnessLine(witness: Witness): string {
  return witnessEntries(witness)
    .map(([key, value]) => `${key}=${value === '' || /\s/.test(value) ? JSON.stringify(value) : value}`)
    .join(' ')
}

function valueText(value: unknown): string {
  // An empty string (the Kubernetes core API group) must not read as a missing value.
  if (value === '') return '""'
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `3f9c2ab Ada Lovelace <ada@example.com> Open the bucket for the CDN` */
export function commitText(commit: CommitInfo): string {
  const merged = commit.merge ? ` (merged in ${commit.merge.sha.slice(0, 7)} ${commit.merge.subject})` : ''
  return `${commit.sha.slice(0, 7)} ${commit.author.name} <${commit.author.email}> ${commit.subject}${merged}`
}

/**
 * The commits that widened a finding's access, when more than its own commit did: one line each,
 * oldest first, `3f9c2ab Ada <ada@…> Subject [human (confidence 0.9)]: allows s3:GetObject on …`.
 */
export function contributionTexts(finding: Finding): string[] {
  const commits = finding.commits ?? []
  if (commits.length < 2) return []
  return commits.map((c) => `${commitText(c.commit)} [${actorText(c.commit.actor)}]: ${c.message}`)
}

/** `agent: Claude Code (confidence 0.9)`; `unknown (confidence 0)` when nothing says who it was. */
export function actorText(actor: Actor): string {
  const who = actor.agent === undefined ? actor.type : `${actor.type}: ${actor.agent}`
  return `${who} (confidence ${actor.confidence})`
}

/**
 * `approved by alice@acme.example until 2026-12-31: CDN needs public reads (SEC-42)`, or
 * `approval invalid (self-approval): added in commit 3f9c2ab …`.
 */
export function approvalText(approval: Approval): string {
  if (!approval.valid) return `approval invalid (${approval.status}): ${approval.why}`
  if (approval.source === 'approver-commit') return `approved by ${approval.approver}: ${approval.why}`
  const ticket = approval.ticket === undefined ? '' : ` (${approval.ticket})`
  return `approved by ${approval.approver} until ${approval.expires}: ${approval.reason ?? ''}${ticket}`
}

/** How a finding relates to its baseline location: the statement it exceeds, or the one it removed. */
export function baselineLabel(finding: Finding): string {
  return finding.change === 'narrowing' ? 'was in the baseline at' : 'exceeds baseline at'
}

export function evidenceText(evidence: Evidence): string {
  return `${evidence.signal} (${evidence.strength}): ${evidence.detail}`
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** ` (1 critical)`, ` (1 critical, 2 approved)`, or nothing. */
function criticalSuffix(report: Report): string {
  const widenings = report.findings.filter((f) => f.change === 'widening')
  const critical = widenings.filter((f) => f.severity === 'critical').length
  const approved = widenings.filter((f) => f.approval?.valid === true).length
  const parts = [critical > 0 && `${critical} critical`, approved > 0 && `${approved} approved`].filter(
    Boolean,
  )
  return parts.length > 0 ? ` (${parts.join(', ')})` : ''
}

/** `2 widening (1 critical), 1 narrowing, 0 possible widening in 5 documents` (+ `, 1 invalid`). */
export function summaryLine(report: Report): string {
  const {summary} = report
  const counts = `${summary.widening} widening${criticalSuffix(report)}, ${summary.narrowing} narrowing, ${summary.possibleWidening} possible widening`
  const invalid = summary.invalid > 0 ? `, ${summary.invalid} invalid` : ''
  return `${counts} in ${plural(summary.documents, 'document')}${invalid}`
}

/** What a reviewer must act on, for titles: `2 widenings (1 critical), 1 input error` or `no widening`. */
export function verdict(report: Report): string {
  const {summary} = report
  const parts: string[] = []
  if (summary.widening > 0) parts.push(plural(summary.widening, 'widening') + criticalSuffix(report))
  if (summary.possibleWidening > 0) parts.push(plural(summary.possibleWidening, 'possible widening'))
  if (report.errors.length > 0) parts.push(plural(report.errors.length, 'input error'))
  return parts.length > 0 ? parts.join(', ') : 'no widening'
}

/** A widening, or a change the engine could not decide: both need a reviewer. */
export function needsReview(finding: Finding): boolean {
  return finding.change !== 'narrowing'
}

/** The line printed when nothing widens; it does not vouch for files that could not be read. */
export function noWideningText(report: Report): string {
  return report.errors.length === 0
    ? 'No widening: the target allows nothing that the baseline does not.'
    : 'No widening in the documents that could be read; the invalid ones fail the check.'
}

/** `HEAD~1 (3f9c2ab) → staged, 5 documents` */
export function comparedText(report: Report): string {
  const side = ({source, commit}: {source: string; commit: string | null}) =>
    commit === null ? source : `${source} (${commit.slice(0, 7)})`
  return `${side(report.baseline)} → ${side(report.target)}, ${plural(report.summary.documents, 'document')}`
}

// Repository content must not drive a terminal (ANSI escapes, carriage returns) nor disguise a name
// (bidi overrides): such characters are shown as \u escapes instead.
// eslint-disable-next-line no-control-regex
const HIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

export function showControls(text: string): string {
  return text.replace(HIDDEN_CHARACTERS, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** A copy with every string, keys included, passed through showControls. */
export function printable<T>(value: T): T {
  if (typeof value === 'string') return showControls(value) as T
  if (Array.isArray(value)) return value.map(printable) as T
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [showControls(key), printable(v)])) as T
}
