// The verdict: which findings fail a run, and its exit code. The policy they are judged by is
// the stricter of the config the run was given and the target's, and — while a weakening of
// it is not approved — the reference's too: a change to the policy never lets itself through.

import type {AgentsPolicy, FailOn, Policy} from '../config.js'
import {EXIT} from '../../kernel/errors.js'
import {DEFAULT_FAIL_POLICY, failsRun} from '../../kernel/findings.js'
import type {Finding, Report} from '../../kernel/types.js'

/** What decides which findings fail: the severity threshold and agents' widenings. */
export type GatePolicy = Pick<Policy, 'failOn' | 'agents'>

/** Strictness of `failOn`: lower fails more. */
const FAIL_ON_RANK: Record<FailOn, number> = {widening: 0, medium: 1, high: 2, critical: 3, never: 4}

export function failOnWeakened(before: FailOn, after: FailOn): boolean {
  return FAIL_ON_RANK[after] > FAIL_ON_RANK[before]
}

/** The stricter of two policies' gates. */
export function stricter(a: GatePolicy, b: GatePolicy): {failOn: FailOn; agents: AgentsPolicy} {
  return {
    failOn: FAIL_ON_RANK[a.failOn] <= FAIL_ON_RANK[b.failOn] ? a.failOn : b.failOn,
    agents: a.agents === 'require-approval' || b.agents === 'require-approval' ? 'require-approval' : 'allow',
  }
}

/** The settings whose weakening changes the gate itself, not only what it is told. */
const POLICY_SETTINGS = new Set(['policy.failOn', 'policy.agents'])

/**
 * The policy a run is judged by: the stricter of the config it was given and the target's
 * config; while a config-weakened finding about failOn or agents has no valid approval, the
 * reference's policy as well.
 */
export function gatePolicy(
  given: GatePolicy,
  target: GatePolicy,
  reference: GatePolicy,
  protectedFindings: readonly Finding[],
): GatePolicy {
  const policy = stricter(given, target)
  const weakened = protectedFindings.filter(
    (f) => f.rule === 'config-weakened' && POLICY_SETTINGS.has(String(f.witness?.setting)),
  )
  return weakened.some((f) => f.approval?.valid !== true) ? stricter(policy, reference) : policy
}

/** Findings that fail the run (kernel's failsRun, shared with the reports that mark them). */
export function gating(findings: readonly Finding[], failOn: FailOn, agents: AgentsPolicy): Finding[] {
  return findings.filter((f) => failsRun(f, {failOn, agents}))
}

/**
 * The exit code of a check or an audit: invalid input fails closed (3), then anything that
 * gates (1). Without `--fail-on`, the report's policy decides: the config's, or the stricter
 * one while a weakening of it is unapproved.
 */
export function verdictCode(report: Report, failOn?: FailOn): number {
  if (report.errors.length > 0) return EXIT.invalidInput
  const policy = report.policy ?? DEFAULT_FAIL_POLICY
  return gating(report.findings, failOn ?? policy.failOn, policy.agents).length > 0 ? EXIT.widening : EXIT.ok
}
