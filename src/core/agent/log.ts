// The agent hook's local decision log: every blocking decision (and every report at the end of a
// turn), appended to `<git dir>/acldrift/agent-log.jsonl` under a lock, never committed. Each
// blocked edit also keeps the content it proposed (`proposals/<sha256>`), so that a person can
// approve exactly that access before it exists anywhere else (`acldrift approve ID` finds it
// here), and `explain`/`history` can show "the agent tried this at 10:02 and was told to ask".

import {mkdir, open, readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {writeFileAtomic} from '../../kernel/atomic.js'
import {sha256} from '../../kernel/hash.js'
import type {ChangeType, Severity, Witness} from '../../kernel/types.js'
import {withFileLock} from '../audit-log/lock.js'

export const AGENT_LOG = 'acldrift/agent-log.jsonl'
const PROPOSALS = 'acldrift/proposals'

export interface LoggedFinding {
  id: string
  rule: string
  change: ChangeType
  severity: Severity
  file: string
  document?: string
  witness: Witness | null
}

export interface AgentLogEntry {
  /** ISO time of the decision */
  at: string
  harness: string
  event: string
  session?: string
  /** what the agent tried */
  action: 'edit' | 'shell' | 'stop'
  tool?: string
  file?: string
  command?: string
  decision: 'blocked' | 'reported'
  findings: LoggedFinding[]
  reasons: string[]
  /** sha256 of the proposed content of a blocked edit (kept under proposals/) */
  proposal?: string
}

/** Appends one entry; a blocked edit's proposed content is kept beside the log. */
export async function appendAgentLog(gitDir: string, entry: AgentLogEntry, proposed?: Buffer): Promise<void> {
  const file = join(gitDir, AGENT_LOG)
  await mkdir(join(gitDir, PROPOSALS), {recursive: true})
  if (proposed !== undefined) {
    entry.proposal = sha256(proposed)
    await writeFileAtomic(join(gitDir, PROPOSALS, entry.proposal), proposed.toString('utf8'))
  }
  await withFileLock(`${file}.lock`, {}, async () => {
    const handle = await open(file, 'a')
    try {
      await handle.appendFile(`${JSON.stringify(entry)}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
  })
}

/** Every entry, oldest first; a line that does not parse (a torn write) is skipped. */
export async function readAgentLog(gitDir: string): Promise<AgentLogEntry[]> {
  let text: string
  try {
    text = await readFile(join(gitDir, AGENT_LOG), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const entries: AgentLogEntry[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    try {
      entries.push(JSON.parse(line) as AgentLogEntry)
    } catch {
      // a line cut short by a crash: the entries around it still count
    }
  }
  return entries
}

/** The attempts that involved a finding id (or an id prefix). */
export async function attemptsFor(gitDir: string, id: string): Promise<AgentLogEntry[]> {
  return (await readAgentLog(gitDir)).filter((e) => e.findings.some((f) => f.id.startsWith(id)))
}

/**
 * The latest blocked edit whose findings include `id` (or a prefix of one), with the content it
 * proposed, checked against its hash.
 */
export async function proposalFor(
  gitDir: string,
  id: string,
): Promise<{path: string; content: Buffer} | undefined> {
  const attempts = (await attemptsFor(gitDir, id)).filter(
    (e) => e.proposal !== undefined && e.file !== undefined,
  )
  for (const attempt of attempts.reverse()) {
    let content: Buffer
    try {
      content = await readFile(join(gitDir, PROPOSALS, attempt.proposal!))
    } catch {
      continue
    }
    if (sha256(content) === attempt.proposal) return {path: attempt.file!, content}
  }
  return undefined
}
