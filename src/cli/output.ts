// Where reports go: standard output or --output FILE (written atomically).

import {resolve} from 'node:path'
import {writeFileAtomic} from '../core/atomic.js'
import type {Report} from '../core/types.js'
import {type Format, render} from '../reporters/index.js'

export interface OutputOptions {
  format?: string
  output?: string
  color?: boolean
}

/** Colour only for a terminal, never into a file, and never when NO_COLOR is set (unless --color). */
export function wantsColor(options: OutputOptions): boolean {
  if (options.output !== undefined) return false
  if (options.color !== undefined) return options.color
  return process.stdout.isTTY === true && !process.env.NO_COLOR
}

export async function emitReport(report: Report, options: OutputOptions): Promise<void> {
  const text = await render((options.format ?? 'pretty') as Format, report, {color: wantsColor(options)})
  await emitText(text, options.output)
}

export async function emitText(text: string, output: string | undefined): Promise<void> {
  if (output !== undefined) await writeFileAtomic(resolve(output), text)
  else
    await new Promise<void>((done, fail) =>
      process.stdout.write(text, (error) => (error ? fail(error) : done())),
    )
}
