// `npm run build`'s last step: the hook bundle, hook/, committed with the sources so that an install
// that does not build (the pre-commit framework 4.x installs from git without running `prepare`)
// still has the hooks, and so that the git hooks `acldrift init` installs start fast (one file to
// load instead of the build's modules and node_modules). test/e2e/pack.test.ts rebuilds it and
// fails when the committed one differs.
//   hook/acldrift.js   src/cli/hook-loader.ts: runs the body below with a V8 code cache (the
//                      message hooks, when they need nothing more, without it: hook-message.ts);
//   hook/acldrift-*-HASH.js   the parts of it that it imports only when it runs them
//   hook/acldrift-body.js   src/cli/hook-bundle.ts and everything it imports, npm packages
//                      included, as one function expression that needs no node_modules: a
//                      script, not a module, so that V8 can take its compiled code from a cache
//   hook/tree-sitter.wasm   web-tree-sitter's runtime, which the bundled web-tree-sitter looks
//                      for beside the module that holds it
//   hook/data/, hook/vendor/   the build's data files it reads (AWS action catalogue, Terraform grammar)
//   hook/LICENSES.md   the licences of the npm packages bundled in
// Usage: node scripts/bundle-hook.js [OUTDIR] (default hook/; run after the rest of the build).
import {build} from 'esbuild'
import {chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const out = process.argv[2] ?? `${root}/hook`

// The bundle sits one folder below the package root and keeps the build's data files beside it.
const packageFiles = {
  name: 'package-files',
  setup(esbuild) {
    esbuild.onLoad({filter: /[\\/]src[\\/]kernel[\\/]package-files\.ts$/}, () => ({
      loader: 'ts',
      contents:
        "export const PACKAGE_ROOT = new URL('../', import.meta.url)\n" +
        'export const BUILT_FILES = new URL(import.meta.url.slice(0, import.meta.url.lastIndexOf("/") + 1))\n',
    }))
  },
}

// A module that loads a package lazily and synchronously does it through its own `require`
// (`createRequire(import.meta.url)`), which esbuild cannot follow: in the bundle it is esbuild's
// `require`, so that the package is bundled in and still evaluated only on first use. The
// precompiled validators (scripts/build-schemas.js) start with such a `require` for ajv's runtime.
const OWN_REQUIRE =
  'import {createRequire} from "node:module";const require = createRequire(import.meta.url);'
const ownRequire = {
  name: 'own-require',
  setup(esbuild) {
    esbuild.onLoad({filter: /[\\/]dist[\\/]validators[\\/][^\\/]+\.js$/}, ({path}) => {
      const code = readFileSync(path, 'utf8')
      return {loader: 'js', contents: code.startsWith(OWN_REQUIRE) ? code.slice(OWN_REQUIRE.length) : code}
    })
    esbuild.onLoad({filter: /[\\/]src[\\/].*\.ts$/}, ({path}) => {
      const code = readFileSync(path, 'utf8')
      if (!code.includes('createRequire(import.meta.url)(')) return undefined
      return {loader: 'ts', contents: code.replaceAll('createRequire(import.meta.url)(', 'require(')}
    })
  },
}

// web-tree-sitter (an ES module) makes itself a `require` with createRequire(import.meta.url), in a
// `var` that shadows the body's `require` from the start of its function, where the import() of
// node:module that creates it has become a require() (a script has no import()): it takes the
// body's own, which is the same (createRequire of the body's file).
const TREE_SITTER_REQUIRE =
  'const { createRequire } = await import("module");\n      var require = createRequire(import.meta.url);\n'
const treeSitterRequire = {
  name: 'tree-sitter-require',
  setup(esbuild) {
    esbuild.onLoad({filter: /[\\/]node_modules[\\/]web-tree-sitter[\\/]tree-sitter\.js$/}, ({path}) => {
      const code = readFileSync(path, 'utf8')
      if (
        code.split(TREE_SITTER_REQUIRE).length !== 2 ||
        /\bvar require\b/.test(code.replace(TREE_SITTER_REQUIRE, ''))
      )
        throw new Error(`bundle-hook: ${path} no longer makes its require as this plugin expects`)
      return {loader: 'js', contents: code.replace(TREE_SITTER_REQUIRE, '')}
    })
  },
}

// The body is a script, which cannot await at its top level; the registry of kinds does, to import
// every kind with one line each (src/adapters/index.ts). In the bundle they are imported statically.
const KIND_IMPORT = /import\('(\.\/[\w-]+\/index\.js)'\)\.then\(\(m\) => m\.(\w+)\)/g
const staticKinds = {
  name: 'static-kinds',
  setup(esbuild) {
    esbuild.onLoad({filter: /[\\/]src[\\/]adapters[\\/]index\.ts$/}, ({path}) => {
      const imports = []
      const code = readFileSync(path, 'utf8').replace(/await Promise\.all\(\[([^\]]*)\]\)/, (_, list) => {
        const names = list.replace(KIND_IMPORT, (_, file, name) => {
          imports.push(`import {${name}} from '${file}'`)
          return name
        })
        return `[${names}]`
      })
      if (imports.length === 0 || /\bawait\b/.test(code))
        throw new Error(`bundle-hook: ${path} no longer lists its kinds as this plugin expects`)
      return {loader: 'ts', contents: `${imports.join('\n')}\n${code}`}
    })
  },
}

rmSync(out, {recursive: true, force: true})
mkdirSync(out, {recursive: true})
const GENERATED = '// Generated by scripts/bundle-hook.js from src/ (npm run build): do not edit.\n'
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  minifyWhitespace: true,
  logLevel: 'warning',
}
const {metafile} = await build({
  ...common,
  entryPoints: ['src/cli/hook-bundle.ts'],
  outfile: `${out}/acldrift-body.js`,
  format: 'cjs',
  metafile: true,
  // One function expression, strict as the modules it is built from; hook-loader.ts calls it with
  // the body's `module`, its `require` (for Node's own modules and the CommonJS packages bundled
  // in) and its URL, which stands for `import.meta.url`.
  banner: {
    js: `${GENERATED}// Run by acldrift.js (hook-loader.ts): a script, not a module.\n(function (module, require, __hookUrl) {'use strict';`,
  },
  footer: {js: '})'},
  define: {'import.meta.url': '__hookUrl'},
  // import() of Node's own modules (in web-tree-sitter) as require(): a script has no module loader
  supported: {'dynamic-import': false},
  plugins: [packageFiles, ownRequire, staticKinds, treeSitterRequire],
})
await build({
  ...common,
  entryPoints: {acldrift: 'src/cli/hook-loader.ts'},
  outdir: out,
  // What the entry imports only when it runs (the body's loader, the message hooks), in files of
  // their own beside it (acldrift-*.js: in the same folder, as package-files.ts has it), loaded
  // by Node when imported.
  splitting: true,
  chunkNames: 'acldrift-[name]-[hash]',
  format: 'esm',
  banner: {js: `#!/usr/bin/env node\n${GENERATED}`},
  // (the message hooks it may decide alone read the package's version: commit-verdict.ts)
  plugins: [packageFiles],
})
chmodSync(`${out}/acldrift.js`, 0o755)
cpSync(`${root}/node_modules/web-tree-sitter/tree-sitter.wasm`, `${out}/tree-sitter.wasm`)
cpSync(`${root}/dist/data`, `${out}/data`, {recursive: true})
cpSync(`${root}/dist/vendor`, `${out}/vendor`, {recursive: true})

// Each bundled package's licence (most of them ask that it go with every copy).
const packages = [
  ...new Set(
    Object.keys(metafile.inputs).flatMap((input) => {
      const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)
      return match === null ? [] : [match[1]]
    }),
  ),
].sort()
const licence = (name) => {
  const dir = `${root}/node_modules/${name}`
  const file = readdirSync(dir).find((entry) => /^licen[cs]e/i.test(entry))
  if (file === undefined) throw new Error(`bundle-hook: ${name} has no licence file to ship`)
  const {version, license} = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'))
  return `## ${name} ${version} (${license})\n\n${readFileSync(`${dir}/${file}`, 'utf8').trim()}\n`
}
writeFileSync(
  `${out}/LICENSES.md`,
  `# Licences of the npm packages bundled in acldrift-body.js\n\n${packages.map(licence).join('\n')}`,
)
