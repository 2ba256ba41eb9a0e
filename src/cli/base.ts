// What every command shares: known errors become a clear message and their exit code;
// anything else is a bug and is re-thrown with its stack.

import {Command} from '@oclif/core'
import {AcldriftError} from '../core/errors.js'

export abstract class BaseCommand extends Command {
  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (error instanceof AcldriftError) {
      process.stderr.write(`acldrift: ${error.message}\n`)
      return this.exit(error.exitCode)
    }
    return super.catch(error)
  }
}
