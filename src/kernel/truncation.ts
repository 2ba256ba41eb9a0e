// A comparison cut short, as every kind reports it: the widening search of a file stopped at its
// cell limit, so the findings listed may not show all the access the file grants. It is a finding
// of its own (`comparison-truncated`), one no approval covers: approving every listed finding
// must not let what was never listed through. Said once here so that every kind that cuts a
// search reports the cut alike.

import {type FindingDraft, higherSeverity, type Place} from './findings.js'
import type {RuleDeclaration} from './rules.js'
import type {Finding, Severity, Witness} from './types.js'

const TITLE = 'Comparison cut short'

/**
 * The rule's declaration, for a kind whose searches stop at `limit` cells; `split` says how its
 * documents are cut into smaller ones (each compared on its own).
 */
export const truncationRule = (limit: string, split: string) =>
  ({
    change: 'possible-widening',
    severity: ['high', 'critical'],
    approvable: false,
    title: TITLE,
    description: `The comparison of the file stopped after ${limit} differing request classes in one direction: the widenings past the cut are not listed, so approving the listed findings would let them through unseen. No approval covers this finding. To get a complete answer, make the change in smaller steps: ${split}, or commit the change in parts, each compared with the last and approved on its own. High, or the severity of the most severe widening listed when that is higher.`,
  }) as const satisfies RuleDeclaration

/** Why the finding is a possible widening. */
const reasonFor = (limit: number) =>
  `the comparison stopped after ${limit} differing request classes, and what lies past them was not compared`

/** What the finding says: that the listing is incomplete, the first request past it, and what gives a complete one. */
export function truncationMessage(
  reason: string | undefined,
  first: string | undefined,
  split: string,
): string {
  const next = first === undefined ? '' : ` The first request not listed: ${first}.`
  return (
    `${TITLE}: ${reason ?? 'the comparison stopped early'}, so the findings listed may not show all the access the file grants.${next} ` +
    `No approval covers this finding. For a complete answer, make the change in smaller steps: ${split}, or commit the change in parts, each compared with the last and approved on its own.`
  )
}

/** A cut: where the file shows it, the searches that stopped, and how a request past one is shown. */
export interface Cut<C> {
  at: Place
  /** the widening searches that stopped at their limit, each with the first cell past it when it reached one */
  truncations: ReadonlyArray<{limit: number; next?: C | undefined}>
  /** the witness of a cell past the cut, with its words ("the identity … can call …"); null when it shows no request */
  witness: (next: C) => {witness: Witness; text: string} | null
  /** the findings already made of the file: the cut is at least as severe as the worst widening among them */
  listed: readonly Finding[]
  /** how the kind's documents are cut into smaller ones */
  split: string
}

/**
 * The finding that says a widening search stopped at its limit. Its witness is the first request
 * past the cut (one the listed findings may not show); its access names the cut, not a part of
 * the file, and its rule is one no approval covers.
 */
export function truncatedDraft<C>(cut: Cut<C>): FindingDraft<'comparison-truncated'> {
  let shown: {witness: Witness; text: string} | null = null
  for (const t of cut.truncations) if (shown === null && t.next !== undefined) shown = cut.witness(t.next)
  const severity = cut.listed
    .filter((f) => f.change !== 'narrowing')
    .reduce((s, f) => higherSeverity(s, f.severity), 'high' as Severity)
  const limit = cut.truncations[0]!.limit
  const reason = reasonFor(limit)
  return {
    rule: 'comparison-truncated',
    severity,
    at: cut.at,
    baseline: null,
    message: truncationMessage(reason, shown?.text, cut.split),
    witness: shown?.witness ?? null,
    reason,
    before: null,
    after: null,
    access: {comparison: 'truncated', limit},
  }
}
