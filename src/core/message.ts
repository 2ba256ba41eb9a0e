// The message of the commit being made, as the commit-msg hook receives it: the file still holds
// git's comment lines and, under `git commit --verbose`, the diff below a scissors line. Neither
// is part of the message, and a diff can quote anything (a trailer too).

const SCISSORS = /^# -+ >8 -+$/m

/** The message text git will record (default cleanup, comment character `#`). */
export function pendingMessage(raw: string): string {
  const scissors = SCISSORS.exec(raw)
  const kept = scissors === null ? raw : raw.slice(0, scissors.index)
  return kept
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n')
    .trim()
}
