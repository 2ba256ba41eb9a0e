// Reading a CODEOWNERS file into `{rules: [{pattern, owners}]}` with a source map
// (`/rules/3` → the line of the fourth rule, `/rules/3/owners/1` → its second owner).
//
// GitHub ignores the whole file when a line is invalid, and some gitignore syntax does not work
// there (`!`, `[ ]`, `\#`): either would make what the file means to GitHub differ from what it
// says, so every such line fails closed (InvalidInputError naming file:line:column). Comments
// (`#` at the start of a line or of a token), blank lines, CRLF, a BOM and `\ ` escaped spaces
// are read as GitHub reads them.

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
  const problems: InputProblem[] = []
  const positions = new Map<string, Position>([['', {line: 1, column: 1}]])
  const rules: CodeownersRule[] = []
  text.split('\n').forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    const lineNo = index + 1
    const problem = (column: number, message: string) =>
      problems.push({file: file.path, line: lineNo, column, message})
    const control = controlAt(line)
    if (control !== -1) {
      const code = line.charCodeAt(control).toString(16).padStart(4, '0').toUpperCase()
      problem(control + 1, `control character U+${code} in a CODEOWNERS line`)
      return
    }
    const tokens = tokenize(line)
    if (typeof tokens === 'string') {
      problem(line.length, tokens)
      return
    }
    const [pattern, ...owners] = tokens
    if (pattern === undefined) return
    let valid = true
    try {
      compilePattern(pattern.text)
    } catch (error) {
      if (!(error instanceof PatternError)) throw error
      problem(pattern.column, `invalid pattern "${pattern.text}": ${error.message}`)
      valid = false
    }
    for (const owner of owners) {
      const why = invalidOwner(owner.text)
      if (why === undefined) continue
      problem(owner.column, why)
      valid = false
    }
    if (!valid) return
    const pointer = `/rules/${rules.length}`
    const at = {line: lineNo, column: pattern.column}
    positions.set(pointer, at)
    positions.set(`${pointer}/pattern`, at)
    positions.set(`${pointer}/owners`, {line: lineNo, column: owners[0]?.column ?? line.length + 1})
    owners.forEach((o, j) => positions.set(`${pointer}/owners/${j}`, {line: lineNo, column: o.column}))
    rules.push({pattern: pattern.text, owners: owners.map((o) => o.text)})
  })
  if (problems.length > 0) throw new InvalidInputError(problems)
  positions.set('/rules', positions.get('/rules/0') ?? {line: 1, column: 1})
  return {
    path: file.path,
    value: {rules},
    sourceMap: {locate: (pointer) => positions.get(pointer)},
    hash: sha256(file.content),
  }
}
