// The agent hook's own path for an edit of one access config that stands alone (alone.ts): on
// real repositories, each Write, Edit and MultiEdit it takes gets the findings, in the same
// order and with the same refusal, as the full path (`check --staged` with the edit overlaid);
// each case that needs more than the one file (an approval about it, a container that reads it,
// a kind read together, a protected file, another baseline, a possible move) goes the full way.
import {execFileSync} from 'node:child_process'
import {readFile, writeFile} from 'node:fs/promises'
import {join, posix, relative, resolve} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {reviewAlone} from '../../../src/core/agent/alone.js'
import {applyEdit} from '../../../src/core/agent/edits.js'
import {harnessFor} from '../../../src/core/agent/harnesses.js'
import {reviewEdit, reviewInCheck} from '../../../src/core/agent/review.js'
import {classifier} from '../../../src/core/classify.js'
import {loadConfig} from '../../../src/core/config.js'
import {readersOf} from '../../../src/core/source.js'
import {oneRun} from '../../../src/git/index.js'
import type {Finding} from '../../../src/kernel/types.js'
import {renderRefusal} from '../../../src/reporters/agent.js'
import {createRepo, projectRoot, runCli, type TestRepo} from '../../helpers/repo.js'
import {forge, keptEntry, LAYOUT, objectRange} from '../../e2e/layouts.js'
import {BUCKET_FILE, bucketPolicy, policyText, publicBucketPolicy} from '../../e2e/policies.js'

const SLOW = 120_000
const fixture = (path: string) => readFile(join(projectRoot, 'fixtures', path), 'utf8')
const ACL_FILE = 'acl/docs.yaml'
const WORKFLOW_FILE = '.github/workflows/ci.yml'

const repos: TestRepo[] = []
afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.cleanup()
})

/** A repository whose HEAD holds a bucket policy, an ACL file and a workflow, and `more`. */
async function repository(more: Record<string, string> = {}): Promise<TestRepo> {
  const repo = await createRepo()
  repos.push(repo)
  await repo.write(BUCKET_FILE, policyText(bucketPolicy))
  await repo.write(ACL_FILE, await fixture('acl/grant-added/baseline.yaml'))
  await repo.write(WORKFLOW_FILE, await fixture('github-actions/contents-read-to-write-all/baseline.yml'))
  for (const [path, content] of Object.entries(more)) await repo.write(path, content)
  await repo.stage()
  await repo.commit('approved state')
  return repo
}

type ToolCall = {tool_name: string; tool_input: Record<string, unknown>}

/** The edited file and its proposed content, as the hook computes them from Claude Code's payload. */
async function proposal(repo: TestRepo, call: ToolCall) {
  const harness = harnessFor('claude-code')!
  const {action} = harness.read('PreToolUse', {
    session_id: 'test',
    cwd: repo.dir,
    hook_event_name: 'PreToolUse',
    ...call,
  })
  if (action.type !== 'edit') throw new Error(`not an edit: ${action.type}`)
  const file = resolve(repo.dir, action.file)
  const current = await readFile(file, 'utf8').catch(() => undefined)
  const result = applyEdit(current, action.edit)
  if (!result.ok) throw new Error(result.reason)
  return {path: relative(repo.dir, file), content: Buffer.from(result.content)}
}

/** The own path's findings for the call (undefined: not taken), with what the full path needs. */
async function alonePath(repo: TestRepo, call: ToolCall) {
  const proposed = await proposal(repo, call)
  const config = await loadConfig(repo.dir)
  const assigned = classifier(config)(proposed.path)
  if (assigned === undefined) throw new Error(`${proposed.path} is read by no kind`)
  const readers = () => readersOf(repo.dir, config, [proposed.path]).then((paths) => new Set(paths))
  const alone = await oneRun(() => reviewAlone(repo.dir, config, assigned, proposed, readers))
  return {alone, config, proposed}
}

/** What each path decides for the call: the own path's findings and the full path's review. */
async function bothPaths(repo: TestRepo, call: ToolCall) {
  const {alone, config, proposed} = await alonePath(repo, call)
  const full = await reviewInCheck(repo.dir, config, proposed)
  return {alone, full, path: proposed.path}
}

const notTaken = async (repo: TestRepo, call: ToolCall) =>
  expect((await alonePath(repo, call)).alone).toBeUndefined()

/** A finding without what attribution adds (the commit), which the hook neither shows nor logs. */
const shown = (findings: readonly Finding[]) =>
  findings.map((f) => ({...f, commit: undefined, commits: undefined}))

const refusal = (file: string, findings: Finding[]) =>
  renderRefusal({type: 'widening', file, findings, expires: '2027-01-06'})

async function expectSameAsFull(repo: TestRepo, call: ToolCall, widens: boolean) {
  const {alone, full, path} = await bothPaths(repo, call)
  expect(alone, 'the own path is taken').toBeDefined()
  expect(full.problems).toEqual([])
  expect(shown(alone!)).toEqual(shown(full.findings))
  expect(alone!.length > 0).toBe(widens)
  if (widens) expect(refusal(path, alone!)).toBe(refusal(path, full.findings))
}

const write = (file_path: string, content: string): ToolCall => ({
  tool_name: 'Write',
  tool_input: {file_path, content},
})
const edit = (file_path: string, old_string: string, new_string: string): ToolCall => ({
  tool_name: 'Edit',
  tool_input: {file_path, old_string, new_string},
})

/** Write, Edit and MultiEdit of the bucket policy (a widening, a narrowing, two steps), and a new policy: each as the full path decides. */
async function policyEdits(repo: TestRepo) {
  const bucket = join(repo.dir, BUCKET_FILE)
  await expectSameAsFull(repo, write(bucket, policyText(publicBucketPolicy)), true)
  await expectSameAsFull(repo, edit(BUCKET_FILE, '"s3:GetObject",', ''), false)
  const current = await readFile(bucket, 'utf8')
  expect(current).toContain('"s3:ListBucket"')
  await expectSameAsFull(
    repo,
    {
      tool_name: 'MultiEdit',
      tool_input: {
        file_path: bucket,
        edits: [
          {old_string: '"s3:ListBucket"', new_string: '"s3:ListBucket", "s3:PutObject"'},
          {old_string: '"s3:GetObject"', new_string: '"s3:Get*"'},
        ],
      },
    },
    true,
  )
  const fresh = {
    Version: '2012-10-17',
    Statement: [{Effect: 'Allow', Action: 'iam:PassRole', Resource: '*'}],
  }
  await expectSameAsFull(repo, write(join(repo.dir, 'iam/new-role.json'), policyText(fresh)), true)
}

/** A Write of the workflow that widens its token's permissions. */
const workflowWidened = async (repo: TestRepo) =>
  write(join(repo.dir, WORKFLOW_FILE), await fixture('github-actions/contents-read-to-write-all/target.yml'))

describe('the own path of an edit of one access config decides as the full path', () => {
  it(
    'Write, Edit and MultiEdit of an IAM policy: a widening, a narrowing, two steps, a new file',
    async () => {
      const repo = await repository()
      await policyEdits(repo)
    },
    SLOW,
  )

  it(
    "an ACL file and a workflow (the own format's kind, a kind by location), under a config and beside another file's approval",
    async () => {
      const repo = await repository({
        'acldrift.config.yaml': `version: 1\ndocuments:\n  - glob: 'acl/*.yaml'\n    kind: acl\n`,
      })
      const grant =
        '  - id: ci-reads-all\n    effect: allow\n    subjects: [service:ci]\n    roles: [reader]\n    resources: ["docs/*"]\n'
      await expectSameAsFull(
        repo,
        edit(ACL_FILE, '  - id: carol-admin\n', `${grant}  - id: carol-admin\n`),
        true,
      )
      await expectSameAsFull(repo, await workflowWidened(repo), true)
      // An approval of another file's access does not concern this one.
      await repo.write(
        '.acldrift/approvals.yaml',
        'approvals:\n  - id: 0123456789abcdef\n    kind: aws-iam\n    file: other/policy.json\n',
      )
      await repo.stage('.acldrift/approvals.yaml')
      await expectSameAsFull(repo, edit(ACL_FILE, '[group:sre]', '[group:sre, group:contractors]'), true)
    },
    SLOW,
  )
})

describe('the own path is not taken where the one file cannot tell', () => {
  const widening = (repo: TestRepo) => write(join(repo.dir, BUCKET_FILE), policyText(publicBucketPolicy))

  it(
    'an approval about the file, another baseline, a config that is not HEAD’s, a possible move',
    async () => {
      const repo = await repository()

      // An entry of the index's approvals file names the edited file: the gate judges it.
      await repo.write(
        '.acldrift/approvals.yaml',
        `approvals:\n  - id: 0123456789abcdef\n    kind: aws-iam\n    file: ${BUCKET_FILE}\n`,
      )
      await repo.stage('.acldrift/approvals.yaml')
      await notTaken(repo, widening(repo))
      await repo.git('rm', '--cached', '--quiet', '.acldrift/approvals.yaml')
      await repo.remove('.acldrift/approvals.yaml')

      // A baseline other than HEAD, and a config HEAD does not have.
      await repo.write('acldrift.config.yaml', 'version: 1\nbaseline: v1\n')
      await notTaken(repo, widening(repo))
      await repo.write('acldrift.config.yaml', 'version: 1\n')
      await notTaken(repo, widening(repo))
      // A config HEAD has, changed in the working tree (compared by blob id): the gate decides.
      await repo.stage('acldrift.config.yaml')
      await repo.commit('a config')
      expect((await alonePath(repo, widening(repo))).alone).toBeDefined()
      await repo.write('acldrift.config.yaml', 'version: 1\n# changed\n')
      await notTaken(repo, widening(repo))
      await repo.git('rm', '-f', '--quiet', 'acldrift.config.yaml')
      await repo.commit('no config')

      // A new policy while the index removes another: the full path may take it for a move.
      await repo.git('rm', '--quiet', ACL_FILE)
      await notTaken(
        repo,
        write(join(repo.dir, 'acl/moved.yaml'), await fixture('acl/grant-added/baseline.yaml')),
      )
      await repo.git('reset', '--quiet', 'HEAD', '--', ACL_FILE)
      await repo.git('checkout', '--', ACL_FILE)
      // A policy the index moved, overwritten with no access: gone from where it is deployed, which
      // the full path refuses.
      await repo.git('mv', BUCKET_FILE, 'iam/renamed.json')
      const emptied = write(join(repo.dir, 'iam/renamed.json'), '{"note": "moved"}\n')
      await notTaken(repo, emptied)
      const {full} = await bothPaths(repo, emptied)
      expect(full.problems.map((p) => p.message).join('\n')).toContain('was renamed to iam/renamed.json')
    },
    SLOW,
  )

  it(
    'a container file, a file a container reads, a kind read together, a protected file',
    async () => {
      const role =
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader\n  namespace: app\nrules:\n  - apiGroups: [""]\n    resources: [pods]\n    verbs: [get]\n'
      const repo = await repository({
        'infra/main.tf':
          'resource "aws_iam_policy" "reader" {\n  name   = "reader"\n  policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{\n      Effect   = "Allow"\n      Action   = local.actions\n      Resource = "arn:aws:s3:::payroll/*"\n    }]\n  })\n}\n',
        'infra/locals.tf': 'locals {\n  actions = ["s3:GetObject"]\n}\n',
        [`${posix.dirname(BUCKET_FILE)}/main.tf`]: `resource "aws_s3_bucket_policy" "exports" {\n  bucket = "payroll-exports"\n  policy = file("\${path.module}/${posix.basename(BUCKET_FILE)}")\n}\n`,
        'k8s/role.yaml': role,
        'acldrift.config.yaml': `version: 1\ndocuments:\n  - glob: '.gitattributes'\n    kind: aws-iam\n`,
        '.gitattributes': '{"Version": "2012-10-17", "Statement": []}\n',
      })
      await notTaken(repo, edit('infra/main.tf', '"arn:aws:s3:::payroll/*"', '"*"'))
      // A policy a module beside it reads with file(): found through the index's `.tf` files.
      await notTaken(repo, write(join(repo.dir, BUCKET_FILE), policyText(publicBucketPolicy)))
      await notTaken(repo, edit('infra/locals.tf', '"s3:GetObject"', '"s3:*"'))
      await notTaken(repo, edit('k8s/role.yaml', 'verbs: [get]', 'verbs: ["*"]'))
      await notTaken(
        repo,
        write(
          join(repo.dir, '.gitattributes'),
          '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}\n',
        ),
      )
      // The full path still refuses what the own path leaves to it.
      const review = await reviewEdit(
        repo.dir,
        'detect',
        {path: 'infra/locals.tf', content: Buffer.from('locals {\n  actions = ["s3:GetObject"]\n}\n')},
        {path: 'infra/locals.tf', content: Buffer.from('locals {\n  actions = ["s3:*"]\n}\n')},
      )
      expect(review.findings.map((f) => f.file)).toContain('infra/main.tf')
    },
    SLOW,
  )

  it(
    'the hook takes the own path for a policy and the full one for an approved file (ACLDRIFT_DEBUG stages)',
    async () => {
      const repo = await repository()
      const hook = (call: ToolCall) =>
        runCli(['hook', 'agent', 'claude-code', 'PreToolUse'], {
          cwd: repo.dir,
          env: {ACLDRIFT_DEBUG: '1'},
          input: JSON.stringify({session_id: 's', cwd: repo.dir, hook_event_name: 'PreToolUse', ...call}),
        })
      const own = await hook(widening(repo))
      expect(own.code).toBe(2)
      expect(own.stderr).toContain('no valid approval covers it')
      expect(own.stderr).not.toMatch(/^\s+gate\s/m)
      await repo.write(
        '.acldrift/approvals.yaml',
        `approvals:\n  - id: 0123456789abcdef\n    kind: aws-iam\n    file: ${BUCKET_FILE}\n`,
      )
      await repo.stage('.acldrift/approvals.yaml')
      const full = await hook(widening(repo))
      expect(full.code).toBe(2)
      expect(full.stderr).toMatch(/^\s+gate\s/m)
      expect(full.stderr.slice(full.stderr.indexOf('acldrift blocked'))).toBe(
        own.stderr.slice(own.stderr.indexOf('acldrift blocked')),
      )
    },
    SLOW,
  )
})

describe('hostile files on the own path', () => {
  it(
    'a fifo where the approvals file is refuses the edit at once: the hook neither waits on it nor lets the edit through',
    async () => {
      // The agent leaves a fifo in place of the committed approvals file: a read that waited for a
      // writer would run the hook into the harness's timeout, which Claude Code lets pass.
      const repo = await repository({
        '.acldrift/approvals.yaml':
          'approvals:\n  - id: 0123456789abcdef\n    kind: aws-iam\n    file: other/policy.json\n',
      })
      await repo.remove('.acldrift/approvals.yaml')
      execFileSync('mkfifo', [join(repo.dir, '.acldrift/approvals.yaml')])
      const call = write(join(repo.dir, BUCKET_FILE), policyText(publicBucketPolicy))
      const hook = await runCli(['hook', 'agent', 'claude-code', 'PreToolUse'], {
        cwd: repo.dir,
        input: JSON.stringify({session_id: 's', cwd: repo.dir, hook_event_name: 'PreToolUse', ...call}),
        timeoutMs: 60_000,
      })
      expect(hook.code, hook.stderr).toBe(2)
      expect(hook.stderr).toContain('.acldrift/approvals.yaml')
    },
    SLOW,
  )

  it(
    'a fifo where the config is refuses an edit of an access config at once, on the fast path, before the hook’s own deadline',
    async () => {
      // The fast path reads the config (for its globs) before it knows whether the edit touches an
      // access config: a read that waited for a writer would hold every edit until the 45 s guard.
      const repo = await repository({'acldrift.config.yaml': 'version: 1\n'})
      await repo.remove('acldrift.config.yaml')
      execFileSync('mkfifo', [join(repo.dir, 'acldrift.config.yaml')])
      const call = write(join(repo.dir, BUCKET_FILE), policyText(publicBucketPolicy))
      const started = Date.now()
      const hook = await runCli(['hook', 'agent', 'claude-code', 'PreToolUse'], {
        cwd: repo.dir,
        input: JSON.stringify({session_id: 's', cwd: repo.dir, hook_event_name: 'PreToolUse', ...call}),
        timeoutMs: 60_000,
      })
      expect(hook.code, hook.stderr).toBe(2)
      expect(hook.stderr).toContain('acldrift.config.yaml')
      expect(hook.stderr).toContain('not a regular file')
      expect(Date.now() - started).toBeLessThan(30_000)
    },
    SLOW,
  )
})

/** The hook refuses the call, on the own path: the full path's stages (the gate) never ran. */
async function refusedOnOwnPath(repo: TestRepo, call: ToolCall) {
  const own = await runCli(['hook', 'agent', 'claude-code', 'PreToolUse'], {
    cwd: repo.dir,
    env: {ACLDRIFT_DEBUG: '1'},
    input: JSON.stringify({session_id: 's', cwd: repo.dir, hook_event_name: 'PreToolUse', ...call}),
  })
  expect(own.code).toBe(2)
  expect(own.stderr).toContain('no valid approval covers it')
  expect(own.stderr).not.toMatch(/^\s+gate\s/m)
}

/** A repository as `acldrift init` leaves it (globs, the snapshot baseline), both committed. */
async function initialised(more: Record<string, string> = {}): Promise<TestRepo> {
  const repo = await repository(more)
  const init = await runCli(['init', '--hook', 'git'], {cwd: repo.dir})
  expect(init.code, init.stderr).toBe(0)
  expect(await readFile(join(repo.dir, 'acldrift.config.yaml'), 'utf8')).toMatch(
    /^baseline: '?\.acldrift\/baseline\.json'?$/m,
  )
  await repo.stage()
  await repo.commit('set up acldrift')
  return repo
}

const SNAPSHOT = '.acldrift/baseline.json'

describe("under init's config, the own path reads the file's documents in the snapshot baseline", () => {
  it(
    'Write, Edit and MultiEdit: a widening, a narrowing, two steps, a new file, beside an approval of another file',
    async () => {
      const repo = await initialised()
      await policyEdits(repo)
      await repo.write(
        '.acldrift/approvals.yaml',
        'approvals:\n  - id: 0123456789abcdef\n    kind: aws-iam\n    file: other/policy.json\n',
      )
      await repo.stage('.acldrift/approvals.yaml')
      await expectSameAsFull(repo, edit(ACL_FILE, '[group:sre]', '[group:sre, group:contractors]'), true)
      await expectSameAsFull(repo, await workflowWidened(repo), true)
    },
    SLOW,
  )

  it(
    'the snapshot, not HEAD, is the approved state: a widening committed without retaking it is still refused',
    async () => {
      const repo = await initialised()
      // Committed past the hook: HEAD has the widening, the snapshot does not.
      await repo.write(BUCKET_FILE, policyText(publicBucketPolicy))
      await repo.stage(BUCKET_FILE)
      await repo.git('commit', '--quiet', '--no-verify', '-m', 'widened past the hook')
      const again = write(join(repo.dir, BUCKET_FILE), `${policyText(publicBucketPolicy)}\n`)
      await expectSameAsFull(repo, again, true)
    },
    SLOW,
  )

  it(
    'the hook takes the own path with the snapshot baseline (ACLDRIFT_DEBUG stages)',
    async () => {
      const repo = await initialised()
      await refusedOnOwnPath(repo, write(join(repo.dir, BUCKET_FILE), policyText(publicBucketPolicy)))
    },
    SLOW,
  )
})

describe('with the snapshot baseline, the own path hands over where the snapshot cannot be trusted as read', () => {
  const widening = (repo: TestRepo) => write(join(repo.dir, BUCKET_FILE), policyText(publicBucketPolicy))
  /** The snapshot with `change` made to its parsed content. */
  const rewritten = async (
    repo: TestRepo,
    change: (snapshot: {documents: Array<{path: string; value: unknown}>}) => void,
  ) => {
    const snapshot = JSON.parse(await readFile(join(repo.dir, SNAPSHOT), 'utf8'))
    change(snapshot)
    return `${JSON.stringify(snapshot, null, 2)}\n`
  }
  const committed = (repo: TestRepo) => repo.git('show', `HEAD:${SNAPSHOT}`)

  it(
    'a snapshot changed in the working tree or the index, or tampered with and committed',
    async () => {
      const repo = await initialised()
      const original = await readFile(join(repo.dir, SNAPSHOT), 'utf8')
      // The working tree's snapshot approves the widening (the full path reads that one): the gate decides.
      const approving = await rewritten(repo, (s) => {
        s.documents.find((d) => d.path === BUCKET_FILE)!.value = publicBucketPolicy
      })
      await repo.write(SNAPSHOT, approving)
      await notTaken(repo, widening(repo))
      await repo.stage(SNAPSHOT)
      await notTaken(repo, widening(repo))
      const {full} = await bothPaths(repo, widening(repo))
      expect(full.findings).toEqual([])
      await repo.write(SNAPSHOT, original)
      await notTaken(repo, widening(repo))
      await repo.stage(SNAPSHOT)
      expect((await alonePath(repo, widening(repo))).alone).toBeDefined()

      // A document of another file that is not valid for its kind, committed: the full path, which
      // reads the snapshot whole, fails closed. The own path reads the edited file's documents
      // only, as the pre-commit hook does: it decides an edit of another file as before, and
      // leaves an edit of that file to the full path.
      const tampered = await rewritten(repo, (s) => {
        s.documents.find((d) => d.path === ACL_FILE)!.value = {grants: 'everyone'}
      })
      await repo.write(SNAPSHOT, tampered)
      await repo.stage(SNAPSHOT)
      await repo.git('commit', '--quiet', '--no-verify', '-m', 'tampered')
      expect(await committed(repo)).toBe(tampered)
      expect((await alonePath(repo, edit(BUCKET_FILE, '"s3:GetObject",', ''))).alone).toEqual([])
      expect((await alonePath(repo, widening(repo))).alone).not.toEqual([])
      await expect(
        reviewInCheck(repo.dir, await loadConfig(repo.dir), {
          path: BUCKET_FILE,
          content: Buffer.from(policyText(bucketPolicy)),
        }),
      ).rejects.toThrow(/baseline/)
      await notTaken(repo, edit(ACL_FILE, '[group:sre]', '[group:sre, group:contractors]'))
    },
    SLOW,
  )

  it(
    "a document of the edited file tampered with and committed: the hook refuses the edit, naming the baseline's problem",
    async () => {
      const repo = await initialised()
      // Wide, and not valid for its kind (a member IAM does not have): compared unvalidated, the
      // public policy would widen nothing.
      const tampered = await rewritten(repo, (s) => {
        s.documents.find((d) => d.path === BUCKET_FILE)!.value = {
          ...publicBucketPolicy,
          Statement: publicBucketPolicy.Statement.map((statement) => ({...statement, Note: 'approved'})),
        }
      })
      await repo.write(SNAPSHOT, tampered)
      await repo.stage(SNAPSHOT)
      await repo.git('commit', '--quiet', '--no-verify', '-m', 'tampered')
      await notTaken(repo, widening(repo))
      const hook = await runCli(['hook', 'agent', 'claude-code', 'PreToolUse'], {
        cwd: repo.dir,
        input: JSON.stringify({
          session_id: 's',
          cwd: repo.dir,
          hook_event_name: 'PreToolUse',
          ...widening(repo),
        }),
      })
      expect(hook.code, hook.stderr).toBe(2)
      expect(hook.stderr).toContain(SNAPSHOT)
    },
    SLOW,
  )

  it(
    "a forged layout (its HMAC left as it was) pointing the edited file at a decoy, and a stale one: the snapshot's own documents decide",
    async () => {
      // A workflow whose job matrix (any values: https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstrategymatrixinclude)
      // holds an object shaped like the bucket policy's baseline document, public: bytes of the
      // snapshot that a forged layout could point the policy at.
      const decoy = `name: ci\non: [push]\npermissions:\n  contents: read\njobs:\n  check:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        include:\n          - kind: aws-iam\n            path: ${BUCKET_FILE}\n            hash: ${'a'.repeat(64)}\n            value: ${JSON.stringify(publicBucketPolicy)}\n    steps:\n      - run: echo "\${{ matrix.path }}"\n`
      const repo = await initialised({[WORKFLOW_FILE]: decoy})
      const kept = await keptEntry(repo)
      const text = await readFile(join(repo.dir, SNAPSHOT), 'utf8')
      const range = objectRange(
        text,
        /\{\s*"kind": "aws-iam",\s*"path": "iam\/buckets\/payroll-exports.json"/,
      )
      expect(JSON.parse(text.slice(...range))).toMatchObject({path: BUCKET_FILE, value: publicBucketPolicy})
      await forge(repo, kept, (layout) => ({
        ...layout,
        documents: layout.documents.map(([file, ...own]) => [file, ...(file === BUCKET_FILE ? range : own)]),
      }))
      await expectSameAsFull(repo, widening(repo), true)
      // Not used: the layout was found again in the snapshot's bytes, and kept.
      expect(JSON.parse((await keptEntry(repo)).layout)).toEqual(JSON.parse(kept.layout))

      // Stale: the entry kept for the snapshot before a baseline update that narrowed the policy.
      const [reads, deny] = bucketPolicy.Statement
      const narrowed = {...bucketPolicy, Statement: [{...reads, Action: ['s3:GetObject']}, deny]}
      await repo.write(BUCKET_FILE, policyText(narrowed))
      await repo.stage(BUCKET_FILE)
      await repo.git('commit', '--quiet', '--no-verify', '-m', 'narrowed')
      const update = await runCli(['baseline', 'update'], {cwd: repo.dir})
      expect(update.code, update.stderr).toBe(0)
      await repo.stage(SNAPSHOT)
      await repo.git('commit', '--quiet', '--no-verify', '-m', 'baseline update')
      const current = await keptEntry(repo)
      expect(current.blob).not.toBe(kept.blob)
      await writeFile(join(repo.dir, LAYOUT), JSON.stringify(kept))
      await expectSameAsFull(repo, write(join(repo.dir, BUCKET_FILE), policyText(bucketPolicy)), true)
      expect(await keptEntry(repo)).toMatchObject({blob: current.blob})
    },
    SLOW,
  )

  it(
    "a config that reads otherwise than the snapshot's, a new file while a snapshot document's file is gone (and a revision baseline: decided as the full path does)",
    async () => {
      const repo = await initialised()
      const config = await readFile(join(repo.dir, 'acldrift.config.yaml'), 'utf8')
      // Another exclusion, committed without taking the snapshot again: its files.config differs.
      await repo.write('acldrift.config.yaml', `${config}exclude:\n  - 'vendor/**'\n`)
      await repo.stage('acldrift.config.yaml')
      await repo.git('commit', '--quiet', '--no-verify', '-m', 'exclude vendor')
      await notTaken(repo, widening(repo))
      await repo.git('reset', '--quiet', '--hard', 'HEAD~1')

      await repo.write('acldrift.config.yaml', config.replace(/^baseline: .*$/m, 'baseline: HEAD~0'))
      await repo.stage('acldrift.config.yaml')
      await repo.git('commit', '--quiet', '--no-verify', '-m', 'a revision baseline')
      await expectSameAsFull(repo, widening(repo), true)
      await repo.git('reset', '--quiet', '--hard', 'HEAD~1')

      await repo.git('rm', '--quiet', ACL_FILE)
      await notTaken(
        repo,
        write(join(repo.dir, 'acl/moved.yaml'), await fixture('acl/grant-added/baseline.yaml')),
      )
      // The same new file while the snapshot's files are all in the index as it read them.
      await repo.git('reset', '--quiet', '--hard', 'HEAD')
      const fresh = write(join(repo.dir, 'acl/moved.yaml'), await fixture('acl/grant-added/baseline.yaml'))
      expect((await alonePath(repo, fresh)).alone).toBeDefined()
    },
    SLOW,
  )
})

describe('with a revision baseline (a tag), the own path reads the file at the tag and decides as the full path', () => {
  const bucketWidened = (repo: TestRepo, suffix = '') =>
    write(join(repo.dir, BUCKET_FILE), `${policyText(publicBucketPolicy)}${suffix}`)

  /** The repository with `baseline: v1` committed, and v1 tagged there. */
  async function tagged(): Promise<TestRepo> {
    const repo = await repository({'acldrift.config.yaml': 'version: 1\nbaseline: v1\n'})
    await repo.git('tag', 'v1')
    return repo
  }

  it(
    'the tag at HEAD: Write, Edit and MultiEdit, a widening, a narrowing, two steps, a new file',
    async () => {
      const repo = await tagged()
      await policyEdits(repo)
      await expectSameAsFull(repo, await workflowWidened(repo), true)
    },
    SLOW,
  )

  it(
    'the tag behind HEAD, the file widened since (past the hook): an edit that keeps the widening is still refused',
    async () => {
      const repo = await tagged()
      await repo.write(BUCKET_FILE, policyText(publicBucketPolicy))
      await repo.stage(BUCKET_FILE)
      await repo.git('commit', '--quiet', '--no-verify', '-m', 'widened past the hook')
      // Against HEAD it changes nothing; against the tag, the approved state, it widens.
      const {alone} = await alonePath(repo, bucketWidened(repo, '\n'))
      expect(alone?.map((f) => f.change)).toContain('widening')
      await expectSameAsFull(repo, bucketWidened(repo, '\n'), true)
      // Back to the tag's content: nothing left to refuse.
      await expectSameAsFull(repo, write(join(repo.dir, BUCKET_FILE), policyText(bucketPolicy)), false)
      // Another file changed since the tag (the ACL file): an edit of the policy still decides alone.
      await repo.write(ACL_FILE, `${await fixture('acl/grant-added/baseline.yaml')}# note\n`)
      await repo.stage(ACL_FILE)
      await repo.git('commit', '--quiet', '--no-verify', '-m', 'acl comment')
      await expectSameAsFull(repo, bucketWidened(repo, '\n'), true)
      // …but a new policy, while another access config differs from the tag, goes the full way.
      const fresh = {
        Version: '2012-10-17',
        Statement: [{Effect: 'Allow', Action: 'iam:PassRole', Resource: '*'}],
      }
      await notTaken(repo, write(join(repo.dir, 'iam/new-role.json'), policyText(fresh)))
    },
    SLOW,
  )

  it(
    'the file moved since the tag: the full path follows the move, and the own path leaves it to it',
    async () => {
      const repo = await tagged()
      await repo.git('mv', BUCKET_FILE, 'iam/renamed.json')
      await repo.git('commit', '--quiet', '--no-verify', '-m', 'moved')
      const moved = write(join(repo.dir, 'iam/renamed.json'), policyText(publicBucketPolicy))
      await notTaken(repo, moved)
      const {full} = await bothPaths(repo, moved)
      expect(full.findings.length + full.problems.length).toBeGreaterThan(0)
    },
    SLOW,
  )

  it(
    'a tag that names no commit, and a tag moved onto the widening: the own path follows the tag as the full path does',
    async () => {
      const repo = await tagged()
      await repo.git('tag', '-d', 'v1')
      await notTaken(repo, bucketWidened(repo))
      await repo.git('tag', 'v1')
      await repo.write(BUCKET_FILE, policyText(publicBucketPolicy))
      await repo.stage(BUCKET_FILE)
      await repo.git('commit', '--quiet', '--no-verify', '-m', 'widened past the hook')
      await expectSameAsFull(repo, bucketWidened(repo, '\n'), true)
      // Moved onto the widening, the tag holds it: both paths compare with what it names now
      // (the shell hook refuses an agent's `git tag -f`, and CI judges the tag: unapprovedRevision).
      await repo.git('tag', '-f', 'v1', 'HEAD')
      await expectSameAsFull(repo, bucketWidened(repo, '\n'), false)
    },
    SLOW,
  )

  it(
    'the hook takes the own path with a tag baseline (ACLDRIFT_DEBUG stages)',
    async () => {
      const repo = await tagged()
      await refusedOnOwnPath(repo, bucketWidened(repo))
    },
    SLOW,
  )
})
