import {Args} from '@oclif/core'
import {BaseCommand} from '../cli/base.js'
import {withDebug} from '../cli/debug.js'
import {checkOptions} from '../cli/check.js'
import {EXPLAIN_FLAGS} from '../cli/flag-specs.js'
import {oclifFlags} from '../cli/flags.js'
import {cwdFromRoot, emitText, wantsColor} from '../cli/output.js'
import {runCheck} from '../core/check.js'
import {UsageError} from '../kernel/errors.js'
import {renderExplanation} from '../reporters/detail.js'
import {renderAttempts} from '../reporters/agent.js'
import {attemptsFor} from '../core/agent/log.js'
import {gitDir} from '../git/index.js'

export default class Explain extends BaseCommand {
  static override description =
    'One finding in full: the witness, the statements before and after, the structural diff, the commit and every piece of actor evidence.'

  static override examples = [
    '<%= config.bin %> explain 3f9c2ab41d0e7c55',
    '<%= config.bin %> explain 3f9c2ab41d0e7c55 --range main..feature --format json',
  ]

  static override args = {
    id: Args.string({description: 'the finding id, as `check` reports it', required: true}),
  }

  static override flags = oclifFlags(EXPLAIN_FLAGS)

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Explain)
    await withDebug(flags.debug, async () => {
      const options = await checkOptions(flags)
      const report = await runCheck(options)
      const matches = report.findings.filter((f) => f.id === args.id || f.id.startsWith(args.id))
      // What an agent tried with this access (local log): shown with the finding, or alone when
      // the attempt was refused and never reached any comparison.
      const attempts = flags.format === 'json' ? [] : await attemptsFor(await gitDir(options.root), args.id)
      if (matches.length === 0 && attempts.length > 0) {
        await emitText(
          `No finding has id ${args.id} in this comparison.\n${renderAttempts(attempts)}`,
          flags.output,
        )
        return
      }
      if (matches.length !== 1) {
        const why = matches.length === 0 ? 'no finding has' : `${matches.length} findings have`
        throw new UsageError(
          `${why} id ${args.id} in this comparison (ids: ${report.findings.map((f) => f.id).join(', ') || 'none'})`,
        )
      }
      const finding = matches[0]!
      const text =
        flags.format === 'json'
          ? `${JSON.stringify(finding, null, 2)}\n`
          : renderExplanation(finding, {
              color: wantsColor(flags),
              from: cwdFromRoot(options.root, options.cwd),
            }) + renderAttempts(attempts)
      await emitText(text, flags.output)
    })
  }
}
