// A reference the agent cannot move (issue 13 item 2; the README's "Approvals, policy and
// protected files"), played as an honest agent: Claude Code's environment (`CLAUDECODE=1`) and its
// Co-Authored-By trailer, real git identities, the built CLI and the hooks `init` installs. Each
// scenario ends with the run refusing, or reporting the widening (or the baseline that holds
// it) as the agent's.

import {readFile, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {PASS_ADMIN} from '../adapters/aws-iam/documents.js'
import {identities, makeTempDir, projectRoot, runCli, runHermetic, type TestRepo} from '../helpers/repo.js'
import {checkJson, commitAs, commitFiles, type Finding, repoFactory} from './helpers.js'
import {
  APPROVALS,
  audit,
  CONFIG,
  commitAsAgent,
  dump,
  git,
  setUpWithTrust,
  TRUST,
  trust,
} from './gate-scenarios.js'

const newRepo = repoFactory()
const ALICE = 'alice@example.com'
const SLOW = 180_000
const agent = identities.claudeCode
const CLAUDE_ENV = {CLAUDECODE: '1'}
const BASELINE = '.acldrift/baseline.json'
const DEPLOY = 'iam/deploy.json'
const ADMIN = `${JSON.stringify({Version: '2012-10-17', Statement: [PASS_ADMIN]}, null, 2)}\n`
const OTHER_ROOT = 'arn:aws:iam::333333333333:root'
const theAgents = {actor: {type: 'agent', agent: 'Claude Code'}}

const config = (extra: string[] = []) =>
  ['version: 1', ...extra, 'policy:', '  failOn: widening', '  approvers:', `    - ${ALICE}`, ''].join('\n')

const open = (findings: Finding[]) =>
  findings.filter((f) => f.change !== 'narrowing' && (f.approval as {valid?: boolean} | null)?.valid !== true)

/** Alice's config naming the snapshot, and the snapshot, committed by her; then the agent's admin policy. */
async function agentAfterAliceSnapshot(): Promise<{r: TestRepo; sha: string}> {
  const r = await newRepo()
  await commitFiles(r, {[CONFIG]: config([`baseline: ${BASELINE}`])}, 'Config')
  const snap = await runCli(['snapshot', '--output', BASELINE], {cwd: r.dir})
  expect(snap.code, dump(snap)).toBe(0)
  await r.stage(BASELINE)
  await r.commit('Baseline snapshot')
  const sha = await commitAs(r, agent, 'Deploy role', {[DEPLOY]: ADMIN})
  return {r, sha}
}

describe('baseline update writes the snapshot the approved config names', () => {
  it(
    "the agent names its own snapshot in the working tree's config: `baseline update` and `--ref HEAD` refuse, and neither snapshot is written",
    async () => {
      const {r} = await agentAfterAliceSnapshot()
      const OWN = '.acldrift/agent.json'
      const own = await runCli(['snapshot', '--output', OWN], {cwd: r.dir, env: CLAUDE_ENV})
      expect(own.code, dump(own)).toBe(0)
      await r.write(CONFIG, config([`baseline: ${OWN}`]))
      const [approved, agents] = await Promise.all(
        [BASELINE, OWN].map((f) => readFile(join(r.dir, f), 'utf8')),
      )
      for (const args of [['--ref', 'HEAD'], []]) {
        const update = await runCli(['baseline', 'update', ...args], {cwd: r.dir})
        expect(update.code, dump(update)).toBe(2)
        expect(update.stderr, dump(update)).toContain(BASELINE)
        expect(await readFile(join(r.dir, BASELINE), 'utf8')).toBe(approved)
        expect(await readFile(join(r.dir, OWN), 'utf8')).toBe(agents)
      }
      // With the working tree's config back as approved, the update compares with Alice's
      // snapshot: the agent's admin policy is unapproved, and nothing is written.
      await r.write(CONFIG, config([`baseline: ${BASELINE}`]))
      const update = await runCli(['baseline', 'update', '--ref', 'HEAD'], {cwd: r.dir})
      expect(update.code, dump(update)).toBe(1)
      expect(update.stdout + update.stderr).toContain(DEPLOY)
      expect(await readFile(join(r.dir, BASELINE), 'utf8')).toBe(approved)
    },
    SLOW,
  )
})

describe('a snapshot kept outside the repository that names no commit', () => {
  it(
    "is compared with the approved config and the approved state: the agent's failOn: never and its widening are reported, the agent's",
    async () => {
      const r = await newRepo()
      await commitFiles(r, {[CONFIG]: config(), [TRUST]: trust('203.0.113.0/24')}, 'Config and trust')
      const outside = await makeTempDir('acldrift-outside-')
      try {
        const taken = join(outside, 'taken.json')
        const snap = await runCli(['snapshot', '--output', taken], {cwd: r.dir})
        expect(snap.code, dump(snap)).toBe(0)
        // The agent opens the trust, turns the gate off in the config, and strips the snapshot's commit.
        const sha = await commitAs(r, agent, 'Open the partner trust', {
          [TRUST]: trust('0.0.0.0/0', OTHER_ROOT),
          [CONFIG]: config().replace('failOn: widening', 'failOn: never'),
        })
        const stripped = JSON.parse(await readFile(taken, 'utf8')) as {source: {commit: unknown}}
        stripped.source.commit = null
        await writeFile(taken, JSON.stringify(stripped))

        const {code, report} = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', taken])
        expect(code, JSON.stringify(report.findings)).toBe(1)
        const weakened = open(report.findings).find((f) => f.rule === 'config-weakened')
        expect(weakened, JSON.stringify(report.findings)).toMatchObject({
          file: CONFIG,
          witness: {setting: 'policy.failOn', after: 'never'},
          commit: {sha, ...theAgents},
        })
        expect(open(report.findings).some((f) => f.file === TRUST)).toBe(true)

        // Read under a config other than the approved one (the agent's, without an exclude), it is
        // a mismatch even without a commit to look the config up at.
        await r.write(CONFIG, config(['exclude:', "  - 'legacy/**'"]))
        await r.stage(CONFIG)
        await r.commit('Legacy is not deployed')
        const mismatch = await checkJson(r.dir, ['--ref', 'HEAD', '--baseline', taken])
        expect(mismatch.code).toBe(1)
        expect(mismatch.report.findings.find((f) => f.rule === 'baseline-config-mismatch')).toMatchObject({
          kind: 'acldrift',
          file: taken,
          severity: 'high',
          witness: {commit: null},
        })
      } finally {
        await rm(outside, {recursive: true, force: true})
      }
    },
    SLOW,
  )
})

describe('a revision baseline at a human commit made after an agent widening', () => {
  it(
    "the tag moved to Alice's next commit does not vouch for the agent's widening before it: baseline-unapproved, the agent's",
    async () => {
      const r = await newRepo()
      await commitFiles(
        r,
        {[CONFIG]: config(['baseline: approved']), [TRUST]: trust('203.0.113.0/24')},
        'Config',
      )
      await r.git('tag', 'approved')
      expect((await audit(r)).code).toBe(0)
      const sha = await commitAs(r, agent, 'Open the partner trust', {
        [TRUST]: trust('0.0.0.0/0', OTHER_ROOT),
      })
      await commitFiles(r, {'README.md': '# infra\n'}, 'Readme')
      // The agent moves the tag to Alice's commit, on top of its own.
      const moved = await git(r, CLAUDE_ENV, 'tag', '-f', 'approved')
      expect(moved.code, dump(moved)).toBe(0)
      const {code, findings, raw} = await audit(r)
      expect(code, dump(raw)).toBe(1)
      const tag = findings.find((f) => f.rule === 'baseline-unapproved')
      expect(tag, dump(raw)).toMatchObject({kind: 'acldrift', file: CONFIG, severity: 'high'})
      expect(tag!.commit).toMatchObject({sha, ...theAgents})

      // Alice puts the tag back on her own commit before the agent's: the widening is the agent's.
      await r.git('tag', '-f', 'approved', 'HEAD~2')
      const back = await audit(r)
      expect(
        back.findings.filter((f) => f.rule === 'baseline-unapproved'),
        dump(back.raw),
      ).toEqual([])
      expect(open(back.findings).find((f) => f.file === TRUST)?.commit, dump(back.raw)).toMatchObject({
        sha,
        ...theAgents,
      })
    },
    SLOW,
  )
})

describe("a revision baseline at an approver commit holds no one else's unapproved change", () => {
  const bob = {name: 'Bob Builder', email: 'bob@example.com', message: (subject: string) => subject}
  /** Alice's config (`baseline: approved`, approvers as given) and the trust, tagged `approved`. */
  async function tagged(approvers: boolean): Promise<TestRepo> {
    const r = await newRepo()
    const text = approvers
      ? config(['baseline: approved'])
      : ['version: 1', 'baseline: approved', 'policy:', '  failOn: widening', ''].join('\n')
    await commitFiles(r, {[CONFIG]: text, [TRUST]: trust('203.0.113.0/24')}, 'Config')
    await r.git('tag', 'approved')
    return r
  }

  for (const [who, identity, type] of [
    // (no `actors:` list names Bob a human: acldrift classifies him unknown)
    ['a person who is not a listed approver', bob, 'unknown'],
    ['automation (dependabot)', identities.dependabot, 'automation'],
  ] as const)
    it(
      `${who} widens, Alice commits after it, the tag moves onto her commit: baseline-unapproved, theirs`,
      async () => {
        const r = await tagged(true)
        const sha = await commitAs(r, identity, 'Open the partner trust', {
          [TRUST]: trust('0.0.0.0/0', OTHER_ROOT),
        })
        await commitFiles(r, {'README.md': '# infra\n'}, 'Readme')
        await r.git('tag', '-f', 'approved')
        const {code, findings, raw} = await audit(r)
        expect(code, dump(raw)).toBe(1)
        const tag = findings.find((f) => f.rule === 'baseline-unapproved')
        expect(tag, dump(raw)).toMatchObject({kind: 'acldrift', file: CONFIG, severity: 'high'})
        expect(tag!.commit).toMatchObject({sha, actor: {type}})
        expect(tag!.witness).toMatchObject({unapprovedCommit: sha})

        // Alice reviewed it: she approves that finding of the revision (`approve --ref`) and
        // commits the approval; the audit then passes, the finding approved in her name.
        const why = ['--reason', 'Reviewed the partner access', '--expires', '2099-12-31']
        const approved = await runCli(['approve', tag!.id, '--ref', 'HEAD', ...why], {cwd: r.dir})
        expect(approved.code, dump(approved)).toBe(0)
        await r.stage(APPROVALS)
        await r.commit('Approve the reviewed baseline')
        const after = await audit(r)
        expect(after.code, dump(after.raw)).toBe(0)
        expect(
          after.findings.find((f) => f.rule === 'baseline-unapproved')?.approval,
          dump(after.raw),
        ).toMatchObject({
          valid: true,
          approver: ALICE,
        })
      },
      SLOW,
    )

  it(
    'no approver is listed: a note says the baseline revision is not judged, instead of a silent pass',
    async () => {
      const r = await tagged(false)
      await commitAs(r, agent, 'Open the partner trust', {[TRUST]: trust('0.0.0.0/0', OTHER_ROOT)})
      await commitFiles(r, {'README.md': '# infra\n'}, 'Readme')
      await r.git('tag', '-f', 'approved')
      const {raw} = await audit(r)
      const {notes} = JSON.parse(raw.stdout) as {notes: string[]}
      expect(notes.join('\n'), dump(raw)).toMatch(/no approver is listed \(policy\.approvers\).*approved/)
    },
    SLOW,
  )
})

/**
 * The agent's branch `agent/partner` opening the partner trust, committed past the hooks (or made
 * where they do not run: a cloud agent), and Alice's README commit on main; returns the latter.
 */
async function agentBranchBesideReadme(r: TestRepo): Promise<string> {
  await r.git('checkout', '-q', '-b', 'agent/partner')
  await r.write(TRUST, trust('0.0.0.0/0', OTHER_ROOT))
  await r.stage(TRUST)
  const widened = await commitAsAgent(r, 'Open the partner trust', '--no-verify')
  expect(widened.code, dump(widened)).toBe(0)
  await r.git('checkout', '-q', 'main')
  return commitFiles(r, {'README.md': '# infra\n'}, 'Readme')
}

describe("a person's merge of an agent's widening branch", () => {
  it(
    "git merge runs pre-merge-commit, not pre-commit: with the team's own commit-msg hook (left alone by init), Alice's merge is blocked until she approved the widening",
    async () => {
      // The team's commit-msg hook (a Change-Id adder, say): `init` leaves it alone without --force.
      const r = await newRepo()
      await r.write(TRUST, trust('203.0.113.0/24'))
      await r.stage()
      await r.commit('Partner trust')
      const own = join(r.dir, '.git', 'hooks', 'commit-msg')
      await writeFile(own, '#!/bin/sh\necho "Change-Id: I0123456789abcdef" >> "$1"\n', {mode: 0o755})
      const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
      // (exit 2: a hook was left alone; the others are installed)
      expect(init.code, dump(init)).toBe(2)
      expect(init.stdout).toMatch(/REFUSED +\.git\/hooks\/commit-msg/)
      expect(await readFile(own, 'utf8')).toContain('Change-Id')
      await r.stage()
      expect((await git(r, {}, 'commit', '-m', 'Set up acldrift')).code).toBe(0)

      const readme = await agentBranchBesideReadme(r)

      // Alice merges it, as herself: the merge commit is not made.
      const merge = () => git(r, {}, 'merge', '--no-ff', '--no-edit', 'agent/partner')
      const blocked = await merge()
      expect(blocked.code, dump(blocked)).not.toBe(0)
      expect(blocked.stderr).toContain('acldrift: commit blocked')
      expect(blocked.stdout + blocked.stderr).toContain(TRUST)
      expect((await r.git('rev-parse', 'HEAD')).trim()).toBe(readme)
      expect((await git(r, {}, 'merge', '--abort')).code).toBe(0)

      // Alice reviews the branch and approves its widening in a commit of her own; then it merges.
      const range = ['--range', 'main...agent/partner']
      const found = await checkJson(r.dir, range)
      const widening = open(found.report.findings).find((f) => f.file === TRUST)
      expect(widening, JSON.stringify(found.report.findings)).toBeDefined()
      const approved = await runCli(
        ['approve', widening!.id, ...range, '--reason', 'Partner migration', '--expires', '2099-12-31'],
        {cwd: r.dir},
      )
      expect(approved.code, dump(approved)).toBe(0)
      await r.stage(APPROVALS)
      expect((await git(r, {}, 'commit', '-m', 'Approve the partner migration')).code).toBe(0)
      const merged = await merge()
      expect(merged.code, dump(merged)).toBe(0)
      expect((await r.git('log', '-1', '--format=%B')).trim()).toContain('Change-Id')
    },
    SLOW,
  )
})

/** Runs `code` (an ES module body) with node in the repository, as the agent would. */
const asAgentScript = (r: TestRepo, code: string) =>
  runHermetic(process.execPath, ['--input-type=module', '-e', code], {cwd: r.dir, env: CLAUDE_ENV})

describe("commit-msg's remembered pass cannot be forged into a merge", () => {
  it(
    'the agent writes a passing entry for the merge it is about to make: commit-msg still checks the merge and blocks it',
    async () => {
      const r = await setUpWithTrust(newRepo)
      await agentBranchBesideReadme(r)

      // A merge runs commit-msg (and no pre-commit): it checks the merged index and blocks.
      // (with the trailer prepare-commit-msg would stamp: the message commit-msg reads is known)
      const message = `${agent.message('Merge the partner access')}Assisted-by: Claude Code (detected by acldrift: env-claude-code)\n`
      const merge = () => git(r, CLAUDE_ENV, 'merge', '--no-ff', '-m', message, 'agent/partner')
      const blocked = await merge()
      expect(blocked.code, dump(blocked)).not.toBe(0)
      expect(blocked.stderr).toContain('acldrift: commit blocked')

      // With the merged index still in place, the agent writes the entry a passing pre-commit
      // would have written for it, with the message it will use; then merges again.
      const dist = (path: string) => JSON.stringify(`file://${join(projectRoot, 'dist', path)}`)
      const forged = await asAgentScript(
        r,
        [
          `const {pendingVerdict, rememberPass} = await import(${dist('core/commit-verdict.js')})`,
          `const {pendingActor} = await import(${dist('core/actors/pending.js')})`,
          `const {canonicalJson} = await import(${dist('kernel/hash.js')})`,
          `const {execSync} = await import('node:child_process')`,
          'const root = process.cwd()',
          "const head = execSync('git rev-parse HEAD').toString().trim()",
          `const entry = await pendingVerdict(root, {head, baselineFile: root + '/${BASELINE}', actors: undefined})`,
          `const {identity, actor} = await pendingActor(root, {env: process.env, actors: undefined, message: ${JSON.stringify(message)}})`,
          'const person = ({name, email}) => ({name, email})',
          'entry.judged = canonicalJson({author: person(identity.author), committer: person(identity.committer), actor})',
          'await rememberPass(root, entry)',
        ].join('\n'),
      )
      expect(forged.code, dump(forged)).toBe(0)
      expect((await git(r, {}, 'merge', '--abort')).code).toBe(0)
      const again = await merge()
      expect(again.code, dump(again)).not.toBe(0)
      expect(again.stderr).toContain('acldrift: commit blocked')
      expect(again.stdout + again.stderr).toContain(TRUST)
    },
    SLOW,
  )
})
