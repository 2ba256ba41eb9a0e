import {describe, expect, it} from 'vitest'
import type {Approval, Finding, Report} from '../../src/kernel/types.js'
import {MARKDOWN_LIMIT, renderMarkdown} from '../../src/reporters/markdown.js'
import {cleanReport, renderedReport, sampleReport} from './sample-report.js'

const PLAIN = {color: false}

const HOSTILE = 'x | y <script>alert(1)</script> `rm -rf` [click](https://evil.example) @acme/security'

/** Table rows split on the pipes that GFM treats as cell boundaries (unescaped ones). */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| '))
    .map((line) => line.split(/(?<!\\)\|/).slice(1, -1))
}

describe('markdown reporter', () => {
  it('titles the comment with the verdict and tabulates every finding, blocking ones first', () => {
    const out = renderMarkdown(sampleReport(), PLAIN)
    expect(out.split('\n')[0]).toBe(
      '## acldrift fails (3 blocking): 2 widenings (1 critical), 1 possible widening, 1 input error',
    )
    const rows = tableRows(out)
    expect(rows).toHaveLength(6)
    expect(rows[0].map((cell) => cell.trim())).toEqual([
      'ID',
      'Severity',
      'Change',
      'Rule',
      'Location',
      'Witness',
      'Actor',
      'Status',
    ])
    expect(rows[2].map((cell) => cell.trim())).toEqual([
      '`aws-iam:iam/s3/customer-data-bucket.json:public:s3:GetObject`',
      'critical',
      'WIDENING',
      'public-principal',
      'iam/s3/customer-data-bucket.json:14',
      // Short form in the table; the details have the witness in full.
      'principal=\\* action=s3:GetObject resource=arn:aws:s3:::acme-customer-data/exports/customers-2025-03.…',
      'agent: Claude Code (confidence 0.9)',
      'blocking',
    ])
    expect(rows.slice(2).map((row) => row.at(-1)!.trim())).toEqual([
      'blocking',
      'blocking',
      'blocking',
      'informational',
    ])
  })

  it('details each finding with the full witness and the commit evidence', () => {
    const out = renderMarkdown(sampleReport(), PLAIN)
    expect(out.match(/<details>/g)).toHaveLength(4)
    expect(out).toContain(
      '<summary>aws-iam:iam/s3/customer-data-bucket.json:public:s3:GetObject: blocking, critical WIDENING: public-principal at iam/s3/customer-data-bucket.json:14</summary>',
    )
    expect(out).toContain('```json\n{\n  "principal": "*",\n  "action": "s3:GetObject",')
    expect(out).toContain(
      '- Commit: 3f9c2ab Sam Rivera &lt;sam.rivera@acme.example&gt; Let the CDN read exported reports',
    )
    expect(out).toContain('  - trailer (strong): Co-Authored-By: Claude &lt;noreply@anthropic.com&gt;')
    expect(out).toContain('### Invalid input (fails closed)')
  })

  it('places an object rendered from other files where it is written, in its row and its details', () => {
    const out = renderMarkdown(renderedReport(), PLAIN)
    const where =
      'deploy/base/pod-reader.yaml:6 (ClusterRole/prod-pod-reader, rendered by deploy/overlays/prod/kustomization.yaml:5)'
    expect(tableRows(out).some((row) => row.some((cell) => cell.includes(where)))).toBe(true)
    expect(out).toContain(`grant-removed at ${where}</summary>`)
  })

  it('keeps hostile file names, messages and commit subjects inert', () => {
    const report = sampleReport()
    for (const finding of report.findings) {
      finding.file = `iam/${HOSTILE}.json`
      finding.message = HOSTILE
      if (finding.commit) finding.commit.subject = `${HOSTILE}\n\n</details><img src=x onerror=alert(1)>`
    }
    const out = renderMarkdown(report, PLAIN)
    expect(out).not.toMatch(/<(script|img)/)
    expect(out).not.toMatch(/(^|\W)@acme/)
    // Markdown is not read inside the HTML <summary> line, so only the other lines need Markdown escapes.
    const markdownLines = out.split('\n').filter((line) => !line.startsWith('<summary>'))
    expect(markdownLines.filter((line) => /(^|[^\\])(`rm|\[click)/.test(line))).toEqual([])
    expect(out.match(/<\/details>/g)).toHaveLength(4)
    for (const row of tableRows(out)) expect(row).toHaveLength(8)
    expect(out).toContain('x \\| y &lt;script&gt;alert(1)&lt;/script&gt; \\`rm -rf\\`')
  })

  it('keeps a witness from closing its code block', () => {
    const report = sampleReport()
    report.findings[0].witness = {resource: 'arn:aws:s3:::b/```\n<script>'}
    const out = renderMarkdown(report, PLAIN)
    expect(out).toContain('````json\n{\n  "resource": "arn:aws:s3:::b/```\\n<script>"\n}\n````')
  })

  it('says so clearly when nothing widens', () => {
    const out = renderMarkdown(cleanReport(), PLAIN)
    expect(out.split('\n')[0]).toBe('## acldrift passes: no widening')
    expect(out).toContain('No widening: the target allows nothing that the baseline does not.')
    expect(out).not.toContain('| ID')
  })

  it('writes a small report exactly so', () => {
    const out = renderMarkdown(smallReport(), {color: false, root: ROOT})
    expect(out.split('\n')).toEqual([
      '## acldrift fails (1 blocking): 2 widenings (1 critical, 1 approved)',
      '',
      'snapshot:.acldrift/baseline.json (a1b2c3d) → staged, 2 documents',
      '',
      '| ID | Severity | Change | Rule | Location | Witness | Actor | Status |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      '| `9e0d1c2b3a4f5e6d` | critical | WIDENING | public-principal | iam/s3/customer-data-bucket.json:14 | principal=\\* action=s3:GetObject resource=arn:aws:s3:::acme-customer-data/exports/customers-2025-03.… | agent: Claude Code (confidence 0.9) | blocking |',
      '| `3f9c2ab41d0e7c55` | high | WIDENING | public-principal | iam/s3/customer-data-bucket.json:14 | principal=\\* action=s3:ListBucket resource=arn:aws:s3:::acme-customer-data | unknown (confidence 0) | approved until 2026-12-31 |',
      '',
      '<details>',
      '<summary>9e0d1c2b3a4f5e6d: blocking, critical WIDENING: public-principal at iam/s3/customer-data-bucket.json:14</summary>',
      '',
      'Statement "CdnRead" lets anyone on the internet read every object in bucket acme-customer-data.',
      '',
      'Exceeds baseline at iam/s3/customer-data-bucket.json:5',
      '',
      'Witness:',
      '',
      '```json',
      '{',
      '  "principal": "*",',
      '  "action": "s3:GetObject",',
      '  "resource": "arn:aws:s3:::acme-customer-data/exports/customers-2025-03.csv",',
      '  "context": {',
      '    "aws:SecureTransport": true,',
      '    "aws:SourceIp": "203.0.113.7"',
      '  }',
      '}',
      '```',
      '',
      '- Commit: 3f9c2ab Sam Rivera &lt;sam.rivera@acme.example&gt; Let the CDN read exported reports',
      '- Actor: agent: Claude Code (confidence 0.9)',
      '  - trailer (strong): Co-Authored-By: Claude &lt;noreply@anthropic.com&gt;',
      '  - message-marker (high): Generated with \\[Claude Code\\]',
      '',
      '`acldrift explain 9e0d1c2b3a4f5e6d` shows the statements and their diff.',
      '`acldrift approve 9e0d1c2b3a4f5e6d --reason R --expires DATE` approves exactly this access.',
      '',
      '</details>',
      '',
      '<details>',
      '<summary>3f9c2ab41d0e7c55: approved until 2026-12-31, high WIDENING: public-principal at iam/s3/customer-data-bucket.json:14</summary>',
      '',
      'Statement "CdnRead" lets anyone list the keys of bucket acme-customer-data.',
      '',
      'Witness:',
      '',
      '```json',
      '{',
      '  "principal": "*",',
      '  "action": "s3:ListBucket",',
      '  "resource": "arn:aws:s3:::acme-customer-data"',
      '}',
      '```',
      '',
      '- Commit: 9d8e7f6 Jo Chen &lt;jo@acme.example&gt; analytics: tighten prefix condition',
      '- Actor: unknown (confidence 0)',
      '',
      '- Approval: approved by alice@acme.example until 2026-12-31: the CDN lists the exports (SEC-42)',
      '',
      '`acldrift explain 3f9c2ab41d0e7c55` shows the statements and their diff.',
      '',
      '</details>',
      '',
      '_2 widening (1 critical, 1 approved), 0 narrowing, 0 possible widening in 2 documents_',
      '',
    ])
  })

  it("marks what fails by the run's --fail-on, over the report's policy", () => {
    const report = {...sampleReport(), errors: []}
    report.policy = {failOn: 'widening', agents: 'allow'}
    const statuses = (failOn?: 'critical' | 'never') =>
      tableRows(renderMarkdown(report, {...PLAIN, failOn}))
        .slice(2)
        .map((row) => row.at(-1)!.trim())
    expect(statuses()).toEqual(['blocking', 'blocking', 'blocking', 'informational'])
    expect(statuses('critical')).toEqual(['blocking', 'informational', 'informational', 'informational'])
    const passing = renderMarkdown(report, {...PLAIN, failOn: 'never'})
    expect(passing.split('\n')[0]).toBe('## acldrift passes: 2 widenings (1 critical), 1 possible widening')
  })

  it('stays under the limit with 300 findings, and says how many more the other reports hold', () => {
    const findings = Array.from({length: 300}, (_, i) =>
      bulkFinding(i, i % 3 === 0 ? 'blocking' : 'approved'),
    )
    const out = renderMarkdown(bulkReport(findings), PLAIN)
    expect(out.length).toBeLessThan(MARKDOWN_LIMIT)
    const shown = tableRows(out).slice(2)
    expect(shown.length).toBeGreaterThan(10)
    expect(out.match(/<details>/g)).toHaveLength(shown.length)
    // 100 blocking, more than fit: every row shown is a blocking one.
    expect(new Set(shown.map((row) => row.at(-1)!.trim()))).toEqual(new Set(['blocking']))
    const lines = out.trimEnd().split('\n')
    expect(lines.at(-1)).toBe(
      `**${300 - shown.length} more findings: see the SARIF/JSON report** (${100 - shown.length} of them blocking)`,
    )
    expect(lines.at(-3)).toMatch(/^_300 widening .* in 300 documents_$/)
  })

  it('stays under the limit however much room the last finding leaves', () => {
    for (let length = 0; length < 3_000; length += 37) {
      const message = 'm'.repeat(length)
      const findings = Array.from({length: 300}, (_, i) => ({...bulkFinding(i, 'blocking'), message}))
      const out = renderMarkdown({...sampleReport(), ...bulkReport(findings)}, PLAIN)
      expect(out.length, `messages of ${length} characters`).toBeLessThanOrEqual(MARKDOWN_LIMIT)
      // Full: the next finding would not have fitted.
      expect(MARKDOWN_LIMIT - out.length).toBeLessThan(out.length / tableRows(out).slice(2).length)
    }
  })

  it('never drops a blocking finding before an informational one, even a less severe one', () => {
    // Low-severity agent widenings block under agents: require-approval; the critical ones are approved,
    // the high ones are below failOn.
    const findings = Array.from({length: 300}, (_, i) =>
      bulkFinding(i, i >= 295 ? 'blocking' : i % 2 === 0 ? 'approved' : 'informational'),
    )
    const out = renderMarkdown(bulkReport(findings), PLAIN)
    expect(out.length).toBeLessThan(MARKDOWN_LIMIT)
    const statuses = tableRows(out)
      .slice(2)
      .map((row) => row.at(-1)!.trim())
    expect(statuses.slice(0, 5)).toEqual(Array(5).fill('blocking'))
    expect(statuses.slice(5).every((status) => status !== 'blocking')).toBe(true)
    expect(statuses.slice(5, 7)).toEqual(['informational', 'informational'])
    expect(out.trimEnd().split('\n').at(-1)).toBe(
      `**${300 - statuses.length} more findings: see the SARIF/JSON report**`,
    )
  })

  it('keeps within the limit when errors, notes and single fields are huge', () => {
    const findings = Array.from({length: 300}, (_, i) => ({
      ...bulkFinding(i, 'blocking'),
      message: `${'&<'.repeat(20_000)}`,
      witness: {resource: 'x'.repeat(50_000)},
    }))
    const report = {
      ...bulkReport(findings),
      errors: Array.from({length: 1_000}, (_, i) => ({
        file: `iam/broken-${i}.json`,
        message: '|'.repeat(5_000),
      })),
      notes: Array.from({length: 1_000}, (_, i) => `note ${i} ${'*'.repeat(5_000)}`),
    }
    const out = renderMarkdown(report, PLAIN)
    expect(out.length).toBeLessThan(MARKDOWN_LIMIT)
    expect(tableRows(out).length).toBeGreaterThan(2)
    expect(out).toMatch(/^- … \d+ more input errors: see the JSON report$/m)
    expect(out).toMatch(/^- … \d+ more notes: see the JSON report$/m)
    // A cut never leaves half an entity or a backslash that escapes the ellipsis.
    expect(out).not.toMatch(/&[a-z]*…|(^|[^\\])(\\\\)*\\…/m)
  })
})

const ROOT = '/home/runner/work/acme/acme'

/** Two widenings, one approved, with absolute runner paths for the baseline and one finding's file. */
function smallReport(): Report {
  const sample = sampleReport()
  const [, listBucket, getObject, analytics] = sample.findings as [Finding, Finding, Finding, Finding]
  return {
    ...sample,
    baseline: {source: `snapshot:${ROOT}/.acldrift/baseline.json`, commit: sample.baseline.commit},
    summary: {documents: 2, widening: 2, narrowing: 0, possibleWidening: 0, invalid: 0},
    findings: [
      {
        ...listBucket,
        id: '3f9c2ab41d0e7c55',
        commit: analytics.commit,
        approval: approval('3f9c2ab41d0e7c55'),
      },
      {...getObject, id: '9e0d1c2b3a4f5e6d', file: `${ROOT}/${getObject.file}`},
    ],
    errors: [],
    notes: [],
  }
}

function approval(id: string): Approval {
  return {
    source: 'approvals-file',
    id,
    approver: 'alice@acme.example',
    reason: 'the CDN lists the exports',
    ticket: 'SEC-42',
    expires: '2026-12-31',
    created: '2026-12-01',
    valid: true,
    status: 'valid',
    why: 'alice@acme.example is an approver',
    commit: null,
  }
}

/**
 * Finding `i` of a large report, in its own file. Under the bulk policy (failOn high, agents
 * require-approval): `blocking` is a low widening by an agent, `approved` a critical widening
 * with a valid approval, `informational` a medium widening by a person.
 */
function bulkFinding(i: number, status: 'blocking' | 'approved' | 'informational'): Finding {
  const [, , getObject] = sampleReport().findings as [Finding, Finding, Finding, Finding]
  const id = `${String(i).padStart(4, '0')}${'0'.repeat(12)}`
  const person = {...getObject.commit!, actor: {type: 'human' as const, confidence: 0.8, evidence: []}}
  return {
    ...getObject,
    id,
    file: `iam/s3/bucket-${i}.json`,
    severity: status === 'blocking' ? 'low' : status === 'approved' ? 'critical' : 'medium',
    commit: status === 'informational' ? person : getObject.commit,
    approval: status === 'approved' ? approval(id) : null,
  }
}

function bulkReport(findings: Finding[]): Report {
  return {
    ...sampleReport(),
    policy: {failOn: 'high', agents: 'require-approval'},
    summary: {documents: 300, widening: findings.length, narrowing: 0, possibleWidening: 0, invalid: 0},
    findings,
    errors: [],
    notes: [],
  }
}
