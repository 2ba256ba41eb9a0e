import {describe, expect, test} from 'vitest'
import {
  agentTrailer,
  classifyActor,
  detectRuntimeAgent,
  type ActorConfig,
} from '../../../src/core/actors/classify.js'
import type {CommitEvidence} from '../../../src/core/actors/evidence.js'

const human = (message: string, more: Partial<CommitEvidence> = {}): CommitEvidence => ({
  authorName: 'Jane Doe',
  authorEmail: 'jane@example.com',
  committerName: 'Jane Doe',
  committerEmail: 'jane@example.com',
  message,
  ...more,
})
const signals = (c: CommitEvidence, config?: ActorConfig) =>
  classifyActor(c, config).evidence.map((e) => e.signal)

const CONFIG: ActorConfig = {
  humans: [{name: 'Jane Doe', emails: ['Jane@Example.com']}],
  agents: [{name: 'Acme Bot', emails: ['acme-bot@acme.test'], trailers: ['X-Acme-Agent-Run']}],
  automation: [{name: 'Release train', emails: ['release@acme.test']}],
}

describe('humans are named only when the team lists them', () => {
  test('a plain human commit is unknown, not human', () => {
    expect(classifyActor(human('Allow reports role to read exports\n'))).toEqual({
      type: 'unknown',
      confidence: 0,
      evidence: [],
    })
  })

  test('a human listed in the config is human', () => {
    const actor = classifyActor(human('Allow reports role to read exports\n'), CONFIG)
    expect(actor).toEqual({
      type: 'human',
      confidence: 0.9,
      evidence: [{signal: 'listed-human', detail: 'author email: jane@example.com', strength: 'high'}],
    })
  })

  test('a listed human with an agent co-author is the agent', () => {
    const actor = classifyActor(
      human('Widen bucket policy\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n'),
      CONFIG,
    )
    expect(actor.type).toBe('agent')
    expect(actor.agent).toBe('Claude Code')
    expect(actor.evidence.map((e) => e.signal)).toEqual(['listed-human', 'claude-code-coauthor'])
  })

  test('a human named Claude Shannon is not an agent', () => {
    const c = human('Add lab bucket\n', {
      authorName: 'Claude Shannon',
      authorEmail: 'claude@example.org',
      committerName: 'Claude Shannon',
      committerEmail: 'claude@example.org',
    })
    expect(classifyActor(c).type).toBe('unknown')
  })

  test('a forged x@users.noreply.github.com is no evidence', () => {
    const c = human('Open the bucket\n', {
      authorName: 'copilot-swe-agent[bot]',
      authorEmail: 'x@users.noreply.github.com',
    })
    expect(classifyActor(c)).toEqual({type: 'unknown', confidence: 0, evidence: []})
  })
})

describe('agents', () => {
  test('Claude Code: co-author trailer and footer', () => {
    const actor = classifyActor(
      human(
        [
          'Grant the analytics role read access to reports',
          '',
          'The dashboard job reads s3://reports/* nightly.',
          '',
          '🤖 Generated with [Claude Code](https://claude.com/claude-code)',
          '',
          'Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>',
          '',
        ].join('\n'),
      ),
    )
    expect(actor).toMatchObject({type: 'agent', agent: 'Claude Code', confidence: 0.85})
    expect(actor.evidence).toEqual([
      {
        signal: 'claude-code-coauthor',
        detail: 'Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>',
        strength: 'medium',
      },
      {
        signal: 'claude-code-footer',
        detail: '🤖 Generated with [Claude Code](https://claude.com/claude-code)',
        strength: 'weak',
      },
    ])
  })

  test('Copilot coding agent as bot author', () => {
    const actor = classifyActor({
      authorName: 'copilot-swe-agent[bot]',
      authorEmail: '198982749+Copilot@users.noreply.github.com',
      committerName: 'GitHub',
      committerEmail: 'noreply@github.com',
      message: [
        'Add read access for the exporter service account',
        '',
        'Co-authored-by: jdoe <1234567+jdoe@users.noreply.github.com>',
        'Agent-Logs-Url: https://github.com/acme/infra/sessions/0b5c8f7e-4a1d-4c3e-9d2a-6f1e2b3c4d5e',
      ].join('\n'),
    })
    expect(actor).toMatchObject({type: 'agent', agent: 'GitHub Copilot coding agent', confidence: 0.98})
    expect(actor.evidence.map((e) => e.signal)).toEqual(['copilot-agent-author', 'copilot-agent-logs-url'])
  })

  test('Cursor trailer', () => {
    const actor = classifyActor(human('Relax the RBAC role for deployers\n\nMade-with: Cursor\n'))
    expect(actor).toMatchObject({type: 'agent', agent: 'Cursor', confidence: 0.75})
  })

  test('Aider: committer name suffix (aider commits with --no-verify, so this is what is left)', () => {
    const actor = classifyActor(
      human('feat: Allow public read on assets bucket\n', {committerName: 'Jane Doe (aider)'}),
    )
    expect(actor).toMatchObject({type: 'agent', agent: 'Aider', confidence: 0.9})
    expect(actor.evidence).toEqual([
      {signal: 'aider-committer-name', detail: 'committer name: Jane Doe (aider)', strength: 'high'},
    ])
  })

  test('Devin bot author with its footer', () => {
    const actor = classifyActor({
      authorName: 'Devin AI',
      authorEmail: '158243242+devin-ai-integration[bot]@users.noreply.github.com',
      committerName: 'Devin AI',
      committerEmail: '158243242+devin-ai-integration[bot]@users.noreply.github.com',
      message: 'Grant ci role iam:PassRole\n\nGenerated with [Devin](https://cli.devin.ai/docs)\n',
    })
    expect(actor).toMatchObject({type: 'agent', agent: 'Devin', confidence: 0.94})
    // The same address as author and committer counts once.
    expect(actor.evidence.map((e) => e.signal)).toEqual(['devin-bot-author', 'devin-footer'])
  })

  test('GitHub squash merge: co-authors after the --------- separator still count', () => {
    const message = [
      'Tighten and extend bucket access for reports (#142)',
      '',
      '* Allow analytics role to read reports',
      '',
      '* Widen principal for the export job',
      '',
      '---------',
      '',
      'Co-authored-by: Claude <noreply@anthropic.com>',
      'Co-authored-by: Dana Reyes <dana@example.com>',
    ].join('\n')
    const actor = classifyActor(
      human(message, {committerName: 'GitHub', committerEmail: 'noreply@github.com'}),
    )
    expect(actor).toMatchObject({type: 'agent', agent: 'Claude Code', confidence: 0.75})
    expect(actor.evidence).toEqual([
      {
        signal: 'claude-code-coauthor',
        detail: 'Co-authored-by: Claude <noreply@anthropic.com>',
        strength: 'medium',
      },
    ])
  })

  test('Assisted-by names the agent from its value', () => {
    const actor = classifyActor(human('Add role\n\nAssisted-by: Claude:claude-3-opus coccinelle\n'))
    expect(actor).toMatchObject({type: 'agent', agent: 'Claude', confidence: 0.75})
  })

  test('git-ai note names the agent from agent_id.tool', () => {
    const notes =
      '---\n{"schema_version":"authorship/3.0.0","prompts":{"p1":{"agent_id":{"tool":"github-copilot","model":"gpt-5"}}}}'
    expect(classifyActor(human('Add role\n', {notes}))).toMatchObject({
      type: 'agent',
      agent: 'GitHub Copilot',
    })
  })

  test('a team-listed agent: email and trailer', () => {
    expect(classifyActor(human('x\n', {authorEmail: 'ACME-BOT@acme.test'}), CONFIG)).toMatchObject({
      type: 'agent',
      agent: 'Acme Bot',
      confidence: 0.9,
    })
    expect(signals(human('x\n\nX-Acme-Agent-Run: 42\n'), CONFIG)).toEqual([
      'listed-human',
      'config-agent-trailer',
    ])
    expect(signals(human('x\n\nX-Acme-Agent-Run:\n'), CONFIG)).toEqual(['listed-human'])
  })
})

describe('automation', () => {
  const dependabot = (message: string): CommitEvidence => ({
    authorName: 'dependabot[bot]',
    authorEmail: '49699333+dependabot[bot]@users.noreply.github.com',
    committerName: 'GitHub',
    committerEmail: 'noreply@github.com',
    message,
  })

  test('dependabot is automation, not an agent', () => {
    const actor = classifyActor(
      dependabot('Bump yaml from 2.8.0 to 2.9.1\n\nSigned-off-by: dependabot[bot] <support@github.com>\n'),
    )
    expect(actor).toMatchObject({type: 'automation', agent: 'Dependabot', confidence: 0.98})
  })

  test("an agent trailer on a bot commit: evidence wins over the account, it is the agent's", () => {
    // A bot's name and email are a claim anyone can make; the agent's own trailer is evidence.
    const actor = classifyActor(dependabot('Bump yaml\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n'))
    expect(actor).toMatchObject({type: 'agent', agent: 'Claude Code'})
    expect(classifyActor(dependabot('Bump yaml\n'))).toMatchObject({type: 'automation'})
    const both = classifyActor(
      dependabot(
        'Bump yaml\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nClaude-Session: https://claude.ai/code/session_1\n',
      ),
    )
    expect(both).toMatchObject({type: 'agent', agent: 'Claude Code'})
  })

  test('team-listed automation', () => {
    expect(classifyActor(human('Release 1.2\n', {authorEmail: 'release@acme.test'}), CONFIG)).toMatchObject({
      type: 'automation',
      agent: 'Release train',
    })
  })
})

describe('runtime environment of the pending commit', () => {
  test('CLAUDECODE=1 is agent evidence of strength runtime', () => {
    const actor = classifyActor(human('', {env: {CLAUDECODE: '1', PATH: '/usr/bin'}}))
    expect(actor).toEqual({
      type: 'agent',
      agent: 'Claude Code',
      confidence: 0.8,
      evidence: [{signal: 'env-claude-code', detail: 'CLAUDECODE=1', strength: 'runtime'}],
    })
  })

  test('CURSOR_TRACE_ID alone is not evidence: humans in Cursor have it too', () => {
    expect(
      classifyActor(human('', {env: {CURSOR_TRACE_ID: '6f1c2d3e4b5a', TERM_PROGRAM: 'vscode'}})).type,
    ).toBe('unknown')
  })

  test('a variable both a specific and a generic signal explain counts once, under the specific name', () => {
    expect(detectRuntimeAgent({AI_AGENT: 'claude-code_2.0.14_agent'})).toEqual([
      {signal: 'env-claude-code', detail: 'AI_AGENT=claude-code_2.0.14_agent', strength: 'runtime'},
    ])
    expect(classifyActor(human('', {env: {AGENT: 'amp'}}))).toMatchObject({
      type: 'agent',
      agent: 'Amp',
      confidence: 0.8,
    })
    expect(classifyActor(human('', {env: {AI_AGENT: 'goose_1.2'}}))).toMatchObject({
      type: 'agent',
      agent: 'goose',
    })
  })

  test('Replit needs both REPL_ID and REPLIT_MODE=assistant', () => {
    expect(detectRuntimeAgent({REPLIT_MODE: 'assistant'})).toEqual([])
    expect(detectRuntimeAgent({REPLIT_MODE: 'assistant', REPL_ID: 'r1'})).toEqual([
      {signal: 'env-replit-agent', detail: 'REPLIT_MODE=assistant, REPL_ID=r1', strength: 'runtime'},
    ])
  })

  test('an empty or human environment gives no evidence', () => {
    expect(detectRuntimeAgent({})).toEqual([])
    expect(
      detectRuntimeAgent({HOME: '/home/jane', USER: 'jane', SHELL: '/bin/zsh', CURSOR_TRACE_ID: 'x'}),
    ).toEqual([])
  })
})

describe('agentTrailer', () => {
  test('formats the detection so that the assisted-by signal reads it back', () => {
    const actor = classifyActor(human('', {env: {CLAUDECODE: '1', CODEX_THREAD_ID: 't-1'}}))
    const trailer = agentTrailer(actor)
    expect(trailer).toBe('Assisted-by: Claude Code (detected by acldrift: env-claude-code, env-codex)')
    const later = classifyActor(human(`Open bucket\n\n${trailer}\n`))
    expect(later).toMatchObject({
      type: 'agent',
      agent: 'Claude Code',
      evidence: [{signal: 'assisted-by', detail: trailer}],
    })
  })

  test('lists only agent evidence, and nothing for non-agents', () => {
    const actor = classifyActor(human('', {env: {CURSOR_AGENT: '1'}}), CONFIG)
    expect(agentTrailer(actor)).toBe('Assisted-by: Cursor (detected by acldrift: env-cursor-agent)')
    expect(agentTrailer(classifyActor(human('x\n')))).toBeUndefined()
    expect(agentTrailer(classifyActor(human('x\n'), CONFIG))).toBeUndefined()
  })

  test('an agent name from untrusted text cannot break the trailer line', () => {
    const trailer = agentTrailer({
      type: 'agent',
      agent: 'Evil\nSigned-off-by: x <a@b>',
      confidence: 0.8,
      evidence: [],
    })
    expect(trailer).not.toMatch(/\n/)
    expect(trailer).toMatch(/^Assisted-by: Evil Signed-off-by x a@b \(detected by acldrift: \)$/)
  })
})
