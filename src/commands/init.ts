import {join} from 'node:path'
import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base.js'
import {EXIT} from '../kernel/errors.js'
import {harnessFor, HARNESSES} from '../core/agent/harnesses.js'
import {HOOK_MANAGERS, type HookManager, type InitResult, runInit} from '../core/init/index.js'

export default class Init extends BaseCommand {
  static override description =
    'Set acldrift up in this repository: a commented acldrift.config.yaml for the kinds found among the tracked files, the first baseline (.acldrift/baseline.json), and with --hook the pre-commit, commit-msg and prepare-commit-msg hooks (plain git: post-rewrite too). Safe to run again: existing files are kept, and a hook of yours is never replaced without --force (exit 2 when one is in the way).'

  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --hook git',
    '<%= config.bin %> init --hook pre-commit',
    '<%= config.bin %> init --hook husky --force',
    '<%= config.bin %> init --hook git --agent claude-code',
    '<%= config.bin %> init --hook git --agent claude-code --agent gemini',
  ]

  static override flags = {
    hook: Flags.string({
      description: 'install the hooks for this hook manager (git: scripts in the hooks directory)',
      options: [...HOOK_MANAGERS],
    }),
    agent: Flags.string({
      description:
        "configure this coding agent's project-level hooks (repeatable): edits that widen access, hook bypasses and writes to acldrift's files are refused before they happen",
      options: HARNESSES.map((h) => h.name),
      multiple: true,
    }),
    force: Flags.boolean({
      description:
        'install over hooks of yours: a git hook is kept as <hook>.legacy and runs first; a husky hook gets the line appended; a YAML entry is replaced',
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Init)
    const result = await runInit({
      cwd: process.cwd(),
      hook: flags.hook as HookManager | undefined,
      force: flags.force,
      agents: (flags.agent ?? []).map((name) => harnessFor(name)!),
      self: {
        node: process.execPath,
        bin: join(this.config.root, 'bin', 'run.js'),
        hook: join(this.config.root, 'hook', 'acldrift.js'),
      },
    })
    process.stdout.write(renderInit(result))
    const refused = result.steps.filter((step) => step.status === 'refused').length
    if (refused > 0) {
      process.stderr.write(
        `acldrift: ${refused} hook${refused === 1 ? ' was' : 's were'} NOT installed: one of yours is in the way and was left as it is (see above)\n`,
      )
      this.exit(EXIT.usage)
    }
  }
}

function renderInit(result: InitResult): string {
  const lines = [`acldrift init in ${result.root}`]
  const width = Math.max(...result.steps.map((step) => step.status.length))
  for (const step of result.steps) {
    const status = step.status === 'refused' ? 'REFUSED' : step.status
    const detail = step.detail === undefined ? '' : `: ${step.detail.replaceAll('\n', '\n      ')}`
    lines.push(`  ${status.padEnd(width)}  ${step.path}${detail}`)
  }
  if (result.next.length > 0) lines.push('', 'Next:', ...result.next.map((step) => `  - ${step}`))
  return `${lines.join('\n')}\n`
}
