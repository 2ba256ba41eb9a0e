// The hook bundle (hook/, scripts/bundle-hook.js) is committed because some installs never build:
// it must be exactly what the sources build today. Rebuilt into a temporary folder and compared,
// file by file and with its modes, with what git holds for hook/ (the index: committed or staged).
// Needs the built dist/ (the bundle takes the validators and the data files from it).

import {readdir, rm, stat} from 'node:fs/promises'
import {join, relative} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {makeTempDir, projectRoot, runHermetic} from '../helpers/repo.js'

const temps: string[] = []
afterAll(() => Promise.all(temps.map((dir) => rm(dir, {recursive: true, force: true}))))

/** `mode hash path` of every file under dir, as `git ls-files -s` lists them. */
async function listing(dir: string): Promise<string[]> {
  const files = (await readdir(dir, {recursive: true, withFileTypes: true})).filter((entry) => entry.isFile())
  const paths = files.map((entry) => join(entry.parentPath, entry.name))
  const hashed = await runHermetic('git', ['hash-object', '--no-filters', ...paths], {cwd: projectRoot})
  expect(hashed.code, hashed.stderr).toBe(0)
  const hashes = hashed.stdout.trim().split('\n')
  const modes = await Promise.all(
    paths.map(async (path) => ((await stat(path)).mode & 0o111 ? '100755' : '100644')),
  )
  return paths.map((path, i) => `${modes[i]} ${hashes[i]} hook/${relative(dir, path)}`).sort()
}

describe('the hook bundle', () => {
  it('hook/ as committed is what scripts/bundle-hook.js builds from the sources', async () => {
    const out = await makeTempDir('acldrift-bundle-')
    temps.push(out)
    const built = await runHermetic(process.execPath, [join(projectRoot, 'scripts', 'bundle-hook.js'), out], {
      cwd: projectRoot,
      timeoutMs: 120_000,
    })
    expect(built.code, built.stderr).toBe(0)
    const indexed = await runHermetic('git', ['ls-files', '--stage', '--', 'hook'], {cwd: projectRoot})
    const committed = indexed.stdout
      .trim()
      .split('\n')
      .map((line) => line.replace(/^(\d+) (\w+) \d+\t/, '$1 $2 '))
      .sort()
    expect(committed, 'hook/ differs from the sources: run `npm run build` and commit hook/').toEqual(
      await listing(out),
    )
  }, 180_000)
})
