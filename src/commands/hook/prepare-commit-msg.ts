import {Args} from '@oclif/core'
import {BaseCommand} from '../../cli/base.js'
import {runPrepareCommitMsg} from '../../cli/hook.js'

export default class PrepareCommitMsg extends BaseCommand {
  static override description =
    "git's prepare-commit-msg hook: when the commit is being made by an AI agent (its environment or identity says so), add an `Assisted-by:` trailer naming it. Never blocks a commit."

  static override examples = ['<%= config.bin %> hook prepare-commit-msg .git/COMMIT_EDITMSG message']

  static override args = {
    file: Args.string({description: 'the commit message file git passes', required: true}),
    source: Args.string({
      description: 'where the message comes from (message, template, merge, squash, commit)',
    }),
    sha: Args.string({description: 'the commit being amended, if any'}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(PrepareCommitMsg)
    process.exitCode = await runPrepareCommitMsg(args.file)
  }
}
