// `acldrift approvals prune`: removes from .acldrift/approvals.yaml the entries that no longer do
// anything — expired ones, and stale ones (they match no finding of a comparison against the
// approved baseline, and would approve the same access again if it came back). Removing an
// approval lets less pass: the gate reports it as a narrowing (approval-removed).

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {APPROVALS_FILE, parseApprovals, withoutEntries} from './gate/approvals-file.js'
import {writeFileAtomic} from '../kernel/atomic.js'
import {withFileLock} from './audit-log/lock.js'
import {runCheck} from './check.js'
import type {CheckOptions} from './options.js'
import {InvalidInputError} from '../kernel/errors.js'
import {assertWritableInside} from '../kernel/files.js'
import type {Finding} from '../kernel/types.js'

const PRUNED_RULES: readonly string[] = ['approval-expired', 'approval-stale']

export interface PruneResult {
  file: string
  /** the findings that named each removed entry (approval-expired or approval-stale) */
  removed: Finding[]
}

export async function pruneApprovals(options: CheckOptions): Promise<PruneResult> {
  const report = await runCheck({...options, attribute: false})
  // Stale is judged on a complete comparison only.
  if (report.errors.length > 0) throw new InvalidInputError(report.errors)
  const prunable = report.findings.filter((f) => PRUNED_RULES.includes(f.rule))
  const file = join(options.root, APPROVALS_FILE)
  if (prunable.length === 0) return {file: APPROVALS_FILE, removed: []}
  await assertWritableInside(options.root, file, APPROVALS_FILE)
  const ids = new Set(prunable.map((f) => String((f.witness as {approval: string}).approval)))
  const removed = await withFileLock(`${file}.lock`, {}, async () => {
    const next = withoutEntries(await readFile(file, 'utf8'), ids)
    if (next.removed.length === 0) return []
    await parseApprovals(APPROVALS_FILE, Buffer.from(next.text))
    await writeFileAtomic(file, next.text)
    return next.removed
  })
  const gone = new Set(removed)
  return {
    file: APPROVALS_FILE,
    removed: prunable.filter((f) => gone.has(String((f.witness as {approval: string}).approval))),
  }
}
