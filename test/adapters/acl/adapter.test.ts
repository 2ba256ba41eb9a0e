// What the acl adapter recognises and how it holds up (its fixture cases are checked by the one
// runner, test/adapters/fixtures.test.ts): files with the marker only, the history filters'
// field names, thousands of nested groups, and a comparison cut short that is never a pass.

import {describe, expect, it} from 'vitest'
import {compareAclFile} from '../../../src/adapters/acl/compare.js'
import {acl} from '../../../src/adapters/acl/index.js'
import {expectCutShort} from '../truncation.js'
import type {Document} from '../../../src/kernel/types.js'
import {DEFAULT_ADAPTER_SETTINGS} from '../../../src/adapters/index.js'
import {validateValue} from '../../../src/core/validate.js'

/** The file's name in every comparison (what \`file\` says). */
const FILE = 'acl'

describe('acl detection by content', () => {
  it('claims files with the marker, any version, and YAML streams holding one', () => {
    expect(acl.detect({apiVersion: 'acldrift.dev/acl/v1', grants: []})).toBe(true)
    expect(acl.detect({apiVersion: 'acldrift.dev/acl/v2'})).toBe(true)
    expect(acl.detect([{apiVersion: 'acldrift.dev/acl/v1', grants: []}, {}])).toBe(true)
  })

  it('does not claim other kinds or other YAML', () => {
    expect(acl.detect({Version: '2012-10-17', Statement: []})).toBe(false)
    expect(acl.detect({bindings: [{role: 'roles/viewer', members: ['user:a@example.com']}]})).toBe(false)
    expect(acl.detect({apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', rules: []})).toBe(false)
    expect(acl.detect({groups: {sre: {members: []}}, grants: []})).toBe(false)
    expect(acl.detect('acldrift.dev/acl/v1')).toBe(false)
  })

  it('fails closed on broken text that carries the marker', () => {
    expect(acl.looksLike('apiVersion: acldrift.dev/acl/v1\ngrants:\n  - effect: allow\n   subjects: [')).toBe(
      true,
    )
    expect(acl.looksLike('{"apiVersion": "acldrift.dev/acl/v1", "grants": [')).toBe(true)
    expect(acl.looksLike('groups:\n  sre: [\n')).toBe(false)
  })

  it('reads `principal` and `action` (the history filters) as subject and permission', async () => {
    const value = {
      apiVersion: 'acldrift.dev/acl/v1',
      grants: [{effect: 'allow', subjects: ['user:*'], permissions: ['docs.read'], resources: ['docs/*']}],
    }
    const witness = {subject: 'service:ci', permission: 'docs.read', resource: 'docs/a'}
    const allows = (w: Record<string, unknown>) =>
      acl.allows(value, w, FILE, new Map(), DEFAULT_ADAPTER_SETTINGS)
    expect(await allows(witness)).toBe(false)
    expect(await allows({...witness, principal: 'user:ann'})).toBe(true)
    expect(await allows({...witness, principal: 'user:ann', action: 'docs.write'})).toBe(false)
  })

  it('answers false, never throws, for versions that are not ACLs', async () => {
    const witness = {subject: 'user:a', permission: 'p', resource: 'r'}
    for (const value of [null, 3, 'x', [], {apiVersion: 'acldrift.dev/acl/v1', grants: 'no'}])
      expect(await acl.allows(value, witness, FILE, new Map(), DEFAULT_ADAPTER_SETTINGS)).toBe(false)
  })
})

describe('acl robustness', () => {
  /** A chain of `n` nested groups, the last one closing a cycle when asked. */
  function chain(n: number, cycle: boolean): Document {
    const groups: Record<string, {members: string[]}> = {}
    for (let i = 0; i < n; i++) groups[`g${i}`] = {members: [i + 1 < n ? `group:g${i + 1}` : 'user:last']}
    if (cycle) groups[`g${n - 1}`]!.members.push('group:g0')
    const value = {
      apiVersion: 'acldrift.dev/acl/v1',
      groups,
      grants: [{effect: 'allow', subjects: ['group:g0'], permissions: ['p'], resources: ['r']}],
    }
    return {path: FILE, value, kind: 'acl', hash: '0', sourceMap: {locate: () => ({line: 1, column: 1})}}
  }

  it('follows thousands of nested groups without exhausting the stack', async () => {
    expect(await validateValue('acl', chain(20_000, false))).toEqual([])
    const {findings} = compareAclFile(FILE, undefined, chain(20_000, false))
    expect(findings.map((f) => [f.rule, f.witness?.subject])).toEqual([['grant-added', 'user:last']])
    const problems = await validateValue('acl', chain(20_000, true))
    expect(problems.map((p) => p.pointer)).toEqual(['/groups/g19999/members/1'])
    expect(problems[0]!.message).toBe(
      'group cycle: group:g0 → group:g1 → group:g2 → group:g3 → … (19994 more) → group:g19998 → group:g19999 → group:g0 (a group cannot contain itself)',
    )
  })

  it('a comparison cut short is a finding no approval covers, never a pass', async () => {
    const acl = (members: string[]) => ({
      path: FILE,
      kind: 'acl' as const,
      hash: '0',
      sourceMap: {locate: () => ({line: 1, column: 1})},
      value: {
        apiVersion: 'acldrift.dev/acl/v1',
        groups: {ops: {members}},
        grants: [
          {
            effect: 'allow',
            subjects: ['group:ops'],
            permissions: [...Array(50).keys()].map((i) => `svc.p${i}`),
            resources: [...Array(50).keys()].map((i) => `r${i}`),
          },
        ],
      },
    })
    const {findings, notes} = compareAclFile(FILE, acl(['user:ann']), acl(['user:ann', 'user:mallory']))
    expect(notes).toEqual([expect.stringContaining('more than 2000 widening cells')])
    expect(findings.map((f) => [f.change, f.rule])).toEqual([
      ['widening', 'group-member-added'],
      ['possible-widening', 'comparison-truncated'],
    ])
    const cut = await expectCutShort(findings, '/grants')
    expect(cut.severity).toBe('high')
    // The first request past the cut: mallory, through the group, on a permission the listing never reached.
    expect(cut.witness).toMatchObject({
      subject: 'user:mallory',
      permission: expect.stringMatching(/^svc\.p/) as unknown,
    })
    expect(cut.message).toContain('The first request not listed: user:mallory now has svc.p')
  })

  it('a grant acldrift cannot decide keeps the severity it would have if it allowed what it might', () => {
    // Two condition patterns whose product has more states than the glob engine explores: the
    // grant's conditions cannot be compared, so each grant is a possible widening.
    const undecidable = {ip: ['*a' + '?'.repeat(12) + '*', '*b' + '?'.repeat(12) + '*']}
    const grant = (id: string, subjects: string[], permissions: string[]) => ({
      id,
      effect: 'allow',
      subjects,
      permissions,
      resources: ['docs/*'],
      conditions: undecidable,
    })
    const version = (grants: unknown[]) => ({
      path: FILE,
      kind: 'acl' as const,
      hash: '0',
      sourceMap: {locate: () => ({line: 1, column: 1})},
      value: {apiVersion: 'acldrift.dev/acl/v1', grants},
    })
    const {findings} = compareAclFile(
      FILE,
      version([]),
      version([grant('anyone', ['*'], ['docs.read']), grant('every-user', ['user:*'], ['docs.read'])]),
    )
    // (Each undecidable grant costs a search to the engine's limit: two show both raised levels.)
    expect(findings.map((f) => [f.change, f.rule, f.pointer, f.severity])).toEqual([
      ['possible-widening', 'undecidable', '/grants/0', 'critical'],
      ['possible-widening', 'undecidable', '/grants/1', 'high'],
    ])
    for (const f of findings) expect(f.reason).toMatch(/too complex/)
  })
})
