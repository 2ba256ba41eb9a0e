import {describe, expect, it, vi} from 'vitest'
import {ruleCatalogue} from '../../src/core/rule-docs.js'
import {FORMATS, render} from '../../src/reporters/index.js'
import {sampleReport} from './sample-report.js'

// Proves chalk is loaded only by the pretty reporter: any other import of it fails.
vi.mock('chalk', () => {
  throw new Error('chalk must load only with the pretty reporter')
})

describe('render', () => {
  it('renders json, sarif and markdown without loading chalk', async () => {
    for (const format of FORMATS.filter((f) => f !== 'pretty')) {
      const out = await render(format, sampleReport(), {color: false, rules: ruleCatalogue()})
      expect(out.endsWith('\n')).toBe(true)
      expect(out).toContain('iam/s3/customer-data-bucket.json')
    }
  })

  it('loads chalk for pretty', async () => {
    await expect(render('pretty', sampleReport(), {color: false})).rejects.toThrow(
      /error when mocking a module/,
    )
  })
})
