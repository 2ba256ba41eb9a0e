// Compares the kind's documents: each IAM policy file (one resource) with its baseline, each
// under its side's custom role definitions. Every request (member, grant, condition attributes)
// the target allows and the baseline does not is part of a widening finding with a witness; the
// reverse, a narrowing.
//
// Who is responsible: a widening cell that the *baseline* policy would allow under the *target*
// role definitions was opened by a role definition (a custom role gained a permission): its
// finding belongs to that role's file, so that semantic blame walks the role file's history.
// Any other cell needs the policy's own change: its finding belongs to the target binding that
// allows it. Narrowings the same way round.

import {type Cell, leafHolds} from '../../engine/domains.js'
import {evaluate} from '../../engine/formula.js'
import {type DifferenceCell, differenceOrPossible, type Truncation} from '../../engine/search.js'
import {
  canonicalAccess,
  completeFinding,
  type FindingDraft,
  higherSeverity,
  mostTelling,
  sentence,
  type Sides,
} from '../../kernel/findings.js'
import {truncatedDraft, truncationMessage} from '../../kernel/truncation.js'
import type {Document, Finding, ParsedFile, Severity, Witness} from '../../kernel/types.js'
import type {Comparison} from '../adapter.js'
import {auditReductions, auditSentence} from './audit.js'
import {conditionDimension, STRING_ATTRIBUTES, TIME_ATTRIBUTES} from './cel.js'
import {
  type CompiledRule,
  compilePolicy,
  dimensions,
  GRANT,
  MEMBER,
  newContext,
  ruleHolds,
} from './compile.js'
import {
  ANONYMOUS,
  AUTHENTICATED,
  type Binding,
  bindingsOf,
  grantTokens,
  isCustomRoleName,
  isEscalation,
  isPolicy,
  isPublicMember,
  isRoleDefinition,
  isRoleToken,
  memberFormula,
  memberRank,
  memberSample,
  type RoleDefinition,
  type RoleTable,
  roleTable,
} from './model.js'
import {type GcpRule, RULES, SPLIT} from './rules.js'

/** Cap on difference cells per direction and file: beyond it the result says it was cut short. */
const CELL_LIMIT = 2000

export function compareGcp(
  baseline: Map<string, Document>,
  target: Map<string, Document>,
  changed: string[],
): Comparison {
  const notes: string[] = []
  const findings: Finding[] = []
  const values = (docs: Map<string, Document>) =>
    [...docs].map(([path, d]) => [path, d.value] as [string, unknown])
  // Never more for the baseline, never fewer for the target, when a role is defined twice.
  const baseRoles = roleTable(values(baseline), 'intersection')
  const targetRoles = roleTable(values(target), 'union', notes)
  const changedRoles = new Set<string>()
  for (const name of new Set([...baseRoles.keys(), ...targetRoles.keys()])) {
    const a = baseRoles.get(name)?.permissions
    const b = targetRoles.get(name)?.permissions
    if (a === undefined || b === undefined || a.join('\n') !== b.join('\n')) changedRoles.add(name)
  }
  const changedSet = new Set(changed)
  const policies = [...new Set([...baseline.keys(), ...target.keys()])]
    .filter((path) => isPolicy(baseline.get(path)?.value) || isPolicy(target.get(path)?.value))
    .sort()
  const bound = new Set<string>()
  for (const path of policies) {
    const sides = [baseline.get(path), target.get(path)].map((d) => (d && isPolicy(d.value) ? d : undefined))
    const roles = new Set(sides.flatMap((d) => bindingsOf(d?.value).map((b) => b.role)))
    for (const role of roles) bound.add(role)
    if (!changedSet.has(path) && ![...roles].some((r) => changedRoles.has(r))) continue
    const result = comparePolicy(
      path,
      sides[0],
      sides[1],
      {roles: baseRoles, docs: baseline},
      {roles: targetRoles, docs: target},
    )
    findings.push(...result.findings)
    notes.push(...result.notes)
    if (changedSet.has(path)) {
      const undefinedRoles = [...new Set(bindingsOf(sides[1]?.value).map((b) => b.role))].filter(
        (r) => isCustomRoleName(r) && !targetRoles.has(r),
      )
      for (const role of undefinedRoles)
        notes.push(
          `${path}: custom role ${role} is not defined in the repository; it is compared by name only`,
        )
    }
  }
  for (const path of changed) {
    const doc = target.get(path) ?? baseline.get(path)
    if (!doc || !isRoleDefinition(doc.value)) continue
    const name = String(doc.value.name)
    if (changedRoles.has(name) && !bound.has(name))
      notes.push(`${path}: custom role ${name} changed; no policy in the repository grants it`)
  }
  return {findings, notes}
}

interface Side {
  rules: CompiledRule[]
  roles: RoleTable
  /** the side's documents of the kind (to locate role definitions) */
  docs: Map<string, ParsedFile>
}

/** One policy file, baseline against target. */
export function comparePolicy(
  file: string,
  baseline: ParsedFile | undefined,
  target: ParsedFile | undefined,
  baseRepo: {roles: RoleTable; docs: Map<string, ParsedFile>},
  targetRepo: {roles: RoleTable; docs: Map<string, ParsedFile>},
): Comparison {
  const ctx = newContext()
  const baseRoles = baseRepo.roles
  const targetRoles = targetRepo.roles
  const base: Side = {rules: compilePolicy(baseline?.value, baseRoles, ctx), ...baseRepo}
  const tgt: Side = {rules: compilePolicy(target?.value, targetRoles, ctx), ...targetRepo}
  const sides: Sides = {baseline: baseRepo.docs, target: targetRepo.docs}
  const complete = (draft: FindingDraft<GcpRule>) => completeFinding('gcp-iam', RULES, sides, draft)
  // Each policy under the other side's roles: tells a role's change from the policy's own.
  const baseUnderTargetRoles = compilePolicy(baseline?.value, targetRoles, ctx)
  const targetUnderBaseRoles = compilePolicy(target?.value, baseRoles, ctx)
  const dims = dimensions([...base.rules, ...tgt.rules], ctx)
  const notes: string[] = []
  const findings: Finding[] = []
  const truncations: Truncation[] = []

  const run = (allowed: Side, other: Side, direction: 'widening' | 'narrowing') =>
    differenceOrPossible(dims, allowed, other, direction, {file, notes, limit: CELL_LIMIT, truncations})

  const widenings = new Map<string, Scored[]>()
  for (const cell of run(tgt, base, 'widening')) {
    const scored = scoreWidening(cell, tgt, base, baseUnderTargetRoles)
    widenings.set(scored.group, [...(widenings.get(scored.group) ?? []), scored])
  }
  for (const group of widenings.values()) findings.push(complete(wideningDraft(file, group, tgt, base)))
  // A widening search cut short: what lies past the cut was never listed, so it cannot be approved.
  const cut = truncations.filter((t) => t.direction === 'widening')
  if (cut.length > 0) findings.push(complete(truncatedDraftOf(file, cut, findings)))

  const narrowings = new Map<string, Scored[]>()
  for (const cell of run(base, tgt, 'narrowing')) {
    if (cell.status !== 'definite') continue
    const scored = scoreNarrowing(cell, base, tgt, targetUnderBaseRoles)
    narrowings.set(scored.group, [...(narrowings.get(scored.group) ?? []), scored])
  }
  for (const group of narrowings.values()) findings.push(complete(narrowingDraft(file, group, base, tgt)))

  findings.push(...auditReductions(file, baseline, target, notes).map(complete))
  return {findings, notes}
}

// --- cells ----------------------------------------------------------------------------

const valueOf = (cell: DifferenceCell, dim: string) => cell.cells.get(dim)?.value
const lookup = (cell: DifferenceCell) => (dim: string) => cell.cells.get(dim)

/** The rule's member and grant predicates on the cell (its conditions aside). */
function grantsIgnoringCondition(rule: CompiledRule, cell: DifferenceCell): boolean {
  for (const dim of [MEMBER, GRANT]) {
    const c: Cell | undefined = cell.cells.get(dim)
    const p = rule.predicates.get(dim)
    if (c && p && !evaluate(p, (l) => leafHolds(l, c.value))) return false
  }
  return true
}

const grantsToken = (rule: CompiledRule, cell: DifferenceCell) => {
  const c = cell.cells.get(GRANT)
  return c !== undefined && rule.tokens.includes(String(c.value))
}

/**
 * The first rule of `counterpart` (one side's bindings under the other side's roles) that allows
 * the cell through a role whose grant differs between the role tables — the role that changed.
 */
function changedRoleFor(
  cell: DifferenceCell,
  counterpart: CompiledRule[],
  before: RoleTable,
): string | undefined {
  const token = String(valueOf(cell, GRANT))
  const rule = counterpart.find(
    (r) => ruleHolds(r, lookup(cell)) && !grantTokens(r.binding.role, before).includes(token),
  )
  return rule?.binding.role
}

interface Scored {
  cell: DifferenceCell
  /** the group's key: a binding of this file, or a custom role */
  group: string
  responsible: CompiledRule
  /** a custom role whose definition made the difference */
  role: string | undefined
  rule: GcpRule
  severity: Severity
  possible: boolean
  reason?: string
  /** the binding of the other side this access is compared with */
  related: Binding | undefined
  /** among equally severe witnesses, the higher the more telling: public members, basic roles, escalation */
  weight: number
}

/** Cells a binding grants only through `allUsers` / `allAuthenticatedUsers`. */
function isPublicCell(cell: DifferenceCell, rules: CompiledRule[]): boolean {
  const member = String(valueOf(cell, MEMBER))
  if (member === ANONYMOUS || member === AUTHENTICATED) return true
  return !rules.some((r) =>
    r.binding.members.some(
      (m) => !isPublicMember(m) && evaluate(memberFormula(m), (l) => leafHolds(l, member)),
    ),
  )
}

const tokenRank = (token: string) =>
  token === 'roles/owner' ? 3 : token === 'roles/editor' ? 2 : token === 'roles/viewer' ? 1 : 0

function weight(cell: DifferenceCell, rules: CompiledRule[]): number {
  const named = new Set(rules.flatMap((r) => r.binding.members.map(memberSample)))
  const member = String(valueOf(cell, MEMBER))
  const token = String(valueOf(cell, GRANT))
  return memberRank(member, named) * 10 + tokenRank(token) + (isEscalation(token) ? 5 : 0)
}

function scoreWidening(
  cell: DifferenceCell,
  tgt: Side,
  base: Side,
  baseUnderTargetRoles: CompiledRule[],
): Scored {
  const matched = cell.matched.allowed as CompiledRule[]
  const responsible = matched[0]!
  const possible = cell.status === 'possible'
  const token = String(valueOf(cell, GRANT))
  // Cells without values (an undecidable binding) are the policy's own.
  const roleCaused =
    cell.cells.size > 0 && baseUnderTargetRoles.some((r) => ruleHolds(r, lookup(cell)))
      ? changedRoleFor(cell, baseUnderTargetRoles, base.roles)
      : undefined
  const publicAccess = cell.cells.size > 0 && isPublicCell(cell, matched)
  let rule: GcpRule
  let severity: Severity
  let related: Binding | undefined
  const covering = base.rules.find((r) => grantsIgnoringCondition(r, cell))
  const sameGrant = base.rules.find((r) => grantsToken(r, cell))
  const sameRole = base.rules.find((r) => r.binding.role === responsible.binding.role)
  if (publicAccess) {
    rule = 'public-member'
    severity = 'critical'
    related = (covering ?? sameGrant ?? sameRole)?.binding
  } else if (roleCaused !== undefined && isCustomRoleName(token)) {
    // The role is no longer defined in the repository: what it grants is unknown.
    rule = 'custom-role-undefined'
    severity = 'medium'
    related = undefined
  } else if (tokenRank(token) >= 2) {
    rule = 'basic-role'
    severity = 'high'
    related = (covering ?? sameRole ?? sameGrant)?.binding
  } else if (isEscalation(token)) {
    rule = 'privilege-escalation'
    severity = 'high'
    related = (covering ?? sameGrant ?? sameRole)?.binding
  } else if (roleCaused !== undefined) {
    rule = 'custom-role-widened'
    severity = 'medium'
    related = undefined
  } else if (tokenRank(token) === 1) {
    rule = 'basic-role'
    severity = 'medium'
    related = (covering ?? sameRole ?? sameGrant)?.binding
  } else if (covering) {
    rule = responsible.binding.expression === undefined ? 'condition-removed' : 'condition-relaxed'
    severity = 'medium'
    related = covering.binding
  } else if (sameGrant) {
    rule = 'new-member'
    severity = 'medium'
    related = sameGrant.binding
  } else {
    rule = 'new-grant'
    severity = 'low'
    related = sameRole?.binding
  }
  if (possible) {
    // What acldrift cannot decide never lowers a finding: the severity is the one the grant
    // would have if the condition held (an owner binding stays high, allUsers critical).
    rule = 'undecidable-condition'
    severity = higherSeverity('medium', severity)
    related = (covering ?? sameGrant ?? sameRole)?.binding
  }
  return {
    cell,
    group: roleCaused !== undefined ? `role:${roleCaused}` : `binding:${responsible.binding.index}`,
    responsible,
    role: roleCaused,
    rule,
    severity,
    possible: possible || rule === 'custom-role-undefined',
    reason: possible
      ? cell.reason
      : rule === 'custom-role-undefined'
        ? `custom role ${token} is no longer defined in the repository, so what it grants cannot be checked`
        : undefined,
    related,
    weight: weight(cell, tgt.rules),
  }
}

function scoreNarrowing(
  cell: DifferenceCell,
  base: Side,
  tgt: Side,
  targetUnderBaseRoles: CompiledRule[],
): Scored {
  const responsible = cell.matched.allowed[0] as CompiledRule
  const roleCaused = targetUnderBaseRoles.some((r) => ruleHolds(r, lookup(cell)))
    ? changedRoleFor(cell, targetUnderBaseRoles, tgt.roles)
    : undefined
  const covering = tgt.rules.find((r) => grantsIgnoringCondition(r, cell))
  const sameRole = tgt.rules.find((r) => r.binding.role === responsible.binding.role)
  const [rule, related]: [GcpRule, Binding | undefined] =
    roleCaused !== undefined
      ? ['custom-role-narrowed', undefined]
      : covering
        ? ['condition-added', covering.binding]
        : ['grant-removed', sameRole?.binding]
  return {
    cell,
    group: roleCaused !== undefined ? `role:${roleCaused}` : `binding:${responsible.binding.index}`,
    responsible,
    role: roleCaused,
    rule,
    severity: 'low',
    possible: false,
    related,
    weight: weight(cell, base.rules),
  }
}

// --- findings -------------------------------------------------------------------------

function witnessOf(cell: DifferenceCell, file: string, role: string): Witness {
  const witness: Witness = {}
  const member = valueOf(cell, MEMBER)
  if (typeof member === 'string') witness.member = member
  const token = valueOf(cell, GRANT)
  if (typeof token === 'string') {
    if (isRoleToken(token)) witness.role = token
    else {
      witness.role = role
      witness.permission = token
    }
  } else witness.role = role
  witness.resource = file
  const context: Record<string, unknown> = {}
  for (const attribute of TIME_ATTRIBUTES) {
    const v = valueOf(cell, conditionDimension(attribute))
    if (typeof v === 'number') context[attribute] = new Date(v).toISOString()
  }
  for (const attribute of STRING_ATTRIBUTES) {
    const v = valueOf(cell, conditionDimension(attribute))
    if (typeof v === 'string') context[attribute] = v
  }
  if (Object.keys(context).length > 0) witness.context = context
  return witness
}

/** The finding that says the widening search stopped at CELL_LIMIT cells (kernel/truncation.ts). */
function truncatedDraftOf(
  file: string,
  truncations: Truncation[],
  listed: readonly Finding[],
): FindingDraft<GcpRule> {
  // A cell with no values (an undecidable binding) shows no request.
  const witness = (next: DifferenceCell) => {
    const role = (next.matched.allowed[0] as CompiledRule | undefined)?.binding.role
    if (next.cells.size === 0 || role === undefined) return null
    const shown = witnessOf(next, file, role)
    return {witness: shown, text: holdsText(shown, 'now holds')}
  }
  return truncatedDraft({at: {file, pointer: '/bindings'}, truncations, witness, listed, split: SPLIT})
}

function who(member: unknown): string {
  if (member === ANONYMOUS) return 'anyone on the internet (allUsers), including anonymous callers,'
  if (member === AUTHENTICATED) return 'any signed-in Google account (allAuthenticatedUsers)'
  return String(member)
}

/** The finding's message for a witness (history re-words findings for the request asked about). */
export function describeFinding(finding: Finding, witness: Witness): string {
  return messageFor(finding.change, finding.rule, witness, finding.reason)
}

function messageFor(
  change: Finding['change'],
  rule: string,
  witness: Witness,
  reason?: string,
  detail?: string,
): string {
  const title = RULES[rule as GcpRule]?.title ?? rule
  if (rule === 'comparison-truncated')
    return truncationMessage(reason, holdsText(witness, 'now holds'), SPLIT)
  if (witness.auditLog !== undefined) {
    const member = witness.member === undefined ? '' : ` for ${who(witness.member)}`
    return auditSentence(
      `${String(witness.auditLog)} audit logs of ${String(witness.service)} on ${String(witness.resource)} are no longer recorded${member}`,
    )
  }
  const role = rule.startsWith('custom-role') ? `custom role ${String(witness.role)} changed, so ` : ''
  if (change === 'possible-widening')
    return sentence.possible(title, holdsText(witness, 'now holds'), reason, detail)
  const verb = change === 'narrowing' ? 'no longer holds' : 'now holds'
  return sentence.of(change, title, `${role}${holdsText(witness, verb)}`, {detail})
}

function holdsText(witness: Witness, verb: string): string {
  const what =
    witness.permission === undefined
      ? String(witness.role)
      : `${String(witness.permission)} (through ${String(witness.role)})`
  const when = witness.context === undefined ? '' : ` when ${JSON.stringify(witness.context)}`
  return `${who(witness.member)} ${verb} ${what} on ${String(witness.resource)}${when}`
}

/**
 * A binding as access: what it grants (the role, and what the side's role definitions make of
 * it) to whom under which condition; not its position, nor a condition's title or description.
 */
const bindingAccess = (b: Binding, roles: RoleTable) => ({
  role: b.role,
  grants: grantTokens(b.role, roles),
  defined: roles.has(b.role),
  members: b.members,
  condition: b.expression ?? null,
})

/** The most telling cell of a group: definite first, then severity, then its weight. */
const best = (group: Scored[]) =>
  mostTelling(group, (s) => ({possible: s.possible, severity: s.severity, weight: s.weight}))

function wideningDraft(file: string, group: Scored[], tgt: Side, base: Side): FindingDraft<GcpRule> {
  const chosen = best(group)
  const change = chosen.possible ? 'possible-widening' : 'widening'
  if (chosen.role !== undefined) return roleDraft(file, group, chosen, change, tgt, base)
  const binding = chosen.responsible.binding
  const witness = witnessOf(chosen.cell, file, binding.role)
  const reason = chosen.possible
    ? (chosen.reason ?? 'depends on conditions acldrift cannot interpret')
    : undefined
  const related = chosen.related
  return {
    rule: chosen.rule,
    severity: chosen.severity,
    at: {file, pointer: binding.pointer},
    baseline: related ? {file, pointer: related.pointer} : null,
    message: messageFor(change, chosen.rule, witness, reason),
    witness,
    ...(reason === undefined ? {} : {reason}),
    before: related?.raw ?? null,
    after: binding.raw,
    access: {policy: file, binding: bindingAccess(binding, tgt.roles)},
  }
}

/**
 * Where a role definition shows the change for `token`: the permission added to
 * `includedPermissions`, else the `stage` (or `deleted`) that switched the role on or off.
 */
function rolePointer(
  after: RoleDefinition,
  before: RoleDefinition | undefined,
  token: string,
  widening: boolean,
): string {
  const list = (d: RoleDefinition | undefined) =>
    Array.isArray(d?.raw.includedPermissions) ? (d.raw.includedPermissions as unknown[]).map(String) : []
  const index = list(after).indexOf(token)
  const switched = 'stage' in after.raw ? '/stage' : 'deleted' in after.raw ? '/deleted' : ''
  if (widening)
    return index !== -1 && !list(before).includes(token) ? `/includedPermissions/${index}` : switched
  return index === -1 ? ('includedPermissions' in after.raw ? '/includedPermissions' : '') : switched
}

/** Findings about a custom role's definition: they live in the role's file. */
function roleDraft(
  policyFile: string,
  group: Scored[],
  chosen: Scored,
  change: Finding['change'],
  after: Side,
  before: Side,
): FindingDraft<GcpRule> {
  const role = chosen.role!
  const now = after.roles.get(role)
  const was = before.roles.get(role)
  const file = (now ?? was)!.file
  const witness = witnessOf(chosen.cell, policyFile, role)
  const token = String(valueOf(chosen.cell, GRANT))
  const pointer = now ? rolePointer(now, was, token, change !== 'narrowing') : null
  const binding = chosen.responsible.binding
  const reason = chosen.possible
    ? (chosen.reason ?? 'depends on conditions acldrift cannot interpret')
    : undefined
  const detail = `${file} changed; the binding is ${policyFile} ${binding.pointer}`
  return {
    rule: chosen.rule,
    severity: chosen.severity,
    at: {file: now ? now.file : file, pointer},
    baseline: was ? {file: was.file, pointer: ''} : null,
    message: messageFor(change, chosen.rule, witness, reason, detail),
    witness,
    ...(reason === undefined ? {} : {reason}),
    before: was?.raw ?? null,
    after: now?.raw ?? null,
    // The role as the side that has the access defines it, and the policy's bindings that grant it.
    access: {
      policy: policyFile,
      role,
      grants: grantTokens(role, change === 'narrowing' ? before.roles : after.roles),
      bindings: [...new Set(group.map((s) => s.responsible.binding))].map((b) =>
        canonicalAccess(bindingAccess(b, change === 'narrowing' ? before.roles : after.roles)),
      ),
    },
  }
}

function narrowingDraft(file: string, group: Scored[], base: Side, tgt: Side): FindingDraft<GcpRule> {
  const chosen = best(group)
  if (chosen.role !== undefined) return roleDraft(file, group, chosen, 'narrowing', tgt, base)
  const binding = chosen.responsible.binding
  const witness = witnessOf(chosen.cell, file, binding.role)
  const related = chosen.related
  return {
    rule: chosen.rule,
    at: {file, pointer: related?.pointer ?? null},
    baseline: {file, pointer: binding.pointer},
    message: messageFor('narrowing', chosen.rule, witness),
    witness,
    before: binding.raw,
    after: related?.raw ?? null,
    access: {policy: file, binding: bindingAccess(binding, base.roles)},
  }
}
