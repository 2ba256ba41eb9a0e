// Generates what schemas/ derives from the registry, then compiles every schemas/<name>.schema.json
// into dist/validators/<name>.js (ajv standalone code), so that validating at run time never
// compiles a schema: the pre-commit hook has to start fast.
//
// The config schema's kind enum (which the snapshot, report and approvals schemas refer to) is
// the registry's list of kinds: this script runs after tsc, reads KINDS from the built registry
// and rewrites the enum in schemas/config.schema.json when it differs. The file stays committed,
// as users read it; `--check` only compares, and fails when the committed file is not what the
// build would write (test/structure.test.ts runs it).
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {builtinModules} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import Ajv2020 from 'ajv/dist/2020.js'
import standaloneCode from 'ajv/dist/standalone/index.js'
import * as prettier from 'prettier'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const schemaDir = join(root, 'schemas')
const outDir = join(root, 'dist', 'validators')
const SUFFIX = '.schema.json'
const configSchema = join(schemaDir, 'config.schema.json')

const {KINDS} = await import('../dist/adapters/index.js')
const committed = readFileSync(configSchema, 'utf8')
const generated = await withKinds(committed, KINDS)
if (process.argv.includes('--check')) {
  if (generated === committed) process.exit(0)
  console.error(
    "schemas/config.schema.json: its kind enum is not the registry's (src/adapters/index.ts): run `npm run build` and commit it",
  )
  process.exit(1)
}
if (generated !== committed) {
  writeFileSync(configSchema, generated)
  console.log('schemas/config.schema.json: kind enum regenerated from the registry (commit it)')
}

/**
 * The config schema's text with `$defs.kind.enum` set to `kinds`, formatted as prettier formats
 * the repository: only the enum changes, the rest of the file keeps its layout.
 */
async function withKinds(text, kinds) {
  const enumOfKind = /("kind":\s*\{[^{}]*"enum":\s*)\[[^\]]*\]/g
  if ([...text.matchAll(enumOfKind)].length !== 1)
    throw new Error('schemas/config.schema.json: cannot find the one enum of $defs.kind')
  const replaced = text.replace(enumOfKind, (_, before) => `${before}${JSON.stringify(kinds)}`)
  const enumNow = JSON.parse(replaced).$defs?.kind?.enum
  if (JSON.stringify(enumNow) !== JSON.stringify(kinds))
    throw new Error('schemas/config.schema.json: the enum replaced is not the one of $defs.kind')
  const options = await prettier.resolveConfig(configSchema)
  return prettier.format(replaced, {...options, filepath: configSchema})
}

const ajv = new Ajv2020({
  strict: true,
  // Union types ("string or array") replace oneOf branches, whose errors are noise for a person.
  allowUnionTypes: true,
  allErrors: true,
  // Errors carry their schema: src/core/validate.ts words messages from it ("must have exactly one of …").
  verbose: true,
  code: {source: true, esm: true},
})

const files = readdirSync(schemaDir)
  .filter((file) => file.endsWith(SUFFIX))
  .sort()
const schemas = files.map((file) => JSON.parse(readFileSync(join(schemaDir, file), 'utf8')))
// All at once first, so that schemas may refer to each other (report → config's list of kinds).
for (const schema of schemas) ajv.addSchema(schema)

const dependencies = Object.keys(
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies ?? {},
)
mkdirSync(outDir, {recursive: true})
for (const [index, file] of files.entries()) {
  const name = file.slice(0, -SUFFIX.length)
  const validate = ajv.getSchema(schemas[index].$id)
  if (validate === undefined) throw new Error(`${file}: no $id`)
  let code = standaloneCode(ajv, validate)
  // ajv's ESM output still calls require() for its runtime helpers (ucs2length, equal …).
  if (code.includes('require(')) {
    code = `import {createRequire} from "node:module";const require = createRequire(import.meta.url);${code}`
  }
  checkImports(name, code)
  writeFileSync(join(outDir, `${name}.js`), code)
}

/** The generated code must run with the runtime dependencies alone (no dev dependency, no schema compiler). */
function checkImports(name, code) {
  const specifiers = [...code.matchAll(/\bfrom\s*"([^"]+)"|\brequire\("([^"]+)"\)/g)].map((m) => m[1] ?? m[2])
  for (const specifier of specifiers) {
    const bare = specifier.replace(/^node:/, '')
    const pkg = specifier.startsWith('@')
      ? specifier.split('/').slice(0, 2).join('/')
      : specifier.split('/')[0]
    const allowed =
      builtinModules.includes(bare) ||
      (dependencies.includes(pkg) && !/^ajv\/dist\/(?!runtime\/)/.test(specifier))
    if (!allowed) {
      throw new Error(`dist/validators/${name}.js imports ${specifier}, which is not a runtime dependency`)
    }
  }
}
