// The JSON report of the contract (schemas/report.schema.json): the Report itself,
// with its keys in a fixed order so that output diffs cleanly whatever built the object.
import type {Finding, Report} from '../kernel/types.js'

const REPORT_KEYS: readonly (keyof Report)[] = [
  'schemaVersion',
  'tool',
  'baseline',
  'target',
  'summary',
  'findings',
  'errors',
  'notes',
  'coverage',
]

const FINDING_KEYS: readonly (keyof Finding)[] = [
  'id',
  'kind',
  'file',
  'line',
  'renderedFrom',
  'pointer',
  'change',
  'severity',
  'rule',
  'message',
  'witness',
  'before',
  'after',
  'diff',
  'baselineLocation',
  'reason',
  'commit',
  'approval',
]

export function renderJson(report: Report): string {
  const ordered = {
    ...inKeyOrder(report, REPORT_KEYS),
    findings: report.findings.map((f) => inKeyOrder(f, FINDING_KEYS)),
  }
  return JSON.stringify(ordered, null, 2) + '\n'
}

/** A copy with `keys` first, in that order; keys not listed follow, so nothing new is ever dropped. */
function inKeyOrder<T extends object>(value: T, keys: readonly (keyof T)[]): T {
  const ordered: Partial<T> = {}
  for (const key of keys) if (Object.hasOwn(value, key)) ordered[key] = value[key]
  return Object.assign(ordered, value)
}
