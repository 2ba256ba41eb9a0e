// Every commit of the range that added access a finding is about and that the target still has.
//
// Semantic blame names one commit per finding: the one after which the finding's witness holds.
// A statement widened by several commits (one adds s3:GetObject, a later one s3:PutObject) was
// widened by each of them. Here each file's first-parent chain is walked once: every commit that
// changed one of the findings' documents is compared with its parent, and each request it added
// is kept when the target still allows it and the version before the range did not. It is
// listed under the finding whose statement (Role, binding…) grants it at the target.

import {adapterFor} from '../../adapters/index.js'
import type {History} from '../../git/index.js'
import type {AdapterSettings, Document, Finding, Kind, Witness} from '../../kernel/types.js'
import type {BlamedCommit} from '../commits.js'
import {compareDocuments, sameDocument} from '../compare.js'
import {findingKey} from '../embedded.js'
import {escapePointerToken, pointerTokens} from '../../kernel/parse.js'
import {readDocuments} from '../source.js'
import {semanticBlame, type WalkOf} from './blame.js'

export interface AddedBy extends BlamedCommit {
  witness: Witness
}

interface ContributionOptions {
  history: History
  head: string
  /** the findings to list commits for (widenings with a witness, of kinds whose files stand alone), by file */
  byFile: Map<string, Finding[]>
  walksOf: (file: string) => WalkOf
  /** the versions of each file blame may ask about (along merged branches too), by blob id */
  versions: ReadonlyMap<string, ReadonlySet<string>>
  /** every version's content blame read, by blob id */
  contents: ReadonlyMap<string, Buffer>
  /** the target's documents, by key */
  target: ReadonlyMap<string, Document>
  settings: AdapterSettings
}

/** Per finding: the commits (with a request each added) whose access is still present at the target, oldest first. */
export async function addedAccess(options: ContributionOptions): Promise<Map<Finding, AddedBy[]>> {
  const {history, head, settings} = options
  const out = new Map<Finding, AddedBy[]>()
  for (const [file, findings] of options.byFile) {
    const kind = findings[0]!.kind as Kind
    const adapter = adapterFor(kind)
    const walks = options.walksOf(file)
    const walk = walks(history, head, file)
    // The range never changes the file: nothing in it was added by a commit of the range.
    if (walk.before === undefined) continue
    const keys = new Set(findings.map(findingKey))
    const container = findings.some((f) => f.document !== undefined)
    // Each version's documents of the findings' keys, read once (under the target's path: a moved
    // file's versions keep their keys).
    const read = new Map<string | null, Map<string, Document>>()
    const documentsOf = async (blob: string | null) => {
      let documents = read.get(blob)
      if (documents === undefined) {
        const content = blob === null ? undefined : options.contents.get(blob)
        const all =
          content === undefined
            ? []
            : (
                await readDocuments(
                  {path: file, content},
                  container ? 'detect' : kind,
                  false,
                  undefined,
                  settings,
                )
              ).documents
        documents = new Map(all.filter((d) => keys.has(d.path)).map((d) => [d.path, d]))
        read.set(blob, documents)
      }
      return documents
    }
    const allows = async (blob: string | null, key: string, witness: Witness) => {
      const document = (await documentsOf(blob)).get(key)
      return document === undefined
        ? ((await adapter.absentAllows?.(witness, key, new Map())) ?? false)
        : adapter.allows(document.value, witness, key, new Map(), settings)
    }
    const beforeRange = walk.before.blob
    // The first-parent chain, newest first: each state's parent version is the next one's.
    const states = [...walk.states()]
    // One commit of the chain changed the file: blame named it, and there is no other to list.
    const touched = states.filter((state) => state.touched)
    if (touched.length === 1 && history.commits.get(touched[0]!.sha)!.parents.length === 1) continue
    const added = new Map<Finding, AddedBy[]>()
    for (const [i, state] of states.entries()) {
      if (!state.touched) continue
      const parent = i + 1 < states.length ? states[i + 1]!.blob : beforeRange
      const [before, after] = [await documentsOf(parent), await documentsOf(state.blob)]
      const merged = history.commits.get(state.sha)!.parents.length > 1
      for (const key of keys) {
        const [was, now] = [before.get(key), after.get(key)]
        const at = options.target.get(key)
        if (now === undefined || (was !== undefined && sameDocument(was, now)) || at === undefined) continue
        const compared = await compareDocuments(
          kind,
          new Map(was === undefined ? [] : [[key, was]]),
          new Map([[key, now]]),
          [key],
          settings,
        )
        // A request the commit added that the target still allows and the range's start did not.
        const present = async (witness: Witness, checked: boolean) =>
          (adapter.namesRequest?.(witness) ?? true) &&
          (checked || ((await allows(state.blob, key, witness)) && !(await allows(parent, key, witness)))) &&
          (await adapter.allows(at.value, witness, key, new Map(), settings)) &&
          !(await allows(beforeRange, key, witness))
        for (const first of compared.findings) {
          const witness = await presentRequest(first, now, was, present, adapter, settings)
          if (witness === undefined) continue
          const owners = await grantedBy(
            findings.filter((f) => findingKey(f) === key),
            at,
            witness,
            kind,
            settings,
          )
          if (owners.length === 0) continue
          // A merge's change came from its branch: the commit there that made the request hold.
          let by: BlamedCommit = {sha: state.sha}
          if (merged) {
            const answers = new Map<string | null, boolean>()
            for (const blob of [null, ...(options.versions.get(file) ?? [])])
              answers.set(blob, await allows(blob, key, witness))
            const blamed = semanticBlame(
              history,
              state.sha,
              state.path,
              (blob) => answers.get(blob) ?? false,
              walks,
            )
            if (blamed.sha === null) continue
            by = {
              sha: blamed.sha,
              mergedBy: blamed.mergedBy ?? (blamed.sha === state.sha ? undefined : state.sha),
            }
          }
          for (const owner of owners) {
            const list = added.get(owner) ?? []
            if (!list.some((entry) => entry.sha === by.sha)) list.push({...by, witness})
            added.set(owner, list)
          }
        }
      }
    }
    // Walked newest first: listed oldest first.
    for (const [finding, list] of added) out.set(finding, list.reverse())
  }
  return out
}

/**
 * A request the commit's change `found` (its version `now` against the parent's `was`) added that
 * `present` accepts. The comparison names one request per statement, rule or binding; when that
 * one was taken back later (or held before the range) while another the same change added stayed,
 * the commit still widened what the target has. So, while the request named does not count, a
 * list item of the finding's part that grants it (an action, a resource, a verb) is taken out of
 * the commit's version and the comparison asked again, until it names a request that counts or
 * names none. Taking items out can widen (a `NotAction` entry), so a request found that way counts
 * only if the commit's real version allows it and its parent did not.
 */
async function presentRequest(
  found: Finding,
  now: Document,
  was: Document | undefined,
  present: (witness: Witness, checked: boolean) => Promise<boolean>,
  adapter: ReturnType<typeof adapterFor>,
  settings: AdapterSettings,
): Promise<Witness | undefined> {
  let finding: Finding | undefined = found
  let value = now.value
  while (finding !== undefined && finding.change !== 'narrowing' && finding.witness !== null) {
    const witness = finding.witness
    if (await present(witness, value === now.value)) return witness
    const pointer = innerPointer(finding.pointer, now)
    const fewer =
      pointer === null
        ? undefined
        : await withoutGrantOf(value, pointer, witness, now.path, adapter, settings)
    if (fewer === undefined) return undefined
    value = fewer
    const compared = await compareDocuments(
      now.kind,
      new Map(was === undefined ? [] : [[now.path, was]]),
      new Map([[now.path, {...now, value}]]),
      [now.path],
      settings,
    )
    finding = compared.findings.find((f) => f.pointer === found.pointer && f.change !== 'narrowing')
  }
  return undefined
}

/**
 * `value` without the first list item under `pointer` (at any depth, in a list of more than one)
 * whose removal alone stops it allowing `witness`; undefined when there is none.
 */
async function withoutGrantOf(
  value: unknown,
  pointer: string,
  witness: Witness,
  path: string,
  adapter: ReturnType<typeof adapterFor>,
  settings: AdapterSettings,
): Promise<unknown> {
  for (const item of listItems(pointedAt(value, pointerTokens(pointer)), pointer)) {
    const fewer = removed(value, item)
    if (fewer !== undefined && !(await adapter.allows(fewer, witness, path, new Map(), settings)))
      return fewer
  }
  return undefined
}

/** The pointers of the items of every list of more than one item in `value` (at `pointer`). */
function listItems(value: unknown, pointer: string): string[] {
  if (typeof value !== 'object' || value === null) return []
  const entries = Array.isArray(value)
    ? value.map((item, i) => [String(i), item] as const)
    : Object.entries(value)
  return entries.flatMap(([name, item]) => {
    const at = `${pointer}/${escapePointerToken(name)}`
    return [...(Array.isArray(value) && value.length > 1 ? [at] : []), ...listItems(item, at)]
  })
}

function pointedAt(value: unknown, tokens: string[]): unknown {
  let at = value
  for (const token of tokens) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, token)) return undefined
    at = (at as Record<string, unknown>)[token]
  }
  return at
}

/**
 * The findings whose part of the target grants `witness`: without that part (the statement, rule
 * or binding at the finding's pointer), the target no longer allows it. When no single part does
 * (two new statements both grant it), the document's only finding, if it has one.
 */
async function grantedBy(
  findings: Finding[],
  target: Document,
  witness: Witness,
  kind: Kind,
  settings: AdapterSettings,
): Promise<Finding[]> {
  const adapter = adapterFor(kind)
  const owners: Finding[] = []
  for (const finding of findings) {
    const pointer = innerPointer(finding.pointer, target)
    if (pointer === null) continue
    const without = removed(target.value, pointer)
    if (without === undefined) continue
    if (!(await adapter.allows(without, witness, target.path, new Map(), settings))) owners.push(finding)
  }
  return owners.length > 0 || findings.length !== 1 ? owners : findings
}

/** A finding's pointer inside its document (a container's document's pointers start with where it sits). */
function innerPointer(pointer: string | null, document: Document): string | null {
  if (pointer === null) return null
  const prefix = document.origin?.pointer ?? ''
  return pointer.startsWith(prefix) ? pointer.slice(prefix.length) : null
}

/** `value` without what `pointer` (RFC 6901) names, or undefined when it names nothing or the whole value. */
function removed(value: unknown, pointer: string): unknown {
  const tokens = pointerTokens(pointer)
  return tokens.length === 0 ? undefined : without(value, tokens)
}

function without(value: unknown, [name, ...rest]: string[]): unknown {
  if (Array.isArray(value)) {
    const index = Number(name)
    if (!Number.isInteger(index) || index < 0 || index >= value.length) return undefined
    if (rest.length === 0) return value.filter((_, i) => i !== index)
    const inner = without(value[index], rest)
    return inner === undefined ? undefined : value.map((item, i) => (i === index ? inner : item))
  }
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, name!)) return undefined
  const object = value as Record<string, unknown>
  if (rest.length === 0) return Object.fromEntries(Object.entries(object).filter(([key]) => key !== name))
  const inner = without(object[name!], rest)
  return inner === undefined ? undefined : {...object, [name!]: inner}
}
