// `audit`'s fixed cost in git processes (issue 16.5): git is asked once per revision, per commit
// tree and for the notes, and the history is read with one `git log`, so the number of git
// processes an audit starts does not grow with the length of the range. Counted with GIT_TRACE,
// which logs every git command started (https://git-scm.com/docs/git#Documentation/git.txt-GITTRACE):
// a structural bound, not a timing. Nor does it carry its run in an AsyncLocalStorage: once one
// has run, Node 20 calls promise hooks for every promise of the process (git/scope.ts).

import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, it} from 'vitest'
import {identities, runCli, type TestRepo} from '../helpers/repo.js'
import {dump, repoFactory} from './helpers.js'

const newRepo = repoFactory()

const policy = (sid: string, actions: string[]) =>
  `${JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [{Sid: sid, Effect: 'Allow', Action: actions, Resource: 'arn:aws:s3:::exports/*'}],
    },
    null,
    2,
  )}\n`

const FILES = ['iam/a.json', 'iam/b.json', 'iam/c.json']

/**
 * The three policies, then `count` commits that rename a statement (no change in access), of which
 * the 4th and the 2nd from the end widen a.json and b.json as a coding agent. Returns the base commit.
 */
async function history(r: TestRepo, count: number): Promise<string> {
  for (const file of FILES) await r.write(file, policy('V0', ['s3:GetObject']))
  await r.stage()
  const base = await r.commit('Policies')
  const widened = new Set<string>()
  for (let i = 1; i <= count; i++) {
    const widening = i === count - 3 || i === count - 1
    const file = i === count - 3 ? FILES[0]! : i === count - 1 ? FILES[1]! : FILES[i % FILES.length]!
    if (widening) widened.add(file)
    await r.write(
      file,
      policy(`V${i}`, widened.has(file) ? ['s3:GetObject', 's3:DeleteObject'] : ['s3:GetObject']),
    )
    await r.stage(file)
    if (widening) await r.commit(identities.claudeCode.message(`Widen ${file}`), identities.claudeCode)
    else await r.commit(`Tidy ${file}`)
  }
  return base
}

/**
 * The git processes one audit of the range started (apart from `cat-file --batch`), the cat-file
 * readers (one: in a CLI run the reader stays open however long a stage keeps it idle), the report's findings, and how many times an AsyncLocalStorage was entered (counted by
 * a preloaded script that wraps its `run` and `enterWith`).
 */
async function audited(
  r: TestRepo,
  base: string,
): Promise<{processes: number; readers: number; findings: unknown[]; storageRuns: number}> {
  const trace = join(r.dir, '.git', 'trace.txt')
  const [preload, entered] = [join(r.dir, '.git', 'count-storage.cjs'), join(r.dir, '.git', 'storage-runs')]
  await writeFile(
    preload,
    `const {AsyncLocalStorage} = require('node:async_hooks')
let runs = 0
for (const name of ['run', 'enterWith']) {
  const original = AsyncLocalStorage.prototype[name]
  AsyncLocalStorage.prototype[name] = function (...args) { runs++; return original.apply(this, args) }
}
process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(entered)}, String(runs)))
`,
  )
  const run = await runCli(['audit', '--baseline', base, '--format', 'json'], {
    cwd: r.dir,
    env: {GIT_TRACE: trace, NODE_OPTIONS: `--require ${JSON.stringify(preload)}`},
  })
  if (run.code !== 1) throw new Error(dump(run))
  const started = (await readFile(trace, 'utf8')).match(/built-in: git \S+/g) ?? []
  const readers = started.filter((command) => command.endsWith(' cat-file')).length
  return {
    processes: started.length - readers,
    readers,
    findings: JSON.parse(run.stdout).findings,
    storageRuns: Number(await readFile(entered, 'utf8')),
  }
}

describe('audit starts a number of git processes that does not grow with the range', () => {
  it('is the same for 6 and 30 commits, at most 10 besides one cat-file, with both widenings attributed to the agent and no AsyncLocalStorage entered', async ({
    expect,
  }) => {
    const [short, long] = await Promise.all([newRepo(), newRepo()])
    const [shortBase, longBase] = await Promise.all([history(short, 6), history(long, 30)])
    const [few, many] = await Promise.all([audited(short, shortBase), audited(long, longBase)])
    for (const {findings} of [few, many]) {
      expect(findings).toHaveLength(2)
      for (const finding of findings as {commit?: {actor?: {type?: string}}}[])
        expect(finding.commit?.actor?.type).toBe('agent')
    }
    expect(many.processes).toBe(few.processes)
    // rev-parse (root and HEAD; the baseline; its parent), ls-tree of each side (the config each
    // carries is taken from that listing: 12 when it was listed on its own first), the config's and
    // the gate's histories, the deleted .gitattributes, the range's log, the shallow check (the notes
    // only where refs/notes/ai exists): 29 when each reader asked again.
    expect(few.processes).toBeLessThanOrEqual(10)
    for (const {readers} of [few, many]) expect(readers).toBe(1)
    for (const {storageRuns} of [few, many]) expect(storageRuns).toBe(0)
  }, 120_000)
})
