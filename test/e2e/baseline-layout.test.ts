// The hook reads only the baseline documents it compares (issue 16, item 2): the layout of the
// baseline snapshot (where each document is in its bytes) is kept under .git/acldrift by the
// snapshot's blob id, with an HMAC under the repository's key (core/snapshot-index.ts). The
// baseline is a protected file and the layout a cache: these are what an agent would try, through
// the real hooks, as Claude Code. None may let a widening through.

import {readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {runCli, type TestRepo} from '../helpers/repo.js'
import {dump, git, repoFactory} from './helpers.js'
import {agentOpensTrustBlocked, commitAsAgent, setUpWithTrust, trust, TRUST} from './gate-scenarios.js'
import {forge, type Kept, keptEntry, LAYOUT, type Layout, objectRange} from './layouts.js'

const newRepo = repoFactory()
const SLOW = 180_000
const BASELINE = '.acldrift/baseline.json'

/** Runs the hook's check once (nothing staged), so that it keeps the baseline's layout; the entry kept. */
async function warm(r: TestRepo): Promise<Kept> {
  const run = await runCli(['check', '--staged', '--quiet'], {cwd: r.dir})
  expect(run.code, dump(run)).toBe(0)
  const kept = await keptEntry(r)
  expect(kept.blob).toBe((await r.git('hash-object', BASELINE)).trim())
  return kept
}

const WORKFLOW = '.github/workflows/ci.yml'
const WIDE = trust('0.0.0.0/0')
/**
 * A workflow whose job matrix (any values: https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstrategymatrixinclude)
 * holds an object shaped like a baseline document of the partner trust, opened to everyone. The
 * snapshot keeps it, nested in the workflow's document: bytes a forged layout could point at.
 */
const WORKFLOW_WITH_DECOY = `name: ci
on: [push]
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        include:
          - kind: aws-iam
            path: ${TRUST}
            hash: ${'a'.repeat(64)}
            value: ${JSON.stringify(JSON.parse(WIDE))}
    steps:
      - run: echo "\${{ matrix.path }}"
`

describe("the baseline's layout, kept under the git directory", () => {
  it(
    'is not trusted when forged: a changed file pointed at an object nested in another document',
    async () => {
      const r = await newRepo()
      await r.write(TRUST, trust('203.0.113.0/24'))
      await r.write(WORKFLOW, WORKFLOW_WITH_DECOY)
      await r.stage()
      await r.commit('Partner trust, CI')
      const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
      expect(init.code, dump(init)).toBe(0)
      await r.stage()
      expect((await git(r, {}, 'commit', '-m', 'Set up acldrift')).code).toBe(0)
      const kept = await warm(r)
      const layout = JSON.parse(kept.layout) as Layout
      const text = await readFile(join(r.dir, BASELINE), 'utf8')
      // The decoy, in the workflow's document: a valid document of the partner trust by itself.
      const decoy = objectRange(text, /\{\s*"kind": "aws-iam",\s*"path": "iam\/roles\/partner-trust.json"/)
      expect(JSON.parse(text.slice(...decoy))).toMatchObject({path: TRUST, value: JSON.parse(WIDE)})
      await forge(r, kept, (l) => ({
        ...l,
        documents: l.documents.map(([file, ...range]) => [file, ...(file === TRUST ? decoy : range)]),
      }))
      await agentOpensTrustBlocked(r)
      // The forged entry was not used: the layout was found again and kept, for the same bytes.
      const again = await keptEntry(r)
      expect(JSON.parse(again.layout)).toEqual(layout)
    },
    SLOW,
  )

  it(
    'compares a changed file the layout does not list with nothing: all of its access is new',
    async () => {
      const r = await setUpWithTrust(newRepo)
      const kept = await warm(r)
      await forge(r, kept, (l) => ({...l, documents: l.documents.filter(([file]) => file !== TRUST)}))
      await agentOpensTrustBlocked(r)
    },
    SLOW,
  )

  it(
    'stands only for the bytes it was found in: a baseline whose document of an unchanged file was widened is caught',
    async () => {
      const r = await setUpWithTrust(newRepo)
      const kept = await warm(r)
      // The agent widens the baseline's copy of the partner trust, and leaves the policy alone.
      const snapshot = JSON.parse(await readFile(join(r.dir, BASELINE), 'utf8')) as {
        documents: Array<{path: string; value: {Statement: Array<{Condition?: unknown}>}}>
      }
      const document = snapshot.documents.find((d) => d.path === TRUST)!
      document.value = JSON.parse(trust('0.0.0.0/0')) as typeof document.value
      await r.write(BASELINE, `${JSON.stringify(snapshot, null, 2)}\n`)
      await r.write('README.md', 'Partner access.\n')
      await r.stage(BASELINE, 'README.md')
      const tampered = await commitAsAgent(r, 'Document partner access')
      expect(tampered.code, dump(tampered)).not.toBe(0)
      expect(tampered.stdout + tampered.stderr).toContain('baseline-widened')
      const now = await keptEntry(r)
      expect(now.blob).not.toBe(kept.blob)
      expect(now.blob).toBe((await r.git('hash-object', BASELINE)).trim())
    },
    SLOW,
  )

  it(
    'is kept by `init` and `baseline update`, which write the baseline: the hook after them does not scan it',
    async () => {
      const r = await newRepo()
      await r.write(TRUST, trust('203.0.113.0/24'))
      await r.stage()
      await r.commit('Partner trust')
      /** The kept entry, for the baseline as it is now, with its inode (a rewrite is a new file: writeFileAtomic). */
      const keptNow = async () => {
        const kept = await keptEntry(r)
        expect(kept.blob).toBe((await r.git('hash-object', BASELINE)).trim())
        return (await stat(join(r.dir, LAYOUT))).ino
      }
      const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
      expect(init.code, dump(init)).toBe(0)
      const afterInit = await keptNow()
      await r.stage()
      expect((await git(r, {}, 'commit', '-m', 'Set up acldrift')).code).toBe(0)
      // The hooks used the entry init kept (one found again would have been written anew).
      expect(await keptNow()).toBe(afterInit)

      await r.write(TRUST, trust('203.0.113.0/25'))
      await r.stage(TRUST)
      expect((await git(r, {}, 'commit', '-m', 'Narrow the partner trust')).code).toBe(0)
      const update = await runCli(['baseline', 'update'], {cwd: r.dir})
      expect(update.code, dump(update)).toBe(0)
      const afterUpdate = await keptNow()
      expect(afterUpdate).not.toBe(afterInit)
      await r.stage(BASELINE)
      expect((await git(r, {}, 'commit', '-m', 'Update the baseline')).code).toBe(0)
      expect(await keptNow()).toBe(afterUpdate)
    },
    SLOW,
  )
})
