// Compares one file's branch protections with its baseline, branch by branch. For every attempt
// class (action, actor, administrator or not) the two sides' requirements are compared: a block
// of the stricter side that the other side lacks, or an atom of it that the other side's atoms
// do not imply, is an update one side accepts and the other rejects. Each such difference is
// named after the setting that made it (its rule) and shown by a concrete attempt — built to
// meet every requirement of the accepting side and to fail the one in question — that is then
// checked against both sides with the evaluator.

import {completeFinding, type FindingDraft, sentence, sidesOf} from '../../kernel/findings.js'
import {severitiesOf} from '../../kernel/rules.js'
import type {
  AdapterContext,
  CodeOwnership,
  Document,
  Finding,
  ParsedFile,
  Severity,
  Witness,
} from '../../kernel/types.js'
import {type Comparison, compareFileByFile} from '../adapter.js'
import {
  accepts,
  ACTIONS,
  type Action,
  ANYONE,
  type Atom,
  type Attempt,
  type AttemptClass,
  type Block,
  BYPASSABLE,
  bypasses,
  type CodeOwnerApproval,
  holds,
  type PassedCheck,
  requirements,
  skipsReviews,
} from './evaluate.js'
import {type BranchEntry, branchesOf, type Protection, settingPointer} from './model.js'
import {type ProtectionRule, RULES} from './rules.js'

/** Widening rules, with the setting they are about and their narrowing counterpart. */
const SETTINGS = {
  'protection-removed': {setting: [], narrowing: 'protection-added'},
  'admins-exempt': {setting: ['enforce_admins'], narrowing: 'admins-enforced'},
  'force-push-allowed': {setting: ['allow_force_pushes'], narrowing: 'force-push-blocked'},
  'deletion-allowed': {setting: ['allow_deletions'], narrowing: 'deletion-blocked'},
  'creation-unblocked': {setting: ['block_creations'], narrowing: 'creation-blocked'},
  'branch-unlocked': {setting: ['lock_branch'], narrowing: 'branch-locked'},
  'fork-sync-allowed': {setting: ['allow_fork_syncing'], narrowing: 'fork-sync-blocked'},
  'push-restriction-lifted': {setting: ['restrictions'], narrowing: 'push-restricted'},
  'push-allowance-extended': {setting: ['restrictions'], narrowing: 'push-allowance-reduced'},
  'pull-request-not-required': {
    setting: ['required_pull_request_reviews'],
    narrowing: 'pull-request-required',
  },
  'bypass-extended': {
    setting: ['required_pull_request_reviews', 'bypass_pull_request_allowances'],
    narrowing: 'bypass-reduced',
  },
  'dismissal-extended': {
    setting: ['required_pull_request_reviews', 'dismissal_restrictions'],
    narrowing: 'dismissal-restricted',
  },
  'reviews-reduced': {
    setting: ['required_pull_request_reviews', 'required_approving_review_count'],
    narrowing: 'reviews-increased',
  },
  'stale-dismissal-off': {
    setting: ['required_pull_request_reviews', 'dismiss_stale_reviews'],
    narrowing: 'stale-dismissal-on',
  },
  'codeowner-review-off': {
    setting: ['required_pull_request_reviews', 'require_code_owner_reviews'],
    narrowing: 'codeowner-review-on',
  },
  'last-push-approval-off': {
    setting: ['required_pull_request_reviews', 'require_last_push_approval'],
    narrowing: 'last-push-approval-on',
  },
  'status-check-removed': {setting: ['required_status_checks'], narrowing: 'status-check-added'},
  'status-check-source-relaxed': {
    setting: ['required_status_checks', 'checks'],
    narrowing: 'status-check-source-pinned',
  },
  'up-to-date-not-required': {
    setting: ['required_status_checks', 'strict'],
    narrowing: 'up-to-date-required',
  },
  'signatures-not-required': {setting: ['required_signatures'], narrowing: 'signatures-required'},
  'linear-history-not-required': {setting: ['required_linear_history'], narrowing: 'linear-history-required'},
  'conversation-resolution-not-required': {
    setting: ['required_conversation_resolution'],
    narrowing: 'conversation-resolution-required',
  },
} as const satisfies Partial<Record<ProtectionRule, {setting: readonly string[]; narrowing: ProtectionRule}>>

type WideningRule = keyof typeof SETTINGS

/** The action whose witness says most about a rule (else: the first found, merges first). */
const PREFERRED_ACTION: Partial<Record<WideningRule, Action>> = {
  'pull-request-not-required': 'push',
  'bypass-extended': 'push',
  'admins-exempt': 'push',
}

/** Branches whose loss of protection is the worst case (safe-settings' `default` is the default branch). */
const DEFAULT_BRANCHES = new Set(['main', 'master', 'default'])

/** A widening rule's severity: critical on a default branch where the rule can be (its declaration says so). */
function severity(rule: WideningRule, branch: string): Severity {
  const severities = severitiesOf(RULES[rule])
  return DEFAULT_BRANCHES.has(branch) && severities.includes('critical') ? 'critical' : severities[0]!
}

/**
 * What code-owner review covers. GitHub asks a code owner's approval only of a pull request that
 * changes an owned file: unless every path has an owner, a pull request that changes only an
 * unowned file (`unowned`, when the repository's CODEOWNERS names one) merges without it.
 */
interface Owners {
  everywhere: boolean
  unowned?: string
}

/** Unknown ownership (no repository to read): some path is taken to have no owner. */
const ownersOf = (o: CodeOwnership | undefined): Owners =>
  o === undefined
    ? {everywhere: false}
    : o.unowned === null
      ? {everywhere: true}
      : {everywhere: false, unowned: o.unowned}

/**
 * Each changed file against its baseline. The repository's code ownership is asked for only when
 * a side requires code-owner reviews.
 */
export async function compareBranchProtection(
  baseline: Map<string, Document>,
  target: Map<string, Document>,
  changed: string[],
  context: AdapterContext,
): Promise<Comparison> {
  const asksCodeOwners = changed.some((path) =>
    [baseline.get(path), target.get(path)].some(
      (doc) =>
        doc !== undefined &&
        [...branchesOf(doc.value, path).values()].some((e) => e.protection.reviews?.codeOwners === true),
    ),
  )
  const ownership = asksCodeOwners ? await context.codeOwnership?.() : undefined
  return compareFileByFile(changed, baseline, target, context, (file, before, after) =>
    compareBranchProtectionFile(file, before, after, ownership),
  )
}

export function compareBranchProtectionFile(
  file: string,
  before: ParsedFile | undefined,
  after: ParsedFile | undefined,
  ownership?: CodeOwnership,
): Comparison {
  const notes: string[] = []
  const base = before ? branchesOf(before.value, file) : new Map<string, BranchEntry>()
  const target = after ? branchesOf(after.value, file, notes) : new Map<string, BranchEntry>()
  const findings: Finding[] = []
  const owners = ownersOf(ownership)
  const documents = sidesOf(file, before, after)
  const complete = (draft: FindingDraft<ProtectionRule>) =>
    completeFinding('branch-protection', RULES, documents, draft)
  for (const branch of [...new Set([...base.keys(), ...target.keys()])].sort()) {
    const sides = {file, baseEntry: base.get(branch), targetEntry: target.get(branch), owners}
    for (const change of ['widening', 'narrowing'] as const)
      findings.push(...compareBranch(branch, change, sides).map(complete))
  }
  return {findings, notes}
}

interface Sides {
  file: string
  baseEntry: BranchEntry | undefined
  targetEntry: BranchEntry | undefined
  owners: Owners
}

interface Found {
  witness?: Attempt
  /** set when no attempt could be shown (then the finding is a possible widening) */
  unshown?: AttemptClass
}

/** The actors worth asking about: anyone, and everyone a list of either side names. */
function actorsOf(...protections: Protection[]): string[] {
  const named = new Set<string>()
  for (const p of protections) {
    for (const list of [p.restrictions, p.reviews?.bypass, p.reviews?.dismissal])
      for (const who of list ?? []) named.add(who)
  }
  return [ANYONE, ...[...named].sort()]
}

/** Attempt classes in the order their witnesses are preferred: plain writers first. */
function classesOf(actors: string[], actions: readonly Action[] = ACTIONS): AttemptClass[] {
  const out: AttemptClass[] = []
  for (const admin of [false, true])
    for (const actor of actors) for (const action of actions) out.push({action, actor, admin})
  return out
}

/**
 * One branch in one direction: the updates `more` (the target, for widenings) accepts and
 * `less` rejects.
 */
function compareBranch(
  branch: string,
  change: 'widening' | 'narrowing',
  sides: Sides,
): Array<FindingDraft<ProtectionRule>> {
  const [more, less] =
    change === 'widening' ? [sides.targetEntry, sides.baseEntry] : [sides.baseEntry, sides.targetEntry]
  if (less === undefined) return []
  const found = new Map<WideningRule, Found>()
  if (more === undefined) {
    // Unprotected: every update goes through. Shown by the most telling one the other side rejects.
    const order: Action[] = ['force-push', 'push', 'merge', 'delete', 'create', 'dismiss-review', 'fork-sync']
    for (const c of classesOf(actorsOf(less.protection), order)) {
      const attempt = bareAttempt(branch, c, sides.owners)
      if (!accepts(less.protection, attempt)) {
        found.set('protection-removed', {witness: attempt})
        break
      }
    }
  } else {
    for (const c of classesOf(actorsOf(more.protection, less.protection)))
      differences(branch, c, more.protection, less.protection, found, sides.owners)
  }
  return [...found].map(([rule, f]) => draftOf(branch, change, rule, f, sides))
}

/** An attempt that meets no requirement: unapproved, unchecked, unsigned. */
function bareAttempt(branch: string, c: AttemptClass, owners: Owners): Attempt {
  return {branch, ...c, ...stateOf(c.action, [], owners, undefined, true)}
}

function differences(
  branch: string,
  c: AttemptClass,
  more: Protection,
  less: Protection,
  found: Map<WideningRule, Found>,
  owners: Owners,
) {
  const m = requirements(more, c)
  if (m.blocks.length > 0) return
  const l = requirements(less, c)
  const record = (rule: WideningRule, candidates: Attempt[], prefer?: (a: Attempt) => boolean) => {
    const known = found.get(rule)
    const preferred = PREFERRED_ACTION[rule]
    if (known?.witness && (known.witness.action === preferred || c.action !== preferred)) return
    const shown = candidates.filter((a) => accepts(more, a) && !accepts(less, a))
    const witness = shown.find((a) => prefer?.(a) ?? true) ?? shown[0]
    if (witness) found.set(rule, {witness})
    else if (known === undefined) found.set(rule, {unshown: c})
  }
  for (const block of l.blocks) {
    record(blockRule(block, c, more, less), [
      {branch, ...c, ...stateOf(c.action, [...m.atoms, ...l.atoms], owners)},
    ])
  }
  for (const atom of l.atoms) {
    if (implied(atom, m.atoms, owners)) continue
    const others = l.atoms.filter((a) => a !== atom)
    for (const {rule, prefer} of atomRules(atom, c, more, less)) {
      // The side's other conditions met too where possible, so that only this one fails.
      const candidates = [[...m.atoms, ...others], m.atoms].map((atoms) => ({
        branch,
        ...c,
        ...stateOf(c.action, atoms, owners, atom, false, prefer),
      }))
      record(rule, candidates, prefer)
    }
  }
}

function blockRule(block: Block, c: AttemptClass, more: Protection, less: Protection): WideningRule {
  if (BYPASSABLE.has(block) && bypasses(more, c) && !bypasses(less, c)) return 'admins-exempt'
  switch (block) {
    case 'locked':
      return 'branch-unlocked'
    case 'restricted':
      return more.restrictions === null ? 'push-restriction-lifted' : 'push-allowance-extended'
    case 'pull-request-required':
      return more.reviews === null ? 'pull-request-not-required' : 'bypass-extended'
    case 'force-push-blocked':
      return 'force-push-allowed'
    case 'deletion-blocked':
      return 'deletion-allowed'
    case 'creation-blocked':
      return more.restrictions === null
        ? 'push-restriction-lifted'
        : !more.blockCreations
          ? 'creation-unblocked'
          : 'push-allowance-extended'
    case 'dismissal-restricted':
      return more.reviews === null ? 'pull-request-not-required' : 'dismissal-extended'
    case 'fork-sync-blocked':
      return more.lock ? 'fork-sync-allowed' : 'branch-unlocked'
  }
}

/** Whether every attempt meeting `atoms` meets `atom`. */
function implied(atom: Atom, atoms: Atom[], owners: Owners): boolean {
  switch (atom.type) {
    case 'approvals': {
      // Code owner and last-push approvals are approvals too; a code owner's only where every
      // path has an owner (else a pull request changing an unowned file needs none).
      const floor = (current: boolean) =>
        Math.max(
          0,
          ...atoms.map((a) =>
            a.type === 'approvals' && (a.current || !current)
              ? a.min
              : a.type === 'last-push' ||
                  (a.type === 'code-owner' && owners.everywhere && (a.current || !current))
                ? 1
                : 0,
          ),
        )
      return floor(atom.current) >= atom.min
    }
    case 'code-owner':
      return atoms.some((a) => a.type === 'code-owner' && (a.current || !atom.current))
    case 'check':
      return atoms.some(
        (a) => a.type === 'check' && a.context === atom.context && (atom.app === null || a.app === atom.app),
      )
    default:
      return atoms.some((a) => a.type === atom.type)
  }
}

const REVIEW_ATOMS = new Set(['approvals', 'code-owner', 'last-push'])

/** The rules an atom of the stricter side stands for, each with the witness it prefers. */
function atomRules(
  atom: Atom,
  c: AttemptClass,
  more: Protection,
  less: Protection,
): {rule: WideningRule; prefer?: (a: Attempt) => boolean}[] {
  if (bypasses(more, c) && !bypasses(less, c)) return [{rule: 'admins-exempt'}]
  if (REVIEW_ATOMS.has(atom.type)) {
    if (more.reviews === null) return [{rule: 'pull-request-not-required'}]
    if (skipsReviews(more, c) && !skipsReviews(less, c)) return [{rule: 'bypass-extended'}]
  }
  const reviews = more.reviews!
  switch (atom.type) {
    case 'approvals': {
      const rules: {rule: WideningRule; prefer?: (a: Attempt) => boolean}[] = []
      if (reviews.count < atom.min)
        rules.push({rule: 'reviews-reduced', prefer: (a) => a.staleApprovals === 0})
      if (atom.current && !reviews.dismissStale)
        rules.push({rule: 'stale-dismissal-off', prefer: (a) => a.approvals === 0})
      return rules.length > 0 ? rules : [{rule: 'reviews-reduced'}]
    }
    case 'code-owner':
      return reviews.codeOwners
        ? [{rule: 'stale-dismissal-off', prefer: (a) => a.approvals === 0}]
        : [{rule: 'codeowner-review-off'}]
    case 'last-push':
      return [{rule: 'last-push-approval-off'}]
    case 'check':
      return [
        {
          rule:
            more.checks?.required.some((k) => k.context === atom.context) === true
              ? 'status-check-source-relaxed'
              : 'status-check-removed',
        },
      ]
    case 'up-to-date':
      return [{rule: more.checks === null ? 'status-check-removed' : 'up-to-date-not-required'}]
    case 'signed':
      return [{rule: 'signatures-not-required'}]
    case 'linear':
      return [{rule: 'linear-history-not-required'}]
    case 'conversations':
      return [{rule: 'conversation-resolution-not-required'}]
  }
}

const sameAtom = (a: Atom, b: Atom) => JSON.stringify(a) === JSON.stringify(b)

/**
 * The state of an attempt that meets `atoms` and fails `violate`: the fields its action carries
 * (a merge all of them, a push its checks, signature and history), the smallest review numbers
 * that do it, and every yes/no condition met but the violated one — or none met, when `bare`.
 */
function stateOf(
  action: Action,
  atoms: Atom[],
  owners: Owners,
  violate?: Atom,
  bare = false,
  prefer?: (a: Attempt) => boolean,
): Partial<Attempt> {
  if (action !== 'merge' && action !== 'push') return {}
  const keep = atoms.filter((a) => violate === undefined || !sameAtom(a, violate))
  const flag = (type: Atom['type']) => !bare && violate?.type !== type
  const state: Partial<Attempt> = {checks: checksFor(keep), signed: flag('signed'), linear: flag('linear')}
  if (action === 'push') return state
  Object.assign(state, reviewState(keep, owners, violate, prefer), {
    upToDate: flag('up-to-date'),
    conversationsResolved: flag('conversations'),
  })
  return state
}

const OWNER_STATES: CodeOwnerApproval[] = ['none', 'stale', 'current']

/**
 * The first review state, smallest numbers first, that meets `atoms` and fails `violate`; a pull
 * request that changes only an unowned file only when no pull request changing an owned one does.
 */
function reviewState(
  atoms: Atom[],
  owners: Owners,
  violate: Atom | undefined,
  prefer?: (a: Attempt) => boolean,
): Partial<Attempt> {
  const review = atoms.filter((a) => REVIEW_ATOMS.has(a.type))
  const fails = violate !== undefined && REVIEW_ATOMS.has(violate.type) ? violate : undefined
  let fallback: Partial<Attempt> | undefined
  for (const touchesOwnedFile of owners.everywhere ? [true] : [true, false]) {
    for (let approvals = 0; approvals <= 7; approvals++)
      for (let staleApprovals = 0; staleApprovals <= 7; staleApprovals++)
        for (const codeOwnerApproval of OWNER_STATES)
          for (const lastPushApproved of [false, true]) {
            if (codeOwnerApproval === 'current' && approvals === 0) continue
            if (codeOwnerApproval === 'stale' && staleApprovals === 0) continue
            if (lastPushApproved && approvals === 0) continue
            if (!touchesOwnedFile && codeOwnerApproval !== 'none') continue
            const state: Partial<Attempt> = {approvals, staleApprovals, codeOwnerApproval, lastPushApproved}
            if (!touchesOwnedFile)
              Object.assign(state, {touchesOwnedFile}, owners.unowned && {changedFile: owners.unowned})
            const probe = state as Attempt
            if (!review.every((a) => holds(a, probe)) || (fails && holds(fails, probe))) continue
            if (prefer === undefined || prefer(probe)) return state
            fallback ??= state
          }
    if (fallback) return fallback
  }
  return fallback ?? {approvals: 0, staleApprovals: 0, codeOwnerApproval: 'none', lastPushApproved: false}
}

/**
 * Checks passed: each one `atoms` require, from the app it must come from (else from an app no
 * rule names). A violated check is then failed: its context is not passed, or comes from
 * another source than the one it must.
 */
function checksFor(atoms: Atom[]): PassedCheck[] {
  const apps = new Map<string, Set<number | null>>()
  for (const a of atoms)
    if (a.type === 'check') apps.set(a.context, (apps.get(a.context) ?? new Set()).add(a.app))
  const out: PassedCheck[] = []
  for (const [context, required] of [...apps].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const named = [...required].filter((app): app is number => app !== null).sort((a, b) => a - b)
    if (named.length === 0) out.push({context})
    else for (const app of named) out.push({context, app})
  }
  return out
}

// --- findings -------------------------------------------------------------------------

function draftOf(
  branch: string,
  change: 'widening' | 'narrowing',
  rule: WideningRule,
  f: Found,
  sides: Sides,
): FindingDraft<ProtectionRule> {
  const {file, baseEntry, targetEntry} = sides
  const name = change === 'widening' ? rule : SETTINGS[rule].narrowing
  const setting: readonly string[] = SETTINGS[rule].setting
  const path =
    rule === 'status-check-removed' &&
    targetEntry &&
    isObjectWith(targetEntry.raw.required_status_checks, 'checks')
      ? [...setting, 'checks']
      : rule === 'status-check-removed'
        ? [...setting, 'contexts']
        : [...setting]
  const witness = f.witness ? witnessOf(f.witness) : null
  const title = RULES[name].title
  // No update could be shown: a widening is then possible; a narrowing is still reported, unshown.
  const unshown = `no update was found that shows the difference for ${JSON.stringify(f.unshown)}`
  const message =
    witness !== null
      ? messageFor(change, name, witness, settingChange(baseEntry, targetEntry, path))
      : change === 'widening'
        ? sentence.possible(title, `more updates are accepted on branch ${branch}`, unshown)
        : sentence.plain(title, `perhaps fewer updates are accepted on branch ${branch}`, unshown)
  return {
    rule: name,
    severity: change === 'narrowing' ? 'low' : severity(rule, branch),
    at: {file, pointer: targetEntry ? settingPointer(targetEntry, path) : null},
    baseline: baseEntry ? {file, pointer: settingPointer(baseEntry, path)} : null,
    message,
    witness,
    ...(witness === null && change === 'widening' ? {reason: unshown} : {}),
    before: baseEntry?.raw ?? null,
    after: targetEntry?.raw ?? null,
    // The branch's whole protection on the side that has the access (no protection: null).
    access: {branch, protection: protectionAccess((change === 'widening' ? targetEntry : baseEntry)?.raw)},
  }
}

/** A protection as access: without the REST export's `url` fields, which name it and grant nothing. */
function protectionAccess(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(protectionAccess)
  if (typeof value !== 'object' || value === null) return value ?? null
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !/(^|_)url$/.test(key))
      .map(([key, v]) => [key, protectionAccess(v)]),
  )
}

/** ` (setting: before → after)` for a yes/no or number setting, else nothing. */
function settingChange(
  base: BranchEntry | undefined,
  target: BranchEntry | undefined,
  path: readonly string[],
): string {
  if (path.length === 0) return ''
  const valueAt = (entry: BranchEntry | undefined) => {
    let node: unknown = entry?.raw
    for (const key of path)
      node = isObjectWith(node, key) ? (node as Record<string, unknown>)[key] : undefined
    if (isObjectWith(node, 'enabled')) node = (node as Record<string, unknown>).enabled
    return node === undefined || node === null ? 'not set' : node
  }
  const [before, after] = [valueAt(base), valueAt(target)]
  const scalar = (v: unknown) => ['boolean', 'number', 'string'].includes(typeof v)
  return scalar(before) && scalar(after) && before !== after
    ? ` (${path.at(-1)}: ${String(before)} → ${String(after)})`
    : ''
}

const isObjectWith = (v: unknown, key: string) => typeof v === 'object' && v !== null && key in v

function witnessOf(a: Attempt): Witness {
  const w: Witness = {}
  for (const [k, v] of Object.entries(a)) if (v !== undefined) w[k] = v
  return w
}

/** The finding's message for a witness (history re-words findings for the update asked about). */
export function describeFinding(finding: Finding, witness: Witness): string {
  return messageFor(finding.change === 'narrowing' ? 'narrowing' : 'widening', finding.rule, witness)
}

function messageFor(change: 'widening' | 'narrowing', rule: string, w: Witness, detail = ''): string {
  const title = RULES[rule as ProtectionRule]?.title ?? rule
  const verdict =
    change === 'widening'
      ? 'is now accepted, which the baseline rejected'
      : 'is now rejected, which the baseline accepted'
  return sentence.plain(title, `on branch ${String(w.branch)}, ${attemptText(w, rule)} ${verdict}${detail}`)
}

const ACTION_TEXT: Record<string, string> = {
  merge: 'merging a pull request',
  push: 'a direct push',
  'force-push': 'a force push',
  delete: 'deleting the branch',
  create: 'creating the branch',
  'dismiss-review': 'dismissing a review',
  'fork-sync': 'syncing the locked branch from upstream',
}

function attemptText(w: Witness, rule: string): string {
  const actor = w.actor === ANYONE || w.actor === undefined ? 'anyone with write access' : String(w.actor)
  const who = w.admin === true ? `${actor} (a repository administrator)` : actor
  const state: string[] = []
  if (typeof w.approvals === 'number') {
    const owner =
      w.codeOwnerApproval !== 'current' ? '' : w.approvals === 1 ? ' (a code owner)' : ' (one a code owner)'
    const stale =
      typeof w.staleApprovals === 'number' && w.staleApprovals > 0 ? ` and ${w.staleApprovals} stale` : ''
    state.push(`${w.approvals} current approval${w.approvals === 1 ? '' : 's'}${owner}${stale}`)
  }
  if (w.touchesOwnedFile === false)
    state.push(
      typeof w.changedFile === 'string'
        ? `changing only ${w.changedFile}, which no CODEOWNERS rule owns`
        : 'changing only files no CODEOWNERS rule owns',
    )
  else if (w.codeOwnerApproval === 'none') state.push('no code owner approval')
  if (w.codeOwnerApproval === 'stale') state.push('only a stale code owner approval')
  if (w.lastPushApproved === false && rule.startsWith('last-push')) state.push('the last push unapproved')
  if (Array.isArray(w.checks))
    state.push(
      w.checks.length === 0
        ? 'no status check passed'
        : `checks passed: ${(w.checks as PassedCheck[]).map((k) => (k.app === undefined ? k.context : `${k.context} (app ${k.app})`)).join(', ')}`,
    )
  if (w.upToDate === false) state.push('not up to date')
  if (w.signed === false) state.push('unsigned commits')
  if (w.linear === false) state.push('a merge commit')
  if (w.conversationsResolved === false) state.push('unresolved conversations')
  return `${ACTION_TEXT[String(w.action)] ?? String(w.action)} by ${who}${state.length > 0 ? ` with ${state.join(', ')}` : ''}`
}
