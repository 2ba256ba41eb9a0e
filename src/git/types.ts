import type {SourceFile} from '../kernel/types.js'

/** Why a path was not read. Skips are reported, never silent. */
export type SkipReason =
  | 'deleted' // not present in this source
  | 'symlink' // never followed: it could point anywhere, including outside the repository
  | 'outside-repository' // the path, or a directory on it, resolves outside the work tree
  | 'submodule'
  | 'unmerged' // the index holds conflict stages for it
  | 'not-a-regular-file' // a directory, fifo, socket …
  | 'too-large' // over the size limit: not read at all (callers fail closed on it)

export interface SkippedFile {
  path: string
  reason: SkipReason
  /** bytes, for `too-large` */
  size?: number
}

export interface ReadResult {
  files: SourceFile[]
  skipped: SkippedFile[]
}
