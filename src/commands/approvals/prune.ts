import {BaseCommand} from '../../cli/base.js'
import {checkOptions} from '../../cli/check.js'
import {PRUNE_FLAGS} from '../../cli/flag-specs.js'
import {oclifFlags} from '../../cli/flags.js'
import {emitText, wantsColor} from '../../cli/output.js'
import {pruneApprovals} from '../../core/prune.js'
import {renderPruned} from '../../reporters/gate.js'

export default class ApprovalsPrune extends BaseCommand {
  static override description =
    'Remove expired approvals, and approvals that match no finding against the approved baseline, from .acldrift/approvals.yaml. Removing approvals is a narrowing: commit the file.'

  static override examples = [
    '<%= config.bin %> approvals prune',
    '<%= config.bin %> approvals prune --baseline .acldrift/baseline.json',
  ]

  static override flags = oclifFlags(PRUNE_FLAGS)

  async run(): Promise<void> {
    const {flags} = await this.parse(ApprovalsPrune)
    const result = await pruneApprovals(await checkOptions(flags))
    await emitText(renderPruned(result, {color: wantsColor(flags)}), undefined)
  }
}
