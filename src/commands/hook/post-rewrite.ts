import {Args} from '@oclif/core'
import {BaseCommand} from '../../cli/base.js'
import {runPostRewrite} from '../../cli/hook.js'

export default class PostRewrite extends BaseCommand {
  static override description =
    "git's post-rewrite hook: when a rebase or amend makes a commit out of an AI agent's commit, note the agent on the new commit (refs/notes/ai), so that a `fixup!` folded into a person's commit stays the agent's change. Reads git's `old new` lines on stdin; never fails."

  static override examples = [
    'git rebase -i --autosquash main  # git runs: <%= config.bin %> hook post-rewrite rebase',
  ]

  static override args = {
    how: Args.string({description: 'what rewrote the commits (amend or rebase)', required: true}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(PostRewrite)
    process.exitCode = await runPostRewrite(args.how)
  }
}
