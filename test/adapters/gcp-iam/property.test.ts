// Property tests: the gcp-iam comparison against the independent brute-force evaluator over a
// small finite universe of requests (members, grants, request times, resource names and
// types). Each generated case is a small repository: one policy file and one custom role file
// per side. The rule under test is "sound before precise": a request the target allows and the
// baseline does not (under some truth of the conditions acldrift cannot interpret) must never go
// unreported, and every witness must be a request that really differs.

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compareGcp} from '../../../src/adapters/gcp-iam/compare.js'
import {gcpIam} from '../../../src/adapters/gcp-iam/index.js'
import type {Document, Finding} from '../../../src/kernel/types.js'
import {
  allows,
  assignments,
  type BindingJson,
  covers,
  definitelyDiffers,
  evalCondition,
  grants,
  type PolicyJson,
  type Request,
  requestOf,
  type RoleJson,
  type State,
  type Unknowns,
  unknownAtoms,
} from './brute-force.js'
import {propertyRuns, perFamily} from '../property-runs.js'
import {expectNewId} from '../widened-ids.js'

// --- the universe ------------------------------------------------------------------------

const POLICY = 'iam/buckets/data.json'
const ROLES = 'iam/roles/custom.yaml'
const POOL = 'iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/gh'

const MEMBER_PATTERNS = [
  'allUsers',
  'allAuthenticatedUsers',
  'user:alice@example.com',
  'user:Bob@Example.com',
  'user:eve@other.org',
  'group:devs@example.com',
  'serviceAccount:ci@p.iam.gserviceaccount.com',
  'domain:example.com',
  `principalSet://${POOL}/*`,
  `principal://${POOL}/subject/repo:acme/app`,
  `principalSet://${POOL}/attribute.repository/acme/app`,
  'deleted:user:carol@example.com?uid=123',
  'projectViewer:p',
]

/** Requesting identities: one per region the patterns carve out, and some more. */
const MEMBERS = [
  'allUsers',
  'allAuthenticatedUsers',
  'user:alice@example.com',
  'user:bob@example.com',
  'user:zed@example.com',
  'user:eve@other.org',
  'user:mallory@evil.net',
  'group:devs@example.com',
  'group:ops@example.com',
  'serviceAccount:ci@p.iam.gserviceaccount.com',
  'domain:example.com',
  `principal://${POOL}/subject/repo:acme/app`,
  `principal://${POOL}/subject/repo:other/x`,
  `principalSet://${POOL}/attribute.repository/acme/app`,
  `principalSet://${POOL}/*`,
  'principal://iam.googleapis.com/locations/global/workforcePools/staff/subject/u1',
  'deleted:user:carol@example.com?uid=123',
  'projectViewer:p',
]

const CUSTOM_1 = 'projects/p/roles/reader'
const CUSTOM_2 = 'projects/p/roles/writer'
const UNDEFINED = 'projects/p/roles/notInRepo'
const ROLE_NAMES = [
  'roles/owner',
  'roles/editor',
  'roles/viewer',
  'roles/storage.objectViewer',
  'roles/storage.admin',
  CUSTOM_1,
  CUSTOM_2,
  UNDEFINED,
]
const PERMISSIONS = [
  'storage.objects.get',
  'storage.objects.list',
  'storage.objects.delete',
  'storage.buckets.setIamPolicy',
]
const GRANTS = [...ROLE_NAMES, ...PERMISSIONS]

const CONDITION_ATOMS = [
  'request.time < timestamp("2026-01-01T00:00:00Z")',
  'request.time < timestamp("2026-07-01T00:00:00Z")',
  'request.time >= timestamp("2025-06-01T00:00:00Z")',
  'timestamp("2026-03-01T00:00:00Z") > request.time',
  'resource.name.startsWith("projects/_/buckets/a/")',
  'resource.name.startsWith("projects/_/buckets/a/objects/r/")',
  'resource.name == "projects/_/buckets/b"',
  'resource.name.endsWith(".csv")',
  'resource.type == "storage.googleapis.com/Object"',
  'resource.type != "storage.googleapis.com/Bucket"',
  'resource.matchTag("1/env", "prod")',
  'resource.matchTag("1/env", "dev")',
]

const TIMES = [
  '2025-01-01T00:00:00Z',
  '2025-06-01T00:00:00Z',
  '2025-12-31T23:59:59Z',
  '2026-01-01T00:00:00Z',
  '2026-02-01T00:00:00Z',
  '2026-03-01T00:00:00Z',
  '2026-07-01T00:00:00Z',
  '2027-01-01T00:00:00Z',
].map((t) => Date.parse(t))
const NAMES = [
  'projects/_/buckets/a',
  'projects/_/buckets/a/objects/x',
  'projects/_/buckets/a/objects/r/x.csv',
  'projects/_/buckets/b',
  'projects/_/buckets/b/objects/y.csv',
]
const TYPES = ['storage.googleapis.com/Bucket', 'storage.googleapis.com/Object']

// --- generators ---------------------------------------------------------------------------

const conditionArb: fc.Arbitrary<string> = fc.oneof(
  {weight: 4, arbitrary: fc.constantFrom(...CONDITION_ATOMS)},
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...CONDITION_ATOMS),
        fc.constantFrom('&&', '||'),
        fc.constantFrom(...CONDITION_ATOMS),
      )
      .map(([a, op, b]) => `${a} ${op} ${b}`),
  },
  {weight: 1, arbitrary: fc.constantFrom(...CONDITION_ATOMS).map((a) => `!(${a})`)},
)

const bindingArb: fc.Arbitrary<BindingJson> = fc
  .record({
    role: fc.constantFrom(...ROLE_NAMES),
    members: fc.uniqueArray(fc.constantFrom(...MEMBER_PATTERNS), {minLength: 1, maxLength: 3}),
    condition: fc.option(conditionArb, {freq: 3, nil: undefined}),
  })
  .map(({role, members, condition}) =>
    condition === undefined
      ? {role, members}
      : {role, members, condition: {expression: condition, title: 't'}},
  )

const roleArb = (name: string): fc.Arbitrary<RoleJson> =>
  fc
    .record({
      permissions: fc.uniqueArray(fc.constantFrom(...PERMISSIONS), {maxLength: 3}),
      disabled: fc.boolean(),
    })
    .map(({permissions, disabled}) => ({
      name,
      title: name.split('/').at(-1)!,
      includedPermissions: permissions,
      stage: disabled && permissions.length > 0 ? 'DISABLED' : 'GA',
    }))

interface Repo {
  policy: PolicyJson | undefined
  /** the custom role file's definitions (none: the file is absent) */
  roles: RoleJson[]
}

const policyArb: fc.Arbitrary<PolicyJson> = fc
  .array(bindingArb, {minLength: 1, maxLength: 4})
  .map((bindings) => ({bindings, etag: 'BwX=', version: 3}))

const repoArb: fc.Arbitrary<Repo> = fc.record({
  policy: policyArb,
  roles: fc
    .tuple(roleArb(CUSTOM_1), roleArb(CUSTOM_2), fc.nat(3))
    .map(([a, b, n]) => (n === 0 ? [] : n === 1 ? [a] : [a, b])),
})

/** Small edits of a repository: the realistic case of a change under review. */
type Mutation = {
  kind: number
  at: number
  binding: BindingJson
  role: RoleJson
  member: string
  condition: string
}
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.integer({min: 0, max: 9}),
  at: fc.nat(),
  binding: bindingArb,
  role: fc.oneof(roleArb(CUSTOM_1), roleArb(CUSTOM_2)),
  member: fc.constantFrom(...MEMBER_PATTERNS),
  condition: conditionArb,
})

function mutate(repo: Repo, m: Mutation): Repo {
  const out = structuredClone(repo)
  const bindings = out.policy!.bindings!
  const b = bindings[m.at % bindings.length]!
  switch (m.kind) {
    case 0:
      bindings.push(m.binding)
      break
    case 1:
      if (bindings.length > 1) bindings.splice(m.at % bindings.length, 1)
      break
    case 2:
      b.role = m.binding.role
      break
    case 3:
      if (!b.members.includes(m.member)) b.members.push(m.member)
      break
    case 4:
      if (b.members.length > 1) b.members.splice(m.at % b.members.length, 1)
      break
    case 5:
      if (b.condition) delete b.condition
      else b.condition = {expression: m.condition}
      break
    case 6:
      b.condition = {expression: m.condition}
      break
    case 7: {
      // A custom role changes its permissions or stage (or is defined anew).
      const i = out.roles.findIndex((r) => r.name === m.role.name)
      if (i === -1) out.roles.push(m.role)
      else out.roles[i] = m.role
      break
    }
    case 8:
      out.roles = out.roles.filter((r) => r.name !== m.role.name)
      break
    case 9: {
      const r = out.roles[m.at % Math.max(1, out.roles.length)]
      if (r) r.stage = r.stage === 'DISABLED' ? 'GA' : 'DISABLED'
      break
    }
  }
  return out
}

// --- the engine ---------------------------------------------------------------------------

const doc = (path: string, value: unknown): Document => ({
  path,
  value,
  kind: 'gcp-iam',
  hash: '0',
  sourceMap: {locate: () => ({line: 1, column: 1})},
})

/** A repository as documents: the policy, and each role in its own file (one file: one role). */
function documents(repo: Repo): Map<string, Document> {
  const docs = new Map<string, Document>()
  if (repo.policy) docs.set(POLICY, doc(POLICY, repo.policy))
  for (const role of repo.roles) docs.set(roleFile(role.name), doc(roleFile(role.name), role))
  return docs
}

const roleFile = (name: string) => ROLES.replace('custom', name.split('/').at(-1)!)

const stateOf = (repo: Repo): State => ({
  policies: new Map(repo.policy ? [[POLICY, repo.policy]] : []),
  roles: repo.roles,
})

const comparisons = new Map<string, ReturnType<typeof compareGcp>>()

function compare(baseline: Repo, target: Repo) {
  const key = JSON.stringify([baseline, target])
  let result = comparisons.get(key)
  if (result === undefined) {
    const [b, t] = [documents(baseline), documents(target)]
    const changed = [...new Set([...b.keys(), ...t.keys()])].filter(
      (p) => JSON.stringify(b.get(p)?.value) !== JSON.stringify(t.get(p)?.value),
    )
    result = compareGcp(b, t, changed)
    comparisons.set(key, result)
  }
  return result
}

// --- brute force over the universe ----------------------------------------------------------

function attributesUsed(...repos: Repo[]): Set<string> {
  const text = repos
    .flatMap((r) => r.policy?.bindings ?? [])
    .map((b) => b.condition?.expression ?? '')
    .join(' ')
  return new Set(['request.time', 'resource.name', 'resource.type'].filter((a) => text.includes(a)))
}

function* contexts(used: Set<string>): Generator<Request['context']> {
  const times: Array<number | undefined> = used.has('request.time') ? TIMES : [undefined]
  const names: Array<string | undefined> = used.has('resource.name') ? NAMES : [undefined]
  const types: Array<string | undefined> = used.has('resource.type') ? TYPES : [undefined]
  for (const time of times)
    for (const name of names)
      for (const type of types) {
        const context: Request['context'] = {}
        if (time !== undefined) context['request.time'] = time
        if (name !== undefined) context['resource.name'] = name
        if (type !== undefined) context['resource.type'] = type
        yield context
      }
}

function* requests(used: Set<string>): Generator<Request> {
  for (const member of MEMBERS)
    for (const grant of GRANTS)
      for (const context of contexts(used)) yield {member, grant, resource: POLICY, context}
}

/**
 * Requests of the universe that `more` allows and `less` does not under some truth of the
 * unknown conditions. Bindings are filtered by member and grant first (the expensive part, the
 * conditions, is evaluated only for requests some binding of `more` could allow).
 */
function* bruteDifferences(more: Repo, less: Repo): Generator<Request> {
  const used = attributesUsed(more, less)
  const prepared = (repo: Repo) =>
    (repo.policy?.bindings ?? []).map((b) => ({b, grants: new Set(grants(b.role, repo.roles))}))
  const [m, l] = [prepared(more), prepared(less)]
  for (const member of MEMBERS) {
    const mm = m.filter((x) => x.b.members.some((p) => covers(p, member)))
    if (mm.length === 0) continue
    const lm = l.filter((x) => x.b.members.some((p) => covers(p, member)))
    for (const grant of GRANTS) {
      const live = mm.filter((x) => x.grants.has(grant)).map((x) => x.b)
      if (live.length === 0) continue
      const other = lm.filter((x) => x.grants.has(grant)).map((x) => x.b)
      const atoms = [...new Set([...live, ...other].flatMap((b) => conditionAtoms(b)))]
      const holds = (b: BindingJson, context: Request['context'], unknown: Unknowns) =>
        b.condition === undefined || evalCondition(b.condition.expression, context, unknown)
      for (const context of contexts(used)) {
        for (const unknown of assignments(atoms)) {
          if (
            live.some((b) => holds(b, context, unknown)) &&
            !other.some((b) => holds(b, context, unknown))
          ) {
            yield {member, grant, resource: POLICY, context}
            break
          }
        }
      }
    }
  }
}

const conditionAtoms = (b: BindingJson) => (b.condition ? unknownAtoms(b.condition.expression) : [])

/**
 * Whether a binding allows the request, given the roles, for some truth of the conditions the
 * evaluator cannot interpret (the engine holds a binding responsible ignoring those conditions).
 */
function bindingAllows(binding: BindingJson, request: Request, roles: RoleJson[]): boolean {
  if (!grants(binding.role, roles).includes(request.grant)) return false
  if (!binding.members.some((m) => covers(m, request.member))) return false
  if (binding.condition === undefined) return true
  const expression = binding.condition.expression
  for (const unknown of assignments(unknownAtoms(expression)))
    if (evalCondition(expression, request.context, unknown)) return true
  return false
}

/**
 * Which finding must report a widening request, computed from IAM semantics alone: the finding
 * of the custom role whose change opened it when the baseline policy, read with the target's
 * roles, allows it (its file, and the policy it is on); else the finding of the first target
 * binding that allows it (unknown conditions taken as holding, as the engine groups).
 */
function expectedGroup(baseline: Repo, target: Repo, request: Request): string {
  const [from, to] = [baseline, target]
  const underNewRoles = (from.policy?.bindings ?? []).filter((b) => bindingAllows(b, request, to.roles))
  const changedRole = underNewRoles.find((b) => !grants(b.role, from.roles).includes(request.grant))
  if (changedRole !== undefined) return `role ${roleFile(changedRole.role)}`
  const responsible = (to.policy?.bindings ?? []).findIndex((b) => bindingAllows(b, request, to.roles))
  return `binding /bindings/${responsible}`
}

const groupOf = (f: Finding) =>
  f.file === POLICY
    ? `binding ${f.change === 'narrowing' ? f.baselineLocation?.pointer : f.pointer}`
    : `role ${f.file}`

const show = (x: unknown) => JSON.stringify(x)

function checkSoundness(baseline: Repo, target: Repo) {
  const {findings} = compare(baseline, target)
  const reported = new Set(
    findings.filter((f) => f.change !== 'narrowing' && f.rule !== 'audit-logging-reduced').map(groupOf),
  )
  for (const request of bruteDifferences(target, baseline)) {
    const group = expectedGroup(baseline, target, request)
    // (the message is built only on failure: there are many requests)
    if (!reported.has(group)) {
      expect.fail(
        `widening missed (expected a finding for ${group}): ${show(request)}\nbaseline ${show(baseline)}\ntarget ${show(target)}\nreported ${show([...reported])}`,
      )
    }
  }
}

function checkWitnesses(baseline: Repo, target: Repo) {
  const {findings} = compare(baseline, target)
  const [b, t] = [stateOf(baseline), stateOf(target)]
  for (const f of findings) {
    if (f.change === 'possible-widening') {
      expect(f.reason, show(f)).toBeTruthy()
      continue
    }
    const [more, less] = f.change === 'widening' ? [t, b] : [b, t]
    expect(
      definitelyDiffers(more, less, requestOf(f.witness!)),
      `${f.change} witness wrong: ${show(f.witness)}\nbaseline ${show(baseline)}\ntarget ${show(target)}`,
    ).toBe(true)
  }
}

/** Narrowings of compare(a, b) are the definite widenings of compare(b, a), group by group. */
function checkSymmetry(a: Repo, b: Repo) {
  const forward = compare(a, b)
    .findings.filter((f) => f.change === 'narrowing')
    .map(groupOf)
  const backward = compare(b, a)
    .findings.filter((f) => f.change === 'widening' || f.rule === 'custom-role-undefined')
    .map(groupOf)
  expect(forward.sort(), `baseline ${show(a)}\ntarget ${show(b)}`).toEqual(backward.sort())
}

// --- equivalent rewrites --------------------------------------------------------------------

type Rewrite = {order: number[]; reverseMembers: boolean; split: boolean; upper: boolean; respace: boolean}
const rewriteArb = (n: number): fc.Arbitrary<Rewrite> =>
  fc.record({
    order: fc.shuffledSubarray([...Array(n).keys()], {minLength: n, maxLength: n}),
    reverseMembers: fc.boolean(),
    split: fc.boolean(),
    upper: fc.boolean(),
    respace: fc.boolean(),
  })

/** The same access written another way: reordered, split, emails in another case, conditions respaced. */
function rewrite(repo: Repo, r: Rewrite): Repo {
  const out = structuredClone(repo)
  const bindings: BindingJson[] = []
  for (const i of r.order) {
    const b = structuredClone(repo.policy!.bindings![i]!)
    if (r.reverseMembers) b.members.reverse()
    if (r.upper)
      b.members = b.members.map((m) =>
        /^(user|group):/.test(m) ? m.replace(/@.*/, (d) => d.toUpperCase()) : m,
      )
    if (b.condition) {
      if (r.respace)
        b.condition.expression = `  ${b.condition.expression.replace(/ /g, '  ').replace(/\(/g, '( ')}\n`
      b.condition.title = 'renamed'
    }
    if (r.split && b.members.length > 1)
      for (const m of b.members) bindings.push({...structuredClone(b), members: [m]})
    else bindings.push(b)
  }
  out.policy = {bindings, etag: 'AnotherEtag=', version: 3}
  for (const role of out.roles) role.includedPermissions = [...(role.includedPermissions ?? [])].reverse()
  return out
}

// --- the properties -----------------------------------------------------------------------

const RUNS = propertyRuns(7, 200)
const PAIR_RUNS = perFamily(RUNS)

const pairArb = fc.tuple(repoArb, repoArb)
const editedArb = fc
  .tuple(repoArb, fc.array(mutationArb, {minLength: 1, maxLength: 3}))
  .map(([r, ms]) => [r, ms.reduce(mutate, r)] as const)

const FAMILIES = [
  ['random pairs', pairArb],
  ['small edits', editedArb],
] as const

describe.each(FAMILIES)('gcp-iam comparison against brute force (%s)', (_, pairs) => {
  it('soundness: every widening in the universe is reported, by the responsible binding or role', () => {
    fc.assert(
      fc.property(pairs, ([b, t]) => {
        checkSoundness(b, t)
        checkSoundness(t, b)
      }),
      PAIR_RUNS,
    )
  })

  it('witness validity: widening and narrowing witnesses differ between the sides, whatever the unknowns', () => {
    fc.assert(
      fc.property(pairs, ([b, t]) => {
        checkWitnesses(b, t)
        checkWitnesses(t, b)
      }),
      PAIR_RUNS,
    )
  })

  it('narrowing symmetry: compare(b, t) narrows iff compare(t, b) widens', () => {
    fc.assert(
      fc.property(pairs, ([b, t]) => checkSymmetry(b, t)),
      PAIR_RUNS,
    )
  })
})

describe('gcp-iam comparison against brute force', () => {
  it('soundness and witnesses: new and deleted files', () => {
    fc.assert(
      fc.property(repoArb, (r) => {
        const none: Repo = {policy: undefined, roles: []}
        for (const [b, t] of [
          [none, r],
          [r, none],
          [{...r, policy: undefined}, r],
        ] as const) {
          checkSoundness(b, t)
          checkWitnesses(b, t)
        }
      }),
      {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 4)},
    )
  })

  it('no false alarm on equivalent rewrites', () => {
    fc.assert(
      fc.property(
        repoArb.chain((r) => fc.tuple(fc.constant(r), rewriteArb(r.policy!.bindings!.length))),
        ([r, w]) => {
          const q = rewrite(r, w)
          for (const [a, b] of [
            [r, r],
            [r, q],
            [q, r],
          ] as const) {
            expect(compare(a, b).findings, `baseline ${show(a)}\ntarget ${show(b)}`).toEqual([])
          }
        },
      ),
      RUNS,
    )
  })

  it('the brute force agrees with itself: allows is monotone in the members of a binding', () => {
    // A sanity check of the oracle: adding a member never removes access.
    fc.assert(
      fc.property(repoArb, fc.constantFrom(...MEMBER_PATTERNS), (r, m) => {
        const wider = structuredClone(r)
        wider.policy!.bindings![0]!.members.push(m)
        for (const request of requests(new Set())) {
          if (allows(stateOf(r), request)) expect(allows(stateOf(wider), request)).toBe(true)
        }
      }),
      {...RUNS, numRuns: 20},
    )
  })
})

// --- audit logging ----------------------------------------------------------------------------

const SERVICES = ['storage.googleapis.com', 'bigquery.googleapis.com', 'allServices']
const LOG_TYPES = ['ADMIN_READ', 'DATA_READ', 'DATA_WRITE']

interface AuditConfig {
  service: string
  auditLogConfigs: Array<{logType: string; exemptedMembers?: string[]}>
}

const auditArb: fc.Arbitrary<AuditConfig[]> = fc.array(
  fc.record({
    service: fc.constantFrom(...SERVICES),
    auditLogConfigs: fc.array(
      fc
        .record({
          logType: fc.constantFrom(...LOG_TYPES),
          exempted: fc.uniqueArray(fc.constantFrom(...MEMBER_PATTERNS), {maxLength: 2}),
        })
        .map(({logType, exempted}) => (exempted.length ? {logType, exemptedMembers: exempted} : {logType})),
      {maxLength: 3},
    ),
  }),
  {maxLength: 3},
)

/** IAM's AuditConfig semantics, directly: enabled by any config of the service or allServices, minus every exemption. */
function bruteLogged(configs: AuditConfig[], service: string, logType: string, member: string): boolean {
  const relevant = configs
    .filter((c) => c.service === service || c.service === 'allServices')
    .flatMap((c) => c.auditLogConfigs.filter((l) => l.logType === logType))
  return (
    relevant.length > 0 && !relevant.some((l) => (l.exemptedMembers ?? []).some((m) => covers(m, member)))
  )
}

describe('gcp-iam audit logging against brute force', () => {
  it('every reduction of audit logging is reported, and every witness is one', () => {
    const policyWith = (auditConfigs: AuditConfig[]) => ({
      bindings: [],
      auditConfigs,
      etag: 'BwX=',
      version: 1,
    })
    fc.assert(
      fc.property(auditArb, auditArb, (before, after) => {
        const {findings} = compareGcp(
          new Map([[POLICY, doc(POLICY, policyWith(before))]]),
          new Map([[POLICY, doc(POLICY, policyWith(after))]]),
          [POLICY],
        )
        const audit = findings.filter((f) => f.rule === 'audit-logging-reduced')
        expect(audit.length, show(findings)).toBe(findings.length)
        const services = [...SERVICES.filter((x) => x !== 'allServices'), 'other.googleapis.com']
        let reduced = false
        for (const service of services)
          for (const logType of LOG_TYPES)
            for (const member of MEMBERS)
              if (
                bruteLogged(before, service, logType, member) &&
                !bruteLogged(after, service, logType, member)
              )
                reduced = true
        expect(audit.length > 0, `before ${show(before)}\nafter ${show(after)}`).toBe(reduced)
        for (const f of audit) {
          const w = f.witness as {auditLog: string; service: string; member?: string}
          const member = w.member ?? 'allAuthenticatedUsers'
          expect(
            bruteLogged(before, w.service, w.auditLog, member) &&
              !bruteLogged(after, w.service, w.auditLog, member),
            `witness ${show(w)}\nbefore ${show(before)}\nafter ${show(after)}`,
          ).toBe(true)
        }
      }),
      {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 2)},
    )
  })
})

describe('gcp-iam finding ids', () => {
  /** Whether `wider` definitely allows a request of the universe that neither `target` nor `baseline` allows. */
  function allowsMore(baseline: Repo, target: Repo, wider: Repo): boolean {
    const [b, t, w] = [stateOf(baseline), stateOf(target), stateOf(wider)]
    for (const q of requests(attributesUsed(baseline, target, wider)))
      if (definitelyDiffers(w, t, q) && definitelyDiffers(w, b, q)) return true
    return false
  }

  it('a widened binding or custom role never keeps its id: the approvals of (baseline, target) never cover a wider target', async () => {
    const sides = fc.oneof(
      editedArb,
      repoArb.map((r): readonly [Repo, Repo] => [{policy: undefined, roles: []}, r]),
    )
    await fc.assert(
      fc.asyncProperty(sides, fc.array(mutationArb, {minLength: 1, maxLength: 2}), async ([b, t], ms) => {
        const wider = ms.reduce(mutate, t)
        fc.pre(allowsMore(b, t, wider))
        const context = `baseline ${show(b)}\ntarget ${show(t)}\nwider ${show(wider)}`
        await expectNewId(compare(b, t).findings, compare(b, wider).findings, context)
      }),
      // 29 runs, not 100: this property alone took 32 s of the file's 40 in CI. covers() ignoring the
      // approved binding's condition, tried by hand, fails it on the 5th run. The cheap properties
      // above keep their 100 pairs a family: a domain: member read as not granting its users (tried
      // by hand) is found only on the 70th. Explore further with PROPERTY_RUNS (e.g. 1500).
      {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 7)},
    )
  })
})

describe('gcp-iam approvals cover what is implied, and nothing wider', () => {
  /** A repository with one binding (and the roles it is read with), as the brute force reads it. */
  const alone = (binding: BindingJson, roles: RoleJson[]): Repo => ({
    policy: {bindings: [binding], etag: 'BwX=', version: 3},
    roles,
  })
  /** The binding a finding's access records (compare.ts: role, members, condition expression). */
  const bindingOf = (access: unknown): BindingJson => {
    const {role, members, condition} = (
      access as {binding: {role: string; members: string[]; condition: string | null}}
    ).binding
    return condition === null
      ? {role, members}
      : {role, members, condition: {expression: condition, title: 't'}}
  }
  const widenings = (repo: Repo) =>
    compare({policy: undefined, roles: repo.roles}, repo).findings.filter(
      (f) => f.change !== 'narrowing' && f.file === POLICY,
    )
  const grantsMore = (more: Repo, less: Repo) => !bruteDifferences(more, less).next().done

  /** A binding narrowed (a member fewer, a condition added) or widened (a member more, the condition dropped). */
  type Edit = {kind: number; pick: number; member: string; condition: string}
  const editArb: fc.Arbitrary<Edit> = fc.record({
    kind: fc.integer({min: 0, max: 3}),
    pick: fc.nat(),
    member: fc.constantFrom(...MEMBER_PATTERNS),
    condition: conditionArb,
  })
  function edit(b: BindingJson, e: Edit): BindingJson {
    const members = b.members.filter((_, i) => i !== e.pick % b.members.length)
    switch (e.kind) {
      case 0:
        return {...b, members: members.length > 0 ? members : b.members}
      case 1:
        return b.condition ? b : {...b, condition: {expression: e.condition, title: 't'}}
      case 2:
        return {...b, members: [...new Set([...b.members, e.member])]}
      default: {
        const unconditional = {...b}
        delete unconditional.condition
        return unconditional
      }
    }
  }
  const sides = fc.tuple(bindingArb, repoArb, editArb)

  it('never covers a wider binding: the oracle finds a request it grants that the approved one does not', async () => {
    await fc.assert(
      fc.asyncProperty(sides, async ([binding, {roles}, e]) => {
        const approved = alone(binding, roles)
        const wider = alone(edit(binding, {...e, kind: 2 + (e.kind % 2)}), roles)
        fc.pre(grantsMore(wider, approved))
        for (const f of widenings(wider))
          for (const a of widenings(approved))
            expect(
              await gcpIam.covers(a.access, f.access),
              `${show(a.access)}\ncovers ${show(f.access)}`,
            ).toBe(false)
      }),
      RUNS,
    )
  })

  it('covers only what grants nothing more: the oracle finds no request the covered binding grants that the approved one does not', async () => {
    let covered = 0
    await fc.assert(
      fc.asyncProperty(
        sides,
        fc.array(editArb, {minLength: 1, maxLength: 2}),
        async ([binding, {roles}], edits) => {
          const approved = alone(binding, roles)
          const edited = alone(edits.reduce(edit, binding), roles)
          for (const f of widenings(edited))
            for (const a of widenings(approved)) {
              if (!(await gcpIam.covers(a.access, f.access))) continue
              covered++
              const more = bruteDifferences(
                alone(bindingOf(f.access), roles),
                alone(bindingOf(a.access), roles),
              ).next()
              expect(
                more.done,
                `${show(a.access)}\ncovers ${show(f.access)}\nyet it grants ${show(more.value)}`,
              ).toBe(true)
            }
        },
      ),
      RUNS,
    )
    // Not vacuous: narrowed bindings are covered.
    expect(covered).toBeGreaterThan(0)
  })
})
