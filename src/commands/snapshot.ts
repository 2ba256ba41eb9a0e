import {resolve} from 'node:path'
import {BaseCommand} from '../cli/base.js'
import {SNAPSHOT_FLAGS} from '../cli/flag-specs.js'
import {oclifFlags} from '../cli/flags.js'
import {emitText} from '../cli/output.js'
import {loadConfig} from '../core/config.js'
import {InvalidInputError} from '../kernel/errors.js'
import {revisionConfig} from '../core/gate/reference.js'
import {buildSnapshot, serializeSnapshot} from '../core/snapshot.js'
import {loadSource, sourceSpec} from '../core/source.js'
import {findRepoRoot} from '../git/index.js'

export default class Snapshot extends BaseCommand {
  static override description =
    'Write a snapshot of the permission configs (normalized documents, hashes, commit, tool version), usable as a baseline.'

  static override examples = [
    '<%= config.bin %> snapshot --output .acldrift/baseline.json',
    '<%= config.bin %> snapshot --ref v1.4.0 --output baseline.json',
    '<%= config.bin %> snapshot --staged',
  ]

  static override flags = oclifFlags(SNAPSHOT_FLAGS)

  async run(): Promise<void> {
    const {flags} = await this.parse(Snapshot)
    const root = await findRepoRoot(process.cwd())
    const spec = sourceSpec(flags)
    // A revision is read with its own config (core/gate/reference.ts).
    const config = await revisionConfig(
      {root, cwd: process.cwd(), config: await loadConfig(root, flags.config)},
      spec,
    )
    const source = await loadSource(root, spec, config)
    // Never write a baseline that silently leaves out a broken file.
    if (source.problems.length > 0) throw new InvalidInputError(source.problems)
    await emitText(
      serializeSnapshot(buildSnapshot(source)),
      flags.output === undefined ? undefined : resolve(flags.output),
    )
  }
}
