// Compares one ACL file with its baseline. Every request the target allows and the baseline does
// not is part of a widening finding with a witness; the reverse, a narrowing. Each difference is
// traced to what caused it, which is where its finding points:
//
// - the baseline allowed the request but denied it: a deny grant was removed or narrowed, or a
//   group or role a deny names lost what covered the request;
// - a baseline allow grant, read with the target's groups and roles, allows it: a group gained a
//   member (the witness subject is that member) or a role gained a permission or an inheritance;
// - otherwise a target allow grant was added or widened (subjects, permissions, resources, or
//   its conditions removed or relaxed).

import {
  completeFinding,
  type FindingDraft,
  higherSeverity,
  mostTelling,
  sentence,
  sidesOf,
} from '../../kernel/findings.js'
import {type DifferenceCell, differenceOrPossible, type Rule, type Truncation} from '../../engine/search.js'
import {truncatedDraft, truncationMessage} from '../../kernel/truncation.js'
import type {Finding, ParsedFile, Severity, Witness} from '../../kernel/types.js'
import type {Comparison} from '../adapter.js'
import {asked} from './evaluate.js'
import {
  allowedBy,
  CONTEXT,
  type CompiledRule,
  compileGrants,
  dimensions,
  holds,
  literals,
  matches,
  PERMISSION,
  patternLeaf,
  type Request,
  RESOURCE,
  SUBJECT,
} from './compile.js'
import {FALSE, leaf} from '../../engine/formula.js'
import {
  type Acl,
  type Edge,
  findGroupEdge,
  findRoleEdge,
  type Grant,
  GROUP_PREFIX,
  grantKey,
  groupRef,
  readAcl,
  rolePermissions,
  subjectPatterns,
} from './model.js'
import {type AclRule, RULES, SPLIT} from './rules.js'

/**
 * The search's last dimension, which no rule of either side constrains: "phantom" rules (denies
 * that never hold there) only refine the cells of the dimensions before it.
 */
const PHANTOM = 'phantom'

/** Cap on difference cells per direction and file: beyond it the result says it was cut short. */
const CELL_LIMIT = 2000

interface Sides {
  file: string
  before: ParsedFile | undefined
  after: ParsedFile | undefined
  base: Acl
  tgt: Acl
  bRules: CompiledRule[]
  tRules: CompiledRule[]
  /** the baseline's grants read with the target's groups and roles */
  baseUnderTarget: CompiledRule[]
  /** the target's grants read with the baseline's groups and roles */
  targetUnderBase: CompiledRule[]
}

/** Why one request differs, and where that is. */
interface Cause {
  /** findings group their requests by this */
  group: string
  rule: AclRule
  request: Request
  /** the change's place in the target (or, for what is gone, null) */
  pointer: string | null
  beforeRaw: unknown
  afterRaw: unknown
  baselinePointer: string | null
  /** the access the finding is about, whole: its id names it */
  access: unknown
  detail: string
  severity: Severity
  possible?: string
  /** for a possible widening: the allow grant whose access could not be decided */
  undecided?: CompiledRule
}

/**
 * `approved`: ACLs whose requests are left out of the widenings (witnessBeyond, covers.ts: what
 * approvals allow). Their grants cut the cells too, so that each cell lies inside or outside each.
 */
export function compareAclFile(
  file: string,
  before: ParsedFile | undefined,
  after: ParsedFile | undefined,
  approved: readonly ParsedFile[] = [],
): Comparison {
  const base = readAcl(before?.value)
  const tgt = readAcl(after?.value)
  const approvedAcls = approved.map((a) => readAcl(a.value))
  const standIns = interchangeable(base, tgt, approvedAcls)
  const approvedRules = approvedAcls.map((a) => compileGrants(a.grants, a, standIns))
  const sides: Sides = {
    file,
    before,
    after,
    base,
    tgt,
    bRules: compileGrants(base.grants, base, standIns),
    tRules: compileGrants(tgt.grants, tgt, standIns),
    baseUnderTarget: compileGrants(base.grants, tgt, standIns),
    targetUnderBase: compileGrants(tgt.grants, base, standIns),
  }
  // Each difference is explained with the grants of one version read under the other's groups and
  // roles: their predicates must cut the cells too, so that one cell never mixes two causes.
  const phantoms = [...sides.baseUnderTarget, ...sides.targetUnderBase, ...approvedRules.flat()].map(
    (r, i): Rule => ({
      index: -1 - i,
      effect: 'deny',
      predicates: new Map([...r.predicates, [PHANTOM, FALSE]]),
    }),
  )
  const dims = [
    ...dimensions([base, tgt, ...approvedAcls], standIns),
    {name: PHANTOM, domain: {cells: () => [{value: undefined, known: new Map()}]}},
  ]
  const notes: string[] = []
  const findings: Finding[] = []
  const truncations: Truncation[] = []
  const report = {file, notes, limit: CELL_LIMIT, truncations}

  const widenings = new Map<string, Cause[]>()
  for (const cell of differenceOrPossible(
    dims,
    {rules: [...sides.tRules, ...phantoms]},
    {rules: [...sides.bRules, ...phantoms]},
    'widening',
    report,
  )) {
    const request = cell.cells.size === 0 ? undefined : requestOf(cell)
    if (request !== undefined && approvedRules.some((rules) => allowedBy(rules, request))) continue
    const cause = request === undefined ? undecided(cell, sides) : widening(request, sides)
    cause.severity = severityOf(cause, sides)
    widenings.set(cause.group, [...(widenings.get(cause.group) ?? []), cause])
  }
  const names = named(sides)
  const documents = sidesOf(file, before, after)
  const complete = (draft: FindingDraft<AclRule>) => completeFinding('acl', RULES, documents, draft)
  for (const group of widenings.values())
    findings.push(complete(draftOf(best(group, names), 'widening', sides)))
  // A widening search cut short: what lies past the cut was never listed, so it cannot be approved.
  const cut = truncations.filter((t) => t.direction === 'widening')
  if (cut.length > 0) findings.push(complete(truncatedDraftOf(file, cut, findings)))

  const narrowings = new Map<string, Cause[]>()
  for (const cell of differenceOrPossible(
    dims,
    {rules: [...sides.bRules, ...phantoms]},
    {rules: [...sides.tRules, ...phantoms]},
    'narrowing',
    report,
  )) {
    if (cell.status !== 'definite') continue
    const cause = narrowing(requestOf(cell), sides)
    narrowings.set(cause.group, [...(narrowings.get(cause.group) ?? []), cause])
  }
  for (const group of narrowings.values())
    findings.push(complete(draftOf(best(group, names), 'narrowing', sides)))
  return {findings, notes}
}

/**
 * Literal subjects that one of them can stand for: written in the same groups and grants in both
 * versions, and matched by the same wildcard patterns, they are allowed exactly the same requests
 * by every rule (a team of hundreds needs one cell, not one each). A subject whose place changed
 * (a new member) always stands for itself. The stand-ins are left out of the compiled rules and
 * the witnesses; `allows` (semantic blame) still reads every subject.
 */
function interchangeable(base: Acl, tgt: Acl, approved: readonly Acl[]): Set<string> {
  const subjects = (acl: Acl) => [
    ...[...acl.groups.values()].flatMap((g) => g.members),
    ...acl.grants.flatMap((g) => g.subjects),
  ]
  const ofApproved = approved.flatMap(subjects)
  const wildcards = [
    ...new Set([...subjects(base), ...subjects(tgt), ...ofApproved].filter((s) => /[*?]/.test(s))),
  ]
  // A subject an approved ACL names is told from the others: it stands for itself.
  const named = new Set(ofApproved)
  const places = (acl: Acl, subject: string) =>
    JSON.stringify([
      [...acl.groups.values()]
        .filter((g) => g.members.includes(subject))
        .map((g) => g.name)
        .sort(),
      acl.grants
        .filter((g) => g.subjects.includes(subject))
        .map(grantKey)
        .sort(),
    ])
  const classes = new Set<string>()
  const standIns = new Set<string>()
  for (const subject of literals([...subjects(base), ...subjects(tgt)])) {
    if (groupRef(subject) !== undefined || named.has(subject)) continue
    const place = places(base, subject)
    if (place !== places(tgt, subject)) continue
    const signature = `${place}|${wildcards.map((w) => (covering(subject)(w) ? 1 : 0)).join('')}`
    if (classes.has(signature)) standIns.add(subject)
    else classes.add(signature)
  }
  return standIns
}

/** The finding that says the widening search stopped at CELL_LIMIT cells (kernel/truncation.ts). */
function truncatedDraftOf(
  file: string,
  truncations: Truncation[],
  listed: readonly Finding[],
): FindingDraft<AclRule> {
  const shown = (witness: Witness) => ({witness, text: requestText(witness, 'now has')})
  return truncatedDraft({
    at: {file, pointer: '/grants'},
    truncations,
    witness: (next) => (next.cells.size === 0 ? null : shown(witnessOf(requestOf(next)))),
    listed,
    split: SPLIT,
  })
}

function requestOf(cell: DifferenceCell): Request {
  const value = (dim: string) => String(cell.cells.get(dim)?.value)
  const context: Record<string, string> = {}
  for (const [dim, c] of cell.cells)
    if (dim.startsWith(CONTEXT) && typeof c.value === 'string') context[dim.slice(CONTEXT.length)] = c.value
  return {subject: value(SUBJECT), permission: value(PERMISSION), resource: value(RESOURCE), context}
}

// --- causes ---------------------------------------------------------------------------------

const allowing = (rules: CompiledRule[], request: Request) =>
  rules.find((r) => r.effect === 'allow' && matches(r, request))
const denying = (rules: CompiledRule[], request: Request) =>
  rules.find((r) => r.effect === 'deny' && matches(r, request))
const sameGrant = (a: Grant, b: Grant) => (a.id !== undefined && a.id === b.id) || grantKey(a) === grantKey(b)
const onSubject = (dim: string) => dim === SUBJECT
const ignoringConditions = (dim: string) => !dim.startsWith(CONTEXT)
/** Two grants are one grant edited when two of who, what and where are written the same. */
function similar(a: Grant, b: Grant): boolean {
  const same = (x: string[], y: string[]) =>
    JSON.stringify([...new Set(x)].sort()) === JSON.stringify([...new Set(y)].sort())
  const what = (g: Grant) => [...g.roles.map((r) => `role:${r}`), ...g.permissions]
  return (
    [same(a.subjects, b.subjects), same(what(a), what(b)), same(a.resources, b.resources)].filter(Boolean)
      .length >= 2
  )
}
const related = (rules: CompiledRule[], effect: 'allow' | 'deny', grant: Grant) =>
  rules.find((r) => r.effect === effect && sameGrant(r.grant, grant)) ??
  rules.find((r) => r.effect === effect && similar(r.grant, grant))

const covering = (value: string) => (pattern: string) => holds(leaf(patternLeaf(pattern)), value)
const groupsOf = (grant: Grant) => grant.subjects.map(groupRef).filter((g): g is string => g !== undefined)
const label = (grant: Grant) => (grant.id !== undefined ? `grant "${grant.id}"` : `grants[${grant.index}]`)

function widening(request: Request, s: Sides): Cause {
  if (allowing(s.bRules, request) !== undefined) return denyWeakened(request, s)
  // A baseline allow grant matches it once read with the target's groups and roles (whatever the
  // denies say: a new member is the cause of all its new access, even where a deny also went).
  const throughDefinitions = allowing(s.baseUnderTarget, request)
  if (throughDefinitions !== undefined) return definitionsWidened(request, s, throughDefinitions.grant)
  return grantWidened(request, s)
}

/** The baseline allowed the request and denied it; the target does not deny it. */
function denyWeakened(request: Request, s: Sides): Cause {
  const deny = denying(s.bRules, request)!
  const allow = allowing(s.tRules, request)!
  const same = s.tRules.find((r) => r.effect === 'deny' && sameGrant(r.grant, deny.grant))
  const common = {request, beforeRaw: deny.grant.raw, baselinePointer: deny.grant.pointer}
  if (
    same !== undefined &&
    matches(
      s.targetUnderBase.find((r) => r.index === same.index)!,
      request,
    )
  ) {
    // The deny is unchanged in effect; what it names shrank.
    if (!matches(same, request, onSubject)) {
      const found = findGroupEdge(
        s.base,
        groupsOf(same.grant),
        covering(request.subject),
        (e) => !(s.tgt.groups.get(e.owner)?.members ?? []).includes(e.entry),
      )
      const owner = found === undefined ? undefined : s.tgt.groups.get(found.edge.owner)
      return {
        ...common,
        group: `denied-member:${found?.edge.owner}:${found?.edge.entry}`,
        rule: 'denied-group-member-removed',
        pointer: owner === undefined ? same.grant.pointer : `${owner.pointer}/members`,
        beforeRaw: found === undefined ? deny.grant.raw : s.base.groups.get(found.edge.owner)!.raw,
        afterRaw: owner?.raw ?? same.grant.raw,
        baselinePointer:
          found === undefined
            ? deny.grant.pointer
            : `${s.base.groups.get(found.edge.owner)!.pointer}/members/${found.edge.index}`,
        access: {deny: grantAccess(s.tgt, same.grant), lost: found?.edge.entry, from: found?.edge.owner},
        detail:
          found === undefined
            ? `${label(same.grant)} no longer covers it`
            : `${GROUP_PREFIX}${found.edge.owner} lost ${found.edge.entry}, and ${label(same.grant)} denies that group`,
        severity: 'high',
      }
    }
    const found = findRoleEdge(
      s.base,
      same.grant.roles,
      covering(request.permission),
      (e) => !listOf(s.tgt, e).includes(e.entry),
    )
    const owner = found === undefined ? undefined : s.tgt.roles.get(found.edge.owner)
    return {
      ...common,
      group: `denied-role:${found?.edge.owner}:${found?.edge.list}:${found?.edge.entry}`,
      rule: 'denied-role-permission-removed',
      pointer: owner === undefined ? same.grant.pointer : owner.pointer,
      beforeRaw: found === undefined ? deny.grant.raw : s.base.roles.get(found.edge.owner)!.raw,
      afterRaw: owner?.raw ?? same.grant.raw,
      baselinePointer:
        found === undefined
          ? deny.grant.pointer
          : `${s.base.roles.get(found.edge.owner)!.pointer}/${found.edge.list}/${found.edge.index}`,
      access: {deny: grantAccess(s.tgt, same.grant), lost: found?.edge.entry, from: found?.edge.owner},
      detail:
        found === undefined
          ? `${label(same.grant)} no longer covers it`
          : `role ${found.edge.owner} lost ${found.edge.entry}, and ${label(same.grant)} denies it`,
      severity: 'high',
    }
  }
  const narrowed =
    same ??
    s.tRules.find((r) => r.effect === 'deny' && matches(r, request, ignoringConditions)) ??
    related(s.tRules, 'deny', deny.grant)
  if (narrowed !== undefined)
    return {
      ...common,
      group: `deny:${narrowed.index}`,
      rule: 'deny-narrowed',
      pointer: narrowed.grant.pointer,
      afterRaw: narrowed.grant.raw,
      access: {was: grantAccess(s.base, deny.grant), now: grantAccess(s.tgt, narrowed.grant)},
      detail: `the baseline denied it by ${label(deny.grant)}; ${label(narrowed.grant)} no longer does`,
      severity: 'high',
    }
  return {
    ...common,
    group: `deny-removed:${deny.index}`,
    rule: 'deny-removed',
    pointer: allow.grant.pointer,
    afterRaw: null,
    access: {removed: grantAccess(s.base, deny.grant)},
    detail: `the baseline denied it by ${label(deny.grant)}, which is gone; ${label(allow.grant)} allows it`,
    severity: 'high',
  }
}

const listOf = (acl: Acl, e: Edge) => {
  const role = acl.roles.get(e.owner)
  return role === undefined ? [] : e.list === 'inherits' ? role.inherits : role.permissions
}

/** A baseline grant allows the request through the target's groups or roles. */
function definitionsWidened(request: Request, s: Sides, grant: Grant): Cause {
  const original = s.bRules.find((r) => r.index === grant.index)!
  if (!matches(original, request, onSubject)) {
    const found = findGroupEdge(
      s.tgt,
      groupsOf(grant),
      covering(request.subject),
      (e) => !(s.base.groups.get(e.owner)?.members ?? []).includes(e.entry),
    )
    if (found !== undefined) {
      const owner = s.tgt.groups.get(found.edge.owner)!
      const path = [...found.chain, ...found.rest]
      const through =
        path.length > 1
          ? ` through ${path
              .slice(1)
              .map((g) => GROUP_PREFIX + g)
              .join(' → ')}`
          : ''
      return {
        group: `member:${found.edge.owner}:${found.edge.index}`,
        rule: 'group-member-added',
        request,
        pointer: `${owner.pointer}/members/${found.edge.index}`,
        beforeRaw: s.base.groups.get(found.edge.owner)?.raw ?? null,
        afterRaw: owner.raw,
        baselinePointer: s.base.groups.has(found.edge.owner)
          ? s.base.groups.get(found.edge.owner)!.pointer
          : null,
        access: {group: found.edge.owner, gained: found.edge.entry},
        detail: `${GROUP_PREFIX}${found.edge.owner} gained ${found.edge.entry}; ${request.subject} is in ${GROUP_PREFIX}${path[0]}${through}, which ${label(grant)} names`,
        severity: 'medium',
      }
    }
  } else {
    const found = findRoleEdge(
      s.tgt,
      grant.roles,
      covering(request.permission),
      (e) => !listOf(s.base, e).includes(e.entry),
    )
    if (found !== undefined) {
      const owner = s.tgt.roles.get(found.edge.owner)!
      const inherits = found.edge.list === 'inherits'
      return {
        group: `role:${found.edge.owner}:${found.edge.list}:${found.edge.index}`,
        rule: inherits ? 'role-inherits' : 'role-permission-added',
        request,
        pointer: `${owner.pointer}/${found.edge.list}/${found.edge.index}`,
        beforeRaw: s.base.roles.get(found.edge.owner)?.raw ?? null,
        afterRaw: owner.raw,
        baselinePointer: s.base.roles.has(found.edge.owner)
          ? s.base.roles.get(found.edge.owner)!.pointer
          : null,
        access: {role: found.edge.owner, [found.edge.list!]: found.edge.entry},
        detail: `role ${found.edge.owner} ${inherits ? 'now inherits role' : 'gained'} ${found.edge.entry}, and ${label(grant)} gives role ${found.chain[0]}`,
        severity: 'medium',
      }
    }
  }
  // Not reached (a changed group or role always has a new entry on the way); kept sound anyway.
  return grantWidened(request, s)
}

/** A target allow grant was added or widened. */
function grantWidened(request: Request, s: Sides): Cause {
  const responsible = allowing(s.tRules, request)!
  const grant = responsible.grant
  const common = {
    request,
    pointer: grant.pointer,
    afterRaw: grant.raw,
    access: {grant: grantAccess(s.tgt, grant)},
    severity: 'medium' as const,
  }
  const covered = s.bRules.find((r) => r.effect === 'allow' && matches(r, request, ignoringConditions))
  if (covered !== undefined) {
    const dropped = covered.grant.conditions
      .filter(([k]) => !grant.conditions.some(([key]) => key === k))
      .map(([k]) => k)
    return {
      ...common,
      group: `grant:${grant.index}`,
      rule: dropped.length > 0 ? 'condition-removed' : 'condition-relaxed',
      beforeRaw: covered.grant.raw,
      baselinePointer: covered.grant.pointer,
      detail:
        dropped.length > 0
          ? `${label(grant)} no longer requires ${dropped.join(', ')}`
          : `${label(grant)} accepts more values of its conditions`,
    }
  }
  const edited = related(s.bRules, 'allow', grant)
  return {
    ...common,
    group: `grant:${grant.index}`,
    rule: edited === undefined ? 'grant-added' : 'grant-widened',
    beforeRaw: edited?.grant.raw ?? null,
    baselinePointer: edited?.grant.pointer ?? null,
    detail: `by ${label(grant)}`,
  }
}

function undecided(cell: DifferenceCell, s: Sides): Cause {
  const grant = (cell.matched.allowed[0] as CompiledRule).grant
  return {
    group: `grant:${grant.index}`,
    rule: 'undecidable',
    request: {subject: '', permission: '', resource: '', context: {}},
    pointer: grant.pointer,
    beforeRaw: null,
    afterRaw: grant.raw,
    baselinePointer: null,
    access: {grant: grantAccess(s.tgt, grant)},
    detail: `by ${label(grant)}`,
    severity: 'medium',
    possible: cell.reason ?? 'the patterns are too complex to compare exactly',
    undecided: cell.matched.allowed[0] as CompiledRule,
  }
}

/** The baseline allowed the request; the target does not. */
function narrowing(request: Request, s: Sides): Cause {
  const gone = allowing(s.bRules, request)!.grant
  const common = {request, severity: 'low' as const, beforeRaw: gone.raw, baselinePointer: gone.pointer}
  const deny = denying(s.tRules, request)
  if (deny !== undefined && allowing(s.tRules, request) !== undefined)
    return {
      ...common,
      group: `deny:${deny.index}`,
      rule: 'deny-added',
      pointer: deny.grant.pointer,
      afterRaw: deny.grant.raw,
      access: {grant: grantAccess(s.base, gone), deny: grantAccess(s.tgt, deny.grant)},
      detail: `denied by ${label(deny.grant)}`,
    }
  const throughDefinitions = allowing(s.targetUnderBase, request)
  if (throughDefinitions !== undefined) {
    const current = s.tRules.find((r) => r.index === throughDefinitions.index)!
    const subject = !matches(current, request, onSubject)
    return {
      ...common,
      group: `${subject ? 'member' : 'role'}:${throughDefinitions.index}`,
      rule: subject ? 'group-member-removed' : 'role-permission-removed',
      pointer: current.grant.pointer,
      afterRaw: current.grant.raw,
      access: {was: grantAccess(s.base, gone), now: grantAccess(s.tgt, current.grant)},
      detail: `${label(current.grant)} names ${subject ? 'groups' : 'roles'} that no longer cover it`,
    }
  }
  const covered = s.tRules.find((r) => r.effect === 'allow' && matches(r, request, ignoringConditions))
  const edited = covered ?? related(s.tRules, 'allow', gone)
  return {
    ...common,
    group: `gone:${gone.index}`,
    rule:
      covered !== undefined ? 'condition-added' : edited !== undefined ? 'grant-narrowed' : 'grant-removed',
    pointer: edited?.grant.pointer ?? null,
    afterRaw: edited?.grant.raw ?? null,
    access: {grant: grantAccess(s.base, gone)},
    detail: `the baseline allowed it by ${label(gone)}`,
  }
}

// --- severity and choice of witness ----------------------------------------------------------

/** No pattern but a bare wildcard covers it: it stands for "every subject" (or permission). */
const UNNAMED = '\u0000unnamed'

/**
 * Public access is critical; every identity of a type, or every permission, at least high. A
 * grant acldrift cannot decide is rated as if it allowed what it might: what acldrift cannot
 * decide never lowers a finding, so its severity is the one of the grant's widest reach.
 */
function severityOf(cause: Cause, s: Sides): Severity {
  const rule = cause.undecided ?? allowing(s.tRules, cause.request)
  if (rule === undefined) return cause.severity
  const subject = rule.predicates.get(SUBJECT)!
  if (holds(subject, UNNAMED)) return 'critical'
  // The request's identity type; for an undecided grant, any type its subjects name.
  const types =
    cause.undecided === undefined
      ? [cause.request.subject.split(':')[0]]
      : subjectPatterns(s.tgt, rule.grant.subjects).map((p) => p.split(':')[0])
  const broad =
    types.some((type) => holds(subject, `${type}:${UNNAMED}`)) ||
    holds(rule.predicates.get(PERMISSION)!, UNNAMED)
  return broad ? higherSeverity(cause.severity, 'high') : cause.severity
}

/** Every string the two versions name: witnesses made of them read best. */
function named(s: Sides): Set<string> {
  const names = new Set<string>()
  for (const acl of [s.base, s.tgt]) {
    for (const g of acl.groups.values()) for (const m of g.members) names.add(m)
    for (const role of acl.roles.values()) for (const p of role.permissions) names.add(p)
    for (const grant of acl.grants)
      for (const x of [...grant.subjects, ...grant.permissions, ...grant.resources]) names.add(x)
  }
  return names
}

/** The most telling request of a finding: the most severe, then named subject, permission and resource, then the simplest context. */
function best(group: Cause[], names: Set<string>): Cause {
  return mostTelling(group, (c) => ({
    possible: c.possible !== undefined,
    severity: c.severity,
    weight:
      [c.request.subject, c.request.permission, c.request.resource].filter((v) => names.has(v)).length -
      Object.keys(c.request.context).length / 10,
  }))
}

/**
 * A grant as access: its effect, the subjects and permissions it covers with the version's
 * groups and roles expanded (a member added to a group it names is more access), its resources
 * and its conditions; not its id or position.
 */
function grantAccess(acl: Acl, grant: Grant) {
  return {
    effect: grant.effect,
    subjects: subjectPatterns(acl, grant.subjects),
    permissions: [...grant.permissions, ...rolePermissions(acl, grant.roles)],
    resources: grant.resources,
    conditions: Object.fromEntries(grant.conditions),
  }
}

// --- findings -----------------------------------------------------------------------------

export function witnessOf(request: Request): Witness {
  const witness: Witness = {
    subject: request.subject,
    permission: request.permission,
    resource: request.resource,
  }
  if (Object.keys(request.context).length > 0) witness.context = request.context
  return witness
}

function requestText(witness: Witness, verb: string): string {
  const context =
    witness.context === undefined ? '' : ` when the context is ${JSON.stringify(witness.context)}`
  return `${String(witness.subject)} ${verb} ${String(witness.permission)} on ${String(witness.resource)}${context}`
}

function messageFor(
  change: Finding['change'],
  rule: string,
  witness: Witness | null,
  detail?: string,
  reason?: string,
): string {
  const title = RULES[rule as AclRule]?.title ?? rule
  if (rule === 'comparison-truncated')
    return truncationMessage(reason, witness === null ? undefined : requestText(witness, 'now has'), SPLIT)
  if (change === 'possible-widening' || witness === null)
    return sentence.possible(title, undefined, reason, detail)
  if (change === 'narrowing') return sentence.plain(title, requestText(witness, 'no longer has'), detail)
  return sentence.widening(title, requestText(witness, 'now has'), detail)
}

/** The finding's message for another witness (history asks about other requests). */
export function describeFinding(finding: Finding, witness: Witness): string {
  return messageFor(finding.change, finding.rule, asked(witness), undefined, finding.reason)
}

/**
 * A widening's access: its cause and the target's denies (removing one grants more). An allow
 * grant's widening lies inside that grant less those denies. A deny weakened, or a group or role
 * changed, lets through whatever the target's allow grants give inside what it no longer stops:
 * its access also records those grants (all of them, as access), so that an approval of a deny
 * removed under narrow grants never covers the same deny removed under wider ones.
 */
function wideningAccess(cause: Cause, s: Sides) {
  const of = (effect: 'allow' | 'deny') =>
    s.tgt.grants.filter((g) => g.effect === effect).map((g) => grantAccess(s.tgt, g))
  const ownGrant = Object.keys(cause.access as object).join() === 'grant'
  return {cause: cause.access, cutBy: of('deny'), ...(ownGrant ? {} : {allows: of('allow')})}
}

function draftOf(cause: Cause, direction: 'widening' | 'narrowing', s: Sides): FindingDraft<AclRule> {
  const witness = cause.possible !== undefined ? null : witnessOf(cause.request)
  const change = cause.possible !== undefined ? 'possible-widening' : direction
  return {
    rule: cause.rule,
    severity: cause.severity,
    at: {file: s.file, pointer: cause.pointer},
    baseline: cause.baselinePointer === null ? null : {file: s.file, pointer: cause.baselinePointer},
    message: messageFor(change, cause.rule, witness, cause.detail, cause.possible),
    witness,
    ...(cause.possible !== undefined ? {reason: cause.possible} : {}),
    before: cause.beforeRaw ?? null,
    after: cause.afterRaw ?? null,
    access: direction === 'widening' ? wideningAccess(cause, s) : cause.access,
  }
}
