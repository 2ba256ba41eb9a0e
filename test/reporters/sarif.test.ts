import {readFileSync} from 'node:fs'
import {Ajv} from 'ajv'
import addFormats from 'ajv-formats'
import {describe, expect, it} from 'vitest'
import {renderSarif} from '../../src/reporters/sarif.js'
import {cleanReport, sampleReport} from './sample-report.js'

// The official SARIF 2.1.0 schema (draft-07); see test/vendor/README.md for where it comes from.
const schema = JSON.parse(readFileSync(new URL('../vendor/sarif-schema-2.1.0.json', import.meta.url), 'utf8'))
const ajv = new Ajv({strict: false, allErrors: true})
addFormats.default(ajv)
const validate = ajv.compile(schema)

interface SarifLog {
  runs: {
    tool: {driver: {version: string; rules: {id: string; defaultConfiguration: {level: string}}[]}}
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
  const text = renderSarif(report)
  expect(validate(JSON.parse(text)), ajv.errorsText(validate.errors)).toBe(true)
  return JSON.parse(text) as SarifLog
}

describe('sarif reporter', () => {
  it('validates against the SARIF 2.1.0 schema, with and without findings', () => {
    sarif()
    sarif(cleanReport())
  })

  it('has a schema check that rejects what GitHub would reject', () => {
    const log = JSON.parse(renderSarif(sampleReport()))
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

  it('declares each rule name once and points every result at its rule', () => {
    const [run] = sarif().runs
    const ruleIds = run.tool.driver.rules.map((rule) => rule.id)
    expect(ruleIds).toEqual(['public-principal', 'unknown-condition-operator', 'grant-removed'])
    expect(run.results).toHaveLength(4)
    for (const result of run.results) expect(ruleIds[result.ruleIndex]).toBe(result.ruleId)
  })

  it('maps severities to levels, narrowings to notes, and rules to their most severe use', () => {
    const [run] = sarif().runs
    expect(run.results.map((r) => [r.ruleId, r.level])).toEqual([
      ['public-principal', 'error'],
      ['public-principal', 'error'],
      ['unknown-condition-operator', 'warning'],
      ['grant-removed', 'note'],
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
    const result = sarif(report).runs[0].results.find((r) => r.ruleId === 'grant-removed')
    expect(result?.locations[0].physicalLocation).toEqual({
      artifactLocation: {uri: 'iam/team%20a/100%25%231.json', uriBaseId: '%SRCROOT%'},
    })
  })
})
