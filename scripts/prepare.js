// `npm run prepare`, which npm runs after `npm install` in a clone, before `npm pack`, and when it
// installs acldrift from a git URL or a local folder (`npm install -g ./acldrift`,
// `npm install git+https://…`, the pre-commit framework's install): builds dist/.
//
// Two things npm does not do for us there:
// - in a folder or git install, npm runs `prepare` without the devDependencies the build needs
//   (the compiler, the AWS action catalogue): they are installed here first, locally, with the
//   npm settings the outer (often global) install passed down removed (`--allow-scripts=acldrift`
//   of `npm install -g git+…` among them: npm 11 refuses it in a project install);
// - `npm pack`'s standard output must be the tarball's name alone (the pre-commit framework reads
//   it as a path): the build writes to standard error.
// A second `prepare` of the same sources does not build again (scripts/build-inputs.js).
import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {builtFromInputs, rememberInputs} from './build-inputs.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const npm = process.env.npm_execpath
  ? [process.execPath, process.env.npm_execpath]
  : [process.platform === 'win32' ? 'npm.cmd' : 'npm']

function run(args, env = process.env) {
  const [command, ...prefix] = npm
  const result = spawnSync(command, [...prefix, ...args], {cwd: root, env, stdio: ['ignore', 2, 2]})
  if (result.error) throw result.error
  if (result.status !== 0) process.exit(result.status ?? 1)
}

if (builtFromInputs()) {
  console.error('acldrift: dist/ is built from these sources already')
  process.exit(0)
}

if (!existsSync(join(root, 'node_modules', 'typescript', 'package.json'))) {
  // The outer install's settings (global, prefix, omit=dev…) are for acldrift's install, not the build's.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      // allow-scripts is refused by a project install (npm 11: EALLOWSCRIPTS) and is not the build's.
      ([key]) =>
        !/^npm_config_(global|location|prefix|omit|include|production|only|allow_scripts|allow_scripts_\w+)$/i.test(
          key,
        ),
    ),
  )
  console.error('acldrift: installing the build tools (devDependencies) to build dist/')
  run(['install', '--include=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-save'], env)
}
run(['run', 'build', '--silent'])
rememberInputs()
