// A finding no approval covers shows a request no approval grants (covers.ts witnessBeyond): the
// witness it gives is one the target allows, and neither the baseline nor any approved binding
// does, as the evaluator semantic blame asks decides it.

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {comparePolicy} from '../../../src/adapters/gcp-iam/compare.js'
import {witnessBeyond} from '../../../src/adapters/gcp-iam/covers.js'
import {allowsWitness} from '../../../src/adapters/gcp-iam/evaluate.js'
import {roleTable} from '../../../src/adapters/gcp-iam/model.js'
import type {Finding, ParsedFile} from '../../../src/kernel/types.js'
import {propertyRuns} from '../property-runs.js'

const FILE = 'iam/buckets/data.json'
const ROLE_FILE = 'iam/roles/reader.json'
const READER = 'projects/p/roles/reader'
const ROLE = {
  name: READER,
  title: 'Reader',
  includedPermissions: ['storage.objects.get', 'storage.objects.list'],
}
const ROLES = ['roles/storage.objectViewer', 'roles/viewer', 'roles/editor', READER]
const MEMBERS = [
  'user:alice@example.com',
  'user:bob@example.com',
  'group:devs@example.com',
  'domain:example.com',
  'allAuthenticatedUsers',
]
const CONDITIONS = [undefined, 'request.time < timestamp("2030-01-01T00:00:00Z")']

interface BindingSpec {
  role: string
  members: string[]
  condition: string | undefined
}
const binding = (b: BindingSpec) => ({
  role: b.role,
  members: b.members,
  ...(b.condition === undefined ? {} : {condition: {title: 't', expression: b.condition}}),
})
const policy = (bindings: BindingSpec[]) => ({bindings: bindings.map(binding)})
const parsed = (path: string, value: unknown): ParsedFile => ({
  path,
  value,
  sourceMap: {locate: () => undefined},
  hash: '',
})
const roleDocs = new Map([[ROLE_FILE, parsed(ROLE_FILE, ROLE)]])
const sides = {baseline: roleDocs, target: roleDocs}
const others = new Map<string, unknown>([[ROLE_FILE, ROLE]])
const repo = {roles: roleTable([[ROLE_FILE, ROLE]]), docs: roleDocs}
const widenings = (before: unknown, after: unknown): Finding[] =>
  comparePolicy(
    FILE,
    before === undefined ? undefined : parsed(FILE, before),
    parsed(FILE, after),
    repo,
    repo,
  ).findings.filter((f) => f.change === 'widening')
const beyond = (finding: Finding, base: unknown, target: unknown, approved: unknown[]) =>
  witnessBeyond(
    finding,
    FILE,
    base === undefined ? undefined : parsed(FILE, base),
    parsed(FILE, target),
    approved,
    sides,
  )
const allows = (value: unknown, witness: NonNullable<Finding['witness']>) =>
  allowsWitness(value, witness, FILE, others)

describe('witnessBeyond (gcp-iam)', () => {
  it('group approved on a binding, a user added besides: the witness is the user', () => {
    const base = policy([{role: READER, members: ['user:alice@example.com'], condition: undefined}])
    const approvedState = policy([
      {role: READER, members: ['user:alice@example.com', 'group:devs@example.com'], condition: undefined},
    ])
    const target = policy([
      {
        role: READER,
        members: ['user:alice@example.com', 'group:devs@example.com', 'user:mallory@example.com'],
        condition: undefined,
      },
    ])
    const [approved] = widenings(base, approvedState)
    const [finding] = widenings(base, target)
    // The comparison's own choice is the approved member.
    expect(finding!.witness?.member).toBe('group:devs@example.com')
    const witness = beyond(finding!, base, target, [approved!.access])
    expect(witness?.member).toBe('user:mallory@example.com')
    // Nothing beyond the approved binding: none is given.
    const [same] = widenings(base, approvedState)
    expect(beyond(same!, base, approvedState, [approved!.access])).toBeUndefined()
  })

  it('any witness it gives is allowed by the target and by neither the baseline nor an approved binding', () => {
    const spec = fc.record({
      role: fc.constantFrom(...ROLES),
      members: fc.subarray(MEMBERS, {minLength: 1, maxLength: 3}),
      condition: fc.constantFrom(...CONDITIONS),
    })
    let given = 0
    let movedOffApproved = 0
    fc.assert(
      fc.property(
        fc.array(spec, {maxLength: 2}),
        spec,
        spec,
        fc.subarray(MEMBERS, {maxLength: 2}),
        fc.boolean(),
        fc.boolean(),
        (baseBindings, approvedBinding, other, extra, extend, newFile) => {
          const kept = newFile ? [] : baseBindings
          const base = newFile ? undefined : policy(baseBindings)
          // The target widens the approved binding further, or adds another.
          const targetBinding = extend
            ? {...approvedBinding, members: [...new Set([...approvedBinding.members, ...extra])]}
            : other
          const approvedFindings = widenings(base, policy([...kept, approvedBinding]))
          const approved = approvedFindings.map((f) => f.access)
          const target = policy([...kept, targetBinding])
          const approvedAlone = policy([approvedBinding])
          for (const finding of widenings(base, target)) {
            const witness = beyond(finding, base, target, approved)
            if (witness === undefined) continue
            given++
            expect(allows(target, witness)).toBe(true)
            if (base !== undefined) expect(allows(base, witness)).toBe(false)
            if (approvedFindings.length > 0) expect(allows(approvedAlone, witness)).toBe(false)
            if (approvedFindings.length > 0 && allows(approvedAlone, finding.witness!)) movedOffApproved++
          }
        },
      ),
      propertyRuns(13, 120),
    )
    // Not vacuous: witnesses were given, some of them instead of an approved request.
    expect(given).toBeGreaterThan(10)
    expect(movedOffApproved).toBeGreaterThan(0)
  })
})
