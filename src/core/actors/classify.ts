// Who made a commit: agent, human, automation or unknown, with a confidence and the evidence.
// Evidence is combined per class with a noisy-OR over strength weights (as cdxgen does): two
// independent markers are more convincing than one, and no number of weak ones reaches a strong one
// quickly. No evidence means unknown, never human.

import type {Actor, Evidence} from '../../kernel/types.js'
import type {CommitEvidence} from './evidence.js'
import {commitTexts, matchSignal, type SignalMatch} from './match.js'
import {escapeRegExp, SIGNALS, type Signal, type SignalClass, type Strength} from './signals.js'

const STRENGTH_WEIGHT: Readonly<Record<Strength, number>> = {
  strong: 0.95,
  high: 0.9,
  runtime: 0.8,
  medium: 0.75,
  weak: 0.4,
}

/** The `actors:` section of acldrift.config.yaml: a team's own agents, bots and trusted humans. */
export interface ActorConfig {
  agents?: Array<{name: string; emails?: string[]; trailers?: string[]}>
  automation?: Array<{name: string; emails: string[]}>
  /** people whose commits count as human (e.g. approvers); only when nothing says agent or bot */
  humans?: Array<{name: string; emails: string[]}>
}

/** Ids of the signals made from the config, and their class. */
const CONFIG_SIGNALS: Readonly<Record<string, SignalClass>> = {
  'config-agent-email': 'agent',
  'config-agent-coauthor': 'agent',
  'config-agent-trailer': 'agent',
  'config-automation-email': 'automation',
  'listed-human': 'human',
}

/** The config's entries as signals (without samples: they are the team's data, not ours). */
function configSignals(config: ActorConfig = {}): Signal[] {
  const signals: Signal[] = []
  type Entry = Pick<Signal, 'id' | 'field' | 'pattern' | 'strength'> & {name: string; what: string}
  const add = ({id, name, what, ...rest}: Entry) => {
    const cls = CONFIG_SIGNALS[id]!
    const agent = cls === 'human' ? {} : {agent: name}
    signals.push({
      id,
      description: `${what} (acldrift.config.yaml)`,
      ...agent,
      class: cls,
      ...rest,
      samples: NO_SAMPLES,
    })
  }
  for (const {name, emails, trailers} of config.agents ?? []) {
    const listed = exactEmails(emails)
    if (listed !== undefined) {
      const what = `agent ${name}`
      const id = 'config-agent-email'
      add({id, name, what, field: 'author-email', pattern: anchored(listed), strength: 'high'})
      add({id, name, what, field: 'committer-email', pattern: anchored(listed), strength: 'high'})
      const pattern = new RegExp(`^co-authored-by:[^<]*<(?:${listed})>$`, 'i')
      add({id: 'config-agent-coauthor', name, what, field: 'trailer', pattern, strength: 'medium'})
    }
    for (const trailer of trailers ?? []) {
      const pattern = trailerPattern(trailer)
      add({
        id: 'config-agent-trailer',
        name,
        what: `trailer of agent ${name}`,
        field: 'trailer',
        pattern,
        strength: 'medium',
      })
    }
  }
  for (const {name, emails} of config.automation ?? []) {
    const listed = exactEmails(emails)
    if (listed === undefined) continue
    const pattern = anchored(listed)
    add({id: 'config-automation-email', name, what: name, field: 'author-email', pattern, strength: 'high'})
  }
  for (const {name, emails} of config.humans ?? []) {
    const listed = exactEmails(emails)
    if (listed === undefined) continue
    const pattern = anchored(listed)
    add({
      id: 'listed-human',
      name,
      what: `listed human ${name}`,
      field: 'author-email',
      pattern,
      strength: 'high',
    })
  }
  return signals
}

const NO_SAMPLES: Signal['samples'] = {positive: [], negative: []}

export function classifyActor(commit: CommitEvidence, extra?: ActorConfig): Actor {
  // The team's entries first: where they and the catalogue explain the same text, theirs names it.
  const matches = evaluate([...configSignals(extra), ...SIGNALS], commit)
  if (matches.length === 0) return {type: 'unknown', confidence: 0, evidence: []}

  const confidence = {
    agent: combine(matches, 'agent'),
    automation: combine(matches, 'automation'),
    human: combine(matches, 'human'),
  }
  // Evidence wins over disguise: any agent evidence (its runtime, its trailer, its stamp) makes
  // the commit an agent's, whatever account authored it. An author account is a claim anyone can
  // make (`dependabot[bot]` is a name and an email), and taking the bot's word would exempt the
  // agent's change from approval. A listed human counts only when nothing says agent or automation.
  let type: SignalClass
  if (confidence.agent > 0) type = 'agent'
  else if (confidence.automation > 0) type = 'automation'
  else type = 'human'

  // Matches are sorted strongest first: the first of the chosen class names the agent or bot.
  const name = type === 'human' ? undefined : matches.find((m) => m.signal.class === type)?.agent
  return {
    type,
    ...(name === undefined ? {} : {agent: name}),
    confidence: Math.round((confidence[type] + Number.EPSILON) * 100) / 100,
    evidence: matches.map(toEvidence),
  }
}

/** Agent evidence in the environment of the commit being made (for pre-commit and prepare-commit-msg). */
export function detectRuntimeAgent(env: Record<string, string | undefined>): Evidence[] {
  return evaluate(
    SIGNALS.filter((s) => s.field === 'env'),
    {env},
  ).map(toEvidence)
}

/**
 * The trailer the prepare-commit-msg hook stamps into an agent's commit message, so that the
 * runtime evidence outlives the environment. Read back later by the `assisted-by` signal.
 */
export function agentTrailer(actor: Actor): string | undefined {
  if (actor.type !== 'agent') return undefined
  const ids = [...new Set(actor.evidence.map((e) => e.signal).filter((id) => classOf(id) === 'agent'))]
  return `Assisted-by: ${lineName(actor)} (detected by acldrift: ${ids.join(', ')})`
}

/**
 * The note line the post-rewrite hook adds to a commit that a rebase or amend made out of an
 * agent's commit (`from`): the agent's evidence was in that commit's message or notes, which
 * the rewrite may drop. Read back by the `rewrite-note` signal.
 */
export function carriedNote(actor: Actor, from: string, how: string): string {
  return `Assisted-by: ${lineName(actor)} (carried by acldrift from ${from.slice(0, 12)}, ${how})`
}

/** The agent's name for a one-line trailer that the signals parse back: no line breaks, no ':<()'. */
function lineName(actor: Actor): string {
  return (
    (actor.agent ?? 'unknown agent')
      .replace(/[\p{Cc}:<>()]+/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim() || 'unknown agent'
  )
}

/** All signals that match, one per text (the strongest), strongest first. */
function evaluate(signals: readonly Signal[], commit: Partial<CommitEvidence>): SignalMatch[] {
  const bySource = new Map<string, SignalMatch>()
  const texts = commitTexts(commit)
  for (const signal of signals) {
    const match = matchSignal(signal, commit, texts)
    if (match === undefined) continue
    const seen = bySource.get(match.source)
    if (seen === undefined || weight(match) > weight(seen)) bySource.set(match.source, match)
  }
  // Array.prototype.sort is stable: equal weights keep catalogue order.
  return [...bySource.values()].sort((a, b) => weight(b) - weight(a))
}

/** Noisy-OR: the chance that at least one piece of evidence of this class is right. */
function combine(matches: SignalMatch[], cls: SignalClass): number {
  return 1 - matches.filter((m) => m.signal.class === cls).reduce((none, m) => none * (1 - weight(m)), 1)
}

const weight = (match: SignalMatch) => STRENGTH_WEIGHT[match.signal.strength]

const toEvidence = (match: SignalMatch): Evidence => ({
  signal: match.signal.id,
  detail: match.detail,
  strength: match.signal.strength,
})

const CLASS_OF = new Map<string, SignalClass>([
  ...SIGNALS.map((s) => [s.id, s.class] as const),
  ...Object.entries(CONFIG_SIGNALS),
])
const classOf = (id: string) => CLASS_OF.get(id)

/** Regex alternation of the listed emails, matched exactly; undefined when there are none. */
function exactEmails(emails: string[] | undefined): string | undefined {
  const listed = (emails ?? []).map((e) => e.trim()).filter((e) => e !== '')
  return listed.length === 0 ? undefined : listed.map(escapeRegExp).join('|')
}

const anchored = (alternation: string) => new RegExp(`^(?:${alternation})$`, 'i')

/** `Key` matches a `Key: <anything>` line; `Key: value` matches lines starting with that value. */
function trailerPattern(trailer: string): RegExp {
  const colon = trailer.indexOf(':')
  if (colon === -1 || trailer.slice(colon + 1).trim() === '')
    return new RegExp(`^${escapeRegExp(trailer.replace(/:.*$/, '').trim())}:[ \\t]*\\S`, 'i')
  const key = escapeRegExp(trailer.slice(0, colon).trim())
  const value = escapeRegExp(trailer.slice(colon + 1).trim())
  return new RegExp(`^${key}:[ \\t]*${value}`, 'i')
}
