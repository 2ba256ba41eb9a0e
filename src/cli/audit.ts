// `acldrift audit`, shared by the oclif command and the start-up fast path.

import {appendAudit} from '../core/audit-log/record.js'
import {logKey} from '../core/audit-log/key.js'
import {parseLogHead, prepareAppend, verifyLog} from '../core/audit-log/log.js'
import {runCheck} from '../core/check.js'
import {verdictCode} from '../core/gate/verdict.js'
import type {FailOn} from '../core/config.js'
import {oneRun} from '../git/index.js'
import {EXIT, UsageError} from '../kernel/errors.js'
import {timed} from '../kernel/timings.js'
import {renderLogHead, renderLogVerification} from '../reporters/validation.js'
import {checkOptions} from './check.js'
import {withDebug} from './debug.js'
import type {AUDIT_FLAGS, ParsedFlags} from './flag-specs.js'
import {cwdFromRoot, emitReport, emitText, writeReports} from './output.js'
import {progressFor} from './progress.js'

/** Runs an audit (or verifies its log) and returns the exit code. */
export function executeAudit(flags: ParsedFlags<typeof AUDIT_FLAGS>): Promise<number> {
  // (one run: git is asked once about each revision and tree, git/scope.ts; the process does nothing else)
  return withDebug(flags.debug, () => oneRun(() => audit(flags), {wholeProcess: true}))
}

async function audit(flags: ParsedFlags<typeof AUDIT_FLAGS>): Promise<number> {
  const key = logKey(process.env.ACLDRIFT_LOG_KEY)
  if (flags['verify-log']) {
    if (flags.log === undefined) throw new UsageError('--verify-log needs --log FILE')
    const anchor = flags['expect-head']
    const expectHead = anchor === undefined ? undefined : parseLogHead(anchor)
    if (anchor !== undefined && expectHead === undefined)
      throw new UsageError(
        `--expect-head takes SEQ:HASH (a record number and a sha256 in hex), not ${anchor}`,
      )
    const result = await verifyLog(flags.log, {key, expectHead})
    await emitText(renderLogVerification(flags.log, result), flags.output)
    return result.ok ? EXIT.ok : EXIT.invalidInput
  }
  if (flags['expect-head'] !== undefined) throw new UsageError('--expect-head goes with --verify-log')
  // Everything the append will need is checked now, so that a long audit does not fail at its end.
  if (flags.log !== undefined) await prepareAppend(flags.log, key)
  const options = await checkOptions({
    ref: flags.ref ?? 'HEAD',
    baseline: flags.baseline,
    config: flags.config,
  })
  const checked = await runCheck({...options, progress: await progressFor()})
  const failOn = flags['fail-on'] as FailOn | undefined
  const code = verdictCode(checked, failOn)
  const context = {root: options.root, failOn}
  // The record goes first, so that every report carries the anchor of the run it describes.
  const report =
    flags.log === undefined
      ? checked
      : await timed('audit log', () => appendAudit(flags.log!, checked, code, key))
  await emitReport(report, {...flags, ...context, from: cwdFromRoot(options.root, options.cwd)})
  if (flags['report-dir'] !== undefined) await writeReports(report, flags['report-dir'], context)
  if (report.auditLog !== undefined) process.stderr.write(renderLogHead(report.auditLog))
  return code
}
