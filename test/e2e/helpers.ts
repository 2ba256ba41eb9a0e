// Shared by the end-to-end tests: schema validators for the CLI's outputs, a repository per test,
// and runners that parse the JSON report and check it against the contract on every call.

import {spawn, spawnSync} from 'node:child_process'
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {cp} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {Ajv} from 'ajv'
import {Ajv2020} from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import {afterAll, expect} from 'vitest'
import {BUCKET_FILE, bucketPolicy, policyText, publicBucketPolicy} from './policies.js'
import type {CommitInfo} from '../../src/kernel/types.js'
import {
  copyRepo,
  createRepo,
  identities,
  makeTempDir,
  projectRoot,
  runCli,
  runHermetic,
  type EnvOverrides,
  type RunResult,
  type TestRepo,
  type ToolIdentity,
} from '../helpers/repo.js'

const readJson = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, 'utf8'))

/** Compiles on first use: the SARIF schema alone takes a few hundred milliseconds. */
function lazy<T>(make: () => T): () => T {
  let value: T | undefined
  return () => (value ??= make())
}

// acldrift's own schemas are JSON Schema 2020-12; the report refers to the config's list of kinds.
const ajv2020 = lazy(() => {
  const ajv = new Ajv2020({strict: false, allErrors: true, allowUnionTypes: true})
  addFormats.default(ajv)
  ajv.addSchema(readJson(join(projectRoot, 'schemas', 'config.schema.json')))
  return ajv
})
const reportValidator = lazy(() =>
  ajv2020().compile(readJson(join(projectRoot, 'schemas', 'report.schema.json'))),
)
const snapshotValidator = lazy(() =>
  ajv2020().compile(readJson(join(projectRoot, 'schemas', 'snapshot.schema.json'))),
)

// The official SARIF 2.1.0 schema is draft-07 (test/vendor/README.md).
const ajv07 = lazy(() => {
  const ajv = new Ajv({strict: false, allErrors: true})
  addFormats.default(ajv)
  return ajv
})
const sarifValidator = lazy(() =>
  ajv07().compile(readJson(join(projectRoot, 'test', 'vendor', 'sarif-schema-2.1.0.json'))),
)

export function expectValidReport(value: unknown): asserts value is Report {
  const validate = reportValidator()
  expect(validate(value), ajv2020().errorsText(validate.errors)).toBe(true)
}

export function expectValidSnapshot(value: unknown): void {
  const validate = snapshotValidator()
  expect(validate(value), ajv2020().errorsText(validate.errors)).toBe(true)
}

export function expectValidSarif(value: unknown): asserts value is SarifLog {
  const validate = sarifValidator()
  expect(validate(value), ajv07().errorsText(validate.errors)).toBe(true)
}

export interface Finding {
  id: string
  kind: string
  file: string
  /** the embedded document's name, for a finding inside a container file */
  document?: string
  line: number | null
  /** where a rendered object's part is written (a kustomize overlay's base file or patch) */
  renderedFrom?: {file: string; line: number}
  pointer: string | null
  change: 'widening' | 'narrowing' | 'possible-widening'
  severity: 'critical' | 'high' | 'medium' | 'low'
  rule: string
  message: string
  witness: Record<string, unknown> | null
  before: unknown
  after: unknown
  diff: unknown[]
  /** where the baseline statement it exceeds or removes is */
  baselineLocation?: {file: string; line: number | null; pointer: string | null} | null
  commit: unknown
  /** every commit whose added access is still present, each with its own witness (attributed from history) */
  commits?: Array<{commit: CommitInfo; witness: Record<string, unknown>; message: string}>
  approval: unknown
}

export interface Report {
  schemaVersion: 1
  baseline: {source: string; commit: string | null}
  target: {source: string; commit: string | null}
  summary: {documents: number; widening: number; narrowing: number; possibleWidening: number; invalid: number}
  findings: Finding[]
  errors: {file: string; line?: number; column?: number; pointer?: string; message: string}[]
  notes: string[]
  coverage?: {
    scope: 'repository' | 'changed-files'
    read: {file: string; kind: string; format?: string; by: 'config' | 'content'}[]
    notRead: {file: string; recognisedAs: string; why: string}[]
    skipped: {file: string; why: string}[]
  }
  policy?: {failOn: string; agents: string}
}

export interface SarifLog {
  version: string
  runs: {
    tool: {driver: {name: string; rules: {id: string}[]}}
    invocations: {executionSuccessful: boolean; toolExecutionNotifications: {message: {text: string}}[]}[]
    results: {
      ruleId: string
      level: string
      message: {text: string}
      locations: {physicalLocation: {artifactLocation: {uri: string}; region?: {startLine: number}}}[]
      partialFingerprints: Record<string, string>
    }[]
  }[]
}

/** The report's one widening (there must be exactly one), with the commit it is attributed to. */
export function onlyWidening(report: Report): Finding & {commit: {sha: string}} {
  const widenings = report.findings.filter((f) => f.change === 'widening')
  expect(widenings).toHaveLength(1)
  return widenings[0]! as Finding & {commit: {sha: string}}
}

/** Makes a fresh repository, or a copy of `from` (work tree and history). */
export type RepoFactory = (from?: TestRepo) => Promise<TestRepo>

/**
 * Returns a function that creates a fresh repository (or a copy of one); every repository it made
 * is removed after the calling file's tests. Each test makes its own, so that tests can run
 * concurrently.
 */
export function repoFactory(): RepoFactory {
  const repos: TestRepo[] = []
  afterAll(async () => {
    await Promise.all(repos.map((repo) => repo.cleanup()))
  })
  return async (from) => {
    const repo = from === undefined ? await createRepo() : await copyRepo(from.dir)
    repos.push(repo)
    return repo
  }
}

const starts = new Map<string, Promise<TestRepo>>()

/**
 * A copy of the repository `setUp` makes from a fresh one: made once per worker for each `key`
 * (test files share the worker's modules, vitest.config.ts) and removed when the worker exits.
 * For scenarios that all start from the same state: building it (commits through the hooks,
 * `acldrift init`) is a few CLI runs each time, copying it none.
 */
export function sharedStart(newRepo: RepoFactory, key: string, setUp: (r: TestRepo) => Promise<void>) {
  let start = starts.get(key)
  if (start === undefined) {
    start = (async () => {
      const r = await createRepo()
      process.once('exit', () => rmSync(r.dir, {recursive: true, force: true}))
      await setUp(r)
      return r
    })()
    starts.set(key, start)
  }
  return start.then((r) => newRepo(r))
}

/** Writes `files` (path → content) and commits them all, as `who` when given; returns the new sha. */
export async function commitFiles(
  repo: TestRepo,
  files: Record<string, string>,
  message = 'Update policies',
  who?: ToolIdentity,
): Promise<string> {
  for (const [path, content] of Object.entries(files)) await repo.write(path, content)
  await repo.stage(...Object.keys(files))
  return repo.commit(message, who)
}

/** A commit made the way `who` (a person, an agent, a bot) makes them: its identity and its message markers. */
export function commitAs(repo: TestRepo, who: ToolIdentity, subject: string, files: Record<string, string>) {
  return commitFiles(repo, files, who.message(subject), who)
}

export interface CheckResult extends RunResult {
  report: Report
}

/**
 * `acldrift check …args --format json`: the report must parse, validate against
 * schemas/report.schema.json and have a summary that agrees with its findings and errors.
 */
export async function checkJson(
  cwd: string,
  args: readonly string[] = [],
  env?: Record<string, string | undefined>,
): Promise<CheckResult> {
  const result = await runCli(['check', ...args, '--format', 'json'], {cwd, env})
  let report: unknown
  try {
    report = JSON.parse(result.stdout)
  } catch {
    throw new Error(
      `check did not print a JSON report (exit ${result.code}):\n${result.stderr}${result.stdout}`,
    )
  }
  expectValidReport(report)
  expectConsistentSummary(report)
  return {...result, report}
}

export function expectConsistentSummary(report: Report): void {
  const count = (change: Finding['change']) => report.findings.filter((f) => f.change === change).length
  expect(report.summary).toMatchObject({
    widening: count('widening'),
    narrowing: count('narrowing'),
    possibleWidening: count('possible-widening'),
    invalid: new Set(report.errors.map((e) => e.file)).size,
  })
}

/** A compact view of findings for assertions: `change severity rule file:line`. */
export function brief(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.change} ${f.severity} ${f.rule} ${f.file}:${f.line ?? '-'}`)
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[[0-9;]*[A-Za-z]/

/** Whether `script` (util-linux) can give the CLI a terminal as standard output. */
export const hasScript =
  process.platform === 'linux' && spawnSync('script', ['--version'], {stdio: 'ignore'}).status === 0

const shellQuote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`

/**
 * Runs the built CLI with a pseudo-terminal as standard output (through `script`), to see what a
 * person at a terminal sees. `env` is applied on top of this process's environment, without FORCE_COLOR.
 */
export function runCliInTerminal(
  args: readonly string[],
  options: {cwd: string; env?: Record<string, string | undefined>},
): Promise<RunResult> {
  const command = [process.execPath, join(projectRoot, 'bin', 'run.js'), ...args].map(shellQuote).join(' ')
  const env: NodeJS.ProcessEnv = {...process.env, TERM: 'xterm-256color'}
  delete env.FORCE_COLOR
  delete env.NO_COLOR
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      })
    })
  })
}

/** A run's exit code and output, for assertion messages. */
export const dump = (result: RunResult) =>
  `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`

/** git in the repository, hooks included, with `env` on top of the hermetic environment; never throws. */
export const git = (r: TestRepo, env: EnvOverrides, ...args: string[]) =>
  runHermetic('git', args, {cwd: r.dir, env})

/**
 * Claude Code writes `content` to `path` and commits it: the pre-commit hook by itself reports
 * `widening` (having read `documents` documents, when given), and the commit through the real
 * hooks is blocked (commit-msg checks again when the actor is an agent).
 */
export async function blockedAsClaudeCode(
  r: TestRepo,
  change: {path: string; content: string; message: string},
  widening: RegExp,
  documents?: number,
) {
  await r.write(change.path, change.content)
  await r.stage(change.path)
  const preCommit = await git(r, {CLAUDECODE: '1'}, 'hook', 'run', 'pre-commit')
  expect(preCommit.code, dump(preCommit)).toBe(1)
  expect(preCommit.stdout + preCommit.stderr).toMatch(widening)
  if (documents !== undefined)
    expect(preCommit.stdout + preCommit.stderr).toMatch(new RegExp(`, ${documents} documents\\b`))
  const commit = await git(
    r,
    {CLAUDECODE: '1'},
    'commit',
    '-m',
    identities.claudeCode.message(change.message),
  )
  expect(commit.code, dump(commit)).toBe(1)
  expect(commit.stderr).toContain('acldrift: commit blocked')
}

/** The 1-based line of the first line of `content` that contains `text` (0 when none does). */
export const lineOf = (content: string, text: string) =>
  content.split('\n').findIndex((line) => line.includes(text)) + 1

/**
 * The payroll bucket committed, `acldrift init` committed as the approved state, then Claude Code's
 * commit that makes the bucket public: the approved commit and the agent's.
 */
export async function initialisedThenMadePublicByAgent(
  r: TestRepo,
): Promise<{approved: string; sha: string}> {
  await r.write(BUCKET_FILE, policyText(bucketPolicy))
  await r.stage()
  await r.commit('Add payroll exports bucket')
  const init = await runCli(['init'], {cwd: r.dir})
  if (init.code !== 0) throw new Error(dump(init))
  await r.stage()
  const approved = await r.commit('Set up acldrift')
  await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
  await r.stage()
  const sha = await r.commit(identities.claudeCode.message('Fix AccessDenied'), identities.claudeCode)
  return {approved, sha}
}

/**
 * The hook bundle standing alone: a temporary package that holds only `hook` (a folder built by
 * scripts/bundle-hook.js, by default the committed hook/) and package.json, with no node_modules
 * and no dist/ anywhere above it. Returns the bundle's path; the copy is removed when the worker exits.
 */
export async function hookBundleAlone(hook = join(projectRoot, 'hook')): Promise<string> {
  const pkg = await makeTempDir('acldrift-bundle-alone-')
  process.once('exit', () => rmSync(pkg, {recursive: true, force: true}))
  for (let dir = pkg; dir !== dirname(dir); dir = dirname(dir))
    expect(existsSync(join(dir, 'node_modules')), `${dir}/node_modules`).toBe(false)
  await cp(hook, join(pkg, 'hook'), {recursive: true})
  await cp(join(projectRoot, 'package.json'), join(pkg, 'package.json'))
  return join(pkg, 'hook', 'acldrift.js')
}
