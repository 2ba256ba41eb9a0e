// Terminal report. The only module that loads chalk; every line must read the same without colour.
import {isAbsolute, posix} from 'node:path'
import {Chalk, supportsColor} from 'chalk'
import type {ChalkInstance} from 'chalk'
import {formatProblem} from '../kernel/errors.js'
import {coverageLines} from './coverage.js'
import type {ChangeType, Finding, Report, Severity} from '../kernel/types.js'
import {
  CHANGE_LABELS,
  actorText,
  approvalText,
  baselineLabel,
  commitText,
  contributionTexts,
  comparedText,
  evidenceText,
  findingPlace,
  needsReview,
  noWideningText,
  orderFindings,
  plural,
  printable,
  summaryLine,
  witnessEntries,
  withPaths,
} from './shared.js'
import type {ReporterOptions} from './shared.js'

const SEVERITY_STYLES: Record<Severity, (c: ChalkInstance) => ChalkInstance> = {
  critical: (c) => c.bold.white.bgRed,
  high: (c) => c.bold.red,
  medium: (c) => c.yellow,
  low: (c) => c.cyan,
}

const CHANGE_STYLES: Record<ChangeType, (c: ChalkInstance) => ChalkInstance> = {
  widening: (c) => c.bold.red,
  'possible-widening': (c) => c.yellow,
  narrowing: (c) => c.green,
}

/** Files each coverage list shows in check's report; `acldrift coverage` lists them all. */
const COVERAGE_LIMIT = 10

const BADGE_WIDTH = '[CRITICAL]'.length

/** An explicit request for colour wins even where detection says no (e.g. piped into `less -R`). */
export function chalkFor(options: ReporterOptions): ChalkInstance {
  return new Chalk({level: options.color ? (supportsColor ? supportsColor.level : 0) || 1 : 0})
}

export function renderPretty(untrusted: Report, options: ReporterOptions): string {
  const report = relativeTo(options.from, printable(untrusted))
  const c = chalkFor(options)
  const all = orderFindings(report.findings)
  // A hook that blocks shows only what blocks: approved widenings and narrowings are counted, not listed.
  const findings = options.quiet ? all.filter(blocking) : all
  const lines = [c.bold(`acldrift ${report.tool.version}: ${comparedText(report)}`)]

  for (const [file, group] of groupByFile(findings)) {
    lines.push('', c.underline(file), ...sameChange(group).flatMap((change) => changeLines(c, change)))
  }
  if (!findings.some(needsReview)) lines.push('', c.green(noWideningText(report)))
  const hidden = all.length - findings.length
  if (hidden > 0)
    lines.push(
      '',
      c.dim(`${plural(hidden, 'approved or narrowing finding')} not shown: \`acldrift check\` lists them.`),
    )

  if (report.errors.length > 0) {
    lines.push('', c.bold.red('Invalid input (fails closed):'))
    lines.push(...report.errors.map((problem) => `  ${formatProblem(problem)}`))
  }
  if (report.notes.length > 0 && !options.quiet) {
    lines.push('', c.bold('Notes:'), ...report.notes.map((note) => `  - ${note}`))
  }
  if (report.coverage !== undefined) {
    const [heading, ...rest] = coverageLines(report.coverage, COVERAGE_LIMIT)
    lines.push('', c.bold(heading), ...rest.map((line) => (line.startsWith(' ') ? line : c.bold(line))))
  }

  const summaryStyle = findings.some(needsReview) || report.errors.length > 0 ? c.bold.red : c.bold.green
  lines.push('', summaryStyle(summaryLine(report)))
  return lines.join('\n') + '\n'
}

/**
 * The report with its file names relative to `from` (the folder acldrift runs in, relative to the
 * repository root), so that a name can be pasted into a command typed there: `../iam/app.json`.
 */
export function relativeTo(from: string | undefined, report: Report): Report {
  if (from === undefined || from === '') return report
  const here = hereFrom(from)
  const files = <T extends {file: string}>(entries: T[]) => entries.map((e) => ({...e, file: here(e.file)}))
  return {
    ...report,
    findings: report.findings.map((f) => findingFrom(from, f)),
    errors: files(report.errors),
    ...(report.coverage && {
      coverage: {
        ...report.coverage,
        read: files(report.coverage.read),
        notRead: files(report.coverage.notRead),
        skipped: files(report.coverage.skipped),
      },
    }),
  }
}

/** One finding with its file names relative to `from` (see relativeTo). */
export function findingFrom(from: string | undefined, finding: Finding): Finding {
  if (from === undefined || from === '') return finding
  return withPaths(finding, hereFrom(from))
}

// Only repository paths move: an absolute path (a --config file elsewhere) is shown as given.
const hereFrom = (from: string) => (file: string) =>
  file === '' || isAbsolute(file) ? file : posix.relative(from, file)

/** A finding that still needs a reviewer: a widening or possible widening without a valid approval. */
function blocking(finding: Finding): boolean {
  return needsReview(finding) && finding.approval?.valid !== true
}

/**
 * Findings that one edit made (same place, rule, commit and approval), so that
 * `permissions: write-all` reads as one block listing its 20 scopes rather than 20 blocks.
 */
function sameChange(ordered: Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>()
  for (const f of ordered) {
    const key = JSON.stringify([
      f.file,
      f.line,
      f.document,
      f.renderedFrom,
      f.rule,
      f.change,
      f.reason,
      f.baselineLocation,
      f.commit?.sha,
      f.approval === null ? null : [f.approval.valid, f.approval.status],
    ])
    groups.set(key, [...(groups.get(key) ?? []), f])
  }
  return [...groups.values()]
}

function changeLines(c: ChalkInstance, group: Finding[]): string[] {
  if (group.length === 1) return findingLines(c, group[0]!)
  const [first] = group as [Finding, ...Finding[]]
  const lines = [
    `${headline(c, first)}  ${c.bold(`${group.length} findings of one change`)}`,
    ...group.map((f) => `    - ${badge(c, f)} ${c.dim(f.id)}  ${f.message}`),
  ]
  // What the findings share is shown once; each one's witness is in its message (or `acldrift explain ID`).
  return [...lines, ...detailLines(c, first, false)]
}

/** Files in the order of their most severe finding, so the worst file comes first. */
function groupByFile(ordered: Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>()
  for (const finding of ordered) groups.set(finding.file, [...(groups.get(finding.file) ?? []), finding])
  return groups
}

const badge = (c: ChalkInstance, finding: Finding) =>
  SEVERITY_STYLES[finding.severity](c)(`[${finding.severity.toUpperCase()}]`.padEnd(BADGE_WIDTH))

function headline(c: ChalkInstance, finding: Finding): string {
  const change = CHANGE_STYLES[finding.change](c)(CHANGE_LABELS[finding.change])
  return `  ${badge(c, finding)} ${change}  ${c.bold(finding.rule)}  ${findingPlace(finding)}`
}

export function findingLines(c: ChalkInstance, finding: Finding): string[] {
  return [
    headline(c, finding),
    `    ${finding.message}`,
    // The handle for `acldrift explain ID` and `acldrift approve ID`.
    `    ${c.dim('id:')} ${finding.id}`,
    ...detailLines(c, finding, true),
  ]
}

/** Reason, baseline location, witness (when `withWitness`), commit, actor and approval. */
function detailLines(c: ChalkInstance, finding: Finding, withWitness: boolean): string[] {
  const lines: string[] = []
  if (finding.reason !== undefined) lines.push(`    ${c.yellow('reason:')} ${finding.reason}`)
  if (finding.baselineLocation)
    lines.push(`    ${c.dim(baselineLabel(finding))} ${findingPlace(finding.baselineLocation)}`)
  const entries = finding.witness === null || !withWitness ? [] : witnessEntries(finding.witness)
  if (entries.length > 0) {
    const width = Math.max(...entries.map(([key]) => key.length)) + 1
    lines.push(`    ${c.dim('witness:')}`)
    lines.push(...entries.map(([key, value]) => `      ${c.dim(`${key}:`.padEnd(width))} ${value}`))
  }
  if (finding.commit !== null) {
    const {actor} = finding.commit
    lines.push(`    ${c.dim('commit:')} ${commitText(finding.commit)}`)
    lines.push(
      `    ${c.dim('actor:')}  ${actor.type === 'agent' ? c.magenta(actorText(actor)) : actorText(actor)}`,
    )
    lines.push(...actor.evidence.map((evidence) => `      - ${evidenceText(evidence)}`))
    const widenedBy = contributionTexts(finding)
    if (widenedBy.length > 0) {
      lines.push(`    ${c.dim(`widened by ${widenedBy.length} commits (oldest first):`)}`)
      lines.push(...widenedBy.map((line) => `      - ${line}`))
    }
  }
  if (finding.approval !== null) {
    const style = finding.approval.valid ? c.green : c.bold.red
    lines.push(`    ${c.dim('approval:')} ${style(approvalText(finding.approval))}`)
  }
  return lines
}
