import {Args} from '@oclif/core'
import {BaseCommand} from '../cli/base.js'
import {withDebug} from '../cli/debug.js'
import {VALIDATE_FLAGS} from '../cli/flag-specs.js'
import {oclifFlags} from '../cli/flags.js'
import {emitText} from '../cli/output.js'
import {loadConfig} from '../core/config.js'
import {EXIT} from '../kernel/errors.js'
import {loadFiles, loadSource, unmatchedNotes} from '../core/source.js'
import {findRepoRoot} from '../git/index.js'
import {renderValidation} from '../reporters/validation.js'

export default class Validate extends BaseCommand {
  static override description =
    "Validate permission configs against acldrift's JSON Schemas; problems print as file:line:col pointer message."

  static override examples = ['<%= config.bin %> validate', '<%= config.bin %> validate iam/*.json']

  static override strict = false

  static override args = {
    path: Args.string({description: 'files to validate (default: every config tracked in the repository)'}),
  }

  static override flags = oclifFlags(VALIDATE_FLAGS)

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Validate)
    await withDebug(flags.debug, async () => {
      const paths = argv as string[]
      let source
      if (paths.length > 0) {
        // Named files need no repository; a config is still honoured when there is one.
        const root = await findRepoRoot(process.cwd()).catch(() => undefined)
        const config = await loadConfig(root ?? process.cwd(), flags.config)
        source = await loadFiles(paths, config)
      } else {
        const root = await findRepoRoot(process.cwd())
        source = await loadSource(root, {type: 'worktree'}, await loadConfig(root, flags.config))
      }
      const result = {
        documents: [...source.documents.values()],
        problems: source.problems,
        warnings: unmatchedNotes(source),
      }
      await emitText(renderValidation(result, flags.format as 'pretty' | 'json'), flags.output)
      if (result.problems.length > 0) this.exit(EXIT.invalidInput)
    })
  }
}
