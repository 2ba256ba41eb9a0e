import {describe, expect, it} from 'vitest'
import {renderMarkdown} from '../../src/reporters/markdown.js'
import {cleanReport, sampleReport} from './sample-report.js'

const HOSTILE = 'x | y <script>alert(1)</script> `rm -rf` [click](https://evil.example) @acme/security'

/** Table rows split on the pipes that GFM treats as cell boundaries (unescaped ones). */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| '))
    .map((line) => line.split(/(?<!\\)\|/).slice(1, -1))
}

describe('markdown reporter', () => {
  it('titles the comment with the verdict and tabulates every finding', () => {
    const out = renderMarkdown(sampleReport())
    expect(out.split('\n')[0]).toBe(
      '## acldrift: 2 widenings (1 critical), 1 possible widening, 1 input error',
    )
    const rows = tableRows(out)
    expect(rows).toHaveLength(6)
    expect(rows[0].map((cell) => cell.trim())).toEqual([
      'Severity',
      'Change',
      'Rule',
      'Location',
      'Witness',
      'Actor',
    ])
    expect(rows[2].map((cell) => cell.trim())).toEqual([
      'critical',
      'WIDENING',
      'public-principal',
      'iam/s3/customer-data-bucket.json:14',
      'principal=\\* action=s3:GetObject resource=arn:aws:s3:::acme-customer-data/exports/customers-2025-03.csv aws:SecureTransport=true aws:SourceIp=203.0.113.7',
      'agent: Claude Code (confidence 0.9)',
    ])
  })

  it('details each finding with the full witness and the commit evidence', () => {
    const out = renderMarkdown(sampleReport())
    expect(out.match(/<details>/g)).toHaveLength(4)
    expect(out).toContain(
      '<summary>critical WIDENING: public-principal at iam/s3/customer-data-bucket.json:14</summary>',
    )
    expect(out).toContain('```json\n{\n  "principal": "*",\n  "action": "s3:GetObject",')
    expect(out).toContain(
      '- Commit: 3f9c2ab Sam Rivera &lt;sam.rivera@acme.example&gt; Let the CDN read exported reports',
    )
    expect(out).toContain('  - trailer (strong): Co-Authored-By: Claude &lt;noreply@anthropic.com&gt;')
    expect(out).toContain('### Invalid input (fails closed)')
  })

  it('keeps hostile file names, messages and commit subjects inert', () => {
    const report = sampleReport()
    for (const finding of report.findings) {
      finding.file = `iam/${HOSTILE}.json`
      finding.message = HOSTILE
      if (finding.commit) finding.commit.subject = `${HOSTILE}\n\n</details><img src=x onerror=alert(1)>`
    }
    const out = renderMarkdown(report)
    expect(out).not.toMatch(/<(script|img)/)
    expect(out).not.toMatch(/(^|\W)@acme/)
    // Markdown is not read inside the HTML <summary> line, so only the other lines need Markdown escapes.
    const markdownLines = out.split('\n').filter((line) => !line.startsWith('<summary>'))
    expect(markdownLines.filter((line) => /(^|[^\\])(`rm|\[click)/.test(line))).toEqual([])
    expect(out.match(/<\/details>/g)).toHaveLength(4)
    for (const row of tableRows(out)) expect(row).toHaveLength(6)
    expect(out).toContain('x \\| y &lt;script&gt;alert(1)&lt;/script&gt; \\`rm -rf\\`')
  })

  it('keeps a witness from closing its code block', () => {
    const report = sampleReport()
    report.findings[0].witness = {resource: 'arn:aws:s3:::b/```\n<script>'}
    const out = renderMarkdown(report)
    expect(out).toContain('````json\n{\n  "resource": "arn:aws:s3:::b/```\\n<script>"\n}\n````')
  })

  it('says so clearly when nothing widens', () => {
    const out = renderMarkdown(cleanReport())
    expect(out.split('\n')[0]).toBe('## acldrift: no widening')
    expect(out).toContain('No widening: the target allows nothing that the baseline does not.')
    expect(out).not.toContain('| Severity')
  })
})
