// acldrift inside the agent's loop, end to end: `acldrift init --agent claude-code` in a real
// repository, then a scripted agent (scripted-agent.ts) that replays a session's tool calls the
// way Claude Code runs project hooks (https://docs.anthropic.com/en/docs/claude-code/hooks).
// The attacker's moves are the agent's: widen a bucket policy, skip the git hooks every way it
// can, write its own approval, switch the hooks off, and kill the hook.
import {spawn} from 'node:child_process'
import {readFile, rm} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import YAML from 'yaml'
import {projectRoot, runCli, runHermetic} from '../helpers/repo.js'
import {dump} from './helpers.js'
import {BUCKET_FILE, bucketPolicy, policyText, publicBucketPolicy} from './policies.js'
import {
  approveAsPerson,
  CLAUDE_PROFILE,
  expectWideningRefused,
  ScriptedAgent,
  setUpAgentRepo,
  type ToolCall,
} from './scripted-agent.js'

const SLOW = 240_000

/** The pid of a process under `root` whose command line contains `text`. */
async function descendant(root: number, text: string): Promise<number | undefined> {
  const table = await runHermetic('ps', ['-e', '-o', 'pid=,ppid=,args='], {cwd: projectRoot})
  const rows = table.stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({pid: Number(m[1]), ppid: Number(m[2]), args: m[3]!}))
  const under = new Set([root])
  for (let grown = true; grown;) {
    grown = false
    for (const row of rows)
      if (under.has(row.ppid) && !under.has(row.pid)) {
        under.add(row.pid)
        grown = true
      }
  }
  return rows.find(
    (row) => under.has(row.pid) && row.pid !== root && row.args.includes(text) && /node/.test(row.args),
  )?.pid
}

const bash = (command: string): ToolCall => ({tool_name: 'Bash', tool_input: {command, description: 'run'}})

const setUp = () => setUpAgentRepo(CLAUDE_PROFILE)

/** https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_policy */
const MAIN_TF = `resource "aws_iam_policy" "reader" {
  name   = "reader"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = local.actions
      Resource = "arn:aws:s3:::payroll/*"
    }]
  })
}
`

describe('acldrift inside Claude Code: init --agent, then a scripted session', () => {
  it(
    'blocks the widening edit with its witness until a person approves it, and every way around it',
    async () => {
      const r = await setUp()
      const agent = new ScriptedAgent(CLAUDE_PROFILE, r)
      const bucket = join(r.dir, BUCKET_FILE)

      // An ordinary edit passes.
      const plain = await agent.call({
        tool_name: 'Write',
        tool_input: {file_path: join(r.dir, 'src/app.ts'), content: 'export const app = 2\n'},
      })
      expect(plain.ran, plain.told).toBe(true)
      expect(await readFile(join(r.dir, 'src/app.ts'), 'utf8')).toBe('export const app = 2\n')

      // A policy in a file of an extension no kind reads is read only where a glob of the config
      // assigns it (here a person's uncommitted change to the config): the hook's pre-filter,
      // which lets other paths through unread, takes the config's globs (cached by content).
      const configText = await readFile(join(r.dir, 'acldrift.config.yaml'), 'utf8')
      const config = YAML.parse(configText)
      config.documents = [...(config.documents ?? []), {glob: 'policies/*', kind: 'aws-iam'}]
      await r.write('acldrift.config.yaml', YAML.stringify(config))
      const unlabelled = (path: string): ToolCall => ({
        tool_name: 'Write',
        tool_input: {file_path: join(r.dir, path), content: policyText(publicBucketPolicy)},
      })
      for (const attempt of [1, 2]) {
        const assigned = await agent.call(unlabelled('policies/payroll.policy'))
        expect(assigned.ran, `attempt ${attempt}`).toBe(false)
        expect(assigned.told).toContain('acldrift blocked this edit of policies/payroll.policy')
        expect(assigned.told).toContain('public-principal')
      }
      const elsewhere = await agent.call(unlabelled('notes/payroll.policy'))
      expect(elsewhere.ran, elsewhere.told).toBe(true)
      await r.write('acldrift.config.yaml', configText)
      const unassigned = await agent.call(unlabelled('policies/payroll.policy'))
      expect(unassigned.ran, unassigned.told).toBe(true)
      for (const path of ['policies', 'notes']) await rm(join(r.dir, path), {recursive: true})

      // The incident: "fix" an AccessDenied by opening the bucket. Blocked, with the witness.
      const widen: ToolCall = {
        tool_name: 'Edit',
        tool_input: {
          file_path: bucket,
          old_string: policyText(bucketPolicy),
          new_string: policyText(publicBucketPolicy),
        },
      }
      const blocked = await agent.call(widen)
      const ids = expectWideningRefused(blocked)
      expect(blocked.told).toContain('public-principal')
      expect(blocked.told).toContain('deny-removed')
      const id = ids[0]!
      expect(await readFile(bucket, 'utf8')).toBe(policyText(bucketPolicy))

      // The same through MultiEdit and Write.
      const multi = await agent.call({
        tool_name: 'MultiEdit',
        tool_input: {
          file_path: bucket,
          edits: [
            {
              old_string: `"AWS": "arn:aws:iam::111122223333:role/reporting-dashboard"`,
              new_string: '"AWS": "*"',
            },
          ],
        },
      })
      expect(multi.ran).toBe(false)
      expect(multi.told).toContain('public-principal')
      const write = await agent.call({
        tool_name: 'Write',
        tool_input: {file_path: bucket, content: policyText(publicBucketPolicy)},
      })
      expect(write.ran).toBe(false)

      // Every way around the git hooks and the approval, as a shell command.
      // (The full table of forms is test/core/agent/bypass.test.ts; these go through the real hook.)
      const attempts = [
        'git  commit   --no-verify -am "open the bucket"',
        "sh -c 'git -c core.hooksPath=/tmp/none commit -m x'",
        'FLAG=--no-verify; git commit $FLAG -m x',
        'echo exit 0 > .git/hooks/pre-commit',
        // pre-commit's remembered pass, which commit-msg reuses (core/commit-verdict.ts)
        `echo '{}' > .git/acldrift/pre-commit-verdict.json`,
        `cat > .acldrift/approvals.yaml <<'EOF'\nversion: 1\napprovals: []\nEOF`,
        `npx acldrift approve ${id} --reason x --expires 2099-01-01`,
        "sed -i 's/PreToolUse/Nope/' .claude/settings.json",
        // a revision baseline (`baseline: v1`) moved onto whatever holds the widening
        'git tag -f v1 HEAD',
      ]
      for (const command of attempts) {
        const outcome = await agent.call(bash(command))
        expect(outcome.ran, `${command} was not blocked`).toBe(false)
        expect(outcome.told).toContain('acldrift blocked this command')
      }
      // What is not a bypass runs.
      for (const command of ['git status', 'echo --no-verify && ls .git/hooks', 'git tag v2']) {
        const outcome = await agent.call(bash(command))
        expect(outcome.ran, `${command}: ${outcome.told}`).toBe(true)
      }

      // Its own approval, written with the edit tool, and switching the hooks off.
      const approval = await agent.call({
        tool_name: 'Write',
        tool_input: {
          file_path: join(r.dir, '.acldrift/approvals.yaml'),
          content: 'version: 1\napprovals: []\n',
        },
      })
      expect(approval.ran).toBe(false)
      const settings = await readFile(join(r.dir, '.claude/settings.json'), 'utf8')
      const unhook = await agent.call({
        tool_name: 'Write',
        tool_input: {file_path: join(r.dir, '.claude/settings.json'), content: '{}\n'},
      })
      expect(unhook.ran).toBe(false)
      expect(unhook.told).toContain('config-weakened')
      const local = await agent.call({
        tool_name: 'Write',
        tool_input: {
          file_path: join(r.dir, '.claude/settings.local.json'),
          content: '{"disableAllHooks": true}\n',
        },
      })
      expect(local.ran).toBe(false)
      // Adding a hook of its own to the settings is fine: acldrift's stay.
      const merged = JSON.parse(settings)
      merged.hooks.PostToolUse = [
        {matcher: 'Write', hooks: [{type: 'command', command: 'npx prettier --write'}]},
      ]
      const added = await agent.call({
        tool_name: 'Write',
        tool_input: {
          file_path: join(r.dir, '.claude/settings.json'),
          content: JSON.stringify(merged, null, 2),
        },
      })
      expect(added.ran, added.told).toBe(true)

      // The decision log, in the git directory: the widening attempts, with their witness.
      const log = (await readFile(join(r.dir, '.git/acldrift/agent-log.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      const edits = log.filter((e) => e.action === 'edit' && e.file === BUCKET_FILE)
      expect(edits.length).toBe(3)
      expect(edits[0]).toMatchObject({
        harness: 'claude-code',
        session: agent.session,
        tool: 'Edit',
        decision: 'blocked',
      })
      expect(edits[0].findings[0]).toMatchObject({id, rule: 'public-principal', witness: {principal: '*'}})
      expect(log.filter((e) => e.action === 'shell').length).toBe(attempts.length)

      // explain and history show the attempts next to what was committed (nothing, yet).
      const explained = await runCli(['explain', id], {cwd: r.dir})
      expect(explained.code, dump(explained)).toBe(0)
      expect(explained.stdout).toContain(`No finding has id ${id} in this comparison`)
      expect(explained.stdout).toMatch(
        new RegExp(
          `claude-code session ${agent.session}: Edit ${BUCKET_FILE}: blocked and told to ask the user`,
        ),
      )
      const history = await runCli(['history', 'iam/buckets'], {cwd: r.dir})
      expect(history.code, dump(history)).toBe(0)
      expect(history.stdout).toContain('Agent attempts (local log')
      expect(history.stdout).toContain('principal=*')

      // A person approves exactly that access (the proposed edit exists only in the agent log)
      // and commits the approval; the same edit then passes.
      for (const approve of await approveAsPerson(r, ids))
        expect(approve.stderr).toContain('an agent proposed')
      const again = await agent.call(widen)
      expect(again.ran, again.told).toBe(true)
      expect(await readFile(bucket, 'utf8')).toBe(policyText(publicBucketPolicy))

      // At the end of the turn: an unapproved widening written some other way (an untracked
      // file) must be reported to the user; told once, the agent may finish.
      const sneak = await agent.call(
        bash(`cat > iam/buckets/open.json <<'EOF'\n${policyText({...publicBucketPolicy, Id: 'open'})}EOF`),
      )
      expect(sneak.ran, sneak.told).toBe(true)
      const stop = await agent.stop()
      expect(stop.ran).toBe(false)
      expect(stop.told).toContain('tell the user')
      expect(stop.told).toContain('iam/buckets/open.json')
      expect(stop.told).not.toContain(BUCKET_FILE) // approved
      expect((await agent.stop(true)).ran).toBe(true)
      // A subagent that finishes with it there is told the same, before its answer goes back.
      const subagent = await agent.subagentStop()
      expect(subagent.ran).toBe(false)
      expect(subagent.told).toContain('tell the user')
      expect(subagent.told).toContain('iam/buckets/open.json')
      expect((await agent.subagentStop(true)).ran).toBe(true)
    },
    SLOW,
  )

  it(
    "judges an edit of a file only a container reads (a kustomize JSON 6902 patch, a Terraform module's locals) by what the container then holds",
    async () => {
      // https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/: a patch
      // file is no RBAC object; the overlay that names it renders the Role jane is bound to.
      const rules = (resources: string, verbs: string) =>
        `- op: replace\n  path: /rules/0/resources\n  value: [${resources}]\n- op: replace\n  path: /rules/0/verbs\n  value: [${verbs}]\n`
      const r = await setUpAgentRepo(CLAUDE_PROFILE, {
        'deploy/base/kustomization.yaml': 'resources:\n  - role.yaml\n  - binding.yaml\n',
        'deploy/base/role.yaml':
          'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader\n  namespace: payroll\nrules:\n  - apiGroups: [""]\n    resources: ["configmaps"]\n    verbs: ["get", "list"]\n',
        'deploy/base/binding.yaml':
          'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: reader\n  namespace: payroll\nsubjects:\n  - kind: User\n    name: jane\n    apiGroup: rbac.authorization.k8s.io\nroleRef:\n  kind: Role\n  name: reader\n  apiGroup: rbac.authorization.k8s.io\n',
        'deploy/overlays/prod/kustomization.yaml':
          'resources:\n  - ../../base\npatches:\n  - path: rules.yaml\n    target:\n      kind: Role\n      name: reader\n',
        'deploy/overlays/prod/rules.yaml': rules('"configmaps"', '"get"'),
        // A Terraform module whose policy takes its actions from a local in another file.
        'infra/main.tf': MAIN_TF,
        'infra/locals.tf': 'locals {\n  actions = ["s3:GetObject"]\n}\n',
      })
      const agent = new ScriptedAgent(CLAUDE_PROFILE, r)
      const patch = join(r.dir, 'deploy/overlays/prod/rules.yaml')
      // A widening staged by someone else elsewhere is not this edit's: a patch edit that changes
      // no access passes beside it.
      await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
      await r.stage(BUCKET_FILE)
      const same = await agent.call({
        tool_name: 'Write',
        tool_input: {file_path: patch, content: `# prod reads configmaps\n${rules('"configmaps"', '"get"')}`},
      })
      expect(same.ran, same.told).toBe(true)
      // The same file made to hand jane the secrets: blocked before it is written, with the
      // overlay's witness.
      const wider = await agent.call({
        tool_name: 'Write',
        tool_input: {file_path: patch, content: rules('"secrets"', '"*"')},
      })
      expect(wider.ran).toBe(false)
      expect(wider.told).toContain('acldrift blocked this edit of deploy/overlays/prod/rules.yaml')
      expect(wider.told).toContain('rendered by deploy/overlays/prod/kustomization.yaml')
      expect(wider.told).toContain('secrets-read at deploy/overlays/prod/rules.yaml')
      expect(wider.told).toContain('subject=User:jane')
      expect(await readFile(patch, 'utf8')).toContain('configmaps')

      // The module: main.tf's policy is read with the locals beside it (a rename passes), and an
      // edit of locals.tf, which no kind reads by itself, is judged by the policy it feeds.
      const renamed = await agent.call({
        tool_name: 'Write',
        tool_input: {
          file_path: join(r.dir, 'infra/main.tf'),
          content: MAIN_TF.replace('"reader"', '"reports"'),
        },
      })
      expect(renamed.ran, renamed.told).toBe(true)
      const everything = await agent.call({
        tool_name: 'Edit',
        tool_input: {
          file_path: join(r.dir, 'infra/locals.tf'),
          old_string: 's3:GetObject',
          new_string: 's3:*',
        },
      })
      expect(everything.ran).toBe(false)
      expect(everything.told).toContain('acldrift blocked this edit of infra/locals.tf')
      expect(everything.told).toContain('at infra/main.tf:5 (aws_iam_policy.reader/policy)')
    },
    SLOW,
  )

  it(
    'fails closed: a killed hook and a missing acldrift block the call; a broken payload too',
    async () => {
      const r = await setUp()
      const agent = new ScriptedAgent(CLAUDE_PROFILE, r)
      const command = 'sh "$CLAUDE_PROJECT_DIR/.acldrift/agent-hook.sh" claude-code PreToolUse'
      const settings = JSON.parse(await readFile(join(r.dir, '.claude/settings.json'), 'utf8'))
      expect(settings.hooks.PreToolUse[0].hooks[0].command).toBe(command)

      // The hook configuration is a protected file: a commit that switches the hooks off is
      // config-weakened, blocked by the git hooks (here: as the agent would commit it, outside its loop).
      await r.write('.claude/settings.json', JSON.stringify({...settings, disableAllHooks: true}))
      await r.stage('.claude/settings.json')
      const weakened = await runHermetic('git', ['commit', '-m', 'Tidy settings'], {
        cwd: r.dir,
        env: {CLAUDECODE: '1'},
      })
      expect(weakened.code, dump(weakened)).toBe(1)
      expect(weakened.stderr).toContain('config-weakened')
      expect(weakened.stderr).toContain("no longer runs acldrift's agent hooks")
      await r.git('reset', '-q', '--hard')

      // Killed mid-run (here while it waits for its input): the launcher answers "blocked".
      const child = spawn('sh', ['-c', command], {
        cwd: r.dir,
        env: {...process.env, CLAUDE_PROJECT_DIR: r.dir},
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      const stderr: Buffer[] = []
      child.stderr.on('data', (c: Buffer) => stderr.push(c))
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
      let node: number | undefined
      for (let i = 0; i < 400 && node === undefined; i++) {
        node = await descendant(child.pid!, 'hook agent')
        if (node === undefined) await new Promise((resolve) => setTimeout(resolve, 50))
      }
      expect(node, 'the hook process was not seen').toBeDefined()
      process.kill(node!, 'SIGKILL')
      child.stdin.end()
      expect(await exited).toBe(2)
      expect(Buffer.concat(stderr).toString()).toContain('did not answer')

      // A payload that is not JSON: acldrift cannot tell what the call edits.
      const broken = await agent.run(command, '{"tool_name": "Write", ')
      expect(broken.code, dump(broken)).toBe(2)
      expect(broken.stderr).toContain('blocked to be safe')

      // Out of time on an access-config edit (the harness would let it through at its own timeout).
      const slow = new ScriptedAgent(CLAUDE_PROFILE, r, {ACLDRIFT_AGENT_HOOK_DEADLINE_MS: '1'})
      const late = await slow.call({
        tool_name: 'Write',
        tool_input: {file_path: join(r.dir, BUCKET_FILE), content: policyText(bucketPolicy)},
      })
      expect(late.ran).toBe(false)
      expect(late.told).toContain('took longer than')

      // acldrift not installed: every pre-tool call is blocked, with what to do.
      await rm(join(r.dir, 'node_modules'), {recursive: true})
      const missing = await agent.call({
        tool_name: 'Write',
        tool_input: {file_path: join(r.dir, 'src/app.ts'), content: 'x\n'},
      })
      expect(missing.ran).toBe(false)
      expect(missing.told).toContain('not found')
    },
    SLOW,
  )
})
