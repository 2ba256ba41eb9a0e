// The pre-commit hook with init's snapshot baseline keeps, per index tree, where the index differs
// from the snapshot's record of blob ids (core/snapshot-match.ts), and asks git what changed since
// instead of comparing every index entry with the record. What it keeps is under .git/acldrift,
// where an agent can write: an entry edited there must not hide a file that differs from the
// baseline. And a passing hook starts fewer git processes: a narrowing is not attributed when the
// quiet report cannot show it, so the snapshot's history is not read.

import {readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {keepMatch} from '../../src/core/snapshot-match.js'
import {runCli, type TestRepo} from '../helpers/repo.js'
import {repoFactory} from './helpers.js'
import {commitAsAgent, dump, git, setUpWithTrust, trust, TRUST} from './gate-scenarios.js'

const newRepo = repoFactory()
const SLOW = 180_000
const MATCH = join('.git', 'acldrift', 'snapshot-match.json')

/** The git commands a run started, from its GIT_TRACE file. */
const started = async (trace: string) =>
  [...(await readFile(trace, 'utf8')).matchAll(/built-in: git ([a-z-]+)(.*)/g)].map(([, command, rest]) =>
    `${command}${rest}`.trim(),
  )

/** `check --staged --quiet` (what the pre-commit hook runs), traced: its exit code and git commands. */
async function hook(r: TestRepo, name: string): Promise<{code: number; commands: string[]; output: string}> {
  const trace = join(r.dir, '.git', `${name}.trace`)
  const run = await runCli(['check', '--staged', '--quiet'], {cwd: r.dir, env: {GIT_TRACE: trace}})
  return {code: run.code, commands: await started(trace), output: run.stdout + run.stderr}
}

interface Entry {
  blob: string
  config: string
  tree: string
  differ: string[]
  mac: string
}
const entriesOf = async (r: TestRepo) =>
  (JSON.parse(await readFile(join(r.dir, MATCH), 'utf8')) as {entries: Entry[]}).entries
const writeEntries = (r: TestRepo, entries: Entry[]) =>
  writeFile(join(r.dir, MATCH), `${JSON.stringify({entries})}\n`)

describe('the hook keeps where the index differs from the baseline snapshot', () => {
  it(
    'passes a narrowing with at most 6 git processes, and after the commit asks git nothing more',
    async () => {
      const r = await setUpWithTrust(newRepo)
      await r.write(TRUST, trust('203.0.113.0/25'))
      await r.stage(TRUST)
      const first = await hook(r, 'first')
      expect(first.code, first.output).toBe(0)
      // rev-parse (root, HEAD and its tree), ls-files, diff --cached, cat-file --batch, var -l (the
      // pending commit's identity) and write-tree (the verdict commit-msg reuses): the snapshot's
      // history (git log) is not read for a narrowing. 7 before.
      expect(first.commands.length, first.commands.join('\n')).toBeLessThanOrEqual(6)
      expect(first.commands.some((c) => c.startsWith('log'))).toBe(false)
      expect((await entriesOf(r)).map((e) => e.tree)).toHaveLength(2)

      // Committed through the hooks: HEAD's tree is the one the pass kept, and the next run's
      // changes against HEAD are all it asks.
      const committed = await git(r, {}, 'commit', '-m', 'Narrow the partner trust')
      expect(committed.code, dump(committed)).toBe(0)
      await r.write(TRUST, trust('203.0.113.0/26'))
      await r.stage(TRUST)
      const next = await hook(r, 'next')
      expect(next.code, next.output).toBe(0)
      expect(next.commands.filter((c) => c.startsWith('diff'))).toHaveLength(1)
      expect(next.commands.length, next.commands.join('\n')).toBeLessThanOrEqual(6)
    },
    SLOW,
  )

  it(
    'still blocks a widening already in HEAD when the kept entry is edited to leave it out',
    async () => {
      const r = await setUpWithTrust(newRepo)
      // The widening committed without the hook: HEAD differs from the snapshot at the trust.
      await r.write(TRUST, trust('0.0.0.0/0'))
      await r.stage(TRUST)
      const bypassed = await commitAsAgent(r, 'Open the partner trust', '--no-verify')
      expect(bypassed.code, dump(bypassed)).toBe(0)
      await r.write('NOTES.md', 'notes\n')
      await r.stage('NOTES.md')
      const before = await hook(r, 'before')
      expect(before.code, before.output).toBe(1)
      expect(before.output).toContain(TRUST)
      const kept = await entriesOf(r)
      expect(kept.every((e) => e.differ.includes(TRUST))).toBe(true)

      // The agent leaves the trust out of what differs (it cannot sign the entry: the MAC is kept).
      await writeEntries(
        r,
        kept.map((e) => ({...e, differ: e.differ.filter((path) => path !== TRUST)})),
      )
      const edited = await hook(r, 'edited')
      expect(edited.code, edited.output).toBe(1)
      expect(edited.output).toContain(TRUST)

      // An entry signed as acldrift signs it, for a tree that is not HEAD's (and that git does not
      // have) and saying nothing differs: every entry is compared again (from 5,000 entries, git
      // would be asked what changed since that tree, and fail).
      const [{blob, config}] = kept as [Entry]
      await rm(join(r.dir, MATCH))
      await keepMatch(r.dir, {blob, config, tree: '0'.repeat(39) + '1', differ: []})
      expect((await entriesOf(r)).map((e) => e.differ)).toEqual([[]])
      const pruned = await hook(r, 'pruned')
      expect(pruned.code, pruned.output).toBe(1)
      expect(pruned.output).toContain(TRUST)
    },
    SLOW,
  )
})
