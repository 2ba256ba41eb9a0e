import {BaseCommand} from '../cli/base.js'
import {withDebug} from '../cli/debug.js'
import {COVERAGE_FLAGS} from '../cli/flag-specs.js'
import {oclifFlags} from '../cli/flags.js'
import {emitText} from '../cli/output.js'
import {loadConfig} from '../core/config.js'
import {revisionConfig} from '../core/gate/reference.js'
import {loadSource, sourceSpec, unmatchedNotes} from '../core/source.js'
import {EXIT, formatProblem} from '../kernel/errors.js'
import {findRepoRoot} from '../git/index.js'
import {coverageLines} from '../reporters/coverage.js'

export default class Coverage extends BaseCommand {
  static override description =
    'Print the inventory: every access config read (per kind), every one recognised but not read (and why), and the files skipped (and why).'

  static override examples = [
    '<%= config.bin %> coverage',
    '<%= config.bin %> coverage --format json',
    '<%= config.bin %> coverage --ref main',
  ]

  static override flags = oclifFlags(COVERAGE_FLAGS)

  async run(): Promise<void> {
    const {flags} = await this.parse(Coverage)
    await withDebug(flags.debug, async () => {
      const root = await findRepoRoot(process.cwd())
      const spec = sourceSpec(flags)
      // A revision is read with its own config (core/gate/reference.ts), as check and snapshot read it.
      const config = await revisionConfig(
        {root, cwd: process.cwd(), config: await loadConfig(root, flags.config)},
        spec,
      )
      const source = await loadSource(root, spec, config)
      const coverage = source.coverage!
      const warnings = unmatchedNotes(source)
      const text =
        flags.format === 'json'
          ? `${JSON.stringify({schemaVersion: 1, coverage, errors: source.problems, warnings}, null, 2)}\n`
          : [
              ...warnings,
              ...coverageLines(coverage),
              ...(source.problems.length > 0
                ? ['Invalid input (fails closed):', ...source.problems.map((p) => `  ${formatProblem(p)}`)]
                : []),
            ].join('\n') + '\n'
      await emitText(text, flags.output)
      // Files that claim to be access configs and cannot be read fail closed here as everywhere.
      if (source.problems.length > 0) this.exit(EXIT.invalidInput)
    })
  }
}
