// Verified humans (opt-in: `policy.requireSignedApprovals`). An agent that runs in the
// developer's shell has the developer's git identity, so an approver's name on a commit proves
// nothing about who made it; a signature made with the approver's key, which the agent does not
// hold, does. With the policy on, approvals, baseline updates and approver-list changes count
// only in commits whose SSH signature git verifies against the allowed-signers file kept in
// .acldrift/ — the reference's version of it. Adding a key there is itself a widening of who
// may approve (approver-added), like adding an approver.

import {pendingSigningKey, verifiedSigners} from '../../git/index.js'
import type {CommitInfo} from '../../kernel/types.js'
import {type Protected, protectedFinding} from './protected.js'
import type {VersionCache} from './versions.js'

/** The allowed-signers file (ssh-keygen(1), "ALLOWED SIGNERS"), relative to the repository root. */
export const ALLOWED_SIGNERS_FILE = '.acldrift/allowed_signers'

/** Each verified commit's signer (the allowed-signers principal), when signatures are required; undefined when not. */
export type Signed = ReadonlyMap<string, string> | undefined

/**
 * The verified signers of the commits. The commit being made is not signed yet: it counts as
 * its author's when git is set to sign it with a key the file lists for that author (the hook's
 * view; the audit verifies the commit once made).
 */
export async function signedCommits(
  root: string,
  allowedSigners: Buffer | undefined,
  commits: Iterable<CommitInfo | null>,
): Promise<Map<string, string>> {
  if (allowedSigners === undefined) return new Map()
  const all = [...commits].filter((c): c is CommitInfo => c !== null)
  const shas = all.flatMap((c) => (c.pending ? [] : [c.sha]))
  const out = await verifiedSigners(root, shas, allowedSigners)
  const pending = all.find((c) => c.pending)
  if (pending !== undefined) {
    const key = await pendingSigningKey(root)
    const email = pending.author.email.toLowerCase()
    if (key !== undefined && signerKeys(allowedSigners).has(`${email} ${key}`)) out.set(pending.sha, email)
  }
  return out
}

/** Why a commit by a listed approver does not count under the policy, or undefined when it does. */
export function unsignedWhy(commit: CommitInfo, signed: Signed, where: string): string | undefined {
  if (signed === undefined) return undefined
  const signer = signed.get(commit.sha)
  if (signer === undefined && commit.pending)
    return `${where} will not be signed with ${commit.author.email}'s key listed in ${ALLOWED_SIGNERS_FILE} (policy.requireSignedApprovals: commit.gpgsign, gpg.format ssh, user.signingkey)`
  if (signer === undefined)
    return `${where} by ${commit.author.email} is not signed with a key listed in ${ALLOWED_SIGNERS_FILE} (policy.requireSignedApprovals)`
  if (signer.toLowerCase() !== commit.author.email.toLowerCase())
    return `${where} is signed by ${signer}'s key, not by its author ${commit.author.email}`
  return undefined
}

/** The principals of an allowed-signers file and the key each may sign with. */
function signerKeys(content: Buffer | undefined): Set<string> {
  const keys = new Set<string>()
  for (const raw of content?.toString('utf8').split('\n') ?? []) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const fields = line.split(/\s+/)
    const key = fields.findIndex((f) => /^(ssh-|ecdsa-|sk-)/.test(f))
    if (key < 1) continue
    for (const principal of fields[0]!.split(','))
      keys.add(`${principal.toLowerCase()} ${fields[key + 1] ?? ''}`)
  }
  return keys
}

/** Keys added to the allowed-signers file since the reference: each lets one more identity approve. */
export function signerChanges(
  before: Map<string, Buffer>,
  after: Map<string, Buffer>,
  versions: VersionCache,
): Protected[] {
  const old = signerKeys(before.get(ALLOWED_SIGNERS_FILE))
  return [...signerKeys(after.get(ALLOWED_SIGNERS_FILE))]
    .filter((key) => !old.has(key))
    .map((key) => {
      const [principal, material] = key.split(' ') as [string, string]
      const short = `${material.slice(0, 12)}…`
      return {
        finding: protectedFinding({
          file: ALLOWED_SIGNERS_FILE,
          rule: 'approver-added',
          severity: 'high',
          message: `${ALLOWED_SIGNERS_FILE}: a key (${short}) added for ${principal}: commits it signs count as ${principal}'s approvals.`,
          witness: {signer: principal, key: material},
          pointer: null,
          line: null,
          before: null,
          after: key,
        }),
        path: ALLOWED_SIGNERS_FILE,
        holds: async (blob) =>
          (await versions.get(blob, 'signers', async (content) => signerKeys(content)))?.has(key) ?? false,
      }
    })
}
