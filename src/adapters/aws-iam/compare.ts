// Compares two versions of one IAM policy file: every request the target allows and the
// baseline does not becomes part of a widening finding with a witness; the reverse, a
// narrowing. Findings are grouped per responsible statement, with the most telling witness.
//
// Three searches: what the target allows and the baseline does not (widenings); what a baseline
// Deny no longer stops although nothing in the file allows it (a Deny restricts every policy that
// applies to the request, so another one may: possible widenings); and the reverse of the first
// (narrowings). Where patterns hold symbols (policy variables, a template's unresolved values),
// each request found is judged for every value they may take (witness.ts, engine/symbolic.ts),
// and a last search finds what only some values would allow.

import {
  ipDomain,
  numberDomain,
  opaqueDomain,
  setDomain,
  stringDomain,
  test,
  type Domain,
} from '../../engine/domains.js'
import {evaluate, leavesOf} from '../../engine/formula.js'
import {type Glob, isTemplateSymbol, symbolNamesIn} from '../../engine/glob.js'
import {
  type DifferenceCell,
  type Dimension,
  differenceOrPossible,
  type Rule,
  type SearchReport,
  type Truncation,
} from '../../engine/search.js'
import {differenceForSomeValue, ruleHasSymbols} from '../../engine/symbolic.js'
import {
  canonicalAccess,
  completeFinding,
  type FindingDraft,
  lineAt,
  mostTelling,
  sentence,
  type Sides,
  sidesOf,
} from '../../kernel/findings.js'
import {hasSymbol} from '../../kernel/symbols.js'
import {truncatedDraft, truncationMessage} from '../../kernel/truncation.js'
import {valueHash} from '../../kernel/hash.js'
import type {ChangeType, Finding, ParsedFile, Severity, Witness} from '../../kernel/types.js'
import type {Comparison} from '../adapter.js'
import {accessText} from './access.js'
import {actionDomain, actionWeight, isKnownAction} from './catalogue.js'
import {type Classified, classifyNarrowing, classifyWidening} from './classify.js'
import {
  accessOf,
  ANYONE,
  type CompiledRule,
  type CompileContext,
  compileDocument,
  contextDimension,
  guardrailOf,
  type GuardrailType,
  IDENTITY,
  keyTraits,
  principalPoliciesOf,
  principalSamples,
  type Statement,
  statementsOf,
} from './compile.js'
import {pairStatements} from './pair.js'
import {unrelatedStatements} from './restrict.js'
import {type AwsRule, RULES, SPLIT} from './rules.js'
import {type Judged, judge, realShaped, type Request, requestOf, witnessOf} from './witness.js'

/** Cap on difference cells per direction and file: beyond it the result says it was cut short. */
const CELL_LIMIT = 2000

interface Side {
  rules: CompiledRule[]
  /** its Deny rules: each finding asks which of them can take its access back */
  denies: CompiledRule[]
}

const sideOf = (rules: CompiledRule[]): Side => ({rules, denies: rules.filter((r) => r.effect === 'deny')})

/** One request found by a search, judged, with what it says about the statements. */
interface Found {
  cell: DifferenceCell
  judged: Judged
  /** the statement responsible (the first of the allowed side that allows it) */
  responsible: CompiledRule
  /** the other side's Deny that stops it there (the Deny that no longer applies, for a widening) */
  deny: CompiledRule | undefined
}

interface Model {
  base: Side
  tgt: Side
  statements: Statement[]
  dimensions: Dimension[]
  /** the same, with no witness value that holds a symbol (for the search with symbols relaxed) */
  plainDimensions: Dimension[]
  opaque: Set<string>
  symbolic: boolean
  /** the file is an SCP or RCP: its findings carry the guardrail rules */
  guardrail: GuardrailType | undefined
  /** the baseline has no such policy (a new file, or a document new in its file): a new access is a new policy */
  newPolicy: boolean
  /** the user or role whose composed policies the file holds (an account export), by ARN */
  self: string | undefined
  names: {keys: Map<string, string>; actions: Map<string, string>; dates: Set<string>}
  /** each side's statements */
  sides: {base: Statement[]; tgt: Statement[]}
  /** the statements paired with their versions on the other side (pair.ts), once a finding asks */
  pairing?: Pairing
  /** every baseline statement's rules, for a widening's classification (restrict.ts), once one asks */
  baseline: () => CompiledRule[]
}

interface Pairing {
  previous: Map<Statement, Statement>
  next: Map<Statement, Statement>
  /** the baseline's rules by statement */
  rules: Map<Statement, CompiledRule[]>
}

function pairingOf(model: Model): Pairing {
  if (model.pairing === undefined) {
    const previous = pairStatements(model.sides.base, model.sides.tgt)
    const rules = new Map<Statement, CompiledRule[]>()
    for (const r of model.base.rules) rules.set(r.statement, [...(rules.get(r.statement) ?? []), r])
    model.pairing = {previous, next: new Map([...previous].map(([t, b]) => [b, t])), rules}
  }
  return model.pairing
}

/** The rules of the target statement's previous version (none: a new statement). */
function previousRules(model: Model, statement: Statement): CompiledRule[] {
  const {previous, rules} = pairingOf(model)
  const before = previous.get(statement)
  return before === undefined ? [] : (rules.get(before) ?? [])
}

/**
 * The model of a comparison. With the two versions' texts given, the statements that cannot take
 * part in any difference are left out of both sides' rules (restrict.ts); everything else that
 * reads statements reads them all.
 */
function modelOf(
  baseline: ParsedFile | undefined,
  target: ParsedFile | undefined,
  texts: readonly string[] | undefined,
): Model {
  const baseStatements = baseline ? statementsOf(baseline.value) : []
  const targetStatements = target ? statementsOf(target.value) : []
  const statements = [...baseStatements, ...targetStatements]
  const ctx: CompileContext = {traits: keyTraits(statements), opaque: new Map()}
  const left =
    texts === undefined ? new Set<Statement>() : unrelatedStatements(baseStatements, targetStatements, texts)
  const compiled = (side: Statement[]) =>
    compileDocument(
      side.filter((s) => !left.has(s)),
      ctx,
    )
  const base = sideOf(compiled(baseStatements))
  const tgt = sideOf(compiled(targetStatements))
  let wholeBaseline: CompiledRule[] | undefined = left.size === 0 ? base.rules : undefined
  const rules = [...base.rules, ...tgt.rules]
  const dates = new Set(
    [...ctx.traits].filter(([, t]) => t.families.size === 1 && t.families.has('date')).map(([k]) => k),
  )
  return {
    base,
    tgt,
    statements,
    dimensions: buildDimensions(statements, ctx, rules, false),
    plainDimensions: buildDimensions(statements, ctx, rules, true),
    opaque: new Set(ctx.opaque.keys()),
    symbolic: rules.some(ruleHasSymbols),
    guardrail: guardrailOf(target?.value ?? baseline?.value)?.type,
    newPolicy: baseline === undefined,
    self: principalPoliciesOf(target?.value ?? baseline?.value)?.principal,
    names: {keys: originalKeyNames(statements), actions: actionSpellings(statements), dates},
    sides: {base: baseStatements, tgt: targetStatements},
    baseline: () => (wholeBaseline ??= compileDocument(baseStatements, ctx)),
  }
}

export const compareIamFile = (
  file: string,
  baseline: ParsedFile | undefined,
  target: ParsedFile | undefined,
): Comparison => compareVersions(file, baseline, target, true)

/**
 * The comparison of two versions of a policy file; `restricted`, on the statements that can take
 * part in a difference only (restrict.ts), which finds the same.
 */
export function compareVersions(
  file: string,
  baseline: ParsedFile | undefined,
  target: ParsedFile | undefined,
  restricted: boolean,
): Comparison {
  const texts = baseline && target && [accessText(baseline.value), accessText(target.value)]
  // Versions that differ only in their statements' Sids grant the same (access.ts): nothing to
  // search, as in attribution's versions (an audit's files renamed and otherwise left alone).
  if (texts !== undefined && texts[0] !== undefined && texts[0] === texts[1]) {
    const sides = sidesOf(file, baseline, target)
    return {findings: [], notes: unknownActionNotes(file, sides, statementsOf(target!.value))}
  }
  const known = texts?.every((text): text is string => text !== undefined) ? texts : undefined
  const model = modelOf(baseline, target, restricted ? known : undefined)
  const {base, tgt} = model
  const notes: string[] = []
  const findings: Finding[] = []
  const sides = sidesOf(file, baseline, target)
  const complete = (draft: FindingDraft<AwsRule>) => completeFinding('aws-iam', RULES, sides, draft)
  const truncations: Truncation[] = []
  const report: SearchReport = {file, notes, limit: CELL_LIMIT, truncations}

  // What the target allows and the baseline does not.
  const widened = found(
    model,
    differenceOrPossible(model.dimensions, tgt, base, 'widening', report),
    tgt.rules,
    base.rules,
  )
  if (model.symbolic) {
    const reported = new Set(widened.map((f) => f.responsible.statement))
    const covered = (cell: DifferenceCell) =>
      reported.has((cell.matched.allowed[0] as CompiledRule | undefined)?.statement as Statement)
    for (const {cell, values} of differenceForSomeValue(model.plainDimensions, tgt, base, {
      limit: CELL_LIMIT,
      covered,
      truncations,
    })) {
      const judged = judge(requestOf(cell), tgt.rules, base.rules, model.opaque, values)
      // Found only for some value: a template's value, or a request's that the search's generic value missed.
      const decided: Judged =
        judged.status === 'definite' && [...values.keys()].every((s) => !isTemplateSymbol(s))
          ? judged
          : {...judged, status: 'possible', reason: cell.reason}
      widened.push(...found(model, [{...cell, status: 'possible'}], tgt.rules, base.rules, decided))
    }
  }
  // A possible widening whose request a definite one already names adds nothing.
  const definite = widened.filter((f) => f.judged.status === 'definite').map((f) => f.judged.request)
  const news = (f: Found) =>
    f.judged.status === 'definite' || !definite.some((d) => sameRequest(f.judged.request, d, model.opaque))
  for (const group of groupByStatement(widened.filter(news), model.statements))
    findings.push(complete(wideningDraft(file, group, model)))

  // What a baseline Deny stopped that nothing denies now, and nothing in this file allows.
  for (const group of groupByStatement(denyNoLongerInForce(model, report).filter(news), model.statements))
    findings.push(complete(denyRemovedDraft(file, group, model, target !== undefined)))

  // A widening search cut short: what lies past the cut was never listed, so it cannot be approved.
  const cut = truncations.filter((t) => t.direction === 'widening')
  if (cut.length > 0)
    findings.push(complete(truncatedDraftOf(file, cut, model, findings, target !== undefined)))

  // What the baseline allowed and the target does not: informational, definite ones only.
  const narrowed = found(
    model,
    differenceOrPossible(model.dimensions, base, tgt, 'narrowing', report),
    base.rules,
    tgt.rules,
  ).filter((f) => f.judged.status === 'definite' && !outsideCatalogue(f.cell))
  for (const group of groupByStatement(narrowed, model.statements))
    findings.push(complete(narrowingDraft(file, group, model)))

  notes.push(...unknownActionNotes(file, sides, target ? statementsOf(target.value) : []))
  return {findings, notes}
}

/** The cells of a search, judged (when symbols are in play) and kept unless they differ for no value. */
function found(
  model: Model,
  cells: DifferenceCell[],
  allowed: readonly CompiledRule[],
  other: readonly CompiledRule[],
  given?: Judged,
): Found[] {
  const out: Found[] = []
  for (const cell of cells) {
    const responsible = cell.matched.allowed[0] as CompiledRule
    const deny = cell.matched.otherDeny[0] as CompiledRule | undefined
    let judged: Judged
    if (given !== undefined) judged = given
    else if (cell.cells.size === 0 || !model.symbolic)
      judged = {request: requestOf(cell), status: cell.status, reason: cell.reason, variables: new Map()}
    else {
      judged = judge(requestOf(cell), allowed, other, model.opaque)
      if (judged.status === 'none') continue
      if (judged.status === 'possible') judged.reason = symbolReason(cell, model)
    }
    out.push({cell, judged, responsible, deny})
  }
  return out
}

function symbolReason(cell: DifferenceCell, model: Model): string {
  const names = new Set<string>()
  for (const rule of [...model.base.rules, ...model.tgt.rules])
    for (const p of rule.predicates.values())
      for (const l of leavesOf(p).values())
        if (l.type === 'glob' && l.glob.symbolic === true)
          for (const n of symbolNamesOfGlob(l.glob)) names.add(n)
  const what = [...names].map((n) => `\${${n}}`).join(', ')
  const also = cell.status === 'possible' && cell.reason !== undefined ? `; ${cell.reason}` : ''
  return `depends on the value of ${what || 'a value the file does not give'}${also}`
}

const symbolNamesOfGlob = (glob: Glob) =>
  glob.tokens.flatMap((t) => (t.t === 'lit' ? symbolNamesIn(t.c) : []))

function buildDimensions(
  statements: Statement[],
  ctx: CompileContext,
  rules: CompiledRule[],
  plain: boolean,
): Dimension[] {
  const principals = principalSamples(statements).filter((p) => !plain || symbolNamesIn(p).length === 0)
  const dims: Dimension[] = [
    // Actions and resources are compared by statement, not by pattern (Dimension.grouped): a
    // cell's action is its most sensitive, and a witness's resource is made real-shaped after.
    {name: 'action', domain: actionDomain(), grouped: true},
    // "*" first: a witness resource of "*" reads as "any resource" where nothing narrower applies.
    {name: 'resource', domain: stringDomain(['*']), grouped: true},
    {name: 'principal', domain: stringDomain(principals)},
  ]
  if (rules.some((r) => r.predicates.has(IDENTITY))) dims.push({name: IDENTITY, domain: stringDomain()})
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

/** A reason that names an action outside the catalogue, with the action as the policy spells it. */
const spelled = (reason: string, model: Model) =>
  reason.replace(/^\S+/, (action) => model.names.actions.get(action) ?? action)

/** Actions as the policies spell them (an action the catalogue does not know keeps its own spelling). */
function actionSpellings(statements: Statement[]): Map<string, string> {
  const spellings = new Map<string, string>()
  for (const s of statements)
    for (const field of ['Action', 'NotAction'])
      for (const a of asList(s.raw[field]))
        if (!isKnownAction(a.toLowerCase()) && !spellings.has(a.toLowerCase()))
          spellings.set(a.toLowerCase(), a)
  return spellings
}

/**
 * One finding per responsible statement, and apart from it, one per statement of the other
 * side that no longer applies (a removed Deny is worth its own finding). Statements, not their
 * rules: a statement that allows in several ways is one finding.
 */
function groupByStatement(cells: Found[], statements: Statement[]): Found[][] {
  const order = new Map(statements.map((s, i) => [s, i]))
  const groups = new Map<string, Found[]>()
  const rank = new Map<string, [number, number]>()
  for (const f of cells) {
    const at = [
      order.get(f.responsible.statement) ?? -1,
      f.deny ? (order.get(f.deny.statement) ?? -1) : -1,
    ] as [number, number]
    const key = at.join(':')
    groups.set(key, [...(groups.get(key) ?? []), f])
    rank.set(key, at)
  }
  return [...groups.keys()]
    .sort((a, b) => rank.get(a)![0] - rank.get(b)![0] || rank.get(a)![1] - rank.get(b)![1])
    .map((k) => groups.get(k)!)
}

const outsideCatalogue = (cell: DifferenceCell) => cell.cells.get('action')?.outsideCatalogue

// --- a Deny no longer in force -------------------------------------------------------------------

/** Equal values (undefined: the key missing from the request). */
const sameValue = (x: unknown, y: unknown) =>
  x === undefined || y === undefined ? x === y : valueHash(x) === valueHash(y)

/**
 * Whether two requests ask for the same access: equal wherever both give a value, unknown
 * conditions aside, and the keys that stand for a template's value too (`${Effect ${Mode}}`,
 * documents.ts eachEffect: no AWS condition key holds `${`), since those say under which
 * deployment, not what is asked.
 */
function sameRequest(a: Request, b: Request, opaque: ReadonlySet<string>): boolean {
  const access = (dim: string) => !opaque.has(dim) && !(dim.startsWith('context:') && dim.includes('${'))
  const shared = [...a.keys()].filter((dim) => b.has(dim) && access(dim))
  return shared.includes('action') && shared.every((dim) => sameValue(a.get(dim), b.get(dim)))
}

/** Every request: the side against which a Deny alone decides. */
const EVERYTHING: Rule = {index: -1, effect: 'allow', predicates: new Map()}

/**
 * Requests a baseline Deny stopped, that no target Deny stops and no target Allow allows (what
 * a target Allow allows is a widening found above). Another policy may allow them: each is a
 * possible widening whose responsible statement is the Deny that no longer applies.
 */
function denyNoLongerInForce(model: Model, report: {file: string; notes: string[]; limit: number}): Found[] {
  const baseDenies = model.base.denies
  if (baseDenies.length === 0) return []
  const targetDenies = model.tgt.denies
  // A target Allow here stands for "already reported": as a Deny, it takes its requests out.
  const targetAllows = model.tgt.rules
    .filter((r) => r.effect === 'allow')
    .map((r) => ({...r, effect: 'deny' as const}))
  const free = {rules: [EVERYTHING, ...targetDenies, ...targetAllows]}
  const guarded = {rules: [EVERYTHING, ...baseDenies]}
  const out: Found[] = []
  // A search that could not be decided names no Deny: each baseline Deny the target does not
  // keep word for word may be the one that no longer stops it.
  const kept = new Set(targetDenies.map((r) => canonicalAccess(accessOf(r.statement))))
  const changed = baseDenies.filter((r) => !kept.has(canonicalAccess(accessOf(r.statement))))
  for (const cell of differenceOrPossible(model.dimensions, free, guarded, 'widening', report)) {
    if (cell.cells.size === 0) {
      const deniesOf = new Set<Statement>()
      for (const deny of changed) {
        if (deniesOf.has(deny.statement)) continue
        deniesOf.add(deny.statement)
        const judged = {
          request: requestOf(cell),
          status: 'possible' as const,
          reason: cell.reason,
          variables: new Map(),
        }
        out.push({
          cell: {...cell, matched: {...cell.matched, otherDeny: [deny]}},
          judged,
          responsible: deny,
          deny,
        })
      }
      continue
    }
    const deny = cell.matched.otherDeny[0] as CompiledRule | undefined
    if (deny === undefined) continue
    const request = requestOf(cell)
    const judged =
      model.symbolic && cell.cells.size > 0
        ? judge(request, free.rules, guarded.rules, model.opaque)
        : {request, status: cell.status, reason: cell.reason, variables: new Map<string, string>()}
    if (judged.status === 'none') continue
    // What else it depends on (a condition acldrift cannot interpret, a symbol's value).
    if (judged.status === 'possible') judged.reason ??= cell.reason ?? symbolReason(cell, model)
    out.push({cell, judged, responsible: deny, deny})
  }
  return out
}

// --- findings ------------------------------------------------------------------------------------

/** The one sentence a finding says, from what changed, its rule and its witness. */
export function describeFinding(change: ChangeType, rule: string, witness: Witness, reason?: string): string {
  const title = RULES[rule as AwsRule]?.title ?? rule
  if (rule === 'comparison-truncated') return truncationMessage(reason, requestText(witness, false), SPLIT)
  const what = requestText(witness, rule.startsWith('guardrail-'))
  return change === 'narrowing'
    ? sentence.plain(title, what.replace(/ (can|may) call /, ' $1 no longer call '))
    : sentence.of(change, title, what, {reason})
}

/** The request in words; a guardrail's is what it lets the principals (SCP) or callers (RCP) of its accounts do. */
function requestText(witness: Witness, guardrail: boolean): string {
  const who =
    witness.principal === undefined
      ? guardrail
        ? 'principals of the accounts under it'
        : 'the identity this policy is attached to'
      : witness.principal === ANYONE
        ? guardrail
          ? 'any caller'
          : 'anyone, including anonymous callers,'
        : String(witness.principal)
  const through =
    guardrail && witness.otherPolicyAllows === true
      ? ' (where another SCP or RCP permits it)'
      : witness.identityPolicyAllows === false
        ? ' (even where its own IAM policies do not allow it)'
        : witness.identityPolicyAllows === true
          ? ' (where its own IAM policies allow it)'
          : witness.otherPolicyAllows === true
            ? ' (where another policy allows it)'
            : ''
  const on = witness.resource === undefined ? '' : ` on ${String(witness.resource)}`
  const when = witness.context === undefined ? '' : ` (with ${JSON.stringify(witness.context)})`
  return `${who}${through} ${guardrail ? 'may' : 'can'} call ${String(witness.action ?? 'any action')}${on}${when}`
}

const asList = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String))

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

/** A finding's candidates, each with its rule, severity and witness: the most telling is shown. */
interface Scored {
  found: Found
  classified: Classified
  possible: boolean
  reason: string | undefined
}

function best(scored: Scored[]): Scored {
  return mostTelling(scored, ({found: f, classified, possible}) => {
    const action = f.judged.request.get('action')
    return {
      possible,
      severity: classified.severity,
      weight: typeof action === 'string' ? actionWeight(action) : 0,
    }
  })
}

/** The chosen request with a real-shaped resource (and an action that takes it) where one gives the same verdict. */
function shownRequest(
  chosen: Found,
  model: Model,
  allowed: readonly CompiledRule[],
  other: readonly CompiledRule[],
): Judged {
  return realShaped(chosen.judged, chosen.cell.cells.get('action'), [allowed, other], (request) =>
    judge(request, allowed, other, model.opaque, new Map()),
  )
}

const shownWitness = (
  chosen: Found,
  model: Model,
  allowed: readonly CompiledRule[],
  other: readonly CompiledRule[],
): Witness => witnessFor(model, shownRequest(chosen, model, allowed, other))

/** The witness; for a principal's composed policies, naming the principal they are attached to. */
function witnessFor(model: Model, judged: Judged): Witness {
  const witness = witnessOf(judged, model.names)
  return model.self !== undefined && witness.principal === undefined
    ? {principal: model.self, ...witness}
    : witness
}

function wideningDraft(file: string, group: Found[], model: Model): FindingDraft<AwsRule> {
  const responsible = group[0]!.responsible
  // The group's baseline Deny that no longer applies (groups are split by it): part of the access.
  const exceededDeny = group[0]!.deny
  const previous = previousRules(model, responsible.statement)
  const classify = (request: Request) =>
    classifyWidening(request, responsible, model.baseline(), exceededDeny, previous)
  const scored = group.map((f): Scored => {
    const outside = outsideCatalogue(f.cell)
    const possible = f.judged.status === 'possible' || outside !== undefined
    const classified: Classified =
      f.cell.cells.size === 0
        ? {rule: 'undecidable-condition', severity: 'medium', related: undefined}
        : outside
          ? {
              rule: 'unknown-action',
              severity: 'low',
              related: classify(f.judged.request).related,
            }
          : classify(f.judged.request)
    return {found: f, classified, possible, reason: outside ? spelled(outside, model) : f.judged.reason}
  })
  const top = best(scored)
  const shown = shownRequest(top.found, model, model.tgt.rules, model.base.rules)
  // The witness may name another action of the cell, one whose resources fit: the rule is that of
  // the request shown (ssm:* on parameters is no ssm:SendCommand, which takes no parameter).
  const chosen: Scored =
    shown.request.get('action') === top.found.judged.request.get('action') ||
    top.classified.rule === 'unknown-action' ||
    top.classified.rule === 'undecidable-condition'
      ? top
      : {
          ...top,
          classified: classify(shown.request),
        }
  const witness = witnessFor(model, shown)
  const related = chosen.classified.related
  const change = chosen.possible ? 'possible-widening' : 'widening'
  const named = namedFor(model, chosen.classified)
  return {
    ...named,
    at: {file, pointer: responsible.statement.pointer},
    baseline: related ? {file, pointer: related.statement.pointer} : null,
    message: describeFinding(change, named.rule, witness, chosen.reason),
    witness,
    ...(chosen.possible ? {reason: chosen.reason ?? 'depends on what acldrift cannot decide'} : {}),
    before: related?.statement.raw ?? null,
    after: responsible.statement.raw,
    access: {
      statement: accessOf(responsible.statement),
      exceeds: exceededDeny && accessOf(exceededDeny.statement),
      // The target's Denies that can take some of it back: removing one grants more.
      cutBy: model.tgt.denies.filter((r) => sharesAction(r, responsible)).map((r) => accessOf(r.statement)),
    },
  }
}

/**
 * The request with a named principal in place of "anyone" where that gives the same verdict: a
 * Deny that no longer applies lets through whoever some other policy allows, which is a principal
 * with policies of its own.
 */
function namedCaller(f: Found, model: Model, allowed: CompiledRule[], other: CompiledRule[]): Found {
  if (f.judged.request.get('principal') !== ANYONE) return f
  // The policy's own principals first, then a role of the resource's account (or the example
  // account): anonymous callers have no policies of their own, so someone named must be shown.
  const resource = f.judged.request.get('resource')
  const account =
    typeof resource === 'string' ? /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(resource)?.[1] : undefined
  const fallback = `arn:aws:iam::${account ?? '111122223333'}:role/example-role`
  for (const principal of [...principalSamples(model.statements), fallback]) {
    if (principal === ANYONE || !principal.startsWith('arn:')) continue
    const request = new Map(f.judged.request).set('principal', principal)
    const judged = judge(request, allowed, other, model.opaque)
    if (judged.status === f.judged.status) return {...f, judged: {...judged, reason: f.judged.reason}}
  }
  return f
}

/**
 * The rule and severity a finding carries: in a guardrail (an SCP or RCP), the guardrail's own,
 * since what it lets through it permits and does not grant (public access, administrator access
 * and the like are what the accounts' own policies may grant under it).
 */
function namedFor(
  model: Model,
  classified: {rule: AwsRule; severity: Severity},
): {rule: AwsRule; severity?: Severity} {
  if (model.guardrail === undefined)
    return {
      rule: model.newPolicy && classified.rule === 'new-grant' ? 'new-policy' : classified.rule,
      severity: classified.severity,
    }
  if (classified.rule === 'deny-removed') return {rule: 'guardrail-deny-removed'}
  return {rule: RULES[classified.rule].change === 'narrowing' ? 'guardrail-tightened' : 'guardrail-widened'}
}

/** A baseline Deny that no longer stops requests nothing in the file allows: another policy may. */
function denyRemovedDraft(
  file: string,
  group: Found[],
  model: Model,
  targetExists: boolean,
): FindingDraft<AwsRule> {
  const deny = group[0]!.deny!
  const chosen = best(
    group.map((f) => ({
      found: f,
      classified: classifyWidening(f.judged.request, deny, [], deny),
      possible: true,
      reason: f.judged.reason,
    })),
  )
  const free = [EVERYTHING, ...model.tgt.denies] as CompiledRule[]
  const guarded = [EVERYTHING, ...model.base.denies] as CompiledRule[]
  // The request as it gets through: where another policy allows it (semantic blame asks each
  // version of the file whether it still denies it).
  const witness = {
    ...shownWitness(namedCaller(chosen.found, model, free, guarded), model, free, guarded),
    otherPolicyAllows: true,
  }
  // The Deny's next version (pair.ts: by Sid, else by content), if it has one.
  const next = pairingOf(model).next.get(deny.statement)
  const successor = next && model.tgt.rules.find((t) => t.statement === next)
  const reason =
    (model.guardrail
      ? 'nothing in this guardrail permits it, but FullAWSAccess or another SCP or RCP at the same target may'
      : model.self !== undefined
        ? "none of the principal's own policies allows it (under its boundary), but a resource policy that names it may"
        : deny.statement.hasPrincipal
          ? "nothing in this policy allows it, but the principals' own IAM policies may"
          : 'nothing in this policy allows it, but another policy attached to the same identity may') +
    ', and the Deny no longer stops it' +
    (chosen.reason ? `; ${chosen.reason}` : '')
  // Not public access: whoever makes the request needs a policy of their own that allows it.
  const named = namedFor(model, {rule: 'deny-removed', severity: 'high'})
  return {
    ...named,
    // Where the Deny stood: its successor, else the file's statements, else (the file deleted)
    // the Deny in the file's last version. Never nowhere: the finding must point at the change.
    at: successor
      ? {file, pointer: successor.statement.pointer}
      : targetExists
        ? {file, pointer: model.guardrail ? '/Content/Statement' : '/Statement'}
        : {file, pointer: deny.statement.pointer, side: 'baseline'},
    baseline: {file, pointer: deny.statement.pointer},
    message: describeFinding('possible-widening', named.rule, witness, reason),
    witness,
    reason,
    before: deny.statement.raw,
    after: successor?.statement.raw ?? null,
    access: {removed: accessOf(deny.statement), now: successor && accessOf(successor.statement)},
  }
}

/** The finding that says a widening search stopped at CELL_LIMIT cells (kernel/truncation.ts). */
function truncatedDraftOf(
  file: string,
  truncations: Truncation[],
  model: Model,
  listed: readonly Finding[],
  targetExists: boolean,
): FindingDraft<AwsRule> {
  const statements = model.guardrail ? '/Content/Statement' : '/Statement'
  return truncatedDraft({
    at: targetExists ? {file, pointer: statements} : {file, pointer: statements, side: 'baseline'},
    truncations,
    witness: (next) => {
      const witness = witnessFor(model, {
        request: requestOf(next),
        status: next.status,
        reason: next.reason,
        variables: new Map(),
      })
      return {witness, text: requestText(witness, false)}
    },
    listed,
    split: SPLIT,
  })
}

function narrowingDraft(file: string, group: Found[], model: Model): FindingDraft<AwsRule> {
  const responsible = group[0]!.responsible
  const first = group[0]!
  const classified = classifyNarrowing(first.judged.request, model.tgt.rules, first.deny)
  const witness = shownWitness(first, model, model.base.rules, model.tgt.rules)
  const related = classified.related
  const named = namedFor(model, classified)
  // Where to look in the target: the statement that now restricts, else the statement's next
  // version (pair.ts: by Sid, else by content).
  const located = related?.statement ?? pairingOf(model).next.get(responsible.statement)
  return {
    rule: named.rule,
    at: {file, pointer: located?.pointer ?? null},
    baseline: {file, pointer: responsible.statement.pointer},
    message: describeFinding('narrowing', named.rule, witness),
    witness,
    before: responsible.statement.raw,
    after: located?.raw ?? null,
    access: {statement: accessOf(responsible.statement)},
  }
}

function unknownActionNotes(file: string, sides: Sides, statements: Statement[]): string[] {
  const notes: string[] = []
  for (const s of statements) {
    for (const field of ['Action', 'NotAction']) {
      for (const action of asList(s.raw[field])) {
        // A template's value (a managed policy whose content is not given) is named, as nobody can
        // read what it grants; whitespace in a literal action is a possible widening's reason instead.
        if (action.includes('*') || action.includes('?') || (/\s/.test(action) && !hasSymbol(action)))
          continue
        if (!isKnownAction(action.toLowerCase())) {
          const line = lineAt(sides.target.get(file), s.pointer)
          notes.push(`${file}${line ? `:${line}` : ''}: ${action} is not a known AWS action`)
        }
      }
    }
  }
  return notes
}
