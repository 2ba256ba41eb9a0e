import {BaseCommand} from '../cli/base.js'
import {checkOptions} from '../cli/check.js'
import {AUDIT_FLAGS} from '../cli/flag-specs.js'
import {oclifFlags} from '../cli/flags.js'
import {emitReport, emitText, writeReports} from '../cli/output.js'
import {appendAudit} from '../core/audit-log/record.js'
import {verifyLog} from '../core/audit-log/log.js'
import {runCheck} from '../core/check.js'
import {verdictCode} from '../core/gate/verdict.js'
import type {FailOn} from '../core/config.js'
import {EXIT, UsageError} from '../kernel/errors.js'
import {progressReporter} from '../reporters/progress.js'
import {renderLogVerification} from '../reporters/validation.js'

export default class Audit extends BaseCommand {
  static override description =
    'Scheduled audit: check a revision against the baseline, attribute every widening to its commit and actor, write reports and append to a hash-chained audit log.'

  static override examples = [
    '<%= config.bin %> audit --report-dir reports --log .acldrift/audit.jsonl',
    '<%= config.bin %> audit --ref origin/main --baseline .acldrift/baseline.json --format sarif --output acldrift.sarif',
    '<%= config.bin %> audit --verify-log --log .acldrift/audit.jsonl',
  ]

  static override flags = oclifFlags(AUDIT_FLAGS)

  async run(): Promise<void> {
    const {flags} = await this.parse(Audit)
    if (flags['verify-log']) {
      if (flags.log === undefined) throw new UsageError('--verify-log needs --log FILE')
      const result = await verifyLog(flags.log)
      await emitText(renderLogVerification(flags.log, result), flags.output)
      if (!result.ok) this.exit(EXIT.invalidInput)
      return
    }
    const options = await checkOptions({
      ref: flags.ref ?? 'HEAD',
      baseline: flags.baseline,
      config: flags.config,
    })
    const report = await runCheck({...options, progress: progressReporter(process.stderr)})
    await emitReport(report, flags)
    if (flags['report-dir'] !== undefined) await writeReports(report, flags['report-dir'])
    const code = verdictCode(report, flags['fail-on'] as FailOn | undefined)
    if (flags.log !== undefined) await appendAudit(flags.log, report, code)
    if (code !== EXIT.ok) this.exit(code)
  }
}
