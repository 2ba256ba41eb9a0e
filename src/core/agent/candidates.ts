// "Is this path possibly an access config?", asked on every edit an agent makes, without loading
// a registry: the build's union of every kind's and scanned container format's `candidates`
// (dist/data/candidate-paths.json, written by scripts/build-candidates.js from
// core/classify.ts's CANDIDATE_PATHS) and the config's `documents:` globs, compiled once into the
// hook's cached view of the config. A path it admits goes to the inventory's own classifier
// (classify.ts); a path it rules out is one no kind or format reads and no glob assigns, which the
// inventory never opens either. Names offered for their content alone (AWS CLI output redirected
// to a file without `.json`) are admitted: whether such a file is read depends on its content.

import {readFileSync} from 'node:fs'
import {matchesPathRules, type PathRule} from '../../kernel/candidates.js'
import {BUILT_FILES} from '../../kernel/package-files.js'

/** A `documents:` glob of the config as picomatch compiles it (`picomatch.makeRe`). */
export interface CompiledGlob {
  glob: string
  source: string
  flags: string
}

let union: readonly PathRule[] | null | undefined

/** The build's union of candidates; undefined when the build did not write it (nothing is ruled out). */
function candidatePaths(): readonly PathRule[] | undefined {
  if (union === undefined) {
    try {
      const data: unknown = JSON.parse(
        readFileSync(new URL('data/candidate-paths.json', BUILT_FILES), 'utf8'),
      )
      union = Array.isArray(data) ? (data as PathRule[]) : null
    } catch {
      union = null
    }
  }
  return union ?? undefined
}

/** The config's globs compiled as the classifier's picomatch compiles them, to keep in the cache. */
export async function compileGlobs(globs: readonly string[]): Promise<CompiledGlob[]> {
  const {default: picomatch} = await import('picomatch')
  return globs.map((glob) => {
    const {source, flags} = picomatch.makeRe(glob, {dot: true, windows: process.platform === 'win32'})
    return {glob, source, flags}
  })
}

/** Whether the inventory may read `path` (repository-relative) as an access config. */
export function mayBeAccessConfig(path: string, globs: readonly CompiledGlob[]): boolean {
  const rules = candidatePaths()
  if (rules === undefined) return true
  // picomatch also matches a path equal to the glob itself (a file name with glob characters).
  return (
    matchesPathRules(rules, path) ||
    globs.some((g) => g.glob === path || new RegExp(g.source, g.flags).test(path))
  )
}
