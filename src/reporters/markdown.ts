// GitHub-flavoured Markdown for a PR comment. File names, messages, witnesses and commit metadata come
// from the repository under review, so every such string is made inert before it reaches the comment.
import {coverageLines} from './coverage.js'
import {formatProblem} from '../kernel/errors.js'
import type {Finding, Report} from '../kernel/types.js'
import {
  CHANGE_LABELS,
  actorText,
  approvalText,
  commitText,
  comparedText,
  evidenceText,
  location,
  needsReview,
  noWideningText,
  orderFindings,
  showControls,
  summaryLine,
  verdict,
  witnessLine,
} from './shared.js'

const HTML_ENTITIES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;'}

export function renderMarkdown(report: Report): string {
  const findings = orderFindings(report.findings)
  const lines = [`## acldrift: ${verdict(report)}`, '', text(comparedText(report)), '']

  if (!findings.some(needsReview)) lines.push(text(noWideningText(report)), '')
  if (findings.length > 0) {
    lines.push(
      '| Severity | Change | Rule | Location | Witness | Actor |',
      '| --- | --- | --- | --- | --- | --- |',
    )
    lines.push(...findings.map(tableRow), '')
    lines.push(...findings.flatMap(details))
  }
  if (report.errors.length > 0) {
    lines.push('### Invalid input (fails closed)', '')
    lines.push(...report.errors.map((problem) => `- ${text(formatProblem(problem))}`), '')
  }
  if (report.notes.length > 0) {
    lines.push('### Notes', '', ...report.notes.map((note) => `- ${text(note)}`), '')
  }
  if (report.coverage !== undefined) {
    const [heading, ...rest] = coverageLines(report.coverage, COVERAGE_LIMIT)
    lines.push(`### ${text(heading.replace(/:$/, ''))}`, '')
    for (const line of rest) {
      const indent = /^ */.exec(line)![0]
      lines.push(indent === '' ? `\n**${text(line)}**\n` : `${indent}- ${text(line.trim())}`)
    }
    lines.push('')
  }
  lines.push(`_${text(summaryLine(report))}_`)
  return lines.join('\n') + '\n'
}

/** Files each coverage list shows; `acldrift coverage` lists them all. */
const COVERAGE_LIMIT = 10

function tableRow(finding: Finding): string {
  const cells = [
    finding.severity,
    CHANGE_LABELS[finding.change],
    finding.rule,
    location(finding.file, finding.line, finding.document),
    finding.witness === null ? '—' : witnessLine(finding.witness),
    finding.commit === null ? '—' : actorText(finding.commit.actor),
  ]
  return `| ${cells.map(text).join(' | ')} |`
}

function details(finding: Finding): string[] {
  const summary = `${finding.severity} ${CHANGE_LABELS[finding.change]}: ${finding.rule} at ${location(finding.file, finding.line, finding.document)}`
  // Inside an HTML block Markdown escapes are not read, so the summary is escaped as HTML only.
  const lines = [
    '<details>',
    `<summary>${defuseMentions(escapeHtml(summary))}</summary>`,
    '',
    text(finding.message),
    '',
  ]
  if (finding.reason !== undefined) lines.push(`Reason: ${text(finding.reason)}`, '')
  if (finding.witness !== null) {
    lines.push('Witness:', '', ...codeBlock('json', JSON.stringify(finding.witness, null, 2)), '')
  }
  if (finding.commit !== null) {
    const {actor} = finding.commit
    lines.push(`- Commit: ${text(commitText(finding.commit))}`, `- Actor: ${text(actorText(actor))}`)
    lines.push(...actor.evidence.map((evidence) => `  - ${text(evidenceText(evidence))}`), '')
  }
  if (finding.approval !== null) lines.push(`- Approval: ${text(approvalText(finding.approval))}`, '')
  lines.push('</details>', '')
  return lines
}

/** A fence longer than any backtick run inside, so the content cannot close it. */
function codeBlock(language: string, content: string): string[] {
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(Math.max(3, longestRun + 1))
  return [fence + language, ...content.split('\n').map(showControls), fence]
}

/**
 * Untrusted text as inert inline Markdown: one line, no HTML, no table cell break (`|`), no code span,
 * emphasis, link or heading, and no @-mention that would notify someone.
 */
function text(untrusted: string): string {
  return defuseMentions(escapeHtml(untrusted).replace(/[\\`*_[\]|~#]/g, '\\$&'))
}

/** One line of HTML text: a line break could end the HTML block it sits in. */
function escapeHtml(untrusted: string): string {
  return showControls(untrusted.replace(/[\r\n]+/g, ' ')).replace(/[&<>]/g, (ch) => HTML_ENTITIES[ch])
}

/** A zero-width space after `@` keeps `@org/team` readable but stops GitHub from notifying it. */
function defuseMentions(escaped: string): string {
  return escaped.replace(/(^|[^\w])@(?=\w)/g, '$1@\u200b')
}
