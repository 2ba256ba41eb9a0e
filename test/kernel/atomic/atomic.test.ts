// writeFileAtomic under SIGKILL: a process rewriting a multi-megabyte file in a loop is killed at
// random moments; the file must always hold one of the two contents, whole, and whatever is left
// over is a temporary file that nothing reads (a dot-file ending in .tmp).

import {spawn} from 'node:child_process'
import {existsSync, statSync} from 'node:fs'
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {projectRoot} from '../../helpers/repo.js'

const compiledModule = join(projectRoot, 'dist', 'kernel', 'atomic.js')
const childScript = join(projectRoot, 'test', 'kernel', 'atomic', 'write-child.mjs')
const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, {recursive: true, force: true}))))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('writeFileAtomic, killed with SIGKILL', () => {
  it('leaves the old content or the new one, whole, over many random kills', async () => {
    const source = join(projectRoot, 'src', 'kernel', 'atomic.ts')
    if (!existsSync(compiledModule) || statSync(source).mtimeMs > statSync(compiledModule).mtimeMs)
      throw new Error(`${compiledModule} is missing or older than its source: run \`npm run build\``)
    const dir = await mkdtemp(join(tmpdir(), 'acldrift-atomic-'))
    dirs.push(dir)
    // Two contents of a few megabytes each, of different lengths: a torn write shows.
    const a = `${JSON.stringify({version: 'a', fill: 'a'.repeat(3_000_000)})}\n`
    const b = `${JSON.stringify({version: 'b', fill: 'b'.repeat(4_000_000)})}\n`
    await writeFile(join(dir, 'a'), a)
    await writeFile(join(dir, 'b'), b)
    const file = join(dir, 'out', 'baseline.json')
    for (let round = 0; round < 12; round++) {
      const child = spawn(
        process.execPath,
        [childScript, compiledModule, file, join(dir, 'a'), join(dir, 'b')],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      const exited = new Promise((resolve) => child.on('exit', resolve))
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => resolve())
        child.on('exit', () => reject(new Error(`the writer exited before its first write: ${stderr}`)))
      })
      await sleep(Math.random() * 40)
      child.kill('SIGKILL')
      await exited
      const content = await readFile(file, 'utf8')
      expect(content === a || content === b, `round ${round}: ${content.length} bytes`).toBe(true)
      for (const name of await readdir(join(dir, 'out')))
        expect(name === 'baseline.json' || /^\.baseline\.json\.[0-9a-f]{12}\.tmp$/.test(name), name).toBe(
          true,
        )
    }
  }, 60_000)
})
