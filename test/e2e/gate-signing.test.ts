// Verified humans (issue 13, item 5; the README's "Approvals, policy and protected files"):
// `policy.requireSignedApprovals` with an allowed-signers file in .acldrift/. Real keys made
// with ssh-keygen, real SSH-signed commits, acldrift's git hooks from `acldrift init --hook git`.
// The attacker is an agent in the developer's shell: her git identity, none of her evidence
// markers, and no access to her key (or a key of its own). It cannot approve; she can.

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {makeTempDir, runCli, runHermetic} from '../helpers/repo.js'
import {repoFactory} from './helpers.js'
import {audit, dump, git, trust, CONFIG, APPROVALS, TRUST, initialisedWithTrust} from './gate-scenarios.js'

const newRepo = repoFactory()
const SLOW = 240_000
const SIGNERS = '.acldrift/allowed_signers'
const ALICE = 'alice@example.com'

/** A new ed25519 key pair (ssh-keygen); returns the private key's path and the public key line. */
async function sshKey(dir: string, name: string): Promise<{path: string; pub: string}> {
  const path = join(dir, name)
  const made = await runHermetic('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path], {
    cwd: dir,
  })
  expect(made.code, dump(made)).toBe(0)
  return {path, pub: (await readFile(`${path}.pub`, 'utf8')).trim()}
}

/** Git settings that sign with `key` (what Alice has in her own global config; the agent's sandbox has none). */
const signingWith = (key: string) => [
  '-c',
  'gpg.format=ssh',
  '-c',
  `user.signingkey=${key}`,
  '-c',
  'commit.gpgsign=true',
]

describe('policy.requireSignedApprovals', () => {
  it(
    "an agent with the developer's identity but not her key cannot approve; her signed approval counts",
    async () => {
      const keys = await makeTempDir('acldrift-keys-')
      const alice = await sshKey(keys, 'alice')
      const mallory = await sshKey(keys, 'agent')
      const r = await initialisedWithTrust(newRepo)
      const config = await readFile(join(r.dir, CONFIG), 'utf8')
      await r.write(
        CONFIG,
        config.replace('  failOn: widening\n', '  failOn: widening\n  requireSignedApprovals: true\n'),
      )
      await r.write(SIGNERS, `${ALICE} ${alice.pub}\n`)
      await r.stage()
      const setUp = await git(
        r,
        {},
        ...signingWith(alice.path),
        'commit',
        '-m',
        'Set up acldrift, signed approvals',
      )
      expect(setUp.code, dump(setUp)).toBe(0)

      // The agent, as Alice (her identity, no agent markers), widens the trust without the hook …
      await r.write(TRUST, trust('0.0.0.0/0'))
      await r.stage(TRUST)
      expect((await git(r, {}, 'commit', '--no-verify', '-m', 'Partner sync from anywhere')).code).toBe(0)
      const [open] = (await audit(r)).findings.filter((f) => f.kind === 'aws-iam' && f.change === 'widening')
      expect(open).toBeDefined()

      // … and approves it in a commit of its own: unsigned (her hook blocks it, the audit too) …
      const approve = [
        'approve',
        open!.id,
        '--ref',
        'HEAD',
        '--reason',
        'Partner sync',
        '--expires',
        '2099-12-31',
      ]
      expect((await runCli(approve, {cwd: r.dir})).code).toBe(0)
      await r.stage(APPROVALS)
      const unsigned = await git(r, {}, 'commit', '-m', 'Approve the partner sync')
      expect(unsigned.code, dump(unsigned)).not.toBe(0)
      expect(unsigned.stderr).toContain('will not be signed')
      expect((await git(r, {}, 'commit', '--no-verify', '-m', 'Approve the partner sync')).code).toBe(0)
      let judged = await audit(r)
      expect(judged.code).toBe(1)
      expect(judged.findings.find((f) => f.id === open!.id)!.approval).toMatchObject({
        valid: false,
        status: 'self-approval',
      })
      expect(JSON.stringify(judged.findings)).toContain('not signed with a key listed')

      // … signed with a key of its own: not in the allowed signers, it verifies as nobody's.
      await r.git('reset', '--quiet', '--hard', 'HEAD~1')
      expect((await runCli(approve, {cwd: r.dir})).code).toBe(0)
      await r.stage(APPROVALS)
      expect(
        (await git(r, {}, ...signingWith(mallory.path), 'commit', '--no-verify', '-m', 'Approve')).code,
      ).toBe(0)
      expect((await audit(r)).code).toBe(1)

      // … or with its key added to the allowed signers in the same commit: an approver-added widening.
      await r.git('reset', '--quiet', '--hard', 'HEAD~1')
      expect((await runCli(approve, {cwd: r.dir})).code).toBe(0)
      await r.write(SIGNERS, `${ALICE} ${alice.pub}\n${ALICE} ${mallory.pub}\n`)
      await r.stage(APPROVALS, SIGNERS)
      expect(
        (await git(r, {}, ...signingWith(mallory.path), 'commit', '--no-verify', '-m', 'Approve')).code,
      ).toBe(0)
      judged = await audit(r)
      expect(judged.code).toBe(1)
      expect(judged.findings.find((f) => f.id === open!.id)!.approval).toMatchObject({valid: false})
      const signer = judged.findings.find((f) => f.rule === 'approver-added' && f.file === SIGNERS)
      expect(signer?.approval ?? null).toBeNull()

      // Alice approves it herself, signed with her key: her hook lets it through, and it counts.
      await r.git('reset', '--quiet', '--hard', 'HEAD~1')
      expect((await runCli(approve, {cwd: r.dir})).code).toBe(0)
      await r.stage(APPROVALS)
      const signed = await git(r, {}, ...signingWith(alice.path), 'commit', '-m', 'Approve the partner sync')
      expect(signed.code, dump(signed)).toBe(0)
      judged = await audit(r)
      expect(judged.code).toBe(0)
      expect(judged.findings.find((f) => f.id === open!.id)!.approval).toMatchObject({valid: true})
    },
    SLOW,
  )
})
