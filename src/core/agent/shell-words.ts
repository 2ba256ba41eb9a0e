// A POSIX shell command line as the simple commands it runs, each as its words after quote
// removal. The agent hook reads shell commands to find the ways around git hooks, and a regex
// is defeated by `git  commit   --no-verify`, `git commit "--no-verify"` or `sh -c '…'`; this
// reads quotes, escapes, operators (`&&`, `||`, `;`, `|`, `&`, newlines), subshells and groups,
// command substitutions (`$(…)`, backticks: their commands run too), redirections and
// here-documents, as the shell does.
//
// What the shell would only know when it runs (a `$VAR` not assigned earlier in the same line,
// a glob, `$(…)` output) makes the word `dynamic`: callers treat it as "could be anything".

export interface Word {
  /** the text after quote removal, with known variables expanded */
  text: string
  /** part of it is only known at run time (an unknown `$VAR`, `$(…)`, backticks) */
  dynamic: boolean
}

export interface SimpleCommand {
  /** leading `NAME=value` assignments (they apply to this command only, or to the shell when alone) */
  assignments: Array<{name: string; value: Word}>
  words: Word[]
  /** the targets of output redirections (`>`, `>>`, `>|`, `&>`, `<>`) */
  writes: Word[]
}

export class ShellSyntaxError extends Error {}

const OPERATOR_CHARS = new Set(['&', '|', ';', '(', ')', '\n'])
const BLANK = /[ \t]/

/**
 * Every simple command a command line runs, in order, nested ones included (those of
 * subshells, groups and command substitutions). Throws ShellSyntaxError on an unterminated
 * quote, substitution or here-document: the caller cannot know what would run.
 */
export function parseShell(line: string): SimpleCommand[] {
  const parser = new Parser(line)
  parser.parseList(undefined)
  return parser.commands
}

class Parser {
  readonly commands: SimpleCommand[] = []
  private pos = 0
  /** variables assigned by earlier commands of the line (`A=1; git $A`) */
  private readonly vars = new Map<string, Word>()
  /** here-documents whose bodies start at the next newline */
  private pendingHeredocs: Array<{delimiter: string; strip: boolean}> = []

  constructor(private readonly text: string) {}

  /** Commands until `closer` (`)` for subshells and `$(`, undefined for the whole line). */
  parseList(closer: ')' | undefined): void {
    for (;;) {
      this.skipBlanks()
      if (this.pos >= this.text.length) {
        if (closer !== undefined) throw new ShellSyntaxError('unterminated subshell or $(…)')
        return
      }
      const char = this.text[this.pos]!
      if (char === ')' && closer === ')') {
        this.pos++
        return
      }
      if (char === '#') {
        this.skipComment()
        continue
      }
      if (char === '\n') {
        this.pos++
        this.readHeredocBodies()
        continue
      }
      if (char === '(') {
        this.pos++
        this.parseList(')')
        continue
      }
      if (OPERATOR_CHARS.has(char)) {
        this.pos++
        continue
      }
      this.parseSimpleCommand()
    }
  }

  private parseSimpleCommand(): void {
    const command: SimpleCommand = {assignments: [], words: [], writes: []}
    for (;;) {
      this.skipBlanks()
      if (this.pos >= this.text.length) break
      const char = this.text[this.pos]!
      if (OPERATOR_CHARS.has(char)) break
      // A word that starts with `#` starts a comment (parseList skips it).
      if (char === '#') break
      const redirect = this.readRedirection()
      if (redirect !== undefined) {
        if (redirect.kind === 'heredoc') continue
        this.skipBlanks()
        const target = this.readWord()
        if (target === undefined) throw new ShellSyntaxError('a redirection without a target')
        if (redirect.kind === 'write') command.writes.push(target)
        continue
      }
      const start = this.pos
      const word = this.readWord()
      if (word === undefined) break
      const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(this.text.slice(start, this.pos))
      if (command.words.length === 0 && assignment !== null) {
        const name = assignment[1]!
        command.assignments.push({name, value: {...word, text: word.text.slice(name.length + 1)}})
      } else command.words.push(word)
    }
    // `{` and `}` of a group, and reserved words, are words here: strip the ones that open a body.
    while (command.words.length > 0 && RESERVED.has(command.words[0]!.text) && !command.words[0]!.dynamic)
      command.words.shift()
    if (command.words.length === 0 && command.assignments.length > 0)
      for (const {name, value} of command.assignments) this.vars.set(name, value)
    if (command.words.length > 0 || command.assignments.length > 0 || command.writes.length > 0)
      this.commands.push(command)
  }

  /** `>`, `>>`, `>|`, `&>`, `<>`, `N>`, `<`, `<<`, `<<-`, `<<<`, `>&N`; undefined when none is here. */
  private readRedirection(): {kind: 'write' | 'read' | 'heredoc'} | undefined {
    const rest = this.text.slice(this.pos)
    const match = /^(\d*)(>>|>\||>&|>|&>>|&>|<<<|<<-|<<|<>|<&|<)/.exec(rest)
    if (match === null) return undefined
    this.pos += match[0].length
    const op = match[2]!
    if (op === '<<' || op === '<<-') {
      this.skipBlanks()
      const delimiter = this.readWord()
      if (delimiter === undefined) throw new ShellSyntaxError('a here-document without a delimiter')
      this.pendingHeredocs.push({delimiter: delimiter.text, strip: op === '<<-'})
      return {kind: 'heredoc'}
    }
    if (op === '>&' || op === '<&') {
      // `2>&1` duplicates a descriptor; `>&file` (bash) writes a file.
      if (/^\s*(\d+|-)(?=$|[\s;&|()<>])/.test(this.text.slice(this.pos))) {
        this.skipBlanks()
        this.readWord()
        return {kind: 'heredoc'}
      }
      return {kind: op === '>&' ? 'write' : 'read'}
    }
    return {kind: op.startsWith('<') && op !== '<>' ? 'read' : 'write'}
  }

  private readHeredocBodies(): void {
    for (const {delimiter, strip} of this.pendingHeredocs) {
      for (;;) {
        if (this.pos >= this.text.length)
          throw new ShellSyntaxError(`here-document not closed by ${delimiter}`)
        const end = this.text.indexOf('\n', this.pos)
        const lineEnd = end === -1 ? this.text.length : end
        const bodyLine = this.text.slice(this.pos, lineEnd)
        this.pos = end === -1 ? this.text.length : end + 1
        if ((strip ? bodyLine.replace(/^\t+/, '') : bodyLine) === delimiter) break
      }
    }
    this.pendingHeredocs = []
  }

  /** One word: unquoted, quoted and escaped parts glued together; undefined at an operator. */
  private readWord(): Word | undefined {
    let text = ''
    let dynamic = false
    let any = false
    while (this.pos < this.text.length) {
      const char = this.text[this.pos]!
      if (BLANK.test(char) || OPERATOR_CHARS.has(char) || char === '<' || char === '>') break
      any = true
      if (char === '\\') {
        const next = this.text[this.pos + 1]
        this.pos += 2
        if (next === undefined) break
        if (next !== '\n') text += next
      } else if (char === "'") {
        const end = this.text.indexOf("'", this.pos + 1)
        if (end === -1) throw new ShellSyntaxError('unterminated single quote')
        text += this.text.slice(this.pos + 1, end)
        this.pos = end + 1
      } else if (char === '"') {
        this.pos++
        const part = this.readDoubleQuoted()
        text += part.text
        dynamic ||= part.dynamic
      } else if (char === '$' && this.text[this.pos + 1] === "'") {
        const part = this.readAnsiC()
        text += part
      } else if (char === '$' || char === '`') {
        const part = this.readExpansion()
        text += part.text
        dynamic ||= part.dynamic
      } else {
        // Glob characters make the word depend on the files present.
        if (char === '*' || char === '?' || char === '[') dynamic = true
        text += char
        this.pos++
      }
    }
    return any ? {text, dynamic} : undefined
  }

  private readDoubleQuoted(): Word {
    let text = ''
    let dynamic = false
    for (;;) {
      if (this.pos >= this.text.length) throw new ShellSyntaxError('unterminated double quote')
      const char = this.text[this.pos]!
      if (char === '"') {
        this.pos++
        return {text, dynamic}
      }
      if (char === '\\') {
        const next = this.text[this.pos + 1]
        if (next !== undefined && '$`"\\\n'.includes(next)) {
          if (next !== '\n') text += next
          this.pos += 2
        } else {
          text += char
          this.pos++
        }
      } else if (char === '$' || char === '`') {
        const part = this.readExpansion()
        text += part.text
        dynamic ||= part.dynamic
      } else {
        text += char
        this.pos++
      }
    }
  }

  /** `$'…'`: backslash escapes as bash reads them. */
  private readAnsiC(): string {
    const ESCAPES: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      a: '\x07',
      b: '\b',
      e: '\x1b',
      f: '\f',
      v: '\v',
    }
    this.pos += 2
    let text = ''
    for (;;) {
      if (this.pos >= this.text.length) throw new ShellSyntaxError("unterminated $'…'")
      const char = this.text[this.pos]!
      if (char === "'") {
        this.pos++
        return text
      }
      if (char !== '\\') {
        text += char
        this.pos++
        continue
      }
      const next = this.text[this.pos + 1] ?? ''
      const hex = /^x([0-9a-fA-F]{1,2})/.exec(this.text.slice(this.pos + 1))
      const octal = /^([0-7]{1,3})/.exec(this.text.slice(this.pos + 1))
      if (hex !== null) {
        text += String.fromCharCode(parseInt(hex[1]!, 16))
        this.pos += 1 + hex[0].length
      } else if (octal !== null) {
        text += String.fromCharCode(parseInt(octal[1]!, 8))
        this.pos += 1 + octal[0].length
      } else {
        text += ESCAPES[next] ?? next
        this.pos += 2
      }
    }
  }

  /** `$NAME`, `${NAME}`, `$(…)`, `$((…))`, backticks. The commands inside are parsed as commands. */
  private readExpansion(): Word {
    const char = this.text[this.pos]!
    if (char === '`') {
      const end = this.text.indexOf('`', this.pos + 1)
      if (end === -1) throw new ShellSyntaxError('unterminated backtick')
      this.nested(this.text.slice(this.pos + 1, end))
      this.pos = end + 1
      return {text: '', dynamic: true}
    }
    const next = this.text[this.pos + 1]
    if (next === '(' && this.text[this.pos + 2] === '(') {
      const end = this.text.indexOf('))', this.pos + 3)
      if (end === -1) throw new ShellSyntaxError('unterminated $((…))')
      this.pos = end + 2
      return {text: '', dynamic: true}
    }
    if (next === '(') {
      this.pos += 2
      const inner = new Parser(this.text)
      inner.pos = this.pos
      inner.parseList(')')
      this.commands.push(...inner.commands)
      this.pos = inner.pos
      return {text: '', dynamic: true}
    }
    if (next === '{') {
      const end = this.text.indexOf('}', this.pos + 2)
      if (end === -1) throw new ShellSyntaxError('unterminated ${…}')
      const name = this.text.slice(this.pos + 2, end)
      this.pos = end + 1
      return this.variable(name)
    }
    const name = /^([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(this.text.slice(this.pos + 1))
    if (name === null) {
      this.pos++
      return {text: '$', dynamic: false}
    }
    this.pos += 1 + name[0].length
    return this.variable(name[1]!)
  }

  private variable(name: string): Word {
    return this.vars.get(name) ?? {text: '', dynamic: true}
  }

  private nested(text: string): void {
    this.commands.push(...parseShell(text))
  }

  private skipBlanks(): void {
    while (this.pos < this.text.length) {
      const char = this.text[this.pos]!
      if (BLANK.test(char)) this.pos++
      else if (char === '\\' && this.text[this.pos + 1] === '\n') this.pos += 2
      else break
    }
  }

  private skipComment(): void {
    const end = this.text.indexOf('\n', this.pos)
    this.pos = end === -1 ? this.text.length : end
  }
}

/** Words that open a compound command's body: what follows them is a command. */
const RESERVED = new Set([
  '{',
  '}',
  '!',
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'do',
  'done',
  'while',
  'until',
  'time',
])
