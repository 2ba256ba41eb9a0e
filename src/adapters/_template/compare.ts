// Compares one _template file with its baseline. A target grant that allows some request the
// baseline does not is a widening, shown by one such request (its witness); a baseline grant that
// allows a request the target does not, a narrowing. The engine decides it exactly, wildcards
// included: it splits the request space into cells on which every grant is constant. A grant
// the engine cannot decide is a possible widening with the reason, never a silent pass.

import {difference, type Rule, Undecidable} from '../../engine/search.js'
import {findingId, structuralDiff} from '../../kernel/findings.js'
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
  const findings = [
    ...differences(target, base, after).map((d) => finding(file, 'widening', d)),
    ...differences(base, target, before).map((d) => finding(file, 'narrowing', d)),
  ]
  return {findings, notes: []}
}

interface Difference {
  grant: Grant
  /** the grant's line in its own version */
  line: number | null
  witness: Witness | null
  /** why the engine could not decide (a possible widening) */
  reason?: string
}

/** The grants of `more` that allow a request `less` does not, each with one such request. */
function differences(more: Grant[], less: Grant[], doc: ParsedFile | undefined): Difference[] {
  const dims = dimensions([...more, ...less])
  const lessRules = {rules: rulesOf(less)}
  return rulesOf(more).flatMap((rule: Rule, i): Difference[] => {
    const grant = more[i]!
    const line = doc?.sourceMap.locate(`/grants/${grant.index}`)?.line ?? null
    try {
      const [cell] = difference(dims, {rules: [rule]}, lessRules, {limit: 1}).cells
      if (cell === undefined) return []
      const witness = {subject: cell.cells.get(SUBJECT)?.value, permission: cell.cells.get(PERMISSION)?.value}
      return [{grant, line, witness}]
    } catch (error) {
      if (!(error instanceof Undecidable)) throw error
      return [{grant, line, witness: null, reason: error.reason}]
    }
  })
}

function ruleOf(direction: 'widening' | 'narrowing', grant: Grant): TemplateKindRule {
  if (direction === 'narrowing') return 'grant-removed'
  return /^\*+$/.test(grant.subject) ? 'everyone-granted' : 'grant-added'
}

function finding(file: string, direction: 'widening' | 'narrowing', d: Difference): Finding {
  const rule = ruleOf(direction, d.grant)
  const change: ChangeType = d.reason === undefined ? direction : 'possible-widening'
  const pointer = `/grants/${d.grant.index}`
  const widening = direction === 'widening'
  return {
    // The grant's meaning, not its place: reordering the grants keeps the id.
    id: findingId(['_template', file, change, rule, d.grant.subject, d.grant.permission]),
    kind: '_template',
    file,
    line: widening ? d.line : null,
    pointer: widening ? pointer : null,
    change,
    severity: RULES[rule].severity,
    rule,
    message: messageFor(change, rule, d.witness, d.reason),
    witness: d.witness,
    before: widening ? null : d.grant.raw,
    after: widening ? d.grant.raw : null,
    diff: widening ? structuralDiff(undefined, d.grant.raw) : structuralDiff(d.grant.raw, undefined),
    baselineLocation: widening ? null : {file, line: d.line, pointer},
    ...(d.reason === undefined ? {} : {reason: d.reason}),
    commit: null,
    approval: null,
  }
}

/** The finding's message for a witness (history re-words findings for the request asked about). */
export function describeFinding(finding: Finding, witness: Witness): string {
  return messageFor(finding.change, finding.rule as TemplateKindRule, witness, finding.reason)
}

function messageFor(change: ChangeType, rule: TemplateKindRule, w: Witness | null, reason?: string): string {
  const text = RULES[rule]?.text ?? rule
  if (change === 'possible-widening' || w === null)
    return `${text}: acldrift cannot decide it (${reason ?? 'undecidable'}). Review it by hand.`
  const request = `${String(w.subject)} may ${change === 'narrowing' ? 'no longer' : 'now'} ${String(w.permission)}`
  return `${text}: ${request}, which the baseline ${change === 'narrowing' ? 'allowed' : 'did not allow'}.`
}
