// One run against a repository (a check, a hook): what it asks git about the index and HEAD
// more than once (the index's listing, its differences from HEAD, HEAD itself) is asked once.
// Nothing a run does changes those, and outside a run every question goes to git again, so a
// long-lived caller (a test, an editor) never reads an answer from before its own changes.

import {AsyncLocalStorage} from 'node:async_hooks'

const answers = new AsyncLocalStorage<Map<string, Promise<unknown>>>()
/** The answers of a run that is the whole process's (a CLI command): see oneRun. */
let processAnswers: Map<string, Promise<unknown>> | undefined
const store = () => processAnswers ?? answers.getStore()

/**
 * Runs `work` as one run: inside it, `once` keeps each answer. `wholeProcess`: the process does
 * nothing else until the run ends (a CLI command), so the answers are kept in a variable, and no
 * AsyncLocalStorage carries them: once one has run, Node 20 calls its promise hooks for every
 * promise the process makes, several percent of a long audit's CPU.
 */
export function oneRun<T>(work: () => Promise<T>, options: {wholeProcess?: boolean} = {}): Promise<T> {
  if (store() !== undefined) return work()
  if (options.wholeProcess !== true) return answers.run(new Map(), work)
  const run = new Map<string, Promise<unknown>>()
  processAnswers = run
  return work().finally(() => {
    if (processAnswers === run) processAnswers = undefined
  })
}

/** The answer of `ask` under `key`, asked once per run (every time outside one). */
export function once<T>(key: string, ask: () => Promise<T>): Promise<T> {
  const known = store()
  if (known === undefined) return ask()
  let answer = known.get(key) as Promise<T> | undefined
  if (answer === undefined) known.set(key, (answer = ask()))
  return answer
}

/** The answer under `key` when this run has asked for it already, else undefined (nothing is asked). */
export function asked<T>(key: string): Promise<T> | undefined {
  return store()?.get(key) as Promise<T> | undefined
}

const NO_INDEX = 'reads no index'

/**
 * Marks this run as one that reads no index (the check of a revision): what the index could
 * answer more cheaply in a pre-commit run (HEAD's entries, git/staged.ts) is asked of the tree.
 */
export function readNoIndex(): void {
  store()?.set(NO_INDEX, Promise.resolve(true))
}

/** Whether this run was marked by readNoIndex. */
export const readsNoIndex = (): boolean => store()?.has(NO_INDEX) === true

/** Whether this is inside one run, where the answers are shared. */
export const inOneRun = (): boolean => store() !== undefined

/** Whether a run is the whole process's (oneRun's `wholeProcess`): the process ends with it. */
export const inWholeProcessRun = (): boolean => processAnswers !== undefined
