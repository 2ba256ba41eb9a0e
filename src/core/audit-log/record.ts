// What one `audit` run appends to the hash-chained audit log.

import type {Report} from '../../kernel/types.js'
import type {LogKey} from './key.js'
import {appendRecord} from './log.js'

/** What the log keeps of a run: enough to see later what was found, where, by whom, and the verdict. */
function auditEntry(report: Report, exitCode: number): Record<string, unknown> {
  return {
    tool: report.tool,
    baseline: report.baseline,
    target: report.target,
    summary: report.summary,
    exitCode,
    findings: report.findings.map((f) => ({
      id: f.id,
      kind: f.kind,
      file: f.file,
      change: f.change,
      severity: f.severity,
      rule: f.rule,
      commit: f.commit?.sha ?? null,
      actor: f.commit ? {type: f.commit.actor.type, agent: f.commit.actor.agent ?? null} : null,
    })),
    errors: report.errors.length,
  }
}

/** Appends the run's record and returns the report with the anchor to keep outside the log. */
export async function appendAudit(
  log: string,
  report: Report,
  exitCode: number,
  key: LogKey | undefined,
): Promise<Report> {
  const {seq, hash} = await appendRecord(log, auditEntry(report, exitCode), new Date(), {key})
  return {...report, auditLog: {file: log, seq, hash}}
}
