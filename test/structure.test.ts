// The project's structure cannot drift: every registered kind has its adapter folder, its
// schema and its fixtures, and nothing exists for a kind that is not registered.
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {ADAPTERS} from '../src/adapters/index.js'
import {KINDS} from '../src/core/types.js'

const root = new URL('..', import.meta.url)
const entries = (dir: string) => readdirSync(new URL(dir, root), {withFileTypes: true})
const kinds = ADAPTERS.map((a) => a.kind)

describe('adapters, schemas and fixtures line up', () => {
  it('registers exactly the kinds the types name, once each', () => {
    expect([...kinds].sort()).toEqual([...KINDS].sort())
    expect(new Set(kinds).size).toBe(kinds.length)
  })

  it.each(kinds)('%s has an adapter folder, a schema and fixtures', (kind) => {
    expect(existsSync(new URL(`src/adapters/${kind}/`, root))).toBe(true)
    expect(existsSync(new URL(`schemas/${kind}.schema.json`, root))).toBe(true)
    expect(entries(`fixtures/${kind}/`).filter((e) => e.isDirectory()).length).toBeGreaterThan(0)
  })

  it('lists exactly the registered kinds in the config schema', () => {
    const schema = JSON.parse(readFileSync(new URL('schemas/config.schema.json', root), 'utf8')) as {
      $defs: {kind: {enum: string[]}}
    }
    expect([...schema.$defs.kind.enum].sort()).toEqual([...kinds].sort())
  })

  it('has no adapter folder, schema or fixture folder for an unregistered kind', () => {
    const folders = entries('src/adapters/')
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
    expect(folders.sort()).toEqual([...kinds].sort())
    const schemas = entries('schemas/')
      .filter((e) => e.name.endsWith('.schema.json'))
      .map((e) => e.name.replace('.schema.json', ''))
    expect(schemas.sort()).toEqual([...kinds, 'approvals', 'config', 'report', 'snapshot'].sort())
    const fixtures = entries('fixtures/')
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
    expect(fixtures.sort()).toEqual([...kinds, 'demo'].sort())
  })
})
