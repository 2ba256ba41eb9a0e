// A branch as the approved state (`baseline: main`): the agent hook refuses the shell commands
// that would move, delete or shadow it where acldrift's git hooks run (the parser's forms are in
// test/core/agent/bypass.test.ts; these go through Claude Code's hook as init writes it).
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {CLAUDE_PROFILE, ScriptedAgent, setUpAgentRepo} from './scripted-agent.js'

const SLOW = 240_000

describe('a branch as the baseline, inside the agent loop', () => {
  it(
    'refuses moving, deleting or shadowing the baseline branch, and lets other branches move',
    async () => {
      const r = await setUpAgentRepo(CLAUDE_PROFILE)
      // A person makes the branch the approved state.
      const configFile = join(r.dir, 'acldrift.config.yaml')
      const config = await readFile(configFile, 'utf8')
      await writeFile(configFile, config.replace(/^baseline: .*$/m, 'baseline: main'))
      await r.stage('acldrift.config.yaml')
      await r.commit('The approved state is main')
      await r.git('branch', 'feature')
      const agent = new ScriptedAgent(CLAUDE_PROFILE, r)
      const main = (await r.git('rev-parse', 'main')).trim()

      for (const command of [
        'git branch -f main HEAD~1',
        'git checkout -B main HEAD~1',
        'git  switch   --force-create main HEAD~1',
        'git push . HEAD~1:main',
        'git fetch . +HEAD~1:refs/heads/main',
        'git tag main HEAD~1',
        'git branch -D main',
      ]) {
        const outcome = await agent.shell(command)
        expect(outcome.ran, `${command} was not blocked`).toBe(false)
        expect(outcome.told).toContain('the configured baseline')
      }
      expect((await r.git('rev-parse', 'main')).trim()).toBe(main)
      expect((await r.git('tag', '--list')).trim()).toBe('')

      for (const command of [
        'git branch -f feature HEAD~1',
        'git checkout -B topic HEAD~1',
        'git checkout main',
      ]) {
        const outcome = await agent.shell(command)
        expect(outcome.ran, `${command}: ${outcome.told}`).toBe(true)
      }
      expect((await r.git('rev-parse', 'feature')).trim()).not.toBe(main)
    },
    SLOW,
  )
})
