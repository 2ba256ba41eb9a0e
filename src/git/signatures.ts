// Which commits carry an SSH signature that git verifies against an allowed-signers file
// (ssh-keygen(1), "ALLOWED SIGNERS"; git-config(1), gpg.ssh.allowedSignersFile). The file's
// content is given, not its path in the working tree: the caller decides which version of it
// is trusted. The repository's own settings for the verifier are overridden on the command
// line, so that a `gpg.ssh.program` written into .git/config cannot answer "good" itself.

import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'
import {runGit} from './run.js'

/**
 * The principal each commit's signature was verified for (`%G?` is `G`: good, and the key is
 * in `allowedSigners`); a commit absent from the map is unsigned or not verified.
 */
export async function verifiedSigners(
  root: string,
  shas: readonly string[],
  allowedSigners: Buffer,
): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  const wanted = [...new Set(shas)]
  if (wanted.length === 0) return out
  const dir = await mkdtemp(join(tmpdir(), 'acldrift-signers-'))
  try {
    const file = join(dir, 'allowed_signers')
    await writeFile(file, allowedSigners)
    const output = await runGit(root, [
      '-c',
      `gpg.ssh.allowedSignersFile=${file}`,
      '-c',
      'gpg.ssh.program=ssh-keygen',
      '-c',
      'gpg.ssh.revocationFile=',
      'log',
      '--no-walk=unsorted',
      '--format=%H%x00%G?%x00%GS',
      ...wanted,
      '--',
    ])
    for (const line of output.toString('utf8').split('\n')) {
      const [sha, status, signer] = line.split('\0')
      if (sha && status === 'G' && signer) out.set(sha, signer)
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
  return out
}

/**
 * The public key (its base64 part) git will sign the commit being made with: when
 * `commit.gpgsign` is on, `gpg.format` is ssh and `user.signingkey` names a key (a file, its
 * `.pub` beside it, or `key::` literal). Undefined when the commit will not be SSH-signed.
 */
export async function pendingSigningKey(root: string): Promise<string | undefined> {
  const get = async (key: string) =>
    (await runGit(root, ['config', '--get', key]).catch(() => Buffer.alloc(0))).toString('utf8').trim()
  const [sign, format, signingKey] = await Promise.all([
    get('commit.gpgsign'),
    get('gpg.format'),
    get('user.signingkey'),
  ])
  if (!['true', 'yes', 'on', '1'].includes(sign.toLowerCase()) || format !== 'ssh' || signingKey === '')
    return undefined
  let text = signingKey.startsWith('key::') ? signingKey.slice(5) : signingKey
  if (!/^(ssh-|ecdsa-|sk-)/.test(text)) {
    const path = text.replace(/^~(?=\/)/, homedir())
    text = await readFile(path.endsWith('.pub') ? path : `${path}.pub`, 'utf8').catch(() => '')
  }
  return text.trim().split(/\s+/)[1]
}
