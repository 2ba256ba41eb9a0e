// .gitattributes: some attributes make the content that leaves the repository differ from the
// blob acldrift reads (https://git-scm.com/docs/gitattributes): `filter` runs a smudge command
// on checkout, `ident` expands `$Id$` on checkout, `working-tree-encoding` re-encodes the file
// on checkout, and `export-subst` expands `$Format:…$` in `git archive`. On an access config
// that means the policy deployed is not the policy checked, so a change of .gitattributes that
// makes one of them apply to a path the inventory reads is config-weakened, with the commit
// and actor that made it.
//
// Line-ending attributes (`text`, `eol`, `crlf`) are not: they only convert LF and CRLF, which
// JSON, YAML and CODEOWNERS read alike. Attributes for diff, merge, export-ignore (leaving a
// file out of an archive) and linguist change no content that is deployed.
//
// What is compared is each read path's effective attributes, as git computes them from every
// committed .gitattributes (src/git/attributes.ts), at the reference and at the target: not the
// lines added. Deleting a folder's `*.json -filter`, turning it into `!filter`, moving the root's
// `filter=crypt` line below it, or redefining a macro all make a transform apply without adding
// one. The line to blame is found by evaluating the files the way gitattributes(5) says: the
// deeper folder's file over the shallower, a later line over an earlier one, per attribute;
// macros (`[attr]…`, defined only at the root) expand where they are set. Local attributes
// (`.git/info/attributes`, `core.attributesFile`) are not committed and not compared.

import {createRequire} from 'node:module'
import type Picomatch from 'picomatch'
import {type AttributeState, firstParent, type PathAttributes, readPathsAt} from '../../git/index.js'
import type {Finding} from '../../kernel/types.js'
import {ATTRIBUTES_FILE} from './attributes-file.js'
import {type Protected, protectedFinding} from './protected.js'
import type {VersionCache} from './versions.js'

// (required, not imported: an ES import of a CommonJS package parses it once more for its export names)
const picomatch = createRequire(import.meta.url)('picomatch') as typeof Picomatch

export {ATTRIBUTES_FILE}

/** Whether a path is a .gitattributes file, in any folder. */
export const isAttributesFile = (path: string) =>
  path === ATTRIBUTES_FILE || path.endsWith(`/${ATTRIBUTES_FILE}`)

/** The folder a .gitattributes file's patterns are relative to: '' for the root's, `iam/` for iam/.gitattributes. */
const folderOf = (file: string) => file.slice(0, file.length - ATTRIBUTES_FILE.length)

/** The attributes that transform content, and what each does to it. */
export const TRANSFORMING: Readonly<Record<string, string>> = {
  filter: 'git runs a clean/smudge filter on them',
  ident: 'git expands $Id$ in them on checkout',
  'working-tree-encoding': 'git re-encodes them on checkout',
  'export-subst': '`git archive` expands $Format:…$ placeholders in them',
}

/** Whether a state makes the attribute act: set, or given a value. */
const acts = (state: AttributeState) => state !== 'unset' && state !== 'unspecified'

/** One line of a .gitattributes file: a pattern and the attribute states it assigns, in order. */
export interface AttributeLine {
  file: string
  /** 1-based */
  line: number
  text: string
  pattern: string
  states: Array<[string, AttributeState]>
}

/** A macro definition (`[attr]name states…`) of the root's file. */
interface Macro {
  name: string
  line: number
  text: string
  states: Array<[string, AttributeState]>
}

/** `attr` set, `-attr` unset, `!attr` unspecified, `attr=value` a value: check-attr's words. */
function stateOf(token: string): [string, AttributeState] {
  if (token.startsWith('-')) return [token.slice(1), 'unset']
  if (token.startsWith('!')) return [token.slice(1), 'unspecified']
  const equals = token.indexOf('=')
  return equals === -1 ? [token, 'set'] : [token.slice(0, equals), token.slice(equals + 1)]
}

/** Unquotes a pattern written as a C-style quoted string, as git allows. */
const unquote = (pattern: string) =>
  pattern.startsWith('"') && pattern.endsWith('"') && pattern.length > 1
    ? pattern.slice(1, -1).replace(/\\(.)/g, '$1')
    : pattern

/** A .gitattributes file's pattern lines, and its macro definitions (read only in the root's). */
export function parseAttributes(file: string, text: string): {lines: AttributeLine[]; macros: Macro[]} {
  const lines: AttributeLine[] = []
  const macros: Macro[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#')) return
    const quoted = /^"(?:[^"\\]|\\.)*"/.exec(trimmed)?.[0]
    const pattern = quoted ?? trimmed.split(/\s+/)[0]!
    const states = trimmed.slice(pattern.length).trim().split(/\s+/).filter(Boolean).map(stateOf)
    if (pattern.startsWith('[attr]')) {
      if (file === ATTRIBUTES_FILE)
        macros.push({name: pattern.slice('[attr]'.length), line: i + 1, text: trimmed, states})
    } else if (!pattern.startsWith('!'))
      // (git ignores negative patterns)
      lines.push({file, line: i + 1, text: trimmed, pattern: unquote(pattern), states})
  })
  return {lines, macros}
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

/** Why an attribute has its state on a path: the line that assigned it, and the macro it came through. */
export interface Decision {
  state: AttributeState
  line?: AttributeLine
  macro?: Macro
}

/** Parsed .gitattributes files, path → its lines and matchers, and the macros in force. */
export class AttributeFiles {
  private readonly parsed = new Map<string, Array<{line: AttributeLine; matches: (p: string) => boolean}>>()
  private readonly macros = new Map<string, Macro>([
    // git's one built-in macro
    [
      'binary',
      {
        name: 'binary',
        line: 0,
        text: '[attr]binary -diff -merge -text',
        states: ['-diff', '-merge', '-text'].map(stateOf),
      },
    ],
  ])

  constructor(files: ReadonlyMap<string, string>) {
    for (const [file, text] of files) {
      const {lines, macros} = parseAttributes(file, text)
      this.parsed.set(
        file,
        lines.map((line) => ({line, matches: patternMatcher(line.pattern, folderOf(file))})),
      )
      // The last definition wins.
      for (const macro of macros) this.macros.set(macro.name, macro)
    }
  }

  /**
   * An attribute's state on a path, and the line that decided it, as git fills it: from the
   * deepest folder's file to the root's, from the last line to the first, each line's states
   * from the last to the first; the first to assign an attribute decides it, and a macro that is
   * set assigns its own states there.
   */
  decide(path: string, attribute: string): Decision {
    const decided = new Map<string, Decision>()
    const fill = (states: Array<[string, AttributeState]>, line: AttributeLine, macro?: Macro) => {
      for (const [name, state] of [...states].reverse()) {
        if (decided.has(name)) continue
        decided.set(name, {state, line, macro})
        const expands = state === 'set' ? this.macros.get(name) : undefined
        if (expands !== undefined) fill(expands.states, line, expands)
      }
    }
    const folders = path.split('/').slice(0, -1)
    const files = folders.map((_, i) => `${folders.slice(0, i + 1).join('/')}/${ATTRIBUTES_FILE}`)
    for (const file of [ATTRIBUTES_FILE, ...files].reverse())
      for (const {line, matches} of [...(this.parsed.get(file) ?? [])].reverse())
        if (matches(path)) fill(line.states, line)
    return decided.get(attribute) ?? {state: 'unspecified'}
  }
}

/** The states of the transforming attributes on each path, at the reference and at the target: git's. */
export type EffectiveAttributes = (
  sides: [ReadonlyMap<string, Buffer>, ReadonlyMap<string, Buffer>],
  paths: readonly string[],
  names: readonly string[],
) => Promise<PathAttributes[]>

const texts = (files: ReadonlyMap<string, Buffer>) =>
  new Map([...files].map(([path, content]) => [path, content.toString('utf8')]))

/** One path whose transforming attribute came to act, and the .gitattributes change behind it. */
interface Cause {
  /** the changed .gitattributes file the change is blamed on */
  file: string
  attribute: string
  state: AttributeState
  /** what decides the state at the target, and what decided it at the reference */
  now: Decision
  was: Decision
}

/**
 * The transforming attributes that came to act (or act otherwise) on paths the inventory reads:
 * `before` and `after` are every .gitattributes of the reference and of the target, path →
 * content; `readPaths` the target's paths that some kind or container format may read (asked
 * only when some .gitattributes changed); `effective` computes the states as git does.
 */
export async function attributeChanges(
  root: string,
  before: ReadonlyMap<string, Buffer>,
  after: ReadonlyMap<string, Buffer>,
  readPaths: () => Promise<string[]>,
  effective: EffectiveAttributes,
  versions: VersionCache,
): Promise<Protected[]> {
  const changed = changedFiles(before, after)
  if (changed.length === 0) return []
  const paths = await readPaths()
  const names = Object.keys(TRANSFORMING)
  const [was, now] = await effective([before, after], paths, names)

  // Grouped by the change blamed: one finding names every path it reaches.
  const groups = new Map<string, {cause: Cause; paths: string[]}>()
  for (const path of paths)
    for (const attribute of names) {
      const state = now!.get(path)?.get(attribute) ?? 'unspecified'
      if (!acts(state) || state === (was!.get(path)?.get(attribute) ?? 'unspecified')) continue
      const cause = causeOf(path, attribute, state, changed, before, after)
      const key = [cause.file, attribute, state, cause.now.line?.text, cause.was.line?.text].join('\u0000')
      const group = groups.get(key)
      if (group === undefined) groups.set(key, {cause, paths: [path]})
      else group.paths.push(path)
    }
  const files = [...new Set([...before.keys(), ...after.keys()])].sort()
  return [...groups.values()].map(({cause, paths: reached}) =>
    weakened(root, cause, reached, files, before, after, versions),
  )
}

/** The .gitattributes files added, changed or deleted from one side to the other. */
function changedFiles(before: ReadonlyMap<string, Buffer>, after: ReadonlyMap<string, Buffer>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])]
    .filter((file) => {
      const [was, is] = [before.get(file), after.get(file)]
      return was === undefined || is === undefined || !was.equals(is)
    })
    .sort()
}

/**
 * Which changed file makes the attribute act on the path: the one that, put back as it was
 * before alone, makes it not act as it does after. Else the file holding the deciding line
 * (after, then before), else the first changed file.
 */
function causeOf(
  path: string,
  attribute: string,
  state: AttributeState,
  changed: string[],
  before: ReadonlyMap<string, Buffer>,
  after: ReadonlyMap<string, Buffer>,
): Cause {
  const now = new AttributeFiles(texts(after)).decide(path, attribute)
  const was = new AttributeFiles(texts(before)).decide(path, attribute)
  const undoes = (file: string) =>
    atTargetWith(after, file, before.get(file)?.toString('utf8')).decide(path, attribute).state !== state
  const file =
    changed.find(undoes) ??
    [now.line?.file, now.macro?.line ? ATTRIBUTES_FILE : undefined, was.line?.file].find(
      (f): f is string => f !== undefined && changed.includes(f),
    ) ??
    changed[0]!
  return {file, attribute, state, now, was}
}

/** The target's .gitattributes files with one of them as `text` (absent when undefined). */
function atTargetWith(
  after: ReadonlyMap<string, Buffer>,
  file: string,
  text: string | undefined,
): AttributeFiles {
  const files = texts(after)
  if (text === undefined) files.delete(file)
  else files.set(file, text)
  return new AttributeFiles(files)
}

/** `attr` for set, `attr=value` for a value. */
const assignment = (attribute: string, state: AttributeState) =>
  state === 'set' ? attribute : `${attribute}=${state}`

/** The finding of a transforming attribute that came to act on access configs, told as the change from `before` to `after`. */
function describe(
  cause: Cause,
  paths: string[],
  before: ReadonlyMap<string, Buffer>,
  after: ReadonlyMap<string, Buffer>,
): Finding {
  const {file, attribute, state, now, was} = cause
  const shown = paths.slice(0, 3).join(', ') + (paths.length > 3 ? ` and ${paths.length - 3} more` : '')
  const acting = assignment(attribute, state)
  const deciding =
    now.line === undefined ? undefined : `\`${now.line.text}\` (${now.line.file}:${now.line.line})`
  const consequence = `${TRANSFORMING[attribute]}, so what is deployed is not what acldrift checked.`
  let line: number | null = null
  let pattern = now.line?.pattern ?? was.line?.pattern ?? ''
  let removed: string | null = null
  let how: string
  // Which line of the file changed: one new or moved in it that now decides, a macro of the root
  // redefined (through which a line decides now, or decided before), a deciding line removed.
  const holds = (side: ReadonlyMap<string, Buffer>, text: string) =>
    (side.get(file)?.toString('utf8') ?? '').split(/\r?\n/).some((l) => l.trim() === text)
  const rootMacro = (macro: Macro | undefined) =>
    macro !== undefined && macro.line > 0 && file === ATTRIBUTES_FILE ? macro : undefined
  const redefined =
    rootMacro(now.macro) !== undefined && !holds(before, now.macro!.text) ? now.macro : undefined
  const changedMacro =
    rootMacro(was.macro) !== undefined && !holds(after, was.macro!.text) ? was.macro : undefined
  if (now.line?.file === file && !holds(before, now.line.text)) {
    line = now.line.line
    how = `\`${now.line.text}\` (line ${line}) sets ${acting} on access configs (${shown})`
  } else if (redefined !== undefined) {
    line = redefined.line
    how = `the macro \`${redefined.text}\` (line ${line}) now sets ${acting} through ${deciding} on access configs (${shown})`
  } else if (changedMacro !== undefined) {
    line =
      parseAttributes(file, after.get(file)?.toString('utf8') ?? '').macros.findLast(
        (m) => m.name === changedMacro.name,
      )?.line ?? null
    removed = changedMacro.text
    pattern = was.line!.pattern
    how = `the macro \`${changedMacro.text}\` (line ${changedMacro.line} before), which made ${attribute} ${was.state} through \`${was.line!.text}\` (${was.line!.file}:${was.line!.line}), is changed: ${deciding ?? 'git'} sets ${acting} on access configs (${shown})`
  } else if (was.line?.file === file && !holds(after, was.line.text)) {
    pattern = was.line.pattern
    removed = was.line.text
    const gone = after.has(file) ? 'no longer decides' : 'is deleted with its file'
    how = `\`${was.line.text}\` (line ${was.line.line} before), which made ${attribute} ${was.state}, ${gone}: ${deciding ?? 'git'} sets ${acting} on access configs (${shown})`
  } else if (now.line?.file === file) {
    line = now.line.line
    how = `\`${now.line.text}\` (line ${line}) now comes after what cancelled it, and sets ${acting} on access configs (${shown})`
  } else how = `its change makes git set ${acting} on access configs (${shown})`

  return protectedFinding({
    file,
    rule: 'config-weakened',
    severity: 'high',
    message: `${file}: ${how}: ${consequence}`,
    witness: {setting: file, pattern, attribute, state},
    pointer: null,
    line,
    before: removed,
    after: now.line === undefined ? null : now.line.text,
  })
}

/**
 * The finding, and how semantic blame asks a state of the history: every .gitattributes file at
 * once (git reads them together), so the commit blamed is the first after which the attribute
 * acts, whichever of them it changed; once blamed, the finding is told as that commit's change.
 */
function weakened(
  root: string,
  cause: Cause,
  paths: string[],
  files: string[],
  before: ReadonlyMap<string, Buffer>,
  after: ReadonlyMap<string, Buffer>,
  versions: VersionCache,
): Protected {
  const [probe] = paths
  const actsIn = (side: ReadonlyMap<string, Buffer>) =>
    new AttributeFiles(texts(side)).decide(probe!, cause.attribute).state === cause.state
  // Every .gitattributes the history names, those since deleted too, once blame reads it.
  let all = files
  const protectedChange: Protected = {
    finding: describe(cause, paths, before, after),
    path: files[0]!,
    // (asked only through `together`)
    holds: async () => false,
    together: {
      files: (history) => {
        const named = [...history.commits.values()].flatMap((c) => c.changes.map((change) => change.path))
        all = [...new Set([...files, ...named.filter(isAttributesFile)])].sort()
        return all
      },
      holds: async (blobs) => {
        const side = new Map<string, Buffer>()
        for (const [file, blob] of blobs) {
          const content = await versions.get(blob, 'content', async (c) => c)
          if (content !== undefined) side.set(file, content)
        }
        return actsIn(side)
      },
    },
    refine: async (commit) => {
      const parent = await firstParent(root, commit)
      const [was, is] = await readPathsAt(
        root,
        [...(parent === null ? [] : [{type: 'ref' as const, commit: parent}]), {type: 'ref', commit}],
        all,
      ).then((read) => (read.length === 1 ? [new Map<string, Buffer>(), read[0]!] : read))
      if (!actsIn(is!) || actsIn(was!)) return
      const changed = changedFiles(was!, is!)
      const atCommit = causeOf(probe!, cause.attribute, cause.state, changed, was!, is!)
      protectedChange.finding = {
        ...describe(atCommit, paths, was!, is!),
        commit: protectedChange.finding.commit,
      }
    },
  }
  return protectedChange
}
