import {Args} from '@oclif/core'
import {BaseCommand} from '../../cli/base.js'
import {runAgentHook} from '../../cli/agent-hook.js'
import {HARNESSES} from '../../core/agent/harnesses.js'

export default class Agent extends BaseCommand {
  static override description =
    "A coding agent's hook (installed by `acldrift init --agent`): reads the harness's JSON for one tool call on stdin and answers as the harness documents. Blocks edits that widen access without a valid approval, writes to hooks and acldrift's files, and shell commands that get around the git hooks; at the end of a turn, tells the agent to report unapproved widenings. Claude Code and Gemini CLI: exit 2 blocks, the reason goes to the model on stderr."

  static override examples = [
    'echo \'{"hook_event_name":"BeforeTool","tool_name":"run_shell_command","tool_input":{"command":"git commit -n"}}\' | <%= config.bin %> hook agent gemini BeforeTool',
    'echo \'{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"git commit --no-verify"}}\' | <%= config.bin %> hook agent claude-code PreToolUse',
  ]

  static override args = {
    harness: Args.string({description: 'the agent harness', required: true, options: HARNESSES.map((h) => h.name)}),
    event: Args.string({
      description: "the harness's event name (Claude Code: PreToolUse, Stop; Gemini CLI: BeforeTool, AfterAgent)",
      required: true,
    }),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Agent)
    const code = await runAgentHook(args.harness, args.event)
    if (code !== 0) this.exit(code)
  }
}
