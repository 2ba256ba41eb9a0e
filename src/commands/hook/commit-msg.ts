import {Args} from '@oclif/core'
import {BaseCommand} from '../../cli/base.js'
import {runCommitMsg} from '../../cli/hook.js'

export default class CommitMsg extends BaseCommand {
  static override description =
    "git's commit-msg hook: the staged check again, with the commit message as evidence about who is committing (a `Co-authored-by: Claude` trailer makes the commit an agent's). Prints the report and exits 1 when the commit widens access; silent otherwise."

  static override examples = ['<%= config.bin %> hook commit-msg .git/COMMIT_EDITMSG']

  static override args = {
    file: Args.string({description: 'the commit message file git passes', required: true}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(CommitMsg)
    const code = await runCommitMsg(args.file)
    if (code !== 0) this.exit(code)
  }
}
