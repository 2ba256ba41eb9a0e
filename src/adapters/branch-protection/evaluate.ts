// The access model: "GitHub accepts this update of branch B". An attempt is one update — who
// makes it (a user, a member of a team, an app, or `someone` with write access that no list
// names; a repository administrator or not), what it is (merging a pull request, a direct
// push, a force push that rewinds the branch, deleting or creating the branch, dismissing a
// review, syncing a locked fork) and the state of the pull request or commits it carries
// (approvals, checks passed, signatures, merge commits, open conversations).
//
// A protection turns an attempt class (action, actor, administrator or not) into blocks (the
// attempt is rejected whatever its state) and atoms (conditions on its state that must all
// hold). Administrators skip everything but the force-push and deletion settings unless
// `enforce_admins`, as GitHub's "rules applied to everyone including administrators" say.

import type {Witness} from '../../kernel/types.js'
import {detect} from './detect.js'
import {branchesOf, type Protection} from './model.js'

export const ACTIONS = [
  'merge',
  'push',
  'force-push',
  'delete',
  'create',
  'dismiss-review',
  'fork-sync',
] as const
export type Action = (typeof ACTIONS)[number]

export const ANYONE = 'someone'

export type CodeOwnerApproval = 'none' | 'stale' | 'current'

export interface PassedCheck {
  context: string
  /** the app that reported it; absent: an app no required check names */
  app?: number
}

/** One update of a branch; state fields left out are taken as satisfying every requirement. */
export interface Attempt {
  branch: string
  action: Action
  actor: string
  admin: boolean
  /** approvals given after the last push */
  approvals?: number
  /** approvals given before the last push */
  staleApprovals?: number
  codeOwnerApproval?: CodeOwnerApproval
  /**
   * The pull request changes a file that CODEOWNERS gives an owner (false: only files without
   * one, so GitHub asks no code owner's approval); absent: it does.
   */
  touchesOwnedFile?: boolean
  /** an unowned file the pull request changes (when it touches no owned file) */
  changedFile?: string
  /** the last push was approved by someone other than its pusher */
  lastPushApproved?: boolean
  checks?: PassedCheck[]
  upToDate?: boolean
  signed?: boolean
  /** the update adds no merge commit */
  linear?: boolean
  conversationsResolved?: boolean
}

export interface AttemptClass {
  action: Action
  actor: string
  admin: boolean
}

export type Block =
  | 'locked'
  | 'restricted'
  | 'pull-request-required'
  | 'force-push-blocked'
  | 'deletion-blocked'
  | 'creation-blocked'
  | 'dismissal-restricted'
  | 'fork-sync-blocked'

export type Atom =
  | {type: 'approvals'; min: number; current: boolean}
  | {type: 'code-owner'; current: boolean}
  | {type: 'last-push'}
  | {type: 'check'; context: string; app: number | null}
  | {type: 'up-to-date' | 'signed' | 'linear' | 'conversations'}

interface Requirements {
  blocks: Block[]
  atoms: Atom[]
}

/** Administrators skip these blocks unless `enforce_admins`. */
export const BYPASSABLE: ReadonlySet<Block> = new Set([
  'locked',
  'restricted',
  'pull-request-required',
  'creation-blocked',
  'fork-sync-blocked',
])

export const bypasses = (p: Protection, c: AttemptClass) => c.admin && !p.enforceAdmins
const pusher = (p: Protection, c: AttemptClass) =>
  p.restrictions === null || p.restrictions.has(c.actor) || bypasses(p, c)
export const skipsReviews = (p: Protection, c: AttemptClass) =>
  bypasses(p, c) || (p.reviews !== null && p.reviews.bypass.has(c.actor))

/** What a protection (undefined: the branch is not protected) asks of an attempt class. */
export function requirements(p: Protection | undefined, c: AttemptClass): Requirements {
  const blocks: Block[] = []
  const atoms: Atom[] = []
  if (p === undefined) return {blocks, atoms}
  const bypass = bypasses(p, c)
  const locked = p.lock && !bypass
  switch (c.action) {
    case 'merge':
    case 'push':
      if (locked) blocks.push('locked')
      if (!pusher(p, c)) blocks.push('restricted')
      if (p.reviews !== null && !skipsReviews(p, c)) {
        if (c.action === 'push') blocks.push('pull-request-required')
        else {
          const current = p.reviews.dismissStale
          if (p.reviews.count > 0) atoms.push({type: 'approvals', min: p.reviews.count, current})
          if (p.reviews.codeOwners) atoms.push({type: 'code-owner', current})
          if (p.reviews.lastPush) atoms.push({type: 'last-push'})
        }
      }
      if (bypass) break
      if (p.checks !== null) {
        for (const k of p.checks.required) atoms.push({type: 'check', context: k.context, app: k.app})
        // A push lands on the branch's tip: it is up to date by construction.
        if (p.checks.strict && c.action === 'merge') atoms.push({type: 'up-to-date'})
      }
      if (p.signatures) atoms.push({type: 'signed'})
      if (p.linear) atoms.push({type: 'linear'})
      if (p.conversations && c.action === 'merge') atoms.push({type: 'conversations'})
      break
    case 'force-push':
      // A force push that rewinds the branch adds no commit for reviews or checks to judge.
      if (!p.forcePush) blocks.push('force-push-blocked')
      if (locked) blocks.push('locked')
      if (!pusher(p, c)) blocks.push('restricted')
      break
    case 'delete':
      if (!p.deletions) blocks.push('deletion-blocked')
      if (!pusher(p, c)) blocks.push('restricted')
      break
    case 'create':
      if (p.restrictions !== null && p.blockCreations && !pusher(p, c)) blocks.push('creation-blocked')
      break
    case 'dismiss-review':
      // Repository administrators may always dismiss reviews.
      if (p.reviews?.dismissal && !c.admin && !p.reviews.dismissal.has(c.actor))
        blocks.push('dismissal-restricted')
      break
    case 'fork-sync':
      if (locked && !p.forkSync) blocks.push('fork-sync-blocked')
      break
  }
  return {blocks, atoms}
}

export function holds(atom: Atom, a: Attempt): boolean {
  switch (atom.type) {
    case 'approvals': {
      const current = a.approvals ?? Infinity
      return (atom.current ? current : current + (a.staleApprovals ?? 0)) >= atom.min
    }
    case 'code-owner': {
      if (a.touchesOwnedFile === false) return true
      const v = a.codeOwnerApproval ?? 'current'
      return atom.current ? v === 'current' : v !== 'none'
    }
    case 'last-push':
      return a.lastPushApproved ?? true
    case 'check':
      return (
        a.checks === undefined ||
        a.checks.some((k) => k.context === atom.context && (atom.app === null || k.app === atom.app))
      )
    case 'up-to-date':
      return a.upToDate ?? true
    case 'signed':
      return a.signed ?? true
    case 'linear':
      return a.linear ?? true
    case 'conversations':
      return a.conversationsResolved ?? true
  }
}

export function accepts(p: Protection | undefined, a: Attempt): boolean {
  const r = requirements(p, a)
  return r.blocks.length === 0 && r.atoms.every((atom) => holds(atom, a))
}

const isAction = (v: unknown): v is Action => (ACTIONS as readonly unknown[]).includes(v)

/** A witness (or a request asked about) as an attempt; undefined when it names no branch or action. */
function attemptOf(w: Witness): Attempt | undefined {
  if (typeof w.branch !== 'string' || !isAction(w.action)) return undefined
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
  const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined)
  const checks = Array.isArray(w.checks)
    ? w.checks
        .filter((k): k is Record<string, unknown> => typeof k === 'object' && k !== null)
        .filter((k) => typeof k.context === 'string')
        .map((k) =>
          typeof k.app === 'number' ? {context: String(k.context), app: k.app} : {context: String(k.context)},
        )
    : undefined
  const owner = w.codeOwnerApproval
  return {
    branch: w.branch,
    action: w.action,
    actor: typeof w.actor === 'string' ? w.actor.toLowerCase() : ANYONE,
    admin: w.admin === true,
    approvals: num(w.approvals),
    staleApprovals: num(w.staleApprovals),
    codeOwnerApproval: owner === 'none' || owner === 'stale' || owner === 'current' ? owner : undefined,
    touchesOwnedFile: bool(w.touchesOwnedFile),
    changedFile: typeof w.changedFile === 'string' ? w.changedFile : undefined,
    lastPushApproved: bool(w.lastPushApproved),
    checks,
    upToDate: bool(w.upToDate),
    signed: bool(w.signed),
    linear: bool(w.linear),
    conversationsResolved: bool(w.conversationsResolved),
  }
}

/**
 * Whether one version of a file lets the witness's update through. A file that is not branch
 * protection answers false; a branch the file does not protect accepts every update.
 */
export function allowsWitness(value: unknown, witness: Witness, file: string): boolean {
  const attempt = attemptOf(witness)
  if (attempt === undefined || !detect(value)) return false
  return accepts(branchesOf(value, file).get(attempt.branch)?.protection, attempt)
}
