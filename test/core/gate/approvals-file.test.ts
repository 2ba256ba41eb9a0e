// The approvals file: written by `acldrift approve`, read by the gate.
import {describe, expect, it} from 'vitest'
import {sameEntry, withEntry} from '../../../src/core/gate/approvals-file.js'
import {entry} from './samples.js'

describe('the approvals file', () => {
  it('adds an entry, keeping comments, and replaces one with the same id', () => {
    const first = withEntry('# ours\nversion: 1\napprovals: []\n', entry())
    expect(first.replaced).toBe(false)
    expect(first.text).toContain('# ours')
    const renewed = withEntry(first.text, entry({expires: '2027-01-31'}))
    expect(renewed.replaced).toBe(true)
    expect(renewed.text.match(/id: 3f9c2ab41d0e7c55/g)).toHaveLength(1)
    expect(renewed.text).toContain('expires: 2027-01-31')
  })

  it('treats any edit of an entry as a new approval', () => {
    expect(sameEntry(entry(), {...entry()})).toBe(true)
    expect(sameEntry(entry(), entry({reason: 'other'}))).toBe(false)
    expect(sameEntry(entry(), entry({expires: '2027-01-01'}))).toBe(false)
  })
})
