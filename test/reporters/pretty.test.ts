import {describe, expect, it} from 'vitest'
import {renderPretty} from '../../src/reporters/pretty.js'
import {cleanReport, renderedReport, sampleReport} from './sample-report.js'

const plain = (report = sampleReport()) => renderPretty(report, {color: false})

describe('pretty reporter', () => {
  it('prints no ANSI escape without colour, and colours when asked', () => {
    expect(plain()).not.toContain('\u001b')
    expect(plain(cleanReport())).not.toContain('\u001b')
    expect(renderPretty(sampleReport(), {color: true})).toContain('\u001b[')
  })

  it('shows where, what and who for each finding', () => {
    const out = plain()
    expect(out).toContain('acldrift 0.1.0: .acldrift/baseline.json (a1b2c3d) → staged, 5 documents')
    expect(out).toContain('[CRITICAL] WIDENING  public-principal  iam/s3/customer-data-bucket.json:14')
    expect(out).toContain(
      [
        '      principal:           *',
        '      action:              s3:GetObject',
        '      resource:            arn:aws:s3:::acme-customer-data/exports/customers-2025-03.csv',
        '      aws:SecureTransport: true',
        '      aws:SourceIp:        203.0.113.7',
      ].join('\n'),
    )
    expect(out).toContain(
      'commit: 3f9c2ab Sam Rivera <sam.rivera@acme.example> Let the CDN read exported reports',
    )
    expect(out).toContain('actor:  agent: Claude Code (confidence 0.9)')
    expect(out).toContain('- trailer (strong): Co-Authored-By: Claude <noreply@anthropic.com>')
    expect(out).toContain('reason: Condition operator "StringLikeIfExistz" is unknown')
  })

  it('lists widenings first, by severity, grouped by file', () => {
    const out = plain()
    const order = [
      '[CRITICAL] WIDENING',
      '[HIGH]     WIDENING',
      '[MEDIUM]   possible widening',
      '[LOW]      narrowing',
    ]
    const positions = order.map((text) => out.indexOf(text))
    expect(positions.every((position) => position >= 0)).toBe(true)
    expect([...positions].sort((a, b) => a - b)).toEqual(positions)
    expect(out.match(/^iam\/s3\/customer-data-bucket\.json$/gm)).toHaveLength(1)
  })

  it('ends with errors, notes and the summary line', () => {
    const out = plain()
    expect(out).toContain(
      'Invalid input (fails closed):\n  iam/roles/broken.json:7:19 /Statement/0/Effect must be equal to one of the allowed values: Allow, Deny',
    )
    expect(out).toContain('Notes:\n  - Action "s3:GetObjectTorrentz" is not in the IAM action catalogue')
    expect(out.trimEnd().split('\n').at(-1)).toBe(
      '2 widening (1 critical), 1 narrowing, 1 possible widening in 5 documents, 1 invalid',
    )
    expect(out).not.toContain('No widening')
  })

  it('names files relative to the folder it runs in, as git status does', () => {
    const from = (folder: string) => renderPretty(sampleReport(), {color: false, from: folder})
    expect(from('')).toBe(plain())
    const inS3 = from('iam/s3')
    expect(inS3).toContain('[CRITICAL] WIDENING  public-principal  customer-data-bucket.json:14')
    expect(inS3.match(/^customer-data-bucket\.json$/gm)).toHaveLength(1)
    expect(inS3).toContain('Invalid input (fails closed):\n  ../roles/broken.json:7:19 ')
    // Finding ids keep the repository path; locations do not.
    expect(inS3).not.toMatch(/(^| )iam\/s3\/customer-data-bucket\.json/m)
    const outside = from('docs')
    expect(outside).toContain('[CRITICAL] WIDENING  public-principal  ../iam/s3/customer-data-bucket.json:14')
    expect(outside).toContain('  ../iam/roles/broken.json:7:19 ')
  })

  it('names an object rendered from other files where it is written, then the object and the file rendered', () => {
    const report = renderedReport()
    expect(plain(report)).toContain(
      'deploy/base/pod-reader.yaml:6 (ClusterRole/prod-pod-reader, rendered by deploy/overlays/prod/kustomization.yaml:5)',
    )
    expect(renderPretty(report, {color: false, from: 'deploy/overlays'})).toContain(
      '../base/pod-reader.yaml:6 (ClusterRole/prod-pod-reader, rendered by prod/kustomization.yaml:5)',
    )
  })

  it('says so clearly when nothing widens', () => {
    expect(plain(cleanReport())).toContain(
      'No widening: the target allows nothing that the baseline does not.',
    )
  })

  it('shows control characters from the repository instead of sending them to the terminal', () => {
    const report = sampleReport()
    report.findings[1].commit!.subject = 'fix\u001b]52;c;ZXZpbA==\u0007 \u202eedoc'
    const out = plain(report)
    expect(out).not.toContain('\u001b')
    expect(out).toContain('fix\\u001b]52;c;ZXZpbA==\\u0007 \\u202eedoc')
  })
})
