// The coverage section: what a run read (per kind), what it recognised as an access config and
// did not read, and why, and what it skipped, and why. Said in every report, in words: a count
// alone would hide which files were passed over.

import type {Coverage} from '../kernel/types.js'

/**
 * Plain lines (no colour) of a coverage. `limit`: how many files each list shows before it points
 * to `acldrift coverage` for the rest (check's report stays short; the coverage command lists all).
 */
export function coverageLines(coverage: Coverage, limit = Infinity): string[] {
  const lines: string[] = []
  const scope = coverage.scope === 'changed-files' ? ' (the files this commit changes)' : ''
  const shown = <T>(items: T[], line: (item: T) => string): string[] => {
    const out = items.slice(0, limit).map(line)
    if (items.length > limit)
      out.push(`    … and ${items.length - limit} more (\`acldrift coverage\` lists them all)`)
    return out
  }
  const byKind = new Map<string, Coverage['read']>()
  for (const entry of coverage.read) {
    const label = entry.format === undefined ? entry.kind : `${entry.kind} (in ${entry.format} files)`
    byKind.set(label, [...(byKind.get(label) ?? []), entry])
  }
  lines.push(`Read${scope}:`)
  if (byKind.size === 0) lines.push('  no access config was read')
  for (const [label, entries] of [...byKind].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`  ${label}:`)
    lines.push(
      ...shown(entries, (e) =>
        e.through !== undefined
          ? `    ${e.file} (read through ${e.through.join(', ')})`
          : `    ${e.file}${e.by === 'content' ? '' : ' (kind assigned by the config)'}`,
      ),
    )
  }
  if (coverage.notRead.length > 0) {
    lines.push('Recognised as access config but not read, and why:')
    lines.push(...shown(coverage.notRead, (e) => `  ${e.file} (${e.recognisedAs}): ${e.why}`))
  }
  if (coverage.skipped.length > 0) {
    lines.push('Skipped, and why:')
    lines.push(...shown(coverage.skipped, (e) => `  ${e.file}: ${e.why}`))
  }
  return lines
}
