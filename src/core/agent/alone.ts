// The agent hook's own path for an edit of one access config that stands alone (an IAM policy,
// an ACL file, a workflow): the file's approved version (HEAD's, read with the same config) is
// compared with the proposed content by its kind's adapter, and what widens is refused, without
// reading the other files, the history of acldrift's own files, or who made what. It gives what
// the full path (review.ts: `check --staged` with the edit in place of the file, then the
// findings in the file that no valid approval covers) gives, and is taken only where that
// follows from this one file:
//   - no container reads the file and it is no container's (a Terraform module, a kustomize
//     overlay, a CloudFormation template: their documents are written across files), and its
//     kind compares each file alone (k8s-rbac, gcp-iam and CODEOWNERS read the kind together;
//     branch protection consults CODEOWNERS);
//   - it is none of acldrift's protected files (the gate judges those: the config, `.acldrift/`,
//     the hook configurations are decided before this; `.gitattributes` here);
//   - the baseline is HEAD (no `baseline:` in the config), read with the working tree's config
//     (HEAD's config is the same bytes), and the config's own policy makes every unapproved
//     widening fail (`agents: require-approval`, `failOn` not `never`): the policy the gate
//     settles on is never weaker than the config the run is given (gate/verdict.ts), so it does too;
//   - no approval can be about the file: the index's approvals file (the one the gate judges)
//     does not name it (an approval covers findings of its own file only: approvals.ts);
//   - both versions read without problems, and the edit removes no document (the full path
//     follows renames and links of a document that is gone); a file that has no document at HEAD
//     or gains one, only while the index changes no other access config (the full path may take
//     it for where that one moved).
// Anywhere else it answers undefined, and the full path decides.

import {readFile} from 'node:fs/promises'
import {join, posix} from 'node:path'
import {
  GitError,
  listStagedEntries,
  type ReadResult,
  readListedPaths,
  readRevisionFiles,
  stagedChangedPaths,
} from '../../git/index.js'
import {byGravity} from '../../kernel/findings.js'
import {gitBlobId} from '../../kernel/hash.js'
import type {Document, Finding, Kind, SourceFile} from '../../kernel/types.js'
import {comparedAlone, compareChanged} from '../compare.js'
import type {Config} from '../config.js'
import {CONFIG_FILE} from '../config-file.js'
import type {FileDocuments} from '../embedded.js'
import {APPROVALS_FILE} from '../gate/approvals-file.js'
import {ATTRIBUTES_FILE} from '../gate/attributes.js'
import {gating} from '../gate/verdict.js'
import {assigner, listSourcePaths, readDocuments} from '../source.js'

const NOTHING: FileDocuments = {documents: [], problems: [], notes: []}

/** A file's documents that are compared each alone, by key; undefined when it holds anything else. */
function alone(read: FileDocuments): Map<string, Document> | undefined {
  if (read.problems.length > 0 || read.notRead !== undefined) return undefined
  if (read.documents.some((d) => d.origin !== undefined || !comparedAlone(d.kind))) return undefined
  return new Map(read.documents.map((d) => [d.path, d]))
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * The index's approvals file, read whole (from the working tree when it holds the same blob);
 * null when the index has none; undefined when it is not a plain file there (the gate decides).
 */
async function indexedApprovals(root: string): Promise<string | null | undefined> {
  const entries = await listStagedEntries(root)
  const own = entries.filter((e) => e.path === APPROVALS_FILE)
  if (own.length === 0) return null
  const entry = own[0]!
  if (own.length > 1 || entry.stage !== 0 || !['100644', '100755'].includes(entry.mode)) return undefined
  const worktree = await readIfExists(join(root, APPROVALS_FILE))
  const content =
    worktree !== undefined && gitBlobId(worktree) === entry.object
      ? worktree
      : (await readListedPaths(root, entries, [APPROVALS_FILE], new Map())).get(APPROVALS_FILE)
  return content?.toString('utf8')
}

/**
 * Whether an approvals file may have an entry whose `file` is `path`. Conservative: YAML writes
 * a string as itself unless it escapes it (a double-quoted `\`), doubles a quote in it (single
 * quotes) or folds it across lines at a space; a file that names the path in a comment counts.
 */
const mayName = (approvals: string, path: string) =>
  approvals.includes(path) || approvals.includes('\\') || /[\s']/.test(path)

/**
 * The unapproved findings an edit of `proposed.path` (assigned `assigned` by `config`, the
 * working tree's) brings into the file, as the full path finds them, in its order; undefined
 * when this path cannot tell (see the head of this file). `readers`: the index's files whose
 * documents read the edited one.
 */
export async function reviewAlone(
  root: string,
  config: Config,
  assigned: Kind | 'detect',
  proposed: SourceFile,
  readers: () => Promise<ReadonlySet<string>>,
): Promise<Finding[] | undefined> {
  const {path} = proposed
  const {policy, settings} = config
  if (config.baseline !== undefined || policy.agents !== 'require-approval' || policy.failOn === 'never')
    return undefined
  if (posix.basename(path) === ATTRIBUTES_FILE || (await readers()).size > 0) return undefined
  const after = alone(await readDocuments(proposed, assigned, false, undefined, settings))
  if (after === undefined) return undefined

  let head: ReadResult
  try {
    head = await readRevisionFiles(root, {commit: 'HEAD'}, [path, CONFIG_FILE])
  } catch (error) {
    if (error instanceof GitError) return undefined // no commit yet
    throw error
  }
  if (head.skipped.some((s) => s.reason !== 'deleted')) return undefined
  const atHead = (file: string) => head.files.find((f) => f.path === file)
  const headConfig = atHead(CONFIG_FILE)?.content
  const [ownConfig, approvals] = await Promise.all([
    config.file === undefined ? undefined : readIfExists(join(root, CONFIG_FILE)),
    indexedApprovals(root),
  ])
  if ((headConfig === undefined) !== (ownConfig === undefined)) return undefined
  if (headConfig !== undefined && ownConfig !== undefined && !headConfig.equals(ownConfig)) return undefined
  if (approvals === undefined || (approvals !== null && mayName(approvals, path))) return undefined

  const headFile = atHead(path)
  const before = alone(
    headFile === undefined ? NOTHING : await readDocuments(headFile, assigned, false, undefined, settings),
  )
  if (before === undefined || [...before.keys()].some((key) => !after.has(key))) return undefined
  // A file that had no document, or gains one, may be where the index moved another's (the full
  // path follows a move, and fails closed when the moved one is no longer read).
  if (before.size === 0 || after.size > before.size) {
    const assign = assigner(config)
    const staged = await stagedChangedPaths(root)
    if (staged.some((other) => other !== path && assign(other) !== undefined)) return undefined
  }
  const context = {...settings, paths: () => listSourcePaths(root, {type: 'staged'})}
  const {findings} = await compareChanged(before, after, context)
  return gating(findings.sort(byGravity), 'widening', policy.agents)
}
