import {describe, expect, it} from 'vitest'
import {wantsProgress} from '../../src/cli/progress.js'

const terminal = {stderrIsTTY: true, env: {TERM: 'xterm-256color'}}

describe('whether a progress line is drawn', () => {
  it('only for a terminal on standard error', () => {
    expect(wantsProgress(terminal)).toBe(true)
    // The report piped or redirected with standard error: nobody watches a bar there.
    expect(wantsProgress({...terminal, stderrIsTTY: false})).toBe(false)
    expect(wantsProgress({...terminal, env: {TERM: 'dumb'}})).toBe(false)
  })

  it('never in a hook, nor with --quiet', () => {
    expect(wantsProgress({...terminal, hook: true})).toBe(false)
    expect(wantsProgress({...terminal, quiet: true})).toBe(false)
  })

  it('never in CI, whichever variable the service sets; CI=false is not CI', () => {
    for (const env of [{CI: 'true'}, {CI: '1'}, {TF_BUILD: 'True'}, {JENKINS_URL: 'https://ci.example/'}])
      expect(wantsProgress({...terminal, env}), JSON.stringify(env)).toBe(false)
    for (const env of [{CI: 'false'}, {CI: '0'}, {CI: ''}])
      expect(wantsProgress({...terminal, env}), JSON.stringify(env)).toBe(true)
  })
})
