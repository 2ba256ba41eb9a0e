// What a workflow grants, read from its YAML: each job's GITHUB_TOKEN (scope → level), the events
// that start the workflow, and the secrets each job holds or passes to a reusable workflow.
//
// GitHub's rules (docs.github.com, "Controlling permissions for GITHUB_TOKEN" and the
// GITHUB_TOKEN reference):
// - a job's `permissions:` replaces the workflow's; with neither, the job gets the repository's
//   default ("Workflow permissions": permissive or restricted);
// - a map lists scopes; every scope it does not list is `none` (`{}`: none everywhere);
//   `read-all` / `write-all` set every scope to the highest of read / write it accepts;
// - a job of a workflow started by `workflow_call` without a block of its own gets its caller's
//   token, which may be anything up to write-all (the caller is not in this file).
// Functions here take raw values and never throw: semantic blame asks about any version.

import {escapePointerToken} from '../../kernel/parse.js'
import {isObject} from './detect.js'
import {type Level, SCOPES} from './scopes.js'

export type {Level} from './scopes.js'
export const RANK: Record<Level, number> = {none: 0, read: 1, write: 2}

export const SCOPE_NAMES = Object.keys(SCOPES)

/** Events that run a workflow with the base repository's token and secrets on outsiders' input. */
export const PRIVILEGED_TRIGGERS = ['pull_request_target', 'workflow_run'] as const
export type PrivilegedTrigger = (typeof PRIVILEGED_TRIGGERS)[number]

export type DefaultPermissions = 'permissive' | 'restricted'
type Token = ReadonlyMap<string, Level>

const highest = (scope: string, cap: Level): Level =>
  [...SCOPES[scope]!].reverse().find((l) => RANK[l] <= RANK[cap]) ?? 'none'

const tokenFrom = (level: (scope: string) => Level): Token =>
  new Map(SCOPE_NAMES.map((scope) => [scope, level(scope)]))

const WRITE_ALL = tokenFrom((s) => highest(s, 'write'))
const READ_ALL = tokenFrom((s) => highest(s, 'read'))
/**
 * The documented defaults. Permissive: read/write everywhere except id-token (none) and models
 * (read); scopes the table leaves out get their highest level (the unsafe assumption).
 * Restricted: contents and packages read, nothing else.
 */
const DEFAULTS: Record<DefaultPermissions, Token> = {
  permissive: tokenFrom((s) => (s === 'id-token' ? 'none' : highest(s, 'write'))),
  restricted: tokenFrom((s) => (s === 'contents' || s === 'packages' ? 'read' : 'none')),
}

/** Whether acldrift's list of scopes (scopes.ts) names a scope. */
export const isKnownScope = (scope: string) => Object.hasOwn(SCOPES, scope)

/**
 * The token a `permissions:` value grants, or undefined when GitHub would reject it. A scope the
 * list does not name is kept at the level written: GitHub may know it (compare.ts reports it as a
 * possible widening); elsewhere (write-all, the defaults) it is taken as none.
 */
function tokenOf(block: unknown): Token | undefined {
  if (block === 'write-all') return WRITE_ALL
  if (block === 'read-all') return READ_ALL
  if (!isObject(block)) return undefined
  const token = new Map<string, Level>(SCOPE_NAMES.map((s) => [s, 'none']))
  for (const [scope, level] of Object.entries(block)) {
    if (typeof level !== 'string' || !Object.hasOwn(RANK, level)) return undefined
    const accepted = isKnownScope(scope) ? SCOPES[scope]! : undefined
    if (accepted !== undefined && level !== 'none' && !accepted.includes(level as Level)) return undefined
    token.set(scope, level as Level)
  }
  return token
}

/** The scopes a token names: every known one, and those of its block that the list does not. */
export const scopesOf = (...tokens: Array<Token | undefined>): string[] => [
  ...SCOPE_NAMES,
  ...[...new Set(tokens.flatMap((t) => [...(t?.keys() ?? [])]))].filter((s) => !isKnownScope(s)).sort(),
]

/** Where a job's token comes from. */
type Source = 'job' | 'workflow' | 'default' | 'caller'

export interface JobToken {
  token: Token
  source: Source
  /** the JSON pointer of the `permissions:` block that applies, or of the job */
  pointer: string
  /** the block's raw value (null for the default and the caller's token) */
  block: unknown
}

export const jobPointer = (job: string) => `/jobs/${escapePointerToken(job)}`

export const jobsOf = (workflow: unknown): Record<string, unknown> =>
  isObject(workflow) && isObject(workflow.jobs) ? workflow.jobs : {}

/** The token of one job, or undefined when the job is absent or its block is not valid. */
export function jobToken(workflow: unknown, job: string, mode: DefaultPermissions): JobToken | undefined {
  const body = jobsOf(workflow)[job]
  if (!isObject(body) || !isObject(workflow)) return undefined
  const [source, pointer, block]: [Source, string, unknown] =
    'permissions' in body
      ? ['job', `${jobPointer(job)}/permissions`, body.permissions]
      : 'permissions' in workflow
        ? ['workflow', '/permissions', workflow.permissions]
        : triggersOf(workflow.on).has('workflow_call')
          ? ['caller', jobPointer(job), null]
          : ['default', jobPointer(job), null]
  const token = source === 'default' ? DEFAULTS[mode] : source === 'caller' ? WRITE_ALL : tokenOf(block)
  return token === undefined ? undefined : {token, source, pointer, block}
}

/** Where one scope's level is written: its entry in the map, else the block (or the job). */
export function scopePointer(found: JobToken, scope: string): string {
  return isObject(found.block) && scope in found.block
    ? `${found.pointer}/${escapePointerToken(scope)}`
    : found.pointer
}

/** The events a workflow's `on:` names, in any of its forms (string, list, map). */
export function triggersOf(on: unknown): Set<string> {
  if (typeof on === 'string') return new Set([on])
  if (Array.isArray(on)) return new Set(on.filter((e): e is string => typeof e === 'string'))
  return new Set(isObject(on) ? Object.keys(on) : [])
}

/** Where `on:` names an event. */
export function triggerPointer(on: unknown, event: string): string {
  if (Array.isArray(on)) return `/on/${on.indexOf(event)}`
  return isObject(on) ? `/on/${escapePointerToken(event)}` : '/on'
}

// --- secrets ------------------------------------------------------------------------------

/** Every secret: `secrets: inherit`, or the whole `secrets` context read by an expression. */
export const ALL_SECRETS = '*'

export interface Secrets {
  /** upper-cased names (GitHub's are case-insensitive), and ALL_SECRETS; → where it is read */
  names: Map<string, string>
}

export const holdsSecret = (secrets: Secrets, name: string) =>
  secrets.names.has(ALL_SECRETS) || secrets.names.has(name.toUpperCase())

// `secrets` as a context (not `github.event.secrets`), then `.NAME` or `['NAME']`.
const SECRETS_CONTEXT =
  /(?<![\w.-])secrets\b(?:\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)|\s*\[\s*(['"])([^'"]*)\2\s*\])?/gi
const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g

/** The secrets an expression reads; GITHUB_TOKEN is the token itself, counted by its scopes. */
function secretsIn(expression: string, pointer: string, into: Secrets): void {
  for (const match of expression.matchAll(SECRETS_CONTEXT)) {
    const name = (match[1] ?? match[3])?.toUpperCase() ?? ALL_SECRETS
    if (name !== 'GITHUB_TOKEN' && !into.names.has(name)) into.names.set(name, pointer)
  }
}

/** Secrets read anywhere in a value: in `${{ … }}`, or anywhere in an `if:` (an expression without the braces). */
function scan(value: unknown, pointer: string, into: Secrets, key = ''): void {
  if (typeof value === 'string') {
    if (key === 'if') secretsIn(value, pointer, into)
    else for (const match of value.matchAll(EXPRESSION)) secretsIn(match[1]!, pointer, into)
  } else if (Array.isArray(value)) value.forEach((v, i) => scan(v, `${pointer}/${i}`, into))
  else if (isObject(value))
    for (const [k, v] of Object.entries(value)) scan(v, `${pointer}/${escapePointerToken(k)}`, into, k)
}

/** A reusable-workflow call job: the workflow it calls, without the ref (`@v1`). */
export function calledWorkflow(workflow: unknown, job: string): string | undefined {
  const body = jobsOf(workflow)[job]
  return isObject(body) && typeof body.uses === 'string' ? body.uses.replace(/@[^@]*$/, '') : undefined
}

/** The secrets a call job passes to the workflow it calls (`secrets: inherit`, `secrets:` and `with:` values). */
export function passedSecrets(workflow: unknown, job: string): Secrets {
  const out: Secrets = {names: new Map()}
  const body = jobsOf(workflow)[job]
  if (!isObject(body) || calledWorkflow(workflow, job) === undefined) return out
  if (body.secrets === 'inherit') out.names.set(ALL_SECRETS, `${jobPointer(job)}/secrets`)
  scan(body, jobPointer(job), out)
  return out
}

/** The secrets a job can read: its own references and passes, and the workflow's `env`. */
export function heldSecrets(workflow: unknown, job: string): Secrets {
  const out = passedSecrets(workflow, job)
  const body = jobsOf(workflow)[job]
  if (isObject(body)) scan(body, jobPointer(job), out)
  if (isObject(workflow)) scan(workflow.env, '/env', out)
  return out
}
