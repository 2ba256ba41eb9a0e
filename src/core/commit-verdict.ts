// One check per commit. `git commit` runs pre-commit and then commit-msg, and both ran the whole
// staged check: commit-msg only to learn what the message adds, the actor evidence of its
// trailers. So a passing pre-commit remembers what its verdict was decided on, under a key of
// the content it read, and commit-msg passes at once when that content is unchanged and the
// message makes the pending commit's identity and actor no different; anything else runs the
// whole check again.
//
// What it trusts: the entry lives in the git directory, beside the hooks themselves, and anyone
// who can read .git can compute its key, so it is no secret and is not treated as one (an HMAC
// keyed by a file in .git, or in the user's home, would be readable by an agent running as the
// user just the same). What keeps it sound is when it is read: pre-commit never reads it and
// removes any entry before it checks (forgetPass), so the entry commit-msg finds was written by
// the pre-commit of this very commit, after its check passed; and a merge, which runs commit-msg
// but no pre-commit (githooks: `git merge` runs pre-merge-commit), never reuses one. Forging one
// then takes running code between git's pre-commit and commit-msg (an editor or a hook of its
// own), or skipping pre-commit alone through a hook manager (SKIP=…): code that could as well
// delete the hooks, and commands the agent hook refuses, as it refuses agents' writes under
// .git/ (core/agent/hook.ts). The audit, which never reads the entry, is what catches those.

import {existsSync} from 'node:fs'
import {readFile, rm, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {dotGitDir} from '../git/dot-git.js'
import {findRepoRoot, gitDir, headCommit, indexTree, oneRun} from '../git/index.js'
import {writeFileAtomic} from '../kernel/atomic.js'
import {canonicalJson, sha256, valueHash} from '../kernel/hash.js'
import {toolVersion} from '../kernel/version.js'
import type {ActorConfig} from './actors/classify.js'
import {pendingActor} from './actors/pending.js'
import {CONFIG_FILE} from './config-file.js'
import {pendingMessage} from './message.js'

const ENTRY_FILE = join('acldrift', 'pre-commit-verdict.json')

/** What a passing pre-commit check remembers. */
interface Entry {
  /** the digest of everything the verdict was read from (stateKey) */
  key: string
  /** the baseline snapshot file the config named, absolute (undefined: the baseline is HEAD) */
  baselineFile: string | undefined
  /** how the key holds the snapshot file: by its stat data (settled) or by its bytes' digest */
  baselineBy: BaselineBy
  /** the config's actor catalogue, to classify the pending commit again with its message */
  actors: ActorConfig | undefined
  /** who the check took the pending commit to be made by, and as which actor */
  judged: string
}

/** The pending commit's people (names and emails, not git's clock) and actor, in one comparable string. */
async function judgedAs(root: string, actors: ActorConfig | undefined, message?: string): Promise<string> {
  const {identity, actor} = await pendingActor(root, {env: process.env, actors, message})
  const person = ({name, email}: {name: string; email: string}) => ({name, email})
  return canonicalJson({author: person(identity.author), committer: person(identity.committer), actor})
}

const contentDigest = (file: string) =>
  readFile(file).then(
    (bytes) => sha256(bytes),
    () => 'absent',
  )

type BaselineBy = 'stat' | 'content'

/**
 * How long a file must have been left alone for its stat data to stand for its bytes. Git's own
 * rule (Documentation/technical/racy-git.txt): a file changed within one timestamp tick of when
 * its stat data was recorded can change again with the same stat data, so git compares its
 * content. 2 s covers the coarsest file systems (1 s, FAT's 2 s); ctime cannot be set back by
 * `touch`, so an edit after the pass is another ctime.
 */
const SETTLED_MS = 2000

/**
 * The snapshot file as the key holds it. The hook reads it from the working tree (snapshot.ts),
 * so a change there, staged or not, must change the key; its 17 MB at 20,000 files are not hashed
 * for that: a settled file is held by its stat data (device, inode, size, mtime and ctime, in
 * ns), as git's index holds a clean file. `by` undefined: pre-commit's choice (stat data when the
 * file is settled); commit-msg holds it as pre-commit did.
 */
async function baselineState(
  file: string,
  by: BaselineBy | undefined,
): Promise<{by: BaselineBy; state: string}> {
  if (by !== 'content') {
    const info = await stat(file, {bigint: true}).catch(() => undefined)
    const settled = info !== undefined && info.ctimeMs < BigInt(Date.now() - SETTLED_MS) && info.isFile()
    if (by === 'stat' || settled)
      return {
        by: 'stat',
        state:
          info === undefined
            ? 'absent'
            : [info.dev, info.ino, info.size, info.mtimeNs, info.ctimeNs].join(':'),
      }
  }
  return {by: 'content', state: await contentDigest(file)}
}

/**
 * The digest of what a staged check reads besides the pending commit's actor: the index (as the
 * tree it would commit), HEAD (the gate's reference and the history blamed), the config and the
 * baseline snapshot file (read from the working tree), acldrift's version, and the day (approvals
 * expire by it). Undefined when the index has no single tree (unmerged paths).
 */
async function stateKey(
  root: string,
  baselineFile: string | undefined,
  known: {head?: string | null; baselineBy?: BaselineBy},
): Promise<{key: string; baselineBy: BaselineBy} | undefined> {
  const [tree, head, config, baseline] = await Promise.all([
    indexTree(root).catch(() => undefined),
    known.head === undefined ? headCommit(root) : known.head,
    contentDigest(join(root, CONFIG_FILE)),
    baselineFile === undefined
      ? {by: 'content' as const, state: 'HEAD'}
      : baselineState(baselineFile, known.baselineBy),
  ])
  if (tree === undefined) return undefined
  const day = new Date().toISOString().slice(0, 10)
  const key = valueHash({
    version: toolVersion(),
    tree,
    head,
    config,
    baselineFile: baselineFile ?? null,
    baselineBy: baseline.by,
    baseline: baseline.state,
    day,
  })
  return {key, baselineBy: baseline.by}
}

/**
 * pre-commit's side, after its check passed: the entry to remember. `head`: the commit the check
 * compared the index with; `baselineFile`: the snapshot file the config names (undefined: HEAD).
 */
export async function pendingVerdict(
  root: string,
  checked: {head: string | null; baselineFile: string | undefined; actors: ActorConfig | undefined},
): Promise<Entry | undefined> {
  const {head, baselineFile, actors} = checked
  const [state, judged] = await Promise.all([stateKey(root, baselineFile, {head}), judgedAs(root, actors)])
  return state === undefined ? undefined : {...state, baselineFile, actors, judged}
}

/** The git directory, from `.git` without a git process where it names one, else as git says. */
const gitDirectory = async (root: string) => (await dotGitDir(root)) ?? (await gitDir(root))

const entryFile = async (root: string) => join(await gitDirectory(root), ENTRY_FILE)

/**
 * pre-commit's side, before its check: drops any entry, so that commit-msg never reuses one that
 * this commit's pre-commit did not write (one it could not write, with a revision baseline, or
 * one written by anyone else). A failure to remove it fails the check (an error, exit 2).
 */
export async function forgetPass(root: string): Promise<void> {
  await rm(await entryFile(root), {force: true})
}

/** Remembers a passing pre-commit check, atomically (a reader sees the old entry or the new). */
export async function rememberPass(root: string, entry: Entry): Promise<void> {
  await writeFileAtomic(await entryFile(root), `${JSON.stringify(entry)}\n`)
}

/**
 * commit-msg's side: whether pre-commit passed this very content, and the message leaves the
 * pending commit's identity and actor as pre-commit judged them. False whenever in doubt.
 */
export async function passedWithMessage(root: string, message: string): Promise<boolean> {
  const dir = await gitDirectory(root)
  // A merge's commit-msg follows no pre-commit (githooks(5), https://git-scm.com/docs/githooks:
  // commit-msg "is invoked by git commit and git merge"; git merge runs pre-merge-commit instead):
  // nothing checked this content for the entry to stand for. (A conflicted merge concluded by
  // `git commit` runs pre-commit, and is checked again here: only time lost.)
  if (existsSync(join(dir, 'MERGE_HEAD'))) return false
  let entry: Entry
  try {
    entry = JSON.parse(await readFile(join(dir, ENTRY_FILE), 'utf8')) as Entry
  } catch {
    return false
  }
  if (typeof entry?.key !== 'string' || typeof entry.judged !== 'string') return false
  const baselineBy = entry.baselineBy === 'stat' ? 'stat' : 'content'
  const [state, judged] = await Promise.all([
    stateKey(root, typeof entry.baselineFile === 'string' ? entry.baselineFile : undefined, {baselineBy}),
    judgedAs(root, entry.actors, message),
  ])
  return state?.key === entry.key && judged === entry.judged
}

/**
 * passedWithMessage for the commit-msg hook run in `cwd` with git's message file `file`, in one
 * run of its own (git/scope.ts: the top directory and HEAD from one rev-parse). For a process
 * that does nothing else meanwhile (the hook bundle's entry, cli/hook-message.ts).
 */
export async function passedWithMessageFile(cwd: string, file: string): Promise<boolean> {
  const message = pendingMessage(await readFile(file, 'utf8'))
  return oneRun(async () => passedWithMessage(await findRepoRoot(cwd), message), {wholeProcess: true})
}
