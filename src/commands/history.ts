import {Args} from '@oclif/core'
import {BaseCommand} from '../cli/base.js'
import {progressFor} from '../cli/progress.js'
import {withDebug} from '../cli/debug.js'
import {HISTORY_FLAGS} from '../cli/flag-specs.js'
import {oclifFlags} from '../cli/flags.js'
import {cwdFromRoot, emitText, renderReport, repositoryPath, wantsColor} from '../cli/output.js'
import {loadConfig} from '../core/config.js'
import {runTimeline} from '../core/timeline.js'
import {findRepoRoot, gitDir} from '../git/index.js'
import {readAgentLog} from '../core/agent/log.js'
import {renderAttempts} from '../reporters/agent.js'
import {renderTimeline} from '../reporters/detail.js'
import type {Format} from '../reporters/index.js'

export default class History extends BaseCommand {
  static override description =
    'The timeline of access changes (widenings and narrowings), with the commit and actor of each.'

  static override examples = [
    '<%= config.bin %> history',
    '<%= config.bin %> history iam/buckets/payroll.json',
    '<%= config.bin %> history --principal "*" --action s3:GetObject --since v1.4.0',
  ]

  static override args = {path: Args.string({description: 'only this file or directory'})}

  static override flags = oclifFlags(HISTORY_FLAGS)

  async run(): Promise<void> {
    const {args, flags} = await this.parse(History)
    await withDebug(flags.debug, async () => {
      const root = await findRepoRoot(process.cwd())
      // The path as typed in the current folder (`history .` in iam/ is iam/'s history).
      const folder = args.path === undefined ? undefined : repositoryPath(root, args.path) || undefined
      const report = await runTimeline({
        root,
        config: await loadConfig(root, flags.config),
        path: folder,
        since: flags.since,
        request: {principal: flags.principal, action: flags.action, resource: flags.resource},
        progress: await progressFor(),
      })
      const options = {color: wantsColor(flags)}
      const format = flags.format as Format
      // The agent's refused attempts (local log) under the committed timeline: "it tried this at 10:02".
      const concerns = (file: string) =>
        folder === undefined || file === folder || file.startsWith(`${folder}/`)
      const attempts =
        format === 'pretty'
          ? (await readAgentLog(await gitDir(root))).filter(
              (e) => e.decision === 'blocked' && e.findings.some((f) => concerns(f.file)),
            )
          : []
      const text =
        format === 'pretty'
          ? renderTimeline(report, {...options, from: cwdFromRoot(root)}) + renderAttempts(attempts)
          : await renderReport(format, report, options)
      await emitText(text, flags.output)
    })
  }
}
