// `npm run new-kind NAME`: creates the kind NAME from the template kind — its folder
// (src/adapters/_template/), schema, fixtures and tests — and prints the one line that registers
// it in src/adapters/index.ts. Adding a kind is this command plus that line: every other list of
// kinds derives from the registry (the config schema's at the next `npm run build`).
//
// Each template file is copied with `_template` renamed to NAME, `templateKind` and
// `TemplateKind` to NAME in camelCase and PascalCase, and without its `template:` lines (what
// is true of the template only). Nothing that exists is overwritten. `--root DIR` writes into
// another checkout (the script's test works in a temporary copy).
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import * as prettier from 'prettier'

const TEMPLATE = '_template'
const USAGE =
  'usage: npm run new-kind NAME [-- --root DIR]   (NAME: lower-case words joined by -, e.g. azure-rbac)'

// Words that cannot name the kind's descriptor (`export const NAME`), and names taken otherwise:
// `acldrift` is the kind of findings about acldrift's own files.
const RESERVED = new Set(
  'acldrift await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield'.split(
    ' ',
  ),
)

function fail(message, code = 2) {
  console.error(`new-kind: ${message}`)
  process.exit(code)
}

let args
try {
  args = parseArgs({allowPositionals: true, options: {root: {type: 'string'}}})
} catch (error) {
  fail(`${error.message}\n${USAGE}`)
}
const [name, ...extra] = args.positionals
if (name === undefined || extra.length > 0) fail(USAGE)
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) fail(`${JSON.stringify(name)} is not a kind name\n${USAGE}`)
const camel = name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase())
const pascal = camel[0].toUpperCase() + camel.slice(1)
if (RESERVED.has(camel)) fail(`${name} is a reserved word: choose another name`)

const root = resolve(args.values.root ?? join(dirname(fileURLToPath(import.meta.url)), '..'))
const places = [
  [`src/adapters/${TEMPLATE}`, `src/adapters/${name}`],
  [`schemas/${TEMPLATE}.schema.json`, `schemas/${name}.schema.json`],
  [`fixtures/${TEMPLATE}`, `fixtures/${name}`],
  [`test/adapters/${TEMPLATE}`, `test/adapters/${name}`],
  [`docs/${TEMPLATE}.md`, `docs/${name}.md`],
]
for (const [from, to] of places) {
  if (!existsSync(join(root, from))) fail(`${join(root, from)}: the template is missing`)
  if (existsSync(join(root, to))) fail(`${to} exists: the kind ${name} exists already, or the name is taken`)
}

const renamed = (text) =>
  text.replaceAll(TEMPLATE, name).replaceAll('TemplateKind', pascal).replaceAll('templateKind', camel)
const withoutTemplateLines = (text) =>
  text
    .split('\n')
    .filter((line) => !/^\s*(\/\/|<!--) template:/.test(line))
    .join('\n')

/** Every file under `path` (or `path` itself, as ''), relative to `path`, sorted. */
function filesOf(path) {
  if (!statSync(path).isDirectory()) return ['']
  return readdirSync(path)
    .sort()
    .flatMap((entry) => filesOf(join(path, entry)).map((file) => join(entry, file)))
}

// A longer or shorter name moves line ends: what is written is formatted as `npm run lint` expects.
const ignorePath = join(root, '.prettierignore')
async function formatted(path, text) {
  const {ignored} = await prettier.getFileInfo(path, {ignorePath})
  if (ignored) return text
  return prettier.format(text, {...(await prettier.resolveConfig(path)), filepath: path})
}

const created = []
for (const [from, to] of places) {
  for (const file of filesOf(join(root, from))) {
    const target = join(root, to, renamed(file))
    const text = renamed(withoutTemplateLines(readFileSync(join(root, from, file), 'utf8')))
    mkdirSync(dirname(target), {recursive: true})
    writeFileSync(target, await formatted(target, text))
    created.push(relative(root, target))
  }
}

console.log(`Created the kind ${name} from the template (src/adapters/${TEMPLATE}/):`)
for (const file of created) console.log(`  ${file}`)
console.log(`
Register it: add this line to ADAPTERS in src/adapters/index.ts, where detection should try it:

  import('./${name}/index.js').then((m) => m.${camel}),

Then \`npm run build\` (the config schema's kind list gains ${name}) and
\`npx vitest run test/adapters/${name} test/structure.test.ts\`. The new kind reads the template's
toy format (\`apiVersion: acldrift.dev/${name}/v1\` and grants): make it the kind's own, starting
with src/adapters/${name}/index.ts.`)
