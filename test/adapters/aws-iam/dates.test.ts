// AWS reads a date without a zone as UTC (issue 15 item 3): the verdict must not depend on the
// machine's time zone. JavaScript's Date.parse reads `2024-01-01T00:00:00` in local time, so each
// case runs under UTC and under a zone five hours ahead of it (Node re-reads TZ when it changes).

import {afterAll, describe, expect, it} from 'vitest'
import {compareIamFile} from '../../../src/adapters/aws-iam/compare.js'
import {parseDate} from '../../../src/adapters/aws-iam/conditions.js'
import type {ParsedFile} from '../../../src/kernel/types.js'

const ZONES = ['UTC', 'Asia/Karachi']
const original = process.env.TZ
afterAll(() => {
  if (original === undefined) delete process.env.TZ
  else process.env.TZ = original
})

const parsed = (value: unknown): ParsedFile => ({
  path: 'policy.json',
  value,
  hash: '0',
  sourceMap: {locate: () => ({line: 1, column: 1})},
})

/** A temporary grant until a date written without a zone. */
const until = (date: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::acme-audit/*',
      Condition: {DateLessThan: {'aws:CurrentTime': date}},
    },
  ],
})

describe.each(ZONES)('dates under TZ=%s', (zone) => {
  it('reads a date or date-time without a zone as UTC, and keeps explicit offsets', () => {
    process.env.TZ = zone
    expect(parseDate('2024-01-01T00:00:00')).toBe(Date.UTC(2024, 0, 1))
    expect(parseDate('2024-01-01')).toBe(Date.UTC(2024, 0, 1))
    expect(parseDate('2024-01-01T05:00:00+05:00')).toBe(Date.UTC(2024, 0, 1))
    expect(parseDate('2024-01-01T05:00:00+0500')).toBe(Date.UTC(2024, 0, 1))
    expect(parseDate('1704067200')).toBe(Date.UTC(2024, 0, 1))
  })

  it('gives the same verdict and witness whatever the zone', () => {
    process.env.TZ = zone
    // The same instant, written without a zone and in UTC: no change.
    const same = compareIamFile(
      'policy.json',
      parsed(until('2024-01-01T00:00:00')),
      parsed(until('2024-01-01T00:00:00Z')),
    )
    expect(same.findings).toEqual([])
    // Five hours later: a widening whose witness lies in those five hours, in UTC.
    const later = compareIamFile(
      'policy.json',
      parsed(until('2024-01-01T00:00:00')),
      parsed(until('2024-01-01T05:00:00')),
    )
    expect(later.findings.map((f) => f.change)).toEqual(['widening'])
    const time = Date.parse(
      String((later.findings[0]!.witness!.context as Record<string, string>)['aws:CurrentTime']),
    )
    expect(time).toBeGreaterThanOrEqual(Date.UTC(2024, 0, 1))
    expect(time).toBeLessThan(Date.UTC(2024, 0, 1, 5))
  })
})
