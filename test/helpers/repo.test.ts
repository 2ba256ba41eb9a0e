import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {createRepo, identities, projectRoot, runCli, type TestRepo} from './repo.js'

let repo: TestRepo

beforeEach(async () => {
  repo = await createRepo()
})

afterEach(() => repo.cleanup())

async function lastCommit(): Promise<string[]> {
  return (await repo.git('log', '-1', '--format=%an <%ae>%n%cn <%ce>%n%aI%n%B')).trimEnd().split('\n')
}

describe('test repositories', () => {
  it('start on main with no commits, configured as the human identity, ignoring global config', async () => {
    expect((await repo.git('symbolic-ref', 'HEAD')).trim()).toBe('refs/heads/main')
    expect((await repo.git('config', 'user.email')).trim()).toBe(identities.human.email)
    expect((await repo.git('config', '--show-origin', '--get-all', 'commit.gpgsign')).trim()).toBe(
      'file:.git/config\tfalse',
    )
  })

  it('commit as the local user by default', async () => {
    await repo.write('a.json', '{}')
    await repo.stage('a.json')
    const sha = await repo.commit('add a')
    expect(sha).toMatch(/^[0-9a-f]{40}$/)
    expect((await lastCommit()).slice(0, 2)).toEqual([
      'Alice Example <alice@example.com>',
      'Alice Example <alice@example.com>',
    ])
  })

  it('commit as any identity, with its message markers and a fixed date', async () => {
    const cases = [
      [identities.copilotAgent, 'copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>'],
      [identities.dependabot, 'dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>'],
      [identities.devin, 'Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>'],
    ] as const
    for (const [identity, expected] of cases) {
      await repo.write('a.json', expected)
      await repo.stage()
      await repo.commit(identity.message('change'), {...identity, date: '2026-01-02T03:04:05Z'})
      const [author, committer, date] = await lastCommit()
      expect([author, committer, date]).toEqual([expected, expected, '2026-01-02T03:04:05+00:00'])
    }
  })

  it('commit as Claude Code and aider with their markers', async () => {
    await repo.write('a.json', '1')
    await repo.stage()
    await repo.commit(identities.claudeCode.message('widen'), identities.claudeCode)
    expect(await lastCommit()).toContain('Co-Authored-By: Claude <noreply@anthropic.com>')

    await repo.write('a.json', '2')
    await repo.stage()
    await repo.commit(identities.aider.message('widen again'), identities.aider)
    expect((await lastCommit()).slice(0, 2)).toEqual([
      'Alice Example <alice@example.com>',
      'Alice Example (aider) <alice@example.com>',
    ])
  })

  it('report a failing git command with its output', async () => {
    await expect(repo.git('rev-parse', '--verify', 'nope')).rejects.toThrow(
      /git rev-parse --verify nope exited with 128/,
    )
  })
})

describe('runCli', () => {
  it.skipIf(!existsSync(join(projectRoot, 'dist')))('runs the built CLI in the given directory', async () => {
    const result = await runCli(['--version'], {cwd: repo.dir})
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('acldrift')
  })
})
