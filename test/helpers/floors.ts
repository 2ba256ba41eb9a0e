// The floor plan of src/, read from the code's own imports: which room each file is in, which
// rooms may import which, and the arrows and circles that break the plan. Used by
// test/structure.test.ts, which also plants a wrong-way import to show the check can fail.

import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join, posix} from 'node:path'

export interface Arrow {
  from: string
  to: string
  /** `import type` / `export type`, or named imports that are all `type`: erased at run time */
  typeOnly: boolean
}

/** Every relative import of every .ts file under `src/` (paths relative to `root`, with `/`). */
export function readImports(root: string): Arrow[] {
  const arrows: Arrow[] = []
  for (const file of sourceFiles(root, 'src')) {
    const text = readFileSync(join(root, file), 'utf8')
    for (const match of text.matchAll(IMPORT)) {
      const [, clause = '', staticSpec, dynamicSpec] = match
      const spec = staticSpec ?? dynamicSpec!
      if (!spec.startsWith('.')) continue
      const to = posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts')
      arrows.push({from: file, to, typeOnly: dynamicSpec === undefined && isTypeOnly(clause)})
    }
  }
  return arrows
}

// `import … from '…'`, `export … from '…'` (the clause in group 1), and `import('…')`.
const IMPORT = /(?:^|\n)\s*(?:import|export)\s+([^'";]*?)\s*from\s*'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g

function isTypeOnly(clause: string): boolean {
  if (/^type\b/.test(clause)) return true
  const named = /^\{([^}]*)\}$/.exec(clause.trim())
  if (named === null) return false
  const names = named[1]!
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
  return names.length > 0 && names.every((n) => n.startsWith('type '))
}

function sourceFiles(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), {withFileTypes: true}).flatMap((entry) => {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) return sourceFiles(root, path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/**
 * The room a file is in. A kind's or a container format's folder is a room of its own; the
 * folder's shared contract (`adapter.ts`, `container.ts`) and its registry (`index.ts`) too.
 */
export function roomOf(file: string): string {
  const parts = file.split('/')
  const [, top, second] = parts
  if (top === 'adapters' || top === 'containers') {
    if (parts.length === 3) return second === 'index.ts' ? `${top}:registry` : `${top}:contract`
    return `${top}:${second}`
  }
  return top!
}

/** The floors, from the ground up: a room may import its own floor's shared rooms and those below. */
const ALLOWED: Record<string, (room: string, typeOnly: boolean) => boolean> = {
  kernel: (to) => to === 'kernel',
  engine: (to) => ['kernel', 'engine'].includes(to),
  git: (to) => ['kernel', 'git'].includes(to),
  // The renderers (kubectl, helm): beside git, the only other place that starts processes.
  tools: (to) => ['kernel', 'tools'].includes(to),
  'adapters:contract': (to) => to === 'kernel',
  'containers:contract': (to) => to === 'kernel',
  'adapters:registry': (to) => to === 'kernel' || to.startsWith('adapters:'),
  'containers:registry': (to) => to === 'kernel' || to.startsWith('containers:'),
  core: (to) =>
    ['kernel', 'git', 'tools', 'core'].includes(to) || /^(adapters|containers):(registry|contract)$/.test(to),
  // Reporters print what the pipeline produced: they may name core's result types, never call it.
  reporters: (to, typeOnly) => ['kernel', 'reporters'].includes(to) || (to === 'core' && typeOnly),
  cli: (to) => !['commands'].includes(to),
  commands: () => true,
}

function allowedFor(room: string): (to: string, typeOnly: boolean) => boolean {
  const kind = /^(adapters|containers):/.exec(room)
  if (kind !== null && !/:(registry|contract)$/.test(room)) {
    // One kind's (or format's) folder: its own files, the shared contract, the engine and the kernel.
    return (to) => to === room || to === `${kind[1]}:contract` || ['kernel', 'engine'].includes(to)
  }
  const rule = ALLOWED[room]
  if (rule === undefined) throw new Error(`src/${room}/ is a room the floor plan does not know: add it`)
  return rule
}

/** Imports that run the wrong way, each as a sentence that names both files and the rule. */
export function wrongWayArrows(arrows: Arrow[]): string[] {
  const problems: string[] = []
  for (const arrow of arrows) {
    const from = roomOf(arrow.from)
    const to = roomOf(arrow.to)
    if (from === to || allowedFor(from)(to, arrow.typeOnly)) continue
    problems.push(
      `${arrow.from} imports ${arrow.to}${arrow.typeOnly ? ' (types)' : ''}: ${from} may not import ${to}`,
    )
  }
  return problems
}

/** Files that import each other, directly or round a longer loop (Tarjan's strongly connected components). */
export function circles(arrows: Arrow[]): string[][] {
  const next = new Map<string, string[]>()
  for (const {from, to} of arrows) next.set(from, [...(next.get(from) ?? []), to])
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  let counter = 0
  const visit = (node: string) => {
    index.set(node, counter)
    low.set(node, counter++)
    stack.push(node)
    onStack.add(node)
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to)
        low.set(node, Math.min(low.get(node)!, low.get(to)!))
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!))
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1 || (next.get(node) ?? []).includes(node)) found.push(component.sort())
  }
  for (const node of next.keys()) if (!index.has(node)) visit(node)
  return found
}

export const repositoryRoot = join(dirname(new URL(import.meta.url).pathname), '..', '..')
