import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base.js'
import {gateFlags, outputFlags, sourceFlags} from '../cli/flags.js'
import {emitReport} from '../cli/output.js'
import {gatingFindings, runCheck} from '../core/check.js'
import {type FailOn, loadConfig} from '../core/config.js'
import {EXIT, UsageError} from '../core/errors.js'
import type {SourceSpec} from '../core/source.js'
import {findRepoRoot} from '../git/index.js'

export default class Check extends BaseCommand {
  static override description =
    'Compare permission configs with the approved baseline and report every change that grants new access.'

  static override examples = [
    '<%= config.bin %> check',
    '<%= config.bin %> check --staged',
    '<%= config.bin %> check --ref HEAD --baseline v1.4.0 --format sarif --output acldrift.sarif',
    '<%= config.bin %> check --range main..feature --format markdown',
  ]

  static override flags = {
    ...sourceFlags,
    range: Flags.string({
      description: 'compare revision A (baseline) with revision B (target)',
      helpValue: 'A..B',
      exclusive: ['staged', 'ref', 'baseline'],
    }),
    baseline: Flags.string({
      description:
        'the approved state: a snapshot file or a git revision (default: from the config, else HEAD)',
      helpValue: 'FILE|REV',
    }),
    ...gateFlags,
    ...outputFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Check)
    const root = await findRepoRoot(process.cwd())
    const config = await loadConfig(root, flags.config)
    let target: SourceSpec = flags.staged
      ? {type: 'staged'}
      : flags.ref
        ? {type: 'ref', rev: flags.ref}
        : {type: 'worktree'}
    let baseline = flags.baseline
    if (flags.range !== undefined) {
      const match = /^(.+?)\.\.(.+)$/.exec(flags.range)
      if (!match || match[2]!.startsWith('.'))
        throw new UsageError(`--range must look like A..B, got ${flags.range}`)
      baseline = match[1]!
      target = {type: 'ref', rev: match[2]!}
    }
    const report = await runCheck({root, cwd: process.cwd(), config, target, baseline})
    await emitReport(report, flags)
    if (report.errors.length > 0) this.exit(EXIT.invalidInput)
    const failOn = (flags['fail-on'] as FailOn | undefined) ?? config.policy.failOn
    if (gatingFindings(report, failOn).length > 0) this.exit(EXIT.widening)
  }
}
