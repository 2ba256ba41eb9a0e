// The README's table of environment variables cannot go stale: every `process.env.NAME` that
// src/ reads is a row of it, and every variable it names is one src/ reads.
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {repositoryRoot} from './helpers/floors.js'

const root = repositoryRoot

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

const sources = sourceFiles(join(root, 'src')).map((file) => readFileSync(file, 'utf8'))

/** `process.env.NAME` and `process.env['NAME']`, wherever src/ reads one. */
const readBySource = new Set(
  sources.flatMap((text) =>
    [...text.matchAll(/process\.env(?:\.([A-Za-z_]\w*)|\[\s*['"`]([^'"`]+)['"`]\s*\])/g)].map(
      (match) => match[1] ?? match[2]!,
    ),
  ),
)

/** The backticked names in the first column of the README's "Environment variables" table. */
function documented(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const start = readme.indexOf('### Environment variables')
  expect(start).toBeGreaterThan(-1)
  const section = readme.slice(start).split(/\n#{2,3} /)[0]!
  const rows = section.split('\n').filter((line) => line.startsWith('| `'))
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Za-z_]\w*)`/g)].map((m) => m[1]!))
}

describe("the README's environment variables", () => {
  it('lists every variable src/ reads through process.env', () => {
    // The scan finds the reads it must (it cannot pass by matching nothing).
    expect(readBySource).toContain('ACLDRIFT_GIT')
    expect([...readBySource].filter((name) => !documented().includes(name))).toEqual([])
  })

  it('names only variables src/ uses', () => {
    const names = documented()
    expect(names.length).toBeGreaterThan(3)
    expect(names.filter((name) => !sources.some((text) => text.includes(name)))).toEqual([])
  })

  it('has no row for a config variable: the config is never chosen by the environment', () => {
    expect(documented()).not.toContain('ACLDRIFT_CONFIG')
    expect(readBySource).not.toContain('ACLDRIFT_CONFIG')
  })
})
