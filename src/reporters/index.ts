// Entry point of reporting for the commands. Each reporter module is loaded only when its format is
// chosen, so chalk (pretty only) stays off the start-up path of json, sarif and markdown runs.
import {displaySymbols, hasSymbol} from '../kernel/symbols.js'
import type {Report} from '../kernel/types.js'
import type {Reporter, ReporterOptions} from './shared.js'

export type {Reporter, ReporterOptions} from './shared.js'

export const FORMATS = ['pretty', 'json', 'sarif', 'markdown'] as const
export type Format = (typeof FORMATS)[number]

const reporters: Record<Format, () => Promise<Reporter>> = {
  pretty: async () => (await import('./pretty.js')).renderPretty,
  json: async () => (await import('./json.js')).renderJson,
  sarif: async () => (await import('./sarif.js')).renderSarif,
  markdown: async () => (await import('./markdown.js')).renderMarkdown,
}

/**
 * The full text of `report` in `format`, ending with a newline. Values a template leaves
 * unresolved (symbols) are written as people read them, `${Bucket.Arn}`, in every format: the
 * private characters that delimit them inside acldrift mean nothing to a reader.
 */
export async function render(format: Format, report: Report, options: ReporterOptions): Promise<string> {
  const reporter = await reporters[format]()
  const text = reporter(report, options)
  return hasSymbol(text) ? displaySymbols(text) : text
}
