// An independent evaluator of GitHub branch protection, for the fixture and property tests. It
// shares no code with src/adapters/branch-protection: it reads the raw JSON/YAML values (REST
// responses, PUT request bodies, safe-settings files) and decides one concrete update at a time
// from GitHub's documented rules, and it enumerates every update of a small finite universe.
//
// The rules it follows (the same ones the README states):
// - administrators skip every requirement unless `enforce_admins`, except that force pushes
//   and deletions are governed for everyone by `allow_force_pushes` / `allow_deletions`;
// - `restrictions` limit who may merge, push, force-push and delete; with `block_creations`,
//   also who may create the branch;
// - required reviews forbid direct pushes (unless the actor is in
//   `bypass_pull_request_allowances`) and ask merges for approvals (stale ones count unless
//   `dismiss_stale_reviews`), a code owner approval when the pull request changes a file with a
//   code owner (unless every path has one, some pull request changes only unowned files), an
//   approval of the last push;
// - required checks must have passed, from the app `app_id` names (null or -1: any source);
//   `strict` asks merges to be up to date; signatures and linear history apply to merges and
//   pushes, conversation resolution to merges; a force push (a rewind) adds no commits;
// - `lock_branch` makes the branch read-only except for fork syncing when allowed;
// - `dismissal_restrictions` limit who may dismiss reviews (administrators always may); in the
//   request shape (no `url`), an object naming no one turns the restriction off.

import type {CodeOwnership, Finding} from '../../../src/kernel/types.js'
import type {CaseSides, Oracle} from '../oracle.js'

export type Action = 'merge' | 'push' | 'force-push' | 'delete' | 'create' | 'dismiss-review' | 'fork-sync'
export const ALL_ACTIONS: Action[] = [
  'merge',
  'push',
  'force-push',
  'delete',
  'create',
  'dismiss-review',
  'fork-sync',
]

export interface Check {
  context: string
  app?: number
}

export interface Attempt {
  branch: string
  action: Action
  actor: string
  admin: boolean
  approvals?: number
  staleApprovals?: number
  codeOwnerApproval?: 'none' | 'stale' | 'current'
  touchesOwnedFile?: boolean
  lastPushApproved?: boolean
  checks?: Check[]
  upToDate?: boolean
  signed?: boolean
  linear?: boolean
  conversationsResolved?: boolean
}

type Raw = Record<string, unknown>
const obj = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v)
const enabled = (v: unknown) => v === true || (obj(v) && v.enabled === true)

const namedCache = new WeakMap<Raw, string[]>()

/** Everyone a users/teams/apps object names, as `user:login`, `team:slug`, `app:slug`. */
export function named(list: unknown): string[] {
  if (!obj(list)) return []
  const cached = namedCache.get(list)
  if (cached) return cached
  const out: string[] = []
  for (const [key, prefix, field] of [
    ['users', 'user', 'login'],
    ['teams', 'team', 'slug'],
    ['apps', 'app', 'slug'],
  ] as const) {
    const items = Array.isArray(list[key]) ? (list[key] as unknown[]) : []
    for (const item of items) {
      const name = typeof item === 'string' ? item : obj(item) ? item[field] : undefined
      if (typeof name === 'string') out.push(`${prefix}:${name.toLowerCase()}`)
    }
  }
  namedCache.set(list, out)
  return out
}

/** The raw protection objects of a file, by branch (undefined entries: not protected). */
export function protectionsOf(value: unknown, file: string): Map<string, Raw> {
  const out = new Map<string, Raw>()
  if (!obj(value)) return out
  if (Array.isArray(value.branches)) {
    for (const entry of value.branches) {
      if (!obj(entry) || typeof entry.name !== 'string') continue
      if (obj(entry.protection)) out.set(entry.name, entry.protection)
      else out.delete(entry.name)
    }
    return out
  }
  const match = typeof value.url === 'string' ? /\/branches\/(.+)\/protection$/.exec(value.url) : null
  const branch = match ? decodeURIComponent(match[1]!) : file.replace(/^.*\//, '').replace(/\.[^.]+$/, '')
  out.set(branch, value)
  return out
}

function checksPass(rsc: Raw, passed: Check[]): boolean {
  const has = (context: string, app: unknown) =>
    passed.some(
      (k) => k.context === context && (app === null || app === undefined || app === -1 || k.app === app),
    )
  const checks = Array.isArray(rsc.checks) ? (rsc.checks as Raw[]) : []
  for (const k of checks) if (!has(String(k.context), k.app_id)) return false
  const inChecks = new Set(checks.map((k) => String(k.context)))
  const contexts = Array.isArray(rsc.contexts) ? (rsc.contexts as string[]) : []
  for (const c of contexts) if (!inChecks.has(c) && !has(c, null)) return false
  return true
}

/** Whether GitHub accepts the update under protection `p` (undefined: unprotected). */
export function bruteAccepts(p: Raw | undefined, a: Attempt): boolean {
  if (p === undefined) return true
  const exempt = a.admin && !enabled(p.enforce_admins)
  const rpr = obj(p.required_pull_request_reviews) ? p.required_pull_request_reviews : undefined
  const rsc = obj(p.required_status_checks) ? p.required_status_checks : undefined
  const canPush = !obj(p.restrictions) || named(p.restrictions).includes(a.actor) || exempt
  const locked = enabled(p.lock_branch) && !exempt
  switch (a.action) {
    case 'force-push':
      return enabled(p.allow_force_pushes) && !locked && canPush
    case 'delete':
      return enabled(p.allow_deletions) && canPush
    case 'create':
      return !(obj(p.restrictions) && enabled(p.block_creations)) || canPush
    case 'fork-sync':
      return !locked || enabled(p.allow_fork_syncing)
    case 'dismiss-review': {
      if (rpr === undefined || !obj(rpr.dismissal_restrictions)) return true
      const who = named(rpr.dismissal_restrictions)
      if (who.length === 0 && typeof p.url !== 'string') return true
      return a.admin || who.includes(a.actor)
    }
    case 'merge':
    case 'push': {
      if (locked || !canPush) return false
      const skipsReviews =
        exempt || (rpr !== undefined && named(rpr.bypass_pull_request_allowances).includes(a.actor))
      if (rpr !== undefined && !skipsReviews) {
        if (a.action === 'push') return false
        const dismiss = rpr.dismiss_stale_reviews === true
        const approvals = (a.approvals ?? 0) + (dismiss ? 0 : (a.staleApprovals ?? 0))
        if (approvals < Number(rpr.required_approving_review_count)) return false
        const owner = a.codeOwnerApproval ?? 'none'
        if (
          rpr.require_code_owner_reviews === true &&
          a.touchesOwnedFile !== false &&
          (owner === 'none' || (dismiss && owner === 'stale'))
        )
          return false
        if (rpr.require_last_push_approval === true && a.lastPushApproved !== true) return false
      }
      if (exempt) return true
      if (rsc !== undefined) {
        if (!checksPass(rsc, a.checks ?? [])) return false
        if (a.action === 'merge' && rsc.strict === true && a.upToDate !== true) return false
      }
      if (enabled(p.required_signatures) && a.signed !== true) return false
      if (enabled(p.required_linear_history) && a.linear !== true) return false
      if (
        a.action === 'merge' &&
        enabled(p.required_conversation_resolution) &&
        a.conversationsResolved !== true
      )
        return false
      return true
    }
  }
}

/** A witness as an attempt (fields as the adapter writes them). */
export const attemptOf = (w: Record<string, unknown>): Attempt => w as unknown as Attempt

function listsOf(p: Raw): unknown[] {
  const rpr = obj(p.required_pull_request_reviews) ? p.required_pull_request_reviews : {}
  return [p.restrictions, rpr.bypass_pull_request_allowances, rpr.dismissal_restrictions]
}

/**
 * Every update of the universe the protections span (yielded as one object refilled each time): each action, by anyone or by each named
 * user, team and app, as administrator or not; for merges and pushes every review state up to
 * one more approval than any side asks, every way of passing each named check (not at all, from
 * each named app, from another source) and every truth of the other conditions; pull requests
 * that change an owned file, and (unless `everyPathOwned`) ones that change only unowned files.
 */
export function* universe(branch: string, sides: Raw[], everyPathOwned = false): Generator<Attempt> {
  const actors = ['someone', ...new Set(sides.flatMap((p) => listsOf(p).flatMap(named)))]
  const maxCount = Math.max(
    0,
    ...sides.map((p) =>
      Number((p.required_pull_request_reviews as Raw | undefined)?.required_approving_review_count ?? 0),
    ),
  )
  const contexts = new Set<string>()
  const apps = new Set<number>()
  for (const p of sides) {
    const rsc = obj(p.required_status_checks) ? p.required_status_checks : {}
    for (const c of Array.isArray(rsc.contexts) ? (rsc.contexts as string[]) : []) contexts.add(c)
    for (const k of Array.isArray(rsc.checks) ? (rsc.checks as Raw[]) : []) {
      contexts.add(String(k.context))
      if (typeof k.app_id === 'number' && k.app_id !== -1) apps.add(k.app_id)
    }
  }
  // Per context: not passed, passed from each named app, passed from another source.
  const options: (Check | null)[][] = [...contexts].map((context) => [
    null,
    ...[...apps].map((app) => ({context, app})),
    {context},
  ])
  const checkSets: Check[][] = [[]]
  for (const opts of options) {
    const next: Check[][] = []
    for (const set of checkSets) for (const o of opts) next.push(o === null ? set : [...set, o])
    checkSets.splice(0, checkSets.length, ...next)
  }
  const bools = [false, true]
  // One object, refilled for each update (the universe runs to millions): copy what you keep.
  const a: Attempt = {branch, action: 'merge', actor: 'someone', admin: false}
  const reset = (action: Action, actor: string, admin: boolean) => {
    for (const key of Object.keys(a)) delete (a as unknown as Raw)[key]
    Object.assign(a, {branch, action, actor, admin})
  }
  for (const admin of bools)
    for (const actor of actors)
      for (const action of ALL_ACTIONS) {
        reset(action, actor, admin)
        if (action === 'push') {
          for (const checks of checkSets)
            for (const signed of bools)
              for (const linear of bools) {
                Object.assign(a, {checks, signed, linear})
                yield a
              }
        } else if (action === 'merge') {
          for (let approvals = 0; approvals <= maxCount + 1; approvals++)
            for (let staleApprovals = 0; staleApprovals <= maxCount + 1; staleApprovals++)
              for (const codeOwnerApproval of ['none', 'stale', 'current'] as const) {
                if (codeOwnerApproval === 'current' && approvals === 0) continue
                if (codeOwnerApproval === 'stale' && staleApprovals === 0) continue
                for (const lastPushApproved of bools)
                  for (const touchesOwnedFile of everyPathOwned ? [true] : bools) {
                    if (lastPushApproved && approvals === 0) continue
                    if (!touchesOwnedFile && codeOwnerApproval !== 'none') continue
                    Object.assign(a, {approvals, staleApprovals, codeOwnerApproval, lastPushApproved})
                    Object.assign(a, {touchesOwnedFile})
                    for (const checks of checkSets)
                      for (const upToDate of bools)
                        for (const signed of bools)
                          for (const linear of bools)
                            for (const conversationsResolved of bools) {
                              Object.assign(a, {checks, upToDate, signed, linear, conversationsResolved})
                              yield a
                            }
                  }
              }
        } else yield a
      }
}

/** The first update of the universe that `more` accepts and `less` rejects, per branch. */
export function firstDifference(
  more: Map<string, Raw>,
  less: Map<string, Raw>,
  everyPathOwned = false,
): Attempt | undefined {
  for (const [branch, strict] of less) {
    const loose = more.get(branch)
    const sides = loose === undefined ? [strict] : [strict, loose]
    for (const a of universe(branch, sides, everyPathOwned))
      if (bruteAccepts(loose, a) && !bruteAccepts(strict, a)) return {...a}
  }
  return undefined
}

/** The protections of one file on both sides of a case, by branch. */
function protectionsAt(sides: CaseSides, file: string): {before: Map<string, Raw>; after: Map<string, Raw>} {
  return {
    before: protectionsOf(sides.baseline.get(file)?.value, file),
    after: protectionsOf(sides.target.get(file)?.value, file),
  }
}

/**
 * Fixture cases: one file per side — a REST export (`baseline.json`, read as
 * github/branch-protection/main.json) or a safe-settings file (`baseline.yml`, read as
 * .github/settings.yml) — or trees (`baseline/`, `target/`).
 */
export const oracle: Oracle = {
  fixtureFile: (ext) =>
    ext === 'json'
      ? 'github/branch-protection/main.json'
      : ext === 'yml'
        ? '.github/settings.yml'
        : undefined,
  confirms: (f, sides) => {
    const {before, after} = protectionsAt(sides, f.file)
    const attempt = attemptOf(f.witness!)
    const [more, less] = f.change === 'widening' ? [after, before] : [before, after]
    return bruteAccepts(more.get(attempt.branch), attempt) && !bruteAccepts(less.get(attempt.branch), attempt)
  },
  // What the repository's CODEOWNERS owns, when a case says (`codeOwnership` in expected.json).
  context: (expected) =>
    expected.codeOwnership === undefined
      ? {}
      : {codeOwnership: async () => expected.codeOwnership as CodeOwnership},
  // Every difference of the cases has an update that shows it: none may stay a possible widening.
  possible: () => false,
  // Soundness over the brute force's universe, both ways, file by file.
  missed: async (findings, sides, context) => {
    const everyPathOwned = (await context.codeOwnership?.())?.unowned === null
    const out: string[] = []
    for (const file of new Set([...sides.baseline.keys(), ...sides.target.keys()])) {
      const {before, after} = protectionsAt(sides, file)
      const reported = (change: Finding['change']) =>
        findings.some((f) => f.file === file && f.change === change)
      const widening = firstDifference(after, before, everyPathOwned)
      if (widening !== undefined && !reported('widening'))
        out.push(`${file}: widening ${JSON.stringify(widening)} not reported`)
      const narrowing = firstDifference(before, after, everyPathOwned)
      if (narrowing !== undefined && !reported('narrowing'))
        out.push(`${file}: narrowing ${JSON.stringify(narrowing)} not reported`)
    }
    return out
  },
}
