// What every oclif command shares: known errors become a clear message and their exit code.

import {Command} from '@oclif/core'
import {AcldriftError} from '../kernel/errors.js'
import {explainError} from './errors.js'

export abstract class BaseCommand extends Command {
  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (error instanceof AcldriftError) return this.exit(explainError(error))
    return super.catch(error)
  }
}
