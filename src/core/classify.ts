// Which files are access-control documents of which kind, by path: the config's globs when it
// has any, else every path some kind or container format reads. Its own module, light (no
// parser, no engine), because the agent hook asks it on every edit.

import picomatch from 'picomatch'
import {ADAPTERS} from '../adapters/index.js'
import {SCANNED_CONTAINERS} from '../containers/index.js'
import {type Config, CONFIG_FILE} from './config.js'
import type {Kind} from '../kernel/types.js'

/** Decides the kind of each path: by the config's globs when it has any, else by content. */
export function classifier(
  config: Pick<Config, 'documents' | 'exclude'>,
): (path: string) => Kind | 'detect' | undefined {
  const excluded = config.exclude.length > 0 ? picomatch(config.exclude, {dot: true}) : () => false
  const globs = config.documents.map((d) => ({match: picomatch(d.glob, {dot: true}), kind: d.kind}))
  return (path) => {
    // acldrift's own files (config, approvals, baseline) are never access-control documents.
    if (path === CONFIG_FILE || path.startsWith('.acldrift/') || excluded(path)) return undefined
    if (globs.length > 0) return globs.find((g) => g.match(path))?.kind
    return ADAPTERS.some((a) => a.candidate(path)) || SCANNED_CONTAINERS.some((c) => c.candidate(path))
      ? 'detect'
      : undefined
  }
}
