// `npm run bench`: performance figures on generated repositories, each printed with its
// ratio to a bare baseline (`node -e 0` for start-up bound commands).
//
//   hook path     acldrift check --staged in a repository of 2,000 policy files, one staged change
//   agent hook    acldrift hook agent claude-code PreToolUse there: an edit of a file that is no
//                 access config, and an edit that widens a policy
//   templates     the same with 200 SAM templates (and 500 policy files), one template staged
//   terraform     the same in a repository of 500 .tf files (50 modules), 200 SAM templates and 500
//                 policy files: one .tf file staged (tree-sitter's grammar loaded), or one policy file (not)
//   kustomize     the same in a repository of 40 apps (a base and 2 overlays each, with patches)
//                 and 500 policy files: a policy file staged (nothing rendered), or one overlay's
//                 patch (k8s-rbac compares the kind as a whole: every overlay rendered, once where
//                 HEAD and the index agree)
//   audit         acldrift audit over 5,000 commits touching 500 policy files (semantic blame of
//                 every widening), against a bare `git log --raw` over the same range
//   comparison    two 5,000- (and 100,000-) statement policies that differ in one statement, compared in-process
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const project = fileURLToPath(new URL('..', import.meta.url))
const cli = join(project, 'bin', 'run.js')
const runs = Number(process.env.BENCH_RUNS ?? 15)
const env = {...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', NO_COLOR: '1'}

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

const statement = (i, actions = ['s3:GetObject', 's3:PutObject']) => ({
  Sid: `Statement${i}`,
  Effect: 'Allow',
  Action: actions,
  Resource: `arn:aws:s3:::bucket-${i % 97}/prefix-${i}/*`,
  ...(i % 5 === 0 ? {Condition: {IpAddress: {'aws:SourceIp': `10.${i % 256}.0.0/16`}}} : {}),
})

function generateRepository(files) {
  const dir = mkdtempSync(join(tmpdir(), 'acldrift-bench-'))
  const git = (...args) => execFileSync('git', args, {cwd: dir, env, stdio: 'ignore'})
  git('init', '-q', '-b', 'main')
  for (let i = 0; i < files; i++) {
    const folder = join(dir, 'iam', `team-${i % 40}`)
    mkdirSync(folder, {recursive: true})
    const policy = {Version: '2012-10-17', Statement: [statement(i), statement(i + 1, ['s3:ListBucket'])]}
    writeFileSync(join(folder, `policy-${i}.json`), JSON.stringify(policy, null, 2))
  }
  git('add', '-A')
  git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'policies')
  const changed = join(dir, 'iam', 'team-7', 'policy-7.json')
  writeFileSync(
    changed,
    JSON.stringify({Version: '2012-10-17', Statement: [statement(7, ['s3:*'])]}, null, 2),
  )
  git('add', changed)
  return dir
}

function print(label, ms, baselineLabel, baselineMs, extra = '') {
  const ratio = baselineMs === undefined ? '' : `  ${(ms / baselineMs).toFixed(2)}× ${baselineLabel}`
  console.log(`${label.padEnd(58)} ${ms.toFixed(0).padStart(6)} ms${ratio}${extra}`)
}

console.log(`acldrift bench: median of ${runs} runs each (BENCH_RUNS to change), node ${process.version}\n`)

const nodeBare = time(process.execPath, ['-e', '0'], project)
print('node -e 0 (baseline)', nodeBare)

const repo = generateRepository(2000)
try {
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

  // The agent hook (Claude Code's PreToolUse payload), on every tool call of the agent.
  const toolCall = (tool_name, tool_input) =>
    JSON.stringify({session_id: 'bench', cwd: repo, hook_event_name: 'PreToolUse', tool_name, tool_input})
  const agentHook = (input) =>
    time(process.execPath, [cli, 'hook', 'agent', 'claude-code', 'PreToolUse'], repo, input)
  const plainEdit = agentHook(
    toolCall('Write', {file_path: join(repo, 'src', 'app.ts'), content: 'export {}\n'}),
  )
  print(
    'acldrift hook agent: Write of a file that is no access config',
    plainEdit,
    'node -e 0',
    nodeBare,
    `  (${plainEdit <= 1.3 * nodeBare ? 'within' : 'OVER'} the 1.3× budget)`,
  )
  const widening = JSON.stringify({Version: '2012-10-17', Statement: [statement(3, ['s3:*'])]}, null, 2)
  const accessEdit = agentHook(
    toolCall('Write', {file_path: join(repo, 'iam', 'team-3', 'policy-3.json'), content: widening}),
  )
  print(
    'acldrift hook agent: Write that widens a policy (blocked)',
    accessEdit,
    'node -e 0',
    nodeBare,
    `  (${accessEdit <= 3 * nodeBare ? 'within' : 'OVER'} the 3× staged-hook budget)`,
  )
} finally {
  rmSync(repo, {recursive: true, force: true})
}

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

/** 200 SAM templates beside 500 policy files; one template's read policy template staged as a CRUD one. */
function generateTemplates(templates, policies) {
  const dir = mkdtempSync(join(tmpdir(), 'acldrift-bench-templates-'))
  const git = (...args) => execFileSync('git', args, {cwd: dir, env, stdio: 'ignore'})
  git('init', '-q', '-b', 'main')
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
  git('add', '-A')
  git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'services')
  const changed = join(dir, 'services', 'service-7', 'template.yaml')
  writeFileSync(changed, samTemplate(7, 'S3CrudPolicy'))
  git('add', changed)
  return dir
}

const templatesRepo = generateTemplates(200, 500)
try {
  const hook = time(process.execPath, [cli, 'check', '--staged'], templatesRepo)
  const verdict = hook <= 3 * nodeBare ? 'within the 3× budget' : 'OVER the 3× budget'
  print('acldrift check --staged (200 templates, 1 staged)', hook, 'node -e 0', nodeBare, `  (${verdict})`)
  const full = time(process.execPath, [cli, 'check'], templatesRepo)
  print('acldrift check (working tree, 200 templates + 500 files)', full, 'node -e 0', nodeBare)
} finally {
  rmSync(templatesRepo, {recursive: true, force: true})
}

/**
 * 500 policy files, then 5,000 commits each editing one of them: mostly Sid renames (no
 * change in access), and every 250th commit a widening, made by an agent every other time.
 * Written with git fast-import: creating 5,000 commits one by one would dominate the bench.
 */
function generateHistory(files, commits) {
  const dir = mkdtempSync(join(tmpdir(), 'acldrift-bench-history-'))
  execFileSync('git', ['init', '-q', '-b', 'main'], {cwd: dir, env})
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
  const widened = new Set()
  const chunks = []
  const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`
  const commit = (mark, who, message, changes) => {
    chunks.push(`commit refs/heads/main\nmark :${mark}\n`)
    const stamp = `${1_700_000_000 + mark * 60} +0000`
    chunks.push(`author ${who} ${stamp}\ncommitter ${who} ${stamp}\n${data(message)}`)
    if (mark > 1) chunks.push(`from :${mark - 1}\n`)
    for (const [path, content] of changes) chunks.push(`M 100644 inline ${path}\n${data(content)}`)
  }
  const path = (file) => `iam/team-${file % 25}/policy-${file}.json`
  commit(
    1,
    'Alice <alice@example.com>',
    'baseline policies',
    Array.from({length: files}, (_, f) => [path(f), policy(f, 0, false)]),
  )
  for (let i = 1; i <= commits; i++) {
    // Every 250th commit widens a file of its own.
    const file = i % 250 === 0 ? ((i / 250) * 13) % files : i % files
    if (i % 250 === 0) widened.add(file)
    const agent = i % 500 === 0
    const message = agent
      ? `Update policy ${file}\n\nCo-Authored-By: Claude <noreply@anthropic.com>`
      : `Tidy policy ${file}`
    commit(i + 1, agent ? 'Alice <alice@example.com>' : 'Bo <bo@example.com>', message, [
      [path(file), policy(file, i, widened.has(file))],
    ])
  }
  execFileSync('git', ['fast-import', '--quiet'], {cwd: dir, env, input: chunks.join('')})
  const base = execFileSync('git', ['rev-list', '--max-parents=0', 'HEAD'], {
    cwd: dir,
    env,
    encoding: 'utf8',
  }).trim()
  return {dir, base, widenings: widened.size}
}

const history = generateHistory(500, 5000)
try {
  const gitLog = time(
    'git',
    ['log', '--raw', '-z', '--no-abbrev', '-M', `${history.base}..HEAD`],
    history.dir,
  )
  print('git log --raw over 5,000 commits (raw git)', gitLog)
  const audit = time(
    process.execPath,
    [cli, 'audit', '--baseline', history.base, '--format', 'json'],
    history.dir,
  )
  print(
    `acldrift audit (5,000 commits × 500 files, ${history.widenings} widenings)`,
    audit,
    'git log --raw',
    gitLog,
  )
} finally {
  rmSync(history.dir, {recursive: true, force: true})
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
  const dir = mkdtempSync(join(tmpdir(), 'acldrift-bench-terraform-'))
  const git = (...args) => execFileSync('git', args, {cwd: dir, env, stdio: 'ignore'})
  git('init', '-q', '-b', 'main')
  for (let i = 0; i < modules; i++) {
    const folder = join(dir, 'modules', `team-${i}`)
    mkdirSync(folder, {recursive: true})
    for (const [name, content] of Object.entries(terraformModule(i)))
      writeFileSync(join(folder, name), content)
  }
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
  git('add', '-A')
  git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'modules')
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

/** Runs the hook once: it must find the staged widening (exit 1), or the figures measure something else. */
function expectWidening(cwd) {
  const result = spawnSync(process.execPath, [cli, 'check', '--staged'], {cwd, env, encoding: 'utf8'})
  if (result.status !== 1)
    throw new Error(`check --staged exited ${result.status}:\n${result.stderr}${result.stdout}`)
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
} finally {
  rmSync(terraform.dir, {recursive: true, force: true})
}

/** 40 apps, each a base (ClusterRole, binding) with a dev and a prod overlay, beside 500 policy files. */
function generateKustomize(apps, policies) {
  const dir = mkdtempSync(join(tmpdir(), 'acldrift-bench-kustomize-'))
  const git = (...args) => execFileSync('git', args, {cwd: dir, env, stdio: 'ignore'})
  git('init', '-q', '-b', 'main')
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
  git('add', '-A')
  git('-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'apps')
  return {
    dir,
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
} finally {
  rmSync(kustomize.dir, {recursive: true, force: true})
}

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
