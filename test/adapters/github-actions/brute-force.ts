// An independent evaluator of GitHub Actions workflows, for the fixture and property tests. It
// shares no code with src/adapters/github-actions: it reads the raw YAML value directly from
// GitHub's documented rules, one concrete item at a time, and enumerates a finite universe of
// items for two versions of a workflow file.
//
// An item: "job J's token has SCOPE at LEVEL or above", "call job J passes SECRET to the workflow
// USES", or either of these further conditioned on the workflow being started by TRIGGER
// (pull_request_target or workflow_run). Secrets are read from `${{ secrets.NAME }}` expressions,
// `${{ toJSON(secrets) }}` (every secret, `*`) and `secrets: inherit` (`*`).
//
// Jobs are known by what they hold, not by their key: an item of job J in one version was held
// in the other if J's predecessor there held it — the job of the same key, or, when that version
// has no job J (J renamed, or jobs merged into J), any of its jobs whose key the first version
// does not have.

/* eslint-disable @typescript-eslint/no-explicit-any -- raw YAML values are walked as they come */

import type {AdapterContext, Finding} from '../../../src/kernel/types.js'
import type {CaseSides, Oracle} from '../oracle.js'

export type Mode = 'permissive' | 'restricted'

export interface Item {
  job: string
  scope?: string
  level?: 'read' | 'write'
  secret?: string
  uses?: string
  trigger?: string
}

// The permissions table of docs.github.com ("Defining access for the GITHUB_TOKEN scopes"):
// the highest level each scope accepts (1 read, 2 write), and whether it accepts read.
const TABLE: Record<string, {max: number; read: boolean}> = {
  actions: {max: 2, read: true},
  'artifact-metadata': {max: 2, read: true},
  attestations: {max: 2, read: true},
  checks: {max: 2, read: true},
  'code-quality': {max: 2, read: true},
  contents: {max: 2, read: true},
  'copilot-requests': {max: 2, read: false},
  deployments: {max: 2, read: true},
  discussions: {max: 2, read: true},
  'id-token': {max: 2, read: false},
  issues: {max: 2, read: true},
  models: {max: 1, read: true},
  packages: {max: 2, read: true},
  pages: {max: 2, read: true},
  'pull-requests': {max: 2, read: true},
  'repository-projects': {max: 2, read: true},
  'security-events': {max: 2, read: true},
  statuses: {max: 2, read: true},
  'vulnerability-alerts': {max: 1, read: true},
}
export const ALL_SCOPES = Object.keys(TABLE)
export const PRIVILEGED = ['pull_request_target', 'workflow_run']

const NUMBER: Record<string, number> = {none: 0, read: 1, write: 2}

/** The repository default: permissive is read/write (id-token none, read-only scopes read); restricted, contents and packages read. */
function byDefault(mode: Mode, scope: string): number {
  if (mode === 'restricted') return scope === 'contents' || scope === 'packages' ? 1 : 0
  return scope === 'id-token' ? 0 : (TABLE[scope]?.max ?? 0)
}

export function events(raw: any): string[] {
  const on = raw?.on
  if (typeof on === 'string') return [on]
  if (Array.isArray(on)) return on
  if (on && typeof on === 'object') return Object.keys(on)
  return []
}

const isMap = (v: any) => v !== null && typeof v === 'object' && !Array.isArray(v)

/** The level (0, 1, 2) of `scope` in `job`'s token. */
export function level(raw: any, job: string, scope: string, mode: Mode): number {
  const body = raw.jobs[job]
  let block: any
  if ('permissions' in body) block = body.permissions
  else if ('permissions' in raw) block = raw.permissions
  // A reusable workflow's job without a block gets its caller's token: anything up to write-all.
  else if (events(raw).includes('workflow_call')) block = 'write-all'
  else return byDefault(mode, scope)
  // A scope the table does not name is held only where a map names it.
  if (block === 'write-all') return TABLE[scope]?.max ?? 0
  if (block === 'read-all') return TABLE[scope]?.read ? 1 : 0
  return NUMBER[block[scope] ?? 'none']!
}

/** Secret names read by `${{ … }}` expressions in a value, upper-cased; `*` for the whole context. */
function secretsRead(value: unknown): string[] {
  const text = JSON.stringify(value ?? null)
  const out: string[] = []
  for (const [, expression] of text.matchAll(/\$\{\{(.*?)\}\}/g)) {
    for (const [, name] of expression!.matchAll(/\bsecrets\.([A-Za-z0-9_]+)/gi))
      if (name!.toUpperCase() !== 'GITHUB_TOKEN') out.push(name!.toUpperCase())
    if (/\(\s*secrets\s*\)/i.test(expression!)) out.push('*')
  }
  return out
}

const called = (raw: any, job: string): string | undefined =>
  typeof raw.jobs[job]?.uses === 'string' ? raw.jobs[job].uses.split('@')[0] : undefined

/** What a call job passes to the workflow it calls. */
export function passed(raw: any, job: string): Set<string> {
  const body = raw.jobs[job]
  if (called(raw, job) === undefined) return new Set()
  return new Set([...(body.secrets === 'inherit' ? ['*'] : []), ...secretsRead(body)])
}

/** What a job can read: its own expressions, what it passes, and the workflow's env. */
export function held(raw: any, job: string): Set<string> {
  return new Set([...passed(raw, job), ...secretsRead(raw.jobs[job]), ...secretsRead(raw.env)])
}

const has = (secrets: Set<string>, secret: string) =>
  secret === '*' ? secrets.has('*') : secrets.has('*') || secrets.has(secret.toUpperCase())

/** Whether one version of the file (undefined: absent) allows the item. */
export function allows(raw: any, item: Item, mode: Mode): boolean {
  if (!isMap(raw) || !isMap(raw.jobs) || !isMap(raw.jobs[item.job])) return false
  if (item.trigger !== undefined && !events(raw).includes(item.trigger)) return false
  if (item.scope !== undefined && level(raw, item.job, item.scope, mode) < NUMBER[item.level!]!) return false
  if (item.secret !== undefined) {
    if (item.uses !== undefined)
      return called(raw, item.job) === item.uses && has(passed(raw, item.job), item.secret)
    return has(held(raw, item.job), item.secret)
  }
  return true
}

/** The jobs of `less` that job J of `more` is known as there: the same key, else every job of `less` whose key `more` lacks. */
export function predecessors(more: any, less: any, job: string): string[] {
  const lessJobs = isMap(less) && isMap(less.jobs) ? Object.keys(less.jobs) : []
  if (lessJobs.includes(job)) return [job]
  const moreJobs = isMap(more) && isMap(more.jobs) ? more.jobs : {}
  return lessJobs.filter((j) => !Object.hasOwn(moreJobs, j))
}

/** Whether `less` held an item of `more`'s job, through a predecessor of the job. */
export function heldBy(less: any, more: any, item: Item, mode: Mode): boolean {
  return predecessors(more, less, item.job).some((job) => allows(less, {...item, job}, mode))
}

/** Every item either version could allow. */
export function* universe(a: any, b: any): Generator<Item> {
  const versions = [a, b].filter((r) => isMap(r) && isMap(r.jobs))
  const jobs = [...new Set(versions.flatMap((r) => Object.keys(r.jobs)))]
  for (const job of jobs) {
    for (const scope of ALL_SCOPES)
      for (const lvl of ['read', 'write'] as const) {
        yield {job, scope, level: lvl}
        if (lvl === 'write') for (const trigger of PRIVILEGED) yield {job, scope, level: lvl, trigger}
      }
    const present = versions.filter((r) => isMap(r.jobs[job]))
    const secrets = new Set(['*', ...present.flatMap((r) => [...held(r, job)])])
    const uses = new Set(present.map((r) => called(r, job)).filter((u) => u !== undefined))
    for (const secret of secrets) {
      for (const trigger of PRIVILEGED) yield {job, secret, trigger}
      for (const u of uses) yield {job, secret, uses: u}
    }
  }
}

/** Items `more` allows and `less` did not hold. */
export function* differences(more: any, less: any, mode: Mode): Generator<Item> {
  for (const item of universe(more, less))
    if (allows(more, item, mode) && !heldBy(less, more, item, mode)) yield item
}

/**
 * The findings (as groups: `scope JOB SCOPE`, `secret JOB SECRET`, `trigger TRIGGER JOB`) any
 * one of which must report an item `more` allows and `less` does not, from the rules alone: a
 * level gained is its (job, scope) finding, even under a trigger; a secret newly passed to a
 * called workflow is its (job, secret) finding — by name, or as `*` when everything is passed;
 * anything else a privileged trigger exposes is that (trigger, job) finding.
 */
export function expectedGroups(more: any, less: any, item: Item, mode: Mode): string[] {
  if (item.scope !== undefined) {
    const before = Math.max(
      0,
      ...predecessors(more, less, item.job).map((job) => level(less, job, item.scope!, mode)),
    )
    if (item.trigger === undefined || before < NUMBER[item.level!]!)
      return [`scope ${item.job} ${item.scope}`]
    return [`trigger ${item.trigger} ${item.job}`]
  }
  const viaCall = (): string[] => {
    const uses = called(more, item.job)
    if (uses === undefined || !allows(more, {job: item.job, secret: item.secret, uses}, mode)) return []
    if (heldBy(less, more, {job: item.job, secret: item.secret, uses}, mode)) return []
    const names = passed(more, item.job)
    return [
      ...(names.has(item.secret!.toUpperCase()) ? [`secret ${item.job} ${item.secret!.toUpperCase()}`] : []),
      ...(names.has('*') ? [`secret ${item.job} *`] : []),
    ]
  }
  if (item.uses !== undefined) return viaCall()
  const call = viaCall()
  return call.length > 0 ? call : [`trigger ${item.trigger} ${item.job}`]
}

/** A finding's group, in expectedGroups' terms. */
export function groupOf(f: {rule: string; witness: Record<string, unknown> | null}): string {
  const w = f.witness!
  if (f.rule.startsWith('privileged-trigger')) return `trigger ${String(w.trigger)} ${String(w.job)}`
  if (w.uses !== undefined) return `secret ${String(w.job)} ${String(w.secret)}`
  return `scope ${String(w.job)} ${String(w.scope)}`
}

/** A witness as an item. */
export const itemOf = (w: Record<string, unknown>): Item => w as unknown as Item

/** Where the fixture cases' workflow lives, as the comparison names it. */
const WORKFLOW = '.github/workflows/ci.yml'

/** The repository default the case is compared under: the context holds the config's githubActions section. */
const modeOf = (context: AdapterContext): Mode =>
  (context.githubActions as {defaultPermissions: Mode}).defaultPermissions

const valuesOf = (sides: CaseSides, change: Finding['change']) => {
  const [before, after] = [sides.baseline.get(WORKFLOW)?.value, sides.target.get(WORKFLOW)?.value]
  return change === 'narrowing' ? [before, after] : [after, before]
}

/**
 * Fixture cases: one workflow per side (`baseline.yml`, `target.yml`), read as
 * .github/workflows/ci.yml, under the repository default their expected.json names
 * (`defaultPermissions`, permissive when absent).
 */
export const oracle: Oracle = {
  fixtureFile: (ext) => (ext === 'yml' || ext === 'yaml' ? WORKFLOW : undefined),
  settings: (expected) => ({
    githubActions: {defaultPermissions: (expected.defaultPermissions as Mode | undefined) ?? 'permissive'},
  }),
  confirms: (f, sides, context) => {
    const mode = modeOf(context)
    const [more, less] = valuesOf(sides, f.change)
    return allows(more, itemOf(f.witness!), mode) && !heldBy(less, more, itemOf(f.witness!), mode)
  },
  // Every item one side allows and the other does not is reported by its group.
  missed: (findings, sides, context) => {
    const mode = modeOf(context)
    const out: string[] = []
    for (const change of ['widening', 'narrowing'] as const) {
      const [more, less] = valuesOf(sides, change)
      const reported = new Set(findings.filter((f) => f.change === change).map(groupOf))
      for (const item of differences(more, less, mode)) {
        const groups = expectedGroups(more, less, item, mode)
        if (!groups.some((g) => reported.has(g)))
          out.push(`${change} ${JSON.stringify(item)} not reported (expected ${groups.join(' or ')})`)
      }
    }
    return out
  },
}
