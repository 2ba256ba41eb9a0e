// Investigation and audit end to end, through the built CLI in real repositories: the pending commit
// of `check --staged`, the prepare-commit-msg hook, `history`, `explain`, and `audit` with its reports
// and hash-chained log.

import {chmod, mkdir, readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, type ExpectStatic, it} from 'vitest'
import {identities, projectRoot, runCli, type TestRepo, type ToolIdentity} from '../helpers/repo.js'
import {
  checkJson,
  expectValidReport,
  expectValidSarif,
  type Finding,
  type Report,
  repoFactory,
  commitAs,
} from './helpers.js'
import {
  BUCKET,
  bucketPolicy,
  narrowedRolePolicy,
  policyText,
  publicBucketPolicy,
  rolePolicy,
  BUCKET_FILE,
  ROLE_FILE,
} from './policies.js'
import type {CommitInfo} from '../../src/kernel/types.js'

const newRepo = repoFactory()

const commitOf = (f: Finding) => f.commit as CommitInfo | null
const widenings = (report: Report) => report.findings.filter((f) => f.change !== 'narrowing')
const dump = (value: unknown) => JSON.stringify(value, null, 2)
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The reporting role may also write the exports: a widening that opens nothing to the public. */
const roleWritesExports = {
  ...narrowedRolePolicy,
  Statement: [
    ...narrowedRolePolicy.Statement,
    {Sid: 'WriteExports', Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/*`},
  ],
}

async function approve(r: TestRepo, who: ToolIdentity = identities.human): Promise<string> {
  return commitAs(r, who, 'Add payroll exports bucket and reporting dashboard role', {
    [BUCKET_FILE]: policyText(bucketPolicy),
    [ROLE_FILE]: policyText(rolePolicy),
  })
}

/** Runs the CLI with `--format json` and returns the parsed, schema-valid report. */
async function jsonReport(expect: ExpectStatic, cwd: string, args: string[], code: number): Promise<Report> {
  const result = await runCli([...args, '--format', 'json'], {cwd})
  expect(result.code, `${args.join(' ')}\n${result.stderr}${result.stdout}`).toBe(code)
  const report: unknown = JSON.parse(result.stdout)
  expectValidReport(report)
  return report
}

// ── check --staged: the commit being made ─────────────────────────────────────────────────────

describe.concurrent('check --staged names the pending commit', () => {
  it('an agent environment (CLAUDECODE=1) is runtime evidence; without one the actor is unknown', async ({
    expect,
  }) => {
    const r = await newRepo()
    await approve(r)
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await r.stage(BUCKET_FILE)

    const agent = await checkJson(r.dir, ['--staged'], {CLAUDECODE: '1'})
    expect(agent.code, agent.stderr).toBe(1)
    expect(widenings(agent.report).length, dump(agent.report)).toBeGreaterThan(0)
    for (const f of widenings(agent.report)) {
      const commit = commitOf(f)
      expect(commit, f.rule).toMatchObject({
        sha: 'pending',
        pending: true,
        author: {name: 'Alice Example', email: 'alice@example.com'},
        actor: {type: 'agent', agent: 'Claude Code'},
      })
      expect(commit!.actor.evidence).toContainEqual({
        signal: 'env-claude-code',
        detail: 'CLAUDECODE=1',
        strength: 'runtime',
      })
    }

    const plain = await checkJson(r.dir, ['--staged'])
    expect(plain.code, plain.stderr).toBe(1)
    expect(widenings(plain.report).length).toBe(widenings(agent.report).length)
    for (const f of widenings(plain.report)) {
      expect(commitOf(f), f.rule).toMatchObject({
        sha: 'pending',
        pending: true,
        actor: {type: 'unknown', confidence: 0, evidence: []},
      })
      expect(commitOf(f)!.actor.agent).toBeUndefined()
    }

    // CURSOR_AGENT=1 names Cursor; CURSOR_TRACE_ID alone (set for people in Cursor too) names nobody.
    const cursor = await checkJson(r.dir, ['--staged'], {CURSOR_AGENT: '1'})
    for (const f of widenings(cursor.report))
      expect(commitOf(f)!.actor, f.rule).toMatchObject({type: 'agent', agent: 'Cursor'})
    const editor = await checkJson(r.dir, ['--staged'], {CURSOR_TRACE_ID: '6f1c2d3e4b5a'})
    for (const f of widenings(editor.report)) expect(commitOf(f)!.actor.type, f.rule).toBe('unknown')
    // Aider commits with GIT_COMMITTER_NAME="<name> (aider)": the identity git will use says so.
    const aider = await checkJson(r.dir, ['--staged'], {GIT_COMMITTER_NAME: 'Alice (aider)'})
    for (const f of widenings(aider.report))
      expect(commitOf(f)!.actor, f.rule).toMatchObject({type: 'agent', agent: 'Aider'})
  })
})

// ── prepare-commit-msg ────────────────────────────────────────────────────────────────────────

async function installPrepareCommitMsg(r: TestRepo): Promise<void> {
  const hook = join(r.dir, '.git', 'hooks', 'prepare-commit-msg')
  await mkdir(join(r.dir, '.git', 'hooks'), {recursive: true})
  const run = JSON.stringify(join(projectRoot, 'bin', 'run.js'))
  await writeFile(hook, `#!/bin/sh\nexec node ${run} hook prepare-commit-msg "$@"\n`)
  await chmod(hook, 0o755)
}

describe.concurrent('prepare-commit-msg hook', () => {
  it('stamps Assisted-by into an agent commit made with --no-verify, and audit attributes it', async ({
    expect,
  }) => {
    const r = await newRepo()
    const base = await approve(r)
    await installPrepareCommitMsg(r)

    // The agent commits, skipping pre-commit hooks as Aider does by default.
    await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
    await r.stage(BUCKET_FILE)
    await r.gitEnv({CLAUDECODE: '1'}, 'commit', '--quiet', '--no-verify', '-m', 'Fix AccessDenied')
    const agentSha = (await r.git('rev-parse', 'HEAD')).trim()
    const agentMessage = await r.git('log', '-1', '--format=%B', agentSha)
    expect(agentMessage).toMatch(/^Assisted-by: Claude Code\b.*$/m)
    expect(agentMessage.startsWith('Fix AccessDenied\n')).toBe(true)

    // A person's commit, through the same hook, gets nothing.
    await r.write(ROLE_FILE, policyText(narrowedRolePolicy))
    await r.stage(ROLE_FILE)
    await r.gitEnv({}, 'commit', '--quiet', '--no-verify', '-m', 'Drop DeleteObject')
    const humanSha = (await r.git('rev-parse', 'HEAD')).trim()
    expect((await r.git('log', '-1', '--format=%B', humanSha)).trim()).toBe('Drop DeleteObject')

    // Later, without any agent environment, the audit reads the trailer back.
    const report = await jsonReport(expect, r.dir, ['audit', '--baseline', base], 1)
    expect(widenings(report).length, dump(report)).toBeGreaterThan(0)
    for (const f of widenings(report)) {
      expect(commitOf(f), f.rule).toMatchObject({sha: agentSha, actor: {type: 'agent', agent: 'Claude Code'}})
      expect(commitOf(f)!.actor.evidence.map((e) => e.signal)).toContain('assisted-by')
      expect(commitOf(f)!.pending).toBeUndefined()
    }
    const narrowings = report.findings.filter((f) => f.change === 'narrowing')
    expect(narrowings.length).toBeGreaterThan(0)
    for (const f of narrowings)
      expect(commitOf(f), f.rule).toMatchObject({sha: humanSha, actor: {type: 'unknown'}})
  })
})

// ── history ───────────────────────────────────────────────────────────────────────────────────

const at = (who: ToolIdentity, date: string): ToolIdentity => ({...who, date})

/**
 * Four days of history: a person adds the bucket and the role; Claude Code opens the bucket to
 * everyone; a person narrows the role; Dependabot lets the role write the exports.
 */
async function timeline(r: TestRepo) {
  const c1 = await approve(r, at(identities.human, '2026-01-01T09:00:00Z'))
  const c2 = await commitAs(r, at(identities.claudeCode, '2026-01-02T09:00:00Z'), 'Fix AccessDenied', {
    [BUCKET_FILE]: policyText(publicBucketPolicy),
  })
  const c3 = await commitAs(r, at(identities.human, '2026-01-03T09:00:00Z'), 'Drop DeleteObject', {
    [ROLE_FILE]: policyText(narrowedRolePolicy),
  })
  const c4 = await commitAs(
    r,
    at(identities.dependabot, '2026-01-04T09:00:00Z'),
    'Let the role write exports',
    {
      [ROLE_FILE]: policyText(roleWritesExports),
    },
  )
  return {c1, c2, c3, c4, order: [c1, c2, c3, c4]}
}

/** Findings are in chronological order: by commit (as committed) and by date. */
function expectChronological(expect: ExpectStatic, report: Report, order: string[]): void {
  const shas = report.findings.map((f) => commitOf(f)?.sha ?? 'none')
  const positions = shas.map((sha) => order.indexOf(sha))
  expect(
    positions.every((p) => p >= 0),
    dump(shas),
  ).toBe(true)
  expect(positions, dump(shas)).toEqual([...positions].sort((a, b) => a - b))
  const dates = report.findings.map((f) => commitOf(f)!.author.date)
  expect(dates).toEqual([...dates].sort())
}

/** One history for the read-only queries below, made on first use. */
let shared: Promise<{r: TestRepo} & Awaited<ReturnType<typeof timeline>>> | undefined
const sharedTimeline = () =>
  (shared ??= (async () => {
    const r = await newRepo()
    const commits = await timeline(r)
    await r.git('tag', 'v1', commits.c1)
    return {r, ...commits}
  })())

const shasOf = (report: Report) => [...new Set(report.findings.map((f) => commitOf(f)?.sha))]

describe.concurrent('history', () => {
  it('is the timeline of widenings and narrowings, oldest first, each with commit, date, actor and witness', async ({
    expect,
  }) => {
    const {r, c1, c2, c3, c4, order} = await sharedTimeline()
    const report = await jsonReport(expect, r.dir, ['history'], 0)
    expectChronological(expect, report, order)
    expect(shasOf(report)).toEqual([c1, c2, c3, c4])
    for (const f of report.findings) {
      expect(f.witness, f.id).not.toBeNull()
      expect(commitOf(f)!.author.date, f.id).toMatch(/^2026-01-0[1-4]T09:00:00/)
    }
    const of = (sha: string) => report.findings.filter((f) => commitOf(f)!.sha === sha)
    // The person's commits carry no marker: unknown.
    for (const f of [...of(c1), ...of(c3)]) expect(commitOf(f)!.actor.type, f.id).toBe('unknown')
    for (const f of of(c2)) {
      expect(f.change).not.toBe('narrowing')
      expect(commitOf(f)!.actor, f.id).toMatchObject({type: 'agent', agent: 'Claude Code'})
    }
    expect(of(c2).map((f) => f.rule)).toContain('public-principal')
    expect(of(c3).map((f) => f.change)).toEqual(of(c3).map(() => 'narrowing'))
    expect(of(c3).length).toBeGreaterThan(0)
    expect(
      of(c3).every((f) => f.file === ROLE_FILE && /^s3:DeleteObject$/i.test(String(f.witness!.action))),
    ).toBe(true)
    for (const f of of(c4)) {
      expect(f.change).toBe('widening')
      expect(commitOf(f)!.actor, f.id).toMatchObject({type: 'automation', agent: 'Dependabot'})
      expect(f.witness).toMatchObject({action: expect.stringMatching(/^s3:PutObject$/i)})
    }
    expect(report.summary.widening).toBeGreaterThan(0)
    expect(report.summary.narrowing).toBeGreaterThan(0)

    // The same timeline for a person at a terminal: dates, commits and actors, in order.
    const pretty = await runCli(['history'], {cwd: r.dir})
    expect(pretty.code, pretty.stderr).toBe(0)
    const positions = [c1, c2, c3, c4].map((sha) => pretty.stdout.indexOf(sha.slice(0, 7)))
    expect(
      positions.every((p) => p >= 0),
      pretty.stdout,
    ).toBe(true)
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
    for (const day of ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04'])
      expect(pretty.stdout).toContain(day)
    expect(pretty.stdout).toContain('agent: Claude Code')
    expect(pretty.stdout).toContain('automation: Dependabot')
    expect(pretty.stdout).toMatch(/principal:\s+\*/)
  })

  it('history PATH keeps the changes of that file (or directory)', async ({expect}) => {
    const {r, c1, c3, c4, order} = await sharedTimeline()
    for (const path of [ROLE_FILE, 'iam/roles/']) {
      const report = await jsonReport(expect, r.dir, ['history', path], 0)
      expect(report.findings.length, path).toBeGreaterThan(0)
      expect(
        report.findings.every((f) => f.file === ROLE_FILE),
        path,
      ).toBe(true)
      expect(shasOf(report), path).toEqual([c1, c3, c4])
      expectChronological(expect, report, order)
    }
    const bucket = await jsonReport(expect, r.dir, ['history', BUCKET_FILE], 0)
    expect(bucket.findings.every((f) => f.file === BUCKET_FILE)).toBe(true)
    // A path that is no prefix of a directory name: `iam/role` is not `iam/roles/`.
    const none = await jsonReport(expect, r.dir, ['history', 'iam/role'], 0)
    expect(none.findings).toEqual([])
  })

  it("--principal '*' keeps only the changes that open access to everyone", async ({expect}) => {
    const {r, c2, order} = await sharedTimeline()
    const report = await jsonReport(expect, r.dir, ['history', '--principal', '*'], 0)
    expect(report.findings.length).toBeGreaterThan(0)
    expectChronological(expect, report, order)
    for (const f of report.findings) {
      const what = `${f.change} ${f.rule} ${f.file} ${JSON.stringify(f.witness)}`
      expect.soft(f.change, what).toBe('widening')
      expect.soft(f.witness?.principal, what).toBe('*')
      expect.soft(commitOf(f)?.sha, what).toBe(c2)
      expect.soft(f.file, what).toBe(BUCKET_FILE)
    }
  })

  it('--action keeps the changes to that action; --since REV the commits after REV', async ({expect}) => {
    const {r, c1, c2, c3, c4, order} = await sharedTimeline()

    const deletes = await jsonReport(expect, r.dir, ['history', '--action', 's3:DeleteObject'], 0)
    expectChronological(expect, deletes, order)
    // c2 removes the bucket's TLS-only Deny (s3:* when aws:SecureTransport is false): a delete
    // over plain HTTP by a principal whose own IAM policies allow it is no longer denied, a
    // possible widening (deny-removed), as an explicit Deny in any policy overrides every Allow.
    expect(shasOf(deletes)).toEqual([c1, c2, c3])
    const expectedChange = (sha: string) =>
      sha === c1 ? 'widening' : sha === c2 ? 'possible-widening' : 'narrowing'
    for (const f of deletes.findings) {
      const what = `${f.change} ${f.rule} ${JSON.stringify(f.witness)} ${f.message}`
      expect.soft(f.witness?.action, what).toMatch(/^s3:DeleteObject$/i)
      expect.soft(f.change, what).toBe(expectedChange(commitOf(f)!.sha))
      if (commitOf(f)!.sha === c2) expect.soft(f.rule, what).toBe('deny-removed')
    }

    const since = await jsonReport(expect, r.dir, ['history', '--since', c2], 0)
    expect(since.baseline.commit).toBe(c2)
    expect(shasOf(since)).toEqual([c3, c4])
    expectChronological(expect, since, order)

    const sinceTag = await jsonReport(expect, r.dir, ['history', '--since', 'v1', '--principal', '*'], 0)
    expect(shasOf(sinceTag)).toEqual([c2])
    const nothing = await jsonReport(expect, r.dir, ['history', '--since', c2, '--principal', '*'], 0)
    expect(nothing.findings).toEqual([])
  })

  it("with --action, each finding's message names the request its witness shows", async ({expect}) => {
    const {r} = await sharedTimeline()
    const deletes = await jsonReport(expect, r.dir, ['history', '--action', 's3:DeleteObject'], 0)
    expect(deletes.findings.length).toBeGreaterThan(0)
    for (const f of deletes.findings) {
      const what = `${f.change} ${f.rule} ${JSON.stringify(f.witness)}`
      expect.soft(f.message, what).toMatch(/s3:DeleteObject/i)
      expect.soft(f.message, what).not.toMatch(/s3:PutObject|s3:GetObject/i)
    }
  })

  it('a change merged from a branch is listed once, at the commit that made it, not again at the merge', async ({
    expect,
  }) => {
    const r = await newRepo()
    const c1 = await approve(r, at(identities.human, '2026-01-01T09:00:00Z'))
    await r.git('checkout', '--quiet', '-b', 'feature/dashboard-access')
    const agentSha = await commitAs(
      r,
      at(identities.claudeCode, '2026-01-02T09:00:00Z'),
      'Fix AccessDenied',
      {
        [BUCKET_FILE]: policyText(publicBucketPolicy),
      },
    )
    await r.git('checkout', '--quiet', 'main')
    const mainSha = await commitAs(r, at(identities.human, '2026-01-03T09:00:00Z'), 'Drop DeleteObject', {
      [ROLE_FILE]: policyText(narrowedRolePolicy),
    })
    await r.gitEnv(
      {GIT_AUTHOR_DATE: '2026-01-04T09:00:00Z', GIT_COMMITTER_DATE: '2026-01-04T09:00:00Z'},
      'merge',
      '--no-ff',
      '--quiet',
      '-m',
      "Merge branch 'feature/dashboard-access'",
      'feature/dashboard-access',
    )
    const mergeSha = (await r.git('rev-parse', 'HEAD')).trim()

    const report = await jsonReport(expect, r.dir, ['history', '--since', c1], 0)
    const what = dump(report.findings.map((f) => `${f.change} ${f.rule} ${f.file} ${commitOf(f)?.subject}`))
    // The merge itself changed nothing that its branch had not: it is not in the timeline as an author.
    expect(shasOf(report), what).not.toContain(mergeSha)
    expect(shasOf(report), what).toEqual([agentSha, mainSha])
    const pub = report.findings.filter((f) => f.rule === 'public-principal')
    expect(pub.length, what).toBe(1)
    expect(commitOf(pub[0]!)!.actor).toMatchObject({type: 'agent', agent: 'Claude Code'})
  })

  it('history PATH follows the file across a move (git mv), like git log --follow', async ({expect}) => {
    const r = await newRepo()
    const moved = 'iam/s3/payroll-exports.json'
    await approve(r, at(identities.human, '2026-01-01T09:00:00Z'))
    const agentSha = await commitAs(
      r,
      at(identities.claudeCode, '2026-01-02T09:00:00Z'),
      'Fix AccessDenied',
      {
        [BUCKET_FILE]: policyText(publicBucketPolicy),
      },
    )
    await mkdir(join(r.dir, 'iam/s3'), {recursive: true})
    await r.git('mv', BUCKET_FILE, moved)
    await r.commit('Move the bucket policies under iam/s3', at(identities.human, '2026-01-03T09:00:00Z'))

    const report = await jsonReport(expect, r.dir, ['history', moved], 0)
    const what = dump(report.findings.map((f) => `${f.change} ${f.rule} ${f.file} ${commitOf(f)?.subject}`))
    const pub = report.findings.filter((f) => f.rule === 'public-principal')
    expect(pub.length, what).toBe(1)
    expect(commitOf(pub[0]!), what).toMatchObject({
      sha: agentSha,
      actor: {type: 'agent', agent: 'Claude Code'},
    })
  })
})

// ── explain ───────────────────────────────────────────────────────────────────────────────────

describe.concurrent('explain', () => {
  it('shows one finding in full: witness, before and after statements, deep-diff, commit and evidence', async ({
    expect,
  }) => {
    const r = await newRepo()
    const base = await approve(r)
    const agentSha = await commitAs(r, identities.claudeCode, 'Fix AccessDenied', {
      [BUCKET_FILE]: policyText(publicBucketPolicy),
    })
    const compared = ['--ref', 'HEAD', '--baseline', base]
    const {report} = await checkJson(r.dir, compared)
    const finding = report.findings.find((f) => f.rule === 'public-principal')
    expect(finding, dump(report.findings)).toBeDefined()
    expect(finding!.before).not.toBeNull()
    expect(finding!.after).not.toBeNull()
    expect(finding!.diff.length).toBeGreaterThan(0)
    const commit = commitOf(finding!)!
    expect(commit.sha).toBe(agentSha)

    const pretty = await runCli(['explain', finding!.id, ...compared], {cwd: r.dir})
    expect(pretty.code, pretty.stderr).toBe(0)
    const out = pretty.stdout
    expect(out).toContain(finding!.id)
    expect(out).toContain(finding!.message)
    for (const [key, value] of Object.entries(finding!.witness!))
      expect(out).toMatch(new RegExp(`^\\s+${key}:\\s+${escape(String(value))}$`, 'm'))
    // The statements and the diff, as JSON a person can read.
    const indented = (value: unknown) =>
      JSON.stringify(value, null, 2)
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n')
    expect(out).toMatch(/before/i)
    expect(out).toContain(indented(finding!.before))
    expect(out).toMatch(/after/i)
    expect(out).toContain(indented(finding!.after))
    expect(out).toMatch(/deep-diff/i)
    expect(out).toContain(indented(finding!.diff))
    expect(out.indexOf(indented(finding!.before))).toBeLessThan(out.indexOf(indented(finding!.after)))
    // The commit and every piece of evidence about its actor.
    expect(out).toContain(agentSha.slice(0, 7))
    expect(out).toContain('agent: Claude Code')
    expect(commit.actor.evidence.length).toBeGreaterThanOrEqual(2)
    for (const e of commit.actor.evidence) expect(out).toContain(`${e.signal} (${e.strength}): ${e.detail}`)

    // --format json is the finding itself; a unique prefix of the id names it too.
    const json = await runCli(['explain', finding!.id, ...compared, '--format', 'json'], {cwd: r.dir})
    expect(json.code, json.stderr).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual(finding)
    const prefix = await runCli(['explain', finding!.id.slice(0, 10), ...compared, '--format', 'json'], {
      cwd: r.dir,
    })
    expect(prefix.code, prefix.stderr).toBe(0)
    expect(JSON.parse(prefix.stdout)).toEqual(finding)
  })

  // The diff aligns statements, actions and resources as sets (issue 15, item 10): a change of a
  // few lines in a long policy, with its statements and actions reordered, is a few records.
  it('its structural diff of a reordered policy with one action added is that one action', async ({
    expect,
  }) => {
    const FILE = 'iam/tracing.json'
    const reads = Array.from({length: 80}, (_, i) => `xray:GetTrace${i}`)
    const statements = (actions: string[]) => [
      {Sid: 'Traces', Effect: 'Allow', Action: actions, Resource: '*'},
      {
        Sid: 'Logs',
        Effect: 'Allow',
        Action: ['logs:GetLogEvents'],
        Resource: 'arn:aws:logs:us-east-1:111122223333:log-group:app:*',
      },
    ]
    const r = await newRepo()
    const base = await commitAs(r, identities.human, 'Tracing reads', {
      [FILE]: policyText({Version: '2012-10-17', Statement: statements(reads)}),
    })
    await commitAs(r, identities.claudeCode, 'Let tracing write segments', {
      [FILE]: policyText({
        Version: '2012-10-17',
        Statement: statements(['xray:PutTraceSegments', ...reads].reverse()).reverse(),
      }),
    })
    const compared = ['--ref', 'HEAD', '--baseline', base]
    const {report} = await checkJson(r.dir, compared)
    const [finding] = report.findings.filter((f) => f.file === FILE)
    expect(finding, dump(report.findings)).toBeDefined()
    expect(finding!.diff).toEqual([
      {kind: 'A', path: ['Action'], index: 80, item: {kind: 'N', rhs: 'xray:PutTraceSegments'}},
    ])
    const pretty = await runCli(['explain', finding!.id, ...compared], {cwd: r.dir})
    expect(pretty.code, pretty.stderr).toBe(0)
    // The diff block is that one record, right after its heading.
    const diffBlock = pretty.stdout.slice(pretty.stdout.indexOf('structural diff'))
    expect(diffBlock).toContain('"rhs": "xray:PutTraceSegments"')
    expect(diffBlock).not.toContain('xray:GetTrace')
  })

  // A statement without Sid changed in two elements (its actions and its resource), in a reordered
  // policy: its previous version is found by what it shares (pair.ts), so the diff is the two
  // changes, not the difference from another statement (before pairing it, the diff was from
  // the logs statement: each action of both a record).
  it('its structural diff of a statement changed in two elements is those two changes', async ({expect}) => {
    const FILE = 'iam/tracing-reads.json'
    const reads = [
      'xray:BatchGetTraces',
      'xray:GetGroups',
      'xray:GetServiceGraph',
      'xray:GetTimeSeriesServiceStatistics',
      'xray:GetTraceGraph',
      'xray:GetTraceSummaries',
    ]
    const logs = {
      Effect: 'Allow',
      Action: ['logs:GetLogEvents', 'logs:FilterLogEvents'],
      Resource: 'arn:aws:logs:us-east-1:111122223333:log-group:app:*',
    }
    const r = await newRepo()
    const base = await commitAs(r, identities.human, 'Tracing reads', {
      [FILE]: policyText({
        Version: '2012-10-17',
        Statement: [
          logs,
          {Effect: 'Allow', Action: reads, Resource: 'arn:aws:xray:us-east-1:111122223333:group/app/*'},
        ],
      }),
    })
    await commitAs(r, identities.claudeCode, 'Let tracing write segments everywhere', {
      [FILE]: policyText({
        Version: '2012-10-17',
        Statement: [
          {Effect: 'Allow', Action: ['xray:PutTraceSegments', ...reads].reverse(), Resource: '*'},
          logs,
        ],
      }),
    })
    const compared = ['--ref', 'HEAD', '--baseline', base]
    const {report} = await checkJson(r.dir, compared)
    const [finding, ...others] = report.findings.filter((f) => f.file === FILE)
    expect(finding, dump(report.findings)).toBeDefined()
    expect(others, dump(report.findings)).toEqual([])
    expect(finding!.baselineLocation?.pointer).toBe('/Statement/1')
    expect(finding!.diff).toEqual([
      {kind: 'A', path: ['Action'], index: 6, item: {kind: 'N', rhs: 'xray:PutTraceSegments'}},
      {kind: 'E', path: ['Resource'], lhs: 'arn:aws:xray:us-east-1:111122223333:group/app/*', rhs: '*'},
    ])
    const pretty = await runCli(['explain', finding!.id, ...compared], {cwd: r.dir})
    expect(pretty.code, pretty.stderr).toBe(0)
    const diffBlock = pretty.stdout.slice(pretty.stdout.indexOf('structural diff'))
    expect(diffBlock).toContain('"rhs": "xray:PutTraceSegments"')
    expect(diffBlock).not.toContain('logs:')
    expect(diffBlock).not.toContain('xray:Get')
  })

  it('an unknown id is a usage error (exit 2) naming the id', async ({expect}) => {
    const r = await newRepo()
    const base = await approve(r)
    await commitAs(r, identities.claudeCode, 'Fix AccessDenied', {
      [BUCKET_FILE]: policyText(publicBucketPolicy),
    })
    const result = await runCli(['explain', 'ffffffffffffffff', '--ref', 'HEAD', '--baseline', base], {
      cwd: r.dir,
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('ffffffffffffffff')
    expect(result.stdout).toBe('')
  })
})

// ── audit ─────────────────────────────────────────────────────────────────────────────────────

describe.concurrent('audit', () => {
  it('writes the three reports, appends one log record per run, exits 1 on a widening; the log verifies', async ({
    expect,
  }) => {
    const r = await newRepo()
    const base = await approve(r)
    const agentSha = await commitAs(r, identities.claudeCode, 'Fix AccessDenied', {
      [BUCKET_FILE]: policyText(publicBucketPolicy),
    })
    await mkdir(join(r.dir, 'out'))
    const audit = ['audit', '--baseline', base, '--report-dir', 'out/reports', '--log', 'out/audit.jsonl']
    for (let run = 1; run <= 3; run++) {
      const result = await runCli(audit, {cwd: r.dir})
      expect(result.code, result.stderr).toBe(1)
    }

    // Reports: the JSON contract, SARIF 2.1.0, Markdown; the widening blamed on the agent.
    const report: unknown = JSON.parse(
      await readFile(join(r.dir, 'out/reports/acldrift-report.json'), 'utf8'),
    )
    expectValidReport(report)
    expect(widenings(report).length).toBeGreaterThan(0)
    for (const f of widenings(report))
      expect(commitOf(f), f.rule).toMatchObject({sha: agentSha, actor: {type: 'agent', agent: 'Claude Code'}})
    const sarif: unknown = JSON.parse(
      await readFile(join(r.dir, 'out/reports/acldrift-report.sarif'), 'utf8'),
    )
    expectValidSarif(sarif)
    expect(sarif.runs[0]!.results.map((x) => x.ruleId)).toContain('aws-iam/public-principal')
    const markdown = await readFile(join(r.dir, 'out/reports/acldrift-report.md'), 'utf8')
    expect(markdown).toContain('public-principal')
    expect(markdown).toContain(agentSha.slice(0, 7))
    expect(markdown).toContain('Claude Code')

    // The log: one record per run, chained, keeping who did what.
    const lines = (await readFile(join(r.dir, 'out/audit.jsonl'), 'utf8')).split('\n')
    expect(lines.at(-1)).toBe('')
    const records = lines.slice(0, -1).map((line) => JSON.parse(line) as AuditRecord)
    expect(records.map((x) => x.seq)).toEqual([1, 2, 3])
    expect(records[0]!.prev).toMatch(/^0{64}$/)
    for (const record of records) {
      expect(record.hash).toMatch(/^[0-9a-f]{64}$/)
      expect(record.entry.exitCode).toBe(1)
      expect(record.entry.findings).toContainEqual(
        expect.objectContaining({
          rule: 'public-principal',
          commit: agentSha,
          actor: {type: 'agent', agent: 'Claude Code'},
        }),
      )
    }

    const verified = await runCli(['audit', '--verify-log', '--log', 'out/audit.jsonl'], {cwd: r.dir})
    expect(verified.code, verified.stderr + verified.stdout).toBe(0)
    expect(verified.stdout).toMatch(/3 records/)
    expect(verified.stdout).toMatch(/intact/)

    // Tampering: a past record's field edited, a record deleted.
    const edited = [...lines]
    expect(edited[1]).toContain('"type":"agent"')
    edited[1] = edited[1]!.replace('"type":"agent"', '"type":"human"')
    await writeFile(join(r.dir, 'out/edited.jsonl'), edited.join('\n'))
    const editedResult = await runCli(['audit', '--verify-log', '--log', 'out/edited.jsonl'], {cwd: r.dir})
    expect(editedResult.code).toBe(3)
    expect(editedResult.stdout + editedResult.stderr).toMatch(/edited\.jsonl:2\b/)

    const removed = lines.filter((_, i) => i !== 1)
    await writeFile(join(r.dir, 'out/removed.jsonl'), removed.join('\n'))
    const removedResult = await runCli(['audit', '--verify-log', '--log', 'out/removed.jsonl'], {cwd: r.dir})
    expect(removedResult.code).toBe(3)
    expect(removedResult.stdout + removedResult.stderr).toMatch(/removed\.jsonl:2\b/)

    const first = lines.slice(1)
    await writeFile(join(r.dir, 'out/first-removed.jsonl'), first.join('\n'))
    const firstResult = await runCli(['audit', '--verify-log', '--log', 'out/first-removed.jsonl'], {
      cwd: r.dir,
    })
    expect(firstResult.code).toBe(3)
    expect(firstResult.stdout + firstResult.stderr).toMatch(/first-removed\.jsonl:1\b/)

    // The original is still intact.
    const again = await runCli(['audit', '--verify-log', '--log', 'out/audit.jsonl'], {cwd: r.dir})
    expect(again.code).toBe(0)
  })

  it('exits 0 and logs exit code 0 when nothing widened', async ({expect}) => {
    const r = await newRepo()
    const base = await approve(r)
    await commitAs(r, identities.human, 'Drop DeleteObject', {[ROLE_FILE]: policyText(narrowedRolePolicy)})
    const result = await runCli(['audit', '--baseline', base, '--log', 'audit.jsonl', '--format', 'json'], {
      cwd: r.dir,
    })
    expect(result.code, result.stderr).toBe(0)
    const report: unknown = JSON.parse(result.stdout)
    expectValidReport(report)
    expect(report.summary.narrowing).toBeGreaterThan(0)
    const record = JSON.parse((await readFile(join(r.dir, 'audit.jsonl'), 'utf8')).trim()) as AuditRecord
    expect(record.entry.exitCode).toBe(0)
    expect((await runCli(['audit', '--verify-log', '--log', 'audit.jsonl'], {cwd: r.dir})).code).toBe(0)
  })
})

interface AuditRecord {
  seq: number
  time: string
  prev: string
  hash: string
  entry: {exitCode: number; findings: unknown[]}
}
