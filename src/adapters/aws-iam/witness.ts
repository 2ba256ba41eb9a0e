// Witnesses: the request a finding shows. The engine's cell gives one request per class of
// requests; here it becomes one a person can use and AWS could receive:
//
// - policy variables (`${aws:username}`) are values of the request: the witness gives them a
//   value (in its context), and the request is checked again with that value;
// - a template's unresolved value stays a symbol, shown as `${var.bucket}`;
// - the resource is a real-shaped ARN of a resource type the action takes (from the AWS
//   catalogue's ARN formats), and the action one of those its class allows whose resources fit,
//   each checked to give the same verdict.

import {type Cell, formatIp, type IpValue, leafHolds} from '../../engine/domains.js'
import {familyIndex} from '../../engine/families.js'
import {evaluate} from '../../engine/formula.js'
import {
  compileGlob,
  displayString,
  type Glob,
  globMatches,
  isTemplateSymbol,
  symbolNamesIn,
  unionCells,
} from '../../engine/glob.js'
import {type DifferenceCell, globGroups, type Rule, Undecidable} from '../../engine/search.js'
import {decideForAll, substituteRules, substituteValue, symbolCharsOf} from '../../engine/symbolic.js'
import {BoundedMap} from '../../kernel/bounded.js'
import type {Witness} from '../../kernel/types.js'
import {arnFormats, displayAction} from './catalogue.js'
import {contextDimension, IDENTITY, IDENTITY_ALLOWS, SELF} from './compile.js'
import {variableKey, variableValue} from './variables.js'

/** A request as the engine holds it: a value per dimension (absent: not constrained). */
export type Request = Map<string, unknown>

export const requestOf = (cell: DifferenceCell): Request =>
  new Map([...cell.cells].map(([dim, c]: [string, Cell]) => [dim, c.value]))

export type Status = 'definite' | 'possible' | 'none'

/** A request judged for every value of the symbols, with the values given to policy variables. */
export interface Judged {
  request: Request
  status: Status
  /** why it is only possible */
  reason?: string
  /** policy variables' values, by condition key (they belong in the witness's context) */
  variables: Map<string, string>
}

/** Values for a key that name nothing in particular, shaped after it; `null`: the key is missing. */
function freshValues(key: string): Array<string | null> {
  const lower = key.toLowerCase()
  if (lower.endsWith('account')) return ['444455556666', '999988887777', null]
  if (lower.endsWith('arn')) return ['arn:aws:iam::444455556666:role/example-role', null]
  const tail =
    lower
      .split(/[/:]/)
      .at(-1)!
      .replace(/[^a-z0-9-]/g, '') || 'value'
  return [`example-${tail}`, `other-${tail}`, null]
}

const MAX_TRIES = 24

/**
 * Judges a request of the allowed side over the other. Policy variables are values of the
 * request: each key gets a value (the one `start` gives, the request's own for the key, values
 * that name nothing, or none: the key missing), the same for every variable that reads it, and
 * the request is decided again with it. What is left, templates' values, is decided for every
 * value (engine/symbolic.ts).
 */
export function judge(
  request: Request,
  allowed: readonly Rule[],
  other: readonly Rule[],
  opaque: ReadonlySet<string>,
  start: ReadonlyMap<string, string> = new Map(),
): Judged {
  const templates = new Map([...start].filter(([s]) => isTemplateSymbol(s)))
  const byKey = new Map<string, string[]>()
  for (const s of symbolCharsOf([...allowed, ...other], request)) {
    if (isTemplateSymbol(s)) continue
    const key = variableKey(s).toLowerCase()
    byKey.set(key, [...(byKey.get(key) ?? []), s])
  }
  const keys = [...byKey.keys()]
  const spelling = (key: string) => variableKey(byKey.get(key)![0]!)
  const choices = keys.map((key) => {
    const given = byKey.get(key)!.flatMap((s) => (start.has(s) ? [start.get(s)!] : []))
    const own = request.get(contextDimension(key))
    const fromRequest =
      typeof own === 'string' && symbolCharsOf([], new Map([['', own]])).size === 0 ? [own] : []
    return [...new Set([...given, ...fromRequest, ...freshValues(spelling(key))])]
  })
  let best: Judged | undefined
  // The first choice for every key, then each key's other choices in turn.
  const tries: number[][] = [keys.map(() => 0)]
  choices.forEach((c, i) =>
    c.slice(1).forEach((_, j) => tries.push(keys.map((__, k) => (k === i ? j + 1 : 0)))),
  )
  for (const pick of tries.slice(0, MAX_TRIES)) {
    const values = new Map(templates)
    const concrete: Request = new Map(request)
    const named = new Map<string, string>()
    keys.forEach((key, i) => {
      const value = choices[i]![pick[i]!]!
      for (const s of byKey.get(key)!) values.set(s, variableValue(s, value ?? undefined))
      if (value === null) concrete.set(contextDimension(key), undefined)
      else {
        named.set(spelling(key), value)
        concrete.set(contextDimension(key), value)
      }
    })
    for (const [dim, v] of concrete) concrete.set(dim, substituteValue(v, values))
    const status = decideForAll(
      concrete,
      substituteRules(allowed, values),
      substituteRules(other, values),
      opaque,
    )
    const judged: Judged = {request: concrete, status, variables: named}
    if (status === 'definite') return judged
    if (status === 'possible' && best === undefined) best = judged
  }
  return best ?? {request, status: 'none', variables: new Map()}
}

// --- real-shaped resources ----------------------------------------------------------------------

const variablesIn = (format: string) => format.split('${').length

/** `arn:${Partition}:s3:::${BucketName}/${ObjectName}` as a pattern: each variable `fill`. */
const formatGlob = (format: string, fill = '*') =>
  compileGlob(format.replace(/\$\{[^}]*\}/g, fill), {wildcards: true, arn: true})

/**
 * Whether `resource` is one of `format`'s ARNs. A format's variable stands for a value (a region,
 * an account, a name): `arn:aws:logs:::log-group:x` is no log group's ARN, so each variable takes
 * at least one character. A template's symbol is a value of unknown length, which `?` does not
 * match: in a resource holding one, a variable may be any run.
 */
const fitsFormat = (format: string, resource: string) =>
  globMatches(formatGlob(format, symbolNamesIn(resource).length > 0 ? '*' : '?*'), resource)

const kebab = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')

/**
 * The format filled in readably, with the current resource's partition, region and account where
 * it has them, in its pieces: each literal, and each variable's value.
 */
function readablePieces(format: string, current: string): string[] {
  const [, partition, , region, account] = current.startsWith('arn:') ? current.split(':') : []
  return format.split(/(\$\{[^}]*\})/).map((piece) => {
    const name = /^\$\{([^}]*)\}$/.exec(piece)?.[1]
    if (name === undefined) return piece
    if (name === 'Partition') return partition || 'aws'
    if (name === 'Region') return region || 'us-east-1'
    if (name === 'Account') return account || '111122223333'
    return `example-${kebab(name.replace(/WithPath$/, '').replace(/(Name|Id)$/, '') || name)}`
  })
}

/** The rules of a list that may hold on an action (familyIndex), indexed once per list. */
const actionIndexes = new WeakMap<readonly Rule[], (value: unknown) => readonly Rule[]>()
function mayCover(rules: readonly Rule[], action: string): readonly Rule[] {
  let index = actionIndexes.get(rules)
  if (index === undefined) actionIndexes.set(rules, (index = familyIndex(rules, 'action')))
  return index(action)
}

/**
 * Readable resources of `format` that also match the policy's own patterns: a pattern's sample
 * (`arn:aws:logs:us-east-1:111122223333:log-group:/aws/apprunner/example`) taken as the format's
 * value up to one of its resource variables, followed by the rest of the format filled in
 * (`:log-stream:example-log-stream`). Without them, a format the pattern only partly spells
 * (a log stream of a log group the pattern names) gets the search's fill (`arn:aws:logs:x:x:…`).
 */
function samplesAlong(pieces: string[], groups: Glob[][]): string[] {
  // The pieces after each variable of the resource part (after the ARN's fifth colon).
  const tails: string[] = []
  let colons = 0
  pieces.forEach((piece, i) => {
    if (i % 2 === 1 && colons >= 5) tails.push(pieces.slice(i + 1).join(''))
    colons += piece.split(':').length - 1
  })
  const service = pieces.join('').split(':', 3).join(':')
  const heads = groups.flat().flatMap((g) => g.samples.slice(0, 1).filter((s) => s.startsWith(`${service}:`)))
  // The patterns' own samples first: where one is already the format's ARN, it is the plainest.
  return [...heads, ...heads.flatMap((head) => tails.map((tail) => head + tail))]
}

/**
 * The resource patterns of the rules whose action list covers `action`, one group per list (a
 * statement's Resource or NotResource, read as the union of its patterns): each rule's resource
 * predicate is a function of its groups, so a replacement that matches the same groups gets the
 * same verdict from every rule. `sides` are read in order, each through its action index: only
 * the rules of the action's family are tested.
 */
function deciding(sides: ReadonlyArray<readonly Rule[]>, action: string): Glob[][] {
  const covering = sides.flatMap((rules) =>
    mayCover(rules, action).filter((rule) => {
      const actions = rule.predicates.get('action')
      return (
        rule.predicates.has('resource') &&
        (actions === undefined || evaluate(actions, (l) => leafHolds(l, action)))
      )
    }),
  )
  return globGroups(
    covering.map((rule) => ({rule})),
    'resource',
  ).map((group) => group.map((l) => l.glob))
}

/**
 * The product states one format's cells may explore. The replacement is only a more readable
 * request with the same verdict (checked again), so a cut here is sound: the resource stays as
 * the search found it. The search's own walk has the engine's full budget.
 */
const WITNESS_STATES = 5_000

// Findings of one policy ask again for the same format beside the same groups (one per request
// found): a glob's key fixes what it matches, so the cells are worked out once. Bounded.
const rememberedCells = new BoundedMap<string, ReturnType<typeof unionCells>>(2000)

/** unionCells within WITNESS_STATES, or none (the resource then stays as found). */
function cellsOf(groups: Glob[][], samples: string[]): ReturnType<typeof unionCells> {
  const key = JSON.stringify([samples, groups.map((group) => group.map((g) => g.key))])
  return rememberedCells.remember(key, () => {
    try {
      return unionCells(groups, samples, WITNESS_STATES)
    } catch (error) {
      if (!(error instanceof Undecidable)) throw error
      return []
    }
  })
}

/** Above this many resource patterns in play, the resource is left as the engine found it. */
const MAX_PATTERNS = 40

/** How many of a format's cells are tried, nearest first: each try decides the request again. */
const CELLS_PER_FORMAT = 3

/**
 * Real-shaped resources to try for `action` in place of `resource`, best first, each worked out
 * only when the one before it was not taken (an action such as sagemaker:AddTags takes 62
 * resource types: most findings stop at the first).
 */
function* resourcesFor(
  action: string,
  resource: string,
  sides: ReadonlyArray<readonly Rule[]>,
): Generator<string> {
  // The plainest resource types first (an object before an access point's object).
  const formats = [...arnFormats(action)].sort((a, b) => variablesIn(a) - variablesIn(b))
  if (formats.length === 0 || formats.some((f) => fitsFormat(f, resource))) {
    yield formats.length === 0 ? '*' : resource
    return
  }
  const groups = deciding(sides, action)
  if (groups.reduce((n, group) => n + group.length, 0) > MAX_PATTERNS) return
  // A pattern that starts with a template's value (`${Bucket.Arn}/*`) gets its ARN from that
  // value: its own sample (`${Bucket.Arn}/example`) names the symbol, where a format's cell
  // would make up an ARN of some other bucket.
  for (const glob of groups.flat()) {
    const sample = glob.samples[0]
    if (glob.leadingSymbol === true && sample !== undefined && isTemplateSymbol([...sample][0]!)) yield sample
  }
  const wanted = groups.map((group) => group.some((g) => globMatches(g, resource)))
  // The resource found may fit no format while matching the same patterns as one that does
  // (`arn:aws:s3:::${var.bucket}` for s3:DeleteObject, where the statement also names
  // `${var.bucket}/*`): the cells of the format nearest the resource's groups come first,
  // and the verdict decides among them.
  const distance = (matches: boolean[]) => matches.filter((m, i) => m !== wanted[i]).length
  for (const format of formats) {
    const pieces = readablePieces(format, resource)
    const samples = [pieces.join(''), ...samplesAlong(pieces, groups)]
    const fits = cellsOf([[formatGlob(format)], ...groups], samples)
      .filter((c) => c.matches[0] && fitsFormat(format, c.example))
      .map((c) => ({example: c.example, distance: distance(c.matches.slice(1))}))
      .sort((a, b) => a.distance - b.distance)
    yield* fits.slice(0, CELLS_PER_FORMAT).map((c) => c.example)
  }
}

/**
 * A request with the same verdict whose resource is a real-shaped ARN of what its action takes
 * (or `*` for an action that takes no resource), trying the action's alternatives in its class;
 * the request itself when none is found. A candidate made from a pattern's sample may hold a
 * policy variable (`arn:aws:s3:::${aws:username}/example`): a request holds values, not
 * variables, so the request shown is the one `verdict` judged, with the variable's value in
 * the resource and in the context. `sides`: the lists of rules that decide it (both sides', read
 * in place: a policy's findings each ask, and copying them was a cost that grew with the policy).
 */
export function realShaped(
  judged: Judged,
  actionCell: Cell | undefined,
  sides: ReadonlyArray<readonly Rule[]>,
  verdict: (request: Request) => Judged,
): Judged {
  const request = judged.request
  const resource = request.get('resource')
  if (typeof resource !== 'string') return judged
  const actions = [request.get('action'), ...(actionCell?.alternatives ?? [])].filter(
    (a): a is string => typeof a === 'string',
  )
  for (const action of actions) {
    for (const candidate of resourcesFor(action, resource, sides)) {
      if (candidate === resource && action === request.get('action'))
        return ownedByResourceAccount(judged, verdict)
      const next = new Map(request)
      next.set('resource', candidate)
      next.set('action', action)
      const judgedNext = verdict(next)
      if (judgedNext.status === judged.status)
        return ownedByResourceAccount(
          {...judged, request: judgedNext.request, variables: judgedNext.variables},
          verdict,
        )
    }
  }
  return ownedByResourceAccount(judged, verdict)
}

/**
 * `aws:ResourceAccount` is the account that owns the resource (IAM User Guide, "AWS global
 * condition context keys"), so a request whose context names one account and whose resource
 * ARN another is no request AWS could receive: the resource is moved into that account, where
 * the verdict stays the same.
 */
function ownedByResourceAccount(judged: Judged, verdict: (request: Request) => Judged): Judged {
  const account = judged.request.get('context:aws:resourceaccount')
  const resource = judged.request.get('resource')
  if (typeof account !== 'string' || !/^\d{12}$/.test(account) || typeof resource !== 'string') return judged
  const segments = resource.split(':')
  if (segments.length < 6 || segments[0] !== 'arn' || segments[4] === '' || segments[4] === account)
    return judged
  segments[4] = account
  const moved = verdict(new Map(judged.request).set('resource', segments.join(':')))
  return moved.status === judged.status
    ? {...judged, request: moved.request, variables: moved.variables}
    : judged
}

// --- as shown ------------------------------------------------------------------------------------

/**
 * Date keys are shown as ISO 8601: the engine holds instants as epoch milliseconds, but AWS
 * reads a bare number in a date context value as epoch seconds, so a number would be wrong.
 */
function displayContextValue(value: unknown, date: boolean): unknown {
  const one = (v: unknown): unknown =>
    typeof v === 'object' && v !== null && 'n' in v
      ? formatIp((v as IpValue).v6, (v as IpValue).n)
      : typeof v === 'string'
        ? displayString(v)
        : date && typeof v === 'number'
          ? new Date(v).toISOString()
          : v
  return Array.isArray(value) ? value.map(one) : one(value)
}

/** The witness of a judged request: principal, action, resource, whether the principal's own policies allow it, context. */
export function witnessOf(
  judged: Judged,
  names: {keys: Map<string, string>; actions: Map<string, string>; dates: Set<string>},
): Witness {
  const request = judged.request
  const witness: Witness = {}
  const principal = request.get('principal')
  if (typeof principal === 'string' && principal !== SELF) witness.principal = displayString(principal)
  const action = request.get('action')
  if (typeof action === 'string') witness.action = names.actions.get(action) ?? displayAction(action)
  const resource = request.get('resource')
  if (typeof resource === 'string') witness.resource = displayString(resource)
  const identity = request.get(IDENTITY)
  if (request.has(IDENTITY)) witness.identityPolicyAllows = identity === IDENTITY_ALLOWS
  const context: Record<string, unknown> = {}
  const set = (key: string, value: unknown) =>
    // Defined, not assigned: a condition key named `__proto__` must become an own key of the witness.
    Object.defineProperty(context, key, {value, enumerable: true, writable: true, configurable: true})
  const variables = [...judged.variables.keys()]
  for (const [name, value] of request) {
    if (!name.startsWith('context:') || value === undefined) continue
    const key = name.slice('context:'.length)
    const spelled = names.keys.get(key) ?? variables.find((k) => k.toLowerCase() === key) ?? key
    set(spelled, displayContextValue(value, names.dates.has(key)))
  }
  if (Object.keys(context).length > 0) witness.context = context
  return witness
}
