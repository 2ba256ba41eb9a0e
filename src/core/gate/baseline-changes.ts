// The baseline snapshot file between the reference and the target: an edit of it that lets in
// access the previous version did not is a widening of what passes (`baseline-widened`), one
// finding per widening with the access's own id, found by the same comparison as `check`; an
// edit of only the commit it says it was taken at is `baseline-moved`; a snapshot no listed
// approver ever committed is `baseline-unapproved`; a snapshot kept outside the repository that
// was read under a config other than its commit's is `baseline-config-mismatch`.

import {adapterFor} from '../../adapters/index.js'
import {compareChanged} from '../compare.js'
import {DEFAULT_CONFIG} from '../config.js'
import {findingKey} from '../embedded.js'
import {type ParsedSnapshot, parseSnapshot} from '../snapshot.js'
import {readingDigest} from '../source.js'
import {InvalidInputError} from '../../kernel/errors.js'
import type {AdapterSettings, Document, Finding, InputProblem, Kind} from '../../kernel/types.js'
import {configVersionAt} from './config-changes.js'
import type {GateInput} from './input.js'
import {readingConfig} from './reference.js'
import {lineOf, type Protected, protectedFinding} from './protected.js'
import type {VersionCache} from './versions.js'

/** The snapshot file the documents come from: any version's documents, for blame. */
export interface SnapshotFile {
  path: string
  /** the documents any version of the file holds (semantic blame asks each); undefined where it does not parse */
  documentsAt(blob: string | null): Promise<Map<string, Document> | undefined>
}

/**
 * New access between two versions' documents, as the snapshot container format holds them
 * (keyed `FILE#NAME`, with lines in the snapshot file): each widening the adapters find, as a
 * finding about the snapshot file with the access's own id, and how to ask any version of the
 * file whether it still allows the witness.
 */
export async function baselineWidenings(
  was: Map<string, Document>,
  is: Map<string, Document>,
  snapshot: SnapshotFile,
  settings: AdapterSettings,
): Promise<{found: Protected[]; notes: string[]}> {
  const file = snapshot.path
  const result = await compareChanged(was, is, settings)
  const found: Protected[] = []
  for (const inner of result.findings) {
    if (inner.change === 'narrowing' || inner.witness === null) continue
    // The adapters' findings are of a document kind.
    const kind = inner.kind as Kind
    const key = findingKey(inner)
    const finding: Finding = {
      ...inner,
      rule: 'baseline-widened',
      message: `The baseline snapshot now accepts access it did not (${inner.rule} in ${inner.document}): ${inner.message}`,
      commit: null,
      approval: null,
    }
    // The statement it exceeds is in the previous version of the snapshot, which has no file of its own.
    delete finding.baselineLocation
    const witness = inner.witness
    found.push({
      finding,
      path: file,
      holds: async (blob) => {
        const docs = await snapshot.documentsAt(blob)
        const doc = docs?.get(key)
        if (doc === undefined || doc.kind !== kind) return false
        const others = new Map(
          [...docs!].filter(([p, d]) => d.kind === kind && p !== key).map(([p, d]) => [p, d.value]),
        )
        return adapterFor(kind).allows(doc.value, witness, key, others, settings)
      },
    })
  }
  return {found, notes: result.notes.map((note) => `${file}: ${note}`)}
}

/**
 * The baseline snapshot's two versions read, then compared by baselineWidenings. A target
 * version that does not validate fails closed; a reference version that does not is compared
 * as if it were empty.
 */
export async function baselineChanges(
  file: string,
  before: Map<string, Buffer>,
  after: Map<string, Buffer>,
  versions: VersionCache,
  errors: InputProblem[],
  notes: string[],
  settings: AdapterSettings,
): Promise<Protected[]> {
  const old = before.get(file)
  const now = after.get(file)
  if (old === undefined || now === undefined || old.equals(now)) {
    if (old === undefined && now !== undefined) notes.push(`${file}: the baseline snapshot is new`)
    return []
  }
  const newer = await readVersion(file, now)
  if (!('held' in newer)) {
    errors.push(...newer)
    return []
  }
  const older = await readVersion(file, old)
  if (!('held' in older))
    notes.push(`${file}: its previous version does not validate; compared as if it were empty`)
  const was = 'held' in older ? older.held : new Map<string, Document>()
  // Blame asks every version; one that does not parse allows nothing.
  const versionAt = (blob: string | null) =>
    versions.get(blob, 'snapshot', async (content) => {
      const read = await readVersion(file, content)
      return 'held' in read ? read : undefined
    })
  const documentsAt = async (blob: string | null) => (await versionAt(blob))?.held
  const {found, notes: compared} = await baselineWidenings(
    was,
    newer.held,
    {path: file, documentsAt},
    settings,
  )
  notes.push(...compared)
  // A re-snapshot moves the claim with the documents; a claim moved alone is an edit of the claim.
  const declared = newer.snapshot.source.commit
  if ('held' in older && older.snapshot.source.commit !== declared && sameHeld(older.held, newer.held))
    found.push({
      finding: protectedFinding({
        file,
        rule: 'baseline-moved',
        severity: 'medium',
        message: `The baseline snapshot now says it was taken at ${short(declared)}, not ${short(older.snapshot.source.commit)}: history is read from the commit git says, and the snapshot's claim changed without an approver`,
        witness: {declaredCommit: declared},
        pointer: '/source/commit',
        line: lineOf(newer.sourceMap, '/source/commit'),
        before: older.snapshot.source.commit,
        after: declared,
      }),
      path: file,
      holds: async (blob) => (await versionAt(blob))?.snapshot.source.commit === declared,
    })
  return found
}

const sameHeld = (a: Map<string, Document>, b: Map<string, Document>) =>
  a.size === b.size && [...a].every(([key, doc]) => b.get(key)?.hash === doc.hash)

const short = (commit: string | null) => (commit === null ? 'no commit' : commit.slice(0, 7))

/** A version of the snapshot file, read, or the problems that make it invalid. */
async function readVersion(file: string, content: Buffer): Promise<ParsedSnapshot | InputProblem[]> {
  try {
    return await parseSnapshot(file, content)
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    return error.problems
  }
}

/**
 * A baseline snapshot file in the repository that no listed approver ever committed
 * (reference.ts): blamed on the commit that added it, which chose what the baseline accepts.
 */
export function baselineUnapproved(path: string): Protected {
  const finding = protectedFinding({
    file: path,
    rule: 'baseline-unapproved',
    severity: 'high',
    message: `${path}: no version of this baseline was committed by a listed approver, so the access it accepts was never approved. Take it again (\`acldrift snapshot --output ${path}\`) and commit it as an approver, or approve this finding.`,
    witness: {baseline: path, approvedVersion: null},
    pointer: null,
    line: null,
    before: null,
    after: path,
  })
  return {finding, path, holds: async (blob) => blob !== null}
}

/**
 * A baseline snapshot kept outside the repository has no history: nothing says who took it, or
 * under which config. Its documents stand for what its commit (`source.commit`) granted only when
 * they were read as that commit's config reads files: its `documents` and `exclude` globs and the
 * kinds' settings, the part of the config the snapshot records a digest of (`files.config`).
 * Read under another config (an uncommitted one that stopped excluding a file, say), it accepts
 * access the approved state never checked, and a rename of that file into a checked path carries
 * the access in unreported. So a snapshot that recorded another config is a finding
 * (`baseline-config-mismatch`), with no commit: no commit made it. The policy part (failOn,
 * approvers) is not compared: the snapshot's documents do not depend on it, and the target's
 * policy is judged against the reference's config as always.
 */
export async function outsideSnapshotConfig(
  input: Pick<GateInput, 'root' | 'cwd' | 'baseline' | 'config' | 'target'>,
  configPath: string | undefined,
  notes: string[],
): Promise<Finding[]> {
  const {commit, readWith} = input.baseline
  const named = input.baseline.flag ?? input.config.baseline ?? 'the baseline snapshot'
  // A snapshot that records no digest (an older acldrift's, or one whose `files` was stripped)
  // cannot be compared with any config: it is not trusted as read under its commit's.
  if (readWith === undefined)
    return [
      configMismatch(
        named,
        commit,
        null,
        null,
        commit === null
          ? `${named} records neither its commit (source.commit) nor a config digest (files.config), so what it was read under cannot be verified, and it may accept access the approved config never checked. Take it again with this version of acldrift (\`acldrift snapshot --output ${named}\`), or approve this finding.`
          : `${named} records no config digest (files.config), so whether it was read under the config of ${commit.slice(0, 7)} cannot be verified, and it may accept access that config never checked. Take it again with this version of acldrift (with ${commit.slice(0, 7)} checked out, \`acldrift snapshot --output ${named}\`), or approve this finding.`,
      ),
    ]
  // Without a commit (source.commit null: taken before the first commit, or stripped) there is no
  // version of the config to look up: it must have been read under the approved one, the config
  // the target is judged by (readingConfig: the last an approver committed, else the target's).
  if (commit === null) {
    const expected = readingDigest(await readingConfig(input, input.target.commit))
    if (expected === readWith) return []
    return [
      configMismatch(
        named,
        null,
        readWith,
        expected,
        `${named} names no commit (source.commit), and was read under a config other than the approved one (its documents, exclude or kind settings differ), so it may accept access that was never checked. Take it again under the approved config (\`acldrift snapshot --output ${named}\`), or approve this finding.`,
      ),
    ]
  }
  const at = commit.slice(0, 7)
  // A config outside the repository (`--config`) has no version at the commit: the one given is compared.
  const version =
    configPath === undefined
      ? ({status: 'ok', config: input.config} as const)
      : await configVersionAt(input.root, configPath, commit)
  if (version.status === 'invalid') {
    notes.push(
      `${named}: ${configPath} at ${at} does not validate: the config the snapshot was read under cannot be compared with it`,
    )
    return []
  }
  // A commit without a config reads with the defaults.
  const expected = readingDigest(version.status === 'ok' ? version.config : DEFAULT_CONFIG)
  if (expected === readWith) return []
  const which =
    configPath === undefined
      ? 'the config given'
      : version.status === 'ok'
        ? `the config of ${at}`
        : `the default config (${at} has no ${configPath})`
  return [
    configMismatch(
      named,
      commit,
      readWith,
      expected,
      `${named} was read under a config other than ${which} (its documents, exclude or kind settings differ), so it may accept access that was never checked. Take it again under that config (with ${at} checked out, \`acldrift snapshot --output ${named}\`), or approve this finding.`,
    ),
  ]
}

/** `baseline-config-mismatch`: `readWith` the digest the snapshot records (null: none), `expected` its commit's (null: not compared). */
const configMismatch = (
  named: string,
  commit: string | null,
  readWith: string | null,
  expected: string | null,
  message: string,
): Finding =>
  protectedFinding({
    file: named,
    rule: 'baseline-config-mismatch',
    severity: 'high',
    message,
    witness: {baseline: named, commit, readWith, expected},
    pointer: '/files/config',
    line: null,
    before: expected,
    after: readWith,
  })
