// Reading a CODEOWNERS file into `{rules: [{pattern, owners}], skipped: [{line, text, reason, owners}]}`
// with a source map (`/rules/3` → the line of the fourth rule, `/rules/3/owners/1` → its second
// owner, `/skipped/0` → the first line skipped).
//
// GitHub: "If any line in your CODEOWNERS file contains invalid syntax, that line will be skipped"
// (https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners#codeowners-syntax),
// and shows the error on the file; the rest of the file is read. So is it here: an invalid owner,
// an invalid pattern, a control character, and the gitignore syntax GitHub documents as not
// working in CODEOWNERS (`!` negation, `[ ]` ranges, `\#` escapes) make their line skipped, kept
// with the reason so that the comparison can report it (its owners are not required). Comments
// (`#` at the start of a line or of a token), blank lines, CRLF, a BOM and `\ ` escaped spaces are
// read as GitHub reads them. What fails closed (file:line:column): a file GitHub does not load at
// all (3 MB or more, not text), and a pattern GitHub may read in a way acldrift cannot know (a `#`
// inside it, `//`, `.` or `..` segments, `**` segments only): skipping it could hide its owners.

import {sha256} from '../../kernel/hash.js'
import {InvalidInputError} from '../../kernel/errors.js'
import {decode, MAX_FILE_BYTES} from '../../kernel/parse.js'
import type {InputProblem, ParsedFile, Position, SourceFile} from '../../kernel/types.js'
import {invalidOwner} from './model.js'
import {compilePattern, PatternError} from './pattern.js'

/** GitHub does not load CODEOWNERS files of 3 MB or more: every path would lose its owners. */
const MAX_CODEOWNERS_BYTES = 3_000_000

interface CodeownersRule {
  pattern: string
  owners: string[]
}

/** A line GitHub skips: its text, why, and the owners it names (which GitHub does not require). */
export interface SkippedLine {
  line: number
  text: string
  reason: string
  owners: string[]
}

interface Token {
  text: string
  column: number
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t'
// Control characters (a lone CR included) have no place in paths or owners GitHub accepts.
function controlAt(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i)
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return i
  }
  return -1
}

/** The line's tokens up to a comment: runs of non-blank characters, `\x` escapes kept as written. */
function tokenize(line: string): Token[] | string {
  const tokens: Token[] = []
  let pos = 0
  for (;;) {
    while (isSpace(line[pos])) pos++
    if (pos >= line.length || line[pos] === '#') return tokens
    const start = pos
    while (pos < line.length && !isSpace(line[pos])) {
      if (line[pos] === '\\') {
        if (pos + 1 >= line.length) return 'the line ends with a lone backslash'
        pos += 2
      } else pos++
    }
    tokens.push({text: line.slice(start, pos), column: start + 1})
  }
}

export function parseCodeowners(file: SourceFile): ParsedFile {
  if (file.content.length >= MAX_CODEOWNERS_BYTES) {
    throw new InvalidInputError([
      {
        file: file.path,
        message: `file too large: ${file.content.length} bytes; GitHub ignores CODEOWNERS files of 3 MB or more (every path would lose its owners)`,
      },
    ])
  }
  const text = decode(file, MAX_FILE_BYTES)
  const positions = new Map<string, Position>([['', {line: 1, column: 1}]])
  const rules: CodeownersRule[] = []
  const skipped: SkippedLine[] = []
  const ambiguous: InputProblem[] = []
  text.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    const lineNo = index + 1
    const why = invalidLine(line)
    if (why === undefined) return
    if (why instanceof PatternError) {
      ambiguous.push({file: file.path, line: lineNo, column: line.search(/\S/) + 1, message: why.message})
      return
    }
    if (typeof why === 'string') {
      const tokens = tokenize(line)
      const owners = typeof tokens === 'string' ? [] : tokens.slice(1).map((t) => t.text)
      positions.set(`/skipped/${skipped.length}`, {line: lineNo, column: 1})
      skipped.push({line: lineNo, text: line.trim(), reason: why, owners})
      return
    }
    const [pattern, ...owners] = why
    const pointer = `/rules/${rules.length}`
    const at = {line: lineNo, column: pattern!.column}
    positions.set(pointer, at)
    positions.set(`${pointer}/pattern`, at)
    positions.set(`${pointer}/owners`, {line: lineNo, column: owners[0]?.column ?? line.length + 1})
    owners.forEach((o, j) => positions.set(`${pointer}/owners/${j}`, {line: lineNo, column: o.column}))
    rules.push({pattern: pattern!.text, owners: owners.map((o) => o.text)})
  })
  if (ambiguous.length > 0) throw new InvalidInputError(ambiguous)
  positions.set('/rules', positions.get('/rules/0') ?? {line: 1, column: 1})
  positions.set('/skipped', positions.get('/skipped/0') ?? {line: 1, column: 1})
  return {
    path: file.path,
    value: skipped.length === 0 ? {rules} : {rules, skipped},
    sourceMap: {locate: (pointer) => positions.get(pointer)},
    hash: sha256(file.content),
  }
}

/**
 * A line's tokens when GitHub reads it as a rule, why GitHub skips it (a string), the error of a
 * pattern acldrift cannot read (ambiguous: the file fails closed), or undefined for a blank or
 * comment line.
 */
function invalidLine(line: string): Token[] | string | PatternError | undefined {
  const control = controlAt(line)
  if (control !== -1) {
    const code = line.charCodeAt(control).toString(16).padStart(4, '0').toUpperCase()
    return `control character U+${code} in column ${control + 1}`
  }
  const tokens = tokenize(line)
  if (typeof tokens === 'string') return tokens
  const [pattern, ...owners] = tokens
  if (pattern === undefined) return undefined
  const problems: string[] = []
  try {
    compilePattern(pattern.text)
  } catch (error) {
    if (!(error instanceof PatternError)) throw error
    if (error.ambiguous) return new PatternError(`pattern "${pattern.text}": ${error.message}`, true)
    problems.push(`invalid pattern "${pattern.text}": ${error.message}`)
  }
  for (const owner of owners) {
    const why = invalidOwner(owner.text)
    if (why !== undefined) problems.push(why)
  }
  return problems.length > 0 ? problems.join('; ') : tokens
}
