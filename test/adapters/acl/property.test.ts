// Property tests: the acl comparison against the independent brute-force evaluator over a small
// finite universe of requests (subjects, permissions, resources, one context key). Each case is
// a random ACL file on each side — groups nested one way (staff ⊇ sre ⊇ oncall, so no cycle),
// roles inheriting one way (admin → editor → reader), allow and deny grants with patterns and
// conditions. "Sound before precise": a request the target allows and the baseline does not
// must never go unreported, and every witness must be a request that really differs.

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compareAclFile} from '../../../src/adapters/acl/compare.js'
import {witnessBeyond} from '../../../src/adapters/acl/covers.js'
import type {Document, Finding} from '../../../src/kernel/types.js'
import {type AclJson, allows, grantMatches, type GrantJson, type Request, requestOf} from './brute-force.js'
import {propertyRuns} from '../property-runs.js'
import {approvalCovering, expectNewId} from '../widened-ids.js'
import {sameAccess} from '../../../src/adapters/adapter.js'

// --- the universe ------------------------------------------------------------------------

const SUBJECTS = ['user:alice', 'user:bob', 'user:mallory', 'service:ci', 'user:zed']
const PERMISSIONS = ['docs.read', 'docs.write', 'docs.delete', 'billing.read']
const RESOURCES = ['docs/a', 'docs/b/c', 'docs/secret/k', 'logs/x']
const CONTEXTS: Array<Record<string, string>> = [{}, {env: 'prod'}, {env: 'dev'}, {env: 'qa'}]

const IDENTITY_PATTERNS = ['user:alice', 'user:bob', 'user:mallory', 'service:ci', 'user:*', '*']
const PERMISSION_PATTERNS = ['docs.read', 'docs.write', 'docs.delete', 'docs.*', '*']
const RESOURCE_PATTERNS = ['docs/a', 'docs/*', 'docs/b/*', 'docs/secret/*', 'logs/x', '*', 'docs/?/c']
const CONDITIONS: Array<Record<string, string | string[]>> = [
  {env: 'prod'},
  {env: 'dev'},
  {env: ['prod', 'dev']},
  {env: '*'},
  {env: 'p*'},
]
/** Groups and what each may contain: nesting goes one way only. */
const GROUPS: Record<string, string[]> = {
  oncall: IDENTITY_PATTERNS,
  sre: [...IDENTITY_PATTERNS, 'group:oncall'],
  staff: [...IDENTITY_PATTERNS, 'group:sre', 'group:oncall'],
}
const ROLES: Record<string, string[]> = {reader: [], editor: ['reader'], admin: ['editor', 'reader']}

// --- generators ---------------------------------------------------------------------------

const subjectArb = fc.constantFrom(...IDENTITY_PATTERNS, 'group:oncall', 'group:sre', 'group:staff')

const grantArb: fc.Arbitrary<GrantJson> = fc
  .record({
    deny: fc.integer({min: 0, max: 3}),
    subjects: fc.uniqueArray(subjectArb, {minLength: 1, maxLength: 2}),
    roles: fc.uniqueArray(fc.constantFrom(...Object.keys(ROLES)), {maxLength: 1}),
    permissions: fc.uniqueArray(fc.constantFrom(...PERMISSION_PATTERNS), {maxLength: 2}),
    resources: fc.uniqueArray(fc.constantFrom(...RESOURCE_PATTERNS), {minLength: 1, maxLength: 2}),
    conditions: fc.option(fc.constantFrom(...CONDITIONS), {freq: 3, nil: undefined}),
  })
  .map(({deny, subjects, roles, permissions, resources, conditions}) => {
    const grant: GrantJson = {effect: deny === 0 ? 'deny' : 'allow', subjects, resources}
    if (roles.length > 0) grant.roles = roles
    if (permissions.length > 0 || roles.length === 0)
      grant.permissions = permissions.length > 0 ? permissions : ['docs.read']
    if (conditions !== undefined) grant.conditions = structuredClone(conditions)
    return grant
  })

const aclArb: fc.Arbitrary<AclJson> = fc
  .record({
    groups: fc.record(
      Object.fromEntries(
        Object.entries(GROUPS).map(([name, allowed]) => [
          name,
          fc.uniqueArray(fc.constantFrom(...allowed), {maxLength: 3}),
        ]),
      ) as Record<string, fc.Arbitrary<string[]>>,
    ),
    roles: fc.record(
      Object.fromEntries(
        Object.entries(ROLES).map(([name, parents]) => [
          name,
          fc.record({
            permissions: fc.uniqueArray(fc.constantFrom(...PERMISSION_PATTERNS), {maxLength: 2}),
            inherits: fc.subarray(parents),
          }),
        ]),
      ) as Record<string, fc.Arbitrary<{permissions: string[]; inherits: string[]}>>,
    ),
    grants: fc.array(grantArb, {minLength: 1, maxLength: 5}),
  })
  .map(({groups, roles, grants}) => ({
    apiVersion: 'acldrift.dev/acl/v1',
    groups: Object.fromEntries(Object.entries(groups).map(([name, members]) => [name, {members}])),
    roles,
    grants,
  }))

/** Small edits: the realistic case of a change under review. */
interface Edit {
  kind: number
  at: number
  grant: GrantJson
  pick: number
}
const editArb: fc.Arbitrary<Edit> = fc.record({
  kind: fc.integer({min: 0, max: 9}),
  at: fc.nat(),
  grant: grantArb,
  pick: fc.nat(),
})

function edit(acl: AclJson, e: Edit): AclJson {
  const out = structuredClone(acl)
  const grant = out.grants[e.at % out.grants.length]!
  const groupNames = Object.keys(GROUPS)
  const group = groupNames[e.pick % groupNames.length]!
  const roleNames = Object.keys(ROLES)
  const role = out.roles![roleNames[e.pick % roleNames.length]!]!
  switch (e.kind) {
    case 0:
      out.grants.push(e.grant)
      break
    case 1:
      if (out.grants.length > 1) out.grants.splice(e.at % out.grants.length, 1)
      break
    case 2: {
      const candidate = GROUPS[group]![e.at % GROUPS[group]!.length]!
      const members = out.groups![group]!.members
      if (!members.includes(candidate)) members.push(candidate)
      break
    }
    case 3:
      out.groups![group]!.members.splice(e.at % Math.max(1, out.groups![group]!.members.length), 1)
      break
    case 4:
      if (grant.conditions) delete grant.conditions
      else grant.conditions = structuredClone(CONDITIONS[e.pick % CONDITIONS.length]!)
      break
    case 5:
      grant.effect = grant.effect === 'allow' ? 'deny' : 'allow'
      break
    case 6: {
      const p = PERMISSION_PATTERNS[e.at % PERMISSION_PATTERNS.length]!
      role.permissions ??= []
      if (!role.permissions.includes(p)) role.permissions.push(p)
      break
    }
    case 7:
      role.permissions?.splice(e.at % Math.max(1, role.permissions.length), 1)
      break
    case 8:
      grant.resources = [RESOURCE_PATTERNS[e.pick % RESOURCE_PATTERNS.length]!]
      break
    case 9:
      grant.subjects = [...new Set([...grant.subjects, ...e.grant.subjects])]
      break
  }
  return out
}

// --- the engine ---------------------------------------------------------------------------

const FILE = 'access/acl.yaml'
const doc = (value: AclJson | undefined): Document | undefined =>
  value === undefined
    ? undefined
    : {path: FILE, value, kind: 'acl', hash: '0', sourceMap: {locate: () => ({line: 1, column: 1})}}

const comparisons = new Map<string, ReturnType<typeof compareAclFile>>()
function compare(baseline: AclJson | undefined, target: AclJson | undefined) {
  const key = JSON.stringify([baseline, target])
  let result = comparisons.get(key)
  if (result === undefined) {
    result = compareAclFile(FILE, doc(baseline), doc(target))
    comparisons.set(key, result)
  }
  return result
}

// --- brute force over the universe ----------------------------------------------------------

function* requests(): Generator<Request> {
  for (const subject of SUBJECTS)
    for (const permission of PERMISSIONS)
      for (const resource of RESOURCES)
        for (const context of CONTEXTS) yield {subject, permission, resource, context}
}

const show = (x: unknown) => JSON.stringify(x)

const GRANT_RULES = ['grant-added', 'grant-widened', 'condition-removed', 'condition-relaxed']
const DEFINITION_RULES = ['group-member-added', 'role-permission-added', 'role-inherits']
const DENY_RULES = [
  'deny-removed',
  'deny-narrowed',
  'denied-group-member-removed',
  'denied-role-permission-removed',
]

/**
 * Which finding must report a widening request, from the format's semantics alone: a weakened
 * deny when the baseline had an allow for it (and so denied it); a changed group or role when an
 * allow grant of the baseline, read with the target's groups and roles, matches it; else the first
 * target allow grant that matches it.
 */
function expectedCause(baseline: AclJson | undefined, target: AclJson, request: Request): string {
  const matching = (acl: AclJson | undefined, effect: string) =>
    (acl?.grants ?? []).findIndex((g) => g.effect === effect && grantMatches(acl!, g, request))
  if (baseline !== undefined && matching(baseline, 'allow') !== -1) return 'deny'
  const mixed = {...target, grants: baseline?.grants ?? []}
  if (mixed.grants.some((g) => g.effect === 'allow' && grantMatches(mixed, g, request))) return 'definitions'
  return `grant /grants/${matching(target, 'allow')}`
}

function causeOf(f: Finding): string | undefined {
  if (DENY_RULES.includes(f.rule)) return 'deny'
  if (DEFINITION_RULES.includes(f.rule)) return 'definitions'
  return GRANT_RULES.includes(f.rule) ? `grant ${f.pointer}` : undefined
}

function checkSoundness(baseline: AclJson | undefined, target: AclJson | undefined) {
  const {findings} = compare(baseline, target)
  const reported = new Set(findings.filter((f) => f.change !== 'narrowing').map(causeOf))
  for (const request of requests()) {
    if (!allows(target, request) || allows(baseline, request)) continue
    const cause = expectedCause(baseline, target!, request)
    // (the message is built only on failure: there are many requests)
    if (!reported.has(cause))
      expect.fail(
        `widening missed (expected a finding for ${cause}): ${show(request)}\nbaseline ${show(baseline)}\ntarget ${show(target)}\nreported ${show([...reported])}`,
      )
  }
}

function checkWitnesses(baseline: AclJson | undefined, target: AclJson | undefined) {
  for (const f of compare(baseline, target).findings) {
    if (f.change === 'possible-widening') {
      expect(f.reason, show(f)).toBeTruthy()
      continue
    }
    const request = requestOf(f.witness!)
    const [more, less] = f.change === 'widening' ? [target, baseline] : [baseline, target]
    expect(
      allows(more, request) && !allows(less, request),
      `${f.change} ${f.rule} witness wrong: ${show(f.witness)}\nbaseline ${show(baseline)}\ntarget ${show(target)}`,
    ).toBe(true)
  }
}

/** Narrowings of compare(a, b) and widenings of compare(b, a) are the same differences. */
function checkSymmetry(a: AclJson, b: AclJson) {
  const narrowed = compare(a, b).findings.some((f) => f.change === 'narrowing')
  const widened = compare(b, a).findings.some((f) => f.change === 'widening')
  expect(narrowed, `baseline ${show(a)}\ntarget ${show(b)}`).toBe(widened)
}

// --- equivalent rewrites --------------------------------------------------------------------

type Rewrite = {order: number[]; reverse: boolean; split: boolean; inline: boolean}
const rewriteArb = (n: number): fc.Arbitrary<Rewrite> =>
  fc.record({
    order: fc.shuffledSubarray([...Array(n).keys()], {minLength: n, maxLength: n}),
    reverse: fc.boolean(),
    split: fc.boolean(),
    inline: fc.boolean(),
  })

/** A role's permissions with the inherited ones, by the format's definition. */
function expanded(acl: AclJson, role: string): string[] {
  const r = acl.roles?.[role]
  return [...(r?.permissions ?? []), ...(r?.inherits ?? []).flatMap((parent) => expanded(acl, parent))]
}

/** The same access written another way: reordered, lists reversed, grants split, roles inlined. */
function rewrite(acl: AclJson, r: Rewrite): AclJson {
  const out = structuredClone(acl)
  const grants: GrantJson[] = []
  for (const i of r.order) {
    const g = structuredClone(acl.grants[i]!)
    g.id = `rewritten-${i}`
    if (r.reverse) {
      g.subjects.reverse()
      g.resources.reverse()
    }
    if (r.inline && g.roles !== undefined) {
      const permissions = [
        ...new Set([...(g.permissions ?? []), ...g.roles.flatMap((x) => expanded(acl, x))]),
      ]
      delete g.roles
      // A role with no permission grants nothing: the grant must still give nothing.
      if (permissions.length === 0) continue
      g.permissions = permissions
    }
    if (r.split && g.subjects.length > 1)
      for (const s of g.subjects) grants.push({...structuredClone(g), subjects: [s]})
    else if (r.split && g.resources.length > 1)
      for (const res of g.resources) grants.push({...structuredClone(g), resources: [res]})
    else grants.push(g)
  }
  out.grants = grants
  if (r.reverse) for (const group of Object.values(out.groups ?? {})) group.members.reverse()
  return out
}

// --- the properties -----------------------------------------------------------------------

// The budget keeps this file near 25 s of CPU on the 2-core CI machine (200 runs took about 32 s).
// At 120 the properties still fail on the unsound engines tried by hand: a role's inherited roles
// not followed (a widening missed), and covers() reading an approved grant without the denies that
// cut it. Explore further with PROPERTY_RUNS (e.g. 1500).
const RUNS = propertyRuns(11, 120)

const pairArb = fc.tuple(aclArb, aclArb)
const editedArb = fc
  .tuple(aclArb, fc.array(editArb, {minLength: 1, maxLength: 3}))
  .map(([acl, edits]) => [acl, edits.reduce(edit, acl)] as const)

const FAMILIES = [
  ['random pairs', pairArb],
  ['small edits', editedArb],
] as const

describe.each(FAMILIES)('acl comparison against brute force (%s)', (_, pairs) => {
  it('soundness: a widening anywhere in the universe is reported, by its cause', () => {
    fc.assert(
      fc.property(pairs, ([b, t]) => {
        checkSoundness(b, t)
        checkSoundness(t, b)
      }),
      RUNS,
    )
  })

  it('every witness is allowed by exactly the side it should be', () => {
    fc.assert(
      fc.property(pairs, ([b, t]) => {
        checkWitnesses(b, t)
        checkWitnesses(t, b)
      }),
      RUNS,
    )
  })

  it('narrowings one way are widenings the other way', () => {
    fc.assert(
      fc.property(pairs, ([b, t]) => checkSymmetry(b, t)),
      RUNS,
    )
  })
})

describe('acl comparison: files added and deleted, equivalent rewrites', () => {
  it('a new file widens by everything it allows; a deleted one narrows', () => {
    fc.assert(
      fc.property(aclArb, (acl) => {
        checkSoundness(undefined, acl)
        checkWitnesses(undefined, acl)
        checkWitnesses(acl, undefined)
        expect(compare(acl, undefined).findings.every((f) => f.change === 'narrowing')).toBe(true)
      }),
      RUNS,
    )
  })

  it('reordering, splitting grants and inlining roles report nothing', () => {
    fc.assert(
      fc.property(
        aclArb.chain((acl) => fc.tuple(fc.constant(acl), rewriteArb(acl.grants.length))),
        ([acl, r]) => {
          const rewritten = rewrite(acl, r)
          expect(
            compare(acl, rewritten).findings,
            `original ${show(acl)}\nrewritten ${show(rewritten)}`,
          ).toEqual([])
          expect(compare(rewritten, acl).findings).toEqual([])
        },
      ),
      RUNS,
    )
  })

  it('adding a condition to a deny never narrows, removing one from an allow never narrows', () => {
    fc.assert(
      fc.property(aclArb, fc.nat(), fc.constantFrom(...CONDITIONS), (acl, at, condition) => {
        const target = structuredClone(acl)
        const grant = target.grants[at % target.grants.length]!
        if (grant.effect === 'deny') grant.conditions = {...condition, ...grant.conditions}
        else delete grant.conditions
        expect(compare(acl, target).findings.filter((f) => f.change === 'narrowing')).toEqual([])
        checkSoundness(acl, target)
      }),
      RUNS,
    )
  })
})

describe('acl finding ids', () => {
  /** Whether `wider` allows a request of the universe that neither `target` nor `baseline` allows. */
  const allowsMore = (baseline: AclJson | undefined, target: AclJson, wider: AclJson) =>
    [...requests()].some((q) => allows(wider, q) && !allows(target, q) && !allows(baseline, q))

  it('a deny removed from under an approved grant, or a member added to its group, gives a new id', () => {
    const acl = (grants: GrantJson[], oncall: string[] = ['user:bob']): AclJson => ({
      apiVersion: 'acldrift.dev/acl/v1',
      groups: {oncall: {members: oncall}},
      grants,
    })
    const read: GrantJson = {
      effect: 'allow',
      subjects: ['group:oncall'],
      permissions: ['docs.*'],
      resources: ['docs/*'],
    }
    const noDeletes: GrantJson = {
      effect: 'deny',
      subjects: ['*'],
      permissions: ['docs.delete'],
      resources: ['*'],
    }
    const ids = (a: AclJson) => compare(undefined, a).findings.map((f) => f.id)
    const approved = ids(acl([read, noDeletes]))
    for (const wider of [acl([read]), acl([read, noDeletes], ['user:bob', 'user:mallory'])])
      expect(ids(wider).filter((id) => approved.includes(id))).toEqual([])
  })

  it('a deny removed under a grant the approved target narrowed does not cover that grant restored', async () => {
    // The approved target removed the deny and narrowed the grant to bob; restoring the grant is
    // no widening against the baseline, yet it lets everyone delete (the deny's finding kept its
    // access and id when that access did not record the grants).
    const everyone: GrantJson = {
      effect: 'allow',
      subjects: ['*'],
      permissions: ['docs.*'],
      resources: ['docs/*'],
    }
    const bob: GrantJson = {...everyone, subjects: ['user:bob']}
    const noDeletes: GrantJson = {
      effect: 'deny',
      subjects: ['*'],
      permissions: ['docs.delete'],
      resources: ['*'],
    }
    const acl = (grants: GrantJson[]): AclJson => ({apiVersion: 'acldrift.dev/acl/v1', grants})
    const [b, t, wider] = [acl([everyone, noDeletes]), acl([bob]), acl([everyone])]
    expect(allowsMore(b, t, wider)).toBe(true)
    await expectNewId(compare(b, t).findings, compare(b, wider).findings, 'restored grant')
  })

  it('a widened access never keeps its id: the approvals of (baseline, target) never cover a wider target', async () => {
    const sides = fc.oneof(
      editedArb,
      aclArb.map((acl) => [undefined, acl] as const),
    )
    await fc.assert(
      fc.asyncProperty(sides, fc.array(editArb, {minLength: 1, maxLength: 2}), async ([b, t], edits) => {
        const wider = edits.reduce(edit, t)
        fc.pre(allowsMore(b, t, wider))
        const context = `baseline ${show(b)}\ntarget ${show(t)}\nwider ${show(wider)}`
        await expectNewId(compare(b, t).findings, compare(b, wider).findings, context)
      }),
      RUNS,
    )
  })
})

describe('acl approvals (Adapter.covers)', () => {
  const widenings = (b: AclJson | undefined, t: AclJson) =>
    compare(b, t).findings.filter((f) => f.change !== 'narrowing')
  // Edits of the approved target that are often covered (resources replaced, a condition added or
  // removed, a member or permission removed, a grant removed), and some that widen.
  const coveredEditArb = fc
    .tuple(editArb, fc.constantFrom(8, 8, 4, 4, 3, 7, 1, 0, 9, 2))
    .map(([e, kind]): Edit => ({...e, kind}))

  /** The edited target allows no request beyond the baseline that the approved target does not. */
  const grantsNoMore = (b: AclJson | undefined, t: AclJson, edited: AclJson) => {
    for (const q of requests())
      if (allows(edited, q) && !allows(b, q))
        expect(
          allows(t, q),
          `baseline ${show(b)}\napproved ${show(t)}\nedited ${show(edited)}\nallows ${show(q)}`,
        ).toBe(true)
  }

  /**
   * One grant of the edited target put back as the baseline had it: no widening against the
   * baseline by itself, but it can widen what a weakened deny or a changed definition lets in.
   */
  const restored = (b: AclJson, edited: AclJson, at: number): AclJson => {
    const out = structuredClone(edited)
    out.grants[at % out.grants.length] = structuredClone(b.grants[at % b.grants.length]!)
    return out
  }

  it('an edit whose every widening an approval of the approved target covers allows nothing that target did not (brute force)', async () => {
    let narrower = 0
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          editedArb,
          aclArb.map((acl) => [undefined, acl] as const),
        ),
        fc.array(coveredEditArb, {minLength: 1, maxLength: 2}),
        async ([b, t], edits) => {
          const edited = edits.reduce(edit, t)
          const approved = widenings(b, t)
          for (const f of widenings(b, edited)) {
            const by = await approvalCovering(approved, f)
            if (by === undefined) return
            if (!sameAccess(by.access, f.access)) narrower++
          }
          grantsNoMore(b, t, edited)
        },
      ),
      RUNS,
    )
    // Not vacuous: narrowed grants are covered by the approval of the wider ones.
    expect(narrower).toBeGreaterThan(0)
  })

  it('a weakened deny or a changed definition is covered only while the grants it lets through allow nothing more (brute force)', async () => {
    // The approved target weakens a deny or changes a group or role, and narrows grants; the edit
    // puts one grant back as the baseline had it (no widening against the baseline by itself).
    const kinds = (...k: number[]) =>
      fc.array(
        fc.tuple(editArb, fc.constantFrom(...k)).map(([e, kind]): Edit => ({...e, kind})),
        {
          minLength: 1,
          maxLength: 2,
        },
      )
    let lifted = 0
    let refused = 0
    await fc.assert(
      fc.asyncProperty(
        aclArb,
        kinds(1, 2, 6, 5, 3),
        kinds(8, 3, 7, 4, 1),
        fc.nat(),
        async (b, lift, narrow, at) => {
          const t = narrow.reduce(edit, lift.reduce(edit, b))
          const edited = restored(b, t, at)
          const approved = widenings(b, t)
          for (const f of widenings(b, edited)) {
            const by = await approvalCovering(approved, f)
            if (by === undefined) return void refused++
            if (!sameAccess(by.access, f.access) && !GRANT_RULES.includes(f.rule)) lifted++
          }
          grantsNoMore(b, t, edited)
        },
      ),
      {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 2)},
    )
    // Not vacuous: such findings are covered by approvals of other access, and some are refused.
    expect(lifted).toBeGreaterThan(0)
    expect(refused).toBeGreaterThan(0)
  })

  // A finding no approval covers shows a request no approval grants (covers.ts witnessBeyond).
  it('witnessBeyond: any witness it gives the target allows, and neither the baseline nor an approved region does (brute force)', async () => {
    let given = 0
    let movedOffApproved = 0
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          editedArb,
          aclArb.map((acl) => [undefined, acl] as const),
        ),
        fc.array(editArb, {minLength: 1, maxLength: 2}),
        async ([b, t], edits) => {
          const edited = edits.reduce(edit, t)
          const approved = widenings(b, t)
          // Approving every finding of (b, t) approves all t widens only when none is possible.
          if (approved.some((a) => a.change === 'possible-widening')) return
          const accesses = approved.map((a) => a.access)
          for (const f of widenings(b, edited)) {
            if (f.witness === null || (await approvalCovering(approved, f)) !== undefined) continue
            const witness = witnessBeyond(f, FILE, doc(b), doc(edited)!, accesses)
            if (witness === undefined) continue
            given++
            const q = requestOf(witness)
            const context = `baseline ${show(b)}\napproved ${show(t)}\nedited ${show(edited)}\n${f.rule} witness ${show(witness)}`
            expect(allows(edited, q) && !allows(b, q), context).toBe(true)
            // Each approved region lies inside the approved target: outside it, outside them all.
            expect(allows(t, q), context).toBe(false)
            if (allows(t, requestOf(f.witness))) movedOffApproved++
          }
        },
      ),
      RUNS,
    )
    // Not vacuous: witnesses were given, some of them instead of an approved request.
    expect(given).toBeGreaterThan(5)
    expect(movedOffApproved).toBeGreaterThan(0)
  })

  it('witnessBeyond: bob approved to read docs/*, the agent adds mallory and docs.delete: the witness is neither bob nor a read', async () => {
    const acl = (grants: GrantJson[]): AclJson => ({apiVersion: 'acldrift.dev/acl/v1', grants})
    const grant = (subjects: string[], permissions: string[]): GrantJson => ({
      id: 'docs',
      effect: 'allow',
      subjects,
      permissions,
      resources: ['docs/*'],
    })
    const base = acl([grant(['user:alice'], ['docs.read'])])
    const approvedTarget = acl([grant(['user:alice', 'user:bob'], ['docs.read'])])
    const target = acl([grant(['user:alice', 'user:bob', 'user:mallory'], ['docs.read', 'docs.delete'])])
    const [approved, ...more] = widenings(base, approvedTarget)
    expect(more).toEqual([])
    const [finding, ...others] = widenings(base, target)
    expect(others).toEqual([])
    expect(await approvalCovering([approved!], finding!)).toBeUndefined()
    const witness = witnessBeyond(finding!, FILE, doc(base), doc(target)!, [approved!.access])
    expect(witness).toBeDefined()
    const q = requestOf(witness!)
    expect(allows(target, q) && !allows(base, q) && !allows(approvedTarget, q)).toBe(true)
    expect(q.subject === 'user:bob' && q.permission === 'docs.read').toBe(false)
    // Nothing beyond the approved region: none is given.
    expect(
      witnessBeyond(approved!, FILE, doc(base), doc(approvedTarget)!, [approved!.access]),
    ).toBeUndefined()
  })
})
