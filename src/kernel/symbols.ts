// Values a container file does not resolve (`!Ref Bucket`, `${var.bucket}`, `!GetAtt Role.Arn`,
// `aws_s3_bucket.b.arn`) stay opaque symbols inside the extracted documents' strings: the same
// symbol on both sides is the same unknown value, and an answer that depends on a symbol's
// value is a possible widening naming it. In a string, a symbol is its name between two
// private-use characters, which no policy text means, so it can never be mistaken for literal
// text or for a policy variable (`${aws:username}`, which the platform itself substitutes).
// People see it as `${NAME}`.

const OPEN = '\uE000'
const CLOSE = '\uE001'

/** The text that stands for the unresolved value `name` (e.g. `var.bucket`, `Bucket`, `Role.Arn`). */
export function symbol(name: string): string {
  return `${OPEN}${name.replaceAll(OPEN, '').replaceAll(CLOSE, '')}${CLOSE}`
}

const SYMBOLS = new RegExp(`${OPEN}([^${OPEN}${CLOSE}]*)${CLOSE}`, 'g')

/** The names of the symbols in a text, in order. */
export function symbolsIn(text: string): string[] {
  return [...text.matchAll(SYMBOLS)].map((m) => m[1]!)
}

/** Whether a text holds an unresolved value. */
export const hasSymbol = (text: string): boolean => text.includes(OPEN)

/** A text as people read it: each symbol as `${NAME}`. */
export function displaySymbols(text: string): string {
  return text.replace(SYMBOLS, (_, name: string) => '${' + name + '}')
}

/** Splits a text into literal pieces and symbols, in order (a template's parts). */
export function splitSymbols(text: string): Array<{literal: string} | {symbol: string}> {
  const parts: Array<{literal: string} | {symbol: string}> = []
  let at = 0
  for (const match of text.matchAll(SYMBOLS)) {
    if (match.index > at) parts.push({literal: text.slice(at, match.index)})
    parts.push({symbol: match[1]!})
    at = match.index + match[0].length
  }
  if (at < text.length) parts.push({literal: text.slice(at)})
  return parts
}

/** The two delimiters, for readers that scan a text for symbols themselves. */
export const SYMBOL_DELIMITERS = {open: OPEN, close: CLOSE} as const
