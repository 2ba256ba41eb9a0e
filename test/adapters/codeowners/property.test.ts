// Property tests: the codeowners comparison against the independent brute-force evaluator over a
// small finite universe of paths (names a, b, .github, x.js; depth up to 3) and owners. Each
// generated case is a repository with one or more of the three CODEOWNERS locations, rendered as
// text (comments, spacing, CRLF, BOM) and read by the adapter's parser. Checked: soundness (a path
// whose accepted approvers grow, or that loses its owners, is covered by a reported finding of its
// group), witness validity, and no findings on rewrites that keep every path's owners.

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {codeowners} from '../../../src/adapters/codeowners/index.js'
import {witnessBeyond} from '../../../src/adapters/codeowners/covers.js'
import {restateFinding} from '../../../src/adapters/codeowners/compare.js'
import {compiled} from '../../../src/adapters/codeowners/model.js'
import {step} from '../../../src/adapters/codeowners/pattern.js'
import type {Document, Finding} from '../../../src/kernel/types.js'
import {DEFAULT_ADAPTER_SETTINGS} from '../../../src/adapters/index.js'
import {
  accepted,
  decidingIndex,
  effectiveRules,
  normal,
  ownersOf,
  patternMatches,
  type RuleJson,
  widens,
  witnessDiffers,
} from './brute-force.js'
import {propertyRuns, perFamily} from '../property-runs.js'
import {approvalCovering, expectNewId} from '../widened-ids.js'
import {sameAccess} from '../../../src/adapters/adapter.js'

// --- the universe ------------------------------------------------------------------------

const NAMES = ['a', 'b', '.github', 'x.js']
const UNIVERSE: string[] = []
for (const n1 of NAMES) {
  UNIVERSE.push(n1)
  for (const n2 of NAMES) {
    UNIVERSE.push(`${n1}/${n2}`)
    for (const n3 of NAMES) UNIVERSE.push(`${n1}/${n2}/${n3}`)
  }
}
/** The repository's files: part of the universe (the rest are paths that do not exist yet). */
const EXISTING = UNIVERSE.filter((_, i) => i % 3 === 0)

const PATTERNS = [
  '*',
  '/*',
  '*/',
  'a',
  '/a',
  'a/',
  '/a/',
  'a/*',
  '/a/*',
  'a/**',
  'a/**/b',
  '**/b',
  '*.js',
  'x.*',
  '?',
  'a/b',
  '/a/b/',
  '.github/',
  '/.github/',
  'b/x.js',
  '/b/*/x.js',
  '*/b',
  'x.js',
  '**/x.js',
  'a/*/b',
  '/**',
  'a?',
  '*a*',
]
const OWNERS = ['@alice', '@Alice', '@bob', '@acme/dev', 'carol@example.com']
const LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const
type Location = (typeof LOCATIONS)[number]

type Repo = Partial<Record<Location, RuleJson[]>>

// --- generators ---------------------------------------------------------------------------

const ruleArb: fc.Arbitrary<RuleJson> = fc.record({
  pattern: fc.constantFrom(...PATTERNS),
  owners: fc.uniqueArray(fc.constantFrom(...OWNERS), {maxLength: 2}),
})
const rulesArb = fc.array(ruleArb, {minLength: 1, maxLength: 5})

const repoArb: fc.Arbitrary<Repo> = fc.oneof(
  {weight: 4, arbitrary: rulesArb.map((rules): Repo => ({'.github/CODEOWNERS': rules}))},
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.subarray([...LOCATIONS], {minLength: 1}), rulesArb, rulesArb)
      .map(([locations, x, y]): Repo => Object.fromEntries(locations.map((l, i) => [l, i % 2 ? y : x]))),
  },
)

type Mutation = {kind: number; at: number; rule: RuleJson; owner: string; location: Location}
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.integer({min: 0, max: 6}),
  at: fc.nat(),
  rule: ruleArb,
  owner: fc.constantFrom(...OWNERS),
  location: fc.constantFrom(...LOCATIONS),
})

/** Small edits: the realistic case of a change under review. */
function mutate(repo: Repo, m: Mutation): Repo {
  const out = structuredClone(repo)
  const location = LOCATIONS.find((l) => out[l] !== undefined)
  const rules = location === undefined ? undefined : out[location]!
  const r = rules?.[m.at % rules.length]
  switch (m.kind) {
    case 0:
      rules?.push(m.rule)
      break
    case 1:
      if (rules && rules.length > 1) rules.splice(m.at % rules.length, 1)
      break
    case 2:
      if (r && !r.owners.includes(m.owner)) r.owners.push(m.owner)
      break
    case 3:
      if (r) r.owners.splice(m.at % Math.max(1, r.owners.length), 1)
      break
    case 4:
      if (r) r.pattern = m.rule.pattern
      break
    case 5:
      // A file appears (it may shadow the one read so far) or disappears.
      if (out[m.location] === undefined) out[m.location] = [m.rule]
      else if (Object.keys(out).length > 1) delete out[m.location]
      break
    case 6:
      rules?.splice(m.at % rules.length, 0, m.rule)
      break
  }
  return out
}

// --- rendering and reading ------------------------------------------------------------------

type Style = {crlf: boolean; bom: boolean; comments: boolean; pad: number}
const styleArb: fc.Arbitrary<Style> = fc.record({
  crlf: fc.boolean(),
  bom: fc.boolean(),
  comments: fc.boolean(),
  pad: fc.integer({min: 1, max: 12}),
})
const PLAIN: Style = {crlf: false, bom: false, comments: false, pad: 1}

function render(rules: RuleJson[], style: Style): Buffer {
  const lines: string[] = style.comments ? ['# Owners of the repository', ''] : []
  rules.forEach((r, i) => {
    if (style.comments && i % 2 === 1) lines.push(`# rule ${i}`, '')
    const owners = r.owners.join(style.pad > 6 ? '\t' : ' ')
    const line = owners === '' ? r.pattern : `${r.pattern}${' '.repeat(style.pad)}${owners}`
    lines.push(style.comments && i % 3 === 0 ? `${line}  # inline note` : line)
  })
  const text = lines.join(style.crlf ? '\r\n' : '\n') + (style.crlf ? '\r\n' : '\n')
  return Buffer.concat([Buffer.from(style.bom ? [0xef, 0xbb, 0xbf] : []), Buffer.from(text)])
}

async function documents(repo: Repo, style: Style): Promise<Map<string, Document>> {
  const docs = new Map<string, Document>()
  for (const location of LOCATIONS) {
    const rules = repo[location]
    if (rules === undefined) continue
    const parsed = await codeowners.parse!({path: location, content: render(rules, style)})
    docs.set(location, {...parsed, kind: 'codeowners'})
  }
  return docs
}

const context = {...DEFAULT_ADAPTER_SETTINGS, paths: async () => EXISTING}

async function compare(baseline: Repo, target: Repo, styles: [Style, Style] = [PLAIN, PLAIN]) {
  const [b, t] = [await documents(baseline, styles[0]), await documents(target, styles[1])]
  const changed = [...new Set([...b.keys(), ...t.keys()])].filter((p) => b.get(p)?.hash !== t.get(p)?.hash)
  return {...(await codeowners.compare(b, t, changed, context)), target: t}
}

const rulesRead = (repo: Repo) => effectiveRules(new Map(Object.entries(repo) as Array<[string, RuleJson[]]>))

// --- groups, from the semantics alone ----------------------------------------------------------

/** The findings a widened path must be covered by (any one of them). */
function expectedGroups(before: RuleJson[], after: RuleJson[], path: string): string[] {
  const [ob, oa] = [ownersOf(before, path), ownersOf(after, path)]
  const [lastB, lastA] = [decidingIndex(before, path), decidingIndex(after, path)]
  if (oa.length === 0)
    return [after.length === 0 ? 'lost:file' : lastA >= 0 ? `lost:a${lastA}` : `lost:b${lastB}`]
  return oa.filter((x) => !ob.includes(x)).map((x) => `added:${lastA}:${x}`)
}

const ruleOf = (pointer: string | null | undefined) => (pointer ? pointer.split('/')[2] : undefined)

function groupOf(f: Finding, after: RuleJson[]): string {
  if (f.rule === 'approver-added') return `added:${ruleOf(f.pointer)}:${normal(String(f.witness!.approver))}`
  if (after.length === 0) return 'lost:file'
  return f.pointer !== null ? `lost:a${ruleOf(f.pointer)}` : `lost:b${ruleOf(f.baselineLocation?.pointer)}`
}

const show = (x: unknown) => JSON.stringify(x)

async function checkSoundness(baseline: Repo, target: Repo) {
  const {findings} = await compare(baseline, target)
  const [before, after] = [rulesRead(baseline), rulesRead(target)]
  if (findings.some((f) => f.change === 'possible-widening')) return
  const reported = new Set(findings.filter((f) => f.change === 'widening').map((f) => groupOf(f, after)))
  for (const path of UNIVERSE) {
    if (!widens(before, after, path)) continue
    const groups = expectedGroups(before, after, path)
    for (const group of groups) {
      if (!reported.has(group))
        expect.fail(
          `widening missed at ${path} (expected ${group})\nbaseline ${show(baseline)}\ntarget ${show(target)}\nreported ${show([...reported])}`,
        )
    }
  }
}

async function checkWitnesses(baseline: Repo, target: Repo) {
  const {findings, target: docs} = await compare(baseline, target)
  const [before, after] = [rulesRead(baseline), rulesRead(target)]
  const others = new Map([...docs].map(([p, d]) => [p, d.value]))
  for (const f of findings) {
    if (f.change === 'possible-widening') {
      expect(f.reason).toBeTruthy()
      continue
    }
    const [more, less] = f.change === 'widening' ? [after, before] : [before, after]
    const context = `${f.change} ${f.rule} witness ${show(f.witness)}\nbaseline ${show(baseline)}\ntarget ${show(target)}`
    expect(witnessDiffers(more, less, f.witness!), context).toBe(true)
    expect(f.witness!.exists, context).toBe(EXISTING.includes(String(f.witness!.path)))
    const doc = docs.get(f.file)
    if (doc !== undefined)
      expect(
        await codeowners.allows(doc.value, f.witness!, f.file, others, DEFAULT_ADAPTER_SETTINGS),
        context,
      ).toBe(f.change === 'widening')
  }
}

// --- equivalent rewrites --------------------------------------------------------------------

type Rewrite = {
  upper: boolean
  reverse: boolean
  duplicate: number
  swap: number
  move: boolean
  shadow: boolean
}
const rewriteArb: fc.Arbitrary<Rewrite> = fc.record({
  upper: fc.boolean(),
  reverse: fc.boolean(),
  duplicate: fc.nat(),
  swap: fc.nat(),
  move: fc.boolean(),
  shadow: fc.boolean(),
})

/** The same owners for every path, written another way. */
function rewrite(rules: RuleJson[], w: Rewrite): Repo {
  let out = rules.map((r) => ({
    pattern: r.pattern,
    owners: (w.reverse ? [...r.owners].reverse() : [...r.owners]).map((o) =>
      w.upper && o.startsWith('@') ? o.toUpperCase() : o,
    ),
  }))
  // A rule repeated right after itself.
  const d = w.duplicate % out.length
  out.splice(d + 1, 0, structuredClone(out[d]!))
  // Two neighbours with the same owners: whichever matches last, the owners are the same.
  const s = w.swap % out.length
  const [x, y] = [out[s], out[s + 1]]
  const same = (p: RuleJson, q: RuleJson) =>
    [...new Set(p.owners.map(normal))].sort().join() === [...new Set(q.owners.map(normal))].sort().join()
  if (x && y && same(x, y)) out = [...out.slice(0, s), y, x, ...out.slice(s + 2)]
  // The same file at the root instead of .github/, or a root file that .github/ shadows.
  if (w.move) return {CODEOWNERS: out}
  return w.shadow
    ? {'.github/CODEOWNERS': out, CODEOWNERS: [{pattern: '*', owners: ['@mallory']}]}
    : {'.github/CODEOWNERS': out}
}

const DISJOINT = ['/a/', '/b/', '/.github/', '/x.js', '/a/b/x.js']

// --- the properties -----------------------------------------------------------------------

// The budget keeps this file near 25 s of CPU on the 2-core CI machine (200 runs took about 55 s).
// At 80 the properties still fail on the unsound engines tried by hand: an added approver missed
// when it is the first of its rule's new owners, and covers() reading an approved rule's region
// without the later rules that carve paths out of it. Explore further with PROPERTY_RUNS (e.g. 1500).
const RUNS = propertyRuns(7, 80)
const PAIR_RUNS = perFamily(RUNS)

const pairArb = fc.tuple(repoArb, repoArb)
const editedArb = fc
  .tuple(repoArb, fc.array(mutationArb, {minLength: 1, maxLength: 3}))
  .map(([r, ms]) => [r, ms.reduce(mutate, r)] as const)

describe.each([
  ['random pairs', pairArb],
  ['small edits', editedArb],
] as const)('codeowners comparison against brute force (%s)', (_, pairs) => {
  it('soundness: every path that gains an approver or loses its owners is covered by its finding', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, async ([b, t]) => {
        await checkSoundness(b, t)
        await checkSoundness(t, b)
      }),
      PAIR_RUNS,
    )
  })

  it('witness validity: witnesses differ between the sides as their change says; exists is true', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, async ([b, t]) => {
        await checkWitnesses(b, t)
        await checkWitnesses(t, b)
      }),
      PAIR_RUNS,
    )
  })
})

describe('codeowners comparison against brute force', () => {
  it('soundness and witnesses: files added and deleted', async () => {
    await fc.assert(
      fc.asyncProperty(repoArb, async (r) => {
        for (const [b, t] of [
          [{}, r],
          [r, {}],
        ] as const) {
          await checkSoundness(b, t)
          await checkWitnesses(b, t)
        }
      }),
      {...RUNS, numRuns: Math.ceil(RUNS.numRuns / 4)},
    )
  })

  it('no findings on equivalent rewrites (owners case and order, duplicates, swaps, location, shadowed files, text style)', async () => {
    await fc.assert(
      fc.asyncProperty(rulesArb, rewriteArb, styleArb, async (rules, w, style) => {
        const original: Repo = {'.github/CODEOWNERS': rules}
        const q = rewrite(rules, w)
        for (const [a, b] of [
          [original, q],
          [q, original],
        ] as const) {
          const {findings} = await compare(a, b, [PLAIN, style])
          expect(findings, `baseline ${show(a)}\ntarget ${show(b)}`).toEqual([])
        }
      }),
      RUNS,
    )
  })

  it('no findings when rules with disjoint patterns are reordered', async () => {
    const disjointArb = fc.uniqueArray(
      fc.record({
        pattern: fc.constantFrom(...DISJOINT),
        owners: fc.uniqueArray(fc.constantFrom(...OWNERS), {maxLength: 2}),
      }),
      {minLength: 2, selector: (r) => r.pattern},
    )
    await fc.assert(
      fc.asyncProperty(disjointArb, fc.nat(), async (rules, seed) => {
        // /a/ and /a/b/x.js overlap: keep only one of them.
        const kept = rules.filter((r) => r.pattern !== '/a/b/x.js' || !rules.some((o) => o.pattern === '/a/'))
        const shuffled = [...kept].sort(
          (x, y) => ((x.pattern.length * 31 + seed) % 7) - ((y.pattern.length * 31 + seed) % 7),
        )
        const {findings} = await compare({'.github/CODEOWNERS': kept}, {'.github/CODEOWNERS': shuffled})
        expect(findings).toEqual([])
      }),
      RUNS,
    )
  })

  it('the automaton, the RegExp and the brute-force matcher agree on every path of the universe', () => {
    for (const pattern of PATTERNS) {
      const c = compiled(pattern)
      for (const path of UNIVERSE) {
        let states = c.nfa.start
        for (const ch of path) states = step(c.nfa, states, ch)
        const expected = patternMatches(pattern, path)
        expect(c.regex.test(path), `${pattern} regex on ${path}`).toBe(expected)
        expect(states.includes(c.nfa.accept), `${pattern} automaton on ${path}`).toBe(expected)
      }
    }
  })

  it("GitHub's documented examples", () => {
    const cases: Array<[string, string, boolean]> = [
      ['docs/*', 'docs/getting-started.md', true],
      ['docs/*', 'docs/build-app/troubleshooting.md', false],
      ['/build/logs/', 'build/logs/a/b.log', true],
      ['/build/logs/', 'x/build/logs/a.log', false],
      ['apps/', 'deeply/nested/apps/x.js', true],
      ['**/logs', 'deeply/nested/logs/x', true],
      ['/apps/github', 'apps/github/x/y.rb', true],
      ['*.js', 'src/a/b.js', true],
      ['*.js', 'src/a/b.jsx', false],
    ]
    for (const [pattern, path, expected] of cases) {
      expect(compiled(pattern).regex.test(path), `${pattern} ${path}`).toBe(expected)
      expect(patternMatches(pattern, path), `brute force: ${pattern} ${path}`).toBe(expected)
    }
  })
})

describe('codeowners finding ids', () => {
  /** Whether someone's review counts for a path in `wider` and did in neither `target` nor `baseline`. */
  function acceptsMore(baseline: Repo, target: Repo, wider: Repo): boolean {
    const [b, t, w] = [rulesRead(baseline), rulesRead(target), rulesRead(wider)]
    const approvers = [...OWNERS, '@someone-else']
    return UNIVERSE.some((path) =>
      approvers.some((a) => accepted(w, path, a) && !accepted(t, path, a) && !accepted(b, path, a)),
    )
  }

  it("a later rule removed from an approved rule's region gives it a new id", async () => {
    const repo = (rules: RuleJson[]): Repo => ({'.github/CODEOWNERS': rules})
    const base = repo([{pattern: '*', owners: ['@alice']}])
    const approved = repo([
      {pattern: '*', owners: ['@alice', '@bob']},
      {pattern: '/.github/', owners: ['@alice']},
    ])
    const wider = repo([{pattern: '*', owners: ['@alice', '@bob']}])
    const ids = (await compare(base, approved)).findings.map((f) => f.id)
    const widerIds = (await compare(base, wider)).findings.map((f) => f.id)
    expect(widerIds.filter((id) => ids.includes(id))).toEqual([])
  })

  it('a widened rule never keeps its id: the approvals of (baseline, target) never cover a wider target', async () => {
    await fc.assert(
      fc.asyncProperty(editedArb, fc.array(mutationArb, {minLength: 1, maxLength: 2}), async ([b, t], ms) => {
        const wider = ms.reduce(mutate, t)
        fc.pre(acceptsMore(b, t, wider))
        const context = `baseline ${show(b)}\ntarget ${show(t)}\nwider ${show(wider)}`
        await expectNewId((await compare(b, t)).findings, (await compare(b, wider)).findings, context)
      }),
      RUNS,
    )
  })
})

describe('codeowners approvals (Adapter.covers)', () => {
  // Edits of the approved target that are often covered: a rule removed (a later one that carved
  // the approved region, too), an owner removed, a pattern changed; and some that widen.
  const editArb = fc
    .tuple(mutationArb, fc.constantFrom(1, 1, 1, 3, 4, 4, 0, 2))
    .map(([m, kind]): Mutation => ({...m, kind}))
  const widenings = async (b: Repo, t: Repo) =>
    (await compare(b, t)).findings.filter((f) => f.change !== 'narrowing')

  it('an edit whose every widening an approval of the approved target covers lets no review count that target did not (brute force)', async () => {
    let narrower = 0
    await fc.assert(
      fc.asyncProperty(editedArb, fc.array(editArb, {minLength: 1, maxLength: 2}), async ([b, t], ms) => {
        const edited = ms.reduce(mutate, t)
        const approved = await widenings(b, t)
        for (const f of await widenings(b, edited)) {
          const by = await approvalCovering(approved, f)
          if (by === undefined) return
          if (!sameAccess(by.access, f.access)) narrower++
        }
        const [before, target, after] = [rulesRead(b), rulesRead(t), rulesRead(edited)]
        for (const path of UNIVERSE)
          for (const approver of [...OWNERS, '@someone-else'])
            if (accepted(after, path, approver) && !accepted(before, path, approver))
              expect(
                accepted(target, path, approver),
                `baseline ${show(b)}\napproved ${show(t)}\nedited ${show(edited)}\n${approver} on ${path}`,
              ).toBe(true)
      }),
      RUNS,
    )
    // Not vacuous: the same claim over fewer paths is covered by the approval of the wider region.
    expect(narrower).toBeGreaterThan(0)
  })

  // A finding no approval covers shows a path no approval grants (covers.ts witnessBeyond).
  it('witnessBeyond: any path it gives the target allows, and neither the baseline nor the approved target does (brute force)', async () => {
    let given = 0
    let real = 0
    let movedOffApproved = 0
    await fc.assert(
      fc.asyncProperty(editedArb, fc.array(editArb, {minLength: 1, maxLength: 2}), async ([b, t], ms) => {
        const edited = ms.reduce(mutate, t)
        const approved = await widenings(b, t)
        const wider = await widenings(b, edited)
        // Approving every finding of (b, t) grants all t widens only when none is possible.
        if ([...approved, ...wider].some((f) => f.change === 'possible-widening')) return
        const baselineDocuments = await documents(b, PLAIN)
        const [before, target, after] = [rulesRead(b), rulesRead(t), rulesRead(edited)]
        for (const f of wider) {
          // With the repository's files known or not (a real file where one fits, else a path made up).
          const witness = await witnessBeyond(
            f,
            baselineDocuments,
            approved.map((a) => a.access),
            given % 2 === 0 ? context.paths : undefined,
          )
          if (witness === undefined) continue
          given++
          const about = `baseline ${show(b)}\napproved ${show(t)}\nedited ${show(edited)}\n${f.rule} witness ${show(witness)}`
          expect(witnessDiffers(after, before, witness), about).toBe(true)
          expect(witnessDiffers(target, before, witness), about).toBe(false)
          if (witness.exists !== undefined)
            expect(witness.exists, about).toBe(EXISTING.includes(String(witness.path)))
          if (witness.exists === true) real++
          if (witnessDiffers(target, before, f.witness!)) movedOffApproved++
        }
      }),
      RUNS,
    )
    // Not vacuous: paths were given, real files among them, some instead of an approved path.
    expect(given).toBeGreaterThan(5)
    expect(real).toBeGreaterThan(0)
    expect(movedOffApproved).toBeGreaterThan(0)
  })

  it('witnessBeyond: no owner approved on /.github/, the agent unowns every .github/: the witness is outside /.github/', async () => {
    const repo = (rules: RuleJson[]): Repo => ({CODEOWNERS: rules})
    const base = repo([{pattern: '*', owners: ['@alice']}])
    const [approved] = await widenings(
      base,
      repo([
        {pattern: '*', owners: ['@alice']},
        {pattern: '/.github/', owners: []},
      ]),
    )
    const [finding, ...others] = await widenings(
      base,
      repo([
        {pattern: '*', owners: ['@alice']},
        {pattern: '.github/', owners: []},
      ]),
    )
    expect(others).toEqual([])
    // The comparison's own choice, a real sensitive file, lies in the approved region.
    expect(String(finding!.witness!.path)).toMatch(/^\.github\//)
    const baselineDocuments = await documents(base, PLAIN)
    const witness = await witnessBeyond(finding!, baselineDocuments, [approved!.access])
    expect(witness).toMatchObject({owner: 'no owner'})
    expect(witness).not.toHaveProperty('exists')
    expect(String(witness!.path)).toMatch(/^[^/]+\/\.github\/[^/]+$/)
    // With the repository's files known: a real one, a sensitive one first (as the comparison's).
    const files = async () => ['README.md', '.github/x', 'a/.github/notes.md', 'deploy/.github/ci.yml']
    expect(await witnessBeyond(finding!, baselineDocuments, [approved!.access], files)).toMatchObject({
      path: 'deploy/.github/ci.yml',
      exists: true,
    })
    // Nothing beyond the approved region: none is given.
    expect(await witnessBeyond(approved!, baselineDocuments, [approved!.access])).toBeUndefined()
  })

  it('restateFinding: a path another baseline rule decided names that rule (before: …), its location and diff', async () => {
    const repo = (rules: RuleJson[]): Repo => ({CODEOWNERS: rules})
    const base = repo([
      {pattern: '*', owners: ['@alice']},
      {pattern: '/infra/', owners: ['@alice', '@ops']},
    ])
    const target = repo([{pattern: '*', owners: ['@alice', '@bob']}])
    const [finding, ...others] = await widenings(base, target)
    expect(others).toEqual([])
    const sides = {baseline: await documents(base, PLAIN), target: await documents(target, PLAIN)}
    const at = (path: string) => restateFinding(finding!, {...finding!.witness, path, exists: false}, sides)!
    expect(at('infra/main.tf').message).toBe(
      '@bob can now approve changes to infra/main.tf (no such file yet): "*" names @alice @bob (before: @alice @ops ("/infra/")).',
    )
    expect(at('infra/main.tf').baselineLocation).toMatchObject({file: 'CODEOWNERS', pointer: '/rules/1'})
    const outside = at('a/x.js')
    expect(outside.message).toBe(
      '@bob can now approve changes to a/x.js (no such file yet): "*" names @alice @bob (before: @alice).',
    )
    expect(outside.before).toEqual({pattern: '*', owners: ['@alice']})
    expect(outside.baselineLocation).toMatchObject({file: 'CODEOWNERS', pointer: '/rules/0'})
    expect(outside).toMatchObject({id: finding!.id, pointer: finding!.pointer, severity: finding!.severity})
  })

  // What attribution and history tell for each commit's path, and the witness beyond the approvals.
  it('restateFinding, across every path of a finding: the finding itself at its own witness; elsewhere the rules the brute force says decide that path', async () => {
    let restated = 0
    await fc.assert(
      fc.asyncProperty(fc.oneof(pairArb, editedArb), async ([b, t]) => {
        const {findings} = await compare(b, t)
        const sides = {baseline: await documents(b, PLAIN), target: await documents(t, PLAIN)}
        const [before, after] = [rulesRead(b), rulesRead(t)]
        const view = (rules: RuleJson[], path: string) => {
          const rule = rules[decidingIndex(rules, path)]
          return rule === undefined ? null : {pattern: rule.pattern, owners: rule.owners}
        }
        for (const f of findings.filter((x) => x.change === 'widening')) {
          const context = `${f.rule} ${show(f.witness)}\nbaseline ${show(b)}\ntarget ${show(t)}`
          const own = restateFinding(f, f.witness!, sides)!
          expect(own, context).toEqual(f)
          const group = groupOf(f, after)
          for (const path of UNIVERSE) {
            if (!widens(before, after, path) || !expectedGroups(before, after, path).includes(group)) continue
            const witness = {...f.witness, path, exists: EXISTING.includes(path)}
            const told = restateFinding(f, witness, sides)!
            const at = `${context}\nat ${path}`
            expect([told.before, told.after], at).toEqual([view(before, path), view(after, path)])
            expect(told, at).toMatchObject({id: f.id, rule: f.rule, severity: f.severity, access: f.access})
            expect(told.message, at).toBe(await codeowners.describe(told, witness))
            expect(told.message.split(/[ :]/), at).toContain(path)
            restated++
          }
        }
      }),
      PAIR_RUNS,
    )
    // Not vacuous: findings are restated at many paths.
    expect(restated).toBeGreaterThan(PAIR_RUNS.numRuns)
  })

  it('the removal of every owner of /docs/** approved covers a removal on /docs/api/**, not on /src/**', async () => {
    const repo = (rules: RuleJson[]): Repo => ({'.github/CODEOWNERS': rules})
    const base = repo([{pattern: '*', owners: ['@alice']}])
    const approved = await widenings(
      base,
      repo([
        {pattern: '*', owners: ['@alice']},
        {pattern: '/docs/**', owners: []},
      ]),
    )
    const covered = async (pattern: string) =>
      Promise.all(
        (
          await widenings(
            base,
            repo([
              {pattern: '*', owners: ['@alice']},
              {pattern, owners: []},
            ]),
          )
        ).map(async (f) => (await approvalCovering(approved, f)) !== undefined),
      )
    expect(await covered('/docs/api/**')).toEqual([true])
    expect(await covered('/src/**')).toEqual([false])
    expect(await covered('docs/')).toEqual([false])
  })
})
