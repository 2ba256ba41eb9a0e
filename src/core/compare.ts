// The comparison of changed paths: each kind's adapter is asked about the paths whose document
// changed between two sets of documents. `check` runs it on the baseline and the target, the
// gate on two versions of the baseline snapshot, so both judge a change the same way.

import {adapterFor, type Comparison} from '../adapters/index.js'
import {canonicalJson, sha256} from '../kernel/hash.js'
import type {AdapterContext, Document, Finding, Kind, Witness} from '../kernel/types.js'

/**
 * Two versions of a document are the same when they have the same kind and the same content
 * hash, or the same value. A snapshot's documents carry a hash of their value computed on
 * reading, never the hash the file claims: an edited claim must not make a widened file pass
 * as unchanged.
 */
export function sameDocument(a: Document, b: Document): boolean {
  return a.kind === b.kind && (a.hash === b.hash || canonicalJson(a.value) === canonicalJson(b.value))
}

/**
 * Each value's access (adapter.ts, accessText) as the sha256 of its text, by kind: computed once
 * per parsed value, and held as long as the value. Only whether two are equal is asked, and the
 * text is as long as the document: an audit of 1,000 commits of 1,400 managed policies held 33 MiB
 * of them (heap profile at exit).
 */
const accessTexts = new Map<Kind, WeakMap<object, Promise<string | undefined>>>()

/** A value's access as a digest of its text; undefined for a kind without one (every value stands alone). */
export function accessTextOf(kind: Kind, value: unknown): Promise<string | undefined> | undefined {
  const adapter = adapterFor(kind)
  if (adapter.accessText === undefined || typeof value !== 'object' || value === null) return undefined
  let texts = accessTexts.get(kind)
  if (texts === undefined) accessTexts.set(kind, (texts = new WeakMap()))
  let text = texts.get(value)
  if (text === undefined)
    texts.set(
      value,
      (text = adapter.accessText(value).then((full) => (full === undefined ? undefined : sha256(full)))),
    )
  return text
}

/** Whether two documents grant the same by their kind's accessText: comparing them would find nothing. */
export async function sameAccessText(a: Document, b: Document): Promise<boolean> {
  if (a.kind !== b.kind) return false
  const [x, y] = [accessTextOf(a.kind, a.value), accessTextOf(b.kind, b.value)]
  const text = await x
  return text !== undefined && text === (await y)
}

/** Whether a kind's documents are compared each alone (its files refer to no other). */
export function comparedAlone(kind: Kind): boolean {
  const adapter = adapterFor(kind)
  return adapter.scope === 'file' && adapter.consults === undefined
}

/**
 * What the changed paths (documents' keys) widen and narrow. A path changed when its document
 * was added, removed, or differs in content or kind (a file that changed kind counts as removed
 * from one kind and added to the other). Paths in `skip` (unreadable on one side: an error, not a
 * removal or an addition) are not compared, though their kind's adapter still sees their documents.
 */
export async function compareChanged(
  baseline: Map<string, Document>,
  target: Map<string, Document>,
  context: AdapterContext,
  skip: ReadonlySet<string> = new Set(),
  progress?: (done: number, total: number, what: string) => void,
): Promise<Comparison> {
  const changedByKind = new Map<Kind, string[]>()
  const paths = [...new Set([...baseline.keys(), ...target.keys()])].filter((p) => !skip.has(p)).sort()
  for (const path of paths) {
    const before = baseline.get(path)
    const after = target.get(path)
    if (before && after && sameDocument(before, after)) continue
    for (const kind of new Set([before?.kind, after?.kind].filter((k): k is Kind => k !== undefined)))
      changedByKind.set(kind, [...(changedByKind.get(kind) ?? []), path])
  }
  const out: Comparison = {findings: [], notes: []}
  // Progress counts changed files: a kind of scope `file` names each before comparing it (a long
  // one stays on the line while it runs); a kind compared together is named, and counts on finishing.
  const total = [...changedByKind.values()].reduce((sum, changed) => sum + changed.length, 0)
  let done = 0
  const tell = (what: string) => progress?.(done, total, `files compared (${what})`)
  for (const [kind, changed] of changedByKind) {
    const first = done
    const comparing =
      progress &&
      ((path: string) => {
        tell(path)
        done++
      })
    if (adapterFor(kind).scope === 'kind') tell(kind)
    const result = await compareDocuments(kind, ofKind(baseline, kind), ofKind(target, kind), changed, {
      ...context,
      ...(comparing && {comparing}),
    })
    done = first + changed.length
    out.findings.push(...result.findings)
    out.notes.push(...result.notes)
  }
  if (total > 0) progress?.(total, total, 'files compared')
  return out
}

/** How many documents this process handed to a kind's comparison (a debug stat, for tests). */
export const compareCounts = {documents: 0}

/**
 * The kind's adapter asked what the `changed` keys widen and narrow: every comparison of
 * documents (a check's, `history`'s per commit, attribution's per commit) goes through here.
 */
export function compareDocuments(
  kind: Kind,
  baseline: Map<string, Document>,
  target: Map<string, Document>,
  changed: string[],
  context: AdapterContext,
): Promise<Comparison> {
  compareCounts.documents += changed.length
  return adapterFor(kind).compare(baseline, target, changed, context)
}

export function ofKind(documents: Map<string, Document>, kind: Kind): Map<string, Document> {
  return new Map([...documents].filter(([, d]) => d.kind === kind))
}

/** The parts of a finding that tell its witness: what another witness of the same access rewrites. */
export type Told = Pick<Finding, 'message'> & Partial<Pick<Finding, 'before' | 'diff' | 'baselineLocation'>>

/**
 * A finding as it reads for another witness of the same access (a witness beyond the approvals,
 * `history`'s asked request, attribution's other commits): restated by its kind where its findings
 * name the parts of each side that decide the witness (CODEOWNERS: the deciding rules, so its
 * "(before: …)"), given the kind's documents on each side; otherwise the message alone, described
 * for that witness.
 */
export async function toldFor(
  finding: Finding,
  witness: Witness,
  sides?: {baseline: Map<string, Document>; target: Map<string, Document>},
): Promise<Told> {
  // Findings with a witness are the adapters': their kind is a document kind.
  const adapter = adapterFor(finding.kind as Kind)
  const restated = sides === undefined ? undefined : await adapter.restate?.(finding, witness, sides)
  if (restated === undefined) return {message: await adapter.describe(finding, witness)}
  const {message, before, diff, baselineLocation} = restated
  return {message, before, diff, baselineLocation}
}
