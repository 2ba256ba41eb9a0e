// Compares the RBAC objects of a baseline with those of a target, all files together (a binding
// names a role defined in another file). Every grant of the target that the baseline does not
// have word for word is searched, exactly, for requests the baseline does not allow; each such
// request is a widening, reported once per responsible object (binding, subject entry, role rule,
// aggregation label or selector) and subject, with the most telling request as the witness. The
// same in the other direction gives the narrowings.

import {
  type AnyLeaf,
  type Cell,
  type Domain,
  leafHolds,
  stringDomain,
  opaqueDomain,
} from '../../engine/domains.js'
import {type DifferenceCell, type Dimension, difference, type Truncation} from '../../engine/search.js'
import {Undecidable} from '../../engine/undecidable.js'
import {
  canonicalAccess,
  completeFinding,
  type FindingDraft,
  moreTelling,
  sentence,
  type Sides,
  type WitnessRank,
} from '../../kernel/findings.js'
import {truncatedDraft, truncationMessage} from '../../kernel/truncation.js'
import type {Document, Finding, Severity, Witness} from '../../kernel/types.js'
import type {Comparison} from '../adapter.js'
import {RBAC_GROUP, type RbacObject, type RuleJson, UNSET_NAMESPACE} from './objects.js'
import {
  aggregates,
  applies,
  buildModel,
  definedSeveralTimes,
  DIMENSIONS,
  type DimensionName,
  type Grant,
  grantOf,
  inScope,
  labelsOf,
  literalOf,
  mayOverlap,
  type Model,
  namePrefixOf,
  objectsOfDocuments,
  type Pair,
  pairAllows,
  pairsFor,
  type Request,
  roleIdOf,
  roleRefOf,
  selectorsOf,
  type SourcedRule,
  subjectsOf,
  subjectsOverlap,
  unknownKey,
} from './model.js'
import {reachOf} from './reach.js'
import {type RbacRule, RULES, SPLIT} from './rules.js'

/**
 * Cap on difference cells per grant (one rule of a role, for one subject of a binding): past it,
 * the grant's search is cut short, a comparison-truncated finding. Every cell found is classified,
 * so that the finding's rule and severity are the worst of the whole grant, never of a sample.
 */
const CELL_LIMIT = 2000

// --- dimensions -------------------------------------------------------------------------

/**
 * Strings that may be absent from a request (no namespace: cluster-wide; no subresource; no
 * object name: list or create). Where no leaf tests presence, the cell that matches no leaf
 * holds the absent value too, and it is shown as absent: the most readable member.
 */
function optionalDomain(samples: string[]): Domain {
  const inner = stringDomain(samples)
  return {
    cells: (leaves) => {
      const cells = inner.cells(leaves)
      if (cells.some((c) => c.value === undefined)) return cells
      // A new cell in its place: the inner domain hands out the same cells again (stringDomain).
      const none = cells.find((c) => [...c.known.values()].every((matches) => !matches))
      return none
        ? cells.map((c) => (c === none ? {...c, value: undefined, known: new Map(c.known)} : c))
        : cells
    },
  }
}

/**
 * The fast path for dimensions whose leaves are exact names (all but nonResourceURL prefixes):
 * one cell per name, one for every other value (absent, for optional dimensions), without the
 * glob automaton. Any other leaf hands the question to the general domain.
 */
function literalDomain(samples: string[], optional: boolean): Domain {
  const general = optional ? optionalDomain(samples) : stringDomain(samples)
  return {
    cells: (leaves) => {
      const texts = new Map<string, string>()
      let present = false
      for (const l of leaves) {
        if (l.type === 'present') present = true
        else {
          const text = l.type === 'glob' ? literalOf(l.glob) : undefined
          if (text === undefined) return general.cells(leaves)
          texts.set(l.key, text)
        }
      }
      const values = [...new Set(texts.values())]
      const none = () => new Map([...texts.keys()].map((k) => [k, false]))
      const cells: Cell[] = values.map((v) => ({
        value: v,
        known: new Map([...texts].map(([k, t]) => [k, t === v])),
      }))
      if (optional || present) cells.unshift({value: undefined, known: none()})
      if (!optional || present) cells.push({value: fresh(samples, values), known: none()})
      return cells
    },
  }
}

/**
 * Subjects: exact names, and the name prefixes through which a group reaches its implied members
 * (`ServiceAccount:prod:…` for system:serviceaccounts:prod, model.ts). The prefixes a subject
 * matches are nested, so every combination of answers is realised by a name of the leaves, by a
 * fresh name under one prefix (matching it and the shorter ones), or by a name under none: one
 * cell each, without the glob automaton. Any other leaf hands the question to the general domain.
 */
function subjectDomain(samples: string[]): Domain {
  const general = stringDomain(samples)
  return {
    cells: (leaves) => {
      const literals = new Map<string, string>()
      const prefixes = new Map<string, string>()
      for (const l of leaves) {
        const text = l.type === 'glob' ? literalOf(l.glob) : undefined
        const prefix = l.type === 'glob' ? namePrefixOf(l.glob) : undefined
        if (text !== undefined) literals.set(l.key, text)
        else if (prefix !== undefined) prefixes.set(l.key, prefix)
        else return general.cells(leaves)
      }
      const under = (value: string, prefix: string) =>
        value.length > prefix.length && value.startsWith(prefix)
      const known = (value: string) =>
        new Map([
          ...[...literals].map(([k, t]): [string, boolean] => [k, t === value]),
          ...[...prefixes].map(([k, p]): [string, boolean] => [k, under(value, p)]),
        ])
      const names = new Set(literals.values())
      const allPrefixes = [...new Set(prefixes.values())]
      // A fresh name under `prefix` and under no longer prefix.
      const freshUnder = (prefix: string): string => {
        const fits = (v: string) =>
          (prefix === '' || under(v, prefix)) &&
          !names.has(v) &&
          !allPrefixes.some((q) => q.length > prefix.length && under(v, q))
        const candidate = [...samples, `${prefix}someone-else`].find(fits)
        if (candidate !== undefined) return candidate
        let value = `${prefix}someone-else`
        while (!fits(value)) value += '-x'
        return value
      }
      return [
        ...[...names].map((value) => ({value, known: known(value)})),
        ...['', ...allPrefixes].map((prefix) => {
          const value = freshUnder(prefix)
          return {value, known: known(value)}
        }),
      ]
    },
  }
}

/** A readable value that is none of `taken`. */
function fresh(samples: string[], taken: string[]): string {
  const used = new Set(taken)
  const sample = samples.find((s) => !used.has(s))
  if (sample !== undefined) return sample
  let candidate = 'other'
  while (used.has(candidate)) candidate += '-x'
  return candidate
}

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection']

export function dimensions(...models: Model[]): Dimension[] {
  const dims: Dimension[] = [
    {
      name: 'subject',
      // Groups first: a grant to a group is best shown by a member of it, named as such.
      domain: subjectDomain([
        'Group:system:authenticated',
        'Group:system:serviceaccounts',
        'User:someone-else',
      ]),
    },
    {
      name: 'nonResourceURL',
      domain: literalDomain(['/metrics', '/healthz', '/version', '/api', '/apis'], true),
    },
    {name: 'namespace', domain: literalDomain([], true)},
    {name: 'apiGroup', domain: literalDomain(['', 'apps', 'batch', RBAC_GROUP], false)},
    {
      name: 'resource',
      domain: literalDomain(['secrets', 'pods', 'configmaps', 'deployments', 'services'], false),
    },
    {name: 'subresource', domain: literalDomain(['exec', 'log', 'status', 'scale'], true)},
    {
      name: 'verb',
      domain: literalDomain([...VERBS, 'escalate', 'bind', 'impersonate', 'post', 'put'], false),
    },
    {name: 'resourceName', domain: literalDomain([], true)},
  ]
  const opaque = new Map<string, string>()
  for (const m of models) for (const [name, description] of m.opaque) opaque.set(name, description)
  for (const [name, description] of [...opaque].sort(([a], [b]) => a.localeCompare(b)))
    dims.push({name, domain: opaqueDomain(), opaque: {description}})
  return dims
}

// --- responsibility -----------------------------------------------------------------------

type What = 'binding' | 'subject' | 'role-ref' | 'role-definition' | 'role' | 'label' | 'selector' | 'rule'

/** The object (part) whose change makes a grant new, on the side that has the grant. */
interface Component {
  what: What
  object: RbacObject
  pointer: string
  /** the object with the same identity on the other side */
  counterpart: RbacObject | undefined
  /** stable meaning, for finding ids */
  key: string
  /** the aggregation edge, for label and selector changes */
  edge?: {parent: RbacObject; child: RbacObject}
}

/** JSON with object keys sorted and lists of strings sorted: the same meaning, the same text (ids). */
const sortedJson = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) =>
    Array.isArray(v) && v.every((x) => typeof x === 'string')
      ? [...new Set(v)].sort()
      : typeof v === 'object' && v !== null && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
        : v,
  )

function responsibility(g: Grant, other: Model): Component {
  const b = g.binding
  const counterparts = other.byId.get(b.id) ?? []
  const part = (
    what: What,
    object: RbacObject,
    pointer: string,
    key: string,
    counterpart = other.byId.get(object.id)?.[0],
  ): Component => ({what, object, pointer, counterpart, key: `${what}|${object.id}|${key}`})
  if (counterparts.length === 0) return part('binding', b, b.pointer, '')
  const withSubject = counterparts.filter((c) => subjectsOf(c).includes(g.subject))
  if (withSubject.length === 0)
    return part('subject', b, `${b.pointer}/subjects/${g.subjectIndex}`, g.subject)
  const roleId = roleIdOf(b)
  if (!withSubject.some((c) => roleIdOf(c) === roleId))
    return part('role-ref', b, `${b.pointer}/roleRef`, roleId, withSubject[0])
  const rule = g.rule
  const definition = () => part('role-definition', b, `${b.pointer}/roleRef`, roleId, withSubject[0])
  if (rule === undefined) return definition()
  const found = responsibleRolePart(rule, other, part)
  // A built-in role is in no file: what changed is which definition the binding's role has.
  return found.object.builtIn ? definition() : found
}

/** The role, aggregation label or selector, or rule that makes a grant of an existing binding new. */
function responsibleRolePart(
  rule: SourcedRule,
  other: Model,
  part: (what: What, object: RbacObject, pointer: string, key: string) => Component,
): Component {
  const path = rule.path
  for (let i = 0; i + 1 < path.length; i++) {
    const parent = path[i]!
    const child = path[i + 1]!
    const parents = other.byId.get(parent.id) ?? []
    const children = other.byId.get(child.id) ?? []
    if (parents.length === 0) return part('role', parent, parent.pointer, '')
    if (children.length === 0) return part('role', child, child.pointer, '')
    if (parents.some((p) => children.some((c) => aggregates(p, c)))) continue
    if (parents.some((p) => aggregates(p, child))) {
      const c = part('label', child, `${child.pointer}/metadata/labels`, sortedJson(labelsOf(child)))
      return {...c, edge: {parent, child}}
    }
    const c = part('selector', parent, `${parent.pointer}/aggregationRule`, sortedJson(selectorsOf(parent)))
    return {...c, edge: {parent, child}}
  }
  const owner = rule.owner
  if (!other.byId.has(owner.id)) return part('role', owner, owner.pointer, '')
  return part('rule', owner, `${owner.pointer}/rules/${rule.index}`, sortedJson(rule.raw))
}

// --- witnesses and classification --------------------------------------------------------

type Probe = Partial<Record<DimensionName, string | undefined>>

interface ProbeSet {
  rule: RbacRule
  probes: Probe[]
}

const expand = (
  verbs: string[],
  apiGroup: string,
  resources: string[],
  subresources: Array<string | undefined>,
) =>
  verbs.flatMap((verb) =>
    resources.flatMap((resource) =>
      subresources.map((subresource) => ({nonResourceURL: undefined, verb, apiGroup, resource, subresource})),
    ),
  )

const WRITES = ['create', 'update', 'patch', 'delete']

/** Risky requests (rbac-police, KubiScan, …), most telling first: each makes a finding high. */
const RISKY: ProbeSet[] = [
  {rule: 'secrets-read', probes: expand(['get', 'list', 'watch'], '', ['secrets'], [undefined])},
  {rule: 'pod-exec', probes: expand(['create', 'get'], '', ['pods'], ['exec', 'attach'])},
  {rule: 'escalate', probes: expand(['escalate'], RBAC_GROUP, ['clusterroles', 'roles'], [undefined])},
  {rule: 'bind', probes: expand(['bind'], RBAC_GROUP, ['clusterroles', 'roles'], [undefined])},
  {
    rule: 'impersonate',
    probes: [
      ...expand(['impersonate'], '', ['users', 'groups', 'serviceaccounts'], [undefined]),
      ...expand(['impersonate'], 'authentication.k8s.io', ['userextras', 'uids'], [undefined]),
    ],
  },
  {rule: 'node-proxy', probes: expand(['get', ...WRITES], '', ['nodes'], ['proxy'])},
  {rule: 'token-request', probes: expand(['create'], '', ['serviceaccounts'], ['token'])},
  {
    rule: 'webhook-config',
    probes: expand(
      WRITES,
      'admissionregistration.k8s.io',
      ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'],
      [undefined],
    ),
  },
  {
    rule: 'csr-approval',
    probes: expand(['update', 'patch'], 'certificates.k8s.io', ['certificatesigningrequests'], ['approval']),
  },
]

/** Values for dimensions no rule constrains in a cell: any value will do, these read well. */
const FILL: Request = {verb: 'get', apiGroup: '', resource: 'pods'}

const PUBLIC_SUBJECTS = new Set(['system:anonymous', 'system:unauthenticated', 'system:authenticated'])

export function isPublicSubject(subject: string): boolean {
  const name = subject.startsWith('ServiceAccount:') ? '' : subject.slice(subject.indexOf(':') + 1)
  return PUBLIC_SUBJECTS.has(name)
}

/** Every service account of the cluster, or of a namespace: any workload there holds the access. */
const isBroadSubject = (subject: string) => /^Group:system:serviceaccounts(:[^:]+)?$/.test(subject)

/** Leaves by key, across both sides (grants are made as the search goes). */
interface LeafLookup {
  get(key: string): AnyLeaf | undefined
}

/** Whether `value` lies in a cell: it agrees with the cell on every test the search made. */
function inCell(cell: Cell, value: string | undefined, leaves: LeafLookup): boolean {
  if ((value === undefined) !== (cell.value === undefined)) return false
  for (const [key, result] of cell.known) {
    const l = leaves.get(key)
    if (l === undefined || leafHolds(l, value) !== result) return false
  }
  return true
}

/** The cell's request, with `probe`'s values where they lie in the cell (else undefined). */
function requestOf(cell: DifferenceCell, leaves: LeafLookup, probe: Probe = {}): Request | undefined {
  const request: Request = {}
  for (const dim of DIMENSIONS) {
    const c = cell.cells.get(dim)
    if (dim in probe) {
      const value = probe[dim]
      if (c !== undefined && !inCell(c, value, leaves)) return undefined
      if (value !== undefined) request[dim] = value
    } else if (c !== undefined) {
      if (c.value !== undefined) request[dim] = c.value as string
    } else if (FILL[dim] !== undefined) request[dim] = FILL[dim]
  }
  return request
}

export function witnessOf(request: Request): Witness {
  const w: Witness = {subject: request.subject, verb: request.verb}
  if (request.nonResourceURL !== undefined) {
    w.nonResourceURL = request.nonResourceURL
    return w
  }
  w.apiGroup = request.apiGroup ?? ''
  w.resource = request.resource
  if (request.subresource !== undefined) w.subresource = request.subresource
  if (request.resourceName !== undefined) w.resourceName = request.resourceName
  if (request.namespace !== undefined) w.namespace = request.namespace
  return w
}

/** The witness of a comparison per variant names the file deployed (witnessRequest ignores it). */
const withVariant = (w: Witness, variant: string | undefined): Witness =>
  variant === undefined ? w : {...w, variant}

/** A witness back as a request (the inverse of witnessOf). */
export function witnessRequest(witness: Witness): Request {
  const request: Request = {}
  for (const dim of DIMENSIONS) {
    const v = witness[dim]
    if (typeof v === 'string') request[dim] = v
  }
  if (request.nonResourceURL === undefined && request.apiGroup === undefined) request.apiGroup = ''
  return request
}

interface Classified {
  rule: RbacRule
  severity: Severity
  request: Request
  /** among equally severe witnesses, the higher the more telling (the order of RISKY) */
  priority: number
}

const isAdminRule = (g: Grant) =>
  g.entry.type === 'resource' &&
  g.entry.resource === '*' &&
  (g.rule?.raw.verbs ?? []).includes('*') &&
  (g.rule?.raw.apiGroups ?? []).includes('*')

function usesWildcard(g: Grant): boolean {
  const raw = g.rule?.raw
  if (!raw) return false
  if ((raw.verbs ?? []).includes('*')) return true
  if (g.entry.type === 'nonResource') return (raw.nonResourceURLs ?? []).includes('*')
  return (
    (raw.apiGroups ?? []).includes('*') ||
    (g.entry.type === 'resource' && (g.entry.resource === '*' || g.entry.resource.startsWith('*/')))
  )
}

/** The risky requests a grant's own rule can allow (the others need not be tried on its cells). */
const riskyCache = new WeakMap<Grant, Array<{rule: RbacRule; probes: Probe[]; priority: number}>>()

function riskyFor(g: Grant): Array<{rule: RbacRule; probes: Probe[]; priority: number}> {
  let out = riskyCache.get(g)
  if (out !== undefined) return out
  out = []
  const raw = g.rule?.raw
  if (g.entry.type === 'resource' && raw) {
    const entry = g.entry.resource
    const verbs = raw.verbs ?? []
    const groups = raw.apiGroups ?? []
    const allows = (p: Probe) => {
      const combined = p.subresource === undefined ? p.resource : `${p.resource}/${p.subresource}`
      return (
        (verbs.includes('*') || verbs.includes(p.verb!)) &&
        (groups.includes('*') || groups.includes(p.apiGroup!)) &&
        (entry === '*' ||
          entry === combined ||
          (p.subresource !== undefined && entry === `*/${p.subresource}`))
      )
    }
    RISKY.forEach((set, i) => {
      const probes = set.probes.filter(allows)
      if (probes.length > 0) out!.push({rule: set.rule, probes, priority: RISKY.length - i})
    })
  }
  riskyCache.set(g, out)
  return out
}

function classifyWidening(
  cell: DifferenceCell,
  g: Grant,
  component: Component,
  leaves: LeafLookup,
): Classified {
  const plain = requestOf(cell, leaves)!
  let risky: {rule: RbacRule; request: Request; priority: number} | undefined
  for (const {rule, probes, priority} of riskyFor(g)) {
    for (const probe of probes) {
      const request = requestOf(cell, leaves, probe)
      if (request) risky = {rule, request, priority}
      if (risky) break
    }
    if (risky) break
  }
  const request = risky?.request ?? plain
  const priority = risky?.priority ?? 0
  const as = (rule: RbacRule, severity: Severity): Classified => ({rule, severity, request, priority})
  if (isPublicSubject(g.subject)) return as('public-subject', 'critical')
  if (g.entry.type === 'unknown') return as('unknown-role', 'medium')
  if (isAdminRule(g))
    return g.namespace === undefined ? as('cluster-admin', 'critical') : as('namespace-admin', 'high')
  if (risky) return as(risky.rule, 'high')
  if (usesWildcard(g)) return as('wildcard', 'high')
  if (isBroadSubject(g.subject)) return as('broad-subject', 'high')
  if (component.what === 'label' || component.what === 'selector') return as('aggregation', 'medium')
  return as('new-grant', 'low')
}

/**
 * What the baseline allows of a request for another subject, or in another namespace: asked of
 * whole roles, remembered per role and request (many bindings share a few roles).
 */
class Baseline {
  private readonly cache = new Map<string, boolean>()
  constructor(private readonly model: Model) {}

  private allows(pair: Pair, request: Request, ignoreScope: boolean): boolean {
    if (pair.entries === undefined) return false
    if (!ignoreScope && !inScope(pair, request)) return false
    const key = `${pair.roleId}\u0000${pair.namespace === undefined}\u0000${JSON.stringify(request)}`
    let result = this.cache.get(key)
    if (result === undefined) this.cache.set(key, (result = pairAllows(pair, request, false, true)))
    return result
  }

  /** The request's subject had the access in some namespace (or cluster-wide). */
  otherNamespace(request: Request): boolean {
    const asked = {...request, namespace: undefined}
    return pairsFor(this.model, request.subject ?? '').some((p) => this.allows(p, asked, true))
  }

  /** Some other subject had exactly this access. */
  otherSubject(request: Request): boolean {
    const asked = {...request, subject: undefined}
    return this.model.pairs.some((p) => this.allows(p, asked, false))
  }
}

/**
 * A plain new grant made by a new binding or subject entry may extend access the baseline gave
 * in other namespaces or to other subjects; a grant that a role's rules, labels or selectors
 * made new stays `new-grant`, so that the rule says what changed.
 */
function refine(c: Classified, what: What, baseline: Baseline): Classified {
  if (c.rule !== 'new-grant' || (what !== 'binding' && what !== 'subject')) return c
  if (baseline.otherNamespace(c.request)) return {...c, rule: 'scope-widened', severity: 'medium'}
  if (baseline.otherSubject(c.request)) return {...c, rule: 'new-subject', severity: 'medium'}
  return c
}

/** Cells of one finding whose plain classification is refined (the check scans the baseline). */
const REFINED_CELLS = 16

const NARROWING_RULE: Record<What, RbacRule> = {
  binding: 'binding-removed',
  subject: 'subject-removed',
  'role-ref': 'role-ref-changed',
  'role-definition': 'role-definition-changed',
  role: 'role-removed',
  label: 'aggregation-narrowed',
  selector: 'aggregation-narrowed',
  rule: 'rule-narrowed',
}

// --- words ------------------------------------------------------------------------------

function ruleText(rule: string, witness: Witness): string {
  if (rule !== 'public-subject') return RULES[rule as RbacRule]?.title ?? rule
  return String(witness.subject).endsWith(':system:authenticated')
    ? 'Access for every authenticated user (any service account, any identity the cluster accepts)'
    : 'Access for anonymous callers'
}

export const display = (o: RbacObject) =>
  `${o.kind} ${o.namespace !== undefined ? `${o.namespace}/` : ''}${o.name}`

function requestText(w: Witness, can: string): string {
  const who = String(w.subject)
  const deployed = typeof w.variant === 'string' ? ` (as deployed from ${w.variant})` : ''
  if (typeof w.nonResourceURL === 'string')
    return `${who} ${can} ${String(w.verb)} ${w.nonResourceURL}${deployed}`
  const group = w.apiGroup === '' ? '' : `.${String(w.apiGroup)}`
  const what = `${String(w.resource)}${group}${w.subresource === undefined ? '' : `/${String(w.subresource)}`}`
  const named = w.resourceName === undefined ? '' : ` named ${String(w.resourceName)}`
  const where =
    w.namespace === undefined
      ? ' cluster-wide'
      : w.namespace === UNSET_NAMESPACE
        ? ' in the namespace the file is applied to'
        : ` in namespace ${String(w.namespace)}`
  return `${who} ${can} ${String(w.verb)} ${what}${named}${where}${deployed}`
}

function because(c: Component, g: Grant, removed: boolean): string {
  const ref = roleRefOf(g.binding)
  const b = display(g.binding)
  const now = removed ? 'no longer' : 'now'
  switch (c.what) {
    case 'binding':
      return `${b} is ${removed ? 'removed' : 'new'}`
    case 'subject':
      return `${b} ${now} binds ${g.subject}`
    case 'role-ref':
      return `${b} ${removed ? 'no longer refers' : 'now refers'} to ${ref.kind} ${ref.name}`
    case 'role-definition':
      return g.rule === undefined
        ? `${ref.kind} ${ref.name}, bound by ${b}, is ${removed ? 'now' : 'not'} defined in the repository`
        : `${ref.kind} ${ref.name}, bound by ${b}, ${removed ? 'no longer grants it' : 'grants it'} as ${
            g.rule.owner.builtIn ? "Kubernetes' built-in role" : 'the repository defines it'
          }`
    case 'role':
      return `${display(c.object)} is ${removed ? 'removed' : 'new'}`
    case 'label':
      return `${display(c.edge!.child)} ${now} carries labels that the aggregationRule of ${display(c.edge!.parent)} selects`
    case 'selector':
      return `the aggregationRule of ${display(c.edge!.parent)} ${now} selects ${display(c.edge!.child)}`
    case 'rule':
      return `a rule of ${display(c.object)} ${removed ? 'grants less' : 'grants more'}`
  }
}

function via(g: Grant): string {
  const path = g.rule?.path ?? []
  const roles =
    path.length > 0
      ? path.map(display).join(' ← ')
      : roleRefOf(g.binding).kind + ' ' + roleRefOf(g.binding).name
  return `via ${display(g.binding)} → ${roles}`
}

/** A finding's message for another witness of the same access (`history` asks about one request). */
export function describeFinding(finding: Finding, witness: Witness): string {
  if (finding.rule === 'comparison-truncated')
    return truncationMessage(finding.reason, requestText(witness, 'can'), SPLIT)
  const can = finding.change === 'narrowing' ? 'can no longer' : 'can'
  return sentence.of(finding.change, ruleText(finding.rule, witness), requestText(witness, can), {
    reason: finding.reason,
  })
}

// --- the comparison -----------------------------------------------------------------------

interface Side {
  model: Model
}

interface Found {
  grant: Grant
  cell: DifferenceCell
}

/**
 * Per grant of `allowed` that `other` lacks word for word: the requests it allows that `other`
 * does not. A grant is lacking unless `other` has the same entry for the same subject, in the
 * same namespace or cluster-wide (which covers every namespace).
 */
function search(
  allowed: Model,
  other: Model,
  dims: Dimension[],
  direction: 'widening' | 'narrowing',
  notes: string[],
  onFound: (found: Found) => void,
  /** told of each grant whose search stopped at CELL_LIMIT cells */
  onCut: (grant: Grant, truncation: Truncation) => void = () => {},
): void {
  const known = new Map<string, Set<string>>()
  // Entries `other` grants to every request of the subject (through it, or a group it is in).
  const knownTo = (subject: string, namespace: string | undefined): Set<string> => {
    const cacheKey = `${subject}\u0000${namespace ?? ''}`
    let keys = known.get(cacheKey)
    if (keys === undefined) {
      keys = new Set()
      for (const o of pairsFor(other, subject)) {
        if (o.namespace !== undefined && o.namespace !== namespace) continue
        if (o.entries === undefined) keys.add(unknownKey(o.roleId))
        else for (const e of o.entries) if (applies(o, e)) keys.add(e.compiled.key)
      }
      known.set(cacheKey, keys)
    }
    return keys
  }
  const overlappingCache = new Map<string, Pair[]>()
  const overlapping = (subject: string): Pair[] => {
    let pairs = overlappingCache.get(subject)
    if (pairs === undefined) {
      pairs = [...other.bySubject].flatMap(([s, list]) => (subjectsOverlap(subject, s) ? list : []))
      overlappingCache.set(subject, pairs)
    }
    return pairs
  }
  for (const pair of allowed.pairs) {
    const have = knownTo(pair.subject, pair.namespace)
    const seen = new Set<string>()
    const fresh = (key: string) => {
      if (have.has(key) || seen.has(key)) return false
      seen.add(key)
      return true
    }
    const indices =
      pair.entries === undefined
        ? fresh(unknownKey(pair.roleId))
          ? [-1]
          : []
        : pair.entries.flatMap((e, i) => (applies(pair, e) && fresh(e.compiled.key) ? [i] : []))
    for (const i of indices) {
      const g = grantOf(allowed, pair, i, false)
      // Only grants to subjects that overlap it, in the same namespace or cluster-wide, can cover it.
      const candidates: Grant[] = []
      for (const o of overlapping(pair.subject)) {
        if (pair.namespace !== undefined && o.namespace !== undefined && o.namespace !== pair.namespace)
          continue
        if (o.entries === undefined) candidates.push(grantOf(other, o, -1))
        else
          o.entries.forEach((e, j) => {
            if (applies(o, e) && mayOverlap(g.literals, e.compiled.literals))
              candidates.push(grantOf(other, o, j))
          })
      }
      try {
        const result = difference(
          dims,
          {rules: [g.engine]},
          {rules: candidates.map((o) => o.engine)},
          {limit: CELL_LIMIT},
        )
        for (const cell of result.cells) onFound({grant: g, cell})
        if (result.truncated) onCut(g, {direction, limit: CELL_LIMIT, next: result.next})
      } catch (error) {
        if (!(error instanceof Undecidable)) throw error
        if (direction === 'narrowing') {
          notes.push(`${g.binding.file}: narrowings of ${display(g.binding)} not computed: ${error.reason}`)
          continue
        }
        const matched = {allowed: [g.engine], allowedDeny: [], other: [], otherDeny: []}
        onFound({grant: g, cell: {cells: new Map(), matched, status: 'possible', reason: error.reason}})
      }
    }
  }
}

interface Scored extends Found {
  possible: boolean
  classified: Classified
}

const rankOf = (s: Scored): WitnessRank => ({
  possible: s.possible,
  severity: s.classified.severity,
  // Among equals, a grant to a group is best shown by a member of it, named as such.
  weight: s.classified.priority + (s.classified.request.subject === s.grant.subject ? 0.5 : 0),
})

/** What one finding (a responsible object and a subject) keeps of its cells while the search runs. */
interface Group {
  component: Component
  /** the (binding, subject) pairs whose grants it holds: what they are bound to is part of the access */
  pairs: Set<Pair>
  /** widenings: the most telling cell so far */
  best: Scored | undefined
  /** widenings: plain new grants, to be told apart (other namespace, other subject) if nothing is worse */
  plain: Scored[]
  /** narrowings: the first definite cell */
  first: Found | undefined
}

/** Groups the cells of a search by responsible object and subject, as they come. */
function grouper(other: Model, classify: ((f: Found, c: Component) => Scored) | undefined) {
  const groups = new Map<string, Group>()
  // Responsibility depends on the pair and the rule, not on the entry: remembered per both.
  const components = new Map<Pair, Map<SourcedRule | undefined, Component>>()
  const add = (f: Found) => {
    let byRule = components.get(f.grant.pair)
    if (byRule === undefined) components.set(f.grant.pair, (byRule = new Map()))
    let component = byRule.get(f.grant.rule)
    if (component === undefined) byRule.set(f.grant.rule, (component = responsibility(f.grant, other)))
    const key = `${component.key}\u0000${f.grant.subject}`
    let group = groups.get(key)
    if (group === undefined)
      groups.set(key, (group = {component, pairs: new Set(), best: undefined, plain: [], first: undefined}))
    group.pairs.add(f.grant.pair)
    if (classify === undefined) {
      if (group.first === undefined && f.cell.status === 'definite') group.first = f
      return
    }
    const scored = classify(f, component)
    if (group.best === undefined || moreTelling(rankOf(scored), rankOf(group.best))) group.best = scored
    if (!scored.possible && scored.classified.rule === 'new-grant' && group.plain.length < REFINED_CELLS)
      group.plain.push(scored)
  }
  return {add, groups: () => [...groups.values()]}
}

/**
 * `_changed` is not needed: both sides are compared, limited to the files the objects that differ
 * reach (reach.ts; all of them when in doubt), and what differs is found in the objects that changed (a file that did not change can still be where a finding points when a
 * role it binds was removed from another file). An object defined in several files is compared
 * per variant (model.ts, buildModel): once for each file that defines such an object, on either
 * side, so that no file's definition is hidden by another's; the witness names the variant.
 */
export function compareRbac(
  baseline: Map<string, Document>,
  target: Map<string, Document>,
  _changed: string[],
): Comparison {
  const reach = reachOf(baseline, target)
  if (reach === undefined) return compareWhole(baseline, target)
  const within = (documents: Map<string, Document>) =>
    new Map([...documents].filter(([key]) => reach.has(key)))
  return compareWhole(within(baseline), within(target))
}

/** compareRbac over every document given (reach.ts leaves out those a change cannot reach). */
export function compareWhole(baseline: Map<string, Document>, target: Map<string, Document>): Comparison {
  const sides: Sides = {baseline, target}
  const before = objectsOfDocuments([...baseline].map(([p, d]) => [p, d.value]))
  const after = objectsOfDocuments([...target].map(([p, d]) => [p, d.value]))
  const notes: string[] = []
  const several = [definedSeveralTimes(before), definedSeveralTimes(after)] as const
  for (const [id, files] of several[1])
    notes.push(
      `${id} is defined ${files.length} times (${files.join(', ')}): each file is compared as the variant a cluster is deployed from`,
    )
  const variants = [...new Set(several.flatMap((m) => [...m.values()].flat()))].sort()
  if (variants.length === 0) {
    const findings = compareModels(buildModel(before), buildModel(after), sides, undefined, notes)
    return {findings, notes}
  }
  // The same access found in several variants is one finding (its id names the access).
  const found = new Map<string, Finding>()
  for (const variant of variants)
    for (const f of compareModels(
      buildModel(before, variant),
      buildModel(after, variant),
      sides,
      variant,
      notes,
    ))
      if (!found.has(f.id)) found.set(f.id, f)
  return {findings: sortFindings([...found.values()]), notes: [...new Set(notes)]}
}

const sortFindings = (findings: Finding[]) =>
  findings.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0))

/** The findings of one comparison of two models (of one variant, when `variant` is given). */
function compareModels(
  baseModel: Model,
  targetModel: Model,
  sides: Sides,
  variant: string | undefined,
  notes: string[],
): Finding[] {
  const base: Side = {model: baseModel}
  const tgt: Side = {model: targetModel}
  const complete = (draft: FindingDraft<RbacRule>) => completeFinding('k8s-rbac', RULES, sides, draft)
  const dims = dimensions(base.model, tgt.model)
  const leaves: LeafLookup = {get: (key) => tgt.model.leaves.get(key) ?? base.model.leaves.get(key)}
  const findings: Finding[] = []
  const index = new Baseline(base.model)

  const classify = (f: Found, component: Component): Scored => ({
    ...f,
    possible: f.cell.status === 'possible',
    classified: classifyWidening(f.cell, f.grant, component, leaves),
  })
  const widenings = grouper(base.model, classify)
  const cuts: Array<{grant: Grant; truncation: Truncation}> = []
  search(tgt.model, base.model, dims, 'widening', notes, widenings.add, (grant, truncation) =>
    cuts.push({grant, truncation}),
  )
  for (const group of widenings.groups()) {
    let best = group.best!
    // Nothing alarming: say at least whether the access existed elsewhere (costs a baseline scan).
    if (best.possible || best.classified.severity === 'low') {
      for (const s of group.plain) {
        const refined = {...s, classified: refine(s.classified, group.component.what, index)}
        if (moreTelling(rankOf(refined), rankOf(best))) best = refined
      }
    }
    findings.push(complete(wideningDraft(group, best, variant)))
  }
  // A widening search cut short: what lies past the cut was never listed, so it cannot be approved.
  for (const file of new Set(cuts.map((c) => c.grant.binding.file))) {
    const inFile = cuts.filter((c) => c.grant.binding.file === file)
    const listed = findings.filter((f) => f.file === file)
    findings.push(complete(truncatedDraftOf(inFile, listed, leaves, variant)))
  }
  const narrowings = grouper(tgt.model, undefined)
  search(base.model, tgt.model, dims, 'narrowing', notes, narrowings.add, (g) =>
    notes.push(
      `${g.binding.file}: more than ${CELL_LIMIT} narrowing cells for ${display(g.binding)}; the first ${CELL_LIMIT} are reported`,
    ),
  )
  for (const group of narrowings.groups()) {
    if (group.first) findings.push(complete(narrowingDraft(group, group.first, leaves, variant)))
  }
  return sortFindings(findings)
}

/** The finding that says a grant's widening search stopped at CELL_LIMIT cells (kernel/truncation.ts). */
function truncatedDraftOf(
  cuts: Array<{grant: Grant; truncation: Truncation}>,
  listed: readonly Finding[],
  leaves: LeafLookup,
  variant: string | undefined,
): FindingDraft<RbacRule> {
  const binding = (cuts.find((c) => c.truncation.next !== undefined) ?? cuts[0]!).grant.binding
  const witness = (next: DifferenceCell) => {
    const request = next.cells.size > 0 ? requestOf(next, leaves) : undefined
    if (request === undefined) return null
    const shown = withVariant(witnessOf(request), variant)
    return {witness: shown, text: requestText(shown, 'can')}
  }
  return truncatedDraft({
    at: {file: binding.file, pointer: binding.pointer},
    truncations: cuts.map((c) => c.truncation),
    witness,
    listed,
    split: SPLIT,
  })
}

function wideningDraft(group: Group, best: Scored, variant: string | undefined): FindingDraft<RbacRule> {
  const {component} = group
  const witness = withVariant(witnessOf(best.classified.request), variant)
  const {rule, severity} = best.classified
  const reason = best.cell.reason
  const tail = `${because(component, best.grant, false)}; ${via(best.grant)}`
  const text = ruleText(rule, witness)
  const what = requestText(witness, 'can')
  const counterpart = component.counterpart
  return {
    rule,
    severity,
    at: {file: component.object.file, pointer: component.pointer},
    baseline: counterpart ? {file: counterpart.file, pointer: counterpart.pointer} : null,
    message: best.possible
      ? sentence.possible(text, what, reason, tail)
      : sentence.widening(text, what, tail),
    witness,
    ...(best.possible ? {reason} : {}),
    before: counterpart?.raw ?? null,
    after: component.object.raw,
    access: accessOf(group, best.grant.subject),
  }
}

/**
 * What a finding is about, whole: the object (part) that changed, the subject, and everything
 * the roles its bindings refer to grant (their rules, through aggregation), so that an approval
 * of "get secret db-creds" never covers the same binding once its role grants more.
 */
function accessOf(group: Group, subject: string): unknown {
  const {component} = group
  const granted = new Set<string>()
  for (const pair of group.pairs) {
    if (pair.entries === undefined) granted.add(canonicalAccess({undefinedRole: pair.roleId}))
    else
      for (const {rule} of pair.entries)
        granted.add(canonicalAccess({role: rule.owner?.id ?? pair.roleId, rule: rule.raw}))
  }
  return {
    what: component.what,
    key: component.key,
    object: objectAccess(component.object),
    subject,
    grants: [...granted],
  }
}

/** An RBAC object as access: what it binds or grants, without metadata that is not access. */
function objectAccess(o: RbacObject): unknown {
  const {roleRef, subjects, rules, aggregationRule} = o.raw
  return {id: o.id, labels: labelsOf(o), roleRef, subjects, rules, aggregationRule}
}

/**
 * Where a narrowing shows in the target: for a narrowed rule, the target rule on the same
 * resources (the one that now restricts), else the object that still exists.
 */
function narrowedAt(component: Component, grant: Grant, counterpart: RbacObject): string {
  if (component.what === 'role-ref' || component.what === 'role-definition')
    return `${counterpart.pointer}/roleRef`
  if (component.what !== 'rule' || grant.rule === undefined) return counterpart.pointer
  const before = grant.rule.raw
  const shares = (a: unknown, b: unknown) =>
    Array.isArray(a) && Array.isArray(b) && a.some((x) => b.includes(x))
  const rules = Array.isArray(counterpart.raw.rules) ? (counterpart.raw.rules as RuleJson[]) : []
  const index = rules.findIndex((r) =>
    before.nonResourceURLs?.length
      ? shares(r.nonResourceURLs, before.nonResourceURLs)
      : shares(r.resources, before.resources) && shares(r.apiGroups, before.apiGroups),
  )
  return index === -1 ? counterpart.pointer : `${counterpart.pointer}/rules/${index}`
}

function narrowingDraft(
  group: Group,
  first: Found,
  leaves: LeafLookup,
  variant: string | undefined,
): FindingDraft<RbacRule> {
  const {component} = group
  const {grant, cell} = first
  const witness = withVariant(witnessOf(requestOf(cell, leaves)!), variant)
  const rule = NARROWING_RULE[component.what]
  const counterpart = component.counterpart
  const pointer = counterpart && narrowedAt(component, grant, counterpart)
  return {
    rule,
    at: {file: counterpart?.file ?? component.object.file, pointer: pointer ?? null},
    baseline: {file: component.object.file, pointer: component.pointer},
    message: sentence.plain(
      RULES[rule].title,
      requestText(witness, 'can no longer'),
      `${because(component, grant, true)}; ${via(grant)}`,
    ),
    witness,
    before: component.object.raw,
    after: counterpart?.raw ?? null,
    access: accessOf(group, grant.subject),
  }
}
