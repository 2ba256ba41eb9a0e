// A progress line on standard error for long runs (comparisons, attribution, history walks). Whether to draw
// one at all is the CLI's decision (src/cli/progress.ts): a terminal, no hook, no CI, no --quiet.

export type Progress = (done: number, total: number, what: string) => void

export function progressReporter(stream: NodeJS.WriteStream): Progress {
  let last = 0
  return (done, total, what) => {
    const now = Date.now()
    // Redrawing more than ~10 times a second costs time and flickers.
    if (done < total && now - last < 100) return
    last = now
    const width = 24
    const filled = total === 0 ? width : Math.round((done / total) * width)
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`
    stream.write(
      `\r${bar} ${done}/${total} ${what}`.padEnd(stream.columns ? Math.min(stream.columns - 1, 100) : 80),
    )
    if (done >= total) stream.write('\r'.padEnd(stream.columns ? Math.min(stream.columns, 101) : 81) + '\r')
  }
}
