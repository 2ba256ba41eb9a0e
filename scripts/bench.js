// `npm run bench`: performance figures on generated repositories, each printed with its
// ratio to a bare baseline (`node -e 0` for start-up bound commands).
//
//   hook path     acldrift check --staged in a repository of 2,000 policy files, one staged change
//   agent hook    acldrift hook agent there, for each harness: an edit of a file that is no access
//                 config (Cursor: a shell command), also with a config of globs; and Claude Code's
//                 edit that widens a policy; each against `node -e 0` run in turns with it
//   templates     the same with 200 SAM templates (and 500 policy files), one template staged
//   terraform     the same in a repository of 500 .tf files (50 modules), 200 SAM templates and 500
//                 policy files: one .tf file staged (tree-sitter's grammar loaded), or one policy file (not);
//                 then after `acldrift init --hook git` (as users have it), the hook bundle the installed
//                 pre-commit script runs, wall and CPU time, in turns with `node -e 0`
//   kustomize     the same in a repository of 40 apps (a base and 2 overlays each, with patches)
//                 and 500 policy files: a policy file staged (nothing rendered), or one overlay's
//                 patch (k8s-rbac compares the kind as a whole: every overlay rendered, once where
//                 HEAD and the index agree; after init, with the snapshot baseline, only the overlay
//                 that reads the patch)
//   comparison    two 5,000- (and 100,000-) statement policies that differ in one statement, and two
//                 1,000-statement policies in which every statement changed, compared in-process
//   k8s           5,000 k8s RBAC objects (Roles, ClusterRoles with aggregation, bindings) in 820
//                 YAML files after `acldrift init --hook git`: the hook with a verb added to one
//                 Role, a subject added to one RoleBinding, or to one ClusterRoleBinding, against
//                 `node -e 0` run in turns with it, with CPU time and peak memory
//   gcp           2,000 AWS policy files, 200 GCP IAM policies binding 50 custom roles and two
//                 CODEOWNERS files after `acldrift init --hook git`: the hook with a permission added
//                 to one custom role, a member to one GCP policy, or a rule to `.github/CODEOWNERS`
//                 (each reads only what it reaches), as the k8s rows
//   as users have it   after `acldrift init --hook git` (its config, the snapshot baseline): the hook
//                 as git runs it (the installed pre-commit script, which runs the hook bundle)
//                 with one and ten staged changes, a full `git commit` through the three hooks (in
//                 turns with `node -e 0`), commit-msg after pre-commit passed the same index, and
//                 with a tag as baseline, at 2,000 and 20,000 policy files, with peak memory
//   audit         acldrift audit over 5,000, 20,000 and 50,000 commits touching 500 policy files
//                 (semantic blame of every widening), against a bare `git log --raw` over the same
//                 range (in turns), with CPU time and peak memory; then `audit` and `history` over a
//                 history shaped like AWS's managed policies (1,400 policies of 5 to 500 statements,
//                 1,000 commits changing 1 to 3 each): CPU time (git's included) and peak memory
//
// BENCH_RUNS (15) runs per figure; BENCH_SETUP_FILES ("2000,20000") the sizes of the last section,
// BENCH_SETUP_RUNS (5) its runs; BENCH_AUDIT_COMMITS ("5000,20000,50000"; "0": none, only the
// managed-policy rows) and BENCH_AUDIT_RUNS (3) for the audit section, BENCH_MANAGED ("1400,1000":
// policies, commits) its managed-policy history;
// BENCH_ONLY=setup (or audit, kustomize, terraform, comparison, k8s, gcp, or agent: the agent hooks) runs only that
// section; BENCH_JSON=FILE writes
// every figure there; BENCH_CLI=PATH measures another build (a checkout of main, for before/after).
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const project = fileURLToPath(new URL('..', import.meta.url))
const cli = process.env.BENCH_CLI ?? join(project, 'bin', 'run.js')
const runs = Number(process.env.BENCH_RUNS ?? 15)
// An empty file, not /dev/null: the bench must survive a broken /dev/null.
const scratch = mkdtempSync(join(tmpdir(), 'acldrift-bench-scratch-'))
const emptyGitConfig = join(scratch, 'gitconfig')
writeFileSync(emptyGitConfig, '')
process.on('exit', () => rmSync(scratch, {recursive: true, force: true}))
const env = {
  ...process.env,
  GIT_CONFIG_GLOBAL: emptyGitConfig,
  GIT_CONFIG_NOSYSTEM: '1',
  NO_COLOR: '1',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
}
/** Every figure printed, by label, for BENCH_JSON. */
const figures = {}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/** Median wall time of a command (given `input` on stdin), in milliseconds, after one warm-up run. */
function time(command, args, cwd, input) {
  const samples = []
  for (let i = 0; i <= runs; i++) {
    const start = process.hrtime.bigint()
    const stdio = [input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore']
    const result = spawnSync(command, args, {cwd, env, stdio, input})
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6
    if (result.error) throw result.error
    if (i > 0) samples.push(elapsed)
  }
  return median(samples)
}

/**
 * time() of a command and of `node -e 0`, run in turns: on a loaded machine the load moves
 * between two figures taken one after the other, and the ratio is what a budget is about.
 */
function timeBesideNode(command, args, cwd, input) {
  const [samples, bare] = [[], []]
  for (let i = 0; i <= runs; i++) {
    const start = process.hrtime.bigint()
    spawnSync(process.execPath, ['-e', '0'], {cwd, env, stdio: 'ignore'})
    const middle = process.hrtime.bigint()
    const result = spawnSync(command, args, {cwd, env, stdio: ['pipe', 'ignore', 'ignore'], input})
    if (result.error) throw result.error
    if (i === 0) continue
    bare.push(Number(middle - start) / 1e6)
    samples.push(Number(process.hrtime.bigint() - middle) / 1e6)
  }
  return {ms: median(samples), bare: median(bare)}
}

const statement = (i, actions = ['s3:GetObject', 's3:PutObject']) => ({
  Sid: `Statement${i}`,
  Effect: 'Allow',
  Action: actions,
  Resource: `arn:aws:s3:::bucket-${i % 97}/prefix-${i}/*`,
  ...(i % 5 === 0 ? {Condition: {IpAddress: {'aws:SourceIp': `10.${i % 256}.0.0/16`}}} : {}),
})

/** Runs git quietly in `dir`. */
const gitIn =
  (dir) =>
  (...args) =>
    execFileSync('git', args, {cwd: dir, env, stdio: 'ignore'})

/** A new repository in a temp folder: its path, its git, and a commit of everything in it. */
function benchRepo(name) {
  const dir = mkdtempSync(join(tmpdir(), `acldrift-bench-${name}`))
  const git = gitIn(dir)
  git('init', '-q', '-b', 'main')
  const commitAll = (message) => {
    git('add', '-A')
    git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', message)
  }
  return {dir, git, commitAll}
}

function generateRepository(files) {
  const {dir, git, commitAll} = benchRepo('')
  for (let i = 0; i < files; i++) {
    const folder = join(dir, 'iam', `team-${i % 40}`)
    mkdirSync(folder, {recursive: true})
    const policy = {Version: '2012-10-17', Statement: [statement(i), statement(i + 1, ['s3:ListBucket'])]}
    writeFileSync(join(folder, `policy-${i}.json`), JSON.stringify(policy, null, 2))
  }
  commitAll('policies')
  const changed = join(dir, 'iam', 'team-7', 'policy-7.json')
  writeFileSync(
    changed,
    JSON.stringify({Version: '2012-10-17', Statement: [statement(7, ['s3:*'])]}, null, 2),
  )
  git('add', changed)
  return dir
}

function print(label, ms, baselineLabel, baselineMs, extra = '') {
  figures[label] = {
    ms: Math.round(ms),
    ...(baselineMs === undefined ? {} : {ratio: ms / baselineMs, to: baselineLabel}),
  }
  const ratio = baselineMs === undefined ? '' : `  ${(ms / baselineMs).toFixed(2)}× ${baselineLabel}`
  console.log(`${label.padEnd(58)} ${ms.toFixed(0).padStart(6)} ms${ratio}${extra}`)
}

/** Runs the hook once: it must find the staged widening (exit 1), or the figures measure something else. */
function expectWidening(cwd) {
  const result = spawnSync(process.execPath, [cli, 'check', '--staged'], {cwd, env, encoding: 'utf8'})
  if (result.status !== 1)
    throw new Error(`check --staged exited ${result.status}:\n${result.stderr}${result.stdout}`)
}

console.log(`acldrift bench: median of ${runs} runs each (BENCH_RUNS to change), node ${process.version}\n`)

const only = process.env.BENCH_ONLY
const nodeBare =
  only === undefined || only === 'kustomize' || only === 'agent' || only === 'terraform'
    ? time(process.execPath, ['-e', '0'], project)
    : undefined
if (nodeBare !== undefined) print('node -e 0 (baseline)', nodeBare)

if (only === undefined || only === 'agent') {
  const repo = generateRepository(2000)
  try {
    if (only === undefined) checkFigures(repo)
    agentFigures(repo)
  } finally {
    rmSync(repo, {recursive: true, force: true})
  }
}

/** The pre-commit hook in `repo`. */
function checkFigures(repo) {
  const gitStatus = time('git', ['diff', '--cached', '--name-only'], repo)
  print('git diff --cached --name-only (raw git)', gitStatus)
  const version = time(process.execPath, [cli, '--version'], repo)
  print('acldrift --version', version, 'node -e 0', nodeBare)
  const hook = time(process.execPath, [cli, 'check', '--staged'], repo)
  const verdict = hook <= 3 * nodeBare ? 'within the 3× budget' : 'OVER the 3× budget'
  print(
    'acldrift check --staged (2,000 files, 1 staged change)',
    hook,
    'node -e 0',
    nodeBare,
    `  (${verdict})`,
  )
  const full = time(process.execPath, [cli, 'check'], repo)
  print('acldrift check (working tree, all 2,000 files)', full, 'node -e 0', nodeBare)
}

/** The agent hooks in `repo`. */
function agentFigures(repo) {
  // The agent hooks, on every tool call of the agent: each harness's own payload for an edit
  // of a file that is no access config (Cursor: a shell command, its only call before the fact).
  // Each against `node -e 0` run in turns with it (timeBesideNode).
  const agentHook = (harness, event, payload) =>
    timeBesideNode(
      process.execPath,
      [cli, 'hook', 'agent', harness, event],
      repo,
      JSON.stringify({session_id: 'bench', cwd: repo, hook_event_name: event, ...payload}),
    )
  const toolCall = (tool_name, tool_input) =>
    JSON.stringify({session_id: 'bench', cwd: repo, hook_event_name: 'PreToolUse', tool_name, tool_input})
  const app = join(repo, 'src', 'app.ts')
  const plainCalls = [
    [
      'claude-code',
      'PreToolUse',
      'Write',
      {tool_name: 'Write', tool_input: {file_path: app, content: 'export {}\n'}},
    ],
    [
      'gemini',
      'BeforeTool',
      'write_file',
      {tool_name: 'write_file', tool_input: {file_path: app, content: 'export {}\n'}},
    ],
    [
      'cursor',
      'beforeShellExecution',
      'git status',
      {workspace_roots: [repo], command: 'git status', cwd: repo},
    ],
  ]
  for (const [harness, event, what, payload] of plainCalls) {
    const {ms, bare} = agentHook(harness, event, payload)
    print(
      `acldrift hook agent ${harness}: ${what}${harness === 'cursor' ? '' : ' of a file that is no access config'}`,
      ms,
      'node -e 0',
      bare,
      `  (${ms <= 1.3 * bare ? 'within' : 'OVER'} the 1.3× budget)`,
    )
  }
  // The same Write where a config assigns kinds by glob (as `init` writes it): the hook reads
  // its cached view of the config (built by the warm-up run).
  const config = join(repo, 'acldrift.config.yaml')
  writeFileSync(
    config,
    "version: 1\ndocuments:\n  - glob: '.github/workflows/*.{yml,yaml}'\n    kind: github-actions\n",
  )
  const [harness, event, , payload] = plainCalls[0]
  const withConfig = agentHook(harness, event, payload)
  print(
    'acldrift hook agent claude-code: the same, with a config of globs',
    withConfig.ms,
    'node -e 0',
    withConfig.bare,
    `  (${withConfig.ms <= 1.3 * withConfig.bare ? 'within' : 'OVER'} the 1.3× budget)`,
  )
  rmSync(config)
  const widening = JSON.stringify({Version: '2012-10-17', Statement: [statement(3, ['s3:*'])]}, null, 2)
  const accessEdit = timeBesideNode(
    process.execPath,
    [cli, 'hook', 'agent', 'claude-code', 'PreToolUse'],
    repo,
    toolCall('Write', {file_path: join(repo, 'iam', 'team-3', 'policy-3.json'), content: widening}),
  )
  print(
    'acldrift hook agent: Write that widens a policy (blocked)',
    accessEdit.ms,
    'node -e 0',
    accessEdit.bare,
    `  (${accessEdit.ms <= 3 * accessEdit.bare ? 'within' : 'OVER'} the 3× staged-hook budget)`,
  )
  // The same Write in the setup users have: `init`'s config (globs, the snapshot baseline
  // `.acldrift/baseline.json`), committed. Wall time, then CPU time with every git process,
  // each in turns with `node -e 0`.
  const init = spawnSync(process.execPath, [cli, 'init', '--hook', 'git'], {cwd: repo, env, encoding: 'utf8'})
  if (init.status !== 0) throw new Error(`init exited ${init.status}:\n${init.stderr}`)
  execFileSync('git', ['add', '-A'], {cwd: repo, env})
  execFileSync('git', ['commit', '-q', '--no-verify', '-m', 'set up acldrift'], {cwd: repo, env})
  const hookArgs = [cli, 'hook', 'agent', 'claude-code', 'PreToolUse']
  const call = toolCall('Write', {file_path: join(repo, 'iam', 'team-3', 'policy-3.json'), content: widening})
  const initEdit = timeBesideNode(process.execPath, hookArgs, repo, call)
  const budget = (ratio) => `  (${ratio <= 3 ? 'within' : 'OVER'} the 3× staged-hook budget)`
  print(
    "acldrift hook agent: the same Write, under init's config",
    initEdit.ms,
    'node -e 0',
    initEdit.bare,
    budget(initEdit.ms / initEdit.bare),
  )
  const cpu = cpuBesideNode(hookArgs, repo, call)
  print(
    "acldrift hook agent: the same Write, under init's config (CPU)",
    cpu.ms,
    'node -e 0 (CPU)',
    cpu.bare,
    budget(cpu.ms / cpu.bare),
  )
}

if (only === undefined || only === 'terraform') {
  /** A SAM template (YAML, short forms) of a function whose role reads one bucket and writes one queue. */
  const samTemplate = (i, policy = 'S3ReadPolicy') => `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: service ${i}
Parameters:
  Stage:
    Type: String
    Default: prod
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Function:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - ${policy}:
            BucketName: !Sub 'data-${i}-\${Stage}'
        - Statement:
            - Effect: Allow
              Action: sqs:SendMessage
              Resource: !GetAtt Queue.Arn
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: logs
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: [logs:CreateLogStream, logs:PutLogEvents]
                Resource: !Sub 'arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/service-${i}:*'
`

  /** `templates` SAM templates under services/, `policies` one-statement policy files under iam/. */
  function writeServicesAndPolicies(dir, templates, policies) {
    for (let i = 0; i < templates; i++) {
      mkdirSync(join(dir, 'services', `service-${i}`), {recursive: true})
      writeFileSync(join(dir, 'services', `service-${i}`, 'template.yaml'), samTemplate(i))
    }
    mkdirSync(join(dir, 'iam'), {recursive: true})
    for (let i = 0; i < policies; i++)
      writeFileSync(
        join(dir, 'iam', `policy-${i}.json`),
        JSON.stringify({Version: '2012-10-17', Statement: [statement(i)]}),
      )
  }

  /** 200 SAM templates beside 500 policy files; one template's read policy template staged as a CRUD one. */
  function generateTemplates(templates, policies) {
    const {dir, git, commitAll} = benchRepo('templates-')
    writeServicesAndPolicies(dir, templates, policies)
    commitAll('services')
    const changed = join(dir, 'services', 'service-7', 'template.yaml')
    writeFileSync(changed, samTemplate(7, 'S3CrudPolicy'))
    git('add', changed)
    return dir
  }

  if (only === undefined) {
    const templatesRepo = generateTemplates(200, 500)
    try {
      const hook = time(process.execPath, [cli, 'check', '--staged'], templatesRepo)
      const verdict = hook <= 3 * nodeBare ? 'within the 3× budget' : 'OVER the 3× budget'
      print(
        'acldrift check --staged (200 templates, 1 staged)',
        hook,
        'node -e 0',
        nodeBare,
        `  (${verdict})`,
      )
      const full = time(process.execPath, [cli, 'check'], templatesRepo)
      print('acldrift check (working tree, 200 templates + 500 files)', full, 'node -e 0', nodeBare)
    } finally {
      rmSync(templatesRepo, {recursive: true, force: true})
    }
  }

  /** One module of ten .tf files: a role whose policy is a data source of policies.tf, a bucket policy, and the rest. */
  function terraformModule(i, actions = ['s3:GetObject', 's3:ListBucket']) {
    const list = (values) => `[${values.map((v) => `"${v}"`).join(', ')}]`
    const plain = (type, name, body) => `resource "${type}" "${name}" {\n${body}}\n`
    return {
      'variables.tf': `variable "bucket" {\n  type    = string\n  default = "data-${i}"\n}\n`,
      'iam.tf': `resource "aws_iam_role" "app" {
  name               = "app-${i}"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "app" {
  name   = "app"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}
`,
      'policies.tf': `data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "app" {
  statement {
    actions   = ${list(actions)}
    resources = ["arn:aws:s3:::\${var.bucket}", "arn:aws:s3:::\${var.bucket}/*"]
  }
}
`,
      's3.tf': `resource "aws_s3_bucket" "data" {
  bucket = var.bucket
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["\${aws_s3_bucket.data.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}
`,
      'outputs.tf': `output "role_arn" {\n  value = aws_iam_role.app.arn\n}\n`,
      'sqs.tf': plain('aws_sqs_queue', 'jobs', `  name = "jobs-${i}"\n`),
      'logs.tf': plain(
        'aws_cloudwatch_log_group',
        'app',
        `  name              = "/app/${i}"\n  retention_in_days = 30\n`,
      ),
      'dns.tf': plain(
        'aws_route53_record',
        'app',
        `  zone_id = "Z123"\n  name    = "app-${i}"\n  type    = "CNAME"\n  ttl     = 300\n  records = ["lb.example.com"]\n`,
      ),
      'vpc.tf': plain('aws_security_group', 'app', `  name   = "app-${i}"\n  vpc_id = "vpc-123"\n`),
      'versions.tf': `terraform {\n  required_version = ">= 1.5"\n}\n`,
    }
  }

  /** 50 Terraform modules (500 .tf files) beside 200 SAM templates and 500 policy files. */
  function generateTerraform(modules, templates, policies) {
    const {dir, git, commitAll} = benchRepo('terraform-')
    for (let i = 0; i < modules; i++) {
      const folder = join(dir, 'modules', `team-${i}`)
      mkdirSync(folder, {recursive: true})
      for (const [name, content] of Object.entries(terraformModule(i)))
        writeFileSync(join(folder, name), content)
    }
    writeServicesAndPolicies(dir, templates, policies)
    commitAll('modules')
    return {
      dir,
      /** Stages one widening: in a module's policies.tf, or in a policy file. */
      stage(which) {
        git('reset', '-q', '--hard')
        const changed =
          which === 'tf' ? join(dir, 'modules', 'team-7', 'policies.tf') : join(dir, 'iam', 'policy-7.json')
        writeFileSync(
          changed,
          which === 'tf'
            ? terraformModule(7, ['s3:GetObject', 's3:ListBucket', 's3:DeleteObject'])['policies.tf']
            : JSON.stringify({Version: '2012-10-17', Statement: [statement(7, ['s3:*'])]}),
        )
        git('add', changed)
      },
    }
  }

  /**
   * The same two commits as users have them: after `acldrift init --hook git` (its config, the
   * snapshot baseline), committed, what the installed pre-commit script runs (the hook bundle),
   * wall time and CPU time (its git processes included), each in turns with `node -e 0`.
   */
  function terraformAfterInit(terraform) {
    const git = gitIn(terraform.dir)
    git('reset', '-q', '--hard')
    const init = spawnSync(process.execPath, [cli, 'init', '--hook', 'git'], {
      cwd: terraform.dir,
      env,
      encoding: 'utf8',
    })
    if (init.status !== 0) throw new Error(`init exited ${init.status}:\n${init.stderr}${init.stdout}`)
    git('add', '-A')
    git('commit', '-q', '--no-verify', '-m', 'Set up acldrift')
    const hookArgs = [hookEntry(terraform.dir), 'check', '--staged', '--quiet']
    const measure = (which) => {
      terraform.stage(which)
      expectWidening(terraform.dir)
      // As after an install or an upgrade: the first run (the warm-up) writes the hook's code cache,
      // so a run that leaves it unusable for the next (V8 flags left changed) shows.
      rmSync(join(terraform.dir, '.git', 'acldrift', 'hook-code-cache.check'), {force: true})
      return {
        wall: timeBesideNode(process.execPath, hookArgs, terraform.dir),
        cpu: cpuBesideNode(hookArgs, terraform.dir),
      }
    }
    const json = measure('json')
    const tf = measure('tf')
    const label = (what, staged) =>
      `hook after init (500 .tf, 200 templates, 500 files, a ${staged} staged)${what}`
    for (const [what, key, bare] of [
      ['', 'wall', 'node -e 0'],
      [' (CPU)', 'cpu', 'node -e 0 (CPU)'],
    ]) {
      print(label(what, '.json'), json[key].ms, bare, json[key].bare)
      // The .tf file's cost: the ratios' difference, in ms of this figure's own `node -e 0`.
      const extra = (tf[key].ms / tf[key].bare - json[key].ms / json[key].bare) * tf[key].bare
      const verdict = tf[key].ms <= 3 * tf[key].bare && extra <= 30 ? 'within' : 'OVER'
      print(
        label(what, '.tf'),
        tf[key].ms,
        bare,
        tf[key].bare,
        `  (+${extra.toFixed(0)} ms for the .tf: ${verdict} the 3× + 30 ms budget)`,
      )
    }
  }

  const terraform = generateTerraform(50, 200, 500)
  try {
    terraform.stage('json')
    expectWidening(terraform.dir)
    const withoutTf = time(process.execPath, [cli, 'check', '--staged'], terraform.dir)
    print(
      'acldrift check --staged (500 .tf, 200 templates, 500 files, a .json staged)',
      withoutTf,
      'node -e 0',
      nodeBare,
    )
    terraform.stage('tf')
    expectWidening(terraform.dir)
    const withTf = time(process.execPath, [cli, 'check', '--staged'], terraform.dir)
    const extra = withTf - withoutTf
    const verdict = withTf <= 3 * nodeBare && extra <= 30 ? 'within' : 'OVER'
    print(
      'acldrift check --staged (500 .tf, 200 templates, 500 files, a .tf staged)',
      withTf,
      'node -e 0',
      nodeBare,
      `  (+${extra.toFixed(0)} ms for the .tf: ${verdict} the 3× + 30 ms budget)`,
    )
    const full = time(process.execPath, [cli, 'check'], terraform.dir)
    print('acldrift check (working tree, 500 .tf, 200 templates, 500 files)', full, 'node -e 0', nodeBare)
    terraformAfterInit(terraform)
  } finally {
    rmSync(terraform.dir, {recursive: true, force: true})
  }
}

if (only === undefined || only === 'kustomize') {
  /** 40 apps, each a base (ClusterRole, binding) with a dev and a prod overlay, beside 500 policy files. */
  function generateKustomize(apps, policies) {
    const {dir, git, commitAll} = benchRepo('kustomize-')
    const write = (path, content) => {
      mkdirSync(join(dir, path, '..'), {recursive: true})
      writeFileSync(join(dir, path), content)
    }
    const patch = (verbs) => `- op: replace\n  path: /rules/0/verbs\n  value: ${JSON.stringify(verbs)}\n`
    for (let i = 0; i < apps; i++) {
      const app = `apps/app-${i}`
      write(`${app}/base/kustomization.yaml`, 'resources:\n  - rbac.yaml\n')
      write(
        `${app}/base/rbac.yaml`,
        `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: app-${i}\nrules:\n  - apiGroups: [""]\n    resources: ["pods"]\n    verbs: ["get"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: app-${i}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: app-${i}\nsubjects:\n  - kind: ServiceAccount\n    name: app-${i}\n    namespace: apps\n`,
      )
      for (const env of ['dev', 'prod']) {
        write(
          `${app}/overlays/${env}/kustomization.yaml`,
          `resources:\n  - ../../base\nnamePrefix: ${env}-\npatches:\n  - path: verbs.yaml\n    target: {kind: ClusterRole}\n`,
        )
        write(`${app}/overlays/${env}/verbs.yaml`, patch(['get', 'list']))
      }
    }
    for (let i = 0; i < policies; i++)
      write(`iam/policy-${i}.json`, JSON.stringify({Version: '2012-10-17', Statement: [statement(i)]}))
    commitAll('apps')
    return {
      dir,
      /** `acldrift init`'s config and snapshot baseline, committed. */
      init() {
        git('reset', '-q', '--hard')
        execFileSync(process.execPath, [cli, 'init'], {cwd: dir, env, stdio: 'ignore'})
        commitAll('acldrift init')
      },
      /** Stages one widening: in an overlay's patch, or in a policy file. */
      stage(which) {
        git('reset', '-q', '--hard')
        const changed = which === 'patch' ? 'apps/app-7/overlays/prod/verbs.yaml' : 'iam/policy-7.json'
        write(
          changed,
          which === 'patch'
            ? patch(['get', 'list', 'delete'])
            : JSON.stringify({Version: '2012-10-17', Statement: [statement(7, ['s3:*'])]}),
        )
        git('add', changed)
      },
    }
  }

  const kustomize = generateKustomize(40, 500)
  try {
    kustomize.stage('json')
    expectWidening(kustomize.dir)
    const withoutRender = time(process.execPath, [cli, 'check', '--staged'], kustomize.dir)
    print(
      'acldrift check --staged (120 kustomizations, 500 files, a .json staged)',
      withoutRender,
      'node -e 0',
      nodeBare,
    )
    kustomize.stage('patch')
    expectWidening(kustomize.dir)
    const withRender = time(process.execPath, [cli, 'check', '--staged'], kustomize.dir)
    print(
      'acldrift check --staged (120 kustomizations, 500 files, a patch staged)',
      withRender,
      'node -e 0',
      nodeBare,
      `  (+${(withRender - withoutRender).toFixed(0)} ms: 121 renders by kubectl)`,
    )
    // After `acldrift init` (the snapshot baseline): the overlays the patch cannot reach are
    // the snapshot's, not rendered; the one that reads it is rendered once for the check and
    // once (HEAD's) for the blame.
    kustomize.init()
    kustomize.stage('patch')
    expectWidening(kustomize.dir)
    const withSnapshot = time(process.execPath, [cli, 'check', '--staged'], kustomize.dir)
    print(
      'acldrift check --staged (the same, after init: a snapshot baseline)',
      withSnapshot,
      'node -e 0',
      nodeBare,
    )
  } finally {
    rmSync(kustomize.dir, {recursive: true, force: true})
  }
}

if (only === undefined || only === 'comparison') {
  // Single comparisons: one policy of N statements against its edit (one statement widened),
  // in-process; 100,000 statements is the largest the hardening tests ask for.
  const {compareIamFile} = await import(join(project, 'dist', 'adapters', 'aws-iam', 'compare.js'))
  const doc = (Statement) => ({
    path: 'big.json',
    hash: String(Statement.length),
    value: {Version: '2012-10-17', Statement},
    sourceMap: {locate: () => undefined},
  })
  function benchComparison(size, samplesWanted) {
    const baselineStatements = Array.from({length: size}, (_, i) => statement(i))
    const targetStatements = baselineStatements.map((s, i) => (i === size / 2 ? statement(i, ['s3:*']) : s))
    const samples = []
    let findings = 0
    for (let i = 0; i < samplesWanted; i++) {
      const start = process.hrtime.bigint()
      findings = compareIamFile('big.json', doc(baselineStatements), doc(targetStatements)).findings.length
      samples.push(Number(process.hrtime.bigint() - start) / 1e6)
    }
    const compareMs = median(samples)
    print(
      `compare two ${size.toLocaleString('en')}-statement policies (1 edited)`,
      compareMs,
      undefined,
      undefined,
      `  ${Math.round((2 * size) / (compareMs / 1000)).toLocaleString('en')} statements/s, ${findings} finding(s)`,
    )
  }
  benchComparison(5000, 3)
  benchComparison(100000, 1)

  // A rewrite: every statement of a 1,000-statement policy changed (an action added to each), the
  // case that was quadratic (issue 16.6: target 1 s). CPU time too, as the machine may be loaded.
  function benchRewrite(size, samplesWanted) {
    const baselineStatements = Array.from({length: size}, (_, i) => statement(i))
    const targetStatements = baselineStatements.map((_, i) =>
      statement(i, ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']),
    )
    const samples = []
    const cpu = []
    let findings = 0
    for (let i = 0; i < samplesWanted; i++) {
      const start = process.hrtime.bigint()
      const used = process.cpuUsage()
      findings = compareIamFile('big.json', doc(baselineStatements), doc(targetStatements)).findings.length
      const {user, system} = process.cpuUsage(used)
      samples.push(Number(process.hrtime.bigint() - start) / 1e6)
      cpu.push((user + system) / 1000)
    }
    print(
      `compare two ${size.toLocaleString('en')}-statement policies (every statement changed)`,
      median(samples),
      undefined,
      undefined,
      `  ${median(cpu).toFixed(0)} ms CPU, ${findings} finding(s) (target: 1 s)`,
    )
  }
  benchRewrite(1000, 3)
}

// ── as users have it: after `acldrift init --hook git` ─────────────────────────────────────────

/** Peak memory of one run, read from the child itself (a preloaded exit hook writes maxRSS). */
const rssFile = join(scratch, 'maxrss')
const rssHook = join(scratch, 'maxrss.cjs')
writeFileSync(
  rssHook,
  `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, String(process.resourceUsage().maxRSS)))\n`,
)
function peakMiB(args, cwd, entry = cli) {
  spawnSync(process.execPath, ['--require', rssHook, entry, ...args], {cwd, env, stdio: 'ignore'})
  return Number(readFileSync(rssFile, 'utf8')) / 1024
}

/**
 * The file the git hooks that init installed in `dir` run with node: the first the hook script
 * names by absolute path (the repository has no node_modules/.bin/acldrift*): the hook bundle,
 * or bin/run.js for a build whose hooks run the CLI.
 */
function hookEntry(dir) {
  const script = readFileSync(join(dir, '.git', 'hooks', 'pre-commit'), 'utf8')
  const [, entry] = /\[ -x '[^']+' \] && \[ -f '([^']+)' \]/.exec(script)
  return entry
}

/** `files` policy files, `acldrift init --hook git` run and committed, then `staged` policies widened and staged. */
function setUpAsUsersDo(files) {
  const dir = generateRepository(files)
  const git = gitIn(dir)
  git('reset', '-q', '--hard')
  const init = spawnSync(process.execPath, [cli, 'init', '--hook', 'git'], {cwd: dir, env, encoding: 'utf8'})
  if (init.status !== 0) throw new Error(`init exited ${init.status}:\n${init.stderr}${init.stdout}`)
  git('add', '-A')
  git('commit', '-q', '--no-verify', '-m', 'Set up acldrift')
  git('tag', 'approved')
  const widen = (count) => {
    git('reset', '-q', '--hard')
    for (let i = 0; i < count; i++) {
      const path = join(dir, 'iam', `team-${(7 + i) % 40}`, `policy-${7 + i}.json`)
      writeFileSync(path, JSON.stringify({Version: '2012-10-17', Statement: [statement(7 + i, ['s3:*'])]}))
      git('add', path)
    }
  }
  const narrow = () => {
    git('reset', '-q', '--hard')
    const path = join(dir, 'iam', 'team-7', 'policy-7.json')
    writeFileSync(path, JSON.stringify({Version: '2012-10-17', Statement: [statement(7)]}))
    git('add', path)
  }
  return {dir, git, widen, narrow}
}

const setupRuns = Number(process.env.BENCH_SETUP_RUNS ?? 5)
/** time() with the section's own number of runs: setting up 20,000 files is slow. */
const timeSetup = (command, args, cwd) => timeRuns(setupRuns, command, args, cwd)
function timeRuns(count, command, args, cwd) {
  const samples = []
  for (let i = 0; i <= count; i++) {
    const start = process.hrtime.bigint()
    const result = spawnSync(command, args, {cwd, env, stdio: 'ignore'})
    if (result.error) throw result.error
    if (i > 0) samples.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  return median(samples)
}

/** Median wall time of each command, the commands run one after another in each round. */
function timeInTurns(count, cwd, commands) {
  const samples = commands.map(() => [])
  for (let i = 0; i <= count; i++)
    for (const [j, [command, args]] of commands.entries()) {
      const start = process.hrtime.bigint()
      const result = spawnSync(command, args, {cwd, env, stdio: 'ignore'})
      if (result.error) throw result.error
      if (i > 0) samples[j].push(Number(process.hrtime.bigint() - start) / 1e6)
    }
  return samples.map(median)
}

if (only === undefined || only === 'setup') {
  console.log('\nas users have it: after `acldrift init --hook git` (its config, the snapshot baseline)')
  const bareNode = timeRuns(setupRuns, process.execPath, ['-e', '0'], project)
  print('node -e 0 (baseline, this section)', bareNode)
  for (const files of (process.env.BENCH_SETUP_FILES ?? '2000,20000').split(',').map(Number)) {
    const size = files.toLocaleString('en')
    const repo = setUpAsUsersDo(files)
    try {
      // The hook as git runs it (the installed script), and what that script runs, with node.
      const preCommit = join(repo.dir, '.git', 'hooks', 'pre-commit')
      const entry = hookEntry(repo.dir)
      repo.widen(1)
      const hook = timeSetup('sh', [preCommit], repo.dir)
      const memory = peakMiB(['check', '--staged', '--quiet'], repo.dir, entry)
      print(
        `  hook, ${size} files, 1 staged change`,
        hook,
        'node -e 0',
        bareNode,
        `  ${memory.toFixed(0)} MiB`,
      )
      figures[`  hook, ${size} files, 1 staged change`].peakMiB = Math.round(memory)
      const tagged = timeSetup(
        process.execPath,
        [entry, 'check', '--staged', '--quiet', '--baseline', 'approved'],
        repo.dir,
      )
      print(`  hook, ${size} files, 1 staged change, a tag as baseline`, tagged, 'node -e 0', bareNode)
      repo.widen(10)
      const ten = timeSetup('sh', [preCommit], repo.dir)
      print(`  hook, ${size} files, 10 staged changes`, ten, 'node -e 0', bareNode)
      // A full commit through the hooks that passes (a narrowing), over the same commit without
      // them, each run's commit undone; the three in turns (node -e 0, with, without), so that
      // the machine's load falls on all of them alike.
      repo.narrow()
      const commit = (verify) => [
        'sh',
        ['-c', `git commit -q ${verify ? '' : '--no-verify '}-m x && git reset -q --soft HEAD~1`],
      ]
      const [bare, withHooks, without] = timeInTurns(setupRuns, repo.dir, [
        [process.execPath, ['-e', '0']],
        commit(true),
        commit(false),
      ])
      print(
        `  git commit through the 3 hooks, ${size} files, minus --no-verify`,
        withHooks - without,
        'node -e 0',
        bare,
      )
      // commit-msg alone once pre-commit has passed the same index (its verdict reused).
      const message = join(scratch, 'message')
      writeFileSync(message, 'Narrow the policy\n')
      const [bareAgain, both, preCommitAlone] = timeInTurns(setupRuns, repo.dir, [
        [process.execPath, ['-e', '0']],
        [
          'sh',
          [
            '-c',
            '"$0" "$1" check --staged --quiet; exec "$0" "$1" hook commit-msg "$2"',
            process.execPath,
            entry,
            message,
          ],
        ],
        [process.execPath, [entry, 'check', '--staged', '--quiet']],
      ])
      print(
        `  commit-msg after pre-commit passed, ${size} files`,
        both - preCommitAlone,
        'node -e 0',
        bareAgain,
        '  (pre-commit + commit-msg, minus pre-commit alone)',
      )
    } finally {
      rmSync(repo.dir, {recursive: true, force: true})
    }
  }
}

// ── kinds compared together: 5,000 k8s RBAC objects ──────────────────────────────────────────

/**
 * `files` YAML files of RBAC objects (each: two Roles and their RoleBindings, a ClusterRole with
 * an aggregation label and its ClusterRoleBinding; every tenth also an aggregating ClusterRole),
 * `acldrift init --hook git` run and committed. `stage(edit)` stages one change of file 7 (from
 * HEAD): a verb added to a Role (`role`), a subject added to a RoleBinding (`binding`) or to a
 * ClusterRoleBinding (`cluster-binding`).
 */
function generateRbac(files) {
  const {dir, git, commitAll} = benchRepo('k8s-')
  let objects = 0
  const newcomer = '  - kind: User\n    name: newcomer@example.com\n    apiGroup: rbac.authorization.k8s.io\n'

  const role = (i, ns, verbs) =>
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app-${i}\n  namespace: ${ns}\nrules:\n  - apiGroups: [""]\n    resources: [configmaps, pods]\n    verbs: [${verbs.join(', ')}]\n  - apiGroups: [apps]\n    resources: [deployments]\n    resourceNames: [app-${i}]\n    verbs: [get]\n`
  const write = (i, edit) => {
    const ns = `team-${i % 50}`
    let verbs = edit === 'role' ? ['get', 'list', 'delete'] : ['get', 'list']
    const docs = []
    for (const j of [0, 1]) {
      const n = `${i}-${j}`
      docs.push(role(n, ns, verbs))
      docs.push(
        `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: app-${n}\n  namespace: ${ns}\nsubjects:\n  - kind: ServiceAccount\n    name: app-${n}\n    namespace: ${ns}\n  - kind: Group\n    name: team-${i % 50}-devs\n    apiGroup: rbac.authorization.k8s.io\n${edit === 'binding' && j === 0 ? newcomer : ''}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: app-${n}\n`,
      )
      verbs = ['get', 'list']
    }
    docs.push(
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: view-crd-${i}\n  labels:\n    example.com/aggregate-to-view-${i % 100}: "true"\nrules:\n  - apiGroups: [example.com]\n    resources: [widgets-${i}]\n    verbs: [get, list, watch]\n`,
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: view-crd-${i}\nsubjects:\n  - kind: User\n    name: user-${i}@example.com\n    apiGroup: rbac.authorization.k8s.io\n${edit === 'cluster-binding' ? newcomer : ''}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: view-crd-${i}\n`,
    )
    if (i % 10 === 0)
      docs.push(
        `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: view-${i / 10}\naggregationRule:\n  clusterRoleSelectors:\n    - matchLabels:\n        example.com/aggregate-to-view-${i / 10}: "true"\nrules: []\n`,
      )
    objects += docs.length
    const folder = join(dir, 'rbac', `team-${i % 50}`)
    mkdirSync(folder, {recursive: true})
    writeFileSync(join(folder, `app-${i}.yaml`), docs.join('---\n'))
  }
  for (let i = 0; i < files; i++) write(i)
  commitAll('rbac')
  const init = spawnSync(process.execPath, [cli, 'init', '--hook', 'git'], {cwd: dir, env, encoding: 'utf8'})
  if (init.status !== 0) throw new Error(`init exited ${init.status}:\n${init.stderr}${init.stdout}`)
  git('add', '-A')
  git('commit', '-q', '--no-verify', '-m', 'Set up acldrift')
  const total = objects
  const stage = (edit) => {
    git('reset', '-q', '--hard')
    write(7, edit)
    git('add', '-A')
  }
  return {dir, objects: total, stage}
}

/**
 * The hook as git runs it (the installed pre-commit script) in `repo.dir`, for each staged edit of
 * `edits` ([edit, what]): wall time beside `node -e 0`, CPU, peak memory and the documents read.
 */
function hookRows(repo, edits, size) {
  const entry = hookEntry(repo.dir)
  const preCommit = join(repo.dir, '.git', 'hooks', 'pre-commit')
  for (const [edit, what] of edits) {
    repo.stage(edit)
    const hookRun = spawnSync('sh', [preCommit], {cwd: repo.dir, env, encoding: 'utf8'})
    if (hookRun.status !== 1)
      throw new Error(`the hook exited ${hookRun.status}:\n${hookRun.stderr}${hookRun.stdout}`)
    const {ms, bare} = timeBesideNode('sh', [preCommit], repo.dir)
    const cpuS = cpuSeconds(process.execPath, [entry, 'check', '--staged', '--quiet'], repo.dir)
    const memory = peakMiB(['check', '--staged', '--quiet'], repo.dir, entry)
    // The hook's first line counts the documents it read (the reach's files, both sides).
    const documents = Number(
      /, ([\d,]+) documents?\b/.exec(hookRun.stdout + hookRun.stderr)?.[1].replace(/,/g, ''),
    )
    const label = `  hook, ${size}, ${what}`
    print(
      label,
      ms,
      'node -e 0',
      bare,
      `  ${cpuS.toFixed(2)} s CPU, ${memory.toFixed(0)} MiB, ${documents} documents read (target ≤ 3×)`,
    )
    Object.assign(figures[label], {cpuS, peakMiB: Math.round(memory), documents})
  }
}

if (only === undefined || only === 'k8s') {
  console.log('\nkinds compared together: k8s RBAC after `acldrift init --hook git`, one change staged')
  const files = Number(process.env.BENCH_K8S_FILES ?? 820)
  const rbac = generateRbac(files)
  try {
    hookRows(
      rbac,
      [
        ['role', 'a Role given a verb'],
        ['binding', 'a RoleBinding given a subject'],
        ['cluster-binding', 'a ClusterRoleBinding given a subject'],
      ],
      `${rbac.objects.toLocaleString('en')} RBAC objects in ${files} files`,
    )
  } finally {
    rmSync(rbac.dir, {recursive: true, force: true})
  }
}

/**
 * `policies` AWS policy files beside 200 GCP IAM policies binding 50 custom roles (4 each, one
 * file each) and two CODEOWNERS files (`.github/CODEOWNERS` in force, the root one it shadows),
 * `acldrift init --hook git` run and committed. `stage(edit)` stages one change: a custom role
 * given a permission (`gcp-role`), a member added to a GCP policy (`gcp-policy`), or a rule added
 * to `.github/CODEOWNERS` (`codeowners`).
 */
function generateMixed(policies) {
  const dir = generateRepository(policies)
  const git = gitIn(dir)
  git('reset', '-q', '--hard')
  const roleName = (i) => `projects/acme/roles/deployer${i}`
  const writeRole = (i, permissions) =>
    writeFileSync(
      join(dir, 'gcp', 'roles', `deployer-${i}.json`),
      JSON.stringify({
        name: roleName(i),
        title: `Deployer ${i}`,
        includedPermissions: permissions,
        stage: 'GA',
      }),
    )
  const writePolicy = (i, members) =>
    writeFileSync(
      join(dir, 'gcp', 'projects', `p-${i}.json`),
      JSON.stringify({bindings: [{role: roleName(i % 50), members}], etag: 'BwX=', version: 1}),
    )
  const owners = '* @acme/security\n/iam/ @acme/platform\n'
  const writeOwners = (extra = '') => writeFileSync(join(dir, '.github', 'CODEOWNERS'), owners + extra)
  for (const folder of ['gcp/roles', 'gcp/projects', '.github'])
    mkdirSync(join(dir, folder), {recursive: true})
  for (let i = 0; i < 50; i++) writeRole(i, ['run.services.get'])
  for (let i = 0; i < 200; i++) writePolicy(i, [`serviceAccount:deploy-${i}@acme.iam.gserviceaccount.com`])
  writeOwners()
  writeFileSync(join(dir, 'CODEOWNERS'), '* @acme/everyone\n')
  git('add', '-A')
  git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'gcp, codeowners')
  const init = spawnSync(process.execPath, [cli, 'init', '--hook', 'git'], {cwd: dir, env, encoding: 'utf8'})
  if (init.status !== 0) throw new Error(`init exited ${init.status}:\n${init.stderr}${init.stdout}`)
  git('add', '-A')
  git('commit', '-q', '--no-verify', '-m', 'Set up acldrift')
  const stage = (edit) => {
    git('reset', '-q', '--hard')
    if (edit === 'gcp-role') writeRole(7, ['run.services.get', 'iam.serviceAccounts.actAs'])
    if (edit === 'gcp-policy')
      writePolicy(7, ['serviceAccount:deploy-7@acme.iam.gserviceaccount.com', 'allUsers'])
    if (edit === 'codeowners') writeOwners('/iam/team-7/ @acme/contractors\n')
    git('add', '-A')
  }
  return {dir, stage}
}

if (only === undefined || only === 'gcp') {
  console.log(
    '\nkinds compared together: GCP IAM and CODEOWNERS after `acldrift init --hook git`, one change staged',
  )
  const policies = Number(process.env.BENCH_GCP_POLICIES ?? 2000)
  const mixed = generateMixed(policies)
  try {
    hookRows(
      mixed,
      [
        ['gcp-role', 'a custom role given a permission'],
        ['gcp-policy', 'a GCP policy given a member'],
        ['codeowners', 'a CODEOWNERS rule added'],
      ],
      `${policies.toLocaleString('en')} AWS + 250 GCP files, 2 CODEOWNERS`,
    )
  } finally {
    rmSync(mixed.dir, {recursive: true, force: true})
  }
}

// ── audit and history over long histories ─────────────────────────────────────────────────────

/** CPU time (user + system) of one run of a command, with every process it ran, in seconds. */
function cpuSeconds(command, args, cwd, input) {
  // `times` prints the shell's own times, then its children's (with theirs: every process waited for).
  const result = spawnSync('sh', ['-c', '"$@" >"$OUT" 2>&1; times', 'sh', command, ...args], {
    cwd,
    env: {...env, OUT: join(scratch, 'output')},
    encoding: 'utf8',
    input,
  })
  if (result.error) throw result.error
  const seconds = (text) => {
    const [, minutes, secs] = /^(\d+)m([\d.]+)s$/.exec(text)
    return Number(minutes) * 60 + Number(secs)
  }
  const [user, system] = result.stdout.trim().split('\n').at(-1).split(/\s+/)
  return seconds(user) + seconds(system)
}

/** Median CPU time (ms, children included) of node running `args` (`input` on stdin), and of `node -e 0`, in turns, after one warm-up run. */
function cpuBesideNode(args, cwd, input) {
  const [samples, bare] = [[], []]
  for (let i = 0; i <= runs; i++) {
    const nodeCpu = cpuSeconds(process.execPath, ['-e', '0'], cwd)
    const used = cpuSeconds(process.execPath, args, cwd, input)
    if (i === 0) continue
    bare.push(nodeCpu * 1000)
    samples.push(used * 1000)
  }
  return {ms: median(samples), bare: median(bare)}
}

/** CPU time (acldrift's and its git processes') and peak memory (acldrift's) of one run. */
function cpuAndPeak(args, cwd) {
  const cpuS = cpuSeconds(process.execPath, ['--require', rssHook, cli, ...args], cwd)
  return {cpuS, peakMiB: Number(readFileSync(rssFile, 'utf8')) / 1024}
}

/** A git repository written with one git fast-import: `commits` is a list of {who, message, changes: [[path, content]]}. */
function fastImport(name, commits) {
  const dir = mkdtempSync(join(tmpdir(), `acldrift-bench-${name}-`))
  execFileSync('git', ['init', '-q', '-b', 'main'], {cwd: dir, env})
  const chunks = []
  const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`
  for (const [i, {who, message, changes}] of commits.entries()) {
    const mark = i + 1
    const stamp = `${1_700_000_000 + mark * 60} +0000`
    chunks.push(`commit refs/heads/main\nmark :${mark}\n`)
    chunks.push(`author ${who} ${stamp}\ncommitter ${who} ${stamp}\n${data(message)}`)
    if (mark > 1) chunks.push(`from :${mark - 1}\n`)
    for (const [path, content] of changes) chunks.push(`M 100644 inline ${path}\n${data(content)}`)
  }
  execFileSync('git', ['fast-import', '--quiet'], {cwd: dir, env, input: chunks.join(''), maxBuffer: 1 << 30})
  const base = execFileSync('git', ['rev-list', '--max-parents=0', 'HEAD'], {
    cwd: dir,
    env,
    encoding: 'utf8',
  }).trim()
  return {dir, base}
}

/**
 * 500 policy files, then `count` commits each editing one of them: mostly Sid renames (no change
 * in access), and every 250th commit a widening, made by an agent every other time.
 */
function generateHistory(files, count) {
  const policy = (file, version, widened) =>
    JSON.stringify(
      {
        Version: '2012-10-17',
        Statement: [
          {
            ...statement(file, widened ? ['s3:GetObject', 's3:DeleteObject'] : ['s3:GetObject']),
            Sid: `V${version}`,
          },
        ],
      },
      null,
      2,
    )
  const path = (file) => `iam/team-${file % 25}/policy-${file}.json`
  const widened = new Set()
  const commits = [
    {
      who: 'Alice <alice@example.com>',
      message: 'baseline policies',
      changes: Array.from({length: files}, (_, f) => [path(f), policy(f, 0, false)]),
    },
  ]
  for (let i = 1; i <= count; i++) {
    // Every 250th commit widens a file of its own.
    const file = i % 250 === 0 ? ((i / 250) * 13) % files : i % files
    if (i % 250 === 0) widened.add(file)
    const agent = i % 500 === 0
    commits.push({
      who: agent ? 'Alice <alice@example.com>' : 'Bo <bo@example.com>',
      message: agent
        ? `Update policy ${file}\n\nCo-Authored-By: Claude <noreply@anthropic.com>`
        : `Tidy policy ${file}`,
      changes: [[path(file), policy(file, i, widened.has(file))]],
    })
  }
  return {...fastImport('history', commits), widenings: widened.size}
}

/**
 * A history shaped like the public record of AWS managed policies: `policies` policies of 5 to 500
 * statements (most of them small, a few large), each statement a list of a service's actions on
 * `*` or on ARNs, some with a condition; then `count` commits each changing 1 to 3 policies the
 * way AWS updates them: actions added to a statement (most often), a statement added, actions
 * removed, a statement's Sid renamed. Seeded: the same history every run.
 */
function generateManagedPolicies(policies, count) {
  let seed = 0x5eed
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const pick = (list) => list[Math.floor(random() * list.length)]
  const services = [
    'ec2',
    's3',
    'iam',
    'lambda',
    'dynamodb',
    'sqs',
    'sns',
    'kms',
    'logs',
    'cloudwatch',
    'rds',
    'ecs',
    'eks',
    'glue',
    'athena',
    'kinesis',
    'states',
    'events',
    'ssm',
    'secretsmanager',
    'sagemaker',
    'elasticloadbalancing',
    'autoscaling',
    'cloudformation',
    'route53',
    'ecr',
    'codebuild',
    'config',
    'organizations',
    'tag',
  ]
  // Real action names, from the catalogue the build ships; a wildcard is a real name's first word.
  // (dist/data/aws/catalogue.jsonl: a header naming the services, then one line for each, in that order)
  const [header, ...lines] = readFileSync(
    join(project, 'dist', 'data', 'aws', 'catalogue.jsonl'),
    'utf8',
  ).split('\n')
  const known = JSON.parse(header).services
  const catalogue = new Map(
    services.map((service) => [
      service,
      JSON.parse(lines[known.indexOf(service)]).actions.map(([name]) => name),
    ]),
  )
  const action = (service) => {
    const name = pick(catalogue.get(service))
    return random() < 0.1 ? `${service}:${/^[A-Z][a-z]*/.exec(name)[0]}*` : `${service}:${name}`
  }
  const newStatement = (i) => {
    const service = pick(services)
    const actions = [...new Set(Array.from({length: 1 + Math.floor(random() * 12)}, () => action(service)))]
    const onArn = random() < 0.3
    return {
      Sid: `S${i}`,
      Effect: 'Allow',
      Action: actions,
      Resource: onArn ? `arn:aws:${service}:*:*:${pick(['app', 'data', 'ops', 'shared'])}/*` : '*',
      ...(random() < 0.1 ? {Condition: {StringEquals: {'aws:ResourceTag/Team': pick(['a', 'b', 'c'])}}} : {}),
    }
  }
  const documents = Array.from({length: policies}, (_, p) => {
    const size = 5 + Math.floor(495 * random() ** 4)
    return {
      Version: '2012-10-17',
      Statement: Array.from({length: size}, (_, i) => newStatement(p * 1000 + i)),
    }
  })
  const path = (p) => `policies/Managed${String(p).padStart(4, '0')}Policy.json`
  const write = (p) => JSON.stringify(documents[p], null, 4)
  const commits = [
    {
      who: 'Bot <bot@example.com>',
      message: 'managed policies',
      changes: documents.map((_, p) => [path(p), write(p)]),
    },
  ]
  let added = 0
  for (let c = 1; c <= count; c++) {
    const changed = [
      ...new Set(Array.from({length: 1 + Math.floor(random() * 3)}, () => Math.floor(random() * policies))),
    ]
    for (const p of changed) {
      const statements = documents[p].Statement
      const at = Math.floor(random() * statements.length)
      const s = statements[at]
      const r = random()
      if (r < 0.55) {
        // New actions of the statement's service.
        const service = s.Action[0].split(':')[0]
        s.Action = [
          ...new Set([
            ...s.Action,
            ...Array.from({length: 1 + Math.floor(random() * 3)}, () => action(service)),
          ]),
        ]
      } else if (r < 0.7) statements.push(newStatement(1_000_000 + added++))
      else if (r < 0.85 && s.Action.length > 1) s.Action = s.Action.slice(0, -1)
      else s.Sid = `${s.Sid}v${c}`
    }
    commits.push({
      who: 'Bot <bot@example.com>',
      message: `Update ${changed.map((p) => `Managed${p}Policy`).join(', ')}`,
      changes: changed.map((p) => [path(p), write(p)]),
    })
  }
  const statements = documents.reduce((sum, d) => sum + d.Statement.length, 0)
  return {...fastImport('managed', commits), statements}
}

if (only === undefined || only === 'audit') {
  console.log('\naudit and history over long histories')
  const auditRuns = Number(process.env.BENCH_AUDIT_RUNS ?? 3)
  const sizes = (process.env.BENCH_AUDIT_COMMITS ?? '5000,20000,50000')
    .split(',')
    .map(Number)
    .filter((n) => n > 0)
  const ratios = []
  for (const count of sizes) {
    const size = count.toLocaleString('en')
    const history = generateHistory(500, count)
    try {
      const log = ['log', '--raw', '-z', '--no-abbrev', '-M', `${history.base}..HEAD`]
      const [gitLog, audit] = timeInTurns(auditRuns, history.dir, [
        ['git', log],
        [process.execPath, [cli, 'audit', '--baseline', history.base, '--format', 'json']],
      ])
      const gitCpu = cpuSeconds('git', log, history.dir)
      const {cpuS, peakMiB: peak} = cpuAndPeak(
        ['audit', '--baseline', history.base, '--format', 'json'],
        history.dir,
      )
      print(
        `  git log --raw over ${size} commits (raw git)`,
        gitLog,
        undefined,
        undefined,
        `  ${gitCpu.toFixed(2)} s CPU`,
      )
      const label = `  acldrift audit, ${size} commits × 500 files, ${history.widenings} widenings`
      print(
        label,
        audit,
        'git log --raw',
        gitLog,
        `  ${cpuS.toFixed(1)} s CPU (${(cpuS / gitCpu).toFixed(1)}× git's), ${peak.toFixed(0)} MiB`,
      )
      Object.assign(figures[label], {cpuS, cpuRatio: cpuS / gitCpu, peakMiB: Math.round(peak)})
      ratios.push([audit / gitLog, cpuS / gitCpu])
    } finally {
      rmSync(history.dir, {recursive: true, force: true})
    }
  }
  if (ratios.length > 1)
    console.log(
      `  largest history's ratio over the smallest's: ${(ratios.at(-1)[0] / ratios[0][0]).toFixed(2)} wall, ${(ratios.at(-1)[1] / ratios[0][1]).toFixed(2)} CPU (target ≤ 1.2; each ≤ 8×)`,
    )

  const [policies, count] = (process.env.BENCH_MANAGED ?? '1400,1000').split(',').map(Number)
  const managed = generateManagedPolicies(policies, count)
  try {
    const what = `${policies.toLocaleString('en')} managed policies, ${count.toLocaleString('en')} commits`
    console.log(`  (${what}: ${managed.statements.toLocaleString('en')} statements at the end)`)
    for (const [name, args] of [
      ['audit', ['audit', '--baseline', managed.base, '--format', 'json']],
      ['history', ['history', '--since', managed.base, '--format', 'json']],
    ]) {
      const {cpuS, peakMiB: peak} = cpuAndPeak(args, managed.dir)
      const label = `  acldrift ${name}, ${what}`
      figures[label] = {cpuS, peakMiB: Math.round(peak)}
      console.log(
        `${label.padEnd(58)} ${cpuS.toFixed(1).padStart(6)} s CPU  ${peak.toFixed(0)} MiB  (target ≤ 60 s, ≤ 500 MB)`,
      )
    }
  } finally {
    rmSync(managed.dir, {recursive: true, force: true})
  }
}

if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(figures, null, 2)}\n`)
