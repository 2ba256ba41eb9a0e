// Flags as plain data: the one definition that both oclif (src/cli/flags.ts) and the
// start-up fast path (src/cli/fast.ts) read. It must not import oclif.

import {FAIL_ON} from '../core/config.js'
import {FORMATS} from '../reporters/index.js'

export interface FlagSpec {
  type: 'string' | 'boolean'
  description: string
  options?: readonly string[]
  default?: string
  helpValue?: string
  exclusive?: string[]
  /** boolean flags that also accept `--no-NAME` */
  allowNo?: boolean
  /** the one-letter form, `-f` for `--format` */
  char?: string
  /** other long names still accepted, not shown in the help (`--out` for `--output`) */
  aliases?: string[]
}

const config: FlagSpec = {
  type: 'string',
  description: 'config file (default: acldrift.config.yaml at the repository root)',
  helpValue: 'FILE',
  char: 'c',
}

/** How much a command says besides its report. */
const VERBOSITY_FLAGS = {
  quiet: {
    type: 'boolean',
    char: 'q',
    description:
      'print nothing when the check passes (one line when approvals let widenings pass), and only what blocks when it fails: for hooks',
    exclusive: ['verbose'],
  },
  verbose: {
    type: 'boolean',
    char: 'V',
    description: 'also say what was compared and how long it took, on standard error',
    exclusive: ['quiet'],
  },
} satisfies Record<string, FlagSpec>

/** `--debug` on every command that reads and compares. */
const DEBUG_FLAGS = {
  debug: {
    type: 'boolean',
    description:
      'print the time each stage took (repository, config, listing, reading, comparing, attribution, gate, reporting) on standard error; also ACLDRIFT_DEBUG=1',
  },
} satisfies Record<string, FlagSpec>

/** One name for the output file everywhere; `--out`, its former name in some commands, still works. */
const output: FlagSpec = {
  type: 'string',
  char: 'o',
  description: 'write the report to FILE instead of standard output',
  helpValue: 'FILE',
  aliases: ['out'],
}

const OUTPUT_FLAGS = {
  format: {type: 'string', char: 'f', description: 'output format', options: FORMATS, default: 'pretty'},
  output,
  color: {
    type: 'boolean',
    description:
      'colour the pretty output (default: when standard output is a terminal and NO_COLOR is unset)',
    allowNo: true,
  },
  config,
} satisfies Record<string, FlagSpec>

/** The three reports at once, from one comparison: what CI uploads, shows and comments. */
const reportDir: FlagSpec = {
  type: 'string',
  description: 'also write acldrift-report.json, .sarif and .md to DIR',
  helpValue: 'DIR',
}

const GATE_FLAGS = {
  'fail-on': {
    type: 'string',
    description:
      'what makes the exit code 1: any widening, widenings of at least a severity, or never (default: from the config, else widening)',
    options: FAIL_ON,
  },
} satisfies Record<string, FlagSpec>

const SOURCE_FLAGS = {
  staged: {
    type: 'boolean',
    description: 'read the index (what the next commit will contain)',
    exclusive: ['ref', 'range'],
  },
  ref: {type: 'string', description: 'read a git revision', helpValue: 'REV', exclusive: ['staged', 'range']},
} satisfies Record<string, FlagSpec>

export const CHECK_FLAGS = {
  ...SOURCE_FLAGS,
  range: {
    type: 'string',
    description: 'compare revision A (baseline) with revision B (target)',
    helpValue: 'A..B',
    exclusive: ['staged', 'ref', 'baseline'],
  },
  baseline: {
    type: 'string',
    description:
      'the approved state: a snapshot file or a git revision (default: from the config, else HEAD)',
    helpValue: 'FILE|REV',
    char: 'b',
  },
  'report-dir': reportDir,
  ...GATE_FLAGS,
  ...OUTPUT_FLAGS,
  ...VERBOSITY_FLAGS,
  ...DEBUG_FLAGS,
} satisfies Record<string, FlagSpec>

export const SNAPSHOT_FLAGS = {
  ...SOURCE_FLAGS,
  output: {...output, description: 'write to FILE (atomically) instead of standard output'},
  config,
} satisfies Record<string, FlagSpec>

/** `coverage` reads a source as `check` reads its target, and prints only its inventory. */
export const COVERAGE_FLAGS = {
  ...SOURCE_FLAGS,
  format: {...OUTPUT_FLAGS.format, options: ['pretty', 'json']},
  output: OUTPUT_FLAGS.output,
  config,
  ...DEBUG_FLAGS,
} satisfies Record<string, FlagSpec>

/** `validate` reads files and says what is wrong with them. */
export const VALIDATE_FLAGS = {
  format: COVERAGE_FLAGS.format,
  output: {...output, description: 'write the result to FILE'},
  config,
  ...DEBUG_FLAGS,
} satisfies Record<string, FlagSpec>

export type ParsedFlags<T extends Record<string, FlagSpec>> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string
}

export const HISTORY_FLAGS = {
  principal: {
    type: 'string',
    description: 'only changes that widen or narrow the access of this principal',
    helpValue: 'P',
  },
  action: {type: 'string', description: 'only changes to this action', helpValue: 'A'},
  resource: {type: 'string', description: 'only changes to this resource', helpValue: 'R'},
  since: {type: 'string', description: 'only commits after this revision', helpValue: 'REV'},
  ...OUTPUT_FLAGS,
  ...DEBUG_FLAGS,
} satisfies Record<string, FlagSpec>

/** `explain` compares the same way as `check`, then shows one finding. */
export const EXPLAIN_FLAGS = {
  ...SOURCE_FLAGS,
  range: CHECK_FLAGS.range,
  baseline: CHECK_FLAGS.baseline,
  format: {...OUTPUT_FLAGS.format, options: ['pretty', 'json']},
  output: OUTPUT_FLAGS.output,
  color: OUTPUT_FLAGS.color,
  config,
  ...DEBUG_FLAGS,
} satisfies Record<string, FlagSpec>

export const AUDIT_FLAGS = {
  ref: {type: 'string', description: 'the revision to audit (default: HEAD)', helpValue: 'REV'},
  baseline: CHECK_FLAGS.baseline,
  log: {
    type: 'string',
    description: 'append one hash-chained record of this run to FILE (JSONL)',
    helpValue: 'FILE',
  },
  'verify-log': {
    type: 'boolean',
    description:
      'verify the --log file instead of auditing: exit 3 if any record was edited, removed or reordered (with ACLDRIFT_LOG_KEY set, also rewritten)',
  },
  'expect-head': {
    type: 'string',
    description:
      'with --verify-log: the anchor an earlier audit printed (its record number and hash); exit 3 if that record was removed or changed',
    helpValue: 'SEQ:HASH',
  },
  'report-dir': reportDir,
  ...GATE_FLAGS,
  ...OUTPUT_FLAGS,
  ...DEBUG_FLAGS,
} satisfies Record<string, FlagSpec>

/** `approve` compares the same way as `check`, then records an approval of one finding. */
export const APPROVE_FLAGS = {
  ...SOURCE_FLAGS,
  range: CHECK_FLAGS.range,
  baseline: CHECK_FLAGS.baseline,
  reason: {type: 'string', description: 'why the access is needed (required)', helpValue: 'R'},
  expires: {
    type: 'string',
    description: 'the last day the approval counts, YYYY-MM-DD, today or later (required)',
    helpValue: 'DATE',
  },
  ticket: {type: 'string', description: 'a ticket or change-request reference', helpValue: 'T'},
  'all-from': {
    type: 'string',
    description: 'approve every widening this commit made (each still an entry of its exact access)',
    helpValue: 'COMMIT',
  },
  rule: {
    type: 'string',
    description: 'approve every widening of this rule (with --file: in that file)',
    helpValue: 'R',
  },
  file: {
    type: 'string',
    description: 'approve every widening in this file (relative to the current directory)',
    helpValue: 'F',
  },
  color: OUTPUT_FLAGS.color,
  config,
} satisfies Record<string, FlagSpec>

export const BASELINE_UPDATE_FLAGS = {
  ref: {
    type: 'string',
    description: 'promote a git revision instead of the working tree',
    helpValue: 'REV',
  },
  output: {...output, description: "the baseline snapshot file to update (default: the config's baseline)"},
  color: OUTPUT_FLAGS.color,
  config,
  ...DEBUG_FLAGS,
} satisfies Record<string, FlagSpec>

/** `approvals prune` judges approvals on the same comparison as `check`. */
export const PRUNE_FLAGS = {
  ...SOURCE_FLAGS,
  range: CHECK_FLAGS.range,
  baseline: CHECK_FLAGS.baseline,
  color: OUTPUT_FLAGS.color,
  config,
} satisfies Record<string, FlagSpec>
