// What the gate's pieces make: a finding about one of acldrift's own files (the config, the
// approvals file, the baseline snapshot), with a way to ask any version of that file whether
// the change is there, which is how semantic blame finds the commit that made it.

import type {History} from '../../git/index.js'
import {canonicalJson} from '../../kernel/hash.js'
import {canonicalAccess, findingId} from '../../kernel/findings.js'
import type {Finding, Severity, SourceMap} from '../../kernel/types.js'
import {GATE_RULES, type GateRule} from './rules.js'

/** A question semantic blame asks of every version of a protected file. */
export interface BlameRequest {
  path: string
  holds: (blob: string | null) => Promise<boolean>
  /**
   * What depends on several files at once, asked instead of `holds` of each state of all of
   * them (walked in step): the files, chosen once the history is read, and the question asked
   * of their blobs (null for a file absent there).
   */
  together?: {
    files: (history: History) => string[]
    holds: (blobs: ReadonlyMap<string, string | null>) => Promise<boolean>
  }
}

/** A protected-file finding, and how to ask any version of its file whether the change is there. */
export interface Protected extends BlameRequest {
  finding: Finding
  /** Once blamed on a commit: the finding told as that commit's own change. */
  refine?: (commit: string) => Promise<void>
}

/** A change of what passes, in one of acldrift's own files; its id names the change, not lines. */
export function protectedFinding(fields: {
  file: string
  rule: GateRule
  severity: Severity
  message: string
  witness: Record<string, unknown>
  pointer: string | null
  line: number | null
  before: unknown
  after: unknown
}): Finding {
  return {
    id: findingId(['acldrift', fields.file, fields.rule, canonicalJson(fields.witness)]),
    kind: 'acldrift',
    file: fields.file,
    line: fields.line,
    pointer: fields.pointer,
    // Most changes to acldrift's own files widen what passes; removing an approval narrows it.
    change: GATE_RULES[fields.rule].change,
    severity: fields.severity,
    rule: fields.rule,
    message: fields.message,
    witness: fields.witness,
    // What changed in acldrift's own file is the access an approval of it records.
    access: JSON.parse(canonicalAccess(fields.witness)) as unknown,
    before: fields.before,
    after: fields.after,
    diff: [],
    commit: null,
    approval: null,
  }
}

/** The line of `pointer`, else of its nearest located ancestor. */
export function lineOf(sourceMap: SourceMap | undefined, pointer: string): number | null {
  if (sourceMap === undefined) return null
  for (let current = pointer; ; current = current.slice(0, current.lastIndexOf('/'))) {
    const position = sourceMap.locate(current)
    if (position !== undefined) return position.line
    if (current === '') return null
  }
}
