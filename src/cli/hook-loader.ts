// The entry of the hook bundle, hook/acldrift.js (the `acldrift-hook` command the git hooks run):
// it runs the bundle's body, hook/acldrift-body.js, with a V8 code cache (hook-body.ts). The
// message hooks are first given a chance to finish without the body (hook-message.ts). Each is
// imported only when it runs (the bundle keeps them in files of their own beside this one): the
// modules Node loads for them (crypto, vm, child processes) are more than prepare-commit-msg
// needs to find no agent.

const argv = process.argv.slice(2)
const decided =
  argv[0] === 'hook' ? await (await import('./hook-message.js')).decidedBeforeBody(argv) : undefined
process.exitCode =
  decided ??
  (await (await import('./hook-body.js')).runBody(new URL('./acldrift-body.js', import.meta.url), argv))
