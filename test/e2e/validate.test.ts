// `acldrift validate [PATH…]`: every problem as `file:line:col pointer message`, exit 3; valid files
// exit 0 with a count; named files need no repository.

import {rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, it} from 'vitest'
import {makeTempDir, runCli} from '../helpers/repo.js'
import {commitFiles, repoFactory} from './helpers.js'
import {bucketPolicy, policyText, positionOf, rolePolicy, trustPolicy} from './policies.js'

/** `file:line:col pointer message` (the pointer is left out when there is none). */
const PROBLEM_LINE = /^(?<file>[^:]+):(?<line>\d+):(?<col>\d+) (?<pointer>\/\S*)? ?(?<message>.+)$/

// Both Action and NotAction in the second statement of a role policy.
const bothActions = structuredClone(rolePolicy) as {Statement: Record<string, unknown>[]}
bothActions.Statement[1]!.NotAction = 's3:DeleteBucket'
const BOTH_ACTIONS = policyText(bothActions)

// A missing comma between two members of the first statement.
const MISSING_COMMA = policyText(trustPolicy).replace('"Effect": "Allow",', '"Effect": "Allow"')

describe.concurrent('validate in a repository', () => {
  const newRepo = repoFactory()

  it('valid files: exit 0 and a count', async ({expect}) => {
    const r = await newRepo()
    await commitFiles(r, {
      'iam/bucket.json': policyText(bucketPolicy),
      'iam/role.json': policyText(rolePolicy),
      'iam/trust.json': policyText(trustPolicy),
      'package.json': '{"name": "infra"}\n',
    })
    const result = await runCli(['validate'], {cwd: r.dir})
    expect(result).toMatchObject({code: 0, stderr: ''})
    expect(result.stdout).toMatch(/\b3 documents valid\b/)
  })

  it('a schema error and a JSON syntax error: one line each, every broken file named, exit 3', async ({
    expect,
  }) => {
    const r = await newRepo()
    await commitFiles(r, {
      'iam/bucket.json': policyText(bucketPolicy),
      'iam/role.json': BOTH_ACTIONS,
      'iam/trust.json': MISSING_COMMA,
    })
    const result = await runCli(['validate'], {cwd: r.dir})
    expect(result.code).toBe(3)
    const problems = result.stdout
      .split('\n')
      .map((line) => PROBLEM_LINE.exec(line)?.groups)
      .filter((groups) => groups !== undefined)
      .filter((groups) => groups.file.startsWith('iam/'))
    const schema = problems.find((p) => p.file === 'iam/role.json')
    expect(schema, result.stdout).toBeDefined()
    expect(schema!.pointer).toMatch(/^\/Statement\/1/)
    expect(schema!.message).toMatch(/Action|NotAction/)
    expect(Number(schema!.line)).toBeGreaterThanOrEqual(
      positionOf(BOTH_ACTIONS, '"Sid": "ManageDashboardCache"').line - 1,
    )

    const syntax = problems.find((p) => p.file === 'iam/trust.json')
    expect(syntax, result.stdout).toBeDefined()
    const at = positionOf(MISSING_COMMA, '"Principal"')
    expect([Number(syntax!.line), Number(syntax!.col)]).toEqual([at.line, at.column])
    expect(problems.some((p) => p.file === 'iam/bucket.json')).toBe(false)
    expect(result.stdout).toMatch(/2 files?; 1 valid/)
  })

  it('validates the working tree, tracked files as they are on disk', async ({expect}) => {
    const r = await newRepo()
    await commitFiles(r, {'iam/role.json': policyText(rolePolicy)})
    await r.write('iam/role.json', BOTH_ACTIONS)
    const result = await runCli(['validate'], {cwd: r.dir})
    expect(result.code).toBe(3)
    expect(result.stdout).toMatch(/^iam\/role\.json:\d+:\d+ \/Statement\/1/m)
  })

  it('--format json lists documents and errors', async ({expect}) => {
    const r = await newRepo()
    await commitFiles(r, {'iam/bucket.json': policyText(bucketPolicy), 'iam/role.json': BOTH_ACTIONS})
    const result = await runCli(['validate', '--format', 'json'], {cwd: r.dir})
    expect(result.code).toBe(3)
    const output = JSON.parse(result.stdout)
    expect(output.documents).toEqual([{file: 'iam/bucket.json', kind: 'aws-iam'}])
    expect(output.errors.length).toBeGreaterThan(0)
    for (const error of output.errors) {
      expect(error).toMatchObject({
        file: 'iam/role.json',
        line: expect.any(Number),
        column: expect.any(Number),
      })
      expect(error.pointer).toMatch(/^\/Statement\/1/)
    }
  })
})

describe.concurrent('validate PATH… outside any repository', () => {
  let dir: string
  beforeAll(async () => {
    dir = await makeTempDir('acldrift-validate-')
    await writeFile(join(dir, 'bucket.json'), policyText(bucketPolicy))
    await writeFile(join(dir, 'trust.json'), policyText(trustPolicy))
    await writeFile(join(dir, 'role.json'), BOTH_ACTIONS)
    await writeFile(join(dir, 'broken.json'), MISSING_COMMA)
    await writeFile(join(dir, 'package.json'), '{"name": "infra"}\n')
  })
  afterAll(() => rm(dir, {recursive: true, force: true}))
  const env = () => ({GIT_CEILING_DIRECTORIES: dir})

  it('valid files: exit 0 and a count', async ({expect}) => {
    const result = await runCli(['validate', 'bucket.json', 'trust.json'], {cwd: dir, env: env()})
    expect(result).toMatchObject({code: 0, stderr: ''})
    expect(result.stdout).toMatch(/\b2 documents valid\b/)
  })

  it('an absolute path from another directory', async ({expect}) => {
    const result = await runCli(['validate', join(dir, 'bucket.json')], {cwd: '/', env: env()})
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/\b1 document valid\b/)
  })

  it('a schema error and a syntax error, named as given, exit 3', async ({expect}) => {
    const result = await runCli(['validate', 'bucket.json', 'role.json', 'broken.json'], {
      cwd: dir,
      env: env(),
    })
    expect(result.code).toBe(3)
    const at = positionOf(MISSING_COMMA, '"Principal"')
    expect(result.stdout).toMatch(/^role\.json:\d+:\d+ \/Statement\/1\S* .+$/m)
    expect(result.stdout).toMatch(new RegExp(`^broken\\.json:${at.line}:${at.column} .+$`, 'm'))
    expect(result.stdout).not.toMatch(/^bucket\.json:/m)
  })

  it('a named file that is not a policy is a problem (exit 3)', async ({expect}) => {
    const result = await runCli(['validate', 'package.json'], {cwd: dir, env: env()})
    expect(result.code).toBe(3)
    expect(result.stdout).toMatch(/^package\.json:1:1 .+/m)
  })

  it('a named file that does not exist is a problem (exit 3)', async ({expect}) => {
    const result = await runCli(['validate', 'missing.json'], {cwd: dir, env: env()})
    expect(result.code).toBe(3)
    expect(result.stdout + result.stderr).toContain('missing.json')
  })
})
