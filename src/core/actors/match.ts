// Evaluates one signal against one commit: which texts of the commit the signal looks at,
// and what it found there, quoted so that a person can check it.

import type {CommitEvidence} from './evidence.js'
import {canonicalAgent, type Signal, type SignalField} from './signals.js'

export interface SignalMatch {
  signal: Signal
  /** what matched: the trailer line, `author email: …`, `NAME=value` */
  detail: string
  /** the agent or bot this match names */
  agent?: string
  /** the text that matched; one text is one piece of evidence, however many signals match it */
  source: string
}

const MAX_DETAIL = 200
/** names read from commit text (Assisted-by, AI_AGENT) are free text: keep them to a name's length */
const MAX_NAME = 60

/** The texts of a commit that a field's patterns are tested against. */
function fieldTexts(field: SignalField, commit: Partial<CommitEvidence>): string[] {
  switch (field) {
    case 'author-email':
      return present(commit.authorEmail?.trim())
    case 'committer-email':
      return present(commit.committerEmail?.trim())
    case 'author-name':
      return present(commit.authorName?.trim())
    case 'committer-name':
      return present(commit.committerName?.trim())
    case 'trailer':
      // Every line, not only git's final trailer block (squash merges, `---------`).
      return (commit.message ?? '')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '')
    case 'message':
      return present(commit.message)
    case 'notes':
      return present(commit.notes)
    case 'env':
      return Object.entries(commit.env ?? {}).flatMap(([name, value]) =>
        value === undefined ? [] : [`${name}=${value}`],
      )
  }
}

/** A commit's texts by field, for matchSignal. */
export type CommitTexts = (field: SignalField) => readonly string[]

/**
 * The texts of `commit` by field, each worked out once for every signal that looks at it: the
 * environment above all (process.env in the hooks), whose every read goes to the C library, once
 * cost ~20 ms per classification when each of its signals listed it again.
 */
export function commitTexts(commit: Partial<CommitEvidence>): CommitTexts {
  const byField = new Map<SignalField, string[]>()
  return (field) => {
    let texts = byField.get(field)
    if (texts === undefined) byField.set(field, (texts = fieldTexts(field, commit)))
    return texts
  }
}

/**
 * The first text of the signal's field that it matches, or undefined. `textsOf`: the commit's
 * texts (commitTexts), when many signals are matched against it.
 */
export function matchSignal(
  signal: Signal,
  commit: Partial<CommitEvidence>,
  textsOf: CommitTexts = commitTexts(commit),
): SignalMatch | undefined {
  const texts = textsOf(signal.field)
  // Every required pattern must match some text of the same field (e.g. REPL_ID with REPLIT_MODE).
  const required: string[] = []
  for (const pattern of signal.requires ?? []) {
    const text = texts.find((t) => pattern.test(t))
    if (text === undefined) return undefined
    required.push(text)
  }
  for (const text of texts) {
    const match = signal.pattern.exec(text)
    if (match === null) continue
    const quoted = quote(signal.field, text, match)
    const named = signal.agent ?? match.groups?.agent
    return {
      signal,
      detail: clean([quoted.detail, ...required].join(', ')),
      ...(named === undefined ? {} : {agent: canonicalAgent(clean(named, MAX_NAME))}),
      source: quoted.source,
    }
  }
  return undefined
}

/** How a match is shown, and the text it counts as. */
function quote(field: SignalField, text: string, match: RegExpExecArray): {detail: string; source: string} {
  switch (field) {
    case 'author-email':
    case 'committer-email':
    case 'author-name':
    case 'committer-name':
      // The same address as author and committer is one piece of evidence, not two.
      return {
        detail: `${field.replace('-', ' ')}: ${text}`,
        source: `${field.split('-')[1]}:${text.toLowerCase()}`,
      }
    case 'trailer':
      return {detail: text, source: `message:${text}`}
    case 'message': {
      // The line the marker is on, so that a trailer signal on the same line counts once.
      const line = lineAt(text, match.index)
      return {detail: line, source: `message:${line}`}
    }
    case 'notes':
      return {detail: `git note: ${match[0]}`, source: `notes:${match[0]}`}
    case 'env':
      return {detail: text, source: `env:${text}`}
  }
}

function lineAt(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index - 1) + 1
  const end = text.indexOf('\n', index)
  return text.slice(start, end === -1 ? text.length : end).trim()
}

/** Commit text is attacker-controlled and ends up in terminals: no control characters, bounded length. */
function clean(text: string, max = MAX_DETAIL): string {
  const flat = text.replace(/\p{Cc}+/gu, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

const present = (text: string | undefined): string[] => (text === undefined || text === '' ? [] : [text])
