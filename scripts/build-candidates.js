// Writes dist/data/candidate-paths.json: the paths some kind or container format reads (the
// union of the registry's `candidates`, src/core/classify.ts), as plain data. The agent hook
// (src/core/agent/candidates.ts) reads it on every tool call to let an edit of any other path
// through without loading the registries. Runs after tsc; the hook bundle copies dist/data/.
import {mkdirSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const {CANDIDATE_PATHS} = await import('../dist/core/classify.js')
const out = fileURLToPath(new URL('../dist/data/', import.meta.url))
mkdirSync(out, {recursive: true})
writeFileSync(`${out}candidate-paths.json`, `${JSON.stringify(CANDIDATE_PATHS)}\n`)
