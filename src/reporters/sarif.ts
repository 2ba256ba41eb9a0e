// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, one rule per rule name,
// one result per finding; invalid input becomes tool execution notifications.
import {formatProblem} from '../kernel/errors.js'
import {SEVERITIES} from '../kernel/types.js'
import type {Finding, InputProblem, Report, Severity} from '../kernel/types.js'
import {approvalText, needsReview, orderFindings, witnessLine} from './shared.js'

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

type Level = 'error' | 'warning' | 'note'

const LEVELS: Record<Severity, Level> = {critical: 'error', high: 'error', medium: 'warning', low: 'note'}

// GitHub reads a rule's `security-severity` (0–10) to show critical/high/medium/low.
const SECURITY_SEVERITY: Record<Severity, string> = {critical: '9.5', high: '8.0', medium: '5.5', low: '2.0'}

const RULE_DESCRIPTIONS: Record<string, string> = {
  'public-principal': 'Access is granted to everyone (a public principal).',
  'wildcard-action': 'A wildcard action grants actions the baseline did not.',
  'deny-removed': 'A Deny that restricted access was removed or weakened.',
  'condition-removed': 'A condition that limited a grant was removed or relaxed.',
  'new-grant': 'A grant of access that the baseline did not have.',
  'self-approval':
    'An approval added in a commit attributed to an AI agent, or not by the listed approver it names: it does not count.',
  'approval-expired': 'An approval past its expiry date: it no longer counts.',
  'approval-stale': 'An approval that matches no current finding.',
  'approval-unverified': 'An approval whose adding commit cannot be found: it does not count.',
  'approval-added': 'An approval was added.',
  'approval-removed': 'An approval was removed.',
  'approver-added': 'An approver was added to the config.',
  'config-weakened': "A change to acldrift's config that lets more through.",
  'baseline-widened': 'The baseline snapshot now accepts access it did not.',
}

export function renderSarif(report: Report): string {
  const findings = orderFindings(report.findings)
  const ruleIds = [...new Set(findings.map((f) => f.rule))]
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
            rules: ruleIds.map((id) => rule(id, findings)),
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
        results: findings.map((f) => result(f, ruleIds.indexOf(f.rule))),
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

/** The rule `id`, as severe as the worst finding that uses it. */
function rule(id: string, findings: Finding[]) {
  // Narrowings only inform: a rule seen only on narrowings stays a note without a security severity.
  const severity = mostSevere(findings.filter((f) => f.rule === id && needsReview(f)))
  return {
    id,
    shortDescription: {text: RULE_DESCRIPTIONS[id] ?? `Access-control change: ${id}.`},
    defaultConfiguration: {level: severity === undefined ? 'note' : LEVELS[severity]},
    properties: {
      tags: ['security', 'access-control'],
      'security-severity': severity && SECURITY_SEVERITY[severity],
    },
  }
}

function mostSevere(findings: Finding[]): Severity | undefined {
  return SEVERITIES.find((severity) => findings.some((f) => f.severity === severity))
}

function result(finding: Finding, ruleIndex: number) {
  const text = [
    finding.message,
    finding.reason && `Reason: ${finding.reason}`,
    finding.witness && `Witness: ${witnessLine(finding.witness)}`,
    finding.approval && `${capitalised(approvalText(finding.approval))}.`,
  ]
  return {
    ruleId: finding.rule,
    ruleIndex,
    level: level(finding),
    message: {text: text.filter(Boolean).join(' ')},
    locations: [
      {
        ...physicalLocation(finding.file, finding.line ?? undefined),
        // A document embedded in a container file (a template): its name, as a logical location.
        logicalLocations:
          finding.document === undefined ? undefined : [{name: finding.document, kind: 'resource'}],
      },
    ],
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
      reason: finding.reason,
      approval: finding.approval,
    },
  }
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
