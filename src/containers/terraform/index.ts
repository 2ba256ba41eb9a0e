// Terraform as a container format, in two forms:
//
// - `terraform`: `.tf` files (HCL, read with tree-sitter's grammar, loaded only when a `.tf` file
//   is read). A file's documents are those of its resources and standalone policy data sources,
//   evaluated with the rest of its module (module.ts).
// - `terraform-plan`: `terraform show -json` output (plan.ts), where Terraform resolved the values.
//
// Both name a document by the resource's address and argument (`aws_iam_role.app/assume_role_policy`),
// and compare it under its kind: aws-iam, gcp-iam or k8s-rbac. This descriptor is light; the
// reading code loads on first use.

import {posix} from 'node:path'
import type {ContainerFormat} from '../container.js'
import {isPlan, looksLikePlan} from './plan-detect.js'
import type {HclFile} from './ast.js'
import {declaresAccess, isAccessBlock} from './types.js'

const dirOf = (path: string) => posix.dirname(path).replace(/^\.$/, '')

/** Settings a module's documents depend on besides its `.tf` files. */
const MODULE_FILE = /\.tf$|(^|\/)terraform\.tfvars$|\.auto\.tfvars$/

export const terraform: ContainerFormat = {
  format: 'terraform',
  scan: true,
  candidates: [{extensions: ['tf']}],
  parse: async (file) => (await import('./extract.js')).parseTerraform(file),
  // The grammar compiles on V8's background threads while git reads the files (a failure shows
  // where a file is parsed).
  prepare: (paths) => {
    if (paths.some((path) => path.endsWith('.tf')))
      import('./syntax.js').then(({loadParser}) => loadParser()).catch(() => undefined)
  },
  looksLike: declaresAccess,
  detect: (parsed) => (parsed.value as HclFile).body.blocks.some((b) => isAccessBlock(b.type, b.labels[0])),
  extract: async (parsed, source) => (await import('./extract.js')).extractTerraform(parsed, source),
  // A module's documents read its other files: a changed `.tf` or tfvars file re-reads the
  // module's `.tf` files; another changed file, those of the modules above it that name it (it
  // may be read with `file()`). Only text is searched here: the grammar is not loaded.
  dependents: async (changed, source) => {
    const byDir = new Map<string, string[]>()
    for (const path of (await source.paths()).filter((p) => p.endsWith('.tf')))
      byDir.set(dirOf(path), [...(byDir.get(dirOf(path)) ?? []), path])
    const others = changed.filter((path) => !MODULE_FILE.test(path))
    const above = (dir: string, path: string) => dir === '' || path.startsWith(`${dir}/`)
    // The modules above a changed file that name it, by that file.
    const naming = new Map<string, Set<string>>(others.map((o) => [o, new Set()]))
    if (others.length > 0) {
      const candidates = [...byDir]
        .filter(([dir]) => others.some((o) => above(dir, o)))
        .flatMap(([, paths]) => paths)
      for (const [path, content] of await source.read(candidates)) {
        const text = content.toString('utf8')
        for (const o of others)
          if (above(dirOf(path), o) && text.includes(posix.basename(o))) naming.get(o)!.add(dirOf(path))
      }
    }
    const out = new Map<string, string[]>()
    for (const path of changed) {
      const dirs = MODULE_FILE.test(path) ? [dirOf(path)] : [...naming.get(path)!]
      const readers = dirs.flatMap((dir) => byDir.get(dir) ?? [])
      if (readers.length > 0) out.set(path, readers)
    }
    return out
  },
}

export const terraformPlan: ContainerFormat = {
  format: 'terraform-plan',
  scan: true,
  candidates: [{extensions: ['json'], ignoreCase: true}],
  looksLike: looksLikePlan,
  detect: (parsed) => isPlan(parsed.value),
  extract: async (parsed) => (await import('./plan.js')).extractPlan(parsed),
}
