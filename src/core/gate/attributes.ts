// .gitattributes: some attributes make the content that leaves the repository differ from the
// blob acldrift reads (https://git-scm.com/docs/gitattributes): `filter` runs a smudge command
// on checkout, `ident` expands `$Id$` on checkout, `working-tree-encoding` re-encodes the file
// on checkout, and `export-subst` expands `$Format:…$` in `git archive`. On an access config
// that means the policy deployed is not the policy checked, so adding one on a path the
// inventory reads is config-weakened, with the commit and actor that made it.
//
// Line-ending attributes (`text`, `eol`, `crlf`) are not: they only convert LF and CRLF, which
// JSON, YAML and CODEOWNERS read alike. Attributes for diff, merge, export-ignore (leaving a
// file out of an archive) and linguist change no content that is deployed.

import picomatch from 'picomatch'
import {type Protected, protectedFinding} from './protected.js'
import type {VersionCache} from './versions.js'

export const ATTRIBUTES_FILE = '.gitattributes'

/** The attributes that transform content, and what each does to it. */
const TRANSFORMING: Readonly<Record<string, string>> = {
  filter: 'git runs a clean/smudge filter on them',
  ident: 'git expands $Id$ in them on checkout',
  'working-tree-encoding': 'git re-encodes them on checkout',
  'export-subst': '`git archive` expands $Format:…$ placeholders in them',
}

/** One transforming attribute set on one pattern. */
interface Transform {
  pattern: string
  attribute: string
}

const key = (t: Transform) => `${t.pattern}\u0000${t.attribute}`

/** Unquotes a pattern written as a C-style quoted string, as git allows. */
const unquote = (pattern: string) =>
  pattern.startsWith('"') && pattern.endsWith('"') && pattern.length > 1
    ? pattern.slice(1, -1).replace(/\\(.)/g, '$1')
    : pattern

/** The transforming attributes a .gitattributes file sets, with macros (`[attr]name …`) expanded. */
export function transforms(text: string): Transform[] {
  const macros = new Map<string, string[]>([['binary', ['-diff', '-merge', '-text']]])
  const lines: [string, string[]][] = []
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    const quoted = /^"(?:[^"\\]|\\.)*"/.exec(trimmed)?.[0]
    const pattern = quoted ?? trimmed.split(/\s+/)[0]!
    const attributes = trimmed.slice(pattern.length).trim().split(/\s+/).filter(Boolean)
    if (pattern.startsWith('[attr]')) macros.set(pattern.slice('[attr]'.length), attributes)
    else lines.push([unquote(pattern), attributes])
  }
  const expand = (attribute: string, depth: number): string[] => {
    const macro = macros.get(attribute)
    return macro === undefined || depth > 8
      ? [attribute]
      : [attribute, ...macro.flatMap((a) => expand(a, depth + 1))]
  }
  const found = new Map<string, Transform>()
  for (const [pattern, attributes] of lines)
    for (const attribute of attributes.flatMap((a) => expand(a, 0))) {
      // `attr` and `attr=value` set it; `-attr` and `!attr` unset it.
      const name = attribute.split('=')[0]!
      if (TRANSFORMING[name] === undefined || attribute.startsWith('-') || attribute.startsWith('!')) continue
      const transform = {pattern, attribute: name}
      found.set(key(transform), transform)
    }
  return [...found.values()]
}

/**
 * Whether a gitattributes pattern matches a file: a pattern without a slash matches a name at any
 * depth; with one, a path from the repository root (gitignore's rules). Unlike gitignore, a
 * pattern that names a folder (`k8s/`, `k8s`) applies to no file inside it: `k8s/**` does.
 */
export function patternMatcher(pattern: string): (path: string) => boolean {
  if (pattern.endsWith('/')) return () => false
  const glob = pattern.includes('/') ? pattern.replace(/^\//, '') : `**/${pattern}`
  return picomatch(glob, {dot: true})
}

/**
 * The transforming attributes added on paths the inventory reads. `readPaths`: the target's
 * paths that some kind or container format may read (asked only when the file changed).
 */
export async function attributeChanges(
  before: Map<string, Buffer>,
  after: Map<string, Buffer>,
  readPaths: () => Promise<string[]>,
  versions: VersionCache,
): Promise<Protected[]> {
  const was = before.get(ATTRIBUTES_FILE)
  const is = after.get(ATTRIBUTES_FILE)
  if (is === undefined || (was !== undefined && was.equals(is))) return []
  const old = new Set(transforms(was?.toString('utf8') ?? '').map(key))
  const added = transforms(is.toString('utf8')).filter((t) => !old.has(key(t)))
  if (added.length === 0) return []
  const paths = await readPaths()
  const found: Protected[] = []
  for (const transform of added) {
    const matches = paths.filter(patternMatcher(transform.pattern))
    if (matches.length === 0) continue
    const shown =
      matches.slice(0, 3).join(', ') + (matches.length > 3 ? ` and ${matches.length - 3} more` : '')
    const finding = protectedFinding({
      file: ATTRIBUTES_FILE,
      rule: 'config-weakened',
      severity: 'high',
      message: `${ATTRIBUTES_FILE}: \`${transform.pattern} ${transform.attribute}\` applies to access configs (${shown}): ${TRANSFORMING[transform.attribute]}, so what is deployed is not what acldrift checked.`,
      witness: {setting: ATTRIBUTES_FILE, pattern: transform.pattern, attribute: transform.attribute},
      pointer: null,
      line: lineOf(is.toString('utf8'), transform.pattern),
      before: null,
      after: `${transform.pattern} ${transform.attribute}`,
    })
    found.push({
      finding,
      path: ATTRIBUTES_FILE,
      holds: async (blob) =>
        (await versions.get(blob, 'gitattributes', async (content) =>
          transforms(content.toString('utf8')).some((t) => key(t) === key(transform)),
        )) ?? false,
    })
  }
  return found
}

/** The first line that starts with the pattern. */
function lineOf(text: string, pattern: string): number | null {
  const index = text
    .split(/\r?\n/)
    .findIndex((line) => unquote(line.trim().split(/\s+/)[0] ?? '') === pattern)
  return index === -1 ? null : index + 1
}
