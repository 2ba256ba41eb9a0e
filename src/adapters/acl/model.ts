// An ACL file read into groups, roles and grants. Reading is lenient (entries of the wrong shape
// are skipped), so that any version of a file can be asked about (semantic blame reads history,
// including versions that do not validate); `problems` is the strict part: what a JSON Schema
// cannot check — references to groups and roles that are not defined, and cycles.

import {escapePointerToken} from '../../kernel/parse.js'
import type {InputProblem, ParsedFile} from '../../kernel/types.js'
import {isObject} from './detect.js'

export const GROUP_PREFIX = 'group:'

interface Group {
  name: string
  members: string[]
  /** `/groups/NAME` */
  pointer: string
  raw: Record<string, unknown>
}

interface Role {
  name: string
  permissions: string[]
  inherits: string[]
  pointer: string
  raw: Record<string, unknown>
}

export interface Grant {
  index: number
  /** `/grants/3` */
  pointer: string
  raw: Record<string, unknown>
  id: string | undefined
  effect: 'allow' | 'deny'
  subjects: string[]
  roles: string[]
  permissions: string[]
  resources: string[]
  /** key → accepted values, keys sorted */
  conditions: Array<[string, string[]]>
}

export interface Acl {
  groups: Map<string, Group>
  roles: Map<string, Role>
  grants: Grant[]
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s) => typeof s === 'string') : [])

const entries = (v: unknown): Array<[string, Record<string, unknown>]> =>
  isObject(v) ? Object.entries(v).filter((e): e is [string, Record<string, unknown>] => isObject(e[1])) : []

export const groupRef = (subject: string): string | undefined =>
  subject.startsWith(GROUP_PREFIX) ? subject.slice(GROUP_PREFIX.length) : undefined

export function readAcl(value: unknown): Acl {
  const acl: Acl = {groups: new Map(), roles: new Map(), grants: []}
  if (!isObject(value)) return acl
  for (const [name, raw] of entries(value.groups))
    acl.groups.set(name, {
      name,
      raw,
      members: strings(raw.members),
      pointer: `/groups/${escapePointerToken(name)}`,
    })
  for (const [name, raw] of entries(value.roles))
    acl.roles.set(name, {
      name,
      raw,
      permissions: strings(raw.permissions),
      inherits: strings(raw.inherits),
      pointer: `/roles/${escapePointerToken(name)}`,
    })
  const grants = Array.isArray(value.grants) ? value.grants : []
  grants.forEach((raw: unknown, index) => {
    // A grant whose effect is unreadable is no grant (never read as an allow).
    if (!isObject(raw) || (raw.effect !== 'allow' && raw.effect !== 'deny')) return
    const conditions: Array<[string, string[]]> = []
    if (isObject(raw.conditions))
      for (const key of Object.keys(raw.conditions).sort()) {
        const v = raw.conditions[key]
        conditions.push([key, typeof v === 'string' ? [v] : strings(v)])
      }
    acl.grants.push({
      index,
      pointer: `/grants/${index}`,
      raw,
      id: typeof raw.id === 'string' ? raw.id : undefined,
      effect: raw.effect,
      subjects: strings(raw.subjects),
      roles: strings(raw.roles),
      permissions: strings(raw.permissions),
      resources: strings(raw.resources),
      conditions,
    })
  })
  return acl
}

/** A grant's meaning, for ids and for telling an unchanged grant: not its position, id or description. */
export function grantKey(g: Grant): string {
  const sorted = (a: string[]) => [...new Set(a)].sort()
  return JSON.stringify([
    g.effect,
    sorted(g.subjects),
    sorted(g.roles),
    sorted(g.permissions),
    sorted(g.resources),
    g.conditions.map(([k, v]) => [k, sorted(v)]),
  ])
}

// --- expansion --------------------------------------------------------------------------

/** One step of a group (or role) chain: entry `index` of `owner`'s list. */
export interface Edge {
  owner: string
  index: number
  entry: string
  /** for roles: which list the entry is in */
  list?: 'permissions' | 'inherits'
}

/** The identity patterns a list of subjects stands for, groups followed transitively (cycles cut). */
export function subjectPatterns(acl: Acl, subjects: string[]): string[] {
  const out = new Set<string>()
  const seen = new Set<string>()
  // A work list, not recursion: a chain of thousands of nested groups must not exhaust the stack.
  const work = [...subjects]
  for (let s = work.pop(); s !== undefined; s = work.pop()) {
    const group = groupRef(s)
    if (group === undefined) out.add(s)
    else if (!seen.has(group)) {
      seen.add(group)
      work.push(...(acl.groups.get(group)?.members ?? []))
    }
  }
  return [...out]
}

/** The permission patterns of some roles, inherited roles followed transitively (cycles cut). */
export function rolePermissions(acl: Acl, roles: string[]): string[] {
  const out = new Set<string>()
  const seen = new Set<string>()
  const work = [...roles]
  for (let name = work.pop(); name !== undefined; name = work.pop()) {
    if (seen.has(name)) continue
    seen.add(name)
    const role = acl.roles.get(name)
    if (role === undefined) continue
    for (const p of role.permissions) out.add(p)
    work.push(...role.inherits)
  }
  return [...out]
}

/**
 * The shortest chain of groups from `starts` (group names) to an edge that `isNew` accepts and
 * whose entry reaches something `covers` accepts: the group edge that made the difference.
 */
export function findGroupEdge(
  acl: Acl,
  starts: string[],
  covers: (pattern: string) => boolean,
  isNew: (edge: Edge) => boolean,
): {chain: string[]; edge: Edge; rest: string[]} | undefined {
  return findEdge(
    starts,
    (name) =>
      (acl.groups.get(name)?.members ?? []).map((entry, index) => {
        const group = groupRef(entry)
        return {edge: {owner: name, index, entry}, next: group}
      }),
    (edge) => {
      const group = groupRef(edge.entry)
      return group === undefined ? (covers(edge.entry) ? [] : undefined) : reach(acl, group, covers)
    },
    isNew,
  )
}

/** The same for roles: the permission or inheritance that made the difference. */
export function findRoleEdge(
  acl: Acl,
  starts: string[],
  covers: (pattern: string) => boolean,
  isNew: (edge: Edge) => boolean,
): {chain: string[]; edge: Edge; rest: string[]} | undefined {
  return findEdge(
    starts,
    (name) => {
      const role = acl.roles.get(name)
      if (role === undefined) return []
      return [
        ...role.permissions.map((entry, index) => ({
          edge: {owner: name, index, entry, list: 'permissions' as const},
          next: undefined,
        })),
        ...role.inherits.map((entry, index) => ({
          edge: {owner: name, index, entry, list: 'inherits' as const},
          next: entry,
        })),
      ]
    },
    (edge) =>
      edge.list === 'permissions'
        ? covers(edge.entry)
          ? []
          : undefined
        : rolesReach(acl, edge.entry, covers),
    isNew,
  )
}

function findEdge(
  starts: string[],
  edgesOf: (node: string) => Array<{edge: Edge; next: string | undefined}>,
  reaches: (edge: Edge) => string[] | undefined,
  isNew: (edge: Edge) => boolean,
): {chain: string[]; edge: Edge; rest: string[]} | undefined {
  const chains = new Map<string, string[]>()
  const queue: string[] = []
  for (const s of starts)
    if (!chains.has(s)) {
      chains.set(s, [s])
      queue.push(s)
    }
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!
    for (const {edge, next} of edgesOf(node)) {
      if (isNew(edge)) {
        const rest = reaches(edge)
        if (rest !== undefined) return {chain: chains.get(node)!, edge, rest}
      }
      if (next !== undefined && !chains.has(next)) {
        chains.set(next, [...chains.get(node)!, next])
        queue.push(next)
      }
    }
  }
  return undefined
}

/** The chain of groups below `start` down to a member pattern that `covers` accepts. */
function reach(acl: Acl, start: string, covers: (pattern: string) => boolean): string[] | undefined {
  const found = findGroupEdge(acl, [start], covers, (e) => groupRef(e.entry) === undefined)
  return found === undefined ? undefined : [...found.chain]
}

function rolesReach(acl: Acl, start: string, covers: (pattern: string) => boolean): string[] | undefined {
  const found = findRoleEdge(acl, [start], covers, (e) => e.list === 'permissions')
  return found === undefined ? undefined : [...found.chain]
}

// --- what the schema cannot check ----------------------------------------------------------

export function problemsOf(file: ParsedFile): InputProblem[] {
  const acl = readAcl(file.value)
  const problems: InputProblem[] = []
  const add = (pointer: string, message: string) => {
    const position = file.sourceMap.locate(pointer)
    problems.push({file: file.path, ...(position ?? {}), pointer, message})
  }
  for (const group of acl.groups.values())
    group.members.forEach((m, i) => {
      const ref = groupRef(m)
      if (ref !== undefined && !acl.groups.has(ref))
        add(`${group.pointer}/members/${i}`, `${m} is not defined in groups`)
    })
  for (const role of acl.roles.values())
    role.inherits.forEach((r, i) => {
      if (!acl.roles.has(r)) add(`${role.pointer}/inherits/${i}`, `role ${r} is not defined in roles`)
    })
  for (const grant of acl.grants) {
    grant.subjects.forEach((s, i) => {
      const ref = groupRef(s)
      if (ref !== undefined && !acl.groups.has(ref))
        add(`${grant.pointer}/subjects/${i}`, `${s} is not defined in groups`)
    })
    grant.roles.forEach((r, i) => {
      if (!acl.roles.has(r)) add(`${grant.pointer}/roles/${i}`, `role ${r} is not defined in roles`)
    })
  }
  const groupNext = (name: string) =>
    (acl.groups.get(name)?.members ?? [])
      .map((m) => groupRef(m))
      .map((g) => (g !== undefined && acl.groups.has(g) ? g : undefined))
  for (const cycle of cycles([...acl.groups.keys()], groupNext))
    add(
      `${acl.groups.get(cycle.from)!.pointer}/members/${cycle.index}`,
      `group cycle: ${arrows(cycle.path.map((g) => GROUP_PREFIX + g))} (a group cannot contain itself)`,
    )
  const roleNext = (name: string) =>
    (acl.roles.get(name)?.inherits ?? []).map((r) => (acl.roles.has(r) ? r : undefined))
  for (const cycle of cycles([...acl.roles.keys()], roleNext))
    add(
      `${acl.roles.get(cycle.from)!.pointer}/inherits/${cycle.index}`,
      `role cycle: ${arrows(cycle.path)} (a role cannot inherit itself)`,
    )
  return problems
}

/** A cycle for a message: a long one is shortened in the middle. */
const arrows = (path: string[]) =>
  (path.length > 8 ? [...path.slice(0, 4), `… (${path.length - 7} more)`, ...path.slice(-3)] : path).join(
    ' → ',
  )

/**
 * Each cycle of a directed graph once, found by depth-first search from the nodes in order: the
 * edge that closes it (`from`'s entry `index`) and the path it runs along. Iterative, for the
 * same reason as the expansions above.
 */
function cycles(
  nodes: string[],
  next: (node: string) => Array<string | undefined>,
): Array<{from: string; index: number; path: string[]}> {
  const state = new Map<string, 'open' | 'done'>()
  const found: Array<{from: string; index: number; path: string[]}> = []
  for (const root of nodes) {
    if (state.has(root)) continue
    const stack: Array<{node: string; edges: Array<string | undefined>; at: number}> = []
    const enter = (node: string) => {
      state.set(node, 'open')
      stack.push({node, edges: next(node), at: 0})
    }
    enter(root)
    while (stack.length > 0) {
      const top = stack.at(-1)!
      if (top.at === top.edges.length) {
        state.set(top.node, 'done')
        stack.pop()
        continue
      }
      const index = top.at++
      const to = top.edges[index]
      if (to === undefined) continue
      if (state.get(to) === 'open') {
        const start = stack.findIndex((f) => f.node === to)
        found.push({from: top.node, index, path: [...stack.slice(start).map((f) => f.node), to]})
      } else if (!state.has(to)) enter(to)
    }
  }
  return found
}
