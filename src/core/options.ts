// What a comparison is asked for: the repository, the config, the target and the baseline.
// Its own module, so that the CLI and the steps that run a check (approve) name it without
// loading check.

import type {Config} from './config.js'
import type {SourceSpec} from './source.js'
import type {SourceFile} from '../kernel/types.js'

export interface CheckOptions {
  root: string
  cwd: string
  config: Config
  target: SourceSpec
  /** `--baseline FILE|REV`; else the config's baseline; else HEAD */
  baseline?: string
  /** the comparison was asked for as `--range A..B` (the report says so) */
  range?: boolean
  /**
   * name the commit and actor of each finding (default true); `gating`: of the findings that can
   * fail the run only (a narrowing never does: kernel/findings.ts failsRun), for a hook that
   * shows nothing else (`--quiet`, pretty)
   */
  attribute?: boolean | 'gating'
  /** told how the comparison (files compared) and attribution advance (long checks and audits show it) */
  progress?: (done: number, total: number, what: string) => void
  /** the message of the commit being made (the commit-msg hook): evidence about its actor */
  message?: string
  /** files' content in place of the target's versions (the agent hook's proposed edit, untracked files) */
  overlay?: readonly SourceFile[]
  /**
   * Compare only these files' documents among those of kinds compared file by file (the agent
   * hook's edit: another file's own findings are not the edit's). Documents a container holds,
   * and those of kinds compared whole or consulting others, are compared as always.
   */
  focus?: ReadonlySet<string>
  /**
   * Filled by the check with what to keep for the next run should this one pass (the pre-commit
   * hook: where the index the commit records differs from the baseline snapshot's record)
   */
  onPass?: Array<() => Promise<void>>
}
