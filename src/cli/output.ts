// Where reports go: standard output or --output FILE (written atomically).

import {mkdir} from 'node:fs/promises'
import {isAbsolute, join, relative, resolve, sep} from 'node:path'
import {writeFileAtomic} from '../kernel/atomic.js'
import {UsageError} from '../kernel/errors.js'
import {timed} from '../kernel/timings.js'
import type {Report} from '../kernel/types.js'
import {type Format, type ReporterOptions, render} from '../reporters/index.js'

/** What a report cannot tell about its run: the repository root, and `--fail-on` when given. */
export type RunContext = Pick<ReporterOptions, 'root' | 'failOn'>

interface OutputOptions extends RunContext {
  format?: string
  output?: string
  color?: boolean
  quiet?: boolean
  /** the folder acldrift runs in, relative to the repository root (pretty output's paths) */
  from?: string
}

/** Colour only for a terminal, never into a file, and never when NO_COLOR is set (unless --color). */
export function wantsColor(options: OutputOptions): boolean {
  if (options.output !== undefined) return false
  if (options.color !== undefined) return options.color
  return process.stdout.isTTY === true && !process.env.NO_COLOR
}

/** The folder acldrift runs in, relative to the repository root (`iam/roles`; '' at the root): pretty output's paths. */
export function cwdFromRoot(root: string, cwd = process.cwd()): string {
  return relative(root, cwd).split(sep).join('/')
}

/**
 * A path given on the command line (relative to the current folder, as a shell completes it) as
 * a path from the repository root, which is how acldrift names files; '' for the root itself.
 */
export function repositoryPath(root: string, given: string, cwd = process.cwd()): string {
  const path = relative(root, resolve(cwd, given))
  if (path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path))
    throw new UsageError(`${given} is outside the repository (${root})`)
  return path.split(sep).join('/')
}

export async function emitReport(report: Report, options: OutputOptions): Promise<void> {
  const text = await renderReport((options.format ?? 'pretty') as Format, report, {
    color: wantsColor(options),
    quiet: options.quiet,
    from: options.from,
    root: options.root,
    failOn: options.failOn,
  })
  await emitText(text, options.output)
}

/** A report in `format`; SARIF describes its rules from the rule catalogue, loaded only for it. */
export async function renderReport(
  format: Format,
  report: Report,
  options: ReporterOptions,
): Promise<string> {
  return timed('reporting', async () => {
    const rules = format === 'sarif' ? (await import('../core/rule-docs.js')).ruleCatalogue() : undefined
    return render(format, report, {...options, rules})
  })
}

export function emitText(text: string, output: string | undefined): Promise<void> {
  return timed('reporting', async () => {
    if (output !== undefined) await writeFileAtomic(resolve(output), text)
    else
      await new Promise<void>((done, fail) =>
        process.stdout.write(text, (error) => (error ? fail(error) : done())),
      )
  })
}

/** Report files an audit writes, by format. */
const REPORT_FILES = {
  json: 'acldrift-report.json',
  sarif: 'acldrift-report.sarif',
  markdown: 'acldrift-report.md',
} as const

export function writeReports(report: Report, dir: string, context: RunContext): Promise<string[]> {
  return timed('reporting', () => writeReportFiles(report, dir, context))
}

async function writeReportFiles(report: Report, dir: string, context: RunContext): Promise<string[]> {
  await mkdir(dir, {recursive: true})
  const written: string[] = []
  for (const [format, name] of Object.entries(REPORT_FILES) as [keyof typeof REPORT_FILES, string][]) {
    const file = join(dir, name)
    await writeFileAtomic(file, await renderReport(format, report, {...context, color: false}))
    written.push(file)
  }
  return written
}
