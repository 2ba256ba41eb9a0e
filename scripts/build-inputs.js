// What the build reads, as one hash, so that `prepare` (scripts/prepare.js) builds only when dist/
// was not built from exactly these inputs. npm runs `prepare` twice in a row in the installs that
// build: `npm install` then `npm pack` (the pre-commit framework 3.x), and the `npm install` then
// the pack of an install from git. The second finds its stamp and does not build the same again.
// `npm run build` starts with `node scripts/build-inputs.js forget`: a build by hand, perhaps of
// other sources, never leaves a stamp that speaks for it.
import {createHash} from 'node:crypto'
import {existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const STAMP = join(root, 'dist', '.build-inputs')
// The build's inputs: the sources, the schemas it completes, its scripts and vendored files, and
// the dependencies (through the lock file) whose data and tools it uses.
const INPUTS = [
  'src',
  'schemas',
  'scripts',
  'vendor',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
]

function* files(path) {
  if (!existsSync(path)) return
  if (!statSync(path).isDirectory()) yield path
  else for (const name of readdirSync(path).sort()) yield* files(join(path, name))
}

function inputsHash() {
  const hash = createHash('sha256')
  for (const input of INPUTS)
    for (const file of files(join(root, input)))
      hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0')
  return hash.digest('hex')
}

/** dist/ was built, by `prepare`, from the inputs as they are now. */
export const builtFromInputs = () => existsSync(STAMP) && readFileSync(STAMP, 'utf8') === inputsHash()
export const rememberInputs = () => writeFileSync(STAMP, inputsHash())

if (process.argv[2] === 'forget') rmSync(STAMP, {force: true})
