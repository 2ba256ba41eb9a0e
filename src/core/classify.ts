// Which files are access-control documents of which kind, by path: a glob of the config assigns
// a kind, every other path some kind or container format reads is detected by content. Its own module, light (no
// parser, no engine), because the agent hook asks it on every edit.

import {createRequire} from 'node:module'
import type Picomatch from 'picomatch'
import {ADAPTERS} from '../adapters/index.js'
import {SCANNED_CONTAINERS} from '../containers/index.js'
import type {Config} from './config.js'
import {CONFIG_FILE} from './config-file.js'
import {matchesPathRules, pathOffer, type PathRule} from '../kernel/candidates.js'
import type {Kind} from '../kernel/types.js'

// (required, not imported: an ES import of a CommonJS package parses it once more for its export names)
const picomatch = createRequire(import.meta.url)('picomatch') as typeof Picomatch

/**
 * The paths some kind or scanned container format reads, whatever the config says: the union of
 * their `candidates`. The build writes it to dist/data/candidate-paths.json
 * (scripts/build-candidates.js), from which the agent hook rules out a path without loading the
 * registries (core/agent/candidates.ts).
 */
export const CANDIDATE_PATHS: readonly PathRule[] = [
  ...new Map(
    [...ADAPTERS, ...SCANNED_CONTAINERS]
      .flatMap((descriptor) => descriptor.candidates)
      .map((rule) => [JSON.stringify(rule), rule]),
  ).values(),
]

/**
 * What the inventory does with one path: read it as the kind a glob of the config assigns, or
 * detect its kind by content (globs assign kinds, they never hide a file), or, when the config
 * excludes it, look at it only to list it as not read if it is an access config.
 */
export type Assignment = {kind: Kind | 'detect'; excluded?: false} | {kind: 'detect'; excluded: true}

/** The inventory's decision for each path (undefined: not worth opening). */
export function assigner(
  config: Pick<Config, 'documents' | 'exclude'>,
): (path: string) => Assignment | undefined {
  const excluded = config.exclude.length > 0 ? picomatch(config.exclude, {dot: true}) : () => false
  const globs = config.documents.map((d) => ({match: picomatch(d.glob, {dot: true}), kind: d.kind}))
  return (path) => {
    // acldrift's own files (config, approvals, baseline) are never access-control documents.
    if (path === CONFIG_FILE || path.startsWith('.acldrift/')) return undefined
    const kind = globs.find((g) => g.match(path))?.kind
    if (kind === undefined && !matchesPathRules(CANDIDATE_PATHS, path)) return undefined
    if (excluded(path)) return {kind: 'detect', excluded: true}
    return {kind: kind ?? 'detect'}
  }
}

/** Whether a config reads a path: some kind is assigned to it, and no `exclude` leaves it out. */
export function readsPath(config: Pick<Config, 'documents' | 'exclude'>): (path: string) => boolean {
  const assign = assigner(config)
  return (path) => {
    const assigned = assign(path)
    return assigned !== undefined && assigned.excluded !== true
  }
}

/**
 * Whether a path is offered for its content alone: no kind or format reads files of its name, and
 * one reads such files whatever their name (AWS CLI output redirected to `account-export`). Such a
 * file is opened only when its first bytes are a JSON object.
 */
export function offeredForContent(path: string): boolean {
  const offers = SCANNED_CONTAINERS.map((c) => pathOffer(c.candidates, path))
  return (
    !ADAPTERS.some((a) => matchesPathRules(a.candidates, path)) &&
    !offers.includes(true) &&
    offers.includes('content')
  )
}

/** The kind each path is read as: assigned by a glob, else detected by content; undefined: not read. */
export function classifier(
  config: Pick<Config, 'documents' | 'exclude'>,
): (path: string) => Kind | 'detect' | undefined {
  const assign = assigner(config)
  return (path) => {
    const assignment = assign(path)
    return assignment === undefined || assignment.excluded ? undefined : assignment.kind
  }
}

/**
 * The `documents:` globs of the config that match none of `paths` (a source's every path): a
 * typo there would otherwise read as "0 documents", so the report says so (never an error: a
 * glob for files that do not exist yet is allowed). `order`: 'index' when `paths` are an index's
 * listing in its order (`git ls-files`: sorted by their bytes), so that the paths under a glob's
 * literal folder are found by binary search instead of a pass over all of them.
 */
export function unmatchedGlobs(
  documents: Config['documents'],
  paths: readonly string[],
  order: 'any' | 'index' = 'any',
): Config['documents'] {
  return documents.filter(({glob}) => {
    const match = picomatch(glob, {dot: true})
    // (only the paths under the glob's literal folder can match: a glob that matches nothing is
    // told without running its matcher on every path of a 20,000-file index)
    const base = literalBase(glob)
    if (order === 'index' && base !== '') return !pathsUnder(paths, base).some((path) => match(path))
    const under = `${base}/`
    return !paths.some((path) => (base === '' || path === base || path.startsWith(under)) && match(path))
  })
}

/** `base` and the paths under it of `paths`, which are sorted as an index sorts them. */
function pathsUnder(paths: readonly string[], base: string): string[] {
  const found = paths[firstNotBefore(paths, base)] === base ? [base] : []
  // Every path that starts with `base/` sorts after it, and before anything that does not.
  const under = `${base}/`
  for (let i = firstNotBefore(paths, under); i < paths.length && paths[i]!.startsWith(under); i++)
    found.push(paths[i]!)
  return found
}

/**
 * The first place in `paths` whose path does not sort before `key`. Git sorts its index "in
 * ascending order on the name field, interpreted as a string of unsigned bytes (i.e. memcmp()
 * order, no localization, no special casing of directory separator '/')" (gitformat-index(5)):
 * UTF-8 bytes, not the order of JavaScript's string comparison (UTF-16 code units) beyond the
 * Basic Multilingual Plane. So bytes are compared.
 */
function firstNotBefore(paths: readonly string[], key: string): number {
  const bytes = Buffer.from(key)
  let [low, high] = [0, paths.length]
  while (low < high) {
    const middle = (low + high) >>> 1
    if (Buffer.compare(Buffer.from(paths[middle]!), bytes) < 0) low = middle + 1
    else high = middle
  }
  return low
}

/**
 * The literal part of a glob before its first wildcard (picomatch.scan's base), which every path
 * it matches equals or lies under; '' when there is none, or when escapes or a prefix such as
 * `./` or `!` make it unlike the paths.
 */
function literalBase(glob: string): string {
  const {prefix, base, negated} = picomatch.scan(glob)
  return prefix === '' && !negated && !base.includes('\\') ? base : ''
}
