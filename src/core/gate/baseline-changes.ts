// The baseline snapshot file between the reference and the target: an edit of it that lets in
// access the previous version did not is a widening of what passes (`baseline-widened`), one
// finding per widening with the access's own id, found by the same comparison as `check`.

import {adapterFor} from '../../adapters/index.js'
import {compareChanged} from '../compare.js'
import {findingKey} from '../embedded.js'
import {parseSnapshot} from '../snapshot.js'
import {InvalidInputError} from '../../kernel/errors.js'
import type {AdapterSettings, Document, Finding, InputProblem, Kind} from '../../kernel/types.js'
import type {Protected} from './protected.js'
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
  const newer = await heldIn(file, now)
  if (!(newer instanceof Map)) {
    errors.push(...newer)
    return []
  }
  const older = await heldIn(file, old)
  if (!(older instanceof Map))
    notes.push(`${file}: its previous version does not validate; compared as if it were empty`)
  const was = older instanceof Map ? older : new Map<string, Document>()
  // Blame asks every version; one that does not parse allows nothing.
  const documentsAt = (blob: string | null) =>
    versions.get(blob, 'snapshot', async (content) => {
      const held = await heldIn(file, content)
      return held instanceof Map ? held : undefined
    })
  const {found, notes: compared} = await baselineWidenings(was, newer, {path: file, documentsAt}, settings)
  notes.push(...compared)
  return found
}

/** The documents a version of the snapshot file holds, or the problems that make it invalid. */
async function heldIn(file: string, content: Buffer): Promise<Map<string, Document> | InputProblem[]> {
  try {
    return (await parseSnapshot(file, content)).held
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error
    return error.problems
  }
}
