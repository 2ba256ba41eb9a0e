// acldrift.config.yaml: which files are which kind, where the baseline is, what fails.

import {join} from 'node:path'
import type {ActorConfig} from './actors/classify.js'
import {InvalidInputError, UsageError} from '../kernel/errors.js'
import {readRegularFile} from '../kernel/files.js'
import type {AdapterSettings, Kind} from '../kernel/types.js'
import {timed} from '../kernel/timings.js'
import {CONFIG_FILE} from './config-file.js'
import {parseConfigContent} from './config-parse.js'

export {CONFIG_FILE}

export const FAIL_ON = ['widening', 'critical', 'high', 'medium', 'never'] as const
export type FailOn = (typeof FAIL_ON)[number]

export type AgentsPolicy = 'require-approval' | 'allow'

/** What gates: the severity threshold, agents' widenings, and whose approvals count. */
export interface Policy {
  failOn: FailOn
  /** require-approval: an agent-attributed widening fails below failOn too, unless validly approved */
  agents: AgentsPolicy
  /** emails of the people whose approvals count (lowercase) */
  approvers: string[]
  /** approvals, baseline updates and approver changes count only in commits signed with a key in .acldrift/allowed_signers */
  requireSignedApprovals: boolean
}

export interface Config {
  /** where it was read from; undefined when defaults apply */
  file: string | undefined
  documents: Array<{glob: string; kind: Kind}>
  exclude: string[]
  /** a snapshot file or a git revision; undefined means HEAD */
  baseline: string | undefined
  policy: Policy
  /** the team's own bots, agents and trusted humans, added to the actor catalogue (approvers included as humans) */
  actors: ActorConfig | undefined
  /**
   * What adapters must know about the platform (GitHub's default token permissions): each
   * kind's section of the config as written, under the kind's key; the kind reads it with its
   * defaults (Adapter.settings), so the config reader needs to know no kind.
   */
  settings: AdapterSettings
}

export const DEFAULT_CONFIG: Config = {
  file: undefined,
  documents: [],
  exclude: [],
  baseline: undefined,
  policy: {failOn: 'widening', agents: 'require-approval', approvers: [], requireSignedApprovals: false},
  actors: undefined,
  settings: {},
}

/** The config's own top-level keys; any other is a kind's section (the config schema names them). */
const CORE_KEYS = new Set(['version', 'documents', 'exclude', 'baseline', 'policy', 'actors'])

interface RawConfig {
  documents?: Array<{glob: string; kind: Kind}>
  exclude?: string[]
  baseline?: string
  policy?: {failOn?: FailOn; agents?: AgentsPolicy; approvers?: string[]; requireSignedApprovals?: boolean}
  actors?: ActorConfig
}

/**
 * Reads the config named by `--config`, else `acldrift.config.yaml` at the repository root,
 * else defaults. A config that does not parse or validate fails closed like any input.
 */
export function loadConfig(root: string, explicit?: string): Promise<Config> {
  return timed('config', () => readConfig(root, explicit))
}

async function readConfig(root: string, explicit?: string): Promise<Config> {
  const path = explicit ?? join(root, CONFIG_FILE)
  let content: Buffer
  try {
    content = await readRegularFile(path, explicit ?? CONFIG_FILE)
  } catch (error) {
    if (error instanceof InvalidInputError) throw error
    if (explicit !== undefined)
      throw new UsageError(`cannot read config ${explicit}: ${(error as Error).message}`)
    return DEFAULT_CONFIG
  }
  const display = explicit ?? CONFIG_FILE
  const parsed = await parseConfigContent(root, display, content)
  return configFromValue(parsed.value, display)
}

/** A validated config value as a Config (the protected-file check reads other versions of the file). */
export function configFromValue(value: unknown, file: string | undefined): Config {
  const raw = (value ?? {}) as RawConfig
  const approvers = [...new Set((raw.policy?.approvers ?? []).map((e) => e.trim().toLowerCase()))]
  return {
    file,
    documents: raw.documents ?? [],
    exclude: raw.exclude ?? [],
    baseline: raw.baseline,
    policy: {
      failOn: raw.policy?.failOn ?? DEFAULT_CONFIG.policy.failOn,
      agents: raw.policy?.agents ?? DEFAULT_CONFIG.policy.agents,
      approvers,
      requireSignedApprovals: raw.policy?.requireSignedApprovals ?? false,
    },
    // Approvers are people: their commits count as human when nothing says agent or bot.
    actors:
      approvers.length === 0
        ? raw.actors
        : {...raw.actors, humans: [...(raw.actors?.humans ?? []), {name: 'approver', emails: approvers}]},
    settings: Object.fromEntries(Object.entries(raw).filter(([key]) => !CORE_KEYS.has(key))),
  }
}
