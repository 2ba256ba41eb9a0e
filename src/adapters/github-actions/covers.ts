// Whether an approval of one workflow access covers a finding about another (Adapter.covers).
// Each access compare.ts records is a set of items (compare.ts's header), all of one job:
// - (job, scope, level) holds the scope at that level or below (write includes read, as GitHub's
//   "Permissions for the GITHUB_TOKEN" table has it), and at write under each privileged trigger
//   it lists;
// - (job, uses, secret) passes the secret to the called workflow, and holds it under each trigger;
// - (job, trigger, exposed) holds each exposed write scope and secret under the trigger.
// An item with a trigger also says the job holds it without one (the trigger only starts the
// job). A secret `*` (secrets: inherit, toJSON(secrets)) holds every named secret. The finding's
// access is covered when each of its items is implied by an item of the approved access: the
// same job (by key: a renamed job needs its own approval), so a lower level, fewer triggers or a
// named secret instead of `*` are covered, and anything else is not. A scope acldrift's list does
// not name is covered only by itself (the caller asks sameAccess first).
//
// A finding no approval covers gets a witness no approval grants (witnessBeyond): of the requests
// its access lists (one per privileged trigger, or per item a trigger exposes), the first whose
// items no approved access holds. Each is beyond the baseline already: compare.ts reports an
// access only for items no counterpart job of the baseline held.

import type {Finding, Witness} from '../../kernel/types.js'
import {ALL_SECRETS, isKnownScope, PRIVILEGED_TRIGGERS, RANK, type Level} from './model.js'

interface Item {
  job: string
  scope?: string
  level?: Level
  uses?: string
  secret?: string
  trigger?: string
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const keysAre = (v: Record<string, unknown>, keys: string[]) =>
  Object.keys(v).every((k) => keys.includes(k)) && keys.every((k) => k === 'triggers' || k in v)
const isString = (v: unknown): v is string => typeof v === 'string'
const isLevel = (v: unknown): v is Level => v === 'read' || v === 'write'
const isTrigger = (v: unknown): v is string =>
  isString(v) && (PRIVILEGED_TRIGGERS as readonly string[]).includes(v)

/** The privileged triggers an access lists: none when absent, undefined for another shape. */
function triggersOf(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return []
  return Array.isArray(v) && v.every(isTrigger) ? v : undefined
}

/** The items of an access as compare.ts records it, or undefined for another shape. */
function itemsOf(access: unknown): Item[] | undefined {
  if (!isRecord(access) || !isString(access.job)) return undefined
  const {job} = access
  if (keysAre(access, ['job', 'scope', 'level', 'triggers'])) {
    const {scope, level} = access
    const triggers = triggersOf(access.triggers)
    if (!isString(scope) || !isKnownScope(scope) || !isLevel(level) || triggers === undefined)
      return undefined
    if (triggers.length > 0 && level !== 'write') return undefined
    return [{job, scope, level}, ...triggers.map((trigger) => ({job, scope, level, trigger}))]
  }
  if (keysAre(access, ['job', 'uses', 'secret', 'triggers'])) {
    const {uses, secret} = access
    const triggers = triggersOf(access.triggers)
    if (!isString(uses) || !isString(secret) || triggers === undefined) return undefined
    return [{job, uses, secret}, ...triggers.map((trigger) => ({job, secret, trigger}))]
  }
  if (keysAre(access, ['job', 'trigger', 'exposed'])) {
    const {trigger, exposed} = access
    if (!isTrigger(trigger) || !Array.isArray(exposed)) return undefined
    const items: Item[] = []
    for (const e of exposed) {
      if (isRecord(e) && keysAre(e, ['scope']) && isString(e.scope) && isKnownScope(e.scope))
        items.push({job, scope: e.scope, level: 'write', trigger})
      else if (isRecord(e) && keysAre(e, ['secret']) && isString(e.secret))
        items.push({job, secret: e.secret, trigger})
      else return undefined
    }
    return items
  }
  return undefined
}

/** Whether holding `wide` means holding `narrow`. */
function itemWithin(narrow: Item, wide: Item): boolean {
  if (narrow.job !== wide.job) return false
  // Under a trigger only where the wider item is under the same one; without one, either way.
  if (narrow.trigger !== undefined && narrow.trigger !== wide.trigger) return false
  if (narrow.scope !== undefined)
    return narrow.scope === wide.scope && RANK[narrow.level!] <= RANK[wide.level ?? 'none']
  if (narrow.secret === undefined || wide.secret === undefined) return false
  if (narrow.uses !== wide.uses) return false
  return wide.secret === ALL_SECRETS || wide.secret.toUpperCase() === narrow.secret.toUpperCase()
}

/** Whether every item of `narrow` is implied by some item of `wide`. */
const itemsWithin = (narrow: Item[], wide: Item[]) => narrow.every((n) => wide.some((w) => itemWithin(n, w)))

export function impliedBy(approved: unknown, access: unknown): boolean {
  const wide = itemsOf(approved)
  const narrow = itemsOf(access)
  if (wide === undefined || narrow === undefined || narrow.length === 0) return false
  return itemsWithin(narrow, wide)
}

/**
 * The requests a finding's access grants, as the witnesses compare.ts writes, each with the access
 * of that request alone: the scope or secret under each privileged trigger that starts the job
 * (or under none), or each write scope and secret a trigger exposes.
 */
function requestsOf(file: string, access: unknown): Array<{witness: Witness; access: unknown}> {
  if (itemsOf(access) === undefined) return []
  const a = access as Record<string, unknown>
  const job = a.job as string
  if (Array.isArray(a.exposed))
    return a.exposed.map((e: Record<string, unknown>) => {
      const item = e.scope !== undefined ? {scope: e.scope, level: 'write'} : {secret: e.secret}
      return {witness: {workflow: file, job, trigger: a.trigger, ...item}, access: {...a, exposed: [e]}}
    })
  const held = Object.fromEntries(Object.entries(a).filter(([key]) => key !== 'triggers'))
  const triggers = triggersOf(a.triggers)!
  return (triggers.length === 0 ? [undefined] : triggers).map((trigger) => ({
    witness: {workflow: file, ...held, ...(trigger === undefined ? {} : {trigger})},
    access: {...held, triggers: trigger === undefined ? [] : [trigger]},
  }))
}

/**
 * A request the finding's access grants whose items no approved access holds (every request of
 * the access is beyond the baseline: compare.ts lists only what no counterpart job held), the
 * first in compare.ts's order (pull_request_target first, the gravest exposed item first).
 * Undefined when every one is approved, or the access is of another shape.
 */
export function witnessBeyond(finding: Finding, approved: readonly unknown[]): Witness | undefined {
  const wide = approved.flatMap((a) => itemsOf(a) ?? [])
  if (wide.length === 0) return undefined
  return requestsOf(finding.file, finding.access).find((r) => !itemsWithin(itemsOf(r.access)!, wide))?.witness
}
