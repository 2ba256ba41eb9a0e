import {BaseCommand} from '../cli/base.js'
import {progressFor} from '../cli/progress.js'
import {withDebug} from '../cli/debug.js'
import {checkOptions} from '../cli/check.js'
import {AUDIT_FLAGS} from '../cli/flag-specs.js'
import {oclifFlags} from '../cli/flags.js'
import {cwdFromRoot, emitReport, emitText, writeReports} from '../cli/output.js'
import {appendAudit} from '../core/audit-log/record.js'
import {logKey} from '../core/audit-log/key.js'
import {parseLogHead, prepareAppend, verifyLog} from '../core/audit-log/log.js'
import {runCheck} from '../core/check.js'
import {verdictCode} from '../core/gate/verdict.js'
import type {FailOn} from '../core/config.js'
import {EXIT, UsageError} from '../kernel/errors.js'
import {timed} from '../kernel/timings.js'
import {renderLogHead, renderLogVerification} from '../reporters/validation.js'

export default class Audit extends BaseCommand {
  static override description =
    'Scheduled audit: check a revision against the baseline, attribute every widening to its commit and actor, write reports and append to a hash-chained audit log.'

  static override examples = [
    '<%= config.bin %> audit --report-dir reports --log .acldrift/audit.jsonl',
    '<%= config.bin %> audit --ref origin/main --baseline .acldrift/baseline.json --format sarif --output acldrift.sarif',
    '<%= config.bin %> audit --verify-log --log .acldrift/audit.jsonl --expect-head 12:<hash>',
  ]

  static override flags = oclifFlags(AUDIT_FLAGS)

  async run(): Promise<void> {
    const {flags} = await this.parse(Audit)
    await withDebug(flags.debug, async () => {
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
        if (!result.ok) this.exit(EXIT.invalidInput)
        return
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
      if (code !== EXIT.ok) this.exit(code)
    })
  }
}
