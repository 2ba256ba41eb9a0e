// Property tests: the github-actions comparison against the independent brute-force evaluator
// (which knows a job by what it holds: a renamed or merged job by its predecessors) over a finite universe (the jobs of both versions × every scope × read/write × the privileged
// triggers, and the secrets they name). Each generated case is one workflow file on each side,
// under a permissive or restricted repository default. "Sound before precise": an item the target
// allows and the baseline does not must never go unreported, every witness must be an item that
// really differs, and the same workflow written another way must give no finding.

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compareWorkflowFile} from '../../../src/adapters/github-actions/compare.js'
import {witnessBeyond} from '../../../src/adapters/github-actions/covers.js'
import {allowsWitness} from '../../../src/adapters/github-actions/evaluate.js'
import {githubActions} from '../../../src/adapters/github-actions/index.js'
import type {Document, Finding} from '../../../src/kernel/types.js'
import {
  ALL_SCOPES,
  allows,
  differences,
  expectedGroups,
  groupOf,
  heldBy,
  itemOf,
  level,
  type Mode,
  universe,
} from './brute-force.js'
import {sameAccess} from '../../../src/adapters/adapter.js'
import {propertyRuns} from '../property-runs.js'
import {approvalCovering, expectNewId} from '../widened-ids.js'

const FILE = '.github/workflows/release.yml'

// --- the universe ------------------------------------------------------------------------

const TRIGGERS = [
  'push',
  'pull_request',
  'pull_request_target',
  'workflow_run',
  'workflow_dispatch',
  'workflow_call',
]
const LEVELS: Record<string, string[]> = {
  contents: ['read', 'write', 'none'],
  'pull-requests': ['read', 'write', 'none'],
  actions: ['read', 'write', 'none'],
  packages: ['read', 'write', 'none'],
  'id-token': ['write', 'none'],
  models: ['read', 'none'],
}
const CALLED = [
  'acme/shared/.github/workflows/deploy.yml@v1',
  'acme/shared/.github/workflows/deploy.yml@v2',
  'evil/shared/.github/workflows/deploy.yml@main',
  './.github/workflows/reusable.yml',
]
const SECRET_NAMES = ['DEPLOY_KEY', 'NPM_TOKEN', 'GITHUB_TOKEN']
const JOB_IDS = ['build', 'test', 'release', 'call']

type Json = Record<string, unknown>

// --- generators ---------------------------------------------------------------------------

const onArb: fc.Arbitrary<unknown> = fc
  .tuple(fc.uniqueArray(fc.constantFrom(...TRIGGERS), {minLength: 1, maxLength: 3}), fc.nat(2))
  .map(([events, form]) =>
    form === 0 && events.length === 1
      ? events[0]
      : form === 1
        ? events
        : Object.fromEntries(events.map((e) => [e, e === 'push' ? {branches: ['main']} : null])),
  )

const mapArb: fc.Arbitrary<Json> = fc
  .uniqueArray(
    fc
      .constantFrom(...Object.keys(LEVELS))
      .chain((scope) => fc.tuple(fc.constant(scope), fc.constantFrom(...LEVELS[scope]!))),
    {maxLength: 3, selector: ([scope]) => scope},
  )
  .map((entries) => Object.fromEntries(entries))

/** A `permissions:` value, or undefined for no block. */
const permissionsArb: fc.Arbitrary<unknown> = fc.oneof(
  {weight: 3, arbitrary: fc.constant(undefined)},
  {weight: 1, arbitrary: fc.constantFrom('read-all', 'write-all')},
  {weight: 4, arbitrary: mapArb},
)

const secretExpr = (name: string) => (name === '*' ? '${{ toJSON(secrets) }}' : `\${{ secrets.${name} }}`)

const stepsArb = fc
  .option(fc.constantFrom(...SECRET_NAMES, '*'), {nil: undefined})
  .map((secret) => [
    {uses: 'actions/checkout@v4'},
    secret === undefined ? {run: 'make'} : {run: 'make publish', env: {TOKEN: secretExpr(secret)}},
  ])

const normalJobArb = fc
  .record({permissions: permissionsArb, steps: stepsArb})
  .map(({permissions, steps}) => withBlock({'runs-on': 'ubuntu-latest', steps}, permissions))

const callJobArb = fc
  .record({
    permissions: permissionsArb,
    uses: fc.constantFrom(...CALLED),
    secrets: fc.oneof(
      fc.constant(undefined),
      fc.constant('inherit'),
      fc
        .uniqueArray(fc.constantFrom('DEPLOY_KEY', 'NPM_TOKEN'), {minLength: 1, maxLength: 2})
        .map((names) => Object.fromEntries(names.map((n) => [n, secretExpr(n)]))),
    ),
  })
  .map(({permissions, uses, secrets}) =>
    withBlock(
      {uses, with: {environment: 'production'}, ...(secrets === undefined ? {} : {secrets})},
      permissions,
    ),
  )

function withBlock(job: Json, permissions: unknown): Json {
  return permissions === undefined ? job : {...job, permissions}
}

const workflowArb: fc.Arbitrary<Json> = fc
  .record({
    on: onArb,
    permissions: permissionsArb,
    env: fc.option(fc.constant({SLACK: '${{ secrets.SLACK_WEBHOOK }}'}), {freq: 4, nil: undefined}),
    jobs: fc
      .uniqueArray(fc.constantFrom(...JOB_IDS), {minLength: 1, maxLength: 3})
      .chain((ids) =>
        fc.tuple(
          ...ids.map((id) => (id === 'call' ? callJobArb : normalJobArb).map((job) => [id, job] as const)),
        ),
      ),
  })
  .map(({on, permissions, env, jobs}) => {
    const workflow: Json = {name: 'Release', on}
    if (permissions !== undefined) workflow.permissions = permissions
    if (env !== undefined) workflow.env = env
    workflow.jobs = Object.fromEntries(jobs)
    return workflow
  })

/** Small edits: the realistic change under review. */
type Mutation = {kind: number; at: number; permissions: unknown; on: unknown; job: Json; call: Json}
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.integer({min: 0, max: 9}),
  at: fc.nat(),
  permissions: permissionsArb,
  on: onArb,
  job: normalJobArb,
  call: callJobArb,
})

function mutate(workflow: Json, m: Mutation): Json {
  const out = structuredClone(workflow)
  const jobs = out.jobs as Record<string, Json>
  const ids = Object.keys(jobs)
  const id = ids[m.at % ids.length]!
  const job = jobs[id]!
  switch (m.kind) {
    case 0:
      if (m.permissions === undefined) delete out.permissions
      else out.permissions = m.permissions
      break
    case 1:
      if (m.permissions === undefined) delete job.permissions
      else job.permissions = m.permissions
      break
    case 2:
      out.on = m.on
      break
    case 3: {
      const free = JOB_IDS.find((j) => !(j in jobs))
      if (free !== undefined) jobs[free] = free === 'call' ? m.call : m.job
      break
    }
    case 4:
      if (ids.length > 1) delete jobs[id]
      break
    case 5:
      if ('uses' in job)
        jobs[id] = {...m.call, ...('permissions' in job ? {permissions: job.permissions} : {})}
      break
    case 6:
      if ('steps' in job) job.steps = m.job.steps
      break
    case 7:
      if ('env' in out) delete out.env
      else out.env = {SLACK: '${{ secrets.SLACK_WEBHOOK }}'}
      break
    case 8: {
      // A job renamed: the same body under a key the workflow does not use.
      const free = JOB_IDS.find((j) => !(j in jobs) && (j === 'call') === 'uses' in job)
      if (free !== undefined) {
        delete jobs[id]
        jobs[free] = job
      }
      break
    }
    case 9: {
      // Two jobs merged into one: the first's token, both jobs' steps.
      const other = ids.find((j) => j !== id && 'steps' in jobs[j]! && 'steps' in job)
      if (other !== undefined) {
        const steps = [...(job.steps as Json[]), ...(jobs[other]!.steps as Json[])]
        delete jobs[other]
        jobs[id] = {...job, steps}
      }
      break
    }
  }
  return out
}

// --- the engine ---------------------------------------------------------------------------

const doc = (value: unknown): Document => ({
  path: FILE,
  value,
  kind: 'github-actions',
  hash: '0',
  sourceMap: {locate: () => ({line: 1, column: 1})},
})

function compare(baseline: Json | undefined, target: Json | undefined, mode: Mode) {
  return compareWorkflowFile(FILE, baseline && doc(baseline), target && doc(target), mode)
}

const show = (x: unknown) => JSON.stringify(x)

function checkSoundness(baseline: Json | undefined, target: Json | undefined, mode: Mode) {
  const {findings} = compare(baseline, target, mode)
  for (const [more, less, change] of [
    [target, baseline, 'widening'],
    [baseline, target, 'narrowing'],
  ] as const) {
    const reported = new Set(findings.filter((f) => f.change === change).map(groupOf))
    for (const item of differences(more, less, mode)) {
      const groups = expectedGroups(more, less, item, mode)
      if (!groups.some((g) => reported.has(g)))
        expect.fail(
          `${change} missed (expected ${groups.join(' or ')}): ${show(item)}\nmode ${mode}\nbaseline ${show(baseline)}\ntarget ${show(target)}\nreported ${show([...reported])}`,
        )
    }
  }
}

async function checkWitnesses(baseline: Json | undefined, target: Json | undefined, mode: Mode) {
  const {findings} = compare(baseline, target, mode)
  const context = {githubActions: {defaultPermissions: mode}}
  for (const f of findings) {
    const [more, less] = f.change === 'widening' ? [target, baseline] : [baseline, target]
    const item = itemOf(f.witness!)
    const why = `${f.change} ${f.rule} witness wrong: ${show(f.witness)}\nmode ${mode}\nbaseline ${show(baseline)}\ntarget ${show(target)}`
    expect(allows(more, item, mode) && !heldBy(less, more, item, mode), why).toBe(true)
    expect(await githubActions.allows(more, f.witness!, FILE, new Map(), context), why).toBe(true)
    expect(await githubActions.allows(less, f.witness!, FILE, new Map(), context), why).toBe(false)
  }
}

function checkSymmetry(a: Json, b: Json, mode: Mode) {
  const groups = (findings: Finding[], change: string) =>
    findings
      .filter((f) => f.change === change)
      .map(groupOf)
      .sort()
  expect(groups(compare(a, b, mode).findings, 'narrowing'), `a ${show(a)}\nb ${show(b)}`).toEqual(
    groups(compare(b, a, mode).findings, 'widening'),
  )
}

// --- equivalent rewrites --------------------------------------------------------------------

const MAX: Record<number, string> = {0: 'none', 1: 'read', 2: 'write'}

/**
 * The same workflow written another way: jobs and keys reordered, `on` in another form, every
 * job's token spelt out as an explicit map of all scopes (which is what it is, whatever block or
 * default it came from), secret names in lower case, another ref of the same called workflow.
 */
function rewrite(workflow: Json, mode: Mode, spell: boolean, form: number): Json {
  const jobs = workflow.jobs as Record<string, Json>
  const out: Json = {}
  const events = Object.keys(
    typeof workflow.on === 'string'
      ? {[workflow.on]: null}
      : Array.isArray(workflow.on)
        ? Object.fromEntries(workflow.on.map((e: string) => [e, null]))
        : (workflow.on as Json),
  )
  out.jobs = Object.fromEntries(
    Object.keys(jobs)
      .reverse()
      .map((id) => {
        const job = structuredClone(jobs[id]!)
        const spelled = Object.fromEntries(
          ALL_SCOPES.map((s) => [s, MAX[level(workflow, id, s, mode)]!]).reverse(),
        )
        // A reusable workflow's jobs get their caller's token: spelling them out would narrow them.
        if (spell && !events.includes('workflow_call')) job.permissions = spelled
        if (typeof job.uses === 'string') job.uses = job.uses.replace(/@v1$/, '@v7')
        const text = JSON.stringify(job).replace(
          /secrets\.([A-Z_]+)/g,
          (_, n: string) => `secrets.${n.toLowerCase()}`,
        )
        return [id, Object.fromEntries(Object.entries(JSON.parse(text) as Json).reverse())]
      }),
  )
  if ('env' in workflow) out.env = workflow.env
  if ('permissions' in workflow && !(spell && !events.includes('workflow_call')))
    out.permissions = workflow.permissions
  out.on =
    form === 0
      ? [...events].reverse()
      : Object.fromEntries(events.map((e) => [e, e === 'push' ? {branches: ['x']} : {}]))
  return out
}

// --- the properties -----------------------------------------------------------------------

const RUNS = propertyRuns(7, 200)

const modeArb = fc.constantFrom<Mode>('permissive', 'restricted')
const pairArb = fc.tuple(workflowArb, workflowArb, modeArb)
const editedArb = fc
  .tuple(workflowArb, fc.array(mutationArb, {minLength: 1, maxLength: 3}), modeArb)
  .map(([w, ms, mode]) => [w, ms.reduce(mutate, w), mode] as const)

const FAMILIES = [
  ['random pairs', pairArb],
  ['small edits', editedArb],
] as const

describe.each(FAMILIES)('github-actions comparison against brute force (%s)', (_, pairs) => {
  it('soundness: every item one side allows and the other does not is reported, by its group', () => {
    fc.assert(
      fc.property(pairs, ([b, t, mode]) => checkSoundness(b, t, mode)),
      RUNS,
    )
  })

  it('witness validity: every witness is allowed by exactly the side it should be', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, ([b, t, mode]) => checkWitnesses(b, t, mode)),
      RUNS,
    )
  })

  it('narrowing symmetry: compare(b, t) narrows iff compare(t, b) widens, group by group', () => {
    fc.assert(
      fc.property(pairs, ([b, t, mode]) => checkSymmetry(b, t, mode)),
      RUNS,
    )
  })
})

describe('github-actions comparison against brute force', () => {
  it('new and deleted workflow files', async () => {
    await fc.assert(
      fc.asyncProperty(workflowArb, modeArb, async (w, mode) => {
        for (const [b, t] of [
          [undefined, w],
          [w, undefined],
        ] as const) {
          checkSoundness(b, t, mode)
          await checkWitnesses(b, t, mode)
        }
      }),
      {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 2)},
    )
  })

  it('no finding for equivalent rewrites', () => {
    fc.assert(
      fc.property(workflowArb, modeArb, fc.boolean(), fc.nat(1), (w, mode, spell, form) => {
        const q = rewrite(w, mode, spell, form)
        for (const [a, b] of [
          [w, w],
          [w, q],
          [q, w],
        ] as const)
          expect(
            compare(a, b, mode).findings,
            `mode ${mode}\nbaseline ${show(a)}\ntarget ${show(b)}`,
          ).toEqual([])
      }),
      RUNS,
    )
  })

  it('the brute force agrees with itself: write-all never grants less than any other block', () => {
    fc.assert(
      fc.property(workflowArb, modeArb, (w, mode) => {
        const wider = structuredClone(w)
        for (const job of Object.values(wider.jobs as Record<string, Json>)) job.permissions = 'write-all'
        for (const id of Object.keys(w.jobs as Json))
          for (const scope of ALL_SCOPES)
            expect(level(wider, id, scope, mode)).toBeGreaterThanOrEqual(level(w, id, scope, mode))
      }),
      {...RUNS, numRuns: 50},
    )
  })
})

describe('github-actions finding ids', () => {
  it('a widened job never keeps its id: the approvals of (baseline, target) never cover a wider target', async () => {
    const sides = fc.oneof(
      editedArb,
      fc.tuple(workflowArb, modeArb).map(([w, mode]) => [undefined, w, mode] as const),
    )
    await fc.assert(
      fc.asyncProperty(
        sides,
        fc.array(mutationArb, {minLength: 1, maxLength: 2}),
        async ([b, t, mode], ms) => {
          const wider = ms.reduce(mutate, t)
          fc.pre([...differences(wider, t, mode)].some((item) => !heldBy(b, wider, item, mode)))
          const context = `baseline ${show(b)}\ntarget ${show(t)}\nwider ${show(wider)} (${mode})`
          await expectNewId(compare(b, t, mode).findings, compare(b, wider, mode).findings, context)
        },
      ),
      RUNS,
    )
  })
})

describe('github-actions approvals (Adapter.covers)', () => {
  const widenings = (b: Json | undefined, t: Json, mode: Mode) =>
    compare(b, t, mode).findings.filter((f) => f.change !== 'narrowing')
  // A baseline (or none), the approved target, and that target edited.
  const approvedEditedArb = fc
    .tuple(
      fc.option(workflowArb, {freq: 3, nil: undefined}),
      workflowArb,
      fc.array(mutationArb, {minLength: 1, maxLength: 2}),
      modeArb,
    )
    .map(([b, t, ms, mode]) => ({b, t, edited: ms.reduce(mutate, t), mode}))

  it('an edit whose every widening an approval of the approved target covers grants nothing that target did not (brute force)', async () => {
    let narrower = 0
    await fc.assert(
      fc.asyncProperty(approvedEditedArb, async ({b, t, edited, mode}) => {
        const approved = widenings(b, t, mode)
        for (const f of widenings(b, edited, mode)) {
          const by = await approvalCovering(approved, f)
          if (by === undefined) return
          if (!sameAccess(by.access, f.access)) narrower++
        }
        for (const item of [...universe(edited, b), ...universe(edited, t)])
          if (allows(edited, item, mode) && !heldBy(b, edited, item, mode))
            expect(
              heldBy(t, edited, item, mode),
              `approved ${show(t)}\nedited ${show(edited)}\nbaseline ${show(b)} (${mode})\ngrants ${show(item)}`,
            ).toBe(true)
      }),
      RUNS,
    )
    // Not vacuous: lower levels, fewer triggers and named secrets are covered by the wider approval.
    expect(narrower).toBeGreaterThan(0)
  })

  // A finding no approval covers shows a request no approval grants (covers.ts witnessBeyond).
  it('witnessBeyond: any witness it gives the target allows, and neither the baseline nor an approval does (brute force)', async () => {
    let given = 0
    let movedOffApproved = 0
    await fc.assert(
      fc.asyncProperty(approvedEditedArb, async ({b, t, edited, mode}) => {
        const approved = widenings(b, t, mode)
        for (const f of widenings(b, edited, mode)) {
          if ((await approvalCovering(approved, f)) !== undefined) continue
          const witness = witnessBeyond(
            f,
            approved.map((a) => a.access),
          )
          if (witness === undefined) continue
          given++
          const context = `approved ${show(t)}\nedited ${show(edited)}\nbaseline ${show(b)} (${mode})\nwitness ${show(witness)}`
          expect(allows(edited, itemOf(witness), mode), context).toBe(true)
          expect(heldBy(b, edited, itemOf(witness), mode), context).toBe(false)
          // By job key, as semantic blame asks each version; where the approved target allows
          // it, it held it as the baseline did (a job renamed back), never by an approval.
          if (allowsWitness(t, witness, mode)) expect(heldBy(b, t, itemOf(witness), mode), context).toBe(true)
          if (allowsWitness(t, f.witness!, mode)) movedOffApproved++
        }
      }),
      RUNS,
    )
    // Not vacuous: witnesses were given, some of them instead of an approved request.
    expect(given).toBeGreaterThan(5)
    expect(movedOffApproved).toBeGreaterThan(0)
  })

  it('witnessBeyond: pull_request_target approved over contents: write, a secret read besides: the witness is the secret', () => {
    const workflow = (on: string[], run: string): Json => ({
      on,
      jobs: {release: {'runs-on': 'ubuntu-latest', permissions: {contents: 'write'}, steps: [{run}]}},
    })
    const base = workflow(['push'], 'make')
    const approved = widenings(base, workflow(['push', 'pull_request_target'], 'make'), 'restricted')
    const [finding, ...others] = widenings(
      base,
      workflow(['push', 'pull_request_target'], 'make NPM_TOKEN=${{ secrets.NPM_TOKEN }}'),
      'restricted',
    )
    expect(others).toEqual([])
    // The comparison's own choice is the approved write scope.
    expect(finding!.witness).toMatchObject({trigger: 'pull_request_target', scope: 'contents'})
    expect(
      witnessBeyond(
        finding!,
        approved.map((a) => a.access),
      ),
    ).toEqual({workflow: FILE, job: 'release', trigger: 'pull_request_target', secret: 'NPM_TOKEN'})
    // Nothing beyond the approved trigger: none is given.
    expect(witnessBeyond(approved[0]!, [approved[0]!.access])).toBeUndefined()
  })

  it('contents: write approved covers contents: read, never packages: write besides', async () => {
    const workflow = (permissions: Json): Json => ({
      on: 'push',
      jobs: {release: {'runs-on': 'ubuntu-latest', permissions, steps: [{run: 'make'}]}},
    })
    const base = workflow({})
    const approved = widenings(base, workflow({contents: 'write'}), 'restricted')
    const covered = async (permissions: Json) =>
      Promise.all(
        widenings(base, workflow(permissions), 'restricted').map(
          async (f) => (await approvalCovering(approved, f)) !== undefined,
        ),
      )
    expect(await covered({contents: 'read'})).toEqual([true])
    expect(await covered({contents: 'write'})).toEqual([true])
    expect((await covered({contents: 'write', packages: 'write'})).sort()).toEqual([false, true])
  })
})
