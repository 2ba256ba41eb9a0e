// Property tests: the _template comparison against the independent brute-force evaluator over a
// small finite universe of requests. Each case is a random file on each side, or a file and a
// small edit of it (the realistic case of a change under review). "Sound before precise": a
// request the target allows and the baseline does not must never go unreported, and every
// witness must be a request that really differs.

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {templateKind} from '../../../src/adapters/_template/index.js'
import {compareTemplateKindFile} from '../../../src/adapters/_template/compare.js'
import {DEFAULT_ADAPTER_SETTINGS} from '../../../src/adapters/index.js'
import type {Document, Finding} from '../../../src/kernel/types.js'
import {perFamily, propertyRuns} from '../property-runs.js'
import {allows, differing, type GrantJson, requestOf, type TemplateKindJson} from './brute-force.js'

const RUNS = propertyRuns(7, 200)

// --- the universe ------------------------------------------------------------------------

const SUBJECTS = ['user:alice', 'user:bob', 'service:ci', 'user:zed']
const PERMISSIONS = ['docs.read', 'docs.write', 'billing.read', 'x']
const SUBJECT_PATTERNS = ['user:alice', 'user:bob', 'service:ci', 'user:*', 'user:?ob', '*']
const PERMISSION_PATTERNS = ['docs.read', 'docs.write', 'docs.*', 'billing.read', '*']

// --- generators ---------------------------------------------------------------------------

const grantArb: fc.Arbitrary<GrantJson> = fc.record({
  subject: fc.constantFrom(...SUBJECT_PATTERNS),
  permission: fc.constantFrom(...PERMISSION_PATTERNS),
})
const fileArb: fc.Arbitrary<TemplateKindJson> = fc
  .array(grantArb, {maxLength: 4})
  .map((grants) => ({apiVersion: 'acldrift.dev/_template/v1', grants}))

/** A grant added, removed or replaced. */
const editedArb = fileArb.chain((file) =>
  fc.tuple(fc.constant(file), fc.nat(), grantArb, fc.integer({min: 0, max: 2})).map(([, at, grant, op]) => {
    const grants = [...file.grants]
    if (op === 0 || grants.length === 0) grants.push(grant)
    else if (op === 1) grants.splice(at % grants.length, 1)
    else grants[at % grants.length] = grant
    return [file, {...file, grants}] as const
  }),
)

// --- the comparison against the brute force ---------------------------------------------------

const FILE = 'access/grants.yaml'
const doc = (value: TemplateKindJson): Document => ({
  path: FILE,
  value,
  kind: templateKind.kind,
  hash: '0',
  sourceMap: {locate: () => ({line: 1, column: 1})},
})

function check(baseline: TemplateKindJson, target: TemplateKindJson): void {
  const {findings} = compareTemplateKindFile(FILE, doc(baseline), doc(target))
  const context = JSON.stringify({baseline: baseline.grants, target: target.grants})
  for (const f of findings) {
    expect(f.change, `${context}: ${f.message}`).not.toBe('possible-widening')
    const request = requestOf(f.witness)
    const [more, less] = f.change === 'widening' ? [target, baseline] : [baseline, target]
    expect(allows(more, request) && !allows(less, request), `${context}: ${f.message}`).toBe(true)
  }
  // Every grant that allows a request of the universe the other side does not has its finding.
  const sides = [
    {change: 'widening', more: target, less: baseline, pointerOf: (f: Finding) => f.pointer},
    {
      change: 'narrowing',
      more: baseline,
      less: target,
      pointerOf: (f: Finding) => f.baselineLocation?.pointer,
    },
  ] as const
  for (const {change, more, less, pointerOf} of sides) {
    more.grants.forEach((grant, index) => {
      const alone = {...more, grants: [grant]}
      if (differing(alone, less, SUBJECTS, PERMISSIONS).length === 0) return
      const reported = findings.some((f) => f.change === change && pointerOf(f) === `/grants/${index}`)
      expect(reported, `${context}: ${change} by grant ${index} not reported`).toBe(true)
    })
  }
}

describe('_template comparison against the brute force', () => {
  it('random pairs of files', () => {
    fc.assert(
      fc.property(fileArb, fileArb, (baseline, target) => check(baseline, target)),
      perFamily(RUNS),
    )
  })

  it('a file and a small edit of it, both ways', () => {
    fc.assert(
      fc.property(editedArb, ([file, edited]) => {
        check(file, edited)
        check(edited, file)
      }),
      perFamily(RUNS),
    )
  })

  it('allows (what semantic blame asks) decides every request as the brute force does', async () => {
    await fc.assert(
      fc.asyncProperty(fileArb, async (file) => {
        for (const subject of SUBJECTS)
          for (const permission of PERMISSIONS) {
            const witness = {subject, permission}
            const answer = await templateKind.allows(file, witness, FILE, new Map(), DEFAULT_ADAPTER_SETTINGS)
            expect(answer, JSON.stringify({file: file.grants, witness})).toBe(allows(file, witness))
          }
      }),
      RUNS,
    )
  })
})
