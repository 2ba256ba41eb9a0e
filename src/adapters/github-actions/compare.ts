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

import {
  completeFinding,
  type FindingDraft,
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
  RANK,
  SCOPE_NAMES,
  scopePointer,
  type Secrets,
  triggerPointer,
  triggersOf,
} from './model.js'
import {type ActionsRule, RULES} from './rules.js'

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
  const jobs = [...new Set([...Object.keys(jobsOf(base.value)), ...Object.keys(jobsOf(tgt.value))])].sort()
  for (const job of jobs) {
    drafts.push(...scopeFindings(file, job, base, tgt, mode))
    drafts.push(...secretFindings(file, job, tgt, base, 'widening'))
    drafts.push(...secretFindings(file, job, base, tgt, 'narrowing'))
  }
  drafts.push(...triggerFindings(file, base, tgt, mode, 'widening'))
  drafts.push(...triggerFindings(file, tgt, base, mode, 'narrowing'))
  const sides = sidesOf(file, before, after)
  return {findings: drafts.map((d) => finding(d, sides)), notes: []}
}

// --- severities ---------------------------------------------------------------------------

/** Write on these reaches code, releases, packages, cloud credentials (OIDC) or other workflows. */
const HIGH_WRITE = new Set(['actions', 'attestations', 'contents', 'deployments', 'id-token', 'packages'])

const scopeSeverity = (scope: string, level: Level): Severity =>
  level === 'write' ? (HIGH_WRITE.has(scope) ? 'high' : 'medium') : 'low'

const max = (a: Severity, b: Severity) => (SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b)

/** pull_request_target runs fork code's requests with the base token ("pwn request"): critical. */
const underTrigger = (severity: Severity, trigger: string | undefined): Severity =>
  trigger === 'pull_request_target'
    ? 'critical'
    : trigger === 'workflow_run'
      ? max(severity, 'high')
      : severity

/** The privileged triggers of a side, pull_request_target first. */
const privilegedTriggers = (side: Side): PrivilegedTrigger[] =>
  PRIVILEGED_TRIGGERS.filter((t) => side.triggers.has(t))

/** The privileged trigger a widening's witness names: the target's, pull_request_target first. */
const triggerOf = (side: Side): PrivilegedTrigger | undefined => privilegedTriggers(side)[0]

// --- (job, scope) ---------------------------------------------------------------------------

const isDefault = (t: JobToken | undefined) => t?.source === 'default' || t?.source === 'caller'

function scopeFindings(file: string, job: string, base: Side, tgt: Side, mode: DefaultPermissions): Draft[] {
  const b = jobToken(base.value, job, mode)
  const t = jobToken(tgt.value, job, mode)
  const out: Draft[] = []
  for (const scope of SCOPE_NAMES) {
    const lb = b?.token.get(scope) ?? 'none'
    const lt = t?.token.get(scope) ?? 'none'
    if (RANK[lt] === RANK[lb]) continue
    const widening = RANK[lt] > RANK[lb]
    const [more, less] = widening ? [t!, b] : [b!, t]
    const level = widening ? lt : lb
    // The job fell to the repository default (or its caller's token): no block applies any more.
    const fell = b !== undefined && t !== undefined && isDefault(t) && t.source !== b.source
    const rule: ActionsRule =
      less === undefined
        ? widening
          ? 'job-added'
          : 'job-removed'
        : fell
          ? 'default-permissions'
          : widening
            ? 'scope-widened'
            : 'scope-narrowed'
    const trigger = widening && level === 'write' ? triggerOf(tgt) : undefined
    const witness: Witness = {workflow: file, job, scope, level, ...(trigger ? {trigger} : {})}
    const change: ChangeType = widening ? 'widening' : 'narrowing'
    const pointer = t ? scopePointer(t, scope) : null
    out.push({
      file,
      change,
      rule,
      severity: widening ? underTrigger(scopeSeverity(scope, level), trigger) : 'low',
      witness,
      detail: scopeDetail(more, less, scope, widening, mode),
      pointer,
      before: b?.block ?? null,
      after: t?.block ?? null,
      baselinePointer: b ? scopePointer(b, scope) : null,
      // Every privileged trigger that starts the job with it is part of the access (the witness names one).
      access: {job, scope, level, triggers: trigger && privilegedTriggers(tgt)},
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
): string {
  const was = less === undefined ? '' : ` It ${widening ? 'was' : 'is now'} ${less.token.get(scope)}.`
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

/** Secrets that `more`'s call job passes and `less`'s does not (to the same called workflow). */
function secretFindings(file: string, job: string, more: Side, less: Side, change: ChangeType): Draft[] {
  const uses = calledWorkflow(more.value, job)
  if (uses === undefined) return []
  const passed = passedSecrets(more.value, job)
  const other = calledWorkflow(less.value, job) === uses ? passedSecrets(less.value, job) : NO_SECRETS
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
    const [tgt, base] = widening ? [more, less] : [less, more]
    const at = widening ? pointer : jobsOf(tgt.value)[job] === undefined ? null : jobPointer(job)
    out.push({
      file,
      change,
      rule,
      severity: widening ? underTrigger(all ? 'high' : 'medium', trigger) : 'low',
      witness: {workflow: file, job, uses, secret, ...(trigger ? {trigger} : {})},
      detail: '',
      pointer: at,
      before: jobsOf(base.value)[job] ?? null,
      after: jobsOf(tgt.value)[job] ?? null,
      baselinePointer: jobsOf(base.value)[job] === undefined ? null : jobPointer(job),
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
  const m = jobToken(more.value, job, mode)
  const l = jobToken(less.value, job, mode)
  const lessHasTrigger = less.triggers.has(trigger) && l !== undefined
  const out: Exposed[] = []
  for (const scope of SCOPE_NAMES) {
    if (m?.token.get(scope) !== 'write') continue
    // A scope that `less` does not hold at write at all is the (job, scope) finding's.
    if (l?.token.get(scope) !== 'write' || lessHasTrigger) continue
    out.push({scope})
  }
  out.sort(
    (a, b) =>
      SEVERITY_RANK[scopeSeverity(b.scope!, 'write')] - SEVERITY_RANK[scopeSeverity(a.scope!, 'write')],
  )
  const held = heldSecrets(more.value, job)
  const lessHeld = lessHasTrigger ? heldSecrets(less.value, job) : NO_SECRETS
  const uses = calledWorkflow(more.value, job)
  const lessPassed =
    uses !== undefined && calledWorkflow(less.value, job) === uses
      ? passedSecrets(less.value, job)
      : NO_SECRETS
  const passed = uses !== undefined ? passedSecrets(more.value, job) : NO_SECRETS
  // Every secret either side names, and `*`: a named secret that `*` covers is an item of its own.
  const names = new Set([...held.names.keys(), ...heldSecrets(less.value, job).names.keys()])
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
  }
  return completeFinding('github-actions', RULES, sides, draft)
}
