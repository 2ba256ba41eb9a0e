import {describe, expect, it} from 'vitest'
import {coveredLength, startTimings, timed} from '../../src/kernel/timings.js'
import {renderTimings} from '../../src/reporters/timings.js'

const tick = () => new Promise((done) => setTimeout(done, 5))

describe('stage timings (--debug)', () => {
  it('counts overlapping runs of a stage once, and gaps not at all', () => {
    expect(coveredLength([])).toBe(0)
    expect(coveredLength([[0, 10]])).toBe(10)
    expect(
      coveredLength([
        [5, 15],
        [0, 10],
      ]),
    ).toBe(15)
    expect(
      coveredLength([
        [0, 10],
        [2, 4],
        [20, 25],
      ]),
    ).toBe(15)
  })

  it('collects the stages of work run inside it, through parallel awaits, and only there', async () => {
    // Outside a collection a stage is just its work.
    expect(await timed('reading', async () => 42)).toBe(42)
    const timings = startTimings()
    await timings.run(async () => {
      await timed('config', tick)
      await Promise.all([timed('reading', tick), timed('reading', tick)])
      await timed('comparing', tick)
    })
    await timed('gate', tick)
    const result = timings.result()
    expect(result.stages.map((s) => [s.stage, s.runs])).toEqual([
      ['config', 1],
      ['reading', 2],
      ['comparing', 1],
    ])
    const reading = result.stages.find((s) => s.stage === 'reading')!
    // Two parallel 5 ms reads take about 5 ms of wall time, not 10.
    expect(reading.ms).toBeGreaterThanOrEqual(4)
    expect(reading.ms).toBeLessThan(result.total)
    expect(result.startup).toBeGreaterThan(0)
  })

  it('keeps what a failed stage took', async () => {
    const timings = startTimings()
    await expect(
      timings.run(() =>
        timed('reading', async () => {
          throw new Error('broken')
        }),
      ),
    ).rejects.toThrow('broken')
    expect(timings.result().stages.map((s) => s.stage)).toEqual(['reading'])
  })

  it('prints one row per stage with its duration, start-up first and the total last', () => {
    const text = renderTimings({
      startup: 61.04,
      stages: [
        {stage: 'config', ms: 1.25, runs: 1},
        {stage: 'reading', ms: 12, runs: 2},
      ],
      total: 20,
    })
    expect(text.split('\n')).toEqual([
      'acldrift --debug: time per stage (stages that run in parallel overlap)',
      '  start-up  61.0 ms',
      '  config    1.3 ms',
      '  reading   12.0 ms (2 runs)',
      '  total     20.0 ms (after start-up)',
      '',
    ])
  })
})
