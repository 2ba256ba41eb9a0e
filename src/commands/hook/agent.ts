import {Args} from '@oclif/core'
import {BaseCommand} from '../../cli/base.js'
import {runAgentHook} from '../../cli/agent-hook.js'

export default class Agent extends BaseCommand {
  static override description =
    "A coding agent's hook (installed by `acldrift init --agent`): reads the harness's JSON for one tool call on stdin and answers as the harness documents. Blocks edits that widen access without a valid approval, writes to hooks and acldrift's files, and shell commands that get around the git hooks; at the end of a turn, tells the agent to report unapproved widenings. Claude Code: exit 2 blocks, the reason goes to the model on stderr."

  static override examples = [
    'echo \'{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"git commit --no-verify"}}\' | <%= config.bin %> hook agent claude-code PreToolUse',
  ]

  static override args = {
    harness: Args.string({description: 'the agent harness', required: true, options: ['claude-code']}),
    event: Args.string({
      description: "the harness's event name (Claude Code: PreToolUse, Stop)",
      required: true,
    }),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Agent)
    const code = await runAgentHook(args.harness, args.event)
    if (code !== 0) this.exit(code)
  }
}
