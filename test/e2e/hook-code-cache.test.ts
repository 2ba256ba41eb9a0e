// The hook bundle's V8 code cache (src/cli/hook-loader.ts, issue 16): hook/acldrift.js runs the
// bundle's body with the code a previous run of the same command compiled, kept in
// .git/acldrift/hook-code-cache.COMMAND. V8 checks only the source's length and its own flags before it runs cached code, so the file is
// trusted only under an HMAC with the repository's key: whatever it holds, the verdict is the one
// the body's source gives. The CLI's agent hook reviews an edit of an access config with the same
// body and its own cache (hook-code-cache.agent-edit), and the working tree at the end of a turn
// (agent-stop). Runs the committed hook/ (the bundle-hook test checks that it is what the sources
// build).

import {readFile, rm, stat, symlink, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {projectRoot, runCli, runHermetic, type TestRepo} from '../helpers/repo.js'
import {dump, repoFactory} from './helpers.js'
import {BUCKET_FILE, bucketPolicy, policyText, publicBucketPolicy} from './policies.js'

const newRepo = repoFactory()
const SLOW = 120_000
const HOOK = join(projectRoot, 'hook', 'acldrift.js')
const BODY = join(projectRoot, 'hook', 'acldrift-body.js')
const CACHE = join('.git', 'acldrift', 'hook-code-cache.check')
const HEADER_BYTES = 130

const hook = (r: TestRepo, nodeArgs: string[] = []) =>
  runHermetic(process.execPath, [...nodeArgs, HOOK, 'check', '--staged', '--quiet'], {cwd: r.dir})

/** A repository whose staged change makes the payroll bucket public: the hook must block it. */
async function publicBucketStaged(): Promise<TestRepo> {
  const r = await newRepo()
  await r.write(BUCKET_FILE, policyText(bucketPolicy))
  await r.stage()
  await r.commit('Add the payroll bucket')
  await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
  await r.stage()
  return r
}

async function blocked(r: TestRepo, nodeArgs: string[] = []): Promise<string> {
  const run = await hook(r, nodeArgs)
  expect(run.code, dump(run)).toBe(1)
  expect(run.stdout).toMatch(/\[CRITICAL\] WIDENING\s+public-principal/)
  return run.stdout
}

/** The cache file and what identifies it on disk, to tell whether a run rewrote it. */
async function cacheFile(r: TestRepo) {
  const path = join(r.dir, CACHE)
  const [bytes, {ino, mtimeMs}] = await Promise.all([readFile(path), stat(path)])
  return {bytes, header: bytes.subarray(0, HEADER_BYTES).toString('latin1'), ino, mtimeMs}
}

/**
 * What an attacker who can write .git/acldrift but not read its key would plant: V8's code cache
 * of a script as long as the body, whose `check` passes every commit without looking, under the
 * header (key and HMAC) of the repository's real cache file.
 */
async function plantPassingCode(r: TestRepo): Promise<void> {
  const body = await readFile(BODY, 'utf8')
  // (in runFast, which both the hook's main and the CLI's cli call)
  const call = /if\s*\(argv\[0\]\s*!==\s*"check"\)\s*return void 0;/.exec(body)
  expect(call, "runFast's check in the body").not.toBeNull()
  const passing = 'return 0;'.padEnd(call![0].length, ' ')
  const forged = body.slice(0, call!.index) + passing + body.slice(call!.index + call![0].length)
  expect(forged.length).toBe(body.length)
  const forgedPath = join(r.dir, '..', `${r.dir.split('/').at(-1)}-forged-body.js`)
  await writeFile(forgedPath, forged)
  const dataPath = join(r.dir, '..', `${r.dir.split('/').at(-1)}-forged-cache`)
  // Compiled and run (its main called) under the body's own file name, so that main's code is in it.
  const compile = [
    "import {readFileSync, writeFileSync} from 'node:fs'",
    "import {createRequire} from 'node:module'",
    "import {Script} from 'node:vm'",
    'const [source, filename, out] = process.argv.slice(1)',
    "const script = new Script(readFileSync(source, 'utf8'), {filename})",
    'const module = {exports: {}}',
    "script.runInThisContext()(module, createRequire(filename), 'file://' + filename)",
    "if ((await module.exports.main(['check'])) !== 0) process.exit(5)",
    'writeFileSync(out, script.createCachedData())',
  ].join('\n')
  const made = await runHermetic(
    process.execPath,
    ['--input-type=module', '-e', compile, forgedPath, BODY, dataPath],
    {cwd: r.dir},
  )
  expect(made.code, dump(made)).toBe(0)
  const real = await cacheFile(r)
  await writeFile(
    join(r.dir, CACHE),
    Buffer.concat([real.bytes.subarray(0, HEADER_BYTES), await readFile(dataPath)]),
  )
}

describe("the hook bundle's code cache", () => {
  it(
    'is written by the first run and taken, unchanged, by the next, with the same verdict',
    async () => {
      const r = await publicBucketStaged()
      const first = await blocked(r)
      const written = await cacheFile(r)
      expect(written.header).toMatch(/^[0-9a-f]{64} [0-9a-f]{64}\n$/)
      expect(written.bytes.length).toBeGreaterThan(100_000)
      expect(await blocked(r)).toBe(first)
      // V8 took it: a cache it rejected would have been written again.
      const after = await cacheFile(r)
      expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs])
      // Other V8 flags make another key: compiled again and the cache written for them.
      expect(await blocked(r, ['--max-old-space-size=512'])).toBe(first)
      expect((await cacheFile(r)).header.slice(0, 64)).not.toBe(written.header.slice(0, 64))
    },
    SLOW,
  )

  it(
    'garbage in the cache file changes nothing but the compile: same verdict, file rewritten',
    async () => {
      const r = await publicBucketStaged()
      const first = await blocked(r)
      const {header} = await cacheFile(r)
      for (const garbage of [
        Buffer.alloc(0),
        Buffer.from('not a cache\n'),
        Buffer.concat([Buffer.from(header), Buffer.alloc(300_000, 0xa5)]),
      ]) {
        await writeFile(join(r.dir, CACHE), garbage)
        expect(await blocked(r)).toBe(first)
        const rewritten = await cacheFile(r)
        expect(rewritten.header.slice(0, 64)).toBe(header.slice(0, 64))
        expect(rewritten.bytes.equals(garbage)).toBe(false)
      }
    },
    SLOW,
  )

  it(
    'a fifo or a device in place of the cache file is no cache: the hook answers, it does not wait',
    async () => {
      const r = await publicBucketStaged()
      const first = await blocked(r)
      await rm(join(r.dir, CACHE))
      const fifo = await runHermetic('mkfifo', [join(r.dir, CACHE)], {cwd: r.dir})
      expect(fifo.code, dump(fifo)).toBe(0)
      const run = await runHermetic(process.execPath, [HOOK, 'check', '--staged', '--quiet'], {
        cwd: r.dir,
        timeoutMs: 60_000,
      })
      expect(run, dump(run)).toMatchObject({code: 1, stdout: first})
      expect((await stat(join(r.dir, CACHE))).isFile()).toBe(true)
      await rm(join(r.dir, CACHE))
      await symlink('/dev/zero', join(r.dir, CACHE))
      expect(await blocked(r)).toBe(first)
    },
    SLOW,
  )

  it(
    "an attacker's code for another script of the same length, under the real header, does not run",
    async () => {
      const r = await publicBucketStaged()
      const first = await blocked(r)
      await plantPassingCode(r)
      // V8 alone would run it (same length, same flags) and the hook would pass the public bucket.
      expect(await blocked(r)).toBe(first)
      // `acldrift check` (bin/run.js) reads the same file through the build's loader: nor there.
      await plantPassingCode(r)
      const cli = await runCli(['check', '--staged', '--quiet'], {cwd: r.dir, timeoutMs: 60_000})
      expect([cli.code, cli.stdout], dump(cli)).toEqual([1, first])
    },
    SLOW,
  )

  it(
    'a .tf file staged (the grammar loaded, with its V8 flags) leaves the cache the next run takes',
    async () => {
      // V8 writes its flags' hash into the cache: the grammar's flags, left set, made every run
      // with a .tf file staged reject the cache, compile the body again and write it again.
      const role = (actions: string) =>
        `resource "aws_iam_role_policy" "app" {\n  role = "app"\n  policy = jsonencode({\n    Version = "2012-10-17"\n    Statement = [{ Effect = "Allow", Action = [${actions}], Resource = "*" }]\n  })\n}\n`
      const r = await newRepo()
      await r.write('infra/main.tf', role('"s3:GetObject"'))
      await r.stage()
      await r.commit('Add the app role')
      await r.write('infra/main.tf', role('"s3:GetObject", "iam:PassRole"'))
      await r.stage()
      const verdict = async () => {
        const run = await hook(r)
        expect(run.code, dump(run)).toBe(1)
        expect(run.stdout).toContain('infra/main.tf')
        return run.stdout
      }
      const first = await verdict()
      const written = await cacheFile(r)
      expect(await verdict()).toBe(first)
      const after = await cacheFile(r)
      expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs])
    },
    SLOW,
  )
})

describe("the CLI's check and audit and the bundle's code cache", () => {
  const cli = (r: TestRepo) => runCli(['check', '--staged', '--quiet'], {cwd: r.dir, timeoutMs: 60_000})

  it(
    '`acldrift check` runs the body with the check cache the hook keeps: written by one, taken by the other',
    async () => {
      const r = await publicBucketStaged()
      const first = await cli(r)
      expect(first.code, dump(first)).toBe(1)
      const written = await cacheFile(r)
      expect(written.bytes.length).toBeGreaterThan(100_000)
      expect(await blocked(r)).toBe(first.stdout)
      const second = await cli(r)
      expect([second.code, second.stdout]).toEqual([1, first.stdout])
      // Both took it: a cache V8 rejected would have been written again.
      const after = await cacheFile(r)
      expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs])
    },
    SLOW,
  )

  it(
    '`acldrift audit` keeps a cache of its own (audit), and anything the fast path leaves to oclif writes none',
    async () => {
      const r = await publicBucketStaged()
      await r.commit('Make the payroll bucket public')
      const audit = () => runCli(['audit', '--baseline', 'HEAD~1'], {cwd: r.dir, timeoutMs: 60_000})
      const first = await audit()
      expect(first.code, dump(first)).toBe(1)
      expect(first.stdout).toContain('public-principal')
      const path = join(r.dir, '.git', 'acldrift', 'hook-code-cache.audit')
      const written = await stat(path)
      const second = await audit()
      expect([second.code, second.stdout]).toEqual([1, first.stdout])
      const after = await stat(path)
      expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs])
      const help = await runCli(['check', '--help'], {cwd: r.dir, timeoutMs: 60_000})
      expect(help.code, dump(help)).toBe(0)
      expect(help.stdout).toContain('USAGE')
      await expect(stat(join(r.dir, CACHE))).rejects.toThrow()
    },
    SLOW,
  )
})

describe("the CLI's agent hook and the bundle's code cache", () => {
  const AGENT_CACHE = join('.git', 'acldrift', 'hook-code-cache.agent-edit')
  const agentHook = (r: TestRepo, file: string, content: string) =>
    runCli(['hook', 'agent', 'claude-code', 'PreToolUse'], {
      cwd: r.dir,
      input: JSON.stringify({
        session_id: 's',
        cwd: r.dir,
        hook_event_name: 'PreToolUse',
        tool_name: 'Write',
        tool_input: {file_path: join(r.dir, file), content},
      }),
      timeoutMs: 60_000,
    })

  it(
    'reviews an edit of an access config with the body, through its own cache (agent-edit); a plain edit loads no body',
    async () => {
      const r = await newRepo()
      await r.write(BUCKET_FILE, policyText(bucketPolicy))
      await r.write('src/app.ts', 'export {}\n')
      await r.stage()
      await r.commit('Add the payroll bucket')
      const plain = await agentHook(r, 'src/app.ts', 'export const a = 1\n')
      expect(plain.code, dump(plain)).toBe(0)
      await expect(stat(join(r.dir, AGENT_CACHE))).rejects.toThrow()
      const first = await agentHook(r, BUCKET_FILE, policyText(publicBucketPolicy))
      expect(first.code, dump(first)).toBe(2)
      expect(first.stderr).toMatch(/WIDENING \(critical\) public-principal/)
      const written = await stat(join(r.dir, AGENT_CACHE))
      expect(written.size).toBeGreaterThan(100_000)
      const second = await agentHook(r, BUCKET_FILE, policyText(publicBucketPolicy))
      expect([second.code, second.stderr]).toEqual([2, first.stderr])
      // V8 took it: a cache it rejected would have been written again.
      const after = await stat(join(r.dir, AGENT_CACHE))
      expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs])
      // Garbage in the file (under a header that is not its HMAC's) changes nothing but the compile.
      const header = (await readFile(join(r.dir, AGENT_CACHE))).subarray(0, HEADER_BYTES)
      await writeFile(join(r.dir, AGENT_CACHE), Buffer.concat([header, Buffer.alloc(300_000, 0xa5)]))
      const third = await agentHook(r, BUCKET_FILE, policyText(publicBucketPolicy))
      expect([third.code, third.stderr]).toEqual([2, first.stderr])
    },
    SLOW,
  )

  it(
    'reviews the working tree at the end of a turn with the body, through its own cache (agent-stop)',
    async () => {
      const STOP_CACHE = join('.git', 'acldrift', 'hook-code-cache.agent-stop')
      const r = await newRepo()
      await r.write(BUCKET_FILE, policyText(bucketPolicy))
      await r.stage()
      await r.commit('Add the payroll bucket')
      await r.write(BUCKET_FILE, policyText(publicBucketPolicy))
      const stop = () =>
        runCli(['hook', 'agent', 'claude-code', 'Stop'], {
          cwd: r.dir,
          input: JSON.stringify({
            session_id: 's',
            cwd: r.dir,
            hook_event_name: 'Stop',
            stop_hook_active: false,
          }),
          timeoutMs: 60_000,
        })
      const first = await stop()
      expect(first.code, dump(first)).toBe(2)
      expect(first.stderr).toMatch(/WIDENING \(critical\) public-principal/)
      const written = await stat(join(r.dir, STOP_CACHE))
      expect(written.size).toBeGreaterThan(100_000)
      await expect(stat(join(r.dir, AGENT_CACHE))).rejects.toThrow()
      const second = await stop()
      expect([second.code, second.stderr]).toEqual([2, first.stderr])
      const after = await stat(join(r.dir, STOP_CACHE))
      expect([after.ino, after.mtimeMs]).toEqual([written.ino, written.mtimeMs])
    },
    SLOW,
  )
})
