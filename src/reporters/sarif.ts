// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, one rule per rule of a kind
// (`aws-iam/public-principal`: two kinds may give one rule name different meanings), one result per
// finding; invalid input becomes tool execution notifications. GitHub's ingestion wants each rule
// described and its help written, with a `security-severity` that does not move between runs:
// https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
import {formatProblem} from '../kernel/errors.js'
import {severitiesOf, type RuleCatalogue, type RuleDoc} from '../kernel/rules.js'
import {SEVERITIES} from '../kernel/types.js'
import type {Finding, InputProblem, Report, Severity} from '../kernel/types.js'
import {approvalText, needsReview, orderFindings, witnessLine, type ReporterOptions} from './shared.js'

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

type Level = 'error' | 'warning' | 'note'

const LEVELS: Record<Severity, Level> = {critical: 'error', high: 'error', medium: 'warning', low: 'note'}

// GitHub reads a rule's `security-severity` (0–10) to show critical/high/medium/low.
const SECURITY_SEVERITY: Record<Severity, string> = {critical: '9.5', high: '8.0', medium: '5.5', low: '2.0'}

// How often a finding of the rule is right: the comparison is exact, so a widening is a widening;
// a rule whose findings are all undecided cases says "may widen".
const PRECISION: Record<RuleDoc['change'], string> = {
  widening: 'very-high',
  narrowing: 'very-high',
  both: 'very-high',
  'possible-widening': 'medium',
}

const ruleKey = (finding: Finding) => `${finding.kind}/${finding.rule}`

export function renderSarif(report: Report, options: ReporterOptions): string {
  const catalogue = options.rules
  if (catalogue === undefined) throw new Error('internal: the SARIF report needs the rule catalogue')
  const findings = orderFindings(report.findings)
  const ruleIds = [...new Set(findings.map(ruleKey))]
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'acldrift',
            version: report.tool.version,
            informationUri: 'https://github.com/acldrift/acldrift',
            rules: ruleIds.map((id) => rule(id, catalogue)),
          },
        },
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: [
              ...report.errors.map(errorNotification),
              ...report.notes.map((note) => ({level: 'note', message: {text: note}})),
            ],
          },
        ],
        results: findings.map((f) => result(f, ruleIds.indexOf(ruleKey(f)))),
        // What was read, not read and skipped, and why (the JSON report's coverage section), and the
        // audit log's anchor (the record this run appended).
        ...(report.coverage === undefined && report.auditLog === undefined
          ? {}
          : {
              properties: {
                ...(report.coverage === undefined ? {} : {acldriftCoverage: report.coverage}),
                ...(report.auditLog === undefined ? {} : {acldriftAuditLog: report.auditLog}),
              },
            }),
      },
    ],
  }
  return JSON.stringify(log, null, 2) + '\n'
}

function level(finding: Finding): Level {
  return needsReview(finding) ? LEVELS[finding.severity] : 'note'
}

/**
 * The rule `kind/rule` as its declaration states it, whatever this run found: its most severe
 * possible severity, so that GitHub's severity of an alert does not change from run to run.
 */
function rule(id: string, catalogue: RuleCatalogue) {
  const doc = catalogue[id]
  if (doc === undefined) throw new Error(`internal: rule ${id} is not declared`)
  const severity = SEVERITIES.find((s) => severitiesOf(doc).includes(s))!
  // Narrowing rules only inform: a note without a security severity.
  const informational = doc.change === 'narrowing'
  return {
    id,
    shortDescription: {text: doc.title},
    fullDescription: {text: doc.description},
    helpUri: doc.helpUri,
    help: {text: helpText(doc), markdown: helpMarkdown(doc)},
    defaultConfiguration: {level: informational ? 'note' : LEVELS[severity]},
    properties: {
      tags: ['security', 'access-control', doc.kind],
      precision: PRECISION[doc.change],
      ...(informational ? {} : {'security-severity': SECURITY_SEVERITY[severity]}),
    },
  }
}

const APPROVE =
  'If the access is meant, approve the finding by its id (the `acldrift/v1` fingerprint): ' +
  '`acldrift approve ID --reason "why" --expires YYYY-MM-DD`, committed by a listed approver.'

function helpText(doc: RuleDoc): string {
  const todo = doc.change === 'narrowing' ? '' : `\n\n${APPROVE.replace(/`/g, '')}`
  return `${doc.title}.\n\n${doc.description.replace(/`/g, '')}${todo}\n\nDocumentation: ${doc.helpUri}`
}

function helpMarkdown(doc: RuleDoc): string {
  const todo = doc.change === 'narrowing' ? '' : `\n\n${APPROVE}`
  return `**${doc.title}**\n\n${doc.description}${todo}\n\n[The ${doc.kind} rules](${doc.helpUri})`
}

function result(finding: Finding, ruleIndex: number) {
  const text = [
    finding.message,
    finding.reason && `Reason: ${finding.reason}`,
    finding.witness && `Witness: ${witnessLine(finding.witness)}`,
    finding.approval && `${capitalised(approvalText(finding.approval))}.`,
  ]
  return {
    ruleId: ruleKey(finding),
    ruleIndex,
    level: level(finding),
    message: {text: text.filter(Boolean).join(' ')},
    locations: [
      {
        ...findingLocation(finding),
        // A document embedded in a container file (a template): its name, as a logical location.
        logicalLocations:
          finding.document === undefined ? undefined : [{name: finding.document, kind: 'resource'}],
      },
    ],
    // An object rendered from other files is located where it is written; the file rendered is related.
    ...(finding.renderedFrom && {
      relatedLocations: [
        {
          id: 0,
          ...physicalLocation(finding.file, finding.line ?? undefined),
          message: {text: `rendered by ${finding.file}`},
        },
      ],
    }),
    partialFingerprints: {'acldrift/v1': finding.id},
    // A valid approval is an accepted, external suppression: viewers show the result as dismissed.
    ...(finding.approval?.valid
      ? {
          suppressions: [
            {kind: 'external', status: 'accepted', justification: approvalText(finding.approval)},
          ],
        }
      : {}),
    properties: {
      change: finding.change,
      severity: finding.severity,
      witness: finding.witness,
      commit: finding.commit,
      ...(finding.commits === undefined ? {} : {commits: finding.commits}),
      reason: finding.reason,
      approval: finding.approval,
    },
  }
}

/**
 * Where a finding is: its line (for an object rendered from other files, where it is written), or,
 * for access that is gone from the target (a deleted file, a removed statement), the baseline
 * statement it was, so that the alert still points somewhere.
 */
function findingLocation(finding: Finding) {
  if (finding.renderedFrom) return physicalLocation(finding.renderedFrom.file, finding.renderedFrom.line)
  const baseline = finding.baselineLocation
  if (finding.line === null && baseline?.line != null) return physicalLocation(baseline.file, baseline.line)
  return physicalLocation(finding.file, finding.line ?? undefined)
}

function errorNotification(problem: InputProblem) {
  return {
    level: 'error',
    message: {text: formatProblem(problem)},
    locations: [physicalLocation(problem.file, problem.line, problem.column)],
  }
}

/** Undefined members vanish in JSON.stringify, so a missing line simply means no region. */
function physicalLocation(file: string, startLine?: number, startColumn?: number) {
  return {
    physicalLocation: {
      // A path is not a URI reference until each segment is escaped (spaces, `#`, `%`, a `:` before any `/`).
      artifactLocation: {uri: file.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%'},
      region: startLine === undefined ? undefined : {startLine, startColumn},
    },
  }
}
