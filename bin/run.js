#!/usr/bin/env node
// A plain `acldrift check …` (the pre-commit hook) runs without loading oclif; everything
// else, and anything the fast path does not recognise, goes through oclif.
import {conventionalArgs, runFast} from '../dist/cli/fast.js'

const argv = conventionalArgs(process.argv.slice(2))
const code = await runFast(argv)
if (code === undefined) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url, args: argv})
} else {
  process.exitCode = code
}
