import {randomBytes} from 'node:crypto'
import {mkdir, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {EnvironmentError, UsageError} from '../../src/kernel/errors.js'
import {MAX_FILE_BYTES} from '../../src/kernel/parse.js'
import type {SourceFile} from '../../src/kernel/types.js'
import {
  BatchParser,
  catFileBatch,
  checkAttributes,
  deletedPathsNamed,
  findRepoRoot,
  gitProcessCount,
  headCommit,
  isShallow,
  listPathsNamed,
  listRevisionFiles,
  listStagedFiles,
  listTrackedFiles,
  oneRun,
  readNotes,
  readPathsAt,
  readRevisionFiles,
  readStagedFiles,
  readWorktreeFiles,
  resolveCommit,
  stagedChangedPaths,
} from '../../src/git/index.js'
import {createRepo, makeTempDir, type TestRepo} from '../helpers/repo.js'

const text = (files: SourceFile[]) =>
  Object.fromEntries(files.map((file) => [file.path, file.content.toString()]))

let repo: TestRepo
const extraDirs: string[] = []

beforeEach(async () => {
  repo = await createRepo()
})

afterEach(async () => {
  await repo.cleanup()
  for (const dir of extraDirs.splice(0)) await rm(dir, {recursive: true, force: true})
})

async function tempDir(): Promise<string> {
  const dir = await makeTempDir()
  extraDirs.push(dir)
  return dir
}

describe('repository and revisions', () => {
  it('finds the root from a subdirectory', async () => {
    await repo.write('iam/app.json', '{}')
    expect(await findRepoRoot(join(repo.dir, 'iam'))).toBe(repo.dir)
  })

  it('rejects a directory outside any repository with EnvironmentError (exit 4)', async () => {
    const dir = await tempDir()
    const error = await findRepoRoot(dir).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EnvironmentError)
    expect(error).toMatchObject({exitCode: 4, message: expect.stringContaining('not inside a git work tree')})
  })

  it('rejects a directory that does not exist', async () => {
    const missing = join(await tempDir(), 'nope')
    await expect(findRepoRoot(missing)).rejects.toThrow(`directory does not exist: ${missing}`)
  })

  it('has a null HEAD and lists all staged files as changed before the first commit', async () => {
    await repo.write('a.json', '{}')
    await repo.write('b/c.json', '[]')
    await repo.stage()
    expect(await headCommit(repo.dir)).toBeNull()
    expect(await stagedChangedPaths(repo.dir)).toEqual(['a.json', 'b/c.json'])
    expect(text((await readStagedFiles(repo.dir)).files)).toEqual({'a.json': '{}', 'b/c.json': '[]'})
  })

  it('resolves revisions to full commit ids', async () => {
    await repo.write('a.json', '1')
    await repo.stage()
    const first = await repo.commit('first')
    await repo.git('tag', 'v1')
    expect(await headCommit(repo.dir)).toBe(first)
    expect(await resolveCommit(repo.dir, 'v1')).toBe(first)
    expect(await resolveCommit(repo.dir, first.slice(0, 10))).toBe(first)
    expect(await isShallow(repo.dir)).toBe(false)
  })

  it('reports an unknown revision as UsageError (exit 2) naming it', async () => {
    await repo.write('a.json', '1')
    await repo.stage()
    await repo.commit('first')
    for (const rev of ['no-such-branch', '--output=/tmp/x', 'HEAD~5']) {
      const error = await resolveCommit(repo.dir, rev).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(UsageError)
      expect(error).toMatchObject({exitCode: 2, message: `unknown revision: ${rev}`})
    }
    await expect(readRevisionFiles(repo.dir, 'no-such-branch')).rejects.toThrow(UsageError)
  })

  it('knows a shallow clone', async () => {
    for (const n of [1, 2]) {
      await repo.write('a.json', String(n))
      await repo.stage()
      await repo.commit(`commit ${n}`)
    }
    const clone = join(await tempDir(), 'clone')
    await repo.git('clone', '--quiet', '--depth=1', `file://${repo.dir}`, clone)
    expect(await isShallow(clone)).toBe(true)
  })
})

describe('git is missing', () => {
  const saved = {PATH: process.env.PATH, ACLDRIFT_GIT: process.env.ACLDRIFT_GIT}
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })

  it('fails with EnvironmentError (exit 4) when git is not on PATH', async () => {
    process.env.PATH = await tempDir()
    const error = await findRepoRoot(repo.dir).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EnvironmentError)
    expect(error).toMatchObject({exitCode: 4, message: 'git not found on PATH'})
  })

  it('fails with EnvironmentError (exit 4) when ACLDRIFT_GIT names no program', async () => {
    const missing = join(await tempDir(), 'git')
    process.env.ACLDRIFT_GIT = missing
    const error = await listTrackedFiles(repo.dir).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EnvironmentError)
    expect(error).toMatchObject({exitCode: 4, message: `git not found: ${missing} (from ACLDRIFT_GIT)`})
  })
})

describe('working tree', () => {
  it('lists tracked files with POSIX separators, including tracked files deleted on disk', async () => {
    await repo.write('iam/app.json', '{}')
    await repo.write('iam/deep/x.json', '{}')
    await repo.write('untracked.json', '{}')
    await repo.stage('iam')
    await repo.commit('add')
    await repo.remove('iam/app.json')
    expect(await listTrackedFiles(repo.dir)).toEqual(['iam/app.json', 'iam/deep/x.json'])
    expect(await readWorktreeFiles(repo.dir, await listTrackedFiles(repo.dir))).toEqual({
      files: [{path: 'iam/deep/x.json', content: Buffer.from('{}')}],
      skipped: [{path: 'iam/app.json', reason: 'deleted'}],
    })
  })

  it('never follows a symlink, inside or out of the repository', async () => {
    const outside = await tempDir()
    await repo.write('policy.json', '{"ok":true}')
    await repo.symlink('/etc/passwd', 'passwd.json')
    await repo.symlink('policy.json', 'alias.json')
    await repo.symlink(outside, 'linked-dir')
    await repo.symlink('.', 'self')
    await repo.stage()
    await repo.commit('links')

    const paths = [...(await listTrackedFiles(repo.dir)), 'linked-dir/secret.json', 'self/policy.json']
    const {files, skipped} = await readWorktreeFiles(repo.dir, paths)
    expect(text(files)).toEqual({'policy.json': '{"ok":true}', 'self/policy.json': '{"ok":true}'})
    expect(skipped).toEqual([
      {path: 'alias.json', reason: 'symlink'},
      {path: 'linked-dir', reason: 'symlink'},
      {path: 'passwd.json', reason: 'symlink'},
      {path: 'self', reason: 'symlink'},
      {path: 'linked-dir/secret.json', reason: 'outside-repository'},
    ])
  })

  it('skips paths that leave the repository, and directories', async () => {
    await repo.write('dir/a.json', '{}')
    const {files, skipped} = await readWorktreeFiles(repo.dir, [
      '../escape.json',
      '/etc/passwd',
      'dir',
      'dir/a.json',
    ])
    expect(files.map((file) => file.path)).toEqual(['dir/a.json'])
    expect(skipped).toEqual([
      {path: '../escape.json', reason: 'outside-repository'},
      {path: '/etc/passwd', reason: 'outside-repository'},
      {path: 'dir', reason: 'not-a-regular-file'},
    ])
  })
})

describe('index', () => {
  it('reads staged content, not the working tree', async () => {
    await repo.write('iam/app.json', '{"v":1}')
    await repo.stage()
    await repo.commit('v1')
    await repo.write('iam/app.json', '{"v":2}')
    await repo.stage()
    await repo.write('iam/app.json', '{"v":3}')

    expect(await stagedChangedPaths(repo.dir)).toEqual(['iam/app.json'])
    expect(text((await readStagedFiles(repo.dir)).files)).toEqual({'iam/app.json': '{"v":2}'})
    expect(text((await readWorktreeFiles(repo.dir, ['iam/app.json'])).files)).toEqual({
      'iam/app.json': '{"v":3}',
    })
  })

  it('reads only the requested paths and reports requested paths that are not staged', async () => {
    await repo.write('a.json', 'a')
    await repo.write('b.json', 'b')
    await repo.stage()
    expect(await readStagedFiles(repo.dir, ['b.json', 'gone.json'])).toEqual({
      files: [{path: 'b.json', content: Buffer.from('b')}],
      skipped: [{path: 'gone.json', reason: 'deleted'}],
    })
  })

  it('skips staged symlinks and submodules', async () => {
    const sub = await createRepo()
    try {
      await sub.write('x', 'x')
      await sub.stage()
      const subCommit = await sub.commit('sub')
      await repo.write('a.json', '{}')
      await repo.symlink('/etc/passwd', 'passwd.json')
      await repo.stage()
      await repo.git('update-index', '--add', '--cacheinfo', `160000,${subCommit},vendor/sub`)

      expect(await listStagedFiles(repo.dir)).toEqual(['a.json', 'passwd.json', 'vendor/sub'])
      const {files, skipped} = await readStagedFiles(repo.dir)
      expect(text(files)).toEqual({'a.json': '{}'})
      expect(skipped).toEqual([
        {path: 'passwd.json', reason: 'symlink'},
        {path: 'vendor/sub', reason: 'submodule'},
      ])
      await repo.commit('with submodule')
      expect((await readRevisionFiles(repo.dir, 'HEAD')).skipped).toEqual(skipped)
    } finally {
      await sub.cleanup()
    }
  })

  it('skips files over the size limit as too-large, in the index, a revision and the working tree, unread', async () => {
    const size = MAX_FILE_BYTES + 1
    await repo.write('big.json', Buffer.alloc(size, 0x20))
    await repo.write('small.json', '{}')
    await repo.stage()
    await repo.commit('big')
    const expected = {
      files: [{path: 'small.json', content: Buffer.from('{}')}],
      skipped: [{path: 'big.json', reason: 'too-large', size}],
    }
    expect(await readStagedFiles(repo.dir)).toEqual(expected)
    expect(await readRevisionFiles(repo.dir, 'HEAD')).toEqual(expected)
    expect(await readWorktreeFiles(repo.dir, ['big.json', 'small.json'])).toEqual(expected)
  })

  it('reports a conflicted path once, as unmerged', async () => {
    await repo.write('p.json', 'base')
    await repo.stage()
    await repo.commit('base')
    await repo.git('checkout', '--quiet', '-b', 'other')
    await repo.write('p.json', 'other')
    await repo.stage()
    await repo.commit('other')
    await repo.git('checkout', '--quiet', 'main')
    await repo.write('p.json', 'main')
    await repo.stage()
    await repo.commit('main')
    await expect(repo.git('merge', '--quiet', 'other')).rejects.toThrow()

    expect(await listStagedFiles(repo.dir)).toEqual(['p.json'])
    expect(await listTrackedFiles(repo.dir)).toEqual(['p.json'])
    expect(await readStagedFiles(repo.dir)).toEqual({
      files: [],
      skipped: [{path: 'p.json', reason: 'unmerged'}],
    })
  })

  it('reads 200 staged files with a constant number of git processes', async () => {
    for (let i = 0; i < 200; i++) await repo.write(`iam/policy-${i}.json`, `{"n":${i}}`)
    await repo.stage()
    const before = gitProcessCount()
    const {files} = await readStagedFiles(repo.dir)
    expect(gitProcessCount() - before).toBe(2) // ls-files + cat-file
    expect(files).toHaveLength(200)
    expect(text(files)['iam/policy-123.json']).toBe('{"n":123}')

    await repo.commit('many')
    const beforeRevision = gitProcessCount()
    expect((await readRevisionFiles(repo.dir, 'HEAD')).files).toHaveLength(200)
    // rev-parse + ls-tree, and cat-file unless the process of the read above closed (idle a second)
    expect(gitProcessCount() - beforeRevision).toBeGreaterThanOrEqual(2)
    expect(gitProcessCount() - beforeRevision).toBeLessThanOrEqual(3)
  })
})

describe('one run: the index and HEAD asked of git once', () => {
  it('knows HEAD from the index and its changes exactly as ls-tree lists it, with fewer git processes', async () => {
    for (const path of ['same.json', 'changed.json', 'deleted.json', 'mode.json'])
      await repo.write(path, `{"path":"${path}"}`)
    await repo.stage()
    const head = await repo.commit('base')
    await repo.write('changed.json', '{"changed":true}')
    await repo.write('added.json', '{"added":true}')
    await repo.write('intent.json', '{"intent":true}')
    await repo.git('rm', '--quiet', '--cached', 'deleted.json')
    await repo.git('update-index', '--chmod=+x', 'mode.json')
    await repo.stage('changed.json', 'added.json')
    // intent to add: the index lists the path (with the empty blob), `diff --cached` does not
    await repo.git('add', '--intent-to-add', 'intent.json')
    const paths = [
      'same.json',
      'changed.json',
      'deleted.json',
      'mode.json',
      'added.json',
      'intent.json',
      'absent',
    ]
    const sides = [{type: 'ref' as const, commit: head}, {type: 'staged' as const}]
    const asText = (read: Array<Map<string, Buffer>>) =>
      read.map((side) => Object.fromEntries([...side].map(([path, content]) => [path, content.toString()])))
    const apart = asText(await readPathsAt(repo.dir, sides, paths))
    const before = gitProcessCount()
    const together = await oneRun(async () => {
      await headCommit(repo.dir)
      await stagedChangedPaths(repo.dir)
      const read = asText(await readPathsAt(repo.dir, sides, paths))
      const again = asText(await readPathsAt(repo.dir, sides, paths))
      expect(again).toEqual(read)
      return read
    })
    // rev-parse, diff --cached, ls-files, and ls-tree once (the intent-to-add path is asked of git)
    expect(gitProcessCount() - before).toBeLessThanOrEqual(4 + 1)
    expect(together).toEqual(apart)
    expect(together[0]).toEqual({
      'same.json': '{"path":"same.json"}',
      'changed.json': '{"path":"changed.json"}',
      'deleted.json': '{"path":"deleted.json"}',
      'mode.json': '{"path":"mode.json"}',
    })
    expect(Object.keys(together[1]!).sort()).toEqual([
      'added.json',
      'changed.json',
      'intent.json',
      'mode.json',
      'same.json',
    ])
  })

  it('asks again outside a run: a change to the index between runs is seen', async () => {
    await repo.write('a.json', '{}')
    await repo.stage()
    await repo.commit('base')
    expect(await oneRun(() => stagedChangedPaths(repo.dir))).toEqual([])
    await repo.write('a.json', '{"a":1}')
    await repo.stage()
    expect(await oneRun(() => stagedChangedPaths(repo.dir))).toEqual(['a.json'])
    expect(
      await oneRun(async () =>
        (await readPathsAt(repo.dir, [{type: 'staged'}], ['a.json']))[0]!.get('a.json')!.toString(),
      ),
    ).toBe('{"a":1}')
  })
})

describe('paths by name', () => {
  it('lists a name in every folder of a commit, the index and the working tree, and nothing like it', async () => {
    for (const path of ['.gitattributes', 'iam/.gitattributes', 'a b/[x]/.gitattributes', 'x.gitattributes'])
      await repo.write(path, '')
    await repo.stage()
    const commit = await repo.commit('attributes')
    await repo.write('new/.gitattributes', '')
    await repo.git('rm', '--quiet', '--cached', 'iam/.gitattributes')
    const sorted = async (side: Parameters<typeof listPathsNamed>[1]) =>
      (await listPathsNamed(repo.dir, side, '.gitattributes')).sort()
    expect(await sorted({type: 'ref', commit})).toEqual([
      '.gitattributes',
      'a b/[x]/.gitattributes',
      'iam/.gitattributes',
    ])
    expect(await sorted({type: 'staged'})).toEqual(['.gitattributes', 'a b/[x]/.gitattributes'])
    // The working tree: tracked, and untracked not ignored.
    expect(await sorted({type: 'worktree'})).toEqual([
      '.gitattributes',
      'a b/[x]/.gitattributes',
      'iam/.gitattributes',
      'new/.gitattributes',
    ])
  })
})

describe('attributes as git computes them', () => {
  const side = (entries: Record<string, string>) =>
    new Map(Object.entries(entries).map(([path, text]) => [path, Buffer.from(text)]))
  const state = (found: Awaited<ReturnType<typeof checkAttributes>>, path: string) =>
    Object.fromEntries(found.map((s) => s.get(path)).flatMap((s, i) => [[i, s?.get('filter')]]))

  it('evaluates each side of .gitattributes files on its own, with one check-attr per side', async () => {
    const root = '*.json filter=crypt\n'
    const before = gitProcessCount()
    const found = await checkAttributes(
      [
        side({'.gitattributes': root, 'iam/.gitattributes': '*.json -filter\n'}),
        side({'.gitattributes': root}),
        new Map(),
      ],
      ['iam/a.json', 'a b/c.json', 'x.yaml'],
      ['filter', 'ident'],
    )
    expect(gitProcessCount() - before).toBe(1 + 1 + 2 + 3) // init, hash-object, update-index ×2, check-attr ×3
    expect(state(found, 'iam/a.json')).toEqual({0: 'unset', 1: 'crypt', 2: 'unspecified'})
    expect(state(found, 'a b/c.json')).toEqual({0: 'crypt', 1: 'crypt', 2: 'unspecified'})
    expect(found[0]!.get('x.yaml')?.get('ident')).toBe('unspecified')
  })

  it('leaves out the global attributes file (core.attributesFile), which is local and not committed', async () => {
    // Its default place, ~/.config/git/attributes, as $XDG_CONFIG_HOME/git/attributes.
    const home = await makeTempDir()
    extraDirs.push(home)
    await mkdir(join(home, 'git'))
    await writeFile(join(home, 'git', 'attributes'), '*.json filter=crypt\n')
    const saved = process.env.XDG_CONFIG_HOME
    process.env.XDG_CONFIG_HOME = home
    try {
      const [found] = await checkAttributes([side({'.gitattributes': '*.md text\n'})], ['a.json'], ['filter'])
      expect(found!.get('a.json')?.get('filter')).toBe('unspecified')
    } finally {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME
      else process.env.XDG_CONFIG_HOME = saved
    }
  })

  it('names the files of a name that a commit had and a side no longer holds', async () => {
    for (const path of ['.gitattributes', 'iam/.gitattributes', 'k8s/.gitattributes'])
      await repo.write(path, '')
    await repo.stage()
    const from = await repo.commit('attributes')
    await repo.git('rm', '--quiet', 'iam/.gitattributes')
    const staged = await deletedPathsNamed(repo.dir, from, {type: 'staged'}, '.gitattributes')
    expect(staged).toEqual(['iam/.gitattributes'])
    await repo.remove('k8s/.gitattributes')
    expect((await deletedPathsNamed(repo.dir, from, {type: 'worktree'}, '.gitattributes')).sort()).toEqual([
      'iam/.gitattributes',
      'k8s/.gitattributes',
    ])
    const commit = await repo.commit('drop one')
    expect(await deletedPathsNamed(repo.dir, from, {type: 'ref', commit}, '.gitattributes')).toEqual([
      'iam/.gitattributes',
    ])
  })
})

describe('revisions', () => {
  it('reads an older commit, across a rename and a deletion', async () => {
    await repo.write('iam/a.json', '{"a":1}')
    await repo.write('iam/b.json', '{"b":1}')
    await repo.stage()
    const first = await repo.commit('first')
    await repo.git('mv', 'iam/a.json', 'iam/renamed.json')
    await repo.git('rm', '--quiet', 'iam/b.json')

    expect(await stagedChangedPaths(repo.dir)).toEqual(['iam/a.json', 'iam/b.json', 'iam/renamed.json'])
    const staged = await readStagedFiles(repo.dir, await stagedChangedPaths(repo.dir))
    expect(text(staged.files)).toEqual({'iam/renamed.json': '{"a":1}'})
    expect(staged.skipped).toEqual([
      {path: 'iam/a.json', reason: 'deleted'},
      {path: 'iam/b.json', reason: 'deleted'},
    ])

    await repo.commit('rename and delete')
    expect(await listRevisionFiles(repo.dir, 'HEAD')).toEqual(['iam/renamed.json'])
    expect(await listRevisionFiles(repo.dir, first)).toEqual(['iam/a.json', 'iam/b.json'])
    expect(text((await readRevisionFiles(repo.dir, 'HEAD~1')).files)).toEqual({
      'iam/a.json': '{"a":1}',
      'iam/b.json': '{"b":1}',
    })
    expect(await readRevisionFiles(repo.dir, 'HEAD', ['iam/a.json'])).toEqual({
      files: [],
      skipped: [{path: 'iam/a.json', reason: 'deleted'}],
    })
  })

  it('handles paths with spaces and non-ASCII characters everywhere', async () => {
    const path = 'dir with space/pölicy.json'
    await repo.write(path, '{"ü":"✓"}')
    await repo.write('tab\there.json', '{}')
    await repo.stage()
    await repo.commit('unicode')

    const expected = {[path]: '{"ü":"✓"}', 'tab\there.json': '{}'}
    expect(await listTrackedFiles(repo.dir)).toEqual(Object.keys(expected))
    expect(text((await readWorktreeFiles(repo.dir, Object.keys(expected))).files)).toEqual(expected)
    expect(text((await readStagedFiles(repo.dir)).files)).toEqual(expected)
    expect(text((await readRevisionFiles(repo.dir, 'HEAD')).files)).toEqual(expected)
  })

  it('round-trips binary and large blobs byte for byte', async () => {
    const binary = Buffer.concat([Buffer.from([0, 10, 13, 10, 0, 255]), randomBytes(4096), Buffer.from('\n')])
    const large = randomBytes(3 * 1024 * 1024 + 17)
    const files = {
      'bin.dat': binary,
      'large.dat': large,
      'empty.json': Buffer.alloc(0),
      'nl.txt': Buffer.from('\n'),
    }
    for (const [path, content] of Object.entries(files)) await repo.write(path, content)
    await repo.stage()
    await repo.commit('blobs')

    for (const result of [await readStagedFiles(repo.dir), await readRevisionFiles(repo.dir, 'HEAD')]) {
      const read = Object.fromEntries(result.files.map((file) => [file.path, file.content]))
      expect(Object.keys(read).sort()).toEqual(Object.keys(files).sort())
      for (const [path, content] of Object.entries(files)) expect(read[path].equals(content)).toBe(true)
    }
  })
})

describe('one cat-file process per repository', () => {
  it('serves reads one after another and at once, each with its own size limit, from one process', async () => {
    const ids: string[] = []
    for (const [i, content] of ['small', 'a larger blob', 'x'.repeat(100)].entries()) {
      await repo.write(`f${i}`, content)
      ids.push((await repo.git('hash-object', '-w', `f${i}`)).trim())
    }
    const before = gitProcessCount()
    const first = await catFileBatch(repo.dir, [ids[0]!])
    const [limited, whole] = await Promise.all([
      catFileBatch(repo.dir, [ids[2]!, ids[1]!, ids[0]!], {maxBytes: 5}),
      catFileBatch(repo.dir, [ids[2]!, '0'.repeat(40)]),
    ])
    expect(gitProcessCount() - before).toBe(1)
    expect(first.map((o) => o.content.toString())).toEqual(['small'])
    expect(limited.map((o) => [o.oversize, o.content.toString()])).toEqual([
      [true, ''],
      [true, ''],
      [false, 'small'],
    ])
    expect(whole.map((o) => [o.type, o.content.toString()])).toEqual([
      ['blob', 'x'.repeat(100)],
      ['missing', ''],
    ])
  })

  it('refuses what is not a full object id, which would shift the records of every later read', async () => {
    await repo.write('a', 'A')
    const id = (await repo.git('hash-object', '-w', 'a')).trim()
    await expect(catFileBatch(repo.dir, [`${id}\n${id}`])).rejects.toThrow('not a full object id')
    await expect(catFileBatch(repo.dir, ['HEAD:a'])).rejects.toThrow('not a full object id')
    expect((await catFileBatch(repo.dir, [id, id])).map((o) => o.content.toString())).toEqual(['A', 'A'])
  })

  it('asks it whether refs/notes/ai exists: no git of its own for notes where there are none', async () => {
    await repo.write('a', 'A')
    const id = (await repo.git('hash-object', '-w', 'a')).trim()
    await catFileBatch(repo.dir, [id])
    const before = gitProcessCount()
    expect((await readNotes(repo.dir, 'ai')).size).toBe(0)
    expect(gitProcessCount() - before).toBe(0)
    // A branch named like the ref is no notes ref: `git notes list` says so, as before.
    await repo.write('b', 'B')
    await repo.git('add', 'b')
    await repo.git('commit', '--quiet', '-m', 'b')
    const head = (await repo.git('rev-parse', 'HEAD')).trim()
    await repo.git('branch', 'refs/notes/ai')
    expect((await readNotes(repo.dir, 'ai')).size).toBe(0)
    await repo.git('branch', '--delete', '--quiet', 'refs/notes/ai')
    await repo.git('notes', '--ref=ai', 'add', '-m', 'noted by an agent', head)
    expect(Object.fromEntries(await readNotes(repo.dir, 'ai'))).toEqual({[head]: 'noted by an agent\n'})
  })

  it('fails the read (exit 4) when git is missing, and starts again once it is back', async () => {
    await repo.write('a', 'A')
    const id = (await repo.git('hash-object', '-w', 'a')).trim()
    const saved = process.env.ACLDRIFT_GIT
    process.env.ACLDRIFT_GIT = join(await tempDir(), 'git')
    try {
      await expect(catFileBatch(repo.dir, [id])).rejects.toMatchObject({exitCode: 4})
    } finally {
      if (saved === undefined) delete process.env.ACLDRIFT_GIT
      else process.env.ACLDRIFT_GIT = saved
    }
    expect((await catFileBatch(repo.dir, [id]))[0]!.content.toString()).toBe('A')
  })
})

describe('BatchParser', () => {
  const record = (id: string, type: string, content: Buffer) =>
    Buffer.concat([Buffer.from(`${id} ${type} ${content.length}\n`), content, Buffer.from('\n')])
  const a = Buffer.from('line\n\nanother 0 blob 5\n')
  const b = Buffer.from([0, 10, 0, 10])
  const stream = Buffer.concat([
    record('aaaa', 'blob', a),
    Buffer.from('bbbb missing\n'),
    record('cccc', 'blob', Buffer.alloc(0)),
    record('dddd', 'blob', b),
  ])
  const object = (id: string, type: string, content: Buffer) => ({
    id,
    type,
    content,
    size: content.length,
    oversize: false,
  })
  const expected = [
    object('aaaa', 'blob', a),
    object('bbbb', 'missing', Buffer.alloc(0)),
    object('cccc', 'blob', Buffer.alloc(0)),
    object('dddd', 'blob', b),
  ]
  const parseSplit = (size: number, maxBytes?: number) => {
    const parser = new BatchParser(maxBytes)
    const records = []
    for (let offset = 0; offset < stream.length; offset += size) {
      records.push(...parser.push(stream.subarray(offset, offset + size)))
    }
    parser.end()
    return records
  }

  it('parses records split at every possible byte', () => {
    for (let size = 1; size <= stream.length; size++) expect(parseSplit(size)).toEqual(expected)
  })

  it('skips content over maxBytes as it streams by, keeping its size and the records after it', () => {
    for (let size = 1; size <= stream.length; size++) {
      expect(parseSplit(size, b.length)).toEqual([
        {id: 'aaaa', type: 'blob', content: Buffer.alloc(0), size: a.length, oversize: true},
        ...expected.slice(1),
      ])
    }
  })

  it('rejects truncated output', () => {
    const parser = new BatchParser()
    parser.push(stream.subarray(0, 20))
    expect(() => parser.end()).toThrow('output ended in the middle of a record')
  })
})
