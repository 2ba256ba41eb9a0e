// `npm run build`'s compile step: each src/ module to its dist/ module, with esbuild, one file at a
// time (no bundling), as tsc would emit them. Type checking is `npm run typecheck` (CI runs it on
// every change; tsconfig.json's isolatedModules makes it reject what a file-by-file compile would
// get wrong, such as a re-exported type). tsc's emit cost ~25 s of CPU per build, paid by every
// install from source (`npm install -g ./acldrift`, from git, the pre-commit framework) and by
// `npm test`, `npm run demo` and `npm run bench`; esbuild's is well under a second.
// The template kind (src/adapters/_template, copied by `npm run new-kind`) is not compiled, as
// tsconfig.build.json excludes it.
import {build} from 'esbuild'
import {copyFileSync, mkdirSync, readdirSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const src = join(root, 'src')
const TEMPLATE = join(src, 'adapters', '_template')

/** Every file under dir whose name ends with `suffix`, the template kind left out. */
function* files(dir, suffix) {
  for (const entry of readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (path !== TEMPLATE) yield* files(path, suffix)
    } else if (entry.name.endsWith(suffix)) yield path
  }
}

await build({
  entryPoints: [...files(src, '.ts')].map((path) => relative(root, path)),
  absWorkingDir: root,
  outdir: 'dist',
  outbase: 'src',
  format: 'esm',
  platform: 'node',
  // tsconfig.json's target (ES2022) on the Node version acldrift runs on (package.json engines).
  target: ['es2022', 'node20'],
  // Kept as written, as tsc keeps them: `import(…, {with: {type: 'json'}})` (Node 20.10 and later);
  // esbuild would otherwise drop the attribute for a target older than that, and Node then refuses
  // the JSON module.
  supported: {'import-attributes': true},
  tsconfig: 'tsconfig.build.json',
  sourcemap: true,
  bundle: false,
  logLevel: 'warning',
})

// The JSON data the modules import (`import('./sam/policy_templates.json', {with: {type: 'json'}})`)
// goes beside them, as tsc copies a JSON module it compiles an import of.
for (const path of files(src, '.json')) {
  const target = join(root, 'dist', relative(src, path))
  mkdirSync(dirname(target), {recursive: true})
  copyFileSync(path, target)
}
