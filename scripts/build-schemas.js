// Compiles every schemas/<name>.schema.json into dist/validators/<name>.js (ajv standalone code), so
// that validating at run time never compiles a schema: the pre-commit hook has to start fast.
import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {builtinModules} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import Ajv2020 from 'ajv/dist/2020.js'
import standaloneCode from 'ajv/dist/standalone/index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const schemaDir = join(root, 'schemas')
const outDir = join(root, 'dist', 'validators')
const SUFFIX = '.schema.json'

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
