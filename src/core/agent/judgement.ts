// What the agent hook's fast path (hook.ts) and its slow path for an edit (access-edit.ts) share.

import type {Config} from '../config.js'
import type {CompiledGlob} from './candidates.js'
import type {EditResult} from './edits.js'
import type {HookCall, Refusal} from './harnesses.js'
import type {AgentLogEntry} from './log.js'

export interface Judgement {
  /** why the call is refused (the CLI words it for the agent); undefined: it may run */
  refusal?: Refusal
  /** the entry to append to the decision log (blocking decisions only) */
  log?: {gitDir: string; entry: AgentLogEntry; proposed?: Buffer}
}

/** An edit the agent proposes. */
export type EditAction = Extract<HookCall['action'], {type: 'edit'}>
/** A log entry of this call, with what differs from a blocked edit. */
export type Entry = (over: Partial<AgentLogEntry>) => AgentLogEntry
/** The edited file's current content (undefined: no file) and the edit applied to it. */
export interface Proposed {
  current: Buffer | undefined
  result: EditResult
}

export interface Repository {
  root: string
  /** the git directory, from `.git` (a folder, or a file naming it) without running git */
  gitDir: string
}

export interface ConfigView extends Pick<Config, 'documents' | 'exclude'> {
  /** the config file's bytes, one character each (latin1): the cache's key */
  text: string
  /** the `documents:` globs, compiled */
  globs: CompiledGlob[]
}
