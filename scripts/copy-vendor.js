// Copies the vendored runtime files (vendor/: the Terraform grammar's WebAssembly and its licence)
// beside dist/, where the built code looks for them at the same relative path as the sources do.
import {cpSync, rmSync} from 'node:fs'

const from = new URL('../vendor/', import.meta.url)
const to = new URL('../dist/vendor/', import.meta.url)
rmSync(to, {recursive: true, force: true})
cpSync(from, to, {recursive: true, filter: (path) => !path.endsWith('.md')})
