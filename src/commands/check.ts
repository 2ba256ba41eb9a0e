import {BaseCommand} from '../cli/base.js'
import {executeCheck} from '../cli/check.js'
import {CHECK_FLAGS} from '../cli/flag-specs.js'
import {oclifFlags} from '../cli/flags.js'

export default class Check extends BaseCommand {
  static override description =
    'Compare permission configs with the approved baseline and report every change that grants new access.'

  static override examples = [
    '<%= config.bin %> check',
    '<%= config.bin %> check --staged',
    '<%= config.bin %> check --ref HEAD --baseline v1.4.0 --format sarif --output acldrift.sarif',
    '<%= config.bin %> check --range main..feature --format markdown',
  ]

  static override flags = oclifFlags(CHECK_FLAGS)

  async run(): Promise<void> {
    const {flags} = await this.parse(Check)
    const code = await executeCheck(flags)
    if (code !== 0) this.exit(code)
  }
}
