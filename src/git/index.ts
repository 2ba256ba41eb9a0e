// The git layer: the only part of acldrift that runs git. It reads files from the working tree,
// the index or a revision, and never writes to the repository — but for the agent trailer in
// the message of the commit being made, and the note that carries an agent's evidence across a
// rebase or amend (refs/notes/ai).
//
// The git executable is `git` from PATH unless the ACLDRIFT_GIT environment variable names another.

export {catFileBatch, BatchParser, type GitObject} from './batch.js'
export {
  findRepoRoot,
  firstParent,
  gitDir,
  headCommit,
  headTree,
  hooksDir,
  isAncestor,
  isShallow,
  mergeBase,
  resolveCommit,
  shallowBoundaries,
} from './repo.js'
export {listRevisionFiles, listTreeAhead, readRevisionFiles} from './revision.js'
export {
  addTrailer,
  appendNote,
  type CommitObject,
  type History,
  pendingIdentity,
  type PendingIdentity,
  readCommits,
  readHistory,
  readNotes,
  pathChanges,
  type PathChanges,
} from './history.js'
export {
  blobIdsAt,
  deletedPathsNamed,
  type FileSide,
  listPathsNamed,
  listSideEntries,
  readListedPaths,
  readPathHistory,
  readPathsAt,
} from './file-history.js'
export {pendingSigningKey, verifiedSigners} from './signatures.js'
export {GitError, gitProcessCount, runGit} from './run.js'
export {oneRun, readNoIndex} from './scope.js'
export {type TreeEntry} from './entries.js'
export {
  type IndexChange,
  indexChanges,
  indexTree,
  isEmptyBlob,
  listStagedEntries,
  listStagedFiles,
  readStagedChanges,
  readStagedFiles,
  stagedChangedPaths,
} from './staged.js'
export type {ReadResult, SkippedFile, SkipReason} from './types.js'
export {listTrackedFiles, listWorktreeFiles, readWorktreeFiles} from './worktree.js'
export {type AttributeState, checkAttributes, type PathAttributes} from './attributes.js'
