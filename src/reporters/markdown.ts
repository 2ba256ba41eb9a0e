// GitHub-flavoured Markdown for a PR comment. File names, messages, witnesses and commit metadata come
// from the repository under review, so every such string is made inert before it reaches the comment.
// GitHub refuses a comment over 65,536 characters, so the comment has a budget: the verdict, the input
// errors, the notes and the coverage always fit; findings come blocking first and stop where the next
// would not fit, and the last line says how many more the SARIF and JSON reports hold.
import {isAbsolute, relative, sep} from 'node:path'
import {coverageLines} from './coverage.js'
import {formatProblem} from '../kernel/errors.js'
import {DEFAULT_FAIL_POLICY, type FailPolicy, failsRun} from '../kernel/findings.js'
import type {Finding, Report} from '../kernel/types.js'
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
  showControls,
  summaryLine,
  verdict,
  witnessLine,
  withPaths,
} from './shared.js'
import type {ReporterOptions} from './shared.js'

/** The whole comment stays under this many characters; the action's marker line fits in what is left. */
export const MARKDOWN_LIMIT = 60_000

/** Characters each section other than the findings may take, so that findings always have room. */
const SECTION_LIMIT = 8_000

/** Characters one line of repository text may take (a message, a commit subject, a file name). */
const LINE_LIMIT = 1_000

/** The witness in a table cell; the finding's details have it in full. */
const SHORT_WITNESS = 100

/** Characters of a witness's JSON in the details. */
const WITNESS_LIMIT = 4_000

/** Files each coverage list shows; `acldrift coverage` lists them all. */
const COVERAGE_LIMIT = 10

const HTML_ENTITIES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;'}

/** A finding with what it means for the merge. */
interface Marked {
  finding: Finding
  blocking: boolean
  status: string
}

export function renderMarkdown(untrusted: Report, options: ReporterOptions): string {
  const report = repositoryRelative(untrusted, options.root)
  const policy: FailPolicy = {
    ...(report.policy ?? DEFAULT_FAIL_POLICY),
    ...(options.failOn === undefined ? {} : {failOn: options.failOn}),
  }
  const marked = blockingFirst(report.findings.map((finding) => mark(finding, policy)))
  const blocking = marked.filter((m) => m.blocking).length
  const fails = blocking > 0 || report.errors.length > 0
  const outcome = !fails ? 'passes' : blocking > 0 ? `fails (${blocking} blocking)` : 'fails'

  const head = [`## acldrift ${outcome}: ${verdict(report)}`, '']
  head.push(text(comparedText(report)), '')
  if (!report.findings.some(needsReview)) head.push(text(noWideningText(report)), '')
  const tail = [...errorLines(report), ...noteLines(report), ...coverageSection(report)]
  tail.push(`_${text(summaryLine(report))}_`)

  // What the findings may take: the limit less everything else, the table's header and the last line included.
  const lastLines = ['', moreLine(marked.length, blocking)]
  let room = MARKDOWN_LIMIT - size(head) - size(tail) - size([...TABLE_HEADER, '']) - size(lastLines)
  const rows: string[] = []
  const blocks: string[] = []
  for (const m of marked) {
    const row = tableRow(m)
    const block = details(m)
    const cost = row.length + 1 + size(block)
    if (cost > room) break
    room -= cost
    rows.push(row)
    blocks.push(...block)
  }
  const lines = [...head]
  if (rows.length > 0) lines.push(...TABLE_HEADER, ...rows, '', ...blocks)
  lines.push(...tail)
  const hidden = marked.slice(rows.length)
  if (hidden.length > 0) lines.push('', moreLine(hidden.length, hidden.filter((m) => m.blocking).length))
  return lines.join('\n') + '\n'
}

/** Characters lines take in the comment, each with its line break. */
function size(lines: readonly string[]): number {
  return lines.reduce((total, line) => total + line.length + 1, 0)
}

/** The comment's last line when findings did not fit (the longest form is reserved up front). */
function moreLine(count: number, blocking: number): string {
  const ofThem = blocking > 0 ? ` (${blocking} of them blocking)` : ''
  return `**${plural(count, 'more finding')}: see the SARIF/JSON report**${ofThem}`
}

const TABLE_HEADER = [
  '| ID | Severity | Change | Rule | Location | Witness | Actor | Status |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
]

/**
 * Blocking: the finding fails the run under its policy (the run's `--fail-on` first).
 * Approved: a valid approval covers it. Informational: everything else (narrowings, and
 * widenings below `failOn` that no policy makes fail).
 */
function mark(finding: Finding, policy: FailPolicy): Marked {
  const {approval} = finding
  if (approval?.valid === true) {
    const status =
      approval.expires === undefined
        ? `approved by ${approval.approver}`
        : `approved until ${approval.expires}`
    return {finding, blocking: false, status}
  }
  const blocking = failsRun(finding, policy)
  const label = blocking ? 'blocking' : 'informational'
  return {finding, blocking, status: approval === null ? label : `${label} (approval ${approval.status})`}
}

/**
 * What a reviewer must act on first: blocking, then unapproved widenings that do not block, then
 * approved ones, then narrowings; each in the reporters' order. Findings that do not fit are
 * dropped from the end, so a blocking finding never gives way to another kind.
 */
function blockingFirst(marked: Marked[]): Marked[] {
  const rank = ({finding, blocking}: Marked) =>
    blocking ? 0 : !needsReview(finding) ? 3 : finding.approval?.valid === true ? 2 : 1
  const order = new Map(orderFindings(marked.map((m) => m.finding)).map((f, i) => [f, i]))
  return [...marked].sort((a, b) => rank(a) - rank(b) || order.get(a.finding)! - order.get(b.finding)!)
}

function tableRow({finding, status}: Marked): string {
  const witness = finding.witness === null ? '—' : clip(witnessLine(finding.witness), SHORT_WITNESS)
  const cells = [
    finding.severity,
    CHANGE_LABELS[finding.change],
    finding.rule,
    findingPlace(finding),
    witness,
    finding.commit === null ? '—' : actorText(finding.commit.actor),
    status,
  ].map((cell) => text(cell))
  return `| ${[idText(finding.id), ...cells].join(' | ')} |`
}

function details({finding, blocking, status}: Marked): string[] {
  const where = findingPlace(finding)
  const summary = `${finding.id}: ${status}, ${finding.severity} ${CHANGE_LABELS[finding.change]}: ${finding.rule} at ${where}`
  // Inside an HTML block Markdown escapes are not read, so the summary is escaped as HTML only.
  const lines = [
    '<details>',
    `<summary>${defuseMentions(clip(escapeHtml(summary), LINE_LIMIT))}</summary>`,
    '',
    text(finding.message),
    '',
  ]
  if (finding.reason !== undefined) lines.push(`Reason: ${text(finding.reason)}`, '')
  if (finding.baselineLocation) {
    const label = baselineLabel(finding)
    lines.push(
      text(`${label[0]!.toUpperCase()}${label.slice(1)} ${findingPlace(finding.baselineLocation)}`),
      '',
    )
  }
  if (finding.witness !== null) {
    const json = clip(JSON.stringify(finding.witness, null, 2), WITNESS_LIMIT)
    lines.push('Witness:', '', ...codeBlock('json', json), '')
  }
  if (finding.commit !== null) {
    const {actor} = finding.commit
    lines.push(`- Commit: ${text(commitText(finding.commit))}`, `- Actor: ${text(actorText(actor))}`)
    lines.push(...actor.evidence.map((evidence) => `  - ${text(evidenceText(evidence))}`))
    const widenedBy = contributionTexts(finding)
    if (widenedBy.length > 0)
      lines.push(
        `- Widened by ${widenedBy.length} commits (oldest first):`,
        ...widenedBy.map((l) => `  - ${text(l)}`),
      )
    lines.push('')
  }
  if (finding.approval !== null) lines.push(`- Approval: ${text(approvalText(finding.approval))}`, '')
  if (SAFE_ID.test(finding.id)) {
    lines.push(`\`acldrift explain ${finding.id}\` shows the statements and their diff.`)
    if (blocking)
      lines.push(`\`acldrift approve ${finding.id} --reason R --expires DATE\` approves exactly this access.`)
    lines.push('')
  }
  lines.push('</details>', '')
  return lines
}

/** What a finding id looks like (a hash, or a hand-made report's name): safe in a code span and a shell. */
const SAFE_ID = /^[\w.:/-]+$/

/** The id as code, to copy into `acldrift approve`; anything else as inert text. */
function idText(id: string): string {
  return SAFE_ID.test(id) ? `\`${id}\`` : text(id)
}

function errorLines(report: Report): string[] {
  if (report.errors.length === 0) return []
  const lines = report.errors.map((problem) => `- ${text(formatProblem(problem))}`)
  return ['### Invalid input (fails closed)', '', ...upTo(lines, 'input error', 'the JSON report'), '']
}

function noteLines(report: Report): string[] {
  if (report.notes.length === 0) return []
  const lines = report.notes.map((note) => `- ${text(note)}`)
  return ['### Notes', '', ...upTo(lines, 'note', 'the JSON report'), '']
}

function coverageSection(report: Report): string[] {
  if (report.coverage === undefined) return []
  const [heading, ...rest] = coverageLines(report.coverage, COVERAGE_LIMIT)
  const lines = rest.map((line) => {
    const indent = /^ */.exec(line)![0]
    return indent === '' ? `\n**${text(line)}**\n` : `${indent}- ${text(line.trim())}`
  })
  return [`### ${text(heading.replace(/:$/, ''))}`, '', ...upTo(lines, 'line', '`acldrift coverage`'), '']
}

/** The lines that fit in SECTION_LIMIT, then one saying how many more `where` holds. */
function upTo(lines: string[], noun: string, where: string): string[] {
  let [room, shown] = [SECTION_LIMIT, 0]
  while (shown < lines.length && lines[shown]!.length + 1 <= room) room -= lines[shown++]!.length + 1
  const rest = lines.length - shown
  return rest === 0 ? lines : [...lines.slice(0, shown), `- … ${plural(rest, `more ${noun}`)}: see ${where}`]
}

/** The report with the paths it names under `root` made relative to it, as the repository has them. */
function repositoryRelative(report: Report, root: string | undefined): Report {
  if (root === undefined) return report
  const path = (file: string) => {
    if (!isAbsolute(file)) return file
    const inside = relative(root, file)
    return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? file : inside.split(sep).join('/')
  }
  const snapshot = /^snapshot:(.*)$/s.exec(report.baseline.source)
  return {
    ...report,
    baseline: {
      ...report.baseline,
      source: snapshot ? `snapshot:${path(snapshot[1]!)}` : report.baseline.source,
    },
    findings: report.findings.map((f) => withPaths(f, path)),
    errors: report.errors.map((problem) => ({...problem, file: path(problem.file)})),
  }
}

/** A fence longer than any backtick run inside, so the content cannot close it. */
function codeBlock(language: string, content: string): string[] {
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(Math.max(3, longestRun + 1))
  return [fence + language, ...content.split('\n').map(showControls), fence]
}

/**
 * Untrusted text as inert inline Markdown: one line, no HTML, no table cell break (`|`), no code span,
 * emphasis, link or heading, and no @-mention that would notify someone; at most LINE_LIMIT characters.
 */
function text(untrusted: string): string {
  return clip(defuseMentions(escapeHtml(untrusted).replace(/[\\`*_[\]|~#]/g, '\\$&')), LINE_LIMIT)
}

/**
 * At most `max` characters, the last an ellipsis. A cut never leaves half an HTML entity, half a
 * surrogate pair or a lone escaping backslash, which would change what the ellipsis means.
 */
function clip(line: string, max: number): string {
  if (line.length <= max) return line
  const cut = line.slice(0, max - 1).replace(/&[a-z]*$|[\uD800-\uDBFF]$/, '')
  const backslashes = /\\*$/.exec(cut)![0].length
  return (backslashes % 2 === 1 ? cut.slice(0, -1) : cut) + '…'
}

/** One line of HTML text: a line break could end the HTML block it sits in. */
function escapeHtml(untrusted: string): string {
  return showControls(untrusted.replace(/[\r\n]+/g, ' ')).replace(/[&<>]/g, (ch) => HTML_ENTITIES[ch])
}

/** A zero-width space after `@` keeps `@org/team` readable but stops GitHub from notifying it. */
function defuseMentions(escaped: string): string {
  return escaped.replace(/(^|[^\w])@(?=\w)/g, '$1@\u200b')
}
