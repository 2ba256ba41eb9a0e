// Audit logging (`auditConfigs`). Not access: a policy that logs less grants nothing more. But
// switching off Data Access logs, or exempting a member from them, hides access that happens,
// so acldrift reports it as its own rule, `audit-logging-reduced` (possible-widening, low): a
// reviewer should see it, and `--fail-on widening` stops it, while `--fail-on medium` does not.
//
// Semantics (IAM AuditConfig reference): a log type is recorded for a service when an
// AuditConfig for that service or for `allServices` enables it; the exempted members of every
// such AuditLogConfig of that type are exempted. That is an allow/deny rule set over the
// request (service, log type, member), compared by the same engine as bindings.

import {type AnyLeaf, stringDomain} from '../../engine/domains.js'
import {type Formula, leaf, or} from '../../engine/formula.js'
import {type DifferenceCell, type Dimension, difference, type Rule} from '../../engine/search.js'
import {Undecidable} from '../../engine/undecidable.js'
import type {FindingDraft} from '../../kernel/findings.js'
import type {ParsedFile, Witness} from '../../kernel/types.js'
import {globLeafOf} from './cel.js'
import {ruleHolds, tokenDomain} from './compile.js'
import {ANONYMOUS, AUTHENTICATED, isObject, memberFormula, memberSample, tokenLeaf} from './model.js'
import {type GcpRule, RULES} from './rules.js'

const SERVICE = 'audit:service'
const LOG_TYPE = 'audit:logType'
const MEMBER = 'audit:member'
const ALL_SERVICES = 'allServices'

interface AuditRule extends Rule {
  pointer: string
  config: Record<string, unknown>
  /** the auditLogConfigs entry it comes from */
  logConfig: Record<string, unknown>
  members: string[]
}

function compileAudit(policy: unknown): AuditRule[] {
  const rules: AuditRule[] = []
  if (!isObject(policy) || !Array.isArray(policy.auditConfigs)) return rules
  policy.auditConfigs.forEach((config: unknown, i) => {
    if (!isObject(config) || typeof config.service !== 'string') return
    const service: Formula<AnyLeaf> =
      config.service === ALL_SERVICES ? leaf(globLeafOf('*')) : leaf(tokenLeaf(config.service))
    const logConfigs = Array.isArray(config.auditLogConfigs) ? config.auditLogConfigs : []
    logConfigs.forEach((logConfig: unknown, j) => {
      if (!isObject(logConfig) || typeof logConfig.logType !== 'string') return
      const pointer = `/auditConfigs/${i}/auditLogConfigs/${j}`
      const logType = leaf(tokenLeaf(logConfig.logType))
      const base = {pointer, config, logConfig}
      rules.push({
        index: rules.length,
        effect: 'allow',
        predicates: new Map([
          [SERVICE, service],
          [LOG_TYPE, logType],
        ]),
        ...base,
        members: [],
      })
      const exempted = Array.isArray(logConfig.exemptedMembers) ? logConfig.exemptedMembers.map(String) : []
      if (exempted.length === 0) return
      rules.push({
        index: rules.length,
        effect: 'deny',
        predicates: new Map([
          [SERVICE, service],
          [LOG_TYPE, logType],
          [MEMBER, or(...exempted.map(memberFormula))],
        ]),
        ...base,
        members: exempted,
      })
    })
  })
  return rules
}

function auditDimensions(rules: AuditRule[]): Dimension[] {
  const members = new Set([ANONYMOUS, AUTHENTICATED, ...rules.flatMap((r) => r.members.map(memberSample))])
  return [
    {name: SERVICE, domain: stringDomain([ALL_SERVICES])},
    {name: LOG_TYPE, domain: tokenDomain()},
    {name: MEMBER, domain: stringDomain([...members])},
  ]
}

/** Whether a policy records `logType` entries of `service` for `member` (a witness of a reduction). */
export function logged(
  policy: unknown,
  service: string,
  logType: string,
  member: string | undefined,
): boolean {
  const values = new Map<string, {value: unknown}>([
    [SERVICE, {value: service}],
    [LOG_TYPE, {value: logType}],
    [MEMBER, {value: member ?? AUTHENTICATED}],
  ])
  const rules = compileAudit(policy)
  const holds = (r: AuditRule) => ruleHolds(r, (dim) => values.get(dim))
  return (
    rules.some((r) => r.effect === 'allow' && holds(r)) && !rules.some((r) => r.effect === 'deny' && holds(r))
  )
}

const CELL_LIMIT = 500

/** The sentence of an audit logging reduction. */
export function auditSentence(what: string): string {
  return `${RULES['audit-logging-reduced'].title}: ${what}. Access is unchanged, but requests that were recorded no longer are.`
}

/** One finding per baseline audit log config that records less in the target. */
export function auditReductions(
  file: string,
  baseline: ParsedFile | undefined,
  target: ParsedFile | undefined,
  notes: string[],
): Array<FindingDraft<GcpRule>> {
  const base = compileAudit(baseline?.value)
  const tgt = compileAudit(target?.value)
  if (base.length === 0) return []
  let cells: DifferenceCell[]
  try {
    cells = difference(
      auditDimensions([...base, ...tgt]),
      {rules: base},
      {rules: tgt},
      {limit: CELL_LIMIT},
    ).cells
  } catch (error) {
    if (!(error instanceof Undecidable)) throw error
    notes.push(`${file}: audit logging not compared: ${error.reason}`)
    return []
  }
  const groups = new Map<AuditRule, DifferenceCell[]>()
  for (const cell of cells) {
    const responsible = cell.matched.allowed[0] as AuditRule
    groups.set(responsible, [...(groups.get(responsible) ?? []), cell])
  }
  const drafts: Array<FindingDraft<GcpRule>> = []
  for (const [responsible, group] of groups) {
    // The most general reduction first: a log type no longer recorded for anyone.
    const cell = group.find((c) => !c.cells.has(MEMBER)) ?? group[0]!
    const value = (dim: string) => cell.cells.get(dim)?.value as string | undefined
    const service = value(SERVICE)!
    const logType = value(LOG_TYPE)!
    const member = value(MEMBER)
    const exemption = cell.matched.otherDeny[0] as AuditRule | undefined
    const witness: Witness = {
      auditLog: logType,
      service,
      ...(member === undefined ? {} : {member}),
      resource: file,
    }
    const afterConfig = exemption?.config ?? sameService(target?.value, responsible.config.service)
    const what =
      exemption !== undefined
        ? `${member ?? 'a member'} is now exempted from ${logType} audit logs of ${service}`
        : `${logType} audit logs of ${service} are no longer recorded${member === undefined ? '' : ` for ${member}`}`
    drafts.push({
      rule: 'audit-logging-reduced',
      at: {file, pointer: exemption?.pointer ?? null},
      baseline: {file, pointer: responsible.pointer},
      message: auditSentence(what),
      witness,
      reason: 'audit logging is not access: nothing new is allowed, but less of it is recorded',
      before: responsible.config,
      after: afterConfig ?? null,
      // What is recorded less: the baseline's log config, against what the target has for the service.
      access: {service, logConfig: responsible.logConfig, now: afterConfig ?? null},
    })
  }
  return drafts
}

function sameService(policy: unknown, service: unknown): Record<string, unknown> | undefined {
  if (!isObject(policy) || !Array.isArray(policy.auditConfigs)) return undefined
  return policy.auditConfigs.find((c: unknown) => isObject(c) && c.service === service) as
    Record<string, unknown> | undefined
}
