// acldrift.config.yaml: which files are which kind, where the baseline is, what fails.

import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {ActorConfig} from './actors/classify.js'
import {InvalidInputError, UsageError} from './errors.js'
import {parseFile} from './parse.js'
import type {Kind} from './types.js'
import {validateValue} from './validate.js'

export const CONFIG_FILE = 'acldrift.config.yaml'

export const FAIL_ON = ['widening', 'critical', 'high', 'medium', 'never'] as const
export type FailOn = (typeof FAIL_ON)[number]

export interface Config {
  /** where it was read from; undefined when defaults apply */
  file: string | undefined
  documents: Array<{glob: string; kind: Kind}>
  exclude: string[]
  /** a snapshot file or a git revision; undefined means HEAD */
  baseline: string | undefined
  policy: {failOn: FailOn}
  /** the team's own bots, agents and trusted humans, added to the actor catalogue */
  actors: ActorConfig | undefined
}

export const DEFAULT_CONFIG: Config = {
  file: undefined,
  documents: [],
  exclude: [],
  baseline: undefined,
  policy: {failOn: 'widening'},
  actors: undefined,
}

interface RawConfig {
  documents?: Array<{glob: string; kind: Kind}>
  exclude?: string[]
  baseline?: string
  policy?: {failOn?: FailOn}
  actors?: ActorConfig
}

/**
 * Reads the config named by `--config`, else `acldrift.config.yaml` at the repository root,
 * else defaults. A config that does not parse or validate fails closed like any input.
 */
export async function loadConfig(root: string, explicit?: string): Promise<Config> {
  const path = explicit ?? join(root, CONFIG_FILE)
  let content: Buffer
  try {
    content = await readFile(path)
  } catch (error) {
    if (explicit !== undefined)
      throw new UsageError(`cannot read config ${explicit}: ${(error as Error).message}`)
    return DEFAULT_CONFIG
  }
  const display = explicit ?? CONFIG_FILE
  const parsed = parseFile({path: display, content}, 'yaml')
  const problems = await validateValue('config', parsed)
  if (problems.length > 0) throw new InvalidInputError(problems)
  const raw = (parsed.value ?? {}) as RawConfig
  return {
    file: display,
    documents: raw.documents ?? [],
    exclude: raw.exclude ?? [],
    baseline: raw.baseline,
    policy: {failOn: raw.policy?.failOn ?? DEFAULT_CONFIG.policy.failOn},
    actors: raw.actors,
  }
}
