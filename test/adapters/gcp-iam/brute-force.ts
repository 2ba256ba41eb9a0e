// An independent evaluator of GCP IAM allow policies, for the fixture and property tests. It
// shares no code with src/adapters/gcp-iam: members, roles and conditions are interpreted
// directly from IAM's documented semantics, one concrete request at a time.
//
// A request: a member (one identity), a grant (a role name for basic, predefined and undefined
// custom roles; a permission for custom roles defined in the state), the policy file it is on,
// and the condition attributes. Conditions the evaluator does not understand are atoms whose
// truth is given by the caller (`unknown`), keyed by their text without whitespace.

import type {Document} from '../../../src/kernel/types.js'
import type {Oracle} from '../oracle.js'

export interface BindingJson {
  role: string
  members: string[]
  condition?: {expression: string; title?: string; description?: string}
}
export interface PolicyJson {
  bindings?: BindingJson[]
  auditConfigs?: unknown[]
  etag?: string
  version?: number
}
export interface RoleJson {
  name: string
  includedPermissions?: string[]
  stage?: string
  deleted?: boolean
}

export interface State {
  policies: Map<string, PolicyJson>
  roles: RoleJson[]
}

export interface Request {
  member: string
  grant: string
  resource: string
  /** request.time as epoch ms; string attributes as strings */
  context: Record<string, string | number>
}

export type Unknowns = (atom: string) => boolean

const lowerAfterColon = (m: string) => {
  const i = m.indexOf(':')
  return i === -1 ? m : m.slice(0, i + 1) + m.slice(i + 1).toLowerCase()
}

function canonicalMember(m: string): string {
  if (/^(user|group|serviceAccount|domain):/.test(m)) return lowerAfterColon(m)
  const deleted = /^deleted:(user|group|serviceAccount):([^?]*)(\?.*)?$/.exec(m)
  if (deleted) return `deleted:${deleted[1]}:${deleted[2]!.toLowerCase()}${deleted[3] ?? ''}`
  return m
}

const GOOGLE = /^(user|group|serviceAccount|domain|deleted|projectOwner|projectEditor|projectViewer):/

/** Whether binding member `pattern` covers the requesting identity `who`. */
export function covers(pattern: string, who: string): boolean {
  if (pattern === 'allUsers' || pattern === 'principalSet://goog/public:all') return true
  if (pattern === 'allAuthenticatedUsers') return who === 'allAuthenticatedUsers' || GOOGLE.test(who)
  const p = canonicalMember(pattern)
  const w = canonicalMember(who)
  if (p.startsWith('domain:')) {
    const domain = p.slice('domain:'.length)
    return w === p || (w.startsWith('user:') && w.endsWith(`@${domain}`))
  }
  if (p.startsWith('principalSet://') && p.endsWith('/*')) {
    const pool = p.slice('principalSet://'.length, -2)
    return w.startsWith(`principalSet://${pool}/`) || w.startsWith(`principal://${pool}/subject/`)
  }
  return p === w
}

export function grants(role: string, roles: RoleJson[]): string[] {
  if (role === 'roles/owner') return ['roles/owner', 'roles/editor', 'roles/viewer']
  if (role === 'roles/editor') return ['roles/editor', 'roles/viewer']
  if (role === 'roles/viewer') return ['roles/viewer']
  const defined = roles.filter((r) => r.name === role)
  if (defined.length === 0) return [role]
  const out = new Set<string>()
  for (const r of defined) {
    if (r.stage === 'DISABLED' || r.deleted === true) continue
    for (const p of r.includedPermissions ?? []) out.add(p)
  }
  return [...out]
}

// --- conditions ---------------------------------------------------------------------------

/** Splits `text` at top-level occurrences of `op` (outside strings and parentheses). */
function splitTop(text: string, op: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quote: string | null = null
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = null
      continue
    }
    if (c === '"' || c === "'") quote = c
    else if (c === '(' || c === '[') depth++
    else if (c === ')' || c === ']') depth--
    else if (depth === 0 && text.startsWith(op, i)) {
      parts.push(text.slice(start, i))
      start = i + op.length
      i += op.length - 1
    }
  }
  parts.push(text.slice(start))
  return parts
}

/** Whether the whole text is one parenthesised group. */
const wrapped = (text: string) => text.startsWith('(') && text.endsWith(')') && balanced(text.slice(1, -1))

function balanced(text: string): boolean {
  let depth = 0
  let quote: string | null = null
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = null
      continue
    }
    if (c === '"' || c === "'") quote = c
    else if (c === '(') depth++
    else if (c === ')' && --depth < 0) return false
  }
  return depth === 0
}

/** Text without whitespace outside string literals: the identity of an unknown atom. */
export function atomKey(text: string): string {
  let out = ''
  let quote: string | null = null
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote) {
      out += c
      if (c === '\\') out += text[++i] ?? ''
      else if (c === quote) quote = null
      continue
    }
    if (c === '"' || c === "'") {
      quote = c
      out += '"'
      continue
    }
    if (!/\s/.test(c)) out += c
  }
  return out.replace(/'/g, '"')
}

const STRING = String.raw`\s*["']([^"'\\]*)["']\s*`
const ATTR = String.raw`(resource\.name|resource\.type|resource\.service|request\.host|request\.path)`

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '<':
      return a < b
    case '<=':
      return a <= b
    case '>':
      return a > b
    case '>=':
      return a >= b
    case '==':
      return a === b
    default:
      return a !== b
  }
}

type Compiled = (context: Request['context'], unknown: Unknowns) => boolean
const compiled = new Map<string, Compiled>()

/** Whether a condition holds for a request (memoised per expression). */
export function evalCondition(expression: string, context: Request['context'], unknown: Unknowns): boolean {
  let f = compiled.get(expression)
  if (f === undefined) {
    f = compileCondition(expression)
    compiled.set(expression, f)
  }
  return f(context, unknown)
}

function compileCondition(expression: string): Compiled {
  const text = expression.trim()
  const ors = splitTop(text, '||')
  if (ors.length > 1) {
    const parts = ors.map(compileCondition)
    return (c, u) => parts.some((p) => p(c, u))
  }
  const ands = splitTop(text, '&&')
  if (ands.length > 1) {
    const parts = ands.map(compileCondition)
    return (c, u) => parts.every((p) => p(c, u))
  }
  if (text.startsWith('!') && !text.startsWith('!=')) {
    const inner = compileCondition(text.slice(1))
    return (c, u) => !inner(c, u)
  }
  if (wrapped(text)) return compileCondition(text.slice(1, -1))
  return compileAtom(text)
}

const TIME = new RegExp(String.raw`^request\.time\s*(<=|>=|<|>|==|!=)\s*timestamp\(${STRING}\)$`)
const TIME_REVERSED = new RegExp(String.raw`^timestamp\(${STRING}\)\s*(<=|>=|<|>|==|!=)\s*request\.time$`)
const EQUALS = new RegExp(String.raw`^${ATTR}\s*(==|!=)${STRING}$`)
const EQUALS_REVERSED = new RegExp(String.raw`^${STRING}(==|!=)\s*${ATTR}$`)
const METHOD = new RegExp(String.raw`^${ATTR}\.(startsWith|endsWith|contains)\(${STRING}\)$`)

/** One comparison, or an unknown atom. */
function compileAtom(text: string): Compiled {
  if (text === 'true') return () => true
  if (text === 'false') return () => false
  const time = (c: Request['context']) => Number(c['request.time'] ?? 0)
  let m = TIME.exec(text)
  if (m) {
    const [op, at] = [m[1]!, Date.parse(m[2]!)]
    return (c) => compare(time(c), op, at)
  }
  m = TIME_REVERSED.exec(text)
  if (m) {
    const [at, op] = [Date.parse(m[1]!), m[2]!]
    return (c) => compare(at, op, time(c))
  }
  m = EQUALS.exec(text) ?? EQUALS_REVERSED.exec(text)
  if (m) {
    const [attribute, op, value] = EQUALS.test(text) ? [m[1]!, m[2]!, m[3]!] : [m[3]!, m[2]!, m[1]!]
    return (c) => (String(c[attribute] ?? '') === value) === (op === '==')
  }
  m = METHOD.exec(text)
  if (m) {
    const [attribute, method, arg] = [m[1]!, m[2]!, m[3]!]
    return (c) => {
      const value = String(c[attribute] ?? '')
      return method === 'startsWith'
        ? value.startsWith(arg)
        : method === 'endsWith'
          ? value.endsWith(arg)
          : value.includes(arg)
    }
  }
  const key = atomKey(text)
  return (_, unknown) => unknown(key)
}

/** Unknown atoms of a condition (those `evalCondition` would ask about). */
export function unknownAtoms(expression: string): string[] {
  const atoms = new Set<string>()
  const probe: Unknowns = (atom) => {
    atoms.add(atom)
    return true
  }
  // Evaluate every branch: record atoms regardless of short-circuiting.
  const visit = (text: string) => {
    const t = text.trim()
    const ors = splitTop(t, '||')
    if (ors.length > 1) return ors.forEach(visit)
    const ands = splitTop(t, '&&')
    if (ands.length > 1) return ands.forEach(visit)
    if (t.startsWith('!') && !t.startsWith('!=')) return visit(t.slice(1))
    if (wrapped(t)) return visit(t.slice(1, -1))
    compileAtom(t)({}, probe)
  }
  visit(expression)
  return [...atoms]
}

// --- decisions --------------------------------------------------------------------------------

export function allows(state: State, request: Request, unknown: Unknowns = () => true): boolean {
  const policy = state.policies.get(request.resource)
  for (const binding of policy?.bindings ?? []) {
    if (!grants(binding.role, state.roles).includes(request.grant)) continue
    if (!binding.members.some((m) => covers(m, request.member))) continue
    if (binding.condition && !evalCondition(binding.condition.expression, request.context, unknown)) continue
    return true
  }
  return false
}

export function atomsOf(...states: State[]): string[] {
  const atoms = new Set<string>()
  for (const state of states)
    for (const policy of state.policies.values())
      for (const binding of policy.bindings ?? [])
        if (binding.condition) for (const a of unknownAtoms(binding.condition.expression)) atoms.add(a)
  return [...atoms].sort()
}

/** Every assignment of the unknown atoms (at most 2^n; n is small in the tests). */
export function* assignments(atoms: string[]): Generator<Unknowns> {
  for (let mask = 0; mask < 1 << atoms.length; mask++) {
    yield (atom) => {
      const i = atoms.indexOf(atom)
      return i === -1 ? true : Boolean(mask & (1 << i))
    }
  }
}

/** Allowed by `more` and not by `less` under every assignment of the unknowns: a definite difference. */
export function definitelyDiffers(more: State, less: State, request: Request): boolean {
  for (const unknown of assignments(atomsOf(more, less))) {
    if (!allows(more, request, unknown) || allows(less, request, unknown)) return false
  }
  return true
}

/** Allowed by `more` and not by `less` under some assignment: a possible difference. */
export function possiblyDiffers(more: State, less: State, request: Request): boolean {
  for (const unknown of assignments(atomsOf(more, less))) {
    if (allows(more, request, unknown) && !allows(less, request, unknown)) return true
  }
  return false
}

/** A finding's witness as a request. */
export function requestOf(witness: Record<string, unknown>): Request {
  const context: Request['context'] = {}
  for (const [k, v] of Object.entries((witness.context ?? {}) as Record<string, unknown>)) {
    context[k] = k === 'request.time' ? Date.parse(String(v)) : String(v)
  }
  return {
    member: String(witness.member),
    grant: String(witness.permission ?? witness.role),
    resource: String(witness.resource),
    context,
  }
}

/** The state of one side of a case: its policies by path, and its custom role definitions. */
export function stateOf(docs: Map<string, Document>): State {
  const state: State = {policies: new Map(), roles: []}
  for (const [path, doc] of docs) {
    const value = doc.value as Record<string, unknown>
    if ('includedPermissions' in value || 'name' in value) state.roles.push(value as unknown as RoleJson)
    else state.policies.set(path, value as PolicyJson)
  }
  return state
}

/**
 * Fixture cases: one policy per side (`baseline.json|yaml`, read as `policy`), or trees
 * (`baseline/`, `target/`) of policies and the custom roles they bind.
 */
export const oracle: Oracle = {
  fixtureFile: () => 'policy',
  confirms: (f, {baseline, target}) => {
    const [more, less] = f.change === 'widening' ? [target, baseline] : [baseline, target]
    return definitelyDiffers(stateOf(more), stateOf(less), requestOf(f.witness!))
  },
}
