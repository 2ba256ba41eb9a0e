// `--debug`: the time of each stage of a run, as a table for standard error.

import type {Timings} from '../kernel/timings.js'

export function renderTimings(timings: Timings): string {
  const rows: [string, string][] = [
    ['start-up', ms(timings.startup)],
    ...timings.stages.map(({stage, ms: time, runs}): [string, string] => [
      stage,
      runs === 1 ? ms(time) : `${ms(time)} (${runs} runs)`,
    ]),
    ['total', `${ms(timings.total)} (after start-up)`],
  ]
  const width = Math.max(...rows.map(([stage]) => stage.length))
  return [
    'acldrift --debug: time per stage (stages that run in parallel overlap)',
    ...rows.map(([stage, time]) => `  ${stage.padEnd(width)}  ${time}`),
    '',
  ].join('\n')
}

const ms = (time: number) => `${time.toFixed(1)} ms`
