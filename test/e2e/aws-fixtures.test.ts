// Every AWS fixture case (fixtures/aws-iam, fixtures/aws-cli) through the built CLI, as a user
// runs it: one repository holding every case in its own folder, the baselines in one commit and
// the targets in the next, one `acldrift check` over both (its JSON report validated against the
// schema). Each case's findings must be its expected.json's; the cases that fail closed are
// committed after, and a second check must name each of their errors. And every witness of every
// finding must be a request AWS could receive: a concrete action, a resource of one of the
// catalogue's ARN formats for that action (`*` only for actions that take no resource), a
// well-formed principal.

import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {arnFormats} from '../../src/adapters/aws-iam/catalogue.js'
import {runCli} from '../helpers/repo.js'
import {
  type ExpectedCase,
  expectFindings,
  expectProblems,
  filesUnder,
  fixtureCases,
  readExpected,
} from '../adapters/expected-findings.js'
import type {Finding as KernelFinding, InputProblem} from '../../src/kernel/types.js'
import {dump, expectValidReport, type Finding, repoFactory, type Report} from './helpers.js'

const newRepo = repoFactory()
const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url))

interface Case {
  /** the case's folder in the repository (`aws-iam/admin-wildcard`) */
  folder: string
  expected: ExpectedCase
  /** path in the case folder → content, on each side */
  baseline: Map<string, string>
  target: Map<string, string>
}

/** An aws-iam case is one file per side (baseline.json, target.json); a container case, folders of files. */
function casesOf(table: string): Case[] {
  return fixtureCases(join(FIXTURES, table)).map((name) => {
    const dir = join(FIXTURES, table, name)
    const side = (which: 'baseline' | 'target') => {
      const files = new Map<string, string>()
      const single = join(dir, `${which}.json`)
      if (existsSync(single)) files.set('policy.json', readFileSync(single, 'utf8'))
      for (const path of filesUnder(join(dir, which)))
        files.set(path, readFileSync(join(dir, which, path), 'utf8'))
      return files
    }
    return {
      folder: `${table}/${name}`,
      expected: readExpected<ExpectedCase>(dir),
      baseline: side('baseline'),
      target: side('target'),
    }
  })
}

const CASES = [...casesOf('aws-iam'), ...casesOf('aws-cli')]

/** The report's findings and errors of one case, with paths relative to its folder. */
const inCase = <T extends {file: string}>(items: readonly T[], folder: string): T[] =>
  items
    .filter((item) => item.file.startsWith(`${folder}/`))
    .map((item) => ({...item, file: item.file.slice(folder.length + 1)}))

// --- what a request AWS could receive looks like -------------------------------------------------

/** An ARN format of the catalogue (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) as a pattern. */
function formatPattern(format: string): RegExp {
  const parts = format.split(/(\$\{[^}]+\})/)
  const source = parts
    .map((part) => {
      if (!part.startsWith('${')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      if (part === '${Partition}') return 'aws(-cn|-us-gov)?'
      // A format's region and account are values (us-east-1, us-gov-west-1, cn-north-1), never empty.
      if (part === '${Region}') return '[a-z]{2}(-[a-z]+)+-\\d+'
      if (part === '${Account}') return '\\d{12}'
      // A segment's value: no wildcard left (a policy variable kept literal, `${aws:username}`, is text).
      return '[^*?]+'
    })
    .join('')
  return new RegExp(`^${source}$`)
}

// As witnesses write them: `*`, an AWS principal's ARN (a user, role, session or account root),
// `Service:HOST` and `Federated:PROVIDER` (an OIDC or SAML provider's ARN, or a web identity host).
const NAME = '[^*?:]+'
const PRINCIPAL = new RegExp(
  [
    '\\*',
    `arn:aws:iam::\\d{12}:(root|(user|role)/${NAME})`,
    `arn:aws:sts::\\d{12}:(assumed-role|federated-user)/${NAME}`,
    'Service:[a-z0-9.-]+\\.amazonaws\\.com(\\.cn)?',
    `Federated:(arn:aws:iam::\\d{12}:(oidc|saml)-provider/${NAME}|[a-z0-9.-]+\\.[a-z]{2,})`,
  ]
    .map((alternative) => `^${alternative}$`)
    .join('|'),
)

/** What is wrong with a witness as a request, or nothing. */
function witnessProblems(witness: Record<string, unknown>): string[] {
  const problems: string[] = []
  const {action, resource, principal} = witness
  if (typeof action !== 'string' || !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action))
    problems.push(`action ${String(action)} is not one concrete action`)
  if (typeof principal === 'string' && !PRINCIPAL.test(principal))
    problems.push(`principal ${principal} is not a principal AWS knows`)
  if (typeof action === 'string' && typeof resource === 'string') {
    const formats = arnFormats(action.toLowerCase())
    if (formats.length === 0 && resource !== '*' && !resource.startsWith('arn:'))
      problems.push(`resource ${resource} for ${action}, which takes no resource`)
    if (formats.length > 0 && !formats.some((format) => formatPattern(format).test(resource)))
      problems.push(`resource ${resource} fits none of ${action}'s ARN formats (${formats.join(', ')})`)
  }
  // aws:ResourceAccount is the account that owns the resource.
  const owner = (witness.context as Record<string, unknown> | undefined)?.['aws:ResourceAccount']
  const inArn = typeof resource === 'string' ? resource.split(':')[4] : undefined
  if (typeof owner === 'string' && inArn !== undefined && inArn !== '' && inArn !== owner)
    problems.push(
      `resource ${String(resource)} is in account ${inArn}, its context's aws:ResourceAccount ${owner}`,
    )
  return problems
}

describe('every AWS fixture case through the built CLI', () => {
  it('gives the expected findings, errors and notes in one repository, and every witness is a request AWS could receive', async () => {
    const r = await newRepo()
    const failing = CASES.filter((c) => c.expected.errors !== undefined)
    const write = async (c: Case, files: Map<string, string>) => {
      for (const [path, content] of files) await r.write(`${c.folder}/${path}`, content)
    }
    for (const c of CASES) await write(c, c.baseline)
    await r.stage()
    const baseline = await r.commit('Baselines')
    for (const c of CASES.filter((c) => c.expected.errors === undefined)) {
      for (const path of c.baseline.keys())
        if (!c.target.has(path)) await r.git('rm', '--quiet', `${c.folder}/${path}`)
      await write(c, c.target)
    }
    await r.stage()
    const targets = await r.commit('Targets')
    for (const c of failing) await write(c, c.target)
    await r.stage()
    const broken = await r.commit('Targets that fail closed')

    const check = async (from: string, to: string) => {
      const result = await runCli(['check', '--ref', to, '--baseline', from, '--format', 'json'], {
        cwd: r.dir,
      })
      const report = JSON.parse(result.stdout) as Report
      expectValidReport(report)
      return {...result, report}
    }
    const compared = await check(baseline, targets)
    expect(compared.report.errors, JSON.stringify(compared.report.errors)).toEqual([])
    expect(compared.code).toBe(1)
    const witnessIssues: string[] = []
    for (const c of CASES.filter((c) => c.expected.errors === undefined)) {
      const findings = inCase(compared.report.findings, c.folder)
      expectFindings(c.expected.findings ?? [], findings as unknown as KernelFinding[], c.folder)
      for (const note of c.expected.notes ?? [])
        expect(
          compared.report.notes.some((n) => n.includes(note)),
          `${c.folder}: note "${note}" in ${JSON.stringify(compared.report.notes)}`,
        ).toBe(true)
      for (const finding of findings as Finding[])
        if (finding.witness !== null)
          witnessIssues.push(
            ...witnessProblems(finding.witness).map((p) => `${c.folder} (${finding.rule}): ${p}`),
          )
    }
    expect(witnessIssues).toEqual([])

    const failed = await check(targets, broken)
    expect(failed.code, dump(failed)).toBe(3)
    for (const c of failing)
      expectProblems(c.expected.errors!, inCase(failed.report.errors as InputProblem[], c.folder), c.folder)
    expect(
      failed.report.errors.filter((e) => !failing.some((c) => e.file.startsWith(`${c.folder}/`))),
    ).toEqual([])
  }, 120_000)
})
