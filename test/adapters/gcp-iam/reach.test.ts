// Differential tests of the GCP IAM reach (src/adapters/gcp-iam/reach.ts): on random repositories
// of several policies and custom role definitions, one file each, and one random edit (a role's
// permissions, stage or name, a role added or removed, a policy's binding re-pointed, a member
// added, a policy added or removed), compareGcp given only the documents the change reaches finds
// exactly what it finds given them all, notes included; the reach found on the skeletons of the
// unchanged documents (as the hook finds it, from a snapshot's layout: detect.ts gcpSkeleton) is
// the same as on the documents. The same property refutes a reach that leaves out the policies
// binding a changed role, and one that leaves out the definitions of the roles a changed policy
// binds.

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compareGcp} from '../../../src/adapters/gcp-iam/compare.js'
import {gcpSkeleton} from '../../../src/adapters/gcp-iam/detect.js'
import {reachOf} from '../../../src/adapters/gcp-iam/reach.js'
import {canonicalJson} from '../../../src/kernel/hash.js'
import type {Document} from '../../../src/kernel/types.js'
import {propertyRuns} from '../property-runs.js'

type Json = Record<string, unknown>
const ROLES = ['projects/p/roles/reader', 'projects/p/roles/writer', 'organizations/1/roles/auditor']
const PERMISSIONS = ['storage.objects.get', 'storage.objects.delete', 'iam.serviceAccounts.actAs']
const MEMBERS = [
  'user:alice@example.com',
  'group:devs@example.com',
  'allUsers',
  'serviceAccount:ci@p.iam.gserviceaccount.com',
]

const roleArb = (name: string): fc.Arbitrary<Json> =>
  fc
    .record({
      permissions: fc.uniqueArray(fc.constantFrom(...PERMISSIONS), {maxLength: 2}),
      disabled: fc.boolean(),
    })
    .map(({permissions, disabled}) => ({
      name,
      title: name.split('/').at(-1),
      includedPermissions: permissions,
      stage: disabled ? 'DISABLED' : 'GA',
    }))
const bindingArb: fc.Arbitrary<Json> = fc.record({
  role: fc.constantFrom(...ROLES, 'roles/viewer', 'roles/storage.objectViewer'),
  members: fc.uniqueArray(fc.constantFrom(...MEMBERS), {minLength: 1, maxLength: 2}),
})
const policyArb: fc.Arbitrary<Json> = fc
  .array(bindingArb, {minLength: 1, maxLength: 3})
  .map((bindings) => ({bindings, etag: 'BwX=', version: 1}))

/** Files by path: up to 6 policies, and each role defined at most once (once in two files, rarely). */
type Repo = Map<string, Json>
const repoArb: fc.Arbitrary<Repo> = fc
  .tuple(
    fc.array(policyArb, {minLength: 1, maxLength: 6}),
    fc.subarray(ROLES),
    fc.constantFrom(false, false, false, false, true),
  )
  .chain(([policies, names, twice]) =>
    fc.tuple(...names.map((name) => roleArb(name))).map((roles) => {
      const repo: Repo = new Map()
      policies.forEach((p, i) => repo.set(`iam/policies/p${i}.json`, p))
      for (const role of roles) repo.set(`iam/roles/${String(role.title)}.yaml`, role)
      if (twice && roles.length > 0) repo.set('iam/roles/copy.yaml', roles[0]!)
      return repo
    }),
  )

const editArb = fc.record({
  how: fc.constantFrom(
    'role',
    'role',
    'role',
    'drop-role',
    'rename-role',
    'rebind',
    'member',
    'new-policy',
    'drop-policy',
  ),
  at: fc.nat(),
  name: fc.constantFrom(...ROLES),
  role: fc.constantFrom(...ROLES).chain(roleArb),
  binding: bindingArb,
  member: fc.constantFrom(...MEMBERS),
  policy: policyArb,
})

function edited(repo: Repo, edit: typeof editArb extends fc.Arbitrary<infer E> ? E : never): Repo {
  const copy = new Map([...repo].map(([k, v]) => [k, structuredClone(v)]))
  const keys = [...copy.keys()]
  const roles = keys.filter((k) => k.startsWith('iam/roles/'))
  const policies = keys.filter((k) => k.startsWith('iam/policies/'))
  const pick = (list: string[]) => list[edit.at % Math.max(list.length, 1)]
  const role = pick(roles)
  const policy = pick(policies)
  if (edit.how === 'role') {
    const key = roles.find((k) => copy.get(k)!.name === edit.role.name)
    copy.set(key ?? `iam/roles/${String(edit.role.title)}.yaml`, edit.role)
  } else if (edit.how === 'drop-role' && role) copy.delete(role)
  else if (edit.how === 'rename-role' && role) copy.get(role)!.name = edit.name
  else if (edit.how === 'rebind' && policy) {
    const bindings = copy.get(policy)!.bindings as Json[]
    bindings[edit.at % bindings.length] = edit.binding
  } else if (edit.how === 'member' && policy) {
    const bindings = copy.get(policy)!.bindings as Json[]
    const b = bindings[edit.at % bindings.length]!
    b.members = [...new Set([...(b.members as string[]), edit.member])]
  } else if (edit.how === 'new-policy') copy.set('iam/policies/new.json', edit.policy)
  else if (edit.how === 'drop-policy' && policy) copy.delete(policy)
  return copy
}

const documents = (repo: Repo): Map<string, Document> =>
  new Map(
    [...repo].map(([path, value]): [string, Document] => [
      path,
      {
        path,
        value,
        kind: 'gcp-iam',
        hash: canonicalJson(value),
        sourceMap: {locate: () => ({line: 1, column: 1})},
      },
    ]),
  )

/** The keys whose documents differ between the sides (added, removed or edited). */
const differing = (baseline: Map<string, Document>, target: Map<string, Document>) =>
  [...new Set([...baseline.keys(), ...target.keys()])].filter((k) => {
    const [a, b] = [baseline.get(k), target.get(k)]
    return a === undefined || b === undefined || canonicalJson(a.value) !== canonicalJson(b.value)
  })

type Reach = (baseline: Map<string, Document>, target: Map<string, Document>) => Set<string> | undefined

/**
 * A random edit of a random repository: `reach` found on the skeletons of the unchanged documents
 * is the same as on the documents, and comparing the documents it reaches finds what comparing
 * them all finds. `counts.limited`: the runs in which it left a document out.
 */
function reachProperty(reach: Reach, counts: {limited: number}) {
  return fc.property(repoArb, editArb, (repo, edit) => {
    const [baseline, target] = [documents(repo), documents(edited(repo, edit))]
    const keys = [...new Set([...baseline.keys(), ...target.keys()])]
    const changed = differing(baseline, target)
    // As the hook has them: each unchanged document's skeleton, read back from the layout's JSON.
    const skeletal = (docs: Map<string, Document>) =>
      new Map(
        [...docs].map(([key, d]) => [
          key,
          changed.includes(key)
            ? d
            : {...d, value: JSON.parse(JSON.stringify(gcpSkeleton(d.value))) as unknown},
        ]),
      )
    const reached = reach(skeletal(baseline), skeletal(target))
    expect(reached).toEqual(reach(baseline, target))
    const given = (docs: Map<string, Document>) =>
      reached === undefined ? docs : new Map([...docs].filter(([key]) => reached.has(key)))
    if (reached !== undefined && reached.size < keys.length) counts.limited++
    expect(compareGcp(given(baseline), given(target), changed)).toEqual(compareGcp(baseline, target, changed))
  })
}

/** Whether the property finds a random edit for which `reach` (unsound) changes what is found. */
function refutes(reach: Reach, seed: number): boolean {
  const result = fc.check(reachProperty(reach, {limited: 0}), {
    ...propertyRuns(seed, 100),
    endOnFailure: true,
  })
  return result.failed && (result.errorInstance as Error).name === 'AssertionError'
}

describe('gcp-iam reach-limited comparison', () => {
  it('finds exactly what the whole-kind comparison finds, the reach found on skeletons as on documents', () => {
    const counts = {limited: 0}
    fc.assert(reachProperty(reachOf, counts), propertyRuns(31, 100))
    // The property is about the limited path: it must be taken in most runs.
    expect(counts.limited).toBeGreaterThan(50)
  })

  it('is refuted for a reach without the policies binding a changed role, or without the roles a changed policy binds', () => {
    const changedOnly = (baseline: Map<string, Document>, target: Map<string, Document>) => ({
      differ: differing(baseline, target),
      all: reachOf(baseline, target),
    })
    // Unsound by hand: the reach of the changed policies' roles only (no policy a role reaches) ...
    const noBinders: Reach = (baseline, target) => {
      const {differ, all} = changedOnly(baseline, target)
      const roles = (docs: Map<string, Document>) =>
        [...docs].filter(([, d]) => 'includedPermissions' in (d.value as Json))
      const definitions = new Set([...roles(baseline), ...roles(target)].map(([k]) => k))
      return all && new Set([...all].filter((k) => differ.includes(k) || definitions.has(k)))
    }
    // ... and the reach of the changed documents and the policies binding changed roles, no definitions.
    const noDefinitions: Reach = (baseline, target) => {
      const {differ, all} = changedOnly(baseline, target)
      return all && new Set([...all].filter((k) => differ.includes(k) || k.startsWith('iam/policies/')))
    }
    expect(refutes(noBinders, 32)).toBe(true)
    expect(refutes(noDefinitions, 33)).toBe(true)
  })
})
