// acldrift's own ACL format end to end: the built CLI in real git repositories, with no acldrift
// config (the file is recognised by its `apiVersion: acldrift.dev/acl/v1` marker).

import {describe, it} from 'vitest'
import {identities, runCli} from '../helpers/repo.js'
import {checkJson, commitAs, commitFiles, type Finding, repoFactory} from './helpers.js'

const FILE = 'access/acl.yaml'

const acl = (options: {oncall?: string[]; frozenDeny?: boolean; everyone?: boolean} = {}) =>
  [
    'apiVersion: acldrift.dev/acl/v1',
    'description: Payments back office (exported by backoffice-admin)',
    'groups:',
    '  finance:',
    '    members:',
    '      - user:fiona',
    '      - group:finance-oncall',
    '  finance-oncall:',
    '    members:',
    ...(options.oncall ?? ['user:gus']).map((m) => `      - ${m}`),
    'roles:',
    '  viewer:',
    '    permissions: [payments.read, payments.list]',
    '  operator:',
    '    inherits: [viewer]',
    '    permissions: [payments.refund]',
    'grants:',
    '  - id: finance-operates',
    '    effect: allow',
    `    subjects: [${options.everyone ? '"*"' : 'group:finance'}]`,
    '    roles: [operator]',
    '    resources: ["payments/*"]',
    ...(options.frozenDeny === false
      ? []
      : [
          '  - id: no-refunds-on-frozen',
          '    effect: deny',
          '    subjects: ["*"]',
          '    permissions: [payments.refund]',
          '    resources: ["payments/frozen/*"]',
        ]),
    '',
  ].join('\n')

interface Commit {
  sha: string
  pending?: boolean
  actor: {type: string; agent?: string}
}

const brief = (f: Finding) => `${f.change} ${f.severity} ${f.rule} ${f.file}:${f.line ?? '-'}`

describe.concurrent('acl end to end', () => {
  const newRepo = repoFactory()

  it('an agent that adds mallory to a nested group and another that removes a deny are both named', async ({
    expect,
  }) => {
    const r = await newRepo()
    const approved = await commitFiles(r, {[FILE]: acl()}, 'Add the back-office ACL')
    const member = await commitAs(r, identities.claudeCode, 'Give mallory on-call access', {
      [FILE]: acl({oncall: ['user:gus', 'user:mallory']}),
    })
    const deny = await commitAs(r, identities.claudeCode, 'Unblock refunds stuck on frozen accounts', {
      [FILE]: acl({oncall: ['user:gus', 'user:mallory'], frozenDeny: false}),
    })

    const {code, report, stderr} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', approved])
    expect(code, stderr).toBe(1)
    expect(report.findings.map(brief).sort()).toEqual([
      `widening high deny-removed ${FILE}:19`,
      `widening medium group-member-added ${FILE}:11`,
    ])
    const added = report.findings.find((f) => f.rule === 'group-member-added')!
    expect(added).toMatchObject({kind: 'acl', pointer: '/groups/finance-oncall/members/1'})
    expect(added.witness).toMatchObject({subject: 'user:mallory'})
    expect(added.message).toContain('group:finance through group:finance-oncall')
    expect(added.commit as Commit).toMatchObject({
      sha: member,
      actor: {type: 'agent', agent: expect.stringMatching(/claude/i)},
    })
    const removed = report.findings.find((f) => f.rule === 'deny-removed')!
    expect(removed.witness).toMatchObject({permission: 'payments.refund'})
    expect(String(removed.witness!.resource)).toMatch(/^payments\/frozen\//)
    expect(removed.commit as Commit).toMatchObject({sha: deny, actor: {type: 'agent'}})
  })

  it('a group cycle fails closed in check and validate, naming file:line', async ({expect}) => {
    const r = await newRepo()
    await commitFiles(r, {[FILE]: acl()}, 'Add the back-office ACL')
    await r.write(FILE, acl({oncall: ['user:gus', 'group:finance']}))
    const problem = `${FILE}:11:9 /groups/finance-oncall/members/1 group cycle: group:finance → group:finance-oncall → group:finance`

    const validate = await runCli(['validate'], {cwd: r.dir})
    expect(validate.code).toBe(3)
    expect(validate.stdout).toContain(problem)

    const check = await checkJson(r.dir)
    expect(check.code).toBe(3)
    expect(check.report.errors).toEqual([
      expect.objectContaining({file: FILE, line: 11, pointer: '/groups/finance-oncall/members/1'}),
    ])
    expect(check.report.errors[0]!.message).toMatch(/group cycle/)
  })

  it('the pre-commit check stops a staged grant to everyone; reordering is no change', async ({expect}) => {
    const r = await newRepo()
    await commitFiles(r, {[FILE]: acl()}, 'Add the back-office ACL')
    await r.write(FILE, acl({everyone: true}))
    await r.stage(FILE)
    const staged = await checkJson(r.dir, ['--staged'])
    expect(staged.code).toBe(1)
    expect(staged.report.findings.map(brief)).toEqual([`widening critical grant-widened ${FILE}:18`])
    expect((staged.report.findings[0]!.commit as Commit).pending).toBe(true)

    // The same access written the other way round (groups and roles reordered) is no change.
    const text = acl()
    const reordered = text
      .replace(/groups:\n([\s\S]*?)roles:\n([\s\S]*?)grants:\n/, 'roles:\n$2groups:\n$1grants:\n')
      .replace('[payments.read, payments.list]', '[payments.list, payments.read]')
    expect(reordered).not.toBe(text)
    await r.write(FILE, reordered)
    await r.stage(FILE)
    const clean = await checkJson(r.dir, ['--staged'])
    expect(clean.code, clean.report.findings.map(brief).join('\n')).toBe(0)
    expect(clean.report.findings).toEqual([])
  })
})
