// Flags shared by the commands (DESIGN.md: common flags).

import {Flags} from '@oclif/core'
import {FAIL_ON} from '../core/config.js'
import {FORMATS} from '../reporters/index.js'

export const outputFlags = {
  format: Flags.string({description: 'output format', options: [...FORMATS], default: 'pretty'}),
  output: Flags.string({
    description: 'write the report to FILE instead of standard output',
    helpValue: 'FILE',
  }),
  color: Flags.boolean({
    description:
      'colour the pretty output (default: when standard output is a terminal and NO_COLOR is unset)',
    allowNo: true,
  }),
  config: Flags.string({
    description: 'config file (default: acldrift.config.yaml at the repository root)',
    helpValue: 'FILE',
  }),
}

export const gateFlags = {
  'fail-on': Flags.string({
    description:
      'what makes the exit code 1: any widening, widenings of at least a severity, or never (default: from the config, else widening)',
    options: [...FAIL_ON],
  }),
}

export const sourceFlags = {
  staged: Flags.boolean({
    description: 'read the index (what the next commit will contain)',
    exclusive: ['ref', 'range'],
  }),
  ref: Flags.string({description: 'read a git revision', helpValue: 'REV', exclusive: ['staged', 'range']}),
}
