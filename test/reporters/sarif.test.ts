import {readFileSync} from 'node:fs'
import {Ajv} from 'ajv'
import addFormats from 'ajv-formats'
import {describe, expect, it} from 'vitest'
import {ruleCatalogue} from '../../src/core/rule-docs.js'
import {renderSarif} from '../../src/reporters/sarif.js'
import {cleanReport, renderedReport, sampleReport} from './sample-report.js'

// The official SARIF 2.1.0 schema (draft-07); see test/vendor/README.md for where it comes from.
const schema = JSON.parse(readFileSync(new URL('../vendor/sarif-schema-2.1.0.json', import.meta.url), 'utf8'))
const ajv = new Ajv({strict: false, allErrors: true})
addFormats.default(ajv)
const validate = ajv.compile(schema)

const rules = ruleCatalogue()
const render = (report: ReturnType<typeof sampleReport>) => renderSarif(report, {color: false, rules})

interface SarifRule {
  id: string
  shortDescription: {text: string}
  fullDescription: {text: string}
  help: {text: string; markdown: string}
  helpUri: string
  defaultConfiguration: {level: string}
  properties: {precision: string; 'security-severity'?: string; tags: string[]}
}

interface SarifLog {
  runs: {
    tool: {driver: {version: string; rules: SarifRule[]}}
    invocations: {
      executionSuccessful: boolean
      toolExecutionNotifications: {level: string; message: {text: string}}[]
    }[]
    results: {
      ruleId: string
      ruleIndex: number
      level: string
      message: {text: string}
      locations: {physicalLocation: {artifactLocation: {uri: string}; region?: {startLine: number}}}[]
      partialFingerprints: Record<string, string>
      properties: Record<string, unknown>
    }[]
  }[]
}

function sarif(report = sampleReport()): SarifLog {
  const text = render(report)
  expect(validate(JSON.parse(text)), ajv.errorsText(validate.errors)).toBe(true)
  return JSON.parse(text) as SarifLog
}

describe('sarif reporter', () => {
  it('validates against the SARIF 2.1.0 schema, with and without findings', () => {
    sarif()
    sarif(cleanReport())
  })

  it('has a schema check that rejects what GitHub would reject', () => {
    const log = JSON.parse(render(sampleReport()))
    log.runs[0].results[0].level = 'critical'
    log.runs[0].results[1].locations[0].physicalLocation.artifactLocation.uri = 'iam/team a.json'
    expect(validate(log)).toBe(false)
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining([
        '/runs/0/results/0/level',
        '/runs/0/results/1/locations/0/physicalLocation/artifactLocation/uri',
      ]),
    )
  })

  it('declares each rule of a kind once and points every result at its rule', () => {
    const [run] = sarif().runs
    const ruleIds = run.tool.driver.rules.map((rule) => rule.id)
    expect(ruleIds).toEqual([
      'aws-iam/public-principal',
      'aws-iam/undecidable-condition',
      'aws-iam/grant-removed',
    ])
    expect(run.results).toHaveLength(4)
    for (const result of run.results) expect(ruleIds[result.ruleIndex]).toBe(result.ruleId)
  })

  it('maps severities to levels, narrowings to notes, and rules to their most severe declared severity', () => {
    const [run] = sarif().runs
    expect(run.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['aws-iam/public-principal', 'error'],
      ['aws-iam/public-principal', 'error'],
      ['aws-iam/undecidable-condition', 'warning'],
      ['aws-iam/grant-removed', 'note'],
    ])
    expect(run.tool.driver.rules.map((rule) => rule.defaultConfiguration.level)).toEqual([
      'error',
      'warning',
      'note',
    ])
  })

  it('puts the witness in the message and keeps the finding id as a fingerprint', () => {
    const [critical] = sarif().runs[0].results
    expect(critical.message.text).toContain('principal=* action=s3:GetObject')
    expect(critical.partialFingerprints).toEqual({
      'acldrift/v1': 'aws-iam:iam/s3/customer-data-bucket.json:public:s3:GetObject',
    })
    expect(critical.properties).toMatchObject({change: 'widening', severity: 'critical'})
    expect(critical.properties.commit).toMatchObject({actor: {agent: 'Claude Code'}})
  })

  it('reports invalid input as failed execution', () => {
    const [invocation] = sarif().runs[0].invocations
    expect(invocation.executionSuccessful).toBe(false)
    expect(invocation.toolExecutionNotifications[0]).toMatchObject({
      level: 'error',
      message: {
        text: 'iam/roles/broken.json:7:19 /Statement/0/Effect must be equal to one of the allowed values: Allow, Deny',
      },
    })
    expect(sarif(cleanReport()).runs[0].invocations[0].executionSuccessful).toBe(true)
  })

  it('omits the region without a line and escapes paths into URI references', () => {
    const report = sampleReport()
    Object.assign(report.findings[0], {file: 'iam/team a/100%#1.json', line: null})
    Object.assign(report.findings[0], {baselineLocation: null})
    const result = sarif(report).runs[0].results.find((r) => r.ruleId === 'aws-iam/grant-removed')
    expect(result?.locations[0].physicalLocation).toEqual({
      artifactLocation: {uri: 'iam/team%20a/100%25%231.json', uriBaseId: '%SRCROOT%'},
    })
  })

  it("describes every rule as GitHub's ingestion asks: descriptions, help, a link to its section, precision", () => {
    for (const rule of sarif().runs[0].tool.driver.rules) {
      const declared = rules[rule.id]!
      expect(rule.shortDescription.text).toBe(declared.title)
      expect(rule.fullDescription.text).toBe(declared.description)
      expect(rule.help.text).toContain(declared.description.replace(/`/g, ''))
      expect(rule.help.markdown).toContain(declared.description)
      expect(rule.help.markdown).toContain(`(${rule.helpUri})`)
      expect(rule.helpUri).toMatch(
        /^https:\/\/github\.com\/acldrift\/acldrift\/blob\/main\/(README|docs\/[\w-]+)\.md#[\w-]+$/,
      )
      expect(['very-high', 'high', 'medium', 'low']).toContain(rule.properties.precision)
    }
    const narrowing = sarif().runs[0].tool.driver.rules.find((r) => r.id === 'aws-iam/grant-removed')!
    expect(narrowing.help.text).not.toContain('approve')
    expect(narrowing.properties['security-severity']).toBeUndefined()
  })

  it("takes a rule's security severity from its declaration, not from what this run found", () => {
    const rule = (report: ReturnType<typeof sampleReport>) =>
      sarif(report).runs[0].tool.driver.rules.find((r) => r.id === 'aws-iam/deny-removed')!
    const report = (severity: 'high' | 'critical') => {
      const r = sampleReport()
      Object.assign(r.findings[1]!, {rule: 'deny-removed', severity})
      return r
    }
    // deny-removed is high, or critical when anyone can make the request: always 9.5 for GitHub.
    expect(rule(report('high')).properties['security-severity']).toBe('9.5')
    expect(rule(report('critical'))).toEqual(rule(report('high')))
  })

  it('puts a finding on a deleted file at its baseline location', () => {
    const report = sampleReport()
    Object.assign(report.findings[0]!, {
      line: null,
      baselineLocation: {file: report.findings[0]!.file, line: 12, pointer: '/Statement/0'},
    })
    const result = sarif(report).runs[0].results.find((r) => r.ruleId === 'aws-iam/grant-removed')
    expect(result?.locations[0].physicalLocation.region).toEqual({startLine: 12})
  })

  it('puts an object rendered from other files where it is written, with the file rendered as a related location', () => {
    const report = renderedReport()
    const result = sarif(report).runs[0].results.find(
      (r) => r.partialFingerprints['acldrift/v1'] === report.findings[0]!.id,
    ) as SarifLog['runs'][0]['results'][0] & {
      relatedLocations: {physicalLocation: {artifactLocation: {uri: string}; region: {startLine: number}}}[]
    }
    expect(result.locations[0].physicalLocation).toMatchObject({
      artifactLocation: {uri: 'deploy/base/pod-reader.yaml'},
      region: {startLine: 6},
    })
    expect(result.relatedLocations[0]!.physicalLocation).toMatchObject({
      artifactLocation: {uri: 'deploy/overlays/prod/kustomization.yaml'},
      region: {startLine: 5},
    })
  })
})
