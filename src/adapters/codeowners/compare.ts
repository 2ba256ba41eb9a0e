// Compares who may approve changes to each path, before and after, over ALL paths (files that do
// not exist yet included): a path whose set of accepted approvers grows, or that loses its owners
// (no code-owner review needed any more), is a widening.
//
// Exactness: the owners of a path depend only on which rule of each side matches it last. The
// product of every pattern's automaton (both sides, plus the "sensitive paths" patterns) is
// explored breadth first; each reachable combination (last rule before, last rule after) is a
// region of paths with the same owners on each side, and comes with its shortest example path.
// States from which both sides must agree on every continuation are not explored further. A
// product too large to explore is reported as possible-widening, never as "unchanged".
//
// Findings are grouped so as not to flood: one per (responsible target rule, new approver), one
// per region that lost its owners (by the target rule that leaves it unowned, or by the baseline
// rule whose region no rule of the target covers, or the whole file when none is left).

import {Undecidable} from '../../engine/undecidable.js'
import {completeFinding, type FindingDraft, sentence, type Sides} from '../../kernel/findings.js'
import type {
  AdapterContext,
  ChangeType,
  Document,
  Finding,
  ParsedFile,
  Severity,
  Witness,
} from '../../kernel/types.js'
import type {Comparison} from '../adapter.js'
import {isLocation} from './locations.js'
import {
  compiled,
  decidingRule,
  effectiveFile,
  isTeam,
  NO_OWNER,
  principal,
  type Rule,
  rulesOf,
} from './model.js'
import type {SkippedLine} from './parse.js'
import {literalsFrom, type Nfa, PatternError, step} from './pattern.js'
import {type CodeownersRule, RULES} from './rules.js'

/** Paths where a lost or new approver matters most: who controls CI, ownership, infrastructure. */
export const SENSITIVE_PATTERNS = [
  '/.github/',
  'CODEOWNERS',
  '/acldrift.config.yaml',
  '/.acldrift/',
  'infra/',
  'infrastructure/',
  'terraform/',
  'deploy/',
  'deployment/',
  'security/',
  'secrets/',
  '*.tf',
  '/.circleci/',
]

/** Past this many product states the comparison is declared undecidable. */
export const MAX_STATES = 100_000

export interface Side {
  file: string | undefined
  doc: ParsedFile | undefined
  rules: Rule[]
}

/**
 * The file GitHub reads among `docs` for `file` (one of the three locations stands for them all;
 * another file a config names, for itself), its rules not read yet.
 */
export function sideOf(file: string, docs: Map<string, Document>): Side {
  const read = effectiveFile(isLocation(file) ? 'CODEOWNERS' : file, (p) => docs.has(p))
  const doc = read === undefined ? undefined : docs.get(read)
  return {file: read, doc, rules: []}
}

interface Region {
  lastB: number
  lastA: number
  example: string
  sensitive?: string
}

/**
 * The regions of paths where the owners may differ: every realisable (last baseline rule, last
 * target rule), with an example path (the shortest, and a sensitive one when there is one).
 */
export function regions(base: readonly Rule[], target: readonly Rule[]): Region[] {
  const patterns: string[] = []
  const idOf = new Map<string, number>()
  const register = (pattern: string) => {
    if (!idOf.has(pattern)) {
      idOf.set(pattern, patterns.length)
      patterns.push(pattern)
    }
    return idOf.get(pattern)!
  }
  const lastIndex = (rules: readonly Rule[]) => {
    const out = new Map<number, number>()
    for (const r of rules) out.set(register(r.pattern), r.index)
    return out
  }
  const [maxB, maxA] = [lastIndex(base), lastIndex(target)]
  const ownersKey = (rules: readonly Rule[], i: number) =>
    i < 0 ? '' : [...rules[i]!.principals].sort().join(' ')
  const sensitiveIds = new Set(SENSITIVE_PATTERNS.map(register))
  const nfas: Nfa[] = patterns.map((p) => compiled(p).nfa)
  const used = new Set(patterns.flatMap((p) => [...compiled(p).literals]))
  const fresh = [...'xyzqjkwv0123456789_-'].find((c) => !used.has(c)) ?? '\u00a7'

  // A pattern that matches every continuation fixes a floor under its side's last rule (and decides
  // sensitivity): patterns below both floors can no longer change the answer and are dropped. This
  // keeps the product small (independent directory patterns would otherwise multiply).
  type Live = Array<[number, number[]]>
  interface State {
    valid: boolean
    floorB: number
    floorA: number
    sensitive: boolean
    live: Live
    path: string
  }
  const keyOf = (s: State) =>
    `${s.valid ? 1 : 0}|${s.floorB}|${s.floorA}|${s.sensitive ? 1 : 0}|${s.live.map(([id, states]) => `${id}:${states.join('.')}`).join(';')}`
  const settle = (s: State): State => {
    for (const [id, states] of s.live) {
      if (!states.some((q) => nfas[id]!.universal.has(q))) continue
      s.floorB = Math.max(s.floorB, maxB.get(id) ?? -1)
      s.floorA = Math.max(s.floorA, maxA.get(id) ?? -1)
      if (sensitiveIds.has(id)) s.sensitive = true
    }
    s.live = s.live.filter(
      ([id]) =>
        (maxB.get(id) ?? -1) > s.floorB ||
        (maxA.get(id) ?? -1) > s.floorA ||
        (sensitiveIds.has(id) && !s.sensitive),
    )
    return s
  }
  // The rules that can still decide a side, in order (the floor, then live patterns above it), as
  // (pattern, owners): when both sides have the same list, every continuation gets the same owners
  // on both sides, and nothing below this state can differ.
  const candidates = (s: State, rules: readonly Rule[], max: Map<number, number>, floor: number) => {
    const above = s.live
      .map(([id]) => [id, max.get(id) ?? -1] as const)
      .filter(([, i]) => i > floor)
      .sort((x, y) => x[1] - y[1])
    return [ownersKey(rules, floor), ...above.map(([id, i]) => `${id}=${ownersKey(rules, i)}`)].join('|')
  }
  const settled = (s: State) => candidates(s, base, maxB, s.floorB) === candidates(s, target, maxA, s.floorA)
  const found = new Map<string, Region>()
  const record = (s: State) => {
    let lastB = s.floorB
    let lastA = s.floorA
    let sensitive = s.sensitive
    for (const [id, states] of s.live) {
      if (!states.includes(nfas[id]!.accept)) continue
      lastB = Math.max(lastB, maxB.get(id) ?? -1)
      lastA = Math.max(lastA, maxA.get(id) ?? -1)
      if (sensitiveIds.has(id)) sensitive = true
    }
    const key = `${lastB},${lastA}`
    let region = found.get(key)
    if (region === undefined) found.set(key, (region = {lastB, lastA, example: s.path}))
    if (sensitive) region.sensitive ??= s.path
  }

  const start: State = settle({
    valid: false,
    floorB: -1,
    floorA: -1,
    sensitive: false,
    live: nfas.map((nfa, id) => [id, nfa.start]),
    path: '',
  })
  const queue: State[] = settled(start) ? [] : [start]
  const seen = new Set([keyOf(start)])
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!
    // A path is valid when it is not empty and has no empty segment (it ends inside a name).
    if (state.valid) record(state)
    const alphabet = new Set(['/', fresh])
    for (const [id, states] of state.live) literalsFrom(nfas[id]!, states, alphabet)
    for (const c of alphabet) {
      if (c === '/' && !state.valid) continue
      const live: Live = []
      for (const [id, states] of state.live) {
        const moved = step(nfas[id]!, states, c)
        if (moved.length > 0) live.push([id, moved])
      }
      const next = settle({...state, valid: c !== '/', live, path: state.path + c})
      if (settled(next)) continue
      const key = keyOf(next)
      if (seen.has(key)) continue
      seen.add(key)
      if (seen.size > MAX_STATES)
        throw new Undecidable(
          `the patterns are too many or too complex to compare exactly (over ${MAX_STATES} automaton states)`,
        )
      queue.push(next)
    }
  }
  return [...found.values()]
}

// --- groups -----------------------------------------------------------------------------

type GroupRule = Exclude<CodeownersRule, 'undecidable-patterns'>

interface GroupKey {
  key: string
  /**
   * The access the finding is about, whole, for its id: the rule that decides the paths (its
   * pattern, its owners and the patterns after it, which carve its region), not its line.
   * Computed for the findings only (groupsAt runs for every path of the repository).
   */
  access: () => unknown
  change: Exclude<ChangeType, 'possible-widening'>
  rule: GroupRule
  /** the principal gained or lost */
  approver?: string
}

/** A rule as access: the paths it decides (its pattern and the later patterns that take some back) and their owners. */
function ruleAccess(rules: readonly Rule[], i: number) {
  const rule = rules[i]!
  return {
    pattern: rule.pattern,
    owners: rule.principals,
    later: rules.slice(i + 1).map((r) => r.pattern),
  }
}

/** The findings a path whose last rules are (lastB, lastA) belongs to. */
export function groupsAt(lastB: number, lastA: number, base: Side, target: Side): GroupKey[] {
  const before = lastB >= 0 ? base.rules[lastB]!.principals : []
  const after = lastA >= 0 ? target.rules[lastA]!.principals : []
  const out: GroupKey[] = []
  type Anchor = (i: number) => () => Record<string, unknown>
  const a: Anchor = (i) => () => ({after: ruleAccess(target.rules, i)})
  const b: Anchor = (i) => () => ({before: ruleAccess(base.rules, i)})
  // Lost (gained) owners: by the rule of the side that has one, preferring the target (baseline).
  // A region no rule of the side covers is carved by every pattern of that side.
  const by = (
    mine: number,
    other: number,
    tag: string,
    anchorMine: typeof a,
    anchorOther: typeof a,
    side: Side,
  ) =>
    side.rules.length === 0
      ? {key: `${tag}:file`, access: () => ({file: 'none'})}
      : mine >= 0
        ? {key: `${tag}:m${mine}`, access: anchorMine(mine)}
        : {
            key: `${tag}:o${other}`,
            access: () => ({...anchorOther(other)(), unmatchedBy: side.rules.map((r) => r.pattern)}),
          }
  if (before.length > 0 && after.length === 0) {
    out.push({...by(lastA, lastB, 'lost', a, b, target), change: 'widening', rule: 'owners-removed'})
  } else if (before.length === 0 && after.length > 0) {
    out.push({...by(lastB, lastA, 'gained', b, a, base), change: 'narrowing', rule: 'owners-added'})
  } else if (before.length > 0) {
    for (const x of after.filter((p) => !before.includes(p)))
      out.push({
        key: `added:${lastA}:${x}`,
        access: () => ({...a(lastA)(), approver: x}),
        change: 'widening',
        rule: 'approver-added',
        approver: x,
      })
    for (const x of before.filter((p) => !after.includes(p)))
      out.push({
        key: `removed:${lastB}:${x}`,
        access: () => ({...b(lastB)(), approver: x}),
        change: 'narrowing',
        rule: 'approver-removed',
        approver: x,
      })
  }
  return out
}

interface Group extends GroupKey {
  /** some path of the region is sensitive (with known files: some real file is) */
  sensitive: boolean
  /** example paths by preference: real files (sensitive first), then synthesized ones */
  real?: string
  realSensitive?: string
  sample?: string
  sampleSensitive?: string
  bfs: string
  bfsSensitive?: string
}

let sensitiveRegexes: RegExp[] | undefined

export function isSensitive(path: string): boolean {
  sensitiveRegexes ??= SENSITIVE_PATTERNS.map((p) => compiled(p).regex)
  return sensitiveRegexes.some((r) => r.test(path))
}

/** Readable sensitive paths, tried when the repository has no file in a sensitive region. */
const SENSITIVE_SAMPLES = [
  '.github/workflows/deploy.yml',
  '.github/CODEOWNERS',
  'CODEOWNERS',
  'infra/main.tf',
  'terraform/main.tf',
  'deploy/production.yaml',
  'security/policy.md',
  'acldrift.config.yaml',
]

/** Readable paths a pattern names: wildcards filled in, a file under a directory. */
function samplesOf(pattern: string): string[] {
  const filled = pattern
    .replace(/^\//, '')
    .split('/')
    .filter((s) => s !== '**')
    .map((s) => s.replace(/\*+/g, 'example').replace(/\?/g, 'x').replace(/\\(.)/g, '$1'))
    .join('/')
    .replace(/\/$/, '')
  if (filled === '') return ['README.md']
  const own = pattern.endsWith('/') ? [`${filled}/main`] : [filled, `${filled}/main`]
  // A pattern without an inner slash matches at any depth: show it nested too.
  const anywhere = !pattern.replace(/\/$/, '').includes('/')
  return anywhere ? [...own, ...own.map((p) => `src/${p}`)] : own
}

/** Readable paths, in order: those the patterns name, then the sensitive samples. */
export const examplePaths = (patterns: readonly string[]): string[] => [
  ...new Set([...patterns.flatMap(samplesOf), ...SENSITIVE_SAMPLES]),
]

/** A rule's meaning: its pattern and its owners (in any order). */
const ruleKey = (r: Rule) => `${r.pattern}\u0000${[...r.principals].sort().join(' ')}`
const sameRule = (x: Rule, y: Rule) => ruleKey(x) === ruleKey(y)

/** Past this many cells the longest common subsequence is not computed (all middle rules count as changed). */
const MAX_LCS_CELLS = 4_000_000

/**
 * The rules outside a longest common subsequence of the two sides. A path that matches none of
 * them is matched by the same common rules, in the same order, on both sides: same owners.
 */
function changedRules(base: readonly Rule[], target: readonly Rule[]): Rule[] {
  let start = 0
  while (start < base.length && start < target.length && sameRule(base[start]!, target[start]!)) start++
  let endB = base.length
  let endA = target.length
  while (endB > start && endA > start && sameRule(base[endB - 1]!, target[endA - 1]!)) {
    endB--
    endA--
  }
  const [b, a] = [base.slice(start, endB), target.slice(start, endA)]
  if (b.length * a.length > MAX_LCS_CELLS) return [...b, ...a]
  // lcs[i][j]: the longest common subsequence of b[i..] and a[j..].
  const lcs = Array.from({length: b.length + 1}, () => new Array<number>(a.length + 1).fill(0))
  for (let i = b.length - 1; i >= 0; i--)
    for (let j = a.length - 1; j >= 0; j--)
      lcs[i]![j] = sameRule(b[i]!, a[j]!)
        ? lcs[i + 1]![j + 1]! + 1
        : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
  const changed: Rule[] = []
  let [i, j] = [0, 0]
  while (i < b.length && j < a.length) {
    if (sameRule(b[i]!, a[j]!)) [i, j] = [i + 1, j + 1]
    else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) changed.push(b[i++]!)
    else changed.push(a[j++]!)
  }
  return [...changed, ...b.slice(i), ...a.slice(j)]
}

/** Every path of `paths` (sorted) that is the first of its group, until every group has one. */
function assign(
  paths: Iterable<string>,
  groups: Map<string, Group>,
  base: Side,
  target: Side,
  slot: 'real' | 'sample',
  stopEarly: boolean,
): void {
  const sensitiveSlot = slot === 'real' ? 'realSensitive' : 'sampleSensitive'
  const done = (g: Group) => g[slot] !== undefined && (!g.sensitive || g[sensitiveSlot] !== undefined)
  const affected = changedRules(base.rules, target.rules)
  for (const path of paths) {
    // (any match: decidingRule finds one quickly through its prefix index)
    if (decidingRule(affected, path) === undefined) continue
    const lastB = decidingRule(base.rules, path)?.index ?? -1
    const lastA = decidingRule(target.rules, path)?.index ?? -1
    const keys = groupsAt(lastB, lastA, base, target)
    if (keys.length === 0) continue
    const sensitive = isSensitive(path)
    for (const {key} of keys) {
      const g = groups.get(key)
      if (g === undefined) continue
      g[slot] ??= path
      if (sensitive) g[sensitiveSlot] ??= path
    }
    if (stopEarly && [...groups.values()].every(done)) return
  }
}

// --- findings -----------------------------------------------------------------------------

export async function compareCodeowners(
  baseline: Map<string, Document>,
  target: Map<string, Document>,
  changed: string[],
  context: AdapterContext,
): Promise<Comparison> {
  const findings: Finding[] = []
  const notes: string[] = []
  const sides: Sides = {baseline, target}
  const complete = (draft: FindingDraft<CodeownersRule>) => completeFinding('codeowners', RULES, sides, draft)
  // The repository's file (the three locations) and any other file a config names, each on its own.
  const units = new Set<string>()
  for (const path of changed) units.add(isLocation(path) ? 'repository' : path)
  let realPaths: Promise<readonly string[]> | undefined
  const paths = context.paths && (() => (realPaths ??= context.paths!()))
  for (const unit of [...units].sort()) {
    const representative = unit === 'repository' ? 'CODEOWNERS' : unit
    const [base, tgt] = [sideOf(representative, baseline), sideOf(representative, target)]
    try {
      for (const side of [base, tgt]) side.rules = side.doc === undefined ? [] : rulesOf(side.doc.value)
    } catch (error) {
      // Only a document that bypassed the parser (a hand-edited snapshot) can get here.
      if (!(error instanceof PatternError || error instanceof TypeError)) throw error
      findings.push(
        ...undecided(
          {...base, rules: []},
          {...tgt, rules: []},
          `a rule cannot be read: ${error.message}`,
        ).map(complete),
      )
      continue
    }
    // A file GitHub does not read, when it or the file that shadows it changed.
    if (unit === 'repository')
      for (const path of [...target.keys()].filter(isLocation).sort())
        if (path !== tgt.file && (changed.includes(path) || base.file !== tgt.file))
          notes.push(`${path}: not read by GitHub: ${tgt.file} takes precedence`)
    findings.push(...(await compareSides(base, tgt, paths, notes, complete)))
    findings.push(...skippedLineFindings(base, tgt, notes).map(complete))
  }
  return {findings, notes}
}

const skippedOf = (side: Side): SkippedLine[] =>
  ((side.doc?.value as {skipped?: SkippedLine[]} | undefined)?.skipped ?? []).filter(
    (s) => typeof s?.text === 'string',
  )

/**
 * The lines GitHub skips in the file it reads (parse.ts): each is named in a note, and one that
 * names owners and was not skipped the same way in the baseline is a possible widening: whoever
 * wrote it meant those owners to be required, and GitHub does not require them.
 */
function skippedLineFindings(base: Side, target: Side, notes: string[]): Array<FindingDraft<CodeownersRule>> {
  const before = new Set(skippedOf(base).map((s) => s.text))
  const out: Array<FindingDraft<CodeownersRule>> = []
  skippedOf(target).forEach((skipped, i) => {
    notes.push(`${target.file}:${skipped.line}: skipped, as GitHub skips it (${skipped.reason})`)
    if (skipped.owners.length === 0 || before.has(skipped.text)) return
    const reason = `GitHub skips line ${skipped.line} (${skipped.reason}), so the owners it names are not required`
    out.push({
      rule: 'line-skipped',
      at: {file: target.file!, pointer: `/skipped/${i}`},
      baseline: null,
      message: sentence.possible(
        RULES['line-skipped'].title,
        `"${skipped.text}" asks for ${list(skipped.owners)}, which GitHub does not require`,
        reason,
      ),
      witness: null,
      reason,
      before: null,
      after: skipped,
      access: {skipped: skipped.text},
    })
  })
  return out
}

const sameRules = (a: Rule[], b: Rule[]) => a.length === b.length && a.every((r, i) => sameRule(r, b[i]!))

async function compareSides(
  base: Side,
  target: Side,
  paths: (() => Promise<readonly string[]>) | undefined,
  notes: string[],
  complete: (draft: FindingDraft<CodeownersRule>) => Finding,
): Promise<Finding[]> {
  if (sameRules(base.rules, target.rules)) return []
  let found: Region[]
  try {
    found = regions(base.rules, target.rules)
  } catch (error) {
    if (!(error instanceof Undecidable)) throw error
    return undecided(base, target, error.reason).map(complete)
  }
  const groups = new Map<string, Group>()
  // Regions in order of their examples (shortest first), so that each group's example is its shortest.
  found.sort((x, y) => x.example.length - y.example.length || x.example.localeCompare(y.example))
  for (const region of found) {
    for (const k of groupsAt(region.lastB, region.lastA, base, target)) {
      let g = groups.get(k.key)
      if (g === undefined) {
        g = {...k, sensitive: false, bfs: region.example}
        groups.set(k.key, g)
      }
      if (region.sensitive !== undefined) {
        g.sensitive = true
        g.bfsSensitive ??= region.sensitive
      }
    }
  }
  if (groups.size === 0) return []
  let existing: Set<string> | undefined
  if (paths !== undefined) {
    const all = [...(await paths())].sort()
    existing = new Set(all)
    assign(all, groups, base, target, 'real', true)
  }
  const samples = examplePaths([...target.rules, ...base.rules].map((r) => r.pattern))
  assign(samples, groups, base, target, 'sample', false)

  const findings: Finding[] = []
  const teams = new Set<string>()
  for (const g of groups.values()) {
    // Known files: a sensitive one, else any; the region counts as sensitive when a real file in it is.
    // Unknown files: sensitivity is the region's (some path in it is), and so is the example's.
    if (existing !== undefined) g.sensitive = g.realSensitive !== undefined
    const path =
      existing !== undefined
        ? (g.realSensitive ?? g.real ?? g.sample ?? g.bfs)
        : (g.sampleSensitive ?? g.sample ?? g.bfsSensitive ?? g.bfs)
    // The example's own regions: its last rules on each side, for the locations.
    const lastB = decidingRule(base.rules, path)?.index ?? -1
    const lastA = decidingRule(target.rules, path)?.index ?? -1
    findings.push(complete(findingDraft(g, path, existing?.has(path), lastB, lastA, base, target)))
    if (g.rule === 'approver-added' && isTeam(g.approver!))
      teams.add(displayOwner(target.rules[lastA], g.approver!))
  }
  for (const team of [...teams].sort())
    notes.push(`${target.file}: ${team} is a team: its members are not known offline, it is compared by name`)
  return findings
}

const displayOwner = (rule: Rule | undefined, name: string) =>
  rule?.owners.find((o) => principal(o) === name) ?? name

interface RuleView {
  pattern: string
  owners: string[]
}

const view = (rule: Rule | undefined): RuleView | null =>
  rule === undefined ? null : {pattern: rule.pattern, owners: rule.owners}

function findingDraft(
  g: Pick<Group, 'access' | 'approver' | 'change' | 'rule' | 'sensitive'>,
  path: string,
  exists: boolean | undefined,
  lastB: number,
  lastA: number,
  base: Side,
  target: Side,
): FindingDraft<CodeownersRule> {
  const before = base.rules[lastB]
  const after = target.rules[lastA]
  const file = target.file ?? base.file!
  const approver =
    g.approver === undefined ? undefined : displayOwner(g.change === 'widening' ? after : before, g.approver)
  const witness: Witness =
    g.rule === 'owners-removed' || g.rule === 'owners-added'
      ? {path, owner: NO_OWNER}
      : {path, approver: approver!}
  if (exists !== undefined) witness.exists = exists
  const ownerPointer = (rule: Rule, i: number) =>
    `/rules/${i}/owners/${rule.owners.findIndex((o) => principal(o) === g.approver)}`
  const pointer =
    after === undefined ? null : g.rule === 'approver-added' ? ownerPointer(after, lastA) : `/rules/${lastA}`
  const basePointer =
    before === undefined
      ? null
      : g.rule === 'approver-removed'
        ? ownerPointer(before, lastB)
        : `/rules/${lastB}`
  const severity: Severity = g.change === 'narrowing' ? 'low' : g.sensitive ? 'high' : 'medium'
  return {
    rule: g.rule,
    severity,
    at: {file, pointer},
    baseline: base.file === undefined ? null : {file: base.file, pointer: basePointer},
    message: message(g.rule, witness, view(before), view(after))!,
    witness,
    before: view(before),
    after: view(after),
    access: g.access(),
  }
}

const list = (owners: readonly string[]) => owners.join(' ')

/**
 * The finding as it reads for another path of its region (covers.ts witnessBeyond's): the rules
 * that decide that path on each side are its `before` and `after`, its locations and its message's
 * "(before: …)"; its rule, severity and access stay. Undefined when a side's rules cannot be read.
 */
export function restateFinding(
  finding: Finding,
  witness: Witness,
  sides: {baseline: Map<string, Document>; target: Map<string, Document>},
): Finding | undefined {
  const [base, tgt] = [sideOf(finding.file, sides.baseline), sideOf(finding.file, sides.target)]
  try {
    for (const side of [base, tgt]) side.rules = side.doc === undefined ? [] : rulesOf(side.doc.value)
  } catch (error) {
    if (error instanceof PatternError || error instanceof TypeError) return undefined
    throw error
  }
  const path = String(witness.path)
  const group = {
    access: () => finding.access,
    change: finding.change as GroupKey['change'],
    rule: finding.rule as GroupRule,
    ...(witness.approver === undefined ? {} : {approver: principal(String(witness.approver))}),
    sensitive: finding.severity === 'high',
  }
  const lastB = decidingRule(base.rules, path)?.index ?? -1
  const lastA = decidingRule(tgt.rules, path)?.index ?? -1
  const exists = typeof witness.exists === 'boolean' ? witness.exists : undefined
  const draft = findingDraft(group, path, exists, lastB, lastA, base, tgt)
  return completeFinding('codeowners', RULES, sides, draft)
}

/** The finding's sentence for a witness (history and explain show other paths than the first). */
export function describeFinding(finding: Finding, witness: Witness): string {
  return (
    message(finding.rule, witness, finding.before as RuleView | null, finding.after as RuleView | null) ??
    finding.message
  )
}

function message(
  rule: string,
  witness: Witness,
  before: RuleView | null,
  after: RuleView | null,
): string | undefined {
  const path = `${String(witness.path)}${witness.exists === false ? ' (no such file yet)' : ''}`
  const was = (rule: RuleView | null) =>
    rule === null
      ? 'none'
      : `${list(rule.owners)}${rule.pattern === after?.pattern ? '' : ` ("${rule.pattern}")`}`
  switch (rule) {
    case 'approver-added':
      return `${String(witness.approver)} can now approve changes to ${path}: "${after?.pattern}" names ${list(after?.owners ?? [])} (before: ${was(before)}).`
    case 'owners-removed': {
      const now = after === null ? 'no rule matches it any more' : `"${after.pattern}" lists no owners`
      return `${path} no longer needs a code owner's review: ${now} (before: ${was(before)}).`
    }
    case 'owners-added':
      return `${path} now needs a review from ${list(after?.owners ?? [])} ("${after?.pattern}"); before, it had no code owner.`
    case 'approver-removed':
      return `${String(witness.approver)} can no longer approve changes to ${path}: "${after?.pattern}" names ${list(after?.owners ?? [])} (before: ${was(before)}).`
  }
  return undefined
}

/** The product was too large: every target rule that is new is a possible widening. */
function undecided(base: Side, target: Side, reason: string): Array<FindingDraft<CodeownersRule>> {
  const file = target.file ?? base.file!
  const known = new Set(base.rules.map(ruleKey))
  const fresh = target.rules.filter((r) => !known.has(ruleKey(r)))
  const title = RULES['undecidable-patterns'].title
  const draft = (rule: Rule | undefined): FindingDraft<CodeownersRule> => ({
    rule: 'undecidable-patterns',
    at: {file, pointer: rule === undefined ? null : `/rules/${rule.index}`},
    baseline: null,
    message: sentence.possible(
      title,
      rule === undefined
        ? 'the rules removed or reordered let more people approve changes'
        : `"${rule.pattern}" (${list(rule.owners) || 'no owners'}) lets more people approve changes`,
      reason,
    ),
    witness: null,
    reason,
    before: null,
    after: view(rule),
    // Every new rule, or the whole target's rules when none is new: nothing narrower can be named.
    access:
      rule === undefined
        ? {rules: target.rules.map((r) => ruleAccess(target.rules, r.index))}
        : ruleAccess(target.rules, rule.index),
  })
  return fresh.length > 0 ? fresh.map(draft) : [draft(undefined)]
}
