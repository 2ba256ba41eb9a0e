import {BaseCommand} from '../cli/base.js'
import {executeAudit} from '../cli/audit.js'
import {AUDIT_FLAGS} from '../cli/flag-specs.js'
import {oclifFlags} from '../cli/flags.js'

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
    const code = await executeAudit(flags)
    if (code !== 0) this.exit(code)
  }
}
