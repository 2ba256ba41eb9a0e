// `audit`, for cron and CI: a check with attribution, reports written to a directory, and one
// record per run appended to the hash-chained audit log.

import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import {render} from '../reporters/index.js'
import {writeFileAtomic} from './atomic.js'
import {appendRecord} from './audit-log/log.js'
import type {Report} from './types.js'

/** Report files an audit writes, by format. */
export const REPORT_FILES = {
  json: 'acldrift-report.json',
  sarif: 'acldrift-report.sarif',
  markdown: 'acldrift-report.md',
} as const

export async function writeReports(report: Report, dir: string): Promise<string[]> {
  await mkdir(dir, {recursive: true})
  const written: string[] = []
  for (const [format, name] of Object.entries(REPORT_FILES) as [keyof typeof REPORT_FILES, string][]) {
    const file = join(dir, name)
    await writeFileAtomic(file, await render(format, report, {color: false}))
    written.push(file)
  }
  return written
}

/** What the log keeps of a run: enough to see later what was found, where, by whom, and the verdict. */
export function auditEntry(report: Report, exitCode: number): Record<string, unknown> {
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

export async function appendAudit(log: string, report: Report, exitCode: number): Promise<void> {
  await appendRecord(log, auditEntry(report, exitCode))
}
