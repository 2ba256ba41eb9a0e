import {Args} from '@oclif/core'
import {BaseCommand} from '../cli/base.js'
import {checkOptions} from '../cli/check.js'
import {APPROVE_FLAGS} from '../cli/flag-specs.js'
import {oclifFlags} from '../cli/flags.js'
import {emitText, wantsColor} from '../cli/output.js'
import {approve} from '../core/approve.js'
import {proposalFor} from '../core/agent/log.js'
import {gitDir} from '../git/index.js'
import {UsageError} from '../kernel/errors.js'
import {renderApproved} from '../reporters/gate.js'

export default class Approve extends BaseCommand {
  static override description =
    'Record an approval of exactly one widening (by finding id) in .acldrift/approvals.yaml, in the name of the identity git commits as. It counts once a listed approver commits it as a human.'

  static override examples = [
    '<%= config.bin %> approve 3f9c2ab41d0e7c55 --reason "CDN reads the public assets" --expires 2026-12-31 --ticket SEC-42',
    '<%= config.bin %> approve 3f9c2ab4 --range main..feature --reason "break-glass role for the incident" --expires 2026-11-30',
  ]

  static override args = {
    id: Args.string({
      description: 'the finding id, as `check` reports it (or an unambiguous prefix)',
      required: true,
    }),
  }

  static override flags = oclifFlags(APPROVE_FLAGS)

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Approve)
    if (flags.reason === undefined) throw new UsageError('--reason is required: say why the access is needed')
    if (flags.expires === undefined)
      throw new UsageError('--expires is required: approvals expire (YYYY-MM-DD)')
    const options = await checkOptions(flags)
    // A change an agent proposed and was refused exists nowhere but in the agent log: the
    // approval is decided on the comparison with that proposed content in place.
    if (options.target.type !== 'ref') {
      const proposal = await proposalFor(await gitDir(options.root), args.id)
      if (proposal !== undefined) {
        options.overlay = [proposal]
        process.stderr.write(
          `acldrift: ${args.id} is in a change an agent proposed to ${proposal.path} and was refused (agent log): approving that access\n`,
        )
      }
    }
    const result = await approve({
      options,
      id: args.id,
      reason: flags.reason,
      expires: flags.expires,
      ticket: flags.ticket,
    })
    await emitText(renderApproved(result, {color: wantsColor(flags)}), undefined)
  }
}
