// The acldrift.config.yaml that `acldrift init` writes: globs for the kinds found among the
// tracked files, the baseline path, the policy, and a commented example of every other section.

import picomatch from 'picomatch'
import {ADAPTERS} from '../../adapters/index.js'
import type {Kind} from '../../kernel/types.js'

export const DEFAULT_BASELINE = '.acldrift/baseline.json'

interface DocumentGlob {
  glob: string
  kind: Kind
}

/** Characters picomatch reads as glob syntax; a backslash makes them literal. */
const escapeGlob = (text: string) => text.replace(/[\\*?[\]{}()!+@]/g, '\\$&')

const parentOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '')
const extensionOf = (path: string) => /\.([^./]+)$/.exec(path)?.[1] ?? ''

function commonDir(paths: readonly string[]): string {
  let segments = parentOf(paths[0]!).split('/')
  for (const path of paths.slice(1)) {
    const other = parentOf(path).split('/')
    let same = 0
    while (same < segments.length && same < other.length && segments[same] === other[same]) same++
    segments = segments.slice(0, same)
  }
  return segments.join('/')
}

/**
 * Globs that match exactly the files detected as each kind among `tracked`: as broad as
 * possible (`iam/**\/*.json`, so that new files there are checked too), but never matching a
 * tracked file of another kind or no kind — a glob assigns its kind, and a file that is not
 * of that kind would fail every check. Files at the root are named one by one. Kinds that the
 * platform reads only at fixed places (workflows, CODEOWNERS) get those places, files there or not.
 */
export function documentGlobs(kinds: ReadonlyMap<string, Kind>, tracked: readonly string[]): DocumentGlob[] {
  const globs: DocumentGlob[] = []
  // No globs at all: every file is recognised by content, at the fixed places too.
  if (kinds.size === 0) return globs
  for (const adapter of ADAPTERS) {
    const kind = adapter.kind
    const paths = [...kinds].filter(([, k]) => k === kind).map(([path]) => path)
    const fits = (glob: string) => {
      const match = picomatch(glob, {dot: true})
      return tracked.every((path) => !match(path) || kinds.get(path) === kind)
    }
    // The platform's own locations first, whether or not a file is there yet.
    const locations = (adapter.locations ?? []).filter(fits)
    const located = (path: string) => locations.some((glob) => picomatch.isMatch(path, glob, {dot: true}))
    globs.push(...locations.map((glob) => ({glob, kind})))
    const byExtension = new Map<string, string[]>()
    for (const path of paths.filter((p) => !located(p)).sort()) {
      const ext = extensionOf(path)
      byExtension.set(ext, [...(byExtension.get(ext) ?? []), path])
    }
    for (const [ext, group] of byExtension)
      globs.push(...cover(group, ext, fits).map((glob) => ({glob, kind})))
  }
  return globs
}

function cover(paths: readonly string[], ext: string, fits: (glob: string) => boolean): string[] {
  const dir = commonDir(paths)
  const suffix = ext === '' ? '' : `.${escapeGlob(ext)}`
  if (dir !== '' && ext !== '' && fits(`${escapeGlob(dir)}/**/*${suffix}`))
    return [`${escapeGlob(dir)}/**/*${suffix}`]
  const direct = paths.filter((path) => parentOf(path) === dir)
  const globs: string[] = []
  if (direct.length > 0) {
    const here = `${escapeGlob(dir)}/*${suffix}`
    if (dir !== '' && ext !== '' && fits(here)) globs.push(here)
    else globs.push(...direct.map(escapeGlob))
  }
  const below = new Map<string, string[]>()
  for (const path of paths) {
    if (parentOf(path) === dir) continue
    const child = path.slice(dir === '' ? 0 : dir.length + 1).split('/')[0]!
    below.set(child, [...(below.get(child) ?? []), path])
  }
  for (const group of below.values()) globs.push(...cover(group, ext, fits))
  return globs
}

interface ConfigTemplate {
  documents: DocumentGlob[]
  /** files found per kind */
  counts: ReadonlyMap<Kind, number>
  baseline: string
  /** the person running init, for the commented `actors` example */
  you: {name: string; email: string} | undefined
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`

/** The commented config file (YAML); every value in it is valid for schemas/config.schema.json. */
export function renderConfig(template: ConfigTemplate): string {
  const found = [...template.counts].map(([kind, count]) => `${kind} (${plural(count, 'file')})`)
  const kinds = ADAPTERS.map((a) => a.kind).join(', ')
  const you = template.you ?? {name: 'Your Name', email: 'you@example.com'}
  const lines = [
    '# acldrift configuration, written by `acldrift init`: edit it freely.',
    '# Described by schemas/config.schema.json in the acldrift package; an invalid file fails',
    '# every check (exit 3).',
    'version: 1',
    '',
    '# Which files hold which kind of access-control config. With globs, only matching files',
    '# are read, and a matching file that does not parse or validate fails the check. Without',
    '# `documents`, every tracked file is recognised by its content.',
    `# Kinds: ${kinds}.`,
  ]
  if (template.documents.length > 0) {
    lines.push(`# Found among the tracked files: ${found.join(', ')}.`, 'documents:')
    for (const {glob, kind} of template.documents) lines.push(`  - glob: ${quote(glob)}`, `    kind: ${kind}`)
  } else {
    lines.push(
      '# None was found among the tracked files, so acldrift recognises them by content. For example:',
      '# documents:',
      "#   - glob: 'iam/**/*.json'",
      '#     kind: aws-iam',
    )
  }
  lines.push(
    '',
    '# Files never read, even when a glob above matches them.',
    '# exclude:',
    "#   - 'iam/examples/**'",
    '',
    '# The approved state that checks compare with: a snapshot file (`acldrift snapshot --output FILE`)',
    '# or a git revision such as a release tag. Changes to it are reviewed like access changes.',
    `baseline: ${quote(template.baseline)}`,
    '',
    '# What fails `acldrift check` and the hooks: any widening, widenings of at least a severity',
    '# (critical | high | medium), or never.',
    'policy:',
    '  failOn: widening',
    "  # An AI agent's widening fails even below failOn unless a listed human approved it:",
    '  # agents: require-approval',
    '  # Whose approvals (`acldrift approve`) count. The first config is trusted as written;',
    '  # adding an approver later is itself a change an existing approver must approve.',
    // Only a real identity is made an approver; without one the list stays commented out.
    ...(template.you
      ? ['  approvers:', `    - ${quote(you.email)}`]
      : ['  # approvers:', `  #   - ${you.email}`]),
    '',
    "# Who is who, added to acldrift's catalogue of agent and bot signatures. A commit that",
    '# nothing marks is `unknown`, never assumed human: list your people to get `human`.',
    '# actors:',
    '#   humans:',
    `#     - {name: ${JSON.stringify(you.name)}, emails: [${JSON.stringify(you.email)}]}`,
    '#   automation:',
    '#     - {name: release-bot, emails: [release-bot@example.com]}',
    '#   agents:',
    "#     - {name: Internal Copilot, emails: [ai@example.com], trailers: ['X-Acme-Agent']}",
    '',
  )
  return lines.join('\n')
}
