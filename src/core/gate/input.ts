// What the gate is told about a run: only what it needs, so that it depends on no step of
// the pipeline (check, approve, baseline update) and each of them can call it.

import type {Config} from '../config.js'
import type {SourceSpec} from '../source.js'

export interface GateInput {
  root: string
  /** where a `--baseline FILE` given on the command line is relative to */
  cwd: string
  /** the config the run was given */
  config: Config
  /** what is checked, and its commit: the revision for `--ref`, HEAD for the index and the working tree */
  target: {spec: SourceSpec; commit: string | null}
  /** the approved state compared with */
  baseline: {
    /** a snapshot file (else a revision) */
    snapshot: boolean
    /** the commit it belongs to */
    commit: string | null
    /** a snapshot file: the git blob id (SHA-1) of the content `commit` was read from */
    blob?: string
    /** `--baseline FILE|REV` as given; without it, the config's baseline (or HEAD) */
    flag?: string
    /** for a snapshot: the digest of the config it recorded it was read under (`files.config`), if any */
    readWith?: string
  }
  /** the comparison was asked for as `--range A..B`: it starts from a named revision */
  range: boolean
  /** the keys (`FILE`, `FILE#NAME`) of the documents compared, on either side: approvals of others cannot be judged stale */
  compared: ReadonlySet<string>
  /** the message of the commit being made (the commit-msg hook): evidence about its actor */
  message?: string
  /** the environment of the commit being made (default: this process's) */
  env?: NodeJS.ProcessEnv
  now?: Date
}
