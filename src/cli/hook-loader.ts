// The entry of the hook bundle, hook/acldrift.js (the `acldrift-hook` command the git hooks run):
// it runs the bundle's body, hook/acldrift-body.js, with a V8 code cache (hook-body.ts). The
// message hooks are first given a chance to finish without the body (hook-message.ts).

import {dotGitDir} from '../git/dot-git.js'
import {loadBody} from './hook-body.js'

const argv = process.argv.slice(2)
// (a pre-commit check does not load it: only a message hook's arguments do)
const decided =
  argv[0] === 'hook' ? await (await import('./hook-message.js')).decidedBeforeBody(argv) : undefined
if (decided !== undefined) process.exitCode = decided
else {
  // Git runs its hooks at the top of the working tree; run elsewhere, the hook goes without a cache.
  const gitDir = await dotGitDir(process.cwd()).catch(() => undefined)
  const body = await loadBody(
    new URL('./acldrift-body.js', import.meta.url),
    gitDir,
    argv[0] === 'hook' ? `hook-${argv[1]}` : argv[0],
  )
  process.exitCode = await body.exports.main!(argv)
  await body.saveCache()
}
