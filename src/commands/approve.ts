import {Args} from '@oclif/core'
import {BaseCommand} from '../cli/base.js'
import {checkOptions} from '../cli/check.js'
import {APPROVE_FLAGS} from '../cli/flag-specs.js'
import {oclifFlags} from '../cli/flags.js'
import {emitText, wantsColor} from '../cli/output.js'
import {approve} from '../core/approve.js'
import {UsageError} from '../kernel/errors.js'
import {renderApproved} from '../reporters/gate.js'

export default class Approve extends BaseCommand {
  static override description =
    'Record approvals of widenings (by finding id, every widening of a commit, or of a rule in a file) in .acldrift/approvals.yaml, one entry per exact access, in the name of the identity git commits as. They count once a listed approver commits them as a human.'

  static override examples = [
    '<%= config.bin %> approve 3f9c2ab41d0e7c55 --reason "CDN reads the public assets" --expires 2026-12-31 --ticket SEC-42',
    '<%= config.bin %> approve 3f9c2ab4 8c39fbe2 --range main..feature --reason "break-glass role for the incident" --expires 2026-11-30',
    '<%= config.bin %> approve --all-from HEAD --reason "release workflow publishes packages" --expires 2026-12-31',
    '<%= config.bin %> approve --rule scope-widened --file .github/workflows/release.yml --reason "…" --expires 2026-12-31',
  ]

  // Any number of ids: `approve ID [ID…]`.
  static override strict = false

  static override args = {
    id: Args.string({
      description: 'finding ids, as `check` reports them (or unambiguous prefixes); several may be given',
    }),
  }

  static override flags = oclifFlags(APPROVE_FLAGS)

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Approve)
    if (flags.reason === undefined) throw new UsageError('--reason is required: say why the access is needed')
    if (flags.expires === undefined)
      throw new UsageError('--expires is required: approvals expire (YYYY-MM-DD)')
    const options = await checkOptions(flags)
    const ids = argv as string[]
    const result = await approve({
      options,
      select: {
        ids,
        commit: flags['all-from'],
        rule: flags.rule,
        file: flags.file,
      },
      reason: flags.reason,
      expires: flags.expires,
      ticket: flags.ticket,
    })
    for (const note of result.notes) process.stderr.write(`acldrift: ${note}\n`)
    await emitText(renderApproved(result, {color: wantsColor(flags)}), undefined)
  }
}
