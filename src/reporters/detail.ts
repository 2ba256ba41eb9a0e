// `explain` (one finding in full) and `history` (a timeline), in the terminal.

import type {Finding, Report} from '../kernel/types.js'
import {chalkFor, findingFrom, findingLines, relativeTo} from './pretty.js'
import {plural, printable, type ReporterOptions} from './shared.js'

/** Everything about one finding: the block of the report, then the statements and their diff. */
export function renderExplanation(untrusted: Finding, options: ReporterOptions): string {
  const finding = findingFrom(options.from, printable(untrusted))
  const c = chalkFor(options)
  const lines = [c.bold(`finding ${finding.id}`), ...findingLines(c, finding)]
  const block = (title: string, value: unknown) => {
    lines.push('', c.bold(title))
    lines.push(
      ...JSON.stringify(value, null, 2)
        .split('\n')
        .map((l) => `  ${l}`),
    )
  }
  block('before (baseline statement):', finding.before)
  block('after (target statement):', finding.after)
  if (finding.diff.length > 0) block('structural diff (deep-diff):', finding.diff)
  return lines.join('\n') + '\n'
}

/** Access changes oldest first, each under its date, commit and actor. */
export function renderTimeline(untrusted: Report, options: ReporterOptions): string {
  const report = relativeTo(options.from, printable(untrusted))
  const c = chalkFor(options)
  const lines: string[] = [c.bold(`acldrift history: ${plural(report.findings.length, 'access change')}`)]
  for (const finding of report.findings) {
    const date = finding.commit?.author.date.slice(0, 10) ?? ''
    lines.push('', c.bold(`${date}  ${finding.file}`), ...findingLines(c, finding))
  }
  if (report.errors.length > 0) {
    lines.push('', c.bold('Versions that did not parse or validate (skipped):'))
    lines.push(...report.errors.map((e) => `  ${e.file}${e.line ? `:${e.line}` : ''} ${e.message}`))
  }
  return lines.join('\n') + '\n'
}
