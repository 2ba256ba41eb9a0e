// Rules as data: each kind (and the gate) declares the rules its findings can carry in one
// table, so that a rule name is a typed value (a finding draft accepts only a declared rule), the
// severities and the kind of change are stated once, and docs and reports can list them.

import type {ChangeType, Severity} from './types.js'

/** What one rule says. */
export interface RuleDeclaration {
  /**
   * What its findings report. A `widening` rule's finding is a `possible-widening` where
   * acldrift cannot decide it (the draft gives the reason); a `possible-widening` rule's
   * findings always are; a `narrowing` rule's never are. `both`: the rule names a cause that
   * widens some access and narrows other (a permissions block removed), and each draft says which.
   */
  change: ChangeType | 'both'
  /** the severity its findings carry, or every severity they can carry (the usual one first) when it depends on what is exposed */
  severity: Severity | readonly Severity[]
  /** a few words: how its findings' messages start, and the rule's name in reports */
  title: string
  /** one paragraph: what the rule means and what to do about a finding of it */
  description: string
  /**
   * `false`: no approval covers its findings (a comparison cut short: what it would approve was
   * never listed). The finding goes away only when the change can be compared whole.
   */
  approvable?: false
}

/** A rule as a report explains it: its declaration, its kind, and the section that documents it. */
export interface RuleDoc extends RuleDeclaration {
  kind: string
  helpUri: string
}

/** Every rule, keyed `kind/rule`: two kinds may give one rule name different meanings. */
export type RuleCatalogue = Readonly<Record<string, RuleDoc>>

/** A table of rules by id (kebab-case). */
export type Rules<R extends string = string> = Readonly<Record<R, RuleDeclaration>>

/** A table of rules, with its ids kept as a union type (`keyof typeof RULES`). */
export function declareRules<const T extends Record<string, RuleDeclaration>>(rules: T): T {
  return rules
}

/** A narrowing rule: low and informational, as narrowings are. */
export const narrowingRule = (title: string, description: string) =>
  ({change: 'narrowing', severity: 'low', title, description: `${description} Informational.`}) as const

/** Every severity a rule's findings can carry, the usual one first. */
export function severitiesOf(rule: RuleDeclaration): readonly Severity[] {
  return typeof rule.severity === 'string' ? [rule.severity] : rule.severity
}

/** The changes a rule's findings can report. */
export function changesOf(rule: RuleDeclaration): readonly ChangeType[] {
  if (rule.change === 'both') return ['widening', 'possible-widening', 'narrowing']
  return rule.change === 'widening' ? ['widening', 'possible-widening'] : [rule.change]
}
