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
//
// Every committed .gitattributes counts, in any folder: git applies `iam/.gitattributes` to the
// files under iam/ just as the root's, its patterns relative to its folder. Macros (`[attr]…`)
// are defined only at the root, and a folder's file uses them.

import picomatch from 'picomatch'
import {type Protected, protectedFinding} from './protected.js'
import type {VersionCache} from './versions.js'

export const ATTRIBUTES_FILE = '.gitattributes'

/** The folder a .gitattributes file's patterns are relative to: '' for the root's, `iam/` for iam/.gitattributes. */
const folderOf = (file: string) => file.slice(0, file.length - ATTRIBUTES_FILE.length)

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

/** The lines of a .gitattributes file: macro definitions, and the attributes set on each pattern. */
function parseLines(text: string): {macros: [string, string[]][]; lines: [string, string[]][]} {
  const macros: [string, string[]][] = []
  const lines: [string, string[]][] = []
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    const quoted = /^"(?:[^"\\]|\\.)*"/.exec(trimmed)?.[0]
    const pattern = quoted ?? trimmed.split(/\s+/)[0]!
    const attributes = trimmed.slice(pattern.length).trim().split(/\s+/).filter(Boolean)
    if (pattern.startsWith('[attr]')) macros.push([pattern.slice('[attr]'.length), attributes])
    else lines.push([unquote(pattern), attributes])
  }
  return {macros, lines}
}

/**
 * The transforming attributes a .gitattributes file sets, with macros expanded: those `rootText`
 * (the root .gitattributes; the file itself by default) defines, as git reads macros only there.
 */
export function transforms(text: string, rootText: string = text): Transform[] {
  const macros = new Map<string, string[]>([
    ['binary', ['-diff', '-merge', '-text']],
    ...parseLines(rootText).macros,
  ])
  const expand = (attribute: string, depth: number): string[] => {
    const macro = macros.get(attribute)
    return macro === undefined || depth > 8
      ? [attribute]
      : [attribute, ...macro.flatMap((a) => expand(a, depth + 1))]
  }
  const found = new Map<string, Transform>()
  for (const [pattern, attributes] of parseLines(text).lines)
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
 * Whether a gitattributes pattern of the .gitattributes in `folder` ('' for the root's, else
 * ending in `/`) matches a file: a pattern without a slash matches a name at any depth below the
 * folder; with one, a path from the folder (gitignore's rules). Unlike gitignore, a pattern that
 * names a folder (`k8s/`, `k8s`) applies to no file inside it: `k8s/**` does.
 */
export function patternMatcher(pattern: string, folder = ''): (path: string) => boolean {
  if (pattern.endsWith('/')) return () => false
  const glob = pattern.includes('/') ? pattern.replace(/^\//, '') : `**/${pattern}`
  const matches = picomatch(glob, {dot: true})
  // The folder is compared as text: its name may hold characters a glob would read.
  return (path) => path.startsWith(folder) && matches(path.slice(folder.length))
}

/** The transforming attributes one .gitattributes file sets, macros read from the root's. */
const setBy = (file: string, text: string, rootText: string) =>
  transforms(text, file === ATTRIBUTES_FILE ? text : rootText)

/**
 * The transforming attributes added on paths the inventory reads, by each of `files` (the
 * .gitattributes files of the target, the root's and the folders'). `readPaths`: the target's
 * paths that some kind or container format may read (asked only when some line was added).
 */
export async function attributeChanges(
  files: readonly string[],
  before: Map<string, Buffer>,
  after: Map<string, Buffer>,
  readPaths: () => Promise<string[]>,
  versions: VersionCache,
): Promise<Protected[]> {
  const rootBefore = before.get(ATTRIBUTES_FILE)?.toString('utf8') ?? ''
  const rootAfter = after.get(ATTRIBUTES_FILE)?.toString('utf8') ?? ''
  let paths: Promise<string[]> | undefined
  const found: Protected[] = []
  for (const file of files) {
    const is = after.get(file)?.toString('utf8')
    if (is === undefined) continue
    // A folder's file is judged again when the root's macros change what its lines set.
    const old = new Set(setBy(file, before.get(file)?.toString('utf8') ?? '', rootBefore).map(key))
    const added = setBy(file, is, rootAfter).filter((t) => !old.has(key(t)))
    if (added.length === 0) continue
    const readable = await (paths ??= readPaths())
    for (const transform of added) {
      const matches = readable.filter(patternMatcher(transform.pattern, folderOf(file)))
      if (matches.length > 0) found.push(weakened(file, is, rootAfter, transform, matches, versions))
    }
  }
  return found
}

/** The finding of one transforming attribute on access configs, and how blame asks a version of its file. */
function weakened(
  file: string,
  text: string,
  rootText: string,
  transform: Transform,
  matches: string[],
  versions: VersionCache,
): Protected {
  const shown = matches.slice(0, 3).join(', ') + (matches.length > 3 ? ` and ${matches.length - 3} more` : '')
  const finding = protectedFinding({
    file,
    rule: 'config-weakened',
    severity: 'high',
    message: `${file}: \`${transform.pattern} ${transform.attribute}\` applies to access configs (${shown}): ${TRANSFORMING[transform.attribute]}, so what is deployed is not what acldrift checked.`,
    witness: {setting: file, pattern: transform.pattern, attribute: transform.attribute},
    pointer: null,
    line: lineOf(text, transform.pattern),
    before: null,
    after: `${transform.pattern} ${transform.attribute}`,
  })
  return {
    finding,
    path: file,
    holds: async (blob) => {
      // Parsed once per blob (a folder's file with the target's root macros), whichever line is asked about.
      const set = await versions.get(
        blob,
        `gitattributes\u0000${file === ATTRIBUTES_FILE}`,
        async (content) => new Set(setBy(file, content.toString('utf8'), rootText).map(key)),
      )
      return set?.has(key(transform)) ?? false
    },
  }
}

/** The first line that starts with the pattern. */
function lineOf(text: string, pattern: string): number | null {
  const index = text
    .split(/\r?\n/)
    .findIndex((line) => unquote(line.trim().split(/\s+/)[0] ?? '') === pattern)
  return index === -1 ? null : index + 1
}
