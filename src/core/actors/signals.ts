// The catalogue of actor signals: how AI agents, bots and automation mark their commits (the
// README's "Who made the change" lists them). Detectors are data, each with samples that
// must fire and near misses that must not; test/core/actors/signals.test.ts checks them all.
//
// Rules the entries follow:
// - emails are matched whole (`^…$`), GitHub bot addresses with their account id;
//   never the bare `@users.noreply.github.com` suffix, which any account has;
// - display names alone never name an AI ("Claude" is a human name too); the only name
//   signal is aider's documented ` (aider)` suffix;
// - trailers are looked for on every line of the message (case-insensitive keys), not only
//   in git's final trailer block;
// - an entry without a fixed `agent` names it with a named group `(?<agent>…)`.

import type {Evidence} from '../../kernel/types.js'
import type {CommitEvidence} from './evidence.js'

export type SignalClass = 'agent' | 'automation' | 'human'
export type Strength = Evidence['strength']
export type SignalField =
  | 'author-email'
  | 'committer-email'
  | 'author-name'
  | 'committer-name'
  | 'trailer'
  | 'message'
  | 'notes'
  | 'env'

export interface Signal {
  id: string
  description: string
  /** the agent or bot this signal names; otherwise the pattern's `agent` group names it */
  agent?: string
  class: SignalClass
  strength: Strength
  /**
   * What the pattern is tested against: an email or name; each trimmed line of the message
   * (`trailer`); the whole message (`message`: `^` is the start of the subject); the notes
   * text; each `NAME=value` of the environment (`env`).
   */
  field: SignalField
  pattern: RegExp
  /** further patterns that must each match some text of the same field (e.g. two env vars) */
  requires?: RegExp[]
  samples: {positive: Partial<CommitEvidence>[]; negative: Partial<CommitEvidence>[]}
}

export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Regex source of a GitHub App's commit address: `<id>+<login>[bot]@…` or the older `<login>[bot]@…`. */
function githubBot(login: string, id?: number): string {
  const prefix = id === undefined ? String.raw`\d+\+` : `${id}\\+`
  return `(?:${prefix})?${escapeRegExp(login)}\\[bot\\]@users\\.noreply\\.github\\.com`
}

/** The whole email is one of these (regex sources). */
const emailIs = (...sources: string[]) => new RegExp(`^(?:${sources.join('|')})$`, 'i')

/** A `Co-authored-by: <any name> <email>` line with one of these emails (regex sources). */
const coAuthor = (...sources: string[]) => new RegExp(`^co-authored-by:[^<]*<(?:${sources.join('|')})>$`, 'i')

/** A `Key: value` line with this key and a non-empty value. */
const trailerKey = (key: string) => new RegExp(`^${escapeRegExp(key)}:[ \\t]*\\S`, 'i')

// Samples: partial commits, completed with a plain human commit by the tests.
const author = (authorEmail: string, authorName = 'Someone'): Partial<CommitEvidence> => ({
  authorName,
  authorEmail,
})
const body = (...lines: string[]): Partial<CommitEvidence> => ({
  message: ['Update access policy', '', ...lines].join('\n'),
})
const env = (vars: Record<string, string>): Partial<CommitEvidence> => ({env: vars})
/** Addresses every GitHub account has: never evidence on their own. */
const NOREPLY_USER = ['someone@users.noreply.github.com', '12345+someone@users.noreply.github.com']

const CLAUDE_BOT = [githubBot('claude', 209825114), githubBot('claude-code-action')]
const COPILOT_AGENT = [
  String.raw`198982749\+copilot@users\.noreply\.github\.com`,
  githubBot('copilot-swe-agent', 198982749),
]
const DEVIN_BOT = githubBot('devin-ai-integration', 158243242)
const JULES_BOT = githubBot('google-labs-jules', 161369871)
const FACTORY_BOT = githubBot('factory-droid', 138933559)
const OPENHANDS = [
  String.raw`openhands@all-hands\.dev`,
  String.raw`(?:\d+\+)?openhands-agent@users\.noreply\.github\.com`,
]

export const SIGNALS: readonly Signal[] = [
  // ── Claude Code ─────────────────────────────────────────────────────────────────────
  {
    id: 'claude-code-coauthor',
    description: 'Co-authored-by with noreply@anthropic.com (any model name), added by Claude Code',
    agent: 'Claude Code',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(String.raw`noreply@anthropic\.com`),
    samples: {
      positive: [
        body(
          '🤖 Generated with [Claude Code](https://claude.com/claude-code)',
          '',
          'Co-Authored-By: Claude <noreply@anthropic.com>',
        ),
        body('Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>'),
        body('co-authored-by: Claude Sonnet 4 <NoReply@Anthropic.com>'),
      ],
      negative: [
        body('Co-authored-by: Claude Shannon <claude@example.org>'),
        body('Co-authored-by: Claude <noreply@anthropic.com.example.net>'),
        body('Reviewed-by: Claude <noreply@anthropic.com>'),
      ],
    },
  },
  {
    id: 'claude-code-footer',
    description:
      'Footer "Generated with [Claude Code](https://claude.ai/code | https://claude.com/claude-code)"',
    agent: 'Claude Code',
    class: 'agent',
    strength: 'weak',
    field: 'message',
    pattern:
      /generated with \[?claude code\]?\s*\(?<?https:\/\/(?:claude\.ai\/code|claude\.com\/claude-code)/i,
    samples: {
      positive: [
        body('🤖 Generated with [Claude Code](https://claude.ai/code)'),
        body('🤖 Generated with [Claude Code](https://claude.com/claude-code)'),
      ],
      negative: [body('Generated with [Claude Code]'), body('Compared with https://claude.ai/code docs')],
    },
  },
  {
    id: 'claude-code-session',
    description: 'Claude-Session trailer (Claude Code on the web)',
    agent: 'Claude Code',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: trailerKey('Claude-Session'),
    samples: {
      positive: [body('Claude-Session: https://claude.ai/code/session_01AbCdEfGh')],
      negative: [body('Claude-Session:'), body('Log the Claude-Session: header too')],
    },
  },
  {
    id: 'claude-bot-author',
    description: 'Author is the Claude GitHub App (claude[bot], id 209825114) or claude-code-action[bot]',
    agent: 'Claude Code',
    class: 'agent',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(...CLAUDE_BOT),
    samples: {
      positive: [
        author('209825114+claude[bot]@users.noreply.github.com', 'claude[bot]'),
        author('claude[bot]@users.noreply.github.com', 'claude[bot]'),
      ],
      negative: [
        author('claude@users.noreply.github.com', 'Claude'),
        author('12345+claude[bot]@users.noreply.github.com', 'claude[bot]'),
        author('209825114+claude[bot]@users.noreply.github.com.example.net'),
      ],
    },
  },
  {
    id: 'claude-bot-coauthor',
    description: 'Co-authored-by the Claude GitHub App (e.g. a squash merge of its pull request)',
    agent: 'Claude Code',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(...CLAUDE_BOT),
    samples: {
      positive: [body('Co-authored-by: claude[bot] <209825114+claude[bot]@users.noreply.github.com>')],
      negative: [body('Co-authored-by: Claude <claude@users.noreply.github.com>')],
    },
  },

  // ── GitHub Copilot ──────────────────────────────────────────────────────────────────
  {
    id: 'copilot-agent-author',
    description: 'Author is the Copilot coding agent (copilot-swe-agent[bot], 198982749+Copilot@…)',
    agent: 'GitHub Copilot coding agent',
    class: 'agent',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(...COPILOT_AGENT),
    samples: {
      positive: [author('198982749+Copilot@users.noreply.github.com', 'copilot-swe-agent[bot]')],
      negative: [
        author('Copilot@users.noreply.github.com', 'Copilot'),
        author('12345+Copilot@users.noreply.github.com', 'Copilot'),
      ],
    },
  },
  {
    id: 'copilot-agent-coauthor',
    description: 'Co-authored-by the Copilot coding agent (e.g. a squash merge of its pull request)',
    agent: 'GitHub Copilot coding agent',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(...COPILOT_AGENT),
    samples: {
      positive: [body('Co-authored-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>')],
      negative: [body('Co-authored-by: Copilot <Copilot@users.noreply.github.com>')],
    },
  },
  {
    id: 'copilot-agent-logs-url',
    description: 'Agent-Logs-Url trailer linking a Copilot coding agent session',
    agent: 'GitHub Copilot coding agent',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: /^agent-logs-url:[ \t]*https?:\/\/\S+/i,
    samples: {
      positive: [
        body('Agent-Logs-Url: https://github.com/acme/infra/sessions/0b5c8f7e-4a1d-4c3e-9d2a-6f1e2b3c4d5e'),
      ],
      negative: [body('Agent-Logs-Url: none'), body('See the Agent-Logs-Url: https://example.com field')],
    },
  },
  {
    id: 'copilot-coauthor',
    description:
      'Co-authored-by Copilot (223556219+Copilot@… or the older copilot@github.com): Copilot CLI / VS Code',
    agent: 'GitHub Copilot',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(
      String.raw`223556219\+copilot@users\.noreply\.github\.com`,
      String.raw`copilot@github\.com`,
    ),
    samples: {
      positive: [
        body('Co-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>'),
        body('Co-authored-by: Copilot <copilot@github.com>'),
      ],
      negative: [
        body('Co-authored-by: Copilot <copilot@github.com.example.net>'),
        body('Co-authored-by: Copilot <Copilot@users.noreply.github.com>'),
      ],
    },
  },

  // ── Cursor ──────────────────────────────────────────────────────────────────────────
  {
    id: 'cursor-agent-author',
    description: 'Author is the Cursor agent (cursoragent@cursor.com) or the cursor[bot] app',
    agent: 'Cursor',
    class: 'agent',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(String.raw`cursoragent@cursor\.com`, githubBot('cursor')),
    samples: {
      positive: [
        author('cursoragent@cursor.com', 'Cursor Agent'),
        author('123456+cursor[bot]@users.noreply.github.com'),
      ],
      negative: [
        author('dev@cursor.com', 'Cursor Agent'),
        author('cursor@users.noreply.github.com', 'cursor'),
      ],
    },
  },
  {
    id: 'cursor-coauthor',
    description: 'Co-authored-by Cursor <cursoragent@cursor.com>',
    agent: 'Cursor',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(String.raw`cursoragent@cursor\.com`),
    samples: {
      positive: [body('Co-authored-by: Cursor <cursoragent@cursor.com>')],
      negative: [body('Co-authored-by: Cursor <team@cursor.com>')],
    },
  },
  {
    id: 'cursor-made-with',
    description: '"Made-with: Cursor" trailer',
    agent: 'Cursor',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: /^made-with:[ \t]*cursor\b/i,
    samples: {
      positive: [body('Made-with: Cursor')],
      negative: [body('Made-with: Vim'), body('Made with cursor keys only')],
    },
  },

  // ── Devin ───────────────────────────────────────────────────────────────────────────
  {
    id: 'devin-bot-author',
    description: 'Author is Devin (devin-ai-integration[bot], id 158243242)',
    agent: 'Devin',
    class: 'agent',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(DEVIN_BOT),
    samples: {
      positive: [author('158243242+devin-ai-integration[bot]@users.noreply.github.com', 'Devin AI')],
      negative: [author('devin@example.com', 'Devin AI'), author('devin@users.noreply.github.com', 'Devin')],
    },
  },
  {
    id: 'devin-coauthor',
    description: 'Co-authored-by Devin (devin-ai-integration[bot])',
    agent: 'Devin',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(DEVIN_BOT),
    samples: {
      positive: [
        body('Co-Authored-By: Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>'),
      ],
      negative: [body('Co-Authored-By: Devin Walsh <devin@example.com>')],
    },
  },
  {
    id: 'devin-footer',
    description: 'Footer "Generated with [Devin](https://cli.devin.ai/docs)"',
    agent: 'Devin',
    class: 'agent',
    strength: 'weak',
    field: 'message',
    pattern: /generated with \[?devin\]?\s*\(?<?https:\/\/(?:[\w-]+\.)?devin\.ai/i,
    samples: {
      positive: [body('Generated with [Devin](https://cli.devin.ai/docs)')],
      negative: [body('Generated with Devin from the platform team')],
    },
  },

  // ── OpenAI Codex ────────────────────────────────────────────────────────────────────
  {
    id: 'codex-author',
    description: 'Author is Codex cloud (codex@openai.com) or the chatgpt-codex-connector[bot] app',
    agent: 'Codex',
    class: 'agent',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(String.raw`codex@openai\.com`, githubBot('chatgpt-codex-connector')),
    samples: {
      positive: [author('codex@openai.com', 'Codex'), author('codex@openai.com', 'gpt-5-codex')],
      negative: [author('codex@openai.com.example.net', 'Codex'), author('alice@openai.com', 'Alice')],
    },
  },
  {
    id: 'codex-coauthor',
    description: 'Co-authored-by Codex <noreply@openai.com>, added by the Codex CLI',
    agent: 'Codex',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(String.raw`noreply@openai\.com`),
    samples: {
      positive: [body('Co-authored-by: Codex <noreply@openai.com>')],
      negative: [body('Co-authored-by: Alice <alice@openai.com>')],
    },
  },

  // ── Aider ───────────────────────────────────────────────────────────────────────────
  {
    id: 'aider-committer-name',
    description: 'Committer name ends with " (aider)" (aider rewrites GIT_COMMITTER_NAME)',
    agent: 'Aider',
    class: 'agent',
    strength: 'high',
    field: 'committer-name',
    pattern: /\S \(aider\)$/i,
    samples: {
      positive: [{committerName: 'Jane Doe (aider)'}],
      negative: [{committerName: 'aider'}, {committerName: 'Jane (aider) Doe'}],
    },
  },
  {
    id: 'aider-author-name',
    description: 'Author name ends with " (aider)" (aider with its co-author trailer off)',
    agent: 'Aider',
    class: 'agent',
    strength: 'high',
    field: 'author-name',
    pattern: /\S \(aider\)$/i,
    samples: {
      positive: [{authorName: 'Jane Doe (aider)'}],
      negative: [{authorName: 'Aider Fan'}, {authorName: '(aider)'}],
    },
  },
  {
    id: 'aider-coauthor',
    description: 'Co-authored-by aider (aider@aider.chat, older noreply@aider.chat / noreply@aider.dev)',
    agent: 'Aider',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(
      String.raw`aider@aider\.chat`,
      String.raw`noreply@aider\.chat`,
      String.raw`noreply@aider\.dev`,
    ),
    samples: {
      positive: [
        body('Co-authored-by: aider (anthropic/claude-sonnet-4) <aider@aider.chat>'),
        body('Co-authored-by: aider (gpt-4o) <noreply@aider.dev>'),
      ],
      negative: [body('Co-authored-by: Paul <paul@aider.chat.example.net>')],
    },
  },
  {
    id: 'aider-subject-prefix',
    description: 'Subject starts with "aider: " (optional aider setting)',
    agent: 'Aider',
    class: 'agent',
    strength: 'weak',
    field: 'message',
    pattern: /^aider: /i,
    samples: {
      positive: [{message: 'aider: Allow the reports role to read exports'}],
      negative: [{message: 'Bump aider: 0.80 to 0.81'}, body('aider: mentioned in the body only')],
    },
  },

  // ── Other agents with their own accounts or markers ─────────────────────────────────
  {
    id: 'jules-bot-author',
    description: 'Author is Google Jules (google-labs-jules[bot], id 161369871)',
    agent: 'Jules',
    class: 'agent',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(JULES_BOT),
    samples: {
      positive: [
        author('161369871+google-labs-jules[bot]@users.noreply.github.com', 'google-labs-jules[bot]'),
      ],
      negative: [
        author('jules@example.com', 'Jules'),
        ...NOREPLY_USER.map((email) => author(email, 'Jules')),
      ],
    },
  },
  {
    id: 'jules-coauthor',
    description: 'Co-authored-by Google Jules (google-labs-jules[bot])',
    agent: 'Jules',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(JULES_BOT),
    samples: {
      positive: [
        body(
          'Co-authored-by: google-labs-jules[bot] <161369871+google-labs-jules[bot]@users.noreply.github.com>',
        ),
      ],
      negative: [body('Co-authored-by: Jules <jules@example.com>')],
    },
  },
  {
    id: 'amazon-q-bot-author',
    description: 'Author is amazon-q-developer[bot] (unverified account name)',
    agent: 'Amazon Q',
    class: 'agent',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(githubBot('amazon-q-developer')),
    samples: {
      positive: [author('123456+amazon-q-developer[bot]@users.noreply.github.com')],
      negative: [author('amazon-q-developer@users.noreply.github.com')],
    },
  },
  {
    id: 'openhands-author',
    description: 'Author is OpenHands (openhands@all-hands.dev, GitHub login openhands-agent)',
    agent: 'OpenHands',
    class: 'agent',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(...OPENHANDS),
    samples: {
      positive: [
        author('openhands@all-hands.dev', 'openhands'),
        author('123456+openhands-agent@users.noreply.github.com'),
      ],
      negative: [
        author('robert@all-hands.dev', 'Robert'),
        author('12345+openhands@users.noreply.github.com'),
      ],
    },
  },
  {
    id: 'openhands-coauthor',
    description: 'Co-authored-by OpenHands (openhands@all-hands.dev)',
    agent: 'OpenHands',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(...OPENHANDS),
    samples: {
      positive: [body('Co-authored-by: openhands <openhands@all-hands.dev>')],
      negative: [body('Co-authored-by: Graham <graham@all-hands.dev>')],
    },
  },
  {
    id: 'sweep-bot-author',
    description: 'Author is Sweep (sweep-ai[bot])',
    agent: 'Sweep',
    class: 'agent',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(githubBot('sweep-ai')),
    samples: {
      positive: [author('123456+sweep-ai[bot]@users.noreply.github.com', 'sweep-ai[bot]')],
      negative: [author('sweep-ai@users.noreply.github.com', 'sweep-ai')],
    },
  },
  {
    id: 'roomote-author',
    description: 'Author is Roo Code cloud agent (Roomote <roomote@roocode.com>)',
    agent: 'Roo Code',
    class: 'agent',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(String.raw`roomote@roocode\.com`),
    samples: {
      positive: [author('roomote@roocode.com', 'Roomote')],
      negative: [author('hello@roocode.com', 'Roomote')],
    },
  },
  {
    id: 'roomote-coauthor',
    description: 'Co-authored-by Roomote <roomote@roocode.com>',
    agent: 'Roo Code',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(String.raw`roomote@roocode\.com`),
    samples: {
      positive: [body('Co-authored-by: Roomote <roomote@roocode.com>')],
      negative: [body('Co-authored-by: Roomote <roomote@example.com>')],
    },
  },
  {
    id: 'amp-thread-id',
    description: 'Amp-Thread-ID trailer (Sourcegraph Amp)',
    agent: 'Amp',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: trailerKey('Amp-Thread-ID'),
    samples: {
      positive: [body('Amp-Thread-ID: https://ampcode.com/threads/T-5f2c1a9e-3b7d-4e8f-a1c2-9d0e1f2a3b4c')],
      negative: [body('Amp-Thread-ID:'), body('Thread-ID: T-123')],
    },
  },
  {
    id: 'amp-coauthor',
    description: 'Co-authored-by Amp <amp@ampcode.com>',
    agent: 'Amp',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(String.raw`amp@ampcode\.com`),
    samples: {
      positive: [body('Co-authored-by: Amp <amp@ampcode.com>')],
      negative: [body('Co-authored-by: Amp Fan <amp@example.com>')],
    },
  },
  {
    id: 'factory-droid-author',
    description: 'Author is Factory Droid (factory-droid[bot], id 138933559)',
    agent: 'Factory Droid',
    class: 'agent',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(FACTORY_BOT),
    samples: {
      positive: [author('138933559+factory-droid[bot]@users.noreply.github.com', 'factory-droid[bot]')],
      negative: [author('factory-droid@users.noreply.github.com', 'factory-droid')],
    },
  },
  {
    id: 'factory-droid-coauthor',
    description: 'Co-authored-by Factory Droid (factory-droid[bot])',
    agent: 'Factory Droid',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(FACTORY_BOT),
    samples: {
      positive: [
        body('Co-authored-by: factory-droid[bot] <138933559+factory-droid[bot]@users.noreply.github.com>'),
      ],
      negative: [body('Co-authored-by: Droid <droid@example.com>')],
    },
  },
  {
    id: 'replit-commit-author',
    description: '"Replit-Commit-Author: Agent" trailer on Replit Agent checkpoint commits',
    agent: 'Replit Agent',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: /^replit-commit-author:[ \t]*agent\b/i,
    samples: {
      positive: [
        body('Replit-Commit-Author: Agent', 'Replit-Commit-Session-Id: 3f9a2c1e-7b4d-4a8e-b2c1-0d9e8f7a6b5c'),
      ],
      negative: [body('Replit-Commit-Author: User')],
    },
  },
  {
    id: 'replit-agent-author',
    description: 'Author is agent@replit.com (unverified)',
    agent: 'Replit Agent',
    class: 'agent',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(String.raw`agent@replit\.com`),
    samples: {
      positive: [author('agent@replit.com', 'Replit Agent')],
      negative: [author('jane@replit.com', 'Jane')],
    },
  },
  {
    id: 'oz-coauthor',
    description: 'Co-Authored-By Oz <oz-agent@warp.dev> (Warp)',
    agent: 'Warp Oz',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(String.raw`oz-agent@warp\.dev`),
    samples: {
      positive: [body('Co-Authored-By: Oz <oz-agent@warp.dev>')],
      negative: [body('Co-Authored-By: Oz <oz@example.com>')],
    },
  },
  {
    id: 'opencode-bot-author',
    description: 'Author is opencode-agent[bot]',
    agent: 'OpenCode',
    class: 'agent',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(githubBot('opencode-agent')),
    samples: {
      positive: [author('123456+opencode-agent[bot]@users.noreply.github.com', 'opencode-agent[bot]')],
      negative: [author('opencode-agent@users.noreply.github.com')],
    },
  },
  {
    id: 'opencode-coauthor',
    description: 'Co-Authored-By opencode <noreply@opencode.ai>',
    agent: 'OpenCode',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(String.raw`noreply@opencode\.ai`),
    samples: {
      positive: [body('Co-Authored-By: opencode <noreply@opencode.ai>')],
      negative: [body('Co-Authored-By: opencode <dev@opencode.ai>')],
    },
  },
  {
    id: 'opencode-footer',
    description: 'Footer "Generated with [opencode]"',
    agent: 'OpenCode',
    class: 'agent',
    strength: 'weak',
    field: 'message',
    pattern: /generated with \[opencode\]/i,
    samples: {
      positive: [body('🤖 Generated with [opencode](https://opencode.ai)')],
      negative: [body('Generated with opencode settings from the wiki')],
    },
  },
  {
    id: 'qwen-code-coauthor',
    description: 'Co-authored-by Qwen-Coder <qwen-coder@alibabacloud.com> (unverified)',
    agent: 'Qwen Code',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: coAuthor(String.raw`qwen-coder@alibabacloud\.com`),
    samples: {
      positive: [body('Co-authored-by: Qwen-Coder <qwen-coder@alibabacloud.com>')],
      negative: [body('Co-authored-by: Qwen Li <qwen@alibabacloud.com>')],
    },
  },

  // ── Conventions any agent may use ───────────────────────────────────────────────────
  {
    id: 'assisted-by',
    description: 'Assisted-by trailer (Linux kernel, Fedora, OpenInfra): the agent named in its value',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    // The name runs to the first ':' (kernel `AGENT:MODEL`), '<' or '('.
    pattern: /^assisted-by:[ \t]*(?<agent>[^:<(\s]+(?:[ \t]+[^:<(\s]+)*)/i,
    samples: {
      positive: [
        body('Assisted-by: Claude:claude-3-opus coccinelle sparse'),
        body('Assisted-By: GitHub Copilot'),
        body('Assisted-by: Claude Code (detected by acldrift: env-claude-code)'),
      ],
      negative: [body('Assisted-by:'), body('Not assisted-by: anyone')],
    },
  },
  {
    id: 'generated-by',
    description: 'Generated-by trailer (Apache, OpenInfra): the agent named in its value',
    class: 'agent',
    strength: 'medium',
    field: 'trailer',
    pattern: /^generated-by:[ \t]*(?<agent>[^:<(\s]+(?:[ \t]+[^:<(\s]+)*)/i,
    samples: {
      positive: [body('Generated-By: Cursor'), body('Generated-by: ChatGPT:gpt-5')],
      negative: [body('Generated-by:'), body('Generated by hand')],
    },
  },
  {
    id: 'git-ai-note',
    description: 'git note (refs/notes/ai, Git AI Standard) naming the agent in agent_id.tool',
    class: 'agent',
    strength: 'medium',
    field: 'notes',
    pattern: /"agent_id"\s*:\s*\{[^{}]*?"tool"\s*:\s*"(?<agent>[^"\\]{1,80})"/,
    samples: {
      positive: [
        {
          notes: [
            'iam/app.json',
            '  a1b2c3d4 4-12',
            '---',
            '{"schema_version": "authorship/3.0.0", "prompts": {"a1b2c3d4": {',
            '  "agent_id": {"tool": "cursor", "id": "6ef2c1", "model": "claude-4-sonnet"}}}}',
          ].join('\n'),
        },
      ],
      negative: [{notes: 'Reviewed in the "tool" meeting'}, {notes: '{"agent_id": {"model": "gpt-5"}}'}],
    },
  },
  {
    id: 'rewrite-note',
    description:
      "git note (refs/notes/ai) written by acldrift's post-rewrite hook: a rebase or amend folded an agent's commit into this one",
    class: 'agent',
    strength: 'medium',
    field: 'notes',
    pattern: /^assisted-by:[ \t]*(?<agent>[^:<(\s]+(?:[ \t]+[^:<(\s]+)*)[ \t]+\(carried by acldrift /im,
    samples: {
      positive: [
        {notes: 'Assisted-by: Claude Code (carried by acldrift from 147727b, rebase)'},
        {
          notes:
            'Assisted-by: Aider (carried by acldrift from 0c1d2e3, amend)\nAssisted-by: Claude Code (carried by acldrift from 147727b, rebase)',
        },
      ],
      negative: [{notes: 'Assisted-by: Claude Code'}, {notes: 'Reviewed: carried by acldrift from 147727b'}],
    },
  },

  // ── Runtime environment of the commit being made (prepare-commit-msg, pre-commit) ───
  // Env vars leak into child processes and anyone can export them: evidence only at commit
  // time. CURSOR_TRACE_ID and TERM_PROGRAM are set for humans in those editors too: not signals.
  {
    id: 'env-claude-code',
    description:
      'Claude Code shell: CLAUDECODE=1, AI_AGENT=claude-code_…, CLAUDE_CODE_ENTRYPOINT, CLAUDE_CODE_SESSION_ID',
    agent: 'Claude Code',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern:
      /^(?:CLAUDECODE=1|AI_AGENT=claude-code\S*|CLAUDE_CODE_ENTRYPOINT=\S+|CLAUDE_CODE_SESSION_ID=\S+)$/,
    samples: {
      positive: [
        env({CLAUDECODE: '1'}),
        env({AI_AGENT: 'claude-code_2.0.14_agent'}),
        env({CLAUDE_CODE_ENTRYPOINT: 'cli'}),
      ],
      negative: [env({CLAUDECODE: '0'}), env({CLAUDE_API_KEY: 'x'})],
    },
  },
  {
    id: 'env-cursor-agent',
    description: 'Cursor agent shell: CURSOR_AGENT=1 (not CURSOR_TRACE_ID, which humans have too)',
    agent: 'Cursor',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^CURSOR_AGENT=(?:1|true)$/,
    samples: {
      positive: [env({CURSOR_AGENT: '1'})],
      negative: [env({CURSOR_TRACE_ID: '6f1c2d3e4b5a'}), env({CURSOR_AGENT: '0'})],
    },
  },
  {
    id: 'env-gemini-cli',
    description: 'Gemini CLI shell: GEMINI_CLI=1',
    agent: 'Gemini CLI',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^GEMINI_CLI=(?:1|true)$/,
    samples: {positive: [env({GEMINI_CLI: '1'})], negative: [env({GEMINI_API_KEY: 'x'})]},
  },
  {
    id: 'env-codex',
    description:
      'Codex CLI shell: CODEX_THREAD_ID (CODEX_SANDBOX, CODEX_SANDBOX_NETWORK_DISABLED unverified)',
    agent: 'Codex',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^(?:CODEX_THREAD_ID|CODEX_SANDBOX|CODEX_SANDBOX_NETWORK_DISABLED)=\S+$/,
    samples: {
      positive: [env({CODEX_THREAD_ID: '0199a1b2-c3d4'}), env({CODEX_SANDBOX: 'seatbelt'})],
      negative: [env({CODEX_HOME: '/home/jane/.codex'})],
    },
  },
  {
    id: 'env-cline',
    description: 'Cline shell: CLINE_ACTIVE=true',
    agent: 'Cline',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^CLINE_ACTIVE=(?:1|true)$/,
    samples: {positive: [env({CLINE_ACTIVE: 'true'})], negative: [env({CLINE_ACTIVE: 'false'})]},
  },
  {
    id: 'env-augment',
    description: 'Augment agent shell: AUGMENT_AGENT=1',
    agent: 'Augment',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^AUGMENT_AGENT=(?:1|true)$/,
    samples: {positive: [env({AUGMENT_AGENT: '1'})], negative: [env({AUGMENT_API_TOKEN: 'x'})]},
  },
  {
    id: 'env-opencode',
    description: 'OpenCode shell: OPENCODE=1',
    agent: 'OpenCode',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^OPENCODE=(?:1|true)$/,
    samples: {positive: [env({OPENCODE: '1'})], negative: [env({OPENCODE_CONFIG: '/etc/opencode.json'})]},
  },
  {
    id: 'env-qwen-code',
    description: 'Qwen Code shell: QWEN_CODE=1',
    agent: 'Qwen Code',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^QWEN_CODE=(?:1|true)$/,
    samples: {positive: [env({QWEN_CODE: '1'})], negative: [env({QWEN_API_KEY: 'x'})]},
  },
  {
    id: 'env-amp',
    description: 'Amp shell: AGENT=amp or AMP_CURRENT_THREAD_ID',
    agent: 'Amp',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^(?:AGENT=amp|AMP_CURRENT_THREAD_ID=\S+)$/,
    samples: {
      positive: [env({AGENT: 'amp'}), env({AMP_CURRENT_THREAD_ID: 'T-5f2c1a9e'})],
      negative: [env({AMP_API_KEY: 'x'})],
    },
  },
  {
    id: 'env-oz',
    description: 'Warp Oz run: OZ_RUN_ID',
    agent: 'Warp Oz',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^OZ_RUN_ID=\S+$/,
    samples: {positive: [env({OZ_RUN_ID: 'run_8c1d'})], negative: [env({TERM_PROGRAM: 'WarpTerminal'})]},
  },
  {
    id: 'env-replit-agent',
    description: 'Replit Agent: REPLIT_MODE=assistant inside a Repl (REPL_ID)',
    agent: 'Replit Agent',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^REPLIT_MODE=assistant$/,
    requires: [/^REPL_ID=\S+$/],
    samples: {
      positive: [env({REPL_ID: '4b1c9e2a-7d3f', REPLIT_MODE: 'assistant'})],
      negative: [env({REPL_ID: '4b1c9e2a-7d3f'}), env({REPLIT_MODE: 'assistant'})],
    },
  },
  {
    id: 'env-crush',
    description: 'Crush shell: CRUSH=1',
    agent: 'Crush',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^CRUSH=(?:1|true)$/,
    samples: {positive: [env({CRUSH: '1'})], negative: [env({CRUSH: ''})]},
  },
  {
    id: 'env-pi',
    description: 'pi coding agent shell: PI_CODING_AGENT=true',
    agent: 'Pi',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^PI_CODING_AGENT=(?:1|true)$/,
    samples: {positive: [env({PI_CODING_AGENT: 'true'})], negative: [env({PI: '3.14'})]},
  },
  {
    id: 'env-trae',
    description: 'Trae agent shell: TRAE_AI_SHELL_ID',
    agent: 'Trae',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^TRAE_AI_SHELL_ID=\S+$/,
    samples: {positive: [env({TRAE_AI_SHELL_ID: '17'})], negative: [env({TRAE_HOME: '/opt/trae'})]},
  },
  {
    id: 'env-amazon-q',
    description: 'Amazon Q shell: AWS_EXECUTION_ENV mentions amazonq (unverified)',
    agent: 'Amazon Q',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^AWS_EXECUTION_ENV=\S*amazon-?q/i,
    samples: {
      positive: [env({AWS_EXECUTION_ENV: 'AmazonQ-For-CLI'})],
      negative: [env({AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x'})],
    },
  },
  {
    id: 'env-jules',
    description: 'Google Jules VM: USER=swebot (heuristic)',
    agent: 'Jules',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^USER=swebot$/,
    samples: {positive: [env({USER: 'swebot'})], negative: [env({USER: 'jane'})]},
  },
  // Generic conventions last: a line a specific entry above already explains counts once.
  {
    id: 'env-ai-agent',
    description: 'AI_AGENT=<tool> (emerging convention): the tool named in its value',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    // The name ends at the first '_' or '.' (`tool_1.2_agent`); the parts cannot overlap, so no backtracking.
    pattern: /^AI_AGENT=(?<agent>[A-Za-z][A-Za-z0-9-]*)(?:[_.][\w.-]*)?$/,
    samples: {
      positive: [env({AI_AGENT: 'goose'})],
      negative: [env({AI_AGENT: ''}), env({OPENAI_AGENT: 'x'})],
    },
  },
  {
    id: 'env-agent',
    description: 'AGENT=<tool> (emerging convention): the tool named in its value',
    class: 'agent',
    strength: 'runtime',
    field: 'env',
    pattern: /^AGENT=(?<agent>[A-Za-z][A-Za-z0-9-]*)(?:[_.][\w.-]*)?$/,
    samples: {positive: [env({AGENT: 'goose'})], negative: [env({AGENT: ''}), env({SSH_AGENT_PID: '4242'})]},
  },

  // ── Automation (not AI) ─────────────────────────────────────────────────────────────
  {
    id: 'dependabot-author',
    description: 'Author is Dependabot (dependabot[bot], id 49699333)',
    agent: 'Dependabot',
    class: 'automation',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(githubBot('dependabot', 49699333)),
    samples: {
      positive: [
        author('49699333+dependabot[bot]@users.noreply.github.com', 'dependabot[bot]'),
        author('dependabot[bot]@users.noreply.github.com', 'dependabot[bot]'),
      ],
      negative: [
        author('dependabot@users.noreply.github.com', 'dependabot[bot]'),
        author('support@github.com', 'dependabot[bot]'),
      ],
    },
  },
  {
    id: 'dependabot-signoff',
    description: 'Signed-off-by: dependabot[bot] <support@github.com>',
    agent: 'Dependabot',
    class: 'automation',
    strength: 'medium',
    field: 'trailer',
    pattern: /^signed-off-by:[ \t]*dependabot\[bot\][ \t]*<support@github\.com>$/i,
    samples: {
      positive: [body('Signed-off-by: dependabot[bot] <support@github.com>')],
      negative: [body('Signed-off-by: Jane Doe <support@github.com>')],
    },
  },
  {
    id: 'renovate-author',
    description: 'Author is Renovate (renovate[bot], id 29139614)',
    agent: 'Renovate',
    class: 'automation',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(githubBot('renovate', 29139614)),
    samples: {
      positive: [author('29139614+renovate[bot]@users.noreply.github.com', 'renovate[bot]')],
      negative: [
        author('renovate@users.noreply.github.com', 'Renovate'),
        author('bot@renovateapp.com.example.net'),
      ],
    },
  },
  {
    id: 'github-actions-author',
    description: 'Author is GitHub Actions (github-actions[bot], id 41898282)',
    agent: 'GitHub Actions',
    class: 'automation',
    strength: 'high',
    field: 'author-email',
    pattern: emailIs(githubBot('github-actions', 41898282)),
    samples: {
      positive: [
        author('41898282+github-actions[bot]@users.noreply.github.com', 'github-actions[bot]'),
        author('github-actions[bot]@users.noreply.github.com', 'github-actions[bot]'),
      ],
      negative: [
        author('github-actions@github.com', 'github-actions'),
        author('noreply@github.com', 'GitHub'),
      ],
    },
  },
]

/** Tool ids some conventions use (AI_AGENT, Assisted-by, git-ai's agent_id.tool) → display names. */
const AGENT_NAMES: Readonly<Record<string, string>> = {
  'claude-code': 'Claude Code',
  cursor: 'Cursor',
  'cursor-agent': 'Cursor',
  codex: 'Codex',
  'codex-cli': 'Codex',
  copilot: 'GitHub Copilot',
  'github-copilot': 'GitHub Copilot',
  'gemini-cli': 'Gemini CLI',
  aider: 'Aider',
  amp: 'Amp',
  cline: 'Cline',
  devin: 'Devin',
  opencode: 'OpenCode',
  'qwen-code': 'Qwen Code',
}

/** The display name for an agent named by a tool id or free text. */
export function canonicalAgent(name: string): string {
  const trimmed = name.trim()
  return AGENT_NAMES[trimmed.toLowerCase()] ?? trimmed
}
