// Every commit of the range that added access a finding is about and that the target still has.
//
// Semantic blame names one commit per finding: the one after which the finding's witness holds.
// A statement widened by several commits (one adds s3:GetObject, a later one s3:PutObject) was
// widened by each of them. Here each group's first-parent chain is walked once: every commit that
// changed it is compared with its parent, and each request it added is kept when the target still
// allows it and the version before the range did not. It is listed under the finding whose
// statement (Role, binding…) grants it at the target. A group is one file; the files of a
// Terraform module, whose documents are written across them; or every file of a kind whose files
// refer to each other (a Role's rules widen only the subjects its bindings in other files name),
// with the containers rendering documents of the kind (a kustomize overlay, a Helm chart),
// compared whole at each commit that changed any of them. A commit that deleted a document (a
// file of Deny statements, a policy taken out of a template) is compared with its parent too: what
// it added is what the kind allows in the document's absence (adapter.absentAllows).

import {adapterFor} from '../../adapters/index.js'
import type {History} from '../../git/index.js'
import type {AdapterContext, AdapterSettings, Document, Finding, Kind, Witness} from '../../kernel/types.js'
import type {BlamedCommit} from '../commits.js'
import {compareDocuments, sameAccessText, sameDocument} from '../compare.js'
import {findingKey} from '../embedded.js'
import {escapePointerToken, pointerTokens} from '../../kernel/parse.js'
import {semanticBlame, type WalkOf} from './blame.js'

export interface AddedBy extends BlamedCommit {
  witness: Witness
}

/** Versions of a file or group of files, and how each version's documents are read. */
export interface Versions {
  /** the walk's path (a group of files: its first) and its walk */
  path: string
  walks: WalkOf
  /** the versions blame may ask about (along merged branches too) */
  versions: ReadonlySet<string>
  /** the documents in a version (null: none), by key: read once per version */
  documents: (version: string | null) => Promise<Map<string, Document>>
}

/** Findings whose versions are walked together. */
export interface Group extends Versions {
  kind: Kind
  /** the findings to list commits for (widenings with a witness) */
  findings: Finding[]
  /** whether the kind reads its documents together: each is asked with the others of its version */
  together: boolean
}

interface ContributionOptions {
  history: History
  head: string
  groups: Group[]
  /** the target's documents, by key */
  target: ReadonlyMap<string, Document>
  settings: AdapterSettings
  /**
   * Every path of a commit's tree, read on first call: a commit's comparison is given its own
   * (AdapterContext.paths), so that a witness naming a file (CODEOWNERS) names one of that commit.
   */
  pathsAt?: (commit: string) => Promise<readonly string[]>
}

/** Per finding: the commits (with a request each added) whose access is still present at the target, oldest first. */
export async function addedAccess(options: ContributionOptions): Promise<Map<Finding, AddedBy[]>> {
  const {history, head, settings} = options
  const out = new Map<Finding, AddedBy[]>()
  for (const group of options.groups) {
    const {findings, kind, walks, together} = group
    const adapter = adapterFor(kind)
    const walk = walks(history, head, group.path)
    // The range never changes the group: nothing in it was added by a commit of the range.
    if (walk.before === undefined) continue
    const keys = new Set(findings.map(findingKey))
    const target = new Map(
      [...options.target].filter(([key, d]) => (together ? d.kind === kind : keys.has(key))),
    )
    // Whether the documents of a version allow `witness` of the one at `key` (given its value).
    const allowsIn = (documents: Map<string, Document>, key: string, witness: Witness, value?: unknown) =>
      allowsAmong(kind, documents, key, witness, {settings, together, value})
    const allows = async (version: string | null, key: string, witness: Witness) =>
      allowsIn(await group.documents(version), key, witness)
    const beforeRange = walk.before.blob
    // The first-parent chain, newest first: each state's parent version is the next one's.
    const states = [...walk.states()]
    // One commit of the chain changed the group: blame named it, and there is no other to list.
    const touched = states.filter((state) => state.touched)
    if (touched.length === 1 && history.commits.get(touched[0]!.sha)!.parents.length === 1) continue
    const added = new Map<Finding, AddedBy[]>()
    for (const [i, state] of states.entries()) {
      if (!state.touched) continue
      const {pathsAt} = options
      const context: AdapterContext = pathsAt ? {...settings, paths: () => pathsAt(state.sha)} : settings
      const parent = i + 1 < states.length ? states[i + 1]!.blob : beforeRange
      const [before, after] = [await group.documents(parent), await group.documents(state.blob)]
      const merged = history.commits.get(state.sha)!.parents.length > 1
      // What the commit changed: a kind read together is compared whole, a file's documents one by
      // one. A document whose access it left as it was (a renamed IAM statement) changed nothing;
      // that is asked first, as each value's text is kept, and each value is a side twice.
      const changed: string[] = []
      for (const key of new Set([...before.keys(), ...after.keys()])) {
        if (!(together || keys.has(key))) continue
        const [was, now] = [before.get(key), after.get(key)]
        const same =
          was !== undefined &&
          now !== undefined &&
          ((await sameAccessText(was, now)) || sameDocument(was, now))
        if (!same) changed.push(key)
      }
      const sides = (key: string) =>
        together
          ? {was: before, changed}
          : {was: new Map(before.has(key) ? [[key, before.get(key)!]] : []), changed: [key]}
      // The commit's version of the document at `key` (undefined: the commit deleted its file).
      const compare = async (key: string, now: Document | undefined) => {
        const {was, changed: asked} = sides(key)
        const is = new Map(together ? after : [])
        if (now === undefined) is.delete(key)
        else is.set(key, now)
        return (await compareDocuments(kind, was, is, asked, context)).findings
      }
      const found = together
        ? (await compareDocuments(kind, before, after, changed, context)).findings
        : (await Promise.all(changed.map((key) => compare(key, after.get(key))))).flat()
      for (const first of found) {
        const key = findingKey(first)
        const now = after.get(key)
        // A document the commit deleted widens only what its kind reads of its absence (a file of
        // Deny statements: adapter.absentAllows); a kind read together tells that of another file.
        if (now === undefined && together) continue
        // A request the commit added that the target still allows and the range's start did not.
        const present = async (witness: Witness, checked: boolean) =>
          (adapter.namesRequest?.(witness) ?? true) &&
          (checked || ((await allowsIn(after, key, witness)) && !(await allowsIn(before, key, witness)))) &&
          (await allowsIn(target, key, witness)) &&
          !(await allows(beforeRange, key, witness))
        // A deleted document has no list item to take out: the comparison's request or none.
        const witness =
          now === undefined
            ? await deletedRequest(first, present)
            : await presentRequest(first, now, present, {
                compare: (value) => compare(key, {...now, value}),
                allows: (value, w) => allowsIn(after, key, w, value),
              })
        if (witness === undefined) continue
        const owners = await grantedBy(
          findings.filter((f) => together || findingKey(f) === key),
          {target, start: await group.documents(beforeRange)},
          witness,
          allowsIn,
        )
        if (owners.length === 0) continue
        // A merge's change came from its branch: the commit there that made the request hold.
        let by: BlamedCommit = {sha: state.sha}
        if (merged) {
          const answers = new Map<string | null, boolean>()
          for (const version of [null, ...group.versions])
            answers.set(version, await allows(version, key, witness))
          const blamed = semanticBlame(
            history,
            state.sha,
            state.path,
            (version) => answers.get(version) ?? false,
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
    // Walked newest first: listed oldest first.
    for (const [finding, list] of added) out.set(finding, list.reverse())
  }
  return out
}

/**
 * Whether the documents of a version allow `witness` of the one at `key` (given its value, or
 * `value` in its place; absent: as its kind reads its absence). A kind read together asks each
 * with the others of the version.
 */
export async function allowsAmong(
  kind: Kind,
  documents: ReadonlyMap<string, Document>,
  key: string,
  witness: Witness,
  options: {settings: AdapterSettings; together: boolean; value?: unknown},
): Promise<boolean> {
  const adapter = adapterFor(kind)
  const {settings, together, value} = options
  const others = new Map(
    together ? [...documents].filter(([k]) => k !== key).map(([k, d]) => [k, d.value] as const) : [],
  )
  const document = documents.get(key)
  if (value !== undefined) return adapter.allows(value, witness, key, others, settings)
  return document === undefined
    ? ((await adapter.absentAllows?.(witness, key, others)) ?? false)
    : adapter.allows(document.value, witness, key, others, settings)
}

/** How a commit's version is asked again with a value of the compared document in place of its own. */
interface Retry {
  /** the comparison's findings with `value` in place of the document's */
  compare: (value: unknown) => Promise<Finding[]>
  /** whether the commit's version with `value` in place of the document's allows a request */
  allows: (value: unknown, witness: Witness) => Promise<boolean>
}

/**
 * A request the commit's change `found` (its version `now` of the document) added that
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
  present: (witness: Witness, checked: boolean) => Promise<boolean>,
  retry: Retry,
): Promise<Witness | undefined> {
  let finding: Finding | undefined = found
  let value = now.value
  while (finding !== undefined && finding.change !== 'narrowing' && finding.witness !== null) {
    const witness = finding.witness
    if (await present(witness, value === now.value)) return witness
    const pointer = innerPointer(finding.pointer, now)
    const fewer = pointer === null ? undefined : await withoutGrantOf(value, pointer, witness, retry)
    if (fewer === undefined) return undefined
    value = fewer
    finding = (await retry.compare(value)).find(
      (f) => f.pointer === found.pointer && findingKey(f) === findingKey(found) && f.change !== 'narrowing',
    )
  }
  return undefined
}

/** The request a deletion's comparison names, when `present` accepts it. */
async function deletedRequest(
  found: Finding,
  present: (witness: Witness, checked: boolean) => Promise<boolean>,
): Promise<Witness | undefined> {
  const {witness} = found
  if (found.change === 'narrowing' || witness === null) return undefined
  return (await present(witness, false)) ? witness : undefined
}

/**
 * `value` without the first list item under `pointer` (at any depth, in a list of more than one)
 * whose removal alone stops it allowing `witness`; undefined when there is none.
 */
async function withoutGrantOf(
  value: unknown,
  pointer: string,
  witness: Witness,
  retry: Retry,
): Promise<unknown> {
  for (const item of listItems(pointedAt(value, pointerTokens(pointer)), pointer)) {
    const fewer = removed(value, item)
    if (fewer !== undefined && !(await retry.allows(fewer, witness))) return fewer
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
 * or binding at the finding's pointer), the target no longer allows it. A finding about a document
 * the target no longer has (a deleted file of Deny statements) owns it when its part of the
 * range's start blocked it: without that part, the start allows it. When no single part does
 * (two new statements both grant it), the only finding, if there is one.
 */
async function grantedBy(
  findings: Finding[],
  sides: {target: Map<string, Document>; start: Map<string, Document>},
  witness: Witness,
  allowsIn: (
    documents: Map<string, Document>,
    key: string,
    witness: Witness,
    value?: unknown,
  ) => Promise<boolean>,
): Promise<Finding[]> {
  const owners: Finding[] = []
  for (const finding of findings) {
    const key = findingKey(finding)
    const gone = !sides.target.has(key)
    const documents = gone ? sides.start : sides.target
    const document = documents.get(key)
    const at = gone ? (finding.baselineLocation?.pointer ?? finding.pointer) : finding.pointer
    const pointer = document === undefined ? null : innerPointer(at, document)
    if (pointer === null) continue
    const without = removed(document!.value, pointer)
    if (without === undefined) continue
    if ((await allowsIn(documents, key, witness, without)) === gone) owners.push(finding)
  }
  return owners.length > 0 || findings.length !== 1 ? owners : findings
}

/** A finding's pointer inside its document (a container's document's pointers start with where it sits). */
function innerPointer(pointer: string | null, document: Document): string | null {
  if (pointer === null) return null
  const prefix = document.origin?.pointer ?? ''
  return pointer.startsWith(prefix) ? pointer.slice(prefix.length) : null
}

/**
 * The variants made by taking a part out of a value, by value and pointer: every request the
 * commits of a file added asks about the same variant (the target without a finding's statement),
 * and an adapter keeps a value's compiled form by identity (aws-iam/evaluate.ts), so the same
 * variant is compiled once, not once per request. Values are never changed once read.
 */
const variants = new WeakMap<object, Map<string, unknown>>()

/** `value` without what `pointer` (RFC 6901) names, or undefined when it names nothing or the whole value. */
function removed(value: unknown, pointer: string): unknown {
  const tokens = pointerTokens(pointer)
  if (tokens.length === 0) return undefined
  if (typeof value !== 'object' || value === null) return without(value, tokens)
  let byPointer = variants.get(value)
  if (byPointer === undefined) variants.set(value, (byPointer = new Map()))
  if (!byPointer.has(pointer)) byPointer.set(pointer, without(value, tokens))
  return byPointer.get(pointer)
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
