// Compares two versions of one IAM policy file: every request the target allows and the
// baseline does not becomes part of a widening finding with a witness; the reverse, a
// narrowing. Findings are grouped per responsible statement, with the most telling witness.

import {
  type Cell,
  formatIp,
  type IpValue,
  leafHolds,
  ipDomain,
  test,
  numberDomain,
  setDomain,
  stringDomain,
  opaqueDomain,
  type Domain,
} from '../../engine/domains.js'
import {evaluate, leavesOf} from '../../engine/formula.js'
import {displayString} from '../../engine/glob.js'
import {type DifferenceCell, type Dimension, differenceOrPossible} from '../../engine/search.js'
import {
  completeFinding,
  type FindingDraft,
  lineAt,
  mostTelling,
  sentence,
  type Sides,
  sidesOf,
} from '../../kernel/findings.js'
import type {ChangeType, Finding, ParsedFile, Severity, Witness} from '../../kernel/types.js'
import {actionDomain, actionWeight, displayAction, isKnownAction, PRIVILEGE_ESCALATION} from './catalogue.js'
import {
  ANYONE,
  type CompiledRule,
  type CompileContext,
  compileStatement,
  contextDimension,
  keyTraits,
  principalSamples,
  SELF,
  type Statement,
  statementsOf,
} from './compile.js'
import type {Comparison} from '../adapter.js'
import {type AwsRule, RULES} from './rules.js'

/** Cap on difference cells per direction and file: beyond it the result says it was cut short. */
const CELL_LIMIT = 2000

interface Side {
  rules: CompiledRule[]
}

export function compareIamFile(
  file: string,
  baseline: ParsedFile | undefined,
  target: ParsedFile | undefined,
): Comparison {
  const baseStatements = baseline ? statementsOf(baseline.value) : []
  const targetStatements = target ? statementsOf(target.value) : []
  const all = [...baseStatements, ...targetStatements]
  const ctx: CompileContext = {traits: keyTraits(all), opaque: new Map()}
  const base: Side = {rules: baseStatements.map((s, i) => compileStatement(s, i, ctx))}
  const tgt: Side = {rules: targetStatements.map((s, i) => compileStatement(s, i, ctx))}
  const dimensions = buildDimensions(all, ctx)
  const keyNames = originalKeyNames(all)
  const dateKeys = new Set(
    [...ctx.traits].filter(([, t]) => t.families.size === 1 && t.families.has('date')).map(([k]) => k),
  )
  const notes: string[] = []
  const findings: Finding[] = []
  const sides = sidesOf(file, baseline, target)
  const complete = (draft: FindingDraft<AwsRule>) => completeFinding('aws-iam', RULES, sides, draft)

  const run = (allowed: Side, other: Side, direction: 'widening' | 'narrowing') =>
    differenceOrPossible(dimensions, allowed, other, direction, {file, notes, limit: CELL_LIMIT})

  const describe = (cell: DifferenceCell) => witnessOf(cell, keyNames, dateKeys)
  for (const group of groupByResponsible(run(tgt, base, 'widening'))) {
    findings.push(complete(wideningDraft(file, group, tgt, base, describe)))
  }
  for (const group of groupByResponsible(run(base, tgt, 'narrowing'))) {
    const definite = group.filter((c) => c.status === 'definite' && !outsideCatalogue(c))
    if (definite.length > 0) findings.push(complete(narrowingDraft(file, definite, tgt, describe)))
  }
  notes.push(...unknownActionNotes(file, sides, targetStatements))
  return {findings, notes}
}

function buildDimensions(statements: Statement[], ctx: CompileContext): Dimension[] {
  const dims: Dimension[] = [
    {name: 'action', domain: actionDomain()},
    // "*" first: a witness resource of "*" reads as "any resource" where nothing narrower applies.
    {name: 'resource', domain: stringDomain(['*'])},
    {name: 'principal', domain: stringDomain(principalSamples(statements))},
  ]
  for (const [key, traits] of [...ctx.traits].sort(([a], [b]) => a.localeCompare(b))) {
    if (traits.families.size > 1) continue
    const family = [...traits.families][0] ?? 'string'
    const element: Domain =
      family === 'ip' ? ipDomain() : family === 'string' ? stringDomain() : numberDomain()
    dims.push({name: contextDimension(key), domain: traits.multiValued ? setDomain(element) : element})
  }
  for (const [name, description] of ctx.opaque)
    dims.push({name, domain: opaqueDomain(), opaque: {description}})
  return dims
}

function originalKeyNames(statements: Statement[]): Map<string, string> {
  const names = new Map<string, string>()
  for (const s of statements) {
    for (const block of Object.values((s.raw.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const key of Object.keys(block))
        if (!names.has(key.toLowerCase())) names.set(key.toLowerCase(), key)
    }
  }
  return names
}

/**
 * One finding per responsible statement, and apart from it, one per statement of the other
 * side that no longer applies (a removed Deny is worth its own finding).
 */
function groupByResponsible(cells: DifferenceCell[]): DifferenceCell[][] {
  const groups = new Map<string, DifferenceCell[]>()
  for (const cell of cells) {
    const key = `${cell.matched.allowed[0]!.index}:${cell.matched.otherDeny[0]?.index ?? -1}`
    groups.set(key, [...(groups.get(key) ?? []), cell])
  }
  const order = (key: string) => key.split(':').map(Number) as [number, number]
  return [...groups.entries()]
    .sort(([a], [b]) => order(a)[0] - order(b)[0] || order(a)[1] - order(b)[1])
    .map(([, g]) => g)
}

const outsideCatalogue = (cell: DifferenceCell) => cell.cells.get('action')?.outsideCatalogue

// --- witnesses -----------------------------------------------------------------------

function rawValue(cell: DifferenceCell, dimension: string): unknown {
  return cell.cells.get(dimension)?.value
}

function witnessOf(cell: DifferenceCell, keyNames: Map<string, string>, dateKeys: Set<string>): Witness {
  const witness: Witness = {}
  const principal = rawValue(cell, 'principal')
  if (typeof principal === 'string' && principal !== SELF) witness.principal = displayString(principal)
  const action = rawValue(cell, 'action')
  if (typeof action === 'string') witness.action = displayAction(action)
  const resource = rawValue(cell, 'resource')
  if (typeof resource === 'string') witness.resource = displayString(resource)
  const context: Record<string, unknown> = {}
  for (const [name, c] of cell.cells) {
    if (!name.startsWith('context:') || c.value === undefined) continue
    const key = name.slice('context:'.length)
    // Defined, not assigned: a condition key named `__proto__` must become an own key of the witness.
    Object.defineProperty(context, keyNames.get(key) ?? key, {
      value: displayContextValue(c, dateKeys.has(key)),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  if (Object.keys(context).length > 0) witness.context = context
  return witness
}

/**
 * Date keys are shown as ISO 8601: the engine holds instants as epoch milliseconds, but AWS
 * reads a bare number in a date context value as epoch seconds, so a number would be wrong.
 */
function displayContextValue(cell: Cell, date: boolean): unknown {
  const one = (v: unknown): unknown =>
    typeof v === 'object' && v !== null && 'n' in v
      ? formatIp((v as IpValue).v6, (v as IpValue).n)
      : typeof v === 'string'
        ? displayString(v)
        : date && typeof v === 'number'
          ? new Date(v).toISOString()
          : v
  return Array.isArray(cell.value) ? cell.value.map(one) : one(cell.value)
}

// --- rules ---------------------------------------------------------------------------

interface Classified {
  rule: AwsRule
  severity: Severity
  /** the baseline statement this access exceeds (or, for narrowings, the target one) */
  related: CompiledRule | undefined
}

const asList = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String))
const hasWildcard = (patterns: string[]) => patterns.some((p) => p.includes('*') || p.includes('?'))

const REQUEST_DIMENSIONS = ['principal', 'action', 'resource'] as const

/**
 * Whether `rule` allows the cell's value of each of `dims` (its conditions aside). Dimension by
 * dimension, stopping at the first miss: classification asks this of every baseline statement.
 */
const allows = (rule: CompiledRule, cell: DifferenceCell, ...dims: string[]) =>
  dims.every((dim) => {
    const predicate = rule.predicates.get(dim)
    const cellOf = cell.cells.get(dim)
    return (
      predicate === undefined ||
      cellOf === undefined ||
      evaluate(predicate, (l) => leafHolds(l, cellOf.value))
    )
  })

/**
 * Names what changed, from the most to the least alarming, by asking which baseline
 * statement came closest to allowing the witness and what it lacked.
 */
function classifyWidening(
  cell: DifferenceCell,
  responsible: CompiledRule,
  baseline: CompiledRule[],
): Classified {
  const raw = responsible.statement.raw
  const action = rawValue(cell, 'action')
  const actions = asList(raw.Action)
  const resources = asList(raw.Resource)
  const allowsOf = baseline.filter((b) => b.effect === 'allow')
  const closest = (...dims: string[]) => allowsOf.find((b) => allows(b, cell, ...dims))
  const sameSid = baseline.find(
    (b) => b.statement.sid !== undefined && b.statement.sid === responsible.statement.sid,
  )
  const covering = closest('principal', 'action', 'resource')
  const related =
    covering ?? sameSid ?? closest('action', 'resource') ?? closest('action') ?? closest('principal')

  // Cells a baseline Deny covered are grouped apart: what changed for them is the Deny.
  const removedDeny = cell.matched.otherDeny[0] as CompiledRule | undefined
  const publicAccess = rawValue(cell, 'principal') === ANYONE
  if (removedDeny)
    return {rule: 'deny-removed', severity: publicAccess ? 'critical' : 'high', related: removedDeny}
  if (publicAccess) return {rule: 'public-principal', severity: 'critical', related}
  if (actions.some((a) => a === '*' || a === '*:*') && (resources.length === 0 || resources.includes('*'))) {
    return {rule: 'admin-wildcard', severity: 'critical', related}
  }
  if (typeof action === 'string' && PRIVILEGE_ESCALATION.has(action)) {
    return {rule: 'privilege-escalation', severity: 'high', related}
  }
  if (covering) return {rule: 'condition-removed', severity: 'medium', related: covering}
  const otherPrincipal = closest('action', 'resource')
  if (otherPrincipal) return {rule: 'new-principal', severity: 'medium', related: otherPrincipal}
  if ('NotAction' in raw || (hasWildcard(actions) && !actions.some((a) => a.toLowerCase() === action))) {
    return {rule: 'wildcard-action', severity: 'medium', related}
  }
  const resource = rawValue(cell, 'resource')
  if ('NotResource' in raw || (hasWildcard(resources) && !resources.includes(String(resource)))) {
    return {rule: 'wildcard-resource', severity: 'medium', related}
  }
  return {rule: 'new-grant', severity: 'low', related}
}

function classifyNarrowing(cell: DifferenceCell, target: CompiledRule[]): Classified {
  if (cell.matched.otherDeny.length > 0) {
    return {rule: 'deny-added', severity: 'low', related: cell.matched.otherDeny[0] as CompiledRule}
  }
  const covering = target.find((t) => t.effect === 'allow' && allows(t, cell, ...REQUEST_DIMENSIONS))
  if (covering) return {rule: 'condition-added', severity: 'low', related: covering}
  return {rule: 'grant-removed', severity: 'low', related: undefined}
}

// --- findings ------------------------------------------------------------------------

/** The one sentence a finding says, from what changed, its rule and its witness. */
export function describeFinding(change: ChangeType, rule: string, witness: Witness, reason?: string): string {
  const title = RULES[rule as AwsRule]?.title ?? rule
  const what = requestText(witness)
  return change === 'narrowing'
    ? sentence.plain(title, what.replace(' can call ', ' can no longer call '))
    : sentence.of(change, title, what, {reason})
}

function requestText(witness: Witness): string {
  const who =
    witness.principal === undefined
      ? 'the identity this policy is attached to'
      : witness.principal === ANYONE
        ? 'anyone, including anonymous callers,'
        : String(witness.principal)
  const on = witness.resource === undefined ? '' : ` on ${String(witness.resource)}`
  const when = witness.context === undefined ? '' : ` (with ${JSON.stringify(witness.context)})`
  return `${who} can call ${String(witness.action ?? 'any action')}${on}${when}`
}

/**
 * A statement as access: without its Sid (a name, not access), and with the values AWS reads as
 * lists written as lists, so that `"Action": "s3:GetObject"` and `["s3:GetObject"]` are one access.
 */
function accessOf(statement: Statement): Record<string, unknown> {
  const access = {...statement.raw}
  delete access.Sid
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource'])
    if (key in access) access[key] = asList(access[key])
  for (const key of ['Principal', 'NotPrincipal']) {
    const principal = access[key]
    if (typeof principal === 'object' && principal !== null && !Array.isArray(principal))
      access[key] = mapValues(principal as Record<string, unknown>, asList)
  }
  const condition = access.Condition
  if (typeof condition === 'object' && condition !== null && !Array.isArray(condition))
    access.Condition = mapValues(condition as Record<string, unknown>, (block) =>
      typeof block === 'object' && block !== null && !Array.isArray(block)
        ? mapValues(block as Record<string, unknown>, asList)
        : block,
    )
  return access
}

/**
 * Whether a Deny can take back some of what an Allow grants: they share an action. (An
 * over-approximation, principals, resources and conditions aside: a Deny it names in vain only
 * makes the id change more often.)
 */
function sharesAction(deny: CompiledRule, allow: CompiledRule): boolean {
  const a = allow.predicates.get('action')
  const d = deny.predicates.get('action')
  if (a === undefined || d === undefined) return true
  const leaves = [...leavesOf(d, leavesOf(a)).values()]
  return actionDomain()
    .cells(leaves)
    .some((cell) => evaluate(a, (l) => test(cell, l)) && evaluate(d, (l) => test(cell, l)))
}

/** The object's own entries with `f` applied (own keys such as `__proto__` stay data). */
const mapValues = (object: Record<string, unknown>, f: (value: unknown) => unknown) =>
  Object.fromEntries(Object.entries(object).map(([k, v]) => [k, f(v)]))

function wideningDraft(
  file: string,
  group: DifferenceCell[],
  target: Side,
  baseline: Side,
  describe: (c: DifferenceCell) => Witness,
): FindingDraft<AwsRule> {
  const responsible = group[0]!.matched.allowed[0] as CompiledRule
  // The group's baseline Deny that no longer applies (groups are split by it): part of the access.
  const exceededDeny = group[0]!.matched.otherDeny[0] as CompiledRule | undefined
  const scored = group.map((cell) => {
    const outside = outsideCatalogue(cell)
    const possible = cell.status === 'possible' || outside !== undefined
    const classified: Classified = possible
      ? {
          rule: outside ? 'unknown-action' : 'undecidable-condition',
          severity: outside ? 'low' : 'medium',
          related: classifyWidening(cell, responsible, baseline.rules).related,
        }
      : classifyWidening(cell, responsible, baseline.rules)
    return {cell, classified, possible, reason: outside ?? cell.reason}
  })
  const best = mostTelling(scored, ({cell, classified, possible}) => {
    const action = rawValue(cell, 'action')
    return {
      possible,
      severity: classified.severity,
      weight: typeof action === 'string' ? actionWeight(action) : 0,
    }
  })
  const witness = describe(best.cell)
  const related = best.classified.related
  const change = best.possible ? 'possible-widening' : 'widening'
  return {
    rule: best.classified.rule,
    severity: best.classified.severity,
    at: {file, pointer: responsible.statement.pointer},
    baseline: related ? {file, pointer: related.statement.pointer} : null,
    message: describeFinding(change, best.classified.rule, witness, best.reason),
    witness,
    ...(best.possible ? {reason: best.reason} : {}),
    before: related?.statement.raw ?? null,
    after: responsible.statement.raw,
    access: {
      statement: accessOf(responsible.statement),
      exceeds: exceededDeny && accessOf(exceededDeny.statement),
      // The target's Denies that can take some of it back: removing one grants more.
      cutBy: target.rules
        .filter((r) => r.effect === 'deny' && sharesAction(r, responsible))
        .map((r) => accessOf(r.statement)),
    },
  }
}

function narrowingDraft(
  file: string,
  group: DifferenceCell[],
  target: Side,
  describe: (c: DifferenceCell) => Witness,
): FindingDraft<AwsRule> {
  const responsible = group[0]!.matched.allowed[0] as CompiledRule
  const cell = group[0]!
  const classified = classifyNarrowing(cell, target.rules)
  const witness = describe(cell)
  const related = classified.related
  // Where to look in the target: the statement that now restricts, else its successor by Sid.
  const located =
    related ??
    target.rules.find((t) => t.statement.sid !== undefined && t.statement.sid === responsible.statement.sid)
  return {
    rule: classified.rule,
    at: {file, pointer: located?.statement.pointer ?? null},
    baseline: {file, pointer: responsible.statement.pointer},
    message: describeFinding('narrowing', classified.rule, witness),
    witness,
    before: responsible.statement.raw,
    after: related?.statement.raw ?? null,
    access: {statement: accessOf(responsible.statement)},
  }
}

function unknownActionNotes(file: string, sides: Sides, statements: Statement[]): string[] {
  const notes: string[] = []
  for (const s of statements) {
    for (const field of ['Action', 'NotAction']) {
      for (const action of asList(s.raw[field])) {
        if (action.includes('*') || action.includes('?')) continue
        if (!isKnownAction(action.toLowerCase())) {
          const line = lineAt(sides.target.get(file), s.pointer)
          notes.push(`${file}${line ? `:${line}` : ''}: ${action} is not a known AWS action`)
        }
      }
    }
  }
  return notes
}
