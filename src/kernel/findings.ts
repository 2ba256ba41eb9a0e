// The finding contract. Adapters describe what they found as drafts (rule, where, message,
// witness, and the access it is about); `completeFinding` turns a draft into the report's
// Finding the same way for every kind: id, file and embedded document, line, diff, baseline
// location, change and severity from the rule's declaration. Also here, once: the sentence
// templates of messages and the order in which a finding's candidate witnesses are preferred.

import {createRequire} from 'node:module'
import type DeepDiff from 'deep-diff'
import {sha256} from './hash.js'
import {positionAt} from './parse.js'
import {type RuleDeclaration, type Rules, severitiesOf} from './rules.js'
import type {
  ChangeType,
  Finding,
  FindingKind,
  InputProblem,
  Origin,
  Report,
  Severity,
  SourceMap,
  Witness,
} from './types.js'

// CommonJS packages are required, not imported: Node parses a CommonJS module imported from an
// ES module once more, for its export names, which costs the agent hook more than the package.
const deepDiff = createRequire(import.meta.url)('deep-diff') as typeof DeepDiff

/** sha256 of the parts, 16 hex digits: a finding's id. */
export function findingId(parts: string[]): string {
  return sha256(parts.join('\u0000')).slice(0, 16)
}

/**
 * An access's canonical text, which names it in finding ids: object keys sorted at every depth,
 * lists read as sets (sorted by their items' canonical text, repeats dropped; unlike hash.ts's
 * canonicalJson, where order counts). The same access written in another layout, key order or
 * list order gets the same text; any other difference, however deep, changes it.
 */
export function canonicalAccess(value: unknown): string {
  if (Array.isArray(value)) return `[${[...new Set(value.map(canonicalAccess))].sort().join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .flatMap((key) => {
        const item = (value as Record<string, unknown>)[key]
        return item === undefined ? [] : [`${JSON.stringify(key)}:${canonicalAccess(item)}`]
      })
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * What differs between two values, as deep-diff's records (`N` new, `D` deleted, `E` edited, `A`
 * an item of a list added or deleted), in plain JSON. Lists are compared as the sets they are to
 * the platforms (statements, actions, resources, principals, rules): a reordering is no record,
 * and one item added to a list of a hundred is one record, not a hundred positional edits. Items
 * are paired by their `Sid`, else by their canonical content (canonicalAccess); one item left on
 * each side is the same item edited. A value and a list holding it are the same set (AWS reads
 * `"Action": "s3:GetObject"` as `["s3:GetObject"]`).
 *
 * deep-diff compares lists by position, so both sides are first aligned: each pair of lists
 * becomes a pair of keyed objects in which paired items sit under the same key (`a<j>`, j the
 * item's index after) and unpaired items before under their own (`d<i>`). deep-diff diffs the
 * aligned forms; its records' paths are then mapped back to list indices, and ordered as the
 * lists read (removed items first, then the items after in their order).
 */
export function structuralDiff(before: unknown, after: unknown): unknown[] {
  const lists = new WeakSet<object>()
  const [lhs, rhs] = align(before ?? {}, after ?? {}, lists)
  const records = (deepDiff.diff(lhs, rhs) ?? []).map((record) => unalign(record, lhs, rhs, lists))
  return records
    .sort((a, b) => compareOrder(a.order, b.order))
    .map(({record}) => JSON.parse(JSON.stringify(record)) as unknown)
}

/** Both values rewritten so that deep-diff pairs list items as sets; `lists` gets the rewritten lists. */
function align(before: unknown, after: unknown, lists: WeakSet<object>): [unknown, unknown] {
  if (canonicalAccess(before) === canonicalAccess(after)) return [before, before]
  if (Array.isArray(before) || Array.isArray(after)) {
    const asList = (value: unknown) => (Array.isArray(value) ? value : [value])
    const scalar = (value: unknown) => typeof value !== 'object' || value === null
    // A scalar against a list is a set of one; an object against a list is another value.
    if ((Array.isArray(before) || scalar(before)) && (Array.isArray(after) || scalar(after)))
      return alignSets(asList(before), asList(after), lists)
  } else if (isRecord(before) && isRecord(after)) {
    const aligned = new Map<string, [unknown, unknown]>()
    for (const key of Object.keys(before))
      if (Object.hasOwn(after, key)) aligned.set(key, align(before[key], after[key], lists))
    // fromEntries makes every key an own data property, `__proto__` included.
    return [
      Object.fromEntries(Object.keys(before).map((key) => [key, aligned.get(key)?.[0] ?? before[key]])),
      Object.fromEntries(Object.keys(after).map((key) => [key, aligned.get(key)?.[1] ?? after[key]])),
    ]
  }
  return [before, after]
}

function alignSets(before: unknown[], after: unknown[], lists: WeakSet<object>): [unknown, unknown] {
  const paired = new Map<number, number>()
  const taken = new Set<number>()
  // Items are paired by a key (their Sid, their canonical text), each list's keys computed once.
  const pair = (key: (value: unknown) => string | undefined) => {
    const free = new Map<string, number[]>()
    for (const [i, item] of before.entries()) {
      const k = taken.has(i) ? undefined : key(item)
      if (k !== undefined) free.set(k, [...(free.get(k) ?? []), i])
    }
    for (const [j, item] of after.entries()) {
      const k = paired.has(j) ? undefined : key(item)
      const i = k === undefined ? undefined : free.get(k)?.shift()
      if (i === undefined) continue
      paired.set(j, i)
      taken.add(i)
    }
  }
  pair((value) => (isRecord(value) && typeof value.Sid === 'string' ? value.Sid : undefined))
  pair(canonicalAccess)
  const leftBefore = before.flatMap((_, i) => (taken.has(i) ? [] : [i]))
  const leftAfter = after.flatMap((_, j) => (paired.has(j) ? [] : [j]))
  if (
    leftBefore.length === 1 &&
    leftAfter.length === 1 &&
    isRecord(before[leftBefore[0]!]) &&
    isRecord(after[leftAfter[0]!])
  ) {
    paired.set(leftAfter[0]!, leftBefore[0]!)
    taken.add(leftBefore[0]!)
  }
  const lhs: Array<[string, unknown]> = before.flatMap((item, i) => (taken.has(i) ? [] : [[`d${i}`, item]]))
  const rhs: Array<[string, unknown]> = []
  for (const [j, item] of after.entries()) {
    const i = paired.get(j)
    const [l, r] = i === undefined ? [undefined, item] : align(before[i], item, lists)
    if (i !== undefined) lhs.push([`a${j}`, l])
    rhs.push([`a${j}`, r])
  }
  const aligned: [object, object] = [Object.fromEntries(lhs), Object.fromEntries(rhs)]
  for (const side of aligned) lists.add(side)
  return aligned
}

type Order = number[]

/**
 * A deep-diff record on the aligned forms as a record on the values: a list key becomes the
 * item's index, and a new or deleted list item an `A` record. `order` places it: at each step, a
 * key's rank in deep-diff's own order (keys before, then new keys), a list item's in the list's.
 */
function unalign(
  record: DeepDiff.Diff<unknown, unknown>,
  lhs: unknown,
  rhs: unknown,
  lists: WeakSet<object>,
): {record: Record<string, unknown>; order: Order} {
  const path: Array<string | number> = []
  const order: Order = []
  let [l, r] = [lhs, rhs]
  for (const [step, key] of ((record.path ?? []) as string[]).entries()) {
    if (isRecord(l) && lists.has(l)) {
      const index = Number(key.slice(1))
      order.push(key.startsWith('d') ? 0 : 1, index)
      if (step === record.path!.length - 1 && (record.kind === 'N' || record.kind === 'D'))
        return {record: {kind: 'A', path, index, item: {...record, path: undefined}}, order}
      path.push(index)
    } else {
      const keysBefore = isRecord(l) ? Object.keys(l) : []
      const rank = keysBefore.indexOf(key)
      order.push(0, rank >= 0 ? rank : keysBefore.length + (isRecord(r) ? Object.keys(r).indexOf(key) : 0))
      path.push(key)
    }
    ;[l, r] = [childOf(l, key), childOf(r, key)]
  }
  return {record: {...record, ...(path.length > 0 ? {path} : {})}, order}
}

const childOf = (value: unknown, key: string): unknown =>
  isRecord(value) && Object.hasOwn(value, key) ? value[key] : undefined

function compareOrder(a: Order, b: Order): number {
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] !== b[k]) return a[k]! - b[k]!
  return a.length - b.length
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export const SEVERITY_RANK: Record<Severity, number> = {critical: 4, high: 3, medium: 2, low: 1}

/** The higher of two severities. */
export const higherSeverity = (a: Severity, b: Severity): Severity =>
  SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b

const changeRank = (f: Finding) => (f.change === 'widening' ? 0 : f.change === 'possible-widening' ? 1 : 2)

/** A report's order of findings: widenings, then possible widenings, then narrowings; graver first; by place. */
export const byGravity = (x: Finding, y: Finding): number =>
  changeRank(x) - changeRank(y) ||
  SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity] ||
  x.file.localeCompare(y.file) ||
  (x.line ?? 0) - (y.line ?? 0)

/** What fails a run: a severity threshold (`never`: nothing) and whether agents' widenings need approval. */
export type FailPolicy = NonNullable<Report['policy']>

/** The policy of a run that names none: every unapproved widening fails. */
export const DEFAULT_FAIL_POLICY: FailPolicy = {failOn: 'widening', agents: 'require-approval'}

/**
 * Whether a finding fails the run: a widening or possible widening (fail closed) at or above
 * `failOn`, or — under `agents: require-approval` — an agent-attributed one whatever its
 * severity; in both cases unless a valid approval covers it. `never` fails nothing.
 */
export function failsRun(finding: Finding, {failOn, agents}: FailPolicy): boolean {
  if (failOn === 'never' || finding.change === 'narrowing' || finding.approval?.valid === true) return false
  const threshold = failOn === 'widening' ? 1 : SEVERITY_RANK[failOn]
  return (
    SEVERITY_RANK[finding.severity] >= threshold ||
    (agents === 'require-approval' && finding.commit?.actor.type === 'agent')
  )
}

/** A report's counts: findings by change, and the files that could not be read. */
export function summarize(documents: number, findings: Finding[], errors: InputProblem[]): Report['summary'] {
  const count = (change: Finding['change']) => findings.filter((f) => f.change === change).length
  return {
    documents,
    widening: count('widening'),
    narrowing: count('narrowing'),
    possibleWidening: count('possible-widening'),
    invalid: new Set(errors.map((e) => e.file)).size,
  }
}

// --- drafts -----------------------------------------------------------------------------------

/** A place in one of a comparison's documents: its key (a Document's path) and a JSON pointer. */
export interface Place {
  file: string
  pointer: string | null
  /**
   * `baseline`: the place is in the baseline's version of the file, for access a deleted file
   * held (a Deny that no longer stops anything): its last version is the only one that shows it.
   */
  side?: 'baseline'
}

/** What an adapter says about one change; `completeFinding` makes the Finding of it. */
export interface FindingDraft<R extends string = string> {
  /** a rule the kind declares */
  rule: R
  /** where the target shows the change (for access that is gone: where it would show, or the key alone) */
  at: Place
  /** where the baseline's side of it is (the statement exceeded or removed), when there is one */
  baseline: Place | null
  /** the rule's usual severity when absent */
  severity?: Severity
  message: string
  witness: Witness | null
  /** why acldrift cannot decide it: a widening rule's finding is then a possible widening */
  reason?: string
  /** for a rule that reports both ways (`change: 'both'`): this finding is the narrowing */
  narrowing?: boolean
  /** the baseline and target parts involved, shown as they are and diffed */
  before: unknown
  after: unknown
  /**
   * The access the finding is about, whole (the statement, Role or Binding with what it grants,
   * the rule set): its canonical form names the finding. Leave out what is not access (a Sid),
   * so that renaming it keeps the id; put in everything that is, so that any change to it makes
   * a new id (an approval never stretches to wider access).
   */
  access: unknown
}

/** What a comparison's documents must offer to place findings: a source map, and an origin when embedded. */
export interface Locatable {
  sourceMap: SourceMap
  origin?: Origin
}

/** A comparison's documents by key, on each side. */
export interface Sides {
  baseline: ReadonlyMap<string, Locatable>
  target: ReadonlyMap<string, Locatable>
}

/** The sides of a comparison of one document with its baseline (either may be absent). */
export function sidesOf(file: string, before: Locatable | undefined, after: Locatable | undefined): Sides {
  const one = (doc: Locatable | undefined) => new Map(doc === undefined ? [] : [[file, doc]])
  return {baseline: one(before), target: one(after)}
}

/** The line of `pointer` in a document, else of its nearest located ancestor; null when unknown. */
export function lineAt(doc: Locatable | undefined, pointer: string | null): number | null {
  if (doc === undefined || pointer === null) return null
  return positionAt(doc.sourceMap, pointer)?.line ?? null
}

/** A finding's line in its document, and where a rendered document's part is written. */
function atPosition(
  doc: Locatable | undefined,
  pointer: string | null,
): Pick<Finding, 'line' | 'renderedFrom'> {
  const position = doc === undefined || pointer === null ? undefined : positionAt(doc.sourceMap, pointer)
  return {
    line: position?.line ?? null,
    ...(position?.renderedFrom === undefined ? {} : {renderedFrom: position.renderedFrom}),
  }
}

/** The change a draft reports, as its rule declares. */
function changeOf(declared: RuleDeclaration['change'], draft: FindingDraft): ChangeType {
  if (declared === 'narrowing' || (declared === 'both' && draft.narrowing === true)) return 'narrowing'
  return declared === 'possible-widening' || draft.reason !== undefined ? 'possible-widening' : 'widening'
}

/**
 * The one way a draft becomes a Finding. A document embedded in a container file is named by
 * the container (`file`) and its name inside it (`document`); the line comes from the pointer
 * through the document's source map (which gives positions in the container). The id names the
 * access, not lines: kind, file, document, change, rule and the canonical access.
 */
export function completeFinding<R extends string>(
  kind: FindingKind,
  rules: Rules<R>,
  sides: Sides,
  draft: FindingDraft<R>,
): Finding {
  const declared = rules[draft.rule]
  const change = changeOf(declared.change, draft)
  const where = placeOf(draft.at, sides.target, sides.baseline)
  const baselineWhere = draft.baseline === null ? null : placeOf(draft.baseline, sides.baseline, sides.target)
  const access = canonicalAccess(draft.access)
  return {
    id: findingId([kind, where.file, where.document ?? '', change, draft.rule, access]),
    kind,
    file: where.file,
    ...(where.document === undefined ? {} : {document: where.document}),
    ...atPosition(
      (draft.at.side === 'baseline' ? sides.baseline : sides.target).get(draft.at.file),
      draft.at.pointer,
    ),
    pointer: where.pointer,
    change,
    severity: draft.severity ?? severitiesOf(declared)[0]!,
    rule: draft.rule,
    message: draft.message,
    witness: draft.witness,
    before: draft.before ?? null,
    after: draft.after ?? null,
    diff: structuralDiff(draft.before, draft.after),
    baselineLocation:
      draft.baseline === null || baselineWhere === null
        ? null
        : {
            file: baselineWhere.file,
            ...(baselineWhere.document === undefined ? {} : {document: baselineWhere.document}),
            ...atPosition(sides.baseline.get(draft.baseline.file), draft.baseline.pointer),
            pointer: baselineWhere.pointer,
          },
    ...(change === 'possible-widening' && draft.reason !== undefined ? {reason: draft.reason} : {}),
    // The canonical text is JSON: parsed back, it is the access with keys sorted and lists as sets.
    access: JSON.parse(access) as unknown,
    commit: null,
    approval: null,
  }
}

/**
 * How a report names a place in a document: a document embedded in a container file by the
 * container (`file`), its name inside it (`document`) and a pointer from the container's root
 * (where the document sits, then the pointer inside it); any other by its key and pointer.
 */
function placeOf(
  at: Place,
  ...sides: ReadonlyArray<ReadonlyMap<string, Locatable>>
): {file: string; document?: string; pointer: string | null} {
  const origin = sides.map((side) => side.get(at.file)?.origin).find((o) => o !== undefined)
  if (origin === undefined) return {file: at.file, pointer: at.pointer}
  return {
    file: origin.file,
    document: origin.name,
    pointer: at.pointer === null ? null : origin.pointer + at.pointer,
  }
}

// --- which witness ----------------------------------------------------------------------------

/** How telling a candidate witness of a finding is. */
export interface WitnessRank {
  /** undecided: shown only when nothing definite is */
  possible: boolean
  severity: Severity
  /** the kind's own preference among equally severe witnesses (higher: more telling) */
  weight: number
}

/** Whether `a` is more telling than `b`: definite before possible, then severity, then the kind's weight. */
export function moreTelling(a: WitnessRank, b: WitnessRank): boolean {
  if (a.possible !== b.possible) return !a.possible
  if (a.severity !== b.severity) return SEVERITY_RANK[a.severity] > SEVERITY_RANK[b.severity]
  return a.weight > b.weight
}

/** The most telling of a finding's candidates (the first of equals). */
export function mostTelling<T>(candidates: readonly T[], rank: (candidate: T) => WitnessRank): T {
  if (candidates.length === 0) throw new Error('internal: a finding without a candidate witness')
  let best: T = candidates[0]!
  let bestRank = rank(best)
  for (const candidate of candidates.slice(1)) {
    const r = rank(candidate)
    if (moreTelling(r, bestRank)) [best, bestRank] = [candidate, r]
  }
  return best
}

// --- sentences --------------------------------------------------------------------------------

const parenthesised = (detail: string | undefined) => (detail ? ` (${detail})` : '')

/**
 * The sentences findings say, by the rule's title and what the witness shows (`what`, a clause
 * such as "anyone can call s3:GetObject on …"), with a `detail` that says where it comes from.
 */
export const sentence = {
  /** `Title: what (detail).` — a narrowing, or a change whose clause says it all. */
  plain: (title: string, what: string, detail?: string): string =>
    `${title}: ${what}${parenthesised(detail)}.`,
  /** `Title: what, which the baseline did not allow (detail).` */
  widening: (title: string, what: string, detail?: string): string =>
    `${title}: ${what}, which the baseline did not allow${parenthesised(detail)}.`,
  /** `Title: perhaps what (detail); acldrift cannot decide it (reason). Review it by hand.` */
  possible: (title: string, what: string | undefined, reason: string | undefined, detail?: string): string =>
    `${title}${what === undefined ? `${parenthesised(detail)}: ` : `: perhaps ${what}${parenthesised(detail)}; `}acldrift cannot decide it (${reason ?? 'undecidable'}). Review it by hand.`,
  /** The sentence for a change: plain for narrowings, else the widening or possible one. */
  of: (
    change: ChangeType,
    title: string,
    what: string,
    extra: {detail?: string; reason?: string} = {},
  ): string =>
    change === 'narrowing'
      ? sentence.plain(title, what, extra.detail)
      : change === 'possible-widening'
        ? sentence.possible(title, what, extra.reason, extra.detail)
        : sentence.widening(title, what, extra.detail),
}
