// Repository size must not change what acldrift does. A baseline snapshot grows with the
// repository: once it passed the 10 MiB input limit, every `check` failed with exit 3 and
// every commit was blocked. The limit is for input policies, not for acldrift's own files.
// Real sizes, not a lowered limit: the repository here is generated just large enough.

import {stat} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, it} from 'vitest'
import {identities, runCli, runHermetic, type RunResult} from '../helpers/repo.js'
import {checkJson, repoFactory} from './helpers.js'

const newRepo = repoFactory()
const dump = (result: RunResult) => `exit ${result.code}\n${result.stderr}${result.stdout}`

const INPUT_LIMIT = 10 * 1024 * 1024
// Many mid-sized policies, as repositories have them: over the limit together, each far below it.
const FILES = 96
const STATEMENTS = 300

/**
 * A team's S3 access policy of STATEMENTS statements, in the IAM policy grammar
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
 */
function teamPolicy(team: number, extra: object[] = []): string {
  const Statement = Array.from({length: STATEMENTS}, (_, i) => ({
    Sid: `ReadWritePrefix${i}`,
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:PutObject'],
    Resource: `arn:aws:s3:::team-${team}-data/prefix-${i}/*`,
    Condition: {StringEquals: {'aws:PrincipalTag/team': `team-${team}`}},
  }))
  return `${JSON.stringify({Version: '2012-10-17', Statement: [...Statement, ...extra]}, null, 2)}\n`
}

/** The deployment role's policy, which the widening goes to. */
function deployPolicy(extra: object[] = []): string {
  const deploy = {
    Sid: 'Deploy',
    Effect: 'Allow',
    Action: ['s3:PutObject'],
    Resource: 'arn:aws:s3:::releases/*',
  }
  return `${JSON.stringify({Version: '2012-10-17', Statement: [deploy, ...extra]}, null, 2)}\n`
}

describe('a repository whose baseline snapshot is larger than the input limit', () => {
  it('gets a working hook: init, then commits through the hooks pass or are blocked on their merits, never exit 3', async ({
    expect,
  }) => {
    const r = await newRepo()
    for (let team = 0; team < FILES; team++) await r.write(`iam/team-${team}.json`, teamPolicy(team))
    await r.write('iam/deploy.json', deployPolicy())
    await r.write('README.md', '# data platform\n')
    await r.stage()
    await r.commit('Team policies')

    const init = await runCli(['init', '--hook', 'git'], {cwd: r.dir})
    expect(init.code, dump(init)).toBe(0)
    const size = (await stat(join(r.dir, '.acldrift', 'baseline.json'))).size
    // The test means something only if the snapshot is over the limit its input files stay under.
    expect(size).toBeGreaterThan(INPUT_LIMIT)

    const git = (...args: string[]) => runHermetic('git', args, {cwd: r.dir})
    await r.stage()
    const setUp = await git('commit', '-m', 'Set up acldrift')
    expect(setUp.code, dump(setUp)).toBe(0)

    // An ordinary commit goes through the hooks.
    await r.write('README.md', '# data platform\n\nOwned by the platform team.\n')
    await r.stage('README.md')
    const plain = await git('commit', '-m', 'Say who owns it')
    expect(plain.code, dump(plain)).toBe(0)

    // A widening is blocked, as a widening.
    const everything = {Sid: 'Everything', Effect: 'Allow', Action: 's3:*', Resource: '*'}
    await r.write('iam/deploy.json', deployPolicy([everything]))
    await r.stage('iam/deploy.json')
    const widening = await runHermetic('git', ['commit', '-m', identities.claudeCode.message('Fix access')], {
      cwd: r.dir,
    })
    expect(widening.code, dump(widening)).toBe(1)
    expect(widening.stderr).toContain('acldrift: commit blocked')
    expect(widening.stderr).not.toContain('file too large')

    // The whole working tree against the snapshot reads it too (the gate reads the file itself).
    const full = await checkJson(r.dir)
    expect(full.code, dump(full)).toBe(1)
    expect(full.report.errors).toEqual([])
    expect(full.report.findings.map((f) => `${f.file} ${f.change}`)).toContain('iam/deploy.json widening')
  }, 300_000)
})
