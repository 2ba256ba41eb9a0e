// The entry point of the hook bundle (hook/acldrift.js, the `acldrift-hook` command): the git hooks
// that .pre-commit-hooks.yaml publishes, in one file committed with the sources, because the
// pre-commit framework may install this repository without building it (no dist/). It runs what the
// fast path runs (a plain check, the commit-msg and prepare-commit-msg hooks) and nothing else:
// the rest of the CLI needs the build and oclif.

import {runFast} from './fast.js'

const code = await runFast(process.argv.slice(2))
if (code === undefined) {
  process.stderr.write(
    'acldrift-hook: runs the git hooks only (`check` with its flags, `hook commit-msg FILE`, ' +
      '`hook prepare-commit-msg FILE`); use `acldrift` for everything else\n',
  )
  process.exitCode = 2
} else {
  process.exitCode = code
}
