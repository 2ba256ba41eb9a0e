// Compares one workflow file with its baseline. The access it grants is a set of items:
// - (job, scope, level): the job's GITHUB_TOKEN has the scope at that level or above;
// - (job, secret) of a reusable-workflow call job: the secret reaches the called workflow;
// - (trigger, job, scope at write | secret) for pull_request_target and workflow_run: outsiders'
//   input starts a job that holds write access or a secret.
// Every item the target has and the baseline does not is a widening (the reverse, a narrowing),
// grouped as findings: one per (job, scope), one per (call job, secret), and one per (trigger,
// job) for what a new privileged trigger exposes that the job already held. A job that gains
// write under a trigger that was already there is its (job, scope) finding, with the trigger in
// its witness and a higher severity.
//
// Jobs are compared by what they hold, not by their key: a job's counterparts on the other side
// are the job of the same key, or, for a key the other side does not have (a job renamed, or two
// merged into one), every job of the other side whose key this side does not have. An item is new
// only if no counterpart held it (under the same workflow's triggers), so a rename or a merge is
// no change, and a renamed job that also gains a scope is that scope's finding.

import {
  completeFinding,
  type FindingDraft,
  higherSeverity,
  SEVERITY_RANK,
  sentence,
  type Sides,
  sidesOf,
} from '../../kernel/findings.js'
import type {ChangeType, Finding, ParsedFile, Severity, Witness} from '../../kernel/types.js'
import type {Comparison} from '../adapter.js'
import {detect, isObject} from './detect.js'
import {
  ALL_SECRETS,
  calledWorkflow,
  type DefaultPermissions,
  heldSecrets,
  holdsSecret,
  jobPointer,
  jobsOf,
  type JobToken,
  jobToken,
  type Level,
  passedSecrets,
  PRIVILEGED_TRIGGERS,
  type PrivilegedTrigger,
  isKnownScope,
  RANK,
  scopePointer,
  scopesOf,
  type Secrets,
  triggerPointer,
  triggersOf,
} from './model.js'
import {type ActionsRule, RULES} from './rules.js'
import {nearestScope, SCOPES_READ_ON} from './scopes.js'

interface Side {
  /** the workflow (undefined when the file is absent on this side) */
  value: Record<string, unknown> | undefined
  triggers: Set<string>
}

const sideOf = (doc: ParsedFile | undefined): Side => {
  const value = doc && detect(doc.value) && isObject(doc.value) ? doc.value : undefined
  return {value, triggers: triggersOf(value?.on)}
}

export function compareWorkflowFile(
  file: string,
  before: ParsedFile | undefined,
  after: ParsedFile | undefined,
  mode: DefaultPermissions,
): Comparison {
  const base = sideOf(before)
  const tgt = sideOf(after)
  const drafts: Draft[] = []
  for (const [more, less, change] of [
    [tgt, base, 'widening'],
    [base, tgt, 'narrowing'],
  ] as const) {
    for (const job of Object.keys(jobsOf(more.value)).sort()) {
      const others = counterparts(job, more, less)
      drafts.push(...scopeFindings(file, job, others, more, less, mode, change))
      drafts.push(...secretFindings(file, job, others, more, less, change))
    }
  }
  drafts.push(...triggerFindings(file, base, tgt, mode, 'widening'))
  drafts.push(...triggerFindings(file, tgt, base, mode, 'narrowing'))
  const sides = sidesOf(file, before, after)
  return {findings: drafts.map((d) => finding(d, sides)), notes: unknownScopeNotes(file, tgt, mode)}
}

/**
 * The jobs of `less` a job of `more` is compared with: the job of the same key, else (a job
 * renamed, or jobs merged or split) every job of `less` whose key `more` does not have.
 */
function counterparts(job: string, more: Side, less: Side): string[] {
  const lessJobs = Object.keys(jobsOf(less.value))
  if (lessJobs.includes(job)) return [job]
  const moreJobs = jobsOf(more.value)
  return lessJobs.filter((j) => !Object.hasOwn(moreJobs, j)).sort()
}

/** A note for each scope of the target that acldrift's list does not name (GitHub may know it). */
function unknownScopeNotes(file: string, side: Side, mode: DefaultPermissions): string[] {
  const unknown = new Set<string>()
  for (const job of Object.keys(jobsOf(side.value)))
    for (const scope of jobToken(side.value, job, mode)?.token.keys() ?? [])
      if (!isKnownScope(scope)) unknown.add(scope)
  return [...unknown].sort().map((scope) => {
    const near = nearestScope(scope)
    return `${file}: permission scope "${scope}" is not in acldrift's list of GITHUB_TOKEN scopes (GitHub's documentation as read on ${SCOPES_READ_ON}): if GitHub knows it, it grants what it says; if not, GitHub rejects the workflow${near === undefined ? '' : ` (did you mean "${near}"?)`}`
  })
}

// --- severities ---------------------------------------------------------------------------

/** Write on these reaches code, releases, packages, cloud credentials (OIDC) or other workflows. */
const HIGH_WRITE = new Set(['actions', 'attestations', 'contents', 'deployments', 'id-token', 'packages'])

const scopeSeverity = (scope: string, level: Level): Severity =>
  level === 'write' ? (HIGH_WRITE.has(scope) ? 'high' : 'medium') : 'low'

/** pull_request_target runs fork code's requests with the base token ("pwn request"): critical. */
const underTrigger = (severity: Severity, trigger: string | undefined): Severity =>
  trigger === 'pull_request_target'
    ? 'critical'
    : trigger === 'workflow_run'
      ? higherSeverity(severity, 'high')
      : severity

/** The privileged triggers of a side, pull_request_target first. */
const privilegedTriggers = (side: Side): PrivilegedTrigger[] =>
  PRIVILEGED_TRIGGERS.filter((t) => side.triggers.has(t))

/** The privileged trigger a widening's witness names: the target's, pull_request_target first. */
const triggerOf = (side: Side): PrivilegedTrigger | undefined => privilegedTriggers(side)[0]

// --- (job, scope) ---------------------------------------------------------------------------

const isDefault = (t: JobToken | undefined) => t?.source === 'default' || t?.source === 'caller'

/**
 * The scopes `more`'s job holds above what its counterparts in `less` held (for a widening,
 * `more` is the target; for a narrowing, the baseline).
 */
function scopeFindings(
  file: string,
  job: string,
  others: string[],
  more: Side,
  less: Side,
  mode: DefaultPermissions,
  change: 'widening' | 'narrowing',
): Draft[] {
  const m = jobToken(more.value, job, mode)
  if (m === undefined) return []
  const lessTokens = others.flatMap((j) => {
    const t = jobToken(less.value, j, mode)
    return t === undefined ? [] : [{job: j, token: t}]
  })
  const widening = change === 'widening'
  const out: Draft[] = []
  for (const scope of scopesOf(m.token, ...lessTokens.map((l) => l.token.token))) {
    const level = m.token.get(scope) ?? 'none'
    // The counterpart that held the most of it (the first of equals).
    const held = lessTokens.reduce<(typeof lessTokens)[number] | undefined>(
      (best, l) =>
        best === undefined ||
        RANK[l.token.token.get(scope) ?? 'none'] > RANK[best.token.token.get(scope) ?? 'none']
          ? l
          : best,
      undefined,
    )
    if (RANK[level] <= RANK[held?.token.token.get(scope) ?? 'none']) continue
    const l = held?.token
    // The job fell to the repository default (or its caller's token): no block applies any more.
    const [t, b] = widening ? [m, l] : [l, m]
    const fell = t !== undefined && b !== undefined && isDefault(t) && t.source !== b.source
    const unknown = !isKnownScope(scope)
    const rule: ActionsRule =
      lessTokens.length === 0
        ? widening
          ? 'job-added'
          : 'job-removed'
        : fell
          ? 'default-permissions'
          : widening
            ? unknown
              ? 'unknown-scope'
              : 'scope-widened'
            : 'scope-narrowed'
    const trigger = widening && level === 'write' ? triggerOf(more) : undefined
    const witness: Witness = {workflow: file, job, scope, level, ...(trigger ? {trigger} : {})}
    const renamed = held !== undefined && held.job !== job ? held.job : undefined
    out.push({
      file,
      change,
      rule,
      severity: widening ? underTrigger(scopeSeverity(scope, level), trigger) : 'low',
      witness,
      detail:
        scopeDetail(m, l, scope, widening, mode, renamed) +
        (widening && unknown ? ' If GitHub does not know the scope, it rejects the workflow instead.' : ''),
      ...(widening && unknown
        ? {reason: `acldrift's list of GITHUB_TOKEN scopes (read ${SCOPES_READ_ON}) does not name "${scope}"`}
        : {}),
      pointer: t ? scopePointer(t, scope) : null,
      before: b?.block ?? null,
      after: t?.block ?? null,
      baselinePointer: b ? scopePointer(b, scope) : null,
      // Every privileged trigger that starts the job with it is part of the access (the witness names one).
      access: {job, scope, level, triggers: trigger && privilegedTriggers(more)},
    })
  }
  return out
}

function scopeDetail(
  more: JobToken,
  less: JobToken | undefined,
  scope: string,
  widening: boolean,
  mode: DefaultPermissions,
  renamed: string | undefined,
): string {
  const job =
    renamed === undefined ? 'It' : `Job ${renamed} (the job ${widening ? 'it replaces' : 'that replaces it'})`
  const was =
    less === undefined ? '' : ` ${job} ${widening ? 'had' : 'has'} ${less.token.get(scope) ?? 'none'}.`
  const from =
    more.source === 'default'
      ? ` No permissions block applies, so the job gets the repository default (${mode}).`
      : more.source === 'caller'
        ? " No permissions block applies and the workflow is a reusable one (workflow_call): the job gets its caller's token, up to write-all."
        : ''
  return `${was}${from}`
}

// --- (call job, secret) ---------------------------------------------------------------------

const NO_SECRETS: Secrets = {names: new Map()}

/** What `less`'s counterparts of a call job passed to the same called workflow. */
function passedByCounterparts(others: string[], less: Side, uses: string): Secrets {
  const names = new Map<string, string>()
  for (const j of others)
    if (calledWorkflow(less.value, j) === uses)
      for (const [k, v] of passedSecrets(less.value, j).names) names.set(k, v)
  return {names}
}

/** Secrets that `more`'s call job passes and its counterparts in `less` did not (to the same called workflow). */
function secretFindings(
  file: string,
  job: string,
  others: string[],
  more: Side,
  less: Side,
  change: ChangeType,
): Draft[] {
  const uses = calledWorkflow(more.value, job)
  if (uses === undefined) return []
  const passed = passedSecrets(more.value, job)
  const other = passedByCounterparts(others, less, uses)
  const out: Draft[] = []
  for (const [secret, pointer] of passed.names) {
    if (covers(other, secret)) continue
    const widening = change === 'widening'
    const all = secret === ALL_SECRETS
    const trigger = widening ? triggerOf(more) : undefined
    const rule: ActionsRule = all
      ? widening
        ? 'secrets-inherited'
        : 'secrets-no-longer-inherited'
      : widening
        ? 'secret-passed'
        : 'secret-no-longer-passed'
    // Where the target shows it: the new entry, or (a narrowing) the counterpart job that remains.
    const counterpart = others.find((j) => calledWorkflow(less.value, j) === uses) ?? others[0]
    const [tgtJob, baseJob] = widening ? [job, counterpart] : [counterpart, job]
    const [tgt, base] = widening ? [more, less] : [less, more]
    const tgtBody = tgtJob === undefined ? undefined : jobsOf(tgt.value)[tgtJob]
    const baseBody = baseJob === undefined ? undefined : jobsOf(base.value)[baseJob]
    out.push({
      file,
      change,
      rule,
      severity: widening ? underTrigger(all ? 'high' : 'medium', trigger) : 'low',
      witness: {workflow: file, job, uses, secret, ...(trigger ? {trigger} : {})},
      detail: '',
      pointer: widening ? pointer : tgtBody === undefined ? null : jobPointer(tgtJob!),
      before: baseBody ?? null,
      after: tgtBody ?? null,
      baselinePointer: baseBody === undefined ? null : jobPointer(baseJob!),
      access: {job, uses, secret, triggers: trigger && privilegedTriggers(more)},
    })
  }
  return out
}

const covers = (secrets: Secrets, secret: string) =>
  secret === ALL_SECRETS ? secrets.names.has(ALL_SECRETS) : holdsSecret(secrets, secret)

// --- (trigger, job) -----------------------------------------------------------------------

interface Exposed {
  scope?: string
  secret?: string
}

/**
 * What each privileged trigger of `more` exposes (write scopes, secrets held) that `less` does
 * not, leaving out what the (job, scope) and (call job, secret) findings already report.
 */
function triggerFindings(
  file: string,
  less: Side,
  more: Side,
  mode: DefaultPermissions,
  change: ChangeType,
): Draft[] {
  const out: Draft[] = []
  const widening = change === 'widening'
  const [tgt, base] = widening ? [more, less] : [less, more]
  for (const trigger of PRIVILEGED_TRIGGERS) {
    if (!more.triggers.has(trigger)) continue
    for (const job of Object.keys(jobsOf(more.value)).sort()) {
      const exposed = exposedBy(job, trigger, more, less, mode)
      if (exposed.length === 0) continue
      const chosen = exposed[0]!
      const item =
        chosen.scope !== undefined ? {scope: chosen.scope, level: 'write'} : {secret: chosen.secret}
      // The new trigger's entry in `on:`; for a narrowing, the target's `on:` (or nothing, when deleted).
      const pointer = widening ? triggerPointer(tgt.value?.on, trigger) : tgt.value ? '/on' : null
      const severity: Severity = trigger === 'pull_request_target' ? 'critical' : 'high'
      out.push({
        file,
        change,
        rule: widening ? 'privileged-trigger' : 'privileged-trigger-removed',
        severity: widening ? severity : 'low',
        witness: {workflow: file, job, trigger, ...item},
        detail:
          exposed.length > 1
            ? ` It also holds ${exposed
                .slice(1)
                .map((e) => (e.scope !== undefined ? `${e.scope}: write` : secretText(e.secret!)))
                .join(', ')}.`
            : '',
        pointer,
        before: base.value?.on ?? null,
        after: tgt.value?.on ?? null,
        baselinePointer: base.value ? '/on' : null,
        // What the trigger exposes is part of the access: the same trigger over more is another.
        access: {job, trigger, exposed},
      })
    }
  }
  return out
}

/** Write scopes (most sensitive first) and secrets the trigger exposes in `more`'s job only. */
function exposedBy(
  job: string,
  trigger: string,
  more: Side,
  less: Side,
  mode: DefaultPermissions,
): Exposed[] {
  const others = counterparts(job, more, less)
  const m = jobToken(more.value, job, mode)
  const lessTokens = others.flatMap((j) => jobToken(less.value, j, mode) ?? [])
  const lessHasTrigger = less.triggers.has(trigger) && lessTokens.length > 0
  const out: Exposed[] = []
  for (const scope of scopesOf(m?.token)) {
    if (m?.token.get(scope) !== 'write') continue
    // A scope that no counterpart held at write is the (job, scope) finding's.
    if (!lessTokens.some((l) => l.token.get(scope) === 'write') || lessHasTrigger) continue
    out.push({scope})
  }
  out.sort(
    (a, b) =>
      SEVERITY_RANK[scopeSeverity(b.scope!, 'write')] - SEVERITY_RANK[scopeSeverity(a.scope!, 'write')],
  )
  const held = heldSecrets(more.value, job)
  const lessAll = unionOf(others.map((j) => heldSecrets(less.value, j)))
  const lessHeld = lessHasTrigger ? lessAll : NO_SECRETS
  const uses = calledWorkflow(more.value, job)
  const lessPassed = uses !== undefined ? passedByCounterparts(others, less, uses) : NO_SECRETS
  const passed = uses !== undefined ? passedSecrets(more.value, job) : NO_SECRETS
  // Every secret either side names, and `*`: a named secret that `*` covers is an item of its own.
  const names = new Set([...held.names.keys(), ...lessAll.names.keys()])
  const secrets = [...names]
    .filter((secret) => covers(held, secret))
    .sort((a, b) => (a === ALL_SECRETS ? -1 : b === ALL_SECRETS ? 1 : a < b ? -1 : 1))
  for (const secret of secrets) {
    if (covers(lessHeld, secret)) continue
    // A secret newly passed to a called workflow is the (call job, secret) finding's.
    if (covers(passed, secret) && !covers(lessPassed, secret)) continue
    out.push({secret})
  }
  return out
}

const unionOf = (list: Secrets[]): Secrets => ({
  names: new Map(list.flatMap((secrets) => [...secrets.names])),
})

// --- findings -------------------------------------------------------------------------------

const TRIGGER_RISK: Record<string, string> = {
  pull_request_target: `a pull request from any fork can start it, with the base repository's token and secrets (the "pwn request" pattern)`,
  workflow_run:
    "it runs with the base repository's token and secrets after workflows that pull requests from forks can start",
}

const secretText = (secret: string) =>
  secret === ALL_SECRETS ? 'every secret (secrets: inherit)' : `secret ${secret}`

/** The finding's message for a witness (history re-words findings for the item asked about). */
export function describeFinding(finding: Finding, witness: Witness): string {
  return messageFor(finding.change, finding.rule, witness)
}

function messageFor(change: ChangeType, rule: string, w: Witness): string {
  const text = RULES[rule as ActionsRule]?.title ?? rule
  const job = `job ${String(w.job)} of ${String(w.workflow)}`
  const what = typeof w.scope === 'string' ? `${w.scope}: ${String(w.level)}` : secretText(String(w.secret))
  const risk = typeof w.trigger === 'string' ? (TRIGGER_RISK[w.trigger] ?? '') : ''
  const widening = change !== 'narrowing'
  if (rule.startsWith('privileged-trigger'))
    return widening
      ? sentence.plain(text, `${String(w.trigger)} now starts ${job}, which holds ${what}: ${risk}`)
      : sentence.plain(text, `${String(w.trigger)} no longer starts ${job}, which holds ${what}`)
  if (w.uses !== undefined)
    return sentence.plain(
      text,
      `${job} ${widening ? 'now passes' : 'no longer passes'} ${what} to ${String(w.uses)}${risk ? `, and ${risk}` : ''}`,
    )
  return widening
    ? sentence.plain(text, `${job} now gets ${what}${risk ? `, and ${risk}` : ''}`)
    : sentence.plain(text, `${job} no longer gets ${what}`)
}

interface Draft {
  file: string
  change: ChangeType
  rule: ActionsRule
  severity: Severity
  witness: Witness
  /** more sentences for this comparison (what it was, where the token comes from) */
  detail: string
  pointer: string | null
  before: unknown
  after: unknown
  baselinePointer: string | null
  /** the item whose access changed, whole: the finding's id names it */
  access: unknown
  /** why acldrift cannot decide it (a scope its list does not name): a possible widening */
  reason?: string
}

function finding(d: Draft, sides: Sides): Finding {
  const draft: FindingDraft<ActionsRule> = {
    rule: d.rule,
    severity: d.severity,
    at: {file: d.file, pointer: d.pointer},
    baseline: d.baselinePointer === null ? null : {file: d.file, pointer: d.baselinePointer},
    message: messageFor(d.change, d.rule, d.witness) + d.detail,
    narrowing: d.change === 'narrowing',
    witness: d.witness,
    before: d.before,
    after: d.after,
    access: d.access,
    ...(d.reason === undefined ? {} : {reason: d.reason}),
  }
  return completeFinding('github-actions', RULES, sides, draft)
}
