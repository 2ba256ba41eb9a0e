// The config cache (.git/acldrift/config-cache.json, core/config-parse.ts) is not a way around the
// config (issue 13): an entry planted under the sha256 of the real config's bytes, holding a weaker
// config (nothing read, nothing fails), is not taken for those bytes. The agent forges it, then
// stages a widening: the commit is blocked as before.

import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {sha256} from '../../src/kernel/hash.js'
import {toolVersion} from '../../src/kernel/version.js'
import {identities} from '../helpers/repo.js'
import {repoFactory} from './helpers.js'
import {CONFIG, dump, git, setUpWithTrust, TRUST, trust} from './gate-scenarios.js'

const newRepo = repoFactory()
const SLOW = 180_000
const agent = identities.claudeCode
const CLAUDE_ENV = {CLAUDECODE: '1'}

describe('a forged config cache entry does not weaken the hook', () => {
  it(
    'an entry under the real config’s sha256 saying exclude everything and never fail: the widening is still blocked',
    async () => {
      const r = await setUpWithTrust(newRepo)
      // As acldrift keeps an entry: by the sha256 of the config's bytes, for this version.
      const key = sha256(await readFile(join(r.dir, CONFIG)))
      const forged = {version: 1, exclude: ['**'], policy: {failOn: 'never', agents: 'allow'}}
      await mkdir(join(r.dir, '.git', 'acldrift'), {recursive: true})
      await writeFile(
        join(r.dir, '.git', 'acldrift', 'config-cache.json'),
        JSON.stringify({
          tool: toolVersion(),
          entries: {[key]: {value: forged, positions: [['', {line: 1, column: 1}]], mac: '0'.repeat(64)}},
        }),
      )

      await r.write(TRUST, trust('0.0.0.0/0'))
      await r.stage(TRUST)
      const widened = await git(r, CLAUDE_ENV, 'commit', '-m', agent.message('Open the partner trust'))
      expect(widened.code, dump(widened)).not.toBe(0)
      expect(widened.stderr).toContain('acldrift: commit blocked')
      expect(widened.stdout + widened.stderr).toContain(TRUST)
      // The hook kept the real config in its stead, with an HMAC that verifies, for the next run.
      const kept = JSON.parse(
        await readFile(join(r.dir, '.git', 'acldrift', 'config-cache.json'), 'utf8'),
      ) as {
        entries: Record<string, {value: unknown; mac: string}>
      }
      expect(kept.entries[key]?.value).toMatchObject({policy: {failOn: 'widening'}})
      expect(kept.entries[key]?.mac).toMatch(/^[0-9a-f]{64}$/)
    },
    SLOW,
  )
})
