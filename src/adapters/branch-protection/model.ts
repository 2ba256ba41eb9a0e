// Branch protection as acldrift reads it: each file's protections by branch, with every
// setting normalised (REST `{"enabled": …}` objects and plain booleans alike; users, teams and
// apps as `user:login`, `team:slug`, `app:slug`, lower-cased since GitHub's names ignore case).

import {escapePointerToken} from '../../kernel/parse.js'
import {isObject, isRestProtection, isSettings, PROTECTION_URL} from './detect.js'

interface RequiredCheck {
  context: string
  /** the GitHub App that must report it; null: any source */
  app: number | null
}

interface Reviews {
  count: number
  dismissStale: boolean
  codeOwners: boolean
  lastPush: boolean
  /** who may dismiss reviews; null: anyone with write access */
  dismissal: Set<string> | null
  /** who may skip the pull request requirement */
  bypass: Set<string>
}

export interface Protection {
  enforceAdmins: boolean
  reviews: Reviews | null
  checks: {strict: boolean; required: RequiredCheck[]} | null
  /** who may push; null: anyone with write access */
  restrictions: Set<string> | null
  signatures: boolean
  linear: boolean
  forcePush: boolean
  deletions: boolean
  blockCreations: boolean
  conversations: boolean
  lock: boolean
  forkSync: boolean
}

export interface BranchEntry {
  branch: string
  protection: Protection
  /** JSON pointer of the protection object in its file */
  pointer: string
  raw: Record<string, unknown>
}

const toggle = (v: unknown): boolean => (isObject(v) ? v.enabled === true : v === true)

function names(list: unknown, field: string, prefix: string): string[] {
  if (!Array.isArray(list)) return []
  return list
    .map((item) => (typeof item === 'string' ? item : isObject(item) ? item[field] : undefined))
    .filter((n): n is string => typeof n === 'string')
    .map((n) => `${prefix}:${n.toLowerCase()}`)
}

/** The users, teams and apps of a restriction list. */
function principals(v: Record<string, unknown>): Set<string> {
  return new Set([
    ...names(v.users, 'login', 'user'),
    ...names(v.teams, 'slug', 'team'),
    ...names(v.apps, 'slug', 'app'),
  ])
}

/**
 * `dismissal_restrictions`: in the REST response it is present only when dismissal is
 * restricted (an empty list then means "administrators only"); in the request shape an object
 * with no one in it turns the restriction off.
 */
function dismissal(v: unknown, requestShape: boolean): Set<string> | null {
  if (!isObject(v)) return null
  const who = principals(v)
  return requestShape && who.size === 0 ? null : who
}

function normalize(raw: Record<string, unknown>): Protection {
  const requestShape = typeof raw.url !== 'string'
  const r = raw.required_pull_request_reviews
  const c = raw.required_status_checks
  return {
    enforceAdmins: toggle(raw.enforce_admins),
    reviews: isObject(r)
      ? {
          count:
            typeof r.required_approving_review_count === 'number' ? r.required_approving_review_count : 0,
          dismissStale: r.dismiss_stale_reviews === true,
          codeOwners: r.require_code_owner_reviews === true,
          lastPush: r.require_last_push_approval === true,
          dismissal: dismissal(r.dismissal_restrictions, requestShape),
          bypass: isObject(r.bypass_pull_request_allowances)
            ? principals(r.bypass_pull_request_allowances)
            : new Set(),
        }
      : null,
    checks: isObject(c) ? {strict: c.strict === true, required: requiredChecks(c)} : null,
    restrictions: isObject(raw.restrictions) ? principals(raw.restrictions) : null,
    signatures: toggle(raw.required_signatures),
    linear: toggle(raw.required_linear_history),
    forcePush: toggle(raw.allow_force_pushes),
    deletions: toggle(raw.allow_deletions),
    blockCreations: toggle(raw.block_creations),
    conversations: toggle(raw.required_conversation_resolution),
    lock: toggle(raw.lock_branch),
    forkSync: toggle(raw.allow_fork_syncing),
  }
}

/**
 * `checks` names the app that must report each check; `contexts` (the older list) any source.
 * The REST response gives both for the same checks: a context in `contexts` only is required
 * from any source.
 */
function requiredChecks(c: Record<string, unknown>): RequiredCheck[] {
  const out: RequiredCheck[] = []
  const key = (k: RequiredCheck) => `${k.context}\u0000${k.app}`
  const seen = new Set<string>()
  const add = (k: RequiredCheck) => {
    if (!seen.has(key(k))) out.push(k)
    seen.add(key(k))
  }
  const checks = Array.isArray(c.checks) ? c.checks.filter(isObject) : []
  for (const check of checks) {
    if (typeof check.context !== 'string') continue
    const app = typeof check.app_id === 'number' && check.app_id !== -1 ? check.app_id : null
    add({context: check.context, app})
  }
  const inChecks = new Set(out.map((k) => k.context))
  for (const context of Array.isArray(c.contexts) ? c.contexts : []) {
    if (typeof context === 'string' && !inChecks.has(context)) add({context, app: null})
  }
  return out
}

/** The branch a REST export is about: its `url`, else the file's name without extension. */
function restBranch(raw: Record<string, unknown>, file: string): string {
  const url = typeof raw.url === 'string' ? PROTECTION_URL.exec(raw.url) : null
  if (url) {
    try {
      return decodeURIComponent(url[1]!)
    } catch {
      return url[1]!
    }
  }
  const base = file.split('/').at(-1)!
  return base.replace(/\.(json|ya?ml)$/i, '')
}

/**
 * A file's protections by branch. In a safe-settings file the last entry for a branch wins
 * (safe-settings applies them in order); `protection: null` leaves the branch unprotected.
 */
export function branchesOf(value: unknown, file: string, notes?: string[]): Map<string, BranchEntry> {
  const out = new Map<string, BranchEntry>()
  if (isSettings(value)) {
    const seen = new Set<string>()
    value.branches.forEach((entry, index) => {
      if (!isObject(entry) || typeof entry.name !== 'string') return
      if (seen.has(entry.name))
        notes?.push(`${file}: branch ${entry.name} is listed more than once; the last entry is read`)
      seen.add(entry.name)
      out.delete(entry.name)
      if (isObject(entry.protection))
        out.set(entry.name, {
          branch: entry.name,
          protection: normalize(entry.protection),
          pointer: `/branches/${index}/protection`,
          raw: entry.protection,
        })
    })
  } else if (isRestProtection(value)) {
    const branch = restBranch(value, file)
    out.set(branch, {branch, protection: normalize(value), pointer: '', raw: value})
  }
  return out
}

/** The pointer of a setting under a protection, the `enabled` inside a REST toggle when there is one. */
export function settingPointer(entry: BranchEntry, path: string[]): string {
  let pointer = entry.pointer
  let node: unknown = entry.raw
  for (const key of path) {
    if (!isObject(node) || !(key in node)) return pointer
    node = node[key]
    pointer += `/${escapePointerToken(key)}`
  }
  return isObject(node) && 'enabled' in node ? `${pointer}/enabled` : pointer
}
