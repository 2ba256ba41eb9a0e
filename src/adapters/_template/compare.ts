// Compares one _template file with its baseline. A target grant that allows some request the
// baseline does not is a widening, shown by one such request (its witness); a baseline grant that
// allows a request the target does not, a narrowing. The engine decides it exactly, wildcards
// included: it splits the request space into cells on which every grant is constant. A grant
// the engine cannot decide is a possible widening with the reason, never a silent pass.

import {difference, type Rule, Undecidable} from '../../engine/search.js'
import {completeFinding, type FindingDraft, sentence, sidesOf} from '../../kernel/findings.js'
import type {ChangeType, Finding, ParsedFile, Witness} from '../../kernel/types.js'
import type {Comparison} from '../adapter.js'
import {dimensions, type Grant, grantsOf, PERMISSION, rulesOf, SUBJECT} from './evaluate.js'
import {RULES, type TemplateKindRule} from './rules.js'

export function compareTemplateKindFile(
  file: string,
  before: ParsedFile | undefined,
  after: ParsedFile | undefined,
): Comparison {
  const base = grantsOf(before?.value)
  const target = grantsOf(after?.value)
  const sides = sidesOf(file, before, after)
  const findings = [
    ...differences(target, base).map((d) =>
      completeFinding('_template', RULES, sides, draft(file, 'widening', d)),
    ),
    ...differences(base, target).map((d) =>
      completeFinding('_template', RULES, sides, draft(file, 'narrowing', d)),
    ),
  ]
  return {findings, notes: []}
}

interface Difference {
  grant: Grant
  witness: Witness | null
  /** why the engine could not decide (a possible widening) */
  reason?: string
}

/** The grants of `more` that allow a request `less` does not, each with one such request. */
function differences(more: Grant[], less: Grant[]): Difference[] {
  const dims = dimensions([...more, ...less])
  const lessRules = {rules: rulesOf(less)}
  return rulesOf(more).flatMap((rule: Rule, i): Difference[] => {
    const grant = more[i]!
    try {
      const [cell] = difference(dims, {rules: [rule]}, lessRules, {limit: 1}).cells
      if (cell === undefined) return []
      const witness = {subject: cell.cells.get(SUBJECT)?.value, permission: cell.cells.get(PERMISSION)?.value}
      return [{grant, witness}]
    } catch (error) {
      if (!(error instanceof Undecidable)) throw error
      return [{grant, witness: null, reason: error.reason}]
    }
  })
}

function ruleOf(direction: 'widening' | 'narrowing', grant: Grant): TemplateKindRule {
  if (direction === 'narrowing') return 'grant-removed'
  return /^\*+$/.test(grant.subject) ? 'everyone-granted' : 'grant-added'
}

function draft(
  file: string,
  direction: 'widening' | 'narrowing',
  d: Difference,
): FindingDraft<TemplateKindRule> {
  const rule = ruleOf(direction, d.grant)
  const change: ChangeType = d.reason === undefined ? direction : 'possible-widening'
  const place = {file, pointer: `/grants/${d.grant.index}`}
  const widening = direction === 'widening'
  return {
    rule,
    at: widening ? place : {file, pointer: null},
    baseline: widening ? null : place,
    message: messageFor(change, rule, d.witness, d.reason),
    witness: d.witness,
    ...(d.reason === undefined ? {} : {reason: d.reason}),
    before: widening ? null : d.grant.raw,
    after: widening ? d.grant.raw : null,
    // The grant's meaning, not its place: reordering the grants keeps the id.
    access: {subject: d.grant.subject, permission: d.grant.permission},
  }
}

/** The finding's message for a witness (history re-words findings for the request asked about). */
export function describeFinding(finding: Finding, witness: Witness): string {
  return messageFor(finding.change, finding.rule as TemplateKindRule, witness, finding.reason)
}

function messageFor(change: ChangeType, rule: TemplateKindRule, w: Witness | null, reason?: string): string {
  const title = RULES[rule].title
  if (w === null) return sentence.possible(title, undefined, reason)
  const what = `${String(w.subject)} may ${change === 'narrowing' ? 'no longer' : ''} ${String(w.permission)}`
  return sentence.of(change, title, what.replace('  ', ' '), {reason})
}
