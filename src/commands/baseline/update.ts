import {BaseCommand} from '../../cli/base.js'
import {withDebug} from '../../cli/debug.js'
import {BASELINE_UPDATE_FLAGS} from '../../cli/flag-specs.js'
import {oclifFlags} from '../../cli/flags.js'
import {emitText, wantsColor} from '../../cli/output.js'
import {updateBaseline} from '../../core/baseline-update.js'
import {loadConfig} from '../../core/config.js'
import {EXIT} from '../../kernel/errors.js'
import {findRepoRoot} from '../../git/index.js'
import {renderBaselineUpdate} from '../../reporters/gate.js'

export default class BaselineUpdate extends BaseCommand {
  static override description =
    'Promote the current state (the working tree, or --ref) to the baseline snapshot file. Narrowings go through; widenings only when each is covered by a valid approval, else nothing is written (exit 1). The snapshot records who updated it and from which commit.'

  static override examples = [
    '<%= config.bin %> baseline update',
    '<%= config.bin %> baseline update --ref origin/main',
    '<%= config.bin %> baseline update --output .acldrift/baseline.json',
  ]

  static override flags = oclifFlags(BASELINE_UPDATE_FLAGS)

  async run(): Promise<void> {
    const {flags} = await this.parse(BaselineUpdate)
    await withDebug(flags.debug, async () => {
      const root = await findRepoRoot(process.cwd())
      const result = await updateBaseline({
        root,
        cwd: process.cwd(),
        config: await loadConfig(root, flags.config),
        target: flags.ref === undefined ? {type: 'worktree'} : {type: 'ref', rev: flags.ref},
        out: flags.output,
      })
      await emitText(renderBaselineUpdate(result, {color: wantsColor(flags)}), undefined)
      if (result.unapproved.length > 0) this.exit(EXIT.widening)
    })
  }
}
