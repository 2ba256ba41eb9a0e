// The acldrift.config.yaml that `acldrift init` writes: the platform's fixed places for the kinds
// found among the tracked files (every other file is read by content), the baseline path, the
// policy, and a commented example of every other section.

import picomatch from 'picomatch'
import {ADAPTERS} from '../../adapters/index.js'
import type {Kind} from '../../kernel/types.js'

export const DEFAULT_BASELINE = '.acldrift/baseline.json'

interface DocumentGlob {
  glob: string
  kind: Kind
}

/**
 * The globs init writes: only the places where the platform reads a kind's files whatever they
 * contain (GitHub's workflows and CODEOWNERS), files there or not, and only when that place holds
 * no tracked file of another kind or of none: a glob assigns its kind strictly, and such a file
 * would fail every check. Every other file is read by content, repository-wide: each `.json`,
 * `.yaml` and `.yml` file (and each format a container reads) is offered to every kind's
 * detector, so a policy added in a new folder tomorrow is read like today's. Globs narrowed to
 * today's folders (`k8s/rbac/**\/*.yaml`) would add nothing but a config that looks narrower
 * than what is checked.
 */
export function documentGlobs(kinds: ReadonlyMap<string, Kind>, tracked: readonly string[]): DocumentGlob[] {
  // Nothing detected: no globs at all, the fixed places are read by content too.
  if (kinds.size === 0) return []
  return ADAPTERS.flatMap((adapter) =>
    (adapter.locations ?? [])
      .filter((glob) => {
        const match = picomatch(glob, {dot: true})
        return tracked.every((path) => !match(path) || kinds.get(path) === adapter.kind)
      })
      .map((glob) => ({glob, kind: adapter.kind})),
  )
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
    '# Which files hold which kind of access-control config. Every file is read by content,',
    '# repository-wide: each .json, .yaml and .yml file (and each format a container reads, such',
    '# as CloudFormation or Terraform) is offered to every kind, which decides whether it is one',
    '# of its files, wherever it is. A glob below assigns its kind strictly: a matching file that',
    '# does not parse or validate as that kind fails the check. Globs never hide a file.',
    `# Kinds: ${kinds}.`,
  ]
  if (template.documents.length > 0) {
    lines.push(
      `# Found among the tracked files, by content: ${found.join(', ')}.`,
      "# The places GitHub reads these kinds from, whatever the files' content:",
      'documents:',
    )
    for (const {glob, kind} of template.documents) lines.push(`  - glob: ${quote(glob)}`, `    kind: ${kind}`)
  } else {
    lines.push(
      '# None was found among the tracked files. To assign a kind strictly, for example:',
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
