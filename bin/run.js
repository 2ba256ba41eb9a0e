#!/usr/bin/env node
// A plain `acldrift check …` (the pre-commit hook) runs without loading oclif; everything
// else, and anything the fast path does not recognise, goes through oclif.
import {runFast} from '../dist/cli/fast.js'

const code = await runFast(process.argv.slice(2))
if (code === undefined) {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
} else {
  process.exitCode = code
}
